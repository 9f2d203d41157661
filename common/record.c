/* record.c - strict one-pass JSON validation and top-level key access.
 * Spec: RFC 8259 (JSON), RFC 3629 (UTF-8); contract in include/record.h.
 *
 * The scanner never builds a tree: it walks the text once, checks every
 * byte against the grammar, and for the outermost object remembers where
 * each member's key and value are. String bodies, the bulk of an eBPF
 * event, are skipped eight bytes at a time while no byte needs a closer
 * look (quote, backslash, control character or non-ASCII).
 */
#include <err.h>
#include <errno.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__SSE2__) && defined(__GNUC__)
#define JS_X86	1
#include <immintrin.h>
#endif

#include "record.h"

/* Bytes the block scans may write past their output (whole vectors). */
#define JS_SLACK	64

/* What a scan carries that rarely changes. Positions travel by value and
 * come back as return values, so the compiler keeps them in registers even
 * while the field array is written (a position read through a pointer
 * would be reloaded after every such store). SCAN_BAD means an error,
 * whose reason is in err. */
struct scan {
	const unsigned char	*s;
	size_t			 len;
	int			 err;
	bool			 ws;	/* white space seen outside strings */
};

#define SCAN_BAD	((size_t)-1)

static const char *const rec_errnames[] = {
	[REC_OK] = "ok",
	[REC_EMPTY] = "empty",
	[REC_NOT_OBJECT] = "not_object",
	[REC_SYNTAX] = "bad_json",
	[REC_TRUNCATED] = "truncated_json",
	[REC_UTF8] = "bad_utf8",
	[REC_DEPTH] = "too_deep",
	[REC_TRAILING] = "trailing_garbage",
};

const char *
record_errname(int e)
{
	if (e < 0 || (size_t)e >= sizeof(rec_errnames) / sizeof(rec_errnames[0]))
		return "bad_json";
	return rec_errnames[e];
}

static inline bool
scan_isws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline size_t
scan_ws(struct scan *sc, size_t p)
{
	size_t q = p;

	while (q < sc->len && scan_isws(sc->s[q]))
		q++;
	if (q != p)
		sc->ws = true;
	return q;
}

static size_t
scan_fail(struct scan *sc, int e)
{
	sc->err = e;
	return SCAN_BAD;
}

void
json_skip_ws(const char *s, size_t len, size_t *pos)
{
	while (*pos < len && scan_isws((unsigned char)s[*pos]))
		(*pos)++;
}

/* The mask of the bytes of w that stop the fast string loop: a quote, a
 * backslash, a byte below 0x20 or one with the high bit set. Borrows only
 * run from lower bytes to higher ones, so the lowest flagged byte is exact:
 * the first byte (in memory order, little-endian) that needs a look. */
static inline uint64_t
scan_word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w) &
	    high;
}

/* Moves p forward over bytes that need no look in a string body, and
 * stops at the first quote, backslash, control byte or non-ASCII byte (or
 * near the end of the text, where the byte loop takes over). SSE2 looks
 * at sixteen bytes a step: as signed bytes, both control characters and
 * non-ASCII bytes are below 0x20, so one compare finds both. */
static inline size_t
scan_plain(const unsigned char *s, size_t len, size_t p)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
	    space = _mm_set1_epi8(0x20);

	while (p + 16 <= len) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + p));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, quote),
		    _mm_cmpeq_epi8(v, bslash)), _mm_cmplt_epi8(v, space)));

		if (m != 0)
			return p + (size_t)__builtin_ctz(m);
		p += 16;
	}
#endif
	while (p + 8 <= len) {
		uint64_t w, m;

		memcpy(&w, s + p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		if ((m = scan_word_special(w)) != 0)
			return p + ((size_t)__builtin_ctzll(m) >> 3);
		p += 8;
	}
	return p;
}

