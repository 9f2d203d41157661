/* view.c - ev-show's model and plain-text tables (include/view.h).
 *
 * Implements the reading side of the record contract (man/evpipe.7):
 * flow-agg's "flow" and "iface" records, zmq-ingest's "event" records
 * (both producer dialects, doc/wire-format.md "eBPF events") and pcap-ingest's
 * "packet" records. Every key name ev-show reads is in view_keyname[]
 * below and nowhere else.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <err.h>

#include "linebuf.h"
#include "record.h"
#include "sbuf.h"
#include "stats.h"
#include "view.h"

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
	K_NKEYS
};

static const char *const view_keyname[K_NKEYS] = {
	[K_TYPE] = "_type", [K_IFACE] = "_iface", [K_FROM] = "_from",
	[K_EVENT] = "_event", [K_TOPIC] = "_topic", [K_RX] = "_rx",
	[K_TIMESTAMP] = "timestamp",
	[K_V4SRC] = "IPV4_SRC_ADDR", [K_V4DST] = "IPV4_DST_ADDR",
	[K_V6SRC] = "IPV6_SRC_ADDR", [K_V6DST] = "IPV6_DST_ADDR",
	[K_SPORT] = "L4_SRC_PORT", [K_DPORT] = "L4_DST_PORT",
	[K_V4LOC] = "IPV4_LOCAL_ADDR", [K_V4REM] = "IPV4_REMOTE_ADDR",
	[K_V6LOC] = "IPV6_LOCAL_ADDR", [K_V6REM] = "IPV6_REMOTE_ADDR",
	[K_LPORT] = "L4_LOCAL_PORT", [K_RPORT] = "L4_REMOTE_PORT",
	[K_PROTO] = "PROTOCOL", [K_VLAN] = "VLAN_ID",
	[K_INPKTS] = "IN_PKTS", [K_INBYTES] = "IN_BYTES",
	[K_OUTPKTS] = "OUT_PKTS", [K_OUTBYTES] = "OUT_BYTES",
	[K_FIRST] = "FIRST_SWITCHED", [K_LAST] = "LAST_SWITCHED",
	[K_PKTS] = "PKTS", [K_BYTES] = "BYTES",
	[K_SPID] = "SRC_PROC_PID", [K_SNAME] = "SRC_PROC_NAME",
	[K_SUID] = "SRC_PROC_UID", [K_SUSER] = "SRC_PROC_USER_NAME",
	[K_SPPID] = "SRC_FATHER_PROC_PID",
	[K_SPNAME] = "SRC_FATHER_PROC_NAME", [K_SCMD] = "SRC_PROC_CMDLINE",
	[K_SCID] = "SRC_PROC_CONTAINER_ID",
	[K_SCNAME] = "SRC_PROC_CONTAINER_NAME",
	[K_SPOD] = "SRC_PROC_CONTAINER_POD", [K_SNS] = "SRC_PROC_CONTAINER_NS",
	[K_DPID] = "DST_PROC_PID", [K_DNAME] = "DST_PROC_NAME",
	[K_DUID] = "DST_PROC_UID", [K_DUSER] = "DST_PROC_USER_NAME",
	[K_DPPID] = "DST_FATHER_PROC_PID",
	[K_DPNAME] = "DST_FATHER_PROC_NAME", [K_DCMD] = "DST_PROC_CMDLINE",
	[K_DCID] = "DST_PROC_CONTAINER_ID",
	[K_DCNAME] = "DST_PROC_CONTAINER_NAME",
	[K_DPOD] = "DST_PROC_CONTAINER_POD", [K_DNS] = "DST_PROC_CONTAINER_NS",
	[K_CLAT] = "CLIENT_NW_LATENCY_MS", [K_SLAT] = "SERVER_NW_LATENCY_MS",
	[K_ENDREASON] = "FLOW_END_REASON", [K_TCPSTATE] = "TCP_CONN_STATE",
	[K_FSTART] = "FLOW_START_SEC", [K_FEND] = "FLOW_END_SEC",
	[K_EVONLY] = "FLOW_EVENT_ONLY",
	[K_INTERFACE_NAME] = "INTERFACE_NAME", [K_IF_NAME] = "IF_NAME",
	[K_TCPEV] = "TCP_EVENT_TYPE", [K_UDPEV] = "UDP_EVENT_TYPE",
	[K_LPROC] = "LOCAL_PROCESS", [K_LFATHER] = "LOCAL_FATHER_PROCESS",
	[K_LCONT] = "LOCAL_CONTAINER", [K_NWLAT] = "NW_LATENCY_MS",
	[K_TCP] = "TCP", [K_LISTENING] = "listening-ports",
	[K_IPADDRS] = "ip-addresses", [K_EXPORTER] = "EXPORTER_IPV4_ADDRESS",
	[K_CIFNAME] = "ifName", [K_CINOCT] = "ifInOctets",
	[K_CINPKT] = "ifInPackets", [K_CINERR] = "ifInErrors",
	[K_COUTOCT] = "ifOutOctets", [K_COUTPKT] = "ifOutPackets",
	[K_COUTERR] = "ifOutErrors",
	[K_IFPACKETS] = "PACKETS", [K_IFEVENTS] = "EVENTS",
	[K_IFACTIVE] = "FLOWS_ACTIVE", [K_IFEXPIRED] = "FLOWS_EXPIRED",
	[K_IFCOUNTERS] = "IF_COUNTERS", [K_IFLISTEN] = "LISTENING",
};

/* Keys inside nested objects of events (process, container, TCP info,
 * listening-socket entries). */
#define SK_PATH		"PROCESS_PATH"
#define SK_PID		"PID"
#define SK_UID		"UID"
#define SK_UIDNAME	"UID_NAME"
#define SK_GIDNAME	"GID_NAME"
#define SK_CMDLINE	"PROCESS_CMDLINE"
#define SK_ID		"ID"
#define SK_NAME		"NAME"
#define SK_DOCKER	"DOCKER"
#define SK_K8S		"K8S"
#define SK_CONNSTATE	"CONN_STATE"
#define SK_LPORT	"port"
#define SK_LPROC	"proc"
#define SK_LPKG		"pkg"

/* Key lookup: an open-addressing table from key text to enum vkey, built
 * once, so a record's members are classified in one pass instead of one
 * linear search per key. */
#define VKEY_SLOTS	256

static uint32_t
view_hashkey(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Sizes of the text kept per item; longer values are cut. */
#define NAMELEN		128	/* process path or name */
#define SHORTLEN	40
#define ADDRLEN		48
#define IFLEN		64

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

/* The side of a flow without a process. */
static const struct vproc view_noproc;

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
	const struct vproc *c, *s;	/* interned, or &view_noproc */
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
#define VIEW_EXTRA	5

/* Column flags. */
#define C_NUM	0x01	/* sorted by number, right-aligned */
#define C_TAIL	0x02	/* cut at the front, keeping the end (addresses) */

/* A column: shown at widths from minw to maxw (want: the width that
 * fits its usual values, given before anything grows to maxw); columns of
 * a lower prio are dropped first when the width is short. */
struct vcol {
	const char	*name;
	unsigned char	 minw, want, maxw, prio, flags;
};

static const struct vcol flow_cols[] = {
	{ "IFACE", 6, 10, 16, 7, 0 },
	{ "PROTO", 5, 5, 5, 2, 0 },
	{ "CLIENT", 15, 22, 46, 0, C_TAIL },
	{ "SERVER", 15, 22, 46, 0, C_TAIL },
	{ "C2S", 6, 6, 6, 1, C_NUM },
	{ "S2C", 6, 6, 6, 1, C_NUM },
	{ "BYTES", 6, 6, 6, 8, C_NUM },
	{ "PKTS", 6, 6, 6, 8, C_NUM },
	{ "THRPT", 8, 8, 8, 5, C_NUM },
	{ "CPROC", 8, 12, 16, 3, 0 },
	{ "SPROC", 8, 12, 16, 3, 0 },
	{ "CUSER", 6, 8, 12, 9, 0 },
	{ "SUSER", 6, 8, 12, 9, 0 },
	{ "CCONT", 6, 10, 16, 10, 0 },
	{ "SCONT", 6, 10, 16, 10, 0 },
	{ "LAT", 6, 6, 7, 6, C_NUM },
	{ "STATE", 6, 12, 12, 4, 0 },
};
enum { FC_IFACE, FC_PROTO, FC_CLIENT, FC_SERVER, FC_C2S, FC_S2C, FC_BYTES,
	FC_PKTS, FC_THR, FC_CPROC, FC_SPROC, FC_CUSER, FC_SUSER, FC_CCONT,
	FC_SCONT, FC_LAT, FC_STATE };

static const struct vcol proc_cols[] = {
	{ "IFACE", 6, 10, 16, 7, 0 },
	{ "PROCESS", 8, 16, 24, 0, 0 },
	{ "PID", 7, 7, 7, 1, C_NUM },
	{ "USER", 6, 8, 12, 2, 0 },
	{ "PARENT", 8, 12, 20, 2, 0 },
	{ "CONTAINER", 9, 12, 24, 3, 0 },
	{ "CONNS", 5, 5, 6, 0, C_NUM },
	{ "CLI", 4, 4, 5, 4, C_NUM },
	{ "SRV", 4, 4, 5, 4, C_NUM },
	{ "SENT", 6, 6, 6, 1, C_NUM },
	{ "RCVD", 6, 6, 6, 1, C_NUM },
	{ "THRPT", 8, 8, 8, 3, C_NUM },
};
enum { PC_IFACE, PC_PROC, PC_PID, PC_USER, PC_PARENT, PC_CONT, PC_CONNS,
	PC_CLI, PC_SRV, PC_SENT, PC_RCVD, PC_THR };

static const struct vcol iface_cols[] = {
	{ "IFACE", 12, 14, 32, 0, 0 },
	{ "ROLE", 9, 9, 12, 2, 0 },
	{ "PKTS", 6, 6, 6, 0, C_NUM },
	{ "BYTES", 6, 6, 6, 0, C_NUM },
	{ "EVENTS", 6, 6, 6, 0, C_NUM },
	{ "FLOWS", 6, 6, 6, 0, C_NUM },
	{ "IN", 6, 6, 6, 1, C_NUM },
	{ "OUT", 6, 6, 6, 1, C_NUM },
	{ "INPKT", 6, 6, 6, 4, C_NUM },
	{ "OUTPKT", 6, 6, 6, 4, C_NUM },
	{ "ERRS", 5, 5, 6, 3, C_NUM },
	{ "FROM", 8, 14, 32, 5, 0 },
};
enum { IC_NAME, IC_ROLE, IC_PKTS, IC_BYTES, IC_EVENTS, IC_FLOWS, IC_IN,
	IC_OUT, IC_INPKT, IC_OUTPKT, IC_ERRS, IC_FROM };

static const struct vcol listen_cols[] = {
	{ "IFACE", 8, 14, 24, 2, 0 },
	{ "HOST", 8, 16, 40, 1, 0 },
	{ "PROTO", 5, 5, 5, 0, 0 },
	{ "PORT", 5, 5, 5, 0, C_NUM },
	{ "PROCESS", 8, 16, 24, 0, 0 },
	{ "PACKAGE", 8, 14, 24, 1, 0 },
	{ "PATH", 10, 34, 60, 3, 0 },
};
enum { LC_IFACE, LC_HOST, LC_PROTO, LC_PORT, LC_PROC, LC_PKG, LC_PATH };

static const struct vcol event_cols[] = {
	{ "TIME", 12, 12, 12, 0, C_NUM },
	{ "IFACE", 8, 14, 16, 2, 0 },
	{ "KIND", 8, 8, 8, 1, 0 },
	{ "TYPE", 10, 12, 14, 0, 0 },
	{ "PROTO", 5, 5, 5, 3, 0 },
	{ "SOURCE", 15, 22, 46, 0, C_TAIL },
	{ "DEST", 15, 22, 46, 0, C_TAIL },
	{ "PROCESS", 8, 12, 16, 1, 0 },
	{ "IFNAME", 6, 8, 12, 4, 0 },
};
enum { EC_TIME, EC_IFACE, EC_KIND, EC_TYPE, EC_PROTO, EC_SRC, EC_DST,
	EC_PROC, EC_IFNAME };

#define MAXCOLS	17

static const struct {
	const char		*name, *shortname;
	const struct vcol	*c;
	int			 n;
	int			 sort;		/* default sort column */
	bool			 desc;
} view_def[VIEW_NKINDS] = {
	[VIEW_FLOWS] = { "Flows", "flows", flow_cols,
	    (int)(sizeof(flow_cols) / sizeof(flow_cols[0])), FC_BYTES, true },
	[VIEW_PROCS] = { "Processes", "processes", proc_cols,
	    (int)(sizeof(proc_cols) / sizeof(proc_cols[0])), PC_SENT, true },
	[VIEW_IFACES] = { "Interfaces", "interfaces", iface_cols,
	    (int)(sizeof(iface_cols) / sizeof(iface_cols[0])), IC_NAME,
	    false },
	[VIEW_LISTEN] = { "Listening", "listening", listen_cols,
	    (int)(sizeof(listen_cols) / sizeof(listen_cols[0])), LC_PORT,
	    false },
	[VIEW_EVENTS] = { "Events", "events", event_cols,
	    (int)(sizeof(event_cols) / sizeof(event_cols[0])), EC_TIME, true },
};

/* Per-second buckets of record time for the rates. */
#define RATE_SLOTS	64

/* Packets are counted twice over: from packet records (pk) and from the
 * growth of flow records (fpk); the same packets may arrive both ways (a
 * demo feeding ev-show both), so a rate takes the larger, never the sum. */
struct vbucket {
	int64_t		sec;
	uint64_t	ev, pk, fpk;
};

/* One row handed to the sorter: the item and its sort key. */
struct vsortent {
	const void	*it;
	double		 num;
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
	double		 tfirst, tnow;

	/* per-render state */
	struct vprocrow	*prows;
	size_t		 nprows, capprows;
	struct vprocrow	**phash;
	size_t		 phsize;
	struct vsortent	*sortv;
	size_t		 capsort;
	const void	**shown[VIEW_NKINDS];	/* last render's rows, sorted */
	size_t		 nshown[VIEW_NKINDS], capshown[VIEW_NKINDS];

	int		 sortcol[VIEW_NKINDS];
	bool		 sortdesc[VIEW_NKINDS];
	char		 filter[128];
	char		 ifilter[IFLEN];

	uint64_t	 overlong;
	uint64_t	*c_records, *c_flow, *c_iface, *c_event, *c_packet;
	uint64_t	*c_other, *c_bad, *c_evicted, *c_badfield;
	uint64_t	*c_err[8];
};

/* ------------------------------------------------------------------ */
/* small helpers */

static void *
view_xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		err(1, "view");
	return p;
}

