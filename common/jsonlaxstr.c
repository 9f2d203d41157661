/* jsonlaxstr.c - json-c's lenient strings in, strict JSON strings out
 * (include/jsonlax.h): single or double quotes, raw control bytes,
 * ill-formed UTF-8 and escapes as json-c's tokener reads them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "jsonlax.h"
#include "jsonlaxint.h"
#include "sbuf.h"

/* Replaces input [from, to) by U+FFFD, unless quiet. */
static void
lax_fffd(struct lax *L, size_t from, size_t to, bool quiet)
{
	L->repairs |= JSONLAX_R_UTF8;
	if (!quiet)
		lax_repl(L, from, to, "\xef\xbf\xbd", 3);
}

/* Passes the UTF-8 sequence at pos, or replaces its maximal ill-formed
 * subpart by U+FFFD (Unicode's "substitution of maximal subparts"). */
static void
lax_utf8(struct lax *L, bool quiet)
{
	const unsigned char *s = L->s + L->pos;
	size_t avail = L->len - L->pos, n = 1, need = 0, i;
	unsigned b0 = s[0], lo = 0x80, hi = 0xbf;

	if (b0 >= 0xc2 && b0 <= 0xdf)
		need = 1;
	else if (b0 >= 0xe0 && b0 <= 0xef) {
		need = 2;
		lo = b0 == 0xe0 ? 0xa0 : 0x80;
		hi = b0 == 0xed ? 0x9f : 0xbf;
	} else if (b0 >= 0xf0 && b0 <= 0xf4) {
		need = 3;
		lo = b0 == 0xf0 ? 0x90 : 0x80;
		hi = b0 == 0xf4 ? 0x8f : 0xbf;
	}
	for (i = 0; i < need && n < avail && s[n] >= lo && s[n] <= hi; i++) {
		n++;
		lo = 0x80;
		hi = 0xbf;
	}
	L->pos += n;
	if (need == 0 || i < need)
		lax_fffd(L, L->pos - n, L->pos, quiet);
}

/* Reads 4 hex digits at pos into *cp. */
static bool
lax_hex4(struct lax *L, uint32_t *cp)
{
	uint32_t v = 0;
	size_t i;
	int c;

	for (i = 0; i < 4; i++) {
		c = lax_at(L, L->pos + i);
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else {
			L->pos += i;
			return false;
		}
		v = v << 4 | (uint32_t)c;
	}
	L->pos += 4;
	*cp = v;
	return true;
}

/* The \u escape at pos (its backslash), as json-c decodes it: a high
 * surrogate pairs with a following \u low surrogate; a surrogate left
 * alone is U+FFFD. Sets *cp to the code point of the last escape read. */
static int
lax_unicode(struct lax *L, uint32_t *cp, bool quiet)
{
	size_t at = L->pos;
	uint32_t u, lo;

	L->pos += 2;
	if (!lax_hex4(L, &u))
		return lax_bad(L);
	while ((u & 0xfc00) == 0xd800) {
		if (lax_at(L, L->pos) != '\\' || lax_at(L, L->pos + 1) != 'u')
			break;
		L->pos += 2;
		if (!lax_hex4(L, &lo))
			return lax_bad(L);
		if ((lo & 0xfc00) == 0xdc00) {
			*cp = 0x10000;
			return LAX_OK;
		}
		lax_fffd(L, at, at + 6, quiet);
		at += 6;
		u = lo;
	}
	if ((u & 0xf800) == 0xd800)
		lax_fffd(L, at, at + 6, quiet);
	*cp = u;
	return LAX_OK;
}

/* One escape at pos (its backslash). In a key, \u0000 ends what json-c
 * keeps of it (it copies keys with strdup): *cut is set and the rest of
 * the key is left out. */
static int
lax_escape(struct lax *L, bool key, bool *cut)
{
	uint32_t cp;
	size_t at = L->pos;
	int c = lax_at(L, L->pos + 1), rc;

	switch (c) {
	case '"': case '\\': case '/':
	case 'b': case 'f': case 'n': case 'r': case 't':
		L->pos += 2;
		return LAX_OK;
	case 'u':
		break;
	default:
		L->pos++;
		return lax_bad(L);
	}
	if ((rc = lax_unicode(L, &cp, *cut)) != LAX_OK)
		return rc;
	if (key && cp == 0 && !*cut) {
		*cut = true;
		L->repairs |= JSONLAX_R_KEYNUL;
		lax_flush(L, at);
	}
	return LAX_OK;
}

/* Bytes valid as they are in a string: printable ASCII but the quotes
 * and the backslash. */
static bool
lax_plain(int c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\'' && c != '\\';
}

/* A byte of a string that is not plain and not its closing quote. */
static int
lax_special(struct lax *L, int c, bool key, bool *cut)
{
	char b[6];

	if (c == '\\')
		return lax_escape(L, key, cut);
	if (c >= 0x80) {
		lax_utf8(L, *cut);
		return LAX_OK;
	}
	/* The other quote, or a raw control byte. */
	L->pos++;
	if (c == '\'')
		return LAX_OK;
	if (c == '"') {
		if (!*cut)
			lax_repl(L, L->pos - 1, L->pos, "\\\"", 2);
		return LAX_OK;
	}
	L->repairs |= JSONLAX_R_CONTROL;
	if (!*cut)
		lax_repl(L, L->pos - 1, L->pos, b,
		    (size_t)(sbuf_put_jesc(b, (unsigned char)c) - b));
	return LAX_OK;
}

/* A string or key in double or single quotes (pos at the quote). */
int
lax_string(struct lax *L, bool key)
{
	const unsigned char *s = L->s;
	size_t run;
	int q = s[L->pos], rc;
	bool cut = false;

	if (q == '\'') {
		L->repairs |= JSONLAX_R_QUOTE;
		lax_repl(L, L->pos, L->pos + 1, "\"", 1);
	}
	L->pos++;
	for (;;) {
		for (run = L->pos; run < L->len && lax_plain(s[run]); run++)
			;
		L->pos = run;
		if (run >= L->len)
			return lax_fail(L, JSONLAX_EEOF);
		if (s[run] == q)
			break;
		if ((rc = lax_special(L, s[run], key, &cut)) != LAX_OK)
			return rc;
	}
	if (cut)
		L->mark = L->pos;	/* the rest of the key is left out */
	if (q == '\'')
		lax_repl(L, L->pos, L->pos + 1, "\"", 1);
	L->pos++;
	return LAX_OK;
}
