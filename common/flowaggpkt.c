/* flowaggpkt.c - flow-agg's packet records (the contract at the top of
 * include/pktrec.h) added to their flows: read in one pass over their
 * top-level members, since they are the hot path and their keys are
 * fixed; later IP fragments joined to their first; the client found by
 * TCP flags. See doc/design.md "The stages".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evfields.h"
#include "evkeys.h"
#include "flowagg.h"
#include "flowaggint.h"
#include "flowtab.h"
#include "ipaddr.h"
#include "record.h"
#include "stats.h"

static struct fa_frag *
fa_frag_slot(struct flowagg *fa, const struct flowtab_key *k, uint32_t id)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ k->addr[0][i] ^ ((uint64_t)k->addr[1][i] << 8)) *
		    0x100000001b3ULL;
	h = (h ^ id ^ ((uint64_t)k->proto << 32) ^
	    ((uint64_t)k->iface << 40)) * 0x9e3779b97f4a7c15ULL;
	return &fa->frags[(h >> 40) & (FA_FRAGS - 1)];
}

static bool
fa_frag_match(const struct fa_frag *e, const struct flowtab_key *k,
    uint32_t id)
{
	return e->used && e->id == id && e->key.proto == k->proto &&
	    e->key.iface == k->iface && e->key.family == k->family &&
	    e->key.vlan == k->vlan &&
	    memcmp(e->key.addr[0], k->addr[0], 16) == 0 &&
	    memcmp(e->key.addr[1], k->addr[1], 16) == 0;
}

struct fa_pkt {
	const struct rec_field *iface, *time, *last, *src, *dst;
	int64_t		 vlan, proto, sport, dport, flags, fragid, pkts;
	int64_t		 bytes;
	bool		 v6, nonip, l7;
};

/* Could member f name an application field? Its keys are 8 to 15 bytes
 * and start with one of five letters: a cheap test that passes over
 * almost every other member. */
static inline bool
fa_l7_maybe(const struct rec_field *f)
{
	if (f->klen - 8 > 7 || f->kesc)
		return false;
	switch (f->key[0]) {
	case 'L': case 'D': case 'H': case 'T': case 'J':
		return true;
	default:
		return false;
	}
}

/* The application field a key names, or FL7_N. */
static enum flow_l7f
fa_l7_key(const struct rec_field *f)
{
	int i;

	if (!fa_l7_maybe(f))
		return FL7_N;
	for (i = 0; i < FL7_N; i++)
		if (fa_keyis(f, flowtab_l7keys[i].name,
		    flowtab_l7keys[i].len))
			return (enum flow_l7f)i;
	return FL7_N;
}

/* Gives f the application fields of r (string members only): the first
 * value of a field stays, a different later one is counted. */
bool
fa_l7(struct flowagg *fa, struct flow *f, const struct record *r)
{
	const struct rec_field *m, *end = r->f + r->nf;
	enum flow_l7f k;
	bool any = false;

	for (m = r->f; m < end; m++) {
		if (m->kind != REC_STRING || !fa_l7_maybe(m) ||
		    (k = fa_l7_key(m)) == FL7_N)
			continue;
		any = true;
		if (flowtab_l7_set(f, k, m->val, m->vlen) >= 0)
			continue;
		if (fa->c.l7_conflicts == NULL)
			fa->c.l7_conflicts = stats_ctr(fa->st, "l7_conflicts");
		(*fa->c.l7_conflicts)++;
	}
	return any;
}

/* A non-negative integer member (the common case read without strtoll). */
static bool
fa_uint(const struct rec_field *f, int64_t *v)
{
	int64_t x = 0;
	size_t i;

	if (f->kind != REC_NUMBER)
		return false;
	if (f->vlen > 18)
		return rec_i64(f, v) == 0 && *v >= 0;
	for (i = 0; i < f->vlen; i++) {
		if (f->val[i] < '0' || f->val[i] > '9')
			return rec_i64(f, v) == 0 && *v >= 0;
		x = x * 10 + (f->val[i] - '0');
	}
	*v = x;
	return true;
}

