/* natspub.c - a JetStream publisher for sinks: batches of NDJSON lines,
 * a bounded window of unacknowledged messages, resends deduplicated by
 * the server.
 *
 * Implements include/natspub.h. libnats's own async window has no
 * per-message timeout (a message in flight when the stream leader dies is
 * never answered), so this module keeps its own ring of the last
 * 2 * window messages with their bytes (the spare half only fills when a
 * stop signal ends a wait): an entry leaves the ring
 * only when its ack came (a "duplicate" ack counts: the server had it).
 * The library's pending list is taken back and dropped whenever the ring
 * resends, so the library never stalls on acks that will not come.
 *
 * Invariant: entries [head, tail) of the ring are every message not yet
 * known stored, in the order they were first sent.
 *
 * Order: a message refused (no stream leader yet) or unanswered (its
 * leader died) must not be stored after a later one, or a consumer sees a
 * subject's records out of order (flow-agg would join fragments and
 * directions differently). So while any entry is in trouble, nothing new
 * goes out and only the oldest entry is sent again, one at a time, each
 * waiting for its ack: the queue drains in order, then the window opens.
 * What stays possible: a later message already in flight when an earlier
 * one got into trouble may be stored first.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "natsio.h"
#include "natspub.h"
#include "sig.h"
#include "xalloc.h"

/* Pause between two resend rounds, so a cluster without a leader is not
 * flooded with requests it answers "no responders". */
#define NP_BACKOFF_US	250000

enum np_state { NP_QUEUED, NP_INFLIGHT, NP_FAILED, NP_ACKED };

struct np_ent {
	uint64_t	 seq;
	char		*buf;
	size_t		 len, cap;
	enum np_state	 state;
	int64_t		 sent_us;
};

struct natspub {
	char		*spec;
	struct natsio_url u;
	natsConnection	*nc;
	jsCtx		*js;
	char		 source[160];
	size_t		 maxmsg;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct np_ent	*ring;
	uint64_t	 nring;		/* 2 * window entries */
	uint64_t	 head, tail;	/* seqs in the ring: [head, tail) */
	char		*cur;		/* the batch being filled */
	size_t		 curlen, curcap;
	int64_t		 cur_t0;
	char		 lasterr[160];
	/* Counters; acked, dups and errors change under mu. */
	uint64_t	 records, msgs, acked, dups, resent, errors;
	uint64_t	 blocked_us;
};

/* The sequence number at the end of a Nats-Msg-Id "SOURCE-SEQ". */
static uint64_t
np_msgseq(natsMsg *m)
{
	const char *id = NULL, *dash;

	if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) != NATS_OK ||
	    id == NULL || (dash = strrchr(id, '-')) == NULL)
		return 0;
	return strtoull(dash + 1, NULL, 10);
}

