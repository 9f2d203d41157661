/* test_ntopmsg.c - unit tests for payload decoding, the _event rules and
 * record splicing (common/ntopmsg.c, ntopenc.c); msg_id accounting is
 * test_ntopseq.c. */
#include <stdlib.h>
#include <string.h>

#include "jsonlax.h"
#include "ntopmsg.h"
#include "tlv.h"
#include "unit.h"

static struct ntophdr
hdr(enum ntophdr_layout layout, int version, int flags)
{
	struct ntophdr h;

	memset(&h, 0, sizeof(h));
	h.layout = layout;
	h.version = (uint32_t)version;
	h.flags = (uint8_t)flags;
	strcpy(h.topic, "flow");
	h.has_msg_id = layout != NTOPHDR_V0;
	h.has_source_id = layout != NTOPHDR_V0;
	return h;
}

static int
dec(struct ntopmsg *m, const struct ntophdr *h, const char *s)
{
	return ntopmsg_decode(m, h, (const uint8_t *)s, strlen(s));
}

/* Decodes s and joins the records' text with '|'. */
static const char *
records(struct ntopmsg *m, const struct ntophdr *h, const void *p,
    size_t len)
{
	static struct sbuf b;
	const struct record *r;

	sbuf_reset(&b);
	if (ntopmsg_decode(m, h, p, len) != NTOPMSG_OK)
		return "ERR";
	while ((r = ntopmsg_next(m)) != NULL) {
		if (b.len)
			sbuf_addc(&b, '|');
		sbuf_add(&b, r->text, r->len);
	}
	return b.len ? b.p : "";
}

