/* flowagg.c - flow-agg's core (include/flowagg.h; doc/design.md "The
 * stages", doc/wire-format.md "eBPF events" and "Interface dispatch").
 *
 * Each line is validated once by record_parse(). Packet records (the
 * contract at the top of pktrec.h) are read in one pass over their
 * top-level members, since they are the hot path and their keys are
 * fixed; everything a producer sends (events, netstat updates, plain flow
 * records, counters) is read through evfields, the one reader of both
 * dialects. The clock is the largest record time seen; flows expire
 * against it, never against the wall clock.
 *
 * Who is the client: for packets, the first sender, unless a SYN without
 * ACK (or a lone SYN+ACK, sent by the server) says otherwise before the
 * flow is settled. For events: CONNECT's local end is the client,
 * ACCEPT's the server (libebpfflow puts the remote client first; the
 * LOCAL/REMOTE dialect says which end is local). An event settles the
 * flow; a packet never unsettles it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badline.h"
#include "evfields.h"
#include "flowagg.h"
#include "flowout.h"
#include "ipaddr.h"
#include "linebuf.h"
#include "ntopmsg.h"
#include "record.h"
#include "sbuf.h"
#include "sink.h"
#include "stats.h"

#define FA_SEC		1000000LL
/* The last second of the year 9999: a later "time" is no time, and in
 * microseconds it would overflow. */
#define FA_MAXSEC	253402300799LL
#define FA_FRAGS	65536		/* fragment cache slots (power of 2) */
#define FA_FRAG_TTL	(30 * FA_SEC)	/* how long a first fragment is kept */

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_ACK	0x10

/* A first fragment seen: later fragments with the same addresses,
 * protocol and id join the flow of key (oriented sender first). */
struct fa_frag {
	struct flowtab_key key;
	uint32_t	 id;
	int64_t		 t;
	bool		 used;
};

/* A parsed address and its text. */
#define FA_ACACHE	4
struct fa_acache {
	char		 txt[IPADDR_STRLEN];
	size_t		 len;		/* 0: empty slot */
	bool		 v6;
	uint8_t		 a[16];
};

/* One stored JSON text under a name (interface counters per ifName,
 * listening sockets per host), kept in arrival order of the name. */
struct fa_kv {
	char		*name;
	char		*json;
	struct fa_kv	*next;
};

/* What flow-agg knows about one _iface besides its flows. */
struct fa_ifstat {
	uint64_t	 pkts, bytes;		/* from packet records */
	uint64_t	 packet_records, events, flow_records;
	struct fa_kv	*counters;		/* latest counters by ifName */
	struct fa_kv	*listening;		/* latest sockets by host */
};

struct fa_ctrs {
	uint64_t	*lines, *packets, *events, *flow_records, *netstat;
	uint64_t	*counters, *listening, *other, *flows_out, *flows_new;
	uint64_t	*event_only, *interim, *ifaces_out, *frag_joined;
	uint64_t	*frag_orphans, *backwards, *nonip, *unplaced;
	uint64_t	*no_type, *bad_type, *bad_packet;
	uint64_t	*bad_event, *bad_time, *degenerate, *role_conflict;
	uint64_t	*evicted, *lost;
	uint64_t	*l7_conflicts;	/* made at the first one */
	struct badline	 bad;		/* lines that are not records */
};

struct flowagg {
	struct flowagg_conf conf;
	flowagg_out_fn	 out;
	void		*arg;
	struct stats	*st;
	struct fa_ctrs	 c;
	struct flowtab	*ft;
	struct record	 rec;
	struct evf_reader rd;
	struct evf_event *ev;
	struct sbuf	 ob;
	int64_t		 now;		/* largest record time, microseconds */
	int64_t		 maxfirst;	/* largest first time of a record */
	bool		 started;
	int64_t		 next_interim;
	bool		 lost;
	struct fa_ifstat *ifs;
	size_t		 nifs;
	struct fa_frag	*frags;
	struct fa_acache acache[FA_ACACHE];
	unsigned	 anext;
	/* The last _iface text and its id: records of one interface tend
	 * to come in runs. */
	char		 lastif[128];
	size_t		 lastiflen;
	uint16_t	 lastifid;
	bool		 haslastif;
};

