/* emitsend.c - the sending half of the ev-emit core (include/emit.h):
 * the wait for subscribers, the send loop with its pacing and msg_ids,
 * and streaming, where each message leaves as soon as emit.c has encoded
 * it. The tool: man/ev-emit.1.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "emit.h"
#include "emitint.h"
#include "ntophdr.h"
#include "ntopmsg.h"

/* How emit_send() hands a payload to libzmq. */
enum emit_own {
	EMIT_COPY,	/* copied: the caller keeps its bytes */
	EMIT_SHARE,	/* lent: the bytes outlive the socket */
	EMIT_GIVE	/* given: libzmq frees them with free() */
};

static double
emit_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* True when a subscription arrived and every collector topic to send is
 * covered by a subscription prefix (other topics, such as "ebpf", are
 * never subscribed by a collector: they cannot be waited for). */
static bool
emit_covered(const struct emit *e, char subs[][33], size_t nsubs)
{
	size_t i, j, k;

	for (i = 0; i < e->nm; i++)
		for (j = 0; j < e->m[i].nf; j++) {
			const char *t = e->m[i].f[j].topic;

			if (!e->m[i].f[j].hdr || !ntopmsg_topic_ok(t))
				continue;
			for (k = 0; k < nsubs; k++)
				if (strncmp(t, subs[k], strlen(subs[k])) == 0)
					break;
			if (k == nsubs)
				return false;
		}
	return nsubs > 0;
}

/* Reads the subscription messages waiting on the socket (one byte 1 and
 * the topic prefix; unsubscriptions start with 0 and are ignored). */
static void
emit_read_subs(struct emit *e)
{
	uint8_t buf[64];
	int n;

	while ((n = zmq_recv(e->sock, buf, sizeof(buf) - 1,
	    ZMQ_DONTWAIT)) > 0) {
		if (buf[0] != 1 || e->nsubs == 64)
			continue;
		n = n > 33 ? 33 : n;
		memcpy(e->subs[e->nsubs], buf + 1, (size_t)n - 1);
		e->subs[e->nsubs++][n - 1] = '\0';
	}
}

/* Reads subscriptions until the topics to send are covered, or the wait
 * time is over. */
static void
emit_wait(struct emit *e, volatile sig_atomic_t *stop)
{
	zmq_pollitem_t it = { e->sock, 0, ZMQ_POLLIN, 0 };
	double end = emit_now() + e->c.wait, left;

	while (!*stop && (left = end - emit_now()) > 0) {
		if (zmq_poll(&it, 1, (long)(left * 1000) + 1) <= 0)
			continue;
		emit_read_subs(e);
		if (emit_covered(e, e->subs, e->nsubs)) {
			/* Let the rest of this subscriber's set arrive. */
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			return;
		}
	}
	if (!*stop && e->c.wait > 0)
		warnx("%s after %.1f s: sending anyway", e->nsubs ?
		    "no subscriber for every topic" : "no subscriber",
		    e->c.wait);
}

static void
emit_free(void *data, void *hint)
{
	(void)hint;
	free(data);
}

/* Sends one frame, handed over as own says; a lent payload goes without a
 * copy only when the socket's context is ours (it ends before the bytes
 * are freed). A signal stops the replay only before the first frame of a
 * message (first), never inside one. Returns 0, 1 when stopped, or -1 on
 * a socket error. */
static int
emit_send(struct emit *e, const void *p, size_t len, int more, bool first,
    enum emit_own own, volatile sig_atomic_t *stop)
{
	zmq_msg_t msg;
	int ret = 0, flags = more ? ZMQ_SNDMORE : 0;

