/* route.h - ev-route's delivery rules (doc/wire-format.md "Interface
 * dispatch", man/ev-route.1) as a pure function, and the stage's core loop.
 *
 * For a record of _type "event" received on interface Z (its _iface):
 *  1. it stays on Z, unchanged;
 *  2. if its INTERFACE_NAME/IF_NAME equals a declared interface X != Z
 *     (exact, case-sensitive), a copy goes to X;
 *  3. if Z has a companion C, a copy goes to C unless either address is
 *     loopback (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104, 0.0.0.1) or an
 *     address is unreadable;
 *  4. never twice to one interface (C == X, or C == Z, gives no extra copy).
 * A copy has _iface set to its interface and _from set to Z. Every other
 * record passes through unchanged.
 */
#ifndef EVPIPE_ROUTE_H
#define EVPIPE_ROUTE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evfields.h"
#include "linebuf.h"
#include "record.h"
#include "sink.h"
#include "stats.h"

struct route;

/* An empty rule set. Aborts on out-of-memory. Free with route_destroy(). */
struct route *route_new(void);
void	route_destroy(struct route **rtp);

/* Configuration; each returns 0, or -1 with a message in err. Names are
 * copied. route_declare: -i IFACE (declaring twice is harmless);
 * route_mirror: -m IFACE; route_companion: -c ZMQIFACE=IFACE (one
 * companion per ZMQ interface). */
int	route_declare(struct route *rt, const char *iface, char *err,
	    size_t errsz);
int	route_mirror(struct route *rt, const char *iface, char *err,
	    size_t errsz);
int	route_companion(struct route *rt, const char *zmqif,
	    const char *iface, char *err, size_t errsz);

/* Checks the whole configuration: every mirrored interface and every
 * companion is declared, every companion is mirrored. Returns 0, or -1
 * with a message naming the interface at fault in err. */
int	route_check(const struct route *rt, char *err, size_t errsz);

/* Number of declared interfaces, and the name of the i-th. */
size_t	route_nifaces(const struct route *rt);
const char *route_iface(const struct route *rt, size_t i);

/* What route_decide() found; the flags feed the counters. */
enum route_kind {
	ROUTE_PASS,		/* not an event: passes through */
	ROUTE_NO_IFACE,		/* an event without a usable _iface: passes
				   through, no copies */
	ROUTE_EVENT,		/* an event on interface Z */
};

#define ROUTE_MAXCOPIES	2

struct route_copy {
	const char	*iface;		/* the target interface (rule set owns) */
	size_t		 len;
	const char	*json;		/* the same as a JSON string literal */
	size_t		 jlen;
	bool		 companion;	/* rule 3 (else rule 2) */
};

struct route_result {
	enum route_kind	 kind;
	const char	*z;		/* Z, decoded (into zbuf or the record) */
	size_t		 zlen;
	char		 zbuf[EVF_IFNAMELEN];
	const char	*zjson;		/* _iface's value as JSON text (for _from) */
	size_t		 zjlen;
	size_t		 ncopies;
	struct route_copy copy[ROUTE_MAXCOPIES];
	bool		 no_ifname;	/* no interface name, or "" */
	bool		 unknown_ifname; /* names no declared interface */
	bool		 ifname_is_z;	/* names Z itself: no copy needed */
	bool		 loopback;	/* companion withheld: loopback */
	bool		 bad_address;	/* companion withheld: bad address */
	bool		 merged;	/* companion == IF_NAME target: one copy */
	unsigned	 bad;		/* EVF_BAD_* seen in the ids */
	struct evf_ids	 ids;		/* what was read (for sharding) */
	const struct rec_field *iface;	/* the first _iface member, or NULL
					   (ids counts them, for the
					   copies' splice) */
};

/* Applies the rules to one parsed record. Pure: reads rt and r, writes
 * only *res, which borrows from both. */
void	route_decide(const struct route *rt, const struct record *r,
	    struct route_result *res);

/* Where the records go. Either shards (nshards > 0: each record and copy
 * goes to shard[hash % nshards] by evf_flow_hash of its ids; records
 * without addresses go to shard 0), or per-interface sinks (iface[i] ->
 * sink[i]) with everything else on dflt. The same sink may appear more
 * than once; the caller opens and closes them. */
struct route_outs {
	struct sink	*dflt;
	size_t		 n;
	const char	**iface;
	struct sink	**sink;
	size_t		 nshards;
	struct sink	**shard;
};

struct route_core;

/* A core over rt (borrowed) writing to o (borrowed) and counting into st.
 * Aborts on out-of-memory. */
struct route_core *route_core_new(const struct route *rt,
	    const struct route_outs *o, struct stats *st);
void	route_core_destroy(struct route_core **cp);

/* Gives c njobs worker threads (ev-route -j; nothing for njobs <= 1):
 * route_run() then reads lines into batches that the workers parse and
 * route in parallel, and writes their output in input order, so output,
 * counters and messages are exactly those of one thread. Stopped by
 * route_core_destroy(). */
void	route_core_jobs(struct route_core *c, const struct linebuf *in,
	    size_t njobs);
/* The stage's loop: routes what arrives on in until every input ended,
 * *stop is set or every sink failed, printing the counters to stderr each
 * time *usr1 is set (clearing it); then writes out what the workers hold
 * and syncs the counters. Returns 1 if output was lost, else 0; the caller
 * closes the sinks. */
int	route_run(struct route_core *c, struct linebuf *in,
	    volatile sig_atomic_t *stop, volatile sig_atomic_t *usr1);

#endif
