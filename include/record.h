/* record.h - validate one JSON record and reach its top-level keys fast.
 *
 * A record is one JSON object (one NDJSON line). record_parse() validates
 * the whole text strictly (RFC 8259, UTF-8) without building a tree, and
 * indexes the top-level members: key and value as spans of the caller's
 * text. Nested objects are reached by parsing a member's value span with
 * record_sub(). Nothing is copied; the text must outlive the record's
 * use.
 */
#ifndef EVPIPE_RECORD_H
#define EVPIPE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonscan.h"
#include "sbuf.h"

enum rec_kind {
	REC_STRING, REC_NUMBER, REC_OBJECT, REC_ARRAY, REC_TRUE, REC_FALSE,
	REC_NULL
};

/* Parse results; each has a stable counter name from record_errname(). */
enum rec_err {
	REC_OK = 0,
	REC_EMPTY,		/* "empty": nothing but white space */
	REC_NOT_OBJECT,		/* "not_object": valid JSON, not an object */
	REC_SYNTAX,		/* "bad_json": not JSON */
	REC_TRUNCATED,		/* "truncated_json": text ends inside a value */
	REC_UTF8,		/* "bad_utf8": invalid UTF-8 in a string */
	REC_DEPTH,		/* "too_deep": nesting over RECORD_MAXDEPTH */
	REC_TRAILING,		/* "trailing_garbage": text after the object */
};

#define RECORD_MAXDEPTH	64

struct rec_field {
	const char	*key;	/* key text between the quotes, escapes kept */
	size_t		 klen;
	const char	*val;	/* value text; strings include their quotes */
	size_t		 vlen;
	enum rec_kind	 kind;
	bool		 kesc;	/* the key contains a backslash escape */
	bool		 vesc;	/* a string value contains a backslash escape */
};

/* Initialise with RECORD_INIT or record_init(); reuse across lines so the
 * field array is allocated once; release with record_free(). */
struct record {
	const char		*text;	/* the object, from '{' to '}' */
	size_t			 len;
	struct rec_field	*f;
	size_t			 nf;
	size_t			 cap;
	bool			 compact; /* text has no white space outside strings */
};
#define RECORD_INIT	{ 0 }

void	record_init(struct record *r);
void	record_free(struct record *r);

/* Validates text[0..len) as one JSON object, leading and trailing white
 * space allowed, and indexes its top-level members in order. Returns REC_OK
 * or the reason it is not a record; on failure r holds no fields. */
int	record_parse(struct record *r, const char *text, size_t len);

/* Validates and indexes, as record_parse() does, the object that starts
 * text (leading white space allowed) and sets *end just past its closing
 * brace; the bytes after it are not validated and do not change the
 * result (none past len is read). Returns REC_OK, REC_EMPTY,
 * REC_NOT_OBJECT (the first value is not an object; not validated) or the
 * error inside the object. This is how an array of objects is walked. */
int	record_parse_prefix(struct record *r, const char *text, size_t len,
	    size_t *end);

/* The counter name of a parse result ("bad_json", ...), never NULL. */
const char *record_errname(int err);

/* Validates one JSON value of any kind starting at or after *pos (white
 * space skipped) and sets *pos just past it. Returns REC_OK or an error;
 * this is how an array payload is walked one element at a time. */
int	json_skip_value(const char *s, size_t len, size_t *pos);

/* Skips JSON white space from *pos. */
void	json_skip_ws(const char *s, size_t len, size_t *pos);

/* The first top-level member named key (compared as decoded text), or
 * NULL. record_getn takes a key of klen bytes. */
const struct rec_field *record_get(const struct record *r, const char *key);
const struct rec_field *record_getn(const struct record *r, const char *key,
	    size_t klen);

/* The most keys record_getv() looks up at once. */
#define RECORD_GETV_MAX	16
/* Sets out[i] to record_get(r, keys[i]) for each of the n keys (n at most
 * RECORD_GETV_MAX, distinct), in one walk over r's members. */
void	record_getv(const struct record *r, const char *const *keys,
	    size_t n, const struct rec_field **out);
/* The same with the keys' lengths given (klen[i] == strlen(keys[i])). */
void	record_getvl(const struct record *r, const char *const *keys,
	    const size_t *klen, size_t n, const struct rec_field **out);

/* Decodes the JSON string body s[0..n) (text record_parse() validated:
 * the bytes between a key's or value's quotes) into buf (size >= 1 bytes,
 * NUL-terminated), whole code points only; a lone surrogate becomes
 * U+FFFD. A \u0000 is a NUL byte in buf, or left out when cstr (buf is to
 * be a C string). Returns the length; *trunc is set when something did
 * not fit. */
size_t	rec_unescape(const char *s, size_t n, char *buf, size_t size,
	    bool cstr, bool *trunc);
/* Decodes a string value into buf (NUL-terminated, at most size-1 bytes).
 * Returns the decoded length, or -1 if f is NULL, not a string, or does
 * not fit. */
int	rec_str(const struct rec_field *f, char *buf, size_t size);
/* True if f is a string whose decoded value equals s. */
bool	rec_streq(const struct rec_field *f, const char *s);
/* Reads an integer from a number, or from a string holding one ("443").
 * Returns 0 on success, -1 if absent, of another kind, fractional or out
 * of range. For these readers and rec_time(), a number member must come
 * from record_parse() or record_sub(): its digits are read up to the byte
 * that follows it in the record's text. */
int	rec_i64(const struct rec_field *f, int64_t *out);
int	rec_u64(const struct rec_field *f, uint64_t *out);
/* Reads a number, or a string holding one ("0.087"). 0 or -1 as above. */
int	rec_double(const struct rec_field *f, double *out);
/* Reads a time in seconds since the epoch, a number or a string holding
 * one: decimal "S" or "S.F" (F one or more digits, cut, not rounded, to
 * microseconds) exactly, or for a number any other JSON form (1.7e9) as a
 * double. Returns 0 with the seconds and microseconds, or -1 if f is not
 * such a time (negative, no digits, "S.", 9223372036854775800 or more). */
int	rec_time(const struct rec_field *f, int64_t *sec, int32_t *usec);
/* Indexes an object value as a record of its own (sub must be initialised
 * and is reused), as record_parse() would. f must be a member of a record
 * record_parse() or record_sub() filled: its text, validated then, is not
 * checked again. Returns REC_OK, or REC_NOT_OBJECT if f is NULL or not an
 * object. */
int	record_sub(const struct rec_field *f, struct record *sub);

/* One edit for record_write(): set key to the JSON value text json (jlen
 * bytes, already encoded), or remove key when json is NULL. */
struct rec_edit {
	const char	*key;
	const char	*json;
	size_t		 jlen;
};

/* Appends r to out as one compact object, with edits applied: a member
 * whose key is edited has its value replaced (or is removed); edited keys
 * that r lacks are inserted first, in the order given. Every other member
 * is copied byte for byte. No newline is added. */
void	record_write(const struct record *r, const struct rec_edit *e,
	    size_t ne, struct sbuf *out);

#endif
