/* route.c - ev-route's delivery rules and core loop (include/route.h).
 * See doc/wire-format.md "Interface dispatch" and doc/design.md "The
 * stages" (the rules); man/ev-route.1 (rules, sharding).
 *
 * The hot path reads three things of a record: _type, _iface and, for
 * events, the interface name and addresses (evf_read_ids). The original
 * line is written as received; a copy is the record re-written by
 * record_write() with _iface replaced and _from inserted.
 */
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "sbuf.h"
#include "xalloc.h"

struct route_if {
	char	*name;
	size_t	 len;
	char	*json;		/* name as a JSON string literal */
	size_t	 jlen;
};

struct route_comp {
	char	*zmq;		/* the ZMQ interface, as _iface names it */
	size_t	 zlen;
	size_t	 ci;		/* index of the companion in ifs */
};

struct route {
	struct route_if	*ifs;		/* declared, then companions' targets */
	size_t		 nifs;
	bool		*declared;	/* per ifs entry: -i given */
	bool		*mirrored;	/* per ifs entry: -m given */
	struct route_comp *comps;
	size_t		 ncomps;
};

struct route *
route_new(void)
{
	struct route *rt = calloc(1, sizeof(*rt));

	if (rt == NULL)
		err(1, "route");
	return rt;
}

void
route_destroy(struct route **rtp)
{
	struct route *rt = *rtp;
	size_t i;

	if (rt == NULL)
		return;
	for (i = 0; i < rt->nifs; i++) {
		free(rt->ifs[i].name);
		free(rt->ifs[i].json);
	}
	for (i = 0; i < rt->ncomps; i++)
		free(rt->comps[i].zmq);
	free(rt->ifs);
	free(rt->declared);
	free(rt->mirrored);
	free(rt->comps);
	free(rt);
	*rtp = NULL;
}

/* The index of the interface called name (len bytes), or -1. */
static long
route_find(const struct route *rt, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < rt->nifs; i++)
		if (rt->ifs[i].len == len && memcmp(rt->ifs[i].name, name,
		    len) == 0)
			return (long)i;
	return -1;
}

/* The index of name, added (not yet declared) if new. */
static size_t
route_intern(struct route *rt, const char *name)
{
	long i = route_find(rt, name, strlen(name));
	struct sbuf b = { 0 };
	struct route_if *f;

	if (i >= 0)
		return (size_t)i;
	rt->ifs = xreallocarray(rt->ifs, rt->nifs + 1, sizeof(*rt->ifs));
	rt->declared = xreallocarray(rt->declared, rt->nifs + 1,
	    sizeof(*rt->declared));
	rt->mirrored = xreallocarray(rt->mirrored, rt->nifs + 1,
	    sizeof(*rt->mirrored));
	f = &rt->ifs[rt->nifs];
	f->name = xstrdup(name);
	f->len = strlen(name);
	sbuf_add_jstr(&b, name, f->len);
	f->json = b.p;
	f->jlen = b.len;
	rt->declared[rt->nifs] = false;
	rt->mirrored[rt->nifs] = false;
	return rt->nifs++;
}

/* Interface names: not empty, no control characters, shorter than
 * EVF_IFNAMELEN (so a record's name can always be compared). */
static int
route_checkname(const char *what, const char *name, char *err, size_t errsz)
{
	const unsigned char *p;

	if (*name == '\0') {
		snprintf(err, errsz, "%s: empty interface name", what);
		return -1;
	}
	if (strlen(name) >= EVF_IFNAMELEN) {
		snprintf(err, errsz, "%s: interface name '%.20s...' is longer "
		    "than %d bytes", what, name, EVF_IFNAMELEN - 1);
		return -1;
	}
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20) {
			snprintf(err, errsz, "%s: control character in "
			    "interface name", what);
			return -1;
		}
	return 0;
}

int
route_declare(struct route *rt, const char *iface, char *err, size_t errsz)
{
	size_t i;

	if (route_checkname("-i", iface, err, errsz) != 0)
		return -1;
	i = route_intern(rt, iface);	/* may move rt->declared */
	rt->declared[i] = true;
	return 0;
}

