/* recfield.c - the members record_parse() indexed (include/record.h):
 * found by key, decoded as strings and numbers, parsed as nested objects,
 * and the record written back with edits. Spec: RFC 8259 (JSON).
 */
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "sbuf.h"

/* Decodes the JSON string body s[0..n) (escapes allowed) into buf; returns
 * the length, or -1 if it does not fit in size-1 bytes. The body is known
 * to be valid. */
static int
rec_unescape(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned long cp;
		char tmp[5];

		if (s[i] != '\\') {
			if (o + 1 >= size)
				return -1;
			buf[o++] = s[i];
			continue;
		}
		i++;
		switch (s[i]) {
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			memcpy(tmp, s + i + 1, 4);
			tmp[4] = '\0';
			cp = strtoul(tmp, NULL, 16);
			i += 4;
			/* A high surrogate followed by a low one is one code
			 * point; a lone surrogate becomes U+FFFD. */
			if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < n &&
			    s[i + 1] == '\\' && s[i + 2] == 'u') {
				unsigned long lo;

				memcpy(tmp, s + i + 3, 4);
				lo = strtoul(tmp, NULL, 16);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
					i += 6;
				} else
					cp = 0xfffd;
			} else if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			break;
		default:
			cp = (unsigned char)s[i];
		}
		if (o + 5 >= size)
			return -1;
		if (cp < 0x80)
			buf[o++] = (char)cp;
		else if (cp < 0x800) {
			buf[o++] = (char)(0xc0 | (cp >> 6));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			buf[o++] = (char)(0xe0 | (cp >> 12));
			buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			buf[o++] = (char)(0xf0 | (cp >> 18));
			buf[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	if (o >= size)
		return -1;
	buf[o] = '\0';
	return (int)o;
}

/* Does member f's key equal key (klen bytes, plain text)? */
static bool
rec_keyeq(const struct rec_field *f, const char *key, size_t klen)
{
	char buf[256];
	int n;

	if (!f->kesc)
		return f->klen == klen && memcmp(f->key, key, klen) == 0;
	n = rec_unescape(f->key, f->klen, buf, sizeof(buf));
	return n >= 0 && (size_t)n == klen && memcmp(buf, key, klen) == 0;
}

const struct rec_field *
record_getn(const struct record *r, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];

		/* A plain key of another length, without a call. */
		if (!f->kesc ? f->klen == klen &&
		    memcmp(f->key, key, klen) == 0 : rec_keyeq(f, key, klen))
			return f;
	}
	return NULL;
}

const struct rec_field *
record_get(const struct record *r, const char *key)
{
	return record_getn(r, key, strlen(key));
}

void
record_getv(const struct record *r, const char *const *keys, size_t n,
    const struct rec_field **out)
{
	size_t j, klen[RECORD_GETV_MAX];

	if (n > RECORD_GETV_MAX)
		n = RECORD_GETV_MAX;
	for (j = 0; j < n; j++)
		klen[j] = strlen(keys[j]);
	record_getvl(r, keys, klen, n, out);
}

void
record_getvl(const struct record *r, const char *const *keys,
    const size_t *klen, size_t n, const struct rec_field **out)
{
	size_t i, j, left;

	if (n > RECORD_GETV_MAX)
		n = RECORD_GETV_MAX;
	for (j = 0; j < n; j++)
		out[j] = NULL;
	/* Members outer, keys inner: one walk of r, and a member that
	 * matches a key is not compared with the others. A plain key of
	 * another length is passed over without a call. */
	for (i = 0, left = n; i < r->nf && left > 0; i++) {
		const struct rec_field *f = &r->f[i];

		for (j = 0; j < n; j++) {
			if (out[j] != NULL)
				continue;
			if (!f->kesc ? f->klen == klen[j] &&
			    memcmp(f->key, keys[j], klen[j]) == 0 :
			    rec_keyeq(f, keys[j], klen[j])) {
				out[j] = f;
				left--;
				break;
			}
		}
	}
}

