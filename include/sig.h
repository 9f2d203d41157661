/* sig.h - signal flags: handlers only set flags, the loops act on them. */
#ifndef EVPIPE_SIG_H
#define EVPIPE_SIG_H

#include <signal.h>

/* The flags are per thread: a tool is one thread and sees them as plain
 * globals; in a one-process chain (stages as threads) the runner sets one
 * stage's flags through pointers to them, so a stop can start at the
 * source and reach the later stages as end of input. */

/* Set by SIGINT, SIGTERM and SIGHUP: finish, flush, report, exit. */
extern _Thread_local volatile sig_atomic_t sig_stop;
/* Set by SIGUSR1: print the counters and clear the flag. */
extern _Thread_local volatile sig_atomic_t sig_usr1;
/* Set by SIGWINCH: the terminal was resized. */
extern _Thread_local volatile sig_atomic_t sig_winch;

/* Installs the handlers without SA_RESTART (a blocked read or poll returns
 * EINTR so loops see the flags at once) and ignores SIGPIPE (a write to a
 * closed pipe returns EPIPE instead). It also tells czmq to keep its own
 * SIGINT/SIGTERM handler out, which it would otherwise install over ours
 * with the first socket. Call it once options are parsed. Returns 0, or -1
 * with errno. */
int	sig_setup(void);

/* Keeps czmq from installing its SIGINT/SIGTERM handler over sig.h's when
 * it makes its context, once per process: for code that makes czmq
 * sockets and may run without sig_setup() (a library caller, a unit
 * test). Call it before the first zsock; calling it again does nothing. */
void	sig_czmq_quiet(void);

#endif
