/* emit.h - the ev-emit core: NDJSON events to ntop ZMQ messages on a PUB.
 *
 * Events sent more than once are loaded first and encoded once (payload,
 * compression), so a repeated replay only re-encodes the small header
 * with its msg_id; events sent once are streamed.
 * Format: doc/wire-format.md "Messages"; the tool: man/ev-emit.1.
 */
#ifndef EVPIPE_EMIT_H
#define EVPIPE_EMIT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ntophdr.h"
#include "stats.h"

struct emit_conf {
	const char	*endpoint;	/* ends in 'c': connect, else bind */
	enum ntophdr_layout layout;	/* header layout */
	int		 version;	/* version field; -1: the layout's own
					   (v0: 0, v1/v2: 2, v3: 4) */
	bool		 zlib;		/* compress (legacy 0x00 or v3 flag) */
	bool		 tlv;		/* payloads in nDPI's TLV format: the
					   header says so (version 3 in the
					   24/28-byte headers, flag 0x02 in
					   the 36-byte one) */
	unsigned	 batch;		/* events per JSON array; 1: object */
	bool		 array;		/* an array even when batch is 1 */
	uint32_t	 source_id;
	uint32_t	 first_msg_id;	/* 1 */
	uint32_t	 gap;		/* msg_ids skipped after each message */
	double		 rate;		/* messages per second; 0: full speed */
	uint64_t	 repeat;	/* passes over the input; 0: forever */
	bool		 ebpf;		/* also ebpflowexport's "ebpf" message */
	const char	*topic;		/* topic of lines without _topic */
	bool		 frames;	/* input lines describe raw frames */
	double		 wait;		/* longest wait for a subscriber (s) */
	double		 linger;	/* longest wait to send at exit (s) */
	const char	*curve_serverkey; /* Z85 public key of the collector */
	const char	*curve_pub;	/* the client's own key pair, or NULL: */
	const char	*curve_sec;	/* a throw-away one, as ntopng's peers */
	void		*zctx;		/* ZMQ context; NULL: a private one */
};

struct emit;

/* A new emitter with its socket bound or connected. Returns NULL with a
 * message in err when the endpoint or an option is unusable. */
struct emit *emit_new(const struct emit_conf *c, struct stats *st,
	    char *err, size_t errsz);

/* Reads every line of fp (named name in messages) and encodes it: an
 * event per line, or in frames mode a message per line. Bad lines are
 * counted and skipped. Returns 0, or -1 on a read error. */
int	emit_load(struct emit *e, FILE *fp, const char *name);
/* emit_load over the n files named ("-": stdin), or stdin when n is 0;
 * a file that cannot be opened is reported and skipped. Returns 0, or -1
 * if any file could not be opened or read. */
int	emit_load_files(struct emit *e, char *const *names, size_t n);

/* Waits for a subscriber, then sends everything loaded, repeat times,
 * until *stop. Returns 0, or -1 on a socket error or when messages were
 * sent but no subscription had reached the socket by the last one (so
 * nothing was delivered; a message on stderr says so). */
int	emit_run(struct emit *e, volatile sig_atomic_t *stop);

/* Sends the events of the n files named ("-": stdin), or of stdin when n
 * is 0. Sent once (repeat 1), they are streamed: each message leaves as
 * soon as it is encoded, after the wait for a subscriber to the first
 * one's topic, until the input ends or *stop; every file is opened
 * first, and one that cannot be means nothing is sent. Sent more than
 * once, as emit_load_files then emit_run. Returns 0, or -1 as those do
 * (an input that cannot be read, a socket error, nothing delivered). */
int	emit_send_files(struct emit *e, char *const *names, size_t n,
	    volatile sig_atomic_t *stop);
/* Closes the socket, waiting up to the linger time for queued messages,
 * and frees *ep. */
void	emit_destroy(struct emit **ep);

#endif
