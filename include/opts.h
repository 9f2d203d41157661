/* opts.h - range-checked parsing of option arguments. */
#ifndef EVPIPE_OPTS_H
#define EVPIPE_OPTS_H

#include <stdint.h>

/* Parses a whole decimal integer in [min, max] into *out. Returns 0, or -1
 * (errno EINVAL or ERANGE) leaving *out unchanged. */
int	opts_int(const char *s, long long min, long long max, long long *out);

/* Parses a duration: a non-negative number with an optional unit ms, s, m,
 * h or d ("30", "30s", "1.5m", "250ms"), into seconds. 0 or -1. */
int	opts_duration(const char *s, double *secs);

/* Parses a size: a whole number with an optional unit k, M, G (powers of
 * 1024, an optional trailing "B" or "iB" allowed) into bytes. 0 or -1. */
int	opts_size(const char *s, uint64_t *bytes);

/* The same three, exiting with status 2 and "NAME: what: 's' is not ..."
 * on a bad value; for getopt loops. */
long long opts_int_or_die(const char *s, const char *what, long long min,
	    long long max);
double	opts_duration_or_die(const char *s, const char *what);
uint64_t opts_size_or_die(const char *s, const char *what);

#endif
