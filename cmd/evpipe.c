/* evpipe - run a pipeline of evpipe stages as threads of one process.
 * See man/evpipe.1 and doc/design.md "Moving records between stages";
 * the stages and the record contract: evpipe(7).
 *
 * Each stage's own main() runs in a thread of its own. Neighbours are joined
 * by inproc:// ZMQ PUSH/PULL sockets (one record per message, blocking, so
 * nothing is dropped); "-" as a stage's input or output means its socket
 * (chain.h). Stages parse their options one at a time, since getopt is not
 * thread-safe: the next thread starts once the previous one's sig_setup()
 * has reported in. Signals go to the runner alone: SIGINT/SIGTERM stop the
 * first stage, and the end of its stream travels down the chain as an
 * empty message, so every later stage finishes its input, flushes and
 * exits as it would at EOF on a pipe. A second such signal stops them all.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>

#include "chain.h"
#include "opts.h"

int	chain_main_zmq_ingest(int, char **);
int	chain_main_pcap_ingest(int, char **);
int	chain_main_ev_route(int, char **);
int	chain_main_flow_agg(int, char **);
int	chain_main_ev_show(int, char **);

static const struct {
	const char	*name;
	int		(*main)(int, char **);
	int		 reads;	/* takes records as input */
} tools[] = {
	{ "zmq-ingest", chain_main_zmq_ingest, 0 },
	{ "pcap-ingest", chain_main_pcap_ingest, 0 },
	{ "ev-route", chain_main_ev_route, 1 },
	{ "flow-agg", chain_main_flow_agg, 1 },
	{ "ev-show", chain_main_ev_show, 1 },
};

#define MAXSTAGES	16
#define MAXARGS		256

struct stage {
	int		(*main)(int, char **);
	int		 argc;
	char		*argv[MAXARGS + 1];
	char		 in[64], out[64];
	struct chain_env env;
	pthread_t	 tid;
	volatile sig_atomic_t *stop, *usr1;
	int		 status;
	volatile int	 done;
};

static struct stage stages[MAXSTAGES];
static int nstages;
static sem_t ready_sem;	/* posted when a stage is set up or has ended */
static sem_t done_sem;	/* posted when a stage has ended */
static pthread_t runner;	/* the thread that runs main() */

static const struct opts_tool tool = {
	"evpipe",
	"usage: evpipe [-V] 'stage [arg ...] | stage [arg ...] ...'\n"
	"       evpipe [-V] stage [arg ...] '|' stage [arg ...] ...\n",
	"  stage                     zmq-ingest or pcap-ingest first, then "
	"ev-route,\n"
	"                            flow-agg, ev-show; '-' as input or output "
	"is the\n"
	"                            neighbouring stage\n",
	0,
};

static void
usage(void)
{
	opts_usage(&tool);
}

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
	st->status = st->main(st->argc, st->argv);
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

/* Splits s into words: white space separates, single and double quotes
 * group, a backslash takes the next character; "|" is a word of its own
 * and separates stages. Words are written into out, which needs room for
 * twice the length of s plus two bytes. */
static void
split_words(const char *s, char *out, char **words, int *nwords, int max)
{
	const char *r = s;
	char *w = out;

	*nwords = 0;
	for (;;) {
		char q = 0;

		while (*r == ' ' || *r == '\t' || *r == '\n')
			r++;
		if (*r == '\0')
			return;
		if (*nwords == max)
			errx(2, "too many words in the pipeline");
		words[(*nwords)++] = w;
		if (*r == '|') {
			*w++ = *r++;
			*w++ = '\0';
			continue;
		}
		for (; *r != '\0'; r++) {
			if (q) {
				if (*r == q)
					q = 0;
				else if (*r == '\\' && q == '"' && r[1] != '\0')
					*w++ = *++r;
				else
					*w++ = *r;
			} else if (*r == '\'' || *r == '"')
				q = *r;
			else if (*r == '\\' && r[1] != '\0')
				*w++ = *++r;
			else if (*r == ' ' || *r == '\t' || *r == '\n' ||
			    *r == '|')
				break;
			else
				*w++ = *r;
		}
		if (q)
			errx(2, "unterminated quote in the pipeline");
		*w++ = '\0';
	}
}

static void
add_stage(char **words, int n)
{
	struct stage *st;
	size_t t;
	int i;

	if (n == 0)
		errx(2, "empty stage in the pipeline");
	if (nstages == MAXSTAGES)
		errx(2, "at most %d stages", MAXSTAGES);
	if (n > MAXARGS)
		errx(2, "%s: too many arguments", words[0]);
	for (t = 0; t < sizeof(tools) / sizeof(tools[0]); t++)
		if (strcmp(words[0], tools[t].name) == 0)
			break;
	if (t == sizeof(tools) / sizeof(tools[0]))
		errx(2, "%s: not a stage that runs in a chain (zmq-ingest, "
		    "pcap-ingest, ev-route, flow-agg, ev-show)", words[0]);
	if (nstages > 0 && !tools[t].reads)
		errx(2, "%s: reads no records, so it can only be the first "
		    "stage", words[0]);
	st = &stages[nstages++];
	st->main = tools[t].main;
	st->argc = n;
	for (i = 0; i < n; i++)
		st->argv[i] = words[i];
	st->argv[n] = NULL;
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

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		OPTS_STATS_LONG,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static char *words[MAXSTAGES * (MAXARGS + 1)];
	struct sigaction sa;
	const struct timespec tick = { 0, 100 * 1000 * 1000 };
	sigset_t set, wake;
	char *line = NULL;
	int nwords = 0, i, start, ch, status = 0, stops = 0, running;

	while ((ch = getopt_long(argc, argv, "+hV", lopts, NULL)) != -1)
		opts_other(ch, &tool);
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	if (argc == 1) {
		if ((line = malloc(2 * strlen(argv[0]) + 2)) == NULL)
			err(1, NULL);
		split_words(argv[0], line, words, &nwords,
		    (int)(sizeof(words) / sizeof(words[0])));
	} else {
		if (argc > (int)(sizeof(words) / sizeof(words[0])))
			errx(2, "too many words in the pipeline");
		for (i = 0; i < argc; i++)
			words[nwords++] = argv[i];
	}
	for (i = 0, start = 0; i <= nwords; i++)
		if (i == nwords || strcmp(words[i], "|") == 0) {
			add_stage(words + start, i - start);
			start = i + 1;
		}

	/* The runner takes the signals; the stages only get SIGUSR2 to
	 * wake up. Threads inherit this mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&wake);
	sigaddset(&wake, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &wake, NULL);

	/* czmq's global set-up is not safe to race from several threads:
	 * do it here, once, before any stage makes a socket. */
	zsys_handler_set(NULL);
	zsys_init();
	runner = pthread_self();
	if (on_exit(on_stage_exit, NULL) != 0)
		errx(1, "on_exit failed");
	sem_init(&ready_sem, 0, 0);
	sem_init(&done_sem, 0, 0);
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

	/* Wait for the stages, passing signals on. */
	running = nstages;
	while (running > 0) {
		siginfo_t si;
		int sig;

		sig = sigtimedwait(&set, &si, &tick);
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
					int j;

					stops = 2;
					for (j = 0; j < nstages; j++)
						poke(j, 1, 0);
				}
		}
	}
	for (i = 0; i < nstages; i++) {
		pthread_join(stages[i].tid, NULL);
		if (stages[i].status > status)
			status = stages[i].status;
	}
	free(line);
	return status;
}
