/* ev-route.c - ntopng's interface dispatch as a filter: events delivered
 * by IF_NAME and to companion interfaces. See man/ev-route.1 and
 * common/route.c (the rules) and routecore.c (the core).
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>

#include "linebuf.h"
#include "opts.h"
#include "route.h"
#include "routecf.h"
#include "sig.h"
#include "sinkset.h"
#include "stats.h"


static const struct opts_tool tool = {
	"ev-route",
	"usage: ev-route [-DlqV] [-c zmqiface=iface] [-f file] [-i iface] "
	"[-j jobs]\n"
	"                [-L size] [-m iface] [-O pattern | shard=sink]\n"
	"                [-o iface=sink] [-S shards] [input ...]\n",
	"  -c, --companion=ZMQIFACE=IFACE  also deliver ZMQIFACE's events to "
	"IFACE\n"
	"  -D, --drop                a full ZMQ sink drops (counted), not "
	"blocks\n"
	"  -f, --config=FILE         read options from FILE\n"
	"  -i, --iface=IFACE         declare a monitored interface\n"
	"  -j, --jobs=N              route with N worker threads\n"
	"  -L, --max-line=SIZE       discard longer input lines (counted)\n"
	"  -l, --line-buffered       write each record at once\n"
	"  -m, --mirrored=IFACE      IFACE receives mirrored traffic\n"
	"  -O, --shard-output=PATTERN|K=SINK  the sinks of the shards\n"
	"  -o, --output=IFACE=SINK   IFACE's records go to SINK ('*': the "
	"rest)\n"
	"  -q, --quiet               do not report bad input (still counted)\n"
	"  -S, --shards=N            spread flows over N shard sinks\n"
	"  input                     NDJSON files, FIFOs, zmq:/pull: sockets "
	"(default stdin)\n",
	0,
};

int
main(int argc, char *argv[])
{
	struct routecf c;
	struct sinkset *ss;
	struct route_outs o;
	struct route_core *core;
	struct linebuf *lb;
	struct stats *st;
	const struct linebuf_stats *ls;
	int ch, i, lost;

	routecf_init(&c, &tool);
	while ((ch = getopt_long(argc, argv, ROUTECF_SHORTOPTS,
	    routecf_options, NULL)) != -1) {
		if (ch == '?' || ch == 1 || ch == 'h' || ch == OPTS_STATS) {
			opts_other(ch, &tool);
			continue;
		}
		routecf_apply(&c, ch, optarg, "");
	}
	for (i = optind; i < argc; i++)
		routecf_apply(&c, ROUTECF_INPUT, argv[i], "");
	routecf_check(&c);

	st = stats_new("ev-route");
	stats_set_quiet(st, c.quiet);
	if (sig_setup() == -1)
		err(1, "signals");
	ss = sinkset_new(&c.so);
	routecf_outs(&c, ss, &o);
	/* Inputs after outputs: opening a FIFO waits for its writer, and
	 * by then a ZMQ sink should be bound for its readers. */
	lb = linebuf_new((size_t)c.maxline);
	routecf_inputs(&c, lb);
	core = route_core_new(c.rt, &o, st);
	route_core_jobs(core, lb, c.jobs > 1 ? (size_t)c.jobs : 1);

	lost = route_run(core, lb, &sig_stop, &sig_usr1);

	if (sinkset_close(&ss) != 0)
		lost = 1;
	ls = linebuf_stats(lb);
	*stats_ctr(st, "overlong") = ls->overlong;
	*stats_ctr(st, "read_errors") = ls->read_errors;
	stats_print(st, stderr);
	route_core_destroy(&core);
	linebuf_destroy(&lb);
	stats_destroy(&st);
	routecf_outs_free(&o);
	routecf_free(&c);
	return lost;
}
