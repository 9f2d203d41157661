/* recstr.c - the one JSON string decoder of the record module
 * (include/record.h): string bodies record_parse() validated, decoded
 * into bounded buffers, cut at a code point when they do not fit. Every
 * reader of member keys and values (record's own look-ups, evfields,
 * flow-agg, ev-route, the TLV encoder) decodes through it. Spec: RFC 8259
 * section 7 (strings), RFC 3629 (UTF-8).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "record.h"

/* Appends the code point c as UTF-8 if it fits in buf[*o..size-1). */
static bool
rec_put_utf8(char *buf, size_t size, size_t *o, uint32_t c)
{
	char t[4];
	size_t n;

	if (c < 0x80) {
		t[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		t[0] = (char)(0xc0 | (c >> 6));
		t[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		t[0] = (char)(0xe0 | (c >> 12));
		t[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		t[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		t[0] = (char)(0xf0 | (c >> 18));
		t[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		t[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (*o + n >= size)
		return false;
	memcpy(buf + *o, t, n);
	*o += n;
	return true;
}

static uint32_t
rec_hex4(const char *s)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
	}
	return v;
}

/* The 8 bytes at s as one word, in memory order. */
static inline uint64_t
rec_load8(const char *s)
{
	uint64_t x;

	memcpy(&x, s, 8);
	return x;
}

/* The index (0..7, in memory order) of the first backslash among the 8
 * bytes of x, or 8. Exact per byte: no carry crosses from one to the
 * next. */
static inline size_t
rec_bslash_at(uint64_t x)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t t = x ^ 0x5c5c5c5c5c5c5c5cULL;
	uint64_t m = ~(((t & lo7) + lo7) | t | lo7);

	if (m == 0)
		return 8;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(m) >> 3;
#else
	return (size_t)__builtin_ctzll(m) >> 3;
#endif
}

/* Copies the plain bytes of s[*i..n) up to the next backslash into
 * buf[*o..lim), 8 at a time while 8 fit (the bytes past the backslash
 * land in buf too, and are overwritten or left past the end). Returns
 * false if buf filled first, with *i and *o moved back to the last whole
 * code point copied (the text is valid UTF-8, and the run starts at a
 * code point). */
static inline bool
rec_unescape_run(const char *s, size_t n, size_t *i, char *buf, size_t lim,
    size_t *o)
{
	size_t si = *i, so = *o, stop, k;

	while (si + 8 <= n && so + 8 <= lim) {
		uint64_t x = rec_load8(s + si);

		memcpy(buf + so, &x, 8);
		k = rec_bslash_at(x);
		si += k;
		so += k;
		if (k < 8) {
			*i = si;
			*o = so;
			return true;
		}
	}
	stop = n - si <= lim - so ? n : si + (lim - so);
	while (si < stop && s[si] != '\\')
		buf[so++] = s[si++];
	if (si < n && s[si] != '\\') {
		while (so > *o && ((unsigned char)s[si] & 0xc0) == 0x80) {
			si--;
			so--;
		}
		*i = si;
		*o = so;
		return false;
	}
	*i = si;
	*o = so;
	return true;
}

size_t
rec_unescape(const char *s, size_t n, char *buf, size_t size, bool cstr,
    bool *trunc)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint32_t cp;

		if (s[i] != '\\') {
			if (!rec_unescape_run(s, n, &i, buf, size - 1, &o))
				goto full;
			continue;
		}
		if (i + 1 >= n)
			break;
		switch (s[i + 1]) {
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (i + 6 > n)
				goto done;
			cp = rec_hex4(s + i + 2);
			if (cp >= 0xd800 && cp < 0xdc00 && i + 12 <= n &&
			    s[i + 6] == '\\' && s[i + 7] == 'u') {
				uint32_t lo = rec_hex4(s + i + 8);

				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd;
			i += 6;
			if (cp == 0 && cstr)
				continue;
			if (!rec_put_utf8(buf, size, &o, cp))
				goto full;
			continue;
		default: cp = (unsigned char)s[i + 1]; break;
		}
		/* \/, \\, \" and the control letters: one byte. */
		if (o + 1 >= size)
			goto full;
		buf[o++] = (char)cp;
		i += 2;
	}
done:
	buf[o] = '\0';
	return o;
full:
	*trunc = true;
	buf[o] = '\0';
	return o;
}
