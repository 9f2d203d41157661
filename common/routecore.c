/* routecore.c - ev-route's core loop (include/route.h): each line parsed,
 * decided by route_decide() and written with its copies to its sinks.
 * See man/ev-route.1 (rules, sharding).
 *
 * The hot path reads three things of a record: _type, _iface and, for
 * events, the interface name and addresses (evf_read_ids). The original
 * line is written as received; a copy is the record as record_write()
 * would write it with _iface replaced and _from inserted, which for the
 * usual record is the line spliced around _iface's value, in parts that a
 * one-thread core copies straight into the sink's buffer.
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evkeys.h"
#include "route.h"
#include "routeint.h"
#include "sbuf.h"
#include "xalloc.h"

/* The bytes of a copy's start without its _from value: {"_from": and the
 * comma after the value. */
#define RC_FROMHEAD	(sizeof("{\"" EVK_FROM "\":,") - 1)
/* The parts a spliced copy is written from (route_copy_parts). */
#define RC_NPARTS	4

const struct rc_ctr rc_ctrs[] = {
	{ RC_CTR(c_in), "records_in" },
	{ RC_CTR(c_out), "records_out" },
	{ RC_CTR(c_events), "events" },
	{ RC_CTR(c_passed), "passed" },
	{ RC_CTR(c_ifname_copies), "copies_ifname" },
	{ RC_CTR(c_comp_copies), "copies_companion" },
	{ RC_CTR(c_merged), "companion_is_ifname" },
	{ RC_CTR(c_loopback), "loopback_kept_off_companion" },
	{ RC_CTR(c_bad_address), "bad_address" },
	{ RC_CTR(c_bad_field), "bad_field" },
	{ RC_CTR(c_no_ifname), "no_ifname" },
	{ RC_CTR(c_unknown), "unknown_ifname" },
	{ RC_CTR(c_no_iface), "no_iface" },
	{ RC_CTR(c_malformed), "malformed" },
	{ RC_CTR(c_parse[REC_EMPTY]), NULL },
	{ RC_CTR(c_parse[REC_NOT_OBJECT]), NULL },
	{ RC_CTR(c_parse[REC_SYNTAX]), NULL },
	{ RC_CTR(c_parse[REC_TRUNCATED]), NULL },
	{ RC_CTR(c_parse[REC_UTF8]), NULL },
	{ RC_CTR(c_parse[REC_DEPTH]), NULL },
	{ RC_CTR(c_parse[REC_TRAILING]), NULL },
	{ RC_CTR(c_no_tuple), "shard_no_tuple" },	/* sharding only */
	{ RC_CTR(c_dropped), "dropped" },
	{ RC_CTR(c_lost), "lost" },
};
_Static_assert(sizeof(rc_ctrs) / sizeof(rc_ctrs[0]) == RC_NCTRS,
    "RC_NCTRS counts rc_ctrs");
_Static_assert(RC_NCTRS <= 32, "route_core.local holds every counter");

static void
route_core_addsink(struct route_core *c, struct sink *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < c->nsinks; i++)
		if (c->sinks[i] == s)
			return;
	c->sinks = xreallocarray(c->sinks, c->nsinks + 1, sizeof(*c->sinks));
	c->failed = xreallocarray(c->failed, c->nsinks + 1,
	    sizeof(*c->failed));
	c->sinks[c->nsinks] = s;
	c->failed[c->nsinks++] = false;
}

struct route_core *
route_core_new(const struct route *rt, const struct route_outs *o,
    struct stats *st)
{
	struct route_core *c = calloc(1, sizeof(*c));
	size_t i;

	if (c == NULL)
		err(1, "route");
	c->rt = rt;
	c->o = o;
	c->st = st;
	record_init(&c->rec);
	/* The parse errors have their counters named by record_errname(). */
	for (i = 0; i < RC_NCTRS; i++) {
		size_t off = rc_ctrs[i].off;
		const char *name = rc_ctrs[i].name;

		if (name == NULL)
			name = record_errname((int)((off - RC_CTR(c_parse[0])) /
			    sizeof(uint64_t *)));
		if (off == RC_CTR(c_no_tuple) && o->nshards == 0)
			continue;
		*RC_SLOT(c, i) = stats_ctr(st, name);
	}
	route_core_addsink(c, o->dflt);
	for (i = 0; i < o->n; i++)
		route_core_addsink(c, o->sink[i]);
	for (i = 0; i < o->nshards; i++)
		route_core_addsink(c, o->shard[i]);
	return c;
}

