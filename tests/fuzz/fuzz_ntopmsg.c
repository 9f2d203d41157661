/* fuzz_ntopmsg.c - libFuzzer target for the ntop message decoder
 * (ntophdr.c, ntopmsg.c). The input is split into the two frames of a
 * message: byte 0 is the header frame's length, the header follows, the
 * rest is the payload (plain, legacy zlib or v3 zlib, as the header says).
 * Properties: a decoded header re-encodes to a header that decodes alike;
 * every record the decoder yields, written out with the pipeline's prefix
 * or stripped, parses back as a record; written out, it is the prefix and
 * the members of the record compacted whole, the reserved ones left out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntophdr.h"
#include "ntopmsg.h"
#include "record.h"
#include "sbuf.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)
/* Small enough that a zlib bomb costs little, large enough for seeds. */
#define FZ_CAP		(256u * 1024)

static void
fz_header(const struct ntophdr *h)
{
	uint8_t buf[NTOPHDR_MAXSIZE];
	struct ntophdr h2;
	size_t n;

	FZ_ASSERT(strlen(h->topic) < sizeof(h->topic));
	n = ntophdr_encode(h, buf, sizeof(buf));
	if (n == 0)
		return;
	FZ_ASSERT(n == ntophdr_size(h->layout));
	FZ_ASSERT(ntophdr_decode(buf, n, &h2) == NTOPHDR_OK);
	FZ_ASSERT(h2.layout == h->layout);
	FZ_ASSERT(strcmp(h2.topic, h->topic) == 0);
	FZ_ASSERT(h2.has_msg_id == h->has_msg_id);
	if (h->has_msg_id)
		FZ_ASSERT(h2.msg_id == h->msg_id);
}

/* ntopmsg_write()'s output out (after the prefix of plen bytes) against
 * r compacted whole, then written member by member. */
static void
fz_written(const struct record *r, const struct sbuf *out, size_t plen)
{
	struct sbuf c = { 0 }, want = { 0 };
	struct record rc = RECORD_INIT;
	size_t i;

	json_compact(&c, r->text, r->len);
	FZ_ASSERT(record_parse(&rc, c.p, c.len) == REC_OK);
	for (i = 0; i < rc.nf; i++) {
		if (rc.f[i].klen > 0 && rc.f[i].key[0] == '_')
			continue;
		sbuf_add(&want, ",\"", 2);
		sbuf_add(&want, rc.f[i].key, rc.f[i].klen);
		sbuf_add(&want, "\":", 2);
		sbuf_add(&want, rc.f[i].val, rc.f[i].vlen);
	}
	sbuf_addc(&want, '}');
	FZ_ASSERT(out->len == plen + want.len &&
	    memcmp(out->p + plen, want.p, want.len) == 0);
	record_free(&rc);
	sbuf_free(&c);
	sbuf_free(&want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "{\"_type\":\"event\",\"_iface\":\"x\"";
	struct ntopmsg *m;
	struct ntopmsg_seq *seq;
	struct ntopmsg_seqres res;
	const struct record *r;
	struct record back = RECORD_INIT;
	struct sbuf out = { 0 };
	struct ntophdr h;
	uint8_t *hdr, *payload;
	size_t hlen, plen;
	uint64_t reserved = 0;
	int rc;

	if (size < 1)
		return 0;
	hlen = data[0];
	if (hlen > size - 1)
		hlen = size - 1;
	plen = size - 1 - hlen;
	/* Separate allocations, as two frames are: overreads show. */
	hdr = malloc(hlen ? hlen : 1);
	payload = malloc(plen ? plen : 1);
	if (hdr == NULL || payload == NULL)
		abort();
	memcpy(hdr, data + 1, hlen);
	memcpy(payload, data + 1 + hlen, plen);

	rc = ntophdr_decode(hdr, hlen, &h);
	FZ_ASSERT(ntophdr_errname(rc) != NULL);
	if (rc != NTOPHDR_OK)
		goto done;
	fz_header(&h);
	(void)ntopmsg_topic_ok(h.topic);

	seq = ntopmsg_seq_new(1, 10.0, 4);
	ntopmsg_seq_check(seq, 0, &h, 1.0, &res);
	ntopmsg_seq_check(seq, 0, &h, 2.0, &res);
	if (res.tracked)
		FZ_ASSERT(!res.new_source && res.lost <= UINT32_MAX);
	ntopmsg_seq_check(seq, 1, &h, 100.0, &res);
	FZ_ASSERT(ntopmsg_seq_sources(seq) <= 4);
	ntopmsg_seq_destroy(&seq);

	m = ntopmsg_new(FZ_CAP);
	rc = ntopmsg_decode(m, &h, payload, plen);
	FZ_ASSERT(ntopmsg_errname(rc) != NULL);
	if (rc == NTOPMSG_OK) {
		while ((r = ntopmsg_next(m)) != NULL) {
			FZ_ASSERT(ntopmsg_event(h.topic, r) != NULL);
			sbuf_reset(&out);
			ntopmsg_write(&out, prefix, sizeof(prefix) - 1, r,
			    &reserved);
			FZ_ASSERT(record_parse(&back, out.p, out.len) ==
			    REC_OK);
			FZ_ASSERT(rec_streq(record_get(&back, "_iface"), "x"));
			fz_written(r, &out, sizeof(prefix) - 1);
			sbuf_reset(&out);
			ntopmsg_strip(&out, r);
			FZ_ASSERT(record_parse(&back, out.p, out.len) ==
			    REC_OK);
		}
		(void)ntopmsg_nonobjects(m);
		(void)ntopmsg_inflated(m);
	}
	ntopmsg_destroy(&m);
	record_free(&back);
	sbuf_free(&out);
done:
	free(hdr);
	free(payload);
	return 0;
}
