/* pktdec.c - bounds-checked frame decoder (include/pktdec.h).
 *
 * Follows the header layouts of IEEE 802.3/802.1Q, the Linux cooked
 * headers (pcap-linktype(7): LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2),
 * RFC 791 (IPv4), RFC 8200 (IPv6), RFC 793/9293 (TCP), RFC 768 (UDP),
 * RFC 792 and RFC 4443 (ICMP, ICMPv6). Every layer is one function over a
 * byte span; every read goes through pd_has() first.
 */
#include <pcap/dlt.h>
#include <string.h>

#include "pktdec.h"

/* LINKTYPE_RAW as stored in files; libpcap maps it to DLT_RAW, but a
 * caller may hand the file value through. */
#define PD_LINKTYPE_RAW	101
#define PD_MAX_EXTHDR	16	/* IPv6 extension headers walked at most */
#define PD_MAX_TAGS	16	/* VLAN tags skipped at most */

/* A decoding context: the captured span and whether the capture cut it. */
struct pd_ctx {
	bool	cut;		/* caplen < wirelen */
};

static bool
pd_has(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

static uint16_t
pd_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t
pd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
pd_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

/* Records the first reason decoding stopped short; later ones are kept
 * out so the record names the outermost problem. */
static void
pd_stop(struct pktdec *d, enum pktdec_status st, const char *why)
{
	if (d->status != PKTDEC_OK)
		return;
	d->status = st;
	d->why = why;
}

static void
pd_nonip(struct pktdec *d, enum pktdec_nonip k)
{
	d->nonip = k;
	pd_stop(d, PKTDEC_NONIP, NULL);
}

static void
pd_tcp(const uint8_t *p, size_t len, struct pktdec *d)
{
	unsigned hlen;

	if (!pd_has(len, 0, 4)) {
		pd_stop(d, PKTDEC_TRUNCATED, "tcp header");
		return;
	}
	d->has_ports = true;
	d->sport = pd_be16(p);
	d->dport = pd_be16(p + 2);
	if (!pd_has(len, 0, 14)) {
		pd_stop(d, PKTDEC_TRUNCATED, "tcp header");
		return;
	}
	d->has_flags = true;
	d->tcp_flags = p[13];
	hlen = (unsigned)(p[12] >> 4) * 4;
	if (hlen < 20) {
		pd_stop(d, PKTDEC_MALFORMED, "tcp data offset");
		return;
	}
	if (!pd_has(len, 0, hlen)) {
		pd_stop(d, PKTDEC_TRUNCATED, "tcp header");
		return;
	}
	d->layer = PKTDEC_L_TRANSPORT;
}

static void
pd_udp(const uint8_t *p, size_t len, struct pktdec *d)
{
	if (!pd_has(len, 0, 4)) {
		pd_stop(d, PKTDEC_TRUNCATED, "udp header");
		return;
	}
	d->has_ports = true;
	d->sport = pd_be16(p);
	d->dport = pd_be16(p + 2);
	if (!pd_has(len, 0, 8)) {
		pd_stop(d, PKTDEC_TRUNCATED, "udp header");
		return;
	}
	if (pd_be16(p + 4) < 8) {
		pd_stop(d, PKTDEC_MALFORMED, "udp length");
		return;
	}
	d->layer = PKTDEC_L_TRANSPORT;
}

/* ICMP and ICMPv6 share the type, code, checksum layout. */
static void
pd_icmp(const uint8_t *p, size_t len, struct pktdec *d)
{
	if (!pd_has(len, 0, 2)) {
		pd_stop(d, PKTDEC_TRUNCATED, "icmp header");
		return;
	}
	d->has_icmp = true;
	d->icmp_type = p[0];
	d->icmp_code = p[1];
	if (!pd_has(len, 0, 4)) {
		pd_stop(d, PKTDEC_TRUNCATED, "icmp header");
		return;
	}
	d->layer = PKTDEC_L_TRANSPORT;
}

/* The transport layer of an unfragmented packet or a first fragment. */
static void
pd_l4(const uint8_t *p, size_t len, struct pktdec *d)
{
	switch (d->proto) {
	case 6:
		pd_tcp(p, len, d);
		break;
	case 17:
		pd_udp(p, len, d);
		break;
	case 1:
		if (d->ipver == 4)
			pd_icmp(p, len, d);
		break;
	case 58:
		if (d->ipver == 6)
			pd_icmp(p, len, d);
		break;
	default:
		/* Reported by number; nothing more to read. */
		break;
	}
}

/* Limits the span after an IP header to what the header announces:
 * frames are padded to a minimum size, and the padding is not payload.
 * A claim beyond the captured bytes is malformed unless the capture cut
 * the frame. */
static size_t
pd_iplimit(size_t avail, size_t claimed, const struct pd_ctx *c,
    struct pktdec *d)
{
	if (claimed <= avail)
		return claimed;
	if (!c->cut)
		pd_stop(d, PKTDEC_MALFORMED, "ip length beyond frame");
	return avail;
}

static void
pd_ipv4(const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	unsigned hlen, tot, off;

	d->ipver = 4;
	if (!pd_has(len, 0, 1)) {
		pd_stop(d, PKTDEC_TRUNCATED, "ipv4 header");
		return;
	}
	if (p[0] >> 4 != 4) {
		pd_stop(d, PKTDEC_MALFORMED, "ipv4 version");
		return;
	}
	if (!pd_has(len, 0, 20)) {
		pd_stop(d, PKTDEC_TRUNCATED, "ipv4 header");
		return;
	}
	hlen = (unsigned)(p[0] & 0x0f) * 4;
	if (hlen < 20) {
		pd_stop(d, PKTDEC_MALFORMED, "ipv4 header length");
		return;
	}
	tot = pd_be16(p + 2);
	/* A total length of 0 is what TCP segmentation offload leaves in
	 * locally captured frames: the frame's length stands for it. */
	if (tot == 0)
		tot = (unsigned)(len > 0xffff ? 0xffff : len);
	else if (tot < hlen) {
		pd_stop(d, PKTDEC_MALFORMED, "ipv4 total length");
		return;
	}
	d->frag_id = pd_be16(p + 4);
	off = pd_be16(p + 6);
	d->frag = (off & 0x3fff) != 0;
	d->frag_off = (uint16_t)((off & 0x1fff) * 8);
	d->ttl = p[8];
	d->proto = p[9];
	memcpy(d->src, p + 12, 4);
	memcpy(d->dst, p + 16, 4);
	d->layer = PKTDEC_L_NET;
	if (!pd_has(len, 0, hlen)) {
		pd_stop(d, PKTDEC_TRUNCATED, "ipv4 options");
		return;
	}
	len = pd_iplimit(len, tot, c, d);
	d->l4len = (uint16_t)(tot - hlen);
	/* A later fragment carries no transport header. */
	if (d->frag_off != 0)
		return;
	pd_l4(p + hlen, len - hlen, d);
}

/* Walks the IPv6 extension headers from next header nh at p[off].
 * Returns the offset of the upper-layer header, or (size_t)-1 when the
 * walk stopped (status set). d->proto ends as the last next header. */
static size_t
pd_ipv6_ext(const uint8_t *p, size_t len, size_t off, uint8_t nh,
    struct pktdec *d)
{
	size_t hl;
	int n;

	for (n = 0;; n++) {
		d->proto = nh;
		switch (nh) {
		case 0:		/* hop-by-hop options */
		case 43:	/* routing */
		case 60:	/* destination options */
		case 135:	/* mobility */
		case 139:	/* HIP */
		case 140:	/* shim6 */
		case 44:	/* fragment */
		case 51:	/* authentication header */
			break;
		default:
			return off;
		}
		if (n == PD_MAX_EXTHDR) {
			pd_stop(d, PKTDEC_MALFORMED, "ipv6 extension chain");
			return (size_t)-1;
		}
		if (!pd_has(len, off, 2)) {
			pd_stop(d, PKTDEC_TRUNCATED, "ipv6 extension header");
			return (size_t)-1;
		}
		if (nh == 44)
			hl = 8;
		else if (nh == 51)
			hl = ((size_t)p[off + 1] + 2) * 4;
		else
			hl = ((size_t)p[off + 1] + 1) * 8;
		if (!pd_has(len, off, hl)) {
			pd_stop(d, PKTDEC_TRUNCATED, "ipv6 extension header");
			return (size_t)-1;
		}
		if (nh == 44) {
			uint16_t fo = pd_be16(p + off + 2);

			d->frag = true;
			d->frag_off = (uint16_t)(fo & 0xfff8);
			d->frag_id = pd_be32(p + off + 4);
		}
		nh = p[off];
		off += hl;
		/* The header after a later fragment's is not in this packet. */
		if (d->frag && d->frag_off != 0) {
			d->proto = nh;
			return (size_t)-1;
		}
	}
}

static void
pd_ipv6(const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	size_t plen, off;

	d->ipver = 6;
	if (!pd_has(len, 0, 1)) {
		pd_stop(d, PKTDEC_TRUNCATED, "ipv6 header");
		return;
	}
	if (p[0] >> 4 != 6) {
		pd_stop(d, PKTDEC_MALFORMED, "ipv6 version");
		return;
	}
	if (!pd_has(len, 0, 40)) {
		pd_stop(d, PKTDEC_TRUNCATED, "ipv6 header");
		return;
	}
	plen = pd_be16(p + 4);
	d->ttl = p[7];
	d->proto = p[6];
	memcpy(d->src, p + 8, 16);
	memcpy(d->dst, p + 24, 16);
	d->layer = PKTDEC_L_NET;
	/* A payload length of 0 means a jumbogram (or offload): the frame's
	 * length stands for it. */
	if (plen == 0)
		plen = len - 40;
	len = 40 + pd_iplimit(len - 40, plen, c, d);
	off = pd_ipv6_ext(p, len, 40, p[6], d);
	if (off == (size_t)-1)
		return;
	d->l4len = (uint16_t)(off - 40 <= plen ? plen - (off - 40) : 0);
	pd_l4(p + off, len - off, d);
}

static enum pktdec_nonip
pd_ethertype_kind(uint16_t et)
{
	switch (et) {
	case 0x0806: return PKTDEC_NONIP_ARP;
	case 0x8035: return PKTDEC_NONIP_RARP;
	case 0x88cc: return PKTDEC_NONIP_LLDP;
	case 0x8137: case 0x8138: return PKTDEC_NONIP_IPX;
	case 0x8847: case 0x8848: return PKTDEC_NONIP_MPLS;
	case 0x8863: case 0x8864: return PKTDEC_NONIP_PPPOE;
	case 0x888e: return PKTDEC_NONIP_EAPOL;
	default: return PKTDEC_NONIP_OTHER;
	}
}

static bool
pd_is_tag(uint16_t et)
{
	return et == 0x8100 || et == 0x88a8 || et == 0x9100 || et == 0x9200;
}

/* The network layer named by ethertype et, at p[0..len). */
static void
pd_net(uint16_t et, const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	d->ethertype = et;
	if (d->layer < PKTDEC_L_LINK)
		d->layer = PKTDEC_L_LINK;
	if (et == 0x0800 || et == 0x86dd) {
		d->l3 = p;
		d->l3len = len;
	}
	if (et == 0x0800)
		pd_ipv4(p, len, c, d);
	else if (et == 0x86dd)
		pd_ipv6(p, len, c, d);
	else
		pd_nonip(d, pd_ethertype_kind(et));
}

/* An 802.2 LLC header (after an 802.3 length field or an SLL protocol of
 * 4): SNAP with a zero OUI carries an ethertype; the rest is not IP. */
static void
pd_llc(const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	if (!pd_has(len, 0, 3)) {
		pd_stop(d, PKTDEC_TRUNCATED, "llc header");
		return;
	}
	if (p[0] == 0xaa && p[1] == 0xaa && p[2] == 0x03) {
		if (!pd_has(len, 0, 8)) {
			pd_stop(d, PKTDEC_TRUNCATED, "snap header");
			return;
		}
		if (p[3] == 0 && p[4] == 0 && p[5] == 0) {
			pd_net(pd_be16(p + 6), p + 8, len - 8, c, d);
			return;
		}
	}
	d->layer = PKTDEC_L_LINK;
	pd_nonip(d, p[0] == 0xff && p[1] == 0xff ? PKTDEC_NONIP_IPX :
	    PKTDEC_NONIP_LLC);
}

/* The network layer of type et whose bytes start at p, VLAN tags walked
 * (each a TCI then the next type). On Ethernet a type below 0x0600 is an
 * 802.3 length and LLC follows. */
static void
pd_typed(uint16_t et, const uint8_t *p, size_t len, bool ether,
    const struct pd_ctx *c, struct pktdec *d)
{
	size_t off = 0;
	int n;

	d->layer = PKTDEC_L_LINK;
	for (n = 0; pd_is_tag(et); n++) {
		if (n == PD_MAX_TAGS) {
			pd_stop(d, PKTDEC_MALFORMED, "vlan tag chain");
			return;
		}
		if (!pd_has(len, off, 4)) {
			pd_stop(d, PKTDEC_TRUNCATED, "vlan tag");
			return;
		}
		if (d->nvlan < PKTDEC_MAXVLAN)
			d->vlan[d->nvlan] = pd_be16(p + off) & 0x0fff;
		if (d->nvlan < UINT8_MAX)
			d->nvlan++;
		et = pd_be16(p + off + 2);
		off += 4;
	}
	if (ether && et < 0x0600) {
		pd_llc(p + off, len - off, c, d);
		return;
	}
	pd_net(et, p + off, len - off, c, d);
}

static void
pd_en10mb(const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	if (!pd_has(len, 0, 14)) {
		pd_stop(d, PKTDEC_TRUNCATED, "ethernet header");
		return;
	}
	pd_typed(pd_be16(p + 12), p + 14, len - 14, true, c, d);
}

/* The protocol field of a Linux cooked header: an ethertype, or one of
 * the small values of linux/if_ether.h for frames without one. */
static void
pd_sll_proto(uint16_t hatype, uint16_t proto, const uint8_t *p, size_t len,
    const struct pd_ctx *c, struct pktdec *d)
{
	d->layer = PKTDEC_L_LINK;
	if (hatype == 824)	/* ARPHRD_NETLINK */
		pd_nonip(d, PKTDEC_NONIP_OTHER);
	else if (proto == 0x0004)	/* ETH_P_802_2 */
		pd_llc(p, len, c, d);
	else if (proto == 0x0001)	/* ETH_P_802_3: raw IPX */
		pd_nonip(d, PKTDEC_NONIP_IPX);
	else
		pd_typed(proto, p, len, false, c, d);
}

static void
pd_sll(const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	if (!pd_has(len, 0, 16)) {
		pd_stop(d, PKTDEC_TRUNCATED, "sll header");
		return;
	}
	d->sll_pkttype = (int8_t)(pd_be16(p) & 0x7f);
	pd_sll_proto(pd_be16(p + 2), pd_be16(p + 14), p + 16, len - 16, c, d);
}

static void
pd_sll2(const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	if (!pd_has(len, 0, 20)) {
		pd_stop(d, PKTDEC_TRUNCATED, "sll2 header");
		return;
	}
	d->sll_pkttype = (int8_t)(p[10] & 0x7f);
	pd_sll_proto(pd_be16(p + 8), pd_be16(p), p + 20, len - 20, c, d);
}

/* The first nibble of a raw IP packet names its version. */
static void
pd_raw(const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	d->layer = PKTDEC_L_LINK;
	if (!pd_has(len, 0, 1)) {
		pd_stop(d, PKTDEC_TRUNCATED, "ip version");
		return;
	}
	switch (p[0] >> 4) {
	case 4:
		pd_net(0x0800, p, len, c, d);
		break;
	case 6:
		pd_net(0x86dd, p, len, c, d);
		break;
	default:
		pd_stop(d, PKTDEC_MALFORMED, "ip version");
	}
}

/* BSD address families for IPv6 differ per system: 24 (NetBSD,
 * OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux), 23 (Windows). */
static void
pd_af(uint32_t af, const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	d->layer = PKTDEC_L_LINK;
	switch (af) {
	case 2:
		pd_net(0x0800, p, len, c, d);
		break;
	case 10: case 23: case 24: case 28: case 30:
		pd_net(0x86dd, p, len, c, d);
		break;
	default:
		pd_nonip(d, PKTDEC_NONIP_OTHER);
	}
}

/* DLT_NULL holds the family in the capturing host's byte order: the
 * order whose value is small is the right one. */
static void
pd_null(const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	uint32_t af;

	if (!pd_has(len, 0, 4)) {
		pd_stop(d, PKTDEC_TRUNCATED, "null header");
		return;
	}
	af = pd_le32(p);
	if (af > 0xffff)
		af = pd_be32(p);
	pd_af(af, p + 4, len - 4, c, d);
}

static void
pd_loop(const uint8_t *p, size_t len, const struct pd_ctx *c,
    struct pktdec *d)
{
	if (!pd_has(len, 0, 4)) {
		pd_stop(d, PKTDEC_TRUNCATED, "loop header");
		return;
	}
	pd_af(pd_be32(p), p + 4, len - 4, c, d);
}

/* DLT_RAW is 12 on most systems and 14 on OpenBSD; files may say 101. */
static bool
pd_is_raw(int dlt)
{
	return dlt == DLT_RAW || dlt == 12 || dlt == 14 ||
	    dlt == PD_LINKTYPE_RAW;
}

bool
pktdec_link_ok(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return pd_is_raw(dlt);
	}
}

