/* ipaddr.c - IPv4/IPv6 addresses (include/ipaddr.h); loopback rules of
 * doc/wire-format.md "libebpfflow events" and "Interface dispatch". */
#include <string.h>
#include <stdint.h>

#include "ipaddr.h"

#define IPADDR_FNV_OFFSET	0xcbf29ce484222325ULL
#define IPADDR_FNV_PRIME	0x100000001b3ULL

/* Strict dotted quad: four decimal parts 0..255 of one to three digits,
 * no leading zeros, nothing else: the strings inet_pton(3) accepts for
 * AF_INET. The hot path of every event, hence by hand, one part after the
 * other without a loop over digits. The text (7 to 15 bytes when valid) is
 * first copied, with two overlapping loads, into a buffer of NULs, which
 * end every part and so spare a test for the end at each byte. Inlined
 * into ipaddr_parse, where it is the usual answer. */
static inline __attribute__((always_inline)) int
ipaddr_parse_v4(uint8_t out[4], const char *s, size_t len)
{
	unsigned char b[16] = { 0 };
	const unsigned char *p = b;
	int part;

	if (len < 7 || len > 15)
		return -1;
	if (len >= 8) {
		memcpy(b, s, 8);
		memcpy(b + len - 8, s + len - 8, 8);
	} else {
		memcpy(b, s, 4);
		memcpy(b + 3, s + 3, 4);
	}
	for (part = 0;; part++) {
		unsigned v, d;

		if ((v = (unsigned)*p++ - '0') > 9)
			return -1;
		if ((d = (unsigned)*p - '0') <= 9) {
			if (v == 0)
				return -1;	/* a leading zero */
			v = v * 10 + d;
			if ((d = (unsigned)*++p - '0') <= 9) {
				v = v * 10 + d;
				p++;
				if (v > 255)
					return -1;
			}
		}
		out[part] = (uint8_t)v;
		if (part == 3)
			return p == b + len ? 0 : -1;
		if (*p++ != '.')
			return -1;
	}
}

/* One more than the value of each hex digit; 0 for any other byte. */
static const uint8_t ipaddr_hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* s[0..len) into t, then a NUL (t has room for len + 1 bytes), by words
 * (len < IPADDR_STRLEN). */
static void
ipaddr_copyz(unsigned char *t, const char *s, size_t len)
{
	size_t i;

	if (len >= 8) {
		for (i = 0; i + 8 < len; i += 8)
			memcpy(t + i, s + i, 8);
		memcpy(t + len - 8, s + len - 8, 8);
	} else
		for (i = 0; i < len; i++)
			t[i] = (unsigned char)s[i];
	t[len] = '\0';
}

/* The 8 groups g[0..ng) with the run of zero groups "::" stands for at
 * gap (SIZE_MAX: none) into out. -1 if they are not 8 groups: too few
 * without "::", or a "::" that would stand for nothing. */
static int
ipaddr_v6_out(uint8_t out[16], const uint16_t *g, size_t ng, size_t gap)
{
	size_t i, j;

	if (gap == SIZE_MAX ? ng != 8 : ng == 8)
		return -1;
	if (gap == SIZE_MAX)
		gap = ng;
	memset(out, 0, 16);
	for (i = 0; i < gap; i++) {
		out[2 * i] = (uint8_t)(g[i] >> 8);
		out[2 * i + 1] = (uint8_t)g[i];
	}
	for (i = gap, j = 8 - (ng - gap); i < ng; i++, j++) {
		out[2 * j] = (uint8_t)(g[i] >> 8);
		out[2 * j + 1] = (uint8_t)g[i];
	}
	return 0;
}

/* IPv6 text as inet_pton(3) takes it for AF_INET6: up to eight groups of
 * one to four hex digits, one "::" for a run of zero groups, an optional
 * dotted-quad tail in place of the last two groups. inet_pton reads a C
 * string, so the text ends at its first NUL: the text is copied with a NUL
 * after it, which also ends every group without a test of the length.
 * Anything else is -1. Not inlined: its registers would be saved on every
 * call of ipaddr_parse, IPv4 too. */
