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
	w->behind = false;
	w->asked_sseq = 0;
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

enum natswatch_verdict
natswatch_judge(struct natswatch *w, const struct natswatch_info *ci,
    int64_t ack_wait_us, int64_t now)
{
	bool quiet = !w->got;
	bool owed_before = w->owed, behind_before = w->behind;
	uint64_t sseq_before = w->asked_sseq;
	bool waiting = ci->num_pending > 0 &&
	    ci->ack_pending < ci->max_ack_pending;
	/* Deliveries lost on the way are pending and come again after the
	 * ack wait: what is missing counts as owed only once that passed. */
	bool settled = now - w->fresh_us >= ack_wait_us + NATSWATCH_IDLE_US;
	/* Delivered but not received. */
	bool lost = ci->delivered_cseq > w->max_cseq && settled;
	/* More on the subject than had and still to come: the consumer
	 * passed a message without sending it. */
	bool skipped = ci->counted && settled &&
	    ci->subject_msgs > ci->held + ci->num_pending;

	w->asked_us = now;
	w->got = false;
	w->owed = waiting || lost || skipped;
	/* Short of the stream's end with nothing pending: the messages past
	 * it may be others', but a leader with a waiting reader scans to the
	 * end; one that stays put for a whole asking does not see them. */
	w->behind = ci->num_pending == 0 &&
	    ci->stream_last > ci->delivered_sseq;
	w->asked_sseq = ci->delivered_sseq;
	if (!quiet)
		return NATSWATCH_FINE;
	if (owed_before && w->owed)
		return NATSWATCH_STALLED;
	if (behind_before && w->behind && sseq_before == ci->delivered_sseq)
		return NATSWATCH_BEHIND;
	return NATSWATCH_FINE;
}
