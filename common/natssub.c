/* natssub.c - a JetStream durable pull consumer as a stage's input.
 *
 * Implements include/natssub.h. The consumer is created with the AckAll
 * policy (one ack per batch instead of one per message: a plain ack costs
 * a round trip's worth of server work, and a lost ack is repaired by the
 * next one), an explicit large MaxAckPending, and the URL's ack wait.
 * The ack wait only bounds how long a live reader may hold a message
 * before the server sends it again (a restart does not wait for it: the
 * consumer is recreated from its ack floor), so 30 s by default.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "natsio.h"
#include "natssub.h"
#include "natswatch.h"
#include "seqset.h"
#include "xalloc.h"

struct natssub {
	char		*spec;
	struct natsio_url u;
	natsConnection	*nc;
	jsCtx		*js;
	natsSubscription *sub;
	natsMsgList	 list;		/* the batch being handed out */
	int		 next;		/* its next message */
	natsMsg		*last;		/* the last message handed out, unacked */
	bool		 ack_exit;
	bool		 ended;
	uint64_t	 max_seq;	/* highest stream sequence handed out */
	/* The stream sequences handed out (up to the last acknowledged
	 * one, all of them). A set, not a high-water mark:
	 * after a leader change a message whose first delivery was lost
	 * comes again later than higher ones, and must not be skipped. */
	struct seqset	 seen;
	uint64_t	 last_seq;	/* stream sequence of last */
	int64_t		 idle_since;
	char		 lasterr[160];
	uint64_t	 msgs, redelivered, skipped, acks, ack_errors;
	uint64_t	 fetch_errors, recreated, stalls, stepdowns;
	int64_t		 setup_ms;	/* how long the set-up took */
	struct natswatch watch;		/* is the consumer still sending? */
	/* A consumer deleted to restart it: where and on what it restarts,
	 * kept across set-up retries. */
	uint64_t	 restart_seq;
	char		*restart_filter;
	char		*filter;	/* the consumer's filter subject */
	/* The consumer started at the stream's first message under this
	 * reader, which acks at exit only: every message on its subject
	 * that the stream holds should have come (natswatch.h). */
	bool		 counted;
};

/* The consumer configuration this stage creates. */
static void
ns_config(struct natssub *s, jsConsumerConfig *cc, const char *filter,
    uint64_t start)
{
	jsConsumerConfig_Init(cc);
	cc->Durable = s->u.consumer;
	cc->AckPolicy = js_AckAll;
	cc->AckWait = s->u.ack_wait_ms * 1000000;
	cc->MaxAckPending = NATSSUB_MAX_ACK_PENDING;
	cc->FilterSubject = filter;
	cc->DeliverPolicy = start > 1 ? js_DeliverByStartSequence :
	    js_DeliverAll;
	cc->OptStartSeq = start > 1 ? start : 0;
}

/* True for an error of consumer creation that a cluster in the middle
 * of a leader change or a deletion can give, worth another try: no
 * answer, no leader or peers yet, a stream or consumer assignment not
 * yet applied where the request landed, the deleted consumer's name
 * not yet free, a failure the server only describes in words. */
static bool
ns_transient(jsErrCode je)
{
	if (je == 0)
		return true;
	switch (je) {
	case JSClusterNoPeersErr:
	case JSClusterNotAvailErr:
	case JSClusterNotLeaderErr:
	case JSConsumerCreateErr:
	case JSConsumerNameExistErr:
	case JSInsufficientResourcesErr:
	case JSStreamNotFoundErr:
		return true;
	default:
		return false;
	}
}

/* Keeps the filter of the consumer set up, and whether what it sends
 * can be counted against the stream. */
static void
ns_keep(struct natssub *s, const char *filter, bool counted)
{
	free(s->filter);
	s->filter = filter != NULL ? xstrdup(filter) : NULL;
	s->counted = counted;
}

/* The stream sequence up to which a consumer's messages were all
 * acknowledged. A consumer recreated to start at sequence N has read
 * nothing before N, but the server reports an ack floor of 0 until its
 * first ack: taken as the floor, a reader starting after one that died
 * early would read 1..N-1 again, acknowledged long before. */
