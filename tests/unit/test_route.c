/* test_route.c - unit tests for common/route.c: configuration checks and
 * the delivery rules as a pure function; and of routecore.c, the copies
 * it writes (the rest of the core and routepool.c are tested by
 * ev-route.bats). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "route.h"
#include "routeint.h"
#include "sink.h"
#include "stats.h"
#include "unit.h"

static struct record rec;

/* Decides for text; returns the copies as "iface/c iface/i" or "" and
 * leaves the details in *res. */
static const char *
decide(const struct route *rt, const char *text, struct route_result *res)
{
	static char buf[256];
	size_t i;

	buf[0] = '\0';
	CHECK(record_parse(&rec, text, strlen(text)) == REC_OK);
	route_decide(rt, &rec, res);
	for (i = 0; i < res->ncopies; i++) {
		if (i > 0)
			strcat(buf, " ");
		strncat(buf, res->copy[i].iface, res->copy[i].len);
		strcat(buf, res->copy[i].companion ? "/c" : "/i");
	}
	return buf;
}

#define Z	"\"_type\":\"event\",\"_iface\":\"tcp://*:1234c\","

static void
test_config(void)
{
	struct route *rt = route_new();
	char err[256];

	CHECK(route_declare(rt, "eth0", err, sizeof(err)) == 0);
	CHECK(route_declare(rt, "eth0", err, sizeof(err)) == 0);
	CHECK(route_declare(rt, "", err, sizeof(err)) == -1);
	CHECK(route_declare(rt, "a\nb", err, sizeof(err)) == -1);
	CHECK(route_nifaces(rt) == 1);
	CHECK_STR(route_iface(rt, 0), "eth0");
	CHECK(route_iface(rt, 1) == NULL);
	CHECK(route_check(rt, err, sizeof(err)) == 0);

	/* A companion that is not declared. */
	CHECK(route_companion(rt, "tcp://*:1234c", "eth1", err,
	    sizeof(err)) == 0);
	CHECK(route_check(rt, err, sizeof(err)) == -1);
	CHECK(strstr(err, "eth1") != NULL && strstr(err, "declared") != NULL);
	CHECK(route_nifaces(rt) == 1);
	/* Declared, not mirrored. */
	CHECK(route_declare(rt, "eth1", err, sizeof(err)) == 0);
	CHECK(route_check(rt, err, sizeof(err)) == -1);
	CHECK(strstr(err, "mirrored") != NULL && strstr(err, "-m eth1"));
	/* Mirrored: fine. */
	CHECK(route_mirror(rt, "eth1", err, sizeof(err)) == 0);
	CHECK(route_check(rt, err, sizeof(err)) == 0);
	/* One companion per ZMQ interface. */
	CHECK(route_companion(rt, "tcp://*:1234c", "eth0", err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "already") != NULL);
	/* -m of an undeclared interface. */
	CHECK(route_mirror(rt, "eth9", err, sizeof(err)) == 0);
	CHECK(route_check(rt, err, sizeof(err)) == -1);
	CHECK(strstr(err, "-m eth9") != NULL);
	route_destroy(&rt);
	CHECK(rt == NULL);
	route_destroy(&rt);
}

