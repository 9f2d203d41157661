/* jsonlax.h - json-c's lenient JSON grammar in, strict RFC 8259 JSON out.
 *
 * ntopng parses producer payloads with json-c's json_tokener_parse_verbose()
 * and default flags, and producers rely on what that accepts (softflowd
 * ends its arrays with a trailing comma). jsonlax_parse() accepts exactly
 * the texts json-c 0.16 accepts and writes the value json-c would return
 * as strict JSON: the input itself, white space kept, with only what is
 * not strict replaced. The mapping, documented in zmq-ingest(1):
 *   - trailing commas and comments are dropped;
 *   - single-quoted strings and keys become double-quoted;
 *   - true/false/null in any letter case become lower case;
 *   - NaN, Infinity, -Infinity and numbers that overflow a double become
 *     null (JSON has no such values);
 *   - numbers are written as json-c reads them: integers in decimal
 *     without leading zeros (clamped to the 64-bit range as json-c clamps
 *     them), decimals keep their digits in strict form ("1." is "1.0",
 *     "-.5" is "-0.5", "1e" is "1.0");
 *   - string bytes that are not UTF-8 become U+FFFD, one per maximal
 *     ill-formed subpart; lone surrogate escapes become U+FFFD;
 *     control characters are escaped;
 *   - a key is cut at its first \u0000, as json-c cuts it;
 *   - the text ends at its first NUL byte, and text after the value is
 *     ignored;
 *   - nesting: at most 32 levels, as json-c's default depth.
 * Duplicate keys are all written, in order (json-c keeps the last value).
 * The function is pure: no allocation beyond growing out, no state kept,
 * recursion bounded by the depth limit.
 */
#ifndef EVPIPE_JSONLAX_H
#define EVPIPE_JSONLAX_H

#include <stddef.h>

#include "sbuf.h"

/* json-c's default nesting limit (JSON_TOKENER_DEFAULT_DEPTH). */
#define JSONLAX_MAXDEPTH	32

enum jsonlax_err {
	JSONLAX_OK = 0,
	JSONLAX_ESYNTAX,	/* json-c rejects the text */
	JSONLAX_EEOF,		/* the text ends inside a value */
	JSONLAX_EDEPTH,		/* nesting over JSONLAX_MAXDEPTH */
};

/* What was repaired (bits of jsonlax_res.repairs). */
#define JSONLAX_R_COMMA		0x0001	/* trailing comma */
#define JSONLAX_R_COMMENT	0x0002	/* comment */
#define JSONLAX_R_QUOTE		0x0004	/* single-quoted string or key */
#define JSONLAX_R_LITERAL	0x0008	/* true/false/null not lower case */
#define JSONLAX_R_NONFINITE	0x0010	/* NaN, Infinity, overflow: null */
#define JSONLAX_R_NUMBER	0x0020	/* number rewritten */
#define JSONLAX_R_CONTROL	0x0040	/* raw control character escaped */
#define JSONLAX_R_UTF8		0x0080	/* U+FFFD written */
#define JSONLAX_R_TRAILING	0x0100	/* text or NUL after the value */
#define JSONLAX_R_KEYNUL	0x0200	/* key cut at \u0000 */

struct jsonlax_res {
	size_t		off;		/* the value in out: out->p + off */
	size_t		len;		/* its length */
	size_t		errpos;		/* input offset of a rejection */
	unsigned	repairs;	/* JSONLAX_R_* bits */
};

/* Parses s[0..len) with json-c's grammar and appends the value json-c
 * would return to out as strict JSON (any kind of value; the caller
 * decides what it takes). Returns JSONLAX_OK with res filled, or
 * an error with res->errpos set and out holding partial output past
 * res->off, which the caller discards. */
int	jsonlax_parse(struct sbuf *out, const char *s, size_t len,
	    struct jsonlax_res *res);

/* For text s[0..len) whose top-level value ends at pos: JSONLAX_OK if
 * json-c accepts what follows (white space and comments, then anything;
 * the text ends at a NUL byte), with *repairs set to the JSONLAX_R_* bits
 * of what it dropped, else JSONLAX_ESYNTAX (a '/' starting no comment). */
int	jsonlax_tail(const char *s, size_t len, size_t pos, unsigned *repairs);

/* A short description of a result, never NULL. */
const char *jsonlax_strerror(int err);

#endif
