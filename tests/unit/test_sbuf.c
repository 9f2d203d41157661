/* test_sbuf.c - unit tests for common/sbuf.c. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sbuf.h"
#include "unit.h"

/* sbuf_add_fix3 against printf itself, on floats and other doubles. */
static void
check_fix3(struct sbuf *b)
{
	static const double v[] = { 0, -0.0, 0.0005, 0.0015, 0.0025, -0.0001,
	    1.2345678, 12.5, 999.9995, 1e9, 3.4e38, 1e300, -7.0625, 0.1 };
	char want[400];
	size_t i;
	int j;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sbuf_reset(b);
		sbuf_add_fix3(b, v[i]);
		snprintf(want, sizeof(want), "%.3f", v[i]);
		CHECK_STR(b->p, want);
		sbuf_reset(b);
		sbuf_add_fix3(b, (float)v[i]);
		snprintf(want, sizeof(want), "%.3f", (double)(float)v[i]);
		CHECK_STR(b->p, want);
	}
	/* Every float of some ties and near-ties. */
	for (j = 0; j < 100000; j++) {
		float f = (float)j / 1024.0f - 40.0f;

		sbuf_reset(b);
		sbuf_add_fix3(b, f);
		snprintf(want, sizeof(want), "%.3f", (double)f);
		if (strcmp(b->p, want) != 0)
			break;
	}
	CHECK(j == 100000);
	sbuf_reset(b);
	sbuf_add_fix3(b, 1.0 / 0.0);
	snprintf(want, sizeof(want), "%.3f", 1.0 / 0.0);
	CHECK_STR(b->p, want);
}

/* The cursor level: sbuf_room, the sbuf_put_* writers, sbuf_commit. */
static void
check_put(struct sbuf *b)
{
	uint64_t v;
	char want[32], *o;
	int k;

	sbuf_reset(b);
	o = sbuf_room(b, 200);
	o = SBUF_PUTLIT(o, "x=");
	o = sbuf_put_i64(o, -42);
	*o++ = ' ';
	o = sbuf_put_digits(o, 7, 3);
	*o++ = ' ';
	o = sbuf_put_digits(o, 123456, 4);
	*o++ = ' ';
	o = sbuf_put_frac(o, -3, 5, 6);
	*o++ = ' ';
	o = sbuf_put_us(o, -1500000);
	*o++ = ' ';
	o = sbuf_put_jstr(o, "a\"\t", 3);
	*o++ = ' ';
	o = sbuf_put_jesc(o, 0x1f);
	sbuf_commit(b, o);
	CHECK_STR(b->p, "x=-42 007 3456 -3.000005 -2.500000 \"a\\\"\\t\" "
	    "\\u001f");
	CHECK(b->len == strlen(b->p));
	/* sbuf_put_digits: every width, zero-padded or cut to the lowest
	 * digits. */
	for (k = 1; k <= 10; k++) {
		static const uint32_t vs[] = { 0, 7, 42, 123456, 4294967295u };
		size_t i;

		for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
			char full[16];

			snprintf(full, sizeof(full), "%010u", vs[i]);
			o = sbuf_put_digits(want, vs[i], k);
			*o = '\0';
			CHECK_STR(want, full + 10 - k);
		}
	}
	/* Where the writer turns to 32 bits, and the largest. */
	{
		static const uint64_t vs[] = { 4294967295ULL, 4294967296ULL,
		    4294967395ULL, 429496729600ULL, UINT64_MAX,
		    UINT64_MAX / 100 * 100 };
		size_t i;

		for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
			sbuf_reset(b);
			sbuf_add_u64(b, vs[i]);
			snprintf(want, sizeof(want), "%llu",
			    (unsigned long long)vs[i]);
			CHECK_STR(b->p, want);
		}
	}
	/* Every digit count and its neighbours. */
	for (k = 0, v = 1; k < 20; k++, v *= 10) {
		uint64_t w[3] = { v - 1, v, v + 1 };
		int i;

		for (i = 0; i < 3; i++) {
			sbuf_reset(b);
			sbuf_add_u64(b, w[i]);
			snprintf(want, sizeof(want), "%llu",
			    (unsigned long long)w[i]);
			CHECK_STR(b->p, want);
		}
	}
}

/* The escape of one byte, as sbuf_put_jstr must write it. */
static size_t
ref_jbyte(char *o, unsigned char c)
{
	switch (c) {
	case '"': return (size_t)sprintf(o, "\\\"");
	case '\\': return (size_t)sprintf(o, "\\\\");
	case '\n': return (size_t)sprintf(o, "\\n");
	case '\r': return (size_t)sprintf(o, "\\r");
	case '\t': return (size_t)sprintf(o, "\\t");
	case '\b': return (size_t)sprintf(o, "\\b");
	case '\f': return (size_t)sprintf(o, "\\f");
	}
	if (c < 0x20)
		return (size_t)sprintf(o, "\\u%04x", c);
	*o = (char)c;
	return 1;
}

/* sbuf_put_jstr, which passes eight plain bytes at a time, against a
 * byte-at-a-time writer: strings of every length up to 40 with a byte
 * to escape (or a high byte, or none) at every place. */
