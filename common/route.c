/* route.c - ev-route's delivery rules and core loop (include/route.h).
 * Spec: shared/spec/ntop-zmq.md section 4, shared/DESIGN.md section 2,
 * issue 4 (rules), issue 7 item 3 (sharding).
 *
 * The hot path reads three things of a record: _type, _iface and, for
 * events, the interface name and addresses (evf_read_ids). The original
 * line is written as received; a copy is the record re-written by
 * record_write() with _iface replaced and _from inserted.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "sbuf.h"

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

static void *
route_xrealloc(void *p, size_t n, size_t size)
{
	if (n != 0 && size > SIZE_MAX / n)
		errx(1, "route: out of memory");
	if ((p = realloc(p, n * size)) == NULL)
		err(1, "route");
	return p;
}

static char *
route_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		err(1, "route");
	return p;
}

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
	rt->ifs = route_xrealloc(rt->ifs, rt->nifs + 1, sizeof(*rt->ifs));
	rt->declared = route_xrealloc(rt->declared, rt->nifs + 1,
	    sizeof(*rt->declared));
	rt->mirrored = route_xrealloc(rt->mirrored, rt->nifs + 1,
	    sizeof(*rt->mirrored));
	f = &rt->ifs[rt->nifs];
	f->name = route_xstrdup(name);
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
	rt->comps = route_xrealloc(rt->comps, rt->ncomps + 1,
	    sizeof(*rt->comps));
	rt->comps[rt->ncomps].zmq = route_xstrdup(zmqif);
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
	uint64_t		*lineno;	/* per input */
	size_t			 nlineno;
	char			 where[256];
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
	c->sinks = route_xrealloc(c->sinks, c->nsinks + 1, sizeof(*c->sinks));
	c->failed = route_xrealloc(c->failed, c->nsinks + 1,
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
	c->c_in = stats_ctr(st, "records_in");
	c->c_out = stats_ctr(st, "records_out");
	c->c_events = stats_ctr(st, "events");
	c->c_passed = stats_ctr(st, "passed");
	c->c_ifname_copies = stats_ctr(st, "copies_ifname");
	c->c_comp_copies = stats_ctr(st, "copies_companion");
	c->c_merged = stats_ctr(st, "companion_is_ifname");
	c->c_loopback = stats_ctr(st, "loopback_kept_off_companion");
	c->c_bad_address = stats_ctr(st, "bad_address");
	c->c_bad_field = stats_ctr(st, "bad_field");
	c->c_no_ifname = stats_ctr(st, "no_ifname");
	c->c_unknown = stats_ctr(st, "unknown_ifname");
	c->c_no_iface = stats_ctr(st, "no_iface");
	c->c_malformed = stats_ctr(st, "malformed");
	for (i = REC_EMPTY; i <= REC_TRAILING; i++)
		c->c_parse[i] = stats_ctr(st, record_errname((int)i));
	if (o->nshards > 0)
		c->c_no_tuple = stats_ctr(st, "shard_no_tuple");
	c->c_dropped = stats_ctr(st, "dropped");
	c->c_lost = stats_ctr(st, "lost");
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

/* The sink for a record with these ids under sharding. */
static struct sink *
route_shard_for(struct route_core *c, const struct evf_ids *ids)
{
	uint64_t h;

	if (!evf_flow_hash(ids, &h)) {
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

	if (s == NULL)
		return 0;
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
	if (c->lb == NULL || c->input < 0 || (size_t)c->input >= c->nlineno)
		snprintf(c->where, sizeof(c->where), "record %llu",
		    (unsigned long long)*c->c_in);
	else
		snprintf(c->where, sizeof(c->where), "%s:%llu",
		    linebuf_name(c->lb, c->input),
		    (unsigned long long)c->lineno[c->input]);
	return c->where;
}

/* Writes the copy of the current record for interface json (a JSON string
 * literal) into c->buf: _from inserted first, _iface replaced, exactly as
 * record_write() would. A compact record with one _iface and no _from
 * (every record zmq-ingest writes) is spliced with three copies instead
 * of being rewritten member by member. */
static void
route_copy(struct route_core *c, const char *json, size_t jlen)
{
	const struct record *r = &c->rec;
	const struct route_result *res = &c->res;
	const struct rec_field *fi = NULL;
	size_t i, nif = 0;
	bool from = false;

	sbuf_reset(&c->buf);
	for (i = 0; i < r->nf && r->compact; i++) {
		const struct rec_field *f = &r->f[i];

		if (f->klen == 6 && memcmp(f->key, "_iface", 6) == 0) {
			fi = f;
			nif++;
		} else if (f->klen == 5 && memcmp(f->key, "_from", 5) == 0)
			from = true;
		else if (f->kesc)
			from = true;	/* could spell either: be exact */
	}
	if (r->compact && nif == 1 && !from) {
		size_t head = (size_t)(fi->val - r->text);
		size_t tail = (size_t)(fi->val + fi->vlen - r->text);

		sbuf_reserve(&c->buf, r->len + jlen + res->zjlen + 10);
		sbuf_add(&c->buf, "{\"_from\":", 9);
		sbuf_add(&c->buf, res->zjson, res->zjlen);
		sbuf_addc(&c->buf, ',');
		sbuf_add(&c->buf, r->text + 1, head - 1);
		sbuf_add(&c->buf, json, jlen);
		sbuf_add(&c->buf, r->text + tail, r->len - tail);
	} else {
		const struct rec_edit ed[2] = {
			{ "_iface", json, jlen },
			{ "_from", res->zjson, res->zjlen },
		};

		record_write(r, ed, 2, &c->buf);
	}
}

int
route_line(struct route_core *c, const char *line, size_t len)
{
	struct route_result *res = &c->res;
	struct sink *s;
	int rc, ret = 0;
	size_t i;

	(*c->c_in)++;
	rc = record_parse(&c->rec, line, len);
	if (rc != REC_OK) {
		(*c->c_malformed)++;
		stats_bad(c->st, c->c_parse[rc > REC_TRAILING ? REC_SYNTAX : rc],
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
		stats_bad(c->st, c->c_no_iface, "no_iface",
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
		stats_bad(c->st, c->c_bad_address, "bad_address",
		    "%s: an address is not an address%s", route_where(c),
		    res->bad_address ? ": no companion copy" : "");
	else if (res->bad)
		stats_bad(c->st, c->c_bad_field, "bad_field",
		    "%s: %s", route_where(c),
		    evf_badname(res->bad & -res->bad));
	if (c->o->nshards > 0)
		s = route_shard_for(c, &res->ids);
	else
		s = route_sink_for(c, res->z, res->zlen);
	if (route_emit(c, s, line, len) != 0)
		ret = -1;
	for (i = 0; i < res->ncopies; i++) {
		const struct route_copy *cp = &res->copy[i];

		if (cp->companion)
			(*c->c_comp_copies)++;
		else
			(*c->c_ifname_copies)++;
		route_copy(c, cp->json, cp->jlen);
		if (c->o->nshards == 0)
			s = route_sink_for(c, cp->iface, cp->len);
		if (route_emit(c, s, c->buf.p, c->buf.len) != 0)
			ret = -1;
	}
	return ret;
}

static int
route_cb(void *arg, const char *line, size_t len, int input)
{
	struct route_core *c = arg;

	if (input >= 0 && (size_t)input >= c->nlineno) {
		c->lineno = route_xrealloc(c->lineno, (size_t)input + 1,
		    sizeof(*c->lineno));
		memset(c->lineno + c->nlineno, 0, ((size_t)input + 1 -
		    c->nlineno) * sizeof(*c->lineno));
		c->nlineno = (size_t)input + 1;
	}
	if (input >= 0)
		c->lineno[input]++;
	c->input = input;
	route_line(c, line, len);
	return 0;
}

int
route_poll(struct route_core *c, struct linebuf *in, int timeout_ms)
{
	int rc;

	c->lb = in;
	rc = linebuf_poll(in, timeout_ms, route_cb, c);
	c->lb = NULL;
	return rc;
}

void
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

bool
route_lost(const struct route_core *c)
{
	return c->lost;
}

bool
route_dead(const struct route_core *c)
{
	return c->nsinks > 0 && c->nfailed == c->nsinks;
}

int
route_run(const struct route *rt, const struct route_outs *o,
    struct linebuf *in, struct stats *st, volatile sig_atomic_t *stop)
{
	struct route_core *c = route_core_new(rt, o, st);
	size_t i;
	int rc, ret;

	while (!*stop && !route_dead(c)) {
		rc = route_poll(c, in, 250);
		if (rc == LINEBUF_EOF)
			break;
	}
	for (i = 0; i < c->nsinks; i++)
		if (sink_flush(c->sinks[i]) != 0 && !c->failed[i]) {
			if (errno != EPIPE)
				warn("%s", sink_name(c->sinks[i]));
			c->lost = true;
		}
	route_sync_stats(c);
	ret = c->lost ? 1 : 0;
	route_core_destroy(&c);
	return ret;
}