static void *
view_xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		errx(1, "view: overflow");
	if ((p = realloc(p, n * size)) == NULL)
		err(1, "view");
	return p;
}

/* Grows an array so it holds at least need elements. */
#define VIEW_GROW(arr, cap, need) do {					\
	if ((need) > (cap)) {						\
		size_t nc_ = (cap) ? (cap) * 2 : 16;			\
		while (nc_ < (need))					\
			nc_ *= 2;					\
		(arr) = view_xreallocarray((arr), nc_, sizeof(*(arr)));	\
		(cap) = nc_;						\
	}								\
} while (0)

/* Copies s into buf (size bytes), cut at a UTF-8 character start. */
static void
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
static void
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

static int64_t
view_i64(const struct rec_field *f, int64_t dflt)
{
	int64_t v;

	return f != NULL && rec_i64(f, &v) == 0 ? v : dflt;
}

static uint64_t
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

static double
view_dbl(const struct rec_field *f, double dflt)
{
	double v;

	return f != NULL && rec_double(f, &v) == 0 && isfinite(v) ? v : dflt;
}

/* A time in seconds; milliseconds (nProbe's *_SWITCHED in ms) scaled. */
static double
view_time(const struct rec_field *f)
{
	double t = view_dbl(f, 0);

	if (t > 1e11)
		t /= 1000;
	return t > 0 ? t : 0;
}

/* The base name of a path ("/usr/bin/curl" -> "curl"). */
static const char *
view_base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : p;
}

static const char *
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
static void
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
static void
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
static void
view_hrate(char *buf, size_t n, double v, const char *suffix)
{
	if (v < 100)
		snprintf(buf, n, "%.1f%s", v, suffix);
	else if (v < 1000)
		snprintf(buf, n, "%.0f%s", v, suffix);
	else
		view_hcount(buf, n, v + 0.5, suffix);
}

/* ------------------------------------------------------------------ */
/* model set-up */

struct view *
view_new(const struct view_conf *c, struct stats *st)
{
	struct view *v = view_xcalloc(1, sizeof(*v));
	size_t i;
	int k;

	if (c != NULL)
		v->conf = *c;
	if (v->conf.max_flows == 0)
		v->conf.max_flows = 65536;
	if (v->conf.max_events == 0)
		v->conf.max_events = 1000;
	if (!(v->conf.rate_window >= 1))
		v->conf.rate_window = 5;
	v->st = st;
	record_init(&v->rec);
	record_init(&v->sub);
	record_init(&v->sub2);
	record_init(&v->sub3);
	record_init(&v->sub4);
	memset(v->keyslot, 0xff, sizeof(v->keyslot));
	for (k = 0; k < K_NKEYS; k++) {
		const char *name = view_keyname[k];
		uint32_t h = view_hashkey(name, strlen(name)) % VKEY_SLOTS;

		while (v->keyslot[h] != -1)
			h = (h + 1) % VKEY_SLOTS;
		v->keyslot[h] = (int16_t)k;
		v->keylen[k] = (uint8_t)strlen(name);
	}
	v->hsize = 1024;
	v->htab = view_xcalloc(v->hsize, sizeof(*v->htab));
	v->ptsize = 256;
	v->ptab = view_xcalloc(v->ptsize, sizeof(*v->ptab));
	v->evs = view_xcalloc(v->conf.max_events, sizeof(*v->evs));
	for (i = 0; i < VIEW_NKINDS; i++) {
		v->sortcol[i] = view_def[i].sort;
		v->sortdesc[i] = view_def[i].desc;
	}
	v->c_records = stats_ctr(st, "records");
	v->c_flow = stats_ctr(st, "flow_records");
	v->c_iface = stats_ctr(st, "iface_records");
	v->c_event = stats_ctr(st, "event_records");
	v->c_packet = stats_ctr(st, "packet_records");
	v->c_other = stats_ctr(st, "other_records");
	v->c_bad = stats_ctr(st, "malformed");
	v->c_badfield = stats_ctr(st, "bad_fields");
	v->c_evicted = stats_ctr(st, "flows_evicted");
	return v;
}

void
view_destroy(struct view **vp)
{
	struct view *v = *vp;
	struct vflow *f, *fn;
	size_t i;
	int k;

	if (v == NULL)
		return;
	for (f = v->lru_head; f != NULL; f = fn) {
		fn = f->lnext;
		free(f);
	}
	for (i = 0; i < v->ptsize; i++) {
		struct vpnode *n, *nn;

		for (n = v->ptab[i]; n != NULL; n = nn) {
			nn = n->hnext;
			free(n);
		}
	}
	free(v->ptab);
	free(v->htab);
	free(v->ifs);
	free(v->ls);
	free(v->evs);
	free(v->drops);
	free(v->prows);
	free(v->phash);
	free(v->sortv);
	for (k = 0; k < VIEW_NKINDS; k++)
		free(v->shown[k]);
	record_free(&v->rec);
	record_free(&v->sub);
	record_free(&v->sub2);
	record_free(&v->sub3);
	record_free(&v->sub4);
	free(v);
	*vp = NULL;
}

/* The index of interface name, created when new. */
static int
view_ifindex(struct view *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->nifs; i++)
		if (strcmp(v->ifs[i].name, name) == 0)
			return (int)i;
	VIEW_GROW(v->ifs, v->capifs, v->nifs + 1);
	memset(&v->ifs[v->nifs], 0, sizeof(v->ifs[0]));
	view_cpy(v->ifs[v->nifs].name, IFLEN, name);
	v->ifs[v->nifs].seq = v->nifs;
	return (int)v->nifs++;
}

/* ------------------------------------------------------------------ */
/* rates from record time */

static void
view_rate_add(struct view *v, double t, uint64_t ev, uint64_t pk,
    uint64_t fpk)
{
	struct vbucket *b;
	int64_t s;

	if (t <= 0)
		return;
	if (v->tfirst == 0 || t < v->tfirst)
		v->tfirst = t;
	if (t > v->tnow)
		v->tnow = t;
	s = (int64_t)floor(t);
	/* A record older than the ring's span cannot change a rate. */
	if (s <= (int64_t)floor(v->tnow) - RATE_SLOTS)
		return;
	b = &v->rate[s % RATE_SLOTS];
	if (b->sec != s) {
		b->sec = s;
		b->ev = b->pk = b->fpk = 0;
	}
	b->ev += ev;
	b->pk += pk;
	b->fpk += fpk;
}

/* Events and packets per second over the last window of record time. */
static void
view_rates(const struct view *v, double *evs, double *pks)
{
	int64_t now = (int64_t)floor(v->tnow);
	int64_t w = (int64_t)v->conf.rate_window, span;
	uint64_t ev = 0, pk = 0, fpk = 0;
	int i;

	*evs = *pks = 0;
	if (v->tnow == 0)
		return;
	if (w > RATE_SLOTS)
		w = RATE_SLOTS;
	span = now - (int64_t)floor(v->tfirst) + 1;
	if (span > w)
		span = w;
	for (i = 0; i < RATE_SLOTS; i++)
		if (v->rate[i].sec > now - span && v->rate[i].sec <= now) {
			ev += v->rate[i].ev;
			pk += v->rate[i].pk;
			fpk += v->rate[i].fpk;
		}
	if (fpk > pk)
		pk = fpk;
	*evs = (double)ev / (double)span;
	*pks = (double)pk / (double)span;
}

