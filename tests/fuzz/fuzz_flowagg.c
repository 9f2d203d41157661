/* fuzz_flowagg.c - libFuzzer target for flow-agg's core (flowagg.c,
 * flowtab.c, flowout.c): the input is NDJSON lines (packets, events, flow
 * records, garbage) fed one by one, then flushed as at EOF; the first
 * byte picks small limits so that expiry, eviction and interim updates
 * run. Properties: every record written is one valid record with a _type;
 * after the end of input the table is empty, and every flow created was
 * written (as ended or evicted). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowagg.h"
#include "flowtab.h"
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
	uint8_t mode = size > 0 ? data[0] : 0;
	char *line;
	size_t len;

	flowagg_defaults(&c);
	c.ft.idle_us = 10 * 1000000LL;
	c.ft.closing_us = (mode & 1) ? 0 : 1000000LL;
	c.ft.active_us = (mode & 2) ? 30 * 1000000LL : 0;
	c.ft.max_flows = (mode & 4) ? 4 : 16;
	c.interim_us = (mode & 8) ? 5 * 1000000LL : 0;
	c.vlan_key = (mode & 16) != 0;
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
	FZ_ASSERT(flowtab_count(flowagg_table(fa)) == 0);
	FZ_ASSERT(*stats_ctr(st, "flows_created") <=
	    *stats_ctr(st, "flows_written"));
	flowagg_destroy(&fa);
	stats_destroy(&st);
	record_free(&r);
	return 0;
}
