/* test_flowtab.c - unit tests of the flow table (common/flowtab.c,
 * flowtabproc.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowtab.h"
#include "unit.h"

#define SEC	1000000LL

struct got {
	char	 log[4096];
	size_t	 n;
};

static void
emit(void *arg, const struct flow *f, enum flow_end why)
{
	struct got *g = arg;
	char line[128];

	snprintf(line, sizeof(line), "%u:%u-%u:%llu/%llu:%s;",
	    (unsigned)f->key.addr[0][3], (unsigned)f->key.port[0],
	    (unsigned)f->key.port[1], (unsigned long long)f->pkts[0],
	    (unsigned long long)f->pkts[1], flowtab_endname(why));
	if (strlen(g->log) + strlen(line) < sizeof(g->log))
		strcat(g->log, line);
	g->n++;
}

static struct flowtab_key
key4(uint8_t a, uint16_t pa, uint8_t b, uint16_t pb, uint16_t iface)
{
	struct flowtab_key k;

	memset(&k, 0, sizeof(k));
	k.family = 4;
	k.proto = 6;
	k.addr[0][0] = 10, k.addr[0][3] = a;
	k.addr[1][0] = 10, k.addr[1][3] = b;
	k.port[0] = pa;
	k.port[1] = pb;
	k.iface = iface;
	return k;
}

static void
test_lookup(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 5 * SEC, 0 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flowtab_key k = key4(1, 1000, 2, 80, 0), r = key4(2, 80, 1, 1000, 0);
	struct flowtab_key other = key4(1, 1000, 2, 80, 1);
	struct flow *f, *f2;
	int dir = -1;

	CHECK(flowtab_iface(ft, "eth0", 4) == 0);
	CHECK(flowtab_iface(ft, "lo", 2) == 1);
	CHECK(flowtab_iface(ft, "eth0x", 4) == 0);
	CHECK_STR(flowtab_iface_name(ft, 1), "lo");
	CHECK(flowtab_iface(ft, "lo\0x", 4) == 2);	/* a decoded \u0000 */
	CHECK(flowtab_iface(ft, "lo\0x", 4) == 2);
	/* The name found last is tried first: any order gives the same
	 * ids, a prefix or a longer name is another. */
	CHECK(flowtab_iface(ft, "lo", 2) == 1);
	CHECK(flowtab_iface(ft, "lo\0x", 3) == 3);
	CHECK(flowtab_iface(ft, "lo\0x", 4) == 2);
	CHECK(flowtab_iface(ft, "lo", 2) == 1);
	CHECK(flowtab_iface(ft, "eth0", 4) == 0);
	CHECK(flowtab_iface(ft, "lo\0", 3) == 3);
	CHECK(flowtab_iface(ft, "l", 1) == 4);
	CHECK(flowtab_nifaces(ft) == 5);
	{
		size_t jl;
		const char *j = flowtab_iface_json(ft, 2, &jl);

		/* As flow records always wrote it: up to the NUL. */
		CHECK(jl == 4 && memcmp(j, "\"lo\"", 4) == 0);
		j = flowtab_iface_json(ft, 0, &jl);
		CHECK(jl == 6 && memcmp(j, "\"eth0\"", 6) == 0);
		j = flowtab_iface_json(ft, 9, &jl);
		CHECK(jl == 2 && memcmp(j, "\"\"", 2) == 0);
	}
	CHECK(flowtab_lookup(ft, &k, &dir) == NULL);
	f = flowtab_insert(ft, &k, 10 * SEC);
	CHECK(flowtab_lookup(ft, &k, &dir) == f && dir == 0);
	CHECK(flowtab_lookup(ft, &r, &dir) == f && dir == 1);
	CHECK(flowtab_lookup(ft, &other, &dir) == NULL);
	f2 = flowtab_insert(ft, &other, 11 * SEC);
	CHECK(f2 != f);
	CHECK(flowtab_count(ft) == 2);
	CHECK(flowtab_iface_active(ft, 0) == 1);
	flowtab_swap(f);
	CHECK(flowtab_lookup(ft, &r, &dir) == f && dir == 0);
	CHECK(flowtab_flush(ft, FLOW_END_EOF) == 2);
	CHECK_STR(g.log, "2:80-1000:0/0:end-of-input;1:1000-80:0/0:end-of-input;");
	CHECK(flowtab_iface_expired(ft, 0) == 1 && flowtab_iface_active(ft, 0) == 0);
	flowtab_destroy(&ft);
	CHECK(ft == NULL);
}

