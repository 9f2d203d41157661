/* routecf.c - ev-route's options and configuration files. Implements
 * include/routecf.h.
 */
#include <ctype.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routecf.h"
#include "xalloc.h"

const struct option routecf_options[] = {
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
	{ "input", required_argument, NULL, ROUTECF_INPUT },	/* -f files only */
	{ NULL, 0, NULL, 0 }
};

void
routecf_init(struct routecf *c, const struct opts_tool *tool)
{
	memset(c, 0, sizeof(*c));
	c->rt = route_new();
	c->maxline = ROUTECF_MAXLINE;
	c->tool = tool;
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

/* -O K=SINK (shard K's sink) or -O PATTERN. */
static void
shard_output(struct routecf *c, const char *arg, const char *where)
{
	long long k;
	char *a, *b;

	if (!isdigit((unsigned char)arg[0]) || strchr(arg, '=') == NULL ||
	    strspn(arg, "0123456789") != (size_t)(strchr(arg, '=') - arg)) {
		free(c->pattern);
		c->pattern = xstrdup(arg);
		return;
	}
	if (split_eq(arg, &a, &b) != 0)
		errx(2, "%s-O %s: not SHARD=SINK", where, arg);
	k = opts_int_or_die(a, "shard", 0, ROUTECF_MAXSHARDS - 1);
	free(a);
	if ((size_t)k >= c->nshardspec) {
		c->shardspec = xreallocarray(c->shardspec, (size_t)k + 1,
		    sizeof(*c->shardspec));
		memset(c->shardspec + c->nshardspec, 0,
		    ((size_t)k + 1 - c->nshardspec) * sizeof(*c->shardspec));
		c->nshardspec = (size_t)k + 1;
	}
	if (c->shardspec[k] != NULL)
		errx(2, "%s-O %s: shard %lld given twice", where, arg, k);
	c->shardspec[k] = b;
}

/* -o IFACE=SINK, or '*=SINK' for the rest. */
static void
output(struct routecf *c, const char *arg, const char *where)
{
	char *a, *b;

	if (split_eq(arg, &a, &b) != 0)
		errx(2, "%s-o %s: not IFACE=SINK", where, arg);
	if (strcmp(a, "*") == 0) {
		free(a);
		free(c->dflt);
		c->dflt = b;
		return;
	}
	c->oif = xreallocarray(c->oif, c->no + 1, sizeof(*c->oif));
	c->ospec = xreallocarray(c->ospec, c->no + 1, sizeof(*c->ospec));
	c->oif[c->no] = a;
	c->ospec[c->no++] = b;
}

static void routecf_read(struct routecf *c, const char *path);

void
routecf_apply(struct routecf *c, int ch, const char *arg, const char *where)
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
		routecf_read(c, arg);
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
		c->maxline = opts_size_range_or_die(where, arg, "max line", 64,
		    1024ULL * 1024 * 1024);
		break;
	case 'm':
		if (route_mirror(c->rt, arg, errbuf, sizeof(errbuf)) != 0)
			errx(2, "%s%s", where, errbuf);
		break;
	case 'O':
		shard_output(c, arg, where);
		break;
	case 'o':
		output(c, arg, where);
		break;
	case 'j':
		c->jobs = opts_int_or_die(arg, "jobs", 1, ROUTECF_MAXJOBS);
		break;
	case 'q':
		c->quiet = 1;
		break;
	case 'S':
		c->nshards = opts_int_or_die(arg, "shards", 1,
		    ROUTECF_MAXSHARDS);
		break;
	case 'V':
		opts_version(c->tool);
	case ROUTECF_INPUT:
		c->inputs = xreallocarray(c->inputs, c->ninputs + 1,
		    sizeof(*c->inputs));
		c->inputs[c->ninputs++] = xstrdup(arg);
		break;
	default:
		opts_usage(c->tool);
	}
}

