/* fuzz_pktdec.c - libFuzzer target for pktdec.c and the packet record
 * writer (pktrec.c): the first byte picks the link type, the second how
 * much longer the frame was on the wire, the rest is the captured frame
 * (copied to its own allocation so ASan sees any read past caplen).
 * Property: the packet record of whatever decoded is one valid record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pktdec.h"
#include "pktrec.h"
#include "record.h"
#include "sbuf.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)

/* Every link type pktdec.h promises, and two it does not. */
static const int fz_dlts[] = {
	1, 113, 276, 12, 14, 101, 228, 229, 0, 108, 105, 9999,
};
#define FZ_NDLT	(sizeof(fz_dlts) / sizeof(fz_dlts[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pktdec d;
	enum pktdec_status st;
	uint8_t *frame;
	size_t caplen, wirelen;
	int dlt;

	if (size < 2)
		return 0;
	dlt = fz_dlts[data[0] % FZ_NDLT];
	caplen = size - 2;
	wirelen = caplen + (data[1] & 0x80 ? (size_t)(data[1] & 0x7f) * 16 : 0);
	frame = malloc(caplen ? caplen : 1);
	if (frame == NULL)
		return 0;
	memcpy(frame, data + 2, caplen);
	st = pktdec_decode(dlt, caplen ? frame : NULL, caplen, wirelen, &d);
	FZ_ASSERT(st == d.status);
	FZ_ASSERT(pktdec_status_name(st) != NULL);
	FZ_ASSERT(pktdec_nonip_name(d.nonip) != NULL);
	FZ_ASSERT((unsigned)d.nonip < PKTDEC_NONIP_COUNT);
	if (!pktdec_link_ok(dlt))
		FZ_ASSERT(st == PKTDEC_BADLINK);
	if (st == PKTDEC_NONIP)
		FZ_ASSERT(d.layer <= PKTDEC_L_LINK);
	if (d.layer >= PKTDEC_L_NET)
		FZ_ASSERT(d.ipver == 4 || d.ipver == 6);
	if (d.layer == PKTDEC_L_TRANSPORT)
		FZ_ASSERT(d.has_ports || d.has_icmp);
	{
		struct pktrec_time t = { 1700000000, 123456789, data[1] & 1 };
		struct record r = RECORD_INIT;
		struct sbuf out = { 0 };

		pktrec_packet(&out, "\"eth0\"", &t, &d, (uint32_t)wirelen);
		FZ_ASSERT(record_parse(&r, out.p, out.len) == REC_OK);
		FZ_ASSERT(rec_streq(record_get(&r, "_type"), "packet"));
		record_free(&r);
		sbuf_free(&out);
	}
	/* The same frame with wirelen below caplen must decode alike. */
	(void)pktdec_decode(dlt, caplen ? frame : NULL, caplen, 0, &d);
	free(frame);
	return 0;
}
