/* evfields.c - event and flow fields in every producer dialect
 * (include/evfields.h). See doc/design.md "The record contract" and
 * doc/wire-format.md "eBPF events".
 *
 * One pass over a record's top-level members looks each key up in a small
 * hash table (names and NetFlow ids alike) and remembers the first member
 * per key in a slot; the slots are then resolved in a fixed order of
 * preference (names before ids, SRC/DST before LOCAL/REMOTE before ids).
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evfields.h"
#include "evfieldsint.h"
#include "evkeys.h"
#include "ntopids.h"

static const char *const evf_ag_suffix[EVF_AG_N] = {
	EVK_PROC_PID, EVK_PROC_NAME, EVK_PROC_UID, EVK_PROC_USER_NAME,
	EVK_FATHER_PROC_PID, EVK_FATHER_PROC_NAME, EVK_PROC_CMDLINE,
	EVK_PROC_CONTAINER_ID, EVK_PROC_PKG_NAME,
};

struct evf_ie {
	const char	*name;
	int		 id;
};

/* Counter names, in enum evf_ctr order; their ids come from the one
 * table of field ids (ntopids). */
static const char *const evf_ctrs[EVF_NCTR] = {
	EVK_IN_BYTES, EVK_IN_PKTS, EVK_SRC_TOS, EVK_TCP_FLAGS, EVK_INPUT_SNMP,
	EVK_OUTPUT_SNMP, EVK_OUT_BYTES, EVK_OUT_PKTS, EVK_SRC_VLAN,
	EVK_DST_VLAN,
};

/* The key table. A key is known by its length and two words: its first
 * 8 bytes and its last 8 (from 4 to 7 bytes, its first 4 and its last 4;
 * for 1 to 3 bytes, its first, middle and last byte), which between them
 * hold every byte of a key of up to 16 bytes. For a longer key the second
 * word is bytes 8 to 15, where keys that share their ends differ
 * ("EXPORTER_IPV4_ADDRESS"). A multiplicative hash of the words and the
 * length, with a factor chosen when the table is built so that no two
 * keys share a bucket, names at most one candidate: a look-up is one
 * multiply and one comparison of words, hit or miss, and for a hit on a
 * key longer than 16 bytes its bytes from 16 on, compared by words. */
#define EVF_KEYMAX	40
#define EVF_NENT	128		/* entries, the first unused */
#define EVF_HBITS	10		/* 1024 buckets of one byte */

struct evf_ent {
	uint64_t	 lo, hi;	/* evf_words() of the key */
	uint32_t	 len;
	uint32_t	 key;		/* enum evf_key */
	char		 name[EVF_KEYMAX];
};

struct evf_words {
	uint64_t	 lo, hi;
};

static struct evf_ent evf_ent[EVF_NENT];
static size_t evf_nent = 1;
static uint8_t evf_bucket[1u << EVF_HBITS];
static uint64_t evf_mult;
/* What the first two bytes of a key say (of a one-byte key, the byte and
 * its closing quote), so that most members of an event are rejected by
 * one table look-up, without hashing: EVF_PAIR_ALL if a key of the table
 * starts so, EVF_PAIR_IDS if one that evf_read_ids() reads does (a
 * numeric id: every pair with a digit first), EVF_PAIR_PIPE for "_i" and
 * "_f", the pipeline's _iface and _from, which evf_read_ids() counts for
 * ev-route. Two bytes, not one: "LOCAL_PROCESS" and "LAST_SWITCHED"
 * share their first byte with keys ev-route reads, the pipeline's other
 * members (_type, _rx) theirs with _iface, and each cost it a look-up or
 * a comparison. */
enum { EVF_PAIR_ALL = 1, EVF_PAIR_IDS = 2, EVF_PAIR_PIPE = 4 };
static uint8_t evf_pair[1u << 16];
static pthread_once_t evf_once = PTHREAD_ONCE_INIT;
/* Set (release) once the table is built: the readers of every record
 * test it (acquire, a plain load on x86) and call pthread_once() only
 * before, which spares a call a record. */
static int evf_built;

/* The index in evf_pair of a key's first two bytes: k[1] is read even for
 * a key of one byte or none, where it is the closing quote or the colon
 * after it, in the record's text. */
static inline unsigned
evf_pair_of(const char *k)
{
	return (unsigned)(unsigned char)k[0] | (unsigned)(unsigned char)k[1] << 8;
}

