/* flowagg.h - flow-agg's core: packets, events and flow records in,
 * "flow" and "iface" records out (man/flow-agg.1, evpipe.7).
 *
 * Records are fed one line at a time; every flow leaving the table and
 * every summary is handed to the output callback as one compact JSON
 * object without a newline. Time is the records' own, so the same lines
 * give the same output byte for byte.
 */
#ifndef EVPIPE_FLOWAGG_H
#define EVPIPE_FLOWAGG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowtab.h"

struct linebuf;
struct sink;
struct stats;

struct flowagg_conf {
	struct flowtab_conf ft;		/* timeouts (microseconds), max flows */
	bool		vlan_key;	/* VLAN_ID is part of the flow key */
	int64_t		interim_us;	/* -I: interim updates; 0 = none */
	bool		no_ifaces;	/* do not write "iface" summaries */
};

/* Fills c with the defaults: idle 60 s, active 0 (none), closing 5 s, no
 * flow limit, VLAN not in the key, no interim updates. */
void	flowagg_defaults(struct flowagg_conf *c);

/* Receives each output record (len bytes, no newline). A non-zero return
 * means output was lost; flowagg remembers it and keeps going. */
typedef int (*flowagg_out_fn)(void *arg, const char *rec, size_t len);

struct flowagg;

/* A new aggregator writing through out and counting into st (borrowed;
 * both must outlive it). Aborts on out-of-memory. */
struct flowagg *flowagg_new(const struct flowagg_conf *c, flowagg_out_fn out,
	    void *arg, struct stats *st);
/* Frees *fap without writing anything; NULL afterwards. */
void	flowagg_destroy(struct flowagg **fap);

/* Handles one input line (len bytes, no newline). Bad records are counted
 * in st and reported with stats_bad; nothing is fatal. */
void	flowagg_line(struct flowagg *fa, const char *line, size_t len);

/* End of input: writes every flow (FLOW_END_EOF), oldest first, then
 * one "iface" summary per interface. */
void	flowagg_finish(struct flowagg *fa);

/* True if any output callback failed. */
bool	flowagg_lost(const struct flowagg *fa);

/* The flow table (for counters and tests). */
const struct flowtab *flowagg_table(const struct flowagg *fa);

/* Runs flow-agg: reads in until every input ends or *stop is set, prints
 * the counters on SIGUSR1 (when usr1 is not NULL, it is cleared), then
 * finishes and flushes out. Returns 0, or 1 if output was lost. */
int	flowagg_run(const struct flowagg_conf *c, struct linebuf *in,
	    struct sink *out, struct stats *st, volatile sig_atomic_t *stop,
	    volatile sig_atomic_t *usr1);

#endif
