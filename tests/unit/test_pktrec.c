/* test_pktrec.c - packet records (exact text, IPv6 text as inet_ntop) and
 * the -A slice aggregator (merging, slice boundaries, late packets, a full
 * table, interfaces kept apart, clock ticks). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pktrec.h"
#include "unit.h"

#define IF	"\"eth0\""

static struct pktdec
tcp4(uint16_t sport, uint8_t flags)
{
	struct pktdec d;

	memset(&d, 0, sizeof(d));
	d.layer = PKTDEC_L_TRANSPORT;
	d.sll_pkttype = -1;
	d.ipver = 4;
	d.proto = 6;
	memcpy(d.src, "\xc0\xa8\x01\x02", 4);
	memcpy(d.dst, "\x0a\x00\x00\xff", 4);
	d.has_ports = d.has_flags = true;
	d.sport = sport;
	d.dport = 443;
	d.tcp_flags = flags;
	return d;
}

static void
test_packet(void)
{
	struct sbuf b = { 0 };
	struct pktrec_time t = { 1700000000, 123456789, false };
	struct pktdec d = tcp4(40000, 0x18);

	pktrec_packet(&b, IF, &t, &d, 1514);
	CHECK_STR(b.p, "{\"_type\":\"packet\",\"_iface\":\"eth0\","
	    "\"_rx\":1700000000.123456,\"timestamp\":\"1700000000.123456\","
	    "\"IP_PROTOCOL_VERSION\":4,\"IPV4_SRC_ADDR\":\"192.168.1.2\","
	    "\"IPV4_DST_ADDR\":\"10.0.0.255\",\"PROTOCOL\":6,"
	    "\"L4_SRC_PORT\":40000,\"L4_DST_PORT\":443,\"TCP_FLAGS\":24,"
	    "\"PKTS\":1,\"BYTES\":1514}");
	/* Nanoseconds, tags, direction, ICMP, fragment, a decode error. */
	sbuf_reset(&b);
	t.nano = true;
	t.nsec = 5;
	memset(&d, 0, sizeof(d));
	d.status = PKTDEC_TRUNCATED;
	d.layer = PKTDEC_L_NET;
	d.sll_pkttype = 0;
	d.nvlan = 2;
	d.vlan[0] = 100;
	d.vlan[1] = 4095;
	d.ipver = 4;
	d.proto = 1;
	d.has_icmp = true;
	d.icmp_type = 3;
	d.icmp_code = 4;
	d.frag = true;
	d.frag_id = 77;
	d.frag_off = 1480;
	pktrec_packet(&b, IF, &t, &d, 60);
	CHECK_STR(b.p, "{\"_type\":\"packet\",\"_iface\":\"eth0\","
	    "\"_rx\":1700000000.000000,\"_decode\":\"truncated\","
	    "\"timestamp\":\"1700000000.000000005\",\"DIRECTION\":0,"
	    "\"VLAN_ID\":100,\"INNER_VLAN_ID\":4095,\"IP_PROTOCOL_VERSION\":4,"
	    "\"IPV4_SRC_ADDR\":\"0.0.0.0\",\"IPV4_DST_ADDR\":\"0.0.0.0\","
	    "\"PROTOCOL\":1,\"ICMP_TYPE\":772,\"FRAG_ID\":77,"
	    "\"FRAG_OFFSET\":1480,\"PKTS\":1,\"BYTES\":60}");
	/* Non-IP. */
	sbuf_reset(&b);
	memset(&d, 0, sizeof(d));
	d.status = PKTDEC_NONIP;
	d.layer = PKTDEC_L_LINK;
	d.sll_pkttype = 4;
	d.nonip = PKTDEC_NONIP_ARP;
	d.ethertype = 0x0806;
	t.nano = false;
	pktrec_packet(&b, "\"a\\\"b\"", &t, &d, 42);
	CHECK_STR(b.p, "{\"_type\":\"packet\",\"_iface\":\"a\\\"b\","
	    "\"_rx\":1700000000.000000,\"_nonip\":\"arp\","
	    "\"timestamp\":\"1700000000.000000\",\"DIRECTION\":1,"
	    "\"ETHERTYPE\":2054,\"PKTS\":1,\"BYTES\":42}");
	sbuf_free(&b);
}

/* The IPv6 text of the record equals inet_ntop's for special and random
 * addresses. */
