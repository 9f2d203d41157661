/* xalloc.h - allocation that cannot fail: the project's one policy for
 * running out of memory.
 *
 * Policy: a stage out of memory cannot keep the promise that nothing it
 * accepted is lost, so it stops at once: the functions below print
 * "evpipe: out of memory (N bytes)" on stderr and abort(3) (a core for
 * whoever debugs it; exit status by signal, never a silent 0). A size
 * that overflows size_t is treated the same way. None returns NULL.
 */
#ifndef EVPIPE_XALLOC_H
#define EVPIPE_XALLOC_H

#include <stddef.h>

/* n objects of size bytes, zeroed; at least one byte is allocated, so a
 * count of 0 gives a unique pointer. The caller frees it. */
void	*xcalloc(size_t n, size_t size);
/* p resized to n objects of size bytes (p may be NULL), contents kept up
 * to the smaller size; at least one byte. The old p is not to be used. */
void	*xreallocarray(void *p, size_t n, size_t size);
/* A copy of the C string s. The caller frees it. */
char	*xstrdup(const char *s);

#endif
