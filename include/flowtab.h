/* flowtab.h - the flow table: bidirectional flows, interned process
 * blocks, record-time expiry.
 *
 * A flow is keyed by (interface, protocol, the two endpoints without
 * direction, VLAN when asked for). Side 0 of a flow is its client, side 1
 * its server. Time is whatever the caller says it is (record time, in
 * microseconds); the table never reads a clock, so the same calls give the
 * same flows in the same order.
 *
 * Flows live in fixed chunks (pointers stay valid until the flow ends),
 * are found through a chained hash of 32-bit indices, and sit on one of
 * two least-recently-touched lists: "open" (idle timeout) and "closing"
 * (FIN, RST or a CLOSE event was seen: shorter timeout). Every flow that
 * leaves the table goes through the emit callback first, with its reason.
 * Process blocks are shared by many flows, so they are interned: stored
 * once, reference counted, and named by a 32-bit id in the flow.
 */
#ifndef EVPIPE_FLOWTAB_H
#define EVPIPE_FLOWTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a flow left the table (FLOW_END_REASON). */
enum flow_end {
	FLOW_END_NONE = 0,	/* still active (interim updates) */
	FLOW_END_IDLE,
	FLOW_END_ACTIVE,
	FLOW_END_FIN,
	FLOW_END_RST,
	FLOW_END_CLOSE,		/* a CLOSE event */
	FLOW_END_EVICTED,
	FLOW_END_EOF,		/* end of input */
};

/* The key as the caller builds it: side 0 is the sender of the record at
 * hand. IPv4 addresses take the first 4 bytes of addr, the rest zero. */
struct flowtab_key {
	uint8_t		 addr[2][16];
	uint16_t	 port[2];
	uint8_t		 proto;
	uint8_t		 family;	/* 4 or 6 */
	uint16_t	 vlan;		/* 0 unless VLAN is part of the key */
	uint16_t	 iface;		/* from flowtab_iface() */
};

/* Process block fields. Strings are UTF-8, decoded (no JSON escapes). */
enum flow_pstr {
	FP_NAME,		/* PROCESS_PATH: SRC_PROC_NAME */
	FP_CMDLINE,
	FP_USER,		/* UID_NAME */
	FP_GROUP,		/* GID_NAME */
	FP_FNAME,		/* father's PROCESS_PATH */
	FP_FUSER,		/* father's UID_NAME */
	FP_PKG,			/* package name (nProbe agent) */
	FP_CID,			/* container id */
	FP_CNAME,		/* container name */
	FP_CPOD,		/* Kubernetes pod */
	FP_CNS,			/* Kubernetes namespace */
	FP_CKIND,		/* "docker" or "k8s" */
	FP_NSTR
};
enum flow_pnum {
	FP_PID, FP_TID, FP_UID, FP_GID, FP_FPID, FP_FUID, FP_NNUM
};

/* One process block (with its father and container). s[i] is NULL when
 * absent; bit i of nset says n[i] is present. In blocks the caller builds
 * the strings are borrowed; in interned blocks they belong to the table. */
struct flow_proc {
	const char	*s[FP_NSTR];
	int64_t		 n[FP_NNUM];
	uint32_t	 nset;
};

/* Socket state from a netstat event (absolute counters). */
struct flow_tcpinfo {
	char		 state[16];	/* CONN_STATE, "" if absent */
	double		 rtt, rttvar;
	uint64_t	 segs_in, segs_out, unack, retran, lost;
	uint64_t	 bytes_rcvd, bytes_acked;
	uint32_t	 set;		/* bit per field present, FT_* */
};
enum { FT_RTT = 1, FT_RTTVAR = 2, FT_SEGS_IN = 4, FT_SEGS_OUT = 8,
	FT_UNACK = 16, FT_RETRAN = 32, FT_LOST = 64, FT_BYTES_RCVD = 128,
	FT_BYTES_ACKED = 256 };

/* Application fields (from DPI, carried by packet records; man/evpipe.7).
 * Values are kept as the JSON string text they arrived as, quotes
 * included, and written back unchanged. */
enum flow_l7f {
	FL7_PROTO,		/* L7_PROTO */
	FL7_PROTO_NAME,		/* L7_PROTO_NAME */
	FL7_CATEGORY,		/* L7_CATEGORY */
	FL7_DNS_QUERY,		/* DNS_QUERY */
	FL7_HTTP_HOST,		/* HTTP_HOST */
	FL7_HTTP_URL,		/* HTTP_URL */
	FL7_TLS_SERVER_NAME,	/* TLS_SERVER_NAME */
	FL7_JA3C_HASH,		/* JA3C_HASH */
	FL7_N
};
struct flow_l7 {
	char		*v[FL7_N];	/* NULL when absent */
	uint16_t	 len[FL7_N];
};

