/* test_pcapin.c - the pcap-ingest core over files written here with
 * libpcap's dumper: records and counters, -c, -A, -N, names, filters,
 * nanosecond files, a file cut mid-record, and a stop flag. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pcapin.h"
#include "sink.h"
#include "stats.h"
#include "unit.h"

static char dir[] = "/tmp/test_pcapin.XXXXXX";

/* An Ethernet frame: IPv4 UDP 10.0.0.1:sport -> 10.0.0.2:53, or ARP. */
static size_t
frame(uint8_t *b, uint16_t sport, int arp)
{
	static const uint8_t eth[14] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	    0x08, 0x00 };
	static const uint8_t ip[20] = { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0,
	    0, 10, 0, 0, 1, 10, 0, 0, 2 };

	memcpy(b, eth, 14);
	if (arp) {
		b[13] = 0x06;
		memset(b + 14, 0, 28);
		return 42;
	}
	memcpy(b + 14, ip, 20);
	b[34] = (uint8_t)(sport >> 8);
	b[35] = (uint8_t)sport;
	b[36] = 0;
	b[37] = 53;
	b[38] = 0;
	b[39] = 8;
	b[40] = b[41] = 0;
	return 42;
}

/* Writes n packets (every 4th an ARP) one second apart from t0. */
static void
write_pcap(const char *path, int n, int nano)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
	    nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d = pcap_dump_open(p, path);
	struct pcap_pkthdr h;
	uint8_t b[64];
	int i;

	for (i = 0; i < n; i++) {
		h.ts.tv_sec = 1000 + i / 2;
		h.ts.tv_usec = nano ? 123456789 : 123456;
		h.caplen = h.len = (bpf_u_int32)frame(b, (uint16_t)(1000 + i % 2),
		    i % 4 == 3);
		pcap_dump((u_char *)d, &h, b);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

static char *
slurp(const char *path)
{
	static char buf[65536];
	FILE *fp = fopen(path, "r");
	size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;

	if (fp)
		fclose(fp);
	buf[n] = '\0';
	return buf;
}

static int
lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Runs the core over path with conf into a file; returns its text. */
static char *
run(const char *path, const char *name, const struct pcapin_conf *conf,
    const char *filter, struct stats **stp, int *rc)
{
	struct pcapin_src s;
	char err[256], out[64];
	struct sink *k;
	volatile sig_atomic_t stop = 0;

	snprintf(out, sizeof(out), "%s/out", dir);
	*stp = stats_new("test");
	stats_set_quiet(*stp, 1);
	CHECK(pcapin_open_file(&s, path, name, err, sizeof(err)) == 0);
	if (filter)
		CHECK(pcapin_filter(&s, filter, err, sizeof(err)) == 0);
	k = sink_open(out, NULL, err, sizeof(err));
	CHECK(k != NULL);
	*rc = pcapin_run(conf, &s, 1, k, *stp, &stop);
	CHECK(sink_close(&k) == 0);
	pcapin_close(&s);
	return slurp(out);
}

int
main(void)
{
	struct pcapin_conf c;
	struct pcapin_src s;
	struct stats *st;
	char path[64], npath[64], cut[64], err[256], *o;
	int rc;
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/a.pcap", dir);
	snprintf(npath, sizeof(npath), "%s/n.pcap", dir);
	snprintf(cut, sizeof(cut), "%s/cut.pcap", dir);
	write_pcap(path, 8, 0);
	write_pcap(npath, 2, 1);

	/* Per packet: 6 UDP records, 2 ARP counted, not written. */
	memset(&c, 0, sizeof(c));
	o = run(path, NULL, &c, NULL, &st, &rc);
	CHECK(rc == 0 && lines(o) == 6);
	CHECK(strncmp(o, "{\"_type\":\"packet\",\"_iface\":\"a.pcap\","
	    "\"_rx\":1000.123456,\"timestamp\":\"1000.123456\","
	    "\"IP_PROTOCOL_VERSION\":4,\"IPV4_SRC_ADDR\":\"10.0.0.1\","
	    "\"IPV4_DST_ADDR\":\"10.0.0.2\",\"PROTOCOL\":17,"
	    "\"L4_SRC_PORT\":1000,\"L4_DST_PORT\":53,\"PKTS\":1,"
	    "\"BYTES\":42}\n", 190) == 0);
	CHECK_CTR(st, "packets", 8);
	CHECK_CTR(st, "records_out", 6);
	CHECK_CTR(st, "nonip_packets", 2);
	CHECK_CTR(st, "nonip.arp", 2);
	CHECK_CTR(st, "ipv4", 6);
	CHECK_CTR(st, "link.EN10MB", 8);
	stats_destroy(&st);

	/* -N writes the ARP frames too; a name replaces the base name. */
	c.nonip = true;
	o = run(path, "wan0", &c, NULL, &st, &rc);
	CHECK(lines(o) == 8 && strstr(o, "\"_iface\":\"wan0\"") != NULL);
	CHECK(strstr(o, "\"_nonip\":\"arp\"") != NULL);
	stats_destroy(&st);

	/* -c 3 stops after three packets. */
	c.nonip = false;
	c.count = 3;
	o = run(path, NULL, &c, NULL, &st, &rc);
	CHECK(lines(o) == 3);
	CHECK_CTR(st, "packets", 3);
	stats_destroy(&st);

	/* -A 2: per 2-second slice and source port. */
	c.count = 0;
	c.slice_ns = 2000000000ULL;
	o = run(path, NULL, &c, NULL, &st, &rc);
	CHECK(rc == 0 && lines(o) == 4);
	CHECK(strstr(o, "\"LAST_TIMESTAMP\":\"1001.123456\"") != NULL);
	CHECK(strstr(o, "\"L4_SRC_PORT\":1000,\"L4_DST_PORT\":53,\"PKTS\":2,"
	    "\"BYTES\":84}") != NULL);
	CHECK_CTR(st, "slice_max_open", 2);
	stats_destroy(&st);

	/* A filter. */
	c.slice_ns = 0;
	o = run(path, NULL, &c, "udp src port 1001", &st, &rc);
	CHECK(lines(o) == 2 && strstr(o, "\"L4_SRC_PORT\":1000") == NULL);
	stats_destroy(&st);
	CHECK(pcapin_open_file(&s, path, NULL, err, sizeof(err)) == 0);
	CHECK(pcapin_filter(&s, "udp and and", err, sizeof(err)) == -1);
	CHECK(strncmp(err, "bad filter: ", 12) == 0);
	pcapin_close(&s);

	/* Nanoseconds keep nine digits. */
	o = run(npath, NULL, &c, NULL, &st, &rc);
	CHECK(strstr(o, "\"timestamp\":\"1000.123456789\"") != NULL);
	CHECK(strstr(o, "\"_rx\":1000.123456,") != NULL);
	stats_destroy(&st);

	/* A file cut in the middle of a record: what came before stands. */
	if ((fp = fopen(cut, "wb")) != NULL) {
		char *all;
		FILE *in = fopen(path, "rb");
		size_t n;

		all = malloc(4096);
		n = in ? fread(all, 1, 4096, in) : 0;
		if (in)
			fclose(in);
		fwrite(all, 1, n > 20 ? n - 20 : n, fp);
		fclose(fp);
		free(all);
	}
	o = run(cut, NULL, &c, NULL, &st, &rc);
	CHECK(rc == 0 && lines(o) == 6);
	CHECK_CTR(st, "file_errors", 1);
	CHECK_CTR(st, "packets", 7);
	stats_destroy(&st);

	/* Opening errors name the file. */
	CHECK(pcapin_open_file(&s, "/nonexistent/x.pcap", NULL, err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent/x.pcap: ") == err);

	snprintf(err, sizeof(err), "rm -rf %s", dir);
	if (system(err) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_done("pcapin");
}