static inline uint64_t
evf_load4(const char *s)
{
	uint32_t x;

	memcpy(&x, s, 4);
	return x;
}

/* The words of s[0..n), 1 <= n < EVF_KEYMAX; no byte outside it is read. */
static inline struct evf_words
evf_words(const char *s, size_t n)
{
	struct evf_words w;

	if (n >= 8) {
		w.lo = evf_load8(s);
		w.hi = evf_load8(s + (n > 16 ? 8 : n - 8));
	} else if (n >= 4) {
		w.lo = evf_load4(s);
		w.hi = evf_load4(s + n - 4);
	} else {
		w.lo = (uint64_t)(unsigned char)s[0] |
		    (uint64_t)(unsigned char)s[n / 2] << 8 |
		    (uint64_t)(unsigned char)s[n - 1] << 16;
		w.hi = 0;
	}
	return w;
}

/* The rotation keeps both words of a key of 4 to 7 bytes (32 bits each)
 * whole, and the length goes where no word of 1 to 7 bytes has bits; the
 * factor spreads every bit of x into the bucket's bits. */
static inline uint32_t
evf_hash(const struct evf_words *w, size_t n, uint64_t mult)
{
	uint64_t x = w->lo ^ (w->hi << 32 | w->hi >> 32) ^ (uint64_t)n << 24;

	return (uint32_t)((x * mult) >> (64 - EVF_HBITS));
}

static void
evf_tab_add(const char *name, enum evf_key key)
{
	size_t n = strlen(name);
	struct evf_ent *e = &evf_ent[evf_nent++];
	struct evf_words w = evf_words(name, n);
	/* A one-byte key's pair is the byte and its closing quote. */
	const char two[2] = { name[0], n > 1 ? name[1] : '"' };

	/* The table is fixed: a key too many or too long is a bug here. */
	if (evf_nent > EVF_NENT || n == 0 || n >= EVF_KEYMAX ||
	    name[0] == '_' || name[0] == '"')
		abort();
	evf_pair[evf_pair_of(two)] |= key < K_IDS_END ?
	    EVF_PAIR_ALL | EVF_PAIR_IDS : EVF_PAIR_ALL;
	e->lo = w.lo;
	e->hi = w.hi;
	e->len = (uint32_t)n;
	e->key = key;
	memcpy(e->name, name, n);
}

/* Finds a factor that puts every key in a bucket of its own (about one
 * try in twenty does, with 80 keys in 1024 buckets). Two keys of the same
 * length and words (longer than 16 bytes, differing only from byte 16 on)
 * never do: the table is fixed, so that aborts at every start. */
static void
evf_tab_place(void)
{
	uint64_t mult = 0x9e3779b97f4a7c15ULL;
	size_t i, tries;

	for (tries = 0; tries < 100000; tries++, mult += 0x6a09e667f3bcc90aULL) {
		memset(evf_bucket, 0, sizeof(evf_bucket));
		for (i = 1; i < evf_nent; i++) {
			struct evf_words w = evf_words(evf_ent[i].name,
			    evf_ent[i].len);
			uint32_t h = evf_hash(&w, evf_ent[i].len, mult | 1);

			if (evf_bucket[h] != 0)
				break;
			evf_bucket[h] = (uint8_t)i;
		}
		if (i == evf_nent) {
			evf_mult = mult | 1;
			return;
		}
	}
	abort();
}