/* Flow state bits. */
enum {
	FLOW_SETTLED = 1,	/* client/server known (SYN or an event) */
	FLOW_CLOSING = 2,	/* on the closing list */
	FLOW_HAS_PKTS = 4,	/* packets or flow counters seen */
	FLOW_HAS_LAT0 = 8,	/* lat[0] set */
	FLOW_HAS_LAT1 = 16,	/* lat[1] set */
};

/* One flow. The caller reads and updates the counters; the table owns the
 * key, the list links and the process references. About 150 bytes. */
struct flow {
	struct flowtab_key key;	/* side 0 = client */
	uint32_t	 hnext;		/* hash chain (index, 0 = end) */
	uint32_t	 prev, next;	/* LRU list (index, 0 = end) */
	uint32_t	 proc[2];	/* interned process ids, 0 = none */
	uint32_t	 tcp;		/* netstat info id, 0 = none */
	uint32_t	 hash;		/* of key, the table's own (the same
					   either way round) */
	struct flow_l7	*l7;		/* application fields, NULL = none */
	uint64_t	 pkts[2], bytes[2];	/* [0] client to server */
	int64_t		 first, last;	/* microseconds */
	float		 lat[2];	/* client, server latency in ms */
	uint32_t	 events;	/* flow events merged */
	uint32_t	 retrans[2];	/* RETRANSMIT events, per sender */
	uint8_t		 flags[2];	/* TCP flags OR-ed, per sender */
	uint8_t		 state;		/* FLOW_* bits */
	uint8_t		 why;		/* pending enum flow_end when closing */
};

struct flowtab_conf {
	int64_t		 idle_us;	/* idle timeout; default 60 s */
	int64_t		 active_us;	/* active timeout; 0 = none */
	int64_t		 closing_us;	/* timeout after FIN/RST/CLOSE */
	uint32_t	 max_flows;	/* 0 = no limit (up to 2^31) */
};

/* Called for every flow leaving the table, before it is freed (and for
 * interim updates with FLOW_END_NONE, and on active timeout). */
typedef void (*flowtab_emit_fn)(void *arg, const struct flow *f,
	    enum flow_end why);

struct flowtab;

/* A new empty table; conf is copied. Aborts on out-of-memory. */
struct flowtab *flowtab_new(const struct flowtab_conf *conf,
	    flowtab_emit_fn emit, void *arg);
/* Frees the table without emitting anything; *ftp becomes NULL. */
void	flowtab_destroy(struct flowtab **ftp);

/* The id of interface name (len bytes), added if new. Ids count from 0
 * in order of first use; at most 65535 names (then the last id is
 * reused). */
uint16_t flowtab_iface(struct flowtab *ft, const char *name, size_t len);
const char *flowtab_iface_name(const struct flowtab *ft, uint16_t id);
/* The name of interface id as a JSON string literal (quotes included,
 * escaped as sbuf_add_jstr() does, up to a NUL the name holds) and its
 * length in *len; "\"\"" for an unknown id. Owned by the table. */
const char *flowtab_iface_json(const struct flowtab *ft, uint16_t id,
	    size_t *len);
uint16_t flowtab_nifaces(const struct flowtab *ft);

/* The flow with key k in either direction, or NULL. *dir is 0 when k's
 * side 0 is the flow's client, 1 otherwise. */
struct flow *flowtab_lookup(struct flowtab *ft, const struct flowtab_key *k,
	    int *dir);
/* A new flow for k (side 0 becomes the client) seen at now, which must not
 * exist yet. When the table is full the oldest flow is emitted first
 * (FLOW_END_EVICTED). Never NULL (aborts on out-of-memory). */
struct flow *flowtab_insert(struct flowtab *ft, const struct flowtab_key *k,
	    int64_t now);
/* Marks f seen at t (last-seen grows, first-seen shrinks as needed) and
 * moves it to the tail of its list. */
void	flowtab_touch(struct flowtab *ft, struct flow *f, int64_t t);
/* Marks f seen at t as flowtab_touch() does but leaves it where it is in
 * its list: for a time the caller's flowtab_touch() of f follows, which
 * moves it then. */
void	flowtab_seen(struct flow *f, int64_t t);
/* Moves f to the closing list with the reason it will end with; a flow
 * already closing keeps its first reason. */
