/* viewrows.c - ev-show's rows (include/viewint.h): collecting, filtering
 * and sorting the rows of a view, the aggregated process and application
 * rows, and the choice of columns for a width.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbuf.h"
#include "view.h"
#include "viewint.h"

/* A column as laid out for the rows at hand (view_colplan). */
struct vcolx {
	int	prio, want, fit, maxw;
	bool	hide;
};

/* Adapts the column table to the rows of the last collect: a C_OPT column
 * without values is hidden, a C_FIT or address column knows its longest
 * value; in Flows, IFACE joins the core columns, after STATE, when the rows are
 * of several interfaces (else they look duplicated), and RATE takes the
 * processes' place when no flow has a process (flows from packets). */
static void
view_colplan(const struct view *v, enum view_kind k, struct vcolx *x)
{
	const struct vcol *c = view_def[k].c;
	int i;

	for (i = 0; i < view_def[k].n; i++) {
		x[i].prio = c[i].prio;
		x[i].want = c[i].want;
		x[i].maxw = c[i].maxw;
		x[i].hide = (c[i].flags & C_OPT) && v->cw[k][i] == 0;
		x[i].fit = (c[i].flags & (C_FIT | C_TAIL)) ? v->cw[k][i] : 0;
		if (x[i].fit > x[i].maxw)
			x[i].fit = x[i].maxw;
	}
	if (k == VIEW_FLOWS) {
		if (v->multi_iface)
			x[FC_IFACE].prio = VIEW_EXTRA - 1;
		if (x[FC_CPROC].hide && x[FC_SPROC].hide)
			x[FC_RATE].prio = 3;
	}
}

/* Chooses the columns shown at width and their widths: columns are taken
 * by priority while their minimum widths fit, then the room left widens
 * the flexible ones one character at a time, left to right. width <= 0
 * shows every column (view_render then sizes them to their text). Returns
 * the count; idx[] in display order. */
int
view_layout(const struct view *v, enum view_kind k, int width, int *idx,
    int *w)
{
	const struct vcol *c = view_def[k].c;
	struct vcolx x[MAXCOLS];
	int n = view_def[k].n, m = 0, used = 0, usedw = 0, i, p, grew;
	bool on[MAXCOLS] = { false };

	view_colplan(v, k, x);
	if (width <= 0) {
		for (i = 0; i < n; i++)
			if (!x[i].hide) {
				idx[m] = i;
				w[m++] = c[i].minw;
			}
		return m;
	}
	/* Whole priority groups, so that paired columns come together. The
	 * core groups need their narrowest widths; an extra group is only
	 * added when everything before it can also have its usual width. */
	for (p = 0; p <= 255; p++) {
		int need = 0, needw = 0, cnt = used > 0 ? 1 : 0;

		for (i = 0; i < n; i++)
			if (x[i].prio == p && !x[i].hide) {
				/* An address counts whole: extras do not
				   take its room. */
				int wi = (c[i].flags & C_TAIL) &&
				    x[i].fit > x[i].want ? x[i].fit : x[i].want;

				need += c[i].minw + (cnt > 0 ? 1 : 0);
				needw += wi + (cnt++ > 0 ? 1 : 0);
			}
		if (used + need > width ||
		    (p >= VIEW_EXTRA && usedw + need > width))
			break;
		for (i = 0; i < n; i++)
			if (x[i].prio == p && !x[i].hide)
				on[i] = true;
		used += need;
		usedw += needw;
	}
	for (i = 0; i < n; i++)
		if (on[i]) {
			idx[m] = i;
			w[m++] = c[i].minw;
		}
	/* First each priority group up to its usual widths, the most
	 * important first; then the fitted columns up to their longest
	 * values; then every column up to its widest. */
	for (p = 0; p <= 257; p++)
		do {
			grew = 0;
			for (i = 0; i < m && used < width; i++) {
				const struct vcolx *xi = &x[idx[i]];

				if (p < 256 ? (xi->prio == p &&
				    w[i] < xi->want) : p == 256 ?
				    w[i] < xi->fit : w[i] < xi->maxw) {
					w[i]++;
					used++;
					grew = 1;
				}
			}
		} while (grew && used < width);
	return m;
}

