/* pktdec.h - decode a captured frame's link, network and transport headers.
 *
 * Pure and allocation-free: pktdec_decode() reads the frame through
 * bounds-checked accessors, one small function per layer, and fills a
 * struct pktdec with what it found and how far it got. It never casts
 * packet memory to a struct and never reads past caplen.
 *
 * Link types (libpcap DLT values): EN10MB, LINUX_SLL, LINUX_SLL2, RAW
 * (DLT_RAW 12 and 14, LINKTYPE_RAW 101, DLT_IPV4 228, DLT_IPV6 229),
 * NULL and LOOP. 802.1Q, 802.1ad and 0x9100 tags are walked (up to
 * PKTDEC_MAXVLAN recorded, any number skipped); LLC/SNAP frames with an
 * ethertype are followed. IPv4 with options and fragments; IPv6 with its
 * extension headers; TCP, UDP, ICMP, ICMPv6; any other IP protocol is
 * reported by number. Tunnels are not entered: the outermost IP header is
 * the one reported.
 */
#ifndef EVPIPE_PKTDEC_H
#define EVPIPE_PKTDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKTDEC_MAXVLAN	2

/* How decoding ended. PKTDEC_OK: every header present was decoded.
 * PKTDEC_TRUNCATED: the captured bytes end inside a header (caplen cut).
 * PKTDEC_MALFORMED: a header holds an impossible value (bad IHL, a
 * length shorter than its header, an extension header chain too long...).
 * PKTDEC_NONIP: the frame carries no IP (see nonip).
 * PKTDEC_BADLINK: the link type is not supported. */
enum pktdec_status {
	PKTDEC_OK = 0,
	PKTDEC_TRUNCATED,
	PKTDEC_MALFORMED,
	PKTDEC_NONIP,
	PKTDEC_BADLINK,
};

/* The deepest layer decoded completely. */
enum pktdec_layer {
	PKTDEC_L_NONE = 0,	/* not even the link header */
	PKTDEC_L_LINK,		/* link header (and tags) */
	PKTDEC_L_NET,		/* IP header: addresses and protocol known */
	PKTDEC_L_TRANSPORT,	/* TCP/UDP/ICMP header */
};

/* Kinds of non-IP frames, for counters (pktdec_nonip_name()). */
enum pktdec_nonip {
	PKTDEC_NONIP_NONE = 0,
	PKTDEC_NONIP_ARP,
	PKTDEC_NONIP_RARP,
	PKTDEC_NONIP_LLDP,
	PKTDEC_NONIP_LLC,	/* 802.3 frame with an LLC header (STP, ...) */
	PKTDEC_NONIP_IPX,
	PKTDEC_NONIP_MPLS,
	PKTDEC_NONIP_PPPOE,
	PKTDEC_NONIP_EAPOL,
	PKTDEC_NONIP_OTHER,	/* any other ethertype or address family */
	PKTDEC_NONIP_COUNT
};

struct pktdec {
	enum pktdec_status status;
	enum pktdec_layer layer;
	const char	*why;		/* what stopped decoding, or NULL */

	/* Link. */
	uint16_t	ethertype;	/* of the network layer (0 if none) */
	uint8_t		nvlan;		/* tags seen (may exceed PKTDEC_MAXVLAN) */
	uint16_t	vlan[PKTDEC_MAXVLAN]; /* VLAN ids, outermost first */
	int8_t		sll_pkttype;	/* SLL/SLL2 packet type, -1 if none */
	enum pktdec_nonip nonip;

	/* Network: valid when layer >= PKTDEC_L_NET. */
	uint8_t		ipver;		/* 4 or 6; also set for a broken IP header */
	uint8_t		src[16];	/* IPv4 in the first 4 bytes */
	uint8_t		dst[16];
	uint8_t		proto;		/* IPv4 protocol, IPv6 last next header */
	uint8_t		ttl;
	bool		frag;		/* a fragment (MF set or offset != 0) */
	uint32_t	frag_id;	/* IPv4 id or IPv6 fragment header id */
	uint16_t	frag_off;	/* fragment offset in bytes */
	uint16_t	l4len;		/* bytes of transport payload the IP
					   header announces (incl. L4 header) */
	const uint8_t	*l3;		/* the IP header inside the frame (for
					   DPI), NULL when there is none */
	size_t		l3len;		/* captured bytes from l3 on */

	/* Transport: each valid when its has_ flag is set. */
	bool		has_ports;
	uint16_t	sport, dport;
	bool		has_flags;
	uint8_t		tcp_flags;
	bool		has_icmp;
	uint8_t		icmp_type, icmp_code;
};

/* Decodes the frame p[0..caplen) of link type dlt (a libpcap DLT_ value)
 * whose length on the wire was wirelen (values below caplen count as
 * caplen) into d (fully overwritten). Returns d->status. Never reads
 * outside p[0..caplen); caplen 0 and p NULL are allowed. An IP length
 * beyond the captured bytes is malformed only when nothing was cut at
 * capture (caplen == wirelen). */
enum pktdec_status pktdec_decode(int dlt, const uint8_t *p, size_t caplen,
	    size_t wirelen, struct pktdec *d);

/* True if dlt is a link type pktdec_decode() understands. */
bool	pktdec_link_ok(int dlt);

/* Counter-friendly names: "arp", "lldp", ... for a non-IP kind; "ok",
 * "truncated", "malformed", "nonip", "badlink" for a status. */
const char *pktdec_nonip_name(enum pktdec_nonip k);
const char *pktdec_status_name(enum pktdec_status s);

#endif