static void
evf_tab_build(void)
{
	static const struct {
		const char	*name;
		enum evf_key	 key;
	} fixed[] = {
		{ EVK_INTERFACE_NAME, K_INTERFACE_NAME },
		{ EVK_IF_NAME, K_IF_NAME },
		{ EVK_IP_PROTOCOL_VERSION, K_IPVER }, { "60", K_N60 },
		{ EVK_PROTOCOL, K_PROTO }, { "4", K_N4 },
		{ EVK_IPV4_SRC_ADDR, K_SRC4 }, { EVK_IPV6_SRC_ADDR, K_SRC6 },
		{ EVK_IPV4_DST_ADDR, K_DST4 }, { EVK_IPV6_DST_ADDR, K_DST6 },
		{ EVK_L4_SRC_PORT, K_SPORT }, { EVK_L4_DST_PORT, K_DPORT },
		{ EVK_IPV4_LOCAL_ADDR, K_LOC4 },
		{ EVK_IPV6_LOCAL_ADDR, K_LOC6 },
		{ EVK_IPV4_REMOTE_ADDR, K_REM4 },
		{ EVK_IPV6_REMOTE_ADDR, K_REM6 },
		{ EVK_L4_LOCAL_PORT, K_LPORT }, { EVK_L4_REMOTE_PORT, K_RPORT },
		{ "8", K_N8 }, { "27", K_N27 }, { "12", K_N12 },
		{ "28", K_N28 }, { "7", K_N7 }, { "11", K_N11 },
		{ EVK_TIMESTAMP, K_TIMESTAMP }, { EVK_TCP_EVENT_TYPE, K_TCPEV },
		{ EVK_UDP_EVENT_TYPE, K_UDPEV },
		{ EVK_NW_LATENCY_MS, K_LATENCY },
		{ EVK_RETRAN_PKTS, K_RETRAN }, { EVK_TID, K_TID },
		{ EVK_EXPORTER_IPV4_ADDRESS, K_EXP4 },
		{ EVK_EXPORTER_IPV6_ADDRESS, K_EXP6 },
		{ EVK_LOCAL_PROCESS, K_LPROC },
		{ EVK_LOCAL_FATHER_PROCESS, K_FPROC },
		{ EVK_LOCAL_CONTAINER, K_CONTAINER }, { EVK_TCP, K_TCP },
		{ EVK_CLIENT_NW_LATENCY_MS, K_CLAT },
		{ EVK_SERVER_NW_LATENCY_MS, K_SLAT },
		{ EVK_FIRST_SWITCHED, K_FIRST }, { EVK_LAST_SWITCHED, K_LAST },
		{ "22", K_N22 }, { "21", K_N21 },
	};
	char buf[EVF_KEYMAX];
	size_t i;
	unsigned c;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		evf_tab_add(fixed[i].name, fixed[i].key);
	/* Numeric keys are looked up through the id table. */
	for (c = '0'; c <= '9'; c++)
		for (i = 0; i < 256; i++)
			evf_pair[c | i << 8] |= EVF_PAIR_ALL | EVF_PAIR_IDS;
	/* No key of the table starts with '_' or '"' (checked in
	 * evf_tab_add). */
	evf_pair[evf_pair_of(EVK_IFACE)] |= EVF_PAIR_PIPE;
	evf_pair[evf_pair_of(EVK_FROM)] |= EVF_PAIR_PIPE;
	for (i = 0; i < EVF_NCTR; i++) {
		evf_tab_add(evf_ctrs[i], (enum evf_key)(K_CTR + i));
		snprintf(buf, sizeof(buf), "%d",
		    ntopids_id(evf_ctrs[i], strlen(evf_ctrs[i])));
		evf_tab_add(buf, (enum evf_key)(K_CTRID + i));
	}
	for (i = 0; i < EVF_AG_N; i++) {
		snprintf(buf, sizeof(buf), "SRC_%s", evf_ag_suffix[i]);
		evf_tab_add(buf, (enum evf_key)(K_AGENT + i));
		snprintf(buf, sizeof(buf), "DST_%s", evf_ag_suffix[i]);
		evf_tab_add(buf, (enum evf_key)(K_AGENT + EVF_AG_N + i));
	}
	evf_tab_place();
	__atomic_store_n(&evf_built, 1, __ATOMIC_RELEASE);
}

/* The key of s[0..n), or K_NONE; n >= 1. A key of EVF_KEYMAX bytes or
 * more needs no test of its own: its words are read inside it, and no
 * entry has its length. */
static inline enum evf_key
evf_lookup(const char *s, size_t n)
{
	const struct evf_ent *e;
	struct evf_words w;
	size_t i;

	w = evf_words(s, n);
	e = &evf_ent[evf_bucket[evf_hash(&w, n, evf_mult)]];
	/* Entry 0 has length 0: no key. One test for the three. */
	if (((e->lo ^ w.lo) | (e->hi ^ w.hi) | (e->len ^ n)) != 0)
		return K_NONE;
	/* Bytes 16 to n of a key longer than 16 bytes, by words, the last
	 * word ending at n. */
	if (n > 16) {
		for (i = 16; i + 8 < n; i += 8)
			if (evf_load8(s + i) != evf_load8(e->name + i))
				return K_NONE;
		if (evf_load8(s + n - 8) != evf_load8(e->name + n - 8))
			return K_NONE;
	}
	return (enum evf_key)e->key;
}

enum evf_key
evf_key_find(const char *s, size_t n)
{
	pthread_once(&evf_once, evf_tab_build);
	return n == 0 ? K_NONE : evf_lookup(s, n);
}

