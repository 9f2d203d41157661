/* recfast.c - the fast path of record_parse() (include/recfast.h): one
 * pass over a record that is most likely valid, which either indexes it
 * or gives up. Spec: RFC 8259 (JSON), RFC 3629 (UTF-8).
 *
 * Nearly every record is valid, so this path does not tell errors apart:
 * it gives up on the first thing it does not accept, and the exact
 * scanner of common/record.c reads the text again and names the error.
 * What it accepts is a subset of what that scanner accepts, with the same
 * index; what it saves is the bounds test before every byte and the
 * bookkeeping of the errors:
 *
 * - The text must end, after white space, with the '}' that closes the
 *   object (record_parse), or contain a '}' near its end
 *   (record_parse_prefix). That byte, at e, is a sentinel: no token but
 *   the outermost object's end can stop on it (it is not white space, not
 *   part of a number, and strings are only searched before it), so each
 *   byte read at the cursor is at or before e without a test.
 * - String bodies are searched sixteen bytes at a time (SSE2) for the
 *   bytes that need a look: quote, backslash, control, non-ASCII. Digit
 *   runs too. A load never passes e (the scans take lim, the last
 *   position one may start at: e - 16, or 0 when e is smaller, every
 *   position being at least 1); near e the sixteen bytes up to it are
 *   loaded instead, so nothing past the text is read.
 * - Nested values are validated by a loop with an explicit stack (one bit
 *   per level: object or array), not by recursion.
 * - The field array is grown first to the most members the text can
 *   hold, so that adding one needs no test.
 *
 * Without SSE2, or when json_scan_impl() chose the byte loops, this path
 * is off and the exact scanner does everything. tests/unit/test_record.c
 * and tests/fuzz/fuzz_record.c hold the two to the same results.
 */
#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "jsonscan.h"
#include "recfast.h"

/* How far before the end record_parse_prefix's sentinel is looked for:
 * the '}' closing an array's last object is a byte or two from the end. */
#define RF_TAILWIN	256
/* The most members the field array is grown to before a record is read
 * (160 KiB of fields, for records up to 20 KiB); longer records grow it
 * as their members come. */
#define RF_ROOM		4096

int
recfast_utf8(const unsigned char *s, size_t len, size_t p, size_t *n)
{
	unsigned char c = s[p], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return REC_UTF8;
	if (p + need >= len)
		return REC_TRUNCATED;
	for (i = 1; i <= need; i++) {
		unsigned char d = s[p + i];

		if (i == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xbf))
			return REC_UTF8;
	}
	*n = need + 1;
	return REC_OK;
}

struct rec_field *
recfast_grow(struct record *r, size_t *cap)
{
	struct rec_field *f;

	*cap = *cap ? *cap * 2 : 32;
	if ((f = reallocarray(r->f, *cap, sizeof(*f))) == NULL)
		err(1, "record");
	r->f = f;
	r->cap = *cap;
	return f;
}

#ifdef __SSE2__

/* JSON white space: space, tab, line feed, carriage return. */
#define RF_WSBITS	((1ULL << ' ') | (1ULL << '\t') | (1ULL << '\n') | \
	    (1ULL << '\r'))

static inline bool
rf_isws(unsigned char c)
{
	return c <= ' ' && (RF_WSBITS >> c & 1);
}

/* The first byte after the white space at p (s[p] is white space). */
static inline size_t
rf_ws(const unsigned char *s, size_t p, bool *ws)
{
	*ws = true;
	do
		p++;
	while (rf_isws(s[p]));
	return p;
}

/* The index of the lowest set bit of m (not 0), as a size. */
static inline size_t
rf_ctz(unsigned m)
{
	return (unsigned)__builtin_ctz(m);
}