void
view_sort_move(struct view *v, enum view_kind k, int delta, int width)
{
	int idx[MAXCOLS], w[MAXCOLS], n, i, cur = -1;

	n = view_layout(v, k, width, idx, w);
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		if (idx[i] == v->sortcol[k])
			cur = i;
	if (cur == -1)
		cur = delta > 0 ? -1 : n;
	cur = ((cur + delta) % n + n) % n;
	v->sortcol[k] = idx[cur];
	v->sortdesc[k] = (view_def[k].c[idx[cur]].flags & C_NUM) != 0;
}

int
view_sort_by(struct view *v, enum view_kind k, const char *col)
{
	int i;

	for (i = 0; i < view_def[k].n; i++)
		if (strcasecmp(view_def[k].c[i].name, col) == 0) {
			v->sortcol[k] = i;
			v->sortdesc[k] = (view_def[k].c[i].flags & C_NUM) != 0;
			return 0;
		}
	return -1;
}

void
view_sort_reverse(struct view *v, enum view_kind k)
{
	v->sortdesc[k] = !v->sortdesc[k];
}

const char *
view_sort_name(const struct view *v, enum view_kind k, bool *descending)
{
	if (descending)
		*descending = v->sortdesc[k];
	return view_def[k].c[v->sortcol[k]].name;
}

void
view_set_filter(struct view *v, const char *s)
{
	v->gen++;
	view_cpy(v->filter, sizeof(v->filter), s ? s : "");
}

const char *
view_filter(const struct view *v)
{
	return v->filter[0] ? v->filter : NULL;
}

void
view_set_iface(struct view *v, const char *name)
{
	v->gen++;
	view_cpy(v->ifilter, sizeof(v->ifilter), name ? name : "");
}

const char *
view_iface(const struct view *v)
{
	return v->ifilter[0] ? v->ifilter : NULL;
}

const char *
view_iface_next(struct view *v)
{
	size_t i;

	if (v->nifs == 0) {
		v->ifilter[0] = '\0';
		v->gen++;
		return NULL;
	}
	if (v->ifilter[0] == '\0') {
		view_set_iface(v, v->ifs[0].name);
		return v->ifilter;
	}
	for (i = 0; i < v->nifs; i++)
		if (strcmp(v->ifs[i].name, v->ifilter) == 0)
			break;
	if (i + 1 >= v->nifs) {
		v->ifilter[0] = '\0';
		v->gen++;
		return NULL;
	}
	view_set_iface(v, v->ifs[i + 1].name);
	return v->ifilter;
}

/* The interface filter as an index: -1 for all, -2 for a name never seen
 * (nothing matches). */
static int
view_ifsel(const struct view *v)
{
	size_t i;

	if (v->ifilter[0] == '\0')
		return -1;
	for (i = 0; i < v->nifs; i++)
		if (strcmp(v->ifs[i].name, v->ifilter) == 0)
			return (int)i;
	return -2;
}

static struct vprocrow *
view_procrow(struct view *v, const struct vproc *p, int iface)
{
	uint64_t h = view_flowhash(iface, 0, 0, p->name, 0, p->cid,
	    (unsigned)p->pid) ^ (uint64_t)p->pid;
	struct vprocrow *r;
	size_t b = h & (v->phsize - 1);

	for (r = v->phash[b]; r != NULL; r = r->hnext)
		if (r->iface == iface && r->p->pid == p->pid &&
		    strcmp(r->p->name, p->name) == 0 &&
		    strcmp(r->p->cid, p->cid) == 0)
			return r;
	if (v->nprows == v->capprows)
		return NULL;
	r = &v->prows[v->nprows++];
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->iface = iface;
	r->seq = v->nprows;
	r->hnext = v->phash[b];
	v->phash[b] = r;
	return r;
}

