/* pktrec.c - packet records and -A slices (include/pktrec.h has the
 * record contract; man/evpipe.7 documents it for users).
 *
 * The per-packet path is hot: a record is written straight into the
 * output buffer after one reservation, through sbuf's cursor formatters
 * (sbuf_put_*) and ipaddr_put4/6; nothing is allocated per packet.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "evkeys.h"
#include "ipaddr.h"
#include "pktrec.h"
#include "xalloc.h"

/* The longest record without its interface name: every key, 39-byte
 * IPv6 addresses, 20-digit numbers. 512 leaves ample room. */
#define PR_FIXED_MAX	512

enum {
	PR_F_PORTS = 1,
	PR_F_ICMP = 2,
	PR_F_FRAG = 4,
	PR_F_TCPFLAGS = 8,
};

/* What a slice is keyed on; zeroed whole before filling so it can be
 * hashed and compared as bytes. */
struct pr_key {
	uint8_t		src[16], dst[16];
	uint32_t	frag_id;
	int32_t		iface;
	uint16_t	sport, dport;
	uint16_t	vlan[PKTDEC_MAXVLAN];
	uint16_t	ethertype;
	uint16_t	icmp;		/* type << 8 | code */
	uint8_t		ipver;		/* 0: no IP layer */
	uint8_t		proto;
	uint8_t		nvlan;
	uint8_t		dir;		/* 0 unknown, 1 received, 2 sent */
	uint8_t		status;
	uint8_t		nonip;
	uint8_t		flags;		/* PR_F_* */
	uint8_t		pad;
};

struct pr_val {
	struct pktrec_time first, last;
	uint64_t	pkts, bytes;
	uint16_t	frag_off;
	uint8_t		tcp_flags;
};

static void
pr_key_from(struct pr_key *k, int iface, const struct pktdec *d)
{
	memset(k, 0, sizeof(*k));
	k->iface = iface;
	k->nvlan = d->nvlan < PKTDEC_MAXVLAN ? d->nvlan : PKTDEC_MAXVLAN;
	memcpy(k->vlan, d->vlan, sizeof(k->vlan));
	if (d->sll_pkttype >= 0)
		k->dir = d->sll_pkttype == 4 ? 2 : 1;
	if (d->status == PKTDEC_TRUNCATED || d->status == PKTDEC_MALFORMED)
		k->status = (uint8_t)d->status;
	if (d->layer < PKTDEC_L_NET) {
		k->ethertype = d->ethertype;
		k->nonip = (uint8_t)d->nonip;
		return;
	}
	k->ipver = d->ipver;
	k->proto = d->proto;
	memcpy(k->src, d->src, d->ipver == 4 ? 4 : 16);
	memcpy(k->dst, d->dst, d->ipver == 4 ? 4 : 16);
	if (d->has_ports) {
		k->flags |= PR_F_PORTS;
		k->sport = d->sport;
		k->dport = d->dport;
	}
	if (d->has_icmp) {
		k->flags |= PR_F_ICMP;
		k->icmp = (uint16_t)(d->icmp_type << 8 | d->icmp_code);
	}
	if (d->frag) {
		k->flags |= PR_F_FRAG;
		k->frag_id = d->frag_id;
	}
	if (d->has_flags && d->proto == 6)
		k->flags |= PR_F_TCPFLAGS;
}

/* A record's time, "S.fffffffff" for a nanosecond capture and
 * "S.uuuuuu" otherwise; at o, returns the end. */
static char *
pr_time(char *o, const struct pktrec_time *t)
{
	if (t->nano)
		return sbuf_put_frac(o, t->sec, t->nsec % 1000000000u, 9);
	return sbuf_put_frac(o, t->sec, (t->nsec % 1000000000u) / 1000, 6);
}

size_t
pktrec_fmt_time(const struct pktrec_time *t, char *buf)
{
	char *o = pr_time(buf, t);

	*o = '\0';
	return (size_t)(o - buf);
}

/*
 * A record is written in steps, each at cursor o into the room pr_write
 * reserved, returning the new end: the record's own keys and times, the
 * link layer, the network layer, the transport layer, the counters.
 */