/* ------------------------------------------------------------------ */
/* record classification */

/* Fills fv[] with the first member of each known key. */
static void
view_classify(struct view *v, const struct record *r,
    const struct rec_field **fv)
{
	char kbuf[128];
	size_t i;

	memset(fv, 0, K_NKEYS * sizeof(*fv));
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		const char *key = f->key;
		size_t klen = f->klen;
		uint32_t h;
		int k;

		if (f->kesc) {
			struct rec_field kf = *f;
			int n;

			/* Decode the key as if it were a string value. */
			kf.kind = REC_STRING;
			kf.val = f->key - 1;
			kf.vlen = f->klen + 2;
			kf.vesc = true;
			if ((n = rec_str(&kf, kbuf, sizeof(kbuf))) < 0)
				continue;
			key = kbuf;
			klen = (size_t)n;
		}
		h = view_hashkey(key, klen) % VKEY_SLOTS;
		while ((k = v->keyslot[h]) != -1) {
			if (v->keylen[k] == klen &&
			    memcmp(view_keyname[k], key, klen) == 0) {
				if (fv[k] == NULL)
					fv[k] = f;
				break;
			}
			h = (h + 1) % VKEY_SLOTS;
		}
	}
}

/* The record's time: the producer's timestamp, else the receive time,
 * else a flow's last-seen time. */
static double
view_rectime(const struct rec_field **fv)
{
	double t;

	if ((t = view_time(fv[K_TIMESTAMP])) > 0)
		return t;
	if ((t = view_time(fv[K_RX])) > 0)
		return t;
	return view_time(fv[K_FEND] ? fv[K_FEND] : fv[K_LAST]);
}

/* Formats address and port as "a:p", "[v6]:p" or just "a". */
static void
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

/* Counter names that look like loss: shown in the header's drop line. */
static bool
view_is_dropname(const char *k, size_t n)
{
	static const char *const w[] = { "drop", "lost", "evict", "overflow" };
	char buf[64];
	size_t i;

	if (n >= sizeof(buf))
		return false;
	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)k[i]);
	buf[n] = '\0';
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (strstr(buf, w[i]) != NULL)
			return true;
	return false;
}

/* Remembers every numeric drop-like member of r, per interface. */
static void
view_scan_drops(struct view *v, const struct record *r, int iface)
{
	size_t i, j;

	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		uint64_t val;

		if (f->kind != REC_NUMBER || f->kesc ||
		    !view_is_dropname(f->key, f->klen) ||
		    f->klen >= SHORTLEN || rec_u64(f, &val) != 0)
			continue;
		for (j = 0; j < v->ndrops; j++)
			if (v->drops[j].iface == iface &&
			    strlen(v->drops[j].name) == f->klen &&
			    memcmp(v->drops[j].name, f->key, f->klen) == 0)
				break;
		if (j == v->ndrops) {
			VIEW_GROW(v->drops, v->capdrops, v->ndrops + 1);
			memset(&v->drops[j], 0, sizeof(v->drops[j]));
			memcpy(v->drops[j].name, f->key, f->klen);
			v->drops[j].iface = iface;
			v->ndrops++;
		}
		v->drops[j].v = val;
	}
}

/* ------------------------------------------------------------------ */
/* flows */

static uint64_t
view_flowhash(int iface, int proto, int vlan, const char *ca, unsigned cp,
    const char *sa, unsigned sp)
{
	uint64_t h = 1469598103934665603ull;
	const char *s;

#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211ull)
	MIX(iface); MIX(proto); MIX(vlan); MIX(cp); MIX(sp);
	for (s = ca; *s; s++)
		MIX((unsigned char)*s);
	MIX(0xff);
	for (s = sa; *s; s++)
		MIX((unsigned char)*s);
#undef MIX
	return h;
}

static void
view_lru_unlink(struct view *v, struct vflow *f)
{
	if (f->lprev)
		f->lprev->lnext = f->lnext;
	else
		v->lru_head = f->lnext;
	if (f->lnext)
		f->lnext->lprev = f->lprev;
	else
		v->lru_tail = f->lprev;
	f->lprev = f->lnext = NULL;
}

static void
view_lru_front(struct view *v, struct vflow *f)
{
	f->lnext = v->lru_head;
	f->lprev = NULL;
	if (v->lru_head)
		v->lru_head->lprev = f;
	v->lru_head = f;
	if (v->lru_tail == NULL)
		v->lru_tail = f;
}

static void view_proc_put(struct view *, const struct vproc *);

static void
view_flow_remove(struct view *v, struct vflow *f)
{
	struct vflow **pp = &v->htab[f->hash & (v->hsize - 1)];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	view_lru_unlink(v, f);
	view_proc_put(v, f->c);
	view_proc_put(v, f->s);
	if (v->ifs[f->iface].flows > 0)
		v->ifs[f->iface].flows--;
	v->nflows--;
	free(f);
}

static void
view_rehash(struct view *v)
{
	size_t ns = v->hsize * 2, i;
	struct vflow **nt = view_xcalloc(ns, sizeof(*nt));

	for (i = 0; i < v->hsize; i++) {
		struct vflow *f, *fn;

		for (f = v->htab[i]; f != NULL; f = fn) {
			fn = f->hnext;
			f->hnext = nt[f->hash & (ns - 1)];
			nt[f->hash & (ns - 1)] = f;
		}
	}
	free(v->htab);
	v->htab = nt;
	v->hsize = ns;
}

/* Hash and equality of process blocks, member by member (strings are
 * zero-padded, so whole arrays compare). */
static uint64_t
view_prochash(const struct vproc *p)
{
	const char *const strs[] = { p->name, p->user, p->parent, p->cmd,
	    p->cid, p->cname, p->pod };
	uint64_t h = 1469598103934665603ull;
	size_t i;
	const char *c;

	h = (h ^ (uint64_t)p->pid) * 1099511628211ull;
	h = (h ^ (uint64_t)p->ppid) * 1099511628211ull;
	h = (h ^ (uint64_t)p->uid) * 1099511628211ull;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		for (c = strs[i]; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	return h;
}

static bool
view_proceq(const struct vproc *a, const struct vproc *b)
{
	return a->pid == b->pid && a->ppid == b->ppid && a->uid == b->uid &&
	    a->set == b->set && strcmp(a->name, b->name) == 0 &&
	    strcmp(a->user, b->user) == 0 &&
	    strcmp(a->parent, b->parent) == 0 &&
	    strcmp(a->cmd, b->cmd) == 0 && strcmp(a->cid, b->cid) == 0 &&
	    strcmp(a->cname, b->cname) == 0 && strcmp(a->pod, b->pod) == 0;
}

/* The interned copy of p, with one more reference. */
static const struct vproc *
view_proc_get(struct view *v, const struct vproc *p)
{
	uint64_t h = view_prochash(p);
	struct vpnode *n;
	size_t i;

	for (n = v->ptab[h & (v->ptsize - 1)]; n != NULL; n = n->hnext)
		if (n->hash == h && view_proceq(&n->p, p)) {
			n->refs++;
			return &n->p;
		}
	if (v->nprocs >= v->ptsize) {
		size_t ns = v->ptsize * 2;
		struct vpnode **nt = view_xcalloc(ns, sizeof(*nt)), *m, *mn;

		for (i = 0; i < v->ptsize; i++)
			for (m = v->ptab[i]; m != NULL; m = mn) {
				mn = m->hnext;
				m->hnext = nt[m->hash & (ns - 1)];
				nt[m->hash & (ns - 1)] = m;
			}
		free(v->ptab);
		v->ptab = nt;
		v->ptsize = ns;
	}
	n = view_xcalloc(1, sizeof(*n));
	n->p = *p;
	n->hash = h;
	n->refs = 1;
	n->hnext = v->ptab[h & (v->ptsize - 1)];
	v->ptab[h & (v->ptsize - 1)] = n;
	v->nprocs++;
	return &n->p;
}

/* Drops one reference to an interned block (or to view_noproc). */
static void
view_proc_put(struct view *v, const struct vproc *p)
{
	struct vpnode *n, **pp;

	if (p == &view_noproc)
		return;
	n = (struct vpnode *)(uintptr_t)p;
	if (--n->refs > 0)
		return;
	for (pp = &v->ptab[n->hash & (v->ptsize - 1)]; *pp != n;
	    pp = &(*pp)->hnext)
		;
	*pp = n->hnext;
	v->nprocs--;
	free(n);
}

/* Copies a string member into a zero-padded field. */
#define VIEW_SETSTR(field, f) do {					\
	memset((field), 0, sizeof(field));				\
	view_str((f), (field), sizeof(field));				\
} while (0)

/* Reads one end's process from the SRC_ or DST_ keys (first = K_SPID or
 * K_DPID; the two blocks have the same layout): members present replace
 * those of *pp, the others stay. */
static void
view_flowproc(struct view *v, const struct vproc **pp,
    const struct rec_field **fv, int b)
{
	const int o = b - K_SPID;
	struct vproc p;
	const struct vproc *np;

	if (fv[K_SPID + o] == NULL && fv[K_SNAME + o] == NULL)
		return;
	memset(&p, 0, sizeof(p));
	p = **pp;
	p.set = true;
	p.pid = view_i64(fv[K_SPID + o], p.pid);
	p.ppid = view_i64(fv[K_SPPID + o], p.ppid);
	p.uid = view_i64(fv[K_SUID + o], p.uid);
	if (fv[K_SNAME + o])
		VIEW_SETSTR(p.name, fv[K_SNAME + o]);
	if (fv[K_SUSER + o])
		VIEW_SETSTR(p.user, fv[K_SUSER + o]);
	if (fv[K_SPNAME + o])
		VIEW_SETSTR(p.parent, fv[K_SPNAME + o]);
	if (fv[K_SCMD + o])
		VIEW_SETSTR(p.cmd, fv[K_SCMD + o]);
	if (fv[K_SCID + o])
		VIEW_SETSTR(p.cid, fv[K_SCID + o]);
	if (fv[K_SCNAME + o])
		VIEW_SETSTR(p.cname, fv[K_SCNAME + o]);
	if (fv[K_SPOD + o])
		VIEW_SETSTR(p.pod, fv[K_SPOD + o]);
	/* Most updates repeat the block the flow already has. */
	if (view_proceq(&p, *pp))
		return;
	np = view_proc_get(v, &p);
	view_proc_put(v, *pp);
	*pp = np;
}

