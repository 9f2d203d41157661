/* ntopout.c - records in the form ntopng reads (include/ntopout.h).
 *
 * Why deltas: ntopng 5.2.1 and 6.3 add the IN_/OUT_ counters of every flow
 * record they receive, so flow-agg's cumulative interim counters were
 * counted again with every update. ntopng 6.3 reads INITIATOR_ and
 * RESPONDER_ counters as absolute values, but only when nothing else in
 * the record is parsed as "absolute" already, and older releases differ;
 * a difference to what was sent before is added right by every release.
 *
 * Why the nested process goes only where it does: ntopng (5.2.1 and 6.3
 * alike) parses a key ending in PROCESS or FATHER_PROCESS as the agent
 * format's process object, and any such object switches the counters of
 * that record to absolute (ntopng subtracts what its flow already holds).
 * A delta in such a record would be lost. So the objects ride only on
 * the first record of a flow sent here, where the delta is the whole
 * count and absolute and added agree; a process learnt later goes in a
 * record of its own without counters, which changes no count either way.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evkeys.h"
#include "ntopids.h"
#include "ntopout.h"
#include "xalloc.h"

/* The counters ntopng adds: sent as differences. */
#define NO_NCTR	6
static const char *const no_ctr[NO_NCTR] = {
	EVK_IN_PKTS, EVK_IN_BYTES, EVK_OUT_PKTS, EVK_OUT_BYTES,
	EVK_RETRANSMITTED_IN_PKTS, EVK_RETRANSMITTED_OUT_PKTS,
};

/* What identifies a flow-agg flow record (with _iface). */
static const char *const no_ident[] = {
	EVK_IPV4_SRC_ADDR, EVK_IPV4_DST_ADDR, EVK_IPV6_SRC_ADDR,
	EVK_IPV6_DST_ADDR, EVK_L4_SRC_PORT, EVK_L4_DST_PORT, EVK_PROTOCOL,
	EVK_VLAN_ID,
};
#define NO_NIDENT	(sizeof(no_ident) / sizeof(no_ident[0]))

/* The members of a process-only record, besides the nested objects. */
static const char *const no_procrec[] = {
	EVK_IP_PROTOCOL_VERSION, EVK_IPV4_SRC_ADDR, EVK_IPV4_DST_ADDR,
	EVK_IPV6_SRC_ADDR, EVK_IPV6_DST_ADDR, EVK_L4_SRC_PORT, EVK_L4_DST_PORT,
	EVK_PROTOCOL, EVK_VLAN_ID, EVK_FIRST_SWITCHED, EVK_LAST_SWITCHED,
};
#define NO_NPROCREC	(sizeof(no_procrec) / sizeof(no_procrec[0]))

/* The agent format's process object, from the client's flat fields. */
struct no_map {
	const char	*from;
	const char	*to;
};
static const struct no_map no_proc[] = {
	{ EVK_SRC_PROC_PID, EVK_PID }, { EVK_SRC_PROC_UID, EVK_UID },
	{ EVK_SRC_PROC_USER_NAME, EVK_UID_NAME }, { EVK_SRC_PROC_GID, EVK_GID },
	{ EVK_SRC_PROC_NAME, EVK_PROCESS_PATH }, { NULL, NULL },
};
static const struct no_map no_father[] = {
	{ EVK_SRC_FATHER_PROC_PID, EVK_PID },
	{ EVK_SRC_FATHER_PROC_UID, EVK_UID },
	{ EVK_SRC_FATHER_PROC_USER_NAME, EVK_UID_NAME },
	{ EVK_SRC_FATHER_PROC_NAME, EVK_PROCESS_PATH }, { NULL, NULL },
};

/* A flow whose interim counters were sent and whose end was not. */
struct no_flow {
	struct no_flow	*next;
	uint64_t	 h;
	uint64_t	 v[NO_NCTR];
	bool		 proc_sent;
	size_t		 klen;
	char		 key[];
};

