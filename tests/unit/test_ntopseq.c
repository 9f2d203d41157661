/* test_ntopseq.c - unit tests for the msg_id accounting of ntop ZMQ
 * messages (common/ntopseq.c). */
#include <string.h>

#include "ntopmsg.h"
#include "unit.h"

/* A "flow" header of layout and version, with a msg_id and source_id
 * (0 until set) unless the layout has none. */
static struct ntophdr
hdr(enum ntophdr_layout layout, int version)
{
	struct ntophdr h;

	memset(&h, 0, sizeof(h));
	h.layout = layout;
	h.version = (uint32_t)version;
	strcpy(h.topic, "flow");
	h.has_msg_id = layout != NTOPHDR_V0;
	h.has_source_id = layout != NTOPHDR_V0;
	return h;
}

/* Sources without a sequence (ntopng's exporter), and the largest gap. */
static void
test_seq_noseq(void)
{
	struct ntopmsg_seq *s = ntopmsg_seq_new(1, 10, 16);
	struct ntophdr h = hdr(NTOPHDR_V1, 2);
	struct ntopmsg_seqres r;

	h.source_id = 8;
	h.msg_id = 1;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	/* A jump past any plausible gap: no sequence, not billions lost;
	 * nothing of that source is accounted afterwards. */
	h.msg_id = 1u << 30;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(r.unsequenced && r.lost == 0 && !r.restart);
	h.msg_id = 3;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(!r.unsequenced && !r.restart && r.lost == 0);
	/* The largest gap still counted. */
	h.source_id = 9;
	h.msg_id = 1;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	h.msg_id = 2 + NTOPMSG_SEQ_MAXGAP;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(r.lost == NTOPMSG_SEQ_MAXGAP && !r.unsequenced);
	/* ntopng's exporter: one msg_id (never set) in every header. */
	h.source_id = 10;
	h.msg_id = 0xbe550000;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(r.new_source && r.slow_joiner == 0);
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(r.unsequenced && !r.restart && r.lost == 0);
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(!r.unsequenced && !r.restart && r.lost == 0);
	/* A producer restarting at the first value after one message is a
	 * restart, not a repeat. */
	h.source_id = 11;
	h.msg_id = 1;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(r.restart && !r.unsequenced);
	ntopmsg_seq_destroy(&s);
}

static void
test_seq(void)
{
	struct ntopmsg_seq *s = ntopmsg_seq_new(1, 10, 2);
	struct ntophdr h = hdr(NTOPHDR_V2, 2);
	struct ntopmsg_seqres r;

	h.source_id = 7;
	h.msg_id = 1;
	ntopmsg_seq_check(s, 0, &h, 100, &r);
	CHECK(r.tracked && r.new_source && r.lost == 0 && r.slow_joiner == 0);
	h.msg_id = 2;
	ntopmsg_seq_check(s, 0, &h, 100, &r);
	CHECK(!r.new_source && r.lost == 0 && !r.restart);
	h.msg_id = 5;
	ntopmsg_seq_check(s, 0, &h, 101, &r);
	CHECK(r.lost == 2);
	h.msg_id = 3;
	ntopmsg_seq_check(s, 0, &h, 101, &r);
	CHECK(r.restart && r.lost == 0);
	h.msg_id = 4;
	ntopmsg_seq_check(s, 0, &h, 101, &r);
	CHECK(!r.restart && r.lost == 0);
	/* The same source_id on another interface is another source. */
	h.msg_id = 9;
	ntopmsg_seq_check(s, 1, &h, 101, &r);
	CHECK(r.new_source && r.slow_joiner == 8 && r.lost == 0);
	CHECK(ntopmsg_seq_sources(s) == 2);
	/* Table full: a third source is not tracked... */
	h.source_id = 8;
	ntopmsg_seq_check(s, 0, &h, 105, &r);
	CHECK(r.untracked && !r.new_source);
	/* ...until the others fall silent for more than 10 s. */
	ntopmsg_seq_check(s, 0, &h, 112, &r);
	CHECK(r.new_source && r.slow_joiner == 8);
	CHECK(ntopmsg_seq_sources(s) == 1);
	/* Forgotten after silence: a restart at 1 is a new source. */
	h.msg_id = 1;
	ntopmsg_seq_check(s, 0, &h, 130, &r);
	CHECK(r.new_source && !r.restart && r.slow_joiner == 0);
	/* msg_id wraps from 2^32-1 to 0 without loss. */
	h.msg_id = 0xfffffffe;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(r.new_source && r.slow_joiner == 0);
	h.msg_id = 0xffffffff;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(r.lost == 0 && !r.restart && !r.unsequenced);
	h.msg_id = 0;
	ntopmsg_seq_check(s, 0, &h, 200, &r);
	CHECK(r.lost == 0 && !r.restart);
	/* v0 and version-1 headers are not tracked. */
	h = hdr(NTOPHDR_V0, 0);
	ntopmsg_seq_check(s, 0, &h, 130, &r);
	CHECK(!r.tracked && !r.new_source);
	h = hdr(NTOPHDR_V1, 1);
	h.msg_id = 50;
	ntopmsg_seq_check(s, 0, &h, 130, &r);
	CHECK(!r.tracked && r.lost == 0);
	ntopmsg_seq_destroy(&s);
	CHECK(s == NULL);
	/* First value 0 (softflowd). */
	s = ntopmsg_seq_new(0, 10, 16);
	h = hdr(NTOPHDR_V1, 2);
	h.msg_id = 0;
	ntopmsg_seq_check(s, 0, &h, 1, &r);
	CHECK(r.new_source && r.slow_joiner == 0);
	ntopmsg_seq_destroy(&s);
}

int
main(void)
{
	test_seq();
	test_seq_noseq();
	return unit_done("ntopseq");
}
