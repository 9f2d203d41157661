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
};

/* The emitter runs in its own thread: a bound SUB forwards its
 * subscriptions only when its own thread calls into libzmq. */
static void *
run_main(void *arg)
{
	struct run *r = arg;

	r->rc = emit_run(r->e, &r->stop);
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

	memset(&c, 0, sizeof(c));
	c.endpoint = epc;	/* trailing c: connect */
	c.layout = NTOPHDR_V1;
	c.version = -1;
	c.batch = 1;
	c.first_msg_id = 1;
	c.repeat = 1;
	c.topic = "flow";
	c.wait = 2;
	c.linger = 2;
	c.zctx = ctx;
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
	zmq_close(sub);
	unlink(ep + 6);
	zmq_ctx_term(ctx);
	stats_destroy(&st);
	return unit_done("emit");
}
