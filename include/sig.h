/* sig.h - signal flags: handlers only set flags, the loops act on them. */
#ifndef EVPIPE_SIG_H
#define EVPIPE_SIG_H

#include <signal.h>

/* Set by SIGINT, SIGTERM and SIGHUP: finish, flush, report, exit. */
extern volatile sig_atomic_t sig_stop;
/* Set by SIGUSR1: print the counters and clear the flag. */
extern volatile sig_atomic_t sig_usr1;
/* Set by SIGWINCH: the terminal was resized. */
extern volatile sig_atomic_t sig_winch;

/* Installs the handlers without SA_RESTART (a blocked read or poll returns
 * EINTR so loops see the flags at once) and ignores SIGPIPE (a write to a
 * closed pipe returns EPIPE instead). Returns 0, or -1 with errno. */
int	sig_setup(void);

#endif