static void
test_rules(void)
{
	struct route *rt = route_new();
	struct route_result res;
	char err[256];

	route_declare(rt, "lo", err, sizeof(err));
	route_declare(rt, "ens3", err, sizeof(err));
	route_declare(rt, "cbr0", err, sizeof(err));
	CHECK(route_check(rt, err, sizeof(err)) == 0);

	/* The seed's example: IF_NAME cbr0 on the ZMQ interface. */
	CHECK_STR(decide(rt, "{" Z "\"IF_NAME\":\"cbr0\","
	    "\"IPV4_LOCAL_ADDR\":\"10.1.1.1\",\"IPV4_REMOTE_ADDR\":\"10.1.1.13\"}",
	    &res), "cbr0/i");
	CHECK(res.kind == ROUTE_EVENT && res.zlen == 13 &&
	    memcmp(res.z, "tcp://*:1234c", 13) == 0);
	CHECK(res.zjlen == 15 && memcmp(res.zjson, "\"tcp://*:1234c\"", 15) == 0);
	CHECK_STR(res.copy[0].json, "\"cbr0\"");
	/* INTERFACE_NAME too; case matters; unknown names. */
	CHECK_STR(decide(rt, "{" Z "\"INTERFACE_NAME\":\"ens3\"}", &res),
	    "ens3/i");
	CHECK_STR(decide(rt, "{" Z "\"INTERFACE_NAME\":\"CBR0\"}", &res), "");
	CHECK(res.unknown_ifname && !res.no_ifname);
	CHECK_STR(decide(rt, "{" Z "\"INTERFACE_NAME\":\"\"}", &res), "");
	CHECK(res.no_ifname && !res.unknown_ifname);
	CHECK_STR(decide(rt, "{" Z "\"PROTOCOL\":6}", &res), "");
	CHECK(res.no_ifname);
	CHECK_STR(decide(rt, "{" Z "\"INTERFACE_NAME\":5}", &res), "");
	CHECK(res.no_ifname && (res.bad & EVF_BAD_IFNAME));
	/* Escaped names compare decoded. */
	CHECK_STR(decide(rt, "{\"_type\":\"event\",\"_iface\":\"tcp:\\/\\/x\","
	    "\"IF_NAME\":\"cb\\u00720\"}", &res), "cbr0/i");
	CHECK(res.zlen == 7 && memcmp(res.z, "tcp://x", 7) == 0);
	/* The name of Z itself: no copy. */
	CHECK_STR(decide(rt, "{\"_type\":\"event\",\"_iface\":\"cbr0\","
	    "\"IF_NAME\":\"cbr0\"}", &res), "");
	CHECK(res.ifname_is_z && !res.unknown_ifname);
	/* Not events: pass. No _iface: no copies. */
	CHECK_STR(decide(rt, "{\"_type\":\"packet\",\"_iface\":\"x\","
	    "\"IF_NAME\":\"cbr0\"}", &res), "");
	CHECK(res.kind == ROUTE_PASS);
	CHECK_STR(decide(rt, "{\"IF_NAME\":\"cbr0\"}", &res), "");
	CHECK(res.kind == ROUTE_PASS);
	CHECK_STR(decide(rt, "{\"_type\":\"event\",\"IF_NAME\":\"cbr0\"}",
	    &res), "");
	CHECK(res.kind == ROUTE_NO_IFACE);
	CHECK_STR(decide(rt, "{\"_type\":\"event\",\"_iface\":\"\","
	    "\"IF_NAME\":\"cbr0\"}", &res), "");
	CHECK(res.kind == ROUTE_NO_IFACE);
	CHECK_STR(decide(rt, "{\"_type\":\"event\",\"_iface\":7,"
	    "\"IF_NAME\":\"cbr0\"}", &res), "");
	CHECK(res.kind == ROUTE_NO_IFACE);
	CHECK_STR(decide(rt, "{\"_type\":\"Event\",\"_iface\":\"z\","
	    "\"IF_NAME\":\"cbr0\"}", &res), "");
	CHECK(res.kind == ROUTE_PASS);
	route_destroy(&rt);
}

