/* pktrec.h - packet records, and the -A slice aggregator.
 *
 * THE PACKET RECORD CONTRACT (what flow-agg reads; man/evpipe.7 has it
 * too). One compact JSON object per packet (or per slice with -A), keys
 * always in this order, optional ones left out when they do not apply:
 *
 *   "_type":"packet"
 *   "_iface":NAME          device name, or the capture file's name
 *   "_rx":SECS             number, 6 decimals: the packet's capture time
 *                          (files have no receive time; live captures get
 *                          the kernel's time stamp); with -A, the time of
 *                          the slice's last packet
 *   "_decode":WHY          only for a packet whose headers were cut
 *                          ("truncated") or impossible ("malformed"); the
 *                          record holds what decoded before that point
 *   "_nonip":KIND          only for non-IP frames (written with -N):
 *                          "arp", "rarp", "lldp", "llc", "ipx", "mpls",
 *                          "pppoe", "eapol", "other"
 *   "timestamp":"S.F"      string: packet time (with -A the slice's first
 *                          packet), 6 fraction digits, 9 for a capture in
 *                          nanoseconds
 *   "LAST_TIMESTAMP":"S.F" -A only (always, even for PKTS 1): the slice's
 *                          last packet time. A reader takes the last-seen
 *                          time as LAST_TIMESTAMP if present, else
 *                          timestamp, so packets and slices read the same.
 *   "DIRECTION":0|1        only when the link says it (Linux cooked
 *                          captures): 0 received, 1 sent by the host
 *   "VLAN_ID":N            outermost 802.1Q/802.1ad tag's id, if tagged
 *   "INNER_VLAN_ID":N      second tag's id (QinQ), if any
 *   "ETHERTYPE":N          non-IP frames only
 *   "IP_PROTOCOL_VERSION":4|6
 *   "IPV4_SRC_ADDR":"a.b.c.d","IPV4_DST_ADDR":"..." or
 *   "IPV6_SRC_ADDR":"x::y","IPV6_DST_ADDR":"..." (RFC 5952 text)
 *   "PROTOCOL":N           IPv4 protocol; IPv6: the header after the
 *                          extension headers (or the fragment header's
 *                          next header for a later fragment)
 *   "L4_SRC_PORT":N,"L4_DST_PORT":N   TCP, UDP (a first fragment too)
 *   "TCP_FLAGS":N          TCP: the flags byte (CWR..FIN, 0-255); with
 *                          -A the OR over the slice
 *   "ICMP_TYPE":N          ICMP and ICMPv6: type * 256 + code, as
 *                          NetFlow/nProbe ICMP_TYPE (element 32)
 *   "FRAG_ID":N            fragments only (MF set or offset > 0): IPv4
 *                          identification or IPv6 fragment id; a later
 *                          fragment has no ports, so a reader joins it to
 *                          its first fragment's flow by addresses,
 *                          PROTOCOL and FRAG_ID
 *   "FRAG_OFFSET":N        fragments, per-packet records only: offset in
 *                          bytes (0 for the first fragment)
 *   "PKTS":N               1 per packet; the slice's count with -A
 *   "BYTES":N              frame length on the wire (tshark frame.len),
 *                          summed over a slice
 *   With -L, once DPI knows the packet's flow (include/dpi.h), after
 *   BYTES, strings: "L7_PROTO" ("master.app" nDPI ids), "L7_PROTO_NAME",
 *   "L7_CATEGORY", and where found "DNS_QUERY", "HTTP_HOST", "HTTP_URL",
 *   "TLS_SERVER_NAME", "JA3C_HASH". A slice carries its flow's fields as
 *   they are when the slice is written.
 *
 * A slice (-A SECONDS) is keyed by interface, direction, VLAN ids, IP
 * version, addresses, protocol, ports (or ICMP type and code, or, for
 * fragments, FRAG_ID) and decode outcome, in packet time: slice k of an
 * interface covers [k*SECONDS, (k+1)*SECONDS). Slices are written when a
 * packet of a later slice arrives on the interface, at the end of its
 * capture file, when the table is full (counted), and on shutdown, in the
 * order their first packets arrived.
 */
#ifndef EVPIPE_PKTREC_H
#define EVPIPE_PKTREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktdec.h"
#include "sbuf.h"

