/* test_ntopout.c - unit tests for common/ntopout.c: ids, deltas of interim
 * records summing to the final totals, the nested client process only
 * where it cannot make counters absolute, iface summaries, latency, and
 * ev-emit's event form, its numbers as printf writes them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntopout.h"
#include "record.h"
#include "unit.h"

/* The messages of one conversion, "topic payload" joined by newlines. */
static struct sbuf got;
static int stop_after = -1;

static int
collect(void *arg, const char *topic, const char *p, size_t len)
{
	(void)arg;
	if (stop_after == 0)
		return 7;
	if (stop_after > 0)
		stop_after--;
	sbuf_adds(&got, topic);
	sbuf_addc(&got, ' ');
	sbuf_add(&got, p, len);
	sbuf_addc(&got, '\n');
	return 0;
}

static const char *
conv(struct ntopout *o, const char *rec)
{
	sbuf_reset(&got);
	sbuf_adds(&got, "");
	CHECK(ntopout_record(o, rec, strlen(rec), collect, NULL) == 0);
	return got.p;
}

#define FLOW(extra) "{\"_type\":\"flow\",\"_iface\":\"eth0\""		\
	",\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.2\","	\
	"\"L4_SRC_PORT\":40000,\"L4_DST_PORT\":80,\"PROTOCOL\":6" extra

static void
test_ids(void)
{
	struct ntopout *o = ntopout_new();

	CHECK_STR(conv(o, FLOW(",\"IN_PKTS\":3,\"CLIENT_TCP_FLAGS\":2,"
	    "\"SERVER_TCP_FLAGS\":18,\"TCP_CONN_STATE\":\"ESTABLISHED\","
	    "\"FLOW_EVENT_ONLY\":true,\"X\":null}")),
	    "flow {\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"7\":40000,"
	    "\"11\":80,\"4\":6,\"2\":3,\"57550\":2,\"57551\":18,"
	    "\"TCP_CONN_STATE\":\"ESTABLISHED\",\"FLOW_EVENT_ONLY\":1}\n");
	/* flow-agg's VLAN_ID is nProbe's SRC_VLAN (58). */
	CHECK_STR(conv(o, "{\"VLAN_ID\":7}"), "flow {\"58\":7}\n");
	/* Not a flow-agg flow: no deltas, still ids; white space goes. */
	CHECK_STR(conv(o, "{ \"IN_PKTS\": 5, \"LOCAL_PROCESS\": { \"PID\": 1 } }"),
	    "flow {\"2\":5,\"LOCAL_PROCESS\":{\"PID\":1}}\n");
	/* Other topics keep their names. */
	CHECK_STR(conv(o, "{\"_topic\":\"counter\",\"ifName\":\"eth0\","
	    "\"IN_PKTS\":1}"),
	    "counter {\"ifName\":\"eth0\",\"IN_PKTS\":1}\n");
	CHECK(ntopout_record(o, "[1]", 3, collect, NULL) == -1);
	CHECK(ntopout_record(o, "{", 1, collect, NULL) == -1);
	ntopout_free(&o);
	CHECK(o == NULL);
}

static void
test_deltas(void)
{
	struct ntopout *o = ntopout_new();

	CHECK_STR(conv(o, FLOW(",\"_interim\":true,\"IN_PKTS\":113,"
	    "\"IN_BYTES\":7544,\"OUT_PKTS\":285,\"OUT_BYTES\":423324}")),
	    "flow {\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"7\":40000,"
	    "\"11\":80,\"4\":6,\"2\":113,\"1\":7544,\"24\":285,"
	    "\"23\":423324}\n");
	CHECK(ntopout_flows(o) == 1);
	/* Another flow (other port) is apart. */
	conv(o, "{\"_type\":\"flow\",\"_iface\":\"eth0\",\"_interim\":true,"
	    "\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"L4_SRC_PORT\":1,\"IN_PKTS\":9}");
	CHECK(ntopout_flows(o) == 2);
	CHECK_STR(conv(o, FLOW(",\"_interim\":true,\"IN_PKTS\":114,"
	    "\"IN_BYTES\":7600,\"OUT_PKTS\":285,\"OUT_BYTES\":423324,"
	    "\"RETRANSMITTED_IN_PKTS\":1}")),
	    "flow {\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"7\":40000,"
	    "\"11\":80,\"4\":6,\"2\":1,\"1\":56,\"24\":0,\"23\":0,"
	    "\"57581\":1}\n");
	/* The final record: the rest, and the flow is forgotten. */
	CHECK_STR(conv(o, FLOW(",\"IN_PKTS\":115,\"IN_BYTES\":7672,"
	    "\"OUT_PKTS\":287,\"OUT_BYTES\":423452,"
	    "\"RETRANSMITTED_IN_PKTS\":1,\"FLOW_END_REASON\":\"idle\"}")),
	    "flow {\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"7\":40000,"
	    "\"11\":80,\"4\":6,\"2\":1,\"1\":72,\"24\":2,\"23\":128,"
	    "\"57581\":0,\"136\":\"idle\"}\n");
	CHECK(ntopout_flows(o) == 1);
	/* The same flow again starts from its full counts. */
	CHECK_STR(conv(o, FLOW(",\"IN_PKTS\":4}")),
	    "flow {\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"7\":40000,"
	    "\"11\":80,\"4\":6,\"2\":4}\n");
	/* Counters going back: a new flow under the same key. */
	conv(o, FLOW(",\"_interim\":true,\"IN_PKTS\":10}"));
	CHECK_STR(conv(o, FLOW(",\"_interim\":true,\"IN_PKTS\":3}")),
	    "flow {\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"7\":40000,"
	    "\"11\":80,\"4\":6,\"2\":3}\n");
	ntopout_free(&o);
}

