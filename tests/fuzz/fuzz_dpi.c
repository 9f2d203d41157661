/* fuzz_dpi.c - libFuzzer target for pcap-ingest's DPI path: a frame is
 * decoded (pktdec.c), fed to the DPI table (dpi.c, nDPI) and written as a
 * packet record with its application fields (pktrec.c). Input as for
 * fuzz_pktdec: the first byte picks the link type, the second how much
 * longer the frame was on the wire, the rest is the captured frame
 * (copied to its own allocation so ASan sees any read past caplen). The
 * table lives across inputs, small (eviction) and with packet time one
 * second per input (idle expiry), so flows form over many inputs; every
 * 4096th input gives up on all undecided flows.
 * Property: the record with its fields is one valid JSON record, and a
 * flow's fields always start with L7_PROTO. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dpi.h"
#include "pktdec.h"
#include "pktrec.h"
#include "record.h"
#include "sbuf.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)

static const int fz_dlts[] = {
	1, 113, 276, 12, 14, 101, 228, 229, 0, 108, 105, 9999,
};
#define FZ_NDLT	(sizeof(fz_dlts) / sizeof(fz_dlts[0]))

static struct dpi *fz_dpi;
static uint64_t fz_n;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char l7key[] = ",\"L7_PROTO\":\"";
	struct dpi_conf c = { 256, 120000 };
	struct pktrec_time t = { 1700000000, 0, false };
	struct record r = RECORD_INIT;
	struct sbuf out = { 0 };
	struct pktdec d;
	const char *f = NULL;
	uint8_t *frame;
	size_t caplen, wirelen, flen = 0;
	uint64_t h;

	if (size < 2)
		return 0;
	if (fz_dpi == NULL && (fz_dpi = dpi_new(&c, NULL, 0)) == NULL)
		abort();
	caplen = size - 2;
	wirelen = caplen + (data[1] & 0x80 ? (size_t)(data[1] & 0x7f) * 16 : 0);
	frame = malloc(caplen ? caplen : 1);
	if (frame == NULL)
		return 0;
	memcpy(frame, data + 2, caplen);
	pktdec_decode(fz_dlts[data[0] % FZ_NDLT], caplen ? frame : NULL,
	    caplen, wirelen, &d);
	fz_n++;
	t.sec += (int64_t)fz_n;
	if (d.layer >= PKTDEC_L_NET) {
		h = dpi_packet(fz_dpi, &d, (uint64_t)t.sec * 1000);
		if (h != 0 && (f = dpi_fields(fz_dpi, h, &flen)) != NULL)
			FZ_ASSERT(flen >= sizeof(l7key) - 1 &&
			    memcmp(f, l7key, sizeof(l7key) - 1) == 0);
		FZ_ASSERT(dpi_stats(fz_dpi)->active <= 256);
		FZ_ASSERT(dpi_stats(fz_dpi)->states <= 256);
		pktrec_packet_l7(&out, "\"eth0\"", &t, &d, (uint32_t)wirelen,
		    f, flen);
		FZ_ASSERT(record_parse(&r, out.p, out.len) == REC_OK);
		FZ_ASSERT(rec_streq(record_get(&r, "_type"), "packet"));
		if (f != NULL)
			FZ_ASSERT(record_get(&r, "L7_PROTO_NAME") != NULL);
		record_free(&r);
		sbuf_free(&out);
	}
	if (fz_n % 4096 == 0)
		dpi_giveup_all(fz_dpi);
	free(frame);
	return 0;
}
