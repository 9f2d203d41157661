/* test_evfint.c - unit tests for the internals of the evfields module
 * (include/evfieldsint.h): the key table's look-up against a plain search
 * of its entries, and the plain unsigned integer reader against
 * strtoull. */
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

static uint32_t seed = 11;

static unsigned
rnd(unsigned n)
{
	return unit_rand(&seed, n);
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
	test_plain_uint();
	return unit_done("evfint");
}
