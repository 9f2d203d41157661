/* natssub.h - a JetStream durable pull consumer as a stage's input.
 *
 * Messages are fetched in batches and handed out one at a time (each a
 * batch of NDJSON lines, natspub.h). Nothing is acknowledged before the
 * stage's sinks have written it (natsio_hooks_run): with ack=flush what
 * was handed out is acked when the next batch is fetched and at close;
 * with ack=exit only at close. Acks use the AckAll policy (the last
 * message acks all before it). A message whose stream sequence was
 * already handed out (the server sent it again after the ack wait) is
 * skipped and counted. On open, a consumer that still has unacked
 * messages (its last reader died) is recreated to start just after its
 * ack floor, so those messages come again at once and in stream order;
 * so is a consumer that stopped sending what it owes an idle reader,
 * and one whose leader's copy of the stream is behind has that leader
 * step down (natswatch.h). One process per consumer.
 */
#ifndef EVPIPE_NATSSUB_H
#define EVPIPE_NATSSUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An explicit large value: libnats cannot ask for "unlimited", and the
 * server's default of 1000 would stall a reader holding its acks. */
#define NATSSUB_MAX_ACK_PENDING	1000000

struct natssub;

/* Opens the consumer of a nats:// input spec, creating the consumer (and
 * the stream, given subject=) if missing. Returns it, or NULL with a
 * reason in err and *status 2 (bad URL, no such stream, incompatible
 * settings) or 1 (the servers did not answer). ack_exit_default is the
 * ack mode when the URL has no ack= (true: ack=exit). */
struct natssub *natssub_open(const char *spec, bool ack_exit_default,
	    char *err, size_t errsz, int *status);

/* The next message's payload (*len bytes, valid until the next call),
 * fetching a new batch (waiting up to timeout_ms) when the last one is
 * used up; with ack=flush the messages handed out so far are acked first.
 * Returns NULL when nothing came in time; *eof is set once the input has
 * ended (idle_exit, or a consumer that went away). */
const char *natssub_next(struct natssub *s, int timeout_ms, size_t *len,
	    bool *eof);

/* Acks every message handed out (after the flush hooks succeeded), prints
 * the consumer's counters as one JSON object on stderr, frees *sp. */
void	natssub_close(struct natssub **sp);

#endif
