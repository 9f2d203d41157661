/* sig.c - signal flags (include/sig.h); handlers only set flags. */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <czmq.h>

#include "chain.h"
#include "sig.h"

_Thread_local volatile sig_atomic_t sig_stop;
_Thread_local volatile sig_atomic_t sig_usr1;
_Thread_local volatile sig_atomic_t sig_winch;

static void
sig_handler(int signo)
{
	switch (signo) {
	case SIGUSR1:
		sig_usr1 = 1;
		break;
	case SIGWINCH:
		sig_winch = 1;
		break;
	default:
		sig_stop = 1;
	}
}

int
sig_setup(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGWINCH };
	struct sigaction sa;
	size_t i;

	/* Without this, czmq's zsys_init() replaces our SIGINT and SIGTERM
	 * handlers with its own when the first socket is made. */
	zsys_handler_set(NULL);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read or poll returns EINTR at once. */
	sa.sa_handler = sig_handler;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return -1;
	chain_ready(&sig_stop, &sig_usr1);
	return 0;
}

static void
sig_czmq_quiet_once(void)
{
	zsys_handler_set(NULL);
}

void
sig_czmq_quiet(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, sig_czmq_quiet_once);
}
