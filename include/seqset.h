/* seqset.h - a set of sequence numbers above a floor: which messages of a
 * stream were already handed out, when they may come again out of order
 * (a JetStream consumer's redeliveries after a leader change).
 *
 * Everything at or below the floor counts as present; the numbers above
 * it are kept sorted. Adding in order costs O(1); one out of order costs
 * a binary search and a move of the numbers after it.
 */
#ifndef EVPIPE_SEQSET_H
#define EVPIPE_SEQSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct seqset {
	uint64_t	 floor;		/* all of 1..floor are present */
	uint64_t	*v;		/* the present numbers above floor */
	size_t		 n, cap;
};

/* Adds seq: true if it was new, false if present already (at or below
 * the floor, or added before). Out of memory: include/xalloc.h. */
bool	seqset_add(struct seqset *ss, uint64_t seq);
/* Raises the floor to seq (never lowers it) and forgets the numbers at or
 * below it. */
void	seqset_floor(struct seqset *ss, uint64_t seq);
/* Frees the numbers; the set is empty with floor 0 afterwards. */
void	seqset_free(struct seqset *ss);

#endif