void
flowagg_defaults(struct flowagg_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->ft.idle_us = 60 * FA_SEC;
	c->ft.active_us = 0;
	c->ft.closing_us = 5 * FA_SEC;
	c->ft.max_flows = 0;
}

static void
fa_write(struct flowagg *fa)
{
	if (fa->out(fa->arg, fa->ob.p, fa->ob.len) != 0) {
		/* A reader that went away (EPIPE) ends the stage quietly:
		 * exit 1, counters only. */
		if (!fa->lost && errno != EPIPE)
			stats_bad(fa->st, fa->c.lost, "output",
			    "write failed: %s", strerror(errno));
		else
			(*fa->c.lost)++;
		fa->lost = true;
	}
}

static void
fa_emit(void *arg, const struct flow *f, enum flow_end why)
{
	struct flowagg *fa = arg;

	sbuf_reset(&fa->ob);
	flowout_flow(&fa->ob, fa->ft, f, why);
	fa_write(fa);
	if (why == FLOW_END_NONE)
		(*fa->c.interim)++;
	else
		(*fa->c.flows_out)++;
	if (why == FLOW_END_EVICTED)
		(*fa->c.evicted)++;
}

struct flowagg *
flowagg_new(const struct flowagg_conf *c, flowagg_out_fn out, void *arg,
    struct stats *st)
{
	struct flowagg *fa;

	if ((fa = calloc(1, sizeof(*fa))) == NULL ||
	    (fa->ev = calloc(1, sizeof(*fa->ev))) == NULL ||
	    (fa->frags = calloc(FA_FRAGS, sizeof(*fa->frags))) == NULL) {
		perror("flowagg");
		exit(1);
	}
	fa->conf = *c;
	fa->out = out;
	fa->arg = arg;
	fa->st = st;
	fa->ft = flowtab_new(&c->ft, fa_emit, fa);
	record_init(&fa->rec);
	evf_reader_init(&fa->rd);
	fa->c.lines = stats_ctr(st, "records_in");
	fa->c.packets = stats_ctr(st, "packet_records");
	fa->c.events = stats_ctr(st, "flow_events");
	fa->c.flow_records = stats_ctr(st, "flow_records");
	fa->c.netstat = stats_ctr(st, "netstat_events");
	fa->c.listening = stats_ctr(st, "listening_events");
	fa->c.counters = stats_ctr(st, "counters_events");
	fa->c.other = stats_ctr(st, "other_events");
	fa->c.flows_new = stats_ctr(st, "flows_created");
	fa->c.event_only = stats_ctr(st, "event_only_flows");
	fa->c.flows_out = stats_ctr(st, "flows_written");
	fa->c.interim = stats_ctr(st, "interim_written");
	fa->c.ifaces_out = stats_ctr(st, "iface_written");
	fa->c.evicted = stats_ctr(st, "flows_evicted");
	fa->c.frag_joined = stats_ctr(st, "fragments_joined");
	fa->c.frag_orphans = stats_ctr(st, "fragments_orphan");
	fa->c.nonip = stats_ctr(st, "nonip_packets");
	fa->c.backwards = stats_ctr(st, "time_backwards");
	fa->c.unplaced = stats_ctr(st, "unplaced");
	badline_init(&fa->c.bad, st);
	fa->c.no_type = stats_ctr(st, "no_type");
	fa->c.bad_type = stats_ctr(st, "unknown_type");
	fa->c.bad_packet = stats_ctr(st, "bad_packet");
	fa->c.bad_event = stats_ctr(st, "bad_event");
	fa->c.bad_time = stats_ctr(st, "bad_timestamp");
	fa->c.degenerate = stats_ctr(st, "degenerate_events");
	fa->c.role_conflict = stats_ctr(st, "role_conflicts");
	fa->c.lost = stats_ctr(st, "lost");
	return fa;
}

static void
fa_kv_free(struct fa_kv *kv)
{
	struct fa_kv *n;

	for (; kv != NULL; kv = n) {
		n = kv->next;
		free(kv->name);
		free(kv->json);
		free(kv);
	}
}

