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
 * - Before that, a line that is ev-route's splice of the event kept, the
 *   same text but for a "_from" member put first and the value of its
 *   "_iface" replaced, is not parsed at all (fa_parse_spliced()).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evfields.h"
#include "evkeys.h"
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

/* Keeps the leading members of r, the event indexed in fa->rec, whose
 * first other member is fi and starts at body: their text, and where the
 * value of its _iface member is, as the dispatch found it (l->heads), if
 * it is one of them (else no splice). */
static void
fa_keep_lead(struct fa_last *l, const struct record *r, size_t fi,
    const char *body)
{
	const char *o = r->text + 1;	/* past the '{' */
	size_t i, n = (size_t)(body - o);

	l->ia = SIZE_MAX;
	if (l->heads.iface == NULL ||
	    (i = (size_t)(l->heads.iface - r->f)) >= fi)
		return;
	if (n > l->leadcap) {
		l->leadcap = n + n / 2;
		l->lead = xreallocarray(l->lead, l->leadcap, 1);
	}
	memcpy(l->lead, o, n);
	l->leadlen = n;
	l->ia = i;
	l->va = (size_t)(r->f[i].val - o);
	l->vb = l->va + r->f[i].vlen;
}

/* evf_read() into fa->ev, counted: fa->ev changes only here. */
static int
fa_evf_read(struct flowagg *fa, const struct record *r)
{
	fa->evgen++;
	return evf_read(&fa->rd, r, fa->ev);
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
		return fa_evf_read(fa, r);
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
		return fa_evf_read(fa, r);
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
		return fa_evf_read(fa, r);
	} else {
		rc = fa_evf_read(fa, r);
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
		fa_keep_lead(l, r, i, body);
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

/* The end (past its closing quote) of the string at s[p] if it holds
 * only printable ASCII but '"' and '\\', before end: a valid JSON string
 * with nothing to decode. 0 for any other text. */
static size_t
fa_plain_str(const char *s, size_t p, size_t end)
{
	unsigned char c;

	if (p >= end || s[p] != '"')
		return 0;
	for (p++; p < end; p++) {
		if ((c = (unsigned char)s[p]) == '"')
			return p + 1;
		if (c < 0x20 || c > 0x7e || c == '\\')
			return 0;
	}
	return 0;
}

/* Member f of the event indexed in fa->rec, moved by d into a copy. */
static inline void
fa_field_move(struct rec_field *f, uintptr_t d)
{
	f->key = (const char *)((uintptr_t)f->key + d);
	f->val = (const char *)((uintptr_t)f->val + d);
}

/*
 * ev-route's copy of the event indexed in fa->rec: line[0..m), followed
 * by the members kept, is {"_from":S, then the event's leading members
 * (l->lead) with the value of its _iface (l->ia) replaced by T. Both
 * parts are the event's text, which record_parse() validated, so the
 * line is valid when S and T are values: S the event's own _iface value
 * (what ev-route writes), or S and T plain strings (fa_plain_str()). Its
 * members are then _from and the event's, moved, and it is compact
 * exactly when the event is. Fills fa->last.copy; false for any other
 * line, left to the parsers.
 */
static bool
fa_parse_spliced(struct flowagg *fa, const char *line, size_t m)
{
	static const char head[] = "{\"" EVK_FROM "\":";
	const size_t hn = sizeof(head) - 1;
	struct fa_last *l = &fa->last;
	struct record *c = &l->copy;
	const struct rec_field *of = &fa->rec.f[l->ia];
	const char *o = fa->rec.text + 1;	/* the event's lead, gone */
	size_t vn = l->vb - l->va, i, s, p, t, nf = fa->rec.nf + 1;
	bool own;

	if (m < hn || memcmp(line, head, hn) != 0)
		return false;
	own = m - hn > vn && line[hn + vn] == ',' &&
	    memcmp(line + hn, l->lead + l->va, vn) == 0;
	if (own)
		s = hn + vn;
	else if ((s = fa_plain_str(line, hn, m)) == 0 || s >= m ||
	    line[s] != ',')
		return false;
	p = s + 1;
	if (m - p < l->va || memcmp(line + p, l->lead, l->va) != 0 ||
	    (t = fa_plain_str(line, p + l->va, m)) == 0 ||
	    m - t != l->leadlen - l->vb ||
	    memcmp(line + t, l->lead + l->vb, m - t) != 0)
		return false;
	if (nf > c->cap) {
		c->cap = nf;
		c->f = xreallocarray(c->f, c->cap, sizeof(*c->f));
	}
	c->f[0].key = line + 2;
	c->f[0].klen = sizeof(EVK_FROM) - 1;
	c->f[0].kesc = false;
	c->f[0].val = line + hn;
	c->f[0].vlen = s - hn;
	c->f[0].kind = own ? of->kind : REC_STRING;
	c->f[0].vesc = own && of->vesc;
	memcpy(c->f + 1, fa->rec.f, fa->rec.nf * sizeof(*c->f));
	/* Up to the _iface member's key, the members move by the _from
	 * member's length; past its value, by that and the change of the
	 * value's length. */
	for (i = 1; i <= l->ia + 1; i++)
		fa_field_move(&c->f[i], (uintptr_t)(line + p) - (uintptr_t)o);
	c->f[l->ia + 1].val = line + p + l->va;
	c->f[l->ia + 1].vlen = t - (p + l->va);
	c->f[l->ia + 1].kind = REC_STRING;
	c->f[l->ia + 1].vesc = false;
	for (i = l->ia + 2; i < nf; i++)
		fa_field_move(&c->f[i], (uintptr_t)(line + t) -
		    (uintptr_t)(o + l->vb));
	c->nf = nf;
	c->text = line;
	c->len = m + l->len;
	c->compact = fa->rec.compact;
	l->copyall = true;	/* _from and the event's leading members */
	return true;
}

int
fa_parse(struct flowagg *fa, const char *line, size_t len,
    const struct record **rp)
{
	struct fa_last *l = &fa->last;
	size_t n = l->len;

	if (l->indexed && n > 0 && len > n + 1 && line[len - n - 1] == ',' &&
	    memcmp(line + len - n, l->text, n) == 0) {
		if (l->ia != SIZE_MAX &&
		    (l->spliced = fa_parse_spliced(fa, line, len - n))) {
			*rp = &l->copy;
			return REC_OK;
		}
		/* Only a compact text: the copy is then compact if its
		 * leading members are, as record_parse() would say. */
		if (l->compact &&
		    fa_parse_copy(fa, line, len - n - 1, line + len - n)) {
			*rp = &l->copy;
			return REC_OK;
		}
	}
	l->indexed = false;	/* fa->rec is parsed again */
	l->spliced = false;
	*rp = &fa->rec;
	return record_parse(&fa->rec, line, len);
}

void
fa_last_free(struct fa_last *l)
{
	free(l->text);
	free(l->pre);
	free(l->lead);
	record_free(&l->copy);
	memset(l, 0, sizeof(*l));
}
