/* sinkzmq.c - the ZMQ side of sinks: sockets, sends, subscriptions and
 * batches (zmq:, push:, zmq-lines:, push-lines:, and the socket under
 * the ntop: sinks of sinkntop.c).
 *
 * Implements part of include/sink.h; shares include/sinkint.h.
 *
 * ZMQ sinks block by default when the peers are slow (backpressure): PUSH
 * does so by nature, and PUB is given ZMQ_XPUB_NODROP (libzmq's PUB is an
 * XPUB underneath and honours it), which turns its silent drop at the
 * high-water mark into a wait. With drop_when_full the send does not wait
 * and a full queue drops the record, counted. A PUB with no subscriber at
 * all would discard in silence (ZMQ's publish semantics, and the "slow
 * joiner" at start-up), so zmq: and ntop: sinks are XPUB sockets that read
 * the subscriptions: while nobody subscribes, a send waits as it would on
 * a full queue (or, under drop_when_full, drops and counts).
 *
 * Closing a zmq:/push: sink on inproc:// (stages run as threads, chain.h)
 * sends an empty message, which the next stage's linebuf takes as the end
 * of its input.
 *
 * Batched ZMQ sinks (zmq-lines:, push-lines:, and the socket that stands
 * for "-" in a chained stage, whose reader is the next stage) join
 * records, each with its newline, into messages of up to SINK_BATCH
 * bytes: one message per record costs the writer, libzmq and the reader
 * more than the record itself. A batch goes out when full, on
 * sink_flush(), at close, after every record under -l, and when the
 * thread's linebuf is about to wait for input (sink_flush_idle), so a
 * quiet input never holds back records already written.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <czmq.h>

#include "chain.h"
#include "curve.h"
#include "sig.h"
#include "sink.h"
#include "sinkint.h"
#include "xalloc.h"

/* zmq_setsockopt for an int option; 0 or -1 with errno. */
static int
sk_setint(void *raw, int opt, int val)
{
	return zmq_setsockopt(raw, opt, &val, sizeof(val));
}

/* Makes the socket a CURVE client of the server with public key key (Z85),
 * with a fresh key pair of its own. 0, or -1 with a message in err. */
