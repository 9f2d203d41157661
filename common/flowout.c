/* flowout.c - a flow as an ntop JSON flow record (include/flowout.h;
 * issue 5 "Output names", man/evpipe.7 "flow-agg").
 *
 * Key order is fixed (identity, counters, times, processes, socket
 * state, end reason) so that the same flow always prints the same bytes.
 */
#include <stdio.h>
#include <string.h>

#include "flowout.h"
#include "ipaddr.h"

static void
fo_key(struct sbuf *b, const char *k)
{
	sbuf_addc(b, ',');
	sbuf_addc(b, '"');
	sbuf_adds(b, k);
	sbuf_addc(b, '"');
	sbuf_addc(b, ':');
}

/* ,"PXNAME": */
static void
fo_key2(struct sbuf *b, const char *px, const char *name)
{
	sbuf_adds(b, ",\"");
	sbuf_adds(b, px);
	sbuf_adds(b, name);
	sbuf_adds(b, "\":");
}

static void
fo_u64(struct sbuf *b, const char *k, uint64_t v)
{
	fo_key(b, k);
	sbuf_add_u64(b, v);
}

static void
fo_i64(struct sbuf *b, const char *k, int64_t v)
{
	fo_key(b, k);
	sbuf_add_i64(b, v);
}

static void
fo_str(struct sbuf *b, const char *k, const char *s)
{
	fo_key(b, k);
	sbuf_add_jstr(b, s, strlen(s));
}

