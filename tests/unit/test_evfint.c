/* test_evfint.c - unit tests for the internals of the evfields module
 * (include/evfieldsint.h): the key table's look-up against a plain search
 * of its entries, and evf_unescape() against a decoder written for
 * clarity, at every buffer size. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evfieldsint.h"
#include "unit.h"

/* The key of s[0..n) by comparing it with every entry of the table. */
static enum evf_key
key_slow(const char *s, size_t n)
{
	enum evf_key k;
	const char *name;
	size_t i;

	for (i = 0; (name = evf_key_entry(i, &k)) != NULL; i++)
		if (strlen(name) == n && memcmp(name, s, n) == 0)
			return k;
	return K_NONE;
}

static unsigned long key_runs, key_hits, key_diffs, walk_runs;
static struct record rec = RECORD_INIT;

/* The walk over a record's members (evf_collect_all) finds the same key
 * as the look-up, or none, for the one member s[0..n): its filter on a
 * key's first two bytes never drops a key of the table. A key starting
 * with a digit may be a numeric id of a field the table names. */
static bool
walk_ok(const char *s, size_t n, enum evf_key want)
{
	struct evf_slots sl;
	char txt[128];
	int len;
	size_t k, filled = 0;

	len = snprintf(txt, sizeof(txt), "{\"%.*s\":1}", (int)n, s);
	if (len < 0 || (size_t)len >= sizeof(txt) ||
	    record_parse(&rec, txt, (size_t)len) != REC_OK)
		return true;	/* not a key a record can hold */
	walk_runs++;
	evf_collect_all(&rec, &sl);
	for (k = 1; k < K_MAX; k++)
		filled += sl.s[k] != NULL;
	if (want != K_NONE)
		return filled == 1 && sl.s[want] == &rec.f[0];
	return filled == 0 || (n > 0 && s[0] >= '0' && s[0] <= '9');
}

static void
key_check(const char *s, size_t n)
{
	enum evf_key got = evf_key_find(s, n), want = key_slow(s, n);

	key_runs++;
	key_hits += want != K_NONE;
	if ((got != want || !walk_ok(s, n, want)) && key_diffs++ < 10)
		fprintf(stderr, "  key '%.*s': %d, want %d\n", (int)n, s,
		    (int)got, (int)want);
}

/* Every entry, and every entry changed in one byte, cut short by one or
 * more bytes, or lengthened; every string of up to three digits; strings
 * that share a key's first and last words but not its middle. */
static void
test_keys(void)
{
	static const char subst[] = "_0AZaz9SDLR6\x01\xff";
	enum evf_key k;
	const char *name;
	char buf[64];
	size_t i, j, c, n;

	CHECK(evf_key_entry(0, &k) != NULL);
	for (i = 0; (name = evf_key_entry(i, &k)) != NULL; i++) {
		n = strlen(name);
		CHECK(k != K_NONE && evf_key_find(name, n) == k);
		for (j = 0; j < n; j++) {
			for (c = 0; c < sizeof(subst) - 1; c++) {
				memcpy(buf, name, n);
				buf[j] = subst[c];
				key_check(buf, n);
			}
			key_check(name, j);
			key_check(name + j, n - j);
		}
		for (c = 0; c < sizeof(subst) - 1; c++) {
			memcpy(buf, name, n);
			buf[n] = subst[c];
			key_check(buf, n + 1);
			memset(buf + n, subst[c], 8);
			key_check(buf, n + 8);
		}
	}
	for (i = 0; i < 1000; i++) {
		n = (size_t)snprintf(buf, sizeof(buf), "%zu", i);
		key_check(buf, n);
	}
	/* Bytes 8..15 of a long key are compared too. */
	memcpy(buf, "SRC_PROC_CONTAINER_ID", 21);
	memcpy(buf + 8, "XXXXXXXX", 8);
	key_check(buf, 21);
	CHECK(evf_key_find(buf, 21) == K_NONE);
	CHECK(evf_key_find("", 0) == K_NONE);
	memset(buf, 'A', sizeof(buf));
	CHECK(evf_key_find(buf, 40) == K_NONE);
	CHECK(key_diffs == 0);
	CHECK(key_hits > 100);
	CHECK(walk_runs > 10000);
	printf("  key table: %lu look-ups (%lu through a record), %lu hits, "
	    "%lu differ\n", key_runs, walk_runs, key_hits, key_diffs);
}

/* The pieces a string body is made of: text as producers send it and
 * every kind of escape, as (source, decoded) pairs. */
static const struct {
	const char	*src;
	const char	*dec;
} piece[] = {
	{ "a", "a" }, { "usr", "usr" }, { "abcdefghijklmnop",
	    "abcdefghijklmnop" }, { "\xc3\xa9", "\xc3\xa9" },
	{ "\xe2\x82\xac", "\xe2\x82\xac" },
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
	{ "\\/", "/" }, { "\\\\", "\\" }, { "\\\"", "\"" }, { "\\n", "\n" },
	{ "\\t", "\t" }, { "\\b", "\b" }, { "\\f", "\f" }, { "\\r", "\r" },
	{ "\\u0041", "A" }, { "\\u00e9", "\xc3\xa9" },
	{ "\\u20AC", "\xe2\x82\xac" },
	{ "\\ud83d\\ude00", "\xf0\x9f\x98\x80" },
	{ "\\ud800x", "\xef\xbf\xbd" "x" }, { "\\udc00", "\xef\xbf\xbd" },
	{ "\\ud800\\u0041", "\xef\xbf\xbd" "A" }, { "\\u0000", "" },
};
#define NPIECE	(sizeof(piece) / sizeof(piece[0]))