static int
scan_hex4(const char *s, size_t len, size_t p)
{
	size_t i;

	if (p + 4 > len)
		return REC_TRUNCATED;
	for (i = 0; i < 4; i++) {
		char c = s[p + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F')))
			return REC_SYNTAX;
	}
	return REC_OK;
}

/* Checks one UTF-8 sequence starting at s[p] (a byte >= 0x80); *n is set to
 * its length. Overlong forms, surrogates and code points past U+10FFFF are
 * refused, as RFC 3629 requires. */
static int
scan_utf8(const unsigned char *s, size_t len, size_t p, size_t *n)
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

/* Goes on with a string body at p, where scan_plain() stopped: the
 * closing quote, an escape, a control or a non-ASCII byte. Returns the
 * position after the closing quote, and tells whether there was an
 * escape. */
static size_t
scan_string_rest(struct scan *sc, size_t p, bool *esc)
{
	const unsigned char *s = sc->s;
	size_t len = sc->len, n;
	int e;

	for (;;) {
		if (p >= len)
			return scan_fail(sc, REC_TRUNCATED);
		if (s[p] == '"')
			return p + 1;
		if (s[p] == '\\') {
			*esc = true;
			if (++p >= len)
				return scan_fail(sc, REC_TRUNCATED);
			switch (s[p]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				p++;
				break;
			case 'u':
				if ((e = scan_hex4((const char *)s, len, p + 1)) !=
				    REC_OK)
					return scan_fail(sc, e);
				p += 5;
				break;
			default:
				return scan_fail(sc, REC_SYNTAX);
			}
		} else if (s[p] < 0x20)
			return scan_fail(sc, REC_SYNTAX);
		else if (s[p] >= 0x80) {
			if ((e = scan_utf8(s, len, p, &n)) != REC_OK)
				return scan_fail(sc, e);
			p += n;
		} else
			p++;
		p = scan_plain(s, len, p);
	}
}

/* Scans a string whose opening quote is at p; returns the position after
 * the closing quote, and tells whether the string held an escape. Most
 * strings (every key, nearly) are plain ASCII up to their closing quote:
 * that case stays inline in the caller. */
static inline size_t
scan_string(struct scan *sc, size_t p, bool *esc)
{
	p = scan_plain(sc->s, sc->len, p + 1);
	if (p < sc->len && sc->s[p] == '"')
		return p + 1;
	return scan_string_rest(sc, p, esc);
}

static inline bool
scan_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Scans one or more digits at p. */
static size_t
scan_digits(struct scan *sc, size_t p)
{
	size_t q = p;

	while (q < sc->len && scan_isdigit(sc->s[q]))
		q++;
	if (q == p)
		return scan_fail(sc, p >= sc->len ? REC_TRUNCATED : REC_SYNTAX);
	return q;
}

static size_t
scan_number(struct scan *sc, size_t p)
{
	const unsigned char *s = sc->s;
	size_t len = sc->len;

	if (s[p] == '-' && ++p >= len)
		return scan_fail(sc, REC_TRUNCATED);
	if (s[p] == '0')
		p++;
	else if ((p = scan_digits(sc, p)) == SCAN_BAD)
		return p;
	if (p < len && s[p] == '.' &&
	    (p = scan_digits(sc, p + 1)) == SCAN_BAD)
		return p;
	if (p < len && (s[p] == 'e' || s[p] == 'E')) {
		p++;
		if (p < len && (s[p] == '+' || s[p] == '-'))
			p++;
		if ((p = scan_digits(sc, p)) == SCAN_BAD)
			return p;
	}
	return p;
}

static size_t
scan_literal(struct scan *sc, size_t p, const char *word, size_t n)
{
	size_t avail = sc->len - p;

	if (avail < n)
		return scan_fail(sc, memcmp(sc->s + p, word, avail) == 0 ?
		    REC_TRUNCATED : REC_SYNTAX);
	if (memcmp(sc->s + p, word, n) != 0)
		return scan_fail(sc, REC_SYNTAX);
	return p + n;
}

static size_t scan_value(struct scan *, size_t, int, enum rec_kind *);

/* Scans an object or array whose opening bracket is at p. With r set
 * (the outermost object only), each member is indexed into r. */
static size_t
scan_container(struct scan *sc, size_t p, int depth, struct record *r)
{
	const unsigned char *s = sc->s;
	size_t len = sc->len;
	unsigned char close = s[p] == '{' ? '}' : ']';
	bool obj = close == '}';
	struct rec_field *f = r ? r->f : NULL;
	size_t nf = 0, cap = r ? r->cap : 0;

	if (depth >= RECORD_MAXDEPTH)
		return scan_fail(sc, REC_DEPTH);
	p = scan_ws(sc, p + 1);
	if (p >= len)
		return scan_fail(sc, REC_TRUNCATED);
	if (s[p] == close)
		return p + 1;
	for (;;) {
		enum rec_kind kind;
		bool kesc = false, esc = false;
		size_t kstart = 0, kend = 0, vstart;

		if (obj) {
			if (s[p] != '"')
				return scan_fail(sc, REC_SYNTAX);
			kstart = p + 1;
			if ((p = scan_string(sc, p, &kesc)) == SCAN_BAD)
				return p;
			kend = p - 1;
			if (p < len && s[p] != ':')
				p = scan_ws(sc, p);
			if (p >= len)
				return scan_fail(sc, REC_TRUNCATED);
			if (s[p] != ':')
				return scan_fail(sc, REC_SYNTAX);
			p++;
			if (p < len && scan_isws(s[p]))
				p = scan_ws(sc, p);
		}
		vstart = p;
		/* Strings and numbers, most values, without a call. */
		if (p < len && s[p] == '"') {
			kind = REC_STRING;
			p = scan_string(sc, p, &esc);
		} else if (p < len && (scan_isdigit(s[p]) || s[p] == '-')) {
			kind = REC_NUMBER;
			p = scan_number(sc, p);
		} else
			p = scan_value(sc, p, depth + 1, &kind);
		if (p == SCAN_BAD)
			return p;
		if (r != NULL && obj) {
			if (nf == cap) {
				cap = cap ? cap * 2 : 32;
				if ((f = reallocarray(f, cap, sizeof(*f))) == NULL)
					err(1, "record");
				r->f = f;
				r->cap = cap;
			}
			f[nf].key = (const char *)s + kstart;
			f[nf].klen = kend - kstart;
			f[nf].kesc = kesc;
			f[nf].val = (const char *)s + vstart;
			f[nf].vlen = p - vstart;
			f[nf].kind = kind;
			f[nf].vesc = esc;
			nf++;
			r->nf = nf;
		}
		if (p < len && s[p] != ',' && s[p] != close)
			p = scan_ws(sc, p);
		if (p >= len)
			return scan_fail(sc, REC_TRUNCATED);
		if (s[p] == ',') {
			p++;
			if (p < len && scan_isws(s[p]))
				p = scan_ws(sc, p);
			if (p >= len)
				return scan_fail(sc, REC_TRUNCATED);
			continue;
		}
		if (s[p] == close)
			return p + 1;
		return scan_fail(sc, REC_SYNTAX);
	}
}

/* Scans any value at p (white space already skipped). */
static size_t
scan_value(struct scan *sc, size_t p, int depth, enum rec_kind *kind)
{
	bool esc = false;

	if (p >= sc->len)
		return scan_fail(sc, REC_TRUNCATED);
	switch (sc->s[p]) {
	case '{':
		*kind = REC_OBJECT;
		return scan_container(sc, p, depth, NULL);
	case '[':
		*kind = REC_ARRAY;
		return scan_container(sc, p, depth, NULL);
	case '"':
		*kind = REC_STRING;
		return scan_string(sc, p, &esc);
	case 't':
		*kind = REC_TRUE;
		return scan_literal(sc, p, "true", 4);
	case 'f':
		*kind = REC_FALSE;
		return scan_literal(sc, p, "false", 5);
	case 'n':
		*kind = REC_NULL;
		return scan_literal(sc, p, "null", 4);
	default:
		*kind = REC_NUMBER;
		if (sc->s[p] == '-' || scan_isdigit(sc->s[p]))
			return scan_number(sc, p);
		return scan_fail(sc, REC_SYNTAX);
	}
}

void
record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
}

