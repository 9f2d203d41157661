/* sink.c - where a stage's records go: stdout, files, FIFOs, ZMQ, ntop.
 *
 * Implements include/sink.h; the ntop output follows doc/wire-format.md
 * "Safest sender" (v1 header, version 2, msg_id from 1).
 *
 * File sinks own a 256 KiB buffer and write(2) it whole, retrying short
 * writes and EINTR, so a record is never cut by the sink; a write error is
 * remembered, and every later write and sink_close() report it.
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
 * Stages run as threads (chain.h): "-" means the spec chain_stdout() gives,
 * and closing a zmq:/push: sink on inproc:// sends an empty message, which
 * the next stage's linebuf takes as the end of its input.
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
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>

#include "chain.h"
#include "curve.h"
#include "natsio.h"
#include "natspub.h"
#include "ntophdr.h"
#include "ntopmsg.h"
#include "ntopout.h"
#include "opts.h"
#include "sig.h"
#include "sink.h"
#include "tlv.h"
#include "xalloc.h"

#define SINK_BUFSZ	(256 * 1024)
/* The largest message of a batched ZMQ sink: enough for some thirty
 * records of 500 bytes, while the 1000 messages libzmq queues on a link
 * by default stay within 16 MiB. */
#define SINK_BATCH	(16 * 1024)
/* The send high-water mark of a chained stage's socket, in batches,
 * unless one was given: with the reader's (linebuf.c) it bounds what a
 * link between two threads holds to some 3 MiB. */
#define SINK_CHAIN_HWM	100
/* How long a closing ZMQ sink (or a send interrupted by a stop signal)
 * waits for its queued messages to get out. */
#define SINK_LINGER_MS	2000

enum sk_kind { SK_FD, SK_ZMQ, SK_NTOP, SK_NATS };

struct sink {
	char		*name;
	enum sk_kind	 kind;
	bool		 line_buffered;
	bool		 drop_when_full;
	int		 fd;		/* SK_FD */
	bool		 own_fd;
	char		*buf;		/* SK_FD: SINK_BUFSZ bytes; batch: SINK_BATCH */
	size_t		 len;
	bool		 batch;		/* SK_ZMQ: records joined per message */
	uint64_t	 nbatch;	/* records in buf (batch) */
	struct sink	*idle_next;	/* this thread's batched sinks */
	zsock_t		*zs;		/* SK_ZMQ, SK_NTOP */
	void		*raw;
	uint32_t	 source_id;	/* SK_NTOP */
	uint32_t	 msg_id;	/* SK_NTOP: the last one used */
	enum ntophdr_layout layout;	/* SK_NTOP: header */
	struct ntopout	*no;		/* SK_NTOP: what goes out */
	bool		 tlv;		/* SK_NTOP: ntop-tlv:, payloads in TLV */
	bool		 zlib;		/* ntop-tlv/36z: compressed */
	struct record	 trec;		/* ntop-tlv: the payload parsed */
	struct sbuf	 tpl;		/* ntop-tlv: the TLV payload */
	struct sbuf	 tz;		/* ntop-tlv/36z: compressed */
	bool		 timed;		/* ZMQ_SNDTIMEO set after sig_stop */
	bool		 xpub;		/* zmq:, ntop: read subscriptions */
	int64_t		 subs;		/* subscriptions minus unsubscriptions */
	bool		 eof_marker;	/* send an empty message at close */
	int		 error;		/* first errno that lost output */
	uint64_t	 written;
	uint64_t	 dropped;
	struct natspub	*np;		/* SK_NATS */
};

static struct sink *
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

static void
sk_free(struct sink *s)
{
	free(s->buf);
	ntopout_free(&s->no);
	record_free(&s->trec);
	sbuf_free(&s->tpl);
	sbuf_free(&s->tz);
	free(s->name);
	free(s);
}

/* Keeps czmq from replacing the SIGINT/SIGTERM handlers of sig.h when it
 * creates its context; it must run before the first zsock is made.
 * sig_setup() does the same; this covers callers that never call it.
 * Calling it again later does not disturb installed handlers. */
static void
sk_czmq_quiet_once(void)
{
	zsys_handler_set(NULL);
}

