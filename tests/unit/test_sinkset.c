/* test_sinkset.c - unit tests for common/sinkset.c (include/sinkset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sink.h"
#include "sinkset.h"
#include "unit.h"

static char dir[] = "/tmp/test_sinkset.XXXXXX";

/* One spec gives one sink however often it is asked for. */
static void
test_shared(void)
{
	struct sink_opts so = { .line_buffered = true };
	struct sinkset *ss = sinkset_new(&so);
	char a[600], b[600], buf[256];
	struct sink *s1, *s2, *s3;

	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	s1 = sinkset_get(ss, a);
	s2 = sinkset_get(ss, b);
	s3 = sinkset_get(ss, a);
	CHECK(s1 != NULL && s2 != NULL);
	CHECK(s1 == s3);
	CHECK(s1 != s2);
	CHECK_STR(sink_name(s1), a);
	CHECK(sink_write(s1, "x", 1) == 0);
	CHECK(sink_write(s3, "y", 1) == 0);
	CHECK(sink_write(s2, "z", 1) == 0);
	CHECK(sinkset_close(&ss) == 0);
	CHECK(ss == NULL);
	CHECK(unit_slurp(a, buf, sizeof(buf)) == 4);
	CHECK_STR(buf, "x\ny\n");
	CHECK(unit_slurp(b, buf, sizeof(buf)) == 2);
	CHECK_STR(buf, "z\n");
	unlink(a);
	unlink(b);
}

/* A sink whose writes failed makes the close report it. */
static void
test_lost(void)
{
	struct sinkset *ss = sinkset_new(NULL);
	struct sink *s = sinkset_get(ss, "/dev/full");
	int i;

	for (i = 0; i < 10000; i++)
		(void)sink_write(s, "0123456789abcdef", 16);
	CHECK(sinkset_close(&ss) == -1);
	CHECK(ss == NULL);
	CHECK(sinkset_close(&ss) == 0);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		abort();
	test_shared();
	test_lost();
	rmdir(dir);
	return unit_done("sinkset");
}
