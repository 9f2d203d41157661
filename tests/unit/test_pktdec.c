/* test_pktdec.c - the packet decoder: every link type, tags, IPv4 options
 * and fragments, IPv6 extension headers, bad lengths, every truncation of
 * a frame, and random bytes on every link type. */
#include <pcap/dlt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pktdec.h"
#include "unit.h"

/* Builds a frame from hex text into buf; returns its length. */
static size_t
hex(uint8_t *buf, size_t size, const char *s)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1] && n < size) {
		if (s[0] == ' ') {
			s++;
			continue;
		}
		sscanf(s, "%2x", &v);
		buf[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

#define ETH	"ffffffffffff020000000001"
#define IP4	"4500002800000000400600000a0000010a000002"
#define TCP	"04d2005000000001000000005012ffff00000000"
#define IP6	"6000000000083a40" "fe800000000000000000000000000001" \
		"fe800000000000000000000000000002"

static uint8_t buf[4096];

static void
test_ethernet_tcp(void)
{
	struct pktdec d;
	size_t n = hex(buf, sizeof(buf), ETH "0800" IP4 TCP);

	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.layer == PKTDEC_L_TRANSPORT);
	CHECK(d.ipver == 4 && d.proto == 6);
	CHECK(memcmp(d.src, "\x0a\x00\x00\x01", 4) == 0);
	CHECK(memcmp(d.dst, "\x0a\x00\x00\x02", 4) == 0);
	CHECK(d.has_ports && d.sport == 1234 && d.dport == 80);
	CHECK(d.has_flags && d.tcp_flags == 0x12);
	CHECK(d.nvlan == 0 && d.sll_pkttype == -1 && !d.frag);
	CHECK(d.l4len == 20);
}

/* Every prefix of a frame decodes without reading past it; a prefix
 * shorter than the TCP header is truncated, never OK. */
static void
test_every_truncation(void)
{
	struct pktdec d;
	size_t n = hex(buf, sizeof(buf), ETH "8100 0064 0800" IP4 TCP), i;
	int bad = 0;

	for (i = 0; i < n; i++) {
		uint8_t *cut = malloc(i ? i : 1);

		memcpy(cut, buf, i);
		pktdec_decode(DLT_EN10MB, i ? cut : NULL, i, n, &d);
		if (d.status != PKTDEC_TRUNCATED)
			bad++;
		free(cut);
	}
	CHECK(bad == 0);
	/* The addresses come once the 20-byte IP header is there. */
	pktdec_decode(DLT_EN10MB, buf, 18 + 20, n, &d);
	CHECK(d.layer == PKTDEC_L_NET && d.status == PKTDEC_TRUNCATED);
	pktdec_decode(DLT_EN10MB, buf, 18 + 20 + 4, n, &d);
	CHECK(d.has_ports && !d.has_flags && d.sport == 1234);
	CHECK(d.vlan[0] == 100 && d.nvlan == 1);
}

static void
test_tags(void)
{
	struct pktdec d;
	size_t n;

	/* 802.1ad outer 200, 802.1Q inner 2001, then ARP. */
	n = hex(buf, sizeof(buf), ETH "88a8 00c8 8100 07d1 0806 0001");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_NONIP);
	CHECK(d.nonip == PKTDEC_NONIP_ARP && d.nvlan == 2);
	CHECK(d.vlan[0] == 200 && d.vlan[1] == 2001);
	CHECK(strcmp(pktdec_nonip_name(d.nonip), "arp") == 0);
	/* Three tags: the third is counted, not kept. */
	n = hex(buf, sizeof(buf), ETH "8100 0001 8100 0002 8100 0003 0800" IP4 TCP);
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.nvlan == 3 && d.vlan[0] == 1 && d.vlan[1] == 2);
	/* LLC/SNAP carrying IPv4 is followed; plain LLC (STP) is not IP. */
	n = hex(buf, sizeof(buf), ETH "0030 aaaa03 000000 0800" IP4 TCP);
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.ipver == 4 && d.sport == 1234);
	n = hex(buf, sizeof(buf), ETH "0026 424203 0000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_NONIP);
	CHECK(d.nonip == PKTDEC_NONIP_LLC);
	n = hex(buf, sizeof(buf), ETH "88cc 0000");
	pktdec_decode(DLT_EN10MB, buf, n, n, &d);
	CHECK(d.nonip == PKTDEC_NONIP_LLDP && d.ethertype == 0x88cc);
}