static void
test_companion(void)
{
	struct route *rt = route_new();
	struct route_result res;
	char err[256];
	static const char *loop[] = {
		"\"IPV4_SRC_ADDR\":\"127.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.1\"",
		"\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IPV4_DST_ADDR\":\"127.8.9.10\"",
		"\"IPV6_SRC_ADDR\":\"::1\",\"IPV6_DST_ADDR\":\"2001:db8::1\"",
		"\"IPV6_SRC_ADDR\":\"2001:db8::1\",\"IPV6_DST_ADDR\":\"::1\"",
		"\"IPV6_SRC_ADDR\":\"::ffff:127.0.0.1\","
		    "\"IPV6_DST_ADDR\":\"::ffff:10.0.0.1\"",
		"\"IPV4_SRC_ADDR\":\"0.0.0.1\",\"IPV4_DST_ADDR\":\"0.0.0.1\"",
		"\"IPV4_LOCAL_ADDR\":\"127.0.0.53\","
		    "\"IPV4_REMOTE_ADDR\":\"10.0.0.1\"",
		"\"IPV6_LOCAL_ADDR\":\"2001:db8::1\",\"IPV6_REMOTE_ADDR\":\"::1\"",
		"\"8\":\"10.0.0.1\",\"12\":\"127.0.0.1\"",
		"\"27\":\"::1\",\"28\":\"2001:db8::1\"",
	};
	size_t i;

	route_declare(rt, "eth1", err, sizeof(err));
	route_declare(rt, "cbr0", err, sizeof(err));
	route_mirror(rt, "eth1", err, sizeof(err));
	route_companion(rt, "tcp://*:1234c", "eth1", err, sizeof(err));
	CHECK(route_check(rt, err, sizeof(err)) == 0);

	CHECK_STR(decide(rt, "{" Z "\"IF_NAME\":\"cbr0\","
	    "\"IPV4_SRC_ADDR\":\"10.0.0.1\",\"IPV4_DST_ADDR\":\"10.0.0.2\"}",
	    &res), "cbr0/i eth1/c");
	CHECK(!res.loopback && !res.merged);
	/* No addresses at all: still not loopback. */
	CHECK_STR(decide(rt, "{" Z "\"IF_NAME\":\"zz\"}", &res), "eth1/c");
	CHECK(res.unknown_ifname);
	/* Another ZMQ interface has no companion. */
	CHECK_STR(decide(rt, "{\"_type\":\"event\",\"_iface\":\"tcp://*:9c\","
	    "\"IF_NAME\":\"cbr0\"}", &res), "cbr0/i");
	for (i = 0; i < sizeof(loop) / sizeof(loop[0]); i++) {
		char text[512];

		snprintf(text, sizeof(text), "{" Z "\"IF_NAME\":\"cbr0\",%s}",
		    loop[i]);
		CHECK_STR(decide(rt, text, &res), "cbr0/i");
		CHECK(res.loopback);
		if (!res.loopback)
			fprintf(stderr, "  not loopback: %s\n", loop[i]);
	}
	/* 0.0.0.1 counts in the event context only, and 0.0.0.2 does not. */
	CHECK_STR(decide(rt, "{" Z "\"IPV4_SRC_ADDR\":\"0.0.0.2\"}", &res),
	    "eth1/c");
	/* An address that is not one: no companion copy, counted. */
	CHECK_STR(decide(rt, "{" Z "\"IF_NAME\":\"cbr0\","
	    "\"IPV4_SRC_ADDR\":\"localhost\"}", &res), "cbr0/i");
	CHECK(res.bad_address && !res.loopback && (res.bad & EVF_BAD_ADDR));

	/* The companion is also the IF_NAME target: one copy. */
	CHECK_STR(decide(rt, "{" Z "\"IF_NAME\":\"eth1\"}", &res), "eth1/i");
	CHECK(res.merged);
	/* Loopback with IF_NAME = companion: the IF_NAME copy stays. */
	CHECK_STR(decide(rt, "{" Z "\"IF_NAME\":\"eth1\","
	    "\"IPV4_SRC_ADDR\":\"127.0.0.1\"}", &res), "eth1/i");
	CHECK(res.loopback && !res.merged);
	/* An event received on the companion itself. */
	CHECK_STR(decide(rt, "{\"_type\":\"event\",\"_iface\":\"eth1\","
	    "\"IF_NAME\":\"cbr0\"}", &res), "cbr0/i");
	route_destroy(&rt);

	/* A companion that is Z itself never gets a second copy. */
	rt = route_new();
	route_declare(rt, "z", err, sizeof(err));
	route_mirror(rt, "z", err, sizeof(err));
	route_companion(rt, "z", "z", err, sizeof(err));
	CHECK(route_check(rt, err, sizeof(err)) == 0);
	CHECK_STR(decide(rt, "{\"_type\":\"event\",\"_iface\":\"z\"}", &res),
	    "");
	route_destroy(&rt);
}