void
flowagg_destroy(struct flowagg **fap)
{
	struct flowagg *fa = *fap;
	size_t i;

	if (fa == NULL)
		return;
	flowtab_destroy(&fa->ft);
	record_free(&fa->rec);
	evf_reader_free(&fa->rd);
	sbuf_free(&fa->ob);
	for (i = 0; i < fa->nifs; i++) {
		fa_kv_free(fa->ifs[i].counters);
		fa_kv_free(fa->ifs[i].listening);
	}
	free(fa->ifs);
	free(fa->frags);
	free(fa->ev);
	free(fa);
	*fap = NULL;
}

bool
flowagg_lost(const struct flowagg *fa)
{
	return fa->lost;
}

const struct flowtab *
flowagg_table(const struct flowagg *fa)
{
	return fa->ft;
}

/* ---- interfaces and their summaries ---- */

static uint16_t
fa_iface(struct flowagg *fa, const char *name, size_t len)
{
	uint16_t id;
	size_t n;

	if (fa->haslastif && len == fa->lastiflen &&
	    memcmp(name, fa->lastif, len) == 0)
		return fa->lastifid;
	id = flowtab_iface(fa->ft, name, len);
	if (id >= fa->nifs) {
		n = (size_t)id + 1;
		if ((fa->ifs = realloc(fa->ifs, n * sizeof(*fa->ifs))) ==
		    NULL) {
			perror("flowagg");
			exit(1);
		}
		memset(fa->ifs + fa->nifs, 0, (n - fa->nifs) *
		    sizeof(*fa->ifs));
		fa->nifs = n;
	}
	if (len < sizeof(fa->lastif)) {
		memcpy(fa->lastif, name, len);
		fa->lastiflen = len;
		fa->lastifid = id;
		fa->haslastif = true;
	}
	return id;
}

/* The id of the interface an "_iface" member names (escapes decoded),
 * or -1 if it is not a usable string. */
static int
fa_iface_field(struct flowagg *fa, const struct rec_field *f)
{
	char buf[256];
	int n;

	if (f == NULL || f->kind != REC_STRING)
		return -1;
	if (!f->vesc)
		return fa_iface(fa, f->val + 1, f->vlen - 2);
	if ((n = rec_str(f, buf, sizeof(buf))) < 0)
		return -1;
	return fa_iface(fa, buf, (size_t)n);
}

/* Replaces (or adds, at the end) the entry called name. */
static void
fa_kv_set(struct fa_kv **head, const char *name, const char *json,
    size_t jlen)
{
	struct fa_kv **pp, *kv;
	char *j;

	if ((j = malloc(jlen + 1)) == NULL) {
		perror("flowagg");
		exit(1);
	}
	memcpy(j, json, jlen);
	j[jlen] = '\0';
	for (pp = head; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0) {
			free((*pp)->json);
			(*pp)->json = j;
			return;
		}
	if ((kv = calloc(1, sizeof(*kv))) == NULL ||
	    (kv->name = strdup(name)) == NULL) {
		perror("flowagg");
		exit(1);
	}
	kv->json = j;
	*pp = kv;
}

