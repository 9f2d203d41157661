/* ntophdr.c - the ntop ZMQ header codec, field by field (include/ntophdr.h).
 * Format: doc/wire-format.md "Headers".
 *
 * The four layouts are the naturally aligned C structs of ntopng and its
 * producers; they are read and written here one field at a time at fixed
 * offsets, never by casting memory to a struct. "Host order" fields are
 * copied with memcpy, as the producer's struct would hold them.
 */
#include <stdint.h>
#include <string.h>

#include "ntophdr.h"

/* Topic field sizes: v0 has 32 bytes, the others 16. */
#define V0_TOPIC	32
#define VN_TOPIC	16

static uint32_t
rd_host32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t
rd_host16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint32_t
rd_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | (uint32_t)p[0];
}

static void
wr_host32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
wr_host16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
wr_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void
wr_le32(uint8_t *p, uint32_t v)
{
	p[3] = v >> 24;
	p[2] = v >> 16;
	p[1] = v >> 8;
	p[0] = v;
}

size_t
ntophdr_size(enum ntophdr_layout layout)
{
	switch (layout) {
	case NTOPHDR_V0:
		return 40;
	case NTOPHDR_V1:
		return 24;
	case NTOPHDR_V2:
		return 28;
	case NTOPHDR_V3:
		return 36;
	}
	return 0;
}

/* Copies a NUL-padded topic field of n bytes; -1 if it holds no NUL. */
static int
get_topic(const uint8_t *p, size_t n, char *topic)
{
	const uint8_t *nul;

	if ((nul = memchr(p, '\0', n)) == NULL)
		return -1;
	memcpy(topic, p, (size_t)(nul - p) + 1);
	return 0;
}

int
ntophdr_decode(const uint8_t *p, size_t len, struct ntophdr *h)
{
	memset(h, 0, sizeof(*h));
	switch (len) {
	case 40:
		h->layout = NTOPHDR_V0;
		if (get_topic(p, V0_TOPIC, h->topic) == -1)
			return NTOPHDR_ENOTOPIC;
		h->version = rd_host32(p + 32);
		h->size = rd_host32(p + 36);
		break;
	case 24:
	case 28:
		h->layout = len == 24 ? NTOPHDR_V1 : NTOPHDR_V2;
		if (get_topic(p, VN_TOPIC, h->topic) == -1)
			return NTOPHDR_ENOTOPIC;
		h->version = p[16];
		h->size = rd_host16(p + 18);
		/* Version 1 senders wrote msg_id in host order. */
		h->msg_id = h->version == 1 ? rd_host32(p + 20) :
		    rd_be32(p + 20);
		h->has_msg_id = true;
		h->has_source_id = true;
		if (len == 24)
			h->source_id = p[17];
		else
			h->source_id = rd_host32(p + 24);
		break;
	case 36:
		h->layout = NTOPHDR_V3;
		if (get_topic(p, VN_TOPIC, h->topic) == -1)
			return NTOPHDR_ENOTOPIC;
		h->version = p[16];
		h->flags = p[17];
		h->uncompressed_size = rd_le32(p + 20);
		h->compressed_size = rd_le32(p + 24);
		h->msg_id = rd_be32(p + 28);
		h->source_id = rd_host32(p + 32);
		h->has_msg_id = true;
		h->has_source_id = true;
		/* The 36-byte layout exists only with version field 4. */
		if (h->version != 4)
			return NTOPHDR_EVERSION;
		break;
	default:
		return NTOPHDR_EBADSIZE;
	}
	if (h->version > 4)
		return NTOPHDR_EVERSION;
	return NTOPHDR_OK;
}

size_t
ntophdr_encode(const struct ntophdr *h, uint8_t *out, size_t outsz)
{
	size_t sz, tlen, tmax;

	sz = ntophdr_size(h->layout);
	if (sz == 0 || outsz < sz)
		return 0;
	tmax = h->layout == NTOPHDR_V0 ? V0_TOPIC : VN_TOPIC;
	tlen = strnlen(h->topic, sizeof(h->topic));
	if (tlen >= tmax)
		return 0;
	memset(out, 0, sz);
	memcpy(out, h->topic, tlen);
	switch (h->layout) {
	case NTOPHDR_V0:
		wr_host32(out + 32, h->version);
		wr_host32(out + 36, h->size);
		break;
	case NTOPHDR_V1:
	case NTOPHDR_V2:
		out[16] = (uint8_t)h->version;
		wr_host16(out + 18, (uint16_t)h->size);
		if (h->version == 1)
			wr_host32(out + 20, h->msg_id);
		else
			wr_be32(out + 20, h->msg_id);
		if (h->layout == NTOPHDR_V1)
			out[17] = (uint8_t)h->source_id;
		else
			wr_host32(out + 24, h->source_id);
		break;
	case NTOPHDR_V3:
		out[16] = (uint8_t)h->version;
		out[17] = h->flags;
		wr_le32(out + 20, h->uncompressed_size);
		wr_le32(out + 24, h->compressed_size);
		wr_be32(out + 28, h->msg_id);
		wr_host32(out + 32, h->source_id);
		break;
	}
	return sz;
}

const char *
ntophdr_errname(int err)
{
	switch (err) {
	case NTOPHDR_OK:
		return "ok";
	case NTOPHDR_EBADSIZE:
		return "bad_header_size";
	case NTOPHDR_ENOTOPIC:
		return "topic_not_terminated";
	case NTOPHDR_EVERSION:
		return "bad_version";
	}
	return "bad_header";
}
