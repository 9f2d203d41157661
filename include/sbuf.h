/* sbuf.h - growable byte buffer for building output lines. */
#ifndef EVPIPE_SBUF_H
#define EVPIPE_SBUF_H

#include <stddef.h>
#include <stdint.h>

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
/* Appends an unsigned / signed decimal integer. */
void	sbuf_add_u64(struct sbuf *b, uint64_t v);
void	sbuf_add_i64(struct sbuf *b, int64_t v);
/* Appends a time in seconds as a JSON number with exactly six decimals. */
void	sbuf_add_time(struct sbuf *b, double secs);
/* Empties the buffer, keeping its memory. */
void	sbuf_reset(struct sbuf *b);
/* Frees the memory; the buffer is empty and reusable afterwards. */
void	sbuf_free(struct sbuf *b);

#endif