static void
sk_czmq_quiet(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, sk_czmq_quiet_once);
}

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
static struct sink *
sk_open_zmq(const char *spec, enum sk_kind kind, int type, const char *eps,
    const struct sink_opts *o, char *err, size_t errsz)
{
	struct sink *s;

	if (*eps == '\0') {
		snprintf(err, errsz, "%s: no endpoint", spec);
		return NULL;
	}
	sk_czmq_quiet();
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

/* For "ntop:EP" and "ntop/SIZE:EP" (SIZE 24, 28 or 36: the header), the
 * endpoint part, or "" for another SIZE; NULL for other specs. */
static const char *
sk_ntop_spec(const char *spec, enum ntophdr_layout *layout)
{
	static const struct {
		const char *px;
		enum ntophdr_layout layout;
	} kinds[] = {
		{ "ntop:", NTOPHDR_V1 }, { "ntop/24:", NTOPHDR_V1 },
		{ "ntop/28:", NTOPHDR_V2 }, { "ntop/36:", NTOPHDR_V3 },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(spec, kinds[i].px, strlen(kinds[i].px)) == 0) {
			*layout = kinds[i].layout;
			return spec + strlen(kinds[i].px);
		}
	if (strncmp(spec, "ntop/", 5) == 0 && strchr(spec, ':') != NULL)
		return "";
	return NULL;
}

/* "ntop-tlv:EP" and "ntop-tlv/SIZE:EP": the ntop sink with TLV payloads.
 * The default header is the 24-byte one with version 3, the only TLV
 * form every ntopng reads; /36 is version 4 with flag 0x02, /36z adds
 * zlib (flag 0x04). Returns the endpoint, "" for another SIZE, NULL for
 * another scheme. */
static const char *
sk_ntoptlv_spec(const char *spec, enum ntophdr_layout *layout, bool *zlib)
{
	static const struct {
		const char *px;
		enum ntophdr_layout layout;
		bool zlib;
	} kinds[] = {
		{ "ntop-tlv:", NTOPHDR_V1, false },
		{ "ntop-tlv/24:", NTOPHDR_V1, false },
		{ "ntop-tlv/28:", NTOPHDR_V2, false },
		{ "ntop-tlv/36:", NTOPHDR_V3, false },
		{ "ntop-tlv/36z:", NTOPHDR_V3, true },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(spec, kinds[i].px, strlen(kinds[i].px)) == 0) {
			*layout = kinds[i].layout;
			*zlib = kinds[i].zlib;
			return spec + strlen(kinds[i].px);
		}
	if (strncmp(spec, "ntop-tlv/", 9) == 0 && strchr(spec, ':') != NULL)
		return "";
	return NULL;
}

static struct sink *
sk_open_ntoptlv(const char *spec, const char *ep, enum ntophdr_layout layout,
    bool zlib, const struct sink_opts *o, char *err, size_t errsz)
{
	struct sink *s;

	if (*ep == '\0') {
		snprintf(err, errsz, "%s: the header is 24, 28, 36 or 36z "
		    "(ntop-tlv/36:...)", spec);
		return NULL;
	}
	if ((s = sk_open_zmq(spec, SK_NTOP, ZMQ_XPUB, ep, o, err,
	    errsz)) != NULL) {
		s->layout = layout;
		s->no = ntopout_new();
		s->tlv = true;
		s->zlib = zlib;
	}
	return s;
}

/* The batched sinks open in this thread, which sink_flush_idle flushes:
 * a socket belongs to the thread that opened it (stages run as threads). */
static _Thread_local struct sink *sk_idle;

/* Opens a zmq:/push: sink, batched when lines is set. */
static struct sink *
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
		fd = open(path, flags, 0666);
		if (fd == -1) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
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
	const char *ntop;
	/* Set by the spec parsers only for a header they know; a spec with
	 * another header is refused before they are used. */
	enum ntophdr_layout layout = NTOPHDR_V1;
	struct sink_opts co;
	bool zlib = false, chained = false;

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
	if ((ntop = sk_ntoptlv_spec(spec, &layout, &zlib)) != NULL)
		return sk_open_ntoptlv(spec, ntop, layout, zlib, o, err, errsz);
	if ((ntop = sk_ntop_spec(spec, &layout)) != NULL) {
		if (*ntop == '\0') {
			snprintf(err, errsz, "%s: the header is 24, 28 or 36 "
			    "bytes (ntop/28:...)", spec);
			return NULL;
		}
		if ((s = sk_open_zmq(spec, SK_NTOP, ZMQ_XPUB, ntop, o, err,
		    errsz)) != NULL) {
			s->layout = layout;
			s->no = ntopout_new();
		}
		return s;
	}
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
		errx(opts_open_status(spec), "%s", errbuf);
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

/* Remembers the first error that lost output and returns -1. */
static int
sk_fail(struct sink *s, int e)
{
	if (s->error == 0)
		s->error = e;
	errno = e;
	return -1;
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

/*
 * Sends one frame. Returns 0, 1 when drop_when_full found the queue full
 * (nothing sent), or -1 with errno. A blocking send interrupted by a
 * signal is retried; once a stop was asked for (sig_stop), sends wait at
 * most SINK_LINGER_MS, so a vanished peer cannot hold a stopping stage
 * forever (the record is then lost, EAGAIN). Frames after the first of a
 * message always block: ZMQ delivers a message whole or not at all.
 */
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

static int
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

/* ntop-tlv: turns the JSON payload pl[0..*plen) into TLV (names of the
 * id table as ids, an end-of-record mark unless a counter), compressed
 * for /36z; *usize is the TLV size. Returns -1 when pl is not an object
 * or zlib fails. */
static int
sk_tlv_payload(struct sink *s, const char *topic, const char **pl,
    size_t *plen, uint32_t *usize)
{
	if (record_parse(&s->trec, *pl, *plen) != REC_OK)
		return -1;
	sbuf_reset(&s->tpl);
	tlv_begin(&s->tpl);
	tlv_encode(&s->tpl, &s->trec, strcmp(topic, "counter") != 0,
	    TLV_ENC_IDS | TLV_ENC_NORESERVED);
	*usize = (uint32_t)s->tpl.len;
	*pl = s->tpl.p;
	*plen = s->tpl.len;
	if (!s->zlib)
		return 0;
	sbuf_reset(&s->tz);
	if (ntopmsg_deflate(&s->tz, s->tpl.p, s->tpl.len, false, 6) == -1)
		return -1;
	*pl = s->tz.p;
	*plen = s->tz.len;
	return 0;
}

/* Sends one ntop message (header, payload) for ntopout_record: 0 when
 * sent or dropped (counted) under drop_when_full, -1 with the error kept
 * when output was lost. */
static int
sk_ntop_send(void *arg, const char *topic, const char *pl, size_t plen)
{
	struct sink *s = arg;
	struct ntophdr h;
	uint8_t hdr[NTOPHDR_MAXSIZE];
	uint32_t usize = (uint32_t)plen;
	size_t hlen;
	int rc;

	if (s->tlv && sk_tlv_payload(s, topic, &pl, &plen, &usize) != 0) {
		s->dropped++;
		return 0;
	}
	/* v1 holds source_id in one byte: values above 255 are cut to it. */
	memset(&h, 0, sizeof(h));
	h.layout = s->layout;
	h.version = s->layout == NTOPHDR_V3 ? 4 : s->tlv ? 3 : 2;
	if (s->tlv && s->layout == NTOPHDR_V3)
		h.flags = NTOPHDR_FLAG_TLV | (s->zlib ? NTOPHDR_FLAG_ZLIB : 0);
	snprintf(h.topic, sizeof(h.topic), "%s", topic);
	h.size = plen > UINT16_MAX ? UINT16_MAX : (uint32_t)plen;
	h.uncompressed_size = usize;
	h.compressed_size = (uint32_t)plen;
	h.msg_id = ++s->msg_id;
	h.source_id = s->source_id;
	hlen = ntophdr_encode(&h, hdr, sizeof(hdr));
	if (hlen == 0)
		return sk_fail(s, EINVAL);
	rc = sk_send(s, hdr, hlen, 1, true);
	if (rc == 1) {
		/* The gap in msg_id tells the collector, too. */
		s->dropped++;
		return 0;
	}
	if (rc == 0)
		rc = sk_send(s, pl, plen, 0, false);
	if (rc != 0)
		return sk_fail(s, errno);
	s->written++;
	return 0;
}

/* One record: what ntopout makes of it, message by message. A record that
 * is not a JSON object is of no use to any ntop collector: dropped. */
static int
sk_write_ntop(struct sink *s, const char *rec, size_t len)
{
	int rc = ntopout_record(s->no, rec, len, sk_ntop_send, s);

	if (rc == -1 && s->error == 0) {
		s->dropped++;
		return 0;
	}
	return rc;
}

/* Sends the batch of a batched sink: 0, or -1 with the error kept when
 * its records are lost. Dropped under drop_when_full, they are counted. */
static int
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

/* Adds one record to a batched sink's message, sending the message first
 * when the record does not fit. A record larger than a whole batch goes
 * alone, as one message without its newline. */
static int
sk_write_batch(struct sink *s, const char *rec, size_t len)
{
	int rc;

	if (len + 1 > SINK_BATCH - s->len && sk_flush_batch(s) != 0)
		return -1;
	if (len + 1 > SINK_BATCH) {
		rc = sk_send(s, rec, len, 0, true);
		if (rc == 1)
			s->dropped++;
		else if (rc == 0)
			s->written++;
		return rc == -1 ? sk_fail(s, errno) : 0;
	}
	memcpy(s->buf + s->len, rec, len);
	s->buf[s->len + len] = '\n';
	s->len += len + 1;
	s->nbatch++;
	return s->line_buffered ? sk_flush_batch(s) : 0;
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

int
sink_write(struct sink *s, const char *rec, size_t len)
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
	} else {
		if (s->batch)
			sk_idle_remove(s);
		if (s->batch && s->error == 0)
			(void)sk_flush_batch(s);
		if (s->eof_marker && s->error == 0) {
			/* The end marker is not data: it waits at most the
			 * linger time (there may be no peer at all). */
			sk_setint(s->raw, ZMQ_SNDTIMEO, SINK_LINGER_MS);
			s->timed = true;
			(void)sk_send(s, "", 0, 0, false);
		}
		/* Queued messages get SINK_LINGER_MS to leave (ZMQ_LINGER,
		 * honoured when the context terminates at exit). */
		zsock_destroy(&s->zs);
	}
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
