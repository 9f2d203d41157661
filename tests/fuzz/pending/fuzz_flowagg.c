/* fuzz_flowagg.c - libFuzzer target for flow-agg's core (flowagg.c,
 * flowtab.c, flowout.c) over arbitrary NDJSON lines.
 * Properties: nothing crashes or leaks; every record written is one valid
 * compact JSON object; after the end of input the table is empty, and
 * every flow created was written exactly once (as ended or evicted).
 * Kept under pending/ until tests/fuzz/run makes a "flowagg" seed
 * directory (libFuzzer exits 1 on a missing one): move it up then. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowagg.h"
#include "record.h"
#include "stats.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)

static struct record fz_rec;

static int
fz_out(void *arg, const char *rec, size_t len)
{
	(void)arg;
	FZ_ASSERT(record_parse(&fz_rec, rec, len) == REC_OK);
	FZ_ASSERT(memchr(rec, '\n', len) == NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flowagg_conf c;
	struct flowagg *fa;
	struct stats *st;
	const char *p = (const char *)data, *e = p + size, *nl;
	uint8_t mode = size > 0 ? data[0] : 0;

	flowagg_defaults(&c);
	/* Small limits so that expiry, eviction and interim updates run. */
	c.ft.idle_us = 10 * 1000000LL;
	c.ft.closing_us = (mode & 1) ? 0 : 1000000LL;
	c.ft.active_us = (mode & 2) ? 30 * 1000000LL : 0;
	c.ft.max_flows = (mode & 4) ? 4 : 64;
	c.interim_us = (mode & 8) ? 5 * 1000000LL : 0;
	c.vlan_key = (mode & 16) != 0;
	st = stats_new("fuzz");
	stats_set_quiet(st, 1);
	fa = flowagg_new(&c, fz_out, NULL, st);
	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL)
			nl = e;
		flowagg_line(fa, p, (size_t)(nl - p));
		p = nl + 1;
	}
	flowagg_finish(fa);
	FZ_ASSERT(flowtab_count(flowagg_table(fa)) == 0);
	FZ_ASSERT(*stats_ctr(st, "flows_created") <=
	    *stats_ctr(st, "flows_written"));
	flowagg_destroy(&fa);
	stats_destroy(&st);
	return 0;
}
