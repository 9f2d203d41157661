/* viewint.h - what the parts of ev-show's view share (common/view.c,
 * viewclock.c, viewflow.c, viewcols.c, viewrows.c, viewtext.c,
 * viewutil.c): the model's structures, the column layout types and the
 * functions one part calls in another. Tools use include/view.h.
 */

#ifndef EVPIPE_VIEWINT_H
#define EVPIPE_VIEWINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "badline.h"
#include "record.h"
#include "sbuf.h"
#include "view.h"
#include "xalloc.h"

struct stats;

/* The record keys ev-show reads: the one place that names them. */
enum vkey {
	K_TYPE, K_IFACE, K_FROM, K_EVENT, K_TOPIC, K_RX, K_TIMESTAMP,
	K_V4SRC, K_V4DST, K_V6SRC, K_V6DST, K_SPORT, K_DPORT,
	K_V4LOC, K_V4REM, K_V6LOC, K_V6REM, K_LPORT, K_RPORT,
	K_PROTO, K_VLAN, K_INPKTS, K_INBYTES, K_OUTPKTS, K_OUTBYTES,
	K_FIRST, K_LAST, K_PKTS, K_BYTES,
	/* flow records: the client (SRC_) and server (DST_) processes */
	K_SPID, K_SNAME, K_SUID, K_SUSER, K_SPPID, K_SPNAME, K_SCMD, K_SCID,
	K_SCNAME, K_SPOD, K_SNS,
	K_DPID, K_DNAME, K_DUID, K_DUSER, K_DPPID, K_DPNAME, K_DCMD, K_DCID,
	K_DCNAME, K_DPOD, K_DNS,
	K_CLAT, K_SLAT, K_ENDREASON, K_TCPSTATE, K_FSTART, K_FEND, K_EVONLY,
	/* events */
	K_INTERFACE_NAME, K_IF_NAME, K_TCPEV, K_UDPEV, K_LPROC, K_LFATHER,
	K_LCONT, K_NWLAT, K_TCP, K_LISTENING, K_IPADDRS, K_EXPORTER,
	/* counters events */
	K_CIFNAME, K_CINOCT, K_CINPKT, K_CINERR, K_COUTOCT, K_COUTPKT,
	K_COUTERR,
	/* flow-agg "iface" summaries (BYTES is K_BYTES) */
	K_IFPACKETS, K_IFEVENTS, K_IFACTIVE, K_IFEXPIRED, K_IFCOUNTERS,
	K_IFLISTEN,
	/* FLOW_EVENTS; applications (nDPI, via pcap-ingest -L) */
	K_FLOWEVENTS, K_L7ID, K_L7NAME, K_L7CAT, K_DNSQ, K_HTTPHOST, K_HTTPURL,
	K_TLSSNI, K_JA3C,
	K_NKEYS
};

/* Key lookup: an open-addressing table from key text to enum vkey, built
 * once, so a record's members are classified in one pass instead of one
 * linear search per key. */
#define VKEY_SLOTS	256

/* Sizes of the text kept per item; longer values are cut. */
#define NAMELEN		128	/* process path or name */
#define SHORTLEN	40
#define ADDRLEN		48
#define IFLEN		64
#define APPLEN		48	/* an application name ("TLS.Google") */
#define HOSTLEN		96	/* a server name or URL */

/* Per-second byte buckets of one flow, for its current rate. */
#define FLOW_RSLOTS	8

struct vproc {
	int64_t	pid, ppid, uid;
	char	name[NAMELEN];	/* as sent: a path or a name */
	char	user[SHORTLEN];
	char	parent[NAMELEN];
	char	cmd[96];
	char	cid[72];
	char	cname[SHORTLEN];
	char	pod[SHORTLEN];
	bool	set;
};

/* An interned process block: every flow of a process shares one, counted
 * by refs (a flow holds one reference per side that has a process). */
struct vpnode {
	struct vproc	 p;	/* first, so a vpnode is its vproc */
	struct vpnode	*hnext;
	uint64_t	 hash;
	size_t		 refs;
};

/* One flow as flow-agg last reported it. Invariant: every flow is in the
 * hash chain of its key and in the LRU list (most recently updated first). */
struct vflow {
	struct vflow	*hnext;
	struct vflow	*lprev, *lnext;
	uint64_t	 hash;
	uint64_t	 seq;
	int		 iface;
	int		 proto;
	int		 vlan;
	unsigned	 cport, sport;
	char		 caddr[ADDRLEN], saddr[ADDRLEN];
	uint64_t	 inpk, inby, outpk, outby;
	double		 first, last;
	double		 clat, slat;	/* ms, < 0 if unknown */
	char		 state[SHORTLEN];
	bool		 ended;
	bool		 fromrec;	/* a flow record was seen: its totals
					   rule, packet records add nothing */
	double		 seen;		/* the clock at the last update */
	double		 ended_at;	/* and at the final record */
	uint64_t	 events;	/* FLOW_EVENTS */
	struct {
		int64_t		sec;
		uint64_t	by;
	}		 rb[FLOW_RSLOTS];
	const struct vproc *c, *s;	/* interned, or &view_noproc */
	struct vapp	*app;		/* NULL until an L7 field is seen */
};