/* Reads one member into p; false if a value has the wrong type. */
static bool
fa_pkt_field(const struct rec_field *f, struct fa_pkt *p)
{
	int64_t *dst = NULL;

	switch (f->key[0]) {
	case '_':
		if (KEYIS(f, EVK_IFACE))
			p->iface = f;
		else if (KEYIS(f, EVK_NONIP))
			p->nonip = true;
		return true;
	case 't':
		if (KEYIS(f, EVK_TIMESTAMP))
			p->time = f;
		return true;
	case 'L':
		if (KEYIS(f, EVK_LAST_TIMESTAMP))
			p->last = f;
		else if (KEYIS(f, EVK_L4_SRC_PORT))
			dst = &p->sport;
		else if (KEYIS(f, EVK_L4_DST_PORT))
			dst = &p->dport;
		else
			p->l7 |= fa_l7_key(f) != FL7_N;
		break;
	case 'V':
		if (KEYIS(f, EVK_VLAN_ID))
			dst = &p->vlan;
		break;
	case 'I':
		if (KEYIS(f, EVK_IPV4_SRC_ADDR))
			p->src = f;
		else if (KEYIS(f, EVK_IPV4_DST_ADDR))
			p->dst = f;
		else if (KEYIS(f, EVK_IPV6_SRC_ADDR))
			p->src = f, p->v6 = true;
		else if (KEYIS(f, EVK_IPV6_DST_ADDR))
			p->dst = f, p->v6 = true;
		return true;
	case 'P':
		if (KEYIS(f, EVK_PROTOCOL))
			dst = &p->proto;
		else if (KEYIS(f, EVK_PKTS))
			dst = &p->pkts;
		break;
	case 'T':
		if (KEYIS(f, EVK_TCP_FLAGS))
			dst = &p->flags;
		else
			p->l7 |= fa_l7_key(f) != FL7_N;
		break;
	case 'D':
	case 'H':
	case 'J':
		p->l7 |= fa_l7_key(f) != FL7_N;
		return true;
	case 'F':
		if (KEYIS(f, EVK_FRAG_ID))
			dst = &p->fragid;
		break;
	case 'B':
		if (KEYIS(f, EVK_BYTES))
			dst = &p->bytes;
		break;
	default:
		break;
	}
	if (dst == NULL)
		return true;
	return fa_uint(f, dst);
}

/* Parses an address member, through a small cache of the last texts
 * seen: the packets of a flow repeat the same two addresses. */
static bool
fa_addr(struct flowagg *fa, const struct rec_field *f, bool v6,
    uint8_t out[16])
{
	struct fa_acache *c;
	struct ipaddr a;
	size_t n, i;

	if (f == NULL || f->kind != REC_STRING || f->vesc)
		return false;
	n = f->vlen - 2;
	for (i = 0; i < FA_ACACHE; i++) {
		c = &fa->acache[i];
		if (c->len == n && c->v6 == v6 &&
		    memcmp(c->txt, f->val + 1, n) == 0) {
			memcpy(out, c->a, 16);
			return true;
		}
	}
	if (ipaddr_parse(&a, f->val + 1, n) != 0 ||
	    a.family != (v6 ? IPADDR_V6 : IPADDR_V4))
		return false;
	memcpy(out, a.a, 16);
	if (n < sizeof(c->txt)) {
		c = &fa->acache[fa->anext++ % FA_ACACHE];
		memcpy(c->txt, f->val + 1, n);
		c->len = n;
		c->v6 = v6;
		memcpy(c->a, a.a, 16);
	}
	return true;
}

/* Orients a new or unsettled flow by TCP flags of a record sent from
 * flow side dir; returns the (possibly swapped) side of the sender. */
static int
fa_settle(struct flow *f, int dir, int64_t flags, int64_t pkts)
{
	if (f->state & FLOW_SETTLED)
		return dir;
	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		f->state |= FLOW_SETTLED;
		if (dir == 1) {
			flowtab_swap(f);
			return 0;
		}
	} else if ((flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
	    pkts == 1) {
		f->state |= FLOW_SETTLED;
		if (dir == 0) {
			flowtab_swap(f);
			return 1;
		}
	}
	return dir;
}

/* Reads r's members into p; false (counted) on a bad value. */
static bool
fa_pkt_read(struct flowagg *fa, const struct record *r, struct fa_pkt *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->pkts = 1;
	p->fragid = -1;
	p->sport = p->dport = -1;
	for (i = 0; i < r->nf; i++)
		if (!fa_pkt_field(&r->f[i], p)) {
			stats_bad(fa->st, fa->c.bad_packet, "packet",
			    "member %.*s has a bad value", (int)r->f[i].klen,
			    r->f[i].key);
			return false;
		}
	return true;
}

/* The packet's first and last times; false (counted) without a usable
 * timestamp. A bad LAST_TIMESTAMP is counted and taken as the first. */
static bool
fa_pkt_times(struct flowagg *fa, const struct fa_pkt *p, int64_t *t,
    int64_t *last)
{
	if (p->time == NULL || fa_time(p->time, t) != 0) {
		stats_bad(fa->st, fa->c.bad_time, "packet",
		    "no usable timestamp");
		return false;
	}
	*last = *t;
	if (p->last != NULL && (fa_time(p->last, last) != 0 || *last < *t)) {
		stats_bad(fa->st, fa->c.bad_time, "packet",
		    "bad LAST_TIMESTAMP");
		*last = *t;
	}
	return true;
}

