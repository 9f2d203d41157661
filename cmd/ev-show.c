/* ev-show - the terminal dashboard and batch tables of evpipe records
 * (man/ev-show.1). The model and the tables are common/view*.c, the
 * dashboard common/viewscr.c; this file holds the options.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "linebuf.h"
#include "opts.h"
#include "sbuf.h"
#include "sig.h"
#include "stats.h"
#include "view.h"
#include "viewscr.h"

#define SHOW_MAXLINE	(1024 * 1024)

static const struct opts_tool tool = {
	"ev-show",
	"usage: ev-show [-bqVx] [-c count] [-d interval] [-E events] "
	"[-F flows] [-f text]\n"
	"               [-I idle] [-i iface] [-L maxline] "
	"[-s view:column[:asc]] [-T linger]\n"
	"               [-v views] [-w width] [input ...]\n",
	"  -b, --batch               print tables, even on a terminal\n"
	"  -c, --count=N             batch: stop after N frames\n"
	"  -d, --delay=DUR           batch: print every DUR (default 1s)\n"
	"  -E, --events=N            keep the last N events\n"
	"  -F, --flows=N             keep at most N flows\n"
	"  -f, --filter=TEXT         only rows containing TEXT\n"
	"  -I, --idle=SECONDS        remove flows silent that long\n"
	"  -i, --iface=IFACE         only the rows of IFACE\n"
	"  -L, --max-line=SIZE       discard longer lines (counted)\n"
	"  -q, --quiet               do not report bad records (still "
	"counted)\n"
	"  -s, --sort=VIEW:COL[:asc|desc]  sort a view\n"
	"  -T, --linger=SECONDS      remove finished flows after that long\n"
	"  -v, --views=LIST          the views: flows,processes,ifaces,"
	"listening,events,apps\n"
	"  -w, --width=N             batch: fit lines into N columns\n"
	"  -x, --exit                dashboard: quit when the inputs end\n"
	"  input                     NDJSON files, FIFOs, zmq:/pull: sockets "
	"(default stdin)\n",
	0,
};

/* Parses "flows,procs,..." into kinds; exits 2 on an unknown name. */
static int
show_parse_views(const char *arg, enum view_kind *kinds)
{
	char buf[256], *p, *s;
	int n = 0, k;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (s = buf; (p = strsep(&s, ",")) != NULL;) {
		if (*p == '\0')
			continue;
		if ((k = view_kind_byname(p)) == -1 || n >= VIEW_NKINDS)
			errx(2, "-v: '%s' is not a view (flows, processes, "
			    "interfaces, listening, events, applications)", p);
		kinds[n++] = (enum view_kind)k;
	}
	if (n == 0)
		errx(2, "-v: no view named");
	return n;
}

/* -s VIEW:COLUMN[:asc|desc] */
static void
show_parse_sort(struct view *v, const char *arg)
{
	char buf[128], *s = buf, *vn, *col, *ord;
	int k;

	snprintf(buf, sizeof(buf), "%s", arg);
	vn = strsep(&s, ":");
	col = strsep(&s, ":");
	ord = s;
	if (col == NULL || (k = view_kind_byname(vn)) == -1)
		errx(2, "-s: '%s' is not VIEW:COLUMN[:asc|desc]", arg);
	if (view_sort_by(v, (enum view_kind)k, col) == -1)
		errx(2, "-s: view %s has no column '%s'",
		    view_short((enum view_kind)k), col);
	if (ord != NULL) {
		bool desc;

		if (strcmp(ord, "asc") != 0 && strcmp(ord, "desc") != 0)
			errx(2, "-s: order '%s' is not asc or desc", ord);
		view_sort_name(v, (enum view_kind)k, &desc);
		if (desc != (strcmp(ord, "desc") == 0))
			view_sort_reverse(v, (enum view_kind)k);
	}
}


/* Everything the options set. */
struct show_opts {
	enum view_kind		 kinds[VIEW_NKINDS];
	int			 nkinds;
	struct view_conf	 vc;
	struct view_batch	 vb;
	struct viewscr_conf	 sc;
	const char		*filter, *iface, *sorts[16];
	int			 nsorts;
	bool			 batch, quiet, width_set;
	double			 linger, idle;	/* -1: not given */
	uint64_t		 maxline;
};

/* One option (not -s, -v: show_options); exits 2 on a bad value. */
static void
show_option(struct show_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'b': o->batch = true; break;
	case 'd':
		o->vb.interval = o->sc.interval = opts_duration_or_die(arg,
		    "-d");
		if (o->sc.interval <= 0)
			errx(2, "-d: the interval must be above 0");
		break;
	case 'E':
		o->vc.max_events = (size_t)opts_int_or_die(arg, "-E", 1,
		    10000000);
		break;
	case 'F':
		o->vc.max_flows = (size_t)opts_int_or_die(arg, "-F", 1,
		    100000000);
		break;
	case 'f': o->filter = arg; break;
	case 'i': o->iface = arg; break;
	case 'I': o->idle = opts_duration_or_die(arg, "-I"); break;
	case 'T': o->linger = opts_duration_or_die(arg, "-T"); break;
	case 'L':
		o->maxline = opts_size_or_die(arg, "-L");
		if (o->maxline < 64)
			errx(2, "-L: at least 64 bytes");
		break;
	case 'c':
		o->vb.count = (long)opts_int_or_die(arg, "-n", 1, 1000000000);
		break;
	case 'q': o->quiet = true; break;
	case 'w':
		o->vb.width = (int)opts_int_or_die(arg, "-w", 0, 10000);
		o->width_set = true;
		break;
	case 'x': o->sc.exit_at_eof = true; break;
	default: opts_other(ch, &tool);
	}
}