/* route_decide's walk: the _iface it found, and what evf_read_ids()
 * counted of the keys that decide the copies' splice. */
static void
test_walk(void)
{
	struct route *rt = route_new();
	struct route_result res;

	decide(rt, "{" Z "\"a\":1,\"_iface\":\"y\"}", &res);
	CHECK(res.kind == ROUTE_EVENT && res.ids.n_iface == 2 &&
	    !res.ids.has_from && !res.ids.kesc);
	CHECK(res.iface == &rec.f[1]);
	decide(rt, "{\"_from\":\"x\",\"b\":2," Z "\"a\":1}", &res);
	CHECK(res.ids.n_iface == 1 && res.ids.has_from && !res.ids.kesc);
	decide(rt, "{" Z "\"_iface\":\"y\",\"_from\":1}", &res);
	CHECK(res.ids.n_iface == 2 && res.ids.has_from &&
	    res.iface == &rec.f[1]);
	/* Keys near the pipeline's are not counted. */
	decide(rt, "{" Z "\"_ifacf\":1,\"_fro\":1,\"_\":1,\"_iface_\":1}",
	    &res);
	CHECK(res.ids.n_iface == 1 && !res.ids.has_from);
	decide(rt, "{\"_iface\":\"p\",\"_type\":\"packet\",\"a\":1}", &res);
	CHECK(res.kind == ROUTE_PASS && res.iface == &rec.f[0]);
	decide(rt, "{\"_type\":\"packet\",\"a\":1}", &res);
	CHECK(res.kind == ROUTE_PASS && res.iface == NULL);
	/* An escaped key: looked up as record_get() does. */
	decide(rt, "{\"\\u005ftype\":\"event\",\"_iface\":\"z\"}", &res);
	CHECK(res.kind == ROUTE_EVENT && res.ids.kesc &&
	    res.iface == &rec.f[1]);
	decide(rt, "{\"_type\":\"event\",\"_ifac\\u0065\":\"z\"}", &res);
	CHECK(res.kind == ROUTE_EVENT && res.ids.kesc &&
	    res.iface == &rec.f[1]);
	/* _type first (the pipeline's records): the first _iface, plain or
	 * escaped, from evf_read_ids()' walk. */
	decide(rt, "{\"_type\":\"event\",\"_ifac\\u0065\":\"a\","
	    "\"_iface\":\"b\"}", &res);
	CHECK(res.kind == ROUTE_EVENT && res.iface == &rec.f[1]);
	decide(rt, "{\"_type\":\"event\",\"_iface\":\"a\","
	    "\"\\u005fiface\":\"b\"}", &res);
	CHECK(res.kind == ROUTE_EVENT && res.iface == &rec.f[1] &&
	    res.ids.n_iface == 1);
	decide(rt, "{\"_type\":\"event\",\"a\":1,\"_iface\":\"a\","
	    "\"_iface\":\"b\"}", &res);
	CHECK(res.kind == ROUTE_EVENT && res.iface == &rec.f[2]);
	decide(rt, "{\"_type\":\"event\",\"a\":1}", &res);
	CHECK(res.kind == ROUTE_NO_IFACE && res.iface == NULL);
	decide(rt, "{\"_type\":\"flow\",\"a\":1,\"_iface\":\"a\"}", &res);
	CHECK(res.kind == ROUTE_PASS && res.iface == &rec.f[2]);
	route_destroy(&rt);
}

/* The core writes every copy exactly as record_write() would: spliced
 * into the sink when the record allows (compact, one _iface, no _from,
 * no escaped key), rewritten otherwise, wherever the member that forbids
 * the splice stands. */
