/* linebuf.c - bounded NDJSON line reader over files, FIFOs, stdin and ZMQ.
 *
 * Implements include/linebuf.h (doc/design.md "Moving records between
 * stages": one buffer per input, lines of two producers never interleave,
 * over-long lines are discarded to the next newline and counted).
 *
 * Plain inputs are read in large chunks into a buffer of maxline + CHUNK
 * bytes; complete lines are found with memchr() and handed to the callback
 * in place (the newline is overwritten with a NUL), so there is no per-line
 * copy or allocation. A partial line at the end of the buffer is moved to
 * its start before the next read; since a partial line longer than maxline
 * is discarded at once, a full CHUNK always fits after it.
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
 * record. In such a thread "-" means the spec chain_stdin() gives instead
 * of stdin.
 *
 * Before it waits for input, a poll sends what this thread's batched sinks
 * hold (sink_flush_idle), so records already written never wait for the
 * next input.
 *
 * Bytes are delivered as they are: a "\r" before the newline stays part of
 * the line (JSON treats it as white space).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <czmq.h>

#include "chain.h"
#include "linebuf.h"
#include "natssub.h"
#include "opts.h"
#include "sink.h"
#include "xalloc.h"
#include "zio.h"

/* Bytes asked of read(2) at a time. */
#define LINEBUF_CHUNK		(256 * 1024)
/* The pipe buffer asked for on pipe and FIFO inputs: with Linux's default
 * 64 KiB, reader and writer wake each other for every few lines, and a
 * 1 MiB buffer (the unprivileged maximum) more than doubled the
 * throughput of "cat file | stage" in measurements. */
#define LINEBUF_PIPESZ		(1024 * 1024)
/* The receive high-water mark on inproc://, in messages: the stages of a
 * chain send batches of up to 16 KiB (sink.h), so libzmq's 1000 would let
 * a link hold 16 MiB; 100 batches are still thousands of records. */
#define LINEBUF_CHAIN_HWM	100
/* ZMQ messages taken from one socket per poll, so no input starves. */
#define LINEBUF_ZMQ_BATCH	512
/* The longest a nats:// input waits for a fetch within one poll: alone it
 * bounds how late a stop signal is seen; beside other inputs it is short,
 * since those are not polled meanwhile. */
#define LINEBUF_NATS_WAIT_MS	500
#define LINEBUF_NATS_SHARED_MS	10

enum lb_kind { LB_FD, LB_ZMQ, LB_NATS };

struct lb_input {
	char		*name;
	enum lb_kind	 kind;
	int		 fd;		/* LB_FD */
	bool		 own_fd;	/* opened by linebuf_add: closed by us */
	bool		 regular;	/* a regular file: reads never wait */
	zsock_t		*zs;		/* LB_ZMQ */
	void		*raw;		/* zsock_resolve(zs) */
	zmq_msg_t	 msg;		/* the frame being split (LB_ZMQ) */
	bool		 have_msg;
	bool		 eof_marker;	/* an empty message ends it (inproc) */
	bool		 inplace;	/* messages may be written into */
	size_t		 moff;		/* next byte of msg to deliver */
	char		*buf;		/* cap + 1 bytes: room for a NUL */
	size_t		 cap;
	size_t		 start;		/* first byte not yet delivered */
	size_t		 end;		/* bytes read so far */
	bool		 discarding;	/* inside an over-long line */
	bool		 hit_eof;	/* read(2) returned 0 (tail pending) */
	bool		 closed;	/* ended: no longer polled */
	bool		 pending;	/* the callback stopped: lines remain */
	struct natssub	*ns;		/* LB_NATS */
	const char	*ndata;		/* LB_NATS: the message being split */
	size_t		 nsize;
};

struct linebuf {
	size_t			 maxline;
	struct lb_input		*in;
	int			 n;
	int			 cap;
	int			 open;
	bool			 intr;		/* a read was interrupted */
	bool			 nats_ack_exit;	/* nats:// default: ack=exit */
	int			 nnats;		/* open nats:// inputs */
	zmq_pollitem_t		*items;
	int			*item_in;	/* input index of items[k] */
	struct linebuf_stats	 st;
};

struct linebuf *
linebuf_new(size_t maxline)
{
	struct linebuf *lb;

	if (maxline > SIZE_MAX / 2 - LINEBUF_CHUNK) {
		fputs("linebuf: line limit too large\n", stderr);
		abort();
	}
	lb = xcalloc(1, sizeof(*lb));
	lb->maxline = maxline;
	return lb;
}