static void
fo_addr(struct sbuf *b, const char *k, const struct flowtab_key *key,
    int side)
{
	struct ipaddr a;
	char buf[IPADDR_STRLEN];

	a.family = key->family == 6 ? IPADDR_V6 : IPADDR_V4;
	memcpy(a.a, key->addr[side], 16);
	if (ipaddr_format(&a, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	fo_str(b, k, buf);
}

void
flowout_time(struct sbuf *b, int64_t us)
{
	int64_t s = us / 1000000, f = us % 1000000;
	char frac[8];
	int i;

	if (f < 0) {
		f += 1000000;
		s--;
	}
	sbuf_add_i64(b, s);
	frac[0] = '.';
	for (i = 6; i >= 1; i--, f /= 10)
		frac[i] = (char)('0' + f % 10);
	sbuf_add(b, frac, 7);
}

/* The process block of one side, with prefix "SRC_" or "DST_". */
static void
fo_proc(struct sbuf *b, const char *px, const struct flow_proc *p)
{
	/* Names that nProbe defines come first, then evpipe's own. */
	static const struct { int num; const char *name; } nums[] = {
		{ FP_PID, "PROC_PID" }, { FP_UID, "PROC_UID" },
		{ FP_FPID, "FATHER_PROC_PID" }, { FP_TID, "PROC_TID" },
		{ FP_GID, "PROC_GID" }, { FP_FUID, "FATHER_PROC_UID" },
	};
	static const struct { int str; const char *name; } strs[] = {
		{ FP_NAME, "PROC_NAME" }, { FP_USER, "PROC_USER_NAME" },
		{ FP_FNAME, "FATHER_PROC_NAME" }, { FP_CMDLINE, "PROC_CMDLINE" },
		{ FP_CID, "PROC_CONTAINER_ID" }, { FP_PKG, "PROC_PKG_NAME" },
		{ FP_GROUP, "PROC_GROUP_NAME" },
		{ FP_FUSER, "FATHER_PROC_USER_NAME" },
		{ FP_CKIND, "PROC_CONTAINER_TYPE" },
		{ FP_CNAME, "PROC_CONTAINER_NAME" },
		{ FP_CPOD, "PROC_CONTAINER_POD" },
		{ FP_CNS, "PROC_CONTAINER_NS" },
	};
	size_t i;

	for (i = 0; i < 3; i++)
		if (p->nset & (1u << nums[i].num)) {
			fo_key2(b, px, nums[i].name);
			sbuf_add_i64(b, p->n[nums[i].num]);
		}
	for (i = 0; i < 6; i++)
		if (p->s[strs[i].str] != NULL) {
			fo_key2(b, px, strs[i].name);
			sbuf_add_jstr(b, p->s[strs[i].str],
			    strlen(p->s[strs[i].str]));
		}
	for (i = 3; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (p->nset & (1u << nums[i].num)) {
			fo_key2(b, px, nums[i].name);
			sbuf_add_i64(b, p->n[nums[i].num]);
		}
	for (i = 6; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (p->s[strs[i].str] != NULL) {
			fo_key2(b, px, strs[i].name);
			sbuf_add_jstr(b, p->s[strs[i].str],
			    strlen(p->s[strs[i].str]));
		}
}

static void
fo_tcp(struct sbuf *b, const struct flow_tcpinfo *t)
{
	if (t->state[0] != '\0')
		fo_str(b, "TCP_CONN_STATE", t->state);
	if (t->set & FT_RTT) {
		fo_key(b, "TCP_RTT");
		sbuf_addf(b, "%.3f", t->rtt);
	}
	if (t->set & FT_RTTVAR) {
		fo_key(b, "TCP_RTT_VARIANCE");
		sbuf_addf(b, "%.3f", t->rttvar);
	}
	if (t->set & FT_SEGS_IN)
		fo_u64(b, "TCP_SEGS_IN", t->segs_in);
	if (t->set & FT_SEGS_OUT)
		fo_u64(b, "TCP_SEGS_OUT", t->segs_out);
	if (t->set & FT_UNACK)
		fo_u64(b, "TCP_UNACK_SEGMENTS", t->unack);
	if (t->set & FT_RETRAN)
		fo_u64(b, "TCP_RETRAN_PKTS", t->retran);
	if (t->set & FT_LOST)
		fo_u64(b, "TCP_LOST_PKTS", t->lost);
	if (t->set & FT_BYTES_RCVD)
		fo_u64(b, "TCP_BYTES_RCVD", t->bytes_rcvd);
	if (t->set & FT_BYTES_ACKED)
		fo_u64(b, "TCP_BYTES_ACKED", t->bytes_acked);
}

void
flowout_flow(struct sbuf *b, const struct flowtab *ft, const struct flow *f,
    enum flow_end why)
{
	const struct flowtab_key *k = &f->key;
	const struct flow_proc *p;
	const struct flow_tcpinfo *t;
	int v6 = k->family == 6;

	sbuf_adds(b, "{\"_type\":\"flow\"");
	fo_str(b, "_iface", flowtab_iface_name(ft, k->iface));
	if (why == FLOW_END_NONE)
		sbuf_adds(b, ",\"_interim\":true");
	fo_u64(b, "IP_PROTOCOL_VERSION", v6 ? 6 : 4);
	fo_addr(b, v6 ? "IPV6_SRC_ADDR" : "IPV4_SRC_ADDR", k, 0);
	fo_addr(b, v6 ? "IPV6_DST_ADDR" : "IPV4_DST_ADDR", k, 1);
	fo_u64(b, "L4_SRC_PORT", k->port[0]);
	fo_u64(b, "L4_DST_PORT", k->port[1]);
	fo_u64(b, "PROTOCOL", k->proto);
	if (k->vlan != 0)
		fo_u64(b, "VLAN_ID", k->vlan);
	fo_u64(b, "IN_PKTS", f->pkts[0]);
	fo_u64(b, "IN_BYTES", f->bytes[0]);
	fo_u64(b, "OUT_PKTS", f->pkts[1]);
	fo_u64(b, "OUT_BYTES", f->bytes[1]);
	fo_i64(b, "FIRST_SWITCHED", f->first / 1000000);
	fo_i64(b, "LAST_SWITCHED", f->last / 1000000);
	fo_key(b, "FLOW_START_SEC");
	flowout_time(b, f->first);
	fo_key(b, "FLOW_END_SEC");
	flowout_time(b, f->last);
	if (k->proto == 6) {
		fo_u64(b, "TCP_FLAGS", (uint64_t)(f->flags[0] | f->flags[1]));
		fo_u64(b, "CLIENT_TCP_FLAGS", f->flags[0]);
		fo_u64(b, "SERVER_TCP_FLAGS", f->flags[1]);
	}
	if ((p = flowtab_proc(ft, f->proc[0])) != NULL)
		fo_proc(b, "SRC_", p);
	if ((p = flowtab_proc(ft, f->proc[1])) != NULL)
		fo_proc(b, "DST_", p);
	if (f->state & FLOW_HAS_LAT0) {
		fo_key(b, "CLIENT_NW_LATENCY_MS");
		sbuf_addf(b, "%.3f", (double)f->lat[0]);
	}
	if (f->state & FLOW_HAS_LAT1) {
		fo_key(b, "SERVER_NW_LATENCY_MS");
		sbuf_addf(b, "%.3f", (double)f->lat[1]);
	}
	if ((t = flowtab_tcpinfo_get(ft, f)) != NULL)
		fo_tcp(b, t);
	if (f->events != 0)
		fo_u64(b, "FLOW_EVENTS", f->events);
	if (f->retrans[0] != 0)
		fo_u64(b, "RETRANSMITTED_IN_PKTS", f->retrans[0]);
	if (f->retrans[1] != 0)
		fo_u64(b, "RETRANSMITTED_OUT_PKTS", f->retrans[1]);
	if (!(f->state & FLOW_HAS_PKTS))
		sbuf_adds(b, ",\"FLOW_EVENT_ONLY\":true");
	if (why != FLOW_END_NONE)
		fo_str(b, "FLOW_END_REASON", flowtab_endname(why));
	sbuf_addc(b, '}');
}