/* Runs on a libnats thread for every ack or error. */
static void
np_on_ack(jsCtx *js, natsMsg *m, jsPubAck *pa, jsPubAckErr *pae, void *arg)
{
	struct natspub *p = arg;
	uint64_t seq = np_msgseq(m);
	struct np_ent *e;

	(void)js;
	pthread_mutex_lock(&p->mu);
	e = &p->ring[seq % p->nring];
	if (seq >= p->head && seq < p->tail && e->seq == seq &&
	    e->state != NP_ACKED) {
		if (pa != NULL) {
			e->state = NP_ACKED;
			p->acked++;
			if (pa->Duplicate)
				p->dups++;
		} else {
			e->state = NP_FAILED;
			p->errors++;
			snprintf(p->lasterr, sizeof(p->lasterr), "%s",
			    pae != NULL && pae->ErrText != NULL ?
			    pae->ErrText : natsStatus_GetText(pae != NULL ?
			    pae->Err : NATS_ERR));
		}
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	natsMsg_Destroy(m);
}

/* Sends entry e (its state set to in flight first: the ack may come
 * before js_PublishMsgAsync returns). Never called with mu held, since
 * the library may wait for acks inside the call. */
static void
np_send(struct natspub *p, struct np_ent *e)
{
	natsMsg *m = NULL;
	natsStatus st;
	char id[200];

	snprintf(id, sizeof(id), "%s-%" PRIu64, p->source, e->seq);
	pthread_mutex_lock(&p->mu);
	e->state = NP_INFLIGHT;
	e->sent_us = natsio_now_us();
	pthread_mutex_unlock(&p->mu);
	st = natsMsg_Create(&m, p->u.subject, NULL, e->buf, (int)e->len);
	if (st == NATS_OK)
		st = natsMsgHeader_Set(m, "Nats-Msg-Id", id);
	if (st == NATS_OK)
		st = js_PublishMsgAsync(p->js, &m, NULL);
	natsMsg_Destroy(m);
	if (st != NATS_OK) {
		pthread_mutex_lock(&p->mu);
		if (e->state == NP_INFLIGHT)
			e->state = NP_FAILED;
		p->errors++;
		snprintf(p->lasterr, sizeof(p->lasterr), "%s",
		    natsStatus_GetText(st));
		pthread_mutex_unlock(&p->mu);
	}
}

/* Drops acked entries from the head. Called with mu held. */
static void
np_reap(struct natspub *p)
{
	while (p->head < p->tail &&
	    p->ring[p->head % p->nring].state == NP_ACKED)
		p->head++;
}

/* True if entry e was refused, or waited too long for its ack. mu held. */
static bool
np_stuck(const struct np_ent *e, int64_t now)
{
	return e->state == NP_FAILED || (e->state == NP_INFLIGHT &&
	    now - e->sent_us > NATSPUB_RESEND_MS * 1000LL);
}

/* True if any entry is stuck: the ring then drains one at a time. */
static bool
np_trouble(struct natspub *p, int64_t now)
{
	uint64_t s;

	for (s = p->head; s < p->tail; s++)
		if (np_stuck(&p->ring[s % p->nring], now))
			return true;
	return false;
}

/* The entry to send now, or NULL. In trouble: the oldest entry, once it
 * is stuck or was never sent (a refused one after NP_BACKOFF_US, so a
 * cluster without a leader is not flooded). Otherwise: the oldest entry
 * never sent. mu held. */
static struct np_ent *
np_due(struct natspub *p, int64_t now)
{
	struct np_ent *e;
	uint64_t s;

	if (p->head == p->tail)
		return NULL;
	if (np_trouble(p, now)) {
		e = &p->ring[p->head % p->nring];
		if (e->state == NP_QUEUED || (np_stuck(e, now) &&
		    (e->state != NP_FAILED ||
		    now - e->sent_us >= NP_BACKOFF_US)))
			return e;
		return NULL;
	}
	for (s = p->head; s < p->tail; s++) {
		e = &p->ring[s % p->nring];
		if (e->state == NP_QUEUED)
			return e;
	}
	return NULL;
}

/* Sends the entries due, oldest first, until none is. A resend makes the
 * library forget the acks it still waits for (the dead leader's will not
 * come), so that it never stalls on them. mu held, released around each
 * send. */
static void
np_pump(struct natspub *p)
{
	natsMsgList pend = { 0 };
	struct np_ent *e;

	while ((e = np_due(p, natsio_now_us())) != NULL) {
		bool again = e->state != NP_QUEUED;

		pthread_mutex_unlock(&p->mu);
		if (again) {
			p->resent++;
			if (js_PublishAsyncGetPendingList(&pend, p->js) ==
			    NATS_OK)
				natsMsgList_Destroy(&pend);
		}
		np_send(p, e);
		pthread_mutex_lock(&p->mu);
	}
}

/* Waits until the ring has room for one more entry (space) or is empty
 * (!space), resending as needed. A stop signal ends the wait when
 * stoppable; deadline_us (0: none) always does. 0, or -1 if it ended
 * without the condition. */
static int
np_wait(struct natspub *p, bool space, bool stoppable, int64_t deadline_us)
{
	int64_t t0 = natsio_now_us(), now;
	struct timespec ts;
	bool waited = false;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		np_reap(p);
		if (space ? p->tail - p->head < (uint64_t)p->u.window :
		    p->head == p->tail)
			break;
		now = natsio_now_us();
		if ((deadline_us != 0 && now >= deadline_us) ||
		    (stoppable && sig_stop)) {
			rc = -1;
			break;
		}
		waited = true;
		np_pump(p);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&p->cv, &p->mu, &ts);
	}
	pthread_mutex_unlock(&p->mu);
	if (waited)
		p->blocked_us += (uint64_t)(natsio_now_us() - t0);
	return rc;
}

