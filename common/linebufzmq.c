/* linebufzmq.c - the ZMQ inputs of the line reader (zmq:, pull:, and the
 * socket that stands for "-" in a chained stage).
 *
 * Implements part of include/linebuf.h; shares include/linebufint.h.
 *
 * ZMQ inputs deliver each frame as one record; a frame holding newlines is
 * split at them (a trailing newline does not make an empty record): the
 * batched sinks of sink.h send lines so. A piece ending in a newline is
 * delivered in place, the newline overwritten with a NUL, since the
 * received message is ours alone, except on an inproc:// SUB, where
 * libzmq shares one message among the subscribers; there, and for a last
 * piece without a newline, the piece is copied into the input's buffer to
 * be NUL-terminated. On inproc:// (stages run as threads, chain.h) an
 * empty message is the end of the stream; elsewhere it is an empty
 * record.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <czmq.h>

#include "chain.h"
#include "linebuf.h"
#include "linebufint.h"
#include "sig.h"
#include "zio.h"

/* The receive high-water mark on inproc://, in messages: the stages of a
 * chain send batches of up to 16 KiB (sink.h), so libzmq's 1000 would let
 * a link hold 16 MiB; 100 batches are still thousands of records. */
#define LINEBUF_CHAIN_HWM	100

/* Adds a SUB (subscribed to everything) or PULL socket; eps is the
 * endpoint list after the "zmq:" / "pull:" prefix. */
int
lb_add_zmq(struct linebuf *lb, const char *spec, int type, const char *eps,
    char *err, size_t errsz)
{
	struct lb_input *in;
	zsock_t *zs;

	if (*eps == '\0') {
		snprintf(err, errsz, "%s: no endpoint", spec);
		return -1;
	}
	sig_czmq_quiet();
	zs = zsock_new(type);
	if (zs == NULL) {
		snprintf(err, errsz, "%s: cannot create socket: %s", spec,
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	/* Over a connection a producer's closing burst must fit (zio.h);
	 * between the threads of one chain, batches: a smaller bound. */
	if (!chain_eof_endpoint(eps))
		zsock_set_rcvhwm(zs, ZIO_RCVHWM);
	else
		zsock_set_rcvhwm(zs, LINEBUF_CHAIN_HWM);
	if (type == ZMQ_SUB)
		zsock_set_subscribe(zs, "");
	/* Without a prefix an endpoint is connected, for SUB and PULL. */
	if (zsock_attach(zs, eps, false) != 0) {
		snprintf(err, errsz, "%s: %s", spec,
		    zmq_strerror(zmq_errno()));
		zsock_destroy(&zs);
		return -1;
	}
	in = lb_push(lb, spec, LB_ZMQ);
	in->zs = zs;
	in->raw = zsock_resolve(zs);
	in->eof_marker = chain_eof_endpoint(eps);
	in->inplace = !(type == ZMQ_SUB && chain_eof_endpoint(eps));
	return lb->n - 1;
}

/*
 * Receives the next frame of a ZMQ input into in->msg without waiting;
 * more says the previous frame had more to come. Returns 1 with a frame
 * to split, 0 when the input has nothing more now (or ended, or a receive
 * was interrupted: lb->intr), 2 when the frame was an empty record
 * (delivered through fn, whose value is in *rc).
 */
static int
lb_recv_zmq(struct linebuf *lb, int idx, bool more, linebuf_fn fn, void *arg,
    int *n, int *rc)
{
	struct lb_input *in = &lb->in[idx];
	size_t size;
	int e;

	zmq_msg_init(&in->msg);
	if (zmq_msg_recv(&in->msg, in->raw, ZMQ_DONTWAIT) < 0) {
		e = zmq_errno();
		zmq_msg_close(&in->msg);
		if (e == EINTR)
			lb->intr = true;
		else if (e == EAGAIN)
			in->pending = false;
		else {
			in->pending = false;
			lb->st.read_errors++;
			/* The context is gone: end the input. */
			if (e == ETERM || e == ENOTSOCK)
				lb_close(lb, in);
		}
		return 0;
	}
	size = zmq_msg_size(&in->msg);
	lb->st.bytes += size;
	if (size > 0) {
		in->have_msg = true;
		in->moff = 0;
		return 1;
	}
	zmq_msg_close(&in->msg);
	if (in->eof_marker && !more && !zmq_msg_more(&in->msg)) {
		/* The end of a chained stage's output. */
		lb_close(lb, in);
		return 0;
	}
	/* An empty frame is one empty record. */
	in->buf[0] = '\0';
	lb->st.lines++;
	(*n)++;
	*rc = fn(arg, in->buf, 0, idx);
	return 2;
}

/* Delivers the lines of in->msg from in->moff on. Returns 0 once all are
 * delivered, or the callback's value. */
static int
lb_split_zmq(struct linebuf *lb, int idx, linebuf_fn fn, void *arg, int *n)
{
	struct lb_input *in = &lb->in[idx];
	char *data = zmq_msg_data(&in->msg), *p, *nl;
	size_t size = zmq_msg_size(&in->msg), len;
	int rc;

	while (in->moff < size) {
		p = data + in->moff;
		nl = memchr(p, '\n', size - in->moff);
		len = nl ? (size_t)(nl - p) : size - in->moff;
		in->moff += len + 1;
		if (len > lb->maxline) {
			lb->st.overlong++;
			continue;
		}
		if (nl == NULL || !in->inplace) {
			memcpy(in->buf, p, len);
			p = in->buf;
		}
		p[len] = '\0';
		lb->st.lines++;
		(*n)++;
		if ((rc = fn(arg, p, len, idx)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Delivers the rest of the current frame, then receives and delivers
 * further frames (all frames of a started message, and up to a batch of
 * new messages) without waiting. Returns 0 or the callback's value; an
 * interrupted receive sets lb->intr.
 */
int
lb_deliver_zmq(struct linebuf *lb, int idx, linebuf_fn fn, void *arg, int *n)
{
	struct lb_input *in = &lb->in[idx];
	int budget = LINEBUF_ZMQ_BATCH;
	int got, rc = 0;
	bool more;

	in->pending = true;
	for (;;) {
		if (!in->have_msg) {
			more = in->raw != NULL && zsock_rcvmore(in->zs);
			if (!more && budget-- <= 0)
				break;
			got = lb_recv_zmq(lb, idx, more, fn, arg, n, &rc);
			if (got == 0)
				return 0;
			if (rc != 0)
				return rc;
			if (got == 2)
				continue;
		}
		if ((rc = lb_split_zmq(lb, idx, fn, arg, n)) != 0)
			return rc;
		zmq_msg_close(&in->msg);
		in->have_msg = false;
	}
	in->pending = false;
	return 0;
}
