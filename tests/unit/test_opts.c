/* test_opts.c - unit tests for common/opts.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opts.h"
#include "unit.h"

/* Runs opts_size_range_or_die in a child; its exit status, and its
 * message in msg. */
static int
range_die(const char *where, const char *s, uint64_t min, uint64_t max,
    char *msg, size_t n)
{
	int fd[2], status;
	ssize_t got;
	size_t len;
	pid_t pid;

	if (pipe(fd) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		dup2(fd[1], 2);
		(void)opts_size_range_or_die(where, s, "max line", min, max);
		_exit(0);
	}
	close(fd[1]);
	/* errx writes its parts one by one: read to the end. */
	len = 0;
	while (len < n - 1 && (got = read(fd[0], msg + len, n - 1 - len)) > 0)
		len += (size_t)got;
	msg[len] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_size_range(void)
{
	char msg[256];

	CHECK(opts_size_range_or_die("", "64k", "x", 64, 65536) == 65536);
	CHECK(opts_size_range_or_die("", "1G", "x", 64,
	    1024ULL * 1024 * 1024) == 1024ULL * 1024 * 1024);
	CHECK(range_die("", "10", 64, 1024ULL * 1024 * 1024, msg,
	    sizeof(msg)) == 2);
	CHECK(strstr(msg, ": max line: '10' is not between 64 and 1G\n") !=
	    NULL);
	CHECK(range_die("f:3: ", "0", 1, 8 * 1024 * 1024, msg,
	    sizeof(msg)) == 2);
	CHECK(strstr(msg, ": f:3: max line: '0' is not between 1 and 8M\n") !=
	    NULL);
	CHECK(range_die("", "64", 64, 64, msg, sizeof(msg)) == 0);
}

int
main(void)
{
	long long v = 7;
	double d;
	uint64_t s;

	CHECK(opts_int("42", 0, 100, &v) == 0 && v == 42);
	CHECK(opts_int("-5", -10, 10, &v) == 0 && v == -5);
	CHECK(opts_int("101", 0, 100, &v) == -1 && v == -5);
	CHECK(opts_int("", 0, 100, &v) == -1);
	CHECK(opts_int("4x", 0, 100, &v) == -1);
	CHECK(opts_int("99999999999999999999", 0, 100, &v) == -1);
	CHECK(opts_duration("30", &d) == 0 && d == 30);
	CHECK(opts_duration("30s", &d) == 0 && d == 30);
	CHECK(opts_duration("5m", &d) == 0 && d == 300);
	CHECK(opts_duration("1.5h", &d) == 0 && d == 5400);
	CHECK(opts_duration("250ms", &d) == 0 && d == 0.25);
	CHECK(opts_duration("2d", &d) == 0 && d == 172800);
	CHECK(opts_duration("-1s", &d) == -1);
	CHECK(opts_duration("5x", &d) == -1);
	CHECK(opts_duration("s", &d) == -1);
	CHECK(opts_duration("nan", &d) == -1);
	CHECK(opts_size("4096", &s) == 0 && s == 4096);
	CHECK(opts_size("64k", &s) == 0 && s == 65536);
	CHECK(opts_size("8M", &s) == 0 && s == 8388608);
	CHECK(opts_size("8MiB", &s) == 0 && s == 8388608);
	CHECK(opts_size("1G", &s) == 0 && s == 1073741824);
	CHECK(opts_size("10B", &s) == 0 && s == 10);
	CHECK(opts_size("-1", &s) == -1);
	CHECK(opts_size("1T", &s) == -1);
	CHECK(opts_size("99999999999999999999G", &s) == -1);
	/* Files that cannot be opened are runtime errors, sockets usage. */
	CHECK(opts_open_status("/no/such/file") == 1);
	CHECK(opts_open_status("+log.ndjson") == 1);
	CHECK(opts_open_status("zmq:bogus://") == 2);
	CHECK(opts_open_status("pull:>inproc://x") == 2);
	CHECK(opts_open_status("push:@tcp://*:1") == 2);
	CHECK(opts_open_status("ntop:@tcp://*:1") == 2);
	test_size_range();
	return unit_done("opts");
}
