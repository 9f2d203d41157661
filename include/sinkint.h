/* sinkint.h - what the parts of the sink module share (common/sink.c,
 * sinkzmq.c, sinkntop.c): the sink structure, its limits and the
 * functions one part calls in another. Tools use include/sink.h.
 */
#ifndef EVPIPE_SINKINT_H
#define EVPIPE_SINKINT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <czmq.h>

#include "ntophdr.h"
#include "record.h"
#include "sbuf.h"
#include "sink.h"

struct natspub;
struct ntopout;

#define SINK_BUFSZ	(256 * 1024)
/* The largest message of a batched ZMQ sink: enough for some thirty
 * records of 500 bytes, while the 1000 messages libzmq queues on a link
 * by default stay within 16 MiB. */
#define SINK_BATCH	(16 * 1024)
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
	struct sbuf	 vb;		/* sink_writev: parts joined */
};

/* sink.c */

/* A new sink of the given kind named spec, with o's settings (o may be
 * NULL); it owns nothing else yet. Never NULL. */
struct sink *sk_new(const char *spec, enum sk_kind kind,
	    const struct sink_opts *o);
/* Frees s and its buffers; its fd, socket or NATS publisher is closed or
 * released already. */
void	sk_free(struct sink *s);

/* Remembers the first error that lost output and returns -1. */
static inline int
sk_fail(struct sink *s, int e)
{
	if (s->error == 0)
		s->error = e;
	errno = e;
	return -1;
}

/* sinkzmq.c */

/* Opens a PUB (XPUB) or PUSH sink of kind on the endpoint list eps ("@"
 * binds, ">" or no prefix connects). NULL with a message in err. */
struct sink *sk_open_zmq(const char *spec, enum sk_kind kind, int type,
	    const char *eps, const struct sink_opts *o, char *err,
	    size_t errsz);
/* Opens a zmq:/push: sink, batched when lines is set (then flushed by
 * sink_flush_idle in this thread). NULL with a message in err. */
struct sink *sk_open_lines(const char *spec, int type, const char *eps,
	    bool lines, const struct sink_opts *o, char *err, size_t errsz);
/* Sends one frame: 0, 1 when drop_when_full found the queue full or no
 * subscriber (nothing sent), or -1 with errno. */
int	sk_send(struct sink *s, const void *p, size_t n, int more, bool first);
/* Sends a batched sink's pending message: 0 (its records counted written
 * or dropped), or -1 with the error kept when they are lost. */
int	sk_flush_batch(struct sink *s);
/* Ends a ZMQ or ntop sink: sends what a batch holds and the end marker,
 * then destroys the socket (queued messages get SINK_LINGER_MS). */
void	sk_close_zmq(struct sink *s);

/* Adds one record to a batched sink's message, sending the message first
 * when the record does not fit. A record larger than a whole batch goes
 * alone, as one message without its newline. Inline: it runs per record. */
static inline int
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

/* sinkntop.c */

/* For an ntop:, ntop/SIZE:, ntop-tlv: or ntop-tlv/SIZE: spec, opens the
 * sink into *sp (NULL with a message in err) and returns true; false,
 * with *sp untouched, for any other spec. */
bool	sk_open_ntop(const char *spec, const struct sink_opts *o,
	    struct sink **sp, char *err, size_t errsz);
/* Writes one record as ntop messages: 0 (also when dropped, counted), or
 * -1 with the error kept when output was lost. */
int	sk_write_ntop(struct sink *s, const char *rec, size_t len);

#endif