/* Ends input i: closes what linebuf opened and frees its buffer. */
static void
lb_close(struct linebuf *lb, struct lb_input *in)
{
	if (in->closed)
		return;
	in->closed = true;
	in->pending = false;
	lb->open--;
	if (in->kind == LB_FD) {
		if (in->own_fd)
			close(in->fd);
		in->fd = -1;
	} else if (in->kind == LB_NATS) {
		natssub_close(&in->ns);
		in->ndata = NULL;
		lb->nnats--;
	} else {
		if (in->have_msg)
			zmq_msg_close(&in->msg);
		in->have_msg = false;
		zsock_destroy(&in->zs);
		in->raw = NULL;
	}
	free(in->buf);
	in->buf = NULL;
}

void
linebuf_destroy(struct linebuf **lbp)
{
	struct linebuf *lb;
	int i;

	if (lbp == NULL || *lbp == NULL)
		return;
	lb = *lbp;
	for (i = 0; i < lb->n; i++) {
		lb_close(lb, &lb->in[i]);
		free(lb->in[i].name);
	}
	free(lb->in);
	free(lb->items);
	free(lb->item_in);
	free(lb);
	*lbp = NULL;
}

/* Appends a new input slot with its buffer and returns it. */
static struct lb_input *
lb_push(struct linebuf *lb, const char *name, enum lb_kind kind)
{
	struct lb_input *in;

	if (lb->n == lb->cap) {
		lb->cap = lb->cap ? lb->cap * 2 : 4;
		lb->in = xreallocarray(lb->in, (size_t)lb->cap, sizeof(*lb->in));
		lb->items = xreallocarray(lb->items, (size_t)lb->cap,
		    sizeof(*lb->items));
		lb->item_in = xreallocarray(lb->item_in, (size_t)lb->cap,
		    sizeof(*lb->item_in));
	}
	in = &lb->in[lb->n];
	memset(in, 0, sizeof(*in));
	in->name = xstrdup(name);
	in->kind = kind;
	in->fd = -1;
	/* A ZMQ piece is copied whole, so maxline + 1 is enough there. */
	in->cap = kind == LB_FD ? lb->maxline + LINEBUF_CHUNK : lb->maxline;
	in->buf = xreallocarray(NULL, in->cap + 1, 1);
	lb->n++;
	lb->open++;
	return in;
}

/* Keeps czmq from replacing the SIGINT/SIGTERM handlers of sig.h when it
 * creates its context; it must run before the first zsock is made.
 * sig_setup() does the same; this covers callers that never call it.
 * Calling it again later does not disturb installed handlers. */
static void
lb_czmq_quiet_once(void)
{
	zsys_handler_set(NULL);
}

static void
lb_czmq_quiet(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, lb_czmq_quiet_once);
}

/* Adds a SUB (subscribed to everything) or PULL socket; eps is the
 * endpoint list after the "zmq:" / "pull:" prefix. */
