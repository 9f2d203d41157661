/* evfields.h - the one reader of event and flow fields, in every producer
 * dialect (doc/design.md "The record contract", doc/wire-format.md
 * "eBPF events").
 *
 * Producers name the same thing differently: INTERFACE_NAME or IF_NAME;
 * IPV4_SRC_ADDR/IPV4_DST_ADDR (libebpfflow, packets, flows) or
 * IPV4_LOCAL_ADDR/IPV4_REMOTE_ADDR (nprobe_mini); names or NetFlow field
 * ids in strings ("8", "12", softflowd); numbers or numbers in strings.
 * This module maps them all onto fixed-size structs, filled without
 * malloc: every optional field has a has_ flag, strings are copied into
 * bounded arrays (cut at a UTF-8 boundary when too long, and flagged).
 *
 * Two entry points: evf_read_ids() reads only what routing and sharding
 * need (interface name and 5-tuple) in one pass over the top-level keys;
 * evf_read() reads everything.
 */
#ifndef EVPIPE_EVFIELDS_H
#define EVPIPE_EVFIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipaddr.h"
#include "record.h"

#define EVF_IFNAMELEN	128	/* interface names */
#define EVF_NAMELEN	64	/* user, group, namespace, package names */
#define EVF_IDLEN	80	/* container ids (64 hex digits in practice) */
#define EVF_STRLEN	256	/* paths, command lines, process/pod names */

/* Which address keys the record used. */
enum evf_dialect {
	EVF_DIALECT_NONE = 0,	/* no address key at all */
	EVF_DIALECT_SRCDST,	/* IPV4_SRC_ADDR, IPV6_DST_ADDR, L4_SRC_PORT... */
	EVF_DIALECT_LOCALREMOTE, /* IPV4_LOCAL_ADDR, L4_REMOTE_PORT... */
	EVF_DIALECT_NUMERIC,	/* "8", "12", "27", "28", "7", "11" */
};

/* Bits of evf_ids.bad / evf_event.bad: a field was present but unusable
 * (it is then treated as absent). Counter names from evf_badname(). */
#define EVF_BAD_IFNAME	0x01u	/* "bad_ifname": not a string, or too long */
#define EVF_BAD_ADDR	0x02u	/* "bad_address": not an IP address */
#define EVF_BAD_PORT	0x04u	/* "bad_port": not an integer in 0..65535 */
#define EVF_BAD_PROTO	0x08u	/* "bad_protocol": not an integer in 0..255 */
#define EVF_BAD_NUMBER	0x10u	/* "bad_value": another field of the wrong
				   kind (a string for a number...) */
#define EVF_BAD_OBJECT	0x20u	/* "bad_object": a block that is no object */
#define EVF_BAD_TIME	0x40u	/* "bad_timestamp" */

/* The fields of the flow key and the interface name. src/dst are the
 * source and destination for the SRCDST and NUMERIC dialects, and local
 * and remote (src = local) for LOCALREMOTE. */
struct evf_ids {
	bool		has_ifname;
	const char	*ifname;	/* into the record's text, or ifbuf when
					   the value had escapes (so do not
					   copy the struct); not NUL-
					   terminated unless it is ifbuf */
	size_t		iflen;
	enum evf_dialect dialect;
	int		ipver;		/* IP_PROTOCOL_VERSION ("60"), else from
					   the addresses; 0 if unknown */
	bool		has_proto;
	uint8_t		proto;		/* PROTOCOL ("4") */
	bool		has_src, has_dst;
	struct ipaddr	src, dst;
	bool		has_sport, has_dport;
	uint16_t	sport, dport;
	unsigned	bad;		/* EVF_BAD_* */
	/* What evf_read_ids() saw of the record's keys, for ev-route, which
	 * splices a copy only into a record with one "_iface", no "_from"
	 * and no escaped key (zero from evf_read()): the number of plain
	 * "_iface" keys and the first of them (NULL if none), a plain
	 * "_from", any key with an escape. */
	const struct rec_field *iface;
	unsigned	n_iface;
	bool		has_from, kesc;
	char		ifbuf[EVF_IFNAMELEN];	/* last: not cleared */
};

/* Reads the interface name (INTERFACE_NAME, else IF_NAME), IP version,
 * protocol, addresses and ports of r (names before NetFlow ids; SRC/DST
 * before LOCAL/REMOTE before ids, one dialect per record). Returns 0, or
 * -1 if a present field was unusable (id->bad says which; the other
 * fields are still filled). id->ifname borrows r's text. */
int	evf_read_ids(const struct record *r, struct evf_ids *id);

