/* jsonlax.c - json-c's lenient grammar in, strict JSON out
 * (include/jsonlax.h). The grammar is the one json-c 0.16's tokener has
 * with default flags, which is what ntopng parses producer payloads with;
 * zmq-ingest(1) lists what is accepted and how it is written.
 *
 * A recursive descent over the bytes, one function per kind of value.
 * The output is the input with only the repaired spans replaced: what is
 * valid as it is gets copied in one call when the next repair (or the
 * end) comes, so white space is kept and a payload with one trailing
 * comma costs one validating pass and two copies. Recursion is bounded by
 * the depth limit, as json-c's stack is. Strings are read in
 * common/jsonlaxstr.c.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonlax.h"
#include "jsonlaxint.h"

static int	lax_value(struct lax *, int);

static bool
lax_isws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skips a comment starting at "/" "*" or "//". Returns LAX_OK, or LAX_CUT
 * when the text ends inside it. json-c consumes the byte after every '*'
 * that does not close the comment, so "**" + "/" does not close one. */
static int
lax_comment(struct lax *L)
{
	const unsigned char *p;
	size_t start = L->pos;
	bool block = L->s[L->pos + 1] == '*';

	L->pos += 2;
	L->repairs |= JSONLAX_R_COMMENT;
	for (;;) {
		p = memchr(L->s + L->pos, block ? '*' : '\n', L->len - L->pos);
		if (p == NULL) {
			L->pos = L->len;
			return LAX_CUT;
		}
		L->pos = (size_t)(p - L->s) + 1;
		if (block && L->pos >= L->len)
			return LAX_CUT;
		if (!block || L->s[L->pos++] == '/')
			break;
	}
	/* A line comment's newline stays: it is white space. */
	lax_repl(L, start, block ? L->pos : L->pos - 1, NULL, 0);
	return LAX_OK;
}

/* Skips white space and comments (json-c's eatws state). Returns LAX_OK at
 * the next other byte, LAX_FAIL on a '/' starting no comment, LAX_CUT when
 * the text ends inside a comment. */
static int
lax_ws_slow(struct lax *L)
{
	int c, rc;

	for (;;) {
		while (L->pos < L->len && lax_isws(L->s[L->pos]))
			L->pos++;
		if (lax_at(L, L->pos) != '/')
			return LAX_OK;
		c = lax_at(L, L->pos + 1);
		if (c != '*' && c != '/') {
			L->pos++;
			return lax_bad(L);
		}
		if ((rc = lax_comment(L)) != LAX_OK)
			return rc;
	}
}

/* lax_ws_slow() when the byte at pos may start white space or a comment:
 * most tokens follow each other directly. */
static inline int
lax_ws(struct lax *L)
{
	int c = lax_at(L, L->pos);

	if (c > ' ' && c != '/')
		return LAX_OK;
	return lax_ws_slow(L);
}

/* White space where a value or separator must follow: a cut is the end of
 * the text inside a value. */
static int
lax_ws_in(struct lax *L)
{
	int rc = lax_ws(L);

	return rc == LAX_CUT ? lax_fail(L, JSONLAX_EEOF) : rc;
}

/* True if the n bytes at pos are word (lower case) in any letter case;
 * *exact tells whether they were lower case. */
static bool
lax_word(const struct lax *L, const char *word, size_t n, bool *exact)
{
	size_t i;
	int c;

	*exact = true;
	if (L->len - L->pos < n)
		return false;
	for (i = 0; i < n; i++) {
		c = L->s[L->pos + i];
		if ((c | 0x20) != word[i])
			return false;
		if (c != word[i])
			*exact = false;
	}
	return true;
}

/* true/false (t, f), null and NaN (n), Infinity (i) in any letter case,
 * the value starting at start (before pos for -Infinity). json-c needs one
 * more byte after the word, which the caller reads. */