int
route_mirror(struct route *rt, const char *iface, char *err, size_t errsz)
{
	size_t i;

	if (route_checkname("-m", iface, err, errsz) != 0)
		return -1;
	i = route_intern(rt, iface);	/* may move rt->mirrored */
	rt->mirrored[i] = true;
	return 0;
}

int
route_companion(struct route *rt, const char *zmqif, const char *iface,
    char *err, size_t errsz)
{
	size_t i, zlen = strlen(zmqif);

	if (route_checkname("-c", zmqif, err, errsz) != 0 ||
	    route_checkname("-c", iface, err, errsz) != 0)
		return -1;
	for (i = 0; i < rt->ncomps; i++)
		if (rt->comps[i].zlen == zlen &&
		    memcmp(rt->comps[i].zmq, zmqif, zlen) == 0) {
			snprintf(err, errsz, "-c %s=%s: %s already has the "
			    "companion %s", zmqif, iface, zmqif,
			    rt->ifs[rt->comps[i].ci].name);
			return -1;
		}
	rt->comps = xreallocarray(rt->comps, rt->ncomps + 1,
	    sizeof(*rt->comps));
	rt->comps[rt->ncomps].zmq = xstrdup(zmqif);
	rt->comps[rt->ncomps].zlen = zlen;
	rt->comps[rt->ncomps].ci = route_intern(rt, iface);
	rt->ncomps++;
	return 0;
}

int
route_check(const struct route *rt, char *err, size_t errsz)
{
	size_t i;

	for (i = 0; i < rt->ncomps; i++) {
		size_t ci = rt->comps[i].ci;

		if (!rt->declared[ci]) {
			snprintf(err, errsz, "companion %s of %s is not a "
			    "declared interface (add -i %s)",
			    rt->ifs[ci].name, rt->comps[i].zmq,
			    rt->ifs[ci].name);
			return -1;
		}
		if (!rt->mirrored[ci]) {
			snprintf(err, errsz, "companion %s of %s is not marked "
			    "as receiving mirrored traffic (add -m %s)",
			    rt->ifs[ci].name, rt->comps[i].zmq,
			    rt->ifs[ci].name);
			return -1;
		}
	}
	for (i = 0; i < rt->nifs; i++)
		if (rt->mirrored[i] && !rt->declared[i]) {
			snprintf(err, errsz, "-m %s: not a declared interface "
			    "(add -i %s)", rt->ifs[i].name, rt->ifs[i].name);
			return -1;
		}
	return 0;
}

size_t
route_nifaces(const struct route *rt)
{
	size_t i, n = 0;

	for (i = 0; i < rt->nifs; i++)
		n += rt->declared[i];
	return n;
}

const char *
route_iface(const struct route *rt, size_t k)
{
	size_t i;

	for (i = 0; i < rt->nifs; i++)
		if (rt->declared[i] && k-- == 0)
			return rt->ifs[i].name;
	return NULL;
}

/* A string value equal to lit (quotes included in f->val). */
static bool
route_streq(const struct rec_field *f, const char *lit, size_t n)
{
	if (f == NULL || f->kind != REC_STRING)
		return false;
	if (!f->vesc)
		return f->vlen == n + 2 && memcmp(f->val + 1, lit, n) == 0;
	return rec_streq(f, lit);
}

static void
route_add(struct route_result *res, const struct route_if *f, bool comp)
{
	struct route_copy *c = &res->copy[res->ncopies++];

	c->iface = f->name;
	c->len = f->len;
	c->json = f->json;
	c->jlen = f->jlen;
	c->companion = comp;
}

void
route_decide(const struct route *rt, const struct record *r,
    struct route_result *res)
{
	const struct rec_field *f;
	long x;
	size_t i;

	res->kind = ROUTE_PASS;
	res->z = NULL;
	res->zlen = 0;
	res->ncopies = 0;
	res->no_ifname = res->unknown_ifname = res->ifname_is_z = false;
	res->loopback = res->bad_address = res->merged = false;
	res->bad = 0;
	res->zjson = NULL;
	res->zjlen = 0;

