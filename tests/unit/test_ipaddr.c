/* test_ipaddr.c - unit tests for common/ipaddr.c. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "ipaddr.h"
#include "unit.h"

static int
parse(struct ipaddr *a, const char *s)
{
	return ipaddr_parse(a, s, strlen(s));
}

/* Parses s and formats it back; returns the text or "(bad)". */
static const char *
roundtrip(const char *s)
{
	static char buf[IPADDR_STRLEN];
	struct ipaddr a;

	if (parse(&a, s) != 0 || ipaddr_format(&a, buf, sizeof(buf)) < 0)
		return "(bad)";
	return buf;
}

static void
test_parse(void)
{
	struct ipaddr a;
	static const char *bad[] = {
		"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04",
		"01.2.3.4", "1..2.3", "1.2.3.", ".1.2.3", "a.b.c.d", " 1.2.3.4",
		"1.2.3.4 ", "1.2.3.4x", "1234.1.1.1", ":::", "1::2::3",
		"fe80::1%eth0", "[::1]", "12345::", "::g", "1.2.3.-4",
		"1:2:3:4:5:6:7:8:9",
	};
	size_t i;

	CHECK(parse(&a, "10.0.2.15") == 0);
	CHECK(a.family == IPADDR_V4);
	CHECK(a.a[0] == 10 && a.a[1] == 0 && a.a[2] == 2 && a.a[3] == 15);
	CHECK(a.a[4] == 0 && a.a[15] == 0);
	CHECK(parse(&a, "::1") == 0 && a.family == IPADDR_V6 && a.a[15] == 1);
	CHECK_STR(roundtrip("0.0.0.0"), "0.0.0.0");
	CHECK_STR(roundtrip("255.255.255.255"), "255.255.255.255");
	CHECK_STR(roundtrip("2001:db8:1::10"), "2001:db8:1::10");
	CHECK_STR(roundtrip("2606:4700:0:0:0:0:6810:84E5"),
	    "2606:4700::6810:84e5");
	CHECK_STR(roundtrip("::ffff:127.0.0.1"), "::ffff:127.0.0.1");
	CHECK_STR(roundtrip("::"), "::");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.family = 99;
		CHECK(parse(&a, bad[i]) == -1);
		CHECK(a.family == IPADDR_NONE);
		if (a.family != IPADDR_NONE)
			fprintf(stderr, "  accepted: '%s'\n", bad[i]);
	}
	/* Length, not NUL, bounds the text. */
	CHECK(ipaddr_parse(&a, "1.2.3.4567", 7) == 0 && a.a[3] == 4);
	CHECK(ipaddr_parse(&a, "::1", 2) == 0 && ipaddr_is_zero(&a));
	{
		char longtxt[100];

		memset(longtxt, '1', sizeof(longtxt));
		CHECK(ipaddr_parse(&a, longtxt, sizeof(longtxt)) == -1);
	}
}

/* What ipaddr_parse answered before it parsed IPv6 by hand, and what
 * inet_pton(3) answers: a text with a colon is AF_INET6 text read as a C
 * string (to its first NUL), any other is AF_INET text, which has no NUL. */
static int
ref_parse(struct ipaddr *a, const char *s, size_t len)
{
	char buf[IPADDR_STRLEN];
	bool colon = memchr(s, ':', len) != NULL;

	memset(a, 0, sizeof(*a));
	if (len == 0 || len >= sizeof(buf) ||
	    (!colon && memchr(s, '\0', len) != NULL))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(colon ? AF_INET6 : AF_INET, buf, a->a) != 1) {
		memset(a, 0, sizeof(*a));
		return -1;
	}
	a->family = colon ? IPADDR_V6 : IPADDR_V4;
	return 0;
}

static unsigned long ref_runs, ref_accepted, ref_diffs;

/* ipaddr_parse and ref_parse must give the same answer and bytes. */
static void
ref_check(const char *s, size_t len)
{
	struct ipaddr got, want;
	int g, w;

	memset(&got, 0xa5, sizeof(got));
	g = ipaddr_parse(&got, s, len);
	w = ref_parse(&want, s, len);
	ref_runs++;
	ref_accepted += w == 0;
	if (g != w || memcmp(&got, &want, sizeof(got)) != 0) {
		if (ref_diffs++ < 10)
			fprintf(stderr, "  differs from inet_pton: '%.*s' (%zu "
			    "bytes): %d, want %d\n", (int)len, s, len, g, w);
	}
}

/* Every string of up to 6 characters over an alphabet of the characters
 * that matter (digits at the limits, hex letters of both cases, a
 * non-hex letter, the separators, a space and a NUL). */
static void
test_parse_exhaustive(void)
{
	static const char abc[] = "0129aF:.g \0";
	const size_t na = sizeof(abc) - 1, maxlen = 6;
	size_t idx[6], len, i;
	char s[6];

	for (len = 0; len <= maxlen; len++) {
		memset(idx, 0, sizeof(idx));
		for (;;) {
			for (i = 0; i < len; i++)
				s[i] = abc[idx[i]];
			ref_check(s, len);
			for (i = 0; i < len && ++idx[i] == na; i++)
				idx[i] = 0;
			if (i == len)
				break;
		}
	}
}