const char *
evf_key_entry(size_t i, enum evf_key *k)
{
	pthread_once(&evf_once, evf_tab_build);
	if (i + 1 >= evf_nent)
		return NULL;
	*k = (enum evf_key)evf_ent[i + 1].key;
	return evf_ent[i + 1].name;
}

/* Reads an address from a string (either family) or from an integer (an
 * IPv4 address in host order, as some probes send). -1 if unusable; an
 * empty string counts as absent (returns 1). Inlined into
 * evf_ids_addr(), which reads two per event. */
static inline int
evf_addr_read(const struct rec_field *f, struct ipaddr *a)
{
	if (f->kind == REC_STRING) {
		char buf[IPADDR_STRLEN];
		bool trunc = false;
		size_t n;

		if (f->vlen == 2)
			return 1;
		if (!f->vesc)
			return ipaddr_parse(a, f->val + 1, f->vlen - 2);
		n = rec_unescape(f->val + 1, f->vlen - 2, buf, sizeof(buf),
		    true, &trunc);
		return trunc ? -1 : ipaddr_parse(a, buf, n);
	}
	if (f->kind == REC_NUMBER) {
		int64_t v;

		if (rec_i64(f, &v) != 0 || v < 0 || v > 0xffffffffLL)
			return -1;
		ipaddr_set_v4(a, (uint32_t)v);
		return 0;
	}
	return f->kind == REC_NULL ? 1 : -1;
}

int
evf_addr(const struct rec_field *f, struct ipaddr *a)
{
	return evf_addr_read(f, a);
}

