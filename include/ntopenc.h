/* ntopenc.h - records and ntop ZMQ payloads the other way: a record's
 * _event, the record written with the pipeline's members, the producer
 * payload and its compression. See doc/wire-format.md "Messages",
 * doc/design.md "The record contract".
 */
#ifndef EVPIPE_NTOPENC_H
#define EVPIPE_NTOPENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "sbuf.h"

/* The record's _event from its topic and content (doc/design.md "The
 * record contract"): "counters", "netstat", "flow" or "other". With topic
 * NULL (a record that came without one) its keys tell: listening-ports
 * is netstat, ifInOctets or ifName counters, the rest as a flow topic.
 * The one classification: zmq-ingest writes it, flow-agg derives it. */
const char *ntopmsg_event(const char *topic, const struct record *r);

/* True if topic is one of ntopng's collector topics (exact match). */
bool	ntopmsg_topic_ok(const char *topic);
/* Appends r to out as one compact object: the plen bytes of prefix (an
 * object's opening brace and its first members, no trailing comma), then
 * r's members. Members whose key starts with '_' are reserved for the
 * pipeline: they are left out and *reserved is incremented per member.
 * Every other key and value is kept byte for byte except white space
 * outside strings. No newline is added. */
void	ntopmsg_write(struct sbuf *out, const char *prefix, size_t plen,
	    const struct record *r, uint64_t *reserved);

/* Appends the producer payload for record r to out: r without its '_'
 * members, byte for byte (white space kept) when it has none. */
void	ntopmsg_strip(struct sbuf *out, const struct record *r);

/* Appends zlib (RFC 1950) compressed p[0..len) to out, preceded by one
 * 0x00 byte when legacy is true. Returns 0, or -1 on a zlib failure. */
int	ntopmsg_deflate(struct sbuf *out, const void *p, size_t len,
	    bool legacy, int level);

#endif
