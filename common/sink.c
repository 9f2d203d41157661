/* sink.c - where a stage's records go: stdout, files, FIFOs, ZMQ, ntop.
 *
 * Implements include/sink.h: opening by spec, writing, flushing and
 * closing, and the file and nats:// sinks. The ZMQ sockets and their
 * batches are in sinkzmq.c, the ntop wire format in sinkntop.c; the
 * parts share include/sinkint.h.
 *
 * File sinks own a 256 KiB buffer and write(2) it whole, retrying short
 * writes and EINTR, so a record is never cut by the sink; a write error is
 * remembered, and every later write and sink_close() report it.
 *
 * Stages run as threads (chain.h): "-" means the spec chain_stdout() gives,
 * a batched ZMQ sink whose reader is the next stage.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>

#include "chain.h"
#include "natsio.h"
#include "natspub.h"
#include "ntopout.h"
#include "opts.h"
#include "record.h"
#include "sbuf.h"
#include "sig.h"
#include "sink.h"
#include "sinkint.h"
#include "xalloc.h"

/* The send high-water mark of a chained stage's socket, in batches,
 * unless one was given: with the reader's (linebufzmq.c) it bounds what a
 * link between two threads holds to some 3 MiB. */
#define SINK_CHAIN_HWM	100

struct sink *
sk_new(const char *spec, enum sk_kind kind, const struct sink_opts *o)
{
	struct sink *s = xcalloc(1, sizeof(*s));

	s->name = xstrdup(spec);
	s->kind = kind;
	s->fd = -1;
	if (o != NULL) {
		s->line_buffered = o->line_buffered;
		s->drop_when_full = o->drop_when_full;
		s->source_id = o->source_id;
	}
	return s;
}

void
sk_free(struct sink *s)
{
	free(s->buf);
	ntopout_free(&s->no);
	record_free(&s->trec);
	sbuf_free(&s->tpl);
	sbuf_free(&s->tz);
	sbuf_free(&s->vb);
	free(s->name);
	free(s);
}

/* The flush hook that runs before a nats:// input acknowledges what it
 * read: file sinks write their buffer out, nats:// sinks wait for their
 * acks, so an acked input record has left through every sink. */
static int
sk_before_ack(void *arg)
{
	struct sink *s = arg;

	if (s->kind == SK_NATS)
		return s->error != 0 ? -1 : natspub_sync(s->np);
	return sink_flush(s);
}

/* Opens a nats:// sink. A malformed URL or an incompatible stream is a
 * usage error (NULL, the caller exits 2); servers that do not answer are a
 * runtime failure, so this exits 1 itself with the reason. */
static struct sink *
sk_open_nats(const char *spec, const struct sink_opts *o, char *err,
    size_t errsz)
{
	struct natspub *np;
	struct sink *s;
	int status;

	if ((np = natspub_open(spec, err, errsz, &status)) == NULL) {
		if (status == 1)
			errx(1, "%s", err);
		return NULL;
	}
	s = sk_new(spec, SK_NATS, o);
	s->np = np;
	natsio_hook_add(sk_before_ack, s);
	return s;
}

/* Opens a file, FIFO or stdout ("-") sink. */
static struct sink *
sk_open_file(const char *spec, const struct sink_opts *o, char *err,
    size_t errsz)
{
	const char *path;
	struct sink *s;
	int fd, flags;

	if (strcmp(spec, "-") == 0) {
		fd = STDOUT_FILENO;
		if (fcntl(fd, F_GETFL) == -1) {
			snprintf(err, errsz, "stdout: %s", strerror(errno));
			return NULL;
		}
	} else {
		/* A FIFO opens as in sh(1): it waits for a reader. */
		path = spec;
		flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_TRUNC;
		if (*spec == '+') {
			path = spec + 1;
			flags = (flags & ~O_TRUNC) | O_APPEND;
		}
		if (*path == '\0') {
			snprintf(err, errsz, "%s: no file name", spec);
			return NULL;
		}
		/* SIGUSR1 (counters) interrupts the wait for a reader: wait
		 * on. A stop signal ends it. */
		while ((fd = open(path, flags, 0666)) == -1 && errno == EINTR &&
		    !sig_stop)
			;
		if (fd == -1) {
			snprintf(err, errsz, "%s: %s", path, errno == EINTR ?
			    "stopped while waiting for a reader" :
			    strerror(errno));
			return NULL;
		}
	}
	s = sk_new(spec, SK_FD, o);
	natsio_hook_add(sk_before_ack, s);
	s->fd = fd;
	s->own_fd = fd != STDOUT_FILENO;
	s->buf = xreallocarray(NULL, SINK_BUFSZ, 1);
	return s;
}

