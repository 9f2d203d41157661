/* test_flowagg.c - unit tests of flow-agg's core (common/flowagg.c,
 * flowaggpkt.c, flowaggev.c, flowaggcp.c, flowout.c): lines in, records
 * out, through the callback. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowagg.h"
#include "flowaggint.h"
#include "flowout.h"
#include "sbuf.h"
#include "stats.h"
#include "unit.h"

struct outbuf {
	struct sbuf	 all;
	int		 n;
	int		 fail;
};

static int
out(void *arg, const char *rec, size_t len)
{
	struct outbuf *o = arg;

	sbuf_add(&o->all, rec, len);
	sbuf_addc(&o->all, '\n');
	o->n++;
	return o->fail;
}

static void
feed(struct flowagg *fa, const char *line)
{
	flowagg_line(fa, line, strlen(line));
}

#define PKT(t, s, sp, d, dp, fl, b) \
	"{\"_type\":\"packet\",\"_iface\":\"e0\",\"timestamp\":\"" t "\"," \
	"\"IP_PROTOCOL_VERSION\":4,\"IPV4_SRC_ADDR\":\"" s "\"," \
	"\"IPV4_DST_ADDR\":\"" d "\",\"PROTOCOL\":6,\"L4_SRC_PORT\":" sp \
	",\"L4_DST_PORT\":" dp ",\"TCP_FLAGS\":" fl ",\"PKTS\":1," \
	"\"BYTES\":" b "}"

static struct flowagg *
mk(struct flowagg_conf *c, struct outbuf *o, struct stats **st)
{
	*st = stats_new("test");
	stats_set_quiet(*st, 1);
	memset(o, 0, sizeof(*o));
	return flowagg_new(c, out, o, *st);
}

static void
test_packets(void)
{
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, &o, &st);
	/* The server's SYN+ACK comes first: the receiver is the client. */
	feed(fa, PKT("10.5", "10.0.0.2", "80", "10.0.0.1", "999", "18", "60"));
	feed(fa, PKT("10.6", "10.0.0.1", "999", "10.0.0.2", "80", "16", "54"));
	feed(fa, PKT("10.7", "10.0.0.1", "999", "10.0.0.2", "80", "24", "154"));
	CHECK(o.n == 0);
	CHECK(flowtab_count(flowagg_table(fa)) == 1);
	flowagg_finish(fa);
	CHECK(o.n == 1);
	CHECK_STR(o.all.p, "{\"_type\":\"flow\",\"_iface\":\"e0\","
	    "\"IP_PROTOCOL_VERSION\":4,\"IPV4_SRC_ADDR\":\"10.0.0.1\","
	    "\"IPV4_DST_ADDR\":\"10.0.0.2\",\"L4_SRC_PORT\":999,"
	    "\"L4_DST_PORT\":80,\"PROTOCOL\":6,\"IN_PKTS\":2,\"IN_BYTES\":208,"
	    "\"OUT_PKTS\":1,\"OUT_BYTES\":60,\"FIRST_SWITCHED\":10,"
	    "\"LAST_SWITCHED\":10,\"FLOW_START_SEC\":10.500000,"
	    "\"FLOW_END_SEC\":10.700000,\"TCP_FLAGS\":26,"
	    "\"CLIENT_TCP_FLAGS\":24,\"SERVER_TCP_FLAGS\":18,"
	    "\"FLOW_END_REASON\":\"end-of-input\"}\n");
	CHECK(!flowagg_lost(fa));
	flowagg_destroy(&fa);
	CHECK(fa == NULL);
	stats_destroy(&st);
	sbuf_free(&o.all);
}

