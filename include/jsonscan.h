/* jsonscan.h - the block scans of hot paths over JSON text: where an
 * object or array ends (before it is validated) and valid text without
 * its insignificant white space. include/record.h includes it.
 */
#ifndef EVPIPE_JSONSCAN_H
#define EVPIPE_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

/* Copies the valid JSON text s[0..len) to out without insignificant white
 * space (the bytes of every key and value kept as they are). */
void	json_compact(struct sbuf *out, const char *s, size_t len);

/* json_compact_to() declined. */
#define JSON_COMPACT_NO		((size_t)-1)

/* Copies the valid JSON text s[0..len) to d without white space outside
 * strings, as json_compact() does, and returns the copy's length; d must
 * have room for len + 16 bytes. Returns JSON_COMPACT_NO, having written
 * nothing, when the block scans are not in use (JSON_SCAN_BYTE, or a CPU
 * without SSSE3): the caller compacts the text its own way. */
size_t	json_compact_to(char *d, const char *s, size_t len);

/* For text s[0..len) starting with '{' or '[': the length of the object
 * or array it starts when that is valid JSON. On any text it returns a
 * length (counted by brackets outside strings; to be validated) or 0 when
 * the brackets do not close within len; 0 too when s does not start with
 * a bracket. */
size_t	json_objend(const char *s, size_t len);

/* The implementations of the two scans above, for tests and benchmarks.
 * AUTO, the default, is the best this CPU has: AVX512 (needs AVX-512 BW
 * and VBMI2), else SSE2 on x86-64, else BYTE, the plain loops, which give
 * the same results everywhere. record_parse() follows the choice: BYTE
 * leaves it to its exact scanner alone, the others let its SSE2 fast path
 * (common/recfast.c) answer first. */
enum json_scan {
	JSON_SCAN_AUTO,
	JSON_SCAN_BYTE,
	JSON_SCAN_SSE2,
	JSON_SCAN_AVX512,
};
/* Makes every later scan use impl (process-wide; call before any thread
 * scans). Returns 0, or -1 when this build or CPU lacks it. */
int	json_scan_impl(int impl);
/* The implementation in use (never AUTO). */
int	json_scan_active(void);
/* True when the byte loops are in use (chosen, or the only ones this
 * build has); cheaper than json_scan_active() for a test per record. */
bool	json_scan_isbyte(void);

#endif