void	flowtab_closing(struct flowtab *ft, struct flow *f, enum flow_end why);
/* Swaps client and server of f (counters, flags, processes, latency). */
void	flowtab_swap(struct flow *f);
/* If f has been active longer than the active timeout at now, emits it
 * (FLOW_END_ACTIVE) and resets its counters, keeping key and processes.
 * Returns true if it did. */
bool	flowtab_check_active(struct flowtab *ft, struct flow *f, int64_t now);
/* Emits f with why and frees it. */
void	flowtab_end(struct flowtab *ft, struct flow *f, enum flow_end why);
/* Emits and frees every flow whose timeout has passed at now. Returns
 * how many. */
size_t	flowtab_expire(struct flowtab *ft, int64_t now);
/* Emits and frees every flow, oldest first, with why. */
size_t	flowtab_flush(struct flowtab *ft, enum flow_end why);
/* Calls fn for every flow, oldest first (open list, then closing list),
 * without changing anything. */
void	flowtab_foreach(struct flowtab *ft, flowtab_emit_fn fn, void *arg);

/* Number of flows in the table, and per interface. */
size_t	flowtab_count(const struct flowtab *ft);
uint64_t flowtab_iface_active(const struct flowtab *ft, uint16_t iface);
uint64_t flowtab_iface_expired(const struct flowtab *ft, uint16_t iface);
uint64_t flowtab_evicted(const struct flowtab *ft);

/* Interns p (its strings are copied) and returns its id with one
 * reference taken, or 0 if p is entirely empty. */
uint32_t flowtab_proc_intern(struct flowtab *ft, const struct flow_proc *p);
/* Sets f's side to process p: merged field by field over what that side
 * already had (p's present fields win). */
void	flowtab_set_proc(struct flowtab *ft, struct flow *f, int side,
	    const struct flow_proc *p);

/* An interned block named so that a freed and reused id is not taken for
 * it: each block made gets a stamp no block had before. */
struct flowtab_pref {
	uint32_t	 id;		/* 0: none */
	uint64_t	 stamp;
};

/* The block of f's side (id 0 if none). */
struct flowtab_pref flowtab_proc_ref(const struct flowtab *ft,
	    const struct flow *f, int side);
/* Gives f's side the block r names (one more reference) if that side has
 * none and the block is still live: what flowtab_set_proc() would do with
 * the process r was interned for, without comparing it again. True if
 * done; false, nothing changed, otherwise. */
bool	flowtab_proc_share(struct flowtab *ft, struct flow *f, int side,
	    struct flowtab_pref r);
/* The interned block id (never NULL for a valid id other than 0). */
const struct flow_proc *flowtab_proc(const struct flowtab *ft, uint32_t id);
/* Interned blocks alive. */
size_t	flowtab_nprocs(const struct flowtab *ft);
/* The text kept by flowtab_proc_json_set() for block id on side (0 or 1),
 * its length in *len; NULL when none is kept. */
const char *flowtab_proc_json(const struct flowtab *ft, uint32_t id,
	    int side, size_t *len);
/* Keeps a copy of text[0..len), what block id writes on side, for
 * flowtab_proc_json() until the block is freed (an interned block never
 * changes, so the text stays right). */
void	flowtab_proc_json_set(struct flowtab *ft, uint32_t id, int side,
	    const char *text, size_t len);

/* The netstat info of f, created empty when create is true; NULL if
 * there is none and create is false. */
struct flow_tcpinfo *flowtab_tcpinfo(struct flowtab *ft, struct flow *f,
	    bool create);
const struct flow_tcpinfo *flowtab_tcpinfo_get(const struct flowtab *ft,
	    const struct flow *f);

/* The record key of application field i ("L7_PROTO", ...). */
const char *flowtab_l7_name(enum flow_l7f i);
/* The same keys by enum flow_l7f, with their lengths, for readers that
 * compare many record keys against them. */
struct flowtab_l7key {
	const char	*name;
	size_t		 len;
};
extern const struct flowtab_l7key flowtab_l7keys[FL7_N];
/* Gives f application field i, the JSON string text json (len bytes,
 * quotes included), unless it has one: returns 1 when set, 0 when f
 * already had this value, -1 when it had another (which is kept). Both
 * directions of a flow share the fields; they live as long as the flow
 * (an active timeout keeps them). */
int	flowtab_l7_set(struct flow *f, enum flow_l7f i, const char *json,
	    size_t len);

/* The name of a reason ("idle", ...), never NULL. */
const char *flowtab_endname(enum flow_end why);

#endif
