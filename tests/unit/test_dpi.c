/* test_dpi.c - the DPI flow table over nDPI: exact fields of a DNS query,
 * an HTTP request and a flow nDPI gives up on, both directions sharing a
 * flow, stale handles, and a table that stays bounded over a million
 * flows (eviction) and over idle ones (expiry). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpi.h"
#include "pktdec.h"
#include "unit.h"

#define LT_IPV4	228		/* DLT_IPV4: frames are bare IPv4 packets */
#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_ACK	0x10
#define TH_PSH	0x08

/* A packet and its decoding; d points into buf. */
struct pkt {
	uint8_t		buf[1600];
	size_t		len;
	struct pktdec	d;
};

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An IPv4 packet src -> dst of protocol proto with l4 (n bytes). */
static void
mk_ip4(struct pkt *k, uint32_t src, uint32_t dst, uint8_t proto,
    const uint8_t *l4, size_t n)
{
	uint8_t *p = k->buf;

	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (unsigned)(20 + n));
	p[8] = 64;
	p[9] = proto;
	put16(p + 12, src >> 16);
	put16(p + 14, src & 0xffff);
	put16(p + 16, dst >> 16);
	put16(p + 18, dst & 0xffff);
	memcpy(p + 20, l4, n);
	k->len = 20 + n;
	pktdec_decode(LT_IPV4, k->buf, k->len, k->len, &k->d);
}

static void
mk_udp(struct pkt *k, uint32_t src, uint32_t dst, unsigned sp, unsigned dp,
    const void *pl, size_t n)
{
	uint8_t l4[1500];

	put16(l4, sp);
	put16(l4 + 2, dp);
	put16(l4 + 4, (unsigned)(8 + n));
	put16(l4 + 6, 0);
	memcpy(l4 + 8, pl, n);
	mk_ip4(k, src, dst, 17, l4, 8 + n);
}

static void
mk_tcp(struct pkt *k, uint32_t src, uint32_t dst, unsigned sp, unsigned dp,
    uint8_t flags, uint32_t seq, uint32_t ack, const void *pl, size_t n)
{
	uint8_t l4[1500];

	memset(l4, 0, 20);
	put16(l4, sp);
	put16(l4 + 2, dp);
	put16(l4 + 4, seq >> 16);
	put16(l4 + 6, seq & 0xffff);
	put16(l4 + 8, ack >> 16);
	put16(l4 + 10, ack & 0xffff);
	l4[12] = 5 << 4;
	l4[13] = flags;
	put16(l4 + 14, 65535);
	if (n > 0)
		memcpy(l4 + 20, pl, n);
	mk_ip4(k, src, dst, 6, l4, 20 + n);
}

#define CLI	0xc0a80102u	/* 192.168.1.2 */
#define SRV	0x08080808u	/* 8.8.8.8 */

/* A DNS query for example.com (A), and its answer. */
static const uint8_t dns_q[] =
    "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
    "\x07" "example" "\x03" "com" "\x00" "\x00\x01\x00\x01";
static const uint8_t dns_r[] =
    "\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"
    "\x07" "example" "\x03" "com" "\x00" "\x00\x01\x00\x01"
    "\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\x5d\xb8\xd8\x22";

static const char *
fields(struct dpi *x, uint64_t h)
{
	static char buf[2048];
	const char *f;
	size_t n;

	if ((f = dpi_fields(x, h, &n)) == NULL || n >= sizeof(buf))
		return "(none)";
	memcpy(buf, f, n);
	buf[n] = '\0';
	return buf;
}

static void
test_dns(void)
{
	struct dpi *x = dpi_new(NULL, NULL, 0);
	struct pkt k;
	uint64_t h1, h2;

	CHECK(x != NULL);
	mk_udp(&k, CLI, SRV, 40000, 53, dns_q, sizeof(dns_q) - 1);
	h1 = dpi_packet(x, &k.d, 1000);
	CHECK(h1 != 0);
	CHECK_STR(fields(x, h1), ",\"L7_PROTO\":\"5.126\",\"L7_PROTO_NAME\":"
	    "\"DNS.Google\",\"L7_CATEGORY\":\"Web\",\"DNS_QUERY\":"
	    "\"example.com\"");
	mk_udp(&k, SRV, CLI, 53, 40000, dns_r, sizeof(dns_r) - 1);
	h2 = dpi_packet(x, &k.d, 1010);
	CHECK(h2 == h1);
	CHECK_STR(fields(x, h2), ",\"L7_PROTO\":\"5.126\",\"L7_PROTO_NAME\":"
	    "\"DNS.Google\",\"L7_CATEGORY\":\"Web\",\"DNS_QUERY\":"
	    "\"example.com\"");
	CHECK(dpi_stats(x)->flows == 1);
	CHECK(dpi_stats(x)->detected == 1);
	CHECK(dpi_stats(x)->states == 0);	/* decided: state freed */
	CHECK(dpi_stats(x)->dpi_packets == 2);
	/* Decided: no more DPI for this flow. */
	dpi_packet(x, &k.d, 1020);
	CHECK(dpi_stats(x)->dpi_packets == 2);
	dpi_destroy(&x);
	CHECK(x == NULL);
}

