/* sinkntop.c - the ntop: and ntop-tlv: sinks: records as ntop messages
 * (header, then JSON or TLV payload) on an XPUB socket of sinkzmq.c.
 *
 * Implements part of include/sink.h; shares include/sinkint.h. The
 * output follows doc/wire-format.md "Safest sender" (v1 header, version
 * 2, msg_id from 1).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <czmq.h>

#include "ntophdr.h"
#include "ntopmsg.h"
#include "ntopout.h"
#include "record.h"
#include "sbuf.h"
#include "sink.h"
#include "sinkint.h"
#include "tlv.h"

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

bool
sk_open_ntop(const char *spec, const struct sink_opts *o, struct sink **sp,
    char *err, size_t errsz)
{
	const char *ntop;
	/* Set by the spec parsers only for a header they know; a spec with
	 * another header is refused before they are used. */
	enum ntophdr_layout layout = NTOPHDR_V1;
	bool zlib = false;

	if ((ntop = sk_ntoptlv_spec(spec, &layout, &zlib)) != NULL) {
		*sp = sk_open_ntoptlv(spec, ntop, layout, zlib, o, err, errsz);
		return true;
	}
	if ((ntop = sk_ntop_spec(spec, &layout)) == NULL)
		return false;
	*sp = NULL;
	if (*ntop == '\0') {
		snprintf(err, errsz, "%s: the header is 24, 28 or 36 bytes "
		    "(ntop/28:...)", spec);
		return true;
	}
	if ((*sp = sk_open_zmq(spec, SK_NTOP, ZMQ_XPUB, ntop, o, err,
	    errsz)) != NULL) {
		(*sp)->layout = layout;
		(*sp)->no = ntopout_new();
	}
	return true;
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
int
sk_write_ntop(struct sink *s, const char *rec, size_t len)
{
	int rc = ntopout_record(s->no, rec, len, sk_ntop_send, s);

	if (rc == -1 && s->error == 0) {
		s->dropped++;
		return 0;
	}
	return rc;
}
