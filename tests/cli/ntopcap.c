/* ntopcap.c - test helper: what an ntop sink sends, byte for byte. A bare
 * libzmq SUB connects to ENDPOINT, subscribes to the ntop topics and
 * prints COUNT messages, one line each: every frame but the last in hex,
 * then the last frame as text (a JSON payload; anything else, such as
 * TLV, in hex too), blank-separated. COUNT
 * 0: every message until the publisher goes away (its connection closes),
 * so a test sees that nothing more was sent.
 * Usage: ntopcap ENDPOINT COUNT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

/* Prints one whole message from sock; flags 0 or ZMQ_DONTWAIT. Returns 1
 * when one was printed, 0 when none was waiting, -1 on an error. */
static int
cap_one(void *sock, zmq_msg_t *m, int flags)
{
	const unsigned char *p;
	size_t i, k;
	int more;

	do {
		if (zmq_msg_recv(m, sock, flags) == -1) {
			if (zmq_errno() == EAGAIN)
				return 0;
			fprintf(stderr, "ntopcap: %s\n",
			    zmq_strerror(zmq_errno()));
			return -1;
		}
		flags = 0;
		more = zmq_msg_more(m);
		p = zmq_msg_data(m);
		k = zmq_msg_size(m);
		if (more || k == 0 || p[0] != '{') {
			/* Headers, and binary (TLV) payloads, in hex. */
			for (i = 0; i < k; i++)
				printf("%02x", p[i]);
			putchar(more ? ' ' : '\n');
		} else {
			fwrite(p, 1, k, stdout);
			putchar('\n');
		}
	} while (more);
	fflush(stdout);
	return 1;
}

/* Waits for the monitor's "disconnected" event, printing the messages
 * that arrive meanwhile, then the ones still queued. */
static int
cap_until_gone(void *ctx, void *sock, zmq_msg_t *m)
{
	zmq_pollitem_t it[2];
	void *mon = zmq_socket(ctx, ZMQ_PAIR);
	uint16_t ev;
	int rc;

	if (mon == NULL || zmq_connect(mon, "inproc://ntopcap-mon") == -1)
		return -1;
	it[0].socket = sock;
	it[1].socket = mon;
	it[0].events = it[1].events = ZMQ_POLLIN;
	for (;;) {
		if (zmq_poll(it, 2, -1) == -1)
			return -1;
		if ((it[0].revents & ZMQ_POLLIN) && cap_one(sock, m, 0) < 0)
			return -1;
		if (!(it[1].revents & ZMQ_POLLIN))
			continue;
		if (zmq_msg_recv(m, mon, 0) == -1)
			return -1;
		memcpy(&ev, zmq_msg_data(m), sizeof(ev));
		while (zmq_msg_more(m))
			zmq_msg_recv(m, mon, 0);
		if (ev == ZMQ_EVENT_DISCONNECTED)
			break;
	}
	while ((rc = cap_one(sock, m, ZMQ_DONTWAIT)) == 1)
		;
	zmq_close(mon);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const char *topics[] = { "flow", "event", "counter",
	    "template", "option", "hello", "listening-ports", "snmp-ifaces",
	    "message" };
	unsigned long want, n;
	void *ctx, *sock;
	zmq_msg_t m;
	size_t i;
	int rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: ntopcap endpoint count\n");
		return 2;
	}
	want = strtoul(argv[2], NULL, 10);
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_SUB);
	/* No receive limit: libzmq drops what a connection still holds when
	 * the publisher leaves while the queue is full (a stage's last burst
	 * at exit), and this helper must see every message sent. */
	zmq_setsockopt(sock, ZMQ_RCVHWM, &(int){ 0 }, sizeof(int));
	for (i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
		zmq_setsockopt(sock, ZMQ_SUBSCRIBE, topics[i],
		    strlen(topics[i]));
	if (want == 0 && zmq_socket_monitor(sock, "inproc://ntopcap-mon",
	    ZMQ_EVENT_DISCONNECTED) == -1) {
		fprintf(stderr, "ntopcap: monitor: %s\n",
		    zmq_strerror(zmq_errno()));
		return 1;
	}
	if (zmq_connect(sock, argv[1]) == -1) {
		fprintf(stderr, "ntopcap: %s: %s\n", argv[1],
		    zmq_strerror(zmq_errno()));
		return 1;
	}
	zmq_msg_init(&m);
	if (want == 0)
		rc = cap_until_gone(ctx, sock, &m);
	for (n = 0; n < want && rc == 0; n++)
		if (cap_one(sock, &m, 0) < 0)
			rc = -1;
	zmq_msg_close(&m);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return rc == 0 ? 0 : 1;
}
