/* flowout.c - a flow as an ntop JSON flow record (include/flowout.h;
 * man/evpipe.7 "flow-agg").
 *
 * Key order is fixed (identity, counters, times, processes, socket
 * state, end reason) so that the same flow always prints the same bytes.
 */
#include <stdbool.h>
#include <string.h>

#include "evkeys.h"
#include "flowout.h"
#include "ipaddr.h"

/*
 * A flow is some 35 members, written once per flow that leaves the table:
 * with an event-only flow per event copy that is the hottest output path
 * of flow-agg. So each member is written with one reservation and sbuf's
 * cursor formatters instead of a call per key piece, and keys are
 * literals whose length the compiler knows. The bytes are those of the
 * plain sbuf calls and printf they replace (test_flowout checks).
 */

/* v in decimal at o, as sbuf_put_u64() writes it; returns the end. Most
 * counters of an event-only flow are 0 and its protocol and flags one
 * digit, which are written here without the call. */
static inline char *
fo_put_u64(char *o, uint64_t v)
{
	if (v < 10) {
		*o = (char)('0' + v);
		return o + 1;
	}
	return sbuf_put_u64(o, v);
}

/* ,"KEY": for a literal KEY, through a cursor o. */
#define FO_KEY(o, k)	SBUF_PUTLIT((o), ",\"" k "\":")

static void
fo_u64_(struct sbuf *b, const char *key, size_t klen, uint64_t v)
{
	char *o = sbuf_room(b, klen + SBUF_U64MAX);

	sbuf_commit(b, sbuf_put_u64(sbuf_put(o, key, klen), v));
}

#define FO_U64(b, k, v)	fo_u64_((b), ",\"" k "\":", sizeof(k) + 3, (v))

/* ,"KEY":"s" with s escaped as sbuf_add_jstr does. */
static void
fo_str_(struct sbuf *b, const char *key, size_t klen, const char *s)
{
	sbuf_add(b, key, klen);
	sbuf_add_jstr(b, s, strlen(s));
}

#define FO_STR(b, k, s)	fo_str_((b), ",\"" k "\":", sizeof(k) + 3, (s))

/* ,"KEY":"address" of one side of the key (key is ,"NAME": already). */
static void
fo_addr(struct sbuf *b, const char *key, size_t klen,
    const struct flowtab_key *k, int side)
{
	char *o;

	o = sbuf_room(b, klen + IPADDR_STRLEN + 2);
	o = sbuf_put(o, key, klen);
	*o++ = '"';
	if (k->family == 6)
		o = ipaddr_put6(o, k->addr[side]);
	else
		o = ipaddr_put4(o, k->addr[side]);
	*o++ = '"';
	sbuf_commit(b, o);
}

#define FO_ADDR(b, k, key, side) \
	fo_addr((b), ",\"" k "\":", sizeof(k) + 3, (key), (side))

/* One member of a process block, in the order they are written: a
 * number (num) or string field, and its key for each side, ,"SRC_NAME":
 * and ,"DST_NAME":, padded so that a key is copied as a fixed 32 bytes. */
struct fo_pfield {
	bool		 num;
	unsigned char	 idx;		/* enum flow_pnum or flow_pstr */
	unsigned char	 len;		/* of the key */
	char		 key[2][32];
};

#define FO_PF(num, idx, name) { (num), (idx), \
	sizeof(",\"SRC_" name "\":") - 1, \
	{ ",\"SRC_" name "\":", ",\"DST_" name "\":" } }