static void
fa_write_iface(struct flowagg *fa, uint16_t id, bool interim)
{
	struct fa_ifstat *s = &fa->ifs[id];
	const char *name = flowtab_iface_name(fa->ft, id);
	struct sbuf *b = &fa->ob;
	struct fa_kv *kv;

	sbuf_reset(b);
	sbuf_adds(b, "{\"_type\":\"iface\",\"_iface\":");
	sbuf_add_jstr(b, name, strlen(name));
	if (interim)
		sbuf_adds(b, ",\"_interim\":true");
	sbuf_adds(b, ",\"timestamp\":\"");
	flowout_time(b, fa->now);
	sbuf_adds(b, "\",\"PACKETS\":");
	sbuf_add_u64(b, s->pkts);
	sbuf_adds(b, ",\"BYTES\":");
	sbuf_add_u64(b, s->bytes);
	sbuf_adds(b, ",\"PACKET_RECORDS\":");
	sbuf_add_u64(b, s->packet_records);
	sbuf_adds(b, ",\"EVENTS\":");
	sbuf_add_u64(b, s->events);
	sbuf_adds(b, ",\"FLOW_RECORDS\":");
	sbuf_add_u64(b, s->flow_records);
	sbuf_adds(b, ",\"FLOWS_ACTIVE\":");
	sbuf_add_u64(b, flowtab_iface_active(fa->ft, id));
	sbuf_adds(b, ",\"FLOWS_EXPIRED\":");
	sbuf_add_u64(b, flowtab_iface_expired(fa->ft, id));
	if (s->counters != NULL) {
		sbuf_adds(b, ",\"IF_COUNTERS\":{");
		for (kv = s->counters; kv != NULL; kv = kv->next) {
			if (kv != s->counters)
				sbuf_addc(b, ',');
			sbuf_add_jstr(b, kv->name, strlen(kv->name));
			sbuf_addc(b, ':');
			sbuf_adds(b, kv->json);
		}
		sbuf_addc(b, '}');
	}
	if (s->listening != NULL) {
		sbuf_adds(b, ",\"LISTENING\":[");
		for (kv = s->listening; kv != NULL; kv = kv->next) {
			if (kv != s->listening)
				sbuf_addc(b, ',');
			sbuf_adds(b, kv->json);
		}
		sbuf_addc(b, ']');
	}
	sbuf_addc(b, '}');
	fa_write(fa);
	(*fa->c.ifaces_out)++;
}

static void
fa_interim(struct flowagg *fa)
{
	uint16_t i;

	flowtab_foreach(fa->ft, fa_emit, fa);
	if (!fa->conf.no_ifaces)
		for (i = 0; i < flowtab_nifaces(fa->ft); i++)
			fa_write_iface(fa, i, true);
}

/* ---- the clock ---- */

/* Advances the clock to last (the record's last-seen time; its first is
 * t), expires what that makes old and writes the interim updates that
 * fall due. A record whose first time is older than an earlier record's
 * is counted as going backwards (slices of one window end in any order,
 * so their last times are not compared); it is still used. */
static void
fa_clock(struct flowagg *fa, int64_t t, int64_t last)
{
	int64_t iv = fa->conf.interim_us;

	if (!fa->started) {
		fa->started = true;
		fa->now = last;
		fa->maxfirst = t;
		if (iv > 0)
			fa->next_interim = (last / iv + 1) * iv;
		return;
	}
	if (t < fa->maxfirst)
		(*fa->c.backwards)++;
	else
		fa->maxfirst = t;
	if (last <= fa->now)
		return;
	fa->now = last;
	flowtab_expire(fa->ft, fa->now);
	if (iv > 0 && fa->now >= fa->next_interim) {
		fa_interim(fa);
		fa->next_interim = (fa->now / iv + 1) * iv;
	}
}

/* "S.F" (string or number, F up to 9 digits, cut to microseconds) into
 * microseconds. 0, or -1 if it is not such a time. */
static int
fa_time(const struct rec_field *f, int64_t *us)
{
	const char *s;
	size_t n, i = 0;
	int64_t sec = 0, frac = 0;
	int digits = 0;

	if (f->kind == REC_STRING) {
		s = f->val + 1;
		n = f->vlen - 2;
	} else if (f->kind == REC_NUMBER) {
		s = f->val;
		n = f->vlen;
	} else
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (sec > 9000000000000LL)
			return -1;
		sec = sec * 10 + (s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (digits < 6) {
				frac = frac * 10 + (s[i] - '0');
				digits++;
			}
		for (; digits < 6; digits++)
			frac *= 10;
	}
	if (i != n)
		return -1;
	*us = sec * FA_SEC + frac;
	return 0;
}

/* ---- packets ---- */

static bool
fa_keyis(const struct rec_field *f, const char *k, size_t klen)
{
	return f->klen == klen && memcmp(f->key, k, klen) == 0;
}
#define KEYIS(f, lit)	fa_keyis((f), (lit), sizeof(lit) - 1)

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

