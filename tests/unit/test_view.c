/* test_view.c - unit tests of common/view.c: feeding records, upserts,
 * eviction, sorting, filters, column layout, units, rates, details. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "stats.h"
#include "unit.h"
#include "view.h"

static int
feed(struct view *v, const char *s)
{
	return view_feed(v, s, strlen(s));
}

/* Line n (0-based) of text, in a static buffer. */
static const char *
line(const struct sbuf *b, int n)
{
	static char out[1024];
	const char *p = b->p, *e;

	if (p == NULL)
		return "";
	while (n-- > 0) {
		if ((p = strchr(p, '\n')) == NULL)
			return "";
		p++;
	}
	e = strchr(p, '\n');
	if (e == NULL)
		e = p + strlen(p);
	snprintf(out, sizeof(out), "%.*s", (int)(e - p), p);
	return out;
}

static int
nlines(const struct sbuf *b)
{
	int n = 0;
	size_t i;

	for (i = 0; i < b->len; i++)
		n += b->p[i] == '\n';
	return n;
}

#define F1 "{\"_type\":\"flow\",\"_iface\":\"eth0\",\"IPV4_SRC_ADDR\":" \
	"\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.2\",\"L4_SRC_PORT\":40000," \
	"\"L4_DST_PORT\":443,\"PROTOCOL\":6,\"IN_PKTS\":%d,\"IN_BYTES\":%d," \
	"\"OUT_PKTS\":%d,\"OUT_BYTES\":%d,\"FLOW_START_SEC\":100.0," \
	"\"FLOW_END_SEC\":%s,\"SRC_PROC_PID\":42,\"SRC_PROC_NAME\":" \
	"\"/usr/bin/curl\",\"SRC_PROC_USER_NAME\":\"alice\"," \
	"\"DST_PROC_PID\":7,\"DST_PROC_NAME\":\"/usr/sbin/nginx\"%s}"

static void
test_upsert_and_render(void)
{
	struct stats *st = stats_new("t");
	struct view *v = view_new(NULL, st);
	struct sbuf b = { 0 };
	struct view_info info;
	char rec[1024];

	snprintf(rec, sizeof(rec), F1, 2, 120, 1, 60, "101.0",
	    ",\"_interim\":true");
	CHECK(feed(v, rec) == 0);
	snprintf(rec, sizeof(rec), F1, 10, 2048, 20, 3 * 1048576, "102.0",
	    ",\"FLOW_END_REASON\":\"fin\"");
	CHECK(feed(v, rec) == 0);

	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 1);
	CHECK_STR(line(&b, 0), "IFACE PROTO CLIENT         SERVER       "
	    "  C2S   S2C BYTES PKTS    RATE   THRPT CPROC SPROC CUSER SUSER "
	    "CCONT SCONT LAT STATE");
	/* RATE: 3 MB over the two seconds of record time seen. */
	CHECK_STR(line(&b, 1), "eth0  tcp   10.0.0.1:40000 10.0.0.2:443 "
	    "2.0KB 3.0MB 3.0MB   30 1.5MB/s 1.5MB/s curl  nginx alice -     "
	    "-     -       - fin");
	sbuf_reset(&b);

	/* The processes of both ends, each once, the server's sending
	 * most. */
	view_render(v, VIEW_PROCS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 2);
	CHECK(strstr(line(&b, 1), "nginx") != NULL);
	CHECK(strstr(line(&b, 2), "curl") != NULL);
	CHECK(strstr(line(&b, 2), "alice") != NULL);
	sbuf_reset(&b);

	/* The detail line carries the full paths; a uid not sent is not
	 * shown (it is unknown, not root). */
	CHECK(view_detail(v, VIEW_PROCS, 1, 0, &b) == 0);
	CHECK_STR(b.p, "/usr/bin/curl[42]");
	sbuf_reset(&b);
	CHECK(view_detail(v, VIEW_PROCS, 5, 0, &b) == -1);

	/* The interface row counts the flow's packets and bytes. */
	view_render(v, VIEW_IFACES, 0, 0, -1, &b, &info);
	CHECK(info.rows == 1);
	CHECK_STR(line(&b, 1), "eth0  -      30 3.0MB      0     1  -   -"
	    "     -      -    - -");
	sbuf_free(&b);
	view_destroy(&v);
	CHECK(v == NULL);
	stats_destroy(&st);
}