/* Rebuilds the per-process rows from the flows of the selected interface
 * (a process may be the client of some flows and the server of others). */
static void
view_build_procs(struct view *v, int ifsel)
{
	const struct vflow *f;
	size_t need = v->nflows * 2 + 1, hs = 64;

	while (hs < need)
		hs *= 2;
	if (v->capprows < need) {
		v->prows = xreallocarray(v->prows, need,
		    sizeof(*v->prows));
		v->capprows = need;
	}
	if (v->phsize != hs) {
		free(v->phash);
		v->phash = xcalloc(hs, sizeof(*v->phash));
		v->phsize = hs;
	} else
		memset(v->phash, 0, hs * sizeof(*v->phash));
	v->nprows = 0;
	/* Oldest flow first, so rows come in a stable order. */
	for (f = v->lru_tail; f != NULL; f = f->lprev) {
		struct vprocrow *r;
		double thr;

		if (ifsel != -1 && f->iface != ifsel)
			continue;
		thr = view_flowthr(f);
		if (f->c->set && (r = view_procrow(v, f->c, f->iface))) {
			r->conns++;
			r->asclient++;
			r->sent += f->inby;
			r->rcvd += f->outby;
			r->thr += thr;
		}
		if (f->s->set && (r = view_procrow(v, f->s, f->iface))) {
			r->conns++;
			r->asserver++;
			r->sent += f->outby;
			r->rcvd += f->inby;
			r->thr += thr;
		}
	}
}

/* The row of application name, created when new. Applications are few
 * (nDPI knows some hundreds), so a linear search will do. */
static struct vapprow *
view_approw(struct view *v, const struct vapp *a)
{
	const char *name = a && a->name[0] ? a->name : "Unknown";
	struct vapprow *r;
	size_t i;

	for (i = 0; i < v->narows; i++)
		if (strcmp(v->arows[i].name, name) == 0)
			return &v->arows[i];
	if (v->narows == v->caparows) {
		size_t old = v->caparows;

		VIEW_GROW(v->arows, v->caparows, v->narows + 1);
		memset(v->arows + old, 0, (v->caparows - old) *
		    sizeof(*v->arows));
	}
	r = &v->arows[v->narows++];
	r->name = name;
	r->cat = a ? a->cat : "";
	r->seq = v->narows;
	r->flows = r->bytes = r->c2s = r->s2c = 0;
	r->rate = 0;
	r->nprocs = r->nhosts = 0;
	return r;
}

/* Adds process p (if any) to an application's distinct processes. */
static void
view_approc(struct vapprow *r, const struct vproc *p)
{
	size_t i;

	if (!p->set)
		return;
	for (i = 0; i < r->nprocs; i++)
		if (r->procs[i]->pid == p->pid &&
		    strcmp(r->procs[i]->name, p->name) == 0)
			return;
	VIEW_GROW(r->procs, r->capprocs, r->nprocs + 1);
	r->procs[r->nprocs++] = p;
}

/* Rebuilds the per-application rows from the flows of the selected
 * interface: bytes, flows, current rate, processes and server names. */
static void
view_build_apps(struct view *v, int ifsel)
{
	const struct vflow *f;
	size_t i;

	v->narows = 0;
	for (f = v->lru_tail; f != NULL; f = f->lprev) {
		struct vapprow *r;
		const char *h;

		if (ifsel != -1 && f->iface != ifsel)
			continue;
		r = view_approw(v, f->app);
		r->flows++;
		r->c2s += f->inby;
		r->s2c += f->outby;
		r->bytes += f->inby + f->outby;
		r->rate += view_flowrate(v, f);
		view_approc(r, f->c);
		view_approc(r, f->s);
		h = view_flowhost(f);
		for (i = 0; i < r->nhosts && h[0]; i++)
			if (strcmp(r->hosts[i], h) == 0)
				break;
		if (h[0] && i == r->nhosts && r->nhosts < 4)
			r->hosts[r->nhosts++] = h;
	}
}

