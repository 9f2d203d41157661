/* ntopseq.h - per-source msg_id accounting of ntop ZMQ messages. */
#ifndef EVPIPE_NTOPSEQ_H
#define EVPIPE_NTOPSEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntophdr.h"

/* Per-source msg_id accounting (doc/wire-format.md "Drop accounting").
 * Sources are keyed by an interface number and the header's source_id; a
 * source silent for the forget interval is forgotten; a new source's first
 * msg_id above the producers' first value means messages lost before the
 * subscription was up (the PUB "slow joiner"). */
struct ntopmsg_seq;

/* The largest msg_id gap taken as lost messages. A larger jump (or a
 * msg_id repeated) means the source has no sequence: ntopng's own
 * exporter leaves msg_id unset. Such a source is flagged once
 * (unsequenced) and no longer accounted; a first msg_id this far above
 * the start is not counted as slow-joiner loss. */
#define NTOPMSG_SEQ_MAXGAP	(1u << 24)

struct ntopmsg_seqres {
	bool		tracked;	/* the header carries a msg_id to track */
	bool		new_source;	/* first message (or after forgetting) */
	bool		restart;	/* msg_id went back: producer restarted */
	bool		untracked;	/* table full: not accounted */
	bool		unsequenced;	/* found to have no sequence now */
	uint64_t	lost;		/* gap before this message */
	uint64_t	slow_joiner;	/* lost before a new source was seen */
};

/* A tracker expecting producers to count from first, forgetting sources
 * after forget seconds of silence, tracking at most maxsrc sources.
 * Aborts on out-of-memory. */
struct ntopmsg_seq *ntopmsg_seq_new(uint32_t first, double forget,
	    size_t maxsrc);
void	ntopmsg_seq_destroy(struct ntopmsg_seq **sp);
/* Accounts one message of header h received on interface iface at time
 * now (seconds) and fills res. v0 headers and version-1 headers carry no
 * usable msg_id: res->tracked is false. */
void	ntopmsg_seq_check(struct ntopmsg_seq *s, unsigned iface,
	    const struct ntophdr *h, double now, struct ntopmsg_seqres *res);
/* Sources currently tracked. */
size_t	ntopmsg_seq_sources(const struct ntopmsg_seq *s);

#endif