static int
lax_literal(struct lax *L, size_t start)
{
	static const struct {
		const char	*word;
		size_t		 n;
		bool		 nonfinite;	/* written as null */
	} w[] = {
		{ "true", 4, false }, { "false", 5, false },
		{ "null", 4, false }, { "nan", 3, true },
		{ "infinity", 8, true },
	};
	size_t i;
	bool exact;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		if (w[i].word[0] != (L->s[L->pos] | 0x20) ||
		    !lax_word(L, w[i].word, w[i].n, &exact))
			continue;
		L->pos += w[i].n;
		if (w[i].nonfinite) {
			L->repairs |= JSONLAX_R_NONFINITE;
			/* From the '-' of -Infinity too. */
			lax_repl(L, start, L->pos, "null", 4);
		} else if (!exact) {
			L->repairs |= JSONLAX_R_LITERAL;
			lax_repl(L, start, L->pos, w[i].word, w[i].n);
		}
		return LAX_OK;
	}
	L->pos++;
	return lax_bad(L);
}

/* The integer s[start..end) ([-]digits, json-c's non-decimal number,
 * ending at pos) as json-c reads it: strtoll/strtoull, so leading zeros go
 * and values past the 64-bit range are clamped. */
static int
lax_int(struct lax *L, size_t start, size_t end)
{
	const unsigned char *s = L->s;
	bool neg = s[start] == '-', over = false;
	size_t d = start + neg, z = d, i;
	uint64_t v = 0;

	if (d == end)
		return lax_fail(L, JSONLAX_ESYNTAX);
	while (z < end - 1 && s[z] == '0')
		z++;
	if (z == d && end - z <= 18)
		return LAX_OK;		/* as it is */
	for (i = z; i < end; i++) {
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			over = true;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (neg && (over || v > (uint64_t)INT64_MAX + 1))
		v = (uint64_t)INT64_MAX + 1, over = true;
	else if (over)
		v = UINT64_MAX;
	if (over || z != d)
		L->repairs |= JSONLAX_R_NUMBER;
	lax_flush(L, start);
	L->mark = L->pos;
	if (neg && v != 0)
		sbuf_addc(L->out, '-');
	sbuf_add_u64(L->out, v);
	return LAX_OK;
}

/* The decimal s[start..end) (its text ends at pos, past what json-c trims)
 * as the double json-c reads with strtod:
 * the text when strtod would take all of it, in strict form ("1." is
 * "1.0", "-.5" is "-0.5", "007.5" is "7.5"), or null when it overflows. */
static int
lax_double(struct lax *L, size_t start, size_t end)
{
	const unsigned char *s = L->s;
	size_t p = start, ip, ipn, fp = 0, fn = 0, ep, at;
	bool dot = false;

	if (s[p] == '-')
		p++;
	for (ip = p; p < end && s[p] >= '0' && s[p] <= '9'; p++)
		;
	ipn = p - ip;
	if (p < end && s[p] == '.') {
		dot = true;
		for (fp = ++p; p < end && s[p] >= '0' && s[p] <= '9'; p++)
			;
		fn = p - fp;
	}
	if (ipn + fn == 0)
		return lax_fail(L, JSONLAX_ESYNTAX);
	ep = p;
	if (p < end && (s[p] == 'e' || s[p] == 'E')) {
		if (++p < end && (s[p] == '+' || s[p] == '-'))
			p++;
		if (p == end || s[p] < '0' || s[p] > '9')
			return lax_fail(L, JSONLAX_ESYNTAX);
		while (p < end && s[p] >= '0' && s[p] <= '9')
			p++;
	}
	if (p != end)
		return lax_fail(L, JSONLAX_ESYNTAX);
	if (ipn == 0 || (ipn > 1 && s[ip] == '0') || (dot && fn == 0) ||
	    (!dot && ep == end))
		L->repairs |= JSONLAX_R_NUMBER;
	/* Written out in any case: strtod needs it NUL-terminated. */
	lax_flush(L, start);
	L->mark = L->pos;
	at = L->out->len;
	if (s[start] == '-')
		sbuf_addc(L->out, '-');
	while (ipn > 1 && s[ip] == '0')
		ip++, ipn--;
	if (ipn == 0)
		sbuf_addc(L->out, '0');
	sbuf_add(L->out, s + ip, ipn);
	if (fn > 0) {
		sbuf_addc(L->out, '.');
		sbuf_add(L->out, s + fp, fn);
	} else if (dot || ep == end)
		sbuf_add(L->out, ".0", 2);	/* stays a double */
	sbuf_add(L->out, s + ep, end - ep);
	if (isinf(strtod(L->out->p + at, NULL))) {
		L->out->len = at;
		sbuf_adds(L->out, "null");
		L->repairs |= JSONLAX_R_NONFINITE;
	}
	return LAX_OK;
}

/* A number as json-c's number state reads it: digits, one '.', one
 * exponent mark, '-' first or after '.'/'e', '+' after '.'/'e'; inside a
 * container only ',', ']', '}', '/', 'I', 'i' or white space may follow;
 * "-" followed by 'I'/'i' is -Infinity. Decimals lose a trailing run of
 * 'e', 'E', '+', '-' ("1e+" is 1.0). */
static int
lax_number(struct lax *L, int depth)
{
	const unsigned char *s = L->s;
	size_t start = L->pos, p = start, end;
	bool dbl = false, exp = false, sign = true;
	int c;

	for (; p < L->len; p++) {
		c = s[p];
		if ((c < '0' || c > '9') && (exp || (c != 'e' && c != 'E')) &&
		    !(sign && c == '-') && !(sign && c == '+' && p > start) &&
		    (dbl || c != '.'))
			break;
		sign = c == '.' || c == 'e' || c == 'E';
		dbl |= sign;
		exp |= c == 'e' || c == 'E';
	}
	L->pos = p;
	c = lax_at(L, p);
	if (depth > 0 && c != ',' && c != ']' && c != '}' && c != '/' &&
	    c != 'I' && c != 'i' && !lax_isws(c))
		return lax_bad(L);
	if (p - start == 1 && s[start] == '-' && (c == 'I' || c == 'i'))
		return lax_literal(L, start);
	end = p;
	while (dbl && end - start > 1 && (s[end - 1] == 'e' ||
	    s[end - 1] == 'E' || s[end - 1] == '+' || s[end - 1] == '-'))
		end--;
	if (end != p)
		L->repairs |= JSONLAX_R_NUMBER;
	return dbl ? lax_double(L, start, end) : lax_int(L, start, end);
}

/* Drops the trailing comma at input offset comma, before a closing
 * bracket at pos: in place when not copied yet, else the copy (followed
 * by white space only: comments are dropped) becomes a space. */
static void
lax_dropcomma(struct lax *L, size_t comma)
{
	size_t i;

	L->repairs |= JSONLAX_R_COMMA;
	if (L->mark <= comma) {
		lax_repl(L, comma, comma + 1, NULL, 0);
		return;
	}
	for (i = L->out->len; i > 0; i--)
		if (L->out->p[i - 1] == ',') {
			L->out->p[i - 1] = ' ';
			return;
		}
}

/* After a member or element: the separator, or the closing bracket close
 * (pos past it). Returns LAX_OK with *more set when another one follows. */
static int
lax_next(struct lax *L, int close, bool *more)
{
	size_t comma;
	int rc, c;

	*more = false;
	if ((c = lax_at(L, L->pos)) == close) {
		L->pos++;
		return LAX_OK;
	}
	if (c != ',')
		return lax_bad(L);
	comma = L->pos++;
	if ((rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	if (lax_at(L, L->pos) == close) {
		lax_dropcomma(L, comma);
		L->pos++;
		return LAX_OK;
	}
	*more = true;
	return LAX_OK;
}

/* An array (pos at '['); trailing commas are dropped. */
static int
lax_array(struct lax *L, int depth)
{
	bool more;
	int rc;

	L->pos++;
	if ((rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	if (lax_at(L, L->pos) == ']') {
		L->pos++;
		return LAX_OK;
	}
	do {
		if (depth >= JSONLAX_MAXDEPTH - 1)
			return lax_fail(L, JSONLAX_EDEPTH);
		if ((rc = lax_value(L, depth + 1)) != LAX_OK ||
		    (rc = lax_next(L, ']', &more)) != LAX_OK)
			return rc;
	} while (more);
	return LAX_OK;
}

/* One member's key, separator and value (pos at the key's quote). */
static int
lax_member(struct lax *L, int depth)
{
	int rc, c;

	if ((c = lax_at(L, L->pos)) != '"' && c != '\'')
		return lax_bad(L);
	if ((rc = lax_string(L, true)) != LAX_OK ||
	    (rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	if (lax_at(L, L->pos) != ':')
		return lax_bad(L);
	L->pos++;
	if ((rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	if (depth >= JSONLAX_MAXDEPTH - 1)
		return lax_fail(L, JSONLAX_EDEPTH);
	return lax_value(L, depth + 1);
}

/* An object (pos at '{'); keys in either quotes, trailing commas dropped. */
static int
lax_object(struct lax *L, int depth)
{
	bool more;
	int rc;

	L->pos++;
	if ((rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	if (lax_at(L, L->pos) == '}') {
		L->pos++;
		return LAX_OK;
	}
	do {
		if ((rc = lax_member(L, depth)) != LAX_OK ||
		    (rc = lax_next(L, '}', &more)) != LAX_OK)
			return rc;
	} while (more);
	return LAX_OK;
}

/* A value at depth (0: the top), with the white space and comments before
 * and after it. Its output span is [*ostart, *oend) once the input is
 * copied up to its end (output lags input: mark <= pos). */
static int
lax_value(struct lax *L, int depth)
{
	size_t ostart, oend, vend;
	int rc;

	if ((rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	ostart = L->out->len + (L->pos - L->mark);
	switch (lax_at(L, L->pos)) {
	case '{':
		rc = lax_object(L, depth);
		break;
	case '[':
		rc = lax_array(L, depth);
		break;
	case '"': case '\'':
		rc = lax_string(L, false);
		break;
	case 't': case 'T': case 'f': case 'F': case 'n': case 'N':
	case 'i': case 'I':
		rc = lax_literal(L, L->pos);
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		rc = lax_number(L, depth);
		break;
	default:
		return lax_bad(L);
	}
	if (rc != LAX_OK)
		return rc;
	vend = L->pos;
	oend = L->out->len + (vend - L->mark);
	rc = lax_ws(L);
	if (rc == LAX_CUT || (rc == LAX_OK && depth == 0)) {
		/* The value returned: this one, or the top one. */
		L->cutoff = ostart;
		L->cutlen = oend - ostart;
		L->cutend = vend;
	}
	return rc;
}

int
jsonlax_parse(struct sbuf *out, const char *s, size_t len,
    struct jsonlax_res *res)
{
	struct lax L;
	const char *nul;
	size_t i;
	int rc;

	memset(&L, 0, sizeof(L));
	memset(res, 0, sizeof(*res));
	L.s = (const unsigned char *)s;
	L.len = len;
	L.out = out;
	/* ntopng hands json-c a C string: it ends at the first NUL. */
	if ((nul = memchr(s, '\0', len)) != NULL) {
		L.len = (size_t)(nul - s);
		for (i = L.len; i < len; i++)
			if (s[i] != '\0')
				L.repairs |= JSONLAX_R_TRAILING;
	}
	rc = lax_value(&L, 0);
	if (rc == LAX_FAIL) {
		res->errpos = L.errpos;
		return L.err;
	}
	if (rc == LAX_OK && L.pos < L.len)
		L.repairs |= JSONLAX_R_TRAILING;
	lax_flush(&L, L.cutend);
	res->off = L.cutoff;
	res->len = L.cutlen;
	res->repairs = L.repairs;
	return JSONLAX_OK;
}

int
jsonlax_tail(const char *s, size_t len, size_t pos, unsigned *repairs)
{
	struct lax L;
	const char *nul;
	int rc;

	memset(&L, 0, sizeof(L));
	L.s = (const unsigned char *)s;
	L.len = len;
	if ((nul = memchr(s + pos, '\0', len - pos)) != NULL) {
		L.len = (size_t)(nul - s);
		L.repairs |= JSONLAX_R_TRAILING;
	}
	L.pos = L.mark = pos;
	rc = lax_ws(&L);
	if (rc == LAX_FAIL) {
		*repairs = 0;
		return JSONLAX_ESYNTAX;
	}
	if (rc == LAX_OK && L.pos < L.len)
		L.repairs |= JSONLAX_R_TRAILING;
	*repairs = L.repairs;
	return JSONLAX_OK;
}

const char *
jsonlax_strerror(int err)
{
	switch (err) {
	case JSONLAX_OK:
		return "ok";
	case JSONLAX_EEOF:
		return "unexpected end of data";
	case JSONLAX_EDEPTH:
		return "nesting too deep";
	}
	return "unexpected character";
}
