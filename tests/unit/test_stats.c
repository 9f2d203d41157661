/* test_stats.c - unit tests for common/stats.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "unit.h"

static char *
capture(struct stats *s)
{
	static char buf[4096];
	FILE *fp = tmpfile();
	size_t n;

	stats_print(s, fp);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

int
main(void)
{
	struct stats *s = stats_new("t\"ool");
	uint64_t *a, *b;
	char name[32];
	int i;

	CHECK_STR(capture(s), "{\"tool\":\"t\\\"ool\",\"counters\":{}}\n");
	a = stats_ctr(s, "records_in");
	*a += 5;
	stats_add(s, "bad_json", 2);
	CHECK(stats_ctr(s, "records_in") == a);
	CHECK(stats_find(s, "records_in") == a);
	CHECK(stats_find(s, "nothing") == NULL);
	stats_set_str(s, "iface", "tcp://*:1234c");
	CHECK_STR(capture(s), "{\"tool\":\"t\\\"ool\",\"counters\":{\"records_in\":5,"
	    "\"bad_json\":2},\"iface\":\"tcp://*:1234c\"}\n");
	/* The text form: non-zero counters aligned, the zeros summed up. */
	(void)stats_ctr(s, "zero");
	CHECK(stats_set_format("text") == 0);
	CHECK_STR(capture(s), "t\"ool:\n  records_in 5\n  bad_json   2\n"
	    "  iface      tcp://*:1234c\n  (1 other counter at 0)\n");
	CHECK(stats_set_format("yaml") == -1);
	CHECK(stats_set_format("auto") == 0);	/* a file: JSON */
	CHECK(strncmp(capture(s), "{\"tool\"", 7) == 0);
	/* Pointers stay valid past one chunk of counters. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		stats_add(s, name, (uint64_t)i);
	}
	CHECK(stats_ctr(s, "records_in") == a && *a == 5);
	CHECK_CTR(s, "c199", 199);
	stats_set_quiet(s, 1);
	b = stats_ctr(s, "malformed");
	for (i = 0; i < 2500; i++)
		stats_bad(s, b, "malformed", "line %d", i);
	CHECK(*b == 2500);
	stats_destroy(&s);
	CHECK(s == NULL);
	return unit_done("stats");
}
