/* ipaddr.h - IPv4 and IPv6 addresses: parse, format, compare, hash, and
 * the loopback tests of the delivery rules (doc/wire-format.md
 * "libebpfflow events" and "Interface dispatch").
 *
 * An address is 16 bytes and a family. An IPv4 address keeps its four
 * bytes in a[0..3] and zeros in a[4..15]; an IPv6 address keeps its
 * sixteen. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) stays IPv6: the
 * parser never changes what a producer wrote, it only reads it.
 */
#ifndef EVPIPE_IPADDR_H
#define EVPIPE_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipaddr_family {
	IPADDR_NONE = 0,	/* no address (zero-initialised) */
	IPADDR_V4 = 4,
	IPADDR_V6 = 6,
};

struct ipaddr {
	uint8_t	family;		/* enum ipaddr_family */
	uint8_t	a[16];		/* network byte order */
};

/* Longest formatted address plus its NUL ("ffff:...:255.255.255.255"). */
#define IPADDR_STRLEN	46

/* Parses s[0..len) (no NUL needed) as dotted-quad IPv4 or as IPv6 text
 * (RFC 4291 forms, "::" and an embedded IPv4 tail included; no zone, no
 * brackets, no surrounding white space). Returns 0 and fills *a, or -1
 * leaving *a zeroed (family IPADDR_NONE). */
int	ipaddr_parse(struct ipaddr *a, const char *s, size_t len);

/* Writes a as text into buf (size bytes, NUL-terminated): dotted quad for
 * IPv4, RFC 5952 for IPv6 (as inet_ntop). Returns the length written, or
 * -1 if buf is too small or a has no family. */
int	ipaddr_format(const struct ipaddr *a, char *buf, size_t size);
/* The same text written at o (room for IPADDR_STRLEN - 1 bytes, no NUL)
 * from 4 or 16 address bytes; returns the end. For hot paths that build
 * records in place. */
char	*ipaddr_put4(char *o, const uint8_t *a);
char	*ipaddr_put6(char *o, const uint8_t *a);

/* Sets *a to the IPv4 address v (host byte order, 0x7f000001 = 127.0.0.1). */
void	ipaddr_set_v4(struct ipaddr *a, uint32_t v);
/* Sets *a to the IPv6 address in b[0..16). */
void	ipaddr_set_v6(struct ipaddr *a, const uint8_t b[16]);

/* Total order: by family (none < v4 < v6), then bytes. <0, 0 or >0. */
int	ipaddr_cmp(const struct ipaddr *x, const struct ipaddr *y);
/* True if family and bytes are equal. */
bool	ipaddr_eq(const struct ipaddr *x, const struct ipaddr *y);

/* A hash of family and bytes mixed into h (pass 0 or a previous result to
 * chain). Stable: the same on every run and host, so it may pick shards. */
uint64_t ipaddr_hash(const struct ipaddr *a, uint64_t h);

/* True for 0.0.0.0 and :: (and for no address). */
bool	ipaddr_is_zero(const struct ipaddr *a);

/* True for a loopback address as it appears on the wire or in any record:
 * 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool	ipaddr_is_loopback(const struct ipaddr *a);

/* True for ipaddr_is_loopback() addresses and, in addition, the IPv4 text
 * 0.0.0.1, which is how libebpfflow prints ::1 (it prints every IPv6
 * address whose first 8 bytes are zero as IPv4). Use this one only for
 * the addresses of eBPF events: in a packet or a flow record 0.0.0.1 is an
 * ordinary (if odd) IPv4 address, not loopback. Inline: ev-route asks
 * it of both addresses of nearly every event. */
static inline bool
ipaddr_is_loopback_event(const struct ipaddr *a)
{
	if (a->family == IPADDR_V4)
		return a->a[0] == 127 || (a->a[0] == 0 && a->a[1] == 0 &&
		    a->a[2] == 0 && a->a[3] == 1);
	return ipaddr_is_loopback(a);
}

#endif