void
record_free(struct record *r)
{
	free(r->f);
	memset(r, 0, sizeof(*r));
}

int
record_parse(struct record *r, const char *text, size_t len)
{
	struct scan sc = { (const unsigned char *)text, len, REC_OK, false };
	enum rec_kind kind;
	size_t p, start;

	r->nf = 0;
	r->text = NULL;
	r->len = 0;
	p = scan_ws(&sc, 0);
	if (p >= len)
		return REC_EMPTY;
	start = p;
	if (text[p] != '{') {
		if ((p = scan_value(&sc, p, 0, &kind)) == SCAN_BAD)
			return sc.err;
		return scan_ws(&sc, p) < len ? REC_TRAILING : REC_NOT_OBJECT;
	}
	sc.ws = false;
	if ((p = scan_container(&sc, p, 0, r)) == SCAN_BAD) {
		r->nf = 0;
		return sc.err;
	}
	r->text = text + start;
	r->len = p - start;
	r->compact = !sc.ws;
	if (scan_ws(&sc, p) < len) {
		r->nf = 0;
		r->text = NULL;
		r->len = 0;
		return REC_TRAILING;
	}
	return REC_OK;
}

int
json_skip_value(const char *s, size_t len, size_t *pos)
{
	struct scan sc = { (const unsigned char *)s, len, REC_OK, false };
	enum rec_kind kind;
	size_t p;

	p = scan_ws(&sc, *pos);
	if (p >= len)
		return REC_EMPTY;
	if ((p = scan_value(&sc, p, 0, &kind)) == SCAN_BAD)
		return sc.err;
	*pos = p;
	return REC_OK;
}