static inline __m128i
rf_load(const unsigned char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* The bytes of v a string body cannot pass without a look: quote,
 * backslash, control characters and non-ASCII bytes. Flipping bit 1 maps
 * the quote to 0x20 and leaves the control characters below it and the
 * non-ASCII bytes negative, every other byte but the backslash above
 * 0x20: subtracting 0x21 with saturation leaves just those negative. */
static inline unsigned
rf_special_mask(__m128i v)
{
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_subs_epi8(
	    _mm_xor_si128(v, _mm_set1_epi8(0x02)), _mm_set1_epi8(0x21)),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
}

/* The first such byte at or after p (p <= e), or e, past the first
 * sixteen bytes: the loop for the longer strings. */
static size_t
rf_special_more(const unsigned char *s, size_t e, size_t p, size_t lim)
{
	unsigned m;

	for (; p <= lim; p += 16)
		if ((m = rf_special_mask(rf_load(s + p))) != 0)
			return p + rf_ctz(m);
	if (e >= 16) {
		/* The sixteen bytes before e, those before p shifted out. */
		m = rf_special_mask(rf_load(s + e - 16)) >> (p + 16 - e);
		return m != 0 ? p + rf_ctz(m) : e;
	}
	while (p < e && s[p] != '"' && s[p] != '\\' && s[p] >= 0x20 &&
	    s[p] < 0x80)
		p++;
	return p;
}

/* The same; most strings, keys above all, end within sixteen bytes, and
 * most of the others within 32: those steps stay inline. */
static inline __attribute__((always_inline)) size_t
rf_special(const unsigned char *s, size_t e, size_t p, size_t lim)
{
	unsigned m;

	if (p <= lim) {
		if (__builtin_expect((m = rf_special_mask(rf_load(s + p))) != 0,
		    1))
			return p + rf_ctz(m);
		p += 16;
		if (p <= lim) {
			if ((m = rf_special_mask(rf_load(s + p))) != 0)
				return p + rf_ctz(m);
			p += 16;
		}
	}
	return rf_special_more(s, e, p, lim);
}

/* The bytes of v that are ASCII digits: adding 0x50 maps '0'..'9' to the
 * signed bytes -128..-119, every other byte above, and adding 118 more
 * with saturation leaves just the digits negative. */
static inline unsigned
rf_digit_mask(__m128i v)
{
	return (unsigned)_mm_movemask_epi8(_mm_adds_epi8(_mm_add_epi8(v,
	    _mm_set1_epi8(0x50)), _mm_set1_epi8(118)));
}

/* The first byte at or after p (p <= e) that is not a digit: s[e], a
 * brace, is not one. The complement of a digit mask has bit 16 set, so
 * that its lowest set bit is 16 when all sixteen bytes are digits. */
static size_t
rf_digits_more(const unsigned char *s, size_t e, size_t p, size_t lim)
{
	unsigned i;

	for (; p <= lim; p += 16)
		if ((i = rf_ctz(~rf_digit_mask(rf_load(s + p)))) < 16)
			return p + i;
	if (e + 1 >= 16) {
		i = rf_ctz(~rf_digit_mask(rf_load(s + e + 1 - 16)) >>
		    (p + 15 - e));
		return p + i;
	}
	while (s[p] >= '0' && s[p] <= '9')
		p++;
	return p;
}

/* The same, the first sixteen bytes inline: most numbers are shorter. */
static inline __attribute__((always_inline)) size_t
rf_digits(const unsigned char *s, size_t e, size_t p, size_t lim)
{
	unsigned i;

	if (p <= lim) {
		if (__builtin_expect((i = rf_ctz(~rf_digit_mask(rf_load(s +
		    p)))) < 16, 1))
			return p + i;
		p += 16;
	}
	return rf_digits_more(s, e, p, lim);
}

static inline bool
rf_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	    (c | 0x20) <= 'f');
}

/* Goes on with a string body at p, where rf_special() stopped (not at
 * its closing quote); returns the position of the closing quote, or 0.
 * The position stays at or before e: an escape's bytes and a UTF-8
 * sequence are checked to end before it. */
