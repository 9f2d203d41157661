/* evpipe - run a pipeline of evpipe stages as threads of one process.
 * See man/evpipe.1 and doc/design.md "Moving records between stages";
 * the stages and the record contract: evpipe(7).
 *
 * The stages run as threads (chainrun.h); this file reads the pipeline.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainrun.h"
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

static struct chainrun_stage stages[CHAINRUN_MAXSTAGES];
static int nstages;

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
	struct chainrun_stage *st;
	size_t t;
	int i;

	if (n == 0)
		errx(2, "empty stage in the pipeline");
	if (nstages == CHAINRUN_MAXSTAGES)
		errx(2, "at most %d stages", CHAINRUN_MAXSTAGES);
	if (n > CHAINRUN_MAXARGS)
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

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		OPTS_STATS_LONG,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static char *words[CHAINRUN_MAXSTAGES * (CHAINRUN_MAXARGS + 1)];
	char *line = NULL;
	int nwords = 0, i, start, ch, status;

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

	status = chainrun_run(stages, nstages);
	free(line);
	return status;
}