/* The text scans of hot paths: where an array element that is an object
 * ends (before it is validated, ntopmsg.c), and validated text copied without its
 * white space outside strings (json-c's producers space every member).
 * The block scans take 64 bytes at a time: masks of the quotes,
 * backslashes, brackets and bytes up to 0x20, with the escapes resolved,
 * tell which bytes are inside strings; the rest is bit arithmetic. SSE2 is
 * part of x86-64; AVX-512 (BW for the masks, VBMI2 whose byte compress
 * drops the white space of a block in one instruction) is used when the
 * CPU has it. Elsewhere the byte loops serve; they are also the reference
 * the unit tests hold the block scans to. */

static int js_forced = JSON_SCAN_AUTO;

/* The bytes objend_byte() stops at: inside strings only quotes and
 * backslashes (1, 2), outside also brackets (3 opens, 4 closes). */
static const unsigned char js_class[256] = {
	['"'] = 1, ['\\'] = 2, ['{'] = 3, ['['] = 3, ['}'] = 4, [']'] = 4,
};

static size_t
objend_byte(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, depth = 0;

	for (i = 0; i < len; i++) {
		switch (js_class[u[i]]) {
		case 1:
			for (i++; i < len; i++) {
				if (js_class[u[i]] == 1)
					break;
				if (js_class[u[i]] == 2)
					i++;
			}
			break;
		case 3:
			depth++;
			break;
		case 4:
			if (--depth == 0)
				return i + 1;
			break;
		}
	}
	return 0;
}

static size_t
compact_byte(char *d, const char *s, size_t len)
{
	const char *p = s, *e = s + len;
	char *d0 = d, c;

	while (p < e) {
		c = *p++;
		if (c == '"') {
			*d++ = c;
			while (p < e) {
				c = *p++;
				*d++ = c;
				if (c == '\\' && p < e)
					*d++ = *p++;
				else if (c == '"')
					break;
			}
		} else if (c != ' ' && c != '\n' && c != '\t' && c != '\r')
			*d++ = c;
	}
	return (size_t)(d - d0);
}

#ifdef JS_X86
/* The end scan is the first to read a received payload, which libzmq's
 * I/O thread wrote on another core: asking for the bytes some blocks
 * ahead overlaps the transfers (a third fewer samples in the scan). A
 * prefetch past the text is harmless. */
#define JS_AHEAD	384

/* What one block carries to the next about strings. */
struct js_str {
	uint64_t	in;	/* all ones: the block starts inside a string */
	uint64_t	esc;	/* 1: the block's first byte is escaped */
};

/* The bytes of a block inside strings (bit i for byte i; an opening quote
 * counts as inside, a closing one not), from its quotes and backslashes. */
static inline uint64_t
js_instring(struct js_str *st, uint64_t quote, uint64_t bslash)
{
	uint64_t esc = st->esc, in;
	unsigned i;

	st->esc = 0;
	/* A backslash that is not itself escaped escapes the next byte.
	 * Escapes are few (json-c's "\/"): one turn each is cheap. */
	while (bslash != 0) {
		i = (unsigned)__builtin_ctzll(bslash);
		bslash &= bslash - 1;
		if (esc >> i & 1)
			continue;
		if (i == 63)
			st->esc = 1;
		else
			esc |= 2ULL << i;
	}
	quote &= ~esc;
	/* Prefix XOR: bit i is set when an odd number of quotes is at or
	 * before byte i. */
	quote ^= quote << 1;
	quote ^= quote << 2;
	quote ^= quote << 4;
	quote ^= quote << 8;
	quote ^= quote << 16;
	quote ^= quote << 32;
	in = quote ^ st->in;
	st->in = 0 - (in >> 63);
	return in;
}

struct js_blk {
	uint64_t	quote;
	uint64_t	bslash;
	uint64_t	low;	/* bytes up to 0x20: outside strings, white space */
	uint64_t	open;	/* '{' and '[' */
	uint64_t	close;	/* '}' and ']' */
};

static inline uint64_t
js_mask16(__m128i v, unsigned k)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(v) << (16 * k);
}

/* The masks of the 64 bytes at p: brackets or low bytes as asked. */
static inline void
js_blk_sse2(const unsigned char *p, struct js_blk *b, bool brackets)
{
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i sp = _mm_set1_epi8(' '), lc = _mm_set1_epi8(0x20);
	const __m128i open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}');
	__m128i v, w;
	unsigned k;

	memset(b, 0, sizeof(*b));
	for (k = 0; k < 4; k++) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		b->quote |= js_mask16(_mm_cmpeq_epi8(v, quote), k);
		b->bslash |= js_mask16(_mm_cmpeq_epi8(v, bslash), k);
		if (brackets) {
			/* '[' and ']' differ from '{' and '}' in bit 5 only. */
			w = _mm_or_si128(v, lc);
			b->open |= js_mask16(_mm_cmpeq_epi8(w, open), k);
			b->close |= js_mask16(_mm_cmpeq_epi8(w, close), k);
		} else
			b->low |= js_mask16(_mm_cmpeq_epi8(_mm_min_epu8(v, sp),
			    v), k);
	}
}

