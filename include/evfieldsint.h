/* evfieldsint.h - what the parts of the evfields module share
 * (common/evfields.c, the key table and the ids; evfread.c, the whole
 * event; strings are decoded by record.h's rec_unescape): the keys, the
 * slots one pass over a record fills, and the readers of single values.
 * Tools use include/evfields.h.
 */
#ifndef EVPIPE_EVFIELDSINT_H
#define EVPIPE_EVFIELDSINT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "evfields.h"
#include "ipaddr.h"
#include "record.h"

/* Top-level keys. Those before K_IDS_END are all evf_read_ids() needs. */
enum evf_key {
	K_NONE = 0,
	K_INTERFACE_NAME, K_IF_NAME,
	K_IPVER, K_N60, K_PROTO, K_N4,
	K_SRC4, K_SRC6, K_DST4, K_DST6, K_SPORT, K_DPORT,
	K_LOC4, K_LOC6, K_REM4, K_REM6, K_LPORT, K_RPORT,
	K_N8, K_N27, K_N12, K_N28, K_N7, K_N11,
	K_IDS_END,
	K_TIMESTAMP = K_IDS_END, K_TCPEV, K_UDPEV, K_LATENCY, K_RETRAN, K_TID,
	K_EXP4, K_EXP6, K_LPROC, K_FPROC, K_CONTAINER, K_TCP,
	K_CLAT, K_SLAT,
	/* counters: by name, then by id, EVF_NCTR each, in enum evf_ctr order */
	K_CTR, K_CTRID = K_CTR + EVF_NCTR,
	K_FIRST = K_CTRID + EVF_NCTR, K_LAST, K_N22, K_N21,
	/* agent IEs: EVF_AG_N for SRC_, then EVF_AG_N for DST_ */
	K_AGENT,
	K_MAX = K_AGENT + 2 * 9		/* 9 = EVF_AG_N, checked below */
};

/* The agent IE suffixes, in the order of their K_AGENT slots. */
enum evf_ag {
	AG_PID, AG_NAME, AG_UID, AG_USER_NAME, AG_FATHER_PID, AG_FATHER_NAME,
	AG_CMDLINE, AG_CONTAINER_ID, AG_PKG_NAME, EVF_AG_N
};

_Static_assert(K_MAX == K_AGENT + 2 * EVF_AG_N, "agent slots");

/* The first member per key. */
struct evf_slots {
	const struct rec_field *s[K_MAX];
	bool		 agent;		/* a K_AGENT slot is filled */
	/* Filled by evf_read_ids() only (see struct evf_ids). */
	const struct rec_field *iface;
	unsigned	 n_iface;
	bool		 from, kesc;
};

/* The first non-NULL of two slots. */
static inline const struct rec_field *
evf_pick(const struct evf_slots *sl, enum evf_key a, enum evf_key b)
{
	return sl->s[a] != NULL ? sl->s[a] : sl->s[b];
}

/* The 8 bytes at s as one word (any alignment). */
static inline uint64_t
evf_load8(const char *s)
{
	uint64_t x;

	memcpy(&x, s, 8);
	return x;
}

/* The key of the top-level member name s[0..n) (plain text), or K_NONE;
 * numeric field ids other than the table's own are not mapped here. */
enum evf_key evf_key_find(const char *s, size_t n);
/* The name of entry i (from 0) of the key table, its key in *k; NULL past
 * the last entry. For tests. */
const char *evf_key_entry(size_t i, enum evf_key *k);

/* True, with the value in *out, if f is a plain number of 1 to maxdig
 * digits (at most 18; "443", not "-1", "1.5", "1e3" or "0443"): the usual
 * field, read here without a call. rec_i64(), rec_u64() and (up to 15
 * digits) rec_double() give the same value for it and read every other
 * form. */
static inline bool
evf_plain_uint(const struct rec_field *f, size_t maxdig, uint64_t *out)
{
	const unsigned char *p = (const unsigned char *)f->val, *e;
	uint64_t v = 0;
	unsigned d;

	if (f->kind != REC_NUMBER || f->vlen > maxdig || (p[0] == '0' &&
	    f->vlen > 1))
		return false;
	e = p + f->vlen;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Eight digits at once when they are digits: times and byte counts,
	 * where ten or more digits are allowed. */
	if (maxdig >= 10 && e - p >= 8) {
		uint64_t x;

		memcpy(&x, p, 8);
		if ((x & 0xf0f0f0f0f0f0f0f0ULL) == 0x3030303030303030ULL &&
		    ((x + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) ==
		    0x3030303030303030ULL) {
			x &= 0x0f0f0f0f0f0f0f0fULL;
			x = (x * 2561) >> 8;
			x = ((x & 0x00ff00ff00ff00ffULL) * 6553601) >> 16;
			v = ((x & 0x0000ffff0000ffffULL) * 42949672960001ULL) >>
			    32;
			p += 8;
		}
	}
#endif
	for (; p < e && (d = (unsigned)*p - '0') <= 9; p++)
		v = v * 10 + d;
	if (p != e)
		return false;
	*out = v;
	return true;
}

/* Reads an address from a string (either family) or from an integer (an
 * IPv4 address in host order). 0, 1 for an empty string (absent), or -1
 * if unusable. */
int	evf_addr(const struct rec_field *f, struct ipaddr *a);
/* Fills sl with the first member of r per key (every key); a name wins
 * over a numeric id of the same field. */
void	evf_collect_all(const struct record *r, struct evf_slots *sl);
/* Reads the interface name, addresses, ports and protocol of the slots
 * into id (unusable values flagged in id->bad). */
void	evf_ids_fill(const struct evf_slots *sl, struct evf_ids *id);

#endif