/* Inlined: ports, protocol and IP version, three or four a record. */
static inline __attribute__((always_inline)) int
evf_int(const struct rec_field *f, int64_t min, int64_t max, int64_t *out)
{
	uint64_t u;
	int64_t v;

	if (evf_plain_uint(f, 9, &u))
		v = (int64_t)u;
	else if (rec_i64(f, &v) != 0)
		return -1;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The key of a member whose name is not in the key table but is a
 * numeric field id ("57640", "35632.168"): the key of the id's name, so
 * every id of the ntopids table is read wherever its name is. */
static enum evf_key
evf_lookup_id(const char *s, size_t n)
{
	const char *name;
	int id;

	if ((id = ntopids_parse_key(s, n)) < 0 ||
	    (name = ntopids_name((uint32_t)id)) == NULL || *name == '\0')
		return K_NONE;
	return evf_lookup(name, strlen(name));
}

/* A plain key of the pipeline ('_' first) met by evf_read_ids(): the
 * members that decide whether ev-route may splice a copy. */
static inline void
evf_collect_pipe(struct evf_slots *sl, const struct rec_field *f,
    const char *key, size_t n)
{
	if (n == sizeof(EVK_IFACE) - 1 &&
	    memcmp(key, EVK_IFACE, sizeof(EVK_IFACE) - 1) == 0) {
		if (sl->n_iface++ == 0)
			sl->iface = f;
	} else if (n == sizeof(EVK_FROM) - 1 &&
	    memcmp(key, EVK_FROM, sizeof(EVK_FROM) - 1) == 0)
		sl->from = true;
}

/* Inlined into its two callers, so that each gets a copy for its own end
 * (evf_read_ids() then never tests for agent keys, evf_collect_all() never
 * for the pipeline's keys). */
static inline __attribute__((always_inline)) void
evf_collect(const struct record *r, struct evf_slots *sl, enum evf_key end)
{
	uint64_t viaid[(K_MAX + 63) / 64] = { 0 };
	const struct rec_field *f, *fend;
	const unsigned want = end <= K_IDS_END ? EVF_PAIR_IDS | EVF_PAIR_PIPE :
	    EVF_PAIR_ALL;

	if (!__atomic_load_n(&evf_built, __ATOMIC_ACQUIRE))
		pthread_once(&evf_once, evf_tab_build);
	memset(sl->s, 0, sizeof(sl->s[0]) * end);
	sl->agent = false;
	sl->iface = NULL;
	sl->n_iface = 0;
	sl->from = sl->kesc = false;
	if (r->nf == 0)
		return;		/* r->f may be NULL, and NULL + 0 undefined */
	fend = r->f + r->nf;
	for (f = r->f; f < fend; f++) {
		const char *key = f->key;
		char kb[EVF_KEYMAX];
		size_t n = f->klen;
		enum evf_key k;
		bool isid = false;

		if (!f->kesc) {
			unsigned cls;

			/* An empty key's pair is its closing quote and the
			 * colon, which start no key: no test of n. */
			if ((cls = evf_pair[evf_pair_of(key)] & want) == 0)
				continue;
			if (end <= K_IDS_END && (cls & EVF_PAIR_PIPE)) {
				evf_collect_pipe(sl, f, key, n);
				continue;
			}
		} else {
			bool trunc = false;

			sl->kesc = true;
			n = rec_unescape(key, n, kb, sizeof(kb), true, &trunc);
			if (trunc || n == 0)
				continue;
			key = kb;
		}
		k = evf_lookup(key, n);
		if (k == K_NONE) {
			if (key[0] < '0' || key[0] > '9')
				continue;
			k = evf_lookup_id(key, n);
			isid = true;
		}
		/* (k < K_MAX: the test folds away in evf_collect_all.) */
		if (k == K_NONE || (end < K_MAX && k >= end))
			continue;
		/* The first member per key, but a name wins over an id for
		 * the same field, whatever the order of the members. */
		if (sl->s[k] == NULL) {
			sl->s[k] = f;
			if (k >= K_AGENT)
				sl->agent = true;
			if (isid)
				viaid[k / 64] |= (uint64_t)1 << (k % 64);
		} else if (!isid && (viaid[k / 64] >> (k % 64) & 1)) {
			sl->s[k] = f;
			viaid[k / 64] &= ~((uint64_t)1 << (k % 64));
		}
	}
}

void
evf_collect_all(const struct record *r, struct evf_slots *sl)
{
	evf_collect(r, sl, K_MAX);
}

/* The interface name member f (absent when NULL or null) into id. */
static void
evf_ids_ifname(const struct rec_field *f, struct evf_ids *id)
{
	if (f == NULL || f->kind == REC_NULL)
		return;
	if (f->kind != REC_STRING || f->vlen - 2 >= EVF_IFNAMELEN)
		id->bad |= EVF_BAD_IFNAME;
	else if (!f->vesc) {
		id->has_ifname = true;
		id->ifname = f->val + 1;
		id->iflen = f->vlen - 2;
	} else {
		bool trunc = false;

		id->iflen = rec_unescape(f->val + 1, f->vlen - 2,
		    id->ifbuf, sizeof(id->ifbuf), true, &trunc);
		id->ifname = id->ifbuf;
		id->has_ifname = true;
	}
}

/* An address member (may be NULL) into *a, setting *has or flagging bad. */
static void
evf_ids_addr(const struct rec_field *f, struct ipaddr *a, bool *has,
    unsigned *bad)
{
	int rc;

	if (f == NULL)
		return;
	rc = evf_addr_read(f, a);
	if (rc == 0)
		*has = true;
	else if (rc < 0)
		*bad |= EVF_BAD_ADDR;
}

/* A port member (absent when NULL or null) into *port. Inlined: two
 * calls of a few instructions for every event. */
static inline __attribute__((always_inline)) void
evf_ids_port(const struct rec_field *f, uint16_t *port, bool *has,
    unsigned *bad)
{
	int64_t v;

	if (f == NULL || f->kind == REC_NULL)
		return;
	if (evf_int(f, 0, 65535, &v) == 0) {
		*has = true;
		*port = (uint16_t)v;
	} else
		*bad |= EVF_BAD_PORT;
}

/* The endpoints in the first dialect the slots hold any of. */
static void
evf_ids_ends(const struct evf_slots *sl, struct evf_ids *id)
{
	static const struct {
		enum evf_dialect d;
		enum evf_key	 src4, src6, dst4, dst6, sport, dport;
	} dia[] = {
		{ EVF_DIALECT_SRCDST, K_SRC4, K_SRC6, K_DST4, K_DST6,
		    K_SPORT, K_DPORT },
		{ EVF_DIALECT_LOCALREMOTE, K_LOC4, K_LOC6, K_REM4, K_REM6,
		    K_LPORT, K_RPORT },
		{ EVF_DIALECT_NUMERIC, K_N8, K_N27, K_N12, K_N28, K_N7, K_N11 },
	};
	size_t d;

	for (d = 0; d < sizeof(dia) / sizeof(dia[0]); d++) {
		const struct rec_field *src, *dst, *sp, *dp;

		src = evf_pick(sl, dia[d].src4, dia[d].src6);
		dst = evf_pick(sl, dia[d].dst4, dia[d].dst6);
		sp = sl->s[dia[d].sport];
		dp = sl->s[dia[d].dport];
		if (src == NULL && dst == NULL && sp == NULL && dp == NULL)
			continue;
		id->dialect = dia[d].d;
		evf_ids_addr(src, &id->src, &id->has_src, &id->bad);
		evf_ids_addr(dst, &id->dst, &id->has_dst, &id->bad);
		evf_ids_port(sp, &id->sport, &id->has_sport, &id->bad);
		evf_ids_port(dp, &id->dport, &id->has_dport, &id->bad);
		break;
	}
}

void
evf_ids_fill(const struct evf_slots *sl, struct evf_ids *id)
{
	const struct rec_field *f;
	int64_t v;

	/* All but ifbuf, which is read only where ifname points into it. */
	memset(id, 0, offsetof(struct evf_ids, ifbuf));
	evf_ids_ifname(evf_pick(sl, K_INTERFACE_NAME, K_IF_NAME), id);
	f = evf_pick(sl, K_PROTO, K_N4);
	if (f != NULL && f->kind != REC_NULL) {
		if (evf_int(f, 0, 255, &v) == 0) {
			id->has_proto = true;
			id->proto = (uint8_t)v;
		} else
			id->bad |= EVF_BAD_PROTO;
	}
	evf_ids_ends(sl, id);
	f = evf_pick(sl, K_IPVER, K_N60);
	if (f != NULL && f->kind != REC_NULL) {
		if (evf_int(f, 0, 255, &v) == 0)
			id->ipver = (int)v;
		else
			id->bad |= EVF_BAD_NUMBER;
	}
	if (id->ipver == 0) {
		if (id->has_src)
			id->ipver = id->src.family;
		else if (id->has_dst)
			id->ipver = id->dst.family;
	}
}

int
evf_read_ids(const struct record *r, struct evf_ids *id)
{
	struct evf_slots sl;

	evf_collect(r, &sl, K_IDS_END);
	evf_ids_fill(&sl, id);
	id->iface = sl.iface;
	id->n_iface = sl.n_iface;
	id->has_from = sl.from;
	id->kesc = sl.kesc;
	return id->bad ? -1 : 0;
}

bool
evf_flow_hash(const struct evf_ids *id, uint64_t *h)
{
	const struct ipaddr *a = &id->src, *b = &id->dst;
	uint16_t pa = id->sport, pb = id->dport;
	uint64_t v;
	int c;

	*h = 0;
	if (!id->has_src || !id->has_dst)
		return false;
	c = ipaddr_cmp(a, b);
	if (c > 0 || (c == 0 && pa > pb)) {
		const struct ipaddr *t = a;
		uint16_t tp = pa;

		a = b;
		b = t;
		pa = pb;
		pb = tp;
	}
	v = ipaddr_hash(a, 0);
	v = ipaddr_hash(b, v);
	v = (v ^ ((uint64_t)pa << 24 | (uint64_t)pb << 8 | id->proto)) *
	    0x100000001b3ULL;
	/* Final avalanche (splitmix64), so that h % N uses every bit. */
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebULL;
	v ^= v >> 31;
	*h = v;
	return true;
}

int
evf_ie_id(const char *name)
{
	return ntopids_id(name, strlen(name));
}

const char *
evf_ie_name(int id)
{
	return id < 0 ? NULL : ntopids_name((uint32_t)id);
}

const struct rec_field *
evf_get(const struct record *r, const char *name)
{
	const struct rec_field *f = record_get(r, name);
	char buf[24];
	int id;

	if (f != NULL || (id = evf_ie_id(name)) < 0)
		return f;
	snprintf(buf, sizeof(buf), "%d", id);
	if ((f = record_get(r, buf)) != NULL || id < (int)NTOPIDS_BASE)
		return f;
	snprintf(buf, sizeof(buf), "%u.%u", NTOPIDS_PEN,
	    (unsigned)id - NTOPIDS_BASE);
	return record_get(r, buf);
}

const char *
evf_badname(unsigned bit)
{
	switch (bit) {
	case EVF_BAD_IFNAME: return "bad_ifname";
	case EVF_BAD_ADDR: return "bad_address";
	case EVF_BAD_PORT: return "bad_port";
	case EVF_BAD_PROTO: return "bad_protocol";
	case EVF_BAD_NUMBER: return "bad_value";
	case EVF_BAD_OBJECT: return "bad_object";
	case EVF_BAD_TIME: return "bad_timestamp";
	default: return "bad_field";
	}
}
