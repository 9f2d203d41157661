/* viewflow.c - ev-show's flows (include/viewint.h): one table of flows
 * keyed by their direction-free 5-tuple and interface, fed by flow and
 * packet records, with interned process blocks, application fields and a
 * current rate per flow.
 */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "stats.h"
#include "sbuf.h"
#include "view.h"
#include "viewint.h"

/* The side of a flow without a process: all zero, never freed. */
const struct vproc view_noproc;

uint64_t
view_flowhash(int iface, int proto, int vlan, const char *ca, unsigned cp,
    const char *sa, unsigned sp)
{
	uint64_t h = 1469598103934665603ull;
	const char *s;

#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211ull)
	MIX(iface); MIX(proto); MIX(vlan); MIX(cp); MIX(sp);
	for (s = ca; *s; s++)
		MIX((unsigned char)*s);
	MIX(0xff);
	for (s = sa; *s; s++)
		MIX((unsigned char)*s);
#undef MIX
	return h;
}

static void
view_lru_unlink(struct view *v, struct vflow *f)
{
	if (f->lprev)
		f->lprev->lnext = f->lnext;
	else
		v->lru_head = f->lnext;
	if (f->lnext)
		f->lnext->lprev = f->lprev;
	else
		v->lru_tail = f->lprev;
	f->lprev = f->lnext = NULL;
}

static void
view_lru_front(struct view *v, struct vflow *f)
{
	f->lnext = v->lru_head;
	f->lprev = NULL;
	if (v->lru_head)
		v->lru_head->lprev = f;
	v->lru_head = f;
	if (v->lru_tail == NULL)
		v->lru_tail = f;
}

static void view_proc_put(struct view *, const struct vproc *);

void
view_flow_remove(struct view *v, struct vflow *f)
{
	struct vflow **pp = &v->htab[f->hash & (v->hsize - 1)];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	view_lru_unlink(v, f);
	view_proc_put(v, f->c);
	view_proc_put(v, f->s);
	if (v->ifs[f->iface].flows > 0)
		v->ifs[f->iface].flows--;
	v->nflows--;
	v->gen++;
	free(f->app);
	free(f);
}

static void
view_rehash(struct view *v)
{
	size_t ns = v->hsize * 2, i;
	struct vflow **nt = xcalloc(ns, sizeof(*nt));

	for (i = 0; i < v->hsize; i++) {
		struct vflow *f, *fn;

		for (f = v->htab[i]; f != NULL; f = fn) {
			fn = f->hnext;
			f->hnext = nt[f->hash & (ns - 1)];
			nt[f->hash & (ns - 1)] = f;
		}
	}
	free(v->htab);
	v->htab = nt;
	v->hsize = ns;
}

/* Hash and equality of process blocks, member by member (strings are
 * zero-padded, so whole arrays compare). */
