/* natswatch.h - when a JetStream consumer has stopped delivering.
 *
 * A consumer can stop sending what it owes a reader that keeps asking:
 * after a leader change the new consumer leader may hold a delivered
 * sequence whose messages never reached the reader and no pending entry
 * to send them again, or it may keep undelivered messages and send none
 * (nats-server has had both kinds of defect). Or its leader may be a
 * node whose copy of the stream stopped short of the stream's end (seen
 * with nats-server 2.9.10: a node killed and restarted, made consumer
 * leader while it caught up, stayed 4 messages behind for minutes): the
 * consumer then owes nothing by its own account. The reader waits for
 * ever, its records stuck in the stream. Or (nats-server 2.9.10 again,
 * after a stream leader's kill -9 and restart) the replicas disagree: the
 * stream's leader holds a message on the reader's subject that the
 * consumer's leader never sent, its own copy lacking it. This decides, from the
 * consumer's and the stream's state as the servers report them and what
 * the reader received, when to ask and what to do: recreate a stalled
 * consumer from its ack floor (the reader skips what it already read), or
 * make a leader that is behind the stream step down. Times are in
 * microseconds of a monotonic clock.
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
	bool		 behind;	/* it was behind the stream then */
	uint64_t	 asked_sseq;	/* stream sequence it had reached */
	bool		 got;		/* anything came since then */
};

/* The consumer's state, from its info. */
struct natswatch_info {
	uint64_t	 num_pending;	/* not yet delivered, for the filter */
	uint64_t	 ack_pending;	/* delivered, not acknowledged */
	uint64_t	 max_ack_pending;
	uint64_t	 delivered_cseq; /* consumer sequence of the last one */
	uint64_t	 delivered_sseq; /* stream sequence it has reached */
	uint64_t	 stream_last;	/* the stream's last sequence (its
					 * leader's answer), 0 if unknown */
	/* When counted: the reader has had every message on its subject
	 * from the stream's first (it started there and acks at exit),
	 * held of them, while the stream's leader holds subject_msgs. */
	bool		 counted;
	uint64_t	 held, subject_msgs;
};

enum natswatch_verdict {
	NATSWATCH_FINE,
	NATSWATCH_STALLED,	/* recreate the consumer from its floor */
	NATSWATCH_BEHIND	/* make its leader step down */
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
/* Takes the state reported at time now (ack_wait_us is the consumer's
 * ack wait) and judges it against the asking before, between which the
 * consumer must have sent nothing at all (not even a redelivery).
 * Stalled: it owed the reader messages at both, holding undelivered ones
 * with room to send them, or having delivered past what the reader
 * received and had the ack wait to send them again, or (counted) the
 * stream holding more on the subject than the reader has and the
 * consumer still holds back. Behind: at both it
 * owed nothing by its own account yet stood, without moving, short of the
 * stream's last sequence. */
enum natswatch_verdict natswatch_judge(struct natswatch *w,
	    const struct natswatch_info *ci, int64_t ack_wait_us, int64_t now);

#endif
