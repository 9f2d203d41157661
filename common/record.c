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
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* Scans a string whose opening quote is at p; returns the position after
 * the closing quote, and tells whether the string held an escape. */
static size_t
scan_string(struct scan *sc, size_t p, bool *esc)
{
	const unsigned char *s = sc->s;
	size_t len = sc->len, n;
	int e;

	p++;
	for (;;) {
		p = scan_plain(s, len, p);
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
	}
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
		if (p < len && s[p] == '"') {
			kind = REC_STRING;
			p = scan_string(sc, p, &esc);
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

/* The offset just past the string whose opening quote is at s[p]; the
 * text is known to be valid, so only quotes and backslashes matter. */
static size_t
json_string_end(const char *s, size_t len, size_t p)
{
	for (p++; p < len;) {
		p = scan_plain((const unsigned char *)s, len, p);
		if (p >= len)
			break;
		if (s[p] == '"')
			return p + 1;
		p += s[p] == '\\' ? 2 : 1;
	}
	return len;
}

void
json_compact(struct sbuf *out, const char *s, size_t len)
{
	size_t i = 0, run = 0;

	sbuf_reserve(out, len);
	/* Copy runs of significant bytes with one memcpy each. */
	while (i < len) {
		char c = s[i];

		if (c == '"')
			i = json_string_end(s, len, i);
		else if (scan_isws((unsigned char)c)) {
			if (i > run)
				sbuf_add(out, s + run, i - run);
			run = ++i;
		} else
			i++;
	}
	if (len > run)
		sbuf_add(out, s + run, len - run);
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

int
rec_i64(const struct rec_field *f, int64_t *out)
{
	char buf[32], *end;
	long long v;

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
	char buf[64], *end;
	double v;

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
