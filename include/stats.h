/* stats.h - named counters, printed as one JSON object on stderr. */
#ifndef EVPIPE_STATS_H
#define EVPIPE_STATS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

struct stats;

/* A new empty counter set for the tool called name (copied). Aborts on
 * out-of-memory. Free with stats_destroy(). */
struct stats *stats_new(const char *name);
void	stats_destroy(struct stats **sp);

/* The counter called name, created at 0 if new; the pointer stays valid for
 * the set's life, so hot paths look it up once and increment it directly.
 * Counters print in the order they were first created. */
uint64_t *stats_ctr(struct stats *s, const char *name);

/* The counter called name, or NULL when the set has none (nothing is
 * created): for readers that must tell 0 from absent. */
const uint64_t *stats_find(const struct stats *s, const char *name);

/* Adds n to the counter called name (looked up each time: for cold paths). */
void	stats_add(struct stats *s, const char *name, uint64_t n);

/* Sets a free-form string field printed beside the counters (copied). */
void	stats_set_str(struct stats *s, const char *key, const char *value);

/* Writes {"tool":NAME,"counters":{...},...} and a newline to fp; when fp
 * is a terminal (and the format is "auto"), or the format is "text", a
 * short aligned "name value" list instead: the non-zero counters, how
 * many more are 0, then the string fields. */
void	stats_print(const struct stats *s, FILE *fp);

/* Sets the format of stats_print for the whole process: "auto" (the
 * default: text on a terminal, JSON elsewhere), "json" or "text".
 * Returns 0, or -1 for another name. */
int	stats_set_format(const char *name);

/* Increments *ctr and reports on stderr "NAME: what: message" for the 1st,
 * then every 1000th occurrence of that counter, saying how
 * many were seen. Used for every piece of bad input. */
void	stats_bad(struct stats *s, uint64_t *ctr, const char *what,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void	stats_vbad(struct stats *s, uint64_t *ctr, const char *what,
	    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
/* Silences stats_bad's messages (counting continues); for -q. */
void	stats_set_quiet(struct stats *s, int quiet);

#endif
