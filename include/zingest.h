/* zingest.h - the zmq-ingest core: ntop ZMQ messages in, event records out.
 *
 * Each interface argument is one SUB socket (see zio.h) whose records carry
 * the argument string as _iface. Every message is drained to its last
 * frame; messages of the wrong shape, bad headers and bad payloads are
 * counted by name and skipped. See doc/wire-format.md and doc/design.md
 * "The stages".
 */
#ifndef EVPIPE_ZINGEST_H
#define EVPIPE_ZINGEST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sink.h"
#include "stats.h"
#include "zio.h"

struct zingest_conf {
	const char *const *ifaces;	/* interface arguments, also _iface */
	size_t		 nifaces;
	void		*zctx;		/* ZMQ context; NULL: a private one */
	struct zio_opts	 zopts;		/* socket options; with curve_secret
					   the sockets are CurveZMQ servers
					   made in czmq's context, their
					   handshakes counted (curve_*) */
	const char	*curve_allow;	/* with curve_secret: the file of
					   client keys let in; NULL: any */
	size_t		 cap;		/* payload cap, raw and inflated;
					   0: NTOPMSG_DEFAULT_CAP */
	uint32_t	 first_msg_id;	/* producers' first msg_id (1) */
	bool		 names;		/* rename numeric keys of the ntopids
					   table to their names ("8" to
					   IPV4_SRC_ADDR) */
	double		 forget;	/* forget a silent source (s); 0: 10 */
	uint64_t	 max_records;	/* stop after this many; 0: never */
	double		 idle_timeout;	/* stop after this long with no
					   message (s); 0: never */
	/* Called on every turn of the loop (at least once a second); a
	 * non-zero return stops the run. May be NULL. */
	int		(*tick)(void *arg);
	void		*tick_arg;
};

struct zingest;

/* Opens every interface's socket. Returns the collector, or NULL with a
 * message in err naming the interface and the reason (exit 2 material).
 * Counters are created in st, which must outlive the collector. */
struct zingest *zingest_new(const struct zingest_conf *c, struct stats *st,
	    char *err, size_t errsz);

/* Receives and writes records to out until *stop is set, the tick asks to
 * stop, max_records or idle_timeout is reached. On stop the messages
 * already queued are still decoded and written. Returns 0, or -1 when
 * writing to out failed (output was lost). */
int	zingest_run(struct zingest *z, struct sink *out,
	    volatile sig_atomic_t *stop);

/* Closes the sockets (and the private context) and frees *zp. */
void	zingest_destroy(struct zingest **zp);

#endif