/* A flow's application, as nDPI named it (man/evpipe.7). */
struct vapp {
	char	id[16];			/* L7_PROTO "7.126" */
	char	name[APPLEN];		/* L7_PROTO_NAME "HTTP.Google" */
	char	cat[SHORTLEN];		/* L7_CATEGORY */
	char	sni[HOSTLEN];		/* TLS_SERVER_NAME */
	char	host[HOSTLEN];		/* HTTP_HOST */
	char	url[HOSTLEN];		/* HTTP_URL */
	char	dns[HOSTLEN];		/* DNS_QUERY */
	char	ja3[40];		/* JA3C_HASH */
};

/* One application, aggregated per render from the flows. */
struct vapprow {
	const char		*name;	/* a flow's vapp name, or "Unknown" */
	const char		*cat;
	uint64_t		 seq;
	uint64_t		 flows, bytes, c2s, s2c;
	double			 rate;
	const struct vproc	**procs;	/* distinct, by pid and name */
	size_t			 nprocs, capprocs;
	const char		*hosts[4];	/* the first distinct names */
	size_t			 nhosts;
};

/* One process as seen on one end of flows, aggregated per render. */
struct vprocrow {
	const struct vproc	*p;
	int			 iface;
	uint64_t		 seq;
	uint64_t		 conns, asclient, asserver;
	uint64_t		 sent, rcvd;
	double			 thr;
	struct vprocrow		*hnext;
};

/* A named drop-like counter seen in a record (absolute value). */
struct vdrop {
	char	name[SHORTLEN];
	int	iface;
	uint64_t v;
};

struct viface {
	char		 name[IFLEN];
	char		 from[IFLEN];	/* _iface of copies delivered here */
	char		 via[IFLEN];	/* _iface a counters event came on */
	uint64_t	 seq;
	uint64_t	 pkts, bytes;	/* from packet records */
	uint64_t	 fpkts, fbytes;	/* from the growth of flow records */
	uint64_t	 events, records;
	uint64_t	 flows;		/* flows in the model */
	bool		 has_agg;	/* flow-agg "iface" totals seen */
	uint64_t	 aflows, apkts, abytes, aevents;
	bool		 has_ctr;
	uint64_t	 inoct, inpkt, outoct, outpkt, errs;
	bool		 companion, mirrored, ifname_target;
};

struct vlisten {
	int		 iface;
	uint64_t	 seq;
	char		 host[ADDRLEN];
	char		 proto[8];
	unsigned	 port;
	char		 proc[NAMELEN];
	char		 pkg[SHORTLEN];
};

struct vevent {
	uint64_t	 seq;
	double		 t;
	int		 iface;
	int		 proto;
	char		 kind[12];
	char		 type[24];
	char		 src[ADDRLEN + 8], dst[ADDRLEN + 8];
	char		 proc[NAMELEN];
	char		 ifname[SHORTLEN];
	char		 detail[96];
};

/* Columns of this priority and above are extras (see view_layout). */
#define VIEW_EXTRA	6

/* Column flags. */
#define C_NUM	0x01	/* sorted by number, right-aligned */
#define C_TAIL	0x02	/* cut at the front, keeping the end (addresses);
			   as wide as its longest value when the room allows */
#define C_OPT	0x04	/* hidden while no row has a value for it */
#define C_FIT	0x08	/* grows to its longest value before others widen */

/* A column: shown at widths from minw to maxw (want: the width that
 * fits its usual values, given before anything grows to maxw); columns of
 * a lower prio are dropped first when the width is short. */
struct vcol {
	const char	*name;
	unsigned char	 minw, want, maxw, prio, flags;
};

/* An IPv6 endpoint at its longest: "[" 45 "]:" 5. */
#define ENDPOINTLEN	53

enum { FC_IFACE, FC_PROTO, FC_APP, FC_CLIENT, FC_SERVER, FC_C2S, FC_S2C,
	FC_BYTES, FC_PKTS, FC_RATE, FC_THR, FC_CPROC, FC_SPROC, FC_CUSER,
	FC_SUSER, FC_CCONT, FC_SCONT, FC_LAT, FC_STATE };

enum { PC_IFACE, PC_PROC, PC_PID, PC_USER, PC_PARENT, PC_CONT, PC_CONNS,
	PC_CLI, PC_SRV, PC_SENT, PC_RCVD, PC_THR };