static void
test_json(void)
{
	struct ntopmsg *m = ntopmsg_new(1024);
	struct ntophdr h = hdr(NTOPHDR_V1, 2, 0);

	CHECK_STR(records(m, &h, "{\"a\":1}", 7), "{\"a\":1}");
	CHECK_STR(records(m, &h, " [ {\"a\":1} , {\"b\":[2]} ] ", 26),
	    "{\"a\":1}|{\"b\":[2]}");
	CHECK_STR(records(m, &h, "[]", 2), "");
	CHECK_STR(records(m, &h, "[1,{\"a\":1},\"x\",null]", 20), "{\"a\":1}");
	CHECK(ntopmsg_nonobjects(m) == 3);
	/* A trailing NUL, as C producers may send. */
	CHECK_STR(records(m, &h, "{\"a\":1}\0", 8), "{\"a\":1}");
	CHECK(dec(m, &h, "") == NTOPMSG_EEMPTY);
	CHECK(dec(m, &h, "  \n") == NTOPMSG_EEMPTY);
	CHECK(dec(m, &h, "nope") == NTOPMSG_ESYNTAX);
	CHECK(dec(m, &h, "{\"a\":") == NTOPMSG_ETRUNC);
	CHECK(dec(m, &h, "[{\"a\":1},") == NTOPMSG_ETRUNC);
	CHECK(dec(m, &h, "[{\"a\":1}") == NTOPMSG_ETRUNC);
	CHECK(dec(m, &h, "[{\"a\":1}}") == NTOPMSG_ESYNTAX);
	/* What json-c accepts (ntopng's parser) is repaired, not rejected;
	 * what it rejects keeps the strict path's reason. */
	CHECK_STR(records(m, &h, "[1,]", 4), "");
	CHECK(ntopmsg_nonobjects(m) == 1);
	CHECK(ntopmsg_repairs(m) == JSONLAX_R_COMMA);
	CHECK(dec(m, &h, "[1,,]") == NTOPMSG_ESYNTAX);
	CHECK(dec(m, &h, "42") == NTOPMSG_ENOTOBJ);
	CHECK(dec(m, &h, "\"x\"") == NTOPMSG_ENOTOBJ);
	CHECK(dec(m, &h, "42 x") == NTOPMSG_ENOTOBJ);
	CHECK_STR(records(m, &h, "{} x", 4), "{}");
	CHECK(ntopmsg_repairs(m) == JSONLAX_R_TRAILING);
	CHECK_STR(records(m, &h, "[] x", 4), "");
	/* Text after a strict value: only json-c's rules for it are
	 * checked, the strict pass's records kept. */
	CHECK_STR(records(m, &h, "{\"a\":1} /* c", 13), "{\"a\":1}");
	CHECK(ntopmsg_repairs(m) == JSONLAX_R_COMMENT);
	CHECK_STR(records(m, &h, "[{\"a\":1},{\"b\":2}] // c\nx", 24),
	    "{\"a\":1}|{\"b\":2}");
	CHECK(ntopmsg_repairs(m) == (JSONLAX_R_COMMENT | JSONLAX_R_TRAILING));
	CHECK(dec(m, &h, "{\"a\":1} /x") == NTOPMSG_ETRAILING);
	CHECK(dec(m, &h, "[{\"a\":1}]/") == NTOPMSG_ETRAILING);
	CHECK(ntopmsg_next(m) == NULL);
	CHECK_STR(records(m, &h, "{\"a\":\"\xff\"}", 9),
	    "{\"a\":\"\xef\xbf\xbd\"}");
	CHECK(ntopmsg_repairs(m) == JSONLAX_R_UTF8);
	CHECK_STR(records(m, &h, "[{\"a\":1},{\"b\":\"\xc3\"}]", 19),
	    "{\"a\":1}|{\"b\":\"\xef\xbf\xbd\"}");
	/* softflowd's trailing comma, and a strict payload after it. */
	CHECK_STR(records(m, &h, "[{\"8\":1},\n{\"8\":2},\n]", 20),
	    "{\"8\":1}|{\"8\":2}");
	CHECK(ntopmsg_repairs(m) == JSONLAX_R_COMMA);
	CHECK_STR(records(m, &h, "[{\"8\":1}]", 9), "{\"8\":1}");
	CHECK(ntopmsg_repairs(m) == 0);
	/* One bad element rejects the whole array: no partial output. */
	CHECK(dec(m, &h, "[{\"a\":1},{\"b\":\"\\x\"}]") == NTOPMSG_ESYNTAX);
	CHECK(ntopmsg_next(m) == NULL);
	/* Over the cap, raw. */
	{
		char *big = malloc(2000);

		memset(big, ' ', 2000);
		big[0] = '{';
		big[1999] = '}';
		CHECK(ntopmsg_decode(m, &h, (uint8_t *)big, 2000) ==
		    NTOPMSG_EOVERSIZE);
		free(big);
	}
	/* TLV: version 3 on v0-v2 headers, flag 0x02 on v3. */
	h.version = 3;
	CHECK(dec(m, &h, "{}") == NTOPMSG_ETLV);
	h = hdr(NTOPHDR_V3, 4, NTOPHDR_FLAG_TLV);
	CHECK(dec(m, &h, "\x01\x02") == NTOPMSG_ETLV);
	CHECK(ntopmsg_tlv(m)->tlv && ntopmsg_tlv(m)->err == TLV_EHEADER);
	CHECK_STR(ntopmsg_errname(NTOPMSG_ECAP), "inflate_cap");
	CHECK_STR(ntopmsg_errname(NTOPMSG_ETRUNC), "truncated_json");
	CHECK_STR(ntopmsg_errname(99), "bad_payload");
	ntopmsg_destroy(&m);
	CHECK(m == NULL);
}

/* TLV payloads in every header form ntopng reads: version 3 in the 24-
 * and 28-byte headers, the 36-byte header's TLV flag, with zlib or not. */
