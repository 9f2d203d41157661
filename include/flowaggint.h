/* flowaggint.h - what the parts of flow-agg's core share (common/flowagg.c,
 * the records and interfaces; flowaggpkt.c, packet records; flowaggev.c,
 * events and flow records; flowaggcp.c, copies of an event): the core's
 * structure and the functions one part calls in another. Tools use
 * include/flowagg.h.
 */
#ifndef EVPIPE_FLOWAGGINT_H
#define EVPIPE_FLOWAGGINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "badline.h"
#include "evfields.h"
#include "flowagg.h"
#include "flowtab.h"
#include "ipaddr.h"
#include "record.h"
#include "sbuf.h"

#define FA_SEC		1000000LL
/* The last second of the year 9999: a later "time" is no time, and in
 * microseconds it would overflow. */
#define FA_MAXSEC	253402300799LL
#define FA_FRAGS	65536		/* fragment cache slots (power of 2) */
#define FA_FRAG_TTL	(30 * FA_SEC)	/* how long a first fragment is kept */

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_ACK	0x10

/* A first fragment seen: later fragments with the same addresses,
 * protocol and id join the flow of key (oriented sender first). */
struct fa_frag {
	struct flowtab_key key;
	uint32_t	 id;
	int64_t		 t;
	bool		 used;
};

/* A parsed address and its text. */
#define FA_ACACHE	4
struct fa_acache {
	char		 txt[IPADDR_STRLEN];
	size_t		 len;		/* 0: empty slot */
	bool		 v6;
	uint8_t		 a[16];
};

/* One stored JSON text under a name (interface counters per ifName,
 * listening sockets per host), kept in arrival order of the name. */
struct fa_kv {
	char		*name;
	char		*json;
	struct fa_kv	*next;
};

/* What flow-agg knows about one _iface besides its flows. */
struct fa_ifstat {
	uint64_t	 pkts, bytes;		/* from packet records */
	uint64_t	 packet_records, events, flow_records;
	struct fa_kv	*counters;		/* latest counters by ifName */
	struct fa_kv	*listening;		/* latest sockets by host */
};

/* The pipeline's members a record is dispatched on (common/flowagg.c),
 * each the first member of its key as record_get() finds it. */
struct fa_heads {
	const struct rec_field *type, *iface, *event, *topic;
};

/* The event read last and a copy of it (common/flowaggcp.c). */
struct fa_last {
	char		*text;	/* its members from the first whose key does
				   not start with '_' to the '}' */
	size_t		 len, cap;	/* len 0: none kept */
	bool		 compact;	/* text has no white space */
	/* Their index: fa->rec's members from fi on, made for the same text
	 * at from (a line since gone: only its address is used). */
	bool		 indexed;
	size_t		 fi;
	const char	*from;
	bool		 cur;	/* the event read last has these members */
	int		 l7;	/* they hold an application field: 1 no,
				   2 yes, 0 not known */
	unsigned	 misses;	/* events read in a row, none a copy */
	unsigned	 skip;		/* events to read without keeping */
	char		*pre;	/* a copy's leading members, closed by '}' */
	size_t		 precap;
	struct record	 copy;		/* a copy: those, then fa->rec's */
	bool		 copyall;	/* copy's leading keys all start
					   with '_' */
	/* The indexed event's leading members (fa->rec's first fi), for
	 * ev-route's copies spliced from them: their text from after the
	 * '{' to the members kept, and the span of the value of its _iface
	 * if one of them (ia its index; SIZE_MAX: none). */
	char		*lead;
	size_t		 leadlen, leadcap;
	size_t		 ia, va, vb;
	bool		 spliced;	/* copy is such a splice */
	/* The members flowagg.c's dispatch found in fa->rec: a splice has
	 * them one further on, and its _iface is the one changed. */
	struct fa_heads	 heads;
};

struct fa_ctrs {
	uint64_t	*lines, *packets, *events, *flow_records, *netstat;
	uint64_t	*counters, *listening, *other, *flows_out, *flows_new;
	uint64_t	*event_only, *interim, *ifaces_out, *frag_joined;
	uint64_t	*frag_orphans, *backwards, *nonip, *unplaced;
	uint64_t	*no_type, *bad_type, *bad_packet;
	uint64_t	*bad_event, *bad_time, *degenerate, *role_conflict;
	uint64_t	*evicted, *lost;
	uint64_t	*l7_conflicts;	/* made at the first one */
	struct badline	 bad;		/* lines that are not records */
};

/* The local process block fa_ev_details() last interned for a flow's
 * side that had none, and the event it was read from (fa->evgen). */
struct fa_pshare {
	uint64_t	 gen;
	struct flowtab_pref ref;
};

struct flowagg {
	struct flowagg_conf conf;
	flowagg_out_fn	 out;
	void		*arg;
	struct stats	*st;
	struct fa_ctrs	 c;
	struct flowtab	*ft;
	struct record	 rec;
	struct evf_reader rd;
	struct evf_event *ev;
	uint64_t	 evgen;		/* events read into ev so far */
	struct fa_pshare pshare;
	struct fa_last	 last;
	struct sbuf	 ob;
	int64_t		 now;		/* largest record time, microseconds */
	int64_t		 maxfirst;	/* largest first time of a record */
	bool		 started;
	int64_t		 next_interim;
	bool		 lost;
	struct fa_ifstat *ifs;
	size_t		 nifs;
	struct fa_frag	*frags;
	struct fa_acache acache[FA_ACACHE];
	unsigned	 anext;
};

/* Is member f's key the klen bytes k (as written, escapes not decoded)? */
static inline bool
fa_keyis(const struct rec_field *f, const char *k, size_t klen)
{
	return f->klen == klen && memcmp(f->key, k, klen) == 0;
}
#define KEYIS(f, lit)	fa_keyis((f), (lit), sizeof(lit) - 1)

/* flowagg.c */

/* The id of the interface an "_iface" member names (escapes decoded), or
 * -1 when f is not a usable name. */
int	fa_iface_field(struct flowagg *fa, const struct rec_field *f);
/* Advances the clock to last (a record's last-seen time; its first is
 * t), expiring flows and writing the interim updates that fall due. */
void	fa_clock(struct flowagg *fa, int64_t t, int64_t last);
/* A record time in microseconds into *us: 0, or -1 if f is no time. */
int	fa_time(const struct rec_field *f, int64_t *us);

/* flowaggpkt.c */

/* Gives flow f the application fields of r (string members only); true
 * if r has any. */
bool	fa_l7(struct flowagg *fa, struct flow *f, const struct record *r);
/* Adds one packet record r to its flow (bad ones counted and skipped). */
void	fa_packet(struct flowagg *fa, const struct record *r);

/* flowaggev.c */

/* Adds a flow event (kind 0) or a netstat socket update (kind 1), already
 * read into fa->ev, or a plain flow record, to its flow. */
void	fa_flowish(struct flowagg *fa, const struct record *r, uint16_t ifid,
	    int kind);

/* flowaggcp.c */

/* Reads r into fa->ev as evf_read() does, with its return value; a record
 * whose members past the pipeline's leading "_" ones are the same text as
 * the last record read's is not read again. */
int	fa_ev_read(struct flowagg *fa, const struct record *r);
/* Parses line[0..len) as record_parse() does, with its result, into
 * fa->rec or, for a line that ends with the members of the event read
 * last, into a record of its own (*rp says which). */
int	fa_parse(struct flowagg *fa, const char *line, size_t len,
	    const struct record **rp);
/* Frees what fa->last holds. */
void	fa_last_free(struct fa_last *l);

#endif
