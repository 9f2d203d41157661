/* ntopout.h - records in the form ntopng reads: what an ntop sink sends.
 *
 * One place decides what an ntop sink (JSON or TLV) sends for a record, so
 * every ntop sink sends the same fields (man/evpipe.7, "Inputs and
 * outputs"):
 * - a flow-agg "iface" summary never goes out as a flow: the interface
 *   counters and listening-port reports it holds go out again on the
 *   "counter" and "listening-ports" topics, as the agents sent them;
 * - on the "flow" topic, every top-level member whose name the ntopids
 *   table knows goes under its id ("57550", not "CLIENT_TCP_FLAGS"),
 *   booleans as 1 or 0, NW_LATENCY_MS as CLIENT_ or SERVER_NW_LATENCY_MS
 *   (a number);
 * - flow-agg's interim flow records ("_interim":true) carry cumulative
 *   counters: the packet, byte and retransmission counters go out as the
 *   difference to the last record of that flow sent through this
 *   converter, so a collector that adds every record (ntopng) ends at the
 *   flow's totals;
 * - the client's process of a flow-agg flow also goes as the nested
 *   CLIENT_PROCESS / CLIENT_FATHER_PROCESS objects of the agent format,
 *   only where they cannot turn the counters into absolute ones (see
 *   ntopout.c);
 * - every "_" member is removed.
 */
#ifndef EVPIPE_NTOPOUT_H
#define EVPIPE_NTOPOUT_H

#include <stddef.h>

#include "record.h"
#include "sbuf.h"

/* The longest topic an ntop message header holds here (v1-v3 headers). */
#define NTOPOUT_TOPICMAX	15

struct ntopout;

/* Receives one message: its topic and payload (a compact JSON object of
 * len bytes). Returns 0, or non-zero to stop (ntopout_record returns it). */
typedef int (*ntopout_fn)(void *arg, const char *topic, const char *payload,
    size_t len);

/* A converter with no flow remembered. Aborts on out-of-memory. */
struct ntopout *ntopout_new(void);
/* Frees *op (NULL afterwards). */
void	ntopout_free(struct ntopout **op);

/* Converts the record rec[0..len) and hands every message it makes to fn,
 * in order (none, one, or a few). Returns 0, -1 when rec is not a JSON
 * object (nothing is sent), or the first non-zero return of fn. */
int	ntopout_record(struct ntopout *o, const char *rec, size_t len,
	    ntopout_fn fn, void *arg);

/* Flows whose interim counters are remembered (waiting for their final
 * record). */
size_t	ntopout_flows(const struct ntopout *o);

/* Appends event r as a producer sends it (ev-emit): without its "_"
 * members, names kept, NW_LATENCY_MS replaced in place by
 * SERVER_NW_LATENCY_MS for an ACCEPT event and CLIENT_NW_LATENCY_MS
 * otherwise, as a number; byte for byte when there is nothing to change. */
void	ntopout_event(struct sbuf *out, const struct record *r);

#endif
