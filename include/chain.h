/* chain.h - per-thread plumbing for stages run as threads of one process.
 *
 * evpipe(1) runs a pipeline's stages as threads joined by inproc:// ZMQ
 * PUSH/PULL sockets. A stage's main() runs unchanged: "-" as its input or
 * output means the neighbouring stage's socket instead of stdin/stdout in
 * that thread, and sig_setup() tells the runner the stage has parsed its
 * options (getopt is not thread-safe, so stages parse one at a time).
 * In a normal process none of this is set and every call is a no-op.
 */
#ifndef EVPIPE_CHAIN_H
#define EVPIPE_CHAIN_H

#include <signal.h>
#include <stdbool.h>

struct chain_env {
	const char	*stdin_spec;	/* replaces "-" as an input, or NULL */
	const char	*stdout_spec;	/* replaces "-" as a sink, or NULL */
	/* Called once from sig_setup() in the stage's thread, with the
	 * addresses of that thread's stop and usr1 flags. */
	void		(*ready)(void *arg, volatile sig_atomic_t *stop,
			    volatile sig_atomic_t *usr1);
	void		*arg;
};

/* Sets (or with NULL clears) the calling thread's environment; env must
 * outlive the thread's use of it. */
void	chain_set(const struct chain_env *env);

/* The spec that replaces "-" as an input / as a sink in this thread, or
 * NULL in a normal process. */
const char *chain_stdin(void);
const char *chain_stdout(void);

/* Tells the runner this thread's stage is set up; sig_setup() calls it. */
void	chain_ready(volatile sig_atomic_t *stop, volatile sig_atomic_t *usr1);

/* True for endpoints whose streams end with an empty message: inproc://,
 * used only between the threads of one chain. Over tcp:// and ipc:// a
 * producer may come back, so there an empty message means nothing. */
bool	chain_eof_endpoint(const char *endpoint);

#endif
