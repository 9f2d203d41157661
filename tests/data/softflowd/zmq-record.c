/* zmq-record.c - records the raw ntop ZMQ messages a producer sends, for
 * replay with ev-emit -F (see README.md here). Binds a SUB socket to
 * ENDPOINT, subscribes to everything and writes each message as one line,
 * its frames as "x:HEX" separated by blanks, until IDLE seconds pass
 * without a message. Not part of the build: a tool used once.
 * Usage: zmq-record ENDPOINT IDLE > FILE */
#include <stdio.h>
#include <stdlib.h>

#include <zmq.h>

int
main(int argc, char **argv)
{
	void *ctx, *sub;
	zmq_msg_t f;
	int idle, more, n = 0, first;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: zmq-record endpoint idle_seconds\n");
		return 2;
	}
	idle = atoi(argv[2]) * 1000;
	ctx = zmq_ctx_new();
	sub = zmq_socket(ctx, ZMQ_SUB);
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	zmq_setsockopt(sub, ZMQ_RCVTIMEO, &idle, sizeof(idle));
	if (zmq_bind(sub, argv[1]) != 0) {
		fprintf(stderr, "zmq-record: %s: %s\n", argv[1],
		    zmq_strerror(zmq_errno()));
		return 1;
	}
	fprintf(stderr, "zmq-record: bound %s\n", argv[1]);
	for (;;) {
		first = 1;
		do {
			zmq_msg_init(&f);
			if (zmq_msg_recv(&f, sub, 0) == -1) {
				fprintf(stderr, "zmq-record: %d messages\n", n);
				return 0;
			}
			printf("%sx:", first ? "" : " ");
			for (i = 0; i < zmq_msg_size(&f); i++)
				printf("%02x", ((unsigned char *)zmq_msg_data(&f))[i]);
			first = 0;
			more = zmq_msg_more(&f);
			zmq_msg_close(&f);
		} while (more);
		printf("\n");
		fflush(stdout);
		n++;
	}
}
