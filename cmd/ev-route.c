/* ev-route.c - ntopng's interface dispatch as a filter: events delivered
 * by IF_NAME and to companion interfaces. See man/ev-route.1 and
 * common/route.c.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"
#include "opts.h"
#include "route.h"
#include "sig.h"
#include "sink.h"
#include "stats.h"
#include "xalloc.h"

#define EVROUTE_MAXLINE		(1024 * 1024)
#define EVROUTE_MAXSHARDS	1024
#define EVROUTE_MAXJOBS		64

/* Everything the options say, from the command line and -f files. */
struct conf {
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
};

static const struct option lopts[] = {
	{ "companion", required_argument, NULL, 'c' },
	{ "drop", no_argument, NULL, 'D' },
	{ "config", required_argument, NULL, 'f' },
	{ "iface", required_argument, NULL, 'i' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "line-buffered", no_argument, NULL, 'l' },
	{ "max-line", required_argument, NULL, 'L' },
	{ "mirrored", required_argument, NULL, 'm' },
	{ "shard-output", required_argument, NULL, 'O' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "shards", required_argument, NULL, 'S' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	OPTS_STATS_LONG,
	{ "input", required_argument, NULL, 1 },	/* -f files only */
	{ NULL, 0, NULL, 0 }
};
#define OPTSTRING	"c:Df:hi:j:lL:m:O:o:qS:V"

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

static void
usage(void)
{
	opts_usage(&tool);
}

/* Splits "A=B" at the first '=' into two new strings. -1 if malformed. */
static int
split_eq(const char *arg, char **a, char **b)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0')
		return -1;
	*a = xstrdup(arg);
	(*a)[eq - arg] = '\0';
	*b = xstrdup(eq + 1);
	return 0;
}

static void read_config(struct conf *c, const char *path);

/* Applies one option; where says where it came from for messages. */
static void
apply(struct conf *c, int ch, const char *arg, const char *where)
{
	char errbuf[512];
	char *a, *b;
	int rc;

	switch (ch) {
	case 'c':
		if (split_eq(arg, &a, &b) != 0)
			errx(2, "%s-c %s: not ZMQIFACE=IFACE", where, arg);
		rc = route_companion(c->rt, a, b, errbuf, sizeof(errbuf));
		free(a);
		free(b);
		if (rc != 0)
			errx(2, "%s%s", where, errbuf);
		break;
	case 'D':
		c->so.drop_when_full = true;
		break;
	case 'f':
		if (c->depth > 0)
			errx(2, "%s-f: configuration files do not nest", where);
		c->depth++;
		read_config(c, arg);
		c->depth--;
		break;
	case 'i':
		if (route_declare(c->rt, arg, errbuf, sizeof(errbuf)) != 0)
			errx(2, "%s%s", where, errbuf);
		break;
	case 'l':
		c->so.line_buffered = true;
		break;
	case 'L':
		c->maxline = opts_size_or_die(arg, "max line");
		if (c->maxline < 64 || c->maxline > 1024ULL * 1024 * 1024)
			errx(2, "%smax line: '%s' is not between 64 and 1G",
			    where, arg);
		break;
	case 'm':
		if (route_mirror(c->rt, arg, errbuf, sizeof(errbuf)) != 0)
			errx(2, "%s%s", where, errbuf);
		break;
	case 'O':
		if (isdigit((unsigned char)arg[0]) && strchr(arg, '=') != NULL &&
		    strspn(arg, "0123456789") == (size_t)(strchr(arg, '=') -
		    arg)) {
			long long k;

			if (split_eq(arg, &a, &b) != 0)
				errx(2, "%s-O %s: not SHARD=SINK", where, arg);
			k = opts_int_or_die(a, "shard", 0,
			    EVROUTE_MAXSHARDS - 1);
			free(a);
			if ((size_t)k >= c->nshardspec) {
				c->shardspec = xreallocarray(c->shardspec,
				    (size_t)k + 1, sizeof(*c->shardspec));
				memset(c->shardspec + c->nshardspec, 0,
				    ((size_t)k + 1 - c->nshardspec) *
				    sizeof(*c->shardspec));
				c->nshardspec = (size_t)k + 1;
			}
			if (c->shardspec[k] != NULL)
				errx(2, "%s-O %s: shard %lld given twice",
				    where, arg, k);
			c->shardspec[k] = b;
			break;
		}
		free(c->pattern);
		c->pattern = xstrdup(arg);
		break;
	case 'o':
		if (split_eq(arg, &a, &b) != 0)
			errx(2, "%s-o %s: not IFACE=SINK", where, arg);
		if (strcmp(a, "*") == 0) {
			free(a);
			free(c->dflt);
			c->dflt = b;
			break;
		}
		c->oif = xreallocarray(c->oif, c->no + 1, sizeof(*c->oif));
		c->ospec = xreallocarray(c->ospec, c->no + 1,
		    sizeof(*c->ospec));
		c->oif[c->no] = a;
		c->ospec[c->no++] = b;
		break;
	case 'j':
		c->jobs = opts_int_or_die(arg, "jobs", 1, EVROUTE_MAXJOBS);
		break;
	case 'q':
		c->quiet = 1;
		break;
	case 'S':
		c->nshards = opts_int_or_die(arg, "shards", 1,
		    EVROUTE_MAXSHARDS);
		break;
	case 'V':
		opts_version(&tool);
	case 1:
		c->inputs = xreallocarray(c->inputs, c->ninputs + 1,
		    sizeof(*c->inputs));
		c->inputs[c->ninputs++] = xstrdup(arg);
		break;
	default:
		usage();
	}
}