static void
test_tlv(void)
{
	static const char tlv[] = "\x01\x01" "\x22\x01\x05" "\x01"
	    "\xb2\x00\x02" "ab" "\x07" "\x01";
	struct ntopmsg *m = ntopmsg_new(4096);
	struct ntophdr h;
	struct sbuf z = { 0 };

	h = hdr(NTOPHDR_V1, 3, 0);
	CHECK_STR(records(m, &h, tlv, sizeof(tlv) - 1), "{\"1\":5}|{\"ab\":7}");
	CHECK(ntopmsg_tlv(m)->tlv && ntopmsg_tlv(m)->err == TLV_END);
	CHECK(ntopmsg_tlv(m)->records == 2);
	h = hdr(NTOPHDR_V2, 3, 0);
	CHECK_STR(records(m, &h, tlv, sizeof(tlv) - 1), "{\"1\":5}|{\"ab\":7}");
	h = hdr(NTOPHDR_V3, 4, NTOPHDR_FLAG_TLV);
	CHECK_STR(records(m, &h, tlv, sizeof(tlv) - 1), "{\"1\":5}|{\"ab\":7}");
	h = hdr(NTOPHDR_V3, 4, NTOPHDR_FLAG_TLV | NTOPHDR_FLAG_ZLIB);
	CHECK(ntopmsg_deflate(&z, tlv, sizeof(tlv) - 1, false, 6) == 0);
	h.uncompressed_size = sizeof(tlv) - 1;
	CHECK_STR(records(m, &h, z.p, z.len), "{\"1\":5}|{\"ab\":7}");
	CHECK(ntopmsg_inflated(m));
	/* A JSON payload says it is not TLV. */
	h = hdr(NTOPHDR_V1, 2, 0);
	CHECK_STR(records(m, &h, "{}", 2), "{}");
	CHECK(!ntopmsg_tlv(m)->tlv);
	/* Cut inside the second record: the first is kept, the reason
	 * told. */
	h = hdr(NTOPHDR_V1, 3, 0);
	CHECK_STR(records(m, &h, tlv, sizeof(tlv) - 3), "{\"1\":5}");
	CHECK(ntopmsg_tlv(m)->err == TLV_ETRUNC);
	CHECK_STR(records(m, &h, tlv, sizeof(tlv) - 2), "{\"1\":5}");
	CHECK(ntopmsg_tlv(m)->err == TLV_ENOEND);
	/* A counter is one record without an end mark. */
	strcpy(h.topic, "counter");
	CHECK_STR(records(m, &h, tlv, sizeof(tlv) - 2), "{\"1\":5}|{\"ab\":7}");
	sbuf_free(&z);
	ntopmsg_destroy(&m);
}

static void
test_zlib(void)
{
	struct ntopmsg *m = ntopmsg_new(4096);
	struct ntophdr h1 = hdr(NTOPHDR_V1, 2, 0);
	struct ntophdr h3 = hdr(NTOPHDR_V3, 4, NTOPHDR_FLAG_ZLIB);
	struct sbuf z = { 0 }, big = { 0 };
	const char *js = "[{\"a\":1},{\"b\":2}]";
	size_t i;

	/* Legacy: 0x00, then the stream. */
	CHECK(ntopmsg_deflate(&z, js, strlen(js), true, 6) == 0);
	CHECK(z.p[0] == '\0');
	CHECK_STR(records(m, &h1, z.p, z.len), "{\"a\":1}|{\"b\":2}");
	CHECK(ntopmsg_inflated(m));
	/* v3 flag, with and without the uncompressed size. */
	sbuf_reset(&z);
	CHECK(ntopmsg_deflate(&z, js, strlen(js), false, 6) == 0);
	CHECK_STR(records(m, &h3, z.p, z.len), "{\"a\":1}|{\"b\":2}");
	h3.uncompressed_size = (uint32_t)strlen(js);
	CHECK_STR(records(m, &h3, z.p, z.len), "{\"a\":1}|{\"b\":2}");
	/* A wrong size is only a hint. */
	h3.uncompressed_size = 3;
	CHECK_STR(records(m, &h3, z.p, z.len), "{\"a\":1}|{\"b\":2}");
	/* Corrupt and truncated streams. */
	CHECK(ntopmsg_decode(m, &h3, (const uint8_t *)"\x78\x9c\xff\xff", 4) ==
	    NTOPMSG_EZLIB);
	CHECK(ntopmsg_decode(m, &h3, (uint8_t *)z.p, z.len - 3) ==
	    NTOPMSG_EZLIB);
	CHECK(ntopmsg_decode(m, &h1, (const uint8_t *)"\0", 1) ==
	    NTOPMSG_EZLIB);
	/* A bomb: 100 kB of spaces inflated under a 4 kB cap. */
	sbuf_addc(&big, '{');
	for (i = 0; i < 100000; i++)
		sbuf_addc(&big, ' ');
	sbuf_addc(&big, '}');
	sbuf_reset(&z);
	CHECK(ntopmsg_deflate(&z, big.p, big.len, false, 9) == 0);
	CHECK(z.len < 4096);
	h3.uncompressed_size = 0;
	CHECK(ntopmsg_decode(m, &h3, (uint8_t *)z.p, z.len) == NTOPMSG_ECAP);
	h3.uncompressed_size = 0xffffffff;
	CHECK(ntopmsg_decode(m, &h3, (uint8_t *)z.p, z.len) == NTOPMSG_ECAP);
	/* Exactly the cap is accepted. */
	ntopmsg_destroy(&m);
	m = ntopmsg_new(big.len);
	h3.uncompressed_size = 0;
	CHECK(ntopmsg_decode(m, &h3, (uint8_t *)z.p, z.len) == NTOPMSG_OK);
	CHECK(ntopmsg_next(m) != NULL);
	ntopmsg_destroy(&m);
	m = ntopmsg_new(big.len - 1);
	CHECK(ntopmsg_decode(m, &h3, (uint8_t *)z.p, z.len) == NTOPMSG_ECAP);
	sbuf_free(&z);
	sbuf_free(&big);
	ntopmsg_destroy(&m);
}

