/* jsonlaxint.h - what the parts of jsonlax share (common/jsonlax.c, the
 * values; jsonlaxstr.c, the strings): the walk's state and its output
 * primitives. Tools use include/jsonlax.h.
 */
#ifndef EVPIPE_JSONLAXINT_H
#define EVPIPE_JSONLAXINT_H

#include <stdbool.h>
#include <stddef.h>

#include "jsonlax.h"
#include "sbuf.h"

/* Walk results: LAX_CUT is json-c's quirk where the text ends inside a
 * comment right after a complete value at any depth: json-c then returns
 * that value itself, whatever encloses it. */
enum { LAX_OK, LAX_FAIL, LAX_CUT };

struct lax {
	const unsigned char *s;
	size_t		 len;		/* up to the first NUL byte */
	size_t		 pos;
	size_t		 mark;		/* input copied to out up to here */
	struct sbuf	*out;
	unsigned	 repairs;
	int		 err;
	size_t		 errpos;
	size_t		 cutoff;	/* the value returned: its output */
	size_t		 cutlen;
	size_t		 cutend;	/* and the end of its input */
};

/* Copies the input from mark up to upto to the output (none: only
 * checking, jsonlax_tail()). */
static inline void
lax_flush(struct lax *L, size_t upto)
{
	if (upto > L->mark) {
		if (L->out != NULL)
			sbuf_add(L->out, L->s + L->mark, upto - L->mark);
		L->mark = upto;
	}
}

/* Replaces input [from, to) by the n bytes of r in the output. */
static inline void
lax_repl(struct lax *L, size_t from, size_t to, const char *r, size_t n)
{
	lax_flush(L, from);
	if (n > 0 && L->out != NULL)
		sbuf_add(L->out, r, n);
	L->mark = to;
}

/* The byte at i, or 0 past the end. */
static inline int
lax_at(const struct lax *L, size_t i)
{
	return i < L->len ? L->s[i] : 0;
}

/* Notes the first failure, err at the current position; LAX_FAIL. */
static inline int
lax_fail(struct lax *L, int err)
{
	if (L->err == JSONLAX_OK) {
		L->err = err;
		L->errpos = L->pos;
	}
	return LAX_FAIL;
}

/* A failure at the current byte: the end of the text or a wrong byte. */
static inline int
lax_bad(struct lax *L)
{
	return lax_fail(L, L->pos >= L->len ? JSONLAX_EEOF : JSONLAX_ESYNTAX);
}

/* A string or key in double or single quotes (pos at the quote), written
 * as strict JSON. Returns LAX_OK or LAX_FAIL (the error in L). */
int	lax_string(struct lax *L, bool key);

#endif
