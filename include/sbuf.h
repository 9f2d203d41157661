/* sbuf.h - growable byte buffer for building output lines, and the one
 * place where numbers, times and JSON strings are formatted for them.
 *
 * Two levels. sbuf_add*() append one piece and keep the buffer
 * NUL-terminated. For hot paths that write a whole record after one
 * reservation, sbuf_room() returns a cursor, the sbuf_put*() functions
 * write at a cursor and return its new end without checking room (the
 * caller reserved for the most each can write: SBUF_*MAX), and
 * sbuf_commit() takes the cursor back. The sbuf_add*() formatters are
 * the sbuf_put*() ones with their reservation, so both give the same
 * bytes.
 */
#ifndef EVPIPE_SBUF_H
#define EVPIPE_SBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A growable buffer; zero-initialise ({0}) before use. p is NUL-terminated
 * whenever len > 0 or after any append, so it can be printed. */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/* Ensures room for n more bytes; aborts the process with err(3) when memory
 * runs out (every caller would have to give up anyway). */
void	sbuf_reserve(struct sbuf *b, size_t n);
/* Appends n bytes of s. */
void	sbuf_add(struct sbuf *b, const void *s, size_t n);
/* Appends the C string s. */
void	sbuf_adds(struct sbuf *b, const char *s);
/* Appends one byte. */
void	sbuf_addc(struct sbuf *b, char c);
/* Appends printf-formatted text. */
void	sbuf_addf(struct sbuf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Appends s (n bytes, UTF-8) as a JSON string literal, quotes included;
 * control characters, quote and backslash are escaped, '/' is not. */
void	sbuf_add_jstr(struct sbuf *b, const char *s, size_t n);
/* Appends s as sbuf_add_jstr() does, each byte that is not part of a
 * well-formed UTF-8 sequence replaced by U+FFFD. Returns 1 if a byte was
 * replaced, 0 if s was UTF-8 already. */
int	sbuf_add_jstr_utf8(struct sbuf *b, const char *s, size_t n);
/* The length (1 to 4) of the well-formed UTF-8 sequence at s[0..n), n > 0
 * (Unicode's table 3-7: no overlong forms, surrogates or code points past
 * U+10FFFF), or 0 if there is none. */
size_t	sbuf_utf8_len(const unsigned char *s, size_t n);
/* Appends an unsigned / signed decimal integer. */
void	sbuf_add_u64(struct sbuf *b, uint64_t v);
void	sbuf_add_i64(struct sbuf *b, int64_t v);
/* Appends a time in seconds as a JSON number with exactly six decimals. */
void	sbuf_add_time(struct sbuf *b, double secs);
/* Appends a time in microseconds as "S.uuuuuu" (no quotes), the seconds
 * rounded towards minus infinity: -1 us is "-1.999999". */
void	sbuf_add_us(struct sbuf *b, int64_t us);
/* Appends v as printf's "%.3f" would, on every libc alike when v is a
 * float value (the common case, by hand) and through printf otherwise. */
void	sbuf_add_fix3(struct sbuf *b, double v);
/* Appends a literal string constant (its length is known at compile
 * time). */
#define SBUF_ADDLIT(b, lit)	sbuf_add((b), (lit), sizeof(lit) - 1)
/* The most bytes sbuf_put_u64 / sbuf_put_i64 write ("-" and 19 digits,
 * or 20 digits), and sbuf_put_us (with "." and six digits). */
#define SBUF_U64MAX	20
#define SBUF_I64MAX	20
#define SBUF_USMAX	27

/* Reserves n bytes and returns the cursor at the end of b's text. */
static inline char *
sbuf_room(struct sbuf *b, size_t n)
{
	/* sbuf_reserve() keeps one byte spare: room when cap - len > n. */
	if (b->cap - b->len <= n)
		sbuf_reserve(b, n);
	return b->p + b->len;
}

/* Ends b's text at cursor o (from sbuf_room() and within its room) and
 * NUL-terminates it. */
static inline void
sbuf_commit(struct sbuf *b, char *o)
{
	*o = '\0';
	b->len = (size_t)(o - b->p);
}

/* Writes n bytes of s at o; returns the end. */
static inline char *
sbuf_put(char *o, const void *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}

/* Writes a literal string constant at o; the new end. */
#define SBUF_PUTLIT(o, lit)	sbuf_put((o), (lit), sizeof(lit) - 1)

/* Write v in decimal at o (at most SBUF_U64MAX / SBUF_I64MAX bytes);
 * return the end. */
char	*sbuf_put_u64(char *o, uint64_t v);
char	*sbuf_put_i64(char *o, int64_t v);
/* Writes exactly n (1..10) digits of v at o, zero-padded on the left
 * (the lowest n when v has more); returns the end. */
char	*sbuf_put_digits(char *o, uint32_t v, int n);
/* Writes "W.F": whole in decimal (signed), a point, and frac as exactly
 * n digits; returns the end. At most SBUF_I64MAX + 1 + n bytes. */
char	*sbuf_put_frac(char *o, int64_t whole, uint32_t frac, int n);
/* Writes a time in microseconds as sbuf_add_us() does; returns the end. */
char	*sbuf_put_us(char *o, int64_t us);
/* Writes s (n bytes) as sbuf_add_jstr() does (at most 6 * n + 2 bytes);
 * returns the end. */
char	*sbuf_put_jstr(char *o, const char *s, size_t n);
/* Writes the JSON escape of the control character, quote or backslash c
 * (a backslash and one letter, or the six bytes of a backslash-u00XX
 * escape); returns the end. */
char	*sbuf_put_jesc(char *o, unsigned char c);

/* Empties the buffer, keeping its memory. */
void	sbuf_reset(struct sbuf *b);
/* Frees the memory; the buffer is empty and reusable afterwards. */
void	sbuf_free(struct sbuf *b);

#endif