/* Names that nProbe defines come first, then evpipe's own. */
static const struct fo_pfield fo_pfields[] = {
	FO_PF(true, FP_PID, EVK_PROC_PID),
	FO_PF(true, FP_UID, EVK_PROC_UID),
	FO_PF(true, FP_FPID, EVK_FATHER_PROC_PID),
	FO_PF(false, FP_NAME, EVK_PROC_NAME),
	FO_PF(false, FP_USER, EVK_PROC_USER_NAME),
	FO_PF(false, FP_FNAME, EVK_FATHER_PROC_NAME),
	FO_PF(false, FP_CMDLINE, EVK_PROC_CMDLINE),
	FO_PF(false, FP_CID, EVK_PROC_CONTAINER_ID),
	FO_PF(false, FP_PKG, EVK_PROC_PKG_NAME),
	FO_PF(true, FP_TID, EVK_PROC_TID),
	FO_PF(true, FP_GID, EVK_PROC_GID),
	FO_PF(true, FP_FUID, EVK_FATHER_PROC_UID),
	FO_PF(false, FP_GROUP, EVK_PROC_GROUP_NAME),
	FO_PF(false, FP_FUSER, EVK_FATHER_PROC_USER_NAME),
	FO_PF(false, FP_CKIND, EVK_PROC_CONTAINER_TYPE),
	FO_PF(false, FP_CNAME, EVK_PROC_CONTAINER_NAME),
	FO_PF(false, FP_CPOD, EVK_PROC_CONTAINER_POD),
	FO_PF(false, FP_CNS, EVK_PROC_CONTAINER_NS),
};
#undef FO_PF
#define FO_NPF	(sizeof(fo_pfields) / sizeof(fo_pfields[0]))
_Static_assert(FO_NPF == FP_NNUM + FP_NSTR, "every process field once");

/* The process block of one side (0: SRC_, 1: DST_), with one reservation:
 * each member at most a padded key, a number or an escaped string. */
static void
fo_proc(struct sbuf *b, int side, const struct flow_proc *p)
{
	size_t slen[FP_NSTR], need = FO_NPF * (32 + SBUF_I64MAX), i;
	const struct fo_pfield *pf;
	/* The members left to write: the walk stops after the last (a
	 * block of the usual six ends half way through the table). Every
	 * field is in the table once (test_flowout writes a full block). */
	int left = __builtin_popcount(p->nset & ((1u << FP_NNUM) - 1));
	char *o;

	for (i = 0; i < FP_NSTR; i++)
		if (p->s[i] != NULL) {
			slen[i] = strlen(p->s[i]);
			need += slen[i] * 6 + 2;
			left++;
		}
	o = sbuf_room(b, need);
	for (pf = fo_pfields; left > 0; pf++) {
		if (pf->num) {
			if (!(p->nset & (1u << pf->idx)))
				continue;
			memcpy(o, pf->key[side], 32);
			o = sbuf_put_i64(o + pf->len, p->n[pf->idx]);
			left--;
		} else if (p->s[pf->idx] != NULL) {
			memcpy(o, pf->key[side], 32);
			o = sbuf_put_jstr(o + pf->len, p->s[pf->idx],
			    slen[pf->idx]);
			left--;
		}
	}
	sbuf_commit(b, o);
}

/* Block id on side as fo_proc() writes it, kept in the table the first
 * time: the flows of one process, an event's and its copies', write the
 * same text, and a copy costs a tenth of writing it member by member. */
static void
fo_proc_kept(struct sbuf *b, struct flowtab *ft, uint32_t id, int side)
{
	const struct flow_proc *p;
	const char *j;
	size_t len, at;

	if ((j = flowtab_proc_json(ft, id, side, &len)) != NULL) {
		sbuf_add(b, j, len);
		return;
	}
	if ((p = flowtab_proc(ft, id)) == NULL)
		return;
	at = b->len;
	fo_proc(b, side, p);
	flowtab_proc_json_set(ft, id, side, b->p + at, b->len - at);
}

static void
fo_tcp(struct sbuf *b, const struct flow_tcpinfo *t)
{
	if (t->state[0] != '\0')
		FO_STR(b, EVK_TCP_CONN_STATE, t->state);
	if (t->set & FT_RTT) {
		SBUF_ADDLIT(b, ",\"" EVK_TCP_RTT "\":");
		sbuf_add_fix3(b, t->rtt);
	}
	if (t->set & FT_RTTVAR) {
		SBUF_ADDLIT(b, ",\"" EVK_TCP_RTT_VARIANCE "\":");
		sbuf_add_fix3(b, t->rttvar);
	}
	if (t->set & FT_SEGS_IN)
		FO_U64(b, EVK_TCP_SEGS_IN, t->segs_in);
	if (t->set & FT_SEGS_OUT)
		FO_U64(b, EVK_TCP_SEGS_OUT, t->segs_out);
	if (t->set & FT_UNACK)
		FO_U64(b, EVK_TCP_UNACK_SEGMENTS, t->unack);
	if (t->set & FT_RETRAN)
		FO_U64(b, EVK_TCP_RETRAN_PKTS, t->retran);
	if (t->set & FT_LOST)
		FO_U64(b, EVK_TCP_LOST_PKTS, t->lost);
	if (t->set & FT_BYTES_RCVD)
		FO_U64(b, EVK_TCP_BYTES_RCVD, t->bytes_rcvd);
	if (t->set & FT_BYTES_ACKED)
		FO_U64(b, EVK_TCP_BYTES_ACKED, t->bytes_acked);
}