static void
test_events(void)
{
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, &o, &st);
	/* ACCEPT first (the server's host), then CONNECT (the client's). */
	feed(fa, "{\"_type\":\"event\",\"_event\":\"flow\",\"_iface\":\"e0\","
	    "\"timestamp\":\"20.000001\",\"TCP_EVENT_TYPE\":\"ACCEPT\","
	    "\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.2\","
	    "\"PROTOCOL\":6,\"L4_SRC_PORT\":999,\"L4_DST_PORT\":80,"
	    "\"LOCAL_PROCESS\":{\"PID\":7,\"UID\":0,\"PROCESS_PATH\":"
	    "\"\\/usr\\/sbin\\/httpd\"}}");
	feed(fa, "{\"_type\":\"event\",\"_event\":\"flow\",\"_iface\":\"e0\","
	    "\"timestamp\":\"20.000000\",\"IF_NAME\":\"eth0\","
	    "\"TCP_EVENT_TYPE\":\"CONNECT\",\"IPV4_LOCAL_ADDR\":\"10.0.0.1\","
	    "\"IPV4_REMOTE_ADDR\":\"10.0.0.2\",\"PROTOCOL\":6,"
	    "\"L4_LOCAL_PORT\":999,\"L4_REMOTE_PORT\":80,\"NW_LATENCY_MS\":"
	    "0.5,\"LOCAL_PROCESS\":{\"PID\":42,\"UID\":1000,\"PROCESS_PATH\":"
	    "\"/usr/bin/curl\"}}");
	/* A packet of the server joins the event-only flow. */
	feed(fa, PKT("20.1", "10.0.0.2", "80", "10.0.0.1", "999", "16", "100"));
	flowagg_finish(fa);
	CHECK(o.n == 1);
	CHECK(strstr(o.all.p, "\"IPV4_SRC_ADDR\":\"10.0.0.1\"") != NULL);
	CHECK(strstr(o.all.p, "\"SRC_PROC_PID\":42,") != NULL);
	CHECK(strstr(o.all.p, "\"SRC_PROC_NAME\":\"/usr/bin/curl\"") != NULL);
	CHECK(strstr(o.all.p, "\"DST_PROC_PID\":7,") != NULL);
	CHECK(strstr(o.all.p, "\"DST_PROC_NAME\":\"/usr/sbin/httpd\"") != NULL);
	CHECK(strstr(o.all.p, "\"OUT_PKTS\":1,\"OUT_BYTES\":100,") != NULL);
	CHECK(strstr(o.all.p, "\"CLIENT_NW_LATENCY_MS\":0.500") != NULL);
	CHECK(strstr(o.all.p, "\"FLOW_EVENTS\":2") != NULL);
	CHECK(strstr(o.all.p, "FLOW_EVENT_ONLY") == NULL);
	CHECK_CTR(st, "time_backwards", 1);
	CHECK_CTR(st, "event_only_flows", 1);
	flowagg_destroy(&fa);
	stats_destroy(&st);
	sbuf_free(&o.all);
}

static void
test_bad_and_lost(void)
{
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;

	flowagg_defaults(&c);
	fa = mk(&c, &o, &st);
	o.fail = -1;
	feed(fa, "");
	feed(fa, "{\"_type\":\"packet\"");
	feed(fa, "{}");
	feed(fa, "{\"_type\":\"flow\"}");
	feed(fa, "{\"_type\":\"packet\",\"_iface\":\"e0\",\"timestamp\":\"x\"}");
	feed(fa, "{\"_type\":\"packet\",\"_iface\":\"e0\",\"timestamp\":\"1.0\","
	    "\"PKTS\":-1}");
	CHECK_CTR(st, "records_in", 6);
	CHECK_CTR(st, "malformed", 2);
	CHECK_CTR(st, "empty", 1);
	CHECK_CTR(st, "truncated_json", 1);
	CHECK_CTR(st, "no_type", 1);
	CHECK_CTR(st, "unknown_type", 1);
	CHECK_CTR(st, "bad_timestamp", 1);
	CHECK_CTR(st, "bad_packet", 1);
	feed(fa, PKT("1.0", "10.0.0.1", "1", "10.0.0.2", "2", "2", "60"));
	flowagg_finish(fa);
	CHECK(o.n == 2);	/* the flow and the iface summary */
	CHECK(flowagg_lost(fa));
	CHECK_CTR(st, "lost", 2);
	flowagg_destroy(&fa);
	stats_destroy(&st);
	sbuf_free(&o.all);
}