struct sink *
sink_open(const char *spec, const struct sink_opts *o, char *err,
    size_t errsz)
{
	static const struct {
		const char *px;
		int type;
		bool lines;
	} zmqs[] = {
		{ "zmq:", ZMQ_XPUB, false }, { "push:", ZMQ_PUSH, false },
		{ "zmq-lines:", ZMQ_XPUB, true },
		{ "push-lines:", ZMQ_PUSH, true },
	};
	size_t i;
	struct sink *s;
	struct sink_opts co;
	bool chained = false;

	if (strcmp(spec, "-") == 0 && chain_stdout() != NULL) {
		spec = chain_stdout();
		chained = true;
		memset(&co, 0, sizeof(co));
		if (o != NULL)
			co = *o;
		if (co.sndhwm == 0)
			co.sndhwm = SINK_CHAIN_HWM;
		o = &co;
	}
	for (i = 0; i < sizeof(zmqs) / sizeof(zmqs[0]); i++)
		if (strncmp(spec, zmqs[i].px, strlen(zmqs[i].px)) == 0)
			return sk_open_lines(spec, zmqs[i].type,
			    spec + strlen(zmqs[i].px),
			    zmqs[i].lines || chained, o, err, errsz);
	if (sk_open_ntop(spec, o, &s, err, errsz))
		return s;
	if (strncmp(spec, "nats://", 7) == 0)
		return sk_open_nats(spec, o, err, errsz);
	return sk_open_file(spec, o, err, errsz);
}

struct sink *
sink_open_or_die(const char *spec, const struct sink_opts *o)
{
	char errbuf[512];
	struct sink *s = sink_open(spec, o, errbuf, sizeof(errbuf));

	if (s == NULL)
		errx(sig_stop ? 0 : opts_open_status(spec), "%s", errbuf);
	return s;
}

/* Writes all n bytes of p to fd. 0, or -1 with errno (EPIPE when the
 * reader went away). */