static int
view_feed_flow(struct view *v, const struct rec_field **fv, int iface)
{
	char ca[ADDRLEN], sa[ADDRLEN];
	const struct rec_field *fa, *fb;
	struct vflow *f;
	int64_t proto, cp, sp, vlan;
	uint64_t h, oldpk;
	double t;

	fa = fv[K_V4SRC] ? fv[K_V4SRC] : fv[K_V6SRC];
	fb = fv[K_V4DST] ? fv[K_V4DST] : fv[K_V6DST];
	if (fa == NULL || fb == NULL || fa->kind != REC_STRING ||
	    fb->kind != REC_STRING) {
		stats_bad(v->st, v->c_badfield, "flow",
		    "flow record without client and server addresses");
		return -1;
	}
	view_str(fa, ca, sizeof(ca));
	view_str(fb, sa, sizeof(sa));
	proto = view_i64(fv[K_PROTO], -1);
	cp = view_i64(fv[K_SPORT], 0);
	sp = view_i64(fv[K_DPORT], 0);
	vlan = view_i64(fv[K_VLAN], 0);
	if (proto < -1 || proto > 255 || cp < 0 || cp > 65535 || sp < 0 ||
	    sp > 65535) {
		stats_bad(v->st, v->c_badfield, "flow",
		    "protocol or port out of range");
		return -1;
	}
	h = view_flowhash(iface, (int)proto, (int)vlan, ca, (unsigned)cp, sa,
	    (unsigned)sp);
	for (f = v->htab[h & (v->hsize - 1)]; f != NULL; f = f->hnext)
		if (f->hash == h && f->iface == iface && f->proto == proto &&
		    f->vlan == vlan && f->cport == cp && f->sport == sp &&
		    strcmp(f->caddr, ca) == 0 && strcmp(f->saddr, sa) == 0)
			break;
	if (f == NULL) {
		if (v->nflows >= v->conf.max_flows && v->lru_tail != NULL) {
			view_flow_remove(v, v->lru_tail);
			(*v->c_evicted)++;
		}
		if (v->nflows >= v->hsize)
			view_rehash(v);
		f = view_xcalloc(1, sizeof(*f));
		f->hash = h;
		f->seq = v->seq++;
		f->iface = iface;
		f->proto = (int)proto;
		f->vlan = (int)vlan;
		f->cport = (unsigned)cp;
		f->sport = (unsigned)sp;
		memcpy(f->caddr, ca, sizeof(ca));
		memcpy(f->saddr, sa, sizeof(sa));
		f->clat = f->slat = -1;
		f->c = f->s = &view_noproc;
		f->hnext = v->htab[h & (v->hsize - 1)];
		v->htab[h & (v->hsize - 1)] = f;
		v->nflows++;
		v->ifs[iface].flows++;
	} else
		view_lru_unlink(v, f);
	view_lru_front(v, f);

	oldpk = f->inpk + f->outpk;
	/* flow-agg reports running totals: an update replaces them. */
	if (fv[K_INPKTS] || fv[K_INBYTES] || fv[K_OUTPKTS] || fv[K_OUTBYTES]) {
		uint64_t oldby = f->inby + f->outby;

		f->inpk = view_u64(fv[K_INPKTS]);
		f->inby = view_u64(fv[K_INBYTES]);
		f->outpk = view_u64(fv[K_OUTPKTS]);
		f->outby = view_u64(fv[K_OUTBYTES]);
		if (f->inby + f->outby > oldby)
			v->ifs[iface].fbytes += f->inby + f->outby - oldby;
	}
	/* FLOW_*_SEC carry microseconds; *_SWITCHED only whole seconds. */
	if (fv[K_FSTART] || fv[K_FIRST])
		f->first = view_time(fv[K_FSTART] ? fv[K_FSTART] : fv[K_FIRST]);
	if (fv[K_FEND] || fv[K_LAST])
		f->last = view_time(fv[K_FEND] ? fv[K_FEND] : fv[K_LAST]);
	f->clat = view_dbl(fv[K_CLAT], f->clat);
	f->slat = view_dbl(fv[K_SLAT], f->slat);
	view_flowproc(v, &f->c, fv, K_SPID);
	view_flowproc(v, &f->s, fv, K_DPID);
	if (fv[K_ENDREASON]) {
		view_str(fv[K_ENDREASON], f->state, sizeof(f->state));
		f->ended = true;
	} else if (fv[K_TCPSTATE])
		view_str(fv[K_TCPSTATE], f->state, sizeof(f->state));
	else if (fv[K_EVONLY] && fv[K_EVONLY]->kind == REC_TRUE)
		view_cpy(f->state, sizeof(f->state), "events");
	if (f->inpk + f->outpk > oldpk) {
		v->ifs[iface].fpkts += f->inpk + f->outpk - oldpk;
		t = f->last > 0 ? f->last : view_rectime(fv);
		view_rate_add(v, t, 0, 0, f->inpk + f->outpk - oldpk);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* events, packets, interface summaries */

/* Reads a process object of an event: base data for the Events view. */
static void
view_evproc(struct view *v, const struct rec_field *f, char *path, size_t n)
{
	path[0] = '\0';
	if (record_sub(f, &v->sub) != REC_OK)
		return;
	view_str(record_get(&v->sub, SK_PATH), path, n);
}

/* A listening-ports snapshot (lf, with the host's addresses ips and the
 * exporter's address exp, either may be NULL) replaces the host's earlier
 * sockets. */
static void
view_listen(struct view *v, const struct rec_field *lf,
    const struct rec_field *ips, const struct rec_field *exp, int iface)
{
	static const char *const protos[] = { "tcp4", "udp4", "tcp6", "udp6" };
	char host[ADDRLEN];
	size_t i, j, pos;

	host[0] = '\0';
	if (ips && ips->kind == REC_ARRAY) {
		const struct rec_field *a = ips;

		/* The first element, when it is a plain string. */
		pos = 1;
		json_skip_ws(a->val, a->vlen, &pos);
		if (pos < a->vlen && a->val[pos] == '"') {
			struct rec_field sf = { 0 };
			size_t end = pos;

			if (json_skip_value(a->val, a->vlen, &end) == REC_OK) {
				sf.kind = REC_STRING;
				sf.val = a->val + pos;
				sf.vlen = end - pos;
				sf.vesc = memchr(sf.val, '\\', sf.vlen) != NULL;
				view_str(&sf, host, sizeof(host));
			}
		}
	}
	if (host[0] == '\0')
		view_str(exp, host, sizeof(host));
	if (host[0] == '\0')
		snprintf(host, sizeof(host), "-");

	for (i = j = 0; i < v->nls; i++)
		if (!(v->ls[i].iface == iface &&
		    strcmp(v->ls[i].host, host) == 0))
			v->ls[j++] = v->ls[i];
	v->nls = j;

	if (record_sub(lf, &v->sub) != REC_OK)
		return;
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		const struct rec_field *a = record_get(&v->sub, protos[i]);

		if (a == NULL || a->kind != REC_ARRAY)
			continue;
		pos = 1;
		for (;;) {
			size_t start;
			struct vlisten *l;

			json_skip_ws(a->val, a->vlen, &pos);
			if (pos >= a->vlen || a->val[pos] == ']')
				break;
			if (a->val[pos] == ',') {
				pos++;
				continue;
			}
			start = pos;
			if (json_skip_value(a->val, a->vlen, &pos) != REC_OK)
				break;
			if (record_parse(&v->sub2, a->val + start,
			    pos - start) != REC_OK) {
				stats_bad(v->st, v->c_badfield, "listening",
				    "a listening socket that is not an object");
				continue;
			}
			VIEW_GROW(v->ls, v->capls, v->nls + 1);
			l = &v->ls[v->nls++];
			memset(l, 0, sizeof(*l));
			l->iface = iface;
			l->seq = v->seq++;
			view_cpy(l->host, sizeof(l->host), host);
			view_cpy(l->proto, sizeof(l->proto), protos[i]);
			l->port = (unsigned)view_i64(record_get(&v->sub2,
			    SK_LPORT), 0) & 0xffff;
			view_str(record_get(&v->sub2, SK_LPROC), l->proc,
			    sizeof(l->proc));
			view_str(record_get(&v->sub2, SK_LPKG), l->pkg,
			    sizeof(l->pkg));
		}
	}
}

/* Interface counters (a counters event's payload, r), on the row of the
 * interface they describe (ifName, else name), noting the interface they
 * came through. */
static void
view_counters(struct view *v, const struct record *r, int iface,
    char *name, size_t n)
{
	const char *const *k = view_keyname;
	struct viface *x;
	int i = iface;

	if (record_get(r, k[K_CIFNAME]) != NULL)
		view_str(record_get(r, k[K_CIFNAME]), name, n);
	if (name[0] != '\0')
		i = view_ifindex(v, name);
	x = &v->ifs[i];
	x->has_ctr = true;
	x->inoct = view_u64(record_get(r, k[K_CINOCT]));
	x->inpkt = view_u64(record_get(r, k[K_CINPKT]));
	x->outoct = view_u64(record_get(r, k[K_COUTOCT]));
	x->outpkt = view_u64(record_get(r, k[K_COUTPKT]));
	x->errs = view_u64(record_get(r, k[K_CINERR])) +
	    view_u64(record_get(r, k[K_COUTERR]));
	if (i != iface)
		view_cpy(x->via, sizeof(x->via), v->ifs[iface].name);
}

static void
view_feed_event(struct view *v, const struct rec_field **fv, int iface,
    double t)
{
	struct vevent *e = &v->evs[v->evnext];
	const struct rec_field *fs, *fd, *fsp, *fdp;
	char a[ADDRLEN];
	struct viface *x;

	v->evnext = (v->evnext + 1) % v->conf.max_events;
	if (v->nevs < v->conf.max_events)
		v->nevs++;
	memset(e, 0, sizeof(*e));
	e->seq = v->seq++;
	e->t = t;
	e->iface = iface;
	e->proto = (int)view_i64(fv[K_PROTO], -1);
	view_str(fv[K_EVENT], e->kind, sizeof(e->kind));
	if (e->kind[0] == '\0')
		snprintf(e->kind, sizeof(e->kind), "-");
	if (fv[K_TCPEV])
		view_str(fv[K_TCPEV], e->type, sizeof(e->type));
	else if (fv[K_UDPEV])
		view_str(fv[K_UDPEV], e->type, sizeof(e->type));
	else if (fv[K_TCP] && record_sub(fv[K_TCP], &v->sub) == REC_OK)
		view_str(record_get(&v->sub, SK_CONNSTATE), e->type,
		    sizeof(e->type));
	if (e->type[0] == '\0')
		view_str(fv[K_TOPIC], e->type, sizeof(e->type));
	if (e->type[0] == '\0')
		snprintf(e->type, sizeof(e->type), "-");

	/* Both dialects: SRC/DST (libebpfflow) or LOCAL/REMOTE. */
	fs = fv[K_V4SRC] ? fv[K_V4SRC] : fv[K_V6SRC];
	fd = fv[K_V4DST] ? fv[K_V4DST] : fv[K_V6DST];
	fsp = fv[K_SPORT];
	fdp = fv[K_DPORT];
	if (fs == NULL && fd == NULL) {
		fs = fv[K_V4LOC] ? fv[K_V4LOC] : fv[K_V6LOC];
		fd = fv[K_V4REM] ? fv[K_V4REM] : fv[K_V6REM];
		fsp = fv[K_LPORT];
		fdp = fv[K_RPORT];
	}
	view_str(fs, a, sizeof(a));
	view_endpoint(e->src, sizeof(e->src), a, view_i64(fsp, -1));
	view_str(fd, a, sizeof(a));
	view_endpoint(e->dst, sizeof(e->dst), a, view_i64(fdp, -1));

	if (fv[K_INTERFACE_NAME])
		view_str(fv[K_INTERFACE_NAME], e->ifname, sizeof(e->ifname));
	else
		view_str(fv[K_IF_NAME], e->ifname, sizeof(e->ifname));
	if (fv[K_LPROC])
		view_evproc(v, fv[K_LPROC], e->proc, sizeof(e->proc));

	x = &v->ifs[iface];
	x->events++;
	if (fv[K_FROM]) {
		char from[IFLEN];

		view_str(fv[K_FROM], from, sizeof(from));
		view_cpy(x->from, sizeof(x->from), from);
		/* A copy not addressed to this interface by name came by the
		 * companion rule (ev-route), so the interface is a companion. */
		if (strcmp(e->ifname, x->name) == 0)
			x->ifname_target = true;
		else
			x->companion = x->mirrored = true;
	}

	if (fv[K_LISTENING]) {
		view_cpy(e->type, sizeof(e->type), "listening");
		view_listen(v, fv[K_LISTENING], fv[K_IPADDRS], fv[K_EXPORTER],
		    iface);
	} else if (fv[K_CIFNAME] || rec_streq(fv[K_EVENT], "counters")) {
		view_cpy(e->type, sizeof(e->type), "counters");
		e->ifname[0] = '\0';
		view_counters(v, &v->rec, iface, e->ifname, sizeof(e->ifname));
		view_cpy(e->src, sizeof(e->src), e->ifname[0] ?
		    e->ifname : "-");
	} else if (rec_streq(fv[K_EVENT], "other"))
		view_scan_drops(v, &v->rec, iface);
	if (fv[K_NWLAT] && fv[K_TCPEV]) {
		double lat = view_dbl(fv[K_NWLAT], -1);

		if (lat >= 0)
			snprintf(e->detail, sizeof(e->detail),
			    "latency %.3f ms", lat);
	}
	view_rate_add(v, t, 1, 0, 0);
}

static void
view_feed_packet(struct view *v, const struct rec_field **fv, int iface,
    double t)
{
	uint64_t pk = fv[K_PKTS] ? view_u64(fv[K_PKTS]) : 1;

	v->ifs[iface].pkts += pk;
	v->ifs[iface].bytes += view_u64(fv[K_BYTES]);
	view_rate_add(v, t, 0, pk, 0);
}

static void
view_feed_iface(struct view *v, const struct rec_field **fv, int iface)
{
	struct viface *x = &v->ifs[iface];

	x->has_agg = true;
	if (fv[K_IFACTIVE] || fv[K_IFEXPIRED])
		x->aflows = view_u64(fv[K_IFACTIVE]) +
		    view_u64(fv[K_IFEXPIRED]);
	if (fv[K_IFPACKETS])
		x->apkts = view_u64(fv[K_IFPACKETS]);
	if (fv[K_BYTES])
		x->abytes = view_u64(fv[K_BYTES]);
	if (fv[K_IFEVENTS])
		x->aevents = view_u64(fv[K_IFEVENTS]);
	/* IF_COUNTERS: {"ifName": counters payload, ...}. */
	if (fv[K_IFCOUNTERS] &&
	    record_sub(fv[K_IFCOUNTERS], &v->sub3) == REC_OK) {
		size_t i;

		for (i = 0; i < v->sub3.nf; i++) {
			const struct rec_field *m = &v->sub3.f[i];
			struct rec_field kf = *m;
			char name[SHORTLEN];

			kf.kind = REC_STRING;
			kf.val = m->key - 1;
			kf.vlen = m->klen + 2;
			kf.vesc = m->kesc;
			view_str(&kf, name, sizeof(name));
			if (record_sub(m, &v->sub4) != REC_OK) {
				stats_bad(v->st, v->c_badfield, "iface",
				    "IF_COUNTERS member is not an object");
				continue;
			}
			view_counters(v, &v->sub4, iface, name, sizeof(name));
		}
	}
	/* LISTENING: [listening-ports payload, ...]. */
	if (fv[K_IFLISTEN] && fv[K_IFLISTEN]->kind == REC_ARRAY) {
		const struct rec_field *a = fv[K_IFLISTEN];
		size_t pos = 1, start;

		for (;;) {
			json_skip_ws(a->val, a->vlen, &pos);
			if (pos >= a->vlen || a->val[pos] == ']')
				break;
			if (a->val[pos] == ',') {
				pos++;
				continue;
			}
			start = pos;
			if (json_skip_value(a->val, a->vlen, &pos) != REC_OK)
				break;
			if (record_parse(&v->sub4, a->val + start,
			    pos - start) != REC_OK) {
				stats_bad(v->st, v->c_badfield, "iface",
				    "LISTENING element is not an object");
				continue;
			}
			view_listen(v, record_get(&v->sub4,
			    view_keyname[K_LISTENING]), record_get(&v->sub4,
			    view_keyname[K_IPADDRS]), record_get(&v->sub4,
			    view_keyname[K_EXPORTER]), iface);
		}
	}
	view_scan_drops(v, &v->rec, iface);
}

int
view_feed(struct view *v, const char *line, size_t len)
{
	const struct rec_field *fv[K_NKEYS];
	char ty[16], ifn[IFLEN];
	int e, iface;
	double t;

	(*v->c_records)++;
	if ((e = record_parse(&v->rec, line, len)) != REC_OK) {
		stats_bad(v->st, v->c_bad, record_errname(e),
		    "malformed record skipped");
		stats_add(v->st, record_errname(e), 1);
		return -1;
	}
	view_classify(v, &v->rec, fv);
	if (rec_str(fv[K_TYPE], ty, sizeof(ty)) < 0) {
		(*v->c_other)++;
		return 1;
	}
	view_str(fv[K_IFACE], ifn, sizeof(ifn));
	if (ifn[0] == '\0')
		snprintf(ifn, sizeof(ifn), "-");
	if (v->nifs == 0 || strcmp(v->ifs[v->nifs - 1].name, ifn) != 0)
		iface = view_ifindex(v, ifn);
	else
		iface = (int)v->nifs - 1;
	t = view_rectime(fv);

	if (strcmp(ty, "flow") == 0) {
		(*v->c_flow)++;
		v->ifs[iface].records++;
		if (view_feed_flow(v, fv, iface) == -1)
			return -1;
		if (t > 0 && t > v->tnow)
			v->tnow = t;
		if (v->tfirst == 0 && t > 0)
			v->tfirst = t;
		return 0;
	}
	if (strcmp(ty, "event") == 0) {
		(*v->c_event)++;
		v->ifs[iface].records++;
		view_feed_event(v, fv, iface, t);
		return 0;
	}
	if (strcmp(ty, "packet") == 0) {
		(*v->c_packet)++;
		v->ifs[iface].records++;
		view_feed_packet(v, fv, iface, t);
		return 0;
	}
	if (strcmp(ty, "iface") == 0) {
		(*v->c_iface)++;
		view_feed_iface(v, fv, iface);
		return 0;
	}
	(*v->c_other)++;
	return 1;
}

void
view_count_overlong(struct view *v, uint64_t n)
{
	v->overlong = n;
}

/* ------------------------------------------------------------------ */
/* names, sorting and filters */

const char *
view_name(enum view_kind k)
{
	return (unsigned)k < VIEW_NKINDS ? view_def[k].name : "?";
}

const char *
view_short(enum view_kind k)
{
	return (unsigned)k < VIEW_NKINDS ? view_def[k].shortname : "?";
}

int
view_kind_byname(const char *s)
{
	static const struct { const char *name; int k; } alias[] = {
		{ "procs", VIEW_PROCS }, { "ifaces", VIEW_IFACES },
		{ "listen", VIEW_LISTEN },
	};
	size_t n = strlen(s), i;
	int k;

	if (n == 0)
		return -1;
	for (k = 0; k < VIEW_NKINDS; k++)
		if (strncasecmp(view_def[k].shortname, s, n) == 0)
			return k;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcasecmp(alias[i].name, s) == 0)
			return alias[i].k;
	return -1;
}