/* Reads a configuration file: one option per line, "OPTION [VALUE]",
 * where OPTION is the short or the long name with or without its dashes
 * ("-i cbr0", "--iface cbr0", "iface cbr0", "--iface=cbr0"); "input PATH"
 * adds an input. Blank lines and lines starting with '#' are ignored. */
static void
read_config(struct conf *c, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, where[600];
	size_t cap = 0, lineno = 0;
	ssize_t n;

	if (fp == NULL)
		err(2, "%s", path);
	while ((n = getline(&line, &cap, fp)) != -1) {
		char *p = line, *name, *val = NULL, *e;
		const struct option *o;

		lineno++;
		while (n > 0 && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%zu: ", path, lineno);
		name = p;
		while (*p != '\0' && !isspace((unsigned char)*p) && *p != '=')
			p++;
		if (*p == '=' || isspace((unsigned char)*p)) {
			*p++ = '\0';
			while (isspace((unsigned char)*p))
				p++;
			val = *p != '\0' ? p : NULL;
		}
		e = name;
		while (*e == '-')
			e++;
		for (o = lopts; o->name != NULL; o++)
			if (strcmp(e, o->name) == 0 || (e[0] != '\0' &&
			    e[1] == '\0' && o->val == e[0] && o->val > 1))
				break;
		if (o->name == NULL || o->val == 'V')
			errx(2, "%sunknown option '%s'", where, name);
		if ((o->has_arg == required_argument) != (val != NULL))
			errx(2, "%s%s: %s", where, name, val != NULL ?
			    "takes no value" : "needs a value");
		apply(c, o->val, val, where);
	}
	if (ferror(fp))
		err(2, "%s", path);
	free(line);
	fclose(fp);
}

/* The sink opened for spec, shared by every use of the same spec. */
struct sinks {
	char		**spec;
	struct sink	**s;
	size_t		 n;
};

static struct sink *
open_sink(struct sinks *ss, const char *spec, const struct sink_opts *so)
{
	char errbuf[512];
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (strcmp(ss->spec[i], spec) == 0)
			return ss->s[i];
	ss->spec = xreallocarray(ss->spec, ss->n + 1, sizeof(*ss->spec));
	ss->s = xreallocarray(ss->s, ss->n + 1, sizeof(*ss->s));
	ss->spec[ss->n] = xstrdup(spec);
	if ((ss->s[ss->n] = sink_open(spec, so, errbuf, sizeof(errbuf))) ==
	    NULL)
		errx(opts_open_status(spec), "%s", errbuf);
	return ss->s[ss->n++];
}

/* The shard pattern with its one "%d" replaced by i. */
static char *
shard_spec(const char *pattern, long long i)
{
	const char *d = strstr(pattern, "%d");
	char *s;

	if (asprintf(&s, "%.*s%lld%s", (int)(d - pattern), pattern, i,
	    d + 2) == -1)
		err(1, NULL);
	return s;
}

static void
check_pattern(const char *p)
{
	const char *d = strstr(p, "%d");

	if (d == NULL)
		errx(2, "-O %s: the pattern needs a %%d for the shard number",
		    p);
	if (strchr(p, '%') != d || strchr(d + 2, '%') != NULL)
		errx(2, "-O %s: the pattern may hold one %%d and no other %%",
		    p);
}

int
main(int argc, char *argv[])
{
	struct conf c = { 0 };
	struct sinks ss = { 0 };
	struct route_outs o = { 0 };
	struct route_core *core;
	struct linebuf *lb;
	struct stats *st;
	const struct linebuf_stats *ls;
	char errbuf[512];
	size_t i;
	int ch, rc, lost = 0;

	c.rt = route_new();
	c.maxline = EVROUTE_MAXLINE;
	while ((ch = getopt_long(argc, argv, OPTSTRING, lopts, NULL)) != -1) {
		if (ch == '?' || ch == 1 || ch == 'h' || ch == OPTS_STATS) {
			opts_other(ch, &tool);
			continue;
		}
		apply(&c, ch, optarg, "");
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		apply(&c, 1, argv[i], "");
	if (route_check(c.rt, errbuf, sizeof(errbuf)) != 0)
		errx(2, "%s", errbuf);
	if ((c.pattern != NULL || c.nshardspec > 0) && c.nshards == 0)
		errx(2, "-O needs -S");
	if (c.nshards > 0) {
		if (c.pattern == NULL && c.nshardspec == 0)
			errx(2, "-S needs -O pattern (for example "
			    "-O 'zmq:@ipc:///tmp/agg-%%d') or -O 0=sink ...");
		if (c.pattern != NULL && c.nshardspec > 0)
			errx(2, "-O: a pattern or one sink per shard, not both");
		if (c.no > 0 || c.dflt != NULL)
			errx(2, "-S and -o exclude each other: shards get "
			    "every interface's records");
		if (c.pattern != NULL)
			check_pattern(c.pattern);
		for (i = 0; c.pattern == NULL && i < (size_t)c.nshards; i++)
			if (i >= c.nshardspec || c.shardspec[i] == NULL)
				errx(2, "-S %lld: no -O %zu=sink", c.nshards,
				    i);
		if (c.pattern == NULL && c.nshardspec > (size_t)c.nshards)
			errx(2, "-O %zu=...: only %lld shards (-S)",
			    c.nshardspec - 1, c.nshards);
	}

	st = stats_new("ev-route");
	stats_set_quiet(st, c.quiet);
	if (sig_setup() == -1)
		err(1, "signals");
	if (c.nshards > 0) {
		o.nshards = (size_t)c.nshards;
		o.shard = xreallocarray(NULL, o.nshards, sizeof(*o.shard));
		for (i = 0; i < o.nshards; i++) {
			char *spec;

			if (c.pattern == NULL) {
				o.shard[i] = open_sink(&ss, c.shardspec[i],
				    &c.so);
				continue;
			}
			spec = shard_spec(c.pattern, (long long)i);
			o.shard[i] = open_sink(&ss, spec, &c.so);
			free(spec);
		}
	} else {
		o.iface = xreallocarray(NULL, c.no + 1, sizeof(*o.iface));
		o.sink = xreallocarray(NULL, c.no + 1, sizeof(*o.sink));
		for (i = 0; i < c.no; i++) {
			o.iface[o.n] = c.oif[i];
			o.sink[o.n++] = open_sink(&ss, c.ospec[i], &c.so);
		}
		o.dflt = open_sink(&ss, c.dflt != NULL ? c.dflt : "-", &c.so);
	}
	/* Inputs after outputs: opening a FIFO waits for its writer, and
	 * by then a ZMQ sink should be bound for its readers. */
	lb = linebuf_new((size_t)c.maxline);
	if (c.ninputs == 0)
		apply(&c, 1, "-", "");
	for (i = 0; i < c.ninputs; i++)
		if (linebuf_add(lb, c.inputs[i], errbuf, sizeof(errbuf)) < 0)
			errx(opts_open_status(c.inputs[i]), "%s", errbuf);
	core = route_core_new(c.rt, &o, st);
	route_core_jobs(core, lb, c.jobs > 1 ? (size_t)c.jobs : 1);

	while (!sig_stop && !route_dead(core)) {
		rc = route_poll(core, lb, 250);
		if (rc == LINEBUF_EOF)
			break;
		if (sig_usr1) {
			sig_usr1 = 0;
			route_sync_stats(core);
			stats_print(st, stderr);
		}
	}
	/* Lines the workers hold are written out, even on a signal. */
	route_drain(core);

	route_sync_stats(core);
	if (route_lost(core))
		lost = 1;
	for (i = 0; i < ss.n; i++) {
		/* A write that failed only at the last flush (a full disk,
		 * say) is reported here; a reader that went away (EPIPE) ends
		 * the stage quietly. */
		if (sink_close(&ss.s[i]) != 0) {
			if (errno != EPIPE)
				warn("%s: records were lost", ss.spec[i]);
			lost = 1;
		}
		free(ss.spec[i]);
	}
	ls = linebuf_stats(lb);
	*stats_ctr(st, "overlong") = ls->overlong;
	*stats_ctr(st, "read_errors") = ls->read_errors;
	stats_print(st, stderr);

	route_core_destroy(&core);
	linebuf_destroy(&lb);
	stats_destroy(&st);
	route_destroy(&c.rt);
	for (i = 0; i < c.no; i++) {
		free(c.oif[i]);
		free(c.ospec[i]);
	}
	for (i = 0; i < c.ninputs; i++)
		free(c.inputs[i]);
	free(c.oif);
	free(c.ospec);
	free(c.inputs);
	free(c.pattern);
	for (i = 0; i < c.nshardspec; i++)
		free(c.shardspec[i]);
	free(c.shardspec);
	free(ss.spec);
	free(ss.s);
	free(o.iface);
	free(o.sink);
	free(o.shard);
	free(c.dflt);
	return lost;
}
