/* jsonscan.c - the text scans of hot paths (include/jsonscan.h): where
 * an array element that is an object ends (before it is validated,
 * ntopmsg.c), and validated text copied without its white space outside
 * strings (json-c's producers space every member). Spec: RFC 8259.
 *
 * The block scans take 64 bytes at a time: masks of the quotes,
 * backslashes, brackets and bytes up to 0x20, with the escapes resolved,
 * tell which bytes are inside strings; the rest is bit arithmetic. SSE2 is
 * part of x86-64; AVX-512 (BW for the masks, VBMI2 whose byte compress
 * drops the white space of a block in one instruction) is used when the
 * CPU has it. json_compact_to(), for the writer's nested values, drops
 * white space with SSSE3's byte shuffle, which nearly every x86-64 CPU
 * has. Elsewhere the byte loops serve; they are also the reference the
 * unit tests hold the block scans to.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__SSE2__) && defined(__GNUC__)
#define JS_X86	1
#include <immintrin.h>
#endif

#include "jsonscan.h"
#include "sbuf.h"

/* Bytes the block scans may write past their output (whole vectors). */
#define JS_SLACK	64

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

/* json_compact_to() drops a block's white space eight bytes at a time
 * with a byte shuffle (SSSE3): js_shuf[k] gathers the bytes of a group whose
 * keep mask is k to its front (pshufb indexes; 0x80 writes a zero), and
 * js_cnt[k] counts them. A shuffle is one fast instruction everywhere,
 * where the BMI2 bit extract is slow on older AMD cores. Filled once,
 * before main(). */
static uint64_t js_shuf[256];
static unsigned char js_cnt[256];

__attribute__((constructor)) static void
js_shuf_init(void)
{
	unsigned k, i, n;
	uint64_t m;

	for (k = 0; k < 256; k++) {
		m = 0x8080808080808080ULL;
		for (i = n = 0; i < 8; i++)
			if (k >> i & 1) {
				m &= ~(0xffULL << (8 * n));
				m |= (uint64_t)i << (8 * n);
				n++;
			}
		js_shuf[k] = m;
		js_cnt[k] = (unsigned char)n;
	}
}

#define JS_SSSE3	__attribute__((target("ssse3")))

/* Writes the bytes of v whose bit is set in keep to d and returns the
 * end; 16 bytes are written. */
JS_SSSE3 static inline char *
js_squeeze16(char *d, __m128i v, unsigned keep)
{
	unsigned lo = keep & 0xff, hi = keep >> 8;

	if (keep == 0xffff) {
		_mm_storeu_si128((__m128i *)(void *)d, v);
		return d + 16;
	}
	_mm_storeu_si128((__m128i *)(void *)d, _mm_shuffle_epi8(v,
	    _mm_cvtsi64_si128((long long)js_shuf[lo])));
	d += js_cnt[lo];
	/* The high group's indexes are 8 more; a 0x80 stays negative. */
	_mm_storeu_si128((__m128i *)(void *)d, _mm_shuffle_epi8(v,
	    _mm_add_epi8(_mm_cvtsi64_si128((long long)js_shuf[hi]),
	    _mm_set1_epi8(8))));
	return d + js_cnt[hi];
}

/* The bytes of v equal to c, and those up to ' ' (outside strings, in
 * valid text, only white space), one bit each. */
static inline uint64_t
js_eq16(__m128i v, char c)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8(c)));
}

static inline uint64_t
js_low16(__m128i v)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v,
	    _mm_set1_epi8(' ')), v));
}

/* Compacts the 64 bytes at p (those of valid) to d; st carries the
 * string state from block to block. Written out for the four vectors, so
 * that they stay in registers from the masks to the shuffles. */
JS_SSSE3 static inline __attribute__((always_inline)) char *
js_compact64(char *d, const unsigned char *p, struct js_str *st,
    uint64_t valid)
{
	const __m128i *vp = (const __m128i *)(const void *)p;
	__m128i v0 = _mm_loadu_si128(vp), v1 = _mm_loadu_si128(vp + 1);
	__m128i v2 = _mm_loadu_si128(vp + 2), v3 = _mm_loadu_si128(vp + 3);
	uint64_t quote, bslash, low, keep;

	quote = js_eq16(v0, '"') | js_eq16(v1, '"') << 16 |
	    js_eq16(v2, '"') << 32 | js_eq16(v3, '"') << 48;
	bslash = js_eq16(v0, '\\') | js_eq16(v1, '\\') << 16 |
	    js_eq16(v2, '\\') << 32 | js_eq16(v3, '\\') << 48;
	low = js_low16(v0) | js_low16(v1) << 16 | js_low16(v2) << 32 |
	    js_low16(v3) << 48;
	keep = ~(low & ~js_instring(st, quote, bslash)) & valid;
	d = js_squeeze16(d, v0, (unsigned)keep & 0xffff);
	d = js_squeeze16(d, v1, (unsigned)(keep >> 16) & 0xffff);
	d = js_squeeze16(d, v2, (unsigned)(keep >> 32) & 0xffff);
	return js_squeeze16(d, v3, (unsigned)(keep >> 48));
}

JS_SSSE3 static size_t
compact_ssse3(char *d, const char *s, size_t len)
{
	struct js_str st = { 0, 0 };
	const unsigned char *u = (const unsigned char *)s;
	unsigned char tail[64];
	char *d0 = d;
	size_t off = 0, n;

	for (; len - off >= 64; off += 64)
		d = js_compact64(d, u + off, &st, ~0ULL);
	if ((n = len - off) > 0) {
		/* Zeros past the text: not kept. */
		memset(tail, 0, sizeof(tail));
		memcpy(tail, u + off, n);
		d = js_compact64(d, tail, &st, (1ULL << n) - 1);
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

bool
json_scan_isbyte(void)
{
#ifdef JS_X86
	return js_forced == JSON_SCAN_BYTE;
#else
	return true;
#endif
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

size_t
json_compact_to(char *d, const char *s, size_t len)
{
	switch (js_impl()) {
#ifdef JS_X86
	case JSON_SCAN_AVX512:
	case JSON_SCAN_SSE2:
		if (__builtin_cpu_supports("ssse3"))
			return compact_ssse3(d, s, len);
		return JSON_COMPACT_NO;
#endif
	default:
		return JSON_COMPACT_NO;
	}
}
