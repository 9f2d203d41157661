/* flowaggev.c - flow-agg's events, netstat socket updates and plain flow
 * records (read by evfields) added to their flows: the key, the roles
 * (CONNECT's local end is the client, ACCEPT's the server), the counters
 * and what else an event tells. See doc/wire-format.md "eBPF events".
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

static void
fa_proc_from_evf(struct flow_proc *p, const struct evf_event *ev)
{
	const struct evf_proc *lp = &ev->proc, *fp = &ev->father;
	const struct evf_container *c = &ev->container;

	memset(p, 0, sizeof(*p));
	if (lp->present) {
		if (lp->has_path)
			p->s[FP_NAME] = lp->path;
		if (lp->has_cmdline)
			p->s[FP_CMDLINE] = lp->cmdline;
		if (lp->has_uid_name)
			p->s[FP_USER] = lp->uid_name;
		if (lp->has_gid_name)
			p->s[FP_GROUP] = lp->gid_name;
		if (lp->has_pid) {
			p->n[FP_PID] = lp->pid;
			p->nset |= 1u << FP_PID;
		}
		if (lp->has_raw_tid && lp->tid != 0) {
			p->n[FP_TID] = lp->tid;
			p->nset |= 1u << FP_TID;
		}
		if (lp->has_uid) {
			p->n[FP_UID] = lp->uid;
			p->nset |= 1u << FP_UID;
		}
		if (lp->has_gid) {
			p->n[FP_GID] = lp->gid;
			p->nset |= 1u << FP_GID;
		}
	}
	if (fp->present) {
		if (fp->has_path)
			p->s[FP_FNAME] = fp->path;
		if (fp->has_uid_name)
			p->s[FP_FUSER] = fp->uid_name;
		if (fp->has_pid) {
			p->n[FP_FPID] = fp->pid;
			p->nset |= 1u << FP_FPID;
		}
		if (fp->has_uid) {
			p->n[FP_FUID] = fp->uid;
			p->nset |= 1u << FP_FUID;
		}
	}
	if (c->present) {
		if (c->kind == EVF_CT_DOCKER)
			p->s[FP_CKIND] = "docker";
		else if (c->kind == EVF_CT_K8S)
			p->s[FP_CKIND] = "k8s";
		if (c->has_id)
			p->s[FP_CID] = c->id;
		if (c->has_name)
			p->s[FP_CNAME] = c->name;
		if (c->has_pod)
			p->s[FP_CPOD] = c->pod;
		if (c->has_ns)
			p->s[FP_CNS] = c->ns;
	}
}

static void
fa_proc_from_agent(struct flow_proc *p, const struct evf_agent *a)
{
	memset(p, 0, sizeof(*p));
	if (!a->present)
		return;
	if (a->has_name)
		p->s[FP_NAME] = a->name;
	if (a->has_user_name)
		p->s[FP_USER] = a->user_name;
	if (a->has_father_name)
		p->s[FP_FNAME] = a->father_name;
	if (a->has_cmdline)
		p->s[FP_CMDLINE] = a->cmdline;
	if (a->has_container_id)
		p->s[FP_CID] = a->container_id;
	if (a->has_pkg_name)
		p->s[FP_PKG] = a->pkg_name;
	if (a->has_pid) {
		p->n[FP_PID] = a->pid;
		p->nset |= 1u << FP_PID;
	}
	if (a->has_uid) {
		p->n[FP_UID] = a->uid;
		p->nset |= 1u << FP_UID;
	}
	if (a->has_father_pid) {
		p->n[FP_FPID] = a->father_pid;
		p->nset |= 1u << FP_FPID;
	}
}

static void
fa_set_lat(struct flow *f, int side, double ms)
{
	f->lat[side] = (float)ms;
	f->state |= side == 0 ? FLOW_HAS_LAT0 : FLOW_HAS_LAT1;
}

static void
fa_tcpinfo(struct flowagg *fa, struct flow *f, const struct evf_tcp *t)
{
	struct flow_tcpinfo *ti = flowtab_tcpinfo(fa->ft, f, true);

	if (t->has_state)
		snprintf(ti->state, sizeof(ti->state), "%s", t->state);
#define FA_TI(has, field, src, bit)	\
	if (t->has) { ti->field = t->src; ti->set |= (bit); }
	FA_TI(has_rtt, rtt, rtt, FT_RTT)
	FA_TI(has_rtt_var, rttvar, rtt_var, FT_RTTVAR)
	FA_TI(has_segs_in, segs_in, segs_in, FT_SEGS_IN)
	FA_TI(has_segs_out, segs_out, segs_out, FT_SEGS_OUT)
	FA_TI(has_unack, unack, unack, FT_UNACK)
	FA_TI(has_retran, retran, retran, FT_RETRAN)
	FA_TI(has_lost, lost, lost, FT_LOST)
	FA_TI(has_bytes_rcvd, bytes_rcvd, bytes_rcvd, FT_BYTES_RCVD)
	FA_TI(has_bytes_acked, bytes_acked, bytes_acked, FT_BYTES_ACKED)
#undef FA_TI
}

/* Is a time in seconds one that converts to microseconds (0 to 9999)? */
static bool
fa_sane_secs(double secs)
{
	return secs >= 0 && secs <= (double)FA_MAXSEC;
}