static void
check_jstr(struct sbuf *b)
{
	static const unsigned char odd[] = { '"', '\\', 0, 0x1f, '\n', 0x20,
	    0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xc3, 0xff, 'a' };
	char s[48], want[400];
	size_t n, at, k, w, bad = 0;

	for (n = 0; n <= 40; n++)
		for (at = 0; at <= n; at++)
			for (k = 0; k < sizeof(odd); k++) {
				memset(s, 'x', sizeof(s));
				if (at < n)
					s[at] = (char)odd[k];
				if (n > 9)
					s[n - 1] = (char)odd[(k + 3) %
					    sizeof(odd)];
				w = 0;
				want[w++] = '"';
				for (size_t i = 0; i < n; i++)
					w += ref_jbyte(want + w,
					    (unsigned char)s[i]);
				want[w++] = '"';
				sbuf_reset(b);
				sbuf_add_jstr(b, s, n);
				if (b->len != w || memcmp(b->p, want, w) != 0)
					bad++;
			}
	CHECK(bad == 0);
}

int
main(void)
{
	struct sbuf b = { 0 };
	int i;

	sbuf_adds(&b, "ab");
	sbuf_addc(&b, 'c');
	sbuf_addf(&b, "%d-%s", 42, "x");
	CHECK_STR(b.p, "abc42-x");
	sbuf_reset(&b);
	sbuf_add_jstr(&b, "q\"b\\/\n\x01\xc3\xa9", 9);
	CHECK_STR(b.p, "\"q\\\"b\\\\/\\n\\u0001\xc3\xa9\"");
	sbuf_reset(&b);
	/* Overlong, surrogate, past U+10FFFF, cut short, stray continuation:
	 * one U+FFFD a byte; escapes as sbuf_add_jstr. */
	CHECK(sbuf_add_jstr_utf8(&b, "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80"
	    "\xe2\x82", 11) == 1);
	CHECK(b.len == 2 + 11 * 3);
	sbuf_reset(&b);
	CHECK(sbuf_add_jstr_utf8(&b, "a\"\x01\xc3\xa9\xf0\x9f\x98\x80", 9) == 0);
	CHECK_STR(b.p, "\"a\\\"\\u0001\xc3\xa9\xf0\x9f\x98\x80\"");
	sbuf_reset(&b);
	CHECK(sbuf_add_jstr_utf8(&b, "\xff\n", 2) == 1);
	CHECK_STR(b.p, "\"\xef\xbf\xbd\\n\"");
	CHECK(sbuf_utf8_len((const unsigned char *)"\xe0\xa0\x80", 3) == 3);
	CHECK(sbuf_utf8_len((const unsigned char *)"\xe0\x9f\x80", 3) == 0);
	CHECK(sbuf_utf8_len((const unsigned char *)"\xf4\x8f\xbf\xbf", 4) == 4);
	CHECK(sbuf_utf8_len((const unsigned char *)"\xf0\x9f\x98", 3) == 0);
	sbuf_reset(&b);
	sbuf_add_u64(&b, 0);
	sbuf_addc(&b, ' ');
	sbuf_add_u64(&b, UINT64_MAX);
	sbuf_addc(&b, ' ');
	sbuf_add_i64(&b, INT64_MIN);
	CHECK_STR(b.p, "0 18446744073709551615 -9223372036854775808");
	sbuf_reset(&b);
	sbuf_add_time(&b, 1718031245.482913);
	sbuf_addc(&b, ' ');
	sbuf_add_time(&b, 0.0000004);
	sbuf_addc(&b, ' ');
	sbuf_add_time(&b, 1.9999996);
	CHECK_STR(b.p, "1718031245.482913 0.000000 2.000000");
	sbuf_reset(&b);
	sbuf_add_time(&b, 1e300 * 1e300);
	sbuf_addc(&b, ' ');
	sbuf_add_time(&b, -1.5);
	sbuf_addc(&b, ' ');
	sbuf_add_time(&b, 1e13);
	CHECK_STR(b.p, "0.000000 -1.500000 10000000000000.000000");
	sbuf_reset(&b);
	sbuf_add_us(&b, 1718031245482913);
	sbuf_addc(&b, ' ');
	sbuf_add_us(&b, -1);
	sbuf_addc(&b, ' ');
	sbuf_add_us(&b, 0);
	sbuf_addc(&b, ' ');
	sbuf_add_us(&b, INT64_MIN);
	sbuf_addc(&b, ' ');
	sbuf_add_us(&b, 1795795844000007);
	CHECK_STR(b.p, "1718031245.482913 -1.999999 0.000000 "
	    "-9223372036855.224192 1795795844.000007");
	sbuf_reset(&b);
	check_fix3(&b);
	check_put(&b);
	check_jstr(&b);
	sbuf_reset(&b);
	for (i = 0; i < 10000; i++)
		sbuf_addc(&b, 'x');
	CHECK(b.len == 10000 && b.p[10000] == '\0');
	sbuf_free(&b);
	CHECK(b.p == NULL && b.len == 0);
	return unit_done("sbuf");
}