static void
test_http(void)
{
	static const char get[] = "GET /index.html HTTP/1.1\r\n"
	    "Host: www.example.org\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n";
	static const char bad[] = "GET /\xc3\xa9\xa7\"\xed\xa0\x80 HTTP/1.1\r\n"
	    "Host: h\r\n\r\n";
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
	    "Content-Length: 0\r\n\r\n";
	struct dpi *x = dpi_new(NULL, NULL, 0);
	uint32_t srv = 0x5db8d822u;	/* 93.184.216.34 */
	struct pkt k;
	uint64_t h = 0;
	int i;

	mk_tcp(&k, CLI, srv, 50000, 80, TH_SYN, 100, 0, NULL, 0);
	h = dpi_packet(x, &k.d, 1);
	CHECK_STR(fields(x, h), "(none)");
	mk_tcp(&k, srv, CLI, 80, 50000, TH_SYN | TH_ACK, 500, 101, NULL, 0);
	dpi_packet(x, &k.d, 2);
	mk_tcp(&k, CLI, srv, 50000, 80, TH_ACK, 101, 501, NULL, 0);
	dpi_packet(x, &k.d, 3);
	mk_tcp(&k, CLI, srv, 50000, 80, TH_ACK | TH_PSH, 101, 501, get,
	    sizeof(get) - 1);
	dpi_packet(x, &k.d, 4);
	mk_tcp(&k, srv, CLI, 80, 50000, TH_ACK | TH_PSH, 501,
	    (uint32_t)(101 + sizeof(get) - 1), ok, sizeof(ok) - 1);
	for (i = 0; i < 3; i++)
		h = dpi_packet(x, &k.d, 5);
	CHECK_STR(fields(x, h), ",\"L7_PROTO\":\"7\",\"L7_PROTO_NAME\":"
	    "\"HTTP\",\"L7_CATEGORY\":\"Web\",\"HTTP_HOST\":"
	    "\"www.example.org\",\"HTTP_URL\":\"/index.html\"");
	/* Payload bytes that are not UTF-8 are replaced (a surrogate's three
	 * bytes are three bad bytes), quotes escaped. */
	mk_tcp(&k, CLI, srv, 50001, 80, TH_ACK | TH_PSH, 1, 1, bad,
	    sizeof(bad) - 1);
	h = dpi_packet(x, &k.d, 6);
	CHECK(strstr(fields(x, h), "\"HTTP_URL\":\"/\xc3\xa9\xef\xbf\xbd\\\""
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"") != NULL);
	dpi_destroy(&x);
}

/* A flow nDPI cannot name: given up after 24 UDP packets, or at a FIN,
 * or at dpi_giveup_all(). */
static void
test_giveup(void)
{
	struct dpi *x = dpi_new(NULL, NULL, 0);
	uint8_t junk[64];
	struct pkt k;
	uint64_t h = 0;
	int i;

	memset(junk, 0xa5, sizeof(junk));
	for (i = 0; i < 24; i++) {
		junk[0] = (uint8_t)i;
		mk_udp(&k, CLI, 0x0a000001u, 41000, 47000, junk, sizeof(junk));
		h = dpi_packet(x, &k.d, (uint64_t)i);
	}
	CHECK_STR(fields(x, h), "(none)");
	h = dpi_packet(x, &k.d, 30);
	CHECK_STR(fields(x, h), ",\"L7_PROTO\":\"0\",\"L7_PROTO_NAME\":"
	    "\"Unknown\",\"L7_CATEGORY\":\"Unspecified\"");
	CHECK(dpi_stats(x)->guessed == 1 && dpi_stats(x)->unknown == 1);
	CHECK(dpi_stats(x)->dpi_packets == 25);

	mk_tcp(&k, CLI, 0x0a000002u, 41001, 47001, TH_SYN, 1, 0, NULL, 0);
	h = dpi_packet(x, &k.d, 40);
	CHECK_STR(fields(x, h), "(none)");
	mk_tcp(&k, CLI, 0x0a000002u, 41001, 47001, TH_FIN | TH_ACK, 2, 1,
	    NULL, 0);
	h = dpi_packet(x, &k.d, 41);
	CHECK(strstr(fields(x, h), "\"L7_PROTO_NAME\":\"Unknown\"") != NULL);

	mk_tcp(&k, CLI, 0x0a000003u, 41002, 47002, TH_SYN, 1, 0, NULL, 0);
	h = dpi_packet(x, &k.d, 50);
	CHECK_STR(fields(x, h), "(none)");
	dpi_giveup_all(x);
	CHECK(strstr(fields(x, h), "\"L7_PROTO\":\"0\"") != NULL);
	CHECK(dpi_stats(x)->guessed == 3);
	CHECK(dpi_stats(x)->states == 0);
	dpi_destroy(&x);
}