	if (!route_streq(record_get(r, "_type"), "event", 5))
		return;
	f = record_get(r, "_iface");
	if (f == NULL || f->kind != REC_STRING || f->vlen == 2) {
		res->kind = ROUTE_NO_IFACE;
		return;
	}
	if (!f->vesc) {
		res->z = f->val + 1;
		res->zlen = f->vlen - 2;
	} else {
		int n = rec_str(f, res->zbuf, sizeof(res->zbuf));

		if (n <= 0) {
			res->kind = ROUTE_NO_IFACE;
			return;
		}
		res->z = res->zbuf;
		res->zlen = (size_t)n;
	}
	res->zjson = f->val;
	res->zjlen = f->vlen;
	res->kind = ROUTE_EVENT;
	evf_read_ids(r, &res->ids);
	res->bad = res->ids.bad;

	/* Rule 2: the interface the event names. */
	if (!res->ids.has_ifname || res->ids.iflen == 0)
		res->no_ifname = true;
	else if (res->ids.iflen == res->zlen &&
	    memcmp(res->ids.ifname, res->z, res->zlen) == 0)
		res->ifname_is_z = true;
	else if ((x = route_find(rt, res->ids.ifname, res->ids.iflen)) >= 0 &&
	    rt->declared[x])
		route_add(res, &rt->ifs[x], false);
	else
		res->unknown_ifname = true;

	/* Rule 3: Z's companion, never for loopback, never twice. */
	for (i = 0; i < rt->ncomps; i++) {
		const struct route_comp *c = &rt->comps[i];
		const struct route_if *ci = &rt->ifs[c->ci];

		if (c->zlen != res->zlen || memcmp(c->zmq, res->z, c->zlen) != 0)
			continue;
		if (res->ids.bad & EVF_BAD_ADDR)
			res->bad_address = true;
		else if (evf_involves_loopback(&res->ids))
			res->loopback = true;
		else if (ci->len == res->zlen &&
		    memcmp(ci->name, res->z, ci->len) == 0)
			;	/* the companion is Z itself: it has it */
		else if (res->ncopies > 0 && res->copy[0].iface == ci->name)
			res->merged = true;
		else
			route_add(res, ci, true);
		break;
	}
}

/* The core: counters looked up once, outputs, scratch space. */
struct route_core {
	const struct route	*rt;
	const struct route_outs	*o;
	struct stats		*st;
	struct record		 rec;
	struct route_result	 res;
	struct sbuf		 buf;
	struct sink		**sinks;	/* distinct sinks */
	bool			*failed;
	size_t			 nsinks;
	size_t			 nfailed;
	bool			 lost;
	uint64_t		*c_in, *c_out, *c_malformed, *c_events;
	uint64_t		*c_passed, *c_no_iface, *c_ifname_copies;
	uint64_t		*c_comp_copies, *c_loopback, *c_unknown;
	uint64_t		*c_no_ifname, *c_merged, *c_bad_address;
	uint64_t		*c_bad_field, *c_no_tuple, *c_lost, *c_dropped;
	uint64_t		*c_parse[REC_TRAILING + 1];
	/* Where the current line came from, for messages. */
	const struct linebuf	*lb;
	int			 input;
	uint64_t		 line_no;	/* the current line's number */
	uint64_t		*lineno;	/* per input */
	size_t			 nlineno;
	char			 where[256];
	/* A worker's core (-j): its counters are its own (local), and what
	 * it would write or report goes into its batch instead, for the
	 * main thread to replay in input order. */
	struct rt_batch		*batch;
	uint64_t		 local[32];
	struct rt_pool		*pool;		/* the workers, with -j */
};

/* Every counter of a core, in the order they are created (the order they
 * print in), by the offset of its pointer in struct route_core. */
