/* sink.h - where a stage's records go.
 *
 * A sink spec is one of:
 *   "-"                 stdout
 *   PATH                a file (created or truncated; "+PATH" appends) or FIFO
 *   zmq:@ENDPOINT       bind a PUB (XPUB) socket, one record per message;
 *                       it waits while nobody subscribes, as when full
 *   zmq:>ENDPOINT       connect a PUB socket ("zmq:ENDPOINT" too)
 *   push:@EP / push:>EP the same with PUSH (blocks instead of dropping)
 *   zmq-lines:, push-lines:  the same, records joined with their newlines
 *                       into messages of up to 16 KiB, for readers that
 *                       split messages at newlines (linebuf.h); the
 *                       socket that stands for "-" in a chained stage
 *                       (chain.h) does so always
 *   ntop:@EP / ntop:>EP PUB in the ntop wire format: v1 header (24 bytes),
 *                       version 2, msg_id from 1 up, topic from the record's
 *                       _topic (default "flow"), the record in the form
 *                       ntopng reads (ntopout.h) as JSON payload, so ntopng
 *                       or zmq-ingest can collect it
 *   ntop/24:, ntop/28:, ntop/36:  the same with the header of that size
 *   ntop-tlv:@EP / >EP  the same with nDPI's TLV payloads (tlv.h): 24-byte
 *                       header with version 3 (every ntopng reads it);
 *                       ntop-tlv/28:, ntop-tlv/36: (version 4, flag 0x02)
 *                       and ntop-tlv/36z: (zlib) pick another header.
 *   nats://SERVERS/SUBJECT[?PARAMS]  JetStream: batches of lines per
 *                       message, acked publishes, resends deduplicated
 *                       (natspub.h, natsio.h). Servers that do not answer
 *                       at open make sink_open exit 1 itself.
 * Records are written without their newline; file sinks and batched ZMQ
 * sinks add it.
 */
#ifndef EVPIPE_SINK_H
#define EVPIPE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sink;

struct sink_opts {
	bool	line_buffered;	/* flush after every record (-l) */
	bool	drop_when_full;	/* ZMQ: drop (counted) instead of blocking */
	int	sndhwm;		/* ZMQ send high-water mark; 0: libzmq default */
	uint32_t source_id;	/* ntop: source_id in the header */
	const char *curve_serverkey; /* ZMQ: encrypt to this Z85 public key */
};

/* Opens a sink; o may be NULL for defaults. Returns NULL with a message in
 * err (naming the spec and the reason) when it cannot be opened. */
struct sink *sink_open(const char *spec, const struct sink_opts *o,
	    char *err, size_t errsz);

/* sink_open, or on failure its message on stderr and exit with the status
 * opts_open_status(spec) gives. */
struct sink *sink_open_or_die(const char *spec, const struct sink_opts *o);

/* Writes one record (len bytes, no newline). Returns 0 when it was
 * written; 1 when the write dropped records (a full ZMQ sink under
 * drop_when_full: the sink's drop count grew during it, and a batched
 * sink may drop a whole batch on the write that sends it), so a caller
 * counting drops needs no sink_dropped() before and after; or -1 with
 * errno on a write error that loses output (EPIPE when the reader went
 * away). */
int	sink_write(struct sink *s, const char *rec, size_t len);

/* One piece of a record for sink_writev(). */
struct sink_part {
	const char	*p;
	size_t		 n;
};
/* Writes the record made of the n parts v (their concatenation, no
 * newline), exactly as sink_write() would write it whole; a file sink
 * copies the parts straight into its buffer. Returns as sink_write(). */
int	sink_writev(struct sink *s, const struct sink_part *v, size_t n);

/* Flushes buffered output. 0, or -1 with errno. */
int	sink_flush(struct sink *s);

/* Flushes, closes and frees *sp (NULL afterwards). Returns 0, or -1 if this
 * or any earlier write failed, so a caller can exit 1 on lost output. */
int	sink_close(struct sink **sp);

/* Sends the pending batches of the batched sinks this thread opened (see
 * above); linebuf_poll calls it before it waits for input. Returns 0, or
 * -1 when one lost its records (that sink's next write reports it). */
int	sink_flush_idle(void);
/* True when a batched sink of this thread holds records not yet sent. */
bool	sink_idle_pending(void);

/* The spec it was opened with. */
const char *sink_name(const struct sink *s);
uint64_t sink_written(const struct sink *s);
uint64_t sink_dropped(const struct sink *s);

#endif
