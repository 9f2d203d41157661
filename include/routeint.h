/* routeint.h - what the parts of ev-route's core share (common/routecore.c,
 * the one-thread core, and common/routepool.c, its -j workers): the core's
 * structure, its counter table and the batches the workers fill. Tools
 * use include/route.h.
 */
#ifndef EVPIPE_ROUTEINT_H
#define EVPIPE_ROUTEINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "route.h"
#include "sbuf.h"

struct rt_batch;
struct rt_pool;

/* The core: counters looked up once, outputs, scratch space. */
struct route_core {
	const struct route	*rt;
	const struct route_outs	*o;
	struct stats		*st;
	struct record		 rec;
	struct route_result	 res;
	struct sbuf		 buf;
	struct sbuf		 fromhead;	/* see route_from_head() */
	struct sink		**sinks;	/* distinct sinks */
	bool			*failed;
	size_t			 nsinks;
	size_t			 nfailed;
	bool			 lost;
	uint64_t		*c_in, *c_out, *c_malformed, *c_events;
	uint64_t		*c_passed, *c_no_iface, *c_ifname_copies;
	uint64_t		*c_comp_copies, *c_loopback, *c_unknown;
	uint64_t		*c_no_ifname, *c_merged, *c_bad_address;
	uint64_t		*c_bad_field, *c_no_tuple, *c_lost, *c_dropped;
	uint64_t		*c_parse[REC_TRAILING + 1];
	/* Where the current line came from, for messages. */
	const struct linebuf	*lb;
	int			 input;
	uint64_t		 line_no;	/* the current line's number */
	uint64_t		*lineno;	/* per input */
	size_t			 nlineno;
	char			 where[256];
	/* A worker's core (-j): its counters are its own (local), and what
	 * it would write or report goes into its batch instead, for the
	 * main thread to replay in input order. */
	struct rt_batch		*batch;
	uint64_t		 local[32];
	struct rt_pool		*pool;		/* the workers, with -j */
};

/* Every counter of a core, in the order they are created (the order they
 * print in), by the offset of its pointer in struct route_core; a NULL
 * name is a parse error's, named by record_errname(). */
#define RC_CTR(field)	offsetof(struct route_core, field)
struct rc_ctr {
	size_t		 off;
	const char	*name;
};
#define RC_NCTRS	24
extern const struct rc_ctr rc_ctrs[RC_NCTRS];
#define RC_SLOT(c, i)	((uint64_t **)(void *)((char *)(c) + rc_ctrs[i].off))

/* A batch of lines for the -j workers (common/routepool.c): the lines,
 * what routing them would write and report, and the counts it added. */
#define RT_BATCH_BYTES	(256 * 1024)
#define RT_BATCH_LINES	2048

struct rt_line {
	size_t		 off, len;
	int		 input;
	uint64_t	 lineno;
};

struct rt_out {
	struct sink	*s;
	bool		 own;		/* bytes in out, else in in */
	size_t		 off, len;
};

struct rt_bad {
	size_t		 ctr;		/* index in rc_ctrs */
	const char	*what;
	size_t		 off, len;	/* the message, in msgs */
};

enum rt_state { RT_FREE, RT_QUEUED, RT_BUSY, RT_DONE };

struct rt_batch {
	enum rt_state	 state;
	struct sbuf	 in;
	struct rt_line	*lines;
	size_t		 nlines, lcap;
	struct sbuf	 out;
	struct rt_out	*outs;
	size_t		 nouts, ocap;
	struct sbuf	 msgs;
	struct rt_bad	*bads;
	size_t		 nbads, bcap;
	uint64_t	 cnt[RC_NCTRS];
};

/* True if a and b hold the same n bytes. Routing compares a record's
 * interface names, a few to thirty bytes, with the ones it knows, several
 * times a line: two loads from each end, overlapping, cost less than a
 * call to memcmp. */
static inline bool
route_same(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t w, z, u, v;

	if (n >= 8) {
		for (; n > 8; a += 8, b += 8, n -= 8) {
			memcpy(&x, a, 8);
			memcpy(&y, b, 8);
			if (x != y)
				return false;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		memcpy(&w, a, 4);
		memcpy(&z, b, 4);
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return w == z && u == v;
	}
	for (; n > 0; n--)
		if (*a++ != *b++)
			return false;
	return true;
}

/* routecore.c */

/* Routes one line (no newline) with c. Returns 0, or -1 if a sink lost
 * output (counted; the core keeps going with the other sinks). */
int	route_line(struct route_core *c, const char *line, size_t len);
/* Writes p (n bytes) to s, or notes it in c's batch in a worker. Returns
 * 0, or -1 if s failed (counted, reported once per sink). */
int	route_emit(struct route_core *c, struct sink *s, const char *p,
	    size_t n);
/* Counts a line read from input and returns its number (0 for no input). */
uint64_t route_count_line(struct route_core *c, int input);

/* routepool.c */

/* Ends the workers of c; what they have not written is lost, so callers
 * drain first (route_drain). */
void	rt_pool_stop(struct route_core *c);
/* route_poll with workers: returns what linebuf_poll returns. */
int	rt_pool_poll(struct rt_pool *pl, struct linebuf *in, int timeout_ms);
/* Writes out every line read so far (with workers; else nothing to do). */
void	route_drain(struct route_core *c);

#endif
