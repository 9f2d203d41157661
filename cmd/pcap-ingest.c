/* pcap-ingest - packets from live interfaces or capture files as NDJSON
 * packet records (man/pcap-ingest.1; the records: include/pktrec.h).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opts.h"
#include "pcapin.h"
#include "pktdec.h"
#include "sig.h"
#include "sink.h"
#include "stats.h"

#define MAXSRC	64

/* What the tick callback needs: counters for SIGUSR1, progress state. */
struct pi_main {
	struct stats	*st;
	bool		 progress;
	bool		 shown;		/* a progress line is on screen */
	double		 last;		/* wall time of the last line */
	double		 start;
	uint64_t	 start_pkts;
	const struct pcapin_src *file;	/* the file the line is about */
};

static const struct opts_tool tool = {
	"pcap-ingest",
	"usage: pcap-ingest [-LlNpqV] [-A seconds] [-c count] [-f filter] "
	"[-o sink] [-s snaplen]\n"
	"                   [-Z user] -i interface ... | "
	"-r file[=name] ... [expression]\n",
	"  -A, --aggregate=DUR       one record per flow and slice of DUR\n"
	"  -c, --count=N             stop after N packets\n"
	"  -f, --filter=EXPR         a pcap-filter(7) expression\n"
	"  -i, --interface=DEV       capture on DEV (repeat for several)\n"
	"  -L, --dpi                 name each flow's application (nDPI)\n"
	"  -l, --line-buffered       write each record at once\n"
	"  -N, --non-ip              also write frames without IP\n"
	"  -o, --output=SINK         where records go (default stdout)\n"
	"  -p, --no-promiscuous-mode do not put interfaces in promiscuous "
	"mode\n"
	"  -q, --quiet               do not report bad packets (still "
	"counted)\n"
	"  -r, --read=FILE[=NAME]    read a capture file ('-': stdin); several "
	"are read\n"
	"                            oldest first\n"
	"  -s, --snaplen=N           capture at most N bytes per packet\n"
	"  -Z, --user=USER           drop privileges to USER once open\n",
	0,
};

static void
usage(void)
{
	opts_usage(&tool);
}

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Progress on a terminal (percent of the file, packets/s) and the
 * counters on SIGUSR1. */
static void
tick(void *arg, const struct pcapin_tick *t)
{
	struct pi_main *m = arg;
	double now;

	if (sig_usr1) {
		sig_usr1 = 0;
		if (m->shown)
			fputc('\n', stderr);
		m->shown = false;
		stats_print(m->st, stderr);
	}
	if (!m->progress || t->src == NULL)
		return;
	now = now_secs();
	if (m->file != t->src) {
		if (m->shown)
			fputc('\n', stderr);
		m->shown = false;
		m->file = t->src;
		m->start = now;
		m->start_pkts = t->packets;
		m->last = now;
		return;
	}
	if (now - m->last < 0.5 && !t->src->done)
		return;
	m->last = now;
	fprintf(stderr, "\rpcap-ingest: %s: ", t->src->name);
	if (t->src->size > 0 && t->pos >= 0)
		fprintf(stderr, "%3d%% ", (int)(100.0 * (double)t->pos /
		    (double)t->src->size));
	fprintf(stderr, "%" PRIu64 " packets, %.0f packets/s ", t->packets,
	    now > m->start ? (double)(t->packets - m->start_pkts) /
	    (now - m->start) : 0.0);
	m->shown = true;
}

/* Switches to user's uid, gid and groups, and checks root cannot come
 * back. Exits 2 for an unknown user, 1 if the switch fails. */
static void
drop_privileges(const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL)
		errx(2, "-Z: unknown user '%s'", user);
	if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
		err(1, "-Z %s", user);
	if (pw->pw_uid != 0 && setuid(0) != -1)
		errx(1, "-Z %s: could regain root", user);
}

/* Splits "FILE=NAME" unless FILE itself exists with the '=' in its name. */
static void
split_read(char *arg, const char **path, const char **name)
{
	struct stat sb;
	char *eq;

	*path = arg;
	*name = NULL;
	if (stat(arg, &sb) == 0 || (eq = strrchr(arg, '=')) == NULL ||
	    eq == arg)
		return;
	*eq = '\0';
	*name = eq + 1;
}

/* Joins the trailing expression words with spaces (as tcpdump). */
static char *
join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((s = calloc(1, len)) == NULL)
		err(1, NULL);
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* What the command line asks for. */
struct pi_opts {
	char		*ifaces[MAXSRC], *files[MAXSRC];
	int		 nif, nfile;
	const char	*sinkspec, *user;
	char		*filter;
	bool		 filter_joined;	/* filter was built from the arguments */
	bool		 promisc, quiet;
	int		 snaplen;
	struct pcapin_conf conf;
	struct sink_opts so;
};