static uint64_t
view_prochash(const struct vproc *p)
{
	const char *const strs[] = { p->name, p->user, p->parent, p->cmd,
	    p->cid, p->cname, p->pod };
	uint64_t h = 1469598103934665603ull;
	size_t i;
	const char *c;

	h = (h ^ (uint64_t)p->pid) * 1099511628211ull;
	h = (h ^ (uint64_t)p->ppid) * 1099511628211ull;
	h = (h ^ (uint64_t)p->uid) * 1099511628211ull;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		for (c = strs[i]; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	return h;
}

static bool
view_proceq(const struct vproc *a, const struct vproc *b)
{
	return a->pid == b->pid && a->ppid == b->ppid && a->uid == b->uid &&
	    a->set == b->set && strcmp(a->name, b->name) == 0 &&
	    strcmp(a->user, b->user) == 0 &&
	    strcmp(a->parent, b->parent) == 0 &&
	    strcmp(a->cmd, b->cmd) == 0 && strcmp(a->cid, b->cid) == 0 &&
	    strcmp(a->cname, b->cname) == 0 && strcmp(a->pod, b->pod) == 0;
}

/* The interned copy of p, with one more reference. */
static const struct vproc *
view_proc_get(struct view *v, const struct vproc *p)
{
	uint64_t h = view_prochash(p);
	struct vpnode *n;
	size_t i;

	for (n = v->ptab[h & (v->ptsize - 1)]; n != NULL; n = n->hnext)
		if (n->hash == h && view_proceq(&n->p, p)) {
			n->refs++;
			return &n->p;
		}
	if (v->nprocs >= v->ptsize) {
		size_t ns = v->ptsize * 2;
		struct vpnode **nt = xcalloc(ns, sizeof(*nt)), *m, *mn;

		for (i = 0; i < v->ptsize; i++)
			for (m = v->ptab[i]; m != NULL; m = mn) {
				mn = m->hnext;
				m->hnext = nt[m->hash & (ns - 1)];
				nt[m->hash & (ns - 1)] = m;
			}
		free(v->ptab);
		v->ptab = nt;
		v->ptsize = ns;
	}
	n = xcalloc(1, sizeof(*n));
	n->p = *p;
	n->hash = h;
	n->refs = 1;
	n->hnext = v->ptab[h & (v->ptsize - 1)];
	v->ptab[h & (v->ptsize - 1)] = n;
	v->nprocs++;
	return &n->p;
}

/* Drops one reference to an interned block (or to view_noproc). */
static void
view_proc_put(struct view *v, const struct vproc *p)
{
	struct vpnode *n, **pp;

	if (p == &view_noproc)
		return;
	n = (struct vpnode *)(uintptr_t)p;
	if (--n->refs > 0)
		return;
	for (pp = &v->ptab[n->hash & (v->ptsize - 1)]; *pp != n;
	    pp = &(*pp)->hnext)
		;
	*pp = n->hnext;
	v->nprocs--;
	free(n);
}

/* Copies a string member into a zero-padded field. */
#define VIEW_SETSTR(field, f) do {					\
	memset((field), 0, sizeof(field));				\
	view_str((f), (field), sizeof(field));				\
} while (0)

/* Reads one end's process from the SRC_ or DST_ keys (first = K_SPID or
 * K_DPID; the two blocks have the same layout): members present replace
 * those of *pp, the others stay. */
static void
view_flowproc(struct view *v, const struct vproc **pp,
    const struct rec_field **fv, int b)
{
	const int o = b - K_SPID;
	struct vproc p;
	const struct vproc *np;

	if (fv[K_SPID + o] == NULL && fv[K_SNAME + o] == NULL)
		return;
	memset(&p, 0, sizeof(p));
	p = **pp;
	/* A uid not sent is unknown, not root. */
	if (!p.set)
		p.uid = -1;
	p.set = true;
	p.pid = view_i64(fv[K_SPID + o], p.pid);
	p.ppid = view_i64(fv[K_SPPID + o], p.ppid);
	p.uid = view_i64(fv[K_SUID + o], p.uid);
	if (fv[K_SNAME + o])
		VIEW_SETSTR(p.name, fv[K_SNAME + o]);
	if (fv[K_SUSER + o])
		VIEW_SETSTR(p.user, fv[K_SUSER + o]);
	if (fv[K_SPNAME + o])
		VIEW_SETSTR(p.parent, fv[K_SPNAME + o]);
	if (fv[K_SCMD + o])
		VIEW_SETSTR(p.cmd, fv[K_SCMD + o]);
	if (fv[K_SCID + o])
		VIEW_SETSTR(p.cid, fv[K_SCID + o]);
	if (fv[K_SCNAME + o])
		VIEW_SETSTR(p.cname, fv[K_SCNAME + o]);
	if (fv[K_SPOD + o])
		VIEW_SETSTR(p.pod, fv[K_SPOD + o]);
	/* Most updates repeat the block the flow already has. */
	if (view_proceq(&p, *pp))
		return;
	np = view_proc_get(v, &p);
	view_proc_put(v, *pp);
	*pp = np;
}

/* Canonical order of a flow's two ends, so that both directions of a
 * conversation hash alike: true when (ca, cp) sorts after (sa, sp). */
static bool
view_flow_swapped(const char *ca, unsigned cp, const char *sa, unsigned sp)
{
	int c = strcmp(ca, sa);

	return c > 0 || (c == 0 && cp > sp);
}

/* The flow of these ends in either direction, or NULL; *rev tells whether
 * it was found with client and server the other way round. */