/* Parses the options into o; returns the index of the first input. */
static int
show_options(int argc, char *argv[], struct show_opts *o)
{
	static const struct option lopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "delay", required_argument, NULL, 'd' },
		{ "events", required_argument, NULL, 'E' },
		{ "flows", required_argument, NULL, 'F' },
		{ "filter", required_argument, NULL, 'f' },
		{ "iface", required_argument, NULL, 'i' },
		{ "idle", required_argument, NULL, 'I' },
		{ "linger", required_argument, NULL, 'T' },
		{ "max-line", required_argument, NULL, 'L' },
		{ "count", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "sort", required_argument, NULL, 's' },
		{ "views", required_argument, NULL, 'v' },
		{ "width", required_argument, NULL, 'w' },
		{ "exit", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		OPTS_STATS_LONG,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const enum view_kind all[VIEW_NKINDS] = { VIEW_FLOWS,
	    VIEW_PROCS, VIEW_IFACES, VIEW_LISTEN, VIEW_EVENTS, VIEW_APPS };
	int ch;

	memcpy(o->kinds, all, sizeof(all));
	o->nkinds = VIEW_NKINDS;
	o->linger = o->idle = -1;
	o->maxline = SHOW_MAXLINE;
	o->sc.interval = 1;
	while ((ch = getopt_long(argc, argv, "bc:d:E:F:f:hI:i:L:qs:T:Vv:w:x",
	    lopts, NULL)) != -1) {
		if (ch == 's') {
			if (o->nsorts == 16)
				errx(2, "-s: at most 16 times");
			o->sorts[o->nsorts++] = optarg;
		} else if (ch == 'v')
			o->nkinds = show_parse_views(optarg, o->kinds);
		else
			show_option(o, ch, optarg);
	}
	if (!isatty(STDOUT_FILENO))
		o->batch = true;
	if (!o->batch && optind == argc && chain_stdin() == NULL &&
	    isatty(STDIN_FILENO))
		errx(2, "standard input is the terminal: give INPUT files or "
		    "pipe records in");
	if (o->width_set && !o->batch)
		warnx("-w only applies to batch mode");
	/* A live view lets finished and silent flows go; a single table at
	 * the end of the input keeps every flow unless told otherwise. */
	o->vc.linger = o->linger >= 0 ? o->linger :
	    !o->batch || o->vb.interval > 0 ? 10 : 0;
	o->vc.idle = o->idle >= 0 ? o->idle :
	    !o->batch || o->vb.interval > 0 ? 60 : 0;
	return optind;
}

/* The batch tables on stdout: 0, or 1 when output was lost. */
static int
show_batch(struct show_opts *o)
{
	int rc = 0;

	o->vb.kinds = o->kinds;
	o->vb.nkinds = o->nkinds;
	o->vb.usr1 = &sig_usr1;
	if (view_batch_run(o->sc.v, &o->vb, o->sc.lb, stdout, &sig_stop) == -1)
		rc = 1;
	if (fclose(stdout) == EOF)
		rc = 1;
	/* A reader that went away (EPIPE) is no news: exit 1 quietly. */
	if (rc && errno != EPIPE)
		warn("stdout");
	return rc;
}

int
main(int argc, char *argv[])
{
	struct show_opts o = { 0 };
	char errbuf[256];
	int i, j, rc;

	i = show_options(argc, argv, &o);
	if (sig_setup() == -1)
		err(1, "sigaction");
	o.sc.st = stats_new("ev-show");
	/* On the screen, messages about bad input would tear the display:
	 * they are counted and shown in the header instead. */
	if (o.quiet || (!o.batch && isatty(STDERR_FILENO)))
		stats_set_quiet(o.sc.st, 1);
	o.sc.v = view_new(&o.vc, o.sc.st);
	for (j = 0; j < o.nsorts; j++)
		show_parse_sort(o.sc.v, o.sorts[j]);
	view_set_filter(o.sc.v, o.filter);
	view_set_iface(o.sc.v, o.iface);
	o.sc.first = o.kinds[0];
	o.sc.lb = linebuf_new((size_t)o.maxline);
	/* "-", not the fd: inside evpipe(1) it is the previous stage. */
	if (i == argc && linebuf_add(o.sc.lb, "-", errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	for (; i < argc; i++)
		if (linebuf_add(o.sc.lb, argv[i], errbuf, sizeof(errbuf)) == -1)
			errx(1, "%s", errbuf);

	rc = o.batch ? show_batch(&o) : viewscr_run(&o.sc);

	stats_print(o.sc.st, stderr);
	view_destroy(&o.sc.v);
	linebuf_destroy(&o.sc.lb);
	stats_destroy(&o.sc.st);
	return rc;
}