static void
routecf_read(struct routecf *c, const char *path)
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
		for (o = routecf_options; o->name != NULL; o++)
			if (strcmp(e, o->name) == 0 || (e[0] != '\0' &&
			    e[1] == '\0' && o->val == e[0] && o->val > 1))
				break;
		if (o->name == NULL || o->val == 'V')
			errx(2, "%sunknown option '%s'", where, name);
		if ((o->has_arg == required_argument) != (val != NULL))
			errx(2, "%s%s: %s", where, name, val != NULL ?
			    "takes no value" : "needs a value");
		routecf_apply(c, o->val, val, where);
	}
	if (ferror(fp))
		err(2, "%s", path);
	free(line);
	fclose(fp);
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

void
routecf_check(const struct routecf *c)
{
	char errbuf[512];
	size_t i;

	if (route_check(c->rt, errbuf, sizeof(errbuf)) != 0)
		errx(2, "%s", errbuf);
	if ((c->pattern != NULL || c->nshardspec > 0) && c->nshards == 0)
		errx(2, "-O needs -S");
	if (c->nshards > 0) {
		if (c->pattern == NULL && c->nshardspec == 0)
			errx(2, "-S needs -O pattern (for example "
			    "-O 'zmq:@ipc:///tmp/agg-%%d') or -O 0=sink ...");
		if (c->pattern != NULL && c->nshardspec > 0)
			errx(2, "-O: a pattern or one sink per shard, not both");
		if (c->no > 0 || c->dflt != NULL)
			errx(2, "-S and -o exclude each other: shards get "
			    "every interface's records");
		if (c->pattern != NULL)
			check_pattern(c->pattern);
		for (i = 0; c->pattern == NULL && i < (size_t)c->nshards; i++)
			if (i >= c->nshardspec || c->shardspec[i] == NULL)
				errx(2, "-S %lld: no -O %zu=sink", c->nshards,
				    i);
		if (c->pattern == NULL && c->nshardspec > (size_t)c->nshards)
			errx(2, "-O %zu=...: only %lld shards (-S)",
			    c->nshardspec - 1, c->nshards);
	}
}

void
routecf_outs(const struct routecf *c, struct sinkset *ss,
    struct route_outs *o)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	if (c->nshards > 0) {
		o->nshards = (size_t)c->nshards;
		o->shard = xreallocarray(NULL, o->nshards, sizeof(*o->shard));
		for (i = 0; i < o->nshards; i++) {
			char *spec;

			if (c->pattern == NULL) {
				o->shard[i] = sinkset_get(ss, c->shardspec[i]);
				continue;
			}
			spec = shard_spec(c->pattern, (long long)i);
			o->shard[i] = sinkset_get(ss, spec);
			free(spec);
		}
	} else {
		o->iface = xreallocarray(NULL, c->no + 1, sizeof(*o->iface));
		o->sink = xreallocarray(NULL, c->no + 1, sizeof(*o->sink));
		for (i = 0; i < c->no; i++) {
			o->iface[o->n] = c->oif[i];
			o->sink[o->n++] = sinkset_get(ss, c->ospec[i]);
		}
		o->dflt = sinkset_get(ss, c->dflt != NULL ? c->dflt : "-");
	}
}

void
routecf_outs_free(struct route_outs *o)
{
	free(o->iface);
	free(o->sink);
	free(o->shard);
	memset(o, 0, sizeof(*o));
}

void
routecf_inputs(struct routecf *c, struct linebuf *lb)
{
	size_t i;

	if (c->ninputs == 0)
		routecf_apply(c, ROUTECF_INPUT, "-", "");
	for (i = 0; i < c->ninputs; i++)
		(void)linebuf_add_or_die(lb, c->inputs[i]);
}

void
routecf_free(struct routecf *c)
{
	size_t i;

	route_destroy(&c->rt);
	for (i = 0; i < c->no; i++) {
		free(c->oif[i]);
		free(c->ospec[i]);
	}
	for (i = 0; i < c->ninputs; i++)
		free(c->inputs[i]);
	free(c->oif);
	free(c->ospec);
	free(c->inputs);
	free(c->pattern);
	for (i = 0; i < c->nshardspec; i++)
		free(c->shardspec[i]);
	free(c->shardspec);
	free(c->dflt);
}