static struct vflow *
view_flow_find(struct view *v, uint64_t h, int iface, int proto, int vlan,
    const char *ca, unsigned cp, const char *sa, unsigned sp, bool *rev)
{
	struct vflow *f;

	for (f = v->htab[h & (v->hsize - 1)]; f != NULL; f = f->hnext) {
		if (f->hash != h || f->iface != iface || f->proto != proto ||
		    f->vlan != vlan)
			continue;
		if (f->cport == cp && f->sport == sp &&
		    strcmp(f->caddr, ca) == 0 && strcmp(f->saddr, sa) == 0) {
			*rev = false;
			return f;
		}
		if (f->cport == sp && f->sport == cp &&
		    strcmp(f->caddr, sa) == 0 && strcmp(f->saddr, ca) == 0) {
			*rev = true;
			return f;
		}
	}
	return NULL;
}

/* A new flow from client ca:cp to server sa:sp, evicting the least
 * recently updated one beyond the limit. */
static struct vflow *
view_flow_new(struct view *v, uint64_t h, int iface, int proto, int vlan,
    const char *ca, unsigned cp, const char *sa, unsigned sp)
{
	struct vflow *f;

	if (v->nflows >= v->conf.max_flows && v->lru_tail != NULL) {
		view_flow_remove(v, v->lru_tail);
		(*v->c_evicted)++;
	}
	if (v->nflows >= v->hsize)
		view_rehash(v);
	f = xcalloc(1, sizeof(*f));
	f->hash = h;
	f->seq = v->seq++;
	f->iface = iface;
	f->proto = proto;
	f->vlan = vlan;
	f->cport = cp;
	f->sport = sp;
	view_cpy(f->caddr, sizeof(f->caddr), ca);
	view_cpy(f->saddr, sizeof(f->saddr), sa);
	f->clat = f->slat = -1;
	f->c = f->s = &view_noproc;
	f->hnext = v->htab[h & (v->hsize - 1)];
	v->htab[h & (v->hsize - 1)] = f;
	v->nflows++;
	v->ifs[iface].flows++;
	return f;
}

#define VIEW_SWAP(T, a, b) do { T t_ = (a); (a) = (b); (b) = t_; } while (0)

/* Turns a flow round: client and server change places with their counts,
 * processes and latencies (the hash is direction-free, so it stays). */
static void
view_flow_turn(struct vflow *f)
{
	char tmp[ADDRLEN];

	memcpy(tmp, f->caddr, sizeof(tmp));
	memcpy(f->caddr, f->saddr, sizeof(tmp));
	memcpy(f->saddr, tmp, sizeof(tmp));
	VIEW_SWAP(unsigned, f->cport, f->sport);
	VIEW_SWAP(uint64_t, f->inpk, f->outpk);
	VIEW_SWAP(uint64_t, f->inby, f->outby);
	VIEW_SWAP(double, f->clat, f->slat);
	VIEW_SWAP(const struct vproc *, f->c, f->s);
}

/* Reads the flow key of a flow or packet record; returns the flow (found
 * or new; *rev: the record's source is the flow's server), or NULL with
 * *bad set when the key is malformed, or NULL alone when the record has
 * no addresses. */
static struct vflow *
view_flow_of(struct view *v, const struct rec_field **fv, int iface,
    bool *rev, bool *bad)
{
	char ca[ADDRLEN], sa[ADDRLEN];
	const struct rec_field *fa, *fb;
	struct vflow *f;
	int64_t proto, cp, sp, vlan;
	uint64_t h;

	*bad = *rev = false;
	fa = fv[K_V4SRC] ? fv[K_V4SRC] : fv[K_V6SRC];
	fb = fv[K_V4DST] ? fv[K_V4DST] : fv[K_V6DST];
	if (fa == NULL || fb == NULL || fa->kind != REC_STRING ||
	    fb->kind != REC_STRING)
		return NULL;
	view_str(fa, ca, sizeof(ca));
	view_str(fb, sa, sizeof(sa));
	proto = view_i64(fv[K_PROTO], -1);
	cp = view_i64(fv[K_SPORT], 0);
	sp = view_i64(fv[K_DPORT], 0);
	vlan = view_i64(fv[K_VLAN], 0);
	if (proto < -1 || proto > 255 || cp < 0 || cp > 65535 || sp < 0 ||
	    sp > 65535) {
		*bad = true;
		return NULL;
	}
	if (view_flow_swapped(ca, (unsigned)cp, sa, (unsigned)sp))
		h = view_flowhash(iface, (int)proto, (int)vlan, sa,
		    (unsigned)sp, ca, (unsigned)cp);
	else
		h = view_flowhash(iface, (int)proto, (int)vlan, ca,
		    (unsigned)cp, sa, (unsigned)sp);
	f = view_flow_find(v, h, iface, (int)proto, (int)vlan, ca,
	    (unsigned)cp, sa, (unsigned)sp, rev);
	if (f == NULL)
		f = view_flow_new(v, h, iface, (int)proto, (int)vlan, ca,
		    (unsigned)cp, sa, (unsigned)sp);
	else
		view_lru_unlink(v, f);
	view_lru_front(v, f);
	return f;
}