static void
test_copies(void)
{
#define E	"\"_type\":\"event\",\"_iface\":\"z\","
	static const char *const lines[] = {
		"{" E "\"IF_NAME\":\"eth0\",\"n\":1}",
		"{\"_from\":\"x\"," E "\"IF_NAME\":\"eth0\"}",
		"{" E "\"IF_NAME\":\"eth0\",\"_from\":\"x\"}",
		"{" E "\"IF_NAME\":\"eth0\",\"_iface\":\"y\"}",
		"{" E "\"IF_NAME\":\"eth0\",\"k\\u0065y\":1}",
		"{\"k\\u0065y\":1," E "\"IF_NAME\":\"eth0\"}",
		"{ \"_type\": \"event\", \"_iface\": \"z\", \"IF_NAME\": \"eth0\" }",
		"{\"_iface\":\"z\",\"IF_NAME\":\"eth0\",\"_type\":\"event\"}",
		/* Another _iface, then back: the start of a copy, kept from
		 * the record before, must follow. */
		"{\"_type\":\"event\",\"_iface\":\"y\",\"IF_NAME\":\"eth0\"}",
		"{\"_type\":\"event\",\"_iface\":\"zz\",\"IF_NAME\":\"eth0\"}",
		"{" E "\"IF_NAME\":\"eth0\"}",
		"{\"_type\":\"event\",\"_iface\":\"\\u007a\",\"IF_NAME\":\"eth0\"}",
		"{" E "\"IF_NAME\":\"eth0\"}",
	};
#undef E
	struct rec_edit ed[2] = {
		{ "_iface", "\"eth0\"", 6 },
		{ "_from", NULL, 0 },
	};
	const struct rec_field *z;
	struct route *rt = route_new();
	struct route_outs o;
	struct route_core *c;
	struct stats *st = stats_new("test");
	struct sbuf want = { 0 };
	char path[] = "/tmp/test_route.XXXXXX", err[256], *got;
	size_t i, n = sizeof(lines) / sizeof(lines[0]);
	int fd;
	long len;

	CHECK(route_declare(rt, "eth0", err, sizeof(err)) == 0);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	memset(&o, 0, sizeof(o));
	o.dflt = sink_open(path, NULL, err, sizeof(err));
	CHECK(o.dflt != NULL);
	c = route_core_new(rt, &o, st);
	for (i = 0; i < n; i++) {
		CHECK(route_line(c, lines[i], strlen(lines[i])) == 0);
		CHECK(record_parse(&rec, lines[i], strlen(lines[i])) == REC_OK);
		CHECK((z = record_get(&rec, "_iface")) != NULL);
		ed[1].json = z->val;
		ed[1].jlen = z->vlen;
		sbuf_add(&want, lines[i], strlen(lines[i]));
		sbuf_addc(&want, '\n');
		record_write(&rec, ed, 2, &want);
		sbuf_addc(&want, '\n');
	}
	route_core_destroy(&c);
	CHECK(sink_close(&o.dflt) == 0);
	got = malloc(want.len + 64);
	CHECK(got != NULL);
	len = unit_slurp(path, got, want.len + 64);
	CHECK(len == (long)want.len);
	CHECK_STR(got, want.p);
	CHECK_CTR(st, "copies_ifname", n);
	free(got);
	sbuf_free(&want);
	unlink(path);
	stats_destroy(&st);
	route_destroy(&rt);
}

/* route_same() against memcmp at every length up to 40, equal and with
 * one byte changed at every place. */
static void
test_same(void)
{
	char a[48], b[48];
	size_t n, i;
	bool ok = true;

	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (char)('a' + i % 26);
	for (n = 0; n <= 40; n++) {
		ok &= route_same(a, b, n);
		for (i = 0; i < n; i++) {
			b[i] ^= 0x20;
			ok &= !route_same(a, b, n) && !route_same(b, a, n);
			b[i] ^= 0x20;
		}
		/* A difference just past the n bytes does not count. */
		b[n] ^= 0x20;
		ok &= route_same(a, b, n);
		b[n] ^= 0x20;
	}
	CHECK(ok);
}

int
main(void)
{
	test_same();
	record_init(&rec);
	test_config();
	test_rules();
	test_companion();
	test_walk();
	test_copies();
	record_free(&rec);
	return unit_done("route");
}