/* A million flows through a table of 1000: the oldest are evicted, the
 * table and nDPI's states never pass the cap, handles of evicted flows
 * go stale. */
static void
test_bounded(void)
{
	struct dpi_conf c = { 1000, 60000 };
	struct dpi *x = dpi_new(&c, NULL, 0);
	const struct dpi_stats *s = dpi_stats(x);
	struct pkt k;
	uint64_t h, first = 0;
	uint32_t i, n = 1000000;

	for (i = 0; i < n; i++) {
		mk_tcp(&k, 0x0a000000u + i, SRV, 40000 + i % 20000, 443,
		    TH_SYN, i, 0, NULL, 0);
		h = dpi_packet(x, &k.d, 1000000 + i / 1000);
		if (i == 0)
			first = h;
		if (s->active > 1000 || s->states > 1000)
			break;
	}
	CHECK(i == n);
	CHECK(s->flows == n);
	CHECK(s->active == 1000);
	CHECK(s->max_active == 1000);
	CHECK(s->max_states == 1000);
	CHECK(s->evicted == n - 1000);
	CHECK(s->expired == 0);
	CHECK(s->evicted + s->expired + s->active == s->flows);
	CHECK(s->dpi_packets == n);
	CHECK(dpi_fields(x, first, &(size_t){ 0 }) == NULL);
	dpi_destroy(&x);
}

/* Idle flows: an undecided one gets nDPI's guess after the idle time and
 * goes after one more; the table holds what two idle periods bring. */
static void
test_idle(void)
{
	struct dpi_conf c = { 100000, 60000 };
	struct dpi *x = dpi_new(&c, NULL, 0);
	const struct dpi_stats *s = dpi_stats(x);
	struct pkt k;
	uint64_t h0 = 0, h;
	uint32_t i;

	for (i = 0; i < 10000; i++) {
		mk_tcp(&k, 0x0a000000u + i, SRV, 40000, 443, TH_SYN, i, 0,
		    NULL, 0);
		h = dpi_packet(x, &k.d, 1000000 + (uint64_t)i * 1000);
		if (i == 0)
			h0 = h;
		if (i == 61)	/* flow 0 idle for 61 s: guessed, kept */
			CHECK(strstr(fields(x, h0), "L7_PROTO") != NULL);
		if (i == 122)	/* and gone after another idle period */
			CHECK(dpi_fields(x, h0, &(size_t){ 0 }) == NULL);
	}
	CHECK(s->evicted == 0);
	CHECK(s->max_active <= 122);
	CHECK(s->max_states <= 61);
	CHECK(s->expired == s->flows - s->active);
	CHECK(s->flows == 10000);
	dpi_destroy(&x);
}

/* Packets DPI cannot follow, and IP headers that lie about lengths. */
static void
test_bad(void)
{
	struct dpi *x = dpi_new(NULL, NULL, 0);
	struct pkt k;
	struct pktdec d;

	mk_udp(&k, CLI, SRV, 1, 53, dns_q, sizeof(dns_q) - 1);
	d = k.d;
	d.layer = PKTDEC_L_LINK;
	CHECK(dpi_packet(x, &d, 1) == 0);
	d = k.d;
	d.frag = true;
	d.frag_off = 8;
	CHECK(dpi_packet(x, &d, 1) == 0);
	d = k.d;
	d.l3len = 20;		/* header only, total length says more */
	CHECK(dpi_packet(x, &d, 1) != 0);
	d = k.d;
	d.l3len = 3;		/* not even a header */
	d.sport = 2;
	CHECK(dpi_packet(x, &d, 1) != 0);
	k.buf[2] = 0xff;	/* total length beyond the capture */
	k.buf[3] = 0xff;
	d = k.d;
	d.sport = 3;
	CHECK(dpi_packet(x, &d, 1) != 0);
	dpi_giveup_all(x);
	CHECK(dpi_stats(x)->states == 0);
	dpi_destroy(&x);
}

int
main(void)
{
	test_dns();
	test_http();
	test_giveup();
	test_bounded();
	test_idle();
	test_bad();
	return unit_done("dpi");
}
