/* test_opts.c - unit tests for common/opts.c. */
#include <stdint.h>

#include "opts.h"
#include "unit.h"

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
	return unit_done("opts");
}
