/* route.c - ev-route's delivery rules (include/route.h): the rule set
 * and route_decide(). See doc/wire-format.md "Interface dispatch" and
 * doc/design.md "The stages" (the rules); man/ev-route.1 (rules). The core
 * loop that applies them is common/routecore.c, its -j workers
 * common/routepool.c.
 */
#include <err.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evkeys.h"
#include "route.h"
#include "routeint.h"
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
		if (rt->ifs[i].len == len && route_same(rt->ifs[i].name, name,
		    len))
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

/* Is member f's plain key the literal lit? */
#define ROUTE_KEYIS(f, lit)	((f)->klen == sizeof(lit) - 1 && \
	    memcmp((f)->key, (lit), sizeof(lit) - 1) == 0)

/* Finds the first _type and _iface of r (into res->iface) in one walk,
 * which ends once both are found (they lead the records the pipeline
 * writes). A record with an escaped key, which could spell either, is
 * looked up key by key. For a record that is not an event, and one that
 * does not start with a plain _type. */
static const struct rec_field *
route_heads(const struct record *r, struct route_result *res)
{
	const struct rec_field *ty = NULL;
	size_t i;

	res->iface = NULL;
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];

		if (f->kesc) {
			res->iface = record_get(r, EVK_IFACE);
			return record_get(r, EVK_TYPE);
		}
		if (f->klen == 5) {
			if (ty == NULL && ROUTE_KEYIS(f, EVK_TYPE))
				ty = f;
			else
				continue;
		} else if (res->iface == NULL && ROUTE_KEYIS(f, EVK_IFACE))
			res->iface = f;
		else
			continue;
		if (ty != NULL && res->iface != NULL)
			break;
	}
	return ty;
}

/* The first _type of r. The pipeline's records start with it: then
 * without a walk, and res->iface is left for evf_read_ids() to find. */
static const struct rec_field *
route_type(const struct record *r, struct route_result *res)
{
	if (r->nf > 0 && !r->f[0].kesc && ROUTE_KEYIS(&r->f[0], EVK_TYPE))
		return &r->f[0];
	return route_heads(r, res);
}

void
route_decide(const struct route *rt, const struct record *r,
    struct route_result *res)
{
	const struct rec_field *f;
	long x;
	size_t i;

	res->kind = ROUTE_PASS;
	res->z = res->zjson = NULL;
	res->zlen = res->zjlen = res->ncopies = 0;
	res->no_ifname = res->unknown_ifname = res->ifname_is_z = false;
	res->loopback = res->bad_address = res->merged = false;
	res->bad = 0;

	if (!route_streq(route_type(r, res), "event", 5)) {
		route_heads(r, res);	/* _iface, for its sink */
		return;
	}
	/* An event's first _iface: the first plain one, which
	 * evf_read_ids()' walk over every member notes; with an escaped key
	 * anywhere, the first whose decoded name is _iface, as route_heads()
	 * finds. */
	evf_read_ids(r, &res->ids);
	f = res->iface = res->ids.kesc ? record_get(r, EVK_IFACE) :
	    res->ids.iface;
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
	res->bad = res->ids.bad;

	/* Rule 2: the interface the event names. */
	if (!res->ids.has_ifname || res->ids.iflen == 0)
		res->no_ifname = true;
	else if (res->ids.iflen == res->zlen &&
	    route_same(res->ids.ifname, res->z, res->zlen))
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

		if (c->zlen != res->zlen || !route_same(c->zmq, res->z, c->zlen))
			continue;
		if (res->ids.bad & EVF_BAD_ADDR)
			res->bad_address = true;
		else if (evf_involves_loopback(&res->ids))
			res->loopback = true;
		else if (ci->len == res->zlen &&
		    route_same(ci->name, res->z, ci->len))
			;	/* the companion is Z itself: it has it */
		else if (res->ncopies > 0 && res->copy[0].iface == ci->name)
			res->merged = true;
		else
			route_add(res, ci, true);
		break;
	}
}