void
route_core_destroy(struct route_core **cp)
{
	struct route_core *c = *cp;

	if (c == NULL)
		return;
	if (c->pool != NULL)
		rt_pool_stop(c);
	record_free(&c->rec);
	sbuf_free(&c->buf);
	sbuf_free(&c->fromhead);
	free(c->sinks);
	free(c->failed);
	free(c->lineno);
	free(c);
	*cp = NULL;
}

/* The sink for interface name[0..len), or the default one. Inlined: most
 * runs name no sink per interface. */
static inline struct sink *
route_sink_for(const struct route_core *c, const char *name, size_t len)
{
	const struct route_outs *o = c->o;
	size_t i;

	if (o->n == 0 || name == NULL)
		return o->dflt;
	for (i = 0; i < o->n; i++)
		if (strncmp(o->iface[i], name, len) == 0 &&
		    o->iface[i][len] == '\0')
			return o->sink[i];
	return o->dflt;
}

/* The sink for a record with these ids under sharding.
 *
 * The shard key is the direction-free address pair and protocol, without
 * the ports. Invariant: every record that flow-agg could put in one flow
 * has the same key, so it lands on one shard. Both directions and the
 * events of a flow share addresses and protocol; so do all fragments of
 * one datagram, and a later fragment carries no ports (flow-agg joins it
 * to its first fragment's flow by addresses, protocol and FRAG_ID, or
 * keeps it port-less), so any key with ports would send it away from its
 * first fragment. A stateless key is needed because with -j the workers
 * decide in parallel, and because several routers may feed one shard.
 * The price: one host pair's flows cannot be spread over shards. */
static struct sink *
route_shard_for(struct route_core *c, const struct evf_ids *in)
{
	struct evf_ids k;
	uint64_t h;

	/* Only what evf_flow_hash() reads is copied (ifname may point into
	 * the struct, so the struct is not copied whole). */
	memset(&k, 0, sizeof(k));
	k.has_src = in->has_src;
	k.has_dst = in->has_dst;
	k.src = in->src;
	k.dst = in->dst;
	k.has_proto = in->has_proto;
	k.proto = in->proto;
	if (!evf_flow_hash(&k, &h)) {
		(*c->c_no_tuple)++;
		return c->o->shard[0];
	}
	return c->o->shard[h % c->o->nshards];
}

/* route_wrote() for a record that was lost. */
static int __attribute__((noinline))
route_lost(struct route_core *c, struct sink *s)
{
	size_t i;

	(*c->c_lost)++;
	c->lost = true;
	for (i = 0; i < c->nsinks; i++)
		if (c->sinks[i] == s && !c->failed[i]) {
			c->failed[i] = true;
			c->nfailed++;
			/* A reader that went away (EPIPE) ends the stage
			 * quietly: exit 1, counters only. */
			if (errno != EPIPE)
				warn("%s", sink_name(s));
		}
	return -1;
}

/* Counts a record written to s (rc from sink_write() or sink_writev(): 1 when
 * it dropped). Returns 0, or -1 if s failed (counted, reported once per
 * sink). Inlined: it follows every write. */
static inline int
route_wrote(struct route_core *c, struct sink *s, int rc)
{
	if (rc < 0)
		return route_lost(c, s);
	if (rc != 0)
		(*c->c_dropped)++;
	else
		(*c->c_out)++;
	return 0;
}

int
route_emit(struct route_core *c, struct sink *s, const char *p, size_t n)
{
	struct rt_batch *b = c->batch;

	if (s == NULL)
		return 0;
	if (b != NULL) {
		struct rt_out *o;

		if (b->nouts == b->ocap) {
			b->ocap = b->ocap ? b->ocap * 2 : 1024;
			b->outs = xreallocarray(b->outs, b->ocap,
			    sizeof(*b->outs));
		}
		o = &b->outs[b->nouts++];
		o->s = s;
		o->len = n;
		if (p >= b->in.p && p < b->in.p + b->in.len) {
			o->own = false;
			o->off = (size_t)(p - b->in.p);
		} else if (p >= b->out.p && p < b->out.p + b->out.len) {
			o->own = true;	/* built there by route_copy */
			o->off = (size_t)(p - b->out.p);
		} else {
			o->own = true;
			o->off = b->out.len;
			sbuf_add(&b->out, p, n);
		}
		return 0;
	}
	return route_wrote(c, s, sink_write(s, p, n));
}