/* Adds bytes at record time t to a flow's current-rate buckets. */
static void
view_flow_rate_add(const struct view *v, struct vflow *f, double t,
    uint64_t by)
{
	int64_t s;
	size_t i;

	if (t <= 0 || by == 0)
		return;
	s = (int64_t)floor(t);
	if (s <= (int64_t)floor(v->tnow) - FLOW_RSLOTS)
		return;
	i = (size_t)(s % FLOW_RSLOTS);
	if (f->rb[i].sec != s) {
		f->rb[i].sec = s;
		f->rb[i].by = 0;
	}
	f->rb[i].by += by;
}

/* The seconds a rate averages over: the window, or the clock's span so
 * far when shorter; limit caps the window. */
static int64_t
view_rate_span(const struct view *v, int64_t limit)
{
	int64_t w = (int64_t)v->conf.rate_window, span;

	if (w > limit)
		w = limit;
	span = (int64_t)floor(v->tnow) - (int64_t)floor(v->tfirst) + 1;
	return span < w ? span : w;
}

/* A flow's bytes per second over the last window of the view's clock. */
double
view_flowrate(const struct view *v, const struct vflow *f)
{
	int64_t now = (int64_t)floor(v->tnow), span;
	uint64_t by = 0;
	size_t i;

	if (v->tnow <= 0)
		return 0;
	span = view_rate_span(v, FLOW_RSLOTS);
	for (i = 0; i < FLOW_RSLOTS; i++)
		if (f->rb[i].sec > now - span && f->rb[i].sec <= now)
			by += f->rb[i].by;
	return span > 0 ? (double)by / (double)span : 0;
}

/* Takes the application fields of a record (any present replaces). */
static void
view_flow_app(struct vflow *f, const struct rec_field **fv)
{
	static const int keys[] = { K_L7ID, K_L7NAME, K_L7CAT, K_TLSSNI,
	    K_HTTPHOST, K_HTTPURL, K_DNSQ, K_JA3C };
	struct vapp *a;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (fv[keys[i]] != NULL)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return;
	if (f->app == NULL)
		f->app = xcalloc(1, sizeof(*f->app));
	a = f->app;
	if (fv[K_L7ID])
		view_str(fv[K_L7ID], a->id, sizeof(a->id));
	if (fv[K_L7NAME])
		view_str(fv[K_L7NAME], a->name, sizeof(a->name));
	if (fv[K_L7CAT])
		view_str(fv[K_L7CAT], a->cat, sizeof(a->cat));
	if (fv[K_TLSSNI])
		view_str(fv[K_TLSSNI], a->sni, sizeof(a->sni));
	if (fv[K_HTTPHOST])
		view_str(fv[K_HTTPHOST], a->host, sizeof(a->host));
	if (fv[K_HTTPURL])
		view_str(fv[K_HTTPURL], a->url, sizeof(a->url));
	if (fv[K_DNSQ])
		view_str(fv[K_DNSQ], a->dns, sizeof(a->dns));
	if (fv[K_JA3C])
		view_str(fv[K_JA3C], a->ja3, sizeof(a->ja3));
}

/* A flow's server name: TLS SNI, else HTTP host, else DNS query. */
const char *
view_flowhost(const struct vflow *f)
{
	const struct vapp *a = f->app;

	if (a == NULL)
		return "";
	return a->sni[0] ? a->sni : a->host[0] ? a->host : a->dns;
}

/* flow-agg reports running totals: an update replaces them. The growth
 * since the last flow record (not counting what packet records added
 * before it) feeds the interface totals and the rates at time t. */