static int __attribute__((noinline))
ipaddr_parse_v6(uint8_t out[16], const char *s, size_t len)
{
	unsigned char t[IPADDR_STRLEN + 1];
	const unsigned char *p = t, *tok;
	uint16_t g[8];
	size_t ng = 0, gap = SIZE_MAX;
	unsigned v, d;

	ipaddr_copyz(t, s, len);
	if (p[0] == ':' && p[1] != ':')
		return -1;
	p += p[0] == ':';	/* the second colon of a leading "::" opens */
	for (;;) {
		tok = p;
		if ((d = ipaddr_hex1[*p]) == 0) {
			if (*p == '\0')
				break;		/* after "::" */
			if (*p != ':' || gap != SIZE_MAX)
				return -1;	/* not a group, a second "::" */
			gap = ng;
			p++;
			continue;
		}
		/* One to four hex digits. */
		v = d - 1;
		if ((d = ipaddr_hex1[*++p]) != 0) {
			v = v << 4 | (d - 1);
			if ((d = ipaddr_hex1[*++p]) != 0) {
				v = v << 4 | (d - 1);
				if ((d = ipaddr_hex1[*++p]) != 0) {
					v = v << 4 | (d - 1);
					if (ipaddr_hex1[*++p] != 0)
						return -1;
				}
			}
		}
		if (*p == '.') {
			uint8_t b[4];

			/* The group's digits were the tail's first part. */
			if (ng > 6 || ipaddr_parse_v4(b, (const char *)tok,
			    strlen((const char *)tok)) != 0)
				return -1;
			g[ng++] = (uint16_t)(b[0] << 8 | b[1]);
			g[ng++] = (uint16_t)(b[2] << 8 | b[3]);
			break;
		}
		if (ng == 8)
			return -1;		/* a ninth group */
		g[ng++] = (uint16_t)v;
		if (*p == '\0')
			break;
		if (*p++ != ':' || *p == '\0')
			return -1;		/* not a separator, a trailing ':' */
	}
	return ipaddr_v6_out(out, g, ng, gap);
}

/* Dotted quad first (most addresses are IPv4); a text that is not one is
 * IPv6 or nothing: no IPv6 text is a dotted quad and no dotted quad has a
 * colon, so the order changes no answer. */
int
ipaddr_parse(struct ipaddr *a, const char *s, size_t len)
{
	memset(a, 0, sizeof(*a));
	if (len == 0 || len >= IPADDR_STRLEN)
		return -1;
	if (ipaddr_parse_v4(a->a, s, len) == 0) {
		a->family = IPADDR_V4;
		return 0;
	}
	if (ipaddr_parse_v6(a->a, s, len) != 0) {
		memset(a, 0, sizeof(*a));
		return -1;
	}
	a->family = IPADDR_V6;
	return 0;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* An octet's digits and a '.' as four bytes in memory order, the digits
 * without leading zeros ("7." and two bytes more, "10.", "255."): an
 * octet is one load and one 4-byte store. Built by the compiler. */
#define IP_W1(v)	((uint32_t)('0' + (v)) | (uint32_t)'.' << 8)
#define IP_W2(v)	((uint32_t)('0' + (v) / 10) | \
	(uint32_t)('0' + (v) % 10) << 8 | (uint32_t)'.' << 16)
#define IP_W3(v)	((uint32_t)('0' + (v) / 100) | \
	(uint32_t)('0' + (v) / 10 % 10) << 8 | \
	(uint32_t)('0' + (v) % 10) << 16 | (uint32_t)'.' << 24)
#define IP_W(v)		((v) >= 100 ? IP_W3(v) : (v) >= 10 ? IP_W2(v) : \
	IP_W1(v))
#define IP_W4(v)	IP_W(v), IP_W((v) + 1), IP_W((v) + 2), IP_W((v) + 3)
#define IP_W16(v)	IP_W4(v), IP_W4((v) + 4), IP_W4((v) + 8), IP_W4((v) + 12)
#define IP_W64(v)	IP_W16(v), IP_W16((v) + 16), IP_W16((v) + 32), \
	IP_W16((v) + 48)
static const uint32_t ip_octet[256] = {
	IP_W64(0), IP_W64(64), IP_W64(128), IP_W64(192),
};