/* Chooses the columns shown at width and their widths: columns are taken
 * by priority while their minimum widths fit, then the room left widens
 * the flexible ones one character at a time, left to right. width <= 0
 * shows every column (view_render then sizes them to their text). Returns
 * the count; idx[] in display order. */
static int
view_layout(enum view_kind k, int width, int *idx, int *w)
{
	const struct vcol *c = view_def[k].c;
	int n = view_def[k].n, m = 0, used = 0, usedw = 0, i, p, grew;
	bool on[MAXCOLS] = { false };

	if (width <= 0) {
		for (i = 0; i < n; i++) {
			idx[i] = i;
			w[i] = c[i].minw;
		}
		return n;
	}
	/* Whole priority groups, so that paired columns come together. The
	 * core groups need their narrowest widths; an extra group is only
	 * added when everything before it can also have its usual width. */
	for (p = 0; p <= 255; p++) {
		int need = 0, needw = 0, cnt = used > 0 ? 1 : 0;

		for (i = 0; i < n; i++)
			if (c[i].prio == p) {
				need += c[i].minw + (cnt > 0 ? 1 : 0);
				needw += c[i].want + (cnt++ > 0 ? 1 : 0);
			}
		if (used + need > width ||
		    (p >= VIEW_EXTRA && usedw + need > width))
			break;
		for (i = 0; i < n; i++)
			if (c[i].prio == p)
				on[i] = true;
		used += need;
		usedw += needw;
	}
	for (i = 0; i < n; i++)
		if (on[i]) {
			idx[m] = i;
			w[m++] = c[i].minw;
		}
	/* First each priority group up to its usual widths, the most
	 * important first; then every column up to its widest. */
	for (p = 0; p <= 256; p++)
		do {
			grew = 0;
			for (i = 0; i < m && used < width; i++) {
				const struct vcol *ci = &c[idx[i]];

				if (p < 256 ? (ci->prio == p &&
				    w[i] < ci->want) : w[i] < ci->maxw) {
					w[i]++;
					used++;
					grew = 1;
				}
			}
		} while (grew && used < width);
	return m;
}

void
view_sort_move(struct view *v, enum view_kind k, int delta, int width)
{
	int idx[MAXCOLS], w[MAXCOLS], n, i, cur = -1;

	n = view_layout(k, width, idx, w);
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		if (idx[i] == v->sortcol[k])
			cur = i;
	if (cur == -1)
		cur = delta > 0 ? -1 : n;
	cur = ((cur + delta) % n + n) % n;
	v->sortcol[k] = idx[cur];
	v->sortdesc[k] = (view_def[k].c[idx[cur]].flags & C_NUM) != 0;
}

