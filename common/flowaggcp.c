/* flowaggcp.c - flow-agg's event copies (include/flowaggint.h): an event
 * that repeats the members of the one read before it is neither parsed
 * nor read again.
 *
 * ev-route writes an event it copies for another interface right after
 * the original, the same text but for the leading "_" members it changes
 * (_from, _iface): in such a chain half the records are copies. What the
 * last event read left is kept: the text of its members from the first
 * whose key does not start with '_' to the closing '}', fa->ev, and, until
 * the next line is parsed into it, their index in fa->rec.
 *
 * - evf_read() reads no member whose key starts with '_' (none of its
 *   keys does, and an escaped key starts with a backslash), so the same
 *   text from the first other member on reads to the same event.
 * - A line that ends with ',' and that text is parsed in two parts: its
 *   leading members, closed by a '}' in a copy, by record_parse(), then
 *   the members kept. The whole line is then valid exactly when the
 *   leading part is an object of at least one member (the scanner meets
 *   the kept text at a member's start, at depth 1, as it did in the line
 *   that text came from), and its members are those of both parts. Any
 *   other line is parsed whole, and so gets record_parse()'s own answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evfields.h"
#include "flowaggint.h"
#include "record.h"
#include "xalloc.h"

/* Keeping an event costs a copy of its text. After FA_MISSES events in a
 * row that were no copy, only one in FA_SKIP + 1 is kept, enough to
 * notice when copies begin; a copy seen resets the count. */
#define FA_MISSES	8
#define FA_SKIP		15

/* p, a pointer into a text at from, moved to the same place in a copy
 * of that text at to (from may be gone: it is not read). */
static inline const char *
fa_rebase(const char *p, const char *from, const char *to)
{
	return to + ((uintptr_t)p - (uintptr_t)from);
}

int
fa_ev_read(struct flowagg *fa, const struct record *r)
{
	struct fa_last *l = &fa->last;
	struct evf_ids *id = &fa->ev->id;
	const char *body;
	size_t i, n;
	int rc;

	l->cur = false;
	if (l->skip > 0) {
		l->skip--;
		return evf_read(&fa->rd, r, fa->ev);
	}
	/* A copy parsed in two parts has the members kept, and when its
	 * own all start with '_' they are what it is read from. */
	if (r == &l->copy && l->copyall) {
		l->cur = true;
		l->misses = 0;
		return fa->ev->bad ? -1 : 0;
	}
	for (i = 0; i < r->nf && r->f[i].klen > 0 && r->f[i].key[0] == '_';
	    i++)
		;
	if (i == r->nf) {
		l->len = 0;
		return evf_read(&fa->rd, r, fa->ev);
	}
	body = r->f[i].key - 1;		/* the key's opening quote */
	n = (size_t)(r->text + r->len - body);
	if (n == l->len && memcmp(body, l->text, n) == 0) {
		l->cur = true;
		l->misses = 0;
		rc = fa->ev->bad ? -1 : 0;
	} else if (++l->misses > FA_MISSES) {
		l->len = 0;
		l->indexed = false;
		l->skip = FA_SKIP;
		l->misses = FA_MISSES - 1;	/* the next one read is kept */
		return evf_read(&fa->rd, r, fa->ev);
	} else {
		rc = evf_read(&fa->rd, r, fa->ev);
		if (n > l->cap) {
			l->cap = n + n / 2;
			l->text = xreallocarray(l->text, l->cap, 1);
		}
		memcpy(l->text, body, n);
		l->len = n;
		l->compact = r->compact;
		l->indexed = false;	/* unless r is fa->rec, below */
		l->cur = true;
		l->l7 = 0;
		/* An interface name without escapes points into one of
		 * those members in r's text: point it into the copy. */
		if (id->has_ifname && id->ifname != id->ifbuf)
			id->ifname = fa_rebase(id->ifname, body, l->text);
	}
	if (r == &fa->rec) {
		l->indexed = true;
		l->fi = i;
		l->from = body;
	}
	return rc;
}

/* Parses a line whose leading members (pre, n bytes, the comma after them
 * left out) are followed by the last event's members (at body) into
 * fa->last.copy; false if they are no object of one member or more. */
static bool
fa_parse_copy(struct flowagg *fa, const char *pre, size_t n,
    const char *body)
{
	struct fa_last *l = &fa->last;
	struct record *c = &l->copy;
	const struct rec_field *bf = fa->rec.f + l->fi;
	size_t i, np, nb = fa->rec.nf - l->fi;
	uintptr_t d;		/* how far a member moves (modulo 2^N) */

	if (n + 1 > l->precap) {
		l->precap = n + 1 + (n + 1) / 2;
		l->pre = xreallocarray(l->pre, l->precap, 1);
	}
	memcpy(l->pre, pre, n);
	l->pre[n] = '}';
	if (record_parse(c, l->pre, n + 1) != REC_OK || c->nf == 0)
		return false;
	np = c->nf;
	if (np + nb > c->cap) {
		c->cap = np + nb;
		c->f = xreallocarray(c->f, c->cap, sizeof(*c->f));
	}
	d = (uintptr_t)pre - (uintptr_t)l->pre;
	l->copyall = true;
	for (i = 0; i < np; i++) {
		c->f[i].key = (const char *)((uintptr_t)c->f[i].key + d);
		c->f[i].val = (const char *)((uintptr_t)c->f[i].val + d);
		l->copyall &= c->f[i].klen > 0 && c->f[i].key[0] == '_';
	}
	/* The kept members in one copy, then moved: cheaper than a struct
	 * assignment per member. */
	memcpy(c->f + np, bf, nb * sizeof(*bf));
	d = (uintptr_t)body - (uintptr_t)l->from;
	for (i = np; i < np + nb; i++) {
		c->f[i].key = (const char *)((uintptr_t)c->f[i].key + d);
		c->f[i].val = (const char *)((uintptr_t)c->f[i].val + d);
	}
	c->nf = np + nb;
	c->text = fa_rebase(c->text, l->pre, pre);
	c->len = (size_t)(body + l->len - c->text);
	/* the members kept are compact (see fa_parse()) */
	return true;
}

int
fa_parse(struct flowagg *fa, const char *line, size_t len,
    const struct record **rp)
{
	struct fa_last *l = &fa->last;
	size_t n = l->len;

	/* Only a compact text: the copy is then compact if its leading
	 * members are, as record_parse() would say. */
	if (l->indexed && l->compact && n > 0 && len > n + 1 &&
	    line[len - n - 1] == ',' &&
	    memcmp(line + len - n, l->text, n) == 0 &&
	    fa_parse_copy(fa, line, len - n - 1, line + len - n)) {
		*rp = &l->copy;
		return REC_OK;
	}
	l->indexed = false;	/* fa->rec is parsed again */
	*rp = &fa->rec;
	return record_parse(&fa->rec, line, len);
}

void
fa_last_free(struct fa_last *l)
{
	free(l->text);
	free(l->pre);
	record_free(&l->copy);
	memset(l, 0, sizeof(*l));
}
