/* ndpi-tlv.c - nDPI's own TLV serializer and deserializer on the command
 * line, the oracle for evpipe's TLV codec in the bats tests:
 *
 *   ndpi-tlv ser [-c] < NDJSON > TLV	one nDPI TLV buffer of every line's
 *					scalar members (-c: a counter, no
 *					end-of-record marks)
 *   ndpi-tlv want < NDJSON		the records evpipe must decode from it
 *   ndpi-tlv read FILE		nDPI's reading of a TLV buffer
 *   ndpi-tlv sub ENDPOINT N		subscribes to ENDPOINT, reads N
 *					messages, prints each header's size,
 *					version and flags, and nDPI's reading
 *					of its (inflated) payload
 *
 * read and sub run nDPI 4.2's deserializer, which does not check string
 * lengths: only on evpipe's own output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zmq.h>

#include "ndpioracle.h"

static int
ser(bool want, bool counter)
{
	struct record r = RECORD_INIT;
	struct sbuf exp = { 0 };
	ndpi_serializer s;
	char *line = NULL, *buf;
	size_t cap = 0;
	ssize_t n;
	uint32_t blen;

	if (ndpi_init_serializer(&s, ndpi_serialization_format_tlv) != 0)
		return 1;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (record_parse(&r, line, (size_t)n) != REC_OK)
			continue;
		oracle_ser_record(&s, &r, &exp);
		if (!counter)
			ndpi_serialize_end_of_record(&s);
	}
	buf = ndpi_serializer_get_buffer(&s, &blen);
	if (want)
		fwrite(exp.p, 1, exp.len, stdout);
	else
		fwrite(buf, 1, blen, stdout);
	ndpi_term_serializer(&s);
	free(line);
	sbuf_free(&exp);
	record_free(&r);
	return 0;
}

static int
readfile(const char *path)
{
	struct sbuf b = { 0 }, got = { 0 };
	FILE *fp = fopen(path, "rb");
	char tmp[4096];
	size_t n;

	if (fp == NULL) {
		perror(path);
		return 1;
	}
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		sbuf_add(&b, tmp, n);
	fclose(fp);
	oracle_read_back(b.p, b.len, &got);
	fwrite(got.p, 1, got.len, stdout);
	sbuf_free(&b);
	sbuf_free(&got);
	return 0;
}

static int
sub(const char *ep, int count)
{
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_SUB);
	int i;

	zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
	if (zmq_connect(s, ep) != 0) {
		fprintf(stderr, "ndpi-tlv: %s: %s\n", ep, zmq_strerror(errno));
		return 1;
	}
	for (i = 0; i < count; i++) {
		zmq_msg_t h, p;
		struct sbuf got = { 0 };
		const uint8_t *hp;
		size_t hl;
		int flags = 0, ver;

		zmq_msg_init(&h);
		zmq_msg_init(&p);
		if (zmq_msg_recv(&h, s, 0) < 0 || zmq_msg_recv(&p, s, 0) < 0)
			return 1;
		hp = zmq_msg_data(&h);
		hl = zmq_msg_size(&h);
		ver = hl > 16 ? hp[16] : -1;
		if (hl == 36)
			flags = hp[17];
		printf("header %zu version %d flags %d\n", hl, ver, flags);
		if (flags & 0x04) {
			uLongf ol = (uLongf)hp[20] | (uLongf)hp[21] << 8 |
			    (uLongf)hp[22] << 16 | (uLongf)hp[23] << 24;
			Bytef *o = malloc(ol + 1);

			if (o == NULL || uncompress(o, &ol, zmq_msg_data(&p),
			    zmq_msg_size(&p)) != Z_OK)
				return 1;
			oracle_read_back(o, ol, &got);
			free(o);
		} else
			oracle_read_back(zmq_msg_data(&p), zmq_msg_size(&p),
			    &got);
		fwrite(got.p, 1, got.len, stdout);
		fflush(stdout);
		sbuf_free(&got);
		zmq_msg_close(&h);
		zmq_msg_close(&p);
	}
	zmq_close(s);
	zmq_ctx_term(ctx);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "ser") == 0)
		return ser(false, argc > 2 && strcmp(argv[2], "-c") == 0);
	if (argc == 2 && strcmp(argv[1], "want") == 0)
		return ser(true, false);
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return readfile(argv[2]);
	if (argc == 4 && strcmp(argv[1], "sub") == 0)
		return sub(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: ndpi-tlv ser [-c] | want | read file | "
	    "sub endpoint count\n");
	return 2;
}
