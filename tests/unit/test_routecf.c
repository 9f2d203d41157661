/* test_routecf.c - unit tests for common/routecf.c (include/routecf.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "routecf.h"
#include "unit.h"

static const struct opts_tool tool = { "test", "usage: test\n", "", 0 };

static char dir[] = "/tmp/test_routecf.XXXXXX";

/* Options given one by one land in their fields. */
static void
test_apply(void)
{
	struct routecf c;

	routecf_init(&c, &tool);
	CHECK(c.maxline == ROUTECF_MAXLINE);
	routecf_apply(&c, 'i', "eth0", "");
	routecf_apply(&c, 'i', "cbr0", "");
	routecf_apply(&c, 'm', "cbr0", "");
	routecf_apply(&c, 'c', "tcp://x=cbr0", "");
	routecf_apply(&c, 'o', "eth0=out-eth0", "");
	routecf_apply(&c, 'o', "*=rest", "");
	routecf_apply(&c, 'D', NULL, "");
	routecf_apply(&c, 'l', NULL, "");
	routecf_apply(&c, 'j', "4", "");
	routecf_apply(&c, 'L', "64k", "");
	routecf_apply(&c, ROUTECF_INPUT, "in.ndjson", "");
	CHECK(route_nifaces(c.rt) == 2);
	CHECK(c.no == 1);
	CHECK_STR(c.oif[0], "eth0");
	CHECK_STR(c.ospec[0], "out-eth0");
	CHECK_STR(c.dflt, "rest");
	CHECK(c.so.drop_when_full && c.so.line_buffered);
	CHECK(c.jobs == 4);
	CHECK(c.maxline == 64 * 1024);
	CHECK(c.ninputs == 1);
	CHECK_STR(c.inputs[0], "in.ndjson");
	routecf_check(&c);
	routecf_free(&c);
}

/* A configuration file takes every spelling of an option. */
static void
test_read(void)
{
	struct routecf c;
	char path[600];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/route.conf", dir);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fputs("# a comment\n\n-i eth0\n--iface cbr0\n  mirrored cbr0  \n"
	    "--shards=2\nO 0=zero\nshard-output 1=one\ninput a.ndjson\n"
	    "q\n", fp);
	fclose(fp);
	routecf_init(&c, &tool);
	routecf_apply(&c, 'f', path, "");
	CHECK(route_nifaces(c.rt) == 2);
	CHECK_STR(route_iface(c.rt, 1), "cbr0");
	CHECK(c.nshards == 2);
	CHECK(c.nshardspec == 2);
	CHECK_STR(c.shardspec[0], "zero");
	CHECK_STR(c.shardspec[1], "one");
	CHECK(c.ninputs == 1);
	CHECK_STR(c.inputs[0], "a.ndjson");
	CHECK(c.quiet == 1);
	CHECK(c.depth == 0);
	routecf_check(&c);
	routecf_free(&c);
	unlink(path);
}

/* The outputs: one sink per spec, the shards from a pattern. */
static void
test_outs(void)
{
	struct routecf c;
	struct route_outs o;
	struct sinkset *ss;
	char pat[600], a[600];

	snprintf(pat, sizeof(pat), "%s/shard-%%d", dir);
	routecf_init(&c, &tool);
	routecf_apply(&c, 'S', "3", "");
	routecf_apply(&c, 'O', pat, "");
	routecf_check(&c);
	ss = sinkset_new(&c.so);
	routecf_outs(&c, ss, &o);
	CHECK(o.nshards == 3);
	snprintf(a, sizeof(a), "%s/shard-2", dir);
	CHECK_STR(sink_name(o.shard[2]), a);
	CHECK(o.shard[0] != o.shard[1]);
	CHECK(o.dflt == NULL);
	CHECK(sinkset_close(&ss) == 0);
	routecf_outs_free(&o);
	CHECK(o.shard == NULL);
	routecf_free(&c);
	unlink(a);
	snprintf(a, sizeof(a), "%s/shard-1", dir);
	unlink(a);
	snprintf(a, sizeof(a), "%s/shard-0", dir);
	unlink(a);

	routecf_init(&c, &tool);
	snprintf(a, sizeof(a), "eth0=%s/x", dir);
	routecf_apply(&c, 'i', "eth0", "");
	routecf_apply(&c, 'o', a, "");
	snprintf(a, sizeof(a), "eth1=%s/x", dir);
	routecf_apply(&c, 'o', a, "");
	snprintf(a, sizeof(a), "*=%s/x", dir);
	routecf_apply(&c, 'o', a, "");
	routecf_check(&c);
	ss = sinkset_new(&c.so);
	routecf_outs(&c, ss, &o);
	CHECK(o.n == 2);
	CHECK_STR(o.iface[1], "eth1");
	CHECK(o.sink[0] == o.sink[1]);
	CHECK(o.dflt == o.sink[0]);
	CHECK(sinkset_close(&ss) == 0);
	routecf_outs_free(&o);
	routecf_free(&c);
	snprintf(a, sizeof(a), "%s/x", dir);
	unlink(a);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		abort();
	test_apply();
	test_read();
	test_outs();
	rmdir(dir);
	return unit_done("routecf");
}
