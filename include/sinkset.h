/* sinkset.h - a stage's sinks, each spec opened once and shared by every
 * use (ev-route sends several interfaces or shards to one sink).
 */
#ifndef EVPIPE_SINKSET_H
#define EVPIPE_SINKSET_H

#include "sink.h"

struct sinkset;

/* An empty set whose sinks open with the options *so (copied; NULL for
 * defaults). Aborts on out-of-memory. */
struct sinkset *sinkset_new(const struct sink_opts *so);

/* The sink for spec: the one already opened for the same spec, or a new
 * one; exits as sink_open_or_die when it cannot be opened. */
struct sink *sinkset_get(struct sinkset *ss, const char *spec);

/* Closes every sink in the order opened and frees *ssp (NULL afterwards).
 * Returns 0, or -1 if any lost records; each such sink is reported on
 * stderr unless its reader went away (EPIPE). */
int	sinkset_close(struct sinkset **ssp);

#endif
