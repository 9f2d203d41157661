/* genload.c - a realistic, reproducible load for the benchmarks: eBPF
 * events and flow records over many concurrent flows, as NDJSON that
 * ev-emit sends and the stages read.
 *
 * usage: genload [-n events] [-f flows] [-s seed] [-z exponent] [-6 pct]
 *                [-i pct] [-m maxsize] [-S iface]
 *
 * The model: `flows` connections are open at any time (default 50,000).
 * Each gets a size, the number of records it will produce, drawn from a
 * Zipf distribution over 1..maxsize (exponent 1.2 by default: most flows
 * are short, a few carry most records). Every step picks an open flow at
 * random and writes its next record:
 *   first   a CONNECT event from the client's host (libebpfflow form, with
 *           the client's process), and for one flow in three an ACCEPT
 *           from the server's host too (server process);
 *   middle  flow records with per-direction counters (nProbe names), the
 *           odd ones written from the server's side (source and
 *           destination swapped, IN and OUT swapped), and now and then
 *           a RETRANSMIT event; a flow record carries its export time
 *           as "timestamp" too, as the events do, because LAST_SWITCHED
 *           counts whole seconds and would put it behind the events
 *           of the same second (flow-agg's time_backwards);
 *   last    a CLOSE event; the slot then opens a new flow.
 * pct6 percent of flows are IPv6 (default 20); pcti percent of events use
 * nprobe_mini's dialect with IF_NAME naming another interface (default
 * 30), so ev-route has copies to make. Times rise 10 us per record from a
 * fixed epoch, so a run is the same bytes for the same options. The
 * generator is its own xorshift64*, so libc cannot change the output.
 * -S iface writes each record as zmq-ingest hands it on (its _type,
 * _event, _topic, _iface and _rx keys first), for the stages after it
 * without a ZMQ hop: how the memory figures reach ten million events
 * without holding them all in ev-emit. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZIPF_MAX_DEFAULT 1000

struct flow {
	uint32_t	 id;		/* sequence number of the flow */
	uint32_t	 size;		/* records it will write in all */
	uint32_t	 done;		/* records written so far */
	uint16_t	 sport, dport;
	uint8_t		 v6, proto, accept;
	uint64_t	 bytes_in, bytes_out, pkts_in, pkts_out;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double  *zipf_cdf;