int
view_sort_by(struct view *v, enum view_kind k, const char *col)
{
	int i;

	for (i = 0; i < view_def[k].n; i++)
		if (strcasecmp(view_def[k].c[i].name, col) == 0) {
			v->sortcol[k] = i;
			v->sortdesc[k] = (view_def[k].c[i].flags & C_NUM) != 0;
			return 0;
		}
	return -1;
}

void
view_sort_reverse(struct view *v, enum view_kind k)
{
	v->sortdesc[k] = !v->sortdesc[k];
}

const char *
view_sort_name(const struct view *v, enum view_kind k, bool *descending)
{
	if (descending)
		*descending = v->sortdesc[k];
	return view_def[k].c[v->sortcol[k]].name;
}

void
view_set_filter(struct view *v, const char *s)
{
	view_cpy(v->filter, sizeof(v->filter), s ? s : "");
}

const char *
view_filter(const struct view *v)
{
	return v->filter[0] ? v->filter : NULL;
}

void
view_set_iface(struct view *v, const char *name)
{
	view_cpy(v->ifilter, sizeof(v->ifilter), name ? name : "");
}

const char *
view_iface(const struct view *v)
{
	return v->ifilter[0] ? v->ifilter : NULL;
}

const char *
view_iface_next(struct view *v)
{
	size_t i;

	if (v->nifs == 0) {
		v->ifilter[0] = '\0';
		return NULL;
	}
	if (v->ifilter[0] == '\0') {
		view_set_iface(v, v->ifs[0].name);
		return v->ifilter;
	}
	for (i = 0; i < v->nifs; i++)
		if (strcmp(v->ifs[i].name, v->ifilter) == 0)
			break;
	if (i + 1 >= v->nifs) {
		v->ifilter[0] = '\0';
		return NULL;
	}
	view_set_iface(v, v->ifs[i + 1].name);
	return v->ifilter;
}

/* The interface filter as an index: -1 for all, -2 for a name never seen
 * (nothing matches). */
static int
view_ifsel(const struct view *v)
{
	size_t i;

	if (v->ifilter[0] == '\0')
		return -1;
	for (i = 0; i < v->nifs; i++)
		if (strcmp(v->ifs[i].name, v->ifilter) == 0)
			return (int)i;
	return -2;
}

/* ------------------------------------------------------------------ */
/* cells */

static double
view_flowthr(const struct vflow *f)
{
	double d = f->last - f->first;

	return d > 0 ? (double)(f->inby + f->outby) / d : 0;
}

/* A container's short label: its name, the pod, or the id's first 12. */
static const char *
view_contlabel(const struct vproc *p, char *buf, size_t n)
{
	if (p->cname[0])
		return p->cname;
	if (p->pod[0])
		return p->pod;
	if (p->cid[0]) {
		snprintf(buf, n, "%.12s", p->cid);
		return buf;
	}
	return "-";
}

static const char *
view_procname(const struct vproc *p)
{
	return p->set && p->name[0] ? view_base(p->name) : "-";
}

static double
view_flownum(const struct vflow *f, int col)
{
	switch (col) {
	case FC_C2S: return (double)f->inby;
	case FC_S2C: return (double)f->outby;
	case FC_BYTES: return (double)(f->inby + f->outby);
	case FC_PKTS: return (double)(f->inpk + f->outpk);
	case FC_THR: return view_flowthr(f);
	case FC_LAT: return f->clat >= 0 ? f->clat : f->slat;
	default: return 0;
	}
}

static void
view_flowcell(const struct view *v, const struct vflow *f, int col,
    char *buf, size_t n)
{
	char tmp[32];
	double lat;

	switch (col) {
	case FC_IFACE:
		view_cpy(buf, n, v->ifs[f->iface].name);
		break;
	case FC_PROTO:
		view_cpy(buf, n, view_protoname(f->proto, tmp,
		    sizeof(tmp)));
		break;
	case FC_CLIENT:
		view_endpoint(buf, n, f->caddr, (long)f->cport);
		break;
	case FC_SERVER:
		view_endpoint(buf, n, f->saddr, (long)f->sport);
		break;
	case FC_C2S: case FC_S2C: case FC_BYTES:
		view_hbytes(buf, n, view_flownum(f, col), "");
		break;
	case FC_PKTS:
		view_hcount(buf, n, view_flownum(f, col), "");
		break;
	case FC_THR:
		view_hbytes(buf, n, view_flowthr(f), "/s");
		break;
	case FC_CPROC:
		view_cpy(buf, n, view_procname(f->c));
		break;
	case FC_SPROC:
		view_cpy(buf, n, view_procname(f->s));
		break;
	case FC_CUSER:
		view_cpy(buf, n, f->c->user[0] ? f->c->user : "-");
		break;
	case FC_SUSER:
		view_cpy(buf, n, f->s->user[0] ? f->s->user : "-");
		break;
	case FC_CCONT:
		view_cpy(buf, n, view_contlabel(f->c, tmp,
		    sizeof(tmp)));
		break;
	case FC_SCONT:
		view_cpy(buf, n, view_contlabel(f->s, tmp,
		    sizeof(tmp)));
		break;
	case FC_LAT:
		lat = view_flownum(f, col);
		if (lat < 0)
			snprintf(buf, n, "-");
		else if (lat < 10)
			snprintf(buf, n, "%.3f", lat);
		else
			snprintf(buf, n, "%.1f", lat);
		break;
	case FC_STATE:
		view_cpy(buf, n, f->state[0] ? f->state : "active");
		break;
	default:
		buf[0] = '\0';
	}
}

static double
view_procnum(const struct vprocrow *r, int col)
{
	switch (col) {
	case PC_PID: return (double)r->p->pid;
	case PC_CONNS: return (double)r->conns;
	case PC_CLI: return (double)r->asclient;
	case PC_SRV: return (double)r->asserver;
	case PC_SENT: return (double)r->sent;
	case PC_RCVD: return (double)r->rcvd;
	case PC_THR: return r->thr;
	default: return 0;
	}
}

static void
view_proccell(const struct view *v, const struct vprocrow *r, int col,
    char *buf, size_t n)
{
	char tmp[32];

	switch (col) {
	case PC_IFACE:
		view_cpy(buf, n, v->ifs[r->iface].name);
		break;
	case PC_PROC:
		view_cpy(buf, n, view_procname(r->p));
		break;
	case PC_PID:
		snprintf(buf, n, "%lld", (long long)r->p->pid);
		break;
	case PC_USER:
		if (r->p->user[0])
			view_cpy(buf, n, r->p->user);
		else
			snprintf(buf, n, "%lld", (long long)r->p->uid);
		break;
	case PC_PARENT:
		view_cpy(buf, n, r->p->parent[0] ?
		    view_base(r->p->parent) : "-");
		break;
	case PC_CONT:
		view_cpy(buf, n, view_contlabel(r->p, tmp, sizeof(tmp)));
		break;
	case PC_CONNS: case PC_CLI: case PC_SRV:
		view_hcount(buf, n, view_procnum(r, col), "");
		break;
	case PC_SENT: case PC_RCVD:
		view_hbytes(buf, n, view_procnum(r, col), "");
		break;
	case PC_THR:
		view_hbytes(buf, n, r->thr, "/s");
		break;
	default:
		buf[0] = '\0';
	}
}

static uint64_t
view_max3(uint64_t a, uint64_t b, uint64_t c)
{
	return a > b ? (a > c ? a : c) : (b > c ? b : c);
}

/* An interface's packets and bytes: packet records, flow records and
 * flow-agg's summaries may each see the same packets, so the largest of
 * the three counts, never their sum. */
static uint64_t
view_ifpkts(const struct viface *x)
{
	return view_max3(x->pkts, x->fpkts, x->apkts);
}

static uint64_t
view_ifbytes(const struct viface *x)
{
	return view_max3(x->bytes, x->fbytes, x->abytes);
}

static uint64_t
view_ifevents(const struct viface *x)
{
	return x->has_agg && x->aevents > x->events ? x->aevents : x->events;
}

static uint64_t
view_ifflows(const struct viface *x)
{
	return x->has_agg && x->aflows > x->flows ? x->aflows : x->flows;
}

static double
view_ifnum(const struct viface *x, int col)
{
	switch (col) {
	case IC_PKTS: return (double)view_ifpkts(x);
	case IC_BYTES: return (double)view_ifbytes(x);
	case IC_EVENTS: return (double)view_ifevents(x);
	case IC_FLOWS: return (double)view_ifflows(x);
	case IC_IN: return (double)x->inoct;
	case IC_OUT: return (double)x->outoct;
	case IC_INPKT: return (double)x->inpkt;
	case IC_OUTPKT: return (double)x->outpkt;
	case IC_ERRS: return (double)x->errs;
	default: return 0;
	}
}

static void
view_ifcell(const struct viface *x, int col, char *buf, size_t n)
{
	switch (col) {
	case IC_NAME:
		view_cpy(buf, n, x->name);
		break;
	case IC_ROLE:
		if (x->companion)
			snprintf(buf, n, "companion");
		else if (x->mirrored)
			snprintf(buf, n, "mirrored");
		else if (strstr(x->name, "://") != NULL)
			snprintf(buf, n, "zmq");
		else if (x->via[0])
			snprintf(buf, n, "counters");
		else if (x->ifname_target)
			snprintf(buf, n, "by-name");
		else
			snprintf(buf, n, "-");
		break;
	case IC_PKTS: case IC_EVENTS: case IC_FLOWS: case IC_INPKT:
	case IC_OUTPKT: case IC_ERRS:
		if (!x->has_ctr && col >= IC_INPKT)
			snprintf(buf, n, "-");
		else
			view_hcount(buf, n, view_ifnum(x, col), "");
		break;
	case IC_BYTES: case IC_IN: case IC_OUT:
		if (!x->has_ctr && col != IC_BYTES)
			snprintf(buf, n, "-");
		else
			view_hbytes(buf, n, view_ifnum(x, col), "");
		break;
	case IC_FROM:
		view_cpy(buf, n, x->from[0] ? x->from : x->via[0] ?
		    x->via : "-");
		break;
	default:
		buf[0] = '\0';
	}
}

static void
view_listencell(const struct view *v, const struct vlisten *l, int col,
    char *buf, size_t n)
{
	switch (col) {
	case LC_IFACE:
		view_cpy(buf, n, v->ifs[l->iface].name);
		break;
	case LC_HOST:
		view_cpy(buf, n, l->host);
		break;
	case LC_PROTO:
		view_cpy(buf, n, l->proto);
		break;
	case LC_PORT:
		snprintf(buf, n, "%u", l->port);
		break;
	case LC_PROC:
		view_cpy(buf, n, l->proc[0] ? view_base(l->proc) : "-");
		break;
	case LC_PKG:
		view_cpy(buf, n, l->pkg[0] ? l->pkg : "-");
		break;
	case LC_PATH:
		view_cpy(buf, n, l->proc[0] ? l->proc : "-");
		break;
	default:
		buf[0] = '\0';
	}
}