static void
test_ipv6_text(void)
{
	static const char *const special[] = { "::", "::1", "::2", "1::",
	    "fe80::1", "2001:db8::1:0:0:1", "2001:db8:0:1:1:1:1:1",
	    "::ffff:1.2.3.4", "::1.2.3.4", "::ffff:0:1.2.3.4", "1:0:0:2::3",
	    "0:0:1::", "ff02::1:ff00:1", "64:ff9b::9765:798c" };
	struct sbuf b = { 0 };
	struct pktrec_time t = { 1, 0, false };
	struct pktdec d;
	char want[64], got[64];
	unsigned seed = 7;
	size_t i, j, bad = 0;

	memset(&d, 0, sizeof(d));
	d.layer = PKTDEC_L_NET;
	d.sll_pkttype = -1;
	d.ipver = 6;
	for (i = 0; i < 20000; i++) {
		const char *s, *e;

		if (i < sizeof(special) / sizeof(special[0]))
			inet_pton(AF_INET6, special[i], d.src);
		else
			for (j = 0; j < 16; j++)	/* many zero groups */
				d.src[j] = rand_r(&seed) % 3 ? 0 :
				    (uint8_t)rand_r(&seed);
		inet_ntop(AF_INET6, d.src, want, sizeof(want));
		sbuf_reset(&b);
		pktrec_packet(&b, IF, &t, &d, 1);
		s = strstr(b.p, "IPV6_SRC_ADDR\":\"") + 16;
		e = strchr(s, '"');
		snprintf(got, sizeof(got), "%.*s", (int)(e - s), s);
		if (strcmp(got, want) != 0 && bad++ < 5)
			fprintf(stderr, "ipv6: got %s want %s\n", got, want);
	}
	CHECK(bad == 0);
	sbuf_free(&b);
}

struct out {
	struct sbuf	b;
	int		n;
	int		fail;	/* return this from emit */
};

static int
emit(void *arg, const char *rec, size_t len)
{
	struct out *o = arg;

	sbuf_add(&o->b, rec, len);
	sbuf_addc(&o->b, '\n');
	o->n++;
	return o->fail;
}

static void
test_agg(void)
{
	struct pktrec_agg *a = pktrec_agg_new(1000000000ULL, 3);
	struct out o = { { 0 }, 0, 0 };
	struct pktrec_time t = { 100, 100000000, false };
	struct pktdec d1 = tcp4(1, 0x02), d2 = tcp4(1, 0x10), d3 = tcp4(2, 0x02);
	struct pktdec d4 = tcp4(4, 0x04);

	CHECK(pktrec_agg_add(a, 0, IF, &t, &d1, 60, emit, &o) == 0);
	t.nsec = 900000000;
	CHECK(pktrec_agg_add(a, 0, IF, &t, &d2, 40, emit, &o) == 0);
	CHECK(pktrec_agg_add(a, 0, IF, &t, &d3, 60, emit, &o) == 0);
	CHECK(o.n == 0);
	/* The next second closes both slices, in first-packet order. */
	t.sec = 101;
	t.nsec = 0;
	CHECK(pktrec_agg_add(a, 0, IF, &t, &d3, 70, emit, &o) == 0);
	CHECK(o.n == 2);
	CHECK_STR(o.b.p, "{\"_type\":\"packet\",\"_iface\":\"eth0\","
	    "\"_rx\":100.900000,\"timestamp\":\"100.100000\","
	    "\"LAST_TIMESTAMP\":\"100.900000\",\"IP_PROTOCOL_VERSION\":4,"
	    "\"IPV4_SRC_ADDR\":\"192.168.1.2\",\"IPV4_DST_ADDR\":\"10.0.0.255\","
	    "\"PROTOCOL\":6,\"L4_SRC_PORT\":1,\"L4_DST_PORT\":443,"
	    "\"TCP_FLAGS\":18,\"PKTS\":2,\"BYTES\":100}\n"
	    "{\"_type\":\"packet\",\"_iface\":\"eth0\",\"_rx\":100.900000,"
	    "\"timestamp\":\"100.900000\",\"LAST_TIMESTAMP\":\"100.900000\","
	    "\"IP_PROTOCOL_VERSION\":4,\"IPV4_SRC_ADDR\":\"192.168.1.2\","
	    "\"IPV4_DST_ADDR\":\"10.0.0.255\",\"PROTOCOL\":6,"
	    "\"L4_SRC_PORT\":2,\"L4_DST_PORT\":443,\"TCP_FLAGS\":2,"
	    "\"PKTS\":1,\"BYTES\":60}\n");
	/* A late packet joins the current slice and is counted. */
	t.sec = 100;
	CHECK(pktrec_agg_add(a, 0, IF, &t, &d3, 5, emit, &o) == 0);
	CHECK(pktrec_agg_stats(a)->backwards == 1);
	/* Another interface keeps its own slices and clock. */
	t.sec = 50;
	CHECK(pktrec_agg_add(a, 1, "\"lo\"", &t, &d1, 1, emit, &o) == 0);
	CHECK(o.n == 2);
	/* A full table (3 open) writes all three early. */
	CHECK(pktrec_agg_add(a, 1, "\"lo\"", &t, &d3, 1, emit, &o) == 0);
	CHECK(pktrec_agg_stats(a)->full_flushes == 0);
	CHECK(pktrec_agg_add(a, 1, "\"lo\"", &t, &d4, 1, emit, &o) == 0);
	CHECK(pktrec_agg_stats(a)->full_flushes == 1 && o.n == 5);
	CHECK(strstr(o.b.p, "\"PKTS\":2,\"BYTES\":75}") != NULL);
	CHECK(strstr(o.b.p, "\"_iface\":\"lo\"") != NULL);
	/* A clock tick past the slice writes iface 1's open slice. */
	CHECK(pktrec_agg_tick(a, 1, 50LL * 1000000000, emit, &o) == 0);
	CHECK(o.n == 5);
	CHECK(pktrec_agg_tick(a, 1, 51LL * 1000000000, emit, &o) == 0);
	CHECK(o.n == 6);
	/* A failing sink is reported. */
	t.sec = 60;
	CHECK(pktrec_agg_add(a, 0, IF, &t, &d1, 1, emit, &o) == 0);
	o.fail = -1;
	CHECK(pktrec_agg_flush(a, -1, emit, &o) == -1);
	CHECK(pktrec_agg_stats(a)->records == 7);
	CHECK(pktrec_agg_stats(a)->backwards == 2);
	CHECK(pktrec_agg_stats(a)->max_entries == 3);
	pktrec_agg_destroy(&a);
	CHECK(a == NULL);
	sbuf_free(&o.b);
}

