/* test_chain.c - unit tests for common/chain.c and its sig_setup() hook. */
#include <pthread.h>

#include "chain.h"
#include "sig.h"
#include "unit.h"

static volatile sig_atomic_t *volatile seen_stop;
static int ready_calls;

static void
on_ready(void *arg, volatile sig_atomic_t *stop, volatile sig_atomic_t *usr1)
{
	(void)usr1;
	ready_calls += *(int *)arg;
	seen_stop = stop;
}

static void *
thread_fn(void *arg)
{
	chain_set(arg);
	sig_setup();
	/* The runner stops this thread through the pointer it was given. */
	while (!sig_stop)
		;
	return NULL;
}

int
main(void)
{
	int one = 1;
	struct chain_env env = { "pull:>inproc://a", "push:@inproc://b",
	    on_ready, &one };
	pthread_t t;

	CHECK(chain_stdin() == NULL && chain_stdout() == NULL);
	chain_ready(&sig_stop, &sig_usr1);	/* no environment: no-op */
	CHECK(ready_calls == 0);
	chain_set(&env);
	CHECK_STR(chain_stdin(), "pull:>inproc://a");
	CHECK_STR(chain_stdout(), "push:@inproc://b");
	chain_set(NULL);
	CHECK(chain_stdin() == NULL);
	CHECK(pthread_create(&t, NULL, thread_fn, &env) == 0);
	while (seen_stop == NULL)
		;
	CHECK(seen_stop != &sig_stop);	/* the thread's own flag */
	*seen_stop = 1;
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(ready_calls == 1);
	CHECK(sig_stop == 0);
	CHECK(chain_eof_endpoint("inproc://x"));
	CHECK(chain_eof_endpoint("@inproc://x"));
	CHECK(!chain_eof_endpoint(">tcp://127.0.0.1:5556"));
	CHECK(!chain_eof_endpoint("ipc:///tmp/x"));
	return unit_done("chain");
}