/* The application field a key names, or FL7_N. */
static enum flow_l7f
fa_l7_key(const struct rec_field *f)
{
	int i;

	if (f->klen < 8 || f->kesc || (f->key[0] != 'L' && f->key[0] != 'D' &&
	    f->key[0] != 'H' && f->key[0] != 'T' && f->key[0] != 'J'))
		return FL7_N;
	for (i = 0; i < FL7_N; i++)
		if (fa_keyis(f, flowtab_l7_name((enum flow_l7f)i),
		    strlen(flowtab_l7_name((enum flow_l7f)i))))
			return (enum flow_l7f)i;
	return FL7_N;
}

/* Gives f the application fields of r (string members only): the first
 * value of a field stays, a different later one is counted. */
static void
fa_l7(struct flowagg *fa, struct flow *f, const struct record *r)
{
	enum flow_l7f k;
	size_t i;

	for (i = 0; i < r->nf; i++) {
		if (r->f[i].kind != REC_STRING ||
		    (k = fa_l7_key(&r->f[i])) == FL7_N)
			continue;
		if (flowtab_l7_set(f, k, r->f[i].val, r->f[i].vlen) >= 0)
			continue;
		if (fa->c.l7_conflicts == NULL)
			fa->c.l7_conflicts = stats_ctr(fa->st, "l7_conflicts");
		(*fa->c.l7_conflicts)++;
	}
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
		if (KEYIS(f, "_iface"))
			p->iface = f;
		else if (KEYIS(f, "_nonip"))
			p->nonip = true;
		return true;
	case 't':
		if (KEYIS(f, "timestamp"))
			p->time = f;
		return true;
	case 'L':
		if (KEYIS(f, "LAST_TIMESTAMP"))
			p->last = f;
		else if (KEYIS(f, "L4_SRC_PORT"))
			dst = &p->sport;
		else if (KEYIS(f, "L4_DST_PORT"))
			dst = &p->dport;
		else
			p->l7 |= fa_l7_key(f) != FL7_N;
		break;
	case 'V':
		if (KEYIS(f, "VLAN_ID"))
			dst = &p->vlan;
		break;
	case 'I':
		if (KEYIS(f, "IPV4_SRC_ADDR"))
			p->src = f;
		else if (KEYIS(f, "IPV4_DST_ADDR"))
			p->dst = f;
		else if (KEYIS(f, "IPV6_SRC_ADDR"))
			p->src = f, p->v6 = true;
		else if (KEYIS(f, "IPV6_DST_ADDR"))
			p->dst = f, p->v6 = true;
		return true;
	case 'P':
		if (KEYIS(f, "PROTOCOL"))
			dst = &p->proto;
		else if (KEYIS(f, "PKTS"))
			dst = &p->pkts;
		break;
	case 'T':
		if (KEYIS(f, "TCP_FLAGS"))
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
		if (KEYIS(f, "FRAG_ID"))
			dst = &p->fragid;
		break;
	case 'B':
		if (KEYIS(f, "BYTES"))
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

static void
fa_packet(struct flowagg *fa, const struct record *r)
{
	struct fa_pkt p;
	struct flowtab_key k;
	struct fa_frag *fr;
	struct flow *f;
	int64_t t, last;
	size_t i;
	uint16_t ifid;
	int dir, n;
	bool later_frag = false;

	memset(&p, 0, sizeof(p));
	p.pkts = 1;
	p.fragid = -1;
	p.sport = p.dport = -1;
	for (i = 0; i < r->nf; i++)
		if (!fa_pkt_field(&r->f[i], &p)) {
			stats_bad(fa->st, fa->c.bad_packet, "packet",
			    "member %.*s has a bad value", (int)r->f[i].klen,
			    r->f[i].key);
			return;
		}
	(*fa->c.packets)++;
	if ((n = fa_iface_field(fa, p.iface)) < 0) {
		stats_bad(fa->st, fa->c.bad_packet, "packet",
		    "no _iface string");
		(*fa->c.unplaced)++;
		return;
	}
	ifid = (uint16_t)n;
	if (p.time == NULL || fa_time(p.time, &t) != 0) {
		stats_bad(fa->st, fa->c.bad_time, "packet",
		    "no usable timestamp");
		return;
	}
	last = t;
	if (p.last != NULL && (fa_time(p.last, &last) != 0 || last < t)) {
		stats_bad(fa->st, fa->c.bad_time, "packet",
		    "bad LAST_TIMESTAMP");
		last = t;
	}
	fa_clock(fa, t, last);
	fa->ifs[ifid].packet_records++;
	fa->ifs[ifid].pkts += (uint64_t)p.pkts;
	fa->ifs[ifid].bytes += (uint64_t)p.bytes;
	if (p.nonip || (p.src == NULL && p.dst == NULL)) {
		(*fa->c.nonip)++;
		return;
	}
	memset(&k, 0, sizeof(k));
	if (!fa_addr(fa, p.src, p.v6, k.addr[0]) ||
	    !fa_addr(fa, p.dst, p.v6, k.addr[1]) || p.proto < 0 ||
	    p.proto > 255 || p.sport > 65535 || p.dport > 65535 ||
	    p.flags > 255 || p.vlan > 4095) {
		stats_bad(fa->st, fa->c.bad_packet, "packet",
		    "bad address, protocol, port or VLAN");
		(*fa->c.unplaced)++;
		return;
	}
	k.family = p.v6 ? 6 : 4;
	k.proto = (uint8_t)p.proto;
	k.iface = ifid;
	if (fa->conf.vlan_key)
		k.vlan = (uint16_t)p.vlan;
	if (p.sport >= 0 && p.dport >= 0) {
		k.port[0] = (uint16_t)p.sport;
		k.port[1] = (uint16_t)p.dport;
	} else if (p.fragid >= 0)
		later_frag = true;
	if (p.fragid >= 0) {
		fr = fa_frag_slot(fa, &k, (uint32_t)p.fragid);
		if (!later_frag) {
			fr->key = k;
			fr->id = (uint32_t)p.fragid;
			fr->t = last;
			fr->used = true;
		} else if (fa_frag_match(fr, &k, (uint32_t)p.fragid) &&
		    last - fr->t <= FA_FRAG_TTL) {
			k = fr->key;
			(*fa->c.frag_joined)++;
		} else
			(*fa->c.frag_orphans)++;
	}
	if ((f = flowtab_lookup(fa->ft, &k, &dir)) == NULL) {
		f = flowtab_insert(fa->ft, &k, t);
		(*fa->c.flows_new)++;
		dir = 0;
	} else
		flowtab_check_active(fa->ft, f, t);
	if (k.proto == 6 && !later_frag)
		dir = fa_settle(f, dir, p.flags, p.pkts);
	f->pkts[dir] += (uint64_t)p.pkts;
	f->bytes[dir] += (uint64_t)p.bytes;
	f->flags[dir] |= (uint8_t)p.flags;
	f->state |= FLOW_HAS_PKTS;
	if (p.l7)
		fa_l7(fa, f, r);
	flowtab_touch(fa->ft, f, t);
	flowtab_touch(fa->ft, f, last);
	if (k.proto == 6 && (p.flags & TH_RST))
		flowtab_closing(fa->ft, f, FLOW_END_RST);
	else if (k.proto == 6 && (p.flags & TH_FIN))
		flowtab_closing(fa->ft, f, FLOW_END_FIN);
}

/* ---- events, netstat updates and plain flow records ---- */

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
	if ((rx = record_get(r, "_rx")) != NULL && fa_time(rx, &t) == 0)
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
fa_ev_counters(struct flowagg *fa, struct flow *f,
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
	if (c->has_first && fa_sane_secs(c->first_switched))
		flowtab_touch(fa->ft, f, (int64_t)(c->first_switched * 1e6));
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
	 * directional blocks on their sides. */
	fa_proc_from_evf(&p, ev);
	flowtab_set_proc(fa->ft, f, local ^ dir, &p);
	fa_proc_from_agent(&p, &ev->src_proc);
	flowtab_set_proc(fa->ft, f, dir, &p);
	fa_proc_from_agent(&p, &ev->dst_proc);
	flowtab_set_proc(fa->ft, f, !dir, &p);

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
		fa_l7(fa, f, r);
	flowtab_touch(fa->ft, f, ps->t);
	if (ev->type == EVF_EV_CLOSE || ev->type == EVF_EV_CONNECT_FAILED)
		flowtab_closing(fa->ft, f, FLOW_END_CLOSE);
}

/* A flow event, a netstat socket update or a plain flow record, already
 * read into fa->ev. */
static void
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
		fa_ev_counters(fa, f, &ev->ctr, ps.dir);
	else if (kind == 0)
		f->events++;
	fa_ev_details(fa, f, r, ev, &ps);
}