static uint32_t zipf_n;
static unsigned pct6 = 20, pcti = 30;
static uint64_t clock_us = 1718031245000000ull;
static const char *stage_iface;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static double
rnd01(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void
zipf_init(uint32_t n, double s)
{
	double sum = 0;
	uint32_t k;

	zipf_cdf = malloc(n * sizeof(*zipf_cdf));
	if (zipf_cdf == NULL) {
		perror("genload");
		exit(1);
	}
	for (k = 1; k <= n; k++)
		zipf_cdf[k - 1] = sum += 1.0 / pow(k, s);
	for (k = 0; k < n; k++)
		zipf_cdf[k] /= sum;
	zipf_n = n;
}

/* A size in 1..zipf_n, by binary search of the cumulative distribution. */
static uint32_t
zipf_draw(void)
{
	double u = rnd01();
	uint32_t lo = 0, hi = zipf_n - 1;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo + 1;
}

static void
flow_open(struct flow *f, uint32_t id)
{
	memset(f, 0, sizeof(*f));
	f->id = id;
	/* CONNECT and CLOSE at least; an ACCEPT adds one. */
	f->size = zipf_draw() + 1;
	f->v6 = rnd() % 100 < pct6;
	f->proto = 6;
	f->sport = 1024 + (uint16_t)(rnd() % 60000);
	f->dport = (const uint16_t[]){ 443, 80, 53, 5432, 6379, 8080 }[rnd() % 6];
	f->accept = rnd() % 3 == 0;
	if (f->accept)
		f->size++;
}

/* The client's and the server's address of flow f (client first). */
static void
flow_addrs(const struct flow *f, char *cli, char *srv, size_t sz)
{
	uint32_t h = f->id * 2654435761u;

	if (f->v6) {
		snprintf(cli, sz, "2001:db8:%x::%x", (h >> 16) & 0xff, h & 0xffff);
		snprintf(srv, sz, "2001:db8:ff::%x", (h >> 8) % 512 + 1);
	} else {
		snprintf(cli, sz, "10.%u.%u.%u", (h >> 16) & 0xff,
		    (h >> 8) & 0xff, h % 254 + 1);
		snprintf(srv, sz, "192.0.2.%u", (h >> 8) % 200 + 1);
	}
}

/* Opens a record: "{ ", or zmq-ingest's keys under -S. */
static void
put_open(void)
{
	if (stage_iface == NULL) {
		printf("{ ");
		return;
	}
	printf("{\"_type\":\"event\",\"_event\":\"flow\",\"_topic\":"
	    "\"flow\",\"_iface\":\"%s\",\"_rx\":%" PRIu64 ".%06" PRIu64
	    ", ", stage_iface, clock_us / 1000000, clock_us % 1000000);
}

static void
put_time(void)
{
	printf("\"timestamp\": \"%" PRIu64 ".%06" PRIu64 "\"",
	    clock_us / 1000000, clock_us % 1000000);
}

/* One event: type, local side's process; libebpfflow's or nprobe_mini's
 * dialect. ACCEPT keeps the client as source, as libebpfflow does. */
static void
put_event(const struct flow *f, const char *type, int server)
{
	char cli[48], srv[48];
	const char *v = f->v6 ? "IPV6" : "IPV4";
	unsigned pid = 1000 + (f->id * 7 + (unsigned)server) % 30000;

	flow_addrs(f, cli, srv, sizeof(cli));
	put_open();
	put_time();
	if (rnd() % 100 < pcti) {
		printf(", \"IF_NAME\": \"%s\", \"IP_PROTOCOL_VERSION\": %d, "
		    "\"TCP_EVENT_TYPE\": \"%s\", \"%s_LOCAL_ADDR\": \"%s\", "
		    "\"%s_REMOTE_ADDR\": \"%s\", \"PROTOCOL\": %u, "
		    "\"L4_LOCAL_PORT\": %u, \"L4_REMOTE_PORT\": %u",
		    f->id % 2 ? "cbr0" : "mirror0", f->v6 ? 6 : 4, type, v,
		    server ? srv : cli, v, server ? cli : srv, f->proto,
		    server ? f->dport : f->sport, server ? f->sport : f->dport);
	} else {
		printf(", \"INTERFACE_NAME\": \"eth0\", \"IP_PROTOCOL_VERSION\": "
		    "%d, \"TCP_EVENT_TYPE\": \"%s\", \"%s_SRC_ADDR\": \"%s\", "
		    "\"%s_DST_ADDR\": \"%s\", \"PROTOCOL\": %u, "
		    "\"L4_SRC_PORT\": %u, \"L4_DST_PORT\": %u",
		    f->v6 ? 6 : 4, type, v, cli, v, srv, f->proto, f->sport,
		    f->dport);
	}
	if (strcmp(type, "CONNECT") == 0)
		printf(", \"NW_LATENCY_MS\": \"%u.%03u\"",
		    (unsigned)(rnd() % 40), (unsigned)(rnd() % 1000));
	printf(", \"LOCAL_PROCESS\": { \"PID\": %u, \"UID\": %u, \"GID\": %u, "
	    "\"TID\": %u, \"PROCESS_PATH\": \"\\/usr\\/bin\\/%s\", "
	    "\"PROCESS_CMDLINE\": \"%s --worker %u\" } }\n", pid,
	    server ? 0 : 1000, server ? 0 : 1000, pid,
	    server ? "nginx" : "curl", server ? "nginx" : "curl", f->id % 64);
}

/* One flow record with cumulative per-direction counters; odd records
 * are seen from the server's side. */
static void
put_flowrec(struct flow *f)
{
	char cli[48], srv[48];
	const char *v = f->v6 ? "IPV6" : "IPV4";
	int rev = f->done % 2;
	uint64_t b1, b2, p1, p2;

	flow_addrs(f, cli, srv, sizeof(cli));
	f->pkts_out += 1 + rnd() % 8;
	f->bytes_out += 60 + rnd() % 1400;
	f->pkts_in += 1 + rnd() % 12;
	f->bytes_in += 60 + rnd() % 9000;
	b1 = rev ? f->bytes_in : f->bytes_out;
	b2 = rev ? f->bytes_out : f->bytes_in;
	p1 = rev ? f->pkts_in : f->pkts_out;
	p2 = rev ? f->pkts_out : f->pkts_in;
	put_open();
	put_time();
	printf(",\"%s_SRC_ADDR\":\"%s\",\"%s_DST_ADDR\":\"%s\",\"L4_SRC_PORT\":%u,"
	    "\"L4_DST_PORT\":%u,\"PROTOCOL\":%u,\"IN_BYTES\":%" PRIu64
	    ",\"IN_PKTS\":%" PRIu64 ",\"OUT_BYTES\":%" PRIu64 ",\"OUT_PKTS\":%"
	    PRIu64 ",\"FIRST_SWITCHED\":%" PRIu64 ",\"LAST_SWITCHED\":%" PRIu64
	    ",\"INTERFACE_NAME\":\"eth0\"}\n", v, rev ? srv : cli, v,
	    rev ? cli : srv, rev ? f->dport : f->sport,
	    rev ? f->sport : f->dport, f->proto, b1, p1, b2, p2,
	    clock_us / 1000000 - f->done / 100000, clock_us / 1000000);
}

static void
flow_step(struct flow *f)
{
	if (f->done == 0)
		put_event(f, "CONNECT", 0);
	else if (f->done == 1 && f->accept)
		put_event(f, "ACCEPT", 1);
	else if (f->done + 1 == f->size)
		put_event(f, "CLOSE", 0);
	else if (rnd() % 50 == 0)
		put_event(f, "RETRANSMIT", 0);
	else
		put_flowrec(f);
	f->done++;
	clock_us += 10;
}

static unsigned long
num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "genload: %s: not a number\n", s);
		exit(2);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	unsigned long n = 1000000, nflows = 50000, maxsize = ZIPF_MAX_DEFAULT, i;
	double s = 1.2;
	struct flow *fl;
	uint32_t next = 0;
	int c;

	while ((c = getopt(argc, argv, "6:f:i:m:n:S:s:z:")) != -1) {
		switch (c) {
		case '6': pct6 = (unsigned)num(optarg); break;
		case 'f': nflows = num(optarg); break;
		case 'i': pcti = (unsigned)num(optarg); break;
		case 'm': maxsize = num(optarg); break;
		case 'n': n = num(optarg); break;
		case 'S': stage_iface = optarg; break;
		case 's': rng ^= num(optarg) * 0xff51afd7ed558ccdull; break;
		case 'z': s = atof(optarg); break;
		default:
			fprintf(stderr, "usage: genload [-n events] [-f flows] "
			    "[-s seed] [-z exponent] [-6 pct] [-i pct] "
			    "[-m maxsize] [-S iface]\n");
			return 2;
		}
	}
	if (nflows == 0 || maxsize == 0 || pct6 > 100 || pcti > 100) {
		fprintf(stderr, "genload: flows and maxsize above 0, "
		    "percentages up to 100\n");
		return 2;
	}
	zipf_init((uint32_t)maxsize, s);
	if ((fl = calloc(nflows, sizeof(*fl))) == NULL) {
		perror("genload");
		return 1;
	}
	for (i = 0; i < nflows; i++)
		flow_open(&fl[i], next++);
	for (i = 0; i < n; i++) {
		struct flow *f = &fl[rnd() % nflows];

		flow_step(f);
		if (f->done == f->size)
			flow_open(f, next++);
	}
	free(fl);
	free(zipf_cdf);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
