/* sbuf.c - growable byte buffer for building output lines (include/sbuf.h). */
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

void
sbuf_add_jstr(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	char *o;

	/* Worst case every byte becomes \u00XX: six bytes. */
	sbuf_reserve(b, n * 6 + 2);
	o = b->p + b->len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
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
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
}

void
sbuf_add_u64(struct sbuf *b, uint64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sbuf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
sbuf_add_i64(struct sbuf *b, int64_t v)
{
	if (v < 0) {
		sbuf_addc(b, '-');
		sbuf_add_u64(b, (uint64_t)0 - (uint64_t)v);
	} else
		sbuf_add_u64(b, (uint64_t)v);
}

void
sbuf_add_time(struct sbuf *b, double secs)
{
	uint64_t us;
	char frac[8];
	int i;

	/* JSON has no NaN or infinity, and past ~9.2e12 s the microseconds
	 * would not fit the integer below: such values print as zero, or
	 * through printf. */
	if (!isfinite(secs)) {
		sbuf_adds(b, "0.000000");
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
	sbuf_add_u64(b, us / 1000000);
	frac[0] = '.';
	for (i = 6, us %= 1000000; i >= 1; i--, us /= 10)
		frac[i] = (char)('0' + us % 10);
	sbuf_add(b, frac, 7);
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