/* Writes the record made of the n parts v to s, as route_emit() writes
 * their concatenation; only in a core of its own (no batch). */
static int
route_emit_parts(struct route_core *c, struct sink *s,
    const struct sink_part *v, size_t n)
{
	if (s == NULL)
		return 0;
	return route_wrote(c, s, sink_writev(s, v, n));
}

/* "INPUT:LINE" of the current line, or "record N" outside route_poll. */
static const char *
route_where(struct route_core *c)
{
	if (c->lb == NULL || c->input < 0)
		snprintf(c->where, sizeof(c->where), "record %llu",
		    (unsigned long long)*c->c_in);
	else
		snprintf(c->where, sizeof(c->where), "%s:%llu",
		    linebuf_name(c->lb, c->input),
		    (unsigned long long)c->line_no);
	return c->where;
}

/* Reports bad input: through stats_bad() in a core of its own, into the
 * batch in a worker. */
static void __attribute__((format(printf, 4, 5)))
route_bad(struct route_core *c, uint64_t *ctr, const char *what,
    const char *fmt, ...)
{
	struct rt_batch *b = c->batch;
	va_list ap;
	size_t i, at;
	int n;

	va_start(ap, fmt);
	if (b == NULL) {
		stats_vbad(c->st, ctr, what, fmt, ap);
		va_end(ap);
		return;
	}
	for (i = 0; i < RC_NCTRS; i++)
		if (*RC_SLOT(c, i) == ctr)
			break;
	if (b->nbads == b->bcap) {
		b->bcap = b->bcap ? b->bcap * 2 : 16;
		b->bads = xreallocarray(b->bads, b->bcap, sizeof(*b->bads));
	}
	at = b->msgs.len;
	sbuf_reserve(&b->msgs, 512);
	n = vsnprintf(b->msgs.p + at, 512, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > 511)
		n = 511;
	b->msgs.len = at + (size_t)n;
	b->bads[b->nbads].ctr = i;
	b->bads[b->nbads].what = what;
	b->bads[b->nbads].off = at;
	b->bads[b->nbads].len = (size_t)n;
	b->nbads++;
}

/* The _iface member where the copies of r can be spliced: r is compact,
 * has one _iface and no _from, and no escaped key (every record
 * zmq-ingest writes). NULL otherwise. evf_read_ids() counted those keys in
 * the walk it makes anyway. */
static const struct rec_field *
route_splice_at(const struct record *r, const struct route_result *res)
{
	const struct evf_ids *id = &res->ids;

	if (!r->compact || id->kesc || id->has_from || id->n_iface != 1)
		return NULL;
	return res->iface;
}

/* The start of every copy of the current record: '{', its _from member
 * (the record's _iface value) and a comma. Kept in c->fromhead from one
 * record to the next while _iface stays the same, as it does for the run
 * of records one ZMQ interface delivers, so that a copy is written from
 * four parts, not six. Inlined into route_copies(): a call cost 25
 * instructions more a line on the bench's load. */
static inline const struct sbuf *
route_from_head(struct route_core *c)
{
	const struct route_result *res = &c->res;
	struct sbuf *h = &c->fromhead;

	if (h->len != res->zjlen + RC_FROMHEAD || !route_same(h->p +
	    RC_FROMHEAD - 1, res->zjson, res->zjlen)) {
		sbuf_reset(h);
		sbuf_add(h, "{\"" EVK_FROM "\":", RC_FROMHEAD - 1);
		sbuf_add(h, res->zjson, res->zjlen);
		sbuf_addc(h, ',');
	}
	return h;
}

/* The copy of the current record for interface json, with fi from
 * route_splice_at() and h from route_from_head(), as the four parts it
 * is spliced from: h, the record's members up to _iface's value, json in
 * its place (v[2], which the caller may set for each copy), the rest. */
static void
route_copy_parts(const struct route_core *c, const struct sbuf *h,
    const struct rec_field *fi, const char *json, size_t jlen,
    struct sink_part v[RC_NPARTS])
{
	const struct record *r = &c->rec;
	size_t head = (size_t)(fi->val - r->text);
	size_t tail = (size_t)(fi->val + fi->vlen - r->text);