static size_t
rf_string_rest(const unsigned char *s, size_t e, size_t p, size_t lim,
    bool *esc)
{
	size_t n;

	for (;;) {
		if (p >= e || s[p] < 0x20)
			return 0;
		if (s[p] == '\\') {
			*esc = true;
			switch (s[p + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				p += 2;
				break;
			case 'u':
				if (p + 6 > e || !rf_hex(s[p + 2]) ||
				    !rf_hex(s[p + 3]) || !rf_hex(s[p + 4]) ||
				    !rf_hex(s[p + 5]))
					return 0;
				p += 6;
				break;
			default:
				return 0;
			}
		} else {
			if (recfast_utf8(s, e, p, &n) != REC_OK)
				return 0;
			p += n;
		}
		p = rf_special(s, e, p, lim);
		if (s[p] == '"')
			return p;
	}
}

/* Sets *q to the closing quote of the string whose opening quote is at p,
 * and *esc if it has an escape; false if it is not a valid string. */
static inline __attribute__((always_inline)) bool
rf_string(const unsigned char *s, size_t e, size_t p, size_t lim, size_t *q,
    bool *esc)
{
	p = rf_special(s, e, p + 1, lim);
	if (__builtin_expect(s[p] == '"', 1)) {
		*q = p;
		return true;
	}
	return (*q = rf_string_rest(s, e, p, lim, esc)) != 0;
}

/* The bytes that continue a number after its integer part. */
static const bool rf_numtail[256] = { ['.'] = true, ['e'] = true,
	['E'] = true };

/* The position after the fraction and exponent at p, where a number's
 * integer part ended at a '.', 'e' or 'E', or 0. */
static inline __attribute__((always_inline)) size_t
rf_number_rest(const unsigned char *s, size_t e, size_t p, size_t lim)
{
	size_t q;

	if (s[p] == '.') {
		if ((q = rf_digits(s, e, p + 1, lim)) == p + 1)
			return 0;
		p = q;
	}
	if ((s[p] | 0x20) == 'e') {
		p++;
		if (s[p] == '+' || s[p] == '-')
			p++;
		if ((q = rf_digits(s, e, p, lim)) == p)
			return 0;
		p = q;
	}
	return p;
}

/* Sets *q past the number at p, whose first byte c is a digit or '-';
 * false if it is not a valid number. */
static inline __attribute__((always_inline)) bool
rf_number(const unsigned char *s, size_t e, size_t p, unsigned char c,
    size_t lim, size_t *q)
{
	size_t d;

	if (c == '-' && (unsigned char)((c = s[++p]) - '0') >= 10)
		return false;
	d = rf_digits(s, e, p, lim);
	if (__builtin_expect(c == '0', 0) && d != p + 1)
		return false;
	if (__builtin_expect(rf_numtail[s[d]], 0))
		return (*q = rf_number_rest(s, e, d, lim)) != 0;
	*q = d;
	return true;
}

static inline bool
rf_isnum(unsigned char c)
{
	return (unsigned char)(c - '0') < 10 || c == '-';
}

/* The position after the literal at p, or 0. Each byte is compared only
 * once the one before it matched, so none past the sentinel is read. */
static size_t
rf_literal(const unsigned char *s, size_t p, enum rec_kind *kind)
{
	switch (s[p]) {
	case 't':
		*kind = REC_TRUE;
		return s[p + 1] == 'r' && s[p + 2] == 'u' && s[p + 3] == 'e' ?
		    p + 4 : 0;
	case 'f':
		*kind = REC_FALSE;
		return s[p + 1] == 'a' && s[p + 2] == 'l' && s[p + 3] == 's' &&
		    s[p + 4] == 'e' ? p + 5 : 0;
	case 'n':
		*kind = REC_NULL;
		return s[p + 1] == 'u' && s[p + 2] == 'l' && s[p + 3] == 'l' ?
		    p + 4 : 0;
	default:
		return 0;
	}
}

/* The value's position after a member's colon at p and the white space
 * around it, or 0. */
static size_t
rf_colon(const unsigned char *s, size_t p, bool *ws)
{
	if (s[p] != ':') {
		if (!rf_isws(s[p]))
			return 0;
		if (s[p = rf_ws(s, p, ws)] != ':')
			return 0;
	}
	if (rf_isws(s[++p]))
		p = rf_ws(s, p, ws);
	return p;
}

/* Sets *p to the value after the key whose opening quote is at *p (the
 * key ends at *kend); false if the key or colon is not valid. */
static inline __attribute__((always_inline)) bool
rf_key(const unsigned char *s, size_t e, size_t *p, size_t lim, size_t *kend,
    bool *esc, bool *ws)
{
	size_t q;

	if (s[*p] != '"' || !rf_string(s, e, *p, lim, &q, esc))
		return false;
	*kend = q;
	if (__builtin_expect(s[q + 1] == ':', 1)) {
		*p = rf_isws(s[q + 2]) ? rf_ws(s, q + 2, ws) : q + 2;
		return true;
	}
	return (*p = rf_colon(s, q + 1, ws)) != 0;
}

/* The position after the object or array whose bracket is at p, a value
 * inside the outermost object, or 0. Bit d of arr tells whether the
 * container at depth d (the outermost object is depth 0) is an array. */
static size_t
rf_nested(const unsigned char *s, size_t e, size_t p, size_t lim, bool *ws)
{
	uint64_t arr = 0;
	unsigned depth = 1;
	enum rec_kind kind;
	size_t q;
	bool esc;

open:
	if (depth >= RECORD_MAXDEPTH)
		return 0;
	if (s[p] == '[')
		arr |= 1ULL << depth;
	else
		arr &= ~(1ULL << depth);
	if (rf_isws(s[++p]))
		p = rf_ws(s, p, ws);
	if (s[p] == (arr >> depth & 1 ? ']' : '}'))
		goto close;
member:
	if (!(arr >> depth & 1) && !rf_key(s, e, &p, lim, &q, &esc, ws))
		return 0;
	if (s[p] == '"') {
		if (!rf_string(s, e, p, lim, &q, &esc))
			return 0;
		p = q + 1;
	} else if (rf_isnum(s[p])) {
		if (!rf_number(s, e, p, s[p], lim, &p))
			return 0;
	} else if (s[p] == '{' || s[p] == '[') {
		depth++;
		goto open;
	} else if ((p = rf_literal(s, p, &kind)) == 0)
		return 0;
next:
	if (rf_isws(s[p]))
		p = rf_ws(s, p, ws);
	if (s[p] == ',') {
		if (rf_isws(s[++p]))
			p = rf_ws(s, p, ws);
		goto member;
	}
	if (s[p] != (arr >> depth & 1 ? ']' : '}'))
		return 0;
close:
	/* A bracket at e would leave the outermost object open. */
	if (p >= e)
		return 0;
	p++;
	if (--depth == 0)
		return p;
	goto next;
}

/* The position after the object whose '{' is at p when it is flat and
 * compact: members whose values are strings, numbers or literals, no
 * white space. Else 0, and rf_nested() reads it again and decides. A
 * nested object of this kind (an event's process block) is the one most
 * records hold; this loop validates it without rf_nested()'s stack and
 * its test, per member, of whether it is in an array. Not inlined, so
 * that text with white space, which never comes here, does not pay for
 * the registers it saves. */
static __attribute__((noinline)) size_t
rf_flat(const unsigned char *s, size_t e, size_t p, size_t lim)
{
	enum rec_kind kind;
	unsigned char c;
	size_t q;
	bool esc;

	for (p++;;) {
		if (!rf_string(s, e, p, lim, &q, &esc) || s[q + 1] != ':')
			return 0;
		p = q + 2;
		if ((c = s[p]) == '"') {
			if (!rf_string(s, e, p, lim, &q, &esc))
				return 0;
			p = q + 1;
		} else if (rf_isnum(c)) {
			if (!rf_number(s, e, p, c, lim, &p))
				return 0;
		} else if ((p = rf_literal(s, p, &kind)) == 0)
			return 0;
		if (s[p] != ',')
			break;
		if (s[++p] != '"')
			return 0;
	}
	/* A brace at e would leave the outermost object open. */
	return s[p] == '}' && p < e ? p + 1 : 0;
}

/* The position after the value at p that is neither a string nor a
 * number, or 0; its kind in *kind. */
static inline __attribute__((always_inline)) size_t
rf_other(const unsigned char *s, size_t e, size_t p, size_t lim,
    enum rec_kind *kind, bool *ws)
{
	size_t q;

	if (s[p] == '{') {
		*kind = REC_OBJECT;
		if (s[p + 1] == '"' && (q = rf_flat(s, e, p, lim)) != 0)
			return q;
		return rf_nested(s, e, p, lim, ws);
	}
	if (s[p] == '[') {
		*kind = REC_ARRAY;
		return rf_nested(s, e, p, lim, ws);
	}
	return rf_literal(s, p, kind);
}

/* Grows r's field array, of which f is the first free entry: the new
 * first free entry, and *end past the last. */
static struct rec_field *
rf_more(struct record *r, struct rec_field *f, struct rec_field **end)
{
	size_t n = (size_t)(f - r->f), cap = r->cap;

	recfast_grow(r, &cap);
	*end = r->f + cap;
	return r->f + n;
}

/* Indexes into r the members of the object whose '{' is at p; returns
 * the position of its closing brace, or 0. Each member is written in
 * place as it is read, so that few values stay live. r's field array is
 * not empty; with grow false it has room for every member the text can
 * hold, and no member is counted against it. */
static inline __attribute__((always_inline)) size_t
rf_object(struct record *r, const unsigned char *s, size_t e, size_t p,
    bool grow, bool *ws)
{
	struct rec_field *f = r->f, *end = r->f + r->cap;
	size_t k, q, lim = e >= 16 ? e - 16 : 0;
	unsigned char c;

	if (rf_isws(s[++p]))
		p = rf_ws(s, p, ws);
	if (s[p] == '}')
		goto done;
	if (s[p] != '"')
		return 0;
	/* Each turn starts at a key's opening quote. */
	for (;;) {
		if (grow && f == end)
			f = rf_more(r, f, &end);
		k = p + 1;
		f->key = (const char *)s + k;
		f->kesc = false;
		f->vesc = false;
		if (!rf_string(s, e, p, lim, &q, &f->kesc))
			return 0;
		f->klen = q - k;
		/* The colon, the white space around it and the value's first
		 * byte; compact text's string values go straight on. */
		if (__builtin_expect(s[q + 1] == ':', 1)) {
			p = q + 2;
			if ((c = s[p]) == '"')
				goto string;
			if (rf_isws(c))
				c = s[p = rf_ws(s, p, ws)];
		} else if ((p = rf_colon(s, q + 1, ws)) != 0)
			c = s[p];
		else
			return 0;
		if (c == '"') {
string:
			f->val = (const char *)s + p;
			f->kind = REC_STRING;
			if (!rf_string(s, e, p, lim, &q, &f->vesc))
				return 0;
			q++;
		} else if (rf_isnum(c)) {
			f->val = (const char *)s + p;
			f->kind = REC_NUMBER;
			if (!rf_number(s, e, p, c, lim, &q))
				return 0;
		} else {
			f->val = (const char *)s + p;
			if ((q = rf_other(s, e, p, lim, &f->kind, ws)) == 0)
				return 0;
		}
		f->vlen = q - p;
		f++;
		p = q;
		/* The comma and the next key's quote, or the end. */
		if (__builtin_expect(s[p] == ',', 1)) {
			if (s[++p] == '"')
				continue;
		} else {
			if (rf_isws(s[p]))
				p = rf_ws(s, p, ws);
			if (s[p] == '}')
				break;
			if (s[p++] != ',')
				return 0;
		}
		if (rf_isws(s[p]))
			p = rf_ws(s, p, ws);
		if (s[p] != '"')
			return 0;
	}
done:
	r->nf = (size_t)(f - r->f);
	return p;
}

/* rf_object with r's field array grown first to the most members the
 * object can hold, one per five bytes ("":0 and a comma), and no test
 * per member; for records up to RF_ROOM members long. */
static size_t
rf_object_room(struct record *r, const unsigned char *s, size_t e, size_t p,
    bool *ws)
{
	size_t cap = r->cap;

	while (cap < (e - p) / 5 + 1)
		recfast_grow(r, &cap);
	return rf_object(r, s, e, p, false, ws);
}

/* rf_object for longer records, growing the array as members come. */
static size_t
rf_object_grow(struct record *r, const unsigned char *s, size_t e, size_t p,
    bool *ws)
{
	size_t cap = r->cap;

	if (cap == 0)
		recfast_grow(r, &cap);
	return rf_object(r, s, e, p, true, ws);
}

bool
recfast_parse(struct record *r, const char *text, size_t len, size_t *end)
{
	const unsigned char *s = (const unsigned char *)text, *b;
	size_t p = 0, e, c;
	bool ws = false;

	if (json_scan_isbyte())
		return false;
	while (p < len && rf_isws(s[p]))
		p++;
	if (p >= len || s[p] != '{')
		return false;
	if (end == NULL) {
		e = len - 1;
		while (rf_isws(s[e]))
			e--;
		if (s[e] != '}')
			return false;
	} else {
		b = s + (len - p > RF_TAILWIN ? len - RF_TAILWIN : p);
		if ((b = memrchr(b, '}', len - (size_t)(b - s))) == NULL)
			return false;
		e = (size_t)(b - s);
	}
	c = (e - p) / 5 < RF_ROOM ? rf_object_room(r, s, e, p, &ws) :
	    rf_object_grow(r, s, e, p, &ws);
	/* record_parse: the object must close at e, only white space after. */
	if (c == 0 || (end == NULL && c != e)) {
		r->nf = 0;
		return false;
	}
	r->text = text + p;
	r->len = c + 1 - p;
	r->compact = !ws;
	if (end != NULL)
		*end = c + 1;
	return true;
}

#else /* !__SSE2__ */

bool
recfast_parse(struct record *r, const char *text, size_t len, size_t *end)
{
	(void)r;
	(void)text;
	(void)len;
	(void)end;
	return false;
}

#endif
