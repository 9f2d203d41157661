/* recfast.h - the fast path of record_parse() and record_parse_prefix()
 * (include/record.h), and the pieces it shares with their exact scanner.
 *
 * The fast path only ever says "valid, here is the index" or "not sure":
 * on any error or unusual text it gives up, and the exact scanner of
 * common/record.c, the reference for every error code, reads the text
 * again. Where it does answer, its index (fields, flags, span) is the one
 * the exact scanner gives; tests/unit/test_record.c and
 * tests/fuzz/fuzz_record.c compare the two.
 */
#ifndef EVPIPE_RECFAST_H
#define EVPIPE_RECFAST_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

/* Validates text[0..len) as one JSON object with white space around it
 * (end NULL), or the object that starts text (end set: *end is then set
 * just past its closing brace), and indexes its members into r as
 * record_parse() does. Returns true when it did; false, with r holding no
 * fields, when the exact scanner must decide: an error, text it does not
 * handle, or a build or json_scan_impl() choice without the vector path. */
bool	recfast_parse(struct record *r, const char *text, size_t len,
	    size_t *end);

/* Checks the UTF-8 sequence starting at s[p] (a byte >= 0x80) against
 * RFC 3629 (no overlong forms, surrogates or code points past U+10FFFF),
 * reading before s[len] only; *n is set to its length. Returns REC_OK,
 * REC_UTF8, or REC_TRUNCATED when the sequence, or the string it is in,
 * would go on past len. */
int	recfast_utf8(const unsigned char *s, size_t len, size_t p, size_t *n);

/* Doubles r's field array (32 entries at first), updating r->f, r->cap
 * and *cap; returns the new array. Exits on allocation failure. */
struct rec_field *recfast_grow(struct record *r, size_t *cap);

#endif