static void
view_eventcell(const struct view *v, const struct vevent *e, int col,
    char *buf, size_t n)
{
	char tmp[32];
	struct tm tm;
	time_t s;

	switch (col) {
	case EC_TIME:
		if (e->t <= 0) {
			snprintf(buf, n, "-");
			break;
		}
		s = (time_t)floor(e->t);
		gmtime_r(&s, &tm);
		snprintf(buf, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
		    tm.tm_sec, (int)floor((e->t - (double)s) * 1000));
		break;
	case EC_IFACE:
		view_cpy(buf, n, v->ifs[e->iface].name);
		break;
	case EC_KIND:
		view_cpy(buf, n, e->kind);
		break;
	case EC_TYPE:
		view_cpy(buf, n, e->type);
		break;
	case EC_PROTO:
		view_cpy(buf, n, view_protoname(e->proto, tmp,
		    sizeof(tmp)));
		break;
	case EC_SRC:
		view_cpy(buf, n, e->src);
		break;
	case EC_DST:
		view_cpy(buf, n, e->dst);
		break;
	case EC_PROC:
		view_cpy(buf, n, e->proc[0] ? view_base(e->proc) : "-");
		break;
	case EC_IFNAME:
		view_cpy(buf, n, e->ifname[0] ? e->ifname : "-");
		break;
	default:
		buf[0] = '\0';
	}
}

static void
view_cell(const struct view *v, enum view_kind k, const void *it, int col,
    char *buf, size_t n)
{
	switch (k) {
	case VIEW_FLOWS: view_flowcell(v, it, col, buf, n); break;
	case VIEW_PROCS: view_proccell(v, it, col, buf, n); break;
	case VIEW_IFACES: view_ifcell(it, col, buf, n); break;
	case VIEW_LISTEN: view_listencell(v, it, col, buf, n); break;
	case VIEW_EVENTS: view_eventcell(v, it, col, buf, n); break;
	default: buf[0] = '\0';
	}
}

static double
view_num(enum view_kind k, const void *it, int col)
{
	const struct vlisten *l;
	const struct vevent *e;

	switch (k) {
	case VIEW_FLOWS:
		return view_flownum(it, col);
	case VIEW_PROCS:
		return view_procnum(it, col);
	case VIEW_IFACES:
		return view_ifnum(it, col);
	case VIEW_LISTEN:
		l = it;
		return col == LC_PORT ? l->port : 0;
	case VIEW_EVENTS:
		e = it;
		return col == EC_TIME ? e->t : 0;
	default:
		return 0;
	}
}

static uint64_t
view_seqof(enum view_kind k, const void *it)
{
	switch (k) {
	case VIEW_FLOWS: return ((const struct vflow *)it)->seq;
	case VIEW_PROCS: return ((const struct vprocrow *)it)->seq;
	case VIEW_IFACES: return ((const struct viface *)it)->seq;
	case VIEW_LISTEN: return ((const struct vlisten *)it)->seq;
	case VIEW_EVENTS: return ((const struct vevent *)it)->seq;
	default: return 0;
	}
}

/* The detail text of one item: full paths, command lines, ids. */
static void
view_detailtext(const struct view *v, enum view_kind k, const void *it,
    struct sbuf *out)
{
	(void)v;
	const struct vflow *f;
	const struct vprocrow *r;
	const struct viface *x;
	const struct vlisten *l;
	const struct vevent *e;
	const struct vproc *ps[2];
	int i;

