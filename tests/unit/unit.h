/* unit.h - the smallest unit-test harness: CHECK and a closing line. */
#ifndef EVPIPE_UNIT_H
#define EVPIPE_UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;

/* Records one check; prints the failing expression and place. */
#define CHECK(cond) do {						\
	if (cond)							\
		unit_pass++;						\
	else {								\
		unit_fail++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__,	\
		    #cond);						\
	}								\
} while (0)

/* Compares two C strings, printing both on failure. */
#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0)		\
		unit_pass++;						\
	else {								\
		unit_fail++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n  got:  %s\n  want: %s\n",\
		    __FILE__, __LINE__, #got, g_ ? g_ : "(null)",	\
		    w_ ? w_ : "(null)");				\
	}								\
} while (0)

/* Checks that the stats set st has a counter called name equal to v (a
 * counter that does not exist fails, where *stats_ctr() would make it). */
#define CHECK_CTR(st, name, v) do {					\
	const uint64_t *c_ = stats_find((st), (name));			\
	if (c_ != NULL && *c_ == (uint64_t)(v))				\
		unit_pass++;						\
	else {								\
		unit_fail++;						\
		fprintf(stderr, "%s:%d: FAIL: counter %s is %s%llu, "	\
		    "not %llu\n", __FILE__, __LINE__, (name),		\
		    c_ ? "" : "absent, ", c_ ? (unsigned long long)*c_	\
		    : 0ULL, (unsigned long long)(v));			\
	}								\
} while (0)

/* Reads a whole small file into buf (NUL-terminated); its length or -1. */
static inline long
unit_slurp(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return -1;
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return (long)n;
}

/* A number below n from the generator whose state is *seed: the same
 * sequence on every machine, so a randomised test sees the same inputs
 * in every run. */
static inline unsigned
unit_rand(uint32_t *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) % n;
}

/* Prints "NAME: N passed, N failed" and gives main()'s exit status. */
static inline int
unit_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif
