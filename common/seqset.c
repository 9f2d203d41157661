/* seqset.c - a set of sequence numbers above a floor (include/seqset.h). */
#include <stdlib.h>
#include <string.h>

#include "seqset.h"
#include "xalloc.h"

bool
seqset_add(struct seqset *ss, uint64_t seq)
{
	size_t lo = 0, hi = ss->n, mid;

	if (seq <= ss->floor)
		return false;
	if (ss->n > 0 && seq > ss->v[ss->n - 1])
		lo = ss->n;		/* the usual case: in order */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ss->v[mid] == seq)
			return false;
		if (ss->v[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? 2 * ss->cap : 256;
		ss->v = xreallocarray(ss->v, ss->cap, sizeof(*ss->v));
	}
	memmove(ss->v + lo + 1, ss->v + lo, (ss->n - lo) * sizeof(*ss->v));
	ss->v[lo] = seq;
	ss->n++;
	return true;
}

void
seqset_floor(struct seqset *ss, uint64_t seq)
{
	size_t i = 0;

	if (seq <= ss->floor)
		return;
	ss->floor = seq;
	while (i < ss->n && ss->v[i] <= seq)
		i++;
	memmove(ss->v, ss->v + i, (ss->n - i) * sizeof(*ss->v));
	ss->n -= i;
}

void
seqset_free(struct seqset *ss)
{
	free(ss->v);
	memset(ss, 0, sizeof(*ss));
}