/* The record's time: its "timestamp", else LAST_SWITCHED or
 * FIRST_SWITCHED of a flow record, else _rx, else the clock. */
static int64_t
fa_event_time(struct flowagg *fa, const struct record *r,
    const struct evf_event *ev)
{
	const struct rec_field *rx;
	int64_t t;

	if (ev->has_time && ev->time_sec >= 0 && ev->time_sec <= FA_MAXSEC)
		return ev->time_sec * FA_SEC + ev->time_usec;
	if (ev->ctr.has_last && fa_sane_secs(ev->ctr.last_switched))
		return (int64_t)(ev->ctr.last_switched * 1e6);
	if ((rx = record_get(r, EVK_RX)) != NULL && fa_time(rx, &t) == 0)
		return t;
	return fa->now;
}

/* How an event stands to its flow: ends, roles, and the flow's side. */
struct fa_evpos {
	int64_t	 t;
	int	 local;		/* the key side of the local end */
	int	 role;		/* 1: the local end is the client, 2: server */
	int	 client;	/* the key side of the client */
	int	 dir;		/* flow side = key side ^ dir */
	bool	 isflowrec;	/* a flow record, not an event */
};

/* The flow key of event ev on interface ifid into k; false (counted) when
 * it cannot be placed. */
static bool
fa_ev_key(struct flowagg *fa, const struct evf_event *ev, uint16_t ifid,
    struct flowtab_key *k)
{
	const struct evf_ids *id = &ev->id;

	if (!id->has_src || !id->has_dst || !id->has_proto ||
	    id->src.family != id->dst.family) {
		stats_bad(fa->st, fa->c.bad_event, "event",
		    "no addresses or protocol: cannot be placed");
		(*fa->c.unplaced)++;
		return false;
	}
	if (id->proto == 0 && ipaddr_is_zero(&id->src) &&
	    ipaddr_is_zero(&id->dst)) {
		stats_bad(fa->st, fa->c.degenerate, "event",
		    "degenerate event (protocol 0, zero addresses)");
		return false;
	}
	memset(k, 0, sizeof(*k));
	k->family = id->src.family == IPADDR_V6 ? 6 : 4;
	memcpy(k->addr[0], id->src.a, 16);
	memcpy(k->addr[1], id->dst.a, 16);
	k->port[0] = id->has_sport ? id->sport : 0;
	k->port[1] = id->has_dport ? id->dport : 0;
	k->proto = id->proto;
	k->iface = ifid;
	if (fa->conf.vlan_key && (ev->ctr.has & (1u << EVF_SRC_VLAN)) &&
	    ev->ctr.v[EVF_SRC_VLAN] <= 4095)
		k->vlan = (uint16_t)ev->ctr.v[EVF_SRC_VLAN];
	return true;
}