/* The packet times flow-agg takes (rec_time()'s forms) and refuses. */
static void
test_packet_times(void)
{
	static const struct {
		const char	*t;
		bool		 ok;
	} cases[] = {
		{ "\"10.5\"", true }, { "10.5", true }, { "\"10\"", true },
		{ "1.05e1", true }, { "\"10.123456789\"", true },
		{ "\"10.\"", false }, { "\"1e1\"", false }, { "-1", false },
		{ "\"\"", false }, { "null", false },
		{ "9223372036854", false },	/* microseconds overflow */
		{ "9223372036853", true },
	};
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;
	char line[256];
	uint64_t bad = 0, ok = 0;
	size_t i;

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, &o, &st);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "{\"_type\":\"packet\","
		    "\"_iface\":\"e0\",\"timestamp\":%s}", cases[i].t);
		feed(fa, line);
		bad += !cases[i].ok;
		ok += cases[i].ok;
		CHECK_CTR(st, "bad_timestamp", bad);
		CHECK_CTR(st, "nonip_packets", ok);
	}
	flowagg_destroy(&fa);
	stats_destroy(&st);
	sbuf_free(&o.all);
}

/* The members a record is dispatched on are found wherever they are, as
 * record_get() would find them: leading, late, spelt with an escape (which
 * the one walk leaves to record_get), or absent (_event derived from
 * _topic). Each line below is one event of the same flow. */
static void
test_dispatch(void)
{
	static const char *const lines[] = {
		"{\"_type\":\"event\",\"_event\":\"flow\",\"_iface\":\"e0\",",
		"{\"_from\":\"z\",\"_type\":\"event\",\"_event\":\"flow\","
		    "\"_iface\":\"e0\",",
		"{\"_type\":\"event\",\"_topic\":\"flow\",\"_iface\":\"e0\",",
		"{\"_iface\":\"e0\",\"_event\":\"flow\",\"_type\":\"event\",",
		"{\"\\u005ftype\":\"event\",\"_event\":\"flow\",\"_iface\":\"e0\",",
		"{\"_type\":\"event\",\"_event\":\"flow\",\"_if\\u0061ce\":\"e0\",",
		"{\"_type\":\"event\",\"_event\":\"flow\",\"_iface\":\"e0\","
		    "\"_iface\":\"e1\",\"_type\":\"packet\",",
	};
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;
	char line[512];
	size_t i;

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, &o, &st);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(line, sizeof(line), "%s\"timestamp\":\"20.%06zu\","
		    "\"TCP_EVENT_TYPE\":\"CONNECT\",\"IPV4_SRC_ADDR\":"
		    "\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.2\","
		    "\"PROTOCOL\":6,\"L4_SRC_PORT\":999,\"L4_DST_PORT\":80}",
		    lines[i], i);
		feed(fa, line);
	}
	/* Not events: an _event of another kind, a _type of another. */
	feed(fa, "{\"_type\":\"event\",\"_event\":\"other\",\"_iface\":\"e0\"}");
	feed(fa, "{\"_iface\":\"e0\",\"_type\":\"flow\"}");
	feed(fa, "{\"_iface\":\"e0\"}");
	flowagg_finish(fa);
	CHECK(o.n == 1);
	CHECK(strstr(o.all.p, "\"FLOW_EVENTS\":7") != NULL);
	CHECK_CTR(st, "flow_events", 7);
	CHECK_CTR(st, "other_events", 1);
	CHECK_CTR(st, "unknown_type", 1);
	CHECK_CTR(st, "no_type", 1);
	flowagg_destroy(&fa);
	stats_destroy(&st);
	sbuf_free(&o.all);
}