static uint64_t
ns_floor(const jsConsumerInfo *ci)
{
	const jsConsumerConfig *c = ci->Config;
	uint64_t floor = ci->AckFloor.Stream;

	if (c != NULL && c->DeliverPolicy == js_DeliverByStartSequence &&
	    c->OptStartSeq > floor + 1)
		floor = c->OptStartSeq - 1;
	return floor;
}

/* Creates the consumer, or recreates it from just after its ack floor
 * when a dead reader left messages unacked, or always when force (it
 * stalled), counting a recreation in *restarts. 0, or the exit status. */
static int
ns_consumer(struct natssub *s, char **filter, bool force, uint64_t *restarts,
    char *err, size_t errsz)
{
	jsConsumerInfo *ci = NULL;
	jsConsumerConfig cc;
	jsOptions jo;
	jsErrCode je = 0;
	natsStatus st;
	uint64_t start = 0, floor;

	jsOptions_Init(&jo);
	jo.Wait = NATSIO_API_MS;
	st = js_GetConsumerInfo(&ci, s->js, s->u.stream, s->u.consumer, &jo,
	    &je);
	if (st == NATS_OK) {
		const char *f = ci->Config->FilterSubject;

		if (ci->Config->AckPolicy == js_AckNone) {
			snprintf(err, errsz, "consumer %s exists without acks",
			    s->u.consumer);
			jsConsumerInfo_Destroy(ci);
			return 2;
		}
		*filter = f != NULL && *f != '\0' ? strdup(f) : NULL;
		floor = ns_floor(ci);
		/* Nothing pending is not enough: a consumer leader elected
		 * when another died may have the delivered sequence of the
		 * dead reader's messages but not their pending entries, and
		 * would never send them again. Delivered past the ack floor
		 * means a reader took messages nobody acknowledged. */
		if (!force && ci->NumAckPending == 0 &&
		    ci->Delivered.Stream <= floor) {
			natswatch_start(&s->watch, ci->Delivered.Consumer,
			    natsio_now_us());
			ns_keep(s, *filter, s->ack_exit && floor == 0 &&
			    ci->Delivered.Stream == 0);
			jsConsumerInfo_Destroy(ci);
			return 0;
		}
		start = floor + 1;
		jsConsumerInfo_Destroy(ci);
		free(s->restart_filter);
		s->restart_filter = *filter != NULL ? strdup(*filter) : NULL;
		s->restart_seq = start;
		st = js_DeleteConsumer(s->js, s->u.stream, s->u.consumer, &jo,
		    &je);
		if (st != NATS_OK) {
			snprintf(err, errsz, "consumer %s: cannot restart it: "
			    "%s", s->u.consumer, natsStatus_GetText(st));
			return 1;
		}
		(*restarts)++;
	} else if (st != NATS_NOT_FOUND) {
		snprintf(err, errsz, "consumer %s: %s", s->u.consumer,
		    natsStatus_GetText(st));
		return 1;
	} else if (s->restart_seq != 0) {
		start = s->restart_seq;
		if (s->restart_filter != NULL)
			*filter = strdup(s->restart_filter);
	} else if (s->u.filter != NULL)
		*filter = strdup(s->u.filter);
	ns_config(s, &cc, *filter, start);
	st = js_AddConsumer(&ci, s->js, s->u.stream, &cc, &jo, &je);
	if (st != NATS_OK) {
		snprintf(err, errsz, "consumer %s: cannot create it: %s (%d)",
		    s->u.consumer, natsStatus_GetText(st), (int)je);
		return ns_transient(je) ? 1 : 2;
	}
	jsConsumerInfo_Destroy(ci);
	natswatch_start(&s->watch, 0, natsio_now_us());
	ns_keep(s, *filter, s->ack_exit && start <= 1);
	return 0;
}

/* Binds a pull subscription to the consumer set up for filter. Returns
 * 0, or 1 (worth another try: a consumer or stream leader may be being
 * elected, and the look-up the bind makes gets no answer). */
static int
ns_bind(struct natssub *s, jsOptions *jo, const char *filter, char *err,
    size_t errsz)
{
	jsSubOptions so;
	jsErrCode je = 0;
	natsStatus st;

	jsSubOptions_Init(&so);
	so.Stream = s->u.stream;
	so.Consumer = s->u.consumer;
	st = js_PullSubscribe(&s->sub, s->js, filter, s->u.consumer, jo, &so,
	    &je);
	if (st == NATS_OK)
		return 0;
	s->sub = NULL;
	snprintf(err, errsz, "consumer %s: cannot bind: %s (%d)",
	    s->u.consumer, natsStatus_GetText(st), (int)je);
	return 1;
}

