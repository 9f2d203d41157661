/* emitint.h - what the parts of the ev-emit core share (common/emit.c,
 * which opens the socket and encodes the input, and emitsend.c, which
 * waits for subscribers and sends): the emitter's structure and the
 * functions one part calls in the other. ev-emit uses include/emit.h.
 */
#ifndef EVPIPE_EMITINT_H
#define EVPIPE_EMITINT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "record.h"
#include "sbuf.h"
#include "stats.h"

/* ebpflowexport's second message: a raw C struct of this size. */
#define EMIT_EBPF_SIZE	288

/* One frame of a message: bytes, or a header made at send time for the
 * frame after it. */
struct frame {
	uint8_t		*p;
	size_t		 len;
	bool		 hdr;
	char		 topic[33];
	uint32_t	 usize;		/* uncompressed size of the next frame */
};

struct emsg {
	struct frame	*f;
	size_t		 nf;
};

struct emit {
	struct emit_conf c;
	struct stats	*st;
	uint64_t	*c_msgs, *c_events, *c_bytes, *c_bad, *c_ebpf;
	void		*ctx;
	bool		 ownctx;
	void		*sock;
	struct emsg	*m;
	size_t		 nm, mcap;
	/* The batch being built. */
	struct sbuf	 batch;
	unsigned	 nbatch;
	char		 btopic[33];
	struct record	 rec;
	struct sbuf	 tmp;
	uint8_t		 ebpf[EMIT_EBPF_SIZE];
	/* Subscriptions read from the XPUB socket; a PUB drops what it sends
	 * while none is there, so none at all means nothing was delivered. */
	char		 subs[64][33];
	size_t		 nsubs;
	/* Sending: the next msg_id, messages sent, when sending began. */
	uint32_t	 msg_id;
	uint64_t	 sent;
	double		 t0;
	/* Streaming (emit_send_files, one pass): the stop flag, whether the
	 * wait for a subscriber is over, and how sending ended (0 going on,
	 * 1 stopped by a signal, -1 a socket error). */
	volatile sig_atomic_t *stop;
	bool		 waited;
	int		 send_rc;
};

/* Frees the messages held and forgets them. */
void	emit_forget(struct emit *e);
/* True when streaming has ended early: a signal or a socket error. */
bool	emit_stopped(const struct emit *e);
/* Streaming: sends the messages encoded so far, waiting for a subscriber
 * before the very first, and frees them; does nothing when not
 * streaming. */
void	emit_drain(struct emit *e);

#endif