static void
test_width_layout(void)
{
	struct stats *st = stats_new("t");
	struct view *v = view_new(NULL, st);
	struct sbuf b = { 0 };
	char rec[1024];
	int w;

	snprintf(rec, sizeof(rec), F1, 1, 100, 1, 100, "101.0", "");
	feed(v, rec);
	for (w = 20; w <= 200; w += 15) {
		const char *p;
		int i;

		sbuf_reset(&b);
		view_render(v, VIEW_FLOWS, w, 0, -1, &b, NULL);
		for (i = 0; i < nlines(&b); i++) {
			p = line(&b, i);
			CHECK((int)strlen(p) <= w);
		}
	}
	/* At 80 the addresses, bytes each way and processes are shown. */
	sbuf_reset(&b);
	view_render(v, VIEW_FLOWS, 80, 0, -1, &b, NULL);
	CHECK_STR(line(&b, 0), "PROTO CLIENT            SERVER            "
	    "   C2S    S2C CPROC    SPROC    STATE");
	/* A long cell is cut and marked, addresses keep their end. */
	sbuf_reset(&b);
	view_render(v, VIEW_FLOWS, 40, 0, -1, &b, NULL);
	CHECK_STR(line(&b, 0), "CLIENT               SERVER");
	CHECK_STR(line(&b, 1), "10.0.0.1:40000       10.0.0.2:443");
	sbuf_free(&b);
	view_destroy(&v);
	stats_destroy(&st);
}

static void
test_sort_filter(void)
{
	struct stats *st = stats_new("t");
	struct view *v = view_new(NULL, st);
	struct sbuf b = { 0 };
	struct view_info info;
	char rec[512];
	const char *name;
	bool desc;
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(rec, sizeof(rec), "{\"_type\":\"flow\",\"_iface\":"
		    "\"%s\",\"IPV4_SRC_ADDR\":\"10.0.0.%d\",\"IPV4_DST_ADDR\":"
		    "\"10.9.9.9\",\"L4_SRC_PORT\":%d,\"L4_DST_PORT\":80,"
		    "\"PROTOCOL\":6,\"IN_BYTES\":%d,\"OUT_BYTES\":%d,"
		    "\"FLOW_END_SEC\":1000}", i % 2 ? "wlan0" : "eth0", i + 1, 1000 + i, (i + 1) * 100,
		    (4 - i) * 1000);
		CHECK(feed(v, rec) == 0);
	}
	name = view_sort_name(v, VIEW_FLOWS, &desc);
	CHECK_STR(name, "RATE");
	CHECK(desc);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 4);
	CHECK(strstr(line(&b, 1), "10.0.0.1:1000") != NULL);
	CHECK(strstr(line(&b, 4), "10.0.0.4:1003") != NULL);

	/* By C2S, ascending, then reversed. */
	CHECK(view_sort_by(v, VIEW_FLOWS, "c2s") == 0);
	view_sort_reverse(v, VIEW_FLOWS);
	sbuf_reset(&b);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(strstr(line(&b, 1), "10.0.0.1:1000") != NULL);
	CHECK(strstr(line(&b, 4), "10.0.0.4:1003") != NULL);
	CHECK(view_sort_by(v, VIEW_FLOWS, "nope") == -1);

	/* Moving the sort column walks the columns shown at the width. */
	view_sort_by(v, VIEW_FLOWS, "CLIENT");
	view_sort_move(v, VIEW_FLOWS, 1, 80);
	CHECK_STR(view_sort_name(v, VIEW_FLOWS, &desc), "SERVER");
	view_sort_move(v, VIEW_FLOWS, -2, 80);
	CHECK_STR(view_sort_name(v, VIEW_FLOWS, &desc), "PROTO");
	/* Two interfaces, no processes: IFACE and RATE fit in 80. */
	view_sort_move(v, VIEW_FLOWS, -1, 80);
	CHECK_STR(view_sort_name(v, VIEW_FLOWS, &desc), "IFACE");
	view_sort_move(v, VIEW_FLOWS, -1, 80);
	CHECK_STR(view_sort_name(v, VIEW_FLOWS, &desc), "STATE");

	/* The interface filter, and its cycle: eth0, wlan0, all. */
	CHECK_STR(view_iface_next(v), "eth0");
	sbuf_reset(&b);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 2);
	CHECK_STR(view_iface_next(v), "wlan0");
	CHECK(view_iface_next(v) == NULL);
	view_set_iface(v, "ppp9");
	sbuf_reset(&b);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 0);
	view_set_iface(v, NULL);

	/* The text filter, case-insensitive, over every column. */
	view_set_filter(v, "0.0.3");
	sbuf_reset(&b);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 1);
	CHECK(strstr(line(&b, 1), "10.0.0.3:1002") != NULL);
	view_set_filter(v, "WLAN");
	sbuf_reset(&b);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 2);
	CHECK_STR(view_filter(v), "WLAN");
	view_set_filter(v, "");
	CHECK(view_filter(v) == NULL);

	/* Paging: two rows from the second on. */
	sbuf_reset(&b);
	CHECK(view_render(v, VIEW_FLOWS, 0, 1, 2, &b, &info) == 2);
	CHECK(nlines(&b) == 3);
	sbuf_free(&b);
	view_destroy(&v);
	stats_destroy(&st);
}