struct ntopout {
	struct record	  rec;
	struct record	  sub;
	struct sbuf	  out;
	struct sbuf	  key;
	struct no_flow	**tab;
	size_t		  nb;		/* buckets, a power of two */
	size_t		  n;
};

/* What one record's members become. */
struct no_conv {
	const uint64_t	*delta;		/* NO_NCTR values, or NULL */
	bool		 server_lat;	/* NW_LATENCY_MS is the server's */
	const char *const *only;	/* only these names (NULL: all) */
	size_t		 nonly;
};

struct ntopout *
ntopout_new(void)
{
	struct ntopout *o = xcalloc(1, sizeof(*o));

	record_init(&o->rec);
	record_init(&o->sub);
	o->nb = 64;
	o->tab = xcalloc(1, o->nb * sizeof(*o->tab));
	return o;
}

void
ntopout_free(struct ntopout **op)
{
	struct ntopout *o = *op;
	struct no_flow *f, *nx;
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nb; i++)
		for (f = o->tab[i]; f != NULL; f = nx) {
			nx = f->next;
			free(f);
		}
	free(o->tab);
	record_free(&o->rec);
	record_free(&o->sub);
	sbuf_free(&o->out);
	sbuf_free(&o->key);
	free(o);
	*op = NULL;
}

size_t
ntopout_flows(const struct ntopout *o)
{
	return o->n;
}

static uint64_t
no_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

/* The slot that holds (or would hold) key k. */
static struct no_flow **
no_slot(struct ntopout *o, const char *k, size_t klen, uint64_t h)
{
	struct no_flow **pp = &o->tab[h & (o->nb - 1)];

	while (*pp != NULL && ((*pp)->h != h || (*pp)->klen != klen ||
	    memcmp((*pp)->key, k, klen) != 0))
		pp = &(*pp)->next;
	return pp;
}

static void
no_grow(struct ntopout *o)
{
	struct no_flow **old = o->tab, *f, *nx;
	size_t i, onb = o->nb;

	o->nb *= 2;
	o->tab = xcalloc(1, o->nb * sizeof(*o->tab));
	for (i = 0; i < onb; i++)
		for (f = old[i]; f != NULL; f = nx) {
			nx = f->next;
			f->next = o->tab[f->h & (o->nb - 1)];
			o->tab[f->h & (o->nb - 1)] = f;
		}
	free(old);
}

static bool
no_is(const struct rec_field *f, const char *name)
{
	return f->klen == strlen(name) && memcmp(f->key, name, f->klen) == 0;
}

static bool
no_in(const struct rec_field *f, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (no_is(f, names[i]))
			return true;
	return false;
}

/* The most bytes no_put_number() writes: a value as sent, or printf's
 * "%.17g" of a double ("-", 17 digits, a point and "e-308": 24). */
#define NO_NUMMAX(f)	((f)->vlen > 24 ? (f)->vlen : 24)

/* Writes plain decimal s[0..n) (-?DIGITS(.DIGITS)?, 15 digits at most)
 * as "%.15g" writes the double it is read as: 15 digits always survive
 * the trip through a double, so "%.15g" gives them back, without the
 * leading zeros and the fraction's trailing ones, and strtod reads that
 * back exactly. Returns the end, or NULL when s is not such a number or
 * is below 1e-4 (where "%.15g" writes an exponent). printf takes some
 * 2,700 instructions a number; ev-emit writes one for every event. */