static char *
pr_w_head(char *o, const char *ifjson, size_t n, const struct pr_key *k,
    const struct pr_val *v, bool slice)
{
	const struct pktrec_time *rx = slice ? &v->last : &v->first;

	o = SBUF_PUTLIT(o, "{\"" EVK_TYPE "\":\"packet\",\"" EVK_IFACE "\":");
	o = sbuf_put(o, ifjson, n);
	o = SBUF_PUTLIT(o, ",\"" EVK_RX "\":");
	o = sbuf_put_frac(o, rx->sec, (rx->nsec % 1000000000u) / 1000, 6);
	if (k->status == PKTDEC_TRUNCATED)
		o = SBUF_PUTLIT(o, ",\"" EVK_DECODE "\":\"truncated\"");
	else if (k->status == PKTDEC_MALFORMED)
		o = SBUF_PUTLIT(o, ",\"" EVK_DECODE "\":\"malformed\"");
	if (k->ipver == 0 && k->nonip != PKTDEC_NONIP_NONE) {
		const char *nn = pktdec_nonip_name(k->nonip);

		o = SBUF_PUTLIT(o, ",\"" EVK_NONIP "\":\"");
		o = sbuf_put(o, nn, strlen(nn));
		*o++ = '"';
	}
	o = SBUF_PUTLIT(o, ",\"" EVK_TIMESTAMP "\":\"");
	o = pr_time(o, &v->first);
	*o++ = '"';
	if (slice) {
		o = SBUF_PUTLIT(o, ",\"" EVK_LAST_TIMESTAMP "\":\"");
		o = pr_time(o, &v->last);
		*o++ = '"';
	}
	return o;
}

static char *
pr_w_link(char *o, const struct pr_key *k)
{
	if (k->dir) {
		o = SBUF_PUTLIT(o, ",\"" EVK_DIRECTION "\":");
		*o++ = k->dir == 2 ? '1' : '0';
	}
	if (k->nvlan >= 1) {
		o = SBUF_PUTLIT(o, ",\"" EVK_VLAN_ID "\":");
		o = sbuf_put_u64(o, k->vlan[0]);
	}
	if (k->nvlan >= 2) {
		o = SBUF_PUTLIT(o, ",\"" EVK_INNER_VLAN_ID "\":");
		o = sbuf_put_u64(o, k->vlan[1]);
	}
	if (k->ipver == 0 && k->ethertype) {
		o = SBUF_PUTLIT(o, ",\"" EVK_ETHERTYPE "\":");
		o = sbuf_put_u64(o, k->ethertype);
	}
	return o;
}

static char *
pr_w_net(char *o, const struct pr_key *k)
{
	if (k->ipver == 0)
		return o;
	if (k->ipver == 4) {
		o = SBUF_PUTLIT(o, ",\"" EVK_IP_PROTOCOL_VERSION "\":4,\""
		    EVK_IPV4_SRC_ADDR "\":\"");
		o = ipaddr_put4(o, k->src);
		o = SBUF_PUTLIT(o, "\",\"" EVK_IPV4_DST_ADDR "\":\"");
		o = ipaddr_put4(o, k->dst);
	} else {
		o = SBUF_PUTLIT(o, ",\"" EVK_IP_PROTOCOL_VERSION "\":6,\""
		    EVK_IPV6_SRC_ADDR "\":\"");
		o = ipaddr_put6(o, k->src);
		o = SBUF_PUTLIT(o, "\",\"" EVK_IPV6_DST_ADDR "\":\"");
		o = ipaddr_put6(o, k->dst);
	}
	o = SBUF_PUTLIT(o, "\",\"" EVK_PROTOCOL "\":");
	return sbuf_put_u64(o, k->proto);
}