/* A packet time: seconds and a fraction in ns; nano says the capture had
 * nanosecond resolution (9 digits printed) rather than microseconds. */
struct pktrec_time {
	int64_t		sec;
	uint32_t	nsec;
	bool		nano;
};

/* Appends the record of one packet (no newline) to out: d as decoded,
 * wirelen its length on the wire, ifjson its _iface as JSON string text,
 * quotes included (sbuf_add_jstr() once per interface). A packet with
 * d->layer < PKTDEC_L_NET is written as a non-IP record (ETHERTYPE and
 * _nonip or _decode); callers decide whether to write those. */
void	pktrec_packet(struct sbuf *out, const char *ifjson,
	    const struct pktrec_time *t, const struct pktdec *d,
	    uint32_t wirelen);

/* As pktrec_packet(), with l7 (l7len bytes of JSON members, each
 * preceded by a comma: the application fields, include/dpi.h) appended
 * after BYTES; l7 NULL writes what pktrec_packet() writes. */
void	pktrec_packet_l7(struct sbuf *out, const char *ifjson,
	    const struct pktrec_time *t, const struct pktdec *d,
	    uint32_t wirelen, const char *l7, size_t l7len);

/* Formats t as "S.F" digits (no quotes) into buf (>= 32 bytes); returns
 * the length. */
size_t	pktrec_fmt_time(const struct pktrec_time *t, char *buf);

/* Called with each finished slice record (no newline). A non-zero return
 * (a lost write) is passed back by the aggregator call that emitted. */
typedef int (*pktrec_emit_fn)(void *arg, const char *rec, size_t len);

struct pktrec_agg;

struct pktrec_agg_stats {
	uint64_t	records;	/* slice records emitted */
	uint64_t	backwards;	/* packets older than their iface's
					   slice, put into the current one */
	uint64_t	full_flushes;	/* slices written early: table full */
	uint64_t	max_entries;	/* high-water mark of open slices */
};

/* A new aggregator of slice_ns nanoseconds (> 0) holding at most
 * max_entries open slices. Aborts on out-of-memory. */
struct pktrec_agg *pktrec_agg_new(uint64_t slice_ns, size_t max_entries);
/* Frees *ap without writing what it holds (flush first); NULL after. */
void	pktrec_agg_destroy(struct pktrec_agg **ap);

/* Adds one packet of interface iface (a small index >= 0; ifjson, its
 * name as JSON string text as for pktrec_packet(), must stay valid while
 * the agg holds its slices). Writes, through emit, the
 * slices of iface that the packet's time closes. Returns 0 or the first
 * non-zero emit result. */
int	pktrec_agg_add(struct pktrec_agg *a, int iface, const char *ifjson,
	    const struct pktrec_time *t, const struct pktdec *d,
	    uint32_t wirelen, pktrec_emit_fn emit, void *arg);

/* Where a slice's application fields come from: the members text of
 * handle h (as for pktrec_packet_l7()), or NULL when there are none. */
typedef const char *(*pktrec_l7_fn)(void *arg, uint64_t h, size_t *len);

/* Sets the source of the application fields of slices: a slice added
 * with a non-zero handle gets fn's fields for its latest handle when it
 * is written. */
void	pktrec_agg_set_l7(struct pktrec_agg *a, pktrec_l7_fn fn, void *arg);

/* As pktrec_agg_add(), for a packet of DPI flow handle l7h (0: none). */
int	pktrec_agg_add_l7(struct pktrec_agg *a, int iface, const char *ifjson,
	    const struct pktrec_time *t, const struct pktdec *d,
	    uint32_t wirelen, uint64_t l7h, pktrec_emit_fn emit, void *arg);

/* Writes the slices of iface whose time is over by now_ns (epoch ns; a
 * live capture's clock when no packet came). Returns as pktrec_agg_add. */
int	pktrec_agg_tick(struct pktrec_agg *a, int iface, int64_t now_ns,
	    pktrec_emit_fn emit, void *arg);

/* Writes every open slice of iface (or of all interfaces if iface < 0),
 * in first-packet order. Returns as pktrec_agg_add. */
int	pktrec_agg_flush(struct pktrec_agg *a, int iface, pktrec_emit_fn emit,
	    void *arg);

/* The aggregator's counters. */
const struct pktrec_agg_stats *pktrec_agg_stats(const struct pktrec_agg *a);

#endif