static void
test_evict_and_bad(void)
{
	struct view_conf c = { .max_flows = 2, .max_events = 3 };
	struct stats *st = stats_new("t");
	struct view *v = view_new(&c, st);
	struct sbuf b = { 0 };
	struct view_info info;
	char rec[512];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(rec, sizeof(rec), "{\"_type\":\"flow\",\"_iface\":"
		    "\"e\",\"IPV4_SRC_ADDR\":\"10.0.0.%d\",\"IPV4_DST_ADDR\":"
		    "\"10.9.9.9\",\"L4_SRC_PORT\":1,\"L4_DST_PORT\":2,"
		    "\"PROTOCOL\":17,\"FLOW_END_SEC\":999}", i);
		feed(v, rec);
	}
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 2);
	CHECK_CTR(st, "flows_evicted", 1);
	CHECK(strstr(b.p, "10.0.0.0:1") == NULL);

	/* Malformed and ill-typed records are counted, never fatal. */
	CHECK(feed(v, "{\"_type\":") == -1);
	CHECK(feed(v, "[1]") == -1);
	CHECK(feed(v, "") == -1);
	CHECK(feed(v, "{\"_type\":\"flow\",\"IPV4_SRC_ADDR\":1}") == -1);
	CHECK(feed(v, "{\"_type\":\"flow\",\"IPV4_SRC_ADDR\":\"a\","
	    "\"IPV4_DST_ADDR\":\"b\",\"L4_SRC_PORT\":99999}") == -1);
	CHECK(feed(v, "{\"_type\":\"what\"}") == 1);
	CHECK(feed(v, "{\"x\":1}") == 1);
	CHECK_CTR(st, "malformed", 3);
	CHECK_CTR(st, "bad_field", 2);
	CHECK_CTR(st, "other_records", 2);
	view_count_overlong(v, 4);
	sbuf_reset(&b);
	view_header(v, 0, &b);
	CHECK(strstr(line(&b, 0), "bad 9") != NULL);
	CHECK_STR(line(&b, 1), "drops: show_evicted 1");

	/* A producer's control characters never reach the screen. */
	CHECK(feed(v, "{\"_type\":\"event\",\"_iface\":\"e\\u001b[2J\","
	    "\"LOCAL_PROCESS\":{\"PROCESS_PATH\":\"/bin/a\\nb\"}}") == 0);
	sbuf_reset(&b);
	view_render(v, VIEW_EVENTS, 0, 0, -1, &b, &info);
	CHECK(strstr(b.p, "e?[2J") != NULL);
	CHECK(strstr(b.p, " a?b") != NULL);
	CHECK(strchr(b.p, 0x1b) == NULL);

	/* The event ring keeps the last three, newest first. */
	for (i = 0; i < 5; i++) {
		snprintf(rec, sizeof(rec), "{\"_type\":\"event\",\"_iface\":"
		    "\"z\",\"timestamp\":\"%d.5\",\"TCP_EVENT_TYPE\":\"CLOSE\","
		    "\"IPV4_LOCAL_ADDR\":\"1.1.1.%d\",\"L4_LOCAL_PORT\":%d}",
		    1000 + i, i, i);
		CHECK(feed(v, rec) == 0);
	}
	sbuf_reset(&b);
	view_render(v, VIEW_EVENTS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 3);
	CHECK(strstr(line(&b, 1), "1.1.1.4:4") != NULL);
	CHECK(strstr(line(&b, 1), "00:16:44.500") != NULL);
	CHECK(strstr(line(&b, 3), "1.1.1.2:2") != NULL);
	/* Five events over five seconds of record time. */
	sbuf_reset(&b);
	view_header(v, 0, &b);
	CHECK(strncmp(line(&b, 0), "events 1.0/s  packets 0.0pps  flows 2",
	    37) == 0);
	sbuf_free(&b);
	view_destroy(&v);
	stats_destroy(&st);
}