static const char *
event_of(const char *topic, const char *json)
{
	static struct record r = RECORD_INIT;

	if (record_parse(&r, json, strlen(json)) != REC_OK)
		return "PARSE";
	return ntopmsg_event(topic, &r);
}

static void
test_event(void)
{
	CHECK_STR(event_of("counter", "{\"TCP\":{}}"), "counters");
	CHECK_STR(event_of("listening-ports", "{}"), "netstat");
	CHECK_STR(event_of("flow", "{\"TCP\":{\"RTT\":1}}"), "netstat");
	CHECK_STR(event_of("flow", "{\"TCP\":{},\"TCP_EVENT_TYPE\":\"CLOSE\"}"),
	    "flow");
	CHECK_STR(event_of("flow", "{\"TCP\":{},\"UDP_EVENT_TYPE\":\"SEND\"}"),
	    "flow");
	CHECK_STR(event_of("flow", "{\"TCP\":1}"), "flow");
	CHECK_STR(event_of("flow", "{\"8\":\"1.2.3.4\"}"), "flow");
	CHECK_STR(event_of("event", "{}"), "other");
	CHECK_STR(event_of("template", "{}"), "other");
	CHECK_STR(event_of("hello", "{}"), "other");
	CHECK(ntopmsg_topic_ok("flow"));
	CHECK(ntopmsg_topic_ok("snmp-ifaces"));
	CHECK(!ntopmsg_topic_ok("flowX"));
	CHECK(!ntopmsg_topic_ok("flo"));
	CHECK(!ntopmsg_topic_ok("ebpf"));
}

static const char *
written(const char *json, uint64_t *res)
{
	static struct sbuf b;
	struct record r = RECORD_INIT;

	sbuf_reset(&b);
	if (record_parse(&r, json, strlen(json)) != REC_OK)
		return "PARSE";
	ntopmsg_write(&b, "{\"_k\":1", 7, &r, res);
	record_free(&r);
	return b.p;
}

static const char *
stripped(const char *json)
{
	static struct sbuf b;
	struct record r = RECORD_INIT;

	sbuf_reset(&b);
	if (record_parse(&r, json, strlen(json)) != REC_OK)
		return "PARSE";
	ntopmsg_strip(&b, &r);
	record_free(&r);
	return b.p;
}

/* A nested object in json-c's spacing, its string with an escape at
 * each place of a 16-byte copy and near the end of the text (read up to
 * 16 bytes at a time while they are there), is written compact. */
