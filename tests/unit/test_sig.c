/* test_sig.c - unit tests for common/sig.c. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <czmq.h>

#include "sig.h"
#include "unit.h"

int
main(void)
{
	int fds[2];
	char c;

	CHECK(sig_setup() == 0);
	CHECK(sig_stop == 0 && sig_usr1 == 0);
	raise(SIGUSR1);
	CHECK(sig_usr1 == 1 && sig_stop == 0);
	raise(SIGTERM);
	CHECK(sig_stop == 1);
	sig_stop = 0;
	/* czmq must not take SIGINT over when its first socket is made. */
	{
		zsock_t *z = zsock_new_pub("inproc://test-sig");

		CHECK(z != NULL);
		raise(SIGINT);
		CHECK(zsys_interrupted == 0);
		zsock_destroy(&z);
	}
	CHECK(sig_stop == 1);
	raise(SIGWINCH);
	CHECK(sig_winch == 1);
	/* SIGPIPE is ignored: a write to a closed pipe fails with EPIPE. */
	CHECK(pipe(fds) == 0);
	close(fds[0]);
	CHECK(write(fds[1], "x", 1) == -1 && errno == EPIPE);
	close(fds[1]);
	/* No SA_RESTART: a blocked read is interrupted. */
	CHECK(pipe(fds) == 0);
	alarm(0);
	{
		struct sigaction sa;

		sigaction(SIGHUP, NULL, &sa);
		CHECK((sa.sa_flags & SA_RESTART) == 0);
	}
	(void)c;
	close(fds[0]);
	close(fds[1]);
	return unit_done("sig");
}
