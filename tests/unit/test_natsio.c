/* test_natsio.c - unit tests for nats:// URL parsing and the flush hooks
 * (common/natsio.c); the network parts are tested in tests/cli/nats.bats. */
#include <string.h>

#include "natsio.h"
#include "unit.h"

static void
test_sink_urls(void)
{
	struct natsio_url u;
	char err[512];

	CHECK(natsio_parse("nats://h1:4000,h2/evpipe.shard.3", NATSIO_SINK,
	    &u, err, sizeof(err)) == 0);
	CHECK(u.nservers == 2);
	CHECK_STR(u.servers[0], "nats://h1:4000");
	CHECK_STR(u.servers[1], "nats://h2:4222");
	CHECK_STR(u.subject, "evpipe.shard.3");
	CHECK_STR(u.stream, "evpipe");
	CHECK(u.replicas == 1 && u.window == 64 && u.linger_ms == 30000);
	natsio_url_free(&u);
	CHECK(natsio_parse("nats://h/a?replicas=3&stream=S-1&source=x_y"
	    "&linger=2s&window=8", NATSIO_SINK, &u, err, sizeof(err)) == 0);
	CHECK(u.replicas == 3 && u.window == 8 && u.linger_ms == 2000);
	CHECK_STR(u.stream, "S-1");
	CHECK_STR(u.source, "x_y");
	natsio_url_free(&u);
	/* A first token that is not a name still gives a valid one. */
	CHECK(natsio_parse("nats://h/a+b.c", NATSIO_SINK, &u, err,
	    sizeof(err)) == 0);
	CHECK_STR(u.stream, "a_b");
	natsio_url_free(&u);
}

static void
test_input_urls(void)
{
	struct natsio_url u;
	char err[512];

	CHECK(natsio_parse("nats://h:1/S/c?subject=ev.*.x&ack_wait=1m"
	    "&batch=10&ack=exit&idle_exit=500ms", NATSIO_INPUT, &u, err,
	    sizeof(err)) == 0);
	CHECK_STR(u.stream, "S");
	CHECK_STR(u.consumer, "c");
	CHECK_STR(u.filter, "ev.*.x");
	CHECK(u.ack_wait_ms == 60000 && u.batch == 10 && u.ack_exit == 1);
	CHECK(u.idle_exit_ms == 500);
	natsio_url_free(&u);
	CHECK(natsio_parse("nats://h/S/c", NATSIO_INPUT, &u, err,
	    sizeof(err)) == 0);
	CHECK(u.ack_exit == -1 && u.filter == NULL && u.batch == 64);
	natsio_url_free(&u);
}

static void
test_bad_urls(void)
{
	static const char *sinks[] = {
		"nats://", "nats:///s", "nats://h", "nats://h/", "http://h/s",
		"nats://h:0/s", "nats://h:65536/s", "nats://h:/s",
		"nats://h,/s", "nats://h/a..b", "nats://h/.a", "nats://h/a.",
		"nats://h/a.*", "nats://h/a.>", "nats://h/a b", "nats://h/a/b",
		"nats://h/s?x", "nats://h/s?replicas=0",
		"nats://h/s?stream=a.b", "nats://h/s?ack=exit",
		"nats://h/s?window=0", "nats://h/s?&",
	};
	static const char *inputs[] = {
		"nats://h/S", "nats://h/S/", "nats://h//c", "nats://h/S/c/d",
		"nats://h/S.x/c", "nats://h/S/c?subject=a.>.b",
		"nats://h/S/c?ack=sometimes", "nats://h/S/c?batch=5000",
		"nats://h/S/c?source=x", "nats://h/S/c?idle_exit=0",
	};
	struct natsio_url u;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++) {
		err[0] = '\0';
		CHECK(natsio_parse(sinks[i], NATSIO_SINK, &u, err,
		    sizeof(err)) == -1);
		CHECK(strstr(err, "expected nats://") != NULL);
		CHECK(u.servers == NULL && u.subject == NULL);
	}
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		CHECK(natsio_parse(inputs[i], NATSIO_INPUT, &u, err,
		    sizeof(err)) == -1);
	/* "?" with nothing after it: no parameters at all. */
	CHECK(natsio_parse("nats://h/S/c?", NATSIO_INPUT, &u, err,
	    sizeof(err)) == 0);
	natsio_url_free(&u);
}

static int calls, fail_next;

static int
hook(void *arg)
{
	(void)arg;
	calls++;
	return fail_next ? -1 : 0;
}

static void
test_hooks(void)
{
	int a, b;

	CHECK(natsio_hooks_run() == 0);
	natsio_hook_add(hook, &a);
	natsio_hook_add(hook, &b);
	CHECK(natsio_hooks_run() == 0 && calls == 2);
	natsio_hook_del(&a);
	fail_next = 1;
	CHECK(natsio_hooks_run() == -1 && calls == 3);
	fail_next = 0;
	CHECK(natsio_hooks_run() == 0);
	natsio_hooks_fail();
	CHECK(natsio_hooks_run() == -1);
	natsio_hook_del(&b);
}

int
main(void)
{
	test_sink_urls();
	test_input_urls();
	test_bad_urls();
	test_hooks();
	return unit_done("natsio");
}