	v[0].p = h->p;
	v[0].n = h->len;
	v[1].p = r->text + 1;
	v[1].n = head - 1;
	v[2].p = json;
	v[2].n = jlen;
	v[3].p = r->text + tail;
	v[3].n = r->len - tail;
}

/* Writes the copy of the current record for interface json (a JSON string
 * literal) into c->buf (a worker: at the end of its batch's output) and
 * returns it, n bytes: _from inserted first, _iface replaced, exactly as
 * record_write() would. With fi from route_splice_at() the record is
 * spliced from route_copy_parts() instead of being rewritten member by
 * member. */
static const char *
route_copy(struct route_core *c, const struct rec_field *fi,
    const char *json, size_t jlen, size_t *n)
{
	const struct record *r = &c->rec;
	const struct route_result *res = &c->res;
	/* A worker builds the copy in its batch, where it stays. */
	struct sbuf *out = c->batch != NULL ? &c->batch->out : &c->buf;
	size_t start;

	if (c->batch == NULL)
		sbuf_reset(&c->buf);
	start = out->len;
	if (fi != NULL) {
		struct sink_part v[RC_NPARTS];
		size_t k;

		route_copy_parts(c, route_from_head(c), fi, json, jlen, v);
		sbuf_reserve(out, r->len + jlen + res->zjlen + RC_FROMHEAD);
		for (k = 0; k < RC_NPARTS; k++)
			sbuf_add(out, v[k].p, v[k].n);
	} else {
		const struct rec_edit ed[2] = {
			{ EVK_IFACE, json, jlen },
			{ EVK_FROM, res->zjson, res->zjlen },
		};

		record_write(r, ed, 2, out);
	}
	*n = out->len - start;
	return out->p + start;
}

/* A record that is not an event: as received, to its shard or to the
 * sink of its _iface. */
static int
route_pass(struct route_core *c, const char *line, size_t len)
{
	struct route_result *res = &c->res;
	struct sink *s;

	(*c->c_passed)++;
	if (c->o->nshards > 0) {
		evf_read_ids(&c->rec, &res->ids);
		s = route_shard_for(c, &res->ids);
	} else {
		const struct rec_field *f = res->iface;
		char zb[EVF_IFNAMELEN];
		int n;

		s = c->o->dflt;
		if (c->o->n > 0 && (n = rec_str(f, zb, sizeof(zb))) >= 0)
			s = route_sink_for(c, zb, (size_t)n);
	}
	return route_emit(c, s, line, len);
}

/* Counts what route_decide() found in an event and reports its bad
 * fields. */
static void
route_event_count(struct route_core *c)
{
	const struct route_result *res = &c->res;

	(*c->c_events)++;
	if (res->no_ifname)
		(*c->c_no_ifname)++;
	if (res->unknown_ifname)
		(*c->c_unknown)++;
	if (res->loopback)
		(*c->c_loopback)++;
	if (res->merged)
		(*c->c_merged)++;
	if (res->bad & EVF_BAD_ADDR)
		route_bad(c, c->c_bad_address, "bad_address",
		    "%s: an address is not an address%s", route_where(c),
		    res->bad_address ? ": no companion copy" : "");
	else if (res->bad)
		route_bad(c, c->c_bad_field, "bad_field",
		    "%s: %s", route_where(c),
		    evf_badname(res->bad & -res->bad));
}

/* Writes the event's copies: to their interfaces' sinks, or under sharding
 * to s, the event's own shard. Returns 0, or -1 if a sink lost one. */
static int
route_copies(struct route_core *c, struct sink *s)
{
	const struct route_result *res = &c->res;
	const struct rec_field *fi;
	struct sink_part v[RC_NPARTS];
	const char *p;
	size_t i, n;
	int ret = 0, rc;

	/* The parts of a spliced copy but the interface are the same for
	 * every copy of the record. */
	if ((fi = route_splice_at(&c->rec, res)) != NULL && c->batch == NULL)
		route_copy_parts(c, route_from_head(c), fi, NULL, 0, v);
	for (i = 0; i < res->ncopies; i++) {
		const struct route_copy *cp = &res->copy[i];

		if (cp->companion)
			(*c->c_comp_copies)++;
		else
			(*c->c_ifname_copies)++;
		if (c->o->nshards == 0)
			s = route_sink_for(c, cp->iface, cp->len);
		if (fi != NULL && c->batch == NULL) {
			/* Spliced straight into the sink's buffer. */
			v[2].p = cp->json;
			v[2].n = cp->jlen;
			rc = route_emit_parts(c, s, v, RC_NPARTS);
		} else {
			p = route_copy(c, fi, cp->json, cp->jlen, &n);
			rc = route_emit(c, s, p, n);
		}
		if (rc != 0)
			ret = -1;
	}
	return ret;
}