#define RC_CTR(field)	offsetof(struct route_core, field)
static const struct {
	size_t		 off;
	const char	*name;
} rc_ctrs[] = {
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
#define RC_NCTRS	(sizeof(rc_ctrs) / sizeof(rc_ctrs[0]))
_Static_assert(RC_NCTRS <= 32, "route_core.local holds every counter");
#define RC_SLOT(c, i)	((uint64_t **)(void *)((char *)(c) + rc_ctrs[i].off))

/* Parallel routing (ev-route -j, route_core_jobs). The main
 * thread reads lines into batches; workers parse, decide and build the
 * copies of a whole batch, writing nothing: each output record is noted in
 * the batch (its sink and bytes), each piece of bad input too, and the
 * counters are the worker's own. The main thread then replays the batches
 * strictly in input order through the one core that owns the sinks, so
 * the output, the messages and the counters are those of one thread. */
#define RT_BATCH_BYTES	(256 * 1024)
#define RT_BATCH_LINES	2048

struct rt_line {
	size_t		 off, len;
	int		 input;
	uint64_t	 lineno;
};

struct rt_out {
	struct sink	*s;
	bool		 own;		/* bytes in out, else in in */
	size_t		 off, len;
};

struct rt_bad {
	size_t		 ctr;		/* index in rc_ctrs */
	const char	*what;
	size_t		 off, len;	/* the message, in msgs */
};

enum rt_state { RT_FREE, RT_QUEUED, RT_BUSY, RT_DONE };

struct rt_batch {
	enum rt_state	 state;
	struct sbuf	 in;
	struct rt_line	*lines;
	size_t		 nlines, lcap;
	struct sbuf	 out;
	struct rt_out	*outs;
	size_t		 nouts, ocap;
	struct sbuf	 msgs;
	struct rt_bad	*bads;
	size_t		 nbads, bcap;
	uint64_t	 cnt[RC_NCTRS];
};

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

static void	rt_pool_stop(struct route_core *);

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
	free(c->sinks);
	free(c->failed);
	free(c->lineno);
	free(c);
	*cp = NULL;
}

/* The sink for interface name[0..len), or the default one. */
static struct sink *
route_sink_for(const struct route_core *c, const char *name, size_t len)
{
	const struct route_outs *o = c->o;
	size_t i;

	if (name != NULL)
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

static int
route_emit(struct route_core *c, struct sink *s, const char *p, size_t n)
{
	size_t i;

	uint64_t dropped;
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
	dropped = sink_dropped(s);
	if (sink_write(s, p, n) == 0) {
		if (sink_dropped(s) != dropped)
			(*c->c_dropped)++;
		else
			(*c->c_out)++;
		return 0;
	}
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
 * has one _iface and no _from (every record zmq-ingest writes). NULL
 * otherwise. Looked for once per record, whatever its number of copies. */
static const struct rec_field *
route_splice_at(const struct record *r)
{
	const struct rec_field *fi = NULL;
	size_t i, nif = 0;

	if (!r->compact)
		return NULL;
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];

		if (f->klen == 6 && memcmp(f->key, "_iface", 6) == 0) {
			fi = f;
			nif++;
		} else if (f->klen == 5 && memcmp(f->key, "_from", 5) == 0)
			return NULL;
		else if (f->kesc)
			return NULL;	/* could spell either: be exact */
	}
	return nif == 1 ? fi : NULL;
}

/* Writes the copy of the current record for interface json (a JSON string
 * literal) into c->buf (a worker: at the end of its batch's output) and
 * returns it, n bytes: _from inserted first, _iface replaced, exactly as
 * record_write() would. With fi from route_splice_at() the record is
 * spliced with three copies instead of being rewritten member by
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
		size_t head = (size_t)(fi->val - r->text);
		size_t tail = (size_t)(fi->val + fi->vlen - r->text);

		sbuf_reserve(out, r->len + jlen + res->zjlen + 10);
		sbuf_add(out, "{\"_from\":", 9);
		sbuf_add(out, res->zjson, res->zjlen);
		sbuf_addc(out, ',');
		sbuf_add(out, r->text + 1, head - 1);
		sbuf_add(out, json, jlen);
		sbuf_add(out, r->text + tail, r->len - tail);
	} else {
		const struct rec_edit ed[2] = {
			{ "_iface", json, jlen },
			{ "_from", res->zjson, res->zjlen },
		};

		record_write(r, ed, 2, out);
	}
	*n = out->len - start;
	return out->p + start;
}

/* Routes one line (no newline). Returns 0, or -1 if a sink lost output
 * (counted; the core keeps going with the other sinks). */