static char *
no_put_plain(char *o, const char *s, size_t n)
{
	bool neg = n > 0 && *s == '-';
	const char *e = s + n, *ip = s + neg, *ie = ip, *fp = NULL, *fe;
	size_t z;

	while (ie < e && *ie >= '0' && *ie <= '9')
		ie++;
	if (ie == ip)
		return NULL;
	fe = ie;
	if (ie < e && *ie == '.') {
		for (fp = fe = ie + 1; fe < e && *fe >= '0' && *fe <= '9'; fe++)
			;
		if (fe == fp)
			return NULL;
	}
	if (fe != e || (size_t)(ie - ip) + (fp ? (size_t)(fe - fp) : 0) > 15)
		return NULL;
	while (ie - ip > 1 && *ip == '0')
		ip++;
	while (fp != NULL && fe > fp && fe[-1] == '0')
		fe--;
	if (fp != NULL && fe > fp && *ip == '0') {
		for (z = 0; fp[z] == '0'; z++)
			;
		if (z >= 4)
			return NULL;
	}
	if (neg)
		*o++ = '-';
	o = sbuf_put(o, ip, (size_t)(ie - ip));
	if (fp != NULL && fe > fp) {
		*o++ = '.';
		o = sbuf_put(o, fp, (size_t)(fe - fp));
	}
	return o;
}

/* Writes a number sent as a string as its shortest form ("%.15g", or
 * "%.17g" when that does not read back as the same double), anything
 * else as sent; at most NO_NUMMAX(f) bytes. Returns the end. */