static void
view_flow_totals(struct view *v, struct vflow *f, const struct rec_field **fv,
    double t)
{
	uint64_t oldpk = 0, oldby = 0, pk, by, ev;

	if (!(fv[K_INPKTS] || fv[K_INBYTES] || fv[K_OUTPKTS] ||
	    fv[K_OUTBYTES]))
		return;
	if (f->fromrec) {
		oldpk = f->inpk + f->outpk;
		oldby = f->inby + f->outby;
	}
	f->inpk = view_u64(fv[K_INPKTS]);
	f->inby = view_u64(fv[K_INBYTES]);
	f->outpk = view_u64(fv[K_OUTPKTS]);
	f->outby = view_u64(fv[K_OUTBYTES]);
	pk = f->inpk + f->outpk;
	by = f->inby + f->outby;
	if (!f->fromrec)
		memset(f->rb, 0, sizeof(f->rb));
	f->fromrec = true;
	if (by > oldby) {
		v->ifs[f->iface].fbytes += by - oldby;
		view_flow_rate_add(v, f, t, by - oldby);
	}
	if (pk > oldpk) {
		v->ifs[f->iface].fpkts += pk - oldpk;
		view_rate_add(v, t, 0, 0, 0, pk - oldpk);
	}
	if (fv[K_FLOWEVENTS] && (ev = view_u64(fv[K_FLOWEVENTS])) > f->events) {
		view_rate_add(v, t, 0, ev - f->events, 0, 0);
		f->events = ev;
	}
}

int
view_feed_flow(struct view *v, const struct rec_field **fv, int iface,
    double now)
{
	struct vflow *f;
	bool rev, bad;
	double t;

	if ((f = view_flow_of(v, fv, iface, &rev, &bad)) == NULL) {
		stats_bad(v->st, v->c_badfield, "flow", bad ?
		    "protocol or port out of range" :
		    "flow record without client and server addresses");
		return -1;
	}
	/* A flow first seen from packets takes the record's direction. */
	if (rev)
		view_flow_turn(f);
	/* FLOW_*_SEC carry microseconds; *_SWITCHED only whole seconds. */
	if (fv[K_FSTART] || fv[K_FIRST])
		f->first = view_time(fv[K_FSTART] ? fv[K_FSTART] : fv[K_FIRST]);
	if (fv[K_FEND] || fv[K_LAST])
		f->last = view_time(fv[K_FEND] ? fv[K_FEND] : fv[K_LAST]);
	t = f->last > 0 ? f->last : now;
	view_flow_totals(v, f, fv, t);
	f->clat = view_dbl(fv[K_CLAT], f->clat);
	f->slat = view_dbl(fv[K_SLAT], f->slat);
	view_flowproc(v, &f->c, fv, K_SPID);
	view_flowproc(v, &f->s, fv, K_DPID);
	view_flow_app(f, fv);
	f->seen = v->tnow;
	if (fv[K_ENDREASON]) {
		view_str(fv[K_ENDREASON], f->state, sizeof(f->state));
		if (!f->ended)
			f->ended_at = v->tnow;
		f->ended = true;
	} else if (fv[K_TCPSTATE])
		view_str(fv[K_TCPSTATE], f->state, sizeof(f->state));
	else if (fv[K_EVONLY] && fv[K_EVONLY]->kind == REC_TRUE)
		view_cpy(f->state, sizeof(f->state), "events");
	return 0;
}

/* A packet record's part in its flow, as iftop counts: the flow of its
 * two ends in either direction, its first packet's source the client. A
 * flow known from flow records keeps their totals. */
void
view_packet_flow(struct view *v, const struct rec_field **fv, int iface,
    double t, uint64_t pk, uint64_t by)
{
	struct vflow *f;
	bool rev, bad;

	if ((f = view_flow_of(v, fv, iface, &rev, &bad)) == NULL) {
		if (bad)
			stats_bad(v->st, v->c_badfield, "packet",
			    "protocol or port out of range");
		return;
	}
	if (f->first == 0 || t < f->first)
		f->first = t;
	if (t > f->last)
		f->last = t;
	f->seen = v->tnow;
	view_flow_app(f, fv);
	if (f->fromrec)
		return;
	if (rev) {
		f->outpk += pk;
		f->outby += by;
	} else {
		f->inpk += pk;
		f->inby += by;
	}
	view_flow_rate_add(v, f, t, by);
}