/* An event and its copies for other interfaces (ev-route's _from, another
 * _iface) follow each other with the same members past the "_" ones,
 * which are then not read again: each copy must still count as read, and
 * a copy that differs in any later byte must be read again. */
static void
test_copies(void)
{
	static const char *const heads[] = {
		"{\"_type\":\"event\",\"_event\":\"flow\",\"_iface\":\"c\",",
		"{\"_from\":\"c\",\"_type\":\"event\",\"_event\":\"flow\","
		    "\"_iface\":\"e0\",",
		"{\"_from\":\"c\",\"_type\":\"event\",\"_event\":\"flow\","
		    "\"_iface\":\"e1\",",
		"{\"_from\":\"c\",\"_type\":\"event\",\"_event\":\"flow\","
		    "\"_iface\":\"e2\",",
	};
	/* The last copy's process differs in its last byte only. */
	static const char *const pids[] = { "42", "42", "42", "43" };
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;
	char line[512];
	size_t i;

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, &o, &st);
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		snprintf(line, sizeof(line), "%s\"timestamp\":\"20.5\","
		    "\"IF_NAME\":\"e\\u0030\",\"TCP_EVENT_TYPE\":\"CONNECT\","
		    "\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IPV4_DST_ADDR\":"
		    "\"10.0.0.2\",\"PROTOCOL\":6,\"L4_SRC_PORT\":999,"
		    "\"L4_DST_PORT\":99999,\"LOCAL_PROCESS\":{\"PID\":%s}}",
		    heads[i], pids[i]);
		feed(fa, line);
	}
	flowagg_finish(fa);
	CHECK(o.n == 4);
	CHECK_CTR(st, "flow_events", 4);
	CHECK_CTR(st, "bad_port", 4);	/* each copy counts its bad port */
	CHECK(strstr(o.all.p, "\"_iface\":\"e1\",\"IP_PROTOCOL_VERSION\":4,"
	    "\"IPV4_SRC_ADDR\":\"10.0.0.1\"") != NULL);
	CHECK(strstr(strstr(o.all.p, "\"_iface\":\"e1\""),
	    "\"SRC_PROC_PID\":42") != NULL);
	CHECK(strstr(strstr(o.all.p, "\"_iface\":\"e2\""),
	    "\"SRC_PROC_PID\":43") != NULL);
	flowagg_destroy(&fa);
	stats_destroy(&st);
	sbuf_free(&o.all);
}

/* The two fields are the same member, the same text at the same place. */
static bool
same_field(const struct rec_field *a, const struct rec_field *b)
{
	return a->key == b->key && a->klen == b->klen && a->val == b->val &&
	    a->vlen == b->vlen && a->kind == b->kind && a->kesc == b->kesc &&
	    a->vesc == b->vesc;
}

/* fa_parse() of line[0..n) gives want and the record ref (if valid);
 * returns 1 if it parsed the line in two parts. */
static int
copy_check(struct flowagg *fa, const char *line, size_t n,
    const struct record *ref, int want)
{
	const struct record *r;
	size_t i;
	int rc;

	rc = fa_parse(fa, line, n, &r);
	CHECK(rc == want);
	if (rc != REC_OK || want != REC_OK)
		return 0;
	CHECK(r->text == ref->text && r->len == ref->len &&
	    r->compact == ref->compact && r->nf == ref->nf);
	for (i = 0; i < r->nf && i < ref->nf; i++)
		CHECK(same_field(&r->f[i], &ref->f[i]));
	return r != &fa->rec;
}

/* Parses heads[h] + body + a tail with fa_parse() after the event whose
 * members body is (and the line between, if not NULL), and compares with
 * record_parse(); returns how many were parsed in two parts. */
