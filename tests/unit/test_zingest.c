/* test_zingest.c - the zmq-ingest and ev-emit cores (common/zingest.c,
 * common/emit.c) as threads of one process over inproc:// sockets: the
 * emitter binds, the collector connects, records land in a file. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "emit.h"
#include "sink.h"
#include "stats.h"
#include "zingest.h"
#include "unit.h"

struct run {
	struct zingest	*z;
	struct sink	*out;
	int		 rc;
};

static volatile sig_atomic_t stop_ingest, stop_emit;

static void *
ingest_thread(void *arg)
{
	struct run *r = arg;

	r->rc = zingest_run(r->z, r->out, &stop_ingest);
	return NULL;
}

/* Reads a whole small file into a static buffer. */
static const char *
slurp(const char *path)
{
	static char buf[65536];
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL)
		return "";
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Removes every "_rx":N, member so the text can be compared. */
static void
strip_rx(char *s)
{
	char *p, *e;

	while ((p = strstr(s, "\"_rx\":")) != NULL) {
		e = strchr(p, ',');
		memmove(p, e + 1, strlen(e + 1) + 1);
	}
}

/* Checks every "_rx" of text: "S.uuuuuu", within a minute of now, never
 * before the one above it; puts them in rx[0..max), returns how many. */
static size_t
check_rx(const char *text, double *rx, size_t max)
{
	const char *p = text;
	char *end;
	size_t n = 0, digits;
	double now = (double)time(NULL);

	while ((p = strstr(p, "\"_rx\":")) != NULL && n < max) {
		p += 6;
		digits = strspn(p, "0123456789");
		CHECK(digits >= 10 && p[digits] == '.' &&
		    strspn(p + digits + 1, "0123456789") == 6 &&
		    p[digits + 7] == ',');
		rx[n] = strtod(p, &end);
		CHECK(rx[n] > now - 60 && rx[n] < now + 60);
		CHECK(n == 0 || rx[n] >= rx[n - 1]);
		n++;
	}
	return n;
}

static void
test_threads(void)
{
	const char *ifaces[] = { "inproc://emit-test" };
	struct zingest_conf zc = { 0 };
	struct emit_conf ec = { 0 };
	struct stats *zst = stats_new("zmq-ingest"), *est = stats_new("ev-emit");
	char err[256], path[64], text[65536];
	double rx[8];
	void *ctx = zmq_ctx_new();
	struct run r = { 0 };
	struct emit *e;
	pthread_t t;
	FILE *in;
	static const char input[] = "{\"a\":1}\n{ \"b\" : [ 2 ] }\n"
	    "{\"_topic\":\"counter\",\"ifName\":\"x\"}\n{\"TCP\":{}}\n"
	    "{\"c\":3}\n";

	/* The emitter binds first: inproc needs its endpoint to exist. */
	ec.endpoint = "inproc://emit-test";
	ec.layout = NTOPHDR_V3;
	ec.version = -1;
	ec.zlib = true;
	ec.batch = 2;
	ec.first_msg_id = 1;
	ec.repeat = 1;
	ec.wait = 5;
	ec.linger = 1;
	ec.source_id = 3;
	ec.zctx = ctx;
	e = emit_new(&ec, est, err, sizeof(err));
	CHECK(e != NULL);
	if (e == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	in = fmemopen((void *)input, strlen(input), "r");
	CHECK(emit_load(e, in, "mem") == 0);
	fclose(in);

	zc.ifaces = ifaces;
	zc.nifaces = 1;
	zc.zctx = ctx;
	zc.max_records = 5;
	zc.idle_timeout = 10;
	zc.first_msg_id = 1;
	r.z = zingest_new(&zc, zst, err, sizeof(err));
	CHECK(r.z != NULL);
	snprintf(path, sizeof(path), "/tmp/test_zingest.%ld", (long)getpid());
	r.out = sink_open(path, NULL, err, sizeof(err));
	CHECK(r.out != NULL);
	if (r.z == NULL || r.out == NULL)
		return;
	pthread_create(&t, NULL, ingest_thread, &r);
	CHECK(emit_run(e, &stop_emit) == 0);
	pthread_join(t, NULL);
	CHECK(r.rc == 0);
	CHECK(sink_close(&r.out) == 0);
	snprintf(text, sizeof(text), "%s", slurp(path));
	/* One _rx a message, the same in each of its records. */
	CHECK(check_rx(text, rx, 8) == 5);
	CHECK(rx[0] == rx[1] && rx[3] == rx[4]);
	strip_rx(text);
	CHECK_STR(text,
	    "{\"_type\":\"event\",\"_event\":\"flow\",\"_topic\":\"flow\","
	    "\"_iface\":\"inproc://emit-test\",\"a\":1}\n"
	    "{\"_type\":\"event\",\"_event\":\"flow\",\"_topic\":\"flow\","
	    "\"_iface\":\"inproc://emit-test\",\"b\":[2]}\n"
	    "{\"_type\":\"event\",\"_event\":\"counters\",\"_topic\":\"counter\","
	    "\"_iface\":\"inproc://emit-test\",\"ifName\":\"x\"}\n"
	    "{\"_type\":\"event\",\"_event\":\"netstat\",\"_topic\":\"flow\","
	    "\"_iface\":\"inproc://emit-test\",\"TCP\":{}}\n"
	    /* The same message: _event changes within it. */
	    "{\"_type\":\"event\",\"_event\":\"flow\",\"_topic\":\"flow\","
	    "\"_iface\":\"inproc://emit-test\",\"c\":3}\n");
	CHECK_CTR(zst, "messages", 3);
	CHECK_CTR(zst, "inflated", 3);
	CHECK_CTR(zst, "sources", 1);
	CHECK_CTR(zst, "missing_messages", 0);
	CHECK_CTR(est, "events", 5);
	CHECK_CTR(est, "malformed", 0);
	zingest_destroy(&r.z);
	emit_destroy(&e);
	CHECK(r.z == NULL && e == NULL);
	zmq_ctx_term(ctx);
	stats_destroy(&zst);
	stats_destroy(&est);
	unlink(path);
}

int
main(void)
{
	test_threads();
	return unit_done("zingest");
}