static uint32_t gen_seed = 1;

static unsigned
gen_rand(unsigned n)
{
	return unit_rand(&gen_seed, n);
}

/* A decimal part: mostly 0..255, sometimes 256..999, 4 digits, a leading
 * zero, or nothing. */
static size_t
gen_dec(char *o)
{
	switch (gen_rand(12)) {
	case 0: return (size_t)sprintf(o, "%u", 256 + gen_rand(744));
	case 1: return (size_t)sprintf(o, "%u", 1000 + gen_rand(9000));
	case 2: return (size_t)sprintf(o, "0%u", gen_rand(100));
	case 3: return 0;
	case 4: return (size_t)sprintf(o, "%u", 250 + gen_rand(6));
	default: return (size_t)sprintf(o, "%u", gen_rand(256));
	}
}

/* A hex group: mostly 1 to 4 digits, sometimes 5 or none, mixed case. */
static size_t
gen_hex(char *o)
{
	static const char hx[] = "0123456789abcdefABCDEF";
	size_t n = gen_rand(10) == 0 ? gen_rand(6) : 1 + gen_rand(4), i;

	for (i = 0; i < n; i++)
		o[i] = hx[gen_rand(sizeof(hx) - 1)];
	return n;
}

/* An address-shaped text: a dotted quad, or IPv6 groups with at most a
 * few "::" and maybe a dotted tail, then mutated: a character changed,
 * inserted or dropped, junk appended, a NUL inside. */
static size_t
gen_addr(char *o)
{
	static const char junk[] = "0:.a \0x%]/9";
	size_t n = 0, parts, i;

	if (gen_rand(3) == 0) {
		parts = gen_rand(8) == 0 ? 3 + gen_rand(3) : 4;
		for (i = 0; i < parts; i++) {
			if (i > 0)
				o[n++] = '.';
			n += gen_dec(o + n);
		}
	} else {
		parts = gen_rand(10);
		for (i = 0; i < parts; i++) {
			if (i > 0 || gen_rand(6) == 0)
				o[n++] = ':';
			if (gen_rand(5) == 0)
				o[n++] = ':';
			n += gen_hex(o + n);
		}
		if (gen_rand(4) == 0) {
			o[n++] = ':';
			for (i = 0; i < 4; i++) {
				if (i > 0)
					o[n++] = '.';
				n += gen_dec(o + n);
			}
		}
		if (gen_rand(8) == 0)
			o[n++] = ':';
	}
	if (n > 0 && gen_rand(4) == 0) {
		i = gen_rand((unsigned)n);
		switch (gen_rand(4)) {
		case 0:
			o[i] = junk[gen_rand(sizeof(junk) - 1)];
			break;
		case 1:
			memmove(o + i + 1, o + i, n - i);
			o[i] = junk[gen_rand(sizeof(junk) - 1)];
			n++;
			break;
		case 2:
			memmove(o + i, o + i + 1, n - i - 1);
			n--;
			break;
		default:
			o[n++] = junk[gen_rand(sizeof(junk) - 1)];
		}
	}
	return n;
}

/* The hand parsers against inet_pton: exhaustive over short strings,
 * and 1,000,000 generated address-shaped ones. */
static void
test_parse_ref(void)
{
	char s[200];
	unsigned long t;

	test_parse_exhaustive();
	for (t = 0; t < 1000000; t++)
		ref_check(s, gen_addr(s));
	fprintf(stderr, "  parse vs inet_pton: %lu strings, %lu accepted, "
	    "%lu differ\n", ref_runs, ref_accepted, ref_diffs);
	CHECK(ref_diffs == 0);
	CHECK(ref_accepted > 100000);	/* the generator reaches both sides */
	CHECK(ref_runs - ref_accepted > 100000);
}

static void
test_format(void)
{
	struct ipaddr a = { 0 };
	char buf[IPADDR_STRLEN];
	char small[8];

	CHECK(ipaddr_format(&a, buf, sizeof(buf)) == -1);
	ipaddr_set_v4(&a, 0x7f000001);
	CHECK(ipaddr_format(&a, buf, sizeof(buf)) == 9);
	CHECK_STR(buf, "127.0.0.1");
	ipaddr_set_v4(&a, 0xc0a80228);
	CHECK(ipaddr_format(&a, small, sizeof(small)) == -1);
	{
		uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };

		ipaddr_set_v6(&a, b);
		CHECK(ipaddr_format(&a, buf, sizeof(buf)) > 0);
		CHECK_STR(buf, "2001:db8::10");
	}
}

/* ipaddr_format writes what inet_ntop(3) writes, for addresses built to
 * hit every rule: zero runs of each length and place, ties between runs,
 * the IPv4-mapped and IPv4-compatible tails, and every octet width. */
