/* routecf.h - ev-route's configuration: its options from the command line
 * and -f files (man/ev-route.1), checked as a whole, and the sinks and
 * inputs they name. Every error ends the process with status 2 (or the
 * status of an unopenable spec), as a usage error does.
 */
#ifndef EVPIPE_ROUTECF_H
#define EVPIPE_ROUTECF_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "linebuf.h"
#include "opts.h"
#include "route.h"
#include "sink.h"
#include "sinkset.h"

/* Everything the options say. */
struct routecf {
	struct route	*rt;
	char		*dflt;		/* -o '*=SINK'; NULL: stdout */
	char		**oif, **ospec;	/* -o IFACE=SINK */
	size_t		 no;
	char		**inputs;
	size_t		 ninputs;
	long long	 nshards;
	char		*pattern;	/* -O PATTERN */
	char		**shardspec;	/* -O K=SINK, indexed by K */
	size_t		 nshardspec;
	struct sink_opts so;
	int		 quiet;
	long long	 jobs;		/* -j: worker threads */
	uint64_t	 maxline;
	int		 depth;		/* -f nesting */
	const struct opts_tool *tool;	/* for -V and the usage message */
};

#define ROUTECF_MAXLINE		(1024 * 1024)
#define ROUTECF_MAXSHARDS	1024
#define ROUTECF_MAXJOBS		64
/* The option value of an input named in a -f file ("input PATH") or on
 * the command line. */
#define ROUTECF_INPUT		1

/* ev-route's options, for getopt_long and for reading -f files ("input"
 * is known to -f files only). */
extern const struct option routecf_options[];
#define ROUTECF_SHORTOPTS	"c:Df:hi:j:lL:m:O:o:qS:V"

/* Sets c to the defaults, with an empty rule set; tool (borrowed) gives
 * -V and the usage message. */
void	routecf_init(struct routecf *c, const struct opts_tool *tool);

/* Applies option ch with its argument (NULL if none); where ("" or
 * "FILE:LINE: ") starts its error messages. -f FILE applies a
 * configuration file: one option per line, "OPTION [VALUE]", OPTION the
 * short or long name with or without dashes, "input PATH" an input;
 * blank lines and '#' lines are skipped. */
void	routecf_apply(struct routecf *c, int ch, const char *arg,
	    const char *where);

/* Checks the options together (rules, -S against -O and -o). */
void	routecf_check(const struct routecf *c);

/* Fills o with the sinks the options name, opened through ss. Free o's
 * arrays with routecf_outs_free(). */
void	routecf_outs(const struct routecf *c, struct sinkset *ss,
	    struct route_outs *o);
void	routecf_outs_free(struct route_outs *o);

/* Adds the inputs to lb (stdin if none was named). */
void	routecf_inputs(struct routecf *c, struct linebuf *lb);

/* Frees what routecf_init and the options allocated. */
void	routecf_free(struct routecf *c);

#endif
