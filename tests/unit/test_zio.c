/* test_zio.c - unit tests for interface parsing and SUB set-up
 * (common/zio.c): endpoints, bind/connect per endpoint, subscriptions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "zio.h"
#include "unit.h"

static void
test_parse(void)
{
	struct zio_ep *eps;
	char err[256];
	int n;

	n = zio_parse("tcp://*:1234c", &eps, err, sizeof(err));
	CHECK(n == 1);
	CHECK_STR(eps[0].url, "tcp://*:1234");
	CHECK(eps[0].bind);
	zio_eps_free(eps, n);

	n = zio_parse("tcp://*:1234c,tcp://10.0.0.1:5556,ipc:///tmp/xc", &eps,
	    err, sizeof(err));
	CHECK(n == 3);
	CHECK_STR(eps[1].url, "tcp://10.0.0.1:5556");
	CHECK(!eps[1].bind);
	CHECK_STR(eps[2].url, "ipc:///tmp/x");
	CHECK(eps[2].bind);
	zio_eps_free(eps, n);

	CHECK(zio_parse("", &eps, err, sizeof(err)) == -1);
	CHECK(eps == NULL);
	CHECK(zio_parse("tcp://a:1,,tcp://b:2", &eps, err, sizeof(err)) == -1);
	CHECK(strstr(err, "empty endpoint") != NULL);
	CHECK(zio_parse("tcp://a:1,", &eps, err, sizeof(err)) == -1);
	CHECK(zio_parse("localhost:5556", &eps, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not an endpoint") != NULL);

	/* Ports: 1 to 65535 or '*', checked for tcp:// only. */
	CHECK(zio_parse("tcp://*:99999c", &eps, err, sizeof(err)) == -1);
	CHECK_STR(err, "'tcp://*:99999': the port must be 1 to 65535 or '*'");
	CHECK(zio_parse("tcp://*:0c", &eps, err, sizeof(err)) == -1);
	CHECK(zio_parse("tcp://[::1]:65536", &eps, err, sizeof(err)) == -1);
	CHECK(zio_parse("tcp://h:12345678901", &eps, err, sizeof(err)) == -1);
	CHECK(zio_parse("tcp://h:-1", &eps, err, sizeof(err)) == -1);
	CHECK(zio_parse("tcp://h", &eps, err, sizeof(err)) == -1);
	CHECK(strstr(err, "no port") != NULL);
	n = zio_parse("tcp://*:*c,tcp://[::1]:65535,tcp://h:1,ipc:///x:0",
	    &eps, err, sizeof(err));
	CHECK(n == 4);
	zio_eps_free(eps, n);
}

static void
test_open(void)
{
	void *ctx = zmq_ctx_new(), *sub, *pub, *sub2;
	struct zio_opts o = { 0 };
	char err[256], path[64], ep[80], buf[64];
	int rcvbuf, hwm = 0, rc, i;
	size_t sz;

	snprintf(path, sizeof(path), "/tmp/test_zio.%ld", (long)getpid());
	snprintf(ep, sizeof(ep), "ipc://%sc", path);
	o.rcvhwm = 1234;
	sub = zio_sub_open(ctx, ep, &o, err, sizeof(err));
	CHECK(sub != NULL);
	if (sub == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	sz = sizeof(rcvbuf);
	zmq_getsockopt(sub, ZMQ_RCVBUF, &rcvbuf, &sz);
	CHECK(rcvbuf == 8 * 1024 * 1024);
	sz = sizeof(hwm);
	zmq_getsockopt(sub, ZMQ_RCVHWM, &hwm, &sz);
	CHECK(hwm == 1234);
	/* Never hang the test run: give up waiting after 5 s. */
	rc = 5000;
	zmq_setsockopt(sub, ZMQ_RCVTIMEO, &rc, sizeof(rc));
	/* Binding a TCP port in use fails with a message. */
	sub2 = zio_sub_open(ctx, "tcp://127.0.0.1:*c", &o, err, sizeof(err));
	CHECK(sub2 != NULL);
	if (sub2 != NULL) {
		char last[128], again[160];
		void *sub3;

		sz = sizeof(last);
		zmq_getsockopt(sub2, ZMQ_LAST_ENDPOINT, last, &sz);
		snprintf(again, sizeof(again), "%sc", last);
		sub3 = zio_sub_open(ctx, again, &o, err, sizeof(err));
		CHECK(sub3 == NULL);
		CHECK(strstr(err, "cannot bind") != NULL);
		zmq_close(sub2);
	}

	/* Only ntopng's topics pass (as prefixes); "ebpf" never does. */
	pub = zmq_socket(ctx, ZMQ_PUB);
	snprintf(ep, sizeof(ep), "ipc://%s", path);
	CHECK(zmq_connect(pub, ep) == 0);
	/* Wait until the subscription is up (the PUB "slow joiner"). */
	for (rc = -1, i = 0; rc == -1 && i < 100; i++) {
		zmq_send(pub, "option", 6, 0);
		rc = zmq_recv(sub, buf, sizeof(buf), ZMQ_DONTWAIT);
		usleep(50000);
	}
	while (zmq_recv(sub, buf, sizeof(buf), ZMQ_DONTWAIT) != -1)
		;
	zmq_send(pub, "ebpf", 4, 0);
	zmq_send(pub, "flo", 3, 0);
	zmq_send(pub, "hello", 5, 0);
	zmq_send(pub, "flowX", 5, 0);
	zmq_send(pub, "listening-ports", 15, 0);
	rc = zmq_recv(sub, buf, sizeof(buf), 0);
	CHECK(rc == 5 && memcmp(buf, "hello", 5) == 0);
	rc = zmq_recv(sub, buf, sizeof(buf), 0);
	CHECK(rc == 5 && memcmp(buf, "flowX", 5) == 0);
	rc = zmq_recv(sub, buf, sizeof(buf), 0);
	CHECK(rc == 15);
	CHECK(zmq_recv(sub, buf, sizeof(buf), ZMQ_DONTWAIT) == -1);

	zmq_close(pub);
	zmq_close(sub);
	/* A connect endpoint to nowhere is fine (libzmq retries). */
	sub = zio_sub_open(ctx, "tcp://127.0.0.1:9", &o, err, sizeof(err));
	CHECK(sub != NULL);
	if (sub != NULL)
		zmq_close(sub);
	sub = zio_sub_open(ctx, "bogus://x", &o, err, sizeof(err));
	CHECK(sub == NULL);
	/* A CURVE secret key must be valid Z85 of 40 characters. */
	o.curve_secret = "short";
	snprintf(ep, sizeof(ep), "ipc://%s.2c", path);
	sub = zio_sub_open(ctx, ep, &o, err, sizeof(err));
	CHECK(sub == NULL);
	CHECK(strstr(err, "CURVE") != NULL);
	zmq_ctx_term(ctx);
	unlink(path);
}

int
main(void)
{
	test_parse();
	test_open();
	return unit_done("zio");
}