	if (own == EMIT_GIVE)
		zmq_msg_init_data(&msg, (void *)(uintptr_t)p, len, emit_free,
		    NULL);
	else if (own == EMIT_SHARE && e->ownctx)
		zmq_msg_init_data(&msg, (void *)(uintptr_t)p, len, NULL, NULL);
	else {
		zmq_msg_init_size(&msg, len);
		memcpy(zmq_msg_data(&msg), p, len);
	}
	while (zmq_msg_send(&msg, e->sock, flags) == -1) {
		if (errno != EINTR && errno != EAGAIN) {
			warnx("zmq_send: %s", zmq_strerror(errno));
			ret = -1;
			break;
		}
		if (*stop && first) {
			ret = 1;
			break;
		}
	}
	/* A sent message belongs to libzmq; an unsent one is ours (closing
	 * it frees given bytes). */
	if (ret != 0)
		zmq_msg_close(&msg);
	return ret;
}

/* Waits, unless stopped, until sent messages are due at the rate. */
static void
emit_pace(const struct emit *e, double t0, uint64_t sent,
    volatile sig_atomic_t *stop)
{
	double due = t0 + sent / e->c.rate, now;

	while (!*stop && (now = emit_now()) < due) {
		struct timespec ts;
		double d = due - now;

		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

/* Encodes into hb the header of frame j of m (a header frame), numbered
 * msg_id, and returns its size. */
static size_t
emit_hdr(const struct emit *e, const struct emsg *m, size_t j,
    uint32_t msg_id, uint8_t *hb, size_t hbsz)
{
	struct ntophdr h;
	size_t next = j + 1 < m->nf ? m->f[j + 1].len : 0;

	memset(&h, 0, sizeof(h));
	h.layout = e->c.layout;
	memcpy(h.topic, m->f[j].topic, sizeof(h.topic));
	h.version = (uint32_t)e->c.version;
	h.flags = e->c.layout != NTOPHDR_V3 ? 0 : (e->c.zlib ?
	    NTOPHDR_FLAG_ZLIB : 0) | (e->c.tlv ? NTOPHDR_FLAG_TLV : 0);
	h.size = (uint32_t)next;
	h.uncompressed_size = m->f[j].usize;
	h.compressed_size = (uint32_t)next;
	h.msg_id = msg_id;
	h.source_id = e->c.source_id;
	return ntophdr_encode(&h, hb, hbsz);
}

/* Sends the frames of m, its header numbered msg_id; *had_hdr tells
 * whether it had one. Streaming gives the payloads to libzmq (they are
 * then gone from m); a replay lends them. Returns what emit_send()
 * returns. */
static int
emit_msg(struct emit *e, struct emsg *m, uint32_t msg_id, bool *had_hdr,
    volatile sig_atomic_t *stop)
{
	uint8_t hb[NTOPHDR_MAXSIZE];
	enum emit_own own;
	size_t j;
	int rc;

	*had_hdr = false;
	for (j = 0; j < m->nf; j++) {
		const void *p = m->f[j].p;
		size_t len = m->f[j].len;

		own = e->stop != NULL ? EMIT_GIVE : EMIT_SHARE;
		if (m->f[j].hdr) {
			len = emit_hdr(e, m, j, msg_id, hb, sizeof(hb));
			p = hb;
			own = EMIT_COPY;
			*had_hdr = true;
		} else
			*e->c_bytes += len;
		rc = emit_send(e, p, len, j + 1 < m->nf, j == 0, own, stop);
		if (own == EMIT_GIVE)
			m->f[j].p = NULL;
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Sends the eBPF message (-e): a v0 header and the filler struct. Returns
 * what emit_send() returns. */
static int
emit_ebpf(struct emit *e, volatile sig_atomic_t *stop)
{
	struct ntophdr h;
	uint8_t hb[NTOPHDR_MAXSIZE];
	size_t hl;
	int rc;

	memset(&h, 0, sizeof(h));
	h.layout = NTOPHDR_V0;
	strcpy(h.topic, "ebpf");
	h.size = EMIT_EBPF_SIZE;
	hl = ntophdr_encode(&h, hb, sizeof(hb));
	if ((rc = emit_send(e, hb, hl, 1, true, EMIT_COPY, stop)) != 0 ||
	    (rc = emit_send(e, e->ebpf, sizeof(e->ebpf), 0, false,
	    EMIT_SHARE, stop)) != 0)
		return rc;
	++*e->c_ebpf;
	return 0;
}

/* Sends message m, paced, numbered, and under -e the eBPF message after
 * it. Returns what emit_send() returns. */
static int
emit_one(struct emit *e, struct emsg *m, volatile sig_atomic_t *stop)
{
	bool had_hdr;
	int rc;

	if (e->c.rate > 0)
		emit_pace(e, e->t0, e->sent, stop);
	if ((rc = emit_msg(e, m, e->msg_id, &had_hdr, stop)) != 0)
		return rc;
	++*e->c_msgs;
	e->sent++;
	if (had_hdr)
		e->msg_id += 1 + e->c.gap;
	return e->c.ebpf ? emit_ebpf(e, stop) : 0;
}

/* Sends everything loaded, repeat times, until *stop; emit_run's loop. */
static int
emit_pass(struct emit *e, volatile sig_atomic_t *stop)
{
	uint64_t pass;
	size_t i;
	int rc;

	e->t0 = emit_now();
	for (pass = 0; !*stop && (e->c.repeat == 0 || pass < e->c.repeat);
	    pass++)
		for (i = 0; i < e->nm && !*stop; i++)
			if ((rc = emit_one(e, &e->m[i], stop)) != 0)
				return rc < 0 ? -1 : 0;
	return 0;
}

/* Ends a run whose sending returned rc: messages sent while no
 * subscription had reached the socket reached nobody. */
static int
emit_delivered(struct emit *e, int rc)
{
	emit_read_subs(e);
	if (rc == 0 && *e->c_msgs > 0 && e->nsubs == 0) {
		warnx("no subscriber: the %llu messages sent reached nobody",
		    (unsigned long long)*e->c_msgs);
		rc = -1;
	}
	return rc;
}

int
emit_run(struct emit *e, volatile sig_atomic_t *stop)
{
	emit_wait(e, stop);
	return emit_delivered(e, emit_pass(e, stop));
}

bool
emit_stopped(const struct emit *e)
{
	return e->stop != NULL && (*e->stop || e->send_rc != 0);
}

/* The wait covers the first message's topic only: a collector
 * subscribes to all its topics at once. */
void
emit_drain(struct emit *e)
{
	size_t i;

	if (e->stop == NULL || e->nm == 0)
		return;
	if (!e->waited) {
		emit_wait(e, e->stop);
		e->waited = true;
		e->t0 = emit_now();
	}
	for (i = 0; i < e->nm && e->send_rc == 0; i++)
		e->send_rc = *e->stop ? 1 :
		    emit_one(e, &e->m[i], e->stop);
	emit_forget(e);
}

/* Streams the n files named ("-": stdin), or stdin when n is 0. Every
 * file is opened first, so one that cannot be means nothing is sent. */
static int
emit_stream(struct emit *e, char *const *names, size_t n)
{
	FILE **fps;
	size_t i;
	int rc = 0;

	if (n == 0)
		return emit_load(e, stdin, "-");
	if ((fps = calloc(n, sizeof(*fps))) == NULL)
		err(1, "emit");
	for (i = 0; i < n; i++)
		if (strcmp(names[i], "-") == 0)
			fps[i] = stdin;
		else if ((fps[i] = fopen(names[i], "r")) == NULL) {
			warn("%s", names[i]);
			rc = -1;
		}
	for (i = 0; i < n && rc == 0 && !emit_stopped(e); i++)
		rc = emit_load(e, fps[i], names[i]);
	for (i = 0; i < n; i++)
		if (fps[i] != NULL && fps[i] != stdin)
			fclose(fps[i]);
	free(fps);
	return rc;
}

int
emit_send_files(struct emit *e, char *const *names, size_t n,
    volatile sig_atomic_t *stop)
{
	int rc;

	if (e->c.repeat != 1) {
		if (emit_load_files(e, names, n) != 0)
			return -1;
		return emit_run(e, stop);
	}
	e->stop = stop;
	rc = emit_stream(e, names, n);
	e->stop = NULL;
	if (rc != 0 || e->send_rc < 0)
		return -1;
	return emit_delivered(e, 0);
}
