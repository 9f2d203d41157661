/* tlv.h - nDPI's serializer format, TLV flavour: decode to strict JSON
 * records, encode records. Pure functions over byte buffers; every read is
 * bounds-checked, nothing is trusted (zmq-ingest(1), TLV PAYLOADS).
 *
 * A buffer is the 2 bytes 01 01 (serializer version 1, format TLV), then
 * items: a type byte (key type << 4 | value type), the key (an unsigned
 * integer of 1, 2 or 4 bytes, or a string: u16 length and bytes), then the
 * value (integers big-endian, any width and sign; a float of 4 bytes,
 * little-endian; a string). A flow record ends with the end-of-record
 * item 0x01; a counter message is one record without it. Blocks and lists
 * (start 0x0c/0x0e with a string, end 0x0d/0x0f) are skipped whole.
 */
#ifndef EVPIPE_TLV_H
#define EVPIPE_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "sbuf.h"

/* Item types, as nDPI numbers them. */
enum tlv_type {
	TLV_UNKNOWN = 0, TLV_EOR, TLV_U8, TLV_U16, TLV_U32, TLV_U64,
	TLV_I8, TLV_I16, TLV_I32, TLV_I64, TLV_FLOAT, TLV_STRING,
	TLV_BLOCK, TLV_END_BLOCK, TLV_LIST, TLV_END_LIST
};

/* Records in one buffer past which the rest is dropped (TLV_ELIMIT). */
#define TLV_MAXRECORDS	65536
/* Nesting of blocks and lists past which a record is dropped. */
#define TLV_MAXDEPTH	32

/* tlv_next() results: one record, the end, or why the rest of the buffer
 * was dropped (tlv_errname() gives each a counter name). */
enum tlv_err {
	TLV_RECORD = 1,		/* one record appended */
	TLV_END = 0,		/* no more records */
	TLV_EHEADER = -1,	/* "tlv_bad_header": not 01 01 */
	TLV_ETRUNC = -2,	/* "tlv_truncated": an item or a length runs
				   past the end of the buffer */
	TLV_ETYPE = -3,		/* "tlv_bad_type": a type byte nDPI does not
				   write (unknown value type, a key of
				   another type, an end with no start) */
	TLV_EKEY = -4,		/* "tlv_empty_key": a string key of length 0 */
	TLV_ENOEND = -5,	/* "tlv_no_end": a flow record without its
				   end-of-record mark */
	TLV_EDEPTH = -6,	/* "tlv_too_deep": blocks nested too deep */
	TLV_ELIMIT = -7,	/* "tlv_too_many_records": TLV_MAXRECORDS */
};

/* Members of a record that tlv_index() can index. */
#define TLV_IDXMAX	256

/* Where one member of the last record lies (private to tlv.c). */
struct tlv_member {
	uint32_t	koff, klen, voff, vlen;
	uint8_t		kind;
	bool		kesc, vesc;
};

/* A reader over one buffer; the bytes must outlive it. Plain data. */
struct tlv_reader {
	const uint8_t	*p;
	size_t		 len;
	size_t		 pos;
	bool		 counter;	/* one record, no end mark needed */
	bool		 failed;	/* an error ended the buffer */
	size_t		 records;	/* records returned so far */
	size_t		 skipped;	/* blocks and lists skipped */
	size_t		 repaired;	/* strings made valid UTF-8 */
	/* The last record: its place in the output and its members. */
	size_t		 rstart, rlen, nidx;
	bool		 idxfull;
	struct tlv_member idx[TLV_IDXMAX];
};

/* Starts reading p[0..len). counter: the buffer is a counter message (its
 * last record may lack the end mark). Returns TLV_END when the buffer is
 * well begun, or TLV_EHEADER (then tlv_next() returns TLV_END). */
int	tlv_reader_init(struct tlv_reader *rd, const uint8_t *p, size_t len,
	    bool counter);

/* Appends the next record to out as one strict, compact JSON object (no
 * newline): numeric keys as their decimal string ("8"), string keys and
 * values JSON-escaped with invalid UTF-8 replaced by U+FFFD, integers as
 * sent, floats in their shortest form that reads back as the same float
 * (null when not finite). Returns TLV_RECORD, TLV_END, or a negative
 * tlv_err: the record being read is dropped (out is left as it was) and
 * so is the rest of the buffer; later calls return TLV_END. */
int	tlv_next(struct tlv_reader *rd, struct sbuf *out);

/* Indexes the record the last tlv_next() returned, whose text starts at
 * text (where it was appended to out), into r as record_parse() would,
 * without scanning it again. Returns 0, or -1 when the record had more
 * than TLV_IDXMAX members (use record_parse()). r borrows text. */
int	tlv_index(const struct tlv_reader *rd, const char *text,
	    struct record *r);

/* The counter name of a tlv_err, never NULL. */
const char *tlv_errname(int err);

/* Encoding flags. */
#define TLV_ENC_IDS	0x01u	/* names of the ntopids table go as their
				   ids (IN_BYTES as key 1) */
#define TLV_ENC_NORESERVED 0x02u /* leave out members whose key starts
				   with '_' */

/* Appends the buffer header 01 01 to out. */
void	tlv_begin(struct sbuf *out);

/* Appends the members of r as TLV items, then an end-of-record mark when
 * eor (flows; a counter goes without). Keys that are decimal numbers
 * ("8", or an ntopids name under TLV_ENC_IDS, or "35632.118") go as
 * number keys, others as strings. Values: integers in the smallest
 * unsigned width, negatives in the smallest signed one; a fraction as a
 * float when that float reads back as the same shortest decimal, else as
 * a string of its JSON text (a float has 24 bits: a timestamp with
 * microseconds would lose seconds); strings as they decode; true/false as
 * 1/0; objects and arrays as a string of their compact JSON text; null is
 * left out, as are keys and strings over 65535 bytes. Returns the number
 * of members left out (reserved keys not counted). */
size_t	tlv_encode(struct sbuf *out, const struct record *r, bool eor,
	    unsigned flags);

#endif
