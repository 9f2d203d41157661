/* sbuf.c - growable byte buffer for building output lines, and the
 * number, time and JSON string formatting of every tool (include/sbuf.h).
 *
 * Integers are written two digits a division from the end, the way the
 * per-record hot paths (pktrec, flowout, tlv) need; times and "%.3f"
 * without floating-point format where the result is exact, so the text
 * is the same on every libc.
 */
#include <err.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

void
sbuf_reserve(struct sbuf *b, size_t n)
{
	size_t need, cap;
	char *p;

	/* One extra byte always stays free for the terminating NUL. */
	need = b->len + n + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		err(1, "sbuf");
	b->p = p;
	b->cap = cap;
}

void
sbuf_add(struct sbuf *b, const void *s, size_t n)
{
	sbuf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void
sbuf_addc(struct sbuf *b, char c)
{
	sbuf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sbuf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
sbuf_put_jesc(char *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	*o++ = '\\';
	switch (c) {
	case '"': *o++ = '"'; break;
	case '\\': *o++ = '\\'; break;
	case '\n': *o++ = 'n'; break;
	case '\r': *o++ = 'r'; break;
	case '\t': *o++ = 't'; break;
	case '\b': *o++ = 'b'; break;
	case '\f': *o++ = 'f'; break;
	default:
		*o++ = 'u'; *o++ = '0'; *o++ = '0';
		*o++ = hex[c >> 4]; *o++ = hex[c & 15];
	}
	return o;
}

/* Does any of the eight bytes of w need an escape in a JSON string: a
 * control character, a quote or a backslash? (Each test is exact for the
 * word as a whole: a borrow only follows a byte that matched.) */
static inline int
sbuf_jspecial8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');

	return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
	    ((bs - ones) & ~bs)) & high ? 1 : 0;
}

char *
sbuf_put_jstr(char *o, const char *s, size_t n)
{
	size_t i = 0, end;
	uint64_t w;
	int plain = 0;		/* the last eight bytes went out as they are */

	*o++ = '"';
	while (i < n) {
		/* Eight plain bytes (the usual case) are copied at once; a
		 * word with one to escape goes byte by byte. */
		if (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if (!sbuf_jspecial8(w)) {
				memcpy(o, &w, 8);
				o += 8;
				i += 8;
				plain = 1;
				continue;
			}
			end = i + 8;
		} else if (plain) {
			/* The last eight bytes of s, when plain, overlap
			 * bytes copied as they are: written again, the
			 * same. */
			memcpy(&w, s + n - 8, 8);
			if (!sbuf_jspecial8(w)) {
				memcpy(o - (i - (n - 8)), &w, 8);
				o += n - i;
				break;
			}
			end = n;
		} else
			end = n;
		plain = 0;
		for (; i < end; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c >= 0x20 && c != '"' && c != '\\')
				*o++ = (char)c;
			else
				o = sbuf_put_jesc(o, c);
		}
	}
	*o++ = '"';
	return o;
}

void
sbuf_add_jstr(struct sbuf *b, const char *s, size_t n)
{
	/* Worst case every byte becomes \u00XX: six bytes. */
	sbuf_commit(b, sbuf_put_jstr(sbuf_room(b, n * 6 + 2), s, n));
}

size_t
sbuf_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

int
sbuf_add_jstr_utf8(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;
	int repaired = 0;
	char *o;

	/* As sbuf_add_jstr: an escape is at most six bytes, U+FFFD three. */
	o = sbuf_room(b, n * 6 + 2);
	*o++ = '"';
	for (i = 0; i < n; i += k) {
		if (u[i] >= 0x20 && u[i] < 0x80 && u[i] != '"' &&
		    u[i] != '\\') {
			*o++ = (char)u[i];	/* the usual byte, first */
			k = 1;
		} else if ((k = sbuf_utf8_len(u + i, n - i)) == 0) {
			o = SBUF_PUTLIT(o, "\xef\xbf\xbd");
			repaired = 1;
			k = 1;
		} else if (k > 1)
			o = sbuf_put(o, u + i, k);
		else	/* a control character, quote or backslash */
			o = sbuf_put_jesc(o, u[i]);
	}
	*o++ = '"';
	sbuf_commit(b, o);
	return repaired;
}

/* The two-digit decimal strings "00" to "99", one after the other. */
static const char sbuf_dig2[] =
    "00010203040506070809101112131415161718192021222324252627282930"
    "31323334353637383940414243444546474849505152535455565758596061"
    "6263646566676869707172737475767778798081828384858687888990919293"
    "949596979899";

/* The number of decimal digits of v: its bit length gives the digit
 * count or one more (1233 / 4096 is just above log10(2)), and one
 * comparison tells which. */
static inline size_t
sbuf_ndigits(uint64_t v)
{
	static const uint64_t ten[20] = {
		0, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
		1000000000, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
		10000000000000000ULL, 100000000000000000ULL,
		1000000000000000000ULL, 10000000000000000000ULL,
	};
	unsigned t = ((64u - (unsigned)__builtin_clzll(v | 1)) * 1233) >> 12;

	return t + (v >= ten[t]);
}

