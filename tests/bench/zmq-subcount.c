/* zmq-subcount.c - the reference receiver for tests/bench/zmq.sh: a bare
 * libzmq SUB that binds, subscribes to the ntop topics and counts messages
 * (all their frames received) until it has COUNT, then exits. It decodes
 * nothing, so it is the ceiling a collector over the same socket can reach.
 * Usage: zmq-subcount ENDPOINT COUNT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

int
main(int argc, char *argv[])
{
	static const char *topics[] = { "flow", "event", "counter",
	    "template", "option", "hello", "listening-ports", "snmp-ifaces",
	    "message" };
	unsigned long long want, n = 0, bytes = 0;
	void *ctx, *sock;
	zmq_msg_t m;
	size_t i;
	int rcvbuf = 8 * 1024 * 1024;

	if (argc != 3) {
		fprintf(stderr, "usage: zmq-subcount endpoint count\n");
		return 2;
	}
	want = strtoull(argv[2], NULL, 10);
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_SUB);
	zmq_setsockopt(sock, ZMQ_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	for (i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
		zmq_setsockopt(sock, ZMQ_SUBSCRIBE, topics[i],
		    strlen(topics[i]));
	if (zmq_bind(sock, argv[1]) == -1) {
		fprintf(stderr, "zmq-subcount: %s: %s\n", argv[1],
		    zmq_strerror(zmq_errno()));
		return 1;
	}
	zmq_msg_init(&m);
	while (n < want) {
		if (zmq_msg_recv(&m, sock, 0) == -1)
			return 1;
		bytes += zmq_msg_size(&m);
		if (!zmq_msg_more(&m))
			n++;
	}
	zmq_msg_close(&m);
	printf("%llu messages, %llu bytes\n", n, bytes);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return 0;
}