/* A stable hash of the direction-free 5-tuple (protocol, and the two
 * address/port ends in sorted order), so both directions of a flow, and
 * the events about it, hash alike. Returns false (and *h = 0) when the
 * record has no addresses. */
bool	evf_flow_hash(const struct evf_ids *id, uint64_t *h);

/* True if either address is loopback as ipaddr_is_loopback_event() sees
 * it (0.0.0.1 included): for events only. Inline: ev-route asks it of
 * nearly every event. */
static inline bool
evf_involves_loopback(const struct evf_ids *id)
{
	return (id->has_src && ipaddr_is_loopback_event(&id->src)) ||
	    (id->has_dst && ipaddr_is_loopback_event(&id->dst));
}

/* Event types: the numbers are libebpfflow's. */
enum evf_evtype {
	EVF_EV_NONE = 0,		/* no TCP_/UDP_EVENT_TYPE */
	EVF_EV_UNKNOWN = 1,		/* present, not one of the below */
	EVF_EV_ACCEPT = 100,
	EVF_EV_CONNECT = 101,
	EVF_EV_RETRANSMIT = 200,
	EVF_EV_UDP_RECV = 210,
	EVF_EV_UDP_SEND = 211,
	EVF_EV_CLOSE = 300,
	EVF_EV_CONNECT_FAILED = 500,
};

/* A process block (LOCAL_PROCESS, LOCAL_FATHER_PROCESS).
 * PID and TID: libebpfflow writes the thread id as "PID" and the process
 * id (thread group id) as "TID" (0 for the father); nprobe_mini writes
 * "PID" only, with the process id. So: pid is the process id, "TID" when
 * the block has a non-zero "TID", else "PID"; tid is the thread id
 * ("PID" when a non-zero "TID" was present), else 0. raw_pid and raw_tid
 * are the values as sent. */
struct evf_proc {
	bool		present;	/* the block exists and is an object */
	bool		has_pid, has_raw_tid, has_uid, has_gid;
	bool		has_vm_size, has_vm_peak;
	int64_t		pid, tid, raw_pid, raw_tid;
	int64_t		uid, gid, vm_size, vm_peak;
	bool		has_uid_name, has_gid_name, has_path, has_cmdline;
	char		uid_name[EVF_NAMELEN];
	char		gid_name[EVF_NAMELEN];
	char		path[EVF_STRLEN];	/* "/usr/bin/curl", unescaped */
	char		cmdline[EVF_STRLEN];
	bool		truncated;		/* a string was cut to fit */
};

/* The last component of p->path ("" when there is none). */
const char *evf_proc_name(const struct evf_proc *p);

enum evf_ctkind {
	EVF_CT_NONE = 0,
	EVF_CT_DOCKER,		/* LOCAL_CONTAINER.DOCKER */
	EVF_CT_K8S,		/* LOCAL_CONTAINER.K8S */
	EVF_CT_OTHER,		/* LOCAL_CONTAINER with neither */
};

/* LOCAL_CONTAINER. The ID is read from the block's top level (nprobe_mini)
 * or from inside DOCKER/K8S (libebpfflow); NAME, POD and NS likewise. */
struct evf_container {
	bool		present;
	enum evf_ctkind	kind;
	bool		has_id, has_name, has_pod, has_ns;
	char		id[EVF_IDLEN];
	char		name[EVF_STRLEN];
	char		pod[EVF_STRLEN];
	char		ns[EVF_NAMELEN];
	bool		truncated;
};

/* nProbe agent directional IEs: SRC_PROC_* (src) or DST_PROC_* (dst),
 * SRC_FATHER_PROC_*. */
struct evf_agent {
	bool		present;	/* any of the fields below */
	bool		has_pid, has_uid, has_father_pid;
	int64_t		pid, uid, father_pid;
	bool		has_name, has_user_name, has_father_name;
	bool		has_cmdline, has_container_id, has_pkg_name;
	char		name[EVF_STRLEN];	/* _PROC_NAME */
	char		user_name[EVF_NAMELEN];	/* _PROC_USER_NAME */
	char		father_name[EVF_STRLEN]; /* _FATHER_PROC_NAME */
	char		cmdline[EVF_STRLEN];	/* _PROC_CMDLINE */
	char		container_id[EVF_IDLEN]; /* _PROC_CONTAINER_ID */
	char		pkg_name[EVF_NAMELEN];	/* _PROC_PKG_NAME */
	bool		truncated;
};