static void
test_listen_counters(void)
{
	struct stats *st = stats_new("t");
	struct view *v = view_new(NULL, st);
	struct sbuf b = { 0 };
	struct view_info info;

	CHECK(feed(v, "{\"_type\":\"event\",\"_iface\":\"z\",\"listening-ports"
	    "\":{\"tcp4\":[{\"port\":22,\"proc\":\"/usr/sbin/sshd\",\"pkg\":"
	    "\"ssh\"},{\"port\":80,\"proc\":\"/usr/sbin/nginx\"}],\"udp6\":"
	    "[]},\"ip-addresses\":[\"192.0.2.1\"]}") == 0);
	view_render(v, VIEW_LISTEN, 0, 0, -1, &b, &info);
	CHECK(info.rows == 2);
	/* A new snapshot of the same host replaces the old one. */
	CHECK(feed(v, "{\"_type\":\"event\",\"_iface\":\"z\",\"listening-ports"
	    "\":{\"udp4\":[{\"port\":53,\"proc\":\"/usr/sbin/dnsmasq\"}]},"
	    "\"ip-addresses\":[\"192.0.2.1\"]}") == 0);
	/* flow-agg's iface summary: counters by ifName, sockets by host. */
	CHECK(feed(v, "{\"_type\":\"iface\",\"_iface\":\"eth1\",\"PACKETS\":7,"
	    "\"BYTES\":2048,\"EVENTS\":3,\"FLOWS_ACTIVE\":1,\"FLOWS_EXPIRED\""
	    ":2,\"IF_COUNTERS\":{\"veth9\":{\"ifInOctets\":1048576,"
	    "\"ifInPackets\":10,\"ifOutOctets\":0,\"ifOutPackets\":0,"
	    "\"ifInErrors\":1,\"ifOutErrors\":1}},\"LISTENING\":[{"
	    "\"listening-ports\":{\"tcp6\":[{\"port\":443,\"proc\":\"x\"}]},"
	    "\"ip-addresses\":[\"2001:db8::1\"]}],\"ring_drops\":5}") == 0);
	sbuf_reset(&b);
	view_render(v, VIEW_LISTEN, 0, 0, -1, &b, &info);
	CHECK(info.rows == 2);
	CHECK_STR(line(&b, 1), "z     192.0.2.1   udp4    53 dnsmasq -    "
	    "   /usr/sbin/dnsmasq");
	CHECK_STR(line(&b, 2), "eth1  2001:db8::1 tcp6   443 x       -    "
	    "   x");
	sbuf_reset(&b);
	view_render(v, VIEW_IFACES, 0, 0, -1, &b, &info);
	CHECK(info.rows == 3);
	CHECK_STR(line(&b, 1), "eth1  -           7 2.0KB      3     3     "
	    "-   -     -      -    - -");
	CHECK_STR(line(&b, 2), "veth9 counters    0    0B      0     0 "
	    "1.0MB  0B    10      0    2 eth1");
	sbuf_reset(&b);
	view_header(v, 0, &b);
	CHECK_STR(line(&b, 1), "drops: ring_drops 5");
	CHECK(view_kind_byname("proc") == VIEW_PROCS);
	CHECK(view_kind_byname("ifaces") == VIEW_IFACES);
	CHECK(view_kind_byname("x") == -1);
	CHECK_STR(view_name(VIEW_LISTEN), "Listening");
	sbuf_free(&b);
	view_destroy(&v);
	stats_destroy(&st);
}

/* Flows share interned process blocks; eviction and updates keep the
 * per-process rows right. */
