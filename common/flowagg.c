/* flowagg.c - flow-agg's core (include/flowagg.h; doc/design.md "The
 * stages", doc/wire-format.md "eBPF events" and "Interface dispatch"):
 * the records' dispatch, the interfaces, the clock and the loop. Packet
 * records are added to flows in flowaggpkt.c, events and flow records in
 * flowaggev.c.
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

#include "evfields.h"
#include "evkeys.h"
#include "flowagg.h"
#include "flowaggint.h"
#include "flowout.h"
#include "ipaddr.h"
#include "linebuf.h"
#include "ntopmsg.h"
#include "record.h"
#include "sbuf.h"
#include "sink.h"
#include "stats.h"

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
	fa_last_free(&fa->last);
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
	return id;
}

/* The id of the interface an "_iface" member names (escapes decoded),
 * or -1 if it is not a usable string. */
int
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
	sbuf_adds(b, "{\"" EVK_TYPE "\":\"iface\",\"" EVK_IFACE "\":");
	sbuf_add_jstr(b, name, strlen(name));
	if (interim)
		sbuf_adds(b, ",\"" EVK_INTERIM "\":true");
	sbuf_adds(b, ",\"" EVK_TIMESTAMP "\":\"");
	sbuf_add_us(b, fa->now);
	sbuf_adds(b, "\",\"" EVK_PACKETS "\":");
	sbuf_add_u64(b, s->pkts);
	sbuf_adds(b, ",\"" EVK_BYTES "\":");
	sbuf_add_u64(b, s->bytes);
	sbuf_adds(b, ",\"" EVK_PACKET_RECORDS "\":");
	sbuf_add_u64(b, s->packet_records);
	sbuf_adds(b, ",\"" EVK_EVENTS "\":");
	sbuf_add_u64(b, s->events);
	sbuf_adds(b, ",\"" EVK_FLOW_RECORDS "\":");
	sbuf_add_u64(b, s->flow_records);
	sbuf_adds(b, ",\"" EVK_FLOWS_ACTIVE "\":");
	sbuf_add_u64(b, flowtab_iface_active(fa->ft, id));
	sbuf_adds(b, ",\"" EVK_FLOWS_EXPIRED "\":");
	sbuf_add_u64(b, flowtab_iface_expired(fa->ft, id));
	if (s->counters != NULL) {
		sbuf_adds(b, ",\"" EVK_IF_COUNTERS "\":{");
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
		sbuf_adds(b, ",\"" EVK_LISTENING "\":[");
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
void
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

/* A record time (rec_time()) in microseconds. 0, or -1 if f is no time
 * or one that microseconds cannot hold. */
int
fa_time(const struct rec_field *f, int64_t *us)
{
	int64_t sec;
	int32_t usec;

	if (rec_time(f, &sec, &usec) != 0 ||
	    sec > (INT64_MAX - (FA_SEC - 1)) / FA_SEC)
		return -1;
	*us = sec * FA_SEC + usec;
	return 0;
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
	if ((f = record_get(r, EVK_IFNAME)) != NULL &&
	    rec_str(f, name, sizeof(name)) >= 0)
		;
	else if ((f = record_get(r, EVK_IFINDEX)) != NULL &&
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
	if ((f = record_get(r, EVK_IP_ADDRESSES)) != NULL)
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

/* Is member f's key the literal lit? (Plain keys only.) */
#define FA_HEADIS(f, lit)	((f)->klen == sizeof(lit) - 1 && \
	    memcmp((f)->key, (lit), sizeof(lit) - 1) == 0)

/* Fills h in one walk of r, which ends once _type, _iface and _event are
 * found (they lead every record the pipeline writes) or _type says
 * "packet" (a packet record reads its own members). A record with an
 * escaped key, which could spell any of them, is looked up key by key. */
static void
fa_heads(const struct record *r, struct fa_heads *h)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];

		if (f->kesc)
			goto slow;
		if (f->klen < 5 || f->klen > 6 || f->key[0] != '_')
			continue;
		if (h->type == NULL && FA_HEADIS(f, EVK_TYPE)) {
			h->type = f;
			if (f->vlen == 8 && memcmp(f->val, "\"packet\"", 8) == 0)
				return;
		} else if (h->iface == NULL && FA_HEADIS(f, EVK_IFACE))
			h->iface = f;
		else if (h->event == NULL && FA_HEADIS(f, EVK_EVENT))
			h->event = f;
		else if (h->topic == NULL && FA_HEADIS(f, EVK_TOPIC))
			h->topic = f;
		else
			continue;
		if (h->type != NULL && h->iface != NULL && h->event != NULL)
			return;
	}
	return;
