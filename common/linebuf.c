/* linebuf.c - bounded NDJSON line reader over files, FIFOs, stdin and ZMQ.
 *
 * Implements include/linebuf.h (doc/design.md "Moving records between
 * stages": one buffer per input, lines of two producers never interleave,
 * over-long lines are discarded to the next newline and counted): the
 * reader, its plain inputs and the poll over all inputs. ZMQ inputs are
 * in linebufzmq.c, nats:// inputs in linebufnats.c; the parts share
 * include/linebufint.h.
 *
 * Plain inputs are read in large chunks into a buffer of maxline + CHUNK
 * bytes; complete lines are found with memchr() and handed to the callback
 * in place (the newline is overwritten with a NUL), so there is no per-line
 * copy or allocation. A partial line at the end of the buffer is moved to
 * its start before the next read; since a partial line longer than maxline
 * is discarded at once, a full CHUNK always fits after it.
 *
 * In a stage that runs as a thread (chain.h) "-" means the spec
 * chain_stdin() gives instead of stdin.
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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <czmq.h>

#include "chain.h"
#include "linebuf.h"
#include "linebufint.h"
#include "natssub.h"
#include "opts.h"
#include "sink.h"
#include "xalloc.h"

/* Bytes asked of read(2) at a time. */
#define LINEBUF_CHUNK		(256 * 1024)
/* The pipe buffer asked for on pipe and FIFO inputs: with Linux's default
 * 64 KiB, reader and writer wake each other for every few lines, and a
 * 1 MiB buffer (the unprivileged maximum) more than doubled the
 * throughput of "cat file | stage" in measurements. */
#define LINEBUF_PIPESZ		(1024 * 1024)

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
void
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
struct lb_input *
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
