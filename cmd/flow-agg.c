/* flow-agg.c - flows from packets and events, with the process on each
 * end: NDJSON in, "flow" and "iface" records out. See man/flow-agg.1 and
 * common/flowagg.c; the stage is described in doc/design.md "The stages".
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowagg.h"
#include "linebuf.h"
#include "opts.h"
#include "sig.h"
#include "sink.h"
#include "stats.h"

static const struct opts_tool tool = {
	"flow-agg",
	"usage: flow-agg [-lNqvV] [-a active] [-f fin] [-I interval] "
	"[-i idle] [-L size]\n"
	"                [-m maxflows] [-o sink] [input ...]\n",
	"  -a, --active-timeout=DUR  write a flow that has lasted this long "
	"(default never)\n"
	"  -f, --fin-timeout=DUR     keep a flow this long after FIN/RST "
	"(default 5s)\n"
	"  -I, --interim=DUR         write interim records this often\n"
	"  -i, --idle-timeout=DUR    end a flow idle this long (default 60s)\n"
	"  -L, --max-line=SIZE       discard longer input lines (default 1M)\n"
	"  -l, --line-buffered       flush after every record\n"
	"  -m, --max-flows=N         keep at most N flows\n"
	"  -N, --no-ifaces           write no iface records\n"
	"  -o, --output=SINK         where records go (default stdout)\n"
	"  -q, --quiet               do not report bad input (still counted)\n"
	"  -v, --vlan                the outer VLAN id is part of the key\n"
	"  input                     NDJSON files, FIFOs, zmq:/pull: sockets "
	"(default stdin)\n",
	0,
};

static int64_t
duration_us(const char *s, const char *what)
{
	double d = opts_duration_or_die(s, what);

	if (d > 1e9)
		errx(2, "%s: '%s' is too long", what, s);
	return (int64_t)(d * 1e6 + 0.5);
}

static const struct option lopts[] = {
	{ "active-timeout", required_argument, NULL, 'a' },
	{ "fin-timeout", required_argument, NULL, 'f' },
	{ "idle-timeout", required_argument, NULL, 'i' },
	{ "interim", required_argument, NULL, 'I' },
	{ "line-buffered", no_argument, NULL, 'l' },
	{ "max-line", required_argument, NULL, 'L' },
	{ "max-flows", required_argument, NULL, 'm' },
	{ "no-ifaces", no_argument, NULL, 'N' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "vlan", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	OPTS_STATS_LONG,
	{ NULL, 0, NULL, 0 }
};

/* What the options say. */
struct args {
	struct flowagg_conf c;
	struct sink_opts so;
	const char	*outspec;
	uint64_t	 maxline;
	int		 quiet;
};

/* Applies one option to a. */
static void
apply(struct args *a, int ch, const char *arg)
{
	switch (ch) {
	case 'a':
		a->c.ft.active_us = duration_us(arg, "active timeout");
		break;
	case 'f':
		a->c.ft.closing_us = duration_us(arg, "fin timeout");
		break;
	case 'I':
		a->c.interim_us = duration_us(arg, "interim interval");
		if (a->c.interim_us <= 0)
			errx(2, "interim interval: '%s' is not above "
			    "zero", arg);
		break;
	case 'i':
		a->c.ft.idle_us = duration_us(arg, "idle timeout");
		break;
	case 'l':
		a->so.line_buffered = true;
		break;
	case 'L':
		a->maxline = opts_size_range_or_die("", arg, "max line", 64,
		    1024ULL * 1024 * 1024);
		break;
	case 'm':
		a->c.ft.max_flows = (uint32_t)opts_int_or_die(arg,
		    "max flows", 1, 0x7ffffffe);
		break;
	case 'N':
		a->c.no_ifaces = true;
		break;
	case 'o':
		a->outspec = arg;
		break;
	case 'q':
		a->quiet = 1;
		break;
	case 'v':
		a->c.vlan_key = true;
		break;
	default:
		opts_other(ch, &tool);
	}
}

int
main(int argc, char *argv[])
{
	struct args a = { .outspec = "-", .maxline = 1024 * 1024 };
	const struct linebuf_stats *ls;
	struct linebuf *in;
	struct sink *out;
	struct stats *st;
	int ch, i, rc;

	flowagg_defaults(&a.c);
	while ((ch = getopt_long(argc, argv, "a:f:hI:i:lL:m:No:qvV", lopts,
	    NULL)) != -1)
		apply(&a, ch, optarg);
	argc -= optind;
	argv += optind;

	st = stats_new("flow-agg");
	stats_set_quiet(st, a.quiet);
	if (sig_setup() == -1)
		err(1, "signals");
	in = linebuf_new((size_t)a.maxline);
	/* Open flows hold what was read: ack nats:// input at exit only. */
	linebuf_nats_ack_at_exit(in, true);
	if (argc == 0)
		(void)linebuf_add_or_die(in, "-");
	for (i = 0; i < argc; i++)
		(void)linebuf_add_or_die(in, argv[i]);
	out = sink_open_or_die(a.outspec, &a.so);

	rc = flowagg_run(&a.c, in, out, st, &sig_stop, &sig_usr1);

	if (sink_close(&out) == -1) {
		if (errno != EPIPE)
			warn("output %s: records were lost", a.outspec);
		rc = 1;
	}
	ls = linebuf_stats(in);
	*stats_ctr(st, "overlong_lines") = ls->overlong;
	*stats_ctr(st, "read_errors") = ls->read_errors;
	if (ls->read_errors != 0)
		rc = 1;
	linebuf_destroy(&in);
	stats_print(st, stderr);
	stats_destroy(&st);
	return rc;
}