static int
copy_parse(struct flowagg *fa, const char *body, const char *between)
{
	static const char *const heads[] = {
		"{\"_from\":\"c\",\"_type\":\"event\",\"_iface\":\"e0\",",
		"{\"_iface\":\"e1\" ,",		/* not compact */
		" \t{\"_iface\":\"e1\",",	/* leading white space */
		/* Events with a member of their own before the kept ones. */
		"{\"_type\":\"event\",\"_iface\":\"e2\",\"x\":{\"y\":[1,{}]},",
		"{\"_type\":\"event\",\"_iface\":\"e2\",\"x\":\"a,\\\"\",",
		"{,", "{", "", ",", "{\"_iface\":\"e3\"", "{\"_iface\":,",
		"{\"_iface\":\"x,", "{\"_iface\":[,", "{\"_iface\":{\"a\":,",
		"{\"_iface\":\"e3\",,", "[{\"_iface\":\"e3\",",
		"{\"_iface\":\"e3\"},", "{\"_iface\":\"\xff\",",
	};
	static const char *const tails[] = { "", " ", "\n", "}", "x" };
	struct record ref = RECORD_INIT;
	char line[1024];
	size_t h, t, n;
	int want, fast = 0;

	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
		for (t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
			/* The original, read again: its members are kept. */
			n = (size_t)snprintf(line, sizeof(line),
			    "{\"_type\":\"event\",\"_iface\":\"c\",%s", body);
			flowagg_line(fa, line, n);
			if (between != NULL)
				feed(fa, between);
			n = (size_t)snprintf(line, sizeof(line), "%s%s%s",
			    heads[h], body, tails[t]);
			want = record_parse(&ref, line, n);
			fast += copy_check(fa, line, n, &ref, want);
			/* Read, and then seen again right after. */
			flowagg_line(fa, line, n);
			fast += copy_check(fa, line, n, &ref, want);
		}
	record_free(&ref);
	return fast;
}

/* After many events that were no copies, copies are noticed again when
 * they begin (parsed in two parts), and every event is read right. */
static void
test_copies_begin(void)
{
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;
	const struct record *r;
	char line[512], copy[512];
	int i, n, fast = 0;

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, &o, &st);
	for (i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "{\"_type\":\"event\","
		    "\"_iface\":\"c\",\"timestamp\":\"20.5\","
		    "\"TCP_EVENT_TYPE\":\"CONNECT\",\"IPV4_SRC_ADDR\":"
		    "\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.2\","
		    "\"PROTOCOL\":6,\"L4_SRC_PORT\":%d,\"L4_DST_PORT\":80}",
		    1000 + i);
		feed(fa, line);
		if (i < 60)
			continue;
		n = snprintf(copy, sizeof(copy), "{\"_from\":\"c\",%s",
		    line + 1);
		fast += fa_parse(fa, copy, (size_t)n, &r) == REC_OK &&
		    r != &fa->rec;
		feed(fa, copy);
	}
	flowagg_finish(fa);
	CHECK(fast >= 40 - 16);
	CHECK_CTR(st, "flow_events", 140);
	CHECK_CTR(st, "flows_created", 100);
	flowagg_destroy(&fa);
	stats_destroy(&st);
	sbuf_free(&o.all);
}

/* Flow records and their copies: a copy has the application fields of
 * its original, and a record after one without any is walked again. */