static void
test_shared_procs(void)
{
	struct view_conf c = { .max_flows = 2 };
	struct stats *st = stats_new("t");
	struct view *v = view_new(&c, st);
	struct sbuf b = { 0 };
	struct view_info info;
	char rec[512];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(rec, sizeof(rec), "{\"_type\":\"flow\",\"_iface\":"
		    "\"e\",\"IPV4_SRC_ADDR\":\"10.0.0.%d\",\"IPV4_DST_ADDR\":"
		    "\"10.9.9.9\",\"L4_SRC_PORT\":1,\"L4_DST_PORT\":2,"
		    "\"PROTOCOL\":6,\"IN_BYTES\":10,\"SRC_PROC_PID\":5,"
		    "\"SRC_PROC_NAME\":\"/usr/bin/curl\",\"SRC_PROC_USER_NAME\":"
		    "\"alice\"}", i);
		CHECK(feed(v, rec) == 0);
	}
	view_render(v, VIEW_PROCS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 1);
	CHECK(strstr(line(&b, 1), "curl      5 alice -      -             2   2 "
	    "  0  20B") != NULL);
	/* The second flow's client changes user: the flows no longer share
	 * a block, and the other flow keeps its own. */
	CHECK(feed(v, "{\"_type\":\"flow\",\"_iface\":\"e\",\"IPV4_SRC_ADDR"
	    "\":\"10.0.0.2\",\"IPV4_DST_ADDR\":\"10.9.9.9\",\"L4_SRC_PORT\""
	    ":1,\"L4_DST_PORT\":2,\"PROTOCOL\":6,\"SRC_PROC_PID\":5,"
	    "\"SRC_PROC_USER_NAME\":\"bob\"}") == 0);
	sbuf_reset(&b);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 2);
	/* No flow has a server process: SPROC is not shown. */
	CHECK(strstr(line(&b, 1), " curl  alice ") != NULL);
	CHECK(strstr(line(&b, 2), " curl  bob ") != NULL);
	/* One process (same pid, path, container): one row, two flows. */
	sbuf_reset(&b);
	view_render(v, VIEW_PROCS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 1);
	sbuf_free(&b);
	view_destroy(&v);
	stats_destroy(&st);
}


#define PK "{\"_type\":\"packet\",\"_iface\":\"eth0\",\"timestamp\":\"%s\"," \
	"\"PROTOCOL\":6,\"IPV4_SRC_ADDR\":\"%s\",\"IPV4_DST_ADDR\":\"%s\"," \
	"\"L4_SRC_PORT\":%d,\"L4_DST_PORT\":%d,\"BYTES\":%d%s}"

/* Packet records make flows as iftop counts them: both directions one
 * flow, the first packet's source the client, a rate per flow; their
 * application fields give the APP column and the Applications view. */
static void
test_packets_apps(void)
{
	struct stats *st = stats_new("t");
	struct view *v = view_new(NULL, st);
	struct sbuf b = { 0 };
	struct view_info info;
	char rec[1024];

	snprintf(rec, sizeof(rec), PK, "10.2", "10.0.0.1", "10.0.0.2", 5000,
	    443, 100, ",\"L7_PROTO\":\"91.126\",\"L7_PROTO_NAME\":"
	    "\"TLS.Google\",\"L7_CATEGORY\":\"Web\",\"TLS_SERVER_NAME\":"
	    "\"www.google.com\"");
	CHECK(feed(v, rec) == 0);
	snprintf(rec, sizeof(rec), PK, "11.5", "10.0.0.2", "10.0.0.1", 443,
	    5000, 1000, "");
	CHECK(feed(v, rec) == 0);
	snprintf(rec, sizeof(rec), PK, "12.0", "10.0.0.3", "10.0.0.4", 6000,
	    80, 50, ",\"L7_PROTO_NAME\":\"HTTP\",\"HTTP_HOST\":\"a.example\"");
	CHECK(feed(v, rec) == 0);
	CHECK_CTR(st, "packet_records", 3);

	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 2);
	/* No processes: no CPROC, SPROC; RATE over the 3 s seen. */
	CHECK_STR(line(&b, 0), "IFACE PROTO APP        CLIENT        SERVER  "
	    "      C2S   S2C BYTES PKTS   RATE  THRPT CUSER SUSER CCONT SCONT "
	    "LAT STATE");
	CHECK_STR(line(&b, 1), "eth0  tcp   TLS.Google 10.0.0.1:5000 "
	    "10.0.0.2:443 100B 1000B 1.1KB    2 367B/s 846B/s -     -     -     "
	    "-       - active");
	CHECK(strstr(line(&b, 2), " HTTP ") != NULL);
	sbuf_reset(&b);
	CHECK(view_detail(v, VIEW_FLOWS, 0, 0, &b) == 0);
	CHECK(strncmp(b.p, "app TLS.Google (91.126) Web | sni www.google.com"
	    " | client -", 59) == 0);
	sbuf_reset(&b);

	view_render(v, VIEW_APPS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 2);
	CHECK_STR(line(&b, 0), "APP        CATEGORY FLOWS BYTES  C2S   S2C "
	    "  RATE PROCS PROCESSES");
	CHECK_STR(line(&b, 1), "TLS.Google Web          1 1.1KB 100B 1000B "
	    "367B/s     0 -");
	sbuf_reset(&b);
	CHECK(view_detail(v, VIEW_APPS, 1, 0, &b) == 0);
	CHECK_STR(b.p, "HTTP: processes - | hosts a.example");
	CHECK(view_kind_byname("apps") == VIEW_APPS);
	CHECK(view_kind_byname("app") == VIEW_APPS);
	sbuf_free(&b);
	view_destroy(&v);
	stats_destroy(&st);
}

