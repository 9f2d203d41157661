/* mkseeds.c - builds the fuzz targets' seed corpora from the project's
 * sample events and captures, in each target's input format.
 *
 * Usage: mkseeds OUTDIR EVENTS.ndjson... -- CAPTURE...
 * Writes OUTDIR/{record,evfields,linebuf,ntopmsg,pktdec}/seed-N. Built by
 * tests/fuzz/run with the plain compiler; the seeds are regenerated on
 * every run, never committed. */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <zlib.h>

#include "ntophdr.h"

#define MS_MAXPKT	64	/* packets taken from each capture */
#define MS_MAXLB	(48 * 1024)

static const char *ms_dir;
static unsigned ms_n;

static void
ms_write(const char *target, const void *p1, size_t n1, const void *p2,
    size_t n2)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/seed-%u", ms_dir, target, ms_n++);
	if ((fp = fopen(path, "wb")) == NULL)
		err(1, "%s", path);
	if ((n1 && fwrite(p1, 1, n1, fp) != n1) ||
	    (n2 && fwrite(p2, 1, n2, fp) != n2) || fclose(fp) != 0)
		err(1, "%s", path);
}

/* One ntop message: header length byte, header, payload. */
static void
ms_msg(enum ntophdr_layout layout, uint32_t version, const char *topic,
    uint8_t flags, const void *payload, size_t plen, uint32_t usize)
{
	uint8_t buf[1 + NTOPHDR_MAXSIZE];
	struct ntophdr h;
	size_t n;

	memset(&h, 0, sizeof(h));
	h.layout = layout;
	snprintf(h.topic, sizeof(h.topic), "%s", topic);
	h.version = version;
	h.flags = flags;
	h.size = (uint32_t)plen;
	h.uncompressed_size = usize;
	h.compressed_size = (uint32_t)plen;
	h.msg_id = 7;
	h.source_id = 3;
	h.has_msg_id = layout != NTOPHDR_V0;
	h.has_source_id = layout != NTOPHDR_V0;
	if ((n = ntophdr_encode(&h, buf + 1, sizeof(buf) - 1)) == 0)
		errx(1, "ntophdr_encode");
	buf[0] = (uint8_t)n;
	ms_write("ntopmsg", buf, n + 1, payload, plen);
}

static void
ms_event(const char *line, size_t len)
{
	static const char *topics[] = { "flow", "counter", "listening-ports",
	    "event" };
	uLongf zlen = compressBound(len) + 1;
	unsigned char *z = malloc(zlen);
	char *arr;
	size_t i;

	if (z == NULL)
		err(1, "malloc");
	ms_write("record", line, len, NULL, 0);
	ms_write("evfields", line, len, NULL, 0);
	for (i = 0; i < 4; i++)
		ms_msg((enum ntophdr_layout)i, i == 3 ? 4 : 2, topics[i % 4],
		    0, line, len, (uint32_t)len);
	ms_msg(NTOPHDR_V1, 1, "flow", 0, line, len, 0);
	/* Legacy zlib: 0x00, then the stream. */
	z[0] = 0;
	zlen--;
	if (compress2(z + 1, &zlen, (const Bytef *)line, len, 6) != Z_OK)
		errx(1, "compress2");
	ms_msg(NTOPHDR_V1, 2, "flow", 0, z, zlen + 1, 0);
	/* v3 zlib from byte 0. */
	ms_msg(NTOPHDR_V3, 4, "flow", NTOPHDR_FLAG_ZLIB, z + 1, zlen,
	    (uint32_t)len);
	/* An array of the event, a number and the event again. */
	if ((arr = malloc(2 * len + 8)) == NULL)
		err(1, "malloc");
	memcpy(arr, "[", 1);
	memcpy(arr + 1, line, len);
	memcpy(arr + 1 + len, ",1,", 3);
	memcpy(arr + 4 + len, line, len);
	memcpy(arr + 4 + 2 * len, "]", 1);
	ms_msg(NTOPHDR_V2, 2, "flow", 0, arr, 2 * len + 5, 0);
	free(arr);
	free(z);
}

static void
ms_events(const char *path)
{
	static char lb[MS_MAXLB];
	size_t lbn = 0, cap = 0;
	char *line = NULL;
	ssize_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (lbn + (size_t)n < sizeof(lb)) {
			memcpy(lb + lbn, line, (size_t)n);
			lbn += (size_t)n;
		}
		if (line[n - 1] == '\n')
			n--;
		ms_event(line, (size_t)n);
	}
	free(line);
	fclose(fp);
	/* linebuf: a roomy limit, a tight one, and one that cuts lines. */
	ms_write("linebuf", "\xff\x80", 2, lb, lbn);
	ms_write("linebuf", "\x90\x40", 2, lb, lbn);
	ms_write("linebuf", "\x40\xc0", 2, lb, lbn);
}

/* pktdec's link table (fuzz_pktdec.c): the index of a DLT. */
static int
ms_dltidx(int dlt)
{
	static const int dlts[] = { 1, 113, 276, 12, 14, 101, 228, 229, 0,
	    108 };
	size_t i;

	for (i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++)
		if (dlts[i] == dlt)
			return (int)i;
	return -1;
}

static void
ms_capture(const char *path)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *pkt;
	uint8_t pre[2];
	pcap_t *pc;
	int idx, k = 0;

	if ((pc = pcap_open_offline(path, ebuf)) == NULL) {
		warnx("%s: %s", path, ebuf);
		return;
	}
	if ((idx = ms_dltidx(pcap_datalink(pc))) < 0) {
		pcap_close(pc);
		return;
	}
	while (k < MS_MAXPKT && pcap_next_ex(pc, &ph, &pkt) == 1) {
		pre[0] = (uint8_t)idx;
		pre[1] = 0;
		if (ph->len > ph->caplen)
			pre[1] = (uint8_t)(0x80 | ((ph->len - ph->caplen) / 16 &
			    0x7f));
		ms_write("pktdec", pre, 2, pkt, ph->caplen);
		k++;
	}
	pcap_close(pc);
}

int
main(int argc, char *argv[])
{
	int i = 2;

	if (argc < 2)
		errx(2, "usage: mkseeds OUTDIR EVENTS... -- CAPTURE...");
	ms_dir = argv[1];
	for (; i < argc && strcmp(argv[i], "--") != 0; i++)
		ms_events(argv[i]);
	for (i++; i < argc; i++)
		ms_capture(argv[i]);
	return 0;
}