static int
route_line(struct route_core *c, const char *line, size_t len)
{
	struct route_result *res = &c->res;
	const struct rec_field *fi = NULL;
	struct sink *s;
	const char *p;
	int rc, ret = 0;
	size_t i, n;

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
		(*c->c_passed)++;
		if (c->o->nshards > 0) {
			evf_read_ids(&c->rec, &res->ids);
			s = route_shard_for(c, &res->ids);
		} else {
			const struct rec_field *f = record_get(&c->rec,
			    "_iface");
			char zb[EVF_IFNAMELEN];
			int n;

			s = c->o->dflt;
			if (c->o->n > 0 && (n = rec_str(f, zb, sizeof(zb))) >= 0)
				s = route_sink_for(c, zb, (size_t)n);
		}
		return route_emit(c, s, line, len);
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
	if (c->o->nshards > 0)
		s = route_shard_for(c, &res->ids);
	else
		s = route_sink_for(c, res->z, res->zlen);
	if (route_emit(c, s, line, len) != 0)
		ret = -1;
	if (res->ncopies > 0)
		fi = route_splice_at(&c->rec);
	for (i = 0; i < res->ncopies; i++) {
		const struct route_copy *cp = &res->copy[i];

		if (cp->companion)
			(*c->c_comp_copies)++;
		else
			(*c->c_ifname_copies)++;
		p = route_copy(c, fi, cp->json, cp->jlen, &n);
		if (c->o->nshards == 0)
			s = route_sink_for(c, cp->iface, cp->len);
		if (route_emit(c, s, p, n) != 0)
			ret = -1;
	}
	return ret;
}

/* Counts a line read from input and returns its number (0 for no input). */
static uint64_t
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

static int	rt_pool_poll(struct rt_pool *, struct linebuf *, int);

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

/* The main thread's side of parallel routing. Batches are a ring used in
 * sequence: seq head is being filled, [tail, head) are queued, in work or
 * done, and are replayed from tail on, in order. */
struct rt_pool {
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;	/* a batch was queued, or quit */
	pthread_cond_t		 done;	/* a batch was done */
	struct rt_batch		*ring;
	size_t			 nring;
	uint64_t		 head, tail, next;	/* next: for workers */
	bool			 filling;	/* ring[head] has lines */
	bool			 quit;
	struct route_core	*main;		/* owns the sinks */
	struct route_core	**wc;
	pthread_t		*th;
	size_t			 nth;
};

static struct rt_batch *
rt_at(struct rt_pool *pl, uint64_t seq)
{
	return &pl->ring[seq % pl->nring];
}

static void
rt_lock(struct rt_pool *pl)
{
	if ((errno = pthread_mutex_lock(&pl->mu)) != 0)
		err(1, "route: mutex");
}

static void
rt_unlock(struct rt_pool *pl)
{
	if ((errno = pthread_mutex_unlock(&pl->mu)) != 0)
		err(1, "route: mutex");
}

static void
rt_wait(struct rt_pool *pl, pthread_cond_t *cv)
{
	if ((errno = pthread_cond_wait(cv, &pl->mu)) != 0)
		err(1, "route: wait");
}

/* Routes every line of b with the worker's core wc. */
static void
rt_process(struct route_core *wc, struct rt_batch *b)
{
	size_t i;

	sbuf_reset(&b->out);
	sbuf_reset(&b->msgs);
	b->nouts = b->nbads = 0;
	wc->batch = b;
	memset(wc->local, 0, sizeof(wc->local));
	for (i = 0; i < b->nlines; i++) {
		const struct rt_line *l = &b->lines[i];

		wc->input = l->input;
		wc->line_no = l->lineno;
		route_line(wc, b->in.p + l->off, l->len);
	}
	for (i = 0; i < RC_NCTRS; i++)
		b->cnt[i] = wc->local[i];
	wc->batch = NULL;
}