static void
test_copies_l7(void)
{
	static const char *const recs[] = {
		"\"IN_BYTES\":10,\"FIRST_SWITCHED\":20,\"LAST_SWITCHED\":20}",
		"\"IN_BYTES\":10,\"FIRST_SWITCHED\":20,\"LAST_SWITCHED\":20,"
		    "\"HTTP_HOST\":\"h.example\"}",
	};
	static const char *const ifs[][2] = { { "c", "e0" }, { "c", "e1" } };
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;
	char line[512];
	const char *e;
	size_t i, j;

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, &o, &st);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			snprintf(line, sizeof(line), "{%s\"_type\":\"event\","
			    "\"_iface\":\"%s\",\"timestamp\":\"20.5\","
			    "\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IPV4_DST_ADDR\":"
			    "\"10.0.0.%zu\",\"PROTOCOL\":6,\"L4_SRC_PORT\":999,"
			    "\"L4_DST_PORT\":80,%s", j ? "\"_from\":\"c\"," : "",
			    ifs[i][j], 2 + i, recs[i]);
			feed(fa, line);
		}
	flowagg_finish(fa);
	CHECK(o.n == 4);
	CHECK_CTR(st, "flow_records", 4);
	/* Not on e0's line. */
	CHECK((e = strstr(o.all.p, "\"_iface\":\"e0\"")) != NULL &&
	    (strstr(e, "HTTP_HOST") == NULL ||
	    strstr(e, "HTTP_HOST") > strchr(e, '\n')));
	CHECK((e = strstr(o.all.p, "\"_iface\":\"e1\"")) != NULL &&
	    strstr(e, "\"HTTP_HOST\":\"h.example\"") != NULL &&
	    strstr(e, "\"HTTP_HOST\":\"h.example\"") < strchr(e, '\n'));
	flowagg_destroy(&fa);
	stats_destroy(&st);
	sbuf_free(&o.all);
}

#define COPY_BODY	"\"timestamp\":\"20.5\",\"IF_NAME\":\"e\\u0030\"," \
	"\"TCP_EVENT_TYPE\":\"CONNECT\",\"IPV4_SRC_ADDR\":\"10.0.0.1\"," \
	"\"IPV4_DST_ADDR\":\"10.0.0.2\",\"PROTOCOL\":6,\"L4_SRC_PORT\":999," \
	"\"L4_DST_PORT\":80,\"LOCAL_PROCESS\":{\"PID\":42," \
	"\"PROCESS_PATH\":\"\\/bin\\/sh\"}}"

/* A line that ends with the last event's members is parsed in two parts
 * (fa_parse()): every answer must be record_parse()'s, valid or not, for
 * whatever comes before those members. */
static void
test_copy_parse(void)
{
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, &o, &st);
	/* The first five heads without a tail, each twice but the two
	 * events whose members kept then start with their "x". */
	CHECK(copy_parse(fa, COPY_BODY, NULL) == 8);
	/* A line parsed whole in between: fa->rec no longer holds the
	 * event's members until an event is read again. */
	CHECK(copy_parse(fa, COPY_BODY, PKT("1.0", "10.0.0.1", "1",
	    "10.0.0.2", "2", "2", "60")) == 3);
	CHECK(copy_parse(fa, COPY_BODY, "{\"_type\":\"event\"}") == 3);
	/* Members that are not compact: a copy of them is not either, and
	 * is parsed whole, but for ev-route's splice of the first head
	 * (_from first, _iface changed), which is not parsed at all. */
	CHECK(copy_parse(fa, "\"timestamp\":\"20.5\",\"IPV4_SRC_ADDR\":"
	    "\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.2\",\"PROTOCOL\": 6}",
	    NULL) == 2);
	flowagg_destroy(&fa);
	stats_destroy(&st);
	sbuf_free(&o.all);
}

/* Event leads (after their '{') with a %s where the _iface value goes,
 * and values put there and first in a copy, as ev-route's _from. */
static const char *const splice_leads[] = {
	"\"_type\":\"event\",\"_iface\":%s,",
	"\"_type\":\"event\",\"_event\":\"flow\",\"_topic\":\"flow\","
	    "\"_iface\":%s,\"_rx\":1.5,",
	"\"_iface\":%s,\"_type\":\"event\",",
	"\"_type\":\"event\",\"_iface\":%s,\"_iface\":\"d\",",
	"\"_type\":\"event\", \"_iface\" : %s ,",	/* not compact */
	"\"_type\":\"event\",\"_ifac\\u0065\":%s,",	/* escaped key */
	"\"_type\":\"event\",\"_x\":%s,",		/* no _iface */
};
static const char *const splice_vals[] = {
	"\"c\"", "\"tcp://127.0.0.1:5556c\"", "\"\"", "\"c\\u0030\"",
	"\"\\\"\"", "\"\xc3\xa9\"", "\"\xff\"", "\"a\x01\"", "\"a\x7f\"",
	"\"a\tb\"", "5", "null", "{\"a\":1}", "\"e0\" ", "\"e0", "\"e0\",",
	"",
};
#define NSPLICE(a)	(sizeof(a) / sizeof((a)[0]))