/* Connects, checks the stream, sets up the consumer and binds to it. */
static int
ns_setup(struct natssub *s, char *err, size_t errsz)
{
	jsOptions jo;
	natsStatus st;
	char *filter = NULL;
	int64_t deadline;
	int rc;

	int64_t start = natsio_now_us();

	if ((s->nc = natsio_connect(&s->u, err, errsz)) == NULL)
		return 1;
	jsOptions_Init(&jo);
	jo.Wait = NATSIO_API_MS;
	if ((st = natsConnection_JetStream(&s->js, s->nc, &jo)) != NATS_OK) {
		snprintf(err, errsz, "JetStream: %s", natsStatus_GetText(st));
		return 1;
	}
	/* Set-up calls that got no answer are tried again for a while; the
	 * bind too, whose consumer look-up meets the same elections. */
	deadline = natsio_now_us() + NATSIO_SETUP_MS * 1000LL;
	for (;;) {
		rc = natsio_stream(s->js, &s->u, s->u.filter, err, errsz);
		if (rc == 0) {
			free(filter);
			filter = NULL;
			rc = ns_consumer(s, &filter, false, &s->recreated,
			    err, errsz);
			if (rc == 0)
				rc = ns_bind(s, &jo, filter, err, errsz);
		} else
			rc = rc == -1 ? 2 : 1;
		if (rc != 1 || natsio_now_us() >= deadline)
			break;
		usleep(250000);
	}
	free(filter);
	s->setup_ms = (natsio_now_us() - start) / 1000;
	return rc;
}

static void
ns_free(struct natssub *s)
{
	natsMsgList_Destroy(&s->list);
	natsMsg_Destroy(s->last);
	/* The connection closes first: that stops its reader thread, which
	 * takes a subscription from the connection without holding a
	 * reference (libnats 3.4), so destroying the subscription while the
	 * thread runs could free it under a message being delivered (a
	 * flow-agg hung at exit on that). */
	if (s->nc != NULL)
		natsConnection_Close(s->nc);
	natsSubscription_Destroy(s->sub);
	jsCtx_Destroy(s->js);
	natsConnection_Destroy(s->nc);
	natsio_url_free(&s->u);
	free(s->restart_filter);
	free(s->filter);
	seqset_free(&s->seen);
	free(s->spec);
	free(s);
}

struct natssub *
natssub_open(const char *spec, bool ack_exit_default, char *err,
    size_t errsz, int *status)
{
	struct natssub *s = xcalloc(1, sizeof(*s));
	char why[400];

	s->spec = xstrdup(spec);
	if (natsio_parse(spec, NATSIO_INPUT, &s->u, err, errsz) != 0) {
		*status = 2;
		ns_free(s);
		return NULL;
	}
	s->ack_exit = s->u.ack_exit < 0 ? ack_exit_default : s->u.ack_exit;
	if ((*status = ns_setup(s, why, sizeof(why))) != 0) {
		snprintf(err, errsz, "%s: %s", spec, why);
		ns_free(s);
		return NULL;
	}
	s->idle_since = natsio_now_us();
	return s;
}

/* Acks everything handed out so far (the last message, AckAll), once the
 * stage's sinks have written it. A lost ack only means a redelivery. */
static void
ns_ack(struct natssub *s)
{
	natsStatus st;

	if (s->last == NULL)
		return;
	if (natsio_hooks_run() != 0) {
		snprintf(s->lasterr, sizeof(s->lasterr), "output failed: "
		    "nothing more is acknowledged");
		return;
	}
	if ((st = natsMsg_Ack(s->last, NULL)) == NATS_OK) {
		s->acks++;
		seqset_floor(&s->seen, s->last_seq);
	} else {
		s->ack_errors++;
		snprintf(s->lasterr, sizeof(s->lasterr), "ack: %s",
		    natsStatus_GetText(st));
	}
	natsMsg_Destroy(s->last);
	s->last = NULL;
}