static char *
pr_w_l4(char *o, const struct pr_key *k, const struct pr_val *v,
    bool slice)
{
	if (k->flags & PR_F_PORTS) {
		o = SBUF_PUTLIT(o, ",\"" EVK_L4_SRC_PORT "\":");
		o = sbuf_put_u64(o, k->sport);
		o = SBUF_PUTLIT(o, ",\"" EVK_L4_DST_PORT "\":");
		o = sbuf_put_u64(o, k->dport);
	}
	if (k->flags & PR_F_TCPFLAGS) {
		o = SBUF_PUTLIT(o, ",\"" EVK_TCP_FLAGS "\":");
		o = sbuf_put_u64(o, v->tcp_flags);
	}
	if (k->flags & PR_F_ICMP) {
		o = SBUF_PUTLIT(o, ",\"" EVK_ICMP_TYPE "\":");
		o = sbuf_put_u64(o, k->icmp);
	}
	if (k->flags & PR_F_FRAG) {
		o = SBUF_PUTLIT(o, ",\"" EVK_FRAG_ID "\":");
		o = sbuf_put_u64(o, k->frag_id);
		if (!slice) {
			o = SBUF_PUTLIT(o, ",\"" EVK_FRAG_OFFSET "\":");
			o = sbuf_put_u64(o, v->frag_off);
		}
	}
	return o;
}

/* Appends one record of key k and value v; last is written for slices,
 * l7 (l7len bytes of members, or NULL) at the end. */
static void
pr_write(struct sbuf *out, const char *ifjson, const struct pr_key *k,
    const struct pr_val *v, bool slice, const char *l7, size_t l7len)
{
	size_t n = strlen(ifjson);
	char *o;

	o = sbuf_room(out, PR_FIXED_MAX + n + l7len);
	o = pr_w_head(o, ifjson, n, k, v, slice);
	o = pr_w_link(o, k);
	o = pr_w_net(o, k);
	o = pr_w_l4(o, k, v, slice);
	o = SBUF_PUTLIT(o, ",\"" EVK_PKTS "\":");
	o = sbuf_put_u64(o, v->pkts);
	o = SBUF_PUTLIT(o, ",\"" EVK_BYTES "\":");
	o = sbuf_put_u64(o, v->bytes);
	if (l7 != NULL)
		o = sbuf_put(o, l7, l7len);
	*o++ = '}';
	sbuf_commit(out, o);
}

void
pktrec_packet(struct sbuf *out, const char *ifjson,
    const struct pktrec_time *t, const struct pktdec *d, uint32_t wirelen)
{
	pktrec_packet_l7(out, ifjson, t, d, wirelen, NULL, 0);
}

void
pktrec_packet_l7(struct sbuf *out, const char *ifjson,
    const struct pktrec_time *t, const struct pktdec *d, uint32_t wirelen,
    const char *l7, size_t l7len)
{
	struct pr_key k;
	struct pr_val v;

	pr_key_from(&k, 0, d);
	v.first = v.last = *t;
	v.pkts = 1;
	v.bytes = wirelen;
	v.frag_off = d->frag_off;
	v.tcp_flags = d->tcp_flags;
	pr_write(out, ifjson, &k, &v, false, l7, l7 ? l7len : 0);
}

/* The aggregator: open slices in an array in first-packet order, found
 * through an open-addressing table of indices (0 = empty, else index+1).
 * Invariant: tab holds exactly the n entries of e. */

struct pr_ent {
	struct pr_key	 k;
	struct pr_val	 v;
	const char	*ifjson;
	uint64_t	 l7h;		/* the flow's DPI handle, 0: none */
	char		*l7;		/* its fields once known (owned): the
					   DPI table may drop the flow first */
	size_t		 l7len;
};

struct pr_ifslice {
	int64_t	cur;		/* current slice number */
	bool	has;		/* cur is set */
};

struct pktrec_agg {
	uint64_t	 slice_ns;
	size_t		 max;
	struct pr_ent	*e;
	size_t		 n, cap;
	uint32_t	*tab;
	size_t		 tsize;		/* a power of two > 2 * cap */
	struct pr_ifslice *ifs;
	size_t		 nif;
	struct sbuf	 out;
	struct pktrec_agg_stats st;
	pktrec_l7_fn	 l7fn;
	void		*l7arg;
};