/* Members kept that are not compact: no copy of them is parsed in two
 * parts (fa_parse_copy()), so a copy not parsed is spliced. */
#define SPLICE_BODY	"\"timestamp\":\"20.5\",\"IPV4_SRC_ADDR\":\"10.0.0.1\"," \
	"\"IPV4_DST_ADDR\":\"10.0.0.2\",\"PROTOCOL\": 6,\"L4_SRC_PORT\":9," \
	"\"L4_DST_PORT\":80,\"LOCAL_PROCESS\":{\"PID\":42}}"

/* A line of event lead l: with _from s first (NULL: none) and the _iface
 * value t, then mutated by how (1: a byte changed, 2: a ',' removed, 3:
 * below). */
static size_t
splice_line(char *line, size_t size, size_t l, const char *s, const char *t,
    int how)
{
	/* Past the value and the byte after it. */
	size_t cut = (size_t)(strstr(splice_leads[l], "%s") -
	    splice_leads[l]) + strlen(t) + 1;
	char lead[256];
	int n;

	n = snprintf(lead, sizeof(lead), splice_leads[l], t);
	if (how == 3 && cut < (size_t)n)
		lead[cut] = '\0';	/* the members after the value */
	if (s == NULL)
		n = snprintf(line, size, "{%s%s", lead, SPLICE_BODY);
	else
		n = snprintf(line, size, "{\"_from\":%s,%s%s", s, lead,
		    SPLICE_BODY);
	if (how == 1 && n > 20)
		line[12] ^= 0x20;	/* a byte of _from or the lead */
	else if (how == 2 && n > 20)
		line[n - (int)sizeof(SPLICE_BODY) - 1] = ' ';	/* the ',' */
	return (size_t)n;
}

/* Reads the event of lead l and _iface value v, then compares fa_parse()
 * on a copy of it (splice_line()) with record_parse(); 1 if the copy was
 * not parsed whole. */
static int
splice_one(struct flowagg *fa, struct record *ref, size_t l, size_t v,
    const char *s, size_t t, int how)
{
	char line[1024];
	size_t n;

	n = splice_line(line, sizeof(line), l, NULL, splice_vals[v], 0);
	flowagg_line(fa, line, n);
	n = splice_line(line, sizeof(line), l, s, splice_vals[t], how);
	return copy_check(fa, line, n, ref, record_parse(ref, line, n));
}

/* ev-route's copies spliced from the event before them (fa_parse()
 * without parsing, fa_parse_spliced()): every answer must still be
 * record_parse()'s, whatever the values and the event's leading members,
 * and a copy whose _from is its event's _iface value is not parsed. */
static void
test_copy_spliced(void)
{
	struct flowagg_conf c;
	struct outbuf o;
	struct stats *st;
	struct flowagg *fa;
	struct record ref = RECORD_INIT;
	size_t l, v, s, t, ns = NSPLICE(splice_vals);
	int how, rc, fast = 0, spliced = 0;

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, &o, &st);
	for (l = 0; l < NSPLICE(splice_leads); l++)
		for (v = 0; v < 5; v++)
			for (s = 0; s <= ns; s++)
				for (t = 0; t < ns; t++)
					for (how = 0; how < 4; how++) {
						rc = splice_one(fa, &ref, l, v,
						    s < ns ? splice_vals[s] :
						    NULL, t, how);
						fast += rc;
						spliced += how == 0 && rc;
					}
	/* Leads 0 to 5 (the last has no _iface key; the escaped one is
	 * the dispatch's _iface), when _from is the event's _iface value
	 * or plain (the first three values) and the new value plain: for
	 * each of the first three event values 3 _from, for the next two
	 * 4, times 3 new values. */
	CHECK(spliced == 6 * (3 * 3 + 2 * 4) * 3);
	CHECK(fast > spliced);
	flowagg_destroy(&fa);
	stats_destroy(&st);
	sbuf_free(&o.all);
	record_free(&ref);
}