/* The application fields (nProbe's names), values as they arrived. */
static void
fo_l7(struct sbuf *b, const struct flow_l7 *l7)
{
	const char *key;
	size_t klen;
	char *o;
	int i;

	for (i = 0; i < FL7_N; i++) {
		if (l7->v[i] == NULL)
			continue;
		key = flowtab_l7keys[i].name;
		klen = flowtab_l7keys[i].len;
		o = sbuf_room(b, klen + 4 + l7->len[i]);
		*o++ = ',';
		*o++ = '"';
		o = sbuf_put(o, key, klen);
		*o++ = '"';
		*o++ = ':';
		sbuf_commit(b, sbuf_put(o, l7->v[i], l7->len[i]));
	}
}

/* FIRST_SWITCHED, LAST_SWITCHED, FLOW_START_SEC and FLOW_END_SEC of times
 * first and last (microseconds) at o; returns the end. A time's whole
 * seconds are the same digits in both its members (for times from 1970
 * on, when truncation and the floor of sbuf_put_us agree): written once,
 * copied once, as a fixed 20 bytes from earlier in the record. */
static char *
fo_times(char *o, int64_t first, int64_t last)
{
	char *fs, *ls;
	size_t fn, ln;

	o = FO_KEY(o, EVK_FIRST_SWITCHED);
	fs = o;
	o = sbuf_put_i64(o, first / 1000000);
	fn = (size_t)(o - fs);
	o = FO_KEY(o, EVK_LAST_SWITCHED);
	ls = o;
	o = sbuf_put_i64(o, last / 1000000);
	ln = (size_t)(o - ls);
	o = FO_KEY(o, EVK_FLOW_START_SEC);
	if (first >= 0) {
		memmove(o, fs, SBUF_I64MAX);
		o += fn;
		*o++ = '.';
		o = sbuf_put_digits(o, (uint32_t)(first % 1000000), 6);
	} else
		o = sbuf_put_us(o, first);
	o = FO_KEY(o, EVK_FLOW_END_SEC);
	if (last >= 0) {
		memmove(o, ls, SBUF_I64MAX);
		o += ln;
		*o++ = '.';
		o = sbuf_put_digits(o, (uint32_t)(last % 1000000), 6);
	} else
		o = sbuf_put_us(o, last);
	return o;
}

/* The members after the socket state and the closing brace, through one
 * cursor. An end's name is written as it is: flowtab_endname()'s names
 * hold no byte to escape (test_flowout checks). */
static void
fo_tail(struct sbuf *b, const struct flow *f, enum flow_end why)
{
	const char *name = why != FLOW_END_NONE ? flowtab_endname(why) : "";
	size_t nlen = strlen(name);
	char *o;

	o = sbuf_room(b, 3 * (32 + SBUF_U64MAX) + 64 + nlen);
	if (f->events != 0)
		o = fo_put_u64(FO_KEY(o, EVK_FLOW_EVENTS), f->events);
	if (f->retrans[0] != 0)
		o = fo_put_u64(FO_KEY(o, EVK_RETRANSMITTED_IN_PKTS),
		    f->retrans[0]);
	if (f->retrans[1] != 0)
		o = fo_put_u64(FO_KEY(o, EVK_RETRANSMITTED_OUT_PKTS),
		    f->retrans[1]);
	if (!(f->state & FLOW_HAS_PKTS))
		o = SBUF_PUTLIT(o, ",\"" EVK_FLOW_EVENT_ONLY "\":true");
	if (why != FLOW_END_NONE) {
		o = FO_KEY(o, EVK_FLOW_END_REASON);
		*o++ = '"';
		o = sbuf_put(o, name, nlen);
		*o++ = '"';
	}
	*o++ = '}';
	sbuf_commit(b, o);
}