char *
sbuf_put_u64(char *o, uint64_t v)
{
	size_t n = sbuf_ndigits(v);
	char *p = o + n;
	uint32_t w;

	/* Two digits a division, from the end; in 32 bits once v fits,
	 * where a division by a constant costs half as much. */
	for (; v > UINT32_MAX; v /= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		*--p = sbuf_dig2[d + 1];
		*--p = sbuf_dig2[d];
	}
	for (w = (uint32_t)v; w >= 100; w /= 100) {
		unsigned d = (w % 100) * 2;

		*--p = sbuf_dig2[d + 1];
		*--p = sbuf_dig2[d];
	}
	if (w >= 10) {
		*--p = sbuf_dig2[w * 2 + 1];
		*--p = sbuf_dig2[w * 2];
	} else
		*--p = (char)('0' + w);
	return o + n;
}

char *
sbuf_put_i64(char *o, int64_t v)
{
	if (v >= 0)
		return sbuf_put_u64(o, (uint64_t)v);
	*o++ = '-';
	return sbuf_put_u64(o, (uint64_t)0 - (uint64_t)v);
}

void
sbuf_add_u64(struct sbuf *b, uint64_t v)
{
	sbuf_commit(b, sbuf_put_u64(sbuf_room(b, SBUF_U64MAX), v));
}

void
sbuf_add_i64(struct sbuf *b, int64_t v)
{
	sbuf_commit(b, sbuf_put_i64(sbuf_room(b, SBUF_I64MAX), v));
}

char *
sbuf_put_digits(char *o, uint32_t v, int n)
{
	char *p = o + n;

	/* Two digits a division, from the end. */
	for (; p - o >= 2; v /= 100) {
		unsigned d = (v % 100) * 2;

		*--p = sbuf_dig2[d + 1];
		*--p = sbuf_dig2[d];
	}
	if (p > o)
		*--p = (char)('0' + v % 10);
	return o + n;
}

char *
sbuf_put_frac(char *o, int64_t whole, uint32_t frac, int n)
{
	o = sbuf_put_i64(o, whole);
	*o++ = '.';
	return sbuf_put_digits(o, frac, n);
}

char *
sbuf_put_us(char *o, int64_t us)
{
	int64_t s = us / 1000000, f = us % 1000000;

	if (f < 0) {
		f += 1000000;
		s--;
	}
	return sbuf_put_frac(o, s, (uint32_t)f, 6);
}

void
sbuf_add_us(struct sbuf *b, int64_t us)
{
	sbuf_commit(b, sbuf_put_us(sbuf_room(b, SBUF_USMAX), us));
}

void
sbuf_add_time(struct sbuf *b, double secs)
{
	uint64_t us;
	char *o;

	/* JSON has no NaN or infinity, and past ~9.2e12 s the microseconds
	 * would not fit the integer below: such values print as zero, or
	 * through printf. */
	if (!isfinite(secs)) {
		SBUF_ADDLIT(b, "0.000000");
		return;
	}
	if (secs < 0) {
		sbuf_addc(b, '-');
		secs = -secs;
	}
	if (secs >= 9.2e12) {
		sbuf_addf(b, "%.6f", secs);
		return;
	}
	/* Rounded to the microsecond, printed without floating-point format
	 * so the text is the same on every libc. */
	us = (uint64_t)(secs * 1e6 + 0.5);
	o = sbuf_room(b, SBUF_USMAX);
	sbuf_commit(b, sbuf_put_frac(o, (int64_t)(us / 1000000),
	    (uint32_t)(us % 1000000), 6));
}

/*
 * A float times 1000 is exact in a double (24 + 10 bits of 53), so
 * rounding it to an integer with rint() (the current rounding mode, to
 * nearest even by default, as printf rounds) gives printf's digits; other
 * doubles, large and non-finite values go through printf itself, once
 * into a local buffer rather than twice by sbuf_addf.
 */
void
sbuf_add_fix3(struct sbuf *b, double v)
{
	double t = v * 1000.0;
	uint64_t u;
	char buf[64], *o;
	int n;

	if (!isfinite(t) || fabs(t) >= 9007199254740992.0 ||
	    (double)(float)v != v) {
		n = snprintf(buf, sizeof(buf), "%.3f", v);
		if (n > 0 && (size_t)n < sizeof(buf))
			sbuf_add(b, buf, (size_t)n);
		else
			sbuf_addf(b, "%.3f", v);
		return;
	}
	u = (uint64_t)fabs(rint(t));
	o = sbuf_room(b, SBUF_U64MAX + 5);
	if (signbit(v))
		*o++ = '-';	/* printf keeps the sign of -0.0001 and -0 */
	o = sbuf_put_u64(o, u / 1000);
	*o++ = '.';
	sbuf_commit(b, sbuf_put_digits(o, (uint32_t)(u % 1000), 3));
}

void
sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void
sbuf_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