static int
sk_write_all(int fd, const char *p, size_t n)
{
	struct pollfd pfd;
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* An O_NONBLOCK descriptor we were handed: wait. */
			pfd.fd = fd;
			pfd.events = POLLOUT;
			(void)poll(&pfd, 1, -1);
			continue;
		}
		if (r == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

static int
sk_flush_fd(struct sink *s)
{
	if (s->len == 0)
		return 0;
	if (sk_write_all(s->fd, s->buf, s->len) != 0) {
		s->len = 0;	/* lost: counted by the error */
		return sk_fail(s, errno);
	}
	s->len = 0;
	return 0;
}

static int
sk_write_fd(struct sink *s, const char *rec, size_t len)
{
	if (len + 1 > SINK_BUFSZ - s->len && sk_flush_fd(s) != 0)
		return -1;
	if (len + 1 > SINK_BUFSZ) {
		/* Larger than the buffer (now empty): straight through. */
		if (sk_write_all(s->fd, rec, len) != 0 ||
		    sk_write_all(s->fd, "\n", 1) != 0)
			return sk_fail(s, errno);
	} else {
		memcpy(s->buf + s->len, rec, len);
		s->buf[s->len + len] = '\n';
		s->len += len + 1;
		if (s->line_buffered && sk_flush_fd(s) != 0)
			return -1;
	}
	s->written++;
	return 0;
}

/* Writes rec to s whatever its kind: 0 (also when a full ZMQ sink dropped
 * it, counted), or -1 with errno. */
static int
sk_write(struct sink *s, const char *rec, size_t len)
{
	int rc;

	if (s->error != 0) {
		errno = s->error;
		return -1;
	}
	switch (s->kind) {
	case SK_FD:
		return sk_write_fd(s, rec, len);
	case SK_NTOP:
		return sk_write_ntop(s, rec, len);
	case SK_NATS:
		if (natspub_write(s->np, rec, len) != 0)
			return sk_fail(s, errno);
		s->written++;
		if (s->line_buffered)
			return sink_flush(s);
		return 0;
	case SK_ZMQ:
		if (s->batch)
			return sk_write_batch(s, rec, len);
		break;
	}
	rc = sk_send(s, rec, len, 0, true);
	if (rc == 1) {
		s->dropped++;
		return 0;
	}
	if (rc != 0)
		return sk_fail(s, errno);
	s->written++;
	return 0;
}

/* A file sink never drops, so its records skip the drop count's
 * comparison; every other kind is written by sk_write() with the count
 * read before and after (a batched ZMQ sink may drop a whole batch on the
 * write that sends it). */
int
sink_write(struct sink *s, const char *rec, size_t len)
{
	uint64_t dropped = s->dropped;
	int rc;

	if (s->kind == SK_FD && s->error == 0)
		return sk_write_fd(s, rec, len);
	if ((rc = sk_write(s, rec, len)) != 0)
		return rc;
	return s->dropped != dropped;
}

int
sink_writev(struct sink *s, const struct sink_part *v, size_t n)
{
	size_t len = 0, i;
	char *o;

	for (i = 0; i < n; i++)
		len += v[i].n;
	/* A file sink with room (after the flush sk_write_fd would make)
	 * takes the parts in place; anything else gets them joined. */
	if (s->kind == SK_FD && s->error == 0 && len + 1 <= SINK_BUFSZ &&
	    !s->line_buffered) {
		if (len + 1 > SINK_BUFSZ - s->len && sk_flush_fd(s) != 0)
			return -1;
		o = s->buf + s->len;
		for (i = 0; i < n; i++) {
			memcpy(o, v[i].p, v[i].n);
			o += v[i].n;
		}
		*o = '\n';
		s->len += len + 1;
		s->written++;
		return 0;
	}
	sbuf_reset(&s->vb);
	for (i = 0; i < n; i++)
		sbuf_add(&s->vb, v[i].p, v[i].n);
	return sink_write(s, s->vb.p != NULL ? s->vb.p : "", s->vb.len);
}

int
sink_flush(struct sink *s)
{
	if (s->error != 0) {
		errno = s->error;
		return -1;
	}
	if (s->kind == SK_FD)
		return sk_flush_fd(s);
	if (s->kind == SK_NATS && natspub_flush(s->np) != 0)
		return sk_fail(s, errno);
	if (s->batch)
		return sk_flush_batch(s);
	return 0;	/* other ZMQ sinks send as they go */
}

int
sink_close(struct sink **sp)
{
	struct sink *s;
	int rc = 0;

	if (sp == NULL || *sp == NULL)
		return 0;
	s = *sp;
	natsio_hook_del(s);
	if (s->kind == SK_NATS) {
		/* Every message must be confirmed stored, or output is lost. */
		if (natspub_close(&s->np) != 0 && s->error == 0)
			s->error = EIO;
	} else if (s->kind == SK_FD) {
		if (s->error == 0)
			sk_flush_fd(s);
		if (s->own_fd && close(s->fd) != 0 && s->error == 0)
			sk_fail(s, errno);
	} else
		sk_close_zmq(s);
	if (s->error != 0) {
		errno = s->error;
		rc = -1;
		natsio_hooks_fail();	/* acking input now would lose it */
	}
	sk_free(s);
	*sp = NULL;
	return rc;
}

const char *
sink_name(const struct sink *s)
{
	return s->name;
}

uint64_t
sink_written(const struct sink *s)
{
	return s->written;
}

uint64_t
sink_dropped(const struct sink *s)
{
	return s->dropped;
}