struct rt_worker_arg {
	struct rt_pool		*pl;
	struct route_core	*wc;
};

static void *
rt_worker(void *arg)
{
	struct rt_worker_arg *wa = arg;
	struct rt_pool *pl = wa->pl;
	struct rt_batch *b;

	rt_lock(pl);
	for (;;) {
		while (!pl->quit && pl->next == pl->head)
			rt_wait(pl, &pl->work);
		if (pl->next == pl->head)
			break;		/* quit, and nothing left */
		b = rt_at(pl, pl->next++);
		b->state = RT_BUSY;
		rt_unlock(pl);
		rt_process(wa->wc, b);
		rt_lock(pl);
		b->state = RT_DONE;
		if ((errno = pthread_cond_broadcast(&pl->done)) != 0)
			err(1, "route: signal");
	}
	rt_unlock(pl);
	free(wa);
	return NULL;
}

/* Writes the oldest batch out through the main core, waiting for it to be
 * done if wait is set. Returns false if there is none (or, without wait,
 * it is not done yet). */
static bool
rt_replay(struct rt_pool *pl, bool wait)
{
	struct route_core *c = pl->main;
	struct rt_batch *b;
	size_t i;

	rt_lock(pl);
	if (pl->tail == pl->head) {
		rt_unlock(pl);
		return false;
	}
	b = rt_at(pl, pl->tail);
	while (wait && b->state != RT_DONE)
		rt_wait(pl, &pl->done);
	if (b->state != RT_DONE) {
		rt_unlock(pl);
		return false;
	}
	rt_unlock(pl);
	for (i = 0; i < b->nbads; i++) {
		const struct rt_bad *bd = &b->bads[i];

		stats_bad(c->st, *RC_SLOT(c, bd->ctr), bd->what, "%.*s",
		    (int)bd->len, b->msgs.p + bd->off);
	}
	for (i = 0; i < b->nouts; i++) {
		const struct rt_out *o = &b->outs[i];

		route_emit(c, o->s, (o->own ? b->out.p : b->in.p) + o->off,
		    o->len);
	}
	for (i = 0; i < RC_NCTRS; i++)
		if (b->cnt[i] != 0 && *RC_SLOT(c, i) != NULL)
			**RC_SLOT(c, i) += b->cnt[i];
	rt_lock(pl);
	b->state = RT_FREE;
	pl->tail++;
	rt_unlock(pl);
	return true;
}

/* Hands the batch being filled to the workers. */
static void
rt_submit(struct rt_pool *pl)
{
	if (!pl->filling)
		return;
	rt_lock(pl);
	rt_at(pl, pl->head)->state = RT_QUEUED;
	pl->head++;
	pl->filling = false;
	if ((errno = pthread_cond_signal(&pl->work)) != 0)
		err(1, "route: signal");
	rt_unlock(pl);
}

/* linebuf's callback: the line joins the batch being filled. */
static int
rt_line_cb(void *arg, const char *line, size_t len, int input)
{
	struct rt_pool *pl = arg;
	struct route_core *c = pl->main;
	struct rt_batch *b;
	struct rt_line *l;

	if (!pl->filling) {
		/* Every batch in use: write out the oldest first. */
		while (pl->head - pl->tail == pl->nring)
			(void)rt_replay(pl, true);
		b = rt_at(pl, pl->head);
		sbuf_reset(&b->in);
		b->nlines = 0;
		pl->filling = true;
	} else
		b = rt_at(pl, pl->head);
	if (b->nlines == b->lcap) {
		b->lcap = b->lcap ? b->lcap * 2 : 256;
		b->lines = xreallocarray(b->lines, b->lcap, sizeof(*b->lines));
	}
	l = &b->lines[b->nlines++];
	l->off = b->in.len;
	l->len = len;
	l->input = input;
	l->lineno = route_count_line(c, input);
	/* Each line keeps the NUL after it that linebuf promises. */
	sbuf_add(&b->in, line, len);
	sbuf_addc(&b->in, '\0');
	if (b->in.len >= RT_BATCH_BYTES || b->nlines >= RT_BATCH_LINES)
		rt_submit(pl);
	return 0;
}