/* Does the item's text (every column and its detail) contain the filter? */
static bool
view_match(const struct view *v, enum view_kind k, const void *it)
{
	char buf[256];
	struct sbuf d = { 0 };
	bool ok = false;
	int i;

	for (i = 0; i < view_def[k].n && !ok; i++) {
		view_cell(v, k, it, i, buf, sizeof(buf));
		ok = strcasestr(buf, v->filter) != NULL;
	}
	if (!ok) {
		view_detailtext(v, k, it, &d);
		ok = d.len > 0 && strcasestr(d.p, v->filter) != NULL;
		sbuf_free(&d);
	}
	return ok;
}

static void
view_addrow(struct view *v, enum view_kind k, const void *it)
{
	if (v->filter[0] && !view_match(v, k, it))
		return;
	VIEW_GROW(v->shown[k], v->capshown[k], v->nshown[k] + 1);
	v->shown[k][v->nshown[k]++] = it;
}

static int
view_cmp_asc(const void *a, const void *b)
{
	const struct vsortent *x = a, *y = b;
	int c;

	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	if ((c = strcmp(x->str, y->str)) != 0)
		return c;
	if (x->num2 != y->num2)
		return x->num2 < y->num2 ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
view_cmp_desc(const void *a, const void *b)
{
	const struct vsortent *x = a, *y = b;
	int c;

	if (x->num != y->num)
		return x->num > y->num ? -1 : 1;
	if ((c = strcmp(y->str, x->str)) != 0)
		return c;
	if (x->num2 != y->num2)
		return x->num2 > y->num2 ? -1 : 1;
	/* Ties keep their arrival order either way. */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Widens w to n (the length of a value, 0 for "-"). */
static void
view_widen(unsigned char *w, size_t n)
{
	if (n > 255)
		n = 255;
	if (n > *w)
		*w = (unsigned char)n;
}

/* The length of view_endpoint()'s text for addr and port, without
 * formatting it. */
static size_t
view_endpoint_len(const char *addr, unsigned port)
{
	size_t n = strlen(addr), d = 1;

	if (n == 0)
		return 0;		/* "-" */
	while (port >= 10) {
		port /= 10;
		d++;
	}
	return n + 1 + d + (strchr(addr, ':') != NULL ? 2 : 0);
}

/* view_measure for one flow: the lengths its cells would have, counted
 * without formatting them (a dashboard measures every flow each redraw). */
static void
view_measure_flow(struct view *v, const struct vflow *f)
{
	unsigned char *w = v->cw[VIEW_FLOWS];
	const char *ifn = v->ifs[f->iface].name;

	if (strcmp(ifn, "-") != 0)
		view_widen(&w[FC_IFACE], strlen(ifn));
	if (f->app != NULL && f->app->name[0])
		view_widen(&w[FC_APP], strlen(f->app->name));
	view_widen(&w[FC_CLIENT], view_endpoint_len(f->caddr, f->cport));
	view_widen(&w[FC_SERVER], view_endpoint_len(f->saddr, f->sport));
	if (f->c->set && f->c->name[0])
		view_widen(&w[FC_CPROC], strlen(view_base(f->c->name)));
	if (f->s->set && f->s->name[0])
		view_widen(&w[FC_SPROC], strlen(view_base(f->s->name)));
}

/* Measures the columns whose layout depends on the rows: the longest
 * address (C_TAIL) and whether a C_OPT column has any value; notes whether
 * the flows shown come from more than one interface. */
static void
view_measure(struct view *v, enum view_kind k)
{
	const struct vcol *c = view_def[k].c;
	char buf[256];
	size_t r, len;
	int i, firstif = -1;

	memset(v->cw[k], 0, sizeof(v->cw[k]));
	if (k == VIEW_FLOWS)
		v->multi_iface = false;
	for (r = 0; r < v->nshown[k]; r++) {
		if (k == VIEW_FLOWS) {
			int fi = ((const struct vflow *)v->shown[k][r])->iface;

			if (firstif == -1)
				firstif = fi;
			else if (fi != firstif)
				v->multi_iface = true;
		}
		if (k == VIEW_FLOWS) {
			view_measure_flow(v, v->shown[k][r]);
			continue;
		}
		for (i = 0; i < view_def[k].n; i++) {
			if (!(c[i].flags & (C_TAIL | C_OPT | C_FIT)))
				continue;
			view_cell(v, k, v->shown[k][r], i, buf, sizeof(buf));
			if (strcmp(buf, "-") == 0)
				continue;
			len = strlen(buf);
			if (len > 255)
				len = 255;
			if (len > v->cw[k][i])
				v->cw[k][i] = (unsigned char)len;
		}
	}
}

/* Collects view k's rows into v->shown[k], filtered and sorted. */
void
view_collect(struct view *v, enum view_kind k)
{
	int ifsel = view_ifsel(v), col = v->sortcol[k];
	bool num = (view_def[k].c[col].flags & C_NUM) != 0;
	size_t i, n;

	v->nshown[k] = 0;
	if (ifsel == -2)
		return;
	switch (k) {
	case VIEW_FLOWS: {
		const struct vflow *f;

		for (f = v->lru_tail; f != NULL; f = f->lprev)
			if (ifsel == -1 || f->iface == ifsel)
				view_addrow(v, k, f);
		break;
	}
	case VIEW_PROCS:
		view_build_procs(v, ifsel);
		for (i = 0; i < v->nprows; i++)
			view_addrow(v, k, &v->prows[i]);
		break;
	case VIEW_IFACES:
		for (i = 0; i < v->nifs; i++)
			if (ifsel == -1 || (int)i == ifsel)
				view_addrow(v, k, &v->ifs[i]);
		break;
	case VIEW_LISTEN:
		for (i = 0; i < v->nls; i++)
			if (ifsel == -1 || v->ls[i].iface == ifsel)
				view_addrow(v, k, &v->ls[i]);
		break;
	case VIEW_EVENTS:
		for (i = 0; i < v->nevs; i++) {
			size_t j = (v->evnext + v->conf.max_events - v->nevs +
			    i) % v->conf.max_events;

			if (ifsel == -1 || v->evs[j].iface == ifsel)
				view_addrow(v, k, &v->evs[j]);
		}
		break;
	case VIEW_APPS:
		view_build_apps(v, ifsel);
		for (i = 0; i < v->narows; i++)
			view_addrow(v, k, &v->arows[i]);
		break;
	default:
		return;
	}
	/* A redraw without news reuses the widths it measured. */
	if (v->cw_gen[k] != v->gen || v->gen == 0) {
		view_measure(v, k);
		v->cw_gen[k] = v->gen;
	}
	n = v->nshown[k];
	VIEW_GROW(v->sortv, v->capsort, n + 1);
	for (i = 0; i < n; i++) {
		struct vsortent *s = &v->sortv[i];

		s->it = v->shown[k][i];
		s->seq = view_seqof(k, s->it);
		/* Flows of equal rate (or any other key) by bytes. */
		s->num2 = k == VIEW_FLOWS ? view_flownum(s->it, FC_BYTES) : 0;
		if (num) {
			s->num = view_num(v, k, s->it, col);
			s->str[0] = '\0';
		} else {
			s->num = 0;
			view_cell(v, k, s->it, col, s->str, sizeof(s->str));
		}
	}
	qsort(v->sortv, n, sizeof(*v->sortv),
	    v->sortdesc[k] ? view_cmp_desc : view_cmp_asc);
	for (i = 0; i < n; i++)
		v->shown[k][i] = v->sortv[i].it;
}
