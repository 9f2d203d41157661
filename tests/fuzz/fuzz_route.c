/* fuzz_route.c - libFuzzer target for ev-route's delivery rules
 * (route.c) over arbitrary records, with interfaces declared as in its
 * tests (eth1 mirrored, companion of the ZMQ interface "tcp://*:1234c").
 * Properties: at most two copies, never to the record's own interface,
 * never twice to one interface, only to declared interfaces. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "route.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)

static struct route *fz_rt;

static struct route *
fz_rules(void)
{
	static const char *ifs[] = { "eth1", "cbr0", "lo", "tcp://*:1234c" };
	char err[256];
	size_t i;

	if (fz_rt != NULL)
		return fz_rt;
	fz_rt = route_new();
	for (i = 0; i < sizeof(ifs) / sizeof(ifs[0]); i++)
		FZ_ASSERT(route_declare(fz_rt, ifs[i], err, sizeof(err)) == 0);
	FZ_ASSERT(route_mirror(fz_rt, "eth1", err, sizeof(err)) == 0);
	FZ_ASSERT(route_companion(fz_rt, "tcp://*:1234c", "eth1", err,
	    sizeof(err)) == 0);
	FZ_ASSERT(route_check(fz_rt, err, sizeof(err)) == 0);
	return fz_rt;
}

static bool
fz_declared(const struct route *rt, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < route_nifaces(rt); i++)
		if (strlen(route_iface(rt, i)) == len &&
		    memcmp(route_iface(rt, i), s, len) == 0)
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct route *rt = fz_rules();
	struct record r = RECORD_INIT;
	static struct route_result res;
	size_t i;

	if (record_parse(&r, (const char *)data, size) != REC_OK) {
		record_free(&r);
		return 0;
	}
	route_decide(rt, &r, &res);
	FZ_ASSERT(res.ncopies <= ROUTE_MAXCOPIES);
	if (res.kind != ROUTE_EVENT)
		FZ_ASSERT(res.ncopies == 0);
	for (i = 0; i < res.ncopies; i++) {
		const struct route_copy *c = &res.copy[i];

		FZ_ASSERT(fz_declared(rt, c->iface, c->len));
		FZ_ASSERT(!(c->len == res.zlen &&
		    memcmp(c->iface, res.z, c->len) == 0));
		FZ_ASSERT(c->jlen >= 2 && c->json[0] == '"' &&
		    c->json[c->jlen - 1] == '"');
		if (i > 0)
			FZ_ASSERT(!(c->len == res.copy[0].len &&
			    memcmp(c->iface, res.copy[0].iface, c->len) == 0));
	}
	record_free(&r);
	return 0;
}
