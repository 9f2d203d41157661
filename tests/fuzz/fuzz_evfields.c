/* fuzz_evfields.c - libFuzzer target for evfields.c, the event field
 * reader of ev-route and flow-agg, over arbitrary JSON records.
 * Properties: every string it fills is NUL-terminated inside its array;
 * the interface name stays inside the record's text or ifbuf; the flow
 * hash ignores direction. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evfields.h"
#include "record.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)
#define FZ_TERM(a)	FZ_ASSERT(memchr((a), '\0', sizeof(a)) != NULL)

static void
fz_proc(const struct evf_proc *p)
{
	FZ_TERM(p->uid_name);
	FZ_TERM(p->gid_name);
	FZ_TERM(p->path);
	FZ_TERM(p->cmdline);
	FZ_ASSERT(evf_proc_name(p) != NULL);
}

static void
fz_agent(const struct evf_agent *a)
{
	FZ_TERM(a->name);
	FZ_TERM(a->user_name);
	FZ_TERM(a->father_name);
	FZ_TERM(a->cmdline);
	FZ_TERM(a->container_id);
	FZ_TERM(a->pkg_name);
}

static void
fz_ids(const struct record *r, const struct evf_ids *id)
{
	struct evf_ids sw;
	uint64_t h1, h2;
	bool b1;

	if (id->has_ifname) {
		FZ_ASSERT((id->ifname >= r->text &&
		    id->ifname + id->iflen <= r->text + r->len) ||
		    (id->ifname >= id->ifbuf &&
		    id->ifname + id->iflen <= id->ifbuf + EVF_IFNAMELEN));
	}
	b1 = evf_flow_hash(id, &h1);
	if (!b1)
		FZ_ASSERT(h1 == 0);
	/* Swap the ends: the hash must not change. */
	sw = *id;
	sw.src = id->dst;
	sw.dst = id->src;
	sw.has_src = id->has_dst;
	sw.has_dst = id->has_src;
	sw.sport = id->dport;
	sw.dport = id->sport;
	sw.has_sport = id->has_dport;
	sw.has_dport = id->has_sport;
	if (evf_flow_hash(&sw, &h2) && b1)
		FZ_ASSERT(h1 == h2);
	(void)evf_involves_loopback(id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct evf_event ev;
	struct evf_ids id;
	struct evf_reader rd;
	struct record r = RECORD_INIT;
	unsigned bit;

	if (record_parse(&r, (const char *)data, size) != REC_OK) {
		record_free(&r);
		return 0;
	}
	memset(&id, 0, sizeof(id));
	(void)evf_read_ids(&r, &id);
	fz_ids(&r, &id);

	evf_reader_init(&rd);
	(void)evf_read(&rd, &r, &ev);
	fz_ids(&r, &ev.id);
	FZ_TERM(ev.type_name);
	fz_proc(&ev.proc);
	fz_proc(&ev.father);
	FZ_TERM(ev.container.id);
	FZ_TERM(ev.container.name);
	FZ_TERM(ev.container.pod);
	FZ_TERM(ev.container.ns);
	fz_agent(&ev.src_proc);
	fz_agent(&ev.dst_proc);
	FZ_TERM(ev.tcp.state);
	(void)evf_local_is_src(&ev);
	FZ_ASSERT(evf_evtype_name(ev.type) != NULL);
	for (bit = 1; bit <= EVF_BAD_TIME; bit <<= 1)
		FZ_ASSERT(evf_badname(bit) != NULL);
	(void)evf_get(&r, "IPV4_SRC_ADDR");
	(void)evf_get(&r, "IN_BYTES");
	evf_reader_free(&rd);
	record_free(&r);
	return 0;
}
