/* test_emit.c - unit tests of the ev-emit core (common/emit.c): what it
 * puts on the wire, read back frame by frame with a plain SUB socket. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "emit.h"
#include "ntophdr.h"
#include "stats.h"
#include "unit.h"

struct run {
	struct emit		*e;
	volatile sig_atomic_t	 stop;
	int			 rc;
	char			*files[2];	/* streamed when set */
	size_t			 nfiles;
};

/* The emitter runs in its own thread: a bound SUB forwards its
 * subscriptions only when its own thread calls into libzmq. */
static void *
run_main(void *arg)
{
	struct run *r = arg;

	r->rc = r->nfiles > 0 ? emit_send_files(r->e, r->files, r->nfiles,
	    &r->stop) : emit_run(r->e, &r->stop);
	return NULL;
}

/* Receives one frame into buf; returns its size, or -1. */
static int
frame(void *sub, void *buf, size_t size, int *more)
{
	size_t sz = sizeof(*more);
	int n = zmq_recv(sub, buf, size, 0);

	zmq_getsockopt(sub, ZMQ_RCVMORE, more, &sz);
	return n;
}

/* The emitter's settings of these tests: connect to epc, v1 headers,
 * one event a message, sent once, numbered from first. */
static void
conf(struct emit_conf *c, const char *epc, void *ctx, uint32_t first)
{
	memset(c, 0, sizeof(*c));
	c->endpoint = epc;	/* trailing c: connect */
	c->layout = NTOPHDR_V1;
	c->version = -1;
	c->batch = 1;
	c->first_msg_id = first;
	c->repeat = 1;
	c->topic = "flow";
	c->wait = 2;
	c->linger = 2;
	c->zctx = ctx;
}

/* Receives one message of header and payload; returns the msg_id, or 0
 * when none came. */
static uint32_t
message(void *sub, char *payload, size_t size)
{
	struct ntophdr h;
	char buf[256];
	int more, n;

	if ((n = frame(sub, buf, sizeof(buf), &more)) <= 0 || !more ||
	    ntophdr_decode((uint8_t *)buf, (size_t)n, &h) != NTOPHDR_OK)
		return 0;
	n = frame(sub, payload, size - 1, &more);
	payload[n > 0 ? n : 0] = '\0';
	return h.msg_id;
}

/* An input sent once is streamed by emit_send_files: same messages,
 * numbered on; a file that cannot be opened means nothing is sent. */
static void
stream_checks(void *ctx, void *sub, const char *epc)
{
	char path[64], nofile[] = "/nonexistent/evpipe-test-emit", buf[256];
	struct emit_conf c;
	struct stats *st = stats_new("test");
	struct run r = { 0 };
	struct emit *e;
	char err[256];
	pthread_t t;
	FILE *fp;

	snprintf(path, sizeof(path), "/tmp/evpipe-test-emit-%d.ndjson",
	    (int)getpid());
	CHECK((fp = fopen(path, "w")) != NULL);
	fputs("{\"a\":1}\nbad\n{\"b\":2}\n", fp);
	fclose(fp);
	conf(&c, epc, ctx, 7);
	CHECK((e = emit_new(&c, st, err, sizeof(err))) != NULL);
	r.e = e;
	r.files[0] = path;
	r.files[1] = nofile;
	r.nfiles = 2;
	CHECK(emit_send_files(e, r.files, 2, &r.stop) == -1);
	CHECK_CTR(st, "messages", 0);
	r.nfiles = 1;
	CHECK(pthread_create(&t, NULL, run_main, &r) == 0);
	CHECK(message(sub, buf, sizeof(buf)) == 7);
	CHECK_STR(buf, "{\"a\":1}");
	CHECK(message(sub, buf, sizeof(buf)) == 8);
	CHECK_STR(buf, "{\"b\":2}");
	pthread_join(t, NULL);
	CHECK(r.rc == 0);
	CHECK_CTR(st, "messages", 2);
	CHECK_CTR(st, "malformed", 1);
	emit_destroy(&e);
	unlink(path);
	stats_destroy(&st);
}

int
main(void)
{
	static const char *lines =
	    "{\"_topic\":\"counter\",\"_x\":1,\"ifName\":\"eth0\"}\n"
	    "{ \"INTERFACE_NAME\": \"eth0\", \"L4_SRC_PORT\": 41872 }\n"
	    "not json\n";
	struct emit_conf c;
	struct stats *st = stats_new("test");
	void *ctx = zmq_ctx_new(), *sub;
	struct run r;
	pthread_t t;
	struct ntophdr h;
	struct emit *e;
	char err[256], buf[4096], ep[128], epc[130];
	int more, n, timeo = 3000;
	char nofile[] = "/nonexistent/evpipe-test-emit", *missing[] = { nofile };
	FILE *fp;

	sub = zmq_socket(ctx, ZMQ_SUB);
	/* As a collector does: the topics it wants. */
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "flow", 4);
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "counter", 7);
	zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeo, sizeof(timeo));
	snprintf(ep, sizeof(ep), "ipc:///tmp/evpipe-test-emit-%d", (int)getpid());
	CHECK(zmq_bind(sub, ep) == 0);
	snprintf(epc, sizeof(epc), "%sc", ep);

	conf(&c, epc, ctx, 1);
	e = emit_new(&c, st, err, sizeof(err));
	CHECK(e != NULL);
	fp = fmemopen((void *)lines, strlen(lines), "r");
	CHECK(emit_load(e, fp, "lines") == 0);
	fclose(fp);
	/* A file that cannot be opened is reported and loads nothing. */
	CHECK(emit_load_files(e, missing, 1) == -1);
	CHECK_CTR(st, "malformed", 1);
	r.e = e;
	r.stop = 0;
	r.rc = -1;
	CHECK(pthread_create(&t, NULL, run_main, &r) == 0);

	/* Message 1: topic from _topic, every _ key stripped, v1 header
	 * with version 2 and msg_id 1. */
	n = frame(sub, buf, sizeof(buf), &more);
	CHECK(n == 24 && more);
	CHECK(ntophdr_decode((uint8_t *)buf, (size_t)n, &h) == NTOPHDR_OK);
	CHECK_STR(h.topic, "counter");
	CHECK(h.version == 2 && h.msg_id == 1);
	n = frame(sub, buf, sizeof(buf) - 1, &more);
	CHECK(n > 0 && !more);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR(buf, "{\"ifName\":\"eth0\"}");
	/* Message 2: the default topic, the producer's text as it was. */
	n = frame(sub, buf, sizeof(buf), &more);
	CHECK(ntophdr_decode((uint8_t *)buf, (size_t)n, &h) == NTOPHDR_OK);
	CHECK_STR(h.topic, "flow");
	CHECK(h.msg_id == 2);
	n = frame(sub, buf, sizeof(buf) - 1, &more);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR(buf, "{ \"INTERFACE_NAME\": \"eth0\", \"L4_SRC_PORT\": 41872 }");
	pthread_join(t, NULL);
	CHECK(r.rc == 0);
	CHECK_CTR(st, "messages", 2);

	emit_destroy(&e);
	CHECK(e == NULL);
	stream_checks(ctx, sub, epc);
	zmq_close(sub);
	unlink(ep + 6);
	zmq_ctx_term(ctx);
	stats_destroy(&st);
	return unit_done("emit");
}