/* Many distinct keys grow the table; every packet is accounted once. */
static void
test_agg_grow(void)
{
	struct pktrec_agg *a = pktrec_agg_new(60000000000ULL, 1u << 20);
	struct out o = { { 0 }, 0, 0 };
	struct pktrec_time t = { 1000, 0, false };
	struct pktdec d;
	int i;

	for (i = 0; i < 100000; i++) {
		d = tcp4((uint16_t)(i % 50000), 0x10);
		pktrec_agg_add(a, 0, IF, &t, &d, 1, emit, &o);
	}
	CHECK(o.n == 0);
	pktrec_agg_flush(a, -1, emit, &o);
	CHECK(o.n == 50000);
	CHECK(pktrec_agg_stats(a)->max_entries == 50000);
	pktrec_agg_destroy(&a);
	sbuf_free(&o.b);
}

/* The application fields: after BYTES on a packet; a slice keeps a copy
 * of them once known, and asks for them at the end when it has none. */
static const char *
l7_of(void *arg, uint64_t h, size_t *len)
{
	int *known = arg;

	if (h != 7 || !*known)
		return NULL;
	*len = 15;
	return ",\"L7_PROTO\":\"5\"..";
}

static void
test_l7(void)
{
	struct sbuf b = { 0 };
	struct pktrec_time t = { 100, 0, false };
	struct pktdec d = tcp4(1, 0x02), d2 = tcp4(2, 0x02);
	struct pktrec_agg *a = pktrec_agg_new(1000000000ULL, 10);
	struct out o = { { 0 }, 0, 0 };
	int known = 0;

	pktrec_packet_l7(&b, IF, &t, &d, 60, ",\"L7_PROTO\":\"7\"", 15);
	CHECK(strstr(b.p, "\"BYTES\":60,\"L7_PROTO\":\"7\"}") != NULL);
	pktrec_agg_set_l7(a, l7_of, &known);
	CHECK(pktrec_agg_add_l7(a, 0, IF, &t, &d, 60, 7, emit, &o) == 0);
	CHECK(pktrec_agg_add_l7(a, 0, IF, &t, &d2, 60, 0, emit, &o) == 0);
	known = 1;
	CHECK(pktrec_agg_flush(a, -1, emit, &o) == 0);
	CHECK(o.n == 2);
	CHECK(strstr(o.b.p, "\"BYTES\":60,\"L7_PROTO\":\"5\"}\n") != NULL);
	CHECK(strstr(strchr(o.b.p, '\n'), "L7_PROTO") == NULL);
	/* Known when added, gone from the table before the slice ends. */
	CHECK(pktrec_agg_add_l7(a, 0, IF, &t, &d, 60, 7, emit, &o) == 0);
	known = 0;
	CHECK(pktrec_agg_flush(a, -1, emit, &o) == 0);
	CHECK(o.n == 3);
	CHECK(strstr(strrchr(o.b.p, '{'), "\"L7_PROTO\":\"5\"}") != NULL);
	pktrec_agg_destroy(&a);
	sbuf_free(&o.b);
	sbuf_free(&b);
}

int
main(void)
{
	char buf[40];
	struct pktrec_time t = { -1, 500000, false };

	test_packet();
	test_ipv6_text();
	test_agg();
	test_agg_grow();
	test_l7();
	pktrec_fmt_time(&t, buf);
	CHECK_STR(buf, "-1.000500");
	return unit_done("pktrec");
}
