/* fuzz_flowagg.c - libFuzzer target for flow-agg's core (flowagg.c,
 * flowtab.c, flowout.c): the input is NDJSON lines (packets, events, flow
 * records, garbage) fed one by one into a table of at most 16 flows, then
 * flushed as at EOF. Property: every record written is one valid record
 * with a _type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowagg.h"
#include "record.h"
#include "stats.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)

static int
fz_out(void *arg, const char *rec, size_t len)
{
	struct record *r = arg;

	FZ_ASSERT(memchr(rec, '\n', len) == NULL);
	FZ_ASSERT(record_parse(r, rec, len) == REC_OK);
	FZ_ASSERT(record_get(r, "_type") != NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flowagg_conf c;
	struct flowagg *fa;
	struct record r = RECORD_INIT;
	struct stats *st;
	const char *p = (const char *)data, *end = p + size, *nl;
	char *line;
	size_t len;

	flowagg_defaults(&c);
	c.ft.max_flows = 16;
	c.interim_us = size > 0 && (data[0] & 1) ? 1000000 : 0;
	c.vlan_key = size > 0 && (data[0] & 2);
	st = stats_new("flow-agg");
	stats_set_quiet(st, 1);
	fa = flowagg_new(&c, fz_out, &r, st);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* Its own allocation, NUL-terminated as linebuf hands it. */
		if ((line = malloc(len + 1)) == NULL)
			abort();
		memcpy(line, p, len);
		line[len] = '\0';
		flowagg_line(fa, line, len);
		free(line);
		p += len + 1;
	}
	flowagg_finish(fa);
	FZ_ASSERT(!flowagg_lost(fa));
	flowagg_destroy(&fa);
	stats_destroy(&st);
	record_free(&r);
	return 0;
}