/* Counts brackets outside strings: the offset past the one that closes
 * the first, or 0. */
static inline bool
js_brackets(uint64_t br, uint64_t open, size_t *depth, size_t off,
    size_t *end)
{
	unsigned i;

	while (br != 0) {
		i = (unsigned)__builtin_ctzll(br);
		br &= br - 1;
		if (open >> i & 1)
			++*depth;
		else if (--*depth == 0) {
			*end = off + i + 1;
			return true;
		}
	}
	return false;
}

static size_t
objend_sse2(const char *s, size_t len)
{
	struct js_str st = { 0, 0 };
	struct js_blk b;
	unsigned char tail[64];
	const unsigned char *p;
	size_t off, n, depth = 0, end;
	uint64_t in;

	for (off = 0; off < len; off += 64) {
		p = (const unsigned char *)s + off;
		__builtin_prefetch(p + JS_AHEAD);
		if ((n = len - off) < 64) {
			/* Zeros are neither quotes nor brackets. */
			memset(tail, 0, sizeof(tail));
			memcpy(tail, p, n);
			p = tail;
		}
		js_blk_sse2(p, &b, true);
		in = js_instring(&st, b.quote, b.bslash);
		if (js_brackets((b.open | b.close) & ~in, b.open, &depth, off,
		    &end))
			return end;
	}
	return 0;
}

/* Copies the runs of kept bytes of a block: 16 bytes at a time, so up to
 * 15 bytes past a run are read (p has 80 readable bytes) and written. */
static inline char *
js_runs(char *d, const unsigned char *p, uint64_t keep)
{
	uint64_t rest;
	unsigned i, n, k;

	while (keep != 0) {
		i = (unsigned)__builtin_ctzll(keep);
		rest = ~(keep >> i);
		n = rest == 0 ? 64 - i : (unsigned)__builtin_ctzll(rest);
		for (k = 0; k < n; k += 16)
			_mm_storeu_si128((__m128i *)(void *)(d + k),
			    _mm_loadu_si128((const __m128i *)(const void *)
			    (p + i + k)));
		d += n;
		keep = i + n >= 64 ? 0 : keep & (~0ULL << (i + n));
	}
	return d;
}

static size_t
compact_sse2(char *d, const char *s, size_t len)
{
	struct js_str st = { 0, 0 };
	struct js_blk b;
	unsigned char tail[80];
	const unsigned char *p;
	char *d0 = d;
	size_t off, n;
	uint64_t keep;

	for (off = 0; off < len; off += 64) {
		p = (const unsigned char *)s + off;
		n = len - off < 64 ? len - off : 64;
		if (len - off < 80) {
			memset(tail, 0, sizeof(tail));
			memcpy(tail, p, n);
			p = tail;
		}
		js_blk_sse2(p, &b, false);
		keep = ~(b.low & ~js_instring(&st, b.quote, b.bslash));
		if (n < 64)
			keep &= (1ULL << n) - 1;
		d = js_runs(d, p, keep);
	}
	return (size_t)(d - d0);
}

#define JS_AVX512	__attribute__((target("avx512f,avx512bw,avx512vbmi2,popcnt")))

JS_AVX512 static size_t
objend_avx512(const char *s, size_t len)
{
	const __m512i quote = _mm512_set1_epi8('"');
	const __m512i bslash = _mm512_set1_epi8('\\');
	const __m512i lc = _mm512_set1_epi8(0x20);
	const __m512i open = _mm512_set1_epi8('{');
	const __m512i close = _mm512_set1_epi8('}');
	struct js_str st = { 0, 0 };
	size_t off, n, depth = 0, end;
	uint64_t valid, in, op, cl;
	__m512i v, w;

	for (off = 0; off < len; off += 64) {
		n = len - off;
		valid = n < 64 ? (1ULL << n) - 1 : ~0ULL;
		__builtin_prefetch(s + off + JS_AHEAD);
		/* A masked load does not touch the bytes past the text. */
		v = _mm512_maskz_loadu_epi8(valid, s + off);
		in = js_instring(&st, _mm512_cmpeq_epi8_mask(v, quote),
		    _mm512_cmpeq_epi8_mask(v, bslash));
		w = _mm512_or_si512(v, lc);
		op = _mm512_cmpeq_epi8_mask(w, open);
		cl = _mm512_cmpeq_epi8_mask(w, close);
		if (js_brackets((op | cl) & ~in, op, &depth, off, &end))
			return end;
	}
	return 0;
}

