/* natsio.h - NATS JetStream endpoints: URLs, connections, streams.
 *
 * Endpoint grammar (see evpipe(1), section NATS):
 *   sink   nats://HOST[:PORT][,HOST[:PORT]...]/SUBJECT[?PARAMS]
 *   input  nats://HOST[:PORT][,HOST[:PORT]...]/STREAM/CONSUMER[?PARAMS]
 * PARAMS are KEY=VALUE joined by '&':
 *   replicas=R     stream replicas when the stage creates it (1..5, 1)
 *   stream=NAME    sink: the stream (default: SUBJECT's first token)
 *   source=ID      sink: the message id prefix (default host-pid-time)
 *   linger=DUR     sink: how long closing waits for acks (30s)
 *   window=N       sink: messages awaiting their ack at most (1..1024, 64)
 *   subject=FILTER input: the consumer's filter subject when created
 *   ack_wait=DUR   input: the consumer's ack wait when created (30s)
 *   batch=N        input: messages per fetch (1..4096, 64)
 *   ack=flush|exit input: ack what was delivered once the stage's sinks
 *                  are flushed (ev-route, ev-show), or only at a clean
 *                  exit (flow-agg: its open flows hold what it read)
 *   idle_exit=DUR  input: end the input (EOF) after DUR without messages
 * A stream created by a stage keeps its messages in files and takes
 * SUBJECT's first token followed by ".>" (or SUBJECT alone when it has one
 * token) as its subjects.
 */
#ifndef EVPIPE_NATSIO_H
#define EVPIPE_NATSIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nats/nats.h>

/* How long a connection attempt waits for the servers at start. */
#define NATSIO_CONNECT_MS	2000
/* How long a JetStream API call (stream or consumer info) waits. */
#define NATSIO_API_MS		5000
/* How long set-up retries API calls that got no answer: a cluster that
 * just lost a stream leader answers none for 5-30 s. */
#define NATSIO_SETUP_MS		60000

enum natsio_kind { NATSIO_SINK, NATSIO_INPUT };

struct natsio_url {
	char	**servers;	/* "nats://HOST:PORT" each */
	int	  nservers;
	char	 *subject;	/* sink */
	char	 *stream;	/* input; sink: given or derived */
	char	 *consumer;	/* input */
	char	 *filter;	/* input: subject=, or NULL */
	char	 *source;	/* sink: source=, or NULL */
	int	  replicas;	/* 1 unless replicas= */
	bool	  replicas_set;	/* replicas= given: existing streams must match */
	int64_t	  ack_wait_ms;	/* input */
	int64_t	  linger_ms;	/* sink */
	int	  window;	/* sink */
	int	  batch;	/* input */
	int	  ack_exit;	/* input: -1 unset, 0 ack=flush, 1 ack=exit */
	int64_t	  idle_exit_ms;	/* input: 0 never */
};

/* Parses spec (which starts with "nats://") as a sink or an input URL
 * into *u. Returns 0, or -1 with a one-line reason in err (u is then
 * empty). The caller frees *u with natsio_url_free(). */
int	natsio_parse(const char *spec, enum natsio_kind kind,
	    struct natsio_url *u, char *err, size_t errsz);

/* Frees what natsio_parse() allocated in *u (u itself is the caller's). */
void	natsio_url_free(struct natsio_url *u);

/* Connects to the servers of u: the first attempt waits up to
 * NATSIO_CONNECT_MS, later losses reconnect without end. Returns the
 * connection (the caller destroys it), or NULL with a reason in err. */
natsConnection *natsio_connect(const struct natsio_url *u, char *err,
	    size_t errsz);

/* Makes sure stream u->stream exists and takes subject (file storage, the
 * subjects described above, u->replicas replicas): creates it if missing,
 * accepts it if its storage is file, its replicas u->replicas (when the
 * URL says replicas=) and one of its subjects covers subject. Returns 0, -1 with a reason in err when it
 * exists with other settings, or -2 with a reason when the cluster did not
 * answer. */
int	natsio_stream(jsCtx *js, const struct natsio_url *u,
	    const char *subject, char *err, size_t errsz);

/* The flush hooks run before an input acknowledges messages, so that what
 * a stage acks has left through its sinks (per thread). natsio_hook_add
 * registers fn(arg) (aborts on out-of-memory); natsio_hook_del removes the
 * hooks of arg; natsio_hooks_run calls them all and returns 0, or -1 if
 * one failed (then nothing should be acknowledged). */
void	natsio_hook_add(int (*fn)(void *), void *arg);
void	natsio_hook_del(void *arg);
/* Marks this thread's output as failed: natsio_hooks_run fails from now
 * on, so nothing more is acknowledged. */
void	natsio_hooks_fail(void);
int	natsio_hooks_run(void);

/* A monotonic clock in microseconds. */
int64_t	natsio_now_us(void);

#endif
