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
/* opts_size_or_die within [min, max], else exits 2 with "WHEREwhat: 's' is
 * not between MIN and MAX" (where: "" or "FILE:LINE: "; bounds as 64, 1G). */
uint64_t opts_size_range_or_die(const char *where, const char *s,
	    const char *what, uint64_t min, uint64_t max);

/*
 * The conventions every evpipe tool follows (evpipe(7)): -h and --help
 * print the synopsis and an option summary to stdout and exit 0; -V and
 * --version print "NAME evpipe VERSION" and exit 0; a usage error prints
 * the synopsis to stderr and exits 2; a runtime error (an input that
 * cannot be read, lost output) exits 1.
 */
struct opts_tool {
	const char	*name;		/* "flow-agg" */
	const char	*synopsis;	/* "usage: ..." lines, with \n */
	const char	*options;	/* the option summary, with \n */
	int		 nostats;	/* prints no counters: no --stats */
};

/* The long option every tool with counters takes: --stats=auto|json|text
 * (stats_set_format). Its getopt value is OPTS_STATS; opts_other handles
 * it. Long only: -s means other things in several tools. */
#define OPTS_STATS	0x100
#define OPTS_STATS_LONG	{ "stats", required_argument, NULL, OPTS_STATS }

/* Prints t's synopsis to stderr and exits 2. */
void	opts_usage(const struct opts_tool *t) __attribute__((noreturn));

/* Prints t's synopsis and option summary to stdout and exits 0 (1 when
 * stdout cannot be written). */
void	opts_help(const struct opts_tool *t) __attribute__((noreturn));

/* Prints "NAME evpipe VERSION" to stdout and exits 0 (1 as above). */
void	opts_version(const struct opts_tool *t) __attribute__((noreturn));

/* For a getopt loop's default case: 'h' is opts_help, 'V' opts_version,
 * OPTS_STATS sets the counters' format from optarg and returns (exit 2
 * for an unknown one), anything else is opts_usage. */
void	opts_other(int ch, const struct opts_tool *t);

/* The exit status for an input or sink spec that cannot be opened: 2 for
 * a socket spec ("zmq:", "pull:", "push:", "ntop:", "ntop/N:",
 * "ntop-tlv:", "nats://": a bad endpoint, URL or stream is a usage
 * error; nats:// servers that do not answer exit 1 where they are
 * opened), 1 for a file (a runtime error: missing, no permission). */
int	opts_open_status(const char *spec);

#endif