	switch (k) {
	case VIEW_FLOWS:
		f = it;
		ps[0] = f->c;
		ps[1] = f->s;
		for (i = 0; i < 2; i++) {
			const struct vproc *p = ps[i];

			if (i)
				sbuf_adds(out, " | ");
			sbuf_adds(out, i ? "server " : "client ");
			if (!p->set) {
				sbuf_adds(out, "-");
				continue;
			}
			sbuf_addf(out, "%s[%lld]", p->name[0] ? p->name : "?",
			    (long long)p->pid);
			if (p->user[0])
				sbuf_addf(out, " user %s", p->user);
			if (p->parent[0])
				sbuf_addf(out, " parent %s[%lld]", p->parent,
				    (long long)p->ppid);
			if (p->cmd[0])
				sbuf_addf(out, " cmd '%s'", p->cmd);
			if (p->cid[0])
				sbuf_addf(out, " container %s", p->cid);
		}
		sbuf_addf(out, " | %llu+%llu pkts",
		    (unsigned long long)f->inpk, (unsigned long long)f->outpk);
		break;
	case VIEW_PROCS:
		r = it;
		sbuf_addf(out, "%s[%lld] uid %lld", r->p->name[0] ?
		    r->p->name : "?", (long long)r->p->pid,
		    (long long)r->p->uid);
		if (r->p->parent[0])
			sbuf_addf(out, " parent %s[%lld]", r->p->parent,
			    (long long)r->p->ppid);
		if (r->p->cmd[0])
			sbuf_addf(out, " cmd '%s'", r->p->cmd);
		if (r->p->cid[0])
			sbuf_addf(out, " container %s", r->p->cid);
		break;
	case VIEW_IFACES:
		x = it;
		sbuf_addf(out, "%s: %llu records", x->name,
		    (unsigned long long)x->records);
		if (x->from[0])
			sbuf_addf(out, ", copies from %s", x->from);
		if (x->via[0])
			sbuf_addf(out, ", counters via %s", x->via);
		if (x->has_ctr)
			sbuf_addf(out, ", counters in %llu B %llu pkts, out "
			    "%llu B %llu pkts, %llu errors",
			    (unsigned long long)x->inoct,
			    (unsigned long long)x->inpkt,
			    (unsigned long long)x->outoct,
			    (unsigned long long)x->outpkt,
			    (unsigned long long)x->errs);
		break;
	case VIEW_LISTEN:
		l = it;
		sbuf_addf(out, "%s %u on %s: %s (%s)", l->proto, l->port,
		    l->host, l->proc[0] ? l->proc : "-",
		    l->pkg[0] ? l->pkg : "-");
		break;
	case VIEW_EVENTS:
		e = it;
		sbuf_addf(out, "%s %s %s -> %s", e->kind, e->type, e->src,
		    e->dst);
		if (e->proc[0])
			sbuf_addf(out, " process %s", e->proc);
		if (e->detail[0])
			sbuf_addf(out, " %s", e->detail);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------ */
/* collecting, filtering and sorting rows */

static struct vprocrow *
view_procrow(struct view *v, const struct vproc *p, int iface)
{
	uint64_t h = view_flowhash(iface, 0, 0, p->name, 0, p->cid,
	    (unsigned)p->pid) ^ (uint64_t)p->pid;
	struct vprocrow *r;
	size_t b = h & (v->phsize - 1);

	for (r = v->phash[b]; r != NULL; r = r->hnext)
		if (r->iface == iface && r->p->pid == p->pid &&
		    strcmp(r->p->name, p->name) == 0 &&
		    strcmp(r->p->cid, p->cid) == 0)
			return r;
	if (v->nprows == v->capprows)
		return NULL;
	r = &v->prows[v->nprows++];
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->iface = iface;
	r->seq = v->nprows;
	r->hnext = v->phash[b];
	v->phash[b] = r;
	return r;
}

/* Rebuilds the per-process rows from the flows of the selected interface
 * (a process may be the client of some flows and the server of others). */
static void
view_build_procs(struct view *v, int ifsel)
{
	const struct vflow *f;
	size_t need = v->nflows * 2 + 1, hs = 64;

	while (hs < need)
		hs *= 2;
	if (v->capprows < need) {
		v->prows = view_xreallocarray(v->prows, need,
		    sizeof(*v->prows));
		v->capprows = need;
	}
	if (v->phsize != hs) {
		free(v->phash);
		v->phash = view_xcalloc(hs, sizeof(*v->phash));
		v->phsize = hs;
	} else
		memset(v->phash, 0, hs * sizeof(*v->phash));
	v->nprows = 0;
	/* Oldest flow first, so rows come in a stable order. */
	for (f = v->lru_tail; f != NULL; f = f->lprev) {
		struct vprocrow *r;
		double thr;

		if (ifsel != -1 && f->iface != ifsel)
			continue;
		thr = view_flowthr(f);
		if (f->c->set && (r = view_procrow(v, f->c, f->iface))) {
			r->conns++;
			r->asclient++;
			r->sent += f->inby;
			r->rcvd += f->outby;
			r->thr += thr;
		}
		if (f->s->set && (r = view_procrow(v, f->s, f->iface))) {
			r->conns++;
			r->asserver++;
			r->sent += f->outby;
			r->rcvd += f->inby;
			r->thr += thr;
		}
	}
}

/* Does the item's text (every column and its detail) contain the filter? */
static bool
view_match(const struct view *v, enum view_kind k, const void *it)
{
	char buf[256];
	struct sbuf d = { 0 };
	bool ok = false;
	int i;

	for (i = 0; i < view_def[k].n && !ok; i++) {
		view_cell(v, k, it, i, buf, sizeof(buf));
		ok = strcasestr(buf, v->filter) != NULL;
	}
	if (!ok) {
		view_detailtext(v, k, it, &d);
		ok = d.len > 0 && strcasestr(d.p, v->filter) != NULL;
		sbuf_free(&d);
	}
	return ok;
}

static void
view_addrow(struct view *v, enum view_kind k, const void *it)
{
	if (v->filter[0] && !view_match(v, k, it))
		return;
	VIEW_GROW(v->shown[k], v->capshown[k], v->nshown[k] + 1);
	v->shown[k][v->nshown[k]++] = it;
}

static int
view_cmp_asc(const void *a, const void *b)
{
	const struct vsortent *x = a, *y = b;
	int c;

	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	if ((c = strcmp(x->str, y->str)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
view_cmp_desc(const void *a, const void *b)
{
	const struct vsortent *x = a, *y = b;
	int c;

	if (x->num != y->num)
		return x->num > y->num ? -1 : 1;
	if ((c = strcmp(y->str, x->str)) != 0)
		return c;
	/* Ties keep their arrival order either way. */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Collects view k's rows into v->shown[k], filtered and sorted. */
static void
view_collect(struct view *v, enum view_kind k)
{
	int ifsel = view_ifsel(v), col = v->sortcol[k];
	bool num = (view_def[k].c[col].flags & C_NUM) != 0;
	size_t i, n;

	v->nshown[k] = 0;
	if (ifsel == -2)
		return;
	switch (k) {
	case VIEW_FLOWS: {
		const struct vflow *f;

		for (f = v->lru_tail; f != NULL; f = f->lprev)
			if (ifsel == -1 || f->iface == ifsel)
				view_addrow(v, k, f);
		break;
	}
	case VIEW_PROCS:
		view_build_procs(v, ifsel);
		for (i = 0; i < v->nprows; i++)
			view_addrow(v, k, &v->prows[i]);
		break;
	case VIEW_IFACES:
		for (i = 0; i < v->nifs; i++)
			if (ifsel == -1 || (int)i == ifsel)
				view_addrow(v, k, &v->ifs[i]);
		break;
	case VIEW_LISTEN:
		for (i = 0; i < v->nls; i++)
			if (ifsel == -1 || v->ls[i].iface == ifsel)
				view_addrow(v, k, &v->ls[i]);
		break;
	case VIEW_EVENTS:
		for (i = 0; i < v->nevs; i++) {
			size_t j = (v->evnext + v->conf.max_events - v->nevs +
			    i) % v->conf.max_events;

			if (ifsel == -1 || v->evs[j].iface == ifsel)
				view_addrow(v, k, &v->evs[j]);
		}
		break;
	default:
		return;
	}
	n = v->nshown[k];
	VIEW_GROW(v->sortv, v->capsort, n + 1);
	for (i = 0; i < n; i++) {
		struct vsortent *s = &v->sortv[i];

		s->it = v->shown[k][i];
		s->seq = view_seqof(k, s->it);
		if (num) {
			s->num = view_num(k, s->it, col);
			s->str[0] = '\0';
		} else {
			s->num = 0;
			view_cell(v, k, s->it, col, s->str, sizeof(s->str));
		}
	}
	qsort(v->sortv, n, sizeof(*v->sortv),
	    v->sortdesc[k] ? view_cmp_desc : view_cmp_asc);
	for (i = 0; i < n; i++)
		v->shown[k][i] = v->sortv[i].it;
}

/* ------------------------------------------------------------------ */
/* rendering */

/* Appends s fitted into w columns: cut with '~' (at the front for C_TAIL
 * columns), padded to the left for numbers and to the right otherwise;
 * last: no trailing padding. Counts bytes, which equals columns for the
 * ASCII that cells hold; other UTF-8 text is cut at a character start. */
static void
view_fit(struct sbuf *out, const char *s, int w, unsigned flags, bool last)
{
	size_t n = strlen(s);

	if ((int)n > w) {
		if (w <= 1) {
			sbuf_addc(out, '~');
			return;
		}
		if (flags & C_TAIL) {
			const char *p = s + n - (size_t)(w - 1);

			while (((unsigned char)*p & 0xc0) == 0x80)
				p++;
			sbuf_addc(out, '~');
			sbuf_adds(out, p);
		} else {
			size_t m = (size_t)(w - 1);

			while (m > 0 && ((unsigned char)s[m] & 0xc0) == 0x80)
				m--;
			sbuf_add(out, s, m);
			sbuf_addc(out, '~');
		}
		return;
	}
	if (flags & C_NUM) {
		for (; (int)n < w; n++)
			sbuf_addc(out, ' ');
		sbuf_adds(out, s);
	} else {
		sbuf_adds(out, s);
		if (!last)
			for (; (int)n < w; n++)
				sbuf_addc(out, ' ');
	}
}

/* Ends a line: trailing blanks removed, newline added. */
static void
view_endline(struct sbuf *out, size_t start)
{
	while (out->len > start && out->p[out->len - 1] == ' ')
		out->len--;
	sbuf_addc(out, '\n');
}

/* Appends text cut to width (0: no limit) as one line. */
static void
view_addline(struct sbuf *out, const char *s, int width)
{
	size_t n = strlen(s);

	if (width > 0 && n > (size_t)width) {
		n = (size_t)width;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	sbuf_add(out, s, n);
	sbuf_addc(out, '\n');
}

int
view_header(struct view *v, int width, struct sbuf *out)
{
	struct sbuf l = { 0 };
	char a[32], b[32];
	double evs, pks;
	uint64_t bad = *v->c_bad + *v->c_badfield + v->overlong;
	size_t i, j;
	bool any = false;

	view_rates(v, &evs, &pks);
	view_hrate(a, sizeof(a), evs, "/s");
	view_hrate(b, sizeof(b), pks, "pps");
	sbuf_addf(&l, "events %s  packets %s  flows %zu  records %llu  "
	    "bad %llu", a, b, v->nflows, (unsigned long long)*v->c_records,
	    (unsigned long long)bad);
	view_addline(out, l.p, width);
	sbuf_reset(&l);
	sbuf_adds(&l, "drops:");
	if (*v->c_evicted) {
		sbuf_addf(&l, " show_evicted %llu",
		    (unsigned long long)*v->c_evicted);
		any = true;
	}
	/* One total per counter name, over interfaces, in first-seen order. */
	for (i = 0; i < v->ndrops; i++) {
		uint64_t sum = 0;
		bool first = true;

		for (j = 0; j < i; j++)
			if (strcmp(v->drops[j].name, v->drops[i].name) == 0)
				first = false;
		if (!first)
			continue;
		for (j = i; j < v->ndrops; j++)
			if (strcmp(v->drops[j].name, v->drops[i].name) == 0)
				sum += v->drops[j].v;
		sbuf_addf(&l, " %s %llu", v->drops[i].name,
		    (unsigned long long)sum);
		any = true;
	}
	if (!any)
		sbuf_adds(&l, " none seen");
	view_addline(out, l.p, width);
	sbuf_free(&l);
	return 2;
}

int
view_render(struct view *v, enum view_kind k, int width, size_t first,
    int maxrows, struct sbuf *out, struct view_info *info)
{
	const struct vcol *c = view_def[k].c;
	int idx[MAXCOLS], w[MAXCOLS], n, i, drawn = 0;
	size_t r, start, pos = 0;
	char buf[256];

	if ((unsigned)k >= VIEW_NKINDS)
		return 0;
	view_collect(v, k);
	n = view_layout(k, width, idx, w);
	if (width <= 0) {
		/* No width limit: each column as wide as its widest text. */
		for (i = 0; i < n; i++)
			w[i] = (int)strlen(c[idx[i]].name);
		for (r = first; r < v->nshown[k] && (maxrows < 0 ||
		    r - first < (size_t)maxrows); r++)
			for (i = 0; i < n; i++) {
				int len;

				view_cell(v, k, v->shown[k][r], idx[i], buf,
				    sizeof(buf));
				if ((len = (int)strlen(buf)) > w[i])
					w[i] = len;
			}
	}
	if (info) {
		info->rows = v->nshown[k];
		info->sort_start = -1;
		info->sort_len = 0;
	}
	start = out->len;
	for (i = 0; i < n; i++) {
		if (i) {
			sbuf_addc(out, ' ');
			pos++;
		}
		if (info && idx[i] == v->sortcol[k]) {
			info->sort_start = (int)pos;
			info->sort_len = w[i];
		}
		view_fit(out, c[idx[i]].name, w[i], c[idx[i]].flags,
		    i == n - 1);
		pos += (size_t)w[i];
	}
	view_endline(out, start);
	for (r = first; r < v->nshown[k] && (maxrows < 0 || drawn < maxrows);
	    r++, drawn++) {
		start = out->len;
		for (i = 0; i < n; i++) {
			if (i)
				sbuf_addc(out, ' ');
			view_cell(v, k, v->shown[k][r], idx[i], buf,
			    sizeof(buf));
			view_fit(out, buf, w[i], c[idx[i]].flags, i == n - 1);
		}
		view_endline(out, start);
	}
	return drawn;
}

int
view_detail(struct view *v, enum view_kind k, size_t idx, int width,
    struct sbuf *out)
{
	struct sbuf d = { 0 };
	size_t n;

	if ((unsigned)k >= VIEW_NKINDS || idx >= v->nshown[k])
		return -1;
	view_detailtext(v, k, v->shown[k][idx], &d);
	if (d.len == 0) {
		sbuf_free(&d);
		return 0;
	}
	n = d.len;
	if (width > 0 && n > (size_t)width) {
		n = (size_t)width;
		while (n > 0 && ((unsigned char)d.p[n] & 0xc0) == 0x80)
			n--;
	}
	sbuf_add(out, d.p, n);
	sbuf_free(&d);
	return 0;
}

void
view_tables(struct view *v, const enum view_kind *kinds, int nkinds,
    int width, struct sbuf *out)
{
	struct view_info info;
	int i;

	view_header(v, width, out);
	for (i = 0; i < nkinds; i++) {
		struct sbuf t = { 0 };
		bool desc;
		const char *s;

		view_render(v, kinds[i], width, 0, -1, &t, &info);
		s = view_sort_name(v, kinds[i], &desc);
		sbuf_addc(out, '\n');
		sbuf_addf(out, "%s: %zu, by %s %s", view_name(kinds[i]),
		    info.rows, s, desc ? "desc" : "asc");
		if (v->ifilter[0])
			sbuf_addf(out, ", iface %s", v->ifilter);
		if (v->filter[0])
			sbuf_addf(out, ", filter \"%s\"", v->filter);
		sbuf_addc(out, '\n');
		sbuf_add(out, t.p, t.len);
		sbuf_free(&t);
	}
}

/* ------------------------------------------------------------------ */
/* the batch core */

struct view_batchctx {
	struct view	*v;
};

static int
view_batch_line(void *arg, const char *line, size_t len, int input)
{
	struct view_batchctx *c = arg;

	(void)input;
	view_feed(c->v, line, len);
	return 0;
}

static int
view_batch_emit(struct view *v, const struct view_batch *b, FILE *out,
    long n)
{
	struct sbuf s = { 0 };
	int rc = 0;

	if (n > 0)
		sbuf_adds(&s, "\f\n");
	view_tables(v, b->kinds, b->nkinds, b->width, &s);
	if (fwrite(s.p, 1, s.len, out) != s.len || fflush(out) == EOF)
		rc = -1;
	sbuf_free(&s);
	return rc;
}

static double
view_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
view_batch_run(struct view *v, const struct view_batch *b,
    struct linebuf *in, FILE *out, volatile sig_atomic_t *stop)
{
	struct view_batchctx ctx = { v };
	double next = b->interval > 0 ? view_mono() + b->interval : 0;
	long emitted = 0;
	int r;

	while (stop == NULL || !*stop) {
		int tmo = -1;

		if (b->interval > 0) {
			double left = next - view_mono();

			tmo = left <= 0 ? 0 : (int)(left * 1000) + 1;
		}
		r = linebuf_poll(in, tmo, view_batch_line, &ctx);
		view_count_overlong(v, linebuf_stats(in)->overlong);
		if (b->usr1 != NULL && *b->usr1) {
			*b->usr1 = 0;
			stats_print(v->st, stderr);
		}
		if (r == LINEBUF_EOF)
			break;
		if (b->interval > 0 && view_mono() >= next) {
			if (view_batch_emit(v, b, out, emitted) == -1)
				return -1;
			if (b->count > 0 && ++emitted >= b->count)
				return 0;
			next += b->interval;
			if (next < view_mono())
				next = view_mono() + b->interval;
		}
	}
	return view_batch_emit(v, b, out, emitted);
}