static void
test_write_nested(void)
{
	char in[200], want[200];
	size_t pos;
	uint64_t res = 0;
	int bad = 0;

	for (pos = 0; pos < 48; pos++) {
		snprintf(in, sizeof(in), "{ \"A\": { \"k\": "
		    "\"%.*s\\\"%.*s\\/\", \"n\": [ 1 ,\t2 ]\n} }", (int)pos,
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		    (int)(48 - pos),
		    "y \\/yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
		snprintf(want, sizeof(want), "{\"_k\":1,\"A\":{\"k\":"
		    "\"%.*s\\\"%.*s\\/\",\"n\":[1,2]}}", (int)pos,
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		    (int)(48 - pos),
		    "y \\/yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
		if (strcmp(written(in, &res), want) != 0 && bad++ == 0)
			fprintf(stderr, "nested:\n%s\n%s\n%s\n", in, want,
			    written(in, &res));
	}
	CHECK(bad == 0 && res == 0);
}

static void
test_write(void)
{
	uint64_t res = 0;

	CHECK_STR(written("{\"A\":\"\\/x\",\"B\":[1,2]}", &res),
	    "{\"_k\":1,\"A\":\"\\/x\",\"B\":[1,2]}");
	CHECK_STR(written("{}", &res), "{\"_k\":1}");
	CHECK_STR(written(" { \"A\" : { \"b\" : [ 1 , \"x y\" ] } , \"C\":2 } ",
	    &res), "{\"_k\":1,\"A\":{\"b\":[1,\"x y\"]},\"C\":2}");
	CHECK_STR(written(" { \"A\" : \"a \\\" b\\\\\" , \"B\" : [ \"\\/ x\\\\\" ] } ", &res),
	    "{\"_k\":1,\"A\":\"a \\\" b\\\\\",\"B\":[\"\\/ x\\\\\"]}");
	CHECK(res == 0);
	CHECK_STR(written("{\"_type\":\"x\",\"A\":1,\"_rx\":2}", &res),
	    "{\"_k\":1,\"A\":1}");
	CHECK(res == 2);
	CHECK_STR(written("{\"_a\":1}", &res), "{\"_k\":1}");
	CHECK(res == 3);
	CHECK_STR(stripped("{ \"_topic\": \"counter\", \"a\": { \"b\": 1 } }"),
	    "{\"a\":{ \"b\": 1 }}");
	CHECK_STR(stripped("{ \"a\": 1 }"), "{ \"a\": 1 }");
	CHECK_STR(stripped("{\"_t\":1}"), "{}");
}

/* Random JSON for the scan tests: white space, escapes (runs of
 * backslashes too), brackets and quotes inside strings, UTF-8, so that
 * every kind of byte falls at every place of a 64-byte block. */
static uint64_t rs = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (unsigned)(rs % n);
}

static void
gen_ws(struct sbuf *b)
{
	static const char ws[] = " \t\n\r";
	unsigned n = rnd(3) == 0 ? rnd(6) : 0;

	while (n-- > 0)
		sbuf_addc(b, ws[rnd(4)]);
}

static void
gen_str(struct sbuf *b)
{
	static const char *const pieces[] = {
		"\\\"", "\\\\", "\\/", "\\u00e9", "\\n", " ", "  ", "{", "}",
		"[", "]", ",", ":", "\xc3\xa9", "\\\\\\\"", "\\\\\\\\",
	};
	unsigned n = rnd(5) == 0 ? rnd(140) : rnd(14);

	sbuf_addc(b, '"');
	while (n-- > 0) {
		if (rnd(3) == 0)
			sbuf_adds(b, pieces[rnd(sizeof(pieces) /
			    sizeof(pieces[0]))]);
		else
			sbuf_addc(b, (char)('a' + rnd(26)));
	}
	sbuf_addc(b, '"');
}

static void
gen_value(struct sbuf *b, int depth)
{
	static const char *const words[] = { "true", "false", "null", "0",
	    "-12.5e3", "1718031245" };
	unsigned i, n, k = rnd(depth > 4 ? 3 : 6);

	if (k == 0)
		sbuf_adds(b, words[rnd(6)]);
	else if (k <= 2)
		gen_str(b);
	else if (k == 3 || k == 4) {
		sbuf_addc(b, '{');
		n = rnd(7);
		for (i = 0; i < n; i++) {
			if (i > 0)
				sbuf_addc(b, ',');
			gen_ws(b);
			gen_str(b);
			gen_ws(b);
			sbuf_addc(b, ':');
			gen_ws(b);
			gen_value(b, depth + 1);
			gen_ws(b);
		}
		gen_ws(b);
		sbuf_addc(b, '}');
	} else {
		sbuf_addc(b, '[');
		n = rnd(5);
		for (i = 0; i < n; i++) {
			if (i > 0)
				sbuf_addc(b, ',');
			gen_ws(b);
			gen_value(b, depth + 1);
			gen_ws(b);
		}
		sbuf_addc(b, ']');
	}
}

/* An object (or, when arrays is set, sometimes an array) of at least min
 * bytes. */
static void
gen_container(struct sbuf *b, size_t min, bool arrays)
{
	size_t start = b->len;

	do {
		b->len = start;
		if (arrays && rnd(4) == 0) {
			sbuf_addc(b, '[');
			gen_value(b, 1);
			sbuf_addc(b, ']');
		} else {
			sbuf_adds(b, "{");
			gen_ws(b);
			gen_str(b);
			sbuf_adds(b, ":");
			gen_value(b, 0);
			gen_ws(b);
			sbuf_adds(b, "}");
		}
	} while (b->len - start < min);
	b->p[b->len] = '\0';
}

static const int impls[] = { JSON_SCAN_BYTE, JSON_SCAN_SSE2,
    JSON_SCAN_AVX512 };
#define NIMPLS	(sizeof(impls) / sizeof(impls[0]))

/* The block scans against the byte loops on fixed and random JSON, at
 * every length around the block size. */
static void
test_scan(void)
{
	static const char *const fixed[] = {
		"{}", "[]", "{\"a\":\"}\"}", "{\"a\":\"\\\"}\"}",
		"{ \"a\" : [ 1 , { \"b\" : \"x \\\\\" } ] , \"c\" : \"]\" }",
		"[\"\\\\\\\\\\\"[\", {\"\\\"\":[[],{}]} ]",
	};
	struct sbuf in = { 0 }, want = { 0 }, got = { 0 };
	struct record r = RECORD_INIT;
	size_t i, k, pad, len, bad = 0, used = 0;

	for (k = 0; k < NIMPLS; k++) {
		if (json_scan_impl(impls[k]) == -1)
			continue;
		used++;
		for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
			len = strlen(fixed[i]);
			CHECK(json_objend(fixed[i], len) == len);
			CHECK(json_objend(fixed[i], len - 1) == 0);
		}
		CHECK(json_objend("x{}", 3) == 0);
		CHECK(json_objend("", 0) == 0);
		sbuf_reset(&got);
		json_compact(&got, fixed[4], strlen(fixed[4]));
		CHECK_STR(got.p, "{\"a\":[1,{\"b\":\"x \\\\\"}],\"c\":\"]\"}");
	}
	CHECK(used >= 2);
	for (i = 0; i < 4000; i++) {
		/* Padding shifts the text against the blocks. */
		sbuf_reset(&in);
		pad = rnd(70);
		while (pad-- > 0)
			sbuf_addc(&in, ' ');
		pad = in.len;
		gen_container(&in, i < 200 ? 0 : rnd(300), true);
		len = in.len - pad;
		if (in.p[pad] == '{' &&
		    record_parse(&r, in.p + pad, len) != REC_OK) {
			if (bad++ == 0)
				fprintf(stderr, "generated: %s\n", in.p + pad);
			continue;
		}
		json_scan_impl(JSON_SCAN_BYTE);
		sbuf_reset(&want);
		json_compact(&want, in.p + pad, len);
		/* What follows an element in an array. */
		sbuf_adds(&in, rnd(2) ? " ,{\"x\":\"}\"}]" : "]");
		for (k = 0; k < NIMPLS; k++) {
			if (json_scan_impl(impls[k]) == -1)
				continue;
			if (json_objend(in.p + pad, in.len - pad) != len ||
			    json_objend(in.p + pad, len) != len ||
			    json_objend(in.p + pad, len - 1) != 0) {
				if (bad++ == 0)
					fprintf(stderr, "objend %d: %s\n",
					    impls[k], in.p + pad);
			}
			sbuf_reset(&got);
			json_compact(&got, in.p + pad, len);
			if (got.len != want.len ||
			    memcmp(got.p, want.p, got.len) != 0) {
				if (bad++ == 0)
					fprintf(stderr, "compact %d:\n%.*s\n%s\n%s\n",
					    impls[k], (int)len, in.p + pad,
					    want.p, got.p);
			}
		}
	}
	CHECK(bad == 0);
	json_scan_impl(JSON_SCAN_AUTO);
	record_free(&r);
	sbuf_free(&in);
	sbuf_free(&want);
	sbuf_free(&got);
}