enum { IC_NAME, IC_ROLE, IC_PKTS, IC_BYTES, IC_EVENTS, IC_FLOWS, IC_IN,
	IC_OUT, IC_INPKT, IC_OUTPKT, IC_ERRS, IC_FROM };

enum { LC_IFACE, LC_HOST, LC_PROTO, LC_PORT, LC_PROC, LC_PKG, LC_PATH };

enum { EC_TIME, EC_IFACE, EC_KIND, EC_TYPE, EC_PROTO, EC_SRC, EC_DST,
	EC_PROC, EC_IFNAME };

enum { AC_APP, AC_CAT, AC_FLOWS, AC_BYTES, AC_C2S, AC_S2C, AC_RATE,
	AC_PROCS, AC_PROCNAMES };

#define MAXCOLS	19

/* Per-second buckets of record time for the rates. */
#define RATE_SLOTS	64

/* Packets are counted twice over: from packet records (pk) and from the
 * growth of flow records (fpk); the same packets may arrive both ways (a
 * demo feeding ev-show both), so a rate takes the larger, never the sum. */
struct vbucket {
	int64_t		sec;
	uint64_t	ev, fev, pk, fpk;	/* fev: FLOW_EVENTS growth */
};

/* One row handed to the sorter: the item and its sort key. */
struct vsortent {
	const void	*it;
	double		 num;
	double		 num2;		/* the tie-breaker (flows: bytes) */
	uint64_t	 seq;
	char		 str[48];
};

struct view {
	struct view_conf conf;
	struct stats	*st;
	struct record	 rec, sub, sub2, sub3, sub4;

	int16_t		 keyslot[VKEY_SLOTS];
	uint8_t		 keylen[K_NKEYS];

	/* interned processes */
	struct vpnode	**ptab;
	size_t		 ptsize, nprocs;

	/* flows */
	struct vflow	**htab;
	size_t		 hsize, nflows;
	struct vflow	*lru_head, *lru_tail;
	uint64_t	 seq;

	struct viface	*ifs;
	size_t		 nifs, capifs;

	struct vlisten	*ls;
	size_t		 nls, capls;

	struct vevent	*evs;		/* ring of conf.max_events */
	size_t		 evnext, nevs;

	struct vdrop	*drops;
	size_t		 ndrops, capdrops;

	struct vbucket	 rate[RATE_SLOTS];
	double		 tfirst, tnow;	/* the view's clock: first and now */
	double		 tnow_rec;	/* the clock when records last came */
	double		 wall_rec;	/* and the wall clock then */
	uint64_t	 fed, fed_tick;	/* records fed: all, at the last tick */

	/* per-render state */
	struct vprocrow	*prows;
	size_t		 nprows, capprows;
	struct vprocrow	**phash;
	size_t		 phsize;
	struct vsortent	*sortv;
	size_t		 capsort;
	struct vapprow	*arows;
	size_t		 narows, caparows;
	/* per view and column: the longest value of the last collect
	   (C_TAIL, C_OPT columns only), 0 when no row has a value */
	unsigned char	 cw[VIEW_NKINDS][MAXCOLS];
	bool		 multi_iface;	/* flows of several interfaces shown */
	/* What the rows depend on changed (a record, a flow gone, a
	   filter): cw[k] is measured again when cw_gen[k] differs. */
	uint64_t	 gen, cw_gen[VIEW_NKINDS];
	const void	**shown[VIEW_NKINDS];	/* last render's rows, sorted */
	size_t		 nshown[VIEW_NKINDS], capshown[VIEW_NKINDS];

	int		 sortcol[VIEW_NKINDS];
	bool		 sortdesc[VIEW_NKINDS];
	char		 filter[128];
	char		 ifilter[IFLEN];

	uint64_t	*c_records, *c_flow, *c_iface, *c_event, *c_packet;
	uint64_t	*c_other, *c_evicted, *c_badfield, *c_expired;
	uint64_t	*c_overlong;	/* lines cut at the line limit */
	struct badline	 bad;		/* lines that are not records */
	uint64_t	*c_err[8];
};

/* Grows an array so it holds at least need elements. */
#define VIEW_GROW(arr, cap, need) do {					\
	if ((need) > (cap)) {						\
		size_t nc_ = (cap) ? (cap) * 2 : 16;			\
		while (nc_ < (need))					\
			nc_ *= 2;					\
		(arr) = xreallocarray((arr), nc_, sizeof(*(arr)));	\
		(cap) = nc_;						\
	}								\
} while (0)

/* A view as data: its names, its columns and its default order. */
struct viewdef {
	const char		*name, *shortname;
	const struct vcol	*c;
	int			 n;
	int			 sort;		/* default sort column */
	bool			 desc;
};
extern const struct viewdef view_def[VIEW_NKINDS];