static int
sk_curve(struct sink *s, const char *key, char *err, size_t errsz)
{
	char z85[CURVE_KEYLEN + 1];

	if (!curve_available()) {
		snprintf(err, errsz, "%s: this libzmq has no CURVE support",
		    s->name);
		return -1;
	}
	if (strlen(key) != CURVE_KEYLEN ||
	    curve_key_parse(key, CURVE_KEYLEN, z85) != 0) {
		snprintf(err, errsz, "%s: CURVE server key is not 40 Z85 "
		    "characters", s->name);
		return -1;
	}
	if (curve_client_setup(s->raw, z85, NULL) != 0) {
		snprintf(err, errsz, "%s: CURVE set-up: %s", s->name,
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	return 0;
}

/* Opens a PUB or PUSH sink on the endpoint list eps ("@" binds, ">" or
 * no prefix connects). */
struct sink *
sk_open_zmq(const char *spec, enum sk_kind kind, int type, const char *eps,
    const struct sink_opts *o, char *err, size_t errsz)
{
	struct sink *s;

	if (*eps == '\0') {
		snprintf(err, errsz, "%s: no endpoint", spec);
		return NULL;
	}
	sig_czmq_quiet();
	s = sk_new(spec, kind, o);
	s->zs = zsock_new(type);
	if (s->zs == NULL) {
		snprintf(err, errsz, "%s: cannot create socket: %s", spec,
		    zmq_strerror(zmq_errno()));
		sk_free(s);
		return NULL;
	}
	s->raw = zsock_resolve(s->zs);
	if (sk_setint(s->raw, ZMQ_LINGER, SINK_LINGER_MS) != 0 ||
	    (o != NULL && o->sndhwm > 0 &&
	    sk_setint(s->raw, ZMQ_SNDHWM, o->sndhwm) != 0) ||
	    (type == ZMQ_XPUB &&
	    sk_setint(s->raw, ZMQ_XPUB_NODROP, 1) != 0)) {
		snprintf(err, errsz, "%s: socket options: %s", spec,
		    zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (o != NULL && o->curve_serverkey != NULL &&
	    sk_curve(s, o->curve_serverkey, err, errsz) != 0)
		goto fail;
	if (zsock_attach(s->zs, eps, false) != 0) {
		snprintf(err, errsz, "%s: %s", spec,
		    zmq_strerror(zmq_errno()));
		goto fail;
	}
	s->eof_marker = kind == SK_ZMQ && chain_eof_endpoint(eps);
	s->xpub = type == ZMQ_XPUB;
	return s;
fail:
	sk_setint(s->raw, ZMQ_LINGER, 0);
	zsock_destroy(&s->zs);
	sk_free(s);
	return NULL;
}

/* The batched sinks open in this thread, which sink_flush_idle flushes:
 * a socket belongs to the thread that opened it (stages run as threads). */
static _Thread_local struct sink *sk_idle;

/* Opens a zmq:/push: sink, batched when lines is set. */
struct sink *
sk_open_lines(const char *spec, int type, const char *eps, bool lines,
    const struct sink_opts *o, char *err, size_t errsz)
{
	struct sink *s;

	s = sk_open_zmq(spec, SK_ZMQ, type, eps, o, err, errsz);
	if (s == NULL || !lines)
		return s;
	s->batch = true;
	s->buf = xreallocarray(NULL, SINK_BATCH, 1);
	s->idle_next = sk_idle;
	sk_idle = s;
	return s;
}

/* Reads the subscription messages an XPUB sink has received ("\1topic"
 * subscribes, "\0topic" unsubscribes) and keeps their balance. */
static void
sk_read_subs(struct sink *s)
{
	unsigned char b[256];
	int n;

	while ((n = zmq_recv(s->raw, b, sizeof(b), ZMQ_DONTWAIT)) >= 1) {
		if (b[0] == 1)
			s->subs++;
		else if (b[0] == 0 && s->subs > 0)
			s->subs--;
	}
}

/* Waits for a subscriber before a message goes out of an XPUB sink, since
 * a message nobody subscribes to is discarded without a word. Returns 0
 * when there is one, 1 when drop_when_full says not to wait, or -1 with
 * errno EAGAIN when a stop was asked for and none came within
 * SINK_LINGER_MS (the record is then lost, and counted so by the caller). */
static int
sk_await_sub(struct sink *s)
{
	zmq_pollitem_t it = { s->raw, 0, ZMQ_POLLIN, 0 };
	int waited = 0;

	sk_read_subs(s);
	while (s->subs == 0) {
		if (s->drop_when_full)
			return 1;
		if (sig_stop && waited >= SINK_LINGER_MS) {
			errno = EAGAIN;
			return -1;
		}
		if (zmq_poll(&it, 1, 100) == -1 && zmq_errno() != EINTR) {
			errno = zmq_errno();
			return -1;
		}
		if (sig_stop)
			waited += 100;
		sk_read_subs(s);
	}
	return 0;
}

/*
 * Sends one frame. Returns 0, 1 when drop_when_full found the queue full
 * (nothing sent), or -1 with errno. A blocking send interrupted by a
 * signal is retried; once a stop was asked for (sig_stop), sends wait at
 * most SINK_LINGER_MS, so a vanished peer cannot hold a stopping stage
 * forever (the record is then lost, EAGAIN). Frames after the first of a
 * message always block: ZMQ delivers a message whole or not at all.
 */
int
sk_send(struct sink *s, const void *p, size_t n, int more, bool first)
{
	int flags = more ? ZMQ_SNDMORE : 0;
	int e;

	if (s->xpub && first && (e = sk_await_sub(s)) != 0)
		return e;
	if (s->drop_when_full && first)
		flags |= ZMQ_DONTWAIT;
	for (;;) {
		if (sig_stop && !s->timed) {
			sk_setint(s->raw, ZMQ_SNDTIMEO, SINK_LINGER_MS);
			s->timed = true;
		}
		if (zmq_send(s->raw, p, n, flags) >= 0)
			return 0;
		e = zmq_errno();
		if (e == EAGAIN && (flags & ZMQ_DONTWAIT))
			return 1;
		if (e == EINTR)
			continue;
		errno = e;
		return -1;
	}
}

/* Sends the batch of a batched sink: 0, or -1 with the error kept when
 * its records are lost. Dropped under drop_when_full, they are counted. */
int
sk_flush_batch(struct sink *s)
{
	int rc;

	if (s->len == 0)
		return 0;
	rc = sk_send(s, s->buf, s->len, 0, true);
	s->len = 0;
	if (rc == 1)
		s->dropped += s->nbatch;
	else if (rc == 0)
		s->written += s->nbatch;
	s->nbatch = 0;
	return rc == -1 ? sk_fail(s, errno) : 0;
}

int
sink_flush_idle(void)
{
	struct sink *s;
	int rc = 0;

	for (s = sk_idle; s != NULL; s = s->idle_next)
		if (s->len > 0 && s->error == 0 && sk_flush_batch(s) != 0)
			rc = -1;
	return rc;
}

bool
sink_idle_pending(void)
{
	struct sink *s;

	for (s = sk_idle; s != NULL; s = s->idle_next)
		if (s->len > 0 && s->error == 0)
			return true;
	return false;
}

/* Takes a batched sink off this thread's list. */
static void
sk_idle_remove(struct sink *s)
{
	struct sink **pp;

	for (pp = &sk_idle; *pp != NULL; pp = &(*pp)->idle_next)
		if (*pp == s) {
			*pp = s->idle_next;
			return;
		}
}

void
sk_close_zmq(struct sink *s)
{
	if (s->batch)
		sk_idle_remove(s);
	if (s->batch && s->error == 0)
		(void)sk_flush_batch(s);
	if (s->eof_marker && s->error == 0) {
		/* The end marker is not data: it waits at most the linger
		 * time (there may be no peer at all). */
		sk_setint(s->raw, ZMQ_SNDTIMEO, SINK_LINGER_MS);
		s->timed = true;
		(void)sk_send(s, "", 0, 0, false);
	}
	/* Queued messages get SINK_LINGER_MS to leave (ZMQ_LINGER, honoured
	 * when the context terminates at exit). */
	zsock_destroy(&s->zs);
}
