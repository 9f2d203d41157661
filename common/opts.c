/* opts.c - range-checked parsing of option arguments (include/opts.h). */
#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "opts.h"
#include "stats.h"

int
opts_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int
opts_duration(const char *s, double *secs)
{
	static const struct { const char *unit; double mul; } units[] = {
		{ "", 1 }, { "ms", 0.001 }, { "s", 1 }, { "m", 60 },
		{ "h", 3600 }, { "d", 86400 },
	};
	char *end;
	double v;
	size_t i;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(v) || v < 0) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0) {
			*secs = v * units[i].mul;
			return 0;
		}
	errno = EINVAL;
	return -1;
}

int
opts_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	uint64_t mul = 1;
	char *end;

	if (s == NULL || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE) {
		errno = ERANGE;
		return -1;
	}
	switch (*end) {
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = 1024ULL * 1024 * 1024; end++; break;
	default: break;
	}
	if (strcmp(end, "iB") == 0 && mul > 1)
		end += 2;
	else if (strcmp(end, "B") == 0)
		end++;
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (v > UINT64_MAX / mul) {
		errno = ERANGE;
		return -1;
	}
	*bytes = (uint64_t)v * mul;
	return 0;
}

long long
opts_int_or_die(const char *s, const char *what, long long min, long long max)
{
	long long v;

	if (opts_int(s, min, max, &v) == -1)
		errx(2, "%s: '%s' is not an integer from %lld to %lld", what, s,
		    min, max);
	return v;
}

double
opts_duration_or_die(const char *s, const char *what)
{
	double v;

	if (opts_duration(s, &v) == -1)
		errx(2, "%s: '%s' is not a duration (e.g. 30, 30s, 5m, 250ms)",
		    what, s);
	return v;
}

uint64_t
opts_size_or_die(const char *s, const char *what)
{
	uint64_t v;

	if (opts_size(s, &v) == -1)
		errx(2, "%s: '%s' is not a size (e.g. 4096, 64k, 8M, 1G)", what,
		    s);
	return v;
}

/* v in the largest unit that divides it: "64", "8k", "1G". */
static void
size_text(uint64_t v, char *buf, size_t n)
{
	static const char units[] = "GMk";
	uint64_t u = 1024ULL * 1024 * 1024;
	size_t i;

	for (i = 0; i < 3; i++, u /= 1024)
		if (v != 0 && v % u == 0) {
			snprintf(buf, n, "%llu%c", (unsigned long long)(v / u),
			    units[i]);
			return;
		}
	snprintf(buf, n, "%llu", (unsigned long long)v);
}

uint64_t
opts_size_range_or_die(const char *where, const char *s, const char *what,
    uint64_t min, uint64_t max)
{
	uint64_t v = opts_size_or_die(s, what);
	char lo[32], hi[32];

	if (v < min || v > max) {
		size_text(min, lo, sizeof(lo));
		size_text(max, hi, sizeof(hi));
		errx(2, "%s%s: '%s' is not between %s and %s", where, what, s,
		    lo, hi);
	}
	return v;
}

void
opts_usage(const struct opts_tool *t)
{
	fputs(t->synopsis, stderr);
	exit(2);
}

/* Ends a -h or -V: exit 0 only if what was printed got out. */
static void __attribute__((noreturn))
opts_exit_printed(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "stdout");
	exit(0);
}

void
opts_help(const struct opts_tool *t)
{
	fputs(t->synopsis, stdout);
	fputs("\n", stdout);
	fputs(t->options, stdout);
	if (!t->nostats)
		fputs("      --stats=FORMAT        counters on stderr: auto "
		    "(text on a terminal),\n"
		    "                            json or text\n", stdout);
	printf("\n-h, --help prints this help, -V, --version the version.\n"
	    "Exit status: 0 success, 1 runtime error, 2 usage error. "
	    "See %s(1).\n", t->name);
	opts_exit_printed();
}

void
opts_version(const struct opts_tool *t)
{
	printf("%s evpipe %s\n", t->name, EVPIPE_VERSION);
	opts_exit_printed();
}

void
opts_other(int ch, const struct opts_tool *t)
{
	if (ch == OPTS_STATS) {
		if (stats_set_format(optarg) == -1)
			errx(2, "--stats: '%s' is not auto, json or text",
			    optarg);
		return;
	}
	if (ch == 'h')
		opts_help(t);
	if (ch == 'V')
		opts_version(t);
	opts_usage(t);
}

int
opts_open_status(const char *spec)
{
	static const char *const socks[] = { "zmq:", "pull:", "push:",
	    "zmq-lines:", "push-lines:", "ntop:", "ntop/", "ntop-tlv:",
	    "ntop-tlv/", "nats://" };
	size_t i;

	for (i = 0; i < sizeof(socks) / sizeof(socks[0]); i++)
		if (strncmp(spec, socks[i], strlen(socks[i])) == 0)
			return 2;
	return 1;
}