/* The TCP netstat object of nprobe_mini socket updates. */
struct evf_tcp {
	bool		present;
	bool		has_state;
	char		state[16];	/* CONN_STATE, e.g. "ESTABLISHED" */
	bool		has_segs_in, has_segs_out, has_unack, has_retran;
	bool		has_lost, has_rtt, has_rtt_var, has_bytes_rcvd;
	bool		has_bytes_acked;
	uint64_t	segs_in, segs_out, unack, retran, lost;
	uint64_t	bytes_rcvd, bytes_acked;
	double		rtt, rtt_var;	/* RTT, RTT_VARIANCE */
};

/* Plain flow counters, by name or by NetFlow field id. */
enum evf_ctr {
	EVF_IN_BYTES,		/* "1" */
	EVF_IN_PKTS,		/* "2" */
	EVF_SRC_TOS,		/* "5" */
	EVF_TCP_FLAGS,		/* "6" */
	EVF_INPUT_SNMP,		/* "10" */
	EVF_OUTPUT_SNMP,	/* "14" */
	EVF_OUT_BYTES,		/* "23" */
	EVF_OUT_PKTS,		/* "24" */
	EVF_SRC_VLAN,		/* "58" */
	EVF_DST_VLAN,		/* "59" */
	EVF_NCTR
};

struct evf_counters {
	uint32_t	has;		/* bit 1u << EVF_x per counter present */
	uint64_t	v[EVF_NCTR];
	bool		has_first, has_last;
	double		first_switched;	/* FIRST_SWITCHED "22", seconds */
	double		last_switched;	/* LAST_SWITCHED "21" */
};

/* Everything a stage may want from an event, a netstat update or a flow.
 * A string array holds a C string; its bytes past the NUL are stale
 * (evf_read does not clear them), so read it only as a string. */
struct evf_event {
	struct evf_ids	id;
	bool		has_time;	/* "timestamp": "sec.usec" or number */
	double		time;
	int64_t		time_sec;
	int32_t		time_usec;	/* exact, for output without rounding */
	enum evf_evtype	type;
	bool		type_udp;	/* came as UDP_EVENT_TYPE */
	char		type_name[24];	/* as sent ("CONNECT", or "101") */
	bool		has_latency;
	double		latency_ms;	/* NW_LATENCY_MS, number or string */
	bool		has_retran;
	int64_t		retran_pkts;	/* RETRAN_PKTS */
	bool		has_tid;
	int64_t		tid;		/* top-level TID (nprobe_mini) */
	bool		has_exporter;
	struct ipaddr	exporter;	/* EXPORTER_IPV4_ADDRESS / _IPV6_ */
	struct evf_proc	proc;		/* LOCAL_PROCESS */
	struct evf_proc	father;		/* LOCAL_FATHER_PROCESS */
	struct evf_container container;	/* LOCAL_CONTAINER */
	struct evf_agent src_proc, dst_proc;	/* SRC_PROC_*, DST_PROC_* */
	bool		has_client_latency, has_server_latency;
	double		client_latency_ms, server_latency_ms;
	struct evf_tcp	tcp;		/* TCP */
	struct evf_counters ctr;
	unsigned	bad;		/* EVF_BAD_*, ids included */
};

/* Scratch space for nested objects; one per thread, reused. */
struct evf_reader {
	struct record	sub;
	struct record	sub2;
};
void	evf_reader_init(struct evf_reader *rd);
void	evf_reader_free(struct evf_reader *rd);

/* Fills *ev from r (ev is cleared first). Returns 0, or -1 if a present
 * field was unusable (ev->bad says which; everything else is filled).
 * Borrows r's text only through ev->id.ifname. */
int	evf_read(struct evf_reader *rd, const struct record *r,
	    struct evf_event *ev);

/* True if the local end is the source: LOCALREMOTE records always; SRCDST
 * events except ACCEPT, where libebpfflow puts the remote client first. */
bool	evf_local_is_src(const struct evf_event *ev);

/* The name of an event type ("CONNECT"; "" for NONE, "UNKNOWN"). */
const char *evf_evtype_name(enum evf_evtype t);

/* The member named name, or, if absent and name has a field id
 * (evf_ie_id), the member named by that id as a decimal string ("8"), or
 * for ntop's fields in PEN form ("35632.118"). NULL if none. */
const struct rec_field *evf_get(const struct record *r, const char *name);

/* The field id of a name (IPV4_SRC_ADDR: 8, L7_PROTO: 57590), or -1; and
 * the name of an id, or NULL. The ids of the ntopids table. */
int	evf_ie_id(const char *name);
const char *evf_ie_name(int id);

/* The counter name of one EVF_BAD_* bit ("bad_address"), or "bad_field". */
const char *evf_badname(unsigned bit);

#endif
