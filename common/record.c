/* record.c - strict JSON validation and top-level indexing: the exact
 * scanner. Spec: RFC 8259 (JSON), RFC 3629 (UTF-8); contract in
 * include/record.h. The accessors of the indexed members are in
 * common/recfield.c; nested objects, already validated, are indexed at
 * the end of this file.
 *
 * record_parse() and record_parse_prefix() first try the fast path of
 * common/recfast.c, which answers only for valid records, with the index
 * this scanner gives. Everything else, every error above all, comes from
 * here: this scanner is the reference for the results, and the whole of
 * record_parse() in builds without SSE2 and under
 * json_scan_impl(JSON_SCAN_BYTE).
 *
 * The scanner never builds a tree: it walks the text once, checks every
 * byte against the grammar, and for the outermost object remembers where
 * each member's key and value are. String bodies, the bulk of an eBPF
 * event, are skipped eight bytes at a time while no byte needs a closer
 * look (quote, backslash, control character or non-ASCII).
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "recfast.h"
#include "record.h"

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
			if ((e = recfast_utf8(s, len, p, &n)) != REC_OK)
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

/* Scans a member's key, whose opening quote is at p, its colon and the
 * white space after; returns the value's position. The key's body ends at
 * *kend. s and len are sc's, passed as the caller holds them. */
static inline size_t
scan_key(struct scan *sc, const unsigned char *s, size_t len, size_t p,
    size_t *kend, bool *kesc)
{
	if (s[p] != '"')
		return scan_fail(sc, REC_SYNTAX);
	if ((p = scan_string(sc, p, kesc)) == SCAN_BAD)
		return p;
	*kend = p - 1;
	if (p < len && s[p] != ':')
		p = scan_ws(sc, p);
	if (p >= len)
		return scan_fail(sc, REC_TRUNCATED);
	if (s[p] != ':')
		return scan_fail(sc, REC_SYNTAX);
	p++;
	if (p < len && scan_isws(s[p]))
		p = scan_ws(sc, p);
	return p;
}

/* Scans a member's or element's value at p, of a container at depth:
 * strings and numbers, most values, without a call. s and len are sc's,
 * passed as the caller holds them. */