static void
test_link_types(void)
{
	struct pktdec d;
	size_t n;

	n = hex(buf, sizeof(buf), "0004 0001 0006 020000000001 0000 0800" IP4 TCP);
	CHECK(pktdec_decode(DLT_LINUX_SLL, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.sll_pkttype == 4 && d.sport == 1234);
	n = hex(buf, sizeof(buf), "86dd 0000 00000003 0001 00 06 0200000000010000" IP6
	    "8000000000010001");
	CHECK(pktdec_decode(DLT_LINUX_SLL2, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.sll_pkttype == 0 && d.ipver == 6 && d.proto == 58);
	CHECK(d.has_icmp && d.icmp_type == 128 && d.icmp_code == 0);
	/* DLT_NULL in both byte orders, DLT_LOOP in network order. */
	n = hex(buf, sizeof(buf), "02000000" IP4 TCP);
	CHECK(pktdec_decode(DLT_NULL, buf, n, n, &d) == PKTDEC_OK && d.ipver == 4);
	n = hex(buf, sizeof(buf), "0000001e" IP6 "8000000000010001");
	CHECK(pktdec_decode(DLT_NULL, buf, n, n, &d) == PKTDEC_OK && d.ipver == 6);
	CHECK(pktdec_decode(DLT_LOOP, buf, n, n, &d) == PKTDEC_OK && d.ipver == 6);
	n = hex(buf, sizeof(buf), "07000000" IP4);
	CHECK(pktdec_decode(DLT_NULL, buf, n, n, &d) == PKTDEC_NONIP);
	/* Raw IP under each of its names. */
	n = hex(buf, sizeof(buf), IP4 TCP);
	CHECK(pktdec_decode(DLT_RAW, buf, n, n, &d) == PKTDEC_OK);
	CHECK(pktdec_decode(101, buf, n, n, &d) == PKTDEC_OK);
	CHECK(pktdec_decode(DLT_IPV4, buf, n, n, &d) == PKTDEC_OK);
	CHECK(pktdec_decode(DLT_IPV6, buf, n, n, &d) == PKTDEC_MALFORMED);
	buf[0] = 0x75;
	CHECK(pktdec_decode(DLT_RAW, buf, n, n, &d) == PKTDEC_MALFORMED);
	CHECK(pktdec_decode(DLT_IEEE802_11, buf, n, n, &d) == PKTDEC_BADLINK);
	CHECK(!pktdec_link_ok(DLT_IEEE802_11) && pktdec_link_ok(DLT_LINUX_SLL2));
	CHECK(pktdec_decode(DLT_EN10MB, NULL, 0, 0, &d) == PKTDEC_TRUNCATED);
	CHECK(d.layer == PKTDEC_L_NONE);
}

static void
test_ipv4(void)
{
	struct pktdec d;
	size_t n;

	/* IHL 4: malformed, no addresses. */
	n = hex(buf, sizeof(buf), ETH "0800 4400002800000000400600000a0000010a000002" TCP);
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_MALFORMED);
	CHECK(d.layer == PKTDEC_L_LINK && d.ipver == 4);
	/* Options (IHL 6), padding after the datagram ignored. */
	n = hex(buf, sizeof(buf), ETH "0800 4600002c00000000400600000a0000010a000002"
	    "01010100" TCP "000000000000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.sport == 1234 && d.l4len == 20);
	/* Total length beyond the frame: malformed unless the capture cut it. */
	n = hex(buf, sizeof(buf), ETH "0800 4500040000000000400600000a0000010a000002" TCP);
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_MALFORMED);
	CHECK(d.has_ports);
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, 1038, &d) == PKTDEC_OK);
	/* Total length 0 (segmentation offload): the frame's length. */
	n = hex(buf, sizeof(buf), ETH "0800 4500000000000000400600000a0000010a000002" TCP);
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	/* Fragments: the first has ports, a later one none. */
	n = hex(buf, sizeof(buf), ETH "0800 4500001c1234200040110000c0a80001c0a80002"
	    "0035003500140000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.frag && d.frag_id == 0x1234 && d.frag_off == 0 && d.has_ports);
	n = hex(buf, sizeof(buf), ETH "0800 4500001c1234000540110000c0a80001c0a80002"
	    "0035003500140000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.frag && d.frag_off == 40 && !d.has_ports && d.proto == 17);
	/* TCP data offset 4: malformed after the ports and flags. */
	n = hex(buf, sizeof(buf), ETH "0800" IP4 "04d20050000000010000000040120000"
	    "00000000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_MALFORMED);
	CHECK(d.has_ports && d.has_flags && strcmp(d.why, "tcp data offset") == 0);
	/* Other protocols by number. */
	n = hex(buf, sizeof(buf), ETH "0800 4500001800000000402f00000a0000010a000002"
	    "0000080000000000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.proto == 47 && d.layer == PKTDEC_L_NET && !d.has_ports);
}

static void
test_ipv6(void)
{
	struct pktdec d;
	size_t n, i;
	char s[2048];

	/* Hop-by-hop, routing, AH, destination options, then UDP. */
	n = hex(buf, sizeof(buf), ETH "86dd 6000000000280040"
	    "fe800000000000000000000000000001fe800000000000000000000000000002"
	    "2b00000000000000" "3300000000000000" "3c00000000000000"
	    "1100000000000000" "0035003500080000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.proto == 17 && d.sport == 53 && d.l4len == 8);
	/* A chain of 17 destination options headers is refused. */
	strcpy(s, ETH "86dd 6000000000903c40"
	    "fe800000000000000000000000000001fe800000000000000000000000000002");
	for (i = 0; i < 18; i++)
		strcat(s, "3c00000000000000");
	n = hex(buf, sizeof(buf), s);
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_MALFORMED);
	CHECK(strcmp(d.why, "ipv6 extension chain") == 0 && d.layer == PKTDEC_L_NET);
	/* An extension header longer than the packet: truncated. */
	n = hex(buf, sizeof(buf), ETH "86dd 6000000000080040"
	    "fe800000000000000000000000000001fe800000000000000000000000000002"
	    "11ff000000000000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_TRUNCATED);
	/* Fragment header: first and later fragment. */
	n = hex(buf, sizeof(buf), ETH "86dd 6000000000102c40"
	    "fe800000000000000000000000000001fe800000000000000000000000000002"
	    "1100000112345678" "0035003500100000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.frag && d.frag_id == 0x12345678 && d.frag_off == 0 && d.has_ports);
	n = hex(buf, sizeof(buf), ETH "86dd 6000000000102c40"
	    "fe800000000000000000000000000001fe800000000000000000000000000002"
	    "110005a812345678" "0035003500100000");
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_OK);
	CHECK(d.frag && d.frag_off == 1448 && !d.has_ports && d.proto == 17);
	/* Version 4 behind an IPv6 ethertype. */
	n = hex(buf, sizeof(buf), ETH "86dd" IP4);
	CHECK(pktdec_decode(DLT_EN10MB, buf, n, n, &d) == PKTDEC_MALFORMED);
}

/* Random bytes on every link type: no crash, no read outside (ASan). */
static void
test_random(void)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
	    DLT_RAW, DLT_NULL, DLT_LOOP, DLT_IPV4, DLT_IPV6 };
	struct pktdec d;
	unsigned seed = 12345;
	size_t i, j, n, ok = 0;

	for (i = 0; i < 200000; i++) {
		uint8_t *p;

		n = (size_t)(rand_r(&seed) % 120);
		p = malloc(n ? n : 1);
		for (j = 0; j < n; j++)
			p[j] = (uint8_t)rand_r(&seed);
		/* Bias towards IP so deeper layers get reached too. */
		if (n > 20 && (i & 1)) {
			p[12] = 0x08;
			p[13] = 0;
			p[14] = (uint8_t)(0x40 | (p[14] & 0x0f));
		}
		pktdec_decode(dlts[i % 8], p, n, n + (i & 2), &d);
		if (d.status <= PKTDEC_BADLINK && d.layer <= PKTDEC_L_TRANSPORT)
			ok++;
		free(p);
	}
	CHECK(ok == 200000);
}

int
main(void)
{
	test_ethernet_tcp();
	test_every_truncation();
	test_tags();
	test_link_types();
	test_ipv4();
	test_ipv6();
	test_random();
	CHECK(strcmp(pktdec_status_name(PKTDEC_TRUNCATED), "truncated") == 0);
	return unit_done("pktdec");
}