/* json_compact_to() against json_compact()'s byte loop on random valid
 * JSON at every length around the block size, from a copy of exactly its
 * length into exactly the room it asks for (ASan sees a read or write
 * past them); with the byte loops chosen it declines. */
static void
test_compact_to(void)
{
	struct sbuf in = { 0 }, want = { 0 };
	size_t i, k, len, n, bad = 0, ran = 0;
	char *d, *src;

	json_scan_impl(JSON_SCAN_BYTE);
	CHECK(json_compact_to(NULL, "{ }", 3) == JSON_COMPACT_NO);
	for (i = 0; i < 3000; i++) {
		sbuf_reset(&in);
		gen_container(&in, i < 300 ? i / 2 : rnd(400), true);
		len = in.len;
		if ((src = malloc(len)) == NULL)
			abort();
		memcpy(src, in.p, len);
		json_scan_impl(JSON_SCAN_BYTE);
		sbuf_reset(&want);
		json_compact(&want, in.p, len);
		for (k = 1; k < NIMPLS; k++) {
			if (json_scan_impl(impls[k]) == -1)
				continue;
			if ((d = malloc(len + 16)) == NULL)
				abort();
			n = json_compact_to(d, src, len);
			if (n == JSON_COMPACT_NO) {
				free(d);
				continue;
			}
			ran++;
			if (n != want.len || memcmp(d, want.p, n) != 0)
				if (bad++ == 0)
					fprintf(stderr, "compact_to %d:\n%s\n%s"
					    "\n%.*s\n", impls[k], in.p, want.p,
					    (int)n, d);
			free(d);
		}
		free(src);
	}
	CHECK(bad == 0);
	CHECK(ran >= 3000);
	json_scan_impl(JSON_SCAN_AUTO);
	sbuf_free(&in);
	sbuf_free(&want);
}

