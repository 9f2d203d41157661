/* test_seqset.c - unit tests for common/seqset.c. */
#include <stdlib.h>

#include "seqset.h"
#include "unit.h"

/* The case that lost records: a consumer filtered on one subject gets
 * stream sequences with gaps, and after a leader change one whose first
 * delivery was lost comes again after newer ones. It is new, so read;
 * a plain redelivery is not. */
static void
test_out_of_order(void)
{
	struct seqset ss = { 0 };

	CHECK(seqset_add(&ss, 3));
	CHECK(seqset_add(&ss, 7));
	CHECK(seqset_add(&ss, 12));
	CHECK(seqset_add(&ss, 5));		/* late, never seen: new */
	CHECK(!seqset_add(&ss, 5));		/* seen now */
	CHECK(!seqset_add(&ss, 7));		/* a redelivery */
	CHECK(!seqset_add(&ss, 12));
	CHECK(seqset_add(&ss, 1));
	CHECK(ss.n == 5);
	CHECK(ss.v[0] == 1 && ss.v[1] == 3 && ss.v[2] == 5 &&
	    ss.v[3] == 7 && ss.v[4] == 12);
	seqset_free(&ss);
	CHECK(ss.n == 0 && ss.floor == 0 && ss.v == NULL);
}

/* An acknowledgement raises the floor: what is under it is present and
 * forgotten, so memory follows the unacknowledged part only. */
static void
test_floor(void)
{
	struct seqset ss = { 0 };

	CHECK(seqset_add(&ss, 10));
	CHECK(seqset_add(&ss, 20));
	CHECK(seqset_add(&ss, 30));
	seqset_floor(&ss, 20);
	CHECK(ss.floor == 20 && ss.n == 1 && ss.v[0] == 30);
	CHECK(!seqset_add(&ss, 15));		/* acked (AckAll): present */
	CHECK(!seqset_add(&ss, 20));
	CHECK(seqset_add(&ss, 25));
	seqset_floor(&ss, 5);			/* never lowered */
	CHECK(ss.floor == 20 && ss.n == 2);
	seqset_floor(&ss, 100);
	CHECK(ss.floor == 100 && ss.n == 0);
	CHECK(!seqset_add(&ss, 30));
	seqset_free(&ss);
}

/* Against a plain array of flags, on random sequences with repeats. */
static void
test_random(void)
{
	enum { N = 5000 };
	static bool seen[N + 1];
	struct seqset ss = { 0 };
	uint64_t floor = 0;
	int i, bad = 0;

	srandom(7);
	for (i = 0; i < 200000; i++) {
		uint64_t s = 1 + (uint64_t)random() % N;
		bool want = s > floor && !seen[s];

		if (seqset_add(&ss, s) != want)
			bad++;
		seen[s] = true;
		if (i % 20000 == 19999) {
			floor += 300;
			seqset_floor(&ss, floor);
		}
	}
	CHECK(bad == 0);
	for (i = 1; i < (int)ss.n; i++)
		if (ss.v[i - 1] >= ss.v[i] || ss.v[i - 1] <= floor)
			bad++;
	CHECK(bad == 0);
	seqset_free(&ss);
}

int
main(void)
{
	test_out_of_order();
	test_floor();
	test_random();
	return unit_done("seqset");
}