/* The side of a flow without a process. */
extern const struct vproc view_noproc;

/* viewutil.c: bounded copies, numbers, units. */
/* Copies s into buf (size bytes), cut at a UTF-8 character start. */
void	 view_cpy(char *buf, size_t size, const char *s);
/* Copies a string (or number) value into buf, cut to fit, control
 * characters replaced; "" if absent or not text. */
void	 view_str(const struct rec_field *f, char *buf, size_t size);
/* A member's number, or dflt (0) when absent or not a number. */
int64_t	 view_i64(const struct rec_field *f, int64_t dflt);
uint64_t view_u64(const struct rec_field *f);
double	 view_dbl(const struct rec_field *f, double dflt);
/* A time in seconds; milliseconds (nProbe's *_SWITCHED in ms) scaled. */
double	 view_time(const struct rec_field *f);
/* The base name of a path ("/usr/bin/curl" -> "curl"). */
const char *view_base(const char *p);
/* "tcp", "udp", ... or the number in buf; "-" for -1. */
const char *view_protoname(int p, char *buf, size_t n);
/* Human units: bytes in powers of 1024, counts and rates in powers of
 * 1000, each followed by suffix. */
void	 view_hbytes(char *buf, size_t n, double v, const char *suffix);
void	 view_hcount(char *buf, size_t n, double v, const char *suffix);
void	 view_hrate(char *buf, size_t n, double v, const char *suffix);
/* Formats address and port as "a:p", "[v6]:p" or just "a". */
void	 view_endpoint(char *buf, size_t n, const char *addr, long port);

/* viewclock.c: the view's clock, the rates and the ageing of flows. */
/* A record's time t (0: it has none) moves the clock on; a record without
 * a time takes the clock, or the wall clock when there is none yet.
 * Returns the record's time. */
double	 view_stamp(struct view *v, double t);
/* Counts events (ev: records, fev: FLOW_EVENTS growth) and packets (pk:
 * records, fpk: flow growth) at record time t. */
void	 view_rate_add(struct view *v, double t, uint64_t ev, uint64_t fev,
	    uint64_t pk, uint64_t fpk);
/* Events and packets per second over the last window of record time. */
void	 view_rates(const struct view *v, double *evs, double *pks);
/* Removes the flows whose linger (after a final record) or idle time has
 * passed on the view's clock; counted as flows_expired. */
void	 view_expire(struct view *v);

/* viewflow.c: the flow table. */
/* A hash of a flow key (the ends in the order given). */
uint64_t view_flowhash(int iface, int proto, int vlan, const char *ca,
	    unsigned cp, const char *sa, unsigned sp);
/* Unlinks and frees a flow, dropping its process references. */
void	 view_flow_remove(struct view *v, struct vflow *f);
/* A flow's bytes per second over the last window of the view's clock. */
double	 view_flowrate(const struct view *v, const struct vflow *f);
/* A flow's server name: TLS SNI, else HTTP host, else DNS query, or "". */
const char *view_flowhost(const struct vflow *f);
/* Applies a flow record (fv: its members by key) at time now: 0, or -1
 * when its key is malformed (counted). */
int	 view_feed_flow(struct view *v, const struct rec_field **fv, int iface,
	    double now);
/* A packet record's part in its flow, as iftop counts: the flow of its
 * two ends in either direction, its first packet's source the client. A
 * flow known from flow records keeps their totals. */
void	 view_packet_flow(struct view *v, const struct rec_field **fv,
	    int iface, double t, uint64_t pk, uint64_t by);

/* viewcols.c: cells. */
/* A flow's bytes per second over its life, and its number in column col
 * (FC_*) for sorting. */
double	 view_flowthr(const struct vflow *f);
double	 view_flownum(const struct vflow *f, int col);
/* The text of item it (a row of view k) in column col, cut to n. */
void	 view_cell(const struct view *v, enum view_kind k, const void *it,
	    int col, char *buf, size_t n);
/* Its number in a numeric column, for sorting; its arrival order. */
double	 view_num(const struct view *v, enum view_kind k, const void *it,
	    int col);
uint64_t view_seqof(enum view_kind k, const void *it);
/* Appends the detail text of one item: full paths, command lines, ids,
 * the application and its names. */
void	 view_detailtext(const struct view *v, enum view_kind k,
	    const void *it, struct sbuf *out);

/* viewrows.c: rows and columns for a width. */
/* Chooses the columns shown at width and their widths (see viewrows.c);
 * returns the count, idx[] in display order. */
int	 view_layout(const struct view *v, enum view_kind k, int width,
	    int *idx, int *w);
/* Collects view k's rows into v->shown[k], filtered and sorted. */
void	 view_collect(struct view *v, enum view_kind k);

#endif