void
route_core_jobs(struct route_core *c, const struct linebuf *in, size_t njobs)
{
	struct rt_pool *pl;
	size_t i;

	if (njobs <= 1 || c->pool != NULL)
		return;
	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		err(1, "route");
	if ((errno = pthread_mutex_init(&pl->mu, NULL)) != 0 ||
	    (errno = pthread_cond_init(&pl->work, NULL)) != 0 ||
	    (errno = pthread_cond_init(&pl->done, NULL)) != 0)
		err(1, "route: threads");
	pl->main = c;
	/* Two batches per worker keep each busy while the main thread
	 * fills and replays the others. */
	pl->nring = 2 * njobs + 1;
	if ((pl->ring = calloc(pl->nring, sizeof(*pl->ring))) == NULL ||
	    (pl->wc = calloc(njobs, sizeof(*pl->wc))) == NULL ||
	    (pl->th = calloc(njobs, sizeof(*pl->th))) == NULL)
		err(1, "route");
	for (i = 0; i < njobs; i++) {
		struct rt_worker_arg *wa = malloc(sizeof(*wa));
		struct route_core *wc;
		size_t k;

		if (wa == NULL)
			err(1, "route");
		/* A worker's counters are its own: they are added to the
		 * stage's as its batches are replayed. */
		wc = route_core_new(c->rt, c->o, c->st);
		for (k = 0; k < RC_NCTRS; k++)
			*RC_SLOT(wc, k) = &wc->local[k];
		wc->lb = in;
		pl->wc[i] = wc;
		wa->pl = pl;
		wa->wc = wc;
		if ((errno = pthread_create(&pl->th[i], NULL, rt_worker,
		    wa)) != 0)
			err(1, "route: thread");
		pl->nth++;
	}
	c->pool = pl;
}

/* Ends the workers of c; what they have not written is lost, so callers
 * drain first (route_drain). */
static void
rt_pool_stop(struct route_core *c)
{
	struct rt_pool *pl = c->pool;
	size_t i;

	rt_lock(pl);
	pl->quit = true;
	if ((errno = pthread_cond_broadcast(&pl->work)) != 0)
		err(1, "route: signal");
	rt_unlock(pl);
	for (i = 0; i < pl->nth; i++) {
		pthread_join(pl->th[i], NULL);
		route_core_destroy(&pl->wc[i]);
	}
	for (i = 0; i < pl->nring; i++) {
		struct rt_batch *b = &pl->ring[i];

		sbuf_free(&b->in);
		sbuf_free(&b->out);
		sbuf_free(&b->msgs);
		free(b->lines);
		free(b->outs);
		free(b->bads);
	}
	free(pl->ring);
	free(pl->wc);
	free(pl->th);
	pthread_cond_destroy(&pl->work);
	pthread_cond_destroy(&pl->done);
	pthread_mutex_destroy(&pl->mu);
	free(pl);
	c->pool = NULL;
}

/* route_poll with workers: read what there is, write out what the workers
 * finished; when nothing more is there to read, wait for the oldest batch
 * rather than for input, so that a quiet input never holds back lines
 * already read. At the end of the input, everything is written. */
static int
rt_pool_poll(struct rt_pool *pl, struct linebuf *in, int timeout_ms)
{
	struct route_core *c = pl->main;
	bool busy = pl->head != pl->tail;
	int rc;

	c->lb = in;
	rc = linebuf_poll(in, busy ? 0 : timeout_ms, rt_line_cb, pl);
	rt_submit(pl);
	while (rt_replay(pl, false))
		;
	if (rc == LINEBUF_EOF)
		while (rt_replay(pl, true))
			;
	else if (rc == 0 && busy)
		(void)rt_replay(pl, true);
	return rc;
}

/* Writes out every line read so far (with workers; else nothing to do). */
static void
route_drain(struct route_core *c)
{
	if (c->pool == NULL)
		return;
	rt_submit(c->pool);
	while (rt_replay(c->pool, true))
		;
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