slow:
	h->type = record_get(r, EVK_TYPE);
	h->iface = record_get(r, EVK_IFACE);
	h->event = record_get(r, EVK_EVENT);
	h->topic = record_get(r, EVK_TOPIC);
}

/* fa_heads() of r. A copy spliced from the event in fa->rec has that
 * event's members one further on (its first, _from, is none of the four)
 * and the same values but _iface's, which the walk does not test: they
 * are not looked for again. */
static void
fa_heads_of(struct flowagg *fa, const struct record *r, struct fa_heads *h)
{
	const struct fa_heads *x = &fa->last.heads;

#define FA_HEAD_AT(p)	((p) == NULL ? NULL : r->f + ((p) - fa->rec.f) + 1)
	if (r == &fa->last.copy && fa->last.spliced) {
		h->type = FA_HEAD_AT(x->type);
		h->iface = FA_HEAD_AT(x->iface);
		h->event = FA_HEAD_AT(x->event);
		h->topic = FA_HEAD_AT(x->topic);
		return;
	}
#undef FA_HEAD_AT
	fa_heads(r, h);
	if (r == &fa->rec)
		fa->last.heads = *h;
}

/* Is f a string whose decoded value is the literal lit? */
#define FA_STREQ(f, lit)	((f)->kind == REC_STRING && !(f)->vesc ? \
	    (f)->vlen == sizeof(lit) + 1 && \
	    memcmp((f)->val + 1, (lit), sizeof(lit) - 1) == 0 : \
	    rec_streq((f), (lit)))

/* The _event kind, derived by ntopmsg_event() when absent. */
static int
fa_event_kind(const struct record *r, const struct fa_heads *h)
{
	/* In the order of the FA_EV_ values. */
	static const char *const kinds[] = { "flow", "netstat", "counters",
	    "other" };
	const struct rec_field *e = h->event, *t = h->topic;
	const char *topic = NULL, *ev;
	size_t i;

	if (e != NULL) {
		if (FA_STREQ(e, "flow"))
			return FA_EV_FLOW;
		for (i = 1; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (rec_streq(e, kinds[i]))
				return (int)i;
		return FA_EV_UNKNOWN;
	}
	if (t != NULL) {
		/* A topic ntopng does not know is "other". */
		topic = "?";
		for (i = 0; ntopmsg_topics[i] != NULL; i++)
			if (rec_streq(t, ntopmsg_topics[i]))
				topic = ntopmsg_topics[i];
	}
	ev = ntopmsg_event(topic, r);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(ev, kinds[i]) == 0)
			return (int)i;
	return FA_EV_UNKNOWN;
}

static void
fa_event(struct flowagg *fa, const struct record *r, const struct fa_heads *h)
{
	uint16_t ifid;
	int kind, n;
	unsigned bit;

	if ((n = fa_iface_field(fa, h->iface)) < 0) {
		stats_bad(fa->st, fa->c.bad_event, "event",
		    "no _iface string: cannot be placed");
		(*fa->c.unplaced)++;
		return;
	}
	ifid = (uint16_t)n;
	kind = fa_event_kind(r, h);
	if (kind == FA_EV_OTHER || kind == FA_EV_UNKNOWN) {
		(*fa->c.other)++;
		return;
	}
	fa->ifs[ifid].events++;
	if (kind == FA_EV_COUNTERS) {
		fa_counters(fa, r, ifid);
		return;
	}
	if (kind == FA_EV_NETSTAT && record_get(r, EVK_LISTENING_PORTS)) {
		fa_listening(fa, r, ifid);
		return;
	}
	if (fa_ev_read(fa, r) != 0) {
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
	const struct record *r;
	struct fa_heads h;
	int e;

	(*fa->c.lines)++;
	if ((e = fa_parse(fa, line, len, &r)) != REC_OK) {
		badline_count(&fa->c.bad, e);
		return;
	}
	fa_heads_of(fa, r, &h);
	if ((ty = h.type) == NULL) {
		stats_bad(fa->st, fa->c.no_type, "input",
		    "record without _type");
		return;
	}
	if (ty->kind == REC_STRING && ty->vlen == 8 &&
	    memcmp(ty->val, "\"packet\"", 8) == 0)
		fa_packet(fa, r);
	else if (FA_STREQ(ty, "event"))
		fa_event(fa, r, &h);
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

/* A record the sink dropped is counted there; only an error stops. */
static int
fa_sink_out(void *arg, const char *rec, size_t len)
{
	return sink_write(arg, rec, len) < 0 ? -1 : 0;
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

