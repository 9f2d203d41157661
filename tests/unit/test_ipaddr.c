/* test_ipaddr.c - unit tests for common/ipaddr.c. */
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
	test_format();
	test_format_ntop();
	test_cmp_hash();
	test_loopback();
	return unit_done("ipaddr");
}