/* Fetches the next batch into s->list. */
static void
ns_fetch(struct natssub *s, int timeout_ms)
{
	jsErrCode je = 0;
	natsStatus st;

	natsMsgList_Destroy(&s->list);
	memset(&s->list, 0, sizeof(s->list));
	s->next = 0;
	if (!s->ack_exit)
		ns_ack(s);
	st = natsSubscription_Fetch(&s->list, s->sub, s->u.batch,
	    timeout_ms > 0 ? timeout_ms : 1, &je);
	if (st == NATS_OK)
		return;
	memset(&s->list, 0, sizeof(s->list));
	if (st != NATS_TIMEOUT) {
		s->fetch_errors++;
		snprintf(s->lasterr, sizeof(s->lasterr), "fetch: %s",
		    natsStatus_GetText(st));
	}
}

/* True if m should be handed out (not a sequence already handed out);
 * counts redeliveries and tells the watch, now being when m was taken. */
static bool
ns_fresh(struct natssub *s, natsMsg *m, int64_t now)
{
	jsMsgMetaData *md = NULL;
	bool fresh = true;

	if (natsMsg_GetMetaData(&md, m) != NATS_OK)
		return true;
	if (md->NumDelivered > 1)
		s->redelivered++;
	s->last_seq = md->Sequence.Stream;
	if (!seqset_add(&s->seen, md->Sequence.Stream)) {
		fresh = false;
		s->skipped++;
	} else if (md->Sequence.Stream > s->max_seq)
		s->max_seq = md->Sequence.Stream;
	natswatch_got(&s->watch, md->Sequence.Consumer, fresh, now);
	jsMsgMetaData_Destroy(md);
	return fresh;
}

/* Asks the consumer's leader to hand over to another replica (the
 * JetStream API has the request; libnats 3.4 has no call for it). */
static void
ns_stepdown(struct natssub *s)
{
	natsMsg *reply = NULL;
	char subj[512], ans[200];

	snprintf(subj, sizeof(subj), "$JS.API.CONSUMER.LEADER.STEPDOWN.%s.%s",
	    s->u.stream, s->u.consumer);
	if (natsConnection_RequestString(&reply, s->nc, subj, "",
	    NATSIO_API_MS) != NATS_OK) {
		snprintf(s->lasterr, sizeof(s->lasterr), "consumer %s: leader "
		    "step-down: no answer", s->u.consumer);
		return;
	}
	snprintf(ans, sizeof(ans), "%.*s", natsMsg_GetDataLength(reply),
	    natsMsg_GetData(reply));
	natsMsg_Destroy(reply);
	if (strstr(ans, "\"success\":true") != NULL)
		s->stepdowns++;
	else
		snprintf(s->lasterr, sizeof(s->lasterr), "consumer %s: leader "
		    "step-down: %.80s", s->u.consumer, ans);
}

/* How many messages the stream holds on the consumer's filter (all of
 * them without one). */
static uint64_t
ns_subject_msgs(const struct natssub *s, const jsStreamInfo *si)
{
	const jsStreamStateSubjects *l = si->State.Subjects;
	uint64_t n = 0;
	int i;

	if (s->filter == NULL)
		return si->State.Msgs;
	for (i = 0; l != NULL && i < l->Count; i++)
		n += l->List[i].Msgs;
	return n;
}

/* What the stream's leader and the consumer's leader say, for the
 * watch: false when either does not answer. The stream first, so that
 * its end is not later than the consumer's state. */
static bool
ns_state(struct natssub *s, struct natswatch_info *wi)
{
	jsConsumerInfo *ci = NULL;
	jsStreamInfo *si = NULL;
	jsOptions jo;
	jsErrCode je = 0;

	jsOptions_Init(&jo);
	jo.Wait = NATSIO_API_MS;
	jo.Stream.Info.SubjectsFilter = s->filter;
	if (js_GetStreamInfo(&si, s->js, s->u.stream, &jo, &je) != NATS_OK)
		return false;
	wi->stream_last = si->State.LastSeq;
	wi->counted = s->counted;
	wi->held = s->msgs;
	wi->subject_msgs = ns_subject_msgs(s, si);
	jsStreamInfo_Destroy(si);
	if (js_GetConsumerInfo(&ci, s->js, s->u.stream, s->u.consumer, &jo,
	    &je) != NATS_OK)
		return false;
	wi->num_pending = ci->NumPending;
	wi->ack_pending = (uint64_t)ci->NumAckPending;
	wi->max_ack_pending = ci->Config != NULL ?
	    (uint64_t)ci->Config->MaxAckPending : NATSSUB_MAX_ACK_PENDING;
	wi->delivered_cseq = ci->Delivered.Consumer;
	wi->delivered_sseq = ci->Delivered.Stream;
	jsConsumerInfo_Destroy(ci);
	return true;
}

