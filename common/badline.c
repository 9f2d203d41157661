/* badline.c - counting input lines that are not records. */
#include "badline.h"
#include "record.h"
#include "stats.h"

void
badline_init(struct badline *b, struct stats *st)
{
	int e;

	b->st = st;
	b->all = stats_ctr(st, "malformed");
	b->why[REC_OK] = NULL;
	for (e = REC_EMPTY; e <= REC_TRAILING; e++)
		b->why[e] = stats_ctr(st, record_errname(e));
}

void
badline_count(struct badline *b, int err)
{
	if (err <= REC_OK || err > REC_TRAILING)
		err = REC_SYNTAX;
	(*b->why[err])++;
	stats_bad(b->st, b->all, "malformed", "%s", record_errname(err));
}