enum pktdec_status
pktdec_decode(int dlt, const uint8_t *p, size_t caplen, size_t wirelen,
    struct pktdec *d)
{
	struct pd_ctx c;

	memset(d, 0, sizeof(*d));
	d->sll_pkttype = -1;
	if (p == NULL)
		caplen = 0;
	c.cut = wirelen > caplen;
	switch (dlt) {
	case DLT_EN10MB:
		pd_en10mb(p, caplen, &c, d);
		break;
	case DLT_LINUX_SLL:
		pd_sll(p, caplen, &c, d);
		break;
	case DLT_LINUX_SLL2:
		pd_sll2(p, caplen, &c, d);
		break;
	case DLT_IPV4:
		d->layer = PKTDEC_L_LINK;
		pd_net(0x0800, p, caplen, &c, d);
		break;
	case DLT_IPV6:
		d->layer = PKTDEC_L_LINK;
		pd_net(0x86dd, p, caplen, &c, d);
		break;
	case DLT_NULL:
		pd_null(p, caplen, &c, d);
		break;
	case DLT_LOOP:
		pd_loop(p, caplen, &c, d);
		break;
	default:
		if (pd_is_raw(dlt))
			pd_raw(p, caplen, &c, d);
		else
			pd_stop(d, PKTDEC_BADLINK, "link type");
	}
	return d->status;
}

const char *
pktdec_nonip_name(enum pktdec_nonip k)
{
	static const char *const names[PKTDEC_NONIP_COUNT] = {
		"none", "arp", "rarp", "lldp", "llc", "ipx", "mpls", "pppoe",
		"eapol", "other",
	};

	return (unsigned)k < PKTDEC_NONIP_COUNT ? names[k] : "other";
}

const char *
pktdec_status_name(enum pktdec_status s)
{
	switch (s) {
	case PKTDEC_OK: return "ok";
	case PKTDEC_TRUNCATED: return "truncated";
	case PKTDEC_MALFORMED: return "malformed";
	case PKTDEC_NONIP: return "nonip";
	case PKTDEC_BADLINK: return "badlink";
	}
	return "unknown";
}
