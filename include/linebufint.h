/* linebufint.h - what the parts of the line reader share (common/linebuf.c,
 * linebufzmq.c, linebufnats.c): the reader's and its inputs' structures,
 * the limits they agree on and the functions one part calls in another.
 * Tools use include/linebuf.h.
 */
#ifndef EVPIPE_LINEBUFINT_H
#define EVPIPE_LINEBUFINT_H

#include <stdbool.h>
#include <stddef.h>

#include <czmq.h>

#include "linebuf.h"

struct natssub;

/* ZMQ messages taken from one socket per poll, so no input starves. */
#define LINEBUF_ZMQ_BATCH	512
/* The wait of a nats:// input beside other inputs, in milliseconds: short,
 * since those are not polled meanwhile. */
#define LINEBUF_NATS_SHARED_MS	10

enum lb_kind { LB_FD, LB_ZMQ, LB_NATS };

struct lb_input {
	char		*name;
	enum lb_kind	 kind;
	int		 fd;		/* LB_FD */
	bool		 own_fd;	/* opened by linebuf_add: closed by us */
	bool		 regular;	/* a regular file: reads never wait */
	zsock_t		*zs;		/* LB_ZMQ */
	void		*raw;		/* zsock_resolve(zs) */
	zmq_msg_t	 msg;		/* the frame being split (LB_ZMQ) */
	bool		 have_msg;
	bool		 eof_marker;	/* an empty message ends it (inproc) */
	bool		 inplace;	/* messages may be written into */
	size_t		 moff;		/* next byte of msg to deliver */
	char		*buf;		/* cap + 1 bytes: room for a NUL */
	size_t		 cap;
	size_t		 start;		/* first byte not yet delivered */
	size_t		 end;		/* bytes read so far */
	bool		 discarding;	/* inside an over-long line */
	bool		 hit_eof;	/* read(2) returned 0 (tail pending) */
	bool		 closed;	/* ended: no longer polled */
	bool		 pending;	/* the callback stopped: lines remain */
	struct natssub	*ns;		/* LB_NATS */
	const char	*ndata;		/* LB_NATS: the message being split */
	size_t		 nsize;
};

struct linebuf {
	size_t			 maxline;
	struct lb_input		*in;
	int			 n;
	int			 cap;
	int			 open;
	bool			 intr;		/* a read was interrupted */
	bool			 nats_ack_exit;	/* nats:// default: ack=exit */
	int			 nnats;		/* open nats:// inputs */
	zmq_pollitem_t		*items;
	int			*item_in;	/* input index of items[k] */
	struct linebuf_stats	 st;
};

/* linebuf.c */

/* Appends a new input slot of kind, named name, with its buffer, and
 * returns it (index lb->n - 1). Never NULL. */
struct lb_input *lb_push(struct linebuf *lb, const char *name,
	    enum lb_kind kind);
/* Ends input in: closes what linebuf opened and frees its buffer; a
 * closed input is left alone. */
void	lb_close(struct linebuf *lb, struct lb_input *in);

/* linebufzmq.c */

/* Adds a SUB (subscribed to everything) or PULL input on the endpoint
 * list eps. Returns its index, or -1 with a message in err. */
int	lb_add_zmq(struct linebuf *lb, const char *spec, int type,
	    const char *eps, char *err, size_t errsz);
/* Delivers what ZMQ input idx holds now, up to a batch of messages, without
 * waiting; *n counts lines. Returns 0 or the callback's value (the input
 * is then left pending); an interrupted receive sets lb->intr. */
int	lb_deliver_zmq(struct linebuf *lb, int idx, linebuf_fn fn, void *arg,
	    int *n);

/* linebufnats.c */

/* Adds a nats:// input. Returns its index, or -1 with a message in err
 * (a usage error); servers that do not answer make it exit 1 itself. */
int	lb_add_nats(struct linebuf *lb, const char *spec, char *err,
	    size_t errsz);
/* Delivers what nats:// input idx holds, fetching once for up to wait_ms
 * when nothing is left; *n counts lines. Returns 0 or the callback's
 * value (the input is then left pending). */
int	lb_deliver_nats(struct linebuf *lb, int idx, int wait_ms,
	    linebuf_fn fn, void *arg, int *n);
/* Fetches from every nats:// input, waiting long only when alone (no
 * other input is polled). Returns 0 or the callback's value. */
int	lb_poll_nats(struct linebuf *lb, int timeout_ms, bool alone,
	    linebuf_fn fn, void *arg, int *n);

#endif
