/* badline.h - counting input lines that are not records, the same way in
 * every stage that reads records: one "malformed" counter for all of them
 * and one counter per reason, named by record_errname(). */
#ifndef EVPIPE_BADLINE_H
#define EVPIPE_BADLINE_H

#include <stdint.h>

#include "record.h"

struct stats;

struct badline {
	struct stats	*st;
	uint64_t	*all;			/* "malformed" */
	uint64_t	*why[REC_TRAILING + 1];	/* by reason; [REC_OK] unused */
};

/* Creates the counters in st, "malformed" first, then "empty",
 * "not_object", "bad_json", "truncated_json", "bad_utf8", "too_deep",
 * "trailing_garbage" (the order ev-route prints them in). */
void	badline_init(struct badline *b, struct stats *st);

/* Counts err, a failure of record_parse(), under its reason and under
 * "malformed", and reports it on stderr as "malformed: REASON" (rate-limited
 * by stats_bad). An err out of range counts as "bad_json". */
void	badline_count(struct badline *b, int err);

#endif
