/* jsonlax.c - json-c's lenient grammar in, strict JSON out
 * (include/jsonlax.h). The grammar is the one json-c 0.16's tokener has
 * with default flags, which is what ntopng parses producer payloads with;
 * zmq-ingest(1) lists what is accepted and how it is written.
 *
 * A recursive descent over the bytes, one function per kind of value,
 * writing as it goes. Runs of plain string bytes are copied in one call.
 * Recursion is bounded by the depth limit, as json-c's stack is.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonlax.h"

/* Walk results: LAX_CUT is json-c's quirk where the text ends inside a
 * comment right after a complete value at any depth: json-c then returns
 * that value itself, whatever encloses it. */
enum { LAX_OK, LAX_FAIL, LAX_CUT };

struct lax {
	const unsigned char *s;
	size_t		 len;		/* up to the first NUL byte */
	size_t		 pos;
	struct sbuf	*out;
	unsigned	 repairs;
	int		 err;
	size_t		 errpos;
	size_t		 cutoff;	/* the value returned on LAX_CUT */
	size_t		 cutlen;
};

static int	lax_value(struct lax *, int);

static int
lax_at(const struct lax *L, size_t i)
{
	return i < L->len ? L->s[i] : 0;
}

static int
lax_fail(struct lax *L, int err)
{
	if (L->err == JSONLAX_OK) {
		L->err = err;
		L->errpos = L->pos;
	}
	return LAX_FAIL;
}

/* A failure at the current byte: the end of the text or a wrong byte. */
static int
lax_bad(struct lax *L)
{
	return lax_fail(L, L->pos >= L->len ? JSONLAX_EEOF : JSONLAX_ESYNTAX);
}

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
		if (!block)
			return LAX_OK;
		if (L->pos >= L->len)
			return LAX_CUT;
		if (L->s[L->pos++] == '/')
			return LAX_OK;
	}
}

/* Skips white space and comments (json-c's eatws state). Returns LAX_OK at
 * the next other byte, LAX_FAIL on a '/' starting no comment, LAX_CUT when
 * the text ends inside a comment. */
static int
lax_ws(struct lax *L)
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

/* true/false (t, f), null and NaN (n), Infinity (i) in any letter case.
 * json-c needs one more byte after the word, which the caller reads. */
static int
lax_literal(struct lax *L)
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
		if (!exact && !w[i].nonfinite)
			L->repairs |= JSONLAX_R_LITERAL;
		if (w[i].nonfinite) {
			L->repairs |= JSONLAX_R_NONFINITE;
			sbuf_add(L->out, "null", 4);
		} else
			sbuf_add(L->out, w[i].word, w[i].n);
		return LAX_OK;
	}
	L->pos++;
	return lax_bad(L);
}

/* Writes the integer s[start..end) ([-]digits, json-c's non-decimal
 * number) as json-c reads it: strtoll/strtoull, so leading zeros go and
 * values past the 64-bit range are clamped. */
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
	if (z == d && end - z <= 18) {
		sbuf_add(L->out, s + start, end - start);
		return LAX_OK;
	}
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
	if (neg && v != 0)
		sbuf_addc(L->out, '-');
	sbuf_add_u64(L->out, v);
	return LAX_OK;
}

/* Writes the decimal s[start..end) as the double json-c reads with strtod:
 * the text when strtod would take all of it, in strict form ("1." is
 * "1.0", "-.5" is "-0.5", "007.5" is "7.5"), or null when it overflows. */
static int
lax_double(struct lax *L, size_t start, size_t end)
{
	const unsigned char *s = L->s;
	size_t p = start, ip, ipn, fp = 0, fn = 0, ep, at = L->out->len;
	bool dot = false;

	if (s[p] == '-')
		sbuf_addc(L->out, s[p++]);
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
		return lax_literal(L);
	end = p;
	while (dbl && end - start > 1 && (s[end - 1] == 'e' ||
	    s[end - 1] == 'E' || s[end - 1] == '+' || s[end - 1] == '-'))
		end--;
	if (end != p)
		L->repairs |= JSONLAX_R_NUMBER;
	return dbl ? lax_double(L, start, end) : lax_int(L, start, end);
}

/* Appends code point cp to a string being written: escaped when JSON
 * needs it, else UTF-8. */
