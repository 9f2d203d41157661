/* test_sbuf.c - unit tests for common/sbuf.c. */
#include <stdint.h>

#include "sbuf.h"
#include "unit.h"

int
main(void)
{
	struct sbuf b = { 0 };
	int i;

	sbuf_adds(&b, "ab");
	sbuf_addc(&b, 'c');
	sbuf_addf(&b, "%d-%s", 42, "x");
	CHECK_STR(b.p, "abc42-x");
	sbuf_reset(&b);
	sbuf_add_jstr(&b, "q\"b\\/\n\x01\xc3\xa9", 9);
	CHECK_STR(b.p, "\"q\\\"b\\\\/\\n\\u0001\xc3\xa9\"");
	sbuf_reset(&b);
	sbuf_add_u64(&b, 0);
	sbuf_addc(&b, ' ');
	sbuf_add_u64(&b, UINT64_MAX);
	sbuf_addc(&b, ' ');
	sbuf_add_i64(&b, INT64_MIN);
	CHECK_STR(b.p, "0 18446744073709551615 -9223372036854775808");
	sbuf_reset(&b);
	sbuf_add_time(&b, 1718031245.482913);
	sbuf_addc(&b, ' ');
	sbuf_add_time(&b, 0.0000004);
	sbuf_addc(&b, ' ');
	sbuf_add_time(&b, 1.9999996);
	CHECK_STR(b.p, "1718031245.482913 0.000000 2.000000");
	sbuf_reset(&b);
	sbuf_add_time(&b, 1e300 * 1e300);
	sbuf_addc(&b, ' ');
	sbuf_add_time(&b, -1.5);
	sbuf_addc(&b, ' ');
	sbuf_add_time(&b, 1e13);
	CHECK_STR(b.p, "0.000000 -1.500000 10000000000000.000000");
	sbuf_reset(&b);
	for (i = 0; i < 10000; i++)
		sbuf_addc(&b, 'x');
	CHECK(b.len == 10000 && b.p[10000] == '\0');
	sbuf_free(&b);
	CHECK(b.p == NULL && b.len == 0);
	return unit_done("sbuf");
}
