/* fuzz_tlv.c - libFuzzer target for the TLV codec (tlv.c). The input is
 * read as a TLV buffer, as a flow message and as a counter message.
 * Properties: no read past the input (ASan); every record decoded is
 * strict JSON (record_parse accepts it); a failed record leaves the
 * output as it was; re-encoding a decoded record and decoding it again
 * gives the same text, its null members left out (round trip); and an
 * input that is a JSON record encodes to a buffer that decodes to one
 * valid record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "sbuf.h"
#include "tlv.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)

/* r without its null members, as tlv_encode() sends it; *nnull gets how
 * many were left out. */
static void
fz_nonull(const struct record *r, struct sbuf *out, size_t *nnull)
{
	size_t i;
	bool first = true;

	*nnull = 0;
	sbuf_addc(out, '{');
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];

		if (f->kind == REC_NULL) {
			++*nnull;
			continue;
		}
		if (!first)
			sbuf_addc(out, ',');
		first = false;
		sbuf_addc(out, '"');
		sbuf_add(out, f->key, f->klen);
		sbuf_add(out, "\":", 2);
		sbuf_add(out, f->val, f->vlen);
	}
	sbuf_addc(out, '}');
}

/* Encodes the decoded record text[0..len) and decodes it again. */
static void
fz_roundtrip(const char *text, size_t len)
{
	struct record r = RECORD_INIT;
	struct sbuf enc = { 0 }, want = { 0 }, got = { 0 };
	struct tlv_reader rd;
	size_t left, nnull;

	FZ_ASSERT(record_parse(&r, text, len) == REC_OK);
	tlv_begin(&enc);
	left = tlv_encode(&enc, &r, true, 0);
	fz_nonull(&r, &want, &nnull);
	FZ_ASSERT(tlv_reader_init(&rd, (const uint8_t *)enc.p, enc.len,
	    false) == TLV_END);
	FZ_ASSERT(tlv_next(&rd, &got) == TLV_RECORD);
	FZ_ASSERT(tlv_next(&rd, &got) == TLV_END);
	/* Only nulls may be left out of what our own decoder wrote, unless
	 * a repaired string grew past 65535 bytes. */
	if (left == nnull)
		FZ_ASSERT(got.len == want.len &&
		    memcmp(got.p, want.p, got.len) == 0);
	record_free(&r);
	sbuf_free(&enc);
	sbuf_free(&want);
	sbuf_free(&got);
}

static void
fz_decode(const uint8_t *data, size_t size, bool counter)
{
	struct tlv_reader rd;
	struct sbuf out = { 0 };
	struct record r = RECORD_INIT;
	size_t before;
	int rc;

	if (tlv_reader_init(&rd, data, size, counter) != TLV_END)
		return;
	for (;;) {
		before = out.len;
		rc = tlv_next(&rd, &out);
		if (rc != TLV_RECORD) {
			FZ_ASSERT(out.len == before);
			break;
		}
		FZ_ASSERT(record_parse(&r, out.p + before, out.len - before) ==
		    REC_OK);
		fz_roundtrip(out.p + before, out.len - before);
	}
	FZ_ASSERT(tlv_next(&rd, &out) == TLV_END);
	FZ_ASSERT(rd.records <= TLV_MAXRECORDS);
	record_free(&r);
	sbuf_free(&out);
}

/* A JSON record as input: its encoding decodes to one valid record. */
static void
fz_encode(const uint8_t *data, size_t size)
{
	struct record r = RECORD_INIT, back = RECORD_INIT;
	struct sbuf enc = { 0 }, got = { 0 };
	struct tlv_reader rd;

	if (record_parse(&r, (const char *)data, size) == REC_OK) {
		tlv_begin(&enc);
		tlv_encode(&enc, &r, true, TLV_ENC_IDS | TLV_ENC_NORESERVED);
		FZ_ASSERT(tlv_reader_init(&rd, (const uint8_t *)enc.p,
		    enc.len, false) == TLV_END);
		FZ_ASSERT(tlv_next(&rd, &got) == TLV_RECORD);
		FZ_ASSERT(record_parse(&back, got.p, got.len) == REC_OK);
		FZ_ASSERT(tlv_next(&rd, &got) == TLV_END);
	}
	record_free(&r);
	record_free(&back);
	sbuf_free(&enc);
	sbuf_free(&got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_decode(data, size, false);
	fz_decode(data, size, true);
	fz_encode(data, size);
	return 0;
}