static void
lax_putcp(struct sbuf *o, uint32_t cp)
{
	static const char hex[] = "0123456789abcdef";
	char b[6];

	if (cp < 0x20 || cp == '"' || cp == '\\') {
		b[0] = '\\';
		switch (cp) {
		case '"': case '\\': b[1] = (char)cp; break;
		case '\b': b[1] = 'b'; break;
		case '\f': b[1] = 'f'; break;
		case '\n': b[1] = 'n'; break;
		case '\r': b[1] = 'r'; break;
		case '\t': b[1] = 't'; break;
		default:
			memcpy(b + 1, "u00", 3);
			b[4] = hex[cp >> 4];
			b[5] = hex[cp & 15];
			sbuf_add(o, b, 6);
			return;
		}
		sbuf_add(o, b, 2);
		return;
	}
	if (cp < 0x80) {
		sbuf_addc(o, (char)cp);
		return;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(o, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(o, b, 3);
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(o, b, 4);
	}
}

/* Copies the UTF-8 sequence at pos, or writes U+FFFD for its maximal
 * ill-formed subpart (Unicode's "substitution of maximal subparts"). */
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
	if (need > 0 && i == need) {
		if (!quiet)
			sbuf_add(L->out, s, n);
		return;
	}
	L->repairs |= JSONLAX_R_UTF8;
	if (!quiet)
		sbuf_add(L->out, "\xef\xbf\xbd", 3);
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

/* The \u escape after "\u" (pos at its digits), as json-c decodes it: a
 * high surrogate pairs with a following \u low surrogate, and any
 * surrogate left alone is U+FFFD. Sets *cp to the code point. */
static int
lax_unicode(struct lax *L, uint32_t *cp, bool quiet)
{
	uint32_t u, lo;

	if (!lax_hex4(L, &u))
		return lax_bad(L);
	while ((u & 0xfc00) == 0xd800) {
		if (lax_at(L, L->pos) != '\\' || lax_at(L, L->pos + 1) != 'u')
			break;
		L->pos += 2;
		if (!lax_hex4(L, &lo))
			return lax_bad(L);
		if ((lo & 0xfc00) == 0xdc00) {
			*cp = 0x10000 + ((u & 0x3ff) << 10) + (lo & 0x3ff);
			return LAX_OK;
		}
		L->repairs |= JSONLAX_R_UTF8;
		if (!quiet)
			lax_putcp(L->out, 0xfffd);
		u = lo;
	}
	if ((u & 0xf800) == 0xd800) {
		L->repairs |= JSONLAX_R_UTF8;
		u = 0xfffd;
	}
	*cp = u;
	return LAX_OK;
}

/* One escape at pos (its backslash). In a key, \u0000 ends what json-c
 * keeps of it (it copies keys with strdup): *cut is set. */
static int
lax_escape(struct lax *L, bool key, bool *cut)
{
	uint32_t cp;
	int c = lax_at(L, L->pos + 1), rc;

	L->pos += 2;
	switch (c) {
	case '"': case '\\': case '/':
	case 'b': case 'f': case 'n': case 'r': case 't':
		if (!*cut)
			sbuf_add(L->out, L->s + L->pos - 2, 2);
		return LAX_OK;
	case 'u':
		break;
	default:
		L->pos--;
		return lax_bad(L);
	}
	if ((rc = lax_unicode(L, &cp, *cut)) != LAX_OK)
		return rc;
	if (key && cp == 0 && !*cut) {
		*cut = true;
		L->repairs |= JSONLAX_R_KEYNUL;
	}
	if (!*cut)
		lax_putcp(L->out, cp);
	return LAX_OK;
}

/* Bytes copied as they are in a string: printable ASCII but the quotes
 * and the backslash. */
static bool
lax_plain(int c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\'' && c != '\\';
}

/* A string or key in double or single quotes (pos at the quote). */
static int
lax_string(struct lax *L, bool key)
{
	const unsigned char *s = L->s;
	size_t run;
	int q = s[L->pos++], c, rc;
	bool cut = false;

	if (q == '\'')
		L->repairs |= JSONLAX_R_QUOTE;
	sbuf_addc(L->out, '"');
	for (;;) {
		for (run = L->pos; run < L->len && lax_plain(s[run]); run++)
			;
		if (!cut)
			sbuf_add(L->out, s + L->pos, run - L->pos);
		L->pos = run;
		if (run >= L->len)
			return lax_fail(L, JSONLAX_EEOF);
		c = s[run];
		if (c == q)
			break;
		if (c == '\\') {
			if ((rc = lax_escape(L, key, &cut)) != LAX_OK)
				return rc;
		} else if (c >= 0x80)
			lax_utf8(L, cut);
		else {
			/* The other quote, or a raw control byte. */
			L->pos++;
			if (c < 0x20)
				L->repairs |= JSONLAX_R_CONTROL;
			if (!cut)
				lax_putcp(L->out, (uint32_t)c);
		}
	}
	L->pos++;
	sbuf_addc(L->out, '"');
	return LAX_OK;
}

/* An array (pos at '['); trailing commas are dropped. */
static int
lax_array(struct lax *L, int depth)
{
	int rc, c;

	L->pos++;
	sbuf_addc(L->out, '[');
	if ((rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	if (lax_at(L, L->pos) != ']') {
		for (;;) {
			if (depth >= JSONLAX_MAXDEPTH - 1)
				return lax_fail(L, JSONLAX_EDEPTH);
			if ((rc = lax_value(L, depth + 1)) != LAX_OK)
				return rc;
			if ((c = lax_at(L, L->pos)) == ']')
				break;
			if (c != ',')
				return lax_bad(L);
			L->pos++;
			if ((rc = lax_ws_in(L)) != LAX_OK)
				return rc;
			if (lax_at(L, L->pos) == ']') {
				L->repairs |= JSONLAX_R_COMMA;
				break;
			}
			sbuf_addc(L->out, ',');
		}
	}
	L->pos++;
	sbuf_addc(L->out, ']');
	return LAX_OK;
}

/* One member's key, separator and value (pos at the key's quote). */
static int
lax_member(struct lax *L, int depth)
{
	int rc;

	if ((rc = lax_string(L, true)) != LAX_OK ||
	    (rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	if (lax_at(L, L->pos) != ':')
		return lax_bad(L);
	L->pos++;
	sbuf_addc(L->out, ':');
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
	int rc, c;

	L->pos++;
	sbuf_addc(L->out, '{');
	if ((rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	if ((c = lax_at(L, L->pos)) != '}') {
		for (;;) {
			if (c != '"' && c != '\'')
				return lax_bad(L);
			if ((rc = lax_member(L, depth)) != LAX_OK)
				return rc;
			if ((c = lax_at(L, L->pos)) == '}')
				break;
			if (c != ',')
				return lax_bad(L);
			L->pos++;
			if ((rc = lax_ws_in(L)) != LAX_OK)
				return rc;
			if ((c = lax_at(L, L->pos)) == '}') {
				L->repairs |= JSONLAX_R_COMMA;
				break;
			}
			sbuf_addc(L->out, ',');
		}
	}
	L->pos++;
	sbuf_addc(L->out, '}');
	return LAX_OK;
}

/* A value at depth (0: the top), with the white space and comments before
 * and after it. */
static int
lax_value(struct lax *L, int depth)
{
	size_t start;
	int rc;

	if ((rc = lax_ws_in(L)) != LAX_OK)
		return rc;
	start = L->out->len;
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
		rc = lax_literal(L);
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
	if ((rc = lax_ws(L)) == LAX_CUT) {
		L->cutoff = start;
		L->cutlen = L->out->len - start;
	}
	return rc;
}

int
jsonlax_parse(struct sbuf *out, const char *s, size_t len,
    struct jsonlax_res *res)
{
	struct lax L;
	const char *nul;
	size_t start = out->len, i;
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
	res->off = start;
	rc = lax_value(&L, 0);
	if (rc == LAX_FAIL) {
		res->errpos = L.errpos;
		return L.err;
	}
	if (rc == LAX_CUT) {
		res->off = L.cutoff;
		res->len = L.cutlen;
	} else {
		res->len = out->len - start;
		if (L.pos < L.len)
			L.repairs |= JSONLAX_R_TRAILING;
	}
	res->repairs = L.repairs;
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
