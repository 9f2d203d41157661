/* test_flowout.c - unit tests of the flow record writer (common/flowout.c). */
#include <stdint.h>
#include <string.h>

#include "flowout.h"
#include "flowtab.h"
#include "record.h"
#include "sbuf.h"
#include "unit.h"

#define SEC	1000000LL

static void
noemit(void *arg, const struct flow *f, enum flow_end why)
{
	(void)arg;
	(void)f;
	(void)why;
}

int
main(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 5 * SEC, 0 };
	struct flowtab *ft = flowtab_new(&c, noemit, NULL);
	struct flowtab_key k;
	struct record r = RECORD_INIT;
	struct sbuf b = { 0 };
	struct flow *f;
	int64_t v;
	char s[64];

	memset(&k, 0, sizeof(k));
	k.family = 4;
	k.proto = 6;
	k.addr[0][0] = 192, k.addr[0][1] = 0, k.addr[0][2] = 2, k.addr[0][3] = 1;
	k.addr[1][0] = 192, k.addr[1][1] = 0, k.addr[1][2] = 2, k.addr[1][3] = 2;
	k.port[0] = 41572;
	k.port[1] = 8080;
	k.iface = (uint16_t)flowtab_iface(ft, "mirror0", 7);
	f = flowtab_insert(ft, &k, 1795795844 * SEC + 411102);
	f->pkts[0] = 8, f->bytes[0] = 624;
	f->pkts[1] = 8, f->bytes[1] = 19617;
	f->last = 1795795844 * SEC + 420782;
	f->flags[0] = 0x1b, f->flags[1] = 0x1b;

	flowout_flow(&b, ft, f, FLOW_END_FIN);
	/* One valid compact object, nProbe's names, client first. */
	CHECK(record_parse(&r, b.p, b.len) == REC_OK && r.compact);
	CHECK(rec_streq(record_get(&r, "_type"), "flow"));
	CHECK(rec_streq(record_get(&r, "_iface"), "mirror0"));
	CHECK(rec_streq(record_get(&r, "IPV4_SRC_ADDR"), "192.0.2.1"));
	CHECK(rec_streq(record_get(&r, "IPV4_DST_ADDR"), "192.0.2.2"));
	CHECK(rec_i64(record_get(&r, "L4_SRC_PORT"), &v) == 0 && v == 41572);
	CHECK(rec_i64(record_get(&r, "L4_DST_PORT"), &v) == 0 && v == 8080);
	CHECK(rec_i64(record_get(&r, "PROTOCOL"), &v) == 0 && v == 6);
	CHECK(rec_i64(record_get(&r, "IN_PKTS"), &v) == 0 && v == 8);
	CHECK(rec_i64(record_get(&r, "IN_BYTES"), &v) == 0 && v == 624);
	CHECK(rec_i64(record_get(&r, "OUT_BYTES"), &v) == 0 && v == 19617);
	CHECK(rec_i64(record_get(&r, "FIRST_SWITCHED"), &v) == 0 &&
	    v == 1795795844);
	CHECK(rec_i64(record_get(&r, "CLIENT_TCP_FLAGS"), &v) == 0 && v == 27);
	CHECK(rec_str(record_get(&r, "FLOW_END_REASON"), s, sizeof(s)) > 0);
	CHECK_STR(s, "fin");
	/* No process was attached: no process keys at all. */
	CHECK(record_get(&r, "SRC_PROC_PID") == NULL);
	CHECK(record_get(&r, "_interim") == NULL);

	/* An interim update says so and has no end reason. */
	sbuf_reset(&b);
	flowout_flow(&b, ft, f, FLOW_END_NONE);
	CHECK(record_parse(&r, b.p, b.len) == REC_OK);
	CHECK(record_get(&r, "_interim") != NULL &&
	    record_get(&r, "_interim")->kind == REC_TRUE);
	CHECK(record_get(&r, "FLOW_END_REASON") == NULL);

	sbuf_reset(&b);
	flowout_time(&b, 1795795844 * SEC + 7);
	CHECK_STR(b.p, "1795795844.000007");

	sbuf_free(&b);
	record_free(&r);
	flowtab_destroy(&ft);
	return unit_done("flowout");
}
