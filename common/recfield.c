/* recfield.c - the members record_parse() indexed (include/record.h):
 * found by key, decoded as strings and numbers, parsed as nested objects,
 * and the record written back with edits. Spec: RFC 8259 (JSON).
 */
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "sbuf.h"

/* Decodes the JSON string body s[0..n) (escapes allowed) into buf as
 * rec_unescape() does, NUL-terminated; returns the length, or -1 if it
 * does not fit in size-1 bytes. */
static int
rec_decode(const char *s, size_t n, char *buf, size_t size)
{
	bool trunc = false;
	size_t o;

	if (size == 0)
		return -1;
	o = rec_unescape(s, n, buf, size, false, &trunc);
	return trunc ? -1 : (int)o;
}

/* Are the n bytes at a and b the same? Keys are short: up to sixteen
 * bytes are compared as two words that may overlap, without a call. */
static inline bool
rec_same(const char *a, const char *b, size_t n)
{
	uint64_t x, y, x2, y2;
	uint32_t u, v, u2, v2;

	if (n >= 8) {
		if (n > 16)
			return memcmp(a, b, n) == 0;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&x2, a + n - 8, 8);
		memcpy(&y2, b + n - 8, 8);
		return ((x ^ y) | (x2 ^ y2)) == 0;
	}
	if (n >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		memcpy(&u2, a + n - 4, 4);
		memcpy(&v2, b + n - 4, 4);
		return ((u ^ v) | (u2 ^ v2)) == 0;
	}
	for (; n > 0; n--)
		if (*a++ != *b++)
			return false;
	return true;
}

/* Does member f's key equal key (klen bytes, plain text)? */
static bool
rec_keyeq(const struct rec_field *f, const char *key, size_t klen)
{
	char buf[256];
	int n;

	if (!f->kesc)
		return f->klen == klen && memcmp(f->key, key, klen) == 0;
	n = rec_decode(f->key, f->klen, buf, sizeof(buf));
	return n >= 0 && (size_t)n == klen && memcmp(buf, key, klen) == 0;
}

const struct rec_field *
record_getn(const struct record *r, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];

		/* A plain key of another length, without a call. */
		if (!f->kesc ? f->klen == klen &&
		    rec_same(f->key, key, klen) : rec_keyeq(f, key, klen))
			return f;
	}
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
	size_t j, klen[RECORD_GETV_MAX];

	if (n > RECORD_GETV_MAX)
		n = RECORD_GETV_MAX;
	for (j = 0; j < n; j++)
		klen[j] = strlen(keys[j]);
	record_getvl(r, keys, klen, n, out);
}

