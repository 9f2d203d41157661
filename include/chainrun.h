/* chainrun.h - runs a pipeline's stages as threads of one process (the
 * evpipe runner, man/evpipe.1).
 *
 * Each stage's main() runs in a thread of its own. Neighbours are joined
 * by inproc:// ZMQ PUSH/PULL sockets; "-" as a stage's input or output
 * means its socket (chain.h). Stages parse their options one at a time,
 * since getopt is not thread-safe: the next thread starts once the
 * previous one's sig_setup() has reported in. Signals go to the runner
 * alone: SIGINT/SIGTERM stop the first stage, and the end of its stream
 * travels down the chain, so every later stage finishes its input and
 * exits as at EOF; a second such signal, or a stage that fails, stops them
 * all. SIGUSR1 is passed on to every stage.
 */
#ifndef EVPIPE_CHAINRUN_H
#define EVPIPE_CHAINRUN_H

#define CHAINRUN_MAXSTAGES	16
#define CHAINRUN_MAXARGS	256

struct chainrun_stage {
	int		(*main)(int, char **);
	int		 argc;
	char		*argv[CHAINRUN_MAXARGS + 1];	/* NULL-terminated */
};

/* Runs the n (at most CHAINRUN_MAXSTAGES) stages to their end, from the
 * process's main thread, which takes the signals from then on. Returns
 * the highest exit status of the stages. A stage's main() may permute
 * its argv, as getopt does. */
int	chainrun_run(struct chainrun_stage *stages, int n);

#endif
