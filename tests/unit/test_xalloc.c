/* test_xalloc.c - unit tests for common/xalloc.c: the happy paths here;
 * a size overflow aborts, checked in a child process (a real failure of
 * calloc cannot be provoked under ASan, which reports it itself). */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "xalloc.h"

/* True if fn aborts (SIGABRT) in a child, with stderr silenced. */
static int
aborts(void (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		fn();
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	    WTERMSIG(st) == SIGABRT;
}

static void
overflow(void)
{
	(void)xreallocarray(NULL, SIZE_MAX / 2, 3);
}

int
main(void)
{
	unsigned char *p = xcalloc(16, 4);
	char *s;
	int i, zero = 1;

	for (i = 0; i < 64; i++)
		zero &= p[i] == 0;
	CHECK(zero);
	p[63] = 7;
	p = xreallocarray(p, 1000, 4);
	CHECK(p[63] == 7);
	free(p);
	/* A count of 0 still gives memory, never NULL. */
	p = xcalloc(0, 8);
	CHECK(p != NULL);
	p = xreallocarray(p, 0, 8);
	CHECK(p != NULL);
	free(p);
	s = xstrdup("flow-agg");
	CHECK_STR(s, "flow-agg");
	free(s);
	CHECK(aborts(overflow));
	return unit_done("xalloc");
}