void
record_getvl(const struct record *r, const char *const *keys,
    const size_t *klen, size_t n, const struct rec_field **out)
{
	size_t i, j, left;

	if (n > RECORD_GETV_MAX)
		n = RECORD_GETV_MAX;
	for (j = 0; j < n; j++)
		out[j] = NULL;
	/* Members outer, keys inner: one walk of r, and a member that
	 * matches a key is not compared with the others. A plain key of
	 * another length is passed over without a call. */
	for (i = 0, left = n; i < r->nf && left > 0; i++) {
		const struct rec_field *f = &r->f[i];

		for (j = 0; j < n; j++) {
			if (out[j] != NULL)
				continue;
			if (!f->kesc ? f->klen == klen[j] &&
			    rec_same(f->key, keys[j], klen[j]) :
			    rec_keyeq(f, keys[j], klen[j])) {
				out[j] = f;
				left--;
				break;
			}
		}
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
	return rec_decode(f->val + 1, f->vlen - 2, buf, size);
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
	m = rec_decode(f->val + 1, f->vlen - 2, buf, sizeof(buf));
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

/* Reads the run of decimal digits at *pp into *m (m = m * 10 + digit,
 * wrapping past 2^64), leaving *pp after it; e bounds where eight bytes
 * at a time may be read. A run of eight digits (timestamps, byte counts)
 * is converted at once, the rest byte by byte. No bound is needed past e:
 * the caller's text has a byte after the run that is not a digit. */
/* Inlined: called per number, with the callers' constants. */
static inline __attribute__((always_inline)) void
rec_digits(const char **pp, const char *e, uint64_t *m, bool wide)
{
	const char *p = *pp;
	uint64_t v = *m, w;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (wide && e - p >= 8) {
		memcpy(&w, p, 8);
		/* All eight bytes in '0'..'9'? */
		if (((w & 0xf0f0f0f0f0f0f0f0ULL) |
		    (((w + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) >>
		    4)) != 0x3333333333333333ULL)
			break;
		/* Pairs, then fours, then the eight (the first byte is the
		 * highest digit). */
		w -= 0x3030303030303030ULL;
		w = w * 10 + (w >> 8);
		w = (((w & 0x000000ff000000ffULL) *
		    (100 + (1000000ULL << 32))) +
		    (((w >> 16) & 0x000000ff000000ffULL) *
		    (1 + (10000ULL << 32)))) >> 32;
		v = v * 100000000 + w;
		p += 8;
	}
#else
	(void)e, (void)wide, (void)w;
#endif
	for (; (unsigned)(*p - '0') < 10; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	*pp = p;
	*m = v;
}

/* The usual number, -?DIGITS(.DIGITS)? with at most 15 digits in all,
 * read by hand: *mant is the digits as an integer and *scale the number
 * of fraction digits. Such a mantissa is below 2^53, so it and the power
 * of ten that scales it are exact doubles. Returns -1 for any other text
 * (exponents, "+1", " 1", "1.", longer numbers), which the callers leave
 * to strtoll/strtoull/strtod.
 *
 * The digit loops need no bound: in the text record_parse() validated, a
 * number is followed by a byte that cannot be part of it (the object's
 * closing brace at the latest), and a string by its closing quote. */
static inline __attribute__((always_inline)) int
rec_plainnum(const struct rec_field *f, bool *neg, uint64_t *mant,
    unsigned *scale, bool wide)
{
	const char *p, *e, *d;
	uint64_t m = 0;
	size_t digits;

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
	*neg = *p == '-';
	p += *neg;
	d = p;
	rec_digits(&p, e, &m, wide);
	if ((digits = (size_t)(p - d)) == 0)
		return -1;
	*scale = 0;
	if (*p == '.') {
		const char *fr = ++p;

		rec_digits(&p, e, &m, wide);
		if (p == fr)
			return -1;
		*scale = (unsigned)(p - fr);
		digits += *scale;
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

	if (rec_plainnum(f, &neg, &m, &scale, false) == 0 && scale == 0) {
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

	if (rec_plainnum(f, &neg, &m, &scale, false) == 0 && scale == 0 &&
	    !neg) {
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

/* rec_time's seconds when they have more than 18 digits: those that fit
 * an int64_t with room for one more digit, as they always were. */
static int
rec_time_long(const char *s, size_t n, int64_t *sv)
{
	size_t i;

	*sv = 0;
	for (i = 0; i < n; i++) {
		if (*sv > (INT64_MAX - 9) / 10)
			return -1;
		*sv = *sv * 10 + (s[i] - '0');
	}
	return 0;
}

int
rec_time(const struct rec_field *f, int64_t *sec, int32_t *usec)
{
	static const int32_t scale[7] = {
		1000000, 100000, 10000, 1000, 100, 10, 1,
	};
	const char *s, *e, *d;
	uint64_t sv = 0;
	int64_t lsv;
	int32_t us = 0;
	double d2;

	/* No bound on the digit loops, as in rec_plainnum(). */
	if (f->kind == REC_STRING) {
		s = f->val + 1;
		e = f->val + f->vlen - 1;
	} else if (f->kind == REC_NUMBER) {
		s = f->val;
		e = s + f->vlen;
	} else
		return -1;
	d = s;
	rec_digits(&s, e, &sv, true);
	if (s == d)
		return -1;
	if (s - d > 18) {
		if (rec_time_long(d, (size_t)(s - d), &lsv) != 0)
			return -1;
		sv = (uint64_t)lsv;
	}
	if (*s == '.') {
		const char *fr = ++s;
		uint64_t fv = 0;
		int k;

		/* Six digits kept, the rest cut. */
		rec_digits(&s, e, &fv, false);
		if (s == fr)
			return -1;
		if (s - fr <= 6)
			us = (int32_t)fv * scale[s - fr];
		else
			for (k = 0; k < 6; k++)
				us = us * 10 + (fr[k] - '0');
	}
	if (s != e) {
		/* An exponent form such as 1.7e9: taken as a double. */
		if (f->kind != REC_NUMBER || rec_double(f, &d2) != 0 ||
		    d2 < 0 || d2 > 9.2e18)
			return -1;
		sv = (uint64_t)(int64_t)d2;
		us = (int32_t)((d2 - (double)(int64_t)d2) * 1e6);
	}
	*sec = (int64_t)sv;
	*usec = us;
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

	if (FLT_EVAL_METHOD == 0 &&
	    rec_plainnum(f, &neg, &m, &scale, true) == 0) {
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