/* How many digits octet v has. */
static inline size_t
ip_octet_len(unsigned v)
{
	return 1 + (v >= 10) + (v >= 100);
}

/* Each octet is stored as its four bytes; the last writes up to three
 * bytes past the address's end, within the IPADDR_STRLEN - 1 of room. */
char *
ipaddr_put4(char *o, const uint8_t *a)
{
	int i;

	for (i = 0; i < 3; i++) {
		memcpy(o, &ip_octet[a[i]], 4);
		o += ip_octet_len(a[i]) + 1;
	}
	memcpy(o, &ip_octet[a[3]], 4);
	return o + ip_octet_len(a[3]);
}
#else
char *
ipaddr_put4(char *o, const uint8_t *a)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			*o++ = '.';
		if (a[i] >= 100)
			*o++ = (char)('0' + a[i] / 100);
		if (a[i] >= 10)
			*o++ = (char)('0' + a[i] / 10 % 10);
		*o++ = (char)('0' + a[i] % 10);
	}
	return o;
}
#endif

/* RFC 5952 as inet_ntop(3) writes it: lower-case hex groups without
 * leading zeros, the first longest run of two or more zero groups as
 * "::", and a dotted IPv4 tail for ::ffff:a.b.c.d and ::a.b.c.d. */
char *
ipaddr_put6(char *o, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int i, best = -1, blen = 0, cur = -1, clen = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, clen = 0;
			if (++clen > blen)
				best = cur, blen = clen;
		} else
			cur = -1;
	}
	if (blen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*o++ = ':';
			if (i == 0)
				*o++ = ':';
			i += blen - 1;
			continue;
		}
		if (best == 0 && i == 6 &&
		    (blen == 6 || (blen == 5 && w[5] == 0xffff)))
			return ipaddr_put4(o, a + 12);
		if (w[i] >= 0x1000)
			*o++ = hex[w[i] >> 12];
		if (w[i] >= 0x100)
			*o++ = hex[w[i] >> 8 & 15];
		if (w[i] >= 0x10)
			*o++ = hex[w[i] >> 4 & 15];
		*o++ = hex[w[i] & 15];
		if (i < 7)
			*o++ = ':';
	}
	return o;
}

int
ipaddr_format(const struct ipaddr *a, char *buf, size_t size)
{
	char tmp[IPADDR_STRLEN], *end;
	size_t n;

	if (a->family == IPADDR_V4)
		end = ipaddr_put4(tmp, a->a);
	else if (a->family == IPADDR_V6)
		end = ipaddr_put6(tmp, a->a);
	else
		return -1;
	n = (size_t)(end - tmp);
	if (n >= size)
		return -1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return (int)n;
}

void
ipaddr_set_v4(struct ipaddr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->family = IPADDR_V4;
	a->a[0] = (uint8_t)(v >> 24);
	a->a[1] = (uint8_t)(v >> 16);
	a->a[2] = (uint8_t)(v >> 8);
	a->a[3] = (uint8_t)v;
}

void
ipaddr_set_v6(struct ipaddr *a, const uint8_t b[16])
{
	a->family = IPADDR_V6;
	memcpy(a->a, b, 16);
}

int
ipaddr_cmp(const struct ipaddr *x, const struct ipaddr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, 16);
}

bool
ipaddr_eq(const struct ipaddr *x, const struct ipaddr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

uint64_t
ipaddr_hash(const struct ipaddr *a, uint64_t h)
{
	size_t i, n = a->family == IPADDR_V6 ? 16 : 4;

	if (h == 0)
		h = IPADDR_FNV_OFFSET;
	h = (h ^ a->family) * IPADDR_FNV_PRIME;
	for (i = 0; i < n; i++)
		h = (h ^ a->a[i]) * IPADDR_FNV_PRIME;
	return h;
}

bool
ipaddr_is_zero(const struct ipaddr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->a, zero, 16) == 0;
}

bool
ipaddr_is_loopback(const struct ipaddr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	switch (a->family) {
	case IPADDR_V4:
		return a->a[0] == 127;
	case IPADDR_V6:
		if (memcmp(a->a, v6lo, 16) == 0)
			return true;
		return memcmp(a->a, mapped, 12) == 0 && a->a[12] == 127;
	default:
		return false;
	}
}
