/* dpi.h - application protocols of packets, by nDPI (libndpi).
 *
 * One nDPI detection module, and one detection state per bidirectional
 * flow (addresses, ports, protocol, outer VLAN) in a bounded table: at
 * most max_flows flows, the least recently seen one evicted when a new
 * flow needs room, and flows idle longer than idle_ms (packet time)
 * expired. A flow is fed its packets as nDPI's own reader does: until
 * its application is known and nDPI needs no more packets to complete
 * what it collects, or until it is given up on (more than 80 TCP or 24
 * UDP packets, a TCP FIN or RST, idle_ms without a packet, or
 * dpi_giveup_all()) and then with nDPI's guess. The fields exist from the
 * packet where the application is known (nDPI may refine them while it
 * completes); after the decision the flow keeps only its fields (a few
 * hundred bytes) and no DPI is paid for its later packets. An undecided
 * flow that idles is given up on and kept one more idle period, so that
 * what still refers to it gets the guess.
 *
 * A flow's fields are written as JSON members (include/pktrec.h):
 * L7_PROTO ("master.app" ids), L7_PROTO_NAME, L7_CATEGORY, and where nDPI
 * found them DNS_QUERY, HTTP_HOST, HTTP_URL, TLS_SERVER_NAME, JA3C_HASH.
 */
#ifndef EVPIPE_DPI_H
#define EVPIPE_DPI_H

#include <stddef.h>
#include <stdint.h>

#include "pktdec.h"

#define DPI_MAX_FLOWS	131072		/* default table cap */
#define DPI_IDLE_MS	120000		/* default idle timeout */

struct dpi_conf {
	size_t		 max_flows;	/* 0: DPI_MAX_FLOWS */
	uint64_t	 idle_ms;	/* 0: DPI_IDLE_MS */
};

struct dpi_stats {
	uint64_t	 flows;		/* flows created */
	uint64_t	 active;	/* flows in the table now */
	uint64_t	 max_active;	/* high-water mark of active */
	uint64_t	 evicted;	/* removed for room (table full) */
	uint64_t	 expired;	/* removed after idle_ms */
	uint64_t	 detected;	/* flows whose application nDPI found */
	uint64_t	 guessed;	/* flows given up on (packet limit, FIN
					   or RST, idle, end of capture):
					   nDPI's guess */
	uint64_t	 unknown;	/* of those, still "Unknown" */
	uint64_t	 dpi_packets;	/* packets handed to nDPI */
	uint64_t	 states;	/* nDPI flow states allocated now */
	uint64_t	 max_states;	/* high-water mark of states */
};

struct dpi;

/* A new DPI context (all nDPI protocols enabled); NULL with a message in
 * err when nDPI cannot be initialised. c may be NULL (defaults). */
struct dpi *dpi_new(const struct dpi_conf *c, char *err, size_t errsz);
/* Frees *dp and every flow state; NULL afterwards. */
void	dpi_destroy(struct dpi **dp);

/* Looks up (or creates) the flow of decoded packet d at time ms
 * (milliseconds), feeds d->l3 to nDPI while the flow is undecided, and
 * returns the flow's handle (never 0), or 0 when the packet belongs to
 * no flow DPI can follow (no complete IP header, a later fragment). */
uint64_t dpi_packet(struct dpi *x, const struct pktdec *d, uint64_t ms);

/* The fields of flow handle h as JSON members text, each preceded by a
 * comma (",\"L7_PROTO\":\"7\",..."), with its length in *len; NULL when
 * the flow is not decided yet or h is 0 or no longer in the table. */
const char *dpi_fields(const struct dpi *x, uint64_t h, size_t *len);

/* Gives up on every undecided flow now (end of a capture file): each gets
 * nDPI's guess as its fields. */
void	dpi_giveup_all(struct dpi *x);

/* The counters. */
const struct dpi_stats *dpi_stats(const struct dpi *x);

#endif