/* Asks about an idle reader's consumer now and then (natswatch.h). A
 * stalled one is recreated from its ack floor: the subscription stays,
 * bound by the consumer's name, and what comes again is skipped by
 * stream sequence. One whose leader is behind the stream has its leader
 * step down. */
static void
ns_watch(struct natssub *s)
{
	struct natswatch_info wi;
	char *filter = NULL;

	if (!natswatch_due(&s->watch, natsio_now_us()))
		return;
	if (!ns_state(s, &wi)) {
		natswatch_unanswered(&s->watch, natsio_now_us());
		return;
	}
	switch (natswatch_judge(&s->watch, &wi, s->u.ack_wait_ms * 1000LL,
	    natsio_now_us())) {
	case NATSWATCH_STALLED:
		if (ns_consumer(s, &filter, true, &s->stalls, s->lasterr,
		    sizeof(s->lasterr)) != 0)
			natswatch_unanswered(&s->watch, natsio_now_us());
		free(filter);
		break;
	case NATSWATCH_BEHIND:
		ns_stepdown(s);
		break;
	case NATSWATCH_FINE:
		break;
	}
}

const char *
natssub_next(struct natssub *s, int timeout_ms, size_t *len, bool *eof)
{
	bool fetched = false;
	natsMsg *m;
	int64_t now;

	*eof = s->ended;
	while (!s->ended) {
		if (s->next < s->list.Count) {
			m = s->list.Msgs[s->next];
			s->list.Msgs[s->next++] = NULL;
			/* Every message becomes the newest unacked one: AckAll
			 * on it acks the skipped ones too. */
			natsMsg_Destroy(s->last);
			s->last = m;
			s->idle_since = natsio_now_us();
			if (!ns_fresh(s, m, s->idle_since))
				continue;
			s->msgs++;
			*len = (size_t)natsMsg_GetDataLength(m);
			return natsMsg_GetData(m);
		}
		if (fetched) {
			if (s->list.Count == 0)
				ns_watch(s);
			break;
		}
		ns_fetch(s, timeout_ms);
		fetched = true;
	}
	now = natsio_now_us();
	if (s->u.idle_exit_ms > 0 && s->list.Count == 0 &&
	    now - s->idle_since >= s->u.idle_exit_ms * 1000)
		s->ended = true;
	*eof = s->ended;
	return NULL;
}

void
natssub_close(struct natssub **sp)
{
	struct natssub *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	ns_ack(s);
	fprintf(stderr, "{\"tool\":\"nats-input\",\"consumer\":\"%s/%s\","
	    "\"counters\":{\"nats_messages\":%" PRIu64 ",\"nats_redelivered\":%"
	    PRIu64 ",\"nats_duplicates_skipped\":%" PRIu64 ",\"nats_acks\":%"
	    PRIu64 ",\"nats_ack_errors\":%" PRIu64 ",\"nats_fetch_errors\":%"
	    PRIu64 ",\"nats_consumer_restarted\":%" PRIu64
	    ",\"nats_consumer_stalled\":%" PRIu64 ",\"nats_leader_stepdowns\":%"
	    PRIu64 ",\"nats_setup_ms\":%" PRId64 ",\"nats_last_stream_seq\":%"
	    PRIu64 "}}\n", s->u.stream, s->u.consumer, s->msgs,
	    s->redelivered, s->skipped, s->acks, s->ack_errors,
	    s->fetch_errors, s->recreated, s->stalls, s->stepdowns,
	    s->setup_ms, s->max_seq);
	if (s->lasterr[0] != '\0')
		fprintf(stderr, "nats: %s: %s\n", s->spec, s->lasterr);
	ns_free(s);
}