static uint64_t
pr_hash(const struct pr_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < sizeof(*k); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static void
pr_tab_insert(struct pktrec_agg *a, const struct pr_key *k, size_t idx)
{
	size_t m = a->tsize - 1, i = (size_t)pr_hash(k) & m;

	while (a->tab[i] != 0)
		i = (i + 1) & m;
	a->tab[i] = (uint32_t)(idx + 1);
}

static void
pr_tab_rebuild(struct pktrec_agg *a)
{
	size_t i;

	memset(a->tab, 0, a->tsize * sizeof(*a->tab));
	for (i = 0; i < a->n; i++)
		pr_tab_insert(a, &a->e[i].k, i);
}

static struct pr_ent *
pr_find(struct pktrec_agg *a, const struct pr_key *k)
{
	size_t m = a->tsize - 1, i = (size_t)pr_hash(k) & m;
	uint32_t x;

	while ((x = a->tab[i]) != 0) {
		if (memcmp(&a->e[x - 1].k, k, sizeof(*k)) == 0)
			return &a->e[x - 1];
		i = (i + 1) & m;
	}
	return NULL;
}

struct pktrec_agg *
pktrec_agg_new(uint64_t slice_ns, size_t max_entries)
{
	struct pktrec_agg *a = xcalloc(1, sizeof(*a));

	a->slice_ns = slice_ns ? slice_ns : 1;
	a->max = max_entries ? max_entries : 1;
	if (a->max > UINT32_MAX / 4)
		a->max = UINT32_MAX / 4;
	a->cap = 1024 < a->max ? 1024 : a->max;
	a->e = xcalloc(a->cap, sizeof(*a->e));
	for (a->tsize = 16; a->tsize <= 2 * a->cap; a->tsize *= 2)
		;
	a->tab = xcalloc(a->tsize, sizeof(*a->tab));
	return a;
}

void
pktrec_agg_destroy(struct pktrec_agg **ap)
{
	struct pktrec_agg *a = *ap;
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		free(a->e[i].l7);
	free(a->e);
	free(a->tab);
	free(a->ifs);
	sbuf_free(&a->out);
	free(a);
	*ap = NULL;
}

static void
pr_grow(struct pktrec_agg *a)
{
	size_t cap = a->cap * 2;
	struct pr_ent *e;

	if (cap > a->max)
		cap = a->max;
	if ((e = realloc(a->e, cap * sizeof(*e))) == NULL)
		err(1, "pktrec");
	a->e = e;
	a->cap = cap;
	if (a->tsize <= 2 * cap) {
		free(a->tab);
		while (a->tsize <= 2 * cap)
			a->tsize *= 2;
		a->tab = xcalloc(a->tsize, sizeof(*a->tab));
		pr_tab_rebuild(a);
	}
}

static struct pr_ifslice *
pr_ifslice(struct pktrec_agg *a, int iface)
{
	size_t i = iface < 0 ? 0 : (size_t)iface;

	if (i >= a->nif) {
		size_t n = i + 1;
		struct pr_ifslice *p = realloc(a->ifs, n * sizeof(*p));

		if (p == NULL)
			err(1, "pktrec");
		memset(p + a->nif, 0, (n - a->nif) * sizeof(*p));
		a->ifs = p;
		a->nif = n;
	}
	return &a->ifs[i];
}

/* Slice number of an epoch time, rounded towards minus infinity. */
static int64_t
pr_slice(const struct pktrec_agg *a, int64_t ns)
{
	int64_t s = (int64_t)a->slice_ns;

	return ns >= 0 ? ns / s : -((-ns + s - 1) / s);
}

static int64_t
pr_ns(const struct pktrec_time *t)
{
	return t->sec * 1000000000LL + (int64_t)(t->nsec % 1000000000u);
}

static int
pr_before(const struct pktrec_time *x, const struct pktrec_time *y)
{
	return x->sec < y->sec || (x->sec == y->sec && x->nsec < y->nsec);
}

int
pktrec_agg_flush(struct pktrec_agg *a, int iface, pktrec_emit_fn emit,
    void *arg)
{
	const char *l7;
	size_t i, j, l7len;
	int rc = 0, r;

	for (i = j = 0; i < a->n; i++) {
		struct pr_ent *x = &a->e[i];

		if (iface >= 0 && x->k.iface != iface) {
			if (i != j)
				a->e[j] = *x;
			j++;
			continue;
		}
		sbuf_reset(&a->out);
		l7 = x->l7;
		l7len = x->l7len;
		if (l7 == NULL && x->l7h != 0 && a->l7fn != NULL)
			l7 = a->l7fn(a->l7arg, x->l7h, &l7len);
		pr_write(&a->out, x->ifjson, &x->k, &x->v, true, l7,
		    l7 ? l7len : 0);
		free(x->l7);
		x->l7 = NULL;
		a->st.records++;
		r = emit(arg, a->out.p, a->out.len);
		if (r != 0 && rc == 0)
			rc = r;
	}
	if (j != a->n) {
		a->n = j;
		pr_tab_rebuild(a);
	}
	return rc;
}

int
pktrec_agg_tick(struct pktrec_agg *a, int iface, int64_t now_ns,
    pktrec_emit_fn emit, void *arg)
{
	struct pr_ifslice *s = pr_ifslice(a, iface);

	if (!s->has || pr_slice(a, now_ns) <= s->cur)
		return 0;
	/* The next packet starts a slice of its own time. */
	s->has = false;
	return pktrec_agg_flush(a, iface, emit, arg);
}

int
pktrec_agg_add(struct pktrec_agg *a, int iface, const char *ifjson,
    const struct pktrec_time *t, const struct pktdec *d, uint32_t wirelen,
    pktrec_emit_fn emit, void *arg)
{
	return pktrec_agg_add_l7(a, iface, ifjson, t, d, wirelen, 0, emit,
	    arg);
}

/* Keeps a copy of x's application fields once they are known. */
static void
pr_l7_copy(struct pktrec_agg *a, struct pr_ent *x)
{
	const char *l7;
	size_t n;

	if (x->l7 != NULL || x->l7h == 0 || a->l7fn == NULL ||
	    (l7 = a->l7fn(a->l7arg, x->l7h, &n)) == NULL)
		return;
	x->l7 = xcalloc(n + 1, 1);
	memcpy(x->l7, l7, n);
	x->l7len = n;
}

void
pktrec_agg_set_l7(struct pktrec_agg *a, pktrec_l7_fn fn, void *arg)
{
	a->l7fn = fn;
	a->l7arg = arg;
}

int
pktrec_agg_add_l7(struct pktrec_agg *a, int iface, const char *ifjson,
    const struct pktrec_time *t, const struct pktdec *d, uint32_t wirelen,
    uint64_t l7h, pktrec_emit_fn emit, void *arg)
{
	struct pr_ifslice *s = pr_ifslice(a, iface);
	int64_t sl = pr_slice(a, pr_ns(t));
	struct pr_key k;
	struct pr_ent *x;
	int rc = 0, r;

	if (!s->has) {
		s->cur = sl;
		s->has = true;
	} else if (sl > s->cur) {
		rc = pktrec_agg_flush(a, iface, emit, arg);
		s->cur = sl;
	} else if (sl < s->cur)
		a->st.backwards++;
	pr_key_from(&k, iface, d);
	if ((x = pr_find(a, &k)) != NULL) {
		if (pr_before(&x->v.last, t))
			x->v.last = *t;
		x->v.pkts++;
		x->v.bytes += wirelen;
		x->v.tcp_flags |= d->tcp_flags;
		if (l7h != 0)
			x->l7h = l7h;
		pr_l7_copy(a, x);
		return rc;
	}
	if (a->n == a->max) {
		a->st.full_flushes++;
		r = pktrec_agg_flush(a, -1, emit, arg);
		if (r != 0 && rc == 0)
			rc = r;
	}
	if (a->n == a->cap)
		pr_grow(a);
	x = &a->e[a->n];
	x->k = k;
	x->ifjson = ifjson;
	x->l7h = l7h;
	x->l7 = NULL;
	pr_l7_copy(a, x);
	x->v.first = x->v.last = *t;
	x->v.pkts = 1;
	x->v.bytes = wirelen;
	x->v.frag_off = d->frag_off;
	x->v.tcp_flags = d->has_flags ? d->tcp_flags : 0;
	pr_tab_insert(a, &k, a->n);
	a->n++;
	if (a->n > a->st.max_entries)
		a->st.max_entries = a->n;
	return rc;
}

const struct pktrec_agg_stats *
pktrec_agg_stats(const struct pktrec_agg *a)
{
	return &a->st;
}