/* Feeds an event of lead fmt (its _iface value "c") and a copy for "e1"
 * with a line between them or not, and writes the flows into o. */
static void
heads_run(const char *fmt, bool between, struct outbuf *o, bool *spliced)
{
	struct flowagg_conf c;
	struct stats *st;
	struct flowagg *fa;
	char lead[256], line[1024];

	flowagg_defaults(&c);
	c.no_ifaces = true;
	fa = mk(&c, o, &st);
	snprintf(lead, sizeof(lead), fmt, "\"c\"");
	snprintf(line, sizeof(line), "{%s%s", lead, COPY_BODY);
	feed(fa, line);
	if (between)
		feed(fa, "{}");		/* parsed whole, into fa->rec */
	snprintf(lead, sizeof(lead), fmt, "\"e1\"");
	snprintf(line, sizeof(line), "{\"_from\":\"c\",%s%s", lead,
	    COPY_BODY);
	feed(fa, line);
	*spliced = fa->last.spliced;
	flowagg_finish(fa);
	flowagg_destroy(&fa);
	stats_destroy(&st);
}

/* A spliced copy is dispatched on its own members as if parsed whole
 * (fa_heads_of()): the same flows either way, whatever the order of the
 * pipeline's members and an escaped or second _iface. */
static void
test_copy_heads(void)
{
	static const char *const leads[] = {
		"\"_type\":\"event\",\"_iface\":%s,",
		"\"_ifac\\u0065\":\"x\",\"_type\":\"event\",\"_iface\":%s,",
		"\"_iface\":%s,\"_event\":\"flow\",\"_type\":\"event\",",
		"\"_type\":\"event\",\"_iface\":%s,\"_iface\":\"d\",",
		"\"_topic\":\"flow\",\"_type\":\"event\",\"_iface\":%s,",
		"\"_type\":\"event\",\"_event\":\"netstat\",\"_iface\":%s,",
		"\"_type\":\"event\",\"_event\":\"other\",\"_iface\":%s,",
	};
	struct outbuf a, b;
	bool sa, sb;
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
		heads_run(leads[i], false, &a, &sa);
		heads_run(leads[i], true, &b, &sb);
		CHECK(!sb && (a.n > 0 || i == 6));
		n += sa;
		/* An event that writes nothing leaves both buffers NULL,
		 * which memcmp may not be given even for 0 bytes. */
		CHECK(a.n == b.n && a.all.len == b.all.len &&
		    (a.all.len == 0 || memcmp(a.all.p, b.all.p,
		    a.all.len) == 0));
		sbuf_free(&a.all);
		sbuf_free(&b.all);
	}
	/* All but the "other" event, which is not read, and the escaped
	 * _iface, which is the dispatch's and not the one changed. */
	CHECK(n == 5);
}

static void
test_time(void)
{
	struct sbuf b = { 0 };

	sbuf_add_us(&b, 1718031245482913LL);
	CHECK_STR(b.p, "1718031245.482913");
	sbuf_reset(&b);
	sbuf_add_us(&b, 5);
	CHECK_STR(b.p, "0.000005");
	sbuf_free(&b);
}

int
main(void)
{
	test_packets();
	test_events();
	test_bad_and_lost();
	test_packet_times();
	test_dispatch();
	test_copies();
	test_copy_parse();
	test_copy_spliced();
	test_copy_heads();
	test_copies_begin();
	test_copies_l7();
	test_time();
	return unit_done("flowagg");
}
