/* chainrun.c - a pipeline's stages as threads. Implements
 * include/chainrun.h.
 */
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>

#include "chain.h"
#include "chainrun.h"

struct stage {
	struct chainrun_stage *def;
	char		 in[64], out[64];
	struct chain_env env;
	pthread_t	 tid;
	volatile sig_atomic_t *stop, *usr1;
	int		 status;
	volatile int	 done;
};

static struct stage stages[CHAINRUN_MAXSTAGES];
static int nstages;
static sem_t ready_sem;	/* posted when a stage is set up or has ended */
static sem_t done_sem;	/* posted when a stage has ended */
static pthread_t runner;	/* the thread that runs chainrun_run() */

static void
on_ready(void *arg, volatile sig_atomic_t *stop, volatile sig_atomic_t *usr1)
{
	struct stage *st = arg;

	st->stop = stop;
	st->usr1 = usr1;
	sem_post(&ready_sem);
}

static void *
stage_thread(void *arg)
{
	struct stage *st = arg;

	chain_set(&st->env);
	st->status = st->def->main(st->def->argc, st->def->argv);
	chain_set(NULL);
	st->done = 1;
	/* A stage that ended before reporting in must not leave the runner
	 * waiting for it. */
	sem_post(&ready_sem);
	sem_post(&done_sem);
	return NULL;
}

/* A stage that fails at set-up calls exit() (err(3)) from its own thread
 * while its neighbours may be making sockets: czmq's exit handler would
 * then tear the ZMQ context down under them and crash. Registered after
 * zsys_init(), this runs before czmq's handler and ends the process at
 * once with the stage's status; stderr is unbuffered, stdout is flushed. */
static void
on_stage_exit(int status, void *arg)
{
	(void)arg;
	if (pthread_equal(pthread_self(), runner))
		return;
	fflush(stdout);
	_exit(status);
}

/* A wake-up signal for a stage's thread, so a blocking poll returns at
 * once and the loop sees its flag. */
static void
on_wake(int signo)
{
	(void)signo;
}

/* Sets the flags of stage i and wakes its thread. */
static void
poke(int i, int stop, int usr1)
{
	struct stage *st = &stages[i];

	if (st->done || st->stop == NULL)
		return;
	if (stop)
		*st->stop = 1;
	if (usr1)
		*st->usr1 = 1;
	pthread_kill(st->tid, SIGUSR2);
}

/* The runner takes the signals in set; the stages only get SIGUSR2 to
 * wake up. Threads inherit this mask. */
static void
signals_setup(sigset_t *set)
{
	struct sigaction sa;
	sigset_t wake;

	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&wake);
	sigaddset(&wake, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
}

/* Starts the stages one at a time, each once the previous one reported
 * in (getopt is not thread-safe). */
static void
start_stages(void)
{
	int i;

	for (i = 0; i < nstages; i++) {
		struct stage *st = &stages[i];

		snprintf(st->in, sizeof(st->in), "pull:>inproc://evpipe-%d", i);
		snprintf(st->out, sizeof(st->out), "push:@inproc://evpipe-%d",
		    i + 1);
		st->env.stdin_spec = i > 0 ? st->in : NULL;
		st->env.stdout_spec = i < nstages - 1 ? st->out : NULL;
		st->env.ready = on_ready;
		st->env.arg = st;
		optind = 0;	/* glibc: start a fresh getopt scan */
		if ((errno = pthread_create(&st->tid, NULL, stage_thread, st)))
			err(1, "pthread_create");
		while (sem_wait(&ready_sem) == -1 && errno == EINTR)
			;
	}
}

/* Waits for the stages, passing the signals in set on. */
static void
wait_stages(const sigset_t *set)
{
	const struct timespec tick = { 0, 100 * 1000 * 1000 };
	int i, j, stops = 0, running = nstages;

	while (running > 0) {
		siginfo_t si;
		int sig;

		sig = sigtimedwait(set, &si, &tick);
		if (sig == SIGUSR1)
			for (i = 0; i < nstages; i++)
				poke(i, 0, 1);
		else if (sig > 0) {
			/* The first stop ends the source, the rest drains;
			 * a second one stops every stage at once. */
			stops++;
			for (i = 0; i < nstages; i++)
				if (i == 0 || stops > 1)
					poke(i, 1, 0);
		}
		while (sem_trywait(&done_sem) == 0) {
			running--;
			for (i = 0; i < nstages; i++)
				if (stages[i].done && stages[i].status != 0 &&
				    stops == 0) {
					/* A stage that failed leaves its
					 * neighbours waiting on it: stop
					 * them all. */
					stops = 2;
					for (j = 0; j < nstages; j++)
						poke(j, 1, 0);
				}
		}
	}
}

int
chainrun_run(struct chainrun_stage *defs, int n)
{
	sigset_t set;
	int i, status = 0;

	if (n > CHAINRUN_MAXSTAGES)
		errx(2, "at most %d stages", CHAINRUN_MAXSTAGES);
	memset(stages, 0, sizeof(stages));
	for (i = 0; i < n; i++)
		stages[i].def = &defs[i];
	nstages = n;
	signals_setup(&set);
	/* czmq's global set-up is not safe to race from several threads:
	 * do it here, once, before any stage makes a socket. */
	zsys_handler_set(NULL);
	zsys_init();
	runner = pthread_self();
	if (on_exit(on_stage_exit, NULL) != 0)
		errx(1, "on_exit failed");
	sem_init(&ready_sem, 0, 0);
	sem_init(&done_sem, 0, 0);
	start_stages();
	wait_stages(&set);
	for (i = 0; i < nstages; i++) {
		pthread_join(stages[i].tid, NULL);
		if (stages[i].status > status)
			status = stages[i].status;
	}
	sem_destroy(&ready_sem);
	sem_destroy(&done_sem);
	return status;
}