static int
lb_add_zmq(struct linebuf *lb, const char *spec, int type, const char *eps,
    char *err, size_t errsz)
{
	struct lb_input *in;
	zsock_t *zs;

	if (*eps == '\0') {
		snprintf(err, errsz, "%s: no endpoint", spec);
		return -1;
	}
	lb_czmq_quiet();
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

/* Adds a nats:// input. A malformed URL or a configuration the servers
 * refuse returns -1 (a usage error for the caller); servers that do not
 * answer end the stage with status 1 here. */
static int
lb_add_nats(struct linebuf *lb, const char *spec, char *err, size_t errsz)
{
	struct natssub *ns;
	struct lb_input *in;
	int status;

	ns = natssub_open(spec, lb->nats_ack_exit, err, errsz, &status);
	if (ns == NULL) {
		if (status == 1)
			errx(1, "%s", err);
		return -1;
	}
	in = lb_push(lb, spec, LB_NATS);
	in->ns = ns;
	lb->nnats++;
	return lb->n - 1;
}

void
linebuf_nats_ack_at_exit(struct linebuf *lb, bool on)
{
	lb->nats_ack_exit = on;
}

/* Notes a regular file (always readable, read ahead sequentially) and
 * enlarges a pipe's buffer; both best effort. */
static void
lb_tune(struct lb_input *in, const struct stat *sb)
{
	if (S_ISREG(sb->st_mode)) {
		in->regular = true;
		(void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	} else if (S_ISFIFO(sb->st_mode))
		(void)fcntl(in->fd, F_SETPIPE_SZ, LINEBUF_PIPESZ);
}

int
linebuf_add(struct linebuf *lb, const char *spec, char *err, size_t errsz)
{
	struct lb_input *in;
	struct stat sb;
	int fd;

	if (strcmp(spec, "-") == 0 && chain_stdin() != NULL)
		spec = chain_stdin();
	if (strncmp(spec, "zmq:", 4) == 0)
		return lb_add_zmq(lb, spec, ZMQ_SUB, spec + 4, err, errsz);
	if (strncmp(spec, "pull:", 5) == 0)
		return lb_add_zmq(lb, spec, ZMQ_PULL, spec + 5, err, errsz);
	if (strncmp(spec, "nats://", 7) == 0)
		return lb_add_nats(lb, spec, err, errsz);
	if (strcmp(spec, "-") == 0) {
		if (fstat(STDIN_FILENO, &sb) == -1) {
			snprintf(err, errsz, "stdin: %s", strerror(errno));
			return -1;
		}
		return linebuf_add_fd(lb, STDIN_FILENO, "-");
	}
	/*
	 * O_NONBLOCK so that opening a FIFO does not wait for a writer. It
	 * stays set: reads happen only after poll reports the fd, and a FIFO
	 * that never had a writer is not reported, while one whose writers
	 * all closed is (POLLHUP) and then reads 0: EOF, as cat(1) sees it.
	 */
	fd = open(spec, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		snprintf(err, errsz, "%s: %s", spec, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || S_ISDIR(sb.st_mode)) {
		snprintf(err, errsz, "%s: %s", spec,
		    S_ISDIR(sb.st_mode) ? strerror(EISDIR) : strerror(errno));
		close(fd);
		return -1;
	}
	in = lb_push(lb, spec, LB_FD);
	in->fd = fd;
	in->own_fd = true;
	lb_tune(in, &sb);
	return lb->n - 1;
}

int
linebuf_add_or_die(struct linebuf *lb, const char *spec)
{
	char errbuf[512];
	int i = linebuf_add(lb, spec, errbuf, sizeof(errbuf));

	if (i < 0)
		errx(opts_open_status(spec), "%s", errbuf);
	return i;
}

int
linebuf_add_fd(struct linebuf *lb, int fd, const char *name)
{
	struct lb_input *in;
	struct stat sb;

	in = lb_push(lb, name, LB_FD);
	in->fd = fd;
	if (fstat(fd, &sb) == 0)
		lb_tune(in, &sb);
	return lb->n - 1;
}

/*
 * Delivers the complete lines of a plain input's buffer, then its tail
 * when the input hit EOF. *n counts lines delivered. Returns 0, or the
 * callback's non-zero value (the input is then left pending).
 */
static int
lb_deliver_fd(struct linebuf *lb, int idx, linebuf_fn fn, void *arg, int *n)
{
	struct lb_input *in = &lb->in[idx];
	char *p, *nl;
	size_t len;
	int rc;

	in->pending = true;
	while (in->start < in->end) {
		p = in->buf + in->start;
		nl = memchr(p, '\n', in->end - in->start);
		if (nl == NULL)
			break;
		len = (size_t)(nl - p);
		in->start += len + 1;
		if (in->discarding) {
			/* The end of a line already counted as over-long. */
			in->discarding = false;
			continue;
		}
		if (len > lb->maxline) {
			lb->st.overlong++;
			continue;
		}
		*nl = '\0';
		lb->st.lines++;
		(*n)++;
		if ((rc = fn(arg, p, len, idx)) != 0)
			return rc;
	}
	len = in->end - in->start;
	if (in->discarding || len > lb->maxline) {
		/* Drop the partial line; its remainder goes up to a newline. */
		if (!in->discarding)
			lb->st.overlong++;
		in->discarding = true;
		in->start = in->end = 0;
		len = 0;
	}
	if (in->hit_eof) {
		in->pending = false;
		if (len > 0) {
			p = in->buf + in->start;
			p[len] = '\0';
			in->start = in->end = 0;
			lb->st.lines++;
			lb->st.unterminated++;
			(*n)++;
			rc = fn(arg, p, len, idx);
			lb_close(lb, in);
			return rc;
		}
		lb_close(lb, in);
		return 0;
	}
	if (in->start > 0) {
		/* Make room: the partial line (<= maxline) moves to the start. */
		memmove(in->buf, in->buf + in->start, len);
		in->start = 0;
		in->end = len;
	}
	in->pending = false;
	return 0;
}

/* Reads one chunk from a plain input and delivers its lines. Returns 0 or
 * the callback's value; an interrupted read sets lb->intr. */
static int
lb_read_fd(struct linebuf *lb, int idx, linebuf_fn fn, void *arg, int *n)
{
	struct lb_input *in = &lb->in[idx];
	size_t room = in->cap - in->end;
	ssize_t r;

	if (room > LINEBUF_CHUNK)
		room = LINEBUF_CHUNK;
	r = read(in->fd, in->buf + in->end, room);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == EINTR) {
			lb->intr = true;
			return 0;
		}
		/* A broken input (EIO, ...): count it, say so once, and end
		 * it like EOF, since reading it again would fail again. */
		lb->st.read_errors++;
		warn("%s", in->name);
		in->hit_eof = true;
	} else if (r == 0)
		in->hit_eof = true;
	else {
		in->end += (size_t)r;
		lb->st.bytes += (uint64_t)r;
	}
	return lb_deliver_fd(lb, idx, fn, arg, n);
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
static int
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

/*
 * Delivers the rest of the current nats:// message, then further messages
 * of the fetched batch, fetching once (up to wait_ms) when none is left.
 * A message holds lines joined by newlines. Returns 0 or the callback's
 * value (the input is then left pending).
 */
static int
lb_deliver_nats(struct linebuf *lb, int idx, int wait_ms, linebuf_fn fn,
    void *arg, int *n)
{
	struct lb_input *in = &lb->in[idx];
	const char *nl;
	size_t len;
	bool eof;
	int rc;

	in->pending = true;
	for (;;) {
		if (in->ndata == NULL) {
			in->ndata = natssub_next(in->ns, wait_ms, &in->nsize,
			    &eof);
			if (in->ndata == NULL) {
				in->pending = false;
				if (eof)
					lb_close(lb, in);
				return 0;
			}
			/* Only the first fetch of a poll may wait. */
			wait_ms = 0;
			in->moff = 0;
			lb->st.bytes += in->nsize;
		}
		while (in->moff < in->nsize) {
			nl = memchr(in->ndata + in->moff, '\n',
			    in->nsize - in->moff);
			len = nl ? (size_t)(nl - (in->ndata + in->moff)) :
			    in->nsize - in->moff;
			if (len > lb->maxline) {
				lb->st.overlong++;
				in->moff += len + 1;
				continue;
			}
			memcpy(in->buf, in->ndata + in->moff, len);
			in->buf[len] = '\0';
			in->moff += len + 1;
			lb->st.lines++;
			(*n)++;
			if ((rc = fn(arg, in->buf, len, idx)) != 0)
				return rc;
		}
		in->ndata = NULL;
		if (*n >= LINEBUF_ZMQ_BATCH * 64)
			break;
	}
	in->pending = false;
	return 0;
}

/* Fetches from every nats:// input; the wait is long only when nothing
 * else is polled. */
static int
lb_poll_nats(struct linebuf *lb, int timeout_ms, bool alone, linebuf_fn fn,
    void *arg, int *n)
{
	int i, rc, wait;

	wait = alone ? LINEBUF_NATS_WAIT_MS : LINEBUF_NATS_SHARED_MS;
	if (timeout_ms >= 0 && timeout_ms < wait)
		wait = timeout_ms;
	if (lb->nnats > 1)
		wait /= lb->nnats;
	for (i = 0; i < lb->n; i++) {
		if (lb->in[i].closed || lb->in[i].kind != LB_NATS)
			continue;
		if ((rc = lb_deliver_nats(lb, i, wait, fn, arg, n)) != 0)
			return rc;
		if (*n > 0)
			wait = 0;
	}
	return 0;
}

/* Delivers first the lines left behind by a callback that stopped.
 * Returns 0 or the callback's value; *n counts lines. */
static int
lb_poll_pending(struct linebuf *lb, linebuf_fn fn, void *arg, int *n)
{
	struct lb_input *in;
	int i, rc;

	for (i = 0; i < lb->n; i++) {
		in = &lb->in[i];
		if (in->closed || !in->pending)
			continue;
		rc = in->kind == LB_FD ? lb_deliver_fd(lb, i, fn, arg, n) :
		    in->kind == LB_NATS ? lb_deliver_nats(lb, i, 0, fn, arg,
		    n) : lb_deliver_zmq(lb, i, fn, arg, n);
		if (rc != 0 || lb->intr)
			return rc;
	}
	return 0;
}

/* Fills lb->items with the open fd and ZMQ inputs; returns their number
 * and whether all are regular files (always readable). */
static int
lb_items(struct linebuf *lb, bool *all_regular)
{
	struct lb_input *in;
	int i, nitems = 0;

	*all_regular = true;
	for (i = 0; i < lb->n; i++) {
		in = &lb->in[i];
		if (in->closed || in->kind == LB_NATS)
			continue;
		*all_regular = *all_regular && in->regular;
		lb->items[nitems].socket = in->kind == LB_ZMQ ? in->raw : NULL;
		lb->items[nitems].fd = in->kind == LB_FD ? in->fd : -1;
		lb->items[nitems].events = ZMQ_POLLIN;
		lb->items[nitems].revents = 0;
		lb->item_in[nitems] = i;
		nitems++;
	}
	return nitems;
}

/* Waits up to timeout_ms for one of the nitems inputs, sending this
 * thread's batched output first when it would really wait. Returns the
 * zmq_poll value (-1 with zmq_errno()). */
static int
lb_wait(struct linebuf *lb, int nitems, int timeout_ms)
{
	int rc;

	if (timeout_ms != 0 && sink_idle_pending()) {
		if ((rc = zmq_poll(lb->items, nitems, 0)) != 0)
			return rc;
		(void)sink_flush_idle();
	}
	return zmq_poll(lb->items, nitems, timeout_ms);
}

/* Reads the inputs zmq_poll reported. Returns 0 or the callback's value. */
static int
lb_read_ready(struct linebuf *lb, int nitems, linebuf_fn fn, void *arg,
    int *n)
{
	int i, k, rc;

	for (k = 0; k < nitems; k++) {
		/*
		 * zmq_poll maps POLLHUP and POLLERR of a plain fd to
		 * ZMQ_POLLERR: read then too, to see the EOF or the error.
		 */
		if (lb->items[k].revents == 0)
			continue;
		i = lb->item_in[k];
		rc = lb->in[i].kind == LB_FD ? lb_read_fd(lb, i, fn, arg, n) :
		    lb_deliver_zmq(lb, i, fn, arg, n);
		if (rc != 0 || lb->intr)
			return rc;
	}
	return 0;
}

int
linebuf_poll(struct linebuf *lb, int timeout_ms, linebuf_fn fn, void *arg)
{
	bool all_regular;
	int i, k, nitems, rc, n = 0;

	if (lb->open == 0)
		return LINEBUF_EOF;
	rc = lb_poll_pending(lb, fn, arg, &n);
	if (rc != 0)
		return rc;
	if (lb->intr || n > 0) {
		lb->intr = false;
		return n;
	}
	if (lb->nnats > 0) {
		if (sink_idle_pending())
			(void)sink_flush_idle();
		rc = lb_poll_nats(lb, timeout_ms, lb->open == lb->nnats, fn,
		    arg, &n);
		if (rc != 0)
			return rc;
		if (lb->open == lb->nnats)
			return n == 0 && lb->open == 0 ? LINEBUF_EOF : n;
		if (n > 0)
			timeout_ms = 0;
		else if (timeout_ms < 0 || timeout_ms > LINEBUF_NATS_SHARED_MS)
			timeout_ms = LINEBUF_NATS_SHARED_MS;
	}
	if (lb->open == 0)
		return LINEBUF_EOF;

	nitems = lb_items(lb, &all_regular);
	if (all_regular) {
		/* Regular files are always readable: skip the system call. */
		for (k = 0; k < nitems; k++)
			lb->items[k].revents = ZMQ_POLLIN;
	} else if (lb_wait(lb, nitems, timeout_ms) < 0) {
		if (zmq_errno() == ETERM) {
			/* The ZMQ context was shut down: end its inputs. */
			for (i = 0; i < lb->n; i++)
				if (lb->in[i].kind == LB_ZMQ)
					lb_close(lb, &lb->in[i]);
			return lb->open == 0 ? LINEBUF_EOF : 0;
		}
		return 0;	/* EINTR: the caller checks its flags */
	}
	rc = lb_read_ready(lb, nitems, fn, arg, &n);
	if (rc != 0)
		return rc;
	if (lb->intr) {
		lb->intr = false;
		return n;
	}
	if (n == 0 && lb->open == 0)
		return LINEBUF_EOF;
	return n;
}

int
linebuf_open_inputs(const struct linebuf *lb)
{
	return lb->open;
}

const char *
linebuf_name(const struct linebuf *lb, int i)
{
	if (i < 0 || i >= lb->n)
		return NULL;
	return lb->in[i].name;
}

const struct linebuf_stats *
linebuf_stats(const struct linebuf *lb)
{
	return &lb->st;
}