static inline size_t
scan_member(struct scan *sc, const unsigned char *s, size_t len, size_t p,
    int depth, enum rec_kind *kind, bool *esc)
{
	if (p < len && s[p] == '"') {
		*kind = REC_STRING;
		return scan_string(sc, p, esc);
	}
	if (p < len && (scan_isdigit(s[p]) || s[p] == '-')) {
		*kind = REC_NUMBER;
		return scan_number(sc, p);
	}
	return scan_value(sc, p, depth + 1, kind);
}

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
			kstart = p + 1;
			if ((p = scan_key(sc, s, len, p, &kend, &kesc)) == SCAN_BAD)
				return p;
		}
		vstart = p;
		if ((p = scan_member(sc, s, len, p, depth, &kind,
		    &esc)) == SCAN_BAD)
			return p;
		if (r != NULL && obj) {
			if (nf == cap)
				f = recfast_grow(r, &cap);
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

/* Validates and indexes the object whose opening brace is at p; on
 * success r holds its span and members and the position after its closing
 * brace is returned. */
static size_t
parse_object(struct scan *sc, struct record *r, size_t p)
{
	size_t start = p;

	sc->ws = false;
	if ((p = scan_container(sc, p, 0, r)) == SCAN_BAD) {
		r->nf = 0;
		return SCAN_BAD;
	}
	r->text = (const char *)sc->s + start;
	r->len = p - start;
	r->compact = !sc->ws;
	return p;
}

/* record_parse() by the exact scanner: the reference for every result.
 * Kept out of line so that record_parse() itself stays a call and a test. */
static __attribute__((noinline)) int
parse_exact(struct record *r, const char *text, size_t len)
{
	struct scan sc = { (const unsigned char *)text, len, REC_OK, false };
	enum rec_kind kind;
	size_t p;

	r->nf = 0;
	r->text = NULL;
	r->len = 0;
	p = scan_ws(&sc, 0);
	if (p >= len)
		return REC_EMPTY;
	if (text[p] != '{') {
		if ((p = scan_value(&sc, p, 0, &kind)) == SCAN_BAD)
			return sc.err;
		return scan_ws(&sc, p) < len ? REC_TRAILING : REC_NOT_OBJECT;
	}
	if ((p = parse_object(&sc, r, p)) == SCAN_BAD)
		return sc.err;
	if (scan_ws(&sc, p) < len) {
		r->nf = 0;
		r->text = NULL;
		r->len = 0;
		return REC_TRAILING;
	}
	return REC_OK;
}

/* The fast path answers for nearly every valid record; whatever it is
 * not sure of, the exact scanner decides (include/recfast.h). */
int
record_parse(struct record *r, const char *text, size_t len)
{
	if (recfast_parse(r, text, len, NULL))
		return REC_OK;
	return parse_exact(r, text, len);
}

int
record_parse_prefix(struct record *r, const char *text, size_t len,
    size_t *end)
{
	struct scan sc = { (const unsigned char *)text, len, REC_OK, false };
	size_t p;

	r->nf = 0;
	r->text = NULL;
	r->len = 0;
	if (recfast_parse(r, text, len, end))
		return REC_OK;
	p = scan_ws(&sc, 0);
	if (p >= len)
		return REC_EMPTY;
	if (text[p] != '{')
		return REC_NOT_OBJECT;
	if ((p = parse_object(&sc, r, p)) == SCAN_BAD)
		return sc.err;
	*end = p;
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

/* ---- nested objects, already validated ----
 *
 * A member's value span comes from record_parse(), which validated every
 * byte of it, so indexing it again needs no checks: strings end at the
 * first quote that no backslash escapes, numbers at the first byte that
 * cannot be in one, containers where their brackets balance. The fields
 * and the compact flag are those record_parse() would give the span
 * (test_record.c compares the two). */

/* The position after the string whose opening quote is at p. */
static inline size_t
idx_string(const unsigned char *s, size_t len, size_t p, bool *esc)
{
	for (p++;; p++) {
		p = scan_plain(s, len, p);
		if (s[p] == '"')
			return p + 1;
		if (s[p] == '\\') {
			*esc = true;
			p++;	/* the escaped byte; \uXXXX's digits are plain */
		}
	}
}

static inline size_t
idx_ws(const unsigned char *s, size_t p, bool *ws)
{
	if (scan_isws(s[p])) {
		*ws = true;
		while (scan_isws(s[p]))
			p++;
	}
	return p;
}

/* The position after the object or array whose bracket is at p. */
static size_t
idx_container(const unsigned char *s, size_t len, size_t p, bool *ws)
{
	size_t depth = 0;
	bool esc;

	for (;;) {
		switch (s[p]) {
		case '"':
			p = idx_string(s, len, p, &esc);
			continue;
		case '{': case '[':
			depth++;
			break;
		case '}': case ']':
			if (--depth == 0)
				return p + 1;
			break;
		case ' ': case '\t': case '\n': case '\r':
			*ws = true;
			break;
		default:
			break;
		}
		p++;
	}
}

/* The position after the value at p, and its kind. */
static size_t
idx_value(const unsigned char *s, size_t len, size_t p, enum rec_kind *kind,
    bool *esc, bool *ws)
{
	switch (s[p]) {
	case '"':
		*kind = REC_STRING;
		return idx_string(s, len, p, esc);
	case '{':
		*kind = REC_OBJECT;
		return idx_container(s, len, p, ws);
	case '[':
		*kind = REC_ARRAY;
		return idx_container(s, len, p, ws);
	case 't':
		*kind = REC_TRUE;
		return p + 4;
	case 'f':
		*kind = REC_FALSE;
		return p + 5;
	case 'n':
		*kind = REC_NULL;
		return p + 4;
	default:
		*kind = REC_NUMBER;
		while (p < len && (scan_isdigit(s[p]) || s[p] == '-' ||
		    s[p] == '+' || s[p] == '.' || s[p] == 'e' || s[p] == 'E'))
			p++;
		return p;
	}
}

int
record_sub(const struct rec_field *f, struct record *sub)
{
	const unsigned char *s;
	struct rec_field *fs;
	size_t len, p, nf = 0, cap;
	bool ws = false;

	if (f == NULL || f->kind != REC_OBJECT) {
		sub->nf = 0;
		return REC_NOT_OBJECT;
	}
	s = (const unsigned char *)f->val;
	len = f->vlen;
	fs = sub->f;
	cap = sub->cap;
	sub->nf = 0;
	p = idx_ws(s, 1, &ws);
	while (s[p] != '}') {
		size_t kstart = p + 1, kend, vstart;
		bool kesc = false, esc = false;
		enum rec_kind kind;

		p = idx_string(s, len, p, &kesc);
		kend = p - 1;
		p = idx_ws(s, p, &ws);
		p = idx_ws(s, p + 1, &ws);	/* past the colon */
		vstart = p;
		p = idx_value(s, len, p, &kind, &esc, &ws);
		if (nf == cap)
			fs = recfast_grow(sub, &cap);
		fs[nf].key = (const char *)s + kstart;
		fs[nf].klen = kend - kstart;
		fs[nf].kesc = kesc;
		fs[nf].val = (const char *)s + vstart;
		fs[nf].vlen = p - vstart;
		fs[nf].kind = kind;
		fs[nf].vesc = esc;
		nf++;
		p = idx_ws(s, p, &ws);
		if (s[p] == ',')
			p = idx_ws(s, p + 1, &ws);
	}
	sub->nf = nf;
	sub->text = f->val;
	sub->len = len;
	sub->compact = !ws;
	return REC_OK;
}
