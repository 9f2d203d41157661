/* evfields.c - event and flow fields in every producer dialect
 * (include/evfields.h). See doc/design.md "The record contract" and
 * doc/wire-format.md "eBPF events".
 *
 * One pass over a record's top-level members looks each key up in a small
 * hash table (names and NetFlow ids alike) and remembers the first member
 * per key in a slot; the slots are then resolved in a fixed order of
 * preference (names before ids, SRC/DST before LOCAL/REMOTE before ids).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "evfields.h"
#include "ntopids.h"

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

static const char *const evf_ag_suffix[EVF_AG_N] = {
	"PROC_PID", "PROC_NAME", "PROC_UID", "PROC_USER_NAME",
	"FATHER_PROC_PID", "FATHER_PROC_NAME", "PROC_CMDLINE",
	"PROC_CONTAINER_ID", "PROC_PKG_NAME",
};

struct evf_ie {
	const char	*name;
	int		 id;
};

/* Counter names, in enum evf_ctr order; their ids come from the one
 * table of field ids (ntopids). */
static const char *const evf_ctrs[EVF_NCTR] = {
	"IN_BYTES", "IN_PKTS", "SRC_TOS", "TCP_FLAGS", "INPUT_SNMP",
	"OUTPUT_SNMP", "OUT_BYTES", "OUT_PKTS", "SRC_VLAN", "DST_VLAN",
};

/* The key table: open addressing, FNV-1a, built once. */
#define EVF_TABSZ	512
#define EVF_KEYMAX	40

struct evf_slot {
	char		 name[EVF_KEYMAX];
	size_t		 len;
	enum evf_key	 key;
};

static struct evf_slot evf_tab[EVF_TABSZ];
/* First bytes of the keys of evf_read_ids() / of all keys: most members of
 * an event are rejected by one table look-up, without hashing. */
static bool evf_first_ids[256], evf_first_all[256];
static pthread_once_t evf_once = PTHREAD_ONCE_INIT;

/* Hashes a key from its length and three of its bytes, so a lookup costs
 * the same for any key length; the table's memcmp settles collisions. */
static uint32_t
evf_keyhash(const char *s, size_t n)
{
	uint32_t h = (uint32_t)n * 0x9e3779b1u;

	h ^= (unsigned char)s[0] * 0x85ebca77u;
	h ^= (unsigned char)s[n / 2] * 0xc2b2ae3du;
	h ^= (unsigned char)s[n - 1] * 0x27d4eb2fu;
	return h ^ (h >> 15);
}

static void
evf_tab_add(const char *name, enum evf_key key)
{
	size_t n = strlen(name);
	uint32_t i = evf_keyhash(name, n) & (EVF_TABSZ - 1);

	while (evf_tab[i].key != K_NONE)
		i = (i + 1) & (EVF_TABSZ - 1);
	evf_first_all[(unsigned char)name[0]] = true;
	if (key < K_IDS_END)
		evf_first_ids[(unsigned char)name[0]] = true;
	memcpy(evf_tab[i].name, name, n + 1);
	evf_tab[i].len = n;
	evf_tab[i].key = key;
}

