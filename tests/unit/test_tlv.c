/* test_tlv.c - unit tests for common/tlv.c: hand-made buffers of every
 * type, every kind of bad input, and nDPI's own serializer and
 * deserializer (libndpi) as the oracle in both directions, on the sample
 * events and flow records. Run from the top of the tree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "sbuf.h"
#include "tlv.h"
#include "unit.h"
#include "../oracle/ndpioracle.h"

static struct sbuf out;

/* Decodes p[0..n) and returns the records, one a line, then "!" and the
 * error's name when the buffer ended in one. */
static const char *
dec(const void *p, size_t n, bool counter)
{
	static struct sbuf res;
	struct tlv_reader rd;
	int rc;

	sbuf_reset(&res);
	if ((rc = tlv_reader_init(&rd, p, n, counter)) != TLV_END) {
		sbuf_addf(&res, "!%s", tlv_errname(rc));
		return res.p;
	}
	for (;;) {
		sbuf_reset(&out);
		rc = tlv_next(&rd, &out);
		if (rc != TLV_RECORD)
			break;
		sbuf_add(&res, out.p, out.len);
		sbuf_addc(&res, '\n');
	}
	if (rc != TLV_END)
		sbuf_addf(&res, "!%s", tlv_errname(rc));
	if (res.p == NULL)
		sbuf_adds(&res, "");
	return res.p;
}

#define DEC(lit, c)	dec(lit, sizeof(lit) - 1, c)

static void
test_types(void)
{
	/* u8 key 8, string; u16 key 300, u16; u32 key 57590, u8; string
	 * key "ab", u32; EOR. */
	CHECK_STR(DEC("\x01\x01" "\x2b\x08\x00\x07" "1.2.3.4"
	    "\x33\x01\x2c\x01\x00" "\x42\x00\x00\xe0\xf6\x07"
	    "\xb4\x00\x02" "ab" "\xff\xff\xff\xff" "\x01", false),
	    "{\"8\":\"1.2.3.4\",\"300\":256,\"57590\":7,\"ab\":4294967295}\n");
	/* Every integer width, both signs. */
	CHECK_STR(DEC("\x01\x01" "\x22\x01\xff" "\x23\x02\xff\xff"
	    "\x24\x03\xff\xff\xff\xff"
	    "\x25\x04\xff\xff\xff\xff\xff\xff\xff\xff"
	    "\x26\x05\xff" "\x27\x06\x80\x00" "\x28\x07\x80\x00\x00\x00"
	    "\x29\x08\x80\x00\x00\x00\x00\x00\x00\x00" "\x26\x09\x05"
	    "\x01", false),
	    "{\"1\":255,\"2\":65535,\"3\":4294967295,"
	    "\"4\":18446744073709551615,\"5\":-1,\"6\":-32768,"
	    "\"7\":-2147483648,\"8\":-9223372036854775808,\"9\":5}\n");
	/* Keys and values at the edges of the short decimal writer: 0, 9,
	 * 10, 99, 100; positive signed values take it too. */
	CHECK_STR(DEC("\x01\x01" "\x22\x00\x00" "\x22\x09\x09"
	    "\x22\x0a\x0a" "\x22\x63\x63" "\x22\x64\x64"
	    "\x26\x0b\x7f" "\x27\x0c\x00\x63" "\x29\x0d"
	    "\x00\x00\x00\x00\x00\x00\x00\x00" "\x01", false),
	    "{\"0\":0,\"9\":9,\"10\":10,\"99\":99,\"100\":100,"
	    "\"11\":127,\"12\":99,\"13\":0}\n");
	CHECK_STR(DEC("\x01\x01" "\x33\x03\xe7\x03\xe7" "\x33\x03\xe8\x03\xe8"
	    "\x33\x27\x0f\x27\x0f" "\x33\x27\x10\x27\x10" "\x01", false),
	    "{\"999\":999,\"1000\":1000,\"9999\":9999,\"10000\":10000}\n");
	/* Floats, little-endian: 1.5, 0.087, -0, inf, NaN. */
	CHECK_STR(DEC("\x01\x01" "\x2a\x01\x00\x00\xc0\x3f"
	    "\x2a\x02\x0e\x2d\xb2\x3d" "\x2a\x03\x00\x00\x00\x80"
	    "\x2a\x04\x00\x00\x80\x7f" "\x2a\x05\x00\x00\xc0\x7f" "\x01",
	    false), "{\"1\":1.5,\"2\":0.087,\"3\":-0,\"4\":null,\"5\":null}\n");
	/* Strings: escapes, NUL, invalid UTF-8 (a lone continuation byte,
	 * a surrogate, an overlong form), valid multibyte kept. */
	CHECK_STR(DEC("\x01\x01" "\x2b\x01\x00\x05" "a\"\\\n\x00"
	    "\x2b\x02\x00\x03" "a\x80z" "\x2b\x03\x00\x03" "\xed\xa0\x80"
	    "\x2b\x04\x00\x02" "\xc0\xaf" "\x2b\x05\x00\x04" "\xc3\xa9\xe2\x82"
	    "\x2b\x06\x00\x00" "\x01", false),
	    "{\"1\":\"a\\\"\\\\\\n\\u0000\",\"2\":\"a\xef\xbf\xbdz\","
	    "\"3\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\","
	    "\"4\":\"\xef\xbf\xbd\xef\xbf\xbd\","
	    "\"5\":\"\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\",\"6\":\"\"}\n");
	/* Two records, an empty one, zero padding after the last. */
	CHECK_STR(DEC("\x01\x01" "\x22\x01\x01\x01" "\x01"
	    "\x22\x02\x02\x01" "\x00\x00", false),
	    "{\"1\":1}\n{}\n{\"2\":2}\n");
	CHECK_STR(DEC("\x01\x01", false), "");
	/* A block and a list, nested, skipped whole; the members around
	 * them kept. */
	CHECK_STR(DEC("\x01\x01" "\x22\x01\x01"
	    "\x0c\x00\x01" "B" "\x22\x02\x02" "\x0e\x00\x01" "L"
	    "\xbb\x00\x01" "k\x00\x01" "v" "\x0f" "\x0d"
	    "\x22\x03\x03" "\x01", false), "{\"1\":1,\"3\":3}\n");
	/* A counter: one record without the end mark; with one it ends
	 * there too. */
	CHECK_STR(DEC("\x01\x01" "\xb2\x00\x02" "ab" "\x07", true),
	    "{\"ab\":7}\n");
	CHECK_STR(DEC("\x01\x01" "\xb2\x00\x02" "ab" "\x07" "\x01", true),
	    "{\"ab\":7}\n");
}

