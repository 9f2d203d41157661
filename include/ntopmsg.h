/* ntopmsg.h - ntop ZMQ message payloads: decode to records; encoding is
 * include/ntopenc.h, per-source msg_id accounting include/ntopseq.h (both
 * included here).
 *
 * Decoding: a payload (the second frame of a message) is inflated when its
 * header says so (legacy: first byte 0x00, zlib from byte 1; v3: flag
 * 0x04, zlib from byte 0), under a byte cap, then validated strictly as
 * one JSON object or an array of JSON values; every object is one record.
 * A payload the strict check rejects is read again with json-c's grammar
 * (jsonlax.h), as ntopng reads it, and its strict rewrite is decoded.
 * Nothing builds a JSON tree: records are spans of the decoded text.
 * A TLV payload (header version 3, or the v3 header's TLV flag) is decoded
 * by tlv.h into the same strict JSON records, one per TLV record.
 * See doc/wire-format.md "Messages", doc/design.md "The record contract".
 */
#ifndef EVPIPE_NTOPMSG_H
#define EVPIPE_NTOPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntopenc.h"
#include "ntophdr.h"
#include "ntopseq.h"
#include "record.h"
#include "sbuf.h"

/* Default cap on a payload, raw and inflated. */
#define NTOPMSG_DEFAULT_CAP	(64u * 1024 * 1024)

/* Decode results; ntopmsg_errname() gives each one's counter name. */
enum ntopmsg_err {
	NTOPMSG_OK = 0,
	NTOPMSG_EEMPTY,		/* "empty_payload" */
	NTOPMSG_ETLV,		/* "tlv_bad_header": a TLV payload that does
				   not start with 01 01 */
	NTOPMSG_EZLIB,		/* "bad_zlib" */
	NTOPMSG_ECAP,		/* "inflate_cap" */
	NTOPMSG_EOVERSIZE,	/* "oversize" */
	NTOPMSG_ESYNTAX,	/* "bad_json" */
	NTOPMSG_ETRUNC,		/* "truncated_json" */
	NTOPMSG_ENOTOBJ,	/* "not_object" */
	NTOPMSG_EUTF8,		/* "bad_utf8" */
	NTOPMSG_EDEPTH,		/* "too_deep" */
	NTOPMSG_ETRAILING,	/* "trailing_garbage" */
};

struct ntopmsg;

/* A decoder whose payloads (raw and inflated) may not exceed cap bytes.
 * Aborts on out-of-memory. Free with ntopmsg_destroy(). */
struct ntopmsg *ntopmsg_new(size_t cap);
void	ntopmsg_destroy(struct ntopmsg **mp);

/* Decodes the payload p[0..len) of a message with header h. Returns
 * NTOPMSG_OK, after which ntopmsg_next() yields the records, or an error
 * (the whole message is rejected). A payload with trailing NUL bytes is
 * accepted without them. p must stay valid until the records are used. */
int	ntopmsg_decode(struct ntopmsg *m, const struct ntophdr *h,
	    const uint8_t *p, size_t len);

/* The next record of the last decoded payload, or NULL when there are no
 * more. The record is owned by m and valid until the next call. */
const struct record *ntopmsg_next(struct ntopmsg *m);

/* Elements of the last decoded array payload that were not objects (they
 * yield no record; count them as "array_non_object"). */
size_t	ntopmsg_nonobjects(const struct ntopmsg *m);

/* What the last TLV payload gave, final once ntopmsg_next() has returned
 * NULL (its records are decoded one by one): tlv is false for a JSON
 * payload; err is TLV_END when every record was read, else the tlv_err
 * that dropped the rest of the payload after records good ones (see
 * tlv.h); skipped counts blocks and lists left out, repaired strings made
 * valid UTF-8. Owned by m, valid until the next decode. */
struct ntopmsg_tlvres {
	bool	tlv;
	int	err;
	size_t	records, skipped, repaired;
};
const struct ntopmsg_tlvres *ntopmsg_tlv(const struct ntopmsg *m);

/* What jsonlax_parse() repaired in the last decoded payload (JSONLAX_R_*
 * bits), 0 when it was strict JSON: each of its records counts as
 * "json_repaired". */
unsigned ntopmsg_repairs(const struct ntopmsg *m);

/* True if the last decoded payload was inflated. */
bool	ntopmsg_inflated(const struct ntopmsg *m);

/* The counter name of a decode result, never NULL. */
const char *ntopmsg_errname(int err);

/* ntopng's collector topics, NULL-terminated. */
extern const char *const ntopmsg_topics[];

#endif
