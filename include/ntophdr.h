/* ntophdr.h - the ntop ZMQ message header, all four layouts, field by field.
 * Format: doc/wire-format.md "Headers". */
#ifndef EVPIPE_NTOPHDR_H
#define EVPIPE_NTOPHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Layouts, told apart by the header frame's size. */
enum ntophdr_layout {
	NTOPHDR_V0 = 0,		/* 40 bytes, ebpflowexport */
	NTOPHDR_V1 = 1,		/* 24 bytes */
	NTOPHDR_V2 = 2,		/* 28 bytes */
	NTOPHDR_V3 = 3,		/* 36 bytes, version field 4 */
};

#define NTOPHDR_MAXSIZE	40
#define NTOPHDR_FLAG_TLV	0x02
#define NTOPHDR_FLAG_ZLIB	0x04

struct ntophdr {
	enum ntophdr_layout layout;
	char		topic[33];	/* NUL-terminated */
	uint32_t	version;	/* the header's version field */
	uint8_t		flags;		/* v3 only */
	uint32_t	size;		/* v0-v2 size field (not trusted) */
	uint32_t	uncompressed_size; /* v3 */
	uint32_t	compressed_size;   /* v3 */
	uint32_t	msg_id;
	uint32_t	source_id;
	bool		has_msg_id;	/* v1-v3 */
	bool		has_source_id;	/* v1 (byte), v2, v3 */
};

/* Decode errors (negative), with counter names from ntophdr_errname(). */
enum ntophdr_err {
	NTOPHDR_OK = 0,
	NTOPHDR_EBADSIZE = -1,	/* "bad_header_size" */
	NTOPHDR_ENOTOPIC = -2,	/* "topic_not_terminated" */
	NTOPHDR_EVERSION = -3,	/* "bad_version" */
};

/* The size in bytes of a layout's header. */
size_t	ntophdr_size(enum ntophdr_layout layout);
/* Decodes a header frame of len bytes into h. Returns NTOPHDR_OK or a
 * negative ntophdr_err. */
int	ntophdr_decode(const uint8_t *p, size_t len, struct ntophdr *h);
/* Encodes h in its layout into out (outsz >= ntophdr_size()). Returns the
 * header size, or 0 if out is too small or the topic too long. */
size_t	ntophdr_encode(const struct ntophdr *h, uint8_t *out, size_t outsz);
/* Counter name for a decode error. */
const char *ntophdr_errname(int err);

#endif