/* Moves the current batch, if any, into the ring, and sends what is due
 * (np_due: the new batch waits while the ring is in trouble). 0, or -1
 * (ENOBUFS) when a stop signal came while the ring was full beyond its
 * spare half. */
static int
np_push(struct natspub *p)
{
	struct np_ent *e;
	char *tb;
	size_t tc;

	if (p->curlen != 0 && np_wait(p, true, true, 0) != 0 &&
	    p->tail - p->head >= p->nring) {
		errno = ENOBUFS;
		return -1;
	}
	pthread_mutex_lock(&p->mu);
	if (p->curlen != 0) {
		e = &p->ring[p->tail % p->nring];
		tb = e->buf;
		tc = e->cap;
		e->buf = p->cur;
		e->cap = p->curcap;
		e->len = p->curlen;
		e->seq = p->tail;
		e->state = NP_QUEUED;
		p->tail++;
		p->cur = tb;
		p->curcap = tc;
		p->curlen = 0;
		p->msgs++;
	}
	np_pump(p);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

/* Sets up the libnats side: connection, JetStream context with our ack
 * handler, the stream. 0, or the exit status of the failure. */
static int
np_connect(struct natspub *p, char *err, size_t errsz)
{
	jsOptions jo;
	natsStatus st;
	int64_t deadline;
	int rc;

	if ((p->nc = natsio_connect(&p->u, err, errsz)) == NULL)
		return 1;
	jsOptions_Init(&jo);
	jo.Wait = NATSIO_API_MS;
	/* Above the ring's size, so the library never stalls a send. */
	jo.PublishAsync.MaxPending = 4 * p->nring;
	jo.PublishAsync.AckHandler = np_on_ack;
	jo.PublishAsync.AckHandlerClosure = p;
	if ((st = natsConnection_JetStream(&p->js, p->nc, &jo)) != NATS_OK) {
		snprintf(err, errsz, "JetStream: %s", natsStatus_GetText(st));
		return 1;
	}
	deadline = natsio_now_us() + NATSIO_SETUP_MS * 1000LL;
	while ((rc = natsio_stream(p->js, &p->u, p->u.subject, err,
	    errsz)) == -2 && natsio_now_us() < deadline)
		usleep(250000);
	if (rc != 0)
		return rc == -1 ? 2 : 1;
	p->maxmsg = (size_t)natsConnection_GetMaxPayload(p->nc);
	p->maxmsg = p->maxmsg > 4096 ? p->maxmsg - 1024 : 1024;
	return 0;
}

static void
np_free(struct natspub *p)
{
	uint64_t i;

	if (p->nc != NULL)
		natsConnection_Close(p->nc);
	jsCtx_Destroy(p->js);
	natsConnection_Destroy(p->nc);
	for (i = 0; i < p->nring && p->ring != NULL; i++)
		free(p->ring[i].buf);
	free(p->ring);
	free(p->cur);
	natsio_url_free(&p->u);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->spec);
	free(p);
}