/* The view's clock: finished flows leave after the linger, silent ones
 * after the idle time; view_tick moves the clock on with the wall clock
 * only once records have stopped for a second. */
static void
test_clock_expire(void)
{
	struct view_conf c = { .linger = 5, .idle = 30 };
	struct stats *st = stats_new("t");
	struct view *v = view_new(&c, st);
	struct sbuf b = { 0 };
	struct view_info info;
	char rec[1024];

	snprintf(rec, sizeof(rec), F1, 1, 10, 1, 10, "100.0",
	    ",\"FLOW_END_REASON\":\"fin\"");
	CHECK(feed(v, rec) == 0);
	snprintf(rec, sizeof(rec), PK, "101.0", "10.0.0.7", "10.0.0.8", 1, 2,
	    60, "");
	CHECK(feed(v, rec) == 0);
	CHECK(view_clock(v) == 101.0);
	view_tick(v, 5000.0);		/* records came: the clock stays */
	view_tick(v, 5000.5);
	CHECK(view_clock(v) == 101.0);
	view_tick(v, 5004.0);		/* quiet for 4 s */
	CHECK(view_clock(v) == 105.0);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 1);		/* the fin flow left at 105 */
	CHECK_CTR(st, "flows_expired", 1);
	/* A record from the past never moves the clock back. */
	snprintf(rec, sizeof(rec), PK, "102.0", "10.0.0.7", "10.0.0.8", 1, 2,
	    60, "");
	CHECK(feed(v, rec) == 0);
	view_tick(v, 5004.1);
	CHECK(view_clock(v) == 105.0);
	view_tick(v, 5040.0);		/* idle since the clock read 105 */
	CHECK(view_clock(v) > 140.89 && view_clock(v) < 140.91);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 0);
	CHECK_CTR(st, "flows_expired", 2);
	sbuf_free(&b);
	view_destroy(&v);
	stats_destroy(&st);
}


/* NetFlow field ids stand for the names they number; a name wins. */
static void
test_numeric_keys(void)
{
	struct stats *st = stats_new("t");
	struct view *v = view_new(NULL, st);
	struct sbuf b = { 0 };
	struct view_info info;

	CHECK(feed(v, "{\"_type\":\"flow\",\"_iface\":\"sf\",\"8\":\"10.1.1.1\","
	    "\"12\":\"10.2.2.2\",\"7\":\"5555\",\"11\":80,\"4\":6,\"1\":1000,"
	    "\"23\":5000,\"2\":10,\"24\":12,\"IN_BYTES\":2048}") == 0);
	view_render(v, VIEW_FLOWS, 0, 0, -1, &b, &info);
	CHECK(info.rows == 1);
	CHECK(strncmp(line(&b, 1), "sf    tcp   10.1.1.1:5555 10.2.2.2:80 "
	    "2.0KB 4.9KB 6.9KB   22 ", 61) == 0);
	/* A uid sent without a user name shows as the uid, root too. */
	CHECK(feed(v, "{\"_type\":\"flow\",\"_iface\":\"sf\",\"8\":"
	    "\"10.1.1.1\",\"12\":\"10.2.2.2\",\"7\":5555,\"11\":80,\"4\":6,"
	    "\"SRC_PROC_PID\":1,\"SRC_PROC_NAME\":\"/sbin/init\","
	    "\"SRC_PROC_UID\":0}") == 0);
	sbuf_reset(&b);
	view_render(v, VIEW_PROCS, 0, 0, -1, &b, &info);
	CHECK(strstr(line(&b, 1), " init      1 0    -") != NULL);
	sbuf_free(&b);
	view_destroy(&v);
	stats_destroy(&st);
}

int
main(void)
{
	test_upsert_and_render();
	test_width_layout();
	test_sort_filter();
	test_evict_and_bad();
	test_listen_counters();
	test_shared_procs();
	test_packets_apps();
	test_clock_expire();
	test_numeric_keys();
	return unit_done("view");
}