static char *
no_put_number(char *o, const struct rec_field *f)
{
	char buf[40], *end;
	double d;

	if (f->kind == REC_NUMBER)
		return sbuf_put(o, f->val, f->vlen);
	if (f->kind == REC_STRING && !f->vesc &&
	    (end = no_put_plain(o, f->val + 1, f->vlen - 2)) != NULL)
		return end;
	if (rec_double(f, &d) != 0 || !isfinite(d))
		return sbuf_put(o, f->val, f->vlen);	/* not a number */
	snprintf(buf, sizeof(buf), "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, sizeof(buf), "%.17g", d);
	return sbuf_put(o, buf, strlen(buf));
}

/* Appends a number sent as a string as no_put_number() writes it. */
static void
no_number(struct sbuf *b, const struct rec_field *f)
{
	sbuf_commit(b, no_put_number(sbuf_room(b, NO_NUMMAX(f)), f));
}

/* Appends ,"KEY": (no comma for the first member) with the key as its
 * id when the table has the name. */
static void
no_key(struct sbuf *b, bool *first, const char *k, size_t klen, bool ids)
{
	int id = ids ? ntopids_id(k, klen) : -1;

	if (!*first)
		sbuf_addc(b, ',');
	*first = false;
	sbuf_addc(b, '"');
	if (id >= 0)
		sbuf_add_u64(b, (uint64_t)id);
	else
		sbuf_add(b, k, klen);
	sbuf_add(b, "\":", 2);
}

/* Appends one member of a flow-topic record as c says. */
static void
no_member(struct sbuf *b, bool *first, const struct rec_field *f,
    const struct no_conv *c)
{
	const char *lat;
	size_t i;
	bool scalar = f->kind != REC_OBJECT && f->kind != REC_ARRAY;

	if ((f->klen > 0 && f->key[0] == '_') || f->kind == REC_NULL)
		return;
	if (c->only != NULL && !no_in(f, c->only, c->nonly))
		return;
	if (no_is(f, EVK_NW_LATENCY_MS)) {
		lat = c->server_lat ? EVK_SERVER_NW_LATENCY_MS :
		    EVK_CLIENT_NW_LATENCY_MS;
		no_key(b, first, lat, strlen(lat), true);
		no_number(b, f);
		return;
	}
	/* VLAN_ID is flow-agg's name of nProbe's SRC_VLAN. */
	if (no_is(f, EVK_VLAN_ID))
		no_key(b, first, EVK_SRC_VLAN, sizeof(EVK_SRC_VLAN) - 1, true);
	else
		no_key(b, first, f->key, f->klen, scalar && !f->kesc);
	for (i = 0; c->delta != NULL && i < NO_NCTR; i++)
		if (no_is(f, no_ctr[i])) {
			sbuf_add_u64(b, c->delta[i]);
			return;
		}
	if (f->kind == REC_TRUE || f->kind == REC_FALSE)
		sbuf_addc(b, f->kind == REC_TRUE ? '1' : '0');
	else
		json_compact(b, f->val, f->vlen);
}

/* Appends ,"NAME":{...} built from the flat fields of map that r has
 * (nothing when it has none). */
static void
no_nested(struct sbuf *b, bool *bfirst, const struct record *r,
    const char *name, const struct no_map *map)
{
	const struct rec_field *f;
	bool first = true;
	size_t i;

	for (i = 0; map[i].from != NULL; i++) {
		if ((f = record_get(r, map[i].from)) == NULL ||
		    f->kind == REC_OBJECT || f->kind == REC_ARRAY ||
		    f->kind == REC_NULL)
			continue;
		if (first) {
			no_key(b, bfirst, name, strlen(name), false);
			sbuf_addc(b, '{');
		} else
			sbuf_addc(b, ',');
		first = false;
		sbuf_addc(b, '"');
		sbuf_adds(b, map[i].to);
		sbuf_add(b, "\":", 2);
		json_compact(b, f->val, f->vlen);
	}
	if (!first)
		sbuf_addc(b, '}');
}

static bool
no_has_proc(const struct record *r)
{
	size_t i;

	for (i = 0; no_proc[i].from != NULL; i++)
		if (record_get(r, no_proc[i].from) != NULL)
			return true;
	for (i = 0; no_father[i].from != NULL; i++)
		if (record_get(r, no_father[i].from) != NULL)
			return true;
	return false;
}

/* Builds the payload of o->rec into o->out as c says, with the nested
 * process objects when nested. */
static void
no_build(struct ntopout *o, const struct no_conv *c, bool nested)
{
	bool first = true;
	size_t i;

	sbuf_reset(&o->out);
	sbuf_addc(&o->out, '{');
	for (i = 0; i < o->rec.nf; i++)
		no_member(&o->out, &first, &o->rec.f[i], c);
	if (nested) {
		no_nested(&o->out, &first, &o->rec, EVK_CLIENT_PROCESS,
		    no_proc);
		no_nested(&o->out, &first, &o->rec, EVK_CLIENT_FATHER_PROCESS,
		    no_father);
	}
	sbuf_addc(&o->out, '}');
}

/* Makes o->key from a flow record's identity; false when it has none. */
static bool
no_flowkey(struct ntopout *o)
{
	const struct rec_field *f;
	size_t i;
	bool any = false;

	sbuf_reset(&o->key);
	if ((f = record_get(&o->rec, EVK_IFACE)) != NULL)
		sbuf_add(&o->key, f->val, f->vlen);
	for (i = 0; i < NO_NIDENT; i++) {
		sbuf_addc(&o->key, '\x1f');
		if ((f = record_get(&o->rec, no_ident[i])) != NULL) {
			sbuf_add(&o->key, f->val, f->vlen);
			any = true;
		}
	}
	return any;
}

/* Looks the record's flow up, computes the deltas to send and keeps or
 * forgets the flow. *fresh: no record of it was sent before; *proc_sent:
 * its process went out already. */
static void
no_deltas(struct ntopout *o, bool interim, uint64_t delta[NO_NCTR],
    bool *fresh, bool *proc_sent)
{
	const struct rec_field *f;
	struct no_flow **pp, *fl;
	uint64_t cur[NO_NCTR], h;
	size_t i;
	bool back = false;

	for (i = 0; i < NO_NCTR; i++)
		if ((f = record_get(&o->rec, no_ctr[i])) == NULL ||
		    rec_u64(f, &cur[i]) != 0)
			cur[i] = 0;
	h = no_hash(o->key.p, o->key.len);
	pp = no_slot(o, o->key.p, o->key.len, h);
	fl = *pp;
	for (i = 0; fl != NULL && i < NO_NCTR; i++)
		if (cur[i] < fl->v[i])
			back = true;	/* not the flow we knew: anew */
	*fresh = fl == NULL || back;
	*proc_sent = fl != NULL && !back && fl->proc_sent;
	for (i = 0; i < NO_NCTR; i++)
		delta[i] = *fresh ? cur[i] : cur[i] - fl->v[i];
	if (!interim) {
		if (fl != NULL) {
			*pp = fl->next;
			free(fl);
			o->n--;
		}
		return;
	}
	if (fl == NULL) {
		fl = xcalloc(1, sizeof(*fl) + o->key.len);
		fl->h = h;
		fl->klen = o->key.len;
		memcpy(fl->key, o->key.p, o->key.len);
		fl->next = o->tab[h & (o->nb - 1)];
		o->tab[h & (o->nb - 1)] = fl;
		if (++o->n > o->nb)
			no_grow(o);
	}
	memcpy(fl->v, cur, sizeof(cur));
	fl->proc_sent = *proc_sent;
}

/* Marks the flow of o->key as having had its process sent. */
static void
no_mark_proc(struct ntopout *o)
{
	struct no_flow *fl;

	fl = *no_slot(o, o->key.p, o->key.len,
	    no_hash(o->key.p, o->key.len));
	if (fl != NULL)
		fl->proc_sent = true;
}

/* A record on the flow topic. */
static int
no_flowrec(struct ntopout *o, ntopout_fn fn, void *arg)
{
	const struct rec_field *f;
	struct no_conv c = { 0 };
	uint64_t delta[NO_NCTR];
	bool isflow, interim, fresh = true, proc_sent = false, proc;
	int rc;

	f = record_get(&o->rec, EVK_TYPE);
	isflow = f != NULL && rec_streq(f, "flow");
	f = record_get(&o->rec, EVK_INTERIM);
	interim = f != NULL && f->kind == REC_TRUE;
	f = record_get(&o->rec, EVK_TCP_EVENT_TYPE);
	c.server_lat = f != NULL && rec_streq(f, "ACCEPT");
	if (isflow && no_flowkey(o)) {
		no_deltas(o, interim, delta, &fresh, &proc_sent);
		c.delta = delta;
	}
	proc = isflow && !proc_sent && no_has_proc(&o->rec);
	if (proc && !fresh) {
		/* Learnt after the flow's first record: a record of its own
		 * without counters carries it. */
		c.only = no_procrec;
		c.nonly = NO_NPROCREC;
		no_build(o, &c, true);
		if ((rc = fn(arg, "flow", o->out.p, o->out.len)) != 0)
			return rc;
		c.only = NULL;
		c.nonly = 0;
	}
	if (proc && interim)
		no_mark_proc(o);
	no_build(o, &c, proc && fresh);
	return fn(arg, "flow", o->out.p, o->out.len);
}

/* The members of an iface summary that agents sent in ntopng's own
 * formats go out again on their topics; the rest is evpipe's. */
static int
no_iface(struct ntopout *o, ntopout_fn fn, void *arg)
{
	const struct rec_field *f;
	size_t i, pos, start;
	int rc;

	f = record_get(&o->rec, EVK_IF_COUNTERS);
	if (f != NULL && record_sub(f, &o->sub) == REC_OK)
		for (i = 0; i < o->sub.nf; i++) {
			if (o->sub.f[i].kind != REC_OBJECT)
				continue;
			sbuf_reset(&o->out);
			json_compact(&o->out, o->sub.f[i].val,
			    o->sub.f[i].vlen);
			if ((rc = fn(arg, "counter", o->out.p,
			    o->out.len)) != 0)
				return rc;
		}
	f = record_get(&o->rec, EVK_LISTENING);
	if (f == NULL || f->kind != REC_ARRAY)
		return 0;
	pos = 1;
	for (;;) {
		json_skip_ws(f->val, f->vlen, &pos);
		if (pos >= f->vlen || f->val[pos] == ']')
			return 0;
		start = pos;
		if (json_skip_value(f->val, f->vlen, &pos) != REC_OK)
			return 0;
		if (f->val[start] == '{') {
			sbuf_reset(&o->out);
			json_compact(&o->out, f->val + start, pos - start);
			if ((rc = fn(arg, "listening-ports", o->out.p,
			    o->out.len)) != 0)
				return rc;
		}
		json_skip_ws(f->val, f->vlen, &pos);
		if (pos < f->vlen && f->val[pos] == ',')
			pos++;
	}
}

/* The topic: the record's _topic when it fits the header, else "flow". */
static void
no_topic(const struct record *r, char topic[NTOPOUT_TOPICMAX + 1])
{
	const struct rec_field *f = record_get(r, EVK_TOPIC);

	if (f == NULL || rec_str(f, topic, NTOPOUT_TOPICMAX + 1) <= 0)
		strcpy(topic, "flow");
}

int
ntopout_record(struct ntopout *o, const char *rec, size_t len,
    ntopout_fn fn, void *arg)
{
	const struct rec_field *f;
	char topic[NTOPOUT_TOPICMAX + 1];
	bool first = true;
	size_t i;

	if (record_parse(&o->rec, rec, len) != REC_OK)
		return -1;
	if ((f = record_get(&o->rec, EVK_TYPE)) != NULL &&
	    rec_streq(f, "iface"))
		return no_iface(o, fn, arg);
	no_topic(&o->rec, topic);
	if (strcmp(topic, "flow") == 0)
		return no_flowrec(o, fn, arg);
	/* Other topics (counters, listening ports, ...) are read by name. */
	sbuf_reset(&o->out);
	sbuf_addc(&o->out, '{');
	for (i = 0; i < o->rec.nf; i++) {
		f = &o->rec.f[i];
		if (f->klen > 0 && f->key[0] == '_')
			continue;
		no_key(&o->out, &first, f->key, f->klen, false);
		json_compact(&o->out, f->val, f->vlen);
	}
	sbuf_addc(&o->out, '}');
	return fn(arg, topic, o->out.p, o->out.len);
}

/* Writes "KEY": at o, after a comma unless first; returns the end. */
static char *
no_put_key(char *o, bool first, const char *k, size_t klen)
{
	if (!first)
		*o++ = ',';
	*o++ = '"';
	o = sbuf_put(o, k, klen);
	return SBUF_PUTLIT(o, "\":");
}

void
ntopout_event(struct sbuf *out, const struct record *r)
{
	const struct rec_field *f, *lat = record_get(r, EVK_NW_LATENCY_MS);
	const char *name;
	bool first = true, any_ = false;
	char *o;
	size_t i;

	for (i = 0; i < r->nf && !any_; i++)
		any_ = r->f[i].klen > 0 && r->f[i].key[0] == '_';
	if (lat == NULL && !any_) {
		sbuf_add(out, r->text, r->len);
		return;
	}
	f = record_get(r, EVK_TCP_EVENT_TYPE);
	name = f != NULL && rec_streq(f, "ACCEPT") ?
	    EVK_SERVER_NW_LATENCY_MS : EVK_CLIENT_NW_LATENCY_MS;
	/* One reservation for the whole rewrite: each member is written
	 * as long as it was, or shorter (no spaces), but the latency, whose
	 * name and number may grow. */
	o = sbuf_room(out, r->len + sizeof(EVK_SERVER_NW_LATENCY_MS) +
	    (lat != NULL ? NO_NUMMAX(lat) : 0));
	*o++ = '{';
	for (i = 0; i < r->nf; i++) {
		f = &r->f[i];
		if (f->klen > 0 && f->key[0] == '_')
			continue;
		if (f == lat) {
			o = no_put_key(o, first, name, strlen(name));
			o = no_put_number(o, f);
		} else {
			o = no_put_key(o, first, f->key, f->klen);
			o = sbuf_put(o, f->val, f->vlen);
		}
		first = false;
	}
	*o++ = '}';
	sbuf_commit(out, o);
}