int
route_line(struct route_core *c, const char *line, size_t len)
{
	struct route_result *res = &c->res;
	struct sink *s;
	int rc, ret = 0;

	(*c->c_in)++;
	rc = record_parse(&c->rec, line, len);
	if (rc != REC_OK) {
		(*c->c_malformed)++;
		route_bad(c, c->c_parse[rc > REC_TRAILING ? REC_SYNTAX : rc],
		    "malformed", "%s: %s", route_where(c),
		    record_errname(rc));
		return 0;
	}
	route_decide(c->rt, &c->rec, res);
	switch (res->kind) {
	case ROUTE_PASS:
		return route_pass(c, line, len);
	case ROUTE_NO_IFACE:
		(*c->c_events)++;
		route_bad(c, c->c_no_iface, "no_iface",
		    "%s: event without _iface: passed through",
		    route_where(c));
		s = c->o->nshards > 0 ? c->o->shard[0] : c->o->dflt;
		return route_emit(c, s, line, len);
	case ROUTE_EVENT:
		break;
	}
	route_event_count(c);
	if (c->o->nshards > 0)
		s = route_shard_for(c, &res->ids);
	else
		s = route_sink_for(c, res->z, res->zlen);
	if (route_emit(c, s, line, len) != 0)
		ret = -1;
	if (res->ncopies > 0 && route_copies(c, s) != 0)
		ret = -1;
	return ret;
}

uint64_t
route_count_line(struct route_core *c, int input)
{
	if (input < 0)
		return 0;
	if ((size_t)input >= c->nlineno) {
		c->lineno = xreallocarray(c->lineno, (size_t)input + 1,
		    sizeof(*c->lineno));
		memset(c->lineno + c->nlineno, 0, ((size_t)input + 1 -
		    c->nlineno) * sizeof(*c->lineno));
		c->nlineno = (size_t)input + 1;
	}
	return ++c->lineno[input];
}

static int
route_cb(void *arg, const char *line, size_t len, int input)
{
	struct route_core *c = arg;

	c->line_no = route_count_line(c, input);
	c->input = input;
	route_line(c, line, len);
	return 0;
}

/* Waits up to timeout_ms on in and routes what arrives. Returns what
 * linebuf_poll returns (LINEBUF_EOF once every input ended). */
static int
route_poll(struct route_core *c, struct linebuf *in, int timeout_ms)
{
	int rc;

	if (c->pool != NULL)
		return rt_pool_poll(c->pool, in, timeout_ms);
	c->lb = in;
	rc = linebuf_poll(in, timeout_ms, route_cb, c);
	c->lb = NULL;
	return rc;
}

/* Copies each sink's drop count into the counter "dropped:SPEC" (before
 * the counters are printed). */
static void
route_sync_stats(struct route_core *c)
{
	char name[512];
	size_t i;

	for (i = 0; i < c->nsinks; i++) {
		uint64_t d = sink_dropped(c->sinks[i]);

		snprintf(name, sizeof(name), "dropped:%s",
		    sink_name(c->sinks[i]));
		*stats_ctr(c->st, name) = d;
	}
}

/* True once every sink has failed: nothing more can be delivered. */
static bool
route_dead(const struct route_core *c)
{
	return c->nsinks > 0 && c->nfailed == c->nsinks;
}

int
route_run(struct route_core *c, struct linebuf *in,
    volatile sig_atomic_t *stop, volatile sig_atomic_t *usr1)
{
	while (!*stop && !route_dead(c)) {
		if (route_poll(c, in, 250) == LINEBUF_EOF)
			break;
		if (*usr1) {
			*usr1 = 0;
			route_sync_stats(c);
			stats_print(c->st, stderr);
		}
	}
	/* Lines the workers hold are written out, even on a signal. */
	route_drain(c);
	route_sync_stats(c);
	return c->lost ? 1 : 0;
}