static void
test_bad(void)
{
	static const char good[] = "\x01\x01" "\x22\x01\x01" "\x01"
	    "\x2b\x02\x00\x03" "abc" "\x24\x03\x00\x00\x00\x01" "\x01";
	size_t n = sizeof(good) - 1, i, bad = 0;

	CHECK_STR(DEC("", false), "!tlv_bad_header");
	CHECK_STR(DEC("\x01", false), "!tlv_bad_header");
	CHECK_STR(DEC("\x01\x02\x01", false), "!tlv_bad_header");
	CHECK_STR(DEC("{\"a\":1}", false), "!tlv_bad_header");
	/* Every cut of a good buffer inside the second record keeps the
	 * first record and drops the rest with a reason. */
	for (i = 7; i < n; i++) {
		const char *r = dec(good, i, false);

		if (strncmp(r, "{\"1\":1}\n!tlv_", 12) != 0) {
			fprintf(stderr, "cut at %zu: %s\n", i, r);
			bad++;
		}
	}
	CHECK(bad == 0);
	CHECK_STR(dec(good, 6, false), "{\"1\":1}\n");
	CHECK_STR(dec(good, 7, false), "{\"1\":1}\n!tlv_truncated");
	CHECK_STR(dec(good, n - 1, false), "{\"1\":1}\n!tlv_no_end");
	/* A string length past the end. */
	CHECK_STR(DEC("\x01\x01" "\x2b\x01\xff\xff" "abc" "\x01", false),
	    "!tlv_truncated");
	CHECK_STR(DEC("\x01\x01" "\xb2\x00\x09" "ab" "\x01", false),
	    "!tlv_truncated");
	/* Types nDPI does not write. */
	CHECK_STR(DEC("\x01\x01" "\x21\x01" "\x01", false), "!tlv_bad_type");
	CHECK_STR(DEC("\x01\x01" "\x20\x01" "\x01", false), "!tlv_bad_type");
	CHECK_STR(DEC("\x01\x01" "\x52\x00\x00\x00\x00\x00\x00\x00\x01\x05"
	    "\x01", false), "!tlv_bad_type");
	CHECK_STR(DEC("\x01\x01" "\x02\x05" "\x01", false), "!tlv_bad_type");
	CHECK_STR(DEC("\x01\x01" "\x22\x01\x01" "\x0d" "\x01", false),
	    "!tlv_bad_type");
	CHECK_STR(DEC("\x01\x01" "\x0c\x00\x01" "B" "\x01", false),
	    "!tlv_bad_type");
	CHECK_STR(DEC("\x01\x01" "\x22\x01\x01\x01" "\xf2\x01\x01\x01", false),
	    "{\"1\":1}\n!tlv_bad_type");
	/* A key of length 0. */
	CHECK_STR(DEC("\x01\x01" "\xb2\x00\x00\x05" "\x01", false),
	    "!tlv_empty_key");
	/* A block never closed; nested too deep. */
	CHECK_STR(DEC("\x01\x01" "\x0c\x00\x01" "B" "\x22\x01\x01", false),
	    "!tlv_truncated");
	{
		struct sbuf b = { 0 };

		tlv_begin(&b);
		for (i = 0; i <= TLV_MAXDEPTH; i++)
			sbuf_add(&b, "\x0c\x00\x01" "B", 4);
		CHECK_STR(dec(b.p, b.len, false), "!tlv_too_deep");
		/* 100k records: the first TLV_MAXRECORDS are kept. */
		sbuf_reset(&b);
		tlv_begin(&b);
		for (i = 0; i < 100000; i++)
			sbuf_add(&b, "\x22\x01\x01\x01", 4);
		{
			struct tlv_reader rd;
			size_t nrec = 0;
			int rc;

			tlv_reader_init(&rd, (uint8_t *)b.p, b.len, false);
			sbuf_reset(&out);
			while ((rc = tlv_next(&rd, &out)) == TLV_RECORD)
				nrec++;
			CHECK(nrec == TLV_MAXRECORDS);
			CHECK(rc == TLV_ELIMIT);
			CHECK(tlv_next(&rd, &out) == TLV_END);
		}
		sbuf_free(&b);
	}
}