static void
evf_tab_build(void)
{
	static const struct {
		const char	*name;
		enum evf_key	 key;
	} fixed[] = {
		{ "INTERFACE_NAME", K_INTERFACE_NAME }, { "IF_NAME", K_IF_NAME },
		{ "IP_PROTOCOL_VERSION", K_IPVER }, { "60", K_N60 },
		{ "PROTOCOL", K_PROTO }, { "4", K_N4 },
		{ "IPV4_SRC_ADDR", K_SRC4 }, { "IPV6_SRC_ADDR", K_SRC6 },
		{ "IPV4_DST_ADDR", K_DST4 }, { "IPV6_DST_ADDR", K_DST6 },
		{ "L4_SRC_PORT", K_SPORT }, { "L4_DST_PORT", K_DPORT },
		{ "IPV4_LOCAL_ADDR", K_LOC4 }, { "IPV6_LOCAL_ADDR", K_LOC6 },
		{ "IPV4_REMOTE_ADDR", K_REM4 }, { "IPV6_REMOTE_ADDR", K_REM6 },
		{ "L4_LOCAL_PORT", K_LPORT }, { "L4_REMOTE_PORT", K_RPORT },
		{ "8", K_N8 }, { "27", K_N27 }, { "12", K_N12 },
		{ "28", K_N28 }, { "7", K_N7 }, { "11", K_N11 },
		{ "timestamp", K_TIMESTAMP }, { "TCP_EVENT_TYPE", K_TCPEV },
		{ "UDP_EVENT_TYPE", K_UDPEV }, { "NW_LATENCY_MS", K_LATENCY },
		{ "RETRAN_PKTS", K_RETRAN }, { "TID", K_TID },
		{ "EXPORTER_IPV4_ADDRESS", K_EXP4 },
		{ "EXPORTER_IPV6_ADDRESS", K_EXP6 },
		{ "LOCAL_PROCESS", K_LPROC },
		{ "LOCAL_FATHER_PROCESS", K_FPROC },
		{ "LOCAL_CONTAINER", K_CONTAINER }, { "TCP", K_TCP },
		{ "CLIENT_NW_LATENCY_MS", K_CLAT },
		{ "SERVER_NW_LATENCY_MS", K_SLAT },
		{ "FIRST_SWITCHED", K_FIRST }, { "LAST_SWITCHED", K_LAST },
		{ "22", K_N22 }, { "21", K_N21 },
	};
	char buf[EVF_KEYMAX];
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		evf_tab_add(fixed[i].name, fixed[i].key);
	/* Numeric keys are looked up through the id table. */
	for (i = '0'; i <= '9'; i++)
		evf_first_ids[i] = evf_first_all[i] = true;
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
}

static enum evf_key
evf_lookup(const char *s, size_t n)
{
	uint32_t i;

	if (n == 0 || n >= EVF_KEYMAX)
		return K_NONE;
	i = evf_keyhash(s, n) & (EVF_TABSZ - 1);
	while (evf_tab[i].key != K_NONE) {
		if (evf_tab[i].len == n && memcmp(evf_tab[i].name, s, n) == 0)
			return evf_tab[i].key;
		i = (i + 1) & (EVF_TABSZ - 1);
	}
	return K_NONE;
}

