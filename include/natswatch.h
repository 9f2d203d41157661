/* natswatch.h - when a JetStream consumer has stopped delivering.
 *
 * A consumer can stop sending what it owes a reader that keeps asking:
 * after a leader change the new consumer leader may hold a delivered
 * sequence whose messages never reached the reader and no pending entry
 * to send them again, or it may keep undelivered messages and send none
 * (nats-server has had both kinds of defect). The reader then waits for
 * ever, its records stuck in the stream. This decides, from the
 * consumer's state as the server reports it and what the reader
 * received, when to ask the server and when the consumer is stalled; the
 * reader (natssub.c) then recreates it from its ack floor and skips what
 * it already read. Times are in microseconds of a monotonic clock.
 */
#ifndef EVPIPE_NATSWATCH_H
#define EVPIPE_NATSWATCH_H

#include <stdbool.h>
#include <stdint.h>

/* How long a reader gets nothing new before the consumer is asked, and
 * the least time between two askings. */
#define NATSWATCH_IDLE_US	10000000LL

struct natswatch {
	int64_t		 fresh_us;	/* when a new message last came */
	int64_t		 asked_us;	/* when the consumer was last asked */
	uint64_t	 max_cseq;	/* highest consumer sequence received */
	bool		 owed;		/* it owed messages when last asked */
	bool		 got;		/* anything came since then */
};

/* The consumer's state, from its info. */
struct natswatch_info {
	uint64_t	 num_pending;	/* not yet delivered, for the filter */
	uint64_t	 ack_pending;	/* delivered, not acknowledged */
	uint64_t	 max_ack_pending;
	uint64_t	 delivered_cseq; /* consumer sequence of the last one */
};

/* Starts watching a consumer that has delivered up to consumer sequence
 * cseq (0 for a new one) at time now. */
void	natswatch_start(struct natswatch *w, uint64_t cseq, int64_t now);
/* A message with consumer sequence cseq came at time now; fresh is
 * false for one the reader had already (a redelivery it skips). */
void	natswatch_got(struct natswatch *w, uint64_t cseq, bool fresh,
	    int64_t now);
/* True when the consumer should be asked for its state now: nothing new
 * came for NATSWATCH_IDLE_US and it was not asked for as long. */
bool	natswatch_due(const struct natswatch *w, int64_t now);
/* An asking at time now that got no answer (no consumer leader): it
 * counts as asked, and changes nothing else. */
void	natswatch_unanswered(struct natswatch *w, int64_t now);
/* Takes the state the consumer reported at time now (ack_wait_us is its
 * ack wait); true when it is stalled: it owed the reader messages at this
 * asking and the one before, and sent nothing at all in between (not
 * even a redelivery). It owes them when it holds undelivered messages and
 * room to send them, or when it delivered past what the reader received
 * and has had the ack wait to send them again. */
bool	natswatch_stalled(struct natswatch *w, const struct natswatch_info *ci,
	    int64_t ack_wait_us, int64_t now);

#endif