/* Encodes one JSON record and decodes it again. */
static const char *
roundtrip(const char *json, unsigned flags)
{
	struct record r = RECORD_INIT;
	struct sbuf b = { 0 };
	const char *res;

	if (record_parse(&r, json, strlen(json)) != REC_OK)
		return "(bad json)";
	tlv_begin(&b);
	tlv_encode(&b, &r, true, flags);
	res = dec(b.p, b.len, false);
	record_free(&r);
	sbuf_free(&b);
	return res;
}

static void
test_encode(void)
{
	struct record r = RECORD_INIT;
	struct sbuf b = { 0 };
	const char *j = "{\"IN_BYTES\":300,\"_iface\":\"x\",\"k\":-5}";

	CHECK(record_parse(&r, j, strlen(j)) == REC_OK);
	tlv_begin(&b);
	CHECK(tlv_encode(&b, &r, true, TLV_ENC_IDS | TLV_ENC_NORESERVED) ==
	    0);
	/* The smallest widths: key 1 as u8, 300 as u16, -5 as i8. */
	CHECK(b.len == 2 + 4 + 5 + 1 && memcmp(b.p, "\x01\x01"
	    "\x23\x01\x01\x2c" "\xb6\x00\x01k\xfb" "\x01", b.len) == 0);
	sbuf_free(&b);
	record_free(&r);

	CHECK_STR(roundtrip("{\"8\":\"1.2.3.4\",\"a b\":\"x\\u00e9\\n\","
	    "\"n\":-129,\"big\":18446744073709551615,\"neg\":-2147483649,"
	    "\"u32\":3000000000}", 0),
	    "{\"8\":\"1.2.3.4\",\"a b\":\"x\xc3\xa9\\n\",\"n\":-129,"
	    "\"big\":18446744073709551615,\"neg\":-2147483649,"
	    "\"u32\":3000000000}\n");
	/* Names to ids only when asked; numeric forms too. */
	CHECK_STR(roundtrip("{\"IN_BYTES\":1,\"L7_PROTO\":7,"
	    "\"35632.119\":\"HTTP\",\"NOT_AN_IE\":2,\"08\":3}", TLV_ENC_IDS),
	    "{\"1\":1,\"57590\":7,\"57591\":\"HTTP\",\"NOT_AN_IE\":2,"
	    "\"8\":3}\n");
	CHECK_STR(roundtrip("{\"IN_BYTES\":1,\"08\":3,\"35632.1\":4}", 0),
	    "{\"IN_BYTES\":1,\"08\":3,\"35632.1\":4}\n");
	/* Fractions: a float when it reads back the same, else a string;
	 * booleans as 1/0; nested values as their JSON text; null left
	 * out. */
	CHECK_STR(roundtrip("{\"a\":0.087,\"b\":1.5e3,\"c\":1718031245.482913,"
	    "\"d\":1e300,\"t\":true,\"f\":false,\"o\":{ \"x\" : [1, 2] },"
	    "\"z\":null}", 0),
	    "{\"a\":0.087,\"b\":1500,\"c\":\"1718031245.482913\","
	    "\"d\":\"1e300\",\"t\":1,\"f\":0,\"o\":\"{\\\"x\\\":[1,2]}\"}\n");
	/* An escaped key. */
	CHECK_STR(roundtrip("{\"k\\u0041\":1}", 0), "{\"kA\":1}\n");
}