static unsigned long unesc_runs, unesc_diffs;
static uint32_t seed = 11;

static unsigned
rnd(unsigned n)
{
	return unit_rand(&seed, n);
}

/* The expected decoding of the pieces p[0..np) into size bytes: as many
 * whole code points as fit in size - 1 bytes. */
static size_t
unesc_ref(const size_t *p, size_t np, char *buf, size_t size, bool *trunc)
{
	size_t i, j, o = 0;

	*trunc = false;
	for (i = 0; i < np; i++) {
		const char *d = piece[p[i]].dec;
		size_t dl = strlen(d), step;

		for (j = 0; j < dl; j += step) {
			unsigned char c = (unsigned char)d[j];

			step = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
			if (o + step > size - 1) {
				*trunc = true;
				buf[o] = '\0';
				return o;
			}
			memcpy(buf + o, d + j, step);
			o += step;
		}
	}
	buf[o] = '\0';
	return o;
}

static void
unesc_check(const size_t *p, size_t np)
{
	char src[512], got[512], want[512];
	size_t i, n = 0, size, gl, wl;
	bool gt, wt;

	for (i = 0; i < np; i++) {
		memcpy(src + n, piece[p[i]].src, strlen(piece[p[i]].src));
		n += strlen(piece[p[i]].src);
	}
	for (size = 1; size <= n + 2; size++) {
		gt = false;
		memset(got, 'Z', sizeof(got));
		gl = evf_unescape(src, n, got, size, &gt);
		wl = unesc_ref(p, np, want, size, &wt);
		unesc_runs++;
		if ((gl != wl || gt != wt || memcmp(got, want, wl + 1) != 0 ||
		    got[size] != 'Z') && unesc_diffs++ < 10)
			fprintf(stderr, "  unescape '%.*s' into %zu: %zu '%s' %d,"
			    " want %zu '%s' %d\n", (int)n, src, size, gl, got,
			    gt, wl, want, wt);
	}
}

/* Every pair of pieces, and 20,000 random strings of up to 24 pieces,
 * each at every buffer size from 1 to 2 past its length. */
static void
test_unescape(void)
{
	size_t p[24], i, j, np;
	unsigned t;

	for (i = 0; i < NPIECE; i++)
		for (j = 0; j < NPIECE; j++) {
			p[0] = i;
			p[1] = j;
			unesc_check(p, 2);
		}
	for (t = 0; t < 20000; t++) {
		np = 1 + rnd(24);
		for (i = 0; i < np; i++)
			p[i] = rnd(4) == 0 ? rnd(NPIECE) : rnd(3);
		unesc_check(p, np);
	}
	CHECK(unesc_diffs == 0);
	printf("  unescape: %lu decodings, %lu differ\n", unesc_runs,
	    unesc_diffs);
}

/* evf_plain_uint against strtoull: numbers of every length up to 19
 * digits, some with a byte that is no digit somewhere, a leading zero, or
 * of another kind. */
static void
test_plain_uint(void)
{
	static const char other[] = "-.eE+/:a \x7f";
	char txt[32];
	struct rec_field f;
	unsigned long bad = 0, hits = 0;
	unsigned t, i, n;

	for (t = 0; t < 300000; t++) {
		uint64_t got = 0, want;
		bool ok, want_ok;

		n = 1 + rnd(19);
		for (i = 0; i < n; i++)
			txt[i] = (char)('0' + rnd(10));
		if (rnd(4) == 0)
			txt[rnd(n)] = other[rnd(sizeof(other) - 1)];
		if (n > 1 && rnd(8) == 0)
			txt[0] = '0';
		txt[n] = '\0';
		memset(&f, 0, sizeof(f));
		f.kind = rnd(10) == 0 ? REC_STRING : REC_NUMBER;
		f.val = txt;
		f.vlen = n;
		ok = evf_plain_uint(&f, 18, &got);
		want_ok = f.kind == REC_NUMBER && n <= 18 &&
		    strspn(txt, "0123456789") == n && (txt[0] != '0' || n == 1);
		want = want_ok ? strtoull(txt, NULL, 10) : 0;
		hits += want_ok;
		if ((ok != want_ok || (ok && got != want)) && bad++ < 10)
			fprintf(stderr, "  plain_uint '%s': %d %llu, want %d %llu\n",
			    txt, ok, (unsigned long long)got, want_ok,
			    (unsigned long long)want);
	}
	CHECK(bad == 0);
	CHECK(hits > 100000);
}

int
main(void)
{
	test_keys();
	test_unescape();
	test_plain_uint();
	return unit_done("evfint");
}
