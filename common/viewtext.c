/* viewtext.c - ev-show's text (include/view.h): table lines fitted to a
 * width, the header, the detail line, and the batch loop.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "linebuf.h"
#include "stats.h"
#include "sbuf.h"
#include "view.h"
#include "viewint.h"

struct view_batchctx {
	struct view	*v;
};

/* Appends s fitted into w columns: cut with '~' (at the front for C_TAIL
 * columns), padded to the left for numbers and to the right otherwise;
 * last: no trailing padding. Counts bytes, which equals columns for the
 * ASCII that cells hold; other UTF-8 text is cut at a character start. */
static void
view_fit(struct sbuf *out, const char *s, int w, unsigned flags, bool last)
{
	size_t n = strlen(s);

	if ((int)n > w) {
		if (w <= 1) {
			sbuf_addc(out, '~');
			return;
		}
		if (flags & C_TAIL) {
			const char *p = s + n - (size_t)(w - 1);

			while (((unsigned char)*p & 0xc0) == 0x80)
				p++;
			sbuf_addc(out, '~');
			sbuf_adds(out, p);
		} else {
			size_t m = (size_t)(w - 1);

			while (m > 0 && ((unsigned char)s[m] & 0xc0) == 0x80)
				m--;
			sbuf_add(out, s, m);
			sbuf_addc(out, '~');
		}
		return;
	}
	if (flags & C_NUM) {
		for (; (int)n < w; n++)
			sbuf_addc(out, ' ');
		sbuf_adds(out, s);
	} else {
		sbuf_adds(out, s);
		if (!last)
			for (; (int)n < w; n++)
				sbuf_addc(out, ' ');
	}
}

/* Ends a line: trailing blanks removed, newline added. */
static void
view_endline(struct sbuf *out, size_t start)
{
	while (out->len > start && out->p[out->len - 1] == ' ')
		out->len--;
	sbuf_addc(out, '\n');
}

