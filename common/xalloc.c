/* xalloc.c - allocation that cannot fail (include/xalloc.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void
xalloc_fail(size_t n, size_t size)
{
	fprintf(stderr, "evpipe: out of memory (%zu x %zu bytes)\n", n, size);
	abort();
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		xalloc_fail(n, size);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (n == 0 || size == 0)
		n = size = 1;
	if (n > SIZE_MAX / size || (p = realloc(p, n * size)) == NULL)
		xalloc_fail(n, size);
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xreallocarray(NULL, n, 1), s, n);
}
