/* test_badline.c - unit tests for common/badline.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badline.h"
#include "record.h"
#include "stats.h"
#include "unit.h"

int
main(void)
{
	struct stats *st = stats_new("t");
	struct badline b;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	badline_init(&b, st);
	stats_set_quiet(st, 1);
	badline_count(&b, REC_EMPTY);
	badline_count(&b, REC_TRUNCATED);
	badline_count(&b, REC_TRUNCATED);
	badline_count(&b, 99);			/* out of range: bad_json */
	badline_count(&b, REC_OK);		/* not a failure: bad_json */
	CHECK_CTR(st, "malformed", 5);
	CHECK_CTR(st, "empty", 1);
	CHECK_CTR(st, "truncated_json", 2);
	CHECK_CTR(st, "bad_json", 2);
	CHECK_CTR(st, "too_deep", 0);
	/* Created at init, in ev-route's order, so they print at 0 too. */
	stats_set_format("json");
	if ((fp = open_memstream(&text, &len)) != NULL) {
		stats_print(st, fp);
		fclose(fp);
	}
	CHECK_STR(text, "{\"tool\":\"t\",\"counters\":{\"malformed\":5,"
	    "\"empty\":1,\"not_object\":0,\"bad_json\":2,"
	    "\"truncated_json\":2,\"bad_utf8\":0,\"too_deep\":0,"
	    "\"trailing_garbage\":0}}\n");
	free(text);
	stats_destroy(&st);
	return unit_done("badline");
}