int
rec_str(const struct rec_field *f, char *buf, size_t size)
{
	if (f == NULL || f->kind != REC_STRING || size == 0)
		return -1;
	if (!f->vesc) {
		size_t n = f->vlen - 2;

		if (n >= size)
			return -1;
		memcpy(buf, f->val + 1, n);
		buf[n] = '\0';
		return (int)n;
	}
	return rec_unescape(f->val + 1, f->vlen - 2, buf, size);
}

bool
rec_streq(const struct rec_field *f, const char *s)
{
	char buf[512];
	size_t n = strlen(s);
	int m;

	if (f == NULL || f->kind != REC_STRING)
		return false;
	if (!f->vesc)
		return f->vlen - 2 == n && memcmp(f->val + 1, s, n) == 0;
	m = rec_unescape(f->val + 1, f->vlen - 2, buf, sizeof(buf));
	return m >= 0 && (size_t)m == n && memcmp(buf, s, n) == 0;
}

/* Copies the number text of f (a number, or a string holding one with no
 * escapes) into buf as a C string. */
static int
rec_numtext(const struct rec_field *f, char *buf, size_t size)
{
	const char *p;
	size_t n;

	if (f == NULL)
		return -1;
	if (f->kind == REC_NUMBER) {
		p = f->val;
		n = f->vlen;
	} else if (f->kind == REC_STRING && !f->vesc) {
		p = f->val + 1;
		n = f->vlen - 2;
	} else
		return -1;
	if (n == 0 || n >= size)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* The usual number, -?DIGITS(.DIGITS)? with at most 15 digits in all,
 * read by hand: *mant is the digits as an integer and *scale the number
 * of fraction digits. Such a mantissa is below 2^53, so it and the power
 * of ten that scales it are exact doubles. Returns -1 for any other text
 * (exponents, "+1", " 1", "1.", longer numbers), which the callers leave
 * to strtoll/strtoull/strtod. */
static int
rec_plainnum(const struct rec_field *f, bool *neg, uint64_t *mant,
    unsigned *scale)
{
	const char *p, *e;
	unsigned digits = 0;
	uint64_t m = 0;

	if (f == NULL)
		return -1;
	if (f->kind == REC_NUMBER) {
		p = f->val;
		e = p + f->vlen;
	} else if (f->kind == REC_STRING && !f->vesc) {
		p = f->val + 1;
		e = f->val + f->vlen - 1;
	} else
		return -1;
	*neg = p < e && *p == '-';
	p += *neg;
	*scale = 0;
	for (; p < e && *p >= '0' && *p <= '9'; p++, digits++)
		m = m * 10 + (uint64_t)(*p - '0');
	if (digits == 0)
		return -1;
	if (p < e && *p == '.') {
		const char *fr = ++p;

		for (; p < e && *p >= '0' && *p <= '9'; p++, digits++)
			m = m * 10 + (uint64_t)(*p - '0');
		if (p == fr)
			return -1;
		*scale = (unsigned)(p - fr);
	}
	if (p != e || digits > 15)
		return -1;
	*mant = m;
	return 0;
}

int
rec_i64(const struct rec_field *f, int64_t *out)
{
	char buf[32], *end;
	long long v;
	uint64_t m;
	unsigned scale;
	bool neg;

	if (rec_plainnum(f, &neg, &m, &scale) == 0 && scale == 0) {
		*out = neg ? -(int64_t)m : (int64_t)m;
		return 0;
	}
	if (rec_numtext(f, buf, sizeof(buf)) == -1)
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (*end != '\0' || errno == ERANGE || end == buf)
		return -1;
	*out = v;
	return 0;
}

int
rec_u64(const struct rec_field *f, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long v;
	uint64_t m;
	unsigned scale;
	bool neg;

	if (rec_plainnum(f, &neg, &m, &scale) == 0 && scale == 0 && !neg) {
		*out = m;
		return 0;
	}
	if (rec_numtext(f, buf, sizeof(buf)) == -1 || buf[0] == '-')
		return -1;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (*end != '\0' || errno == ERANGE || end == buf)
		return -1;
	*out = v;
	return 0;
}

int
rec_time(const struct rec_field *f, int64_t *sec, int32_t *usec)
{
	const char *s;
	size_t n, i = 0;
	int64_t sv = 0;
	int32_t us = 0;
	int digits = 0;
	double d;

	if (f->kind == REC_STRING) {
		s = f->val + 1;
		n = f->vlen - 2;
	} else if (f->kind == REC_NUMBER) {
		s = f->val;
		n = f->vlen;
	} else
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (sv > (INT64_MAX - 9) / 10)
			return -1;
		sv = sv * 10 + (s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i < n && s[i] == '.') {
		size_t start = ++i;

		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (digits < 6) {
				us = us * 10 + (s[i] - '0');
				digits++;
			}
		if (i == start)
			return -1;
		for (; digits < 6; digits++)
			us *= 10;
	}
	if (i != n) {
		/* An exponent form such as 1.7e9: taken as a double. */
		if (f->kind != REC_NUMBER || rec_double(f, &d) != 0 || d < 0 ||
		    d > 9.2e18)
			return -1;
		sv = (int64_t)d;
		us = (int32_t)((d - (double)sv) * 1e6);
	}
	*sec = sv;
	*usec = us;
	return 0;
}

int
rec_double(const struct rec_field *f, double *out)
{
	/* Exact powers of ten: one correctly rounded division of two exact
	 * doubles is what strtod returns for the same text. */
	static const double pow10[16] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15,
	};
	char buf[64], *end;
	double v;
	uint64_t m;
	unsigned scale;
	bool neg;

	if (FLT_EVAL_METHOD == 0 && rec_plainnum(f, &neg, &m, &scale) == 0) {
		v = (double)m / pow10[scale];
		*out = neg ? -v : v;
		return 0;
	}
	if (rec_numtext(f, buf, sizeof(buf)) == -1)
		return -1;
	/* strtod would also take "inf", "nan" and hex: JSON numbers only. */
	if (!(buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9')))
		return -1;
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

void
record_write(const struct record *r, const struct rec_edit *e, size_t ne,
    struct sbuf *out)
{
	size_t i, j, klen[16], run_end = 0;
	bool first = true, inrun = false;
	const char *run_from = NULL;

	if (ne > 16)
		ne = 16;
	for (j = 0; j < ne; j++)
		klen[j] = strlen(e[j].key);
	sbuf_reserve(out, r->len + 64);
	sbuf_addc(out, '{');
	for (j = 0; j < ne; j++) {
		if (e[j].json == NULL || record_getn(r, e[j].key, klen[j]) != NULL)
			continue;
		if (!first)
			sbuf_addc(out, ',');
		first = false;
		sbuf_add_jstr(out, e[j].key, klen[j]);
		sbuf_addc(out, ':');
		sbuf_add(out, e[j].json, e[j].jlen);
	}
	/* Members left as they are go out as runs: in a compact record a run
	 * of neighbours is one stretch of the text, copied at once. */
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		const struct rec_edit *ed = NULL;

		for (j = 0; j < ne; j++)
			if (f->klen == klen[j] && rec_keyeq(f, e[j].key, klen[j])) {
				ed = &e[j];
				break;
			}
		if (ed == NULL && r->compact) {
			if (!inrun) {
				run_from = f->key - 1;
				inrun = true;
			}
			run_end = i;
			continue;
		}
		if (inrun) {
			if (!first)
				sbuf_addc(out, ',');
			first = false;
			sbuf_add(out, run_from, (size_t)(r->f[run_end].val +
			    r->f[run_end].vlen - run_from));
			inrun = false;
		}
		if (ed != NULL && ed->json == NULL)
			continue;
		if (!first)
			sbuf_addc(out, ',');
		first = false;
		sbuf_addc(out, '"');
		sbuf_add(out, f->key, f->klen);
		sbuf_add(out, "\":", 2);
		if (ed != NULL)
			sbuf_add(out, ed->json, ed->jlen);
		else
			json_compact(out, f->val, f->vlen);
	}
	if (inrun) {
		if (!first)
			sbuf_addc(out, ',');
		sbuf_add(out, run_from, (size_t)(r->f[run_end].val +
		    r->f[run_end].vlen - run_from));
	}
	sbuf_addc(out, '}');
}