/* Appends the code point c as UTF-8 if it fits in buf[*o..size-1). */
static bool
evf_put_utf8(char *buf, size_t size, size_t *o, uint32_t c)
{
	char t[4];
	size_t n;

	if (c < 0x80) {
		t[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		t[0] = (char)(0xc0 | (c >> 6));
		t[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		t[0] = (char)(0xe0 | (c >> 12));
		t[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		t[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		t[0] = (char)(0xf0 | (c >> 18));
		t[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		t[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (*o + n >= size)
		return false;
	memcpy(buf + *o, t, n);
	*o += n;
	return true;
}

static uint32_t
evf_hex4(const char *s)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
	}
	return v;
}

/* Decodes the JSON string body s[0..n) (validated by record_parse) into buf
 * (size >= 1 bytes, NUL-terminated), whole code points only. A lone
 * surrogate becomes U+FFFD and \u0000 is left out (buf is a C string).
 * Returns the length; *trunc is set if something did not fit. */
static size_t
evf_unescape(const char *s, size_t n, char *buf, size_t size, bool *trunc)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t len;

		if (c != '\\') {
			size_t room = size - 1 - o, w = n - i < room ? n - i :
			    room;
			const char *bs = memchr(s + i, '\\', w);

			/* The bytes up to the next escape, at once when they
			 * fit (they are whole code points: the text is valid
			 * UTF-8 and a backslash is ASCII). The search stops
			 * where buf is full. */
			if (bs != NULL || w == n - i) {
				len = bs != NULL ? (size_t)(bs - s) - i : w;
				memcpy(buf + o, s + i, len);
				o += len;
				i += len;
				continue;
			}
			len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
			if (i + len > n)
				len = n - i;
			if (o + len >= size)
				goto full;
			memcpy(buf + o, s + i, len);
			o += len;
			i += len;
			continue;
		}
		if (i + 1 >= n)
			break;
		switch (s[i + 1]) {
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (i + 6 > n)
				goto done;
			cp = evf_hex4(s + i + 2);
			if (cp >= 0xd800 && cp < 0xdc00 && i + 12 <= n &&
			    s[i + 6] == '\\' && s[i + 7] == 'u') {
				uint32_t lo = evf_hex4(s + i + 8);

				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd;
			i += 6;
			if (cp == 0)
				continue;
			if (!evf_put_utf8(buf, size, &o, cp))
				goto full;
			continue;
		default: cp = (unsigned char)s[i + 1]; break;
		}
		if (!evf_put_utf8(buf, size, &o, cp))
			goto full;
		i += 2;
	}
done:
	buf[o] = '\0';
	return o;
full:
	*trunc = true;
	buf[o] = '\0';
	return o;
}

/* Copies a string value into buf, cut to fit. Returns true if f was a
 * string (and sets *has), false otherwise (null counts as absent). */
static bool
evf_copy(const struct rec_field *f, char *buf, size_t size, bool *has,
    bool *trunc)
{
	if (f == NULL || f->kind != REC_STRING)
		return false;
	if (!f->vesc && f->vlen - 2 < size) {
		memcpy(buf, f->val + 1, f->vlen - 2);
		buf[f->vlen - 2] = '\0';
	} else
		evf_unescape(f->val + 1, f->vlen - 2, buf, size, trunc);
	*has = true;
	return true;
}

/* Reads an address from a string (either family) or from an integer (an
 * IPv4 address in host order, as some probes send). -1 if unusable; an
 * empty string counts as absent (returns 1). */
static int
evf_addr(const struct rec_field *f, struct ipaddr *a)
{
	if (f->kind == REC_STRING) {
		char buf[IPADDR_STRLEN];
		bool trunc = false;
		size_t n;

		if (f->vlen == 2)
			return 1;
		if (!f->vesc)
			return ipaddr_parse(a, f->val + 1, f->vlen - 2);
		n = evf_unescape(f->val + 1, f->vlen - 2, buf, sizeof(buf),
		    &trunc);
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

static int
evf_int(const struct rec_field *f, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;

	/* The usual case, a plain number of up to 9 digits, by hand. */
	if (f->kind == REC_NUMBER && f->vlen <= 9 && (f->vlen == 1 ||
	    f->val[0] != '0')) {
		size_t i;

		for (v = 0, i = 0; i < f->vlen; i++) {
			if (f->val[i] < '0' || f->val[i] > '9')
				break;
			v = v * 10 + (f->val[i] - '0');
		}
		if (i == f->vlen) {
			if (v < min || v > max)
				return -1;
			*out = v;
			return 0;
		}
	}
	if (rec_i64(f, &v) != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The first member per key. */
struct evf_slots {
	const struct rec_field *s[K_MAX];
};

/* The key of a member whose name is not in the key table but is a
 * numeric field id ("57640", "35632.168"): the key of the id's name, so
 * every id of the ntopids table is read wherever its name is. */
static enum evf_key
evf_lookup_id(const char *s, size_t n)
{
	const char *name;
	int id;

	if ((id = ntopids_parse_key(s, n)) < 0 ||
	    (name = ntopids_name((uint32_t)id)) == NULL)
		return K_NONE;
	return evf_lookup(name, strlen(name));
}

static void
evf_collect(const struct record *r, struct evf_slots *sl, enum evf_key end)
{
	bool viaid[K_MAX];
	const bool *first;
	size_t i;

	pthread_once(&evf_once, evf_tab_build);
	first = end <= K_IDS_END ? evf_first_ids : evf_first_all;
	memset(sl->s, 0, sizeof(sl->s[0]) * end);
	memset(viaid, 0, sizeof(viaid[0]) * end);
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		const char *key = f->key;
		char kb[EVF_KEYMAX];
		size_t n = f->klen;
		enum evf_key k;
		bool isid = false;

		if (!f->kesc) {
			if (n == 0 || !first[(unsigned char)key[0]])
				continue;
		} else {
			bool trunc = false;

			n = evf_unescape(key, n, kb, sizeof(kb), &trunc);
			if (trunc)
				continue;
			key = kb;
		}
		k = evf_lookup(key, n);
		if (k == K_NONE && n > 0 && key[0] >= '0' && key[0] <= '9') {
			k = evf_lookup_id(key, n);
			isid = true;
		}
		/* A name wins over an id for the same field, whatever the
		 * order of the members. */
		if (k != K_NONE && k < end &&
		    (sl->s[k] == NULL || (viaid[k] && !isid))) {
			sl->s[k] = f;
			viaid[k] = isid;
		}
	}
}

/* The first non-NULL of two slots. */
static const struct rec_field *
evf_pick(const struct evf_slots *sl, enum evf_key a, enum evf_key b)
{
	return sl->s[a] != NULL ? sl->s[a] : sl->s[b];
}

static void
evf_ids_fill(const struct evf_slots *sl, struct evf_ids *id)
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
	const struct rec_field *f;
	size_t d;
	int64_t v;

	memset(id, 0, sizeof(*id));
	f = evf_pick(sl, K_INTERFACE_NAME, K_IF_NAME);
	if (f != NULL && f->kind != REC_NULL) {
		if (f->kind != REC_STRING || f->vlen - 2 >= EVF_IFNAMELEN)
			id->bad |= EVF_BAD_IFNAME;
		else if (!f->vesc) {
			id->has_ifname = true;
			id->ifname = f->val + 1;
			id->iflen = f->vlen - 2;
		} else {
			bool trunc = false;

			id->iflen = evf_unescape(f->val + 1, f->vlen - 2,
			    id->ifbuf, sizeof(id->ifbuf), &trunc);
			id->ifname = id->ifbuf;
			id->has_ifname = true;
		}
	}
	f = evf_pick(sl, K_PROTO, K_N4);
	if (f != NULL && f->kind != REC_NULL) {
		if (evf_int(f, 0, 255, &v) == 0) {
			id->has_proto = true;
			id->proto = (uint8_t)v;
		} else
			id->bad |= EVF_BAD_PROTO;
	}
	for (d = 0; d < sizeof(dia) / sizeof(dia[0]); d++) {
		const struct rec_field *src, *dst, *sp, *dp;
		int rc;

		src = evf_pick(sl, dia[d].src4, dia[d].src6);
		dst = evf_pick(sl, dia[d].dst4, dia[d].dst6);
		sp = sl->s[dia[d].sport];
		dp = sl->s[dia[d].dport];
		if (src == NULL && dst == NULL && sp == NULL && dp == NULL)
			continue;
		id->dialect = dia[d].d;
		if (src != NULL) {
			rc = evf_addr(src, &id->src);
			if (rc == 0)
				id->has_src = true;
			else if (rc < 0)
				id->bad |= EVF_BAD_ADDR;
		}
		if (dst != NULL) {
			rc = evf_addr(dst, &id->dst);
			if (rc == 0)
				id->has_dst = true;
			else if (rc < 0)
				id->bad |= EVF_BAD_ADDR;
		}
		if (sp != NULL && sp->kind != REC_NULL) {
			if (evf_int(sp, 0, 65535, &v) == 0) {
				id->has_sport = true;
				id->sport = (uint16_t)v;
			} else
				id->bad |= EVF_BAD_PORT;
		}
		if (dp != NULL && dp->kind != REC_NULL) {
			if (evf_int(dp, 0, 65535, &v) == 0) {
				id->has_dport = true;
				id->dport = (uint16_t)v;
			} else
				id->bad |= EVF_BAD_PORT;
		}
		break;
	}
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

bool
evf_involves_loopback(const struct evf_ids *id)
{
	return (id->has_src && ipaddr_is_loopback_event(&id->src)) ||
	    (id->has_dst && ipaddr_is_loopback_event(&id->dst));
}

/* Event types by name; UDP's are RECV and SEND. */
static const struct {
	const char	*name;
	enum evf_evtype	 type;
} evf_types[] = {
	{ "ACCEPT", EVF_EV_ACCEPT }, { "CONNECT", EVF_EV_CONNECT },
	{ "RETRANSMIT", EVF_EV_RETRANSMIT }, { "CLOSE", EVF_EV_CLOSE },
	{ "CONNECT_FAILED", EVF_EV_CONNECT_FAILED },
	{ "RECV", EVF_EV_UDP_RECV }, { "SEND", EVF_EV_UDP_SEND },
};

const char *
evf_evtype_name(enum evf_evtype t)
{
	size_t i;

	if (t == EVF_EV_NONE)
		return "";
	for (i = 0; i < sizeof(evf_types) / sizeof(evf_types[0]); i++)
		if (evf_types[i].type == t)
			return evf_types[i].name;
	return "UNKNOWN";
}

static void
evf_read_type(const struct rec_field *f, bool udp, struct evf_event *ev)
{
	bool trunc = false, has = false;
	int64_t v;
	size_t i;

	ev->type = EVF_EV_UNKNOWN;
	ev->type_udp = udp;
	if (f->kind == REC_NUMBER) {
		size_t n = f->vlen < sizeof(ev->type_name) ? f->vlen :
		    sizeof(ev->type_name) - 1;

		memcpy(ev->type_name, f->val, n);
		ev->type_name[n] = '\0';
	} else if (!evf_copy(f, ev->type_name, sizeof(ev->type_name), &has,
	    &trunc)) {
		ev->bad |= EVF_BAD_NUMBER;
		return;
	}
	/* A name ("CONNECT") is no number: strtoll takes no letter first. */
	if (!isalpha((unsigned char)ev->type_name[0]) && rec_i64(f, &v) == 0) {
		for (i = 0; i < sizeof(evf_types) / sizeof(evf_types[0]); i++)
			if ((int64_t)evf_types[i].type == v)
				ev->type = evf_types[i].type;
		return;
	}
	for (i = 0; i < sizeof(evf_types) / sizeof(evf_types[0]); i++)
		if (strcmp(ev->type_name, evf_types[i].name) == 0) {
			ev->type = evf_types[i].type;
			break;		/* the names differ */
		}
}

/* "sec.usec" (a string or a number): exact seconds and microseconds, the
 * fraction cut (not rounded) to six digits. -1 if not such a time. */
static int
evf_read_time(const struct rec_field *f, struct evf_event *ev)
{
	const char *s;
	size_t n, i = 0;
	int64_t sec = 0;
	int32_t usec = 0;
	int digits = 0;

	if (f->kind == REC_STRING) {
		s = f->val + 1;
		n = f->vlen - 2;
	} else if (f->kind == REC_NUMBER) {
		s = f->val;
		n = f->vlen;
	} else
		return -1;
	if (n == 0)
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (sec > (INT64_MAX - 9) / 10)
			return -1;
		sec = sec * 10 + (s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i < n && s[i] == '.') {
		size_t start = ++i;

		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (digits < 6) {
				usec = usec * 10 + (s[i] - '0');
				digits++;
			}
		if (i == start)
			return -1;
		for (; digits < 6; digits++)
			usec *= 10;
	}
	if (i != n) {
		double d;

		/* An exponent form such as 1.7e9: take it as a double. */
		if (f->kind != REC_NUMBER || rec_double(f, &d) != 0 || d < 0 ||
		    d > 9.2e18)
			return -1;
		sec = (int64_t)d;
		usec = (int32_t)((d - (double)sec) * 1e6);
	}
	ev->has_time = true;
	ev->time_sec = sec;
	ev->time_usec = usec;
	ev->time = (double)sec + usec / 1e6;
	return 0;
}

static void
evf_read_i64(const struct rec_field *f, bool *has, int64_t *out,
    unsigned *bad)
{
	if (f == NULL || f->kind == REC_NULL)
		return;
	if (rec_i64(f, out) == 0)
		*has = true;
	else
		*bad |= EVF_BAD_NUMBER;
}

static void
evf_read_u64(const struct rec_field *f, bool *has, uint64_t *out,
    unsigned *bad)
{
	if (f == NULL || f->kind == REC_NULL)
		return;
	if (rec_u64(f, out) == 0)
		*has = true;
	else
		*bad |= EVF_BAD_NUMBER;
}

static void
evf_read_dbl(const struct rec_field *f, bool *has, double *out,
    unsigned *bad)
{
	if (f == NULL || f->kind == REC_NULL)
		return;
	if (rec_double(f, out) == 0)
		*has = true;
	else
		*bad |= EVF_BAD_NUMBER;
}

/* Copies a string member of sub; a member of another kind is bad. */
static void
evf_read_str(const struct rec_field *f, char *buf, size_t size, bool *has,
    bool *trunc, unsigned *bad)
{
	if (f == NULL || f->kind == REC_NULL)
		return;
	if (!evf_copy(f, buf, size, has, trunc))
		*bad |= EVF_BAD_NUMBER;
}

static void
evf_read_proc(struct evf_reader *rd, const struct rec_field *f,
    struct evf_proc *p, unsigned *bad)
{
	/* The members read, looked up in one walk of the block. */
	enum { P_PID, P_TID, P_UID, P_GID, P_VM_SIZE, P_VM_PEAK, P_UID_NAME,
	    P_GID_NAME, P_PATH, P_CMDLINE, P_N };
	static const char *const names[P_N] = {
		"PID", "TID", "UID", "GID", "VM_SIZE", "VM_PEAK", "UID_NAME",
		"GID_NAME", "PROCESS_PATH", "PROCESS_CMDLINE",
	};
	const struct rec_field *m[P_N];
	bool has_tid = false;

	if (f == NULL || f->kind == REC_NULL)
		return;
	if (record_sub(f, &rd->sub) != REC_OK) {
		*bad |= EVF_BAD_OBJECT;
		return;
	}
	record_getv(&rd->sub, names, P_N, m);
	p->present = true;
	evf_read_i64(m[P_PID], &p->has_pid, &p->raw_pid, bad);
	evf_read_i64(m[P_TID], &has_tid, &p->raw_tid, bad);
	p->has_raw_tid = has_tid;
	/* libebpfflow swaps them: its "TID" is the process id. */
	if (has_tid && p->raw_tid != 0) {
		p->pid = p->raw_tid;
		p->tid = p->has_pid ? p->raw_pid : 0;
		p->has_pid = true;
	} else if (p->has_pid)
		p->pid = p->raw_pid;
	evf_read_i64(m[P_UID], &p->has_uid, &p->uid, bad);
	evf_read_i64(m[P_GID], &p->has_gid, &p->gid, bad);
	evf_read_i64(m[P_VM_SIZE], &p->has_vm_size, &p->vm_size, bad);
	evf_read_i64(m[P_VM_PEAK], &p->has_vm_peak, &p->vm_peak, bad);
	evf_read_str(m[P_UID_NAME], p->uid_name, sizeof(p->uid_name),
	    &p->has_uid_name, &p->truncated, bad);
	evf_read_str(m[P_GID_NAME], p->gid_name, sizeof(p->gid_name),
	    &p->has_gid_name, &p->truncated, bad);
	evf_read_str(m[P_PATH], p->path, sizeof(p->path), &p->has_path,
	    &p->truncated, bad);
	evf_read_str(m[P_CMDLINE], p->cmdline, sizeof(p->cmdline),
	    &p->has_cmdline, &p->truncated, bad);
}

/* NAME, ID, POD and NS of one container object; set fields win. */
static void
evf_read_ctfields(const struct record *s, struct evf_container *c,
    unsigned *bad)
{
	if (!c->has_id)
		evf_read_str(record_get(s, "ID"), c->id, sizeof(c->id),
		    &c->has_id, &c->truncated, bad);
	if (!c->has_name)
		evf_read_str(record_get(s, "NAME"), c->name, sizeof(c->name),
		    &c->has_name, &c->truncated, bad);
	if (!c->has_pod)
		evf_read_str(record_get(s, "POD"), c->pod, sizeof(c->pod),
		    &c->has_pod, &c->truncated, bad);
	if (!c->has_ns)
		evf_read_str(record_get(s, "NS"), c->ns, sizeof(c->ns),
		    &c->has_ns, &c->truncated, bad);
}

static void
evf_read_container(struct evf_reader *rd, const struct rec_field *f,
    struct evf_container *c, unsigned *bad)
{
	const struct rec_field *in;

	if (f == NULL || f->kind == REC_NULL)
		return;
	if (record_sub(f, &rd->sub) != REC_OK) {
		*bad |= EVF_BAD_OBJECT;
		return;
	}
	c->present = true;
	c->kind = EVF_CT_OTHER;
	evf_read_ctfields(&rd->sub, c, bad);
	if ((in = record_get(&rd->sub, "DOCKER")) != NULL)
		c->kind = EVF_CT_DOCKER;
	else if ((in = record_get(&rd->sub, "K8S")) != NULL)
		c->kind = EVF_CT_K8S;
	if (in == NULL || in->kind == REC_NULL)
		return;
	if (record_sub(in, &rd->sub2) != REC_OK) {
		*bad |= EVF_BAD_OBJECT;
		return;
	}
	evf_read_ctfields(&rd->sub2, c, bad);
}

static void
evf_read_tcp(struct evf_reader *rd, const struct rec_field *f,
    struct evf_tcp *t, unsigned *bad)
{
	struct record *s = &rd->sub;
	bool trunc = false;

	if (f == NULL || f->kind == REC_NULL)
		return;
	if (record_sub(f, s) != REC_OK) {
		*bad |= EVF_BAD_OBJECT;
		return;
	}
	t->present = true;
	evf_read_str(record_get(s, "CONN_STATE"), t->state, sizeof(t->state),
	    &t->has_state, &trunc, bad);
	evf_read_u64(record_get(s, "SEGS_IN"), &t->has_segs_in, &t->segs_in,
	    bad);
	evf_read_u64(record_get(s, "SEGS_OUT"), &t->has_segs_out,
	    &t->segs_out, bad);
	evf_read_u64(record_get(s, "UNACK_SEGMENTS"), &t->has_unack,
	    &t->unack, bad);
	evf_read_u64(record_get(s, "RETRAN_PKTS"), &t->has_retran,
	    &t->retran, bad);
	evf_read_u64(record_get(s, "LOST_PKTS"), &t->has_lost, &t->lost, bad);
	evf_read_dbl(record_get(s, "RTT"), &t->has_rtt, &t->rtt, bad);
	evf_read_dbl(record_get(s, "RTT_VARIANCE"), &t->has_rtt_var,
	    &t->rtt_var, bad);
	evf_read_u64(record_get(s, "BYTES_RCVD"), &t->has_bytes_rcvd,
	    &t->bytes_rcvd, bad);
	evf_read_u64(record_get(s, "BYTES_ACKED"), &t->has_bytes_acked,
	    &t->bytes_acked, bad);
}

static void
evf_read_agent(const struct evf_slots *sl, enum evf_key base,
    struct evf_agent *a, unsigned *bad)
{
	const struct rec_field *const *s = &sl->s[base];

	evf_read_i64(s[AG_PID], &a->has_pid, &a->pid, bad);
	evf_read_i64(s[AG_UID], &a->has_uid, &a->uid, bad);
	evf_read_i64(s[AG_FATHER_PID], &a->has_father_pid, &a->father_pid,
	    bad);
	evf_read_str(s[AG_NAME], a->name, sizeof(a->name), &a->has_name,
	    &a->truncated, bad);
	evf_read_str(s[AG_USER_NAME], a->user_name, sizeof(a->user_name),
	    &a->has_user_name, &a->truncated, bad);
	evf_read_str(s[AG_FATHER_NAME], a->father_name,
	    sizeof(a->father_name), &a->has_father_name, &a->truncated, bad);
	evf_read_str(s[AG_CMDLINE], a->cmdline, sizeof(a->cmdline),
	    &a->has_cmdline, &a->truncated, bad);
	evf_read_str(s[AG_CONTAINER_ID], a->container_id,
	    sizeof(a->container_id), &a->has_container_id, &a->truncated,
	    bad);
	evf_read_str(s[AG_PKG_NAME], a->pkg_name, sizeof(a->pkg_name),
	    &a->has_pkg_name, &a->truncated, bad);
	a->present = a->has_pid || a->has_uid || a->has_father_pid ||
	    a->has_name || a->has_user_name || a->has_father_name ||
	    a->has_cmdline || a->has_container_id || a->has_pkg_name;
}

void
evf_reader_init(struct evf_reader *rd)
{
	record_init(&rd->sub);
	record_init(&rd->sub2);
}

void
evf_reader_free(struct evf_reader *rd)
{
	record_free(&rd->sub);
	record_free(&rd->sub2);
}

int
evf_read(struct evf_reader *rd, const struct record *r, struct evf_event *ev)
{
	struct evf_slots sl;
	const struct rec_field *f;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	evf_collect(r, &sl, K_MAX);
	evf_ids_fill(&sl, &ev->id);
	ev->bad = ev->id.bad;

	if ((f = sl.s[K_TIMESTAMP]) != NULL && f->kind != REC_NULL &&
	    evf_read_time(f, ev) != 0)
		ev->bad |= EVF_BAD_TIME;
	if ((f = sl.s[K_TCPEV]) != NULL && f->kind != REC_NULL)
		evf_read_type(f, false, ev);
	else if ((f = sl.s[K_UDPEV]) != NULL && f->kind != REC_NULL)
		evf_read_type(f, true, ev);
	evf_read_dbl(sl.s[K_LATENCY], &ev->has_latency, &ev->latency_ms,
	    &ev->bad);
	evf_read_i64(sl.s[K_RETRAN], &ev->has_retran, &ev->retran_pkts,
	    &ev->bad);
	evf_read_i64(sl.s[K_TID], &ev->has_tid, &ev->tid, &ev->bad);
	f = evf_pick(&sl, K_EXP4, K_EXP6);
	if (f != NULL) {
		int rc = evf_addr(f, &ev->exporter);

		if (rc == 0)
			ev->has_exporter = true;
		else if (rc < 0)
			ev->bad |= EVF_BAD_ADDR;
	}
	evf_read_proc(rd, sl.s[K_LPROC], &ev->proc, &ev->bad);
	evf_read_proc(rd, sl.s[K_FPROC], &ev->father, &ev->bad);
	evf_read_container(rd, sl.s[K_CONTAINER], &ev->container, &ev->bad);
	evf_read_tcp(rd, sl.s[K_TCP], &ev->tcp, &ev->bad);
	evf_read_agent(&sl, K_AGENT, &ev->src_proc, &ev->bad);
	evf_read_agent(&sl, (enum evf_key)(K_AGENT + EVF_AG_N), &ev->dst_proc,
	    &ev->bad);
	evf_read_dbl(sl.s[K_CLAT], &ev->has_client_latency,
	    &ev->client_latency_ms, &ev->bad);
	evf_read_dbl(sl.s[K_SLAT], &ev->has_server_latency,
	    &ev->server_latency_ms, &ev->bad);
	for (i = 0; i < EVF_NCTR; i++) {
		bool has = false;

		evf_read_u64(evf_pick(&sl, (enum evf_key)(K_CTR + i),
		    (enum evf_key)(K_CTRID + i)), &has, &ev->ctr.v[i],
		    &ev->bad);
		if (has)
			ev->ctr.has |= 1u << i;
	}
	evf_read_dbl(evf_pick(&sl, K_FIRST, K_N22), &ev->ctr.has_first,
	    &ev->ctr.first_switched, &ev->bad);
	evf_read_dbl(evf_pick(&sl, K_LAST, K_N21), &ev->ctr.has_last,
	    &ev->ctr.last_switched, &ev->bad);
	return ev->bad ? -1 : 0;
}

bool
evf_local_is_src(const struct evf_event *ev)
{
	if (ev->id.dialect == EVF_DIALECT_LOCALREMOTE)
		return true;
	return ev->type != EVF_EV_ACCEPT;
}

const char *
evf_proc_name(const struct evf_proc *p)
{
	const char *s = strrchr(p->path, '/');

	return s != NULL ? s + 1 : p->path;
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
