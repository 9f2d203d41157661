/* test_ntophdr.c - unit tests for the ntop header codec (common/ntophdr.c). */
#include <stdint.h>
#include <string.h>

#include "ntophdr.h"
#include "unit.h"

static int
is_little(void)
{
	uint16_t v = 1;
	uint8_t b;

	memcpy(&b, &v, 1);
	return b == 1;
}

/* Round-trips h through encode and decode; returns the decoded header. */
static struct ntophdr
roundtrip(const struct ntophdr *h, uint8_t *buf, size_t *len)
{
	struct ntophdr d;

	*len = ntophdr_encode(h, buf, NTOPHDR_MAXSIZE);
	memset(&d, 0xff, sizeof(d));
	CHECK(ntophdr_decode(buf, *len, &d) == NTOPHDR_OK);
	return d;
}

static void
test_sizes(void)
{
	CHECK(ntophdr_size(NTOPHDR_V0) == 40);
	CHECK(ntophdr_size(NTOPHDR_V1) == 24);
	CHECK(ntophdr_size(NTOPHDR_V2) == 28);
	CHECK(ntophdr_size(NTOPHDR_V3) == 36);
}

static void
test_v0(void)
{
	struct ntophdr h = { .layout = NTOPHDR_V0, .topic = "flow",
	    .version = 0, .size = 1234 };
	uint8_t buf[NTOPHDR_MAXSIZE];
	struct ntophdr d;
	size_t len;

	d = roundtrip(&h, buf, &len);
	CHECK(len == 40);
	CHECK(memcmp(buf, "flow\0\0\0\0", 8) == 0);
	CHECK_STR(d.topic, "flow");
	CHECK(d.layout == NTOPHDR_V0);
	CHECK(d.size == 1234);
	CHECK(!d.has_msg_id && !d.has_source_id);
	if (is_little())
		CHECK(buf[36] == (1234 & 0xff) && buf[37] == (1234 >> 8));
	/* 31 characters fit, 32 do not (no room for the NUL). */
	strcpy(h.topic, "0123456789012345678901234567890");
	CHECK(ntophdr_encode(&h, buf, sizeof(buf)) == 40);
	strcpy(h.topic, "01234567890123456789012345678901");
	CHECK(ntophdr_encode(&h, buf, sizeof(buf)) == 0);
}

static void
test_v1(void)
{
	struct ntophdr h = { .layout = NTOPHDR_V1, .topic = "counter",
	    .version = 2, .source_id = 7, .size = 99, .msg_id = 0x01020304 };
	uint8_t buf[NTOPHDR_MAXSIZE];
	struct ntophdr d;
	size_t len;

	d = roundtrip(&h, buf, &len);
	CHECK(len == 24);
	CHECK(buf[16] == 2 && buf[17] == 7);
	CHECK(buf[20] == 1 && buf[21] == 2 && buf[22] == 3 && buf[23] == 4);
	CHECK_STR(d.topic, "counter");
	CHECK(d.version == 2 && d.source_id == 7 && d.size == 99);
	CHECK(d.msg_id == 0x01020304 && d.has_msg_id && d.has_source_id);
	/* Version 1: msg_id in host order. */
	h.version = 1;
	d = roundtrip(&h, buf, &len);
	CHECK(d.msg_id == 0x01020304);
	if (is_little())
		CHECK(buf[20] == 4 && buf[23] == 1);
	/* The topic field holds at most 15 characters. */
	strcpy(h.topic, "listening-ports");
	CHECK(ntophdr_encode(&h, buf, sizeof(buf)) == 24);
	strcpy(h.topic, "listening-portsX");
	CHECK(ntophdr_encode(&h, buf, sizeof(buf)) == 0);
	CHECK(ntophdr_encode(&h, buf, 23) == 0);
}

static void
test_v2(void)
{
	struct ntophdr h = { .layout = NTOPHDR_V2, .topic = "flow",
	    .version = 2, .source_id = 0xdeadbeef, .msg_id = 42 };
	uint8_t buf[NTOPHDR_MAXSIZE];
	struct ntophdr d;
	size_t len;

	d = roundtrip(&h, buf, &len);
	CHECK(len == 28);
	CHECK(buf[17] == 0);
	CHECK(buf[23] == 42);
	CHECK(d.layout == NTOPHDR_V2 && d.source_id == 0xdeadbeef);
	CHECK(d.msg_id == 42);
}

static void
test_v3(void)
{
	struct ntophdr h = { .layout = NTOPHDR_V3, .topic = "flow",
	    .version = 4, .flags = NTOPHDR_FLAG_ZLIB,
	    .uncompressed_size = 0x00112233, .compressed_size = 0x10,
	    .msg_id = 0x0a0b0c0d, .source_id = 3 };
	uint8_t buf[NTOPHDR_MAXSIZE];
	struct ntophdr d;
	size_t len;

	d = roundtrip(&h, buf, &len);
	CHECK(len == 36);
	CHECK(buf[16] == 4 && buf[17] == 4);
	CHECK(buf[20] == 0x33 && buf[22] == 0x11);	/* little-endian */
	CHECK(buf[24] == 0x10);
	CHECK(buf[28] == 0x0a && buf[31] == 0x0d);	/* big-endian */
	CHECK(d.flags == NTOPHDR_FLAG_ZLIB);
	CHECK(d.uncompressed_size == 0x00112233 && d.compressed_size == 0x10);
	CHECK(d.msg_id == 0x0a0b0c0d && d.source_id == 3);
}

static void
test_errors(void)
{
	uint8_t buf[64];
	struct ntophdr h = { .layout = NTOPHDR_V1, .topic = "flow",
	    .version = 2 };
	struct ntophdr d;

	memset(buf, 'a', sizeof(buf));
	CHECK(ntophdr_decode(buf, 0, &d) == NTOPHDR_EBADSIZE);
	CHECK(ntophdr_decode(buf, 25, &d) == NTOPHDR_EBADSIZE);
	CHECK(ntophdr_decode(buf, 64, &d) == NTOPHDR_EBADSIZE);
	CHECK(ntophdr_decode(buf, 24, &d) == NTOPHDR_ENOTOPIC);
	CHECK(ntophdr_decode(buf, 40, &d) == NTOPHDR_ENOTOPIC);
	CHECK(ntophdr_decode(buf, 36, &d) == NTOPHDR_ENOTOPIC);
	h.version = 5;
	ntophdr_encode(&h, buf, sizeof(buf));
	CHECK(ntophdr_decode(buf, 24, &d) == NTOPHDR_EVERSION);
	h.layout = NTOPHDR_V3;
	h.version = 3;
	ntophdr_encode(&h, buf, sizeof(buf));
	CHECK(ntophdr_decode(buf, 36, &d) == NTOPHDR_EVERSION);
	CHECK_STR(ntophdr_errname(NTOPHDR_EBADSIZE), "bad_header_size");
	CHECK_STR(ntophdr_errname(NTOPHDR_ENOTOPIC), "topic_not_terminated");
	CHECK_STR(ntophdr_errname(NTOPHDR_EVERSION), "bad_version");
}

int
main(void)
{
	test_sizes();
	test_v0();
	test_v1();
	test_v2();
	test_v3();
	test_errors();
	return unit_done("ntophdr");
}