/* Many interim flows: the table grows and every delta stays right. */
static void
test_many(void)
{
	struct ntopout *o = ntopout_new();
	char rec[256];
	unsigned i, round, bad = 0;

	for (round = 1; round <= 3; round++)
		for (i = 0; i < 500; i++) {
			snprintf(rec, sizeof(rec), "{\"_type\":\"flow\","
			    "\"_iface\":\"x\",%s\"L4_SRC_PORT\":%u,"
			    "\"IN_PKTS\":%u}", round < 3 ?
			    "\"_interim\":true," : "", i, round * (i + 1));
			sbuf_reset(&got);
			ntopout_record(o, rec, strlen(rec), collect, NULL);
			snprintf(rec, sizeof(rec), "flow {\"7\":%u,\"2\":%u}\n",
			    i, i + 1);
			if (strcmp(got.p, rec) != 0)
				bad++;
		}
	CHECK(bad == 0);
	CHECK(ntopout_flows(o) == 0);
	ntopout_free(&o);
}

static void
test_process(void)
{
	struct ntopout *o = ntopout_new();

	/* First record of the flow: the nested objects ride along. */
	CHECK_STR(conv(o, FLOW(",\"_interim\":true,\"IN_PKTS\":1,"
	    "\"SRC_PROC_PID\":4,\"SRC_PROC_NAME\":\"/usr/bin/curl\","
	    "\"SRC_PROC_UID\":1000,\"SRC_FATHER_PROC_NAME\":\"/bin/sh\","
	    "\"DST_PROC_PID\":9}")),
	    "flow {\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"7\":40000,"
	    "\"11\":80,\"4\":6,\"2\":1,\"57640\":4,\"57641\":\"/usr/bin/curl\","
	    "\"57897\":1000,\"57846\":\"/bin/sh\",\"57847\":9,"
	    "\"CLIENT_PROCESS\":{\"PID\":4,\"UID\":1000,"
	    "\"PROCESS_PATH\":\"/usr/bin/curl\"},"
	    "\"CLIENT_FATHER_PROCESS\":{\"PROCESS_PATH\":\"/bin/sh\"}}\n");
	/* Later records: the flat fields only. */
	CHECK_STR(conv(o, FLOW(",\"_interim\":true,\"IN_PKTS\":3,"
	    "\"SRC_PROC_PID\":4}")),
	    "flow {\"8\":\"10.0.0.1\",\"12\":\"10.0.0.2\",\"7\":40000,"
	    "\"11\":80,\"4\":6,\"2\":2,\"57640\":4}\n");
	/* A process learnt after the first record: a record of its own
	 * without counters, then the counters without the objects. */
	conv(o, "{\"_type\":\"flow\",\"_iface\":\"eth1\",\"_interim\":true,"
	    "\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IN_PKTS\":1}");
	CHECK_STR(conv(o, "{\"_type\":\"flow\",\"_iface\":\"eth1\","
	    "\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IN_PKTS\":5,"
	    "\"FIRST_SWITCHED\":10,\"SRC_PROC_PID\":4}"),
	    "flow {\"8\":\"10.0.0.1\",\"22\":10,"
	    "\"CLIENT_PROCESS\":{\"PID\":4}}\n"
	    "flow {\"8\":\"10.0.0.1\",\"2\":4,\"22\":10,\"57640\":4}\n");
	/* Not flow-agg's: no objects added. */
	CHECK_STR(conv(o, "{\"SRC_PROC_PID\":4}"), "flow {\"57640\":4}\n");
	/* A stop asked by the callback is handed back. */
	stop_after = 0;
	CHECK(ntopout_record(o, "{\"a\":1}", 7, collect, NULL) == 7);
	stop_after = -1;
	ntopout_free(&o);
}

static void
test_iface(void)
{
	struct ntopout *o = ntopout_new();

	CHECK_STR(conv(o, "{\"_type\":\"iface\",\"_iface\":\"eth0\","
	    "\"PACKETS\":4,\"BYTES\":400}"), "");
	CHECK_STR(conv(o, "{\"_type\":\"iface\",\"_iface\":\"eth0\","
	    "\"PACKETS\":4,\"IF_COUNTERS\":{\"eth0\":{ \"ifName\": \"eth0\", "
	    "\"ifInOctets\": 5 },\"x\":3},\"LISTENING\":[ {\"listening-ports\":"
	    "{\"tcp4\":[]}} , 4, {\"b\":[1,2]} ]}"),
	    "counter {\"ifName\":\"eth0\",\"ifInOctets\":5}\n"
	    "listening-ports {\"listening-ports\":{\"tcp4\":[]}}\n"
	    "listening-ports {\"b\":[1,2]}\n");
	ntopout_free(&o);
}