static void
test_format_ntop(void)
{
	struct ipaddr a;
	char got[IPADDR_STRLEN], want[INET6_ADDRSTRLEN];
	uint32_t seed = 7;
	int t, i, bad = 0;

	for (t = 0; t < 200000; t++) {
		uint8_t b[16];

		for (i = 0; i < 16; i++) {
			seed = seed * 1103515245 + 12345;
			/* Mostly zero groups; octets of 1, 2 and 3 digits. */
			b[i] = (seed >> 16) % 3 == 0 ? (uint8_t)(seed >> 8) : 0;
		}
		if (t % 7 == 0) {
			memset(b, 0, 10);
			b[10] = b[11] = 0xff;
		}
		ipaddr_set_v6(&a, b);
		inet_ntop(AF_INET6, b, want, sizeof(want));
		if (ipaddr_format(&a, got, sizeof(got)) < 0 ||
		    strcmp(got, want) != 0)
			bad++;
		ipaddr_set_v4(&a, (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15]);
		inet_ntop(AF_INET, a.a, want, sizeof(want));
		if (ipaddr_format(&a, got, sizeof(got)) < 0 ||
		    strcmp(got, want) != 0)
			bad++;
	}
	CHECK(bad == 0);
	/* Every octet value at every place, written into a buffer of
	 * exactly the room ipaddr.h promises (IPADDR_STRLEN - 1). */
	for (t = 0; t < 256 * 4; t++) {
		uint8_t q[4] = { 1, 22, 133, 4 };
		char room[IPADDR_STRLEN - 1], *end;

		q[t / 256] = (uint8_t)(t % 256);
		inet_ntop(AF_INET, q, want, sizeof(want));
		end = ipaddr_put4(room, q);
		if ((size_t)(end - room) != strlen(want) ||
		    memcmp(room, want, strlen(want)) != 0)
			bad++;
	}
	CHECK(bad == 0);
}

static void
test_cmp_hash(void)
{
	struct ipaddr x, y, z, none = { 0 };

	parse(&x, "10.0.0.1");
	parse(&y, "10.0.0.2");
	parse(&z, "::a00:1");	/* same bytes at the end, other family */
	CHECK(ipaddr_cmp(&x, &y) < 0 && ipaddr_cmp(&y, &x) > 0);
	CHECK(ipaddr_cmp(&x, &x) == 0 && ipaddr_eq(&x, &x));
	CHECK(!ipaddr_eq(&x, &y));
	CHECK(ipaddr_cmp(&x, &z) < 0);	/* v4 before v6 */
	CHECK(ipaddr_cmp(&none, &x) < 0);
	CHECK(ipaddr_hash(&x, 0) == ipaddr_hash(&x, 0));
	CHECK(ipaddr_hash(&x, 0) != ipaddr_hash(&y, 0));
	CHECK(ipaddr_hash(&x, 0) != ipaddr_hash(&z, 0));
	CHECK(ipaddr_hash(&x, 1) != ipaddr_hash(&x, 0));
	/* Stable across runs and hosts: a fixed value. */
	CHECK(ipaddr_hash(&x, 0) == ipaddr_hash(&x, 0xcbf29ce484222325ULL));
}

static void
test_loopback(void)
{
	static const char *lo[] = {
		"127.0.0.1", "127.255.255.254", "127.0.0.0", "::1",
		"::ffff:127.0.0.1", "::ffff:127.1.2.3",
	};
	static const char *notlo[] = {
		"126.255.255.255", "128.0.0.1", "10.0.0.1", "::2", "::",
		"::ffff:128.0.0.1", "::127.0.0.1", "0.0.0.0", "0.0.0.2",
		"1::1", "::fffe:127.0.0.1",
	};
	struct ipaddr a;
	size_t i;

	for (i = 0; i < sizeof(lo) / sizeof(lo[0]); i++) {
		parse(&a, lo[i]);
		CHECK(ipaddr_is_loopback(&a));
		CHECK(ipaddr_is_loopback_event(&a));
	}
	for (i = 0; i < sizeof(notlo) / sizeof(notlo[0]); i++) {
		parse(&a, notlo[i]);
		CHECK(!ipaddr_is_loopback(&a));
		CHECK(!ipaddr_is_loopback_event(&a));
	}
	/* libebpfflow's ::1 is loopback only in the event context. */
	parse(&a, "0.0.0.1");
	CHECK(!ipaddr_is_loopback(&a));
	CHECK(ipaddr_is_loopback_event(&a));
	memset(&a, 0, sizeof(a));
	CHECK(!ipaddr_is_loopback(&a) && !ipaddr_is_loopback_event(&a));
	CHECK(ipaddr_is_zero(&a));
	parse(&a, "0.0.0.0");
	CHECK(ipaddr_is_zero(&a));
}

int
main(void)
{
	test_parse();
	test_parse_ref();
	test_format();
	test_format_ntop();
	test_cmp_hash();
	test_loopback();
	return unit_done("ipaddr");
}