static void
test_expiry(void)
{
	struct flowtab_conf c = { 60 * SEC, 300 * SEC, 5 * SEC, 0 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flowtab_key a = key4(1, 1, 9, 80, 0), b = key4(2, 2, 9, 80, 0);
	struct flowtab_key d = key4(3, 3, 9, 80, 0);
	struct flow *fa, *fd;

	fa = flowtab_insert(ft, &a, 0);
	flowtab_insert(ft, &b, 1 * SEC);
	fd = flowtab_insert(ft, &d, 2 * SEC);
	fa->pkts[0] = 1;
	flowtab_touch(ft, fa, 30 * SEC);	/* a is now the newest */
	flowtab_closing(ft, fd, FLOW_END_FIN);
	flowtab_closing(ft, fd, FLOW_END_RST);	/* the first reason stays */
	CHECK(flowtab_expire(ft, 6 * SEC) == 0);
	CHECK(flowtab_expire(ft, 7 * SEC) == 1);
	CHECK_STR(g.log, "3:3-80:0/0:fin;");
	g.log[0] = '\0';
	CHECK(flowtab_expire(ft, 61 * SEC) == 1);	/* b only */
	CHECK_STR(g.log, "2:2-80:0/0:idle;");
	g.log[0] = '\0';
	CHECK(flowtab_check_active(ft, fa, 299 * SEC) == false);
	CHECK(flowtab_check_active(ft, fa, 300 * SEC) == true);
	CHECK(fa->pkts[0] == 0 && fa->first == 300 * SEC);
	CHECK_STR(g.log, "1:1-80:1/0:active;");
	CHECK(flowtab_count(ft) == 1);
	flowtab_destroy(&ft);
}

/* flowtab_seen() widens a flow's times and leaves it in its place: the
 * flow first in the list is still the first to expire. */
static void
test_seen(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 5 * SEC, 0 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flowtab_key a = key4(1, 1, 9, 80, 0), b = key4(2, 2, 9, 80, 0);
	struct flow *fa;

	fa = flowtab_insert(ft, &a, 10 * SEC);
	flowtab_insert(ft, &b, 11 * SEC);
	flowtab_seen(fa, 5 * SEC);
	flowtab_seen(fa, 20 * SEC);
	CHECK(fa->first == 5 * SEC && fa->last == 20 * SEC);
	flowtab_seen(fa, 12 * SEC);
	CHECK(fa->first == 5 * SEC && fa->last == 20 * SEC);
	/* a is still before b: the walk stops at a, not idle yet. */
	CHECK(flowtab_expire(ft, 72 * SEC) == 0);
	flowtab_touch(ft, fa, 20 * SEC);	/* now after b */
	CHECK(flowtab_expire(ft, 72 * SEC) == 1);
	CHECK_STR(g.log, "2:2-80:0/0:idle;");
	flowtab_destroy(&ft);
}

/* A flow keeps its hash (f->hash) when turned round: it is ended, and
 * the others found, through its bucket, either way round, as the table
 * grows. */
static void
test_swap_hash(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 5 * SEC, 0 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flowtab_key k;
	struct flow *f;
	uint32_t i, bad = 0;
	int dir;

	for (i = 0; i < 3000; i++) {
		k = key4((uint8_t)i, (uint16_t)i, (uint8_t)(i >> 8), 80, 0);
		f = flowtab_insert(ft, &k, (int64_t)i * SEC);
		if (i % 2 == 0)
			flowtab_swap(f);
	}
	CHECK(flowtab_expire(ft, 60 * SEC + 1499 * SEC) == 1500);
	for (i = 0; i < 3000; i++) {
		k = key4((uint8_t)i, (uint16_t)i, (uint8_t)(i >> 8), 80, 0);
		f = flowtab_lookup(ft, &k, &dir);
		if ((f != NULL) != (i >= 1500) ||
		    (f != NULL && dir != (int)(i % 2 == 0)))
			bad++;
	}
	CHECK(bad == 0);
	CHECK(flowtab_count(ft) == 1500);
	flowtab_destroy(&ft);
}

/* flowtab_proc_share() gives a flow's empty side a live block by its
 * reference, and refuses a side that has one, or a block freed, even when
 * its id is reused. */
static void
test_proc_share(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 0, 0 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flowtab_key a = key4(1, 1, 9, 80, 0), b = key4(2, 2, 9, 80, 0);
	struct flowtab_key d = key4(3, 3, 9, 80, 0);
	struct flow_proc p, q;
	struct flowtab_pref r, none = { 0, 0 };
	struct flow *fa, *fb, *fd;

	memset(&p, 0, sizeof(p));
	p.s[FP_NAME] = "/usr/bin/curl";
	q = p;
	q.s[FP_NAME] = "/usr/bin/wget";
	fa = flowtab_insert(ft, &a, 0);
	fb = flowtab_insert(ft, &b, 0);
	fd = flowtab_insert(ft, &d, 0);
	CHECK(flowtab_proc_ref(ft, fa, 0).id == 0);
	flowtab_set_proc(ft, fa, 0, &p);
	r = flowtab_proc_ref(ft, fa, 0);
	CHECK(r.id == fa->proc[0] && r.id != 0);
	CHECK(!flowtab_proc_share(ft, fb, 0, none));
	CHECK(flowtab_proc_share(ft, fb, 1, r) && fb->proc[1] == r.id);
	CHECK(!flowtab_proc_share(ft, fb, 1, r));	/* the side has one */
	CHECK(flowtab_nprocs(ft) == 1);
	/* Both flows end: the block is freed, and its id goes to q's. */
	flowtab_closing(ft, fa, FLOW_END_CLOSE);
	flowtab_closing(ft, fb, FLOW_END_CLOSE);
	CHECK(flowtab_expire(ft, 1) == 2 && flowtab_nprocs(ft) == 0);
	CHECK(!flowtab_proc_share(ft, fd, 0, r));
	flowtab_set_proc(ft, fd, 0, &q);
	CHECK(fd->proc[0] == r.id);	/* the id reused ... */
	CHECK(!flowtab_proc_share(ft, fd, 1, r));	/* ... not the block */
	CHECK(fd->proc[1] == 0 && flowtab_nprocs(ft) == 1);
	flowtab_destroy(&ft);
}

static void
test_evict(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 5 * SEC, 2 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flowtab_key a = key4(1, 1, 9, 80, 0), b = key4(2, 2, 9, 80, 0);
	struct flowtab_key d = key4(3, 3, 9, 80, 0);
	struct flow *fa;

	fa = flowtab_insert(ft, &a, 0);
	flowtab_insert(ft, &b, 1);
	flowtab_touch(ft, fa, 2);
	flowtab_insert(ft, &d, 3);
	CHECK(flowtab_count(ft) == 2);
	CHECK(flowtab_evicted(ft) == 1);
	CHECK_STR(g.log, "2:2-80:0/0:evicted;");
	flowtab_destroy(&ft);
}

static void
test_procs(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 5 * SEC, 0 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flowtab_key a = key4(1, 1, 9, 80, 0), b = key4(2, 2, 9, 80, 0);
	struct flow_proc p, q, empty;
	const struct flow_proc *r;
	struct flow *fa, *fb;
	char path[32];
	uint32_t id;

	memset(&p, 0, sizeof(p));
	memset(&empty, 0, sizeof(empty));
	strcpy(path, "/usr/bin/curl");
	p.s[FP_NAME] = path;
	p.n[FP_PID] = 42;
	p.nset = 1u << FP_PID;
	fa = flowtab_insert(ft, &a, 0);
	fb = flowtab_insert(ft, &b, 0);
	CHECK(flowtab_proc_intern(ft, &empty) == 0);
	flowtab_set_proc(ft, fa, 0, &p);
	strcpy(path, "changed");		/* the table copied it */
	p.s[FP_NAME] = "/usr/bin/curl";
	flowtab_set_proc(ft, fb, 0, &p);
	CHECK(fa->proc[0] != 0 && fa->proc[0] == fb->proc[0]);
	CHECK(flowtab_nprocs(ft) == 1);
	r = flowtab_proc(ft, fa->proc[0]);
	CHECK(r != NULL && strcmp(r->s[FP_NAME], "/usr/bin/curl") == 0);
	/* A later event adds what was missing and keeps the rest. */
	memset(&q, 0, sizeof(q));
	q.s[FP_USER] = "alice";
	q.n[FP_UID] = 1000;
	q.nset = 1u << FP_UID;
	flowtab_set_proc(ft, fa, 0, &q);
	CHECK(flowtab_nprocs(ft) == 2);
	r = flowtab_proc(ft, fa->proc[0]);
	CHECK(r != NULL && strcmp(r->s[FP_NAME], "/usr/bin/curl") == 0);
	CHECK(r != NULL && strcmp(r->s[FP_USER], "alice") == 0);
	CHECK(r != NULL && r->n[FP_PID] == 42 && r->n[FP_UID] == 1000);
	CHECK(fa->proc[1] == 0);
	/* A block the flow holds already, whole or in part, changes
	 * nothing: same id, no block more or less. */
	id = fa->proc[0];
	flowtab_set_proc(ft, fa, 0, &q);
	q.s[FP_USER] = NULL;
	flowtab_set_proc(ft, fa, 0, &q);
	CHECK(fa->proc[0] == id && flowtab_nprocs(ft) == 2);
	/* One value that differs makes a new block. */
	q.n[FP_UID] = 1001;
	flowtab_set_proc(ft, fa, 0, &q);
	CHECK(fa->proc[0] != id && flowtab_nprocs(ft) == 2);
	r = flowtab_proc(ft, fa->proc[0]);
	CHECK(r != NULL && r->n[FP_UID] == 1001 && r->n[FP_PID] == 42);
	CHECK(r != NULL && strcmp(r->s[FP_USER], "alice") == 0);
	q.n[FP_UID] = 1000;
	q.s[FP_CMDLINE] = "curl -s";
	flowtab_set_proc(ft, fa, 0, &q);
	r = flowtab_proc(ft, fa->proc[0]);
	CHECK(r != NULL && r->n[FP_UID] == 1000 && r->s[FP_CMDLINE] != NULL &&
	    strcmp(r->s[FP_CMDLINE], "curl -s") == 0);
	flowtab_end(ft, fb, FLOW_END_IDLE);
	CHECK(flowtab_nprocs(ft) == 1);
	flowtab_end(ft, fa, FLOW_END_IDLE);
	CHECK(flowtab_nprocs(ft) == 0);
	/* The block interned last is tried first, by content: one freed
	 * and its slot reused for another is not taken for it. */
	fa = flowtab_insert(ft, &a, 0);
	fb = flowtab_insert(ft, &b, 0);
	flowtab_set_proc(ft, fa, 0, &p);
	flowtab_set_proc(ft, fb, 0, &p);
	CHECK(fa->proc[0] != 0 && fa->proc[0] == fb->proc[0]);
	CHECK(flowtab_nprocs(ft) == 1);
	id = fa->proc[0];
	flowtab_end(ft, fa, FLOW_END_IDLE);
	flowtab_end(ft, fb, FLOW_END_IDLE);
	fa = flowtab_insert(ft, &a, 0);
	fb = flowtab_insert(ft, &b, 0);
	flowtab_set_proc(ft, fa, 1, &q);
	CHECK(fa->proc[1] == id);		/* the slot, reused */
	flowtab_set_proc(ft, fb, 1, &p);
	CHECK(fb->proc[1] != id && flowtab_nprocs(ft) == 2);
	r = flowtab_proc(ft, fb->proc[1]);
	CHECK(r != NULL && r->n[FP_PID] == 42 && r->s[FP_USER] == NULL);
	flowtab_destroy(&ft);
}

static void
test_many(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 5 * SEC, 0 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flowtab_key k;
	struct flow *f;
	uint32_t i, bad = 0;
	int dir;

	for (i = 0; i < 100000; i++) {
		k = key4((uint8_t)i, (uint16_t)(i >> 8), 200, 443, 0);
		k.addr[0][2] = (uint8_t)(i >> 16);
		f = flowtab_insert(ft, &k, (int64_t)i);
		f->pkts[0] = i;
	}
	CHECK(flowtab_count(ft) == 100000);
	for (i = 0; i < 100000; i++) {
		k = key4(200, 443, (uint8_t)i, (uint16_t)(i >> 8), 0);
		k.addr[1][2] = (uint8_t)(i >> 16);
		f = flowtab_lookup(ft, &k, &dir);
		if (f == NULL || dir != 1 || f->pkts[0] != i)
			bad++;
	}
	CHECK(bad == 0);
	CHECK(flowtab_expire(ft, 60 * SEC + 49999) == 50000);
	CHECK(flowtab_count(ft) == 50000);
	flowtab_destroy(&ft);
}

/* Application fields: the first value stays, a different one is refused,
 * and they survive an active timeout and a swap. */
static void
test_l7(void)
{
	struct flowtab_conf c = { 60 * SEC, 10 * SEC, 5 * SEC, 0 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flowtab_key k = key4(1, 1000, 2, 80, 0);
	struct flow *f = flowtab_insert(ft, &k, 0);
	int i;

	CHECK(flowtab_l7_set(f, FL7_PROTO_NAME, "\"DNS\"", 5) == 1);
	CHECK(flowtab_l7_set(f, FL7_PROTO_NAME, "\"DNS\"", 5) == 0);
	CHECK(flowtab_l7_set(f, FL7_PROTO_NAME, "\"TLS\"", 5) == -1);
	CHECK(flowtab_l7_set(f, FL7_N, "\"x\"", 3) == -1);
	CHECK(memcmp(f->l7->v[FL7_PROTO_NAME], "\"DNS\"", 5) == 0);
	CHECK(f->l7->v[FL7_PROTO] == NULL);
	flowtab_swap(f);
	CHECK(flowtab_check_active(ft, f, 11 * SEC));
	CHECK(f->l7 != NULL && f->l7->len[FL7_PROTO_NAME] == 5);
	CHECK_STR(flowtab_l7_name(FL7_JA3C_HASH), "JA3C_HASH");
	CHECK_STR(flowtab_l7_name(FL7_PROTO), "L7_PROTO");
	for (i = 0; i < FL7_N; i++)
		CHECK(flowtab_l7keys[i].len == strlen(flowtab_l7keys[i].name));
	/* One flow left with fields: destroy frees them (ASan, valgrind). */
	flowtab_destroy(&ft);
}

/* ---- process blocks: their strings' pieces and kept texts ---- */

#define PN	48		/* flows */
#define PLEN	700		/* longest string: past the largest piece */

static char pool[8][PLEN + 1];

/* A block of random strings (from a small pool, so that flows share
 * blocks) and numbers; each string's length is one of the pool's. */
static void
rand_proc(struct flow_proc *p, unsigned *seed)
{
	int k;

	memset(p, 0, sizeof(*p));
	/* Mostly short strings, so that the pieces of every size are
	 * used, now and then one longer than the largest. */
	for (k = 0; k < FP_NSTR; k++)
		if (rand_r(seed) % 3 == 0)
			p->s[k] = pool[rand_r(seed) % 8] + PLEN -
			    (rand_r(seed) % 8 ? rand_r(seed) % 120 :
			    rand_r(seed) % (PLEN + 1));
	if (rand_r(seed) % 2) {
		p->n[FP_PID] = rand_r(seed) % 4;
		p->nset = 1u << FP_PID;
	}
}

/* What a block holds, in short: the text kept for it in the test. */
static size_t
proc_desc(char *buf, size_t cap, const struct flow_proc *p, int side)
{
	size_t n;
	int k;

	n = (size_t)snprintf(buf, cap, "%d:%x:%lld", side, p->nset,
	    (long long)p->n[FP_PID]);
	for (k = 0; k < FP_NSTR; k++)
		n += (size_t)snprintf(buf + n, cap - n, ",%d",
		    p->s[k] == NULL ? -1 : (int)strlen(p->s[k]));
	return n;
}

static int
proc_same(const struct flow_proc *a, const struct flow_proc *b)
{
	int k;

	if (a == NULL || b == NULL || a->nset != b->nset ||
	    ((a->nset & 1u << FP_PID) && a->n[FP_PID] != b->n[FP_PID]))
		return 0;
	for (k = 0; k < FP_NSTR; k++)
		if ((a->s[k] == NULL) != (b->s[k] == NULL) ||
		    (a->s[k] != NULL && strcmp(a->s[k], b->s[k]) != 0))
			return 0;
	return 1;
}

/* Flows take random blocks and end at random; after every step each
 * live flow's block must read as what it was given (its strings sit in
 * pieces of the table, freed and reused), and a text kept for a block
 * must be the one kept for it, never one of a block freed before. */
static void
test_proc_pieces(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 5 * SEC, 0 };
	struct got g = { "", 0 };
	struct flowtab *ft = flowtab_new(&c, emit, &g);
	struct flow *f[PN];
	struct flow_proc want[PN];
	char txt[160];
	const char *j;
	size_t len;
	unsigned seed = 7, bad = 0, kept = 0;
	int i, k, step;

	for (i = 0; i < 8; i++) {
		for (k = 0; k < PLEN; k++)
			pool[i][k] = (char)('a' + (i * 7 + k) % 26);
		pool[i][PLEN] = '\0';
	}
	for (i = 0; i < PN; i++) {
		struct flowtab_key key = key4((uint8_t)i, 1, 200, 80, 0);

		f[i] = flowtab_insert(ft, &key, 0);
		memset(&want[i], 0, sizeof(want[i]));
	}
	for (step = 0; step < 20000; step++) {
		struct flowtab_key key;

		i = rand_r(&seed) % PN;
		key = key4((uint8_t)i, 1, 200, 80, 0);
		flowtab_end(ft, f[i], FLOW_END_IDLE);
		f[i] = flowtab_insert(ft, &key, 0);
		rand_proc(&want[i], &seed);
		flowtab_set_proc(ft, f[i], 0, &want[i]);
		/* The text kept describes the block and the side. */
		if (f[i]->proc[0] != 0 && rand_r(&seed) % 2) {
			len = proc_desc(txt, sizeof(txt), &want[i], step % 2);
			flowtab_proc_json_set(ft, f[i]->proc[0], step % 2,
			    txt, len);
		}
		for (k = 0; k < PN; k++) {
			uint32_t id = f[k]->proc[0];
			int side;

			if (id == 0) {
				bad += want[k].nset != 0;
				continue;
			}
			bad += !proc_same(flowtab_proc(ft, id), &want[k]);
			for (side = 0; side < 2; side++) {
				if ((j = flowtab_proc_json(ft, id, side,
				    &len)) == NULL)
					continue;
				kept++;
				bad += len != proc_desc(txt, sizeof(txt),
				    &want[k], side) || memcmp(j, txt, len) != 0;
			}
		}
	}
	CHECK(bad == 0);
	CHECK(kept > 100000);		/* the check above did check */
	CHECK(flowtab_proc_json(ft, 0, 0, &len) == NULL);
	CHECK(flowtab_proc_json(ft, f[0]->proc[0], 2, &len) == NULL);
	for (i = 0; i < PN; i++)
		flowtab_end(ft, f[i], FLOW_END_IDLE);
	CHECK(flowtab_nprocs(ft) == 0);
	flowtab_destroy(&ft);
}

int
main(void)
{
	CHECK(sizeof(struct flow) <= 160);
	test_lookup();
	test_l7();
	test_expiry();
	test_seen();
	test_swap_hash();
	test_proc_share();
	test_evict();
	test_procs();
	test_proc_pieces();
	test_many();
	return unit_done("flowtab");
}