/* The room the members from IP_PROTOCOL_VERSION to SERVER_TCP_FLAGS take
 * at most, but the addresses: keys, numbers and the two times. */
#define FO_FIXEDMAX	512

void
flowout_flow(struct sbuf *b, struct flowtab *ft, const struct flow *f,
    enum flow_end why)
{
	const struct flowtab_key *k = &f->key;
	const struct flow_tcpinfo *t;
	int v6 = k->family == 6;
	const char *ifj;
	size_t ifjlen;
	char *o;

	ifj = flowtab_iface_json(ft, k->iface, &ifjlen);
	o = sbuf_room(b, ifjlen + 32);
	o = SBUF_PUTLIT(o, "{\"" EVK_TYPE "\":\"flow\",\"" EVK_IFACE "\":");
	sbuf_commit(b, sbuf_put(o, ifj, ifjlen));
	if (why == FLOW_END_NONE)
		SBUF_ADDLIT(b, ",\"" EVK_INTERIM "\":true");
	if (v6) {
		SBUF_ADDLIT(b, ",\"" EVK_IP_PROTOCOL_VERSION "\":6");
		FO_ADDR(b, EVK_IPV6_SRC_ADDR, k, 0);
		FO_ADDR(b, EVK_IPV6_DST_ADDR, k, 1);
	} else {
		SBUF_ADDLIT(b, ",\"" EVK_IP_PROTOCOL_VERSION "\":4");
		FO_ADDR(b, EVK_IPV4_SRC_ADDR, k, 0);
		FO_ADDR(b, EVK_IPV4_DST_ADDR, k, 1);
	}
	/* The fixed members through one cursor. */
	o = sbuf_room(b, FO_FIXEDMAX);
	o = fo_put_u64(FO_KEY(o, EVK_L4_SRC_PORT), k->port[0]);
	o = fo_put_u64(FO_KEY(o, EVK_L4_DST_PORT), k->port[1]);
	o = fo_put_u64(FO_KEY(o, EVK_PROTOCOL), k->proto);
	if (k->vlan != 0)
		o = fo_put_u64(FO_KEY(o, EVK_VLAN_ID), k->vlan);
	o = fo_put_u64(FO_KEY(o, EVK_IN_PKTS), f->pkts[0]);
	o = fo_put_u64(FO_KEY(o, EVK_IN_BYTES), f->bytes[0]);
	o = fo_put_u64(FO_KEY(o, EVK_OUT_PKTS), f->pkts[1]);
	o = fo_put_u64(FO_KEY(o, EVK_OUT_BYTES), f->bytes[1]);
	o = fo_times(o, f->first, f->last);
	if (k->proto == 6) {
		o = fo_put_u64(FO_KEY(o, EVK_TCP_FLAGS),
		    (uint64_t)(f->flags[0] | f->flags[1]));
		o = fo_put_u64(FO_KEY(o, EVK_CLIENT_TCP_FLAGS), f->flags[0]);
		o = fo_put_u64(FO_KEY(o, EVK_SERVER_TCP_FLAGS), f->flags[1]);
	}
	sbuf_commit(b, o);
	if (f->l7 != NULL)
		fo_l7(b, f->l7);
	if (f->proc[0] != 0)
		fo_proc_kept(b, ft, f->proc[0], 0);
	if (f->proc[1] != 0)
		fo_proc_kept(b, ft, f->proc[1], 1);
	if (f->state & FLOW_HAS_LAT0) {
		SBUF_ADDLIT(b, ",\"" EVK_CLIENT_NW_LATENCY_MS "\":");
		sbuf_add_fix3(b, f->lat[0]);
	}
	if (f->state & FLOW_HAS_LAT1) {
		SBUF_ADDLIT(b, ",\"" EVK_SERVER_NW_LATENCY_MS "\":");
		sbuf_add_fix3(b, f->lat[1]);
	}
	if ((t = flowtab_tcpinfo_get(ft, f)) != NULL)
		fo_tcp(b, t);
	fo_tail(b, f, why);
}