JS_AVX512 static size_t
compact_avx512(char *d, const char *s, size_t len)
{
	const __m512i quote = _mm512_set1_epi8('"');
	const __m512i bslash = _mm512_set1_epi8('\\');
	const __m512i sp = _mm512_set1_epi8(' ');
	struct js_str st = { 0, 0 };
	char *d0 = d;
	size_t off, n;
	uint64_t valid, keep;
	__m512i v;

	for (off = 0; off < len; off += 64) {
		n = len - off;
		valid = n < 64 ? (1ULL << n) - 1 : ~0ULL;
		v = _mm512_maskz_loadu_epi8(valid, s + off);
		keep = ~(_mm512_cmple_epu8_mask(v, sp) &
		    ~js_instring(&st, _mm512_cmpeq_epi8_mask(v, quote),
		    _mm512_cmpeq_epi8_mask(v, bslash))) & valid;
		_mm512_storeu_si512(d, _mm512_maskz_compress_epi8(keep, v));
		d += __builtin_popcountll(keep);
	}
	return (size_t)(d - d0);
}
#endif /* JS_X86 */

/* The implementation to run: the forced one, else the best this CPU has. */
static int
js_impl(void)
{
	if (js_forced != JSON_SCAN_AUTO)
		return js_forced;
#ifdef JS_X86
	if (__builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vbmi2"))
		return JSON_SCAN_AVX512;
	return JSON_SCAN_SSE2;
#else
	return JSON_SCAN_BYTE;
#endif
}

int
json_scan_active(void)
{
	return js_impl();
}

int
json_scan_impl(int impl)
{
	switch (impl) {
	case JSON_SCAN_AUTO:
	case JSON_SCAN_BYTE:
		break;
#ifdef JS_X86
	case JSON_SCAN_SSE2:
		break;
	case JSON_SCAN_AVX512:
		if (!__builtin_cpu_supports("avx512bw") ||
		    !__builtin_cpu_supports("avx512vbmi2"))
			return -1;
		break;
#endif
	default:
		return -1;
	}
	js_forced = impl;
	return 0;
}

size_t
json_objend(const char *s, size_t len)
{
	if (len == 0 || (s[0] != '{' && s[0] != '['))
		return 0;
	switch (js_impl()) {
#ifdef JS_X86
	case JSON_SCAN_AVX512:
		return objend_avx512(s, len);
	case JSON_SCAN_SSE2:
		return objend_sse2(s, len);
#endif
	default:
		return objend_byte(s, len);
	}
}

void
json_compact(struct sbuf *out, const char *s, size_t len)
{
	char *d;

	sbuf_reserve(out, len + JS_SLACK);
	d = out->p + out->len;
	switch (js_impl()) {
#ifdef JS_X86
	case JSON_SCAN_AVX512:
		out->len += compact_avx512(d, s, len);
		break;
	case JSON_SCAN_SSE2:
		out->len += compact_sse2(d, s, len);
		break;
#endif
	default:
		out->len += compact_byte(d, s, len);
		break;
	}
	out->p[out->len] = '\0';
}

/* Decodes the JSON string body s[0..n) (escapes allowed) into buf; returns
 * the length, or -1 if it does not fit in size-1 bytes. The body is known
 * to be valid. */
static int
rec_unescape(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned long cp;
		char tmp[5];

		if (s[i] != '\\') {
			if (o + 1 >= size)
				return -1;
			buf[o++] = s[i];
			continue;
		}
		i++;
		switch (s[i]) {
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			memcpy(tmp, s + i + 1, 4);
			tmp[4] = '\0';
			cp = strtoul(tmp, NULL, 16);
			i += 4;
			/* A high surrogate followed by a low one is one code
			 * point; a lone surrogate becomes U+FFFD. */
			if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < n &&
			    s[i + 1] == '\\' && s[i + 2] == 'u') {
				unsigned long lo;

				memcpy(tmp, s + i + 3, 4);
				lo = strtoul(tmp, NULL, 16);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
					i += 6;
				} else
					cp = 0xfffd;
			} else if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			break;
		default:
			cp = (unsigned char)s[i];
		}
		if (o + 5 >= size)
			return -1;
		if (cp < 0x80)
			buf[o++] = (char)cp;
		else if (cp < 0x800) {
			buf[o++] = (char)(0xc0 | (cp >> 6));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			buf[o++] = (char)(0xe0 | (cp >> 12));
			buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			buf[o++] = (char)(0xf0 | (cp >> 18));
			buf[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	if (o >= size)
		return -1;
	buf[o] = '\0';
	return (int)o;
}

/* Does member f's key equal key (klen bytes, plain text)? */
static bool
rec_keyeq(const struct rec_field *f, const char *key, size_t klen)
{
	char buf[256];
	int n;

	if (!f->kesc)
		return f->klen == klen && memcmp(f->key, key, klen) == 0;
	n = rec_unescape(f->key, f->klen, buf, sizeof(buf));
	return n >= 0 && (size_t)n == klen && memcmp(buf, key, klen) == 0;
}

const struct rec_field *
record_getn(const struct record *r, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		if (rec_keyeq(&r->f[i], key, klen))
			return &r->f[i];
	return NULL;
}

const struct rec_field *
record_get(const struct record *r, const char *key)
{
	return record_getn(r, key, strlen(key));
}

void
record_getv(const struct record *r, const char *const *keys, size_t n,
    const struct rec_field **out)
{
	size_t i, j, klen[RECORD_GETV_MAX], left;

	if (n > RECORD_GETV_MAX)
		n = RECORD_GETV_MAX;
	for (j = 0; j < n; j++) {
		klen[j] = strlen(keys[j]);
		out[j] = NULL;
	}
	/* Members outer, keys inner: one walk of r, and a member that
	 * matches a key is not compared with the others. */
	for (i = 0, left = n; i < r->nf && left > 0; i++)
		for (j = 0; j < n; j++)
			if (out[j] == NULL &&
			    rec_keyeq(&r->f[i], keys[j], klen[j])) {
				out[j] = &r->f[i];
				left--;
				break;
			}
}

int
rec_str(const struct rec_field *f, char *buf, size_t size)
{
	if (f == NULL || f->kind != REC_STRING || size == 0)
		return -1;
	if (!f->vesc) {
		size_t n = f->vlen - 2;

		if (n >= size)
			return -1;
		memcpy(buf, f->val + 1, n);
		buf[n] = '\0';
		return (int)n;
	}
	return rec_unescape(f->val + 1, f->vlen - 2, buf, size);
}

bool
rec_streq(const struct rec_field *f, const char *s)
{
	char buf[512];
	size_t n = strlen(s);
	int m;

	if (f == NULL || f->kind != REC_STRING)
		return false;
	if (!f->vesc)
		return f->vlen - 2 == n && memcmp(f->val + 1, s, n) == 0;
	m = rec_unescape(f->val + 1, f->vlen - 2, buf, sizeof(buf));
	return m >= 0 && (size_t)m == n && memcmp(buf, s, n) == 0;
}

/* Copies the number text of f (a number, or a string holding one with no
 * escapes) into buf as a C string. */
static int
rec_numtext(const struct rec_field *f, char *buf, size_t size)
{
	const char *p;
	size_t n;

	if (f == NULL)
		return -1;
	if (f->kind == REC_NUMBER) {
		p = f->val;
		n = f->vlen;
	} else if (f->kind == REC_STRING && !f->vesc) {
		p = f->val + 1;
		n = f->vlen - 2;
	} else
		return -1;
	if (n == 0 || n >= size)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* The usual number, -?DIGITS(.DIGITS)? with at most 15 digits in all,
 * read by hand: *mant is the digits as an integer and *scale the number
 * of fraction digits. Such a mantissa is below 2^53, so it and the power
 * of ten that scales it are exact doubles. Returns -1 for any other text
 * (exponents, "+1", " 1", "1.", longer numbers), which the callers leave
 * to strtoll/strtoull/strtod. */
static int
rec_plainnum(const struct rec_field *f, bool *neg, uint64_t *mant,
    unsigned *scale)
{
	const char *p, *e;
	unsigned digits = 0;
	uint64_t m = 0;

	if (f == NULL)
		return -1;
	if (f->kind == REC_NUMBER) {
		p = f->val;
		e = p + f->vlen;
	} else if (f->kind == REC_STRING && !f->vesc) {
		p = f->val + 1;
		e = f->val + f->vlen - 1;
	} else
		return -1;
	*neg = p < e && *p == '-';
	p += *neg;
	*scale = 0;
	for (; p < e && *p >= '0' && *p <= '9'; p++, digits++)
		m = m * 10 + (uint64_t)(*p - '0');
	if (digits == 0)
		return -1;
	if (p < e && *p == '.') {
		const char *fr = ++p;

		for (; p < e && *p >= '0' && *p <= '9'; p++, digits++)
			m = m * 10 + (uint64_t)(*p - '0');
		if (p == fr)
			return -1;
		*scale = (unsigned)(p - fr);
	}
	if (p != e || digits > 15)
		return -1;
	*mant = m;
	return 0;
}

int
rec_i64(const struct rec_field *f, int64_t *out)
{
	char buf[32], *end;
	long long v;
	uint64_t m;
	unsigned scale;
	bool neg;

	if (rec_plainnum(f, &neg, &m, &scale) == 0 && scale == 0) {
		*out = neg ? -(int64_t)m : (int64_t)m;
		return 0;
	}
	if (rec_numtext(f, buf, sizeof(buf)) == -1)
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (*end != '\0' || errno == ERANGE || end == buf)
		return -1;
	*out = v;
	return 0;
}

int
rec_u64(const struct rec_field *f, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long v;
	uint64_t m;
	unsigned scale;
	bool neg;

	if (rec_plainnum(f, &neg, &m, &scale) == 0 && scale == 0 && !neg) {
		*out = m;
		return 0;
	}
	if (rec_numtext(f, buf, sizeof(buf)) == -1 || buf[0] == '-')
		return -1;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (*end != '\0' || errno == ERANGE || end == buf)
		return -1;
	*out = v;
	return 0;
}

int
rec_double(const struct rec_field *f, double *out)
{
	/* Exact powers of ten: one correctly rounded division of two exact
	 * doubles is what strtod returns for the same text. */
	static const double pow10[16] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15,
	};
	char buf[64], *end;
	double v;
	uint64_t m;
	unsigned scale;
	bool neg;

	if (FLT_EVAL_METHOD == 0 && rec_plainnum(f, &neg, &m, &scale) == 0) {
		v = (double)m / pow10[scale];
		*out = neg ? -v : v;
		return 0;
	}
	if (rec_numtext(f, buf, sizeof(buf)) == -1)
		return -1;
	/* strtod would also take "inf", "nan" and hex: JSON numbers only. */
	if (!(buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9')))
		return -1;
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

int
record_sub(const struct rec_field *f, struct record *sub)
{
	if (f == NULL || f->kind != REC_OBJECT) {
		sub->nf = 0;
		return REC_NOT_OBJECT;
	}
	return record_parse(sub, f->val, f->vlen);
}

void
record_write(const struct record *r, const struct rec_edit *e, size_t ne,
    struct sbuf *out)
{
	size_t i, j, klen[16], run_end = 0;
	bool first = true, inrun = false;
	const char *run_from = NULL;

	if (ne > 16)
		ne = 16;
	for (j = 0; j < ne; j++)
		klen[j] = strlen(e[j].key);
	sbuf_reserve(out, r->len + 64);
	sbuf_addc(out, '{');
	for (j = 0; j < ne; j++) {
		if (e[j].json == NULL || record_getn(r, e[j].key, klen[j]) != NULL)
			continue;
		if (!first)
			sbuf_addc(out, ',');
		first = false;
		sbuf_add_jstr(out, e[j].key, klen[j]);
		sbuf_addc(out, ':');
		sbuf_add(out, e[j].json, e[j].jlen);
	}
	/* Members left as they are go out as runs: in a compact record a run
	 * of neighbours is one stretch of the text, copied at once. */
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		const struct rec_edit *ed = NULL;

		for (j = 0; j < ne; j++)
			if (f->klen == klen[j] && rec_keyeq(f, e[j].key, klen[j])) {
				ed = &e[j];
				break;
			}
		if (ed == NULL && r->compact) {
			if (!inrun) {
				run_from = f->key - 1;
				inrun = true;
			}
			run_end = i;
			continue;
		}
		if (inrun) {
			if (!first)
				sbuf_addc(out, ',');
			first = false;
			sbuf_add(out, run_from, (size_t)(r->f[run_end].val +
			    r->f[run_end].vlen - run_from));
			inrun = false;
		}
		if (ed != NULL && ed->json == NULL)
			continue;
		if (!first)
			sbuf_addc(out, ',');
		first = false;
		sbuf_addc(out, '"');
		sbuf_add(out, f->key, f->klen);
		sbuf_add(out, "\":", 2);
		if (ed != NULL)
			sbuf_add(out, ed->json, ed->jlen);
		else
			json_compact(out, f->val, f->vlen);
	}
	if (inrun) {
		if (!first)
			sbuf_addc(out, ',');
		sbuf_add(out, run_from, (size_t)(r->f[run_end].val +
		    r->f[run_end].vlen - run_from));
	}
	sbuf_addc(out, '}');
}