struct natspub *
natspub_open(const char *spec, char *err, size_t errsz, int *status)
{
	struct natspub *p = xreallocarray(NULL, 1, sizeof(*p));
	pthread_condattr_t ca;
	struct timespec ts;
	char host[64];
	char why[400];

	memset(p, 0, sizeof(*p));
	p->head = p->tail = 1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	p->spec = strdup(spec);
	if (p->spec == NULL || natsio_parse(spec, NATSIO_SINK, &p->u, err,
	    errsz) != 0) {
		*status = 2;
		np_free(p);
		return NULL;
	}
	p->nring = 2 * (uint64_t)p->u.window;
	p->ring = xcalloc(p->nring, sizeof(*p->ring));
	if (p->u.source != NULL)
		snprintf(p->source, sizeof(p->source), "%s", p->u.source);
	else {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "host");
		host[sizeof(host) - 1] = '\0';
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(p->source, sizeof(p->source), "%s-%ld-%lld%06ld",
		    host, (long)getpid(), (long long)ts.tv_sec,
		    ts.tv_nsec / 1000);
	}
	if ((*status = np_connect(p, why, sizeof(why))) != 0) {
		snprintf(err, errsz, "%s: %s", spec, why);
		np_free(p);
		return NULL;
	}
	return p;
}

int
natspub_write(struct natspub *p, const char *rec, size_t len)
{
	int64_t now;

	if (len + 1 > p->maxmsg) {
		errno = EMSGSIZE;
		return -1;
	}
	if (p->curlen + len + 1 > p->maxmsg && np_push(p) != 0)
		return -1;
	if (p->curlen + len + 1 > p->curcap) {
		/* Room for a batch and the record that ends it; only a
		 * record near the message limit needs more. */
		p->curcap = p->curlen + len + 1 > 2 * NATSPUB_BATCH ?
		    p->curlen + len + 1 : 2 * NATSPUB_BATCH;
		p->cur = xreallocarray(p->cur, 1, p->curcap);
	}
	if (p->curlen == 0)
		p->cur_t0 = natsio_now_us();
	memcpy(p->cur + p->curlen, rec, len);
	p->cur[p->curlen + len] = '\n';
	p->curlen += len + 1;
	p->records++;
	if (p->curlen >= NATSPUB_BATCH)
		return np_push(p);
	if ((p->records & 63) == 0) {
		now = natsio_now_us();
		if (now - p->cur_t0 > NATSPUB_AGE_MS * 1000LL)
			return np_push(p);
	}
	return 0;
}

int
natspub_flush(struct natspub *p)
{
	return np_push(p);
}

int
natspub_sync(struct natspub *p)
{
	if (np_push(p) != 0)
		return -1;
	return np_wait(p, false, true, 0);
}

uint64_t
natspub_close(struct natspub **pp)
{
	struct natspub *p = *pp;
	uint64_t left;

	if (p == NULL)
		return 0;
	*pp = NULL;
	(void)np_push(p);
	(void)np_wait(p, false, false, natsio_now_us() +
	    p->u.linger_ms * 1000 + 1);
	pthread_mutex_lock(&p->mu);
	np_reap(p);
	left = p->tail - p->head;
	pthread_mutex_unlock(&p->mu);
	if (left != 0)
		fprintf(stderr, "nats: %s: %" PRIu64 " messages not confirmed "
		    "after %lld ms (last error: %s)\n", p->spec, left,
		    (long long)p->u.linger_ms,
		    p->lasterr[0] != '\0' ? p->lasterr : "none");
	fprintf(stderr, "{\"tool\":\"nats-sink\",\"sink\":\"%s\",\"counters\":"
	    "{\"nats_records\":%" PRIu64 ",\"nats_messages\":%" PRIu64
	    ",\"nats_acked\":%" PRIu64 ",\"nats_duplicates\":%" PRIu64
	    ",\"nats_resent\":%" PRIu64 ",\"nats_errors\":%" PRIu64
	    ",\"nats_blocked_ms\":%" PRIu64 ",\"nats_unconfirmed\":%" PRIu64
	    "}}\n", p->u.subject, p->records, p->msgs, p->acked, p->dups,
	    p->resent, p->errors, p->blocked_us / 1000, left);
	np_free(p);
	return left;
}
