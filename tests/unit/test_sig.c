/* test_sig.c - unit tests for common/sig.c. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <czmq.h>

#include "sig.h"
#include "unit.h"

static volatile sig_atomic_t got_int;

static void
on_int(int sig)
{
	(void)sig;
	got_int = 1;
}

/* In a child of its own (czmq sets its context up once per process):
 * with only sig_czmq_quiet(), a handler installed by hand is still the
 * one SIGINT reaches once czmq has made its first socket. Exit 0 if so. */
static int
quiet_child(void)
{
	struct sigaction sa;
	zsock_t *z;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	if (sigaction(SIGINT, &sa, NULL) == -1)
		return 2;
	sig_czmq_quiet();
	sig_czmq_quiet();
	if ((z = zsock_new_pub("inproc://test-sig-quiet")) == NULL)
		return 3;
	raise(SIGINT);
	zsock_destroy(&z);
	return got_int == 1 && zsys_interrupted == 0 ? 0 : 1;
}

int
main(void)
{
	int fds[2], st = -1;
	char c;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(quiet_child());
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

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