/* Array payloads, valid and with a few bytes changed at random, decode the
 * same (result, records, non-objects) with every scan. */
static void
test_scan_decode(void)
{
	static const char special[] = "\"\\{}[],: \x01\xff";
	struct ntopmsg *m = ntopmsg_new(1 << 20);
	struct ntophdr h = hdr(NTOPHDR_V1, 2, 0);
	struct sbuf in = { 0 }, want = { 0 };
	size_t i, j, k, n, nobj, bad = 0, ok = 0;
	const char *got;
	int rc, rc2;

	for (i = 0; i < 3000; i++) {
		sbuf_reset(&in);
		sbuf_addc(&in, '[');
		n = rnd(12);
		for (j = 0; j < n; j++) {
			if (j > 0)
				sbuf_adds(&in, rnd(2) ? "," : " , ");
			if (rnd(8) == 0)
				gen_value(&in, 3);
			else
				gen_container(&in, rnd(200), false);
		}
		sbuf_addc(&in, ']');
		/* Most payloads stay valid; the others get bytes changed. */
		if (i % 3 == 0)
			for (j = rnd(3) + 1; j > 0 && in.len > 2; j--)
				in.p[1 + rnd((unsigned)in.len - 2)] =
				    rnd(2) ? special[rnd(sizeof(special) - 1)] :
				    (char)rnd(256);
		json_scan_impl(JSON_SCAN_BYTE);
		rc = ntopmsg_decode(m, &h, (const uint8_t *)in.p, in.len);
		nobj = ntopmsg_nonobjects(m);
		sbuf_reset(&want);
		sbuf_adds(&want, records(m, &h, in.p, in.len));
		if (rc == NTOPMSG_OK)
			ok++;
		for (k = 1; k < NIMPLS; k++) {
			if (json_scan_impl(impls[k]) == -1)
				continue;
			rc2 = ntopmsg_decode(m, &h, (const uint8_t *)in.p,
			    in.len);
			if (rc2 != rc || ntopmsg_nonobjects(m) != nobj)
				bad++;
			got = records(m, &h, in.p, in.len);
			if (strcmp(got, want.p) != 0)
				bad++;
		}
	}
	CHECK(bad == 0);
	/* Both kinds were tried. */
	CHECK(ok > 1500 && ok < 3000);
	json_scan_impl(JSON_SCAN_AUTO);
	/* More objects than are kept parsed: the rest are indexed later. */
	sbuf_reset(&in);
	sbuf_addc(&in, '[');
	for (j = 0; j < 600; j++)
		sbuf_addf(&in, "%s{\"n\": %zu}", j ? "," : "", j);
	sbuf_addc(&in, ']');
	CHECK(ntopmsg_decode(m, &h, (const uint8_t *)in.p, in.len) ==
	    NTOPMSG_OK);
	for (j = 0; j < 600; j++) {
		const struct record *r = ntopmsg_next(m);
		int64_t v = -1;

		if (r == NULL || rec_i64(record_get(r, "n"), &v) != 0 ||
		    v != (int64_t)j)
			break;
	}
	CHECK(j == 600 && ntopmsg_next(m) == NULL);
	ntopmsg_destroy(&m);
	sbuf_free(&in);
	sbuf_free(&want);
}

/* White space as a producer puts it: none, json-c's single spaces, or
 * random (style 0, 1, 2). */