/* The members of r without the pipeline's "_" keys, as one compact
 * object. */
static void
fa_payload(struct sbuf *b, const struct record *r)
{
	size_t i;
	bool first = true;

	sbuf_addc(b, '{');
	for (i = 0; i < r->nf; i++) {
		if (r->f[i].klen > 0 && r->f[i].key[0] == '_')
			continue;
		if (!first)
			sbuf_addc(b, ',');
		first = false;
		sbuf_addc(b, '"');
		sbuf_add(b, r->f[i].key, r->f[i].klen);
		sbuf_adds(b, "\":");
		json_compact(b, r->f[i].val, r->f[i].vlen);
	}
	sbuf_addc(b, '}');
}

static void
fa_counters(struct flowagg *fa, const struct record *r, uint16_t ifid)
{
	const struct rec_field *f;
	char name[128];
	int64_t idx;
	struct sbuf b = { 0 };

	(*fa->c.counters)++;
	if ((f = record_get(r, "ifName")) != NULL &&
	    rec_str(f, name, sizeof(name)) >= 0)
		;
	else if ((f = record_get(r, "ifIndex")) != NULL &&
	    rec_i64(f, &idx) == 0)
		snprintf(name, sizeof(name), "%lld", (long long)idx);
	else
		snprintf(name, sizeof(name), "%s", "");
	fa_payload(&b, r);
	fa_kv_set(&fa->ifs[ifid].counters, name, b.p, b.len);
	sbuf_free(&b);
}

