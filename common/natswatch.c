/* natswatch.c - when a JetStream consumer has stopped delivering.
 *
 * Implements include/natswatch.h. Pure decisions on numbers, so that the
 * rules are tested without a server (tests/unit/test_natswatch.c).
 */
#include "natswatch.h"

void
natswatch_start(struct natswatch *w, uint64_t cseq, int64_t now)
{
	w->fresh_us = now;
	w->asked_us = now;
	w->max_cseq = cseq;
	w->owed = false;
	w->got = false;
}

void
natswatch_got(struct natswatch *w, uint64_t cseq, bool fresh, int64_t now)
{
	if (cseq > w->max_cseq)
		w->max_cseq = cseq;
	w->got = true;
	/* A redelivery of what the reader has is not progress: a consumer
	 * can keep resending held messages while it owes others. */
	if (fresh) {
		w->fresh_us = now;
		w->owed = false;
	}
}

bool
natswatch_due(const struct natswatch *w, int64_t now)
{
	return now - w->fresh_us >= NATSWATCH_IDLE_US &&
	    now - w->asked_us >= NATSWATCH_IDLE_US;
}

void
natswatch_unanswered(struct natswatch *w, int64_t now)
{
	w->asked_us = now;
}

bool
natswatch_stalled(struct natswatch *w, const struct natswatch_info *ci,
    int64_t ack_wait_us, int64_t now)
{
	bool was = w->owed && !w->got;
	bool waiting = ci->num_pending > 0 &&
	    ci->ack_pending < ci->max_ack_pending;
	/* Delivered but not received: the server sends pending ones again
	 * after the ack wait, so they are owed only once that has passed. */
	bool lost = ci->delivered_cseq > w->max_cseq &&
	    now - w->fresh_us >= ack_wait_us + NATSWATCH_IDLE_US;

	w->asked_us = now;
	w->got = false;
	w->owed = waiting || lost;
	return was && w->owed;
}