static void
test_latency(void)
{
	struct ntopout *o = ntopout_new();
	struct record r = RECORD_INIT;
	struct sbuf b = { 0 };
	const char *ev;

	CHECK_STR(conv(o, "{\"TCP_EVENT_TYPE\":\"CONNECT\","
	    "\"NW_LATENCY_MS\":\"0.087\"}"),
	    "flow {\"TCP_EVENT_TYPE\":\"CONNECT\",\"57595\":0.087}\n");
	CHECK_STR(conv(o, "{\"TCP_EVENT_TYPE\":\"ACCEPT\","
	    "\"NW_LATENCY_MS\":1.5}"),
	    "flow {\"TCP_EVENT_TYPE\":\"ACCEPT\",\"57596\":1.5}\n");
	/* ev-emit's form: names kept, latency renamed in place. */
	ev = "{ \"_topic\": \"flow\", \"TCP_EVENT_TYPE\": \"ACCEPT\", "
	    "\"NW_LATENCY_MS\": \"0.041\", \"PID\": 3 }";
	CHECK(record_parse(&r, ev, strlen(ev)) == REC_OK);
	ntopout_event(&b, &r);
	CHECK_STR(b.p, "{\"TCP_EVENT_TYPE\":\"ACCEPT\","
	    "\"SERVER_NW_LATENCY_MS\":0.041,\"PID\":3}");
	/* Nothing to change: byte for byte. */
	ev = "{ \"NW_X\": \"0.041\" }";
	CHECK(record_parse(&r, ev, strlen(ev)) == REC_OK);
	sbuf_reset(&b);
	ntopout_event(&b, &r);
	CHECK_STR(b.p, ev);
	ev = "{\"NW_LATENCY_MS\":\"n/a\"}";
	CHECK(record_parse(&r, ev, strlen(ev)) == REC_OK);
	sbuf_reset(&b);
	ntopout_event(&b, &r);
	CHECK_STR(b.p, "{\"CLIENT_NW_LATENCY_MS\":\"n/a\"}");
	sbuf_free(&b);
	record_free(&r);
	ntopout_free(&o);
}

/* A plain decimal string: sign, 1-17 integer digits (leading zeros
 * too), no fraction or 1-17 fraction digits, often zeros at either end
 * or near 1e-4, so that both the hand-written form and printf's are
 * taken. */
static void
rand_decimal(char *s, uint64_t *seed)
{
	int i, ni, nf, zeros;

	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	ni = (int)(*seed >> 33) % 17 + 1;
	nf = (int)(*seed >> 41) % 19 - 1;
	zeros = (int)(*seed >> 50) % 7;
	if (*seed >> 63)
		*s++ = '-';
	for (i = 0; i < ni; i++) {
		*seed = *seed * 6364136223846793005ULL + 1ULL;
		*s++ = (char)('0' + (i < zeros / 2 ? 0 : (*seed >> 40) % 10));
	}
	if (nf > 0)
		*s++ = '.';
	for (i = 0; i < nf; i++) {
		*seed = *seed * 6364136223846793005ULL + 1ULL;
		*s++ = (char)('0' + (i < zeros ? 0 : (*seed >> 40) % 10));
	}
	*s = '\0';
}

/* ev-emit's latency as printf writes the double the text reads as:
 * "%.15g", or "%.17g" when that does not read back the same. */
static void
test_number_forms(void)
{
	char num[64], ev[128], want[128], buf[40];
	struct record r = { 0 };
	struct sbuf b = { 0 };
	uint64_t seed = 1;
	double d;
	int i, bad = 0;

	for (i = 0; i < 200000; i++) {
		rand_decimal(num, &seed);
		if (i < 6)	/* the edges, spelt out */
			strcpy(num, (const char *[]){ "-0.000", "0.0001",
			    "0.00009", "000", "100000000000000",
			    "999999999999999.9" }[i]);
		snprintf(ev, sizeof(ev), "{\"NW_LATENCY_MS\":\"%s\"}", num);
		d = strtod(num, NULL);
		snprintf(buf, sizeof(buf), "%.15g", d);
		if (strtod(buf, NULL) != d)
			snprintf(buf, sizeof(buf), "%.17g", d);
		snprintf(want, sizeof(want), "{\"CLIENT_NW_LATENCY_MS\":%s}",
		    buf);
		CHECK(record_parse(&r, ev, strlen(ev)) == REC_OK);
		sbuf_reset(&b);
		ntopout_event(&b, &r);
		if (strcmp(b.p, want) != 0 && bad++ < 5)
			fprintf(stderr, "%s: got %s, want %s\n", num, b.p, want);
	}
	CHECK(bad == 0);
	sbuf_free(&b);
	record_free(&r);
}

int
main(void)
{
	test_ids();
	test_deltas();
	test_many();
	test_process();
	test_iface();
	test_latency();
	test_number_forms();
	sbuf_free(&got);
	return unit_done("ntopout");
}