static void
fa_listening(struct flowagg *fa, const struct record *r, uint16_t ifid)
{
	const struct rec_field *f;
	struct sbuf host = { 0 }, b = { 0 };

	(*fa->c.listening)++;
	if ((f = record_get(r, "ip-addresses")) != NULL)
		json_compact(&host, f->val, f->vlen);
	else
		sbuf_adds(&host, "[]");
	fa_payload(&b, r);
	fa_kv_set(&fa->ifs[ifid].listening, host.p, b.p, b.len);
	sbuf_free(&host);
	sbuf_free(&b);
}

enum { FA_EV_FLOW, FA_EV_NETSTAT, FA_EV_COUNTERS, FA_EV_OTHER,
	FA_EV_UNKNOWN };

/* The _event kind, derived by ntopmsg_event() when absent. */
static int
fa_event_kind(const struct record *r)
{
	/* In the order of the FA_EV_ values. */
	static const char *const kinds[] = { "flow", "netstat", "counters",
	    "other" };
	const struct rec_field *e, *t;
	const char *topic = NULL, *ev;
	size_t i;

	if ((e = record_get(r, "_event")) == NULL) {
		if ((t = record_get(r, "_topic")) != NULL) {
			/* A topic ntopng does not know is "other". */
			topic = "?";
			for (i = 0; ntopmsg_topics[i] != NULL; i++)
				if (rec_streq(t, ntopmsg_topics[i]))
					topic = ntopmsg_topics[i];
		}
		ev = ntopmsg_event(topic, r);
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (e != NULL ? rec_streq(e, kinds[i]) :
		    strcmp(ev, kinds[i]) == 0)
			return (int)i;
	return FA_EV_UNKNOWN;
}

static void
fa_event(struct flowagg *fa, const struct record *r)
{
	const struct rec_field *ifr;
	uint16_t ifid;
	int kind, n;
	unsigned bit;

	ifr = record_get(r, "_iface");
	if ((n = fa_iface_field(fa, ifr)) < 0) {
		stats_bad(fa->st, fa->c.bad_event, "event",
		    "no _iface string: cannot be placed");
		(*fa->c.unplaced)++;
		return;
	}
	ifid = (uint16_t)n;
	kind = fa_event_kind(r);
	if (kind == FA_EV_OTHER || kind == FA_EV_UNKNOWN) {
		(*fa->c.other)++;
		return;
	}
	fa->ifs[ifid].events++;
	if (kind == FA_EV_COUNTERS) {
		fa_counters(fa, r, ifid);
		return;
	}
	if (kind == FA_EV_NETSTAT && record_get(r, "listening-ports")) {
		fa_listening(fa, r, ifid);
		return;
	}
	if (evf_read(&fa->rd, r, fa->ev) != 0) {
		/* Unusable fields are treated as absent; say which. */
		for (bit = 1; bit != 0 && bit <= fa->ev->bad; bit <<= 1)
			if (fa->ev->bad & bit)
				stats_add(fa->st, evf_badname(bit), 1);
	}
	if (kind == FA_EV_NETSTAT)
		(*fa->c.netstat)++;
	else if (fa->ev->type == EVF_EV_NONE) {
		(*fa->c.flow_records)++;
		fa->ifs[ifid].events--;
		fa->ifs[ifid].flow_records++;
	} else
		(*fa->c.events)++;
	fa_flowish(fa, r, ifid, kind == FA_EV_NETSTAT ? 1 : 0);
}

void
flowagg_line(struct flowagg *fa, const char *line, size_t len)
{
	const struct rec_field *ty;
	int e;

	(*fa->c.lines)++;
	if ((e = record_parse(&fa->rec, line, len)) != REC_OK) {
		badline_count(&fa->c.bad, e);
		return;
	}
	ty = fa->rec.nf > 0 && KEYIS(&fa->rec.f[0], "_type") ?
	    &fa->rec.f[0] : record_get(&fa->rec, "_type");
	if (ty == NULL) {
		stats_bad(fa->st, fa->c.no_type, "input",
		    "record without _type");
		return;
	}
	if (ty->kind == REC_STRING && ty->vlen == 8 &&
	    memcmp(ty->val, "\"packet\"", 8) == 0)
		fa_packet(fa, &fa->rec);
	else if (rec_streq(ty, "event"))
		fa_event(fa, &fa->rec);
	else
		stats_bad(fa->st, fa->c.bad_type, "input",
		    "_type %.*s is not packet or event", (int)ty->vlen,
		    ty->val);
	/* A flow closed with a zero timeout ends at once. */
	if (fa->started)
		flowtab_expire(fa->ft, fa->now);
}

void
flowagg_finish(struct flowagg *fa)
{
	uint16_t i;

	flowtab_flush(fa->ft, FLOW_END_EOF);
	if (!fa->conf.no_ifaces)
		for (i = 0; i < flowtab_nifaces(fa->ft); i++)
			fa_write_iface(fa, i, false);
}

/* ---- the loop ---- */

static int
fa_sink_out(void *arg, const char *rec, size_t len)
{
	return sink_write(arg, rec, len);
}

static int
fa_line_cb(void *arg, const char *line, size_t len, int input)
{
	(void)input;
	flowagg_line(arg, line, len);
	return 0;
}

int
flowagg_run(const struct flowagg_conf *c, struct linebuf *in,
    struct sink *out, struct stats *st, volatile sig_atomic_t *stop,
    volatile sig_atomic_t *usr1)
{
	struct flowagg *fa;
	int rc, ret = 0;

	fa = flowagg_new(c, fa_sink_out, out, st);
	while (stop == NULL || !*stop) {
		rc = linebuf_poll(in, 1000, fa_line_cb, fa);
		if (usr1 != NULL && *usr1) {
			*usr1 = 0;
			stats_print(st, stderr);
		}
		/* Output lost (the reader went away): nothing more can be
		 * delivered, so stop instead of reading on for nobody. */
		if (rc == LINEBUF_EOF || flowagg_lost(fa))
			break;
	}
	flowagg_finish(fa);
	if (flowagg_lost(fa) || sink_flush(out) != 0)
		ret = 1;
	flowagg_destroy(&fa);
	return ret;
}