/* The flow key of p on interface ifid, sender first, into k; false
 * (counted) when a value is out of range. *later_frag: a later fragment
 * (no ports). */
static bool
fa_pkt_key(struct flowagg *fa, const struct fa_pkt *p, uint16_t ifid,
    struct flowtab_key *k, bool *later_frag)
{
	memset(k, 0, sizeof(*k));
	if (!fa_addr(fa, p->src, p->v6, k->addr[0]) ||
	    !fa_addr(fa, p->dst, p->v6, k->addr[1]) || p->proto < 0 ||
	    p->proto > 255 || p->sport > 65535 || p->dport > 65535 ||
	    p->flags > 255 || p->vlan > 4095) {
		stats_bad(fa->st, fa->c.bad_packet, "packet",
		    "bad address, protocol, port or VLAN");
		(*fa->c.unplaced)++;
		return false;
	}
	k->family = p->v6 ? 6 : 4;
	k->proto = (uint8_t)p->proto;
	k->iface = ifid;
	if (fa->conf.vlan_key)
		k->vlan = (uint16_t)p->vlan;
	*later_frag = false;
	if (p->sport >= 0 && p->dport >= 0) {
		k->port[0] = (uint16_t)p->sport;
		k->port[1] = (uint16_t)p->dport;
	} else if (p->fragid >= 0)
		*later_frag = true;
	return true;
}

/* A first fragment is remembered under its key; a later one takes the
 * key of its first, when that was seen within FA_FRAG_TTL. */
static void
fa_pkt_frag(struct flowagg *fa, const struct fa_pkt *p,
    struct flowtab_key *k, bool later_frag, int64_t last)
{
	struct fa_frag *fr = fa_frag_slot(fa, k, (uint32_t)p->fragid);

	if (!later_frag) {
		fr->key = *k;
		fr->id = (uint32_t)p->fragid;
		fr->t = last;
		fr->used = true;
	} else if (fa_frag_match(fr, k, (uint32_t)p->fragid) &&
	    last - fr->t <= FA_FRAG_TTL) {
		*k = fr->key;
		(*fa->c.frag_joined)++;
	} else
		(*fa->c.frag_orphans)++;
}

/* Adds packet p of record r, seen from t to last, to the flow of key k. */
static void
fa_pkt_flow(struct flowagg *fa, const struct record *r,
    const struct fa_pkt *p, const struct flowtab_key *k, bool later_frag,
    int64_t t, int64_t last)
{
	struct flow *f;
	int dir;

	if ((f = flowtab_lookup(fa->ft, k, &dir)) == NULL) {
		f = flowtab_insert(fa->ft, k, t);
		(*fa->c.flows_new)++;
		dir = 0;
	} else
		flowtab_check_active(fa->ft, f, t);
	if (k->proto == 6 && !later_frag)
		dir = fa_settle(f, dir, p->flags, p->pkts);
	f->pkts[dir] += (uint64_t)p->pkts;
	f->bytes[dir] += (uint64_t)p->bytes;
	f->flags[dir] |= (uint8_t)p->flags;
	f->state |= FLOW_HAS_PKTS;
	if (p->l7)
		fa_l7(fa, f, r);
	flowtab_touch(fa->ft, f, t);
	flowtab_touch(fa->ft, f, last);
	if (k->proto == 6 && (p->flags & TH_RST))
		flowtab_closing(fa->ft, f, FLOW_END_RST);
	else if (k->proto == 6 && (p->flags & TH_FIN))
		flowtab_closing(fa->ft, f, FLOW_END_FIN);
}

void
fa_packet(struct flowagg *fa, const struct record *r)
{
	struct fa_pkt p;
	struct flowtab_key k;
	int64_t t, last;
	uint16_t ifid;
	int n;
	bool later_frag;

	if (!fa_pkt_read(fa, r, &p))
		return;
	(*fa->c.packets)++;
	if ((n = fa_iface_field(fa, p.iface)) < 0) {
		stats_bad(fa->st, fa->c.bad_packet, "packet",
		    "no _iface string");
		(*fa->c.unplaced)++;
		return;
	}
	ifid = (uint16_t)n;
	if (!fa_pkt_times(fa, &p, &t, &last))
		return;
	fa_clock(fa, t, last);
	fa->ifs[ifid].packet_records++;
	fa->ifs[ifid].pkts += (uint64_t)p.pkts;
	fa->ifs[ifid].bytes += (uint64_t)p.bytes;
	if (p.nonip || (p.src == NULL && p.dst == NULL)) {
		(*fa->c.nonip)++;
		return;
	}
	if (!fa_pkt_key(fa, &p, ifid, &k, &later_frag))
		return;
	if (p.fragid >= 0)
		fa_pkt_frag(fa, &p, &k, later_frag, last);
	fa_pkt_flow(fa, r, &p, &k, later_frag, t, last);
}