static const struct option longopts[] = {
	{ "aggregate", required_argument, NULL, 'A' },
	{ "count", required_argument, NULL, 'c' },
	{ "filter", required_argument, NULL, 'f' },
	{ "interface", required_argument, NULL, 'i' },
	{ "dpi", no_argument, NULL, 'L' },
	{ "line-buffered", no_argument, NULL, 'l' },
	{ "non-ip", no_argument, NULL, 'N' },
	{ "output", required_argument, NULL, 'o' },
	{ "no-promiscuous-mode", no_argument, NULL, 'p' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "read", required_argument, NULL, 'r' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "user", required_argument, NULL, 'Z' },
	{ "help", no_argument, NULL, 'h' },
	OPTS_STATS_LONG,
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* Applies option ch (its argument arg); exits 2 on a bad value. */
static void
apply(struct pi_opts *o, int ch, char *arg)
{
	double secs;

	switch (ch) {
	case 'A':
		secs = opts_duration_or_die(arg, "-A");
		if (secs <= 0 || secs > 86400 * 365.0)
			errx(2, "-A: '%s' is not a slice length", arg);
		o->conf.slice_ns = (uint64_t)(secs * 1e9 + 0.5);
		if (o->conf.slice_ns == 0)
			o->conf.slice_ns = 1;
		break;
	case 'c':
		o->conf.count = (uint64_t)opts_int_or_die(arg, "-c", 1,
		    INT64_MAX);
		break;
	case 'f':
		o->filter = arg;
		break;
	case 'i':
		if (o->nif == MAXSRC)
			errx(2, "at most %d interfaces", MAXSRC);
		o->ifaces[o->nif++] = arg;
		break;
	case 'L':
		o->conf.l7 = true;
		break;
	case 'l':
		o->so.line_buffered = true;
		break;
	case 'N':
		o->conf.nonip = true;
		break;
	case 'o':
		o->sinkspec = arg;
		break;
	case 'p':
		o->promisc = false;
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'r':
		if (o->nfile == MAXSRC)
			errx(2, "at most %d files", MAXSRC);
		o->files[o->nfile++] = arg;
		break;
	case 's':
		o->snaplen = (int)opts_int_or_die(arg, "-s", 0, 262144);
		break;
	case 'Z':
		o->user = arg;
		break;
	default:
		opts_other(ch, &tool);
	}
}

/* Parses and checks the command line; exits 2 on a usage error. */
static void
parse_options(int argc, char **argv, struct pi_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->sinkspec = "-";
	o->promisc = true;
	while ((ch = getopt_long(argc, argv, "A:c:f:hi:LlNo:pqr:s:VZ:", longopts,
	    NULL)) != -1)
		apply(o, ch, optarg);
	argc -= optind;
	argv += optind;
	if (argc > 0) {
		if (o->filter != NULL)
			errx(2, "give the filter with -f or as arguments, "
			    "not both");
		o->filter = join_args(argc, argv);
		o->filter_joined = true;
	}
	if (o->nif == 0 && o->nfile == 0)
		usage();
	if (o->nif > 0 && o->nfile > 0)
		errx(2, "read interfaces (-i) or files (-r), not both");
	if (o->user != NULL && getpwnam(o->user) == NULL)
		errx(2, "-Z: unknown user '%s'", o->user);
}

/* Opens every file, then every interface, and sets the filter on each.
 * Exits 1 when one cannot be opened, 2 for a bad filter. Returns the
 * number of sources. */
static int
open_sources(struct pi_opts *o, struct pcapin_src *src)
{
	const char *path, *name;
	char errbuf[512];
	int i, n = 0;

	for (i = 0; i < o->nfile; i++, n++) {
		split_read(o->files[i], &path, &name);
		if (pcapin_open_file(&src[n], path, name, errbuf,
		    sizeof(errbuf)) == -1)
			errx(1, "%s", errbuf);
	}
	for (i = 0; i < o->nif; i++, n++) {
		if (pcapin_open_live(&src[n], o->ifaces[i], o->snaplen,
		    o->promisc, o->so.line_buffered, errbuf,
		    sizeof(errbuf)) == -1)
			errx(1, "%s", errbuf);
		if (errbuf[0] != '\0')
			warnx("%s", errbuf);
	}
	for (i = 0; i < n; i++) {
		if (!pktdec_link_ok(src[i].dlt))
			warnx("%s: unsupported link type %s (%d): its frames "
			    "are counted as badlink", src[i].name,
			    src[i].linkname, src[i].dlt);
		if (o->filter != NULL && pcapin_filter(&src[i], o->filter,
		    errbuf, sizeof(errbuf)) == -1)
			errx(2, "%s", errbuf);
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct pcapin_src src[MAXSRC];
	struct pi_opts o;
	struct pi_main m;
	struct sink *out;
	struct stats *st;
	int i, nsrc, rc;

	parse_options(argc, argv, &o);
	if (sig_setup() == -1)
		err(1, "signals");
	st = stats_new("pcap-ingest");
	stats_set_quiet(st, o.quiet);
	nsrc = open_sources(&o, src);
	out = sink_open_or_die(o.sinkspec, &o.so);
	if (o.user != NULL)
		drop_privileges(o.user);

	memset(&m, 0, sizeof(m));
	m.st = st;
	m.progress = !o.quiet && o.nfile > 0 && isatty(STDERR_FILENO);
	o.conf.tick = tick;
	o.conf.tick_arg = &m;
	rc = pcapin_run(&o.conf, src, (size_t)nsrc, out, st, &sig_stop);

	if (m.shown)
		fputc('\n', stderr);
	if (sink_close(&out) == -1) {
		/* A reader that went away (EPIPE) ends it quietly. */
		if (errno != EPIPE)
			warn("%s: records were lost", o.sinkspec);
		rc = 1;
	}
	stats_print(st, stderr);
	for (i = 0; i < nsrc; i++)
		pcapin_close(&src[i]);
	stats_destroy(&st);
	if (o.filter_joined)
		free(o.filter);
	return rc;
}