/* Every sample record, one message per file, serialized by nDPI, decodes
 * to exactly the records we expect. */
static void
test_ndpi_decode(void)
{
	static const char *const files[] = {
		"tests/data/events/libebpfflow-and-nprobe.ndjson",
		"tests/data/flow-agg/flowrec.ndjson",
		"tests/data/flow-agg/events.ndjson",
		"tests/data/flow-agg/demo-events.ndjson",
	};
	size_t fi, total = 0;

	for (fi = 0; fi < sizeof(files) / sizeof(files[0]); fi++) {
		FILE *fp = fopen(files[fi], "r");
		struct record r = RECORD_INIT;
		struct sbuf want = { 0 };
		ndpi_serializer s;
		char *line = NULL, *buf;
		size_t cap = 0;
		ssize_t n;
		uint32_t blen;

		if (fp == NULL) {
			perror(files[fi]);
			CHECK(0);
			continue;
		}
		CHECK(ndpi_init_serializer(&s, ndpi_serialization_format_tlv)
		    == 0);
		while ((n = getline(&line, &cap, fp)) > 0) {
			if (record_parse(&r, line, (size_t)n) != REC_OK)
				continue;
			oracle_ser_record(&s, &r, &want);
			ndpi_serialize_end_of_record(&s);
			total++;
		}
		buf = ndpi_serializer_get_buffer(&s, &blen);
		CHECK_STR(dec(buf, blen, false), want.p);
		ndpi_term_serializer(&s);
		sbuf_free(&want);
		record_free(&r);
		free(line);
		fclose(fp);
	}
	CHECK(total > 20);
}

/* What we encode, nDPI's deserializer reads as our decoder does. */
static void
test_ndpi_encode(void)
{
	FILE *fp = fopen("tests/data/events/libebpfflow-and-nprobe.ndjson",
	    "r");
	struct record r = RECORD_INIT;
	struct sbuf b = { 0 }, got = { 0 };
	char *line = NULL;
	size_t cap = 0, nrec = 0;
	ssize_t n;

	if (fp == NULL) {
		CHECK(0);
		return;
	}
	tlv_begin(&b);
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (record_parse(&r, line, (size_t)n) != REC_OK)
			continue;
		tlv_encode(&b, &r, true, TLV_ENC_IDS);
		nrec++;
	}
	oracle_read_back(b.p, b.len, &got);
	CHECK(nrec > 10);
	CHECK_STR(got.p, dec(b.p, b.len, false));
	sbuf_free(&b);
	sbuf_free(&got);
	record_free(&r);
	free(line);
	fclose(fp);
}

/* String values of every length to 20 with one byte that needs care
 * (quote, backslash, control, high bit: the word-at-a-time check must see
 * it wherever it lies, the overlapping last word included), against the
 * JSON writer that escapes byte by byte. */
static void
test_strings(void)
{
	static const uint8_t odd[] = { '"', '\\', 0x1f, 0x80, 0xc3, 'a' };
	struct sbuf want = { 0 };
	uint8_t buf[64];
	size_t n, at, k;
	int bad = 0;

	for (n = 1; n <= 20; n++)
		for (at = 0; at < n; at++)
			for (k = 0; k < sizeof(odd); k++) {
				memcpy(buf, "\x01\x01\x2b\x01\x00", 5);
				buf[5] = (uint8_t)n;
				memset(buf + 6, 'x', n);
				buf[6 + at] = odd[k];
				buf[6 + n] = 0x01;
				sbuf_reset(&want);
				sbuf_adds(&want, "{\"1\":");
				sbuf_add_jstr_utf8(&want, (char *)buf + 6, n);
				sbuf_adds(&want, "}\n");
				if (strcmp(dec(buf, 7 + n, false), want.p) != 0)
					bad++;
			}
	CHECK(bad == 0);
	sbuf_free(&want);
}

int
main(void)
{
	test_types();
	test_strings();
	test_bad();
	test_encode();
	test_ndpi_decode();
	test_ndpi_encode();
	sbuf_free(&out);
	return unit_done("tlv");
}