/* Appends text cut to width (0: no limit) as one line. */
static void
view_addline(struct sbuf *out, const char *s, int width)
{
	size_t n = strlen(s);

	if (width > 0 && n > (size_t)width) {
		n = (size_t)width;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	sbuf_add(out, s, n);
	sbuf_addc(out, '\n');
}

int
view_header(struct view *v, int width, struct sbuf *out)
{
	struct sbuf l = { 0 };
	char a[32], b[32];
	double evs, pks;
	uint64_t bad = *v->bad.all + *v->c_badfield + *v->c_overlong;
	size_t i, j;
	bool any = false;

	view_rates(v, &evs, &pks);
	view_hrate(a, sizeof(a), evs, "/s");
	view_hrate(b, sizeof(b), pks, "pps");
	sbuf_addf(&l, "events %s  packets %s  flows %zu  records %llu  "
	    "bad %llu", a, b, v->nflows, (unsigned long long)*v->c_records,
	    (unsigned long long)bad);
	view_addline(out, l.p, width);
	sbuf_reset(&l);
	sbuf_adds(&l, "drops:");
	if (*v->c_evicted) {
		sbuf_addf(&l, " show_evicted %llu",
		    (unsigned long long)*v->c_evicted);
		any = true;
	}
	/* One total per counter name, over interfaces, in first-seen order. */
	for (i = 0; i < v->ndrops; i++) {
		uint64_t sum = 0;
		bool first = true;

		for (j = 0; j < i; j++)
			if (strcmp(v->drops[j].name, v->drops[i].name) == 0)
				first = false;
		if (!first)
			continue;
		for (j = i; j < v->ndrops; j++)
			if (strcmp(v->drops[j].name, v->drops[i].name) == 0)
				sum += v->drops[j].v;
		sbuf_addf(&l, " %s %llu", v->drops[i].name,
		    (unsigned long long)sum);
		any = true;
	}
	if (!any)
		sbuf_adds(&l, " none seen");
	view_addline(out, l.p, width);
	sbuf_free(&l);
	return 2;
}

int
view_render(struct view *v, enum view_kind k, int width, size_t first,
    int maxrows, struct sbuf *out, struct view_info *info)
{
	const struct vcol *c = view_def[k].c;
	int idx[MAXCOLS], w[MAXCOLS], n, i, drawn = 0;
	size_t r, start, pos = 0;
	char buf[256];

	if ((unsigned)k >= VIEW_NKINDS)
		return 0;
	view_expire(v);
	view_collect(v, k);
	n = view_layout(v, k, width, idx, w);
	if (width <= 0) {
		/* No width limit: each column as wide as its widest text. */
		for (i = 0; i < n; i++)
			w[i] = (int)strlen(c[idx[i]].name);
		for (r = first; r < v->nshown[k] && (maxrows < 0 ||
		    r - first < (size_t)maxrows); r++)
			for (i = 0; i < n; i++) {
				int len;

				view_cell(v, k, v->shown[k][r], idx[i], buf,
				    sizeof(buf));
				if ((len = (int)strlen(buf)) > w[i])
					w[i] = len;
			}
	}
	if (info) {
		info->rows = v->nshown[k];
		info->sort_start = -1;
		info->sort_len = 0;
	}
	start = out->len;
	for (i = 0; i < n; i++) {
		if (i) {
			sbuf_addc(out, ' ');
			pos++;
		}
		if (info && idx[i] == v->sortcol[k]) {
			info->sort_start = (int)pos;
			info->sort_len = w[i];
		}
		view_fit(out, c[idx[i]].name, w[i], c[idx[i]].flags,
		    i == n - 1);
		pos += (size_t)w[i];
	}
	view_endline(out, start);
	for (r = first; r < v->nshown[k] && (maxrows < 0 || drawn < maxrows);
	    r++, drawn++) {
		start = out->len;
		for (i = 0; i < n; i++) {
			if (i)
				sbuf_addc(out, ' ');
			view_cell(v, k, v->shown[k][r], idx[i], buf,
			    sizeof(buf));
			view_fit(out, buf, w[i], c[idx[i]].flags, i == n - 1);
		}
		view_endline(out, start);
	}
	return drawn;
}

int
view_detail(struct view *v, enum view_kind k, size_t idx, int width,
    struct sbuf *out)
{
	struct sbuf d = { 0 };
	size_t n;

	if ((unsigned)k >= VIEW_NKINDS || idx >= v->nshown[k])
		return -1;
	view_detailtext(v, k, v->shown[k][idx], &d);
	if (d.len == 0) {
		sbuf_free(&d);
		return 0;
	}
	n = d.len;
	if (width > 0 && n > (size_t)width) {
		n = (size_t)width;
		while (n > 0 && ((unsigned char)d.p[n] & 0xc0) == 0x80)
			n--;
	}
	sbuf_add(out, d.p, n);
	sbuf_free(&d);
	return 0;
}

void
view_tables(struct view *v, const enum view_kind *kinds, int nkinds,
    int width, struct sbuf *out)
{
	struct view_info info;
	int i;

	view_expire(v);
	view_header(v, width, out);
	for (i = 0; i < nkinds; i++) {
		struct sbuf t = { 0 };
		bool desc;
		const char *s;

		view_render(v, kinds[i], width, 0, -1, &t, &info);
		s = view_sort_name(v, kinds[i], &desc);
		sbuf_addc(out, '\n');
		sbuf_addf(out, "%s: %zu, by %s %s", view_name(kinds[i]),
		    info.rows, s, desc ? "desc" : "asc");
		if (v->ifilter[0])
			sbuf_addf(out, ", iface %s", v->ifilter);
		if (v->filter[0])
			sbuf_addf(out, ", filter \"%s\"", v->filter);
		sbuf_addc(out, '\n');
		sbuf_add(out, t.p, t.len);
		sbuf_free(&t);
	}
}

static int
view_batch_line(void *arg, const char *line, size_t len, int input)
{
	struct view_batchctx *c = arg;

	(void)input;
	view_feed(c->v, line, len);
	return 0;
}

static int
view_batch_emit(struct view *v, const struct view_batch *b, FILE *out,
    long n)
{
	struct sbuf s = { 0 };
	int rc = 0;

	if (n > 0)
		sbuf_adds(&s, "\f\n");
	view_tables(v, b->kinds, b->nkinds, b->width, &s);
	if (fwrite(s.p, 1, s.len, out) != s.len || fflush(out) == EOF)
		rc = -1;
	sbuf_free(&s);
	return rc;
}

static double
view_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
view_batch_run(struct view *v, const struct view_batch *b,
    struct linebuf *in, FILE *out, volatile sig_atomic_t *stop)
{
	struct view_batchctx ctx = { v };
	double next = b->interval > 0 ? view_mono() + b->interval : 0;
	long emitted = 0;
	int r;

	while (stop == NULL || !*stop) {
		int tmo = -1;

		if (b->interval > 0) {
			double left = next - view_mono();

			tmo = left <= 0 ? 0 : (int)(left * 1000) + 1;
		}
		r = linebuf_poll(in, tmo, view_batch_line, &ctx);
		view_count_overlong(v, linebuf_stats(in)->overlong);
		/* Periodic tables are a live view: the clock runs on. */
		if (b->interval > 0 && r != LINEBUF_EOF)
			view_tick(v, view_mono());
		if (b->usr1 != NULL && *b->usr1) {
			*b->usr1 = 0;
			stats_print(v->st, stderr);
		}
		if (r == LINEBUF_EOF)
			break;
		if (b->interval > 0 && view_mono() >= next) {
			if (view_batch_emit(v, b, out, emitted) == -1)
				return -1;
			/* Counted with or without -n: every table after the
			 * first is preceded by its separator. */
			if (++emitted >= b->count && b->count > 0)
				return 0;
			next += b->interval;
			if (next < view_mono())
				next = view_mono() + b->interval;
		}
	}
	return view_batch_emit(v, b, out, emitted);
}