static void
gen_ws_style(struct sbuf *b, int style)
{
	if (style == 1)
		sbuf_addc(b, ' ');
	else if (style == 2)
		gen_ws(b);
}

/* A record of up to 30 members for ntopmsg_write(): reserved, empty and
 * long keys among them, values of every kind, the white space of style
 * at the top level (values have their own). */
static void
gen_record(struct sbuf *b, int style)
{
	unsigned i, n = rnd(31), k;

	sbuf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_addc(b, ',');
		gen_ws_style(b, style);
		k = rnd(8);
		if (k == 0)
			sbuf_adds(b, rnd(2) ? "\"_rx\"" : "\"_\"");
		else if (k == 1)
			sbuf_adds(b, rnd(2) ? "\"\"" :
			    "\"A_KEY_LONGER_THAN_THIRTY_TWO_BYTES_\"");
		else
			gen_str(b);
		if (style == 2)
			gen_ws(b);
		sbuf_addc(b, ':');
		gen_ws_style(b, style);
		gen_value(b, 1);
		if (style == 2)
			gen_ws(b);
	}
	gen_ws_style(b, style);
	sbuf_addc(b, '}');
}

/* ntopmsg_write() on random records gives what writing the members of the
 * compacted record gives, each record at the very end of its allocation
 * (so a sanitizer sees any read past it). */
static void
test_write_random(void)
{
	static const char pre[] = "{\"_type\":\"event\",\"_rx\":1.5";
	struct record r = RECORD_INIT, c = RECORD_INIT;
	struct sbuf in = { 0 }, comp = { 0 }, want = { 0 }, got = { 0 };
	size_t i, j, bad = 0, spaced[4] = { 0, 0, 0, 0 };
	uint64_t res, wres;
	char *text;
	int style;

	for (i = 0; i < 6000; i++) {
		style = (int)(i % 4);
		sbuf_reset(&in);
		gen_record(&in, style % 3);
		if (style == 3) {
			/* Compact throughout, the fast path when nothing
			 * is reserved. */
			sbuf_reset(&comp);
			json_compact(&comp, in.p, in.len);
			sbuf_reset(&in);
			sbuf_add(&in, comp.p, comp.len);
		}
		if ((text = malloc(in.len)) == NULL)
			abort();
		memcpy(text, in.p, in.len);
		if (record_parse(&r, text, in.len) != REC_OK) {
			if (bad++ == 0)
				fprintf(stderr, "generated: %s\n", in.p);
			free(text);
			continue;
		}
		spaced[style] += !r.compact;
		sbuf_reset(&comp);
		json_compact(&comp, text, in.len);
		CHECK(record_parse(&c, comp.p, comp.len) == REC_OK);
		sbuf_reset(&want);
		sbuf_add(&want, pre, sizeof(pre) - 1);
		wres = 0;
		for (j = 0; j < c.nf; j++) {
			if (c.f[j].klen > 0 && c.f[j].key[0] == '_') {
				wres++;
				continue;
			}
			sbuf_add(&want, ",\"", 2);
			sbuf_add(&want, c.f[j].key, c.f[j].klen);
			sbuf_add(&want, "\":", 2);
			sbuf_add(&want, c.f[j].val, c.f[j].vlen);
		}
		sbuf_addc(&want, '}');
		sbuf_reset(&got);
		res = 0;
		ntopmsg_write(&got, pre, sizeof(pre) - 1, &r, &res);
		if (got.len != want.len || memcmp(got.p, want.p, got.len) != 0 ||
		    res != wres || got.p[got.len] != '\0') {
			if (bad++ == 0)
				fprintf(stderr, "write:\n%s\n%s\n%s\n", in.p,
				    want.p, got.p);
		}
		free(text);
	}
	CHECK(bad == 0);
	/* Every kind came: white space at the top level (1, 2) or only
	 * inside values (0), or none (3). */
	CHECK(spaced[0] > 0 && spaced[0] < 1500 && spaced[1] == 1500 &&
	    spaced[2] > 0 && spaced[3] == 0);
	record_free(&r);
	record_free(&c);
	sbuf_free(&in);
	sbuf_free(&comp);
	sbuf_free(&want);
	sbuf_free(&got);
}

int
main(void)
{
	test_json();
	test_zlib();
	test_tlv();
	test_event();
	test_write();
	test_write_nested();
	test_write_random();
	test_scan();
	test_compact_to();
	test_scan_decode();
	return unit_done("ntopmsg");
}
