/* viewutil.c - ev-show's small helpers: allocation, bounded copies of record
 * values, units for people (include/viewint.h).
 */

#include <ctype.h>
#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "view.h"
#include "viewint.h"
#include "xalloc.h"

/* Copies s into buf (size bytes), cut at a UTF-8 character start. */
void
view_cpy(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (size == 0)
		return;
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static void view_str1(const struct rec_field *, char *, size_t);

/* Replaces control characters (a producer's text may hold escape
 * sequences) so that no cell can move the cursor or break a line. */
static void
view_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Copies a string value into buf (cut to fit, control characters
 * replaced); "" if absent or not text. */
void
view_str(const struct rec_field *f, char *buf, size_t size)
{
	buf[0] = '\0';
	view_str1(f, buf, size);
	view_clean(buf);
}

static void
view_str1(const struct rec_field *f, char *buf, size_t size)
{
	char tmp[1024];
	int n;

	if (f == NULL)
		return;
	if (f->kind == REC_NUMBER) {
		snprintf(buf, size, "%.*s", (int)f->vlen, f->val);
		return;
	}
	if (f->kind != REC_STRING)
		return;
	if ((n = rec_str(f, buf, size)) >= 0)
		return;
	/* Too long for buf: decode into a larger buffer and cut. */
	if ((n = rec_str(f, tmp, sizeof(tmp))) >= 0)
		view_cpy(buf, size, tmp);
	else
		buf[0] = '\0';
}

int64_t
view_i64(const struct rec_field *f, int64_t dflt)
{
	int64_t v;

	return f != NULL && rec_i64(f, &v) == 0 ? v : dflt;
}

uint64_t
view_u64(const struct rec_field *f)
{
	uint64_t v;
	double d;

	if (f == NULL)
		return 0;
	if (rec_u64(f, &v) == 0)
		return v;
	if (rec_double(f, &d) == 0 && d > 0 && d < 1.8e19)
		return (uint64_t)d;
	return 0;
}

double
view_dbl(const struct rec_field *f, double dflt)
{
	double v;

	return f != NULL && rec_double(f, &v) == 0 && isfinite(v) ? v : dflt;
}

/* A time in seconds; milliseconds (nProbe's *_SWITCHED in ms) scaled. */
double
view_time(const struct rec_field *f)
{
	double t = view_dbl(f, 0);

	if (t > 1e11)
		t /= 1000;
	return t > 0 ? t : 0;
}

/* The base name of a path ("/usr/bin/curl" -> "curl"). */
const char *
view_base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : p;
}

const char *
view_protoname(int p, char *buf, size_t n)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "icmp6";
	case 132: return "sctp";
	case -1: return "-";
	default:
		snprintf(buf, n, "%d", p);
		return buf;
	}
}

/* Human units: bytes as B/KB/MB/GB/TB (powers of 1024). */
void
view_hbytes(char *buf, size_t n, double v, const char *suffix)
{
	static const char *const u[] = { "B", "KB", "MB", "GB", "TB", "PB" };
	int i = 0;

	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, n, "%.0f%s%s", v, u[i], suffix);
	else if (v < 9.95)
		snprintf(buf, n, "%.1f%s%s", v, u[i], suffix);
	else
		snprintf(buf, n, "%.0f%s%s", v, u[i], suffix);
}

/* Human units: counts as 999, 1.2k, 12k, 1.2M (powers of 1000). */
void
view_hcount(char *buf, size_t n, double v, const char *suffix)
{
	static const char *const u[] = { "", "k", "M", "G", "T" };
	int i = 0;

	if (v < 100000 && v == floor(v)) {
		snprintf(buf, n, "%.0f%s", v, suffix);
		return;
	}
	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	if (v < 9.95)
		snprintf(buf, n, "%.1f%s%s", v, u[i], suffix);
	else
		snprintf(buf, n, "%.0f%s%s", v, u[i], suffix);
}

/* Human units for rates: 0.5, 12.0, 345, 1.2k, 12k (powers of 1000). */
void
view_hrate(char *buf, size_t n, double v, const char *suffix)
{
	if (v < 100)
		snprintf(buf, n, "%.1f%s", v, suffix);
	else if (v < 1000)
		snprintf(buf, n, "%.0f%s", v, suffix);
	else
		view_hcount(buf, n, v + 0.5, suffix);
}

/* Formats address and port as "a:p", "[v6]:p" or just "a". */
void
view_endpoint(char *buf, size_t n, const char *addr, long port)
{
	if (addr[0] == '\0')
		snprintf(buf, n, "-");
	else if (port < 0)
		view_cpy(buf, n, addr);
	else if (strchr(addr, ':') != NULL)
		snprintf(buf, n, "[%s]:%ld", addr, port);
	else
		snprintf(buf, n, "%s:%ld", addr, port);
}