/* Which key side is local, and the roles the event says. */
static void
fa_ev_roles(const struct evf_event *ev, struct fa_evpos *ps)
{
	ps->local = evf_local_is_src(ev) ? 0 : 1;
	if ((ev->type == EVF_EV_UDP_SEND || ev->type == EVF_EV_UDP_RECV) &&
	    !ev->proc.present)
		ps->local = 1;	/* a received datagram: the source is remote */
	ps->role = 0;
	if (ev->type == EVF_EV_CONNECT || ev->type == EVF_EV_CONNECT_FAILED)
		ps->role = 1;
	else if (ev->type == EVF_EV_ACCEPT)
		ps->role = 2;
	ps->client = ps->role == 1 ? ps->local : ps->role == 2 ?
	    !ps->local : 0;
}

/* The flow of key k, made with the client as side 0 if new, and turned
 * the way the event's role says unless settled; sets ps->dir. */
static struct flow *
fa_ev_flow(struct flowagg *fa, const struct flowtab_key *k,
    const struct evf_event *ev, struct fa_evpos *ps)
{
	struct flow *f;
	int64_t first;

	if ((f = flowtab_lookup(fa->ft, k, &ps->dir)) == NULL) {
		struct flowtab_key s = *k;

		first = ps->t;
		if (ps->isflowrec && ev->ctr.has_first &&
		    fa_sane_secs(ev->ctr.first_switched))
			first = (int64_t)(ev->ctr.first_switched * 1e6);
		if (ps->client == 1) {
			memcpy(s.addr[0], k->addr[1], 16);
			memcpy(s.addr[1], k->addr[0], 16);
			s.port[0] = k->port[1];
			s.port[1] = k->port[0];
		}
		f = flowtab_insert(fa->ft, &s, first);
		ps->dir = ps->client;
		(*fa->c.flows_new)++;
		if (!ps->isflowrec)
			(*fa->c.event_only)++;
	} else if (ps->isflowrec)
		flowtab_check_active(fa->ft, f, ps->t);
	if (ps->role != 0 && (ps->client ^ ps->dir) != 0) {
		if (f->state & FLOW_SETTLED)
			stats_bad(fa->st, fa->c.role_conflict, "event",
			    "%s says the other end is the client",
			    evf_evtype_name(ev->type));
		else {
			flowtab_swap(f);
			ps->dir = !ps->dir;
		}
	}
	if (ps->role != 0)
		f->state |= FLOW_SETTLED;
	return f;
}

/* A flow record's counters, added to flow f. */
static void
fa_ev_counters(struct flow *f,
    const struct evf_counters *c, int dir)
{
	f->pkts[dir] += c->v[EVF_IN_PKTS];
	f->bytes[dir] += c->v[EVF_IN_BYTES];
	f->pkts[!dir] += c->v[EVF_OUT_PKTS];
	f->bytes[!dir] += c->v[EVF_OUT_BYTES];
	if (c->has & (1u << EVF_TCP_FLAGS))
		f->flags[dir] |= (uint8_t)c->v[EVF_TCP_FLAGS];
	if (c->has & ((1u << EVF_IN_PKTS) | (1u << EVF_IN_BYTES) |
	    (1u << EVF_OUT_PKTS) | (1u << EVF_OUT_BYTES)))
		f->state |= FLOW_HAS_PKTS;
	/* fa_ev_details() touches f after this, which moves it. */
	if (c->has_first && fa_sane_secs(c->first_switched))
		flowtab_seen(f, (int64_t)(c->first_switched * 1e6));
}

/* A flow record's application fields. A copy of the record read before it
 * (fa->last) has those of its members, its others start with '_': when
 * they hold none, the walk is saved. */
static void
fa_ev_l7(struct flowagg *fa, struct flow *f, const struct record *r)
{
	struct fa_last *l = &fa->last;
	bool any;

	if (l->cur && l->l7 == 1)
		return;
	any = fa_l7(fa, f, r);
	if (l->cur)
		l->l7 = any ? 2 : 1;
}

