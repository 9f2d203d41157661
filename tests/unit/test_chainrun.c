/* test_chainrun.c - unit tests for common/chainrun.c (include/chainrun.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "chainrun.h"
#include "sig.h"
#include "unit.h"

static char seen_in[3][64], seen_out[3][64];
static int seen_argc[3];

/* A stage that notes its plumbing and exits with the status its second
 * argument gives. */
static int
fake_main(int argc, char **argv)
{
	int i = atoi(argv[0]);

	if (sig_setup() == -1)
		return 1;
	seen_argc[i] = argc;
	snprintf(seen_in[i], sizeof(seen_in[i]), "%s",
	    chain_stdin() ? chain_stdin() : "(none)");
	snprintf(seen_out[i], sizeof(seen_out[i]), "%s",
	    chain_stdout() ? chain_stdout() : "(none)");
	return atoi(argv[1]);
}

static void
stage(struct chainrun_stage *st, char *idx, char *status)
{
	memset(st, 0, sizeof(*st));
	st->main = fake_main;
	st->argc = 2;
	st->argv[0] = idx;
	st->argv[1] = status;
}

/* Neighbours are joined through inproc sockets; the worst status wins. */
static void
test_run(void)
{
	struct chainrun_stage st[3];
	char i0[] = "0", i1[] = "1", i2[] = "2", s0[] = "0", s3[] = "3",
	    s1[] = "1";

	stage(&st[0], i0, s0);
	stage(&st[1], i1, s3);
	stage(&st[2], i2, s1);
	CHECK(chainrun_run(st, 3) == 3);
	CHECK(seen_argc[0] == 2 && seen_argc[2] == 2);
	CHECK_STR(seen_in[0], "(none)");
	CHECK_STR(seen_out[0], "push:@inproc://evpipe-1");
	CHECK_STR(seen_in[1], "pull:>inproc://evpipe-1");
	CHECK_STR(seen_out[1], "push:@inproc://evpipe-2");
	CHECK_STR(seen_in[2], "pull:>inproc://evpipe-2");
	CHECK_STR(seen_out[2], "(none)");

	/* Once more, alone and successful. */
	stage(&st[0], i0, s0);
	CHECK(chainrun_run(st, 1) == 0);
	CHECK_STR(seen_out[0], "(none)");
}

int
main(void)
{
	test_run();
	return unit_done("chainrun");
}