/* The local process block of ev on flow f's side. An event's copy for
 * another interface (the same fa->ev) gives its flow the block the event
 * interned, without building and comparing it again. */
static void
fa_ev_local_proc(struct flowagg *fa, struct flow *f,
    const struct evf_event *ev, int side)
{
	struct fa_pshare *ps = &fa->pshare;
	struct flow_proc p;
	bool had = f->proc[side] != 0;

	if (ps->gen == fa->evgen && flowtab_proc_share(fa->ft, f, side,
	    ps->ref))
		return;
	fa_proc_from_evf(&p, ev);
	flowtab_set_proc(fa->ft, f, side, &p);
	/* Only a kept event's copy is known as one (flowaggcp.c), and a
	 * block merged with what the side had is not p's alone. */
	if (!fa->last.cur || had)
		return;
	ps->gen = fa->evgen;
	ps->ref = flowtab_proc_ref(fa->ft, f, side);
}

/* What an event adds to its flow beyond counters: processes, latency,
 * retransmissions, TCP state, application, end. */
static void
fa_ev_details(struct flowagg *fa, struct flow *f, const struct record *r,
    const struct evf_event *ev, const struct fa_evpos *ps)
{
	struct flow_proc p;
	int dir = ps->dir, local = ps->local, role = ps->role;

	/* Processes: the local block on the local side only; the agent's
	 * directional blocks on their sides. An absent block would be
	 * empty, which changes nothing: most events and every plain flow
	 * record carry one block or none. */
	if (ev->proc.present || ev->father.present || ev->container.present)
		fa_ev_local_proc(fa, f, ev, local ^ dir);
	if (ev->src_proc.present) {
		fa_proc_from_agent(&p, &ev->src_proc);
		flowtab_set_proc(fa->ft, f, dir, &p);
	}
	if (ev->dst_proc.present) {
		fa_proc_from_agent(&p, &ev->dst_proc);
		flowtab_set_proc(fa->ft, f, !dir, &p);
	}

	if (ev->has_latency)
		fa_set_lat(f, role == 2 ? 1 : role == 1 ? 0 : local ^ dir,
		    ev->latency_ms);
	if (ev->has_client_latency)
		fa_set_lat(f, 0, ev->client_latency_ms);
	if (ev->has_server_latency)
		fa_set_lat(f, 1, ev->server_latency_ms);
	if (ev->type == EVF_EV_RETRANSMIT)
		f->retrans[local ^ dir] += ev->has_retran &&
		    ev->retran_pkts > 0 ? (uint32_t)ev->retran_pkts : 1;
	if (ev->tcp.present)
		fa_tcpinfo(fa, f, &ev->tcp);
	if (ps->isflowrec)
		fa_ev_l7(fa, f, r);
	flowtab_touch(fa->ft, f, ps->t);
	if (ev->type == EVF_EV_CLOSE || ev->type == EVF_EV_CONNECT_FAILED)
		flowtab_closing(fa->ft, f, FLOW_END_CLOSE);
}

/* A flow event, a netstat socket update or a plain flow record, already
 * read into fa->ev. */
void
fa_flowish(struct flowagg *fa, const struct record *r, uint16_t ifid,
    int kind)
{
	const struct evf_event *ev = fa->ev;
	struct flowtab_key k;
	struct fa_evpos ps;
	struct flow *f;

	if (!fa_ev_key(fa, ev, ifid, &k))
		return;
	memset(&ps, 0, sizeof(ps));
	ps.t = fa_event_time(fa, r, ev);
	fa_clock(fa, ps.t, ps.t);
	ps.isflowrec = kind == 0 && ev->type == EVF_EV_NONE;
	fa_ev_roles(ev, &ps);
	f = fa_ev_flow(fa, &k, ev, &ps);
	if (ps.isflowrec)
		fa_ev_counters(f, &ev->ctr, ps.dir);
	else if (kind == 0)
		f->events++;
	fa_ev_details(fa, f, r, ev, &ps);
}


