/* natspub.h - a JetStream publisher for sinks: batches of NDJSON lines.
 *
 * Records are joined, each followed by '\n', into messages of up to
 * NATSPUB_BATCH bytes (one record per message would cap a stage at the
 * broker's message rate, tens of thousands a second, far below a pipe
 * chain's records per second). Each message carries the header
 * Nats-Msg-Id "SOURCE-SEQ", so the server drops a resend it already
 * stored. At most the URL's window (64) of messages wait for their ack; when the
 * window is full (stream full, leader lost, servers down) a write waits:
 * the stage's input is blocked, nothing is dropped, and the time spent
 * waiting is counted. Messages not acked within NATSPUB_RESEND_MS, or
 * refused by the server, are sent again one at a time, oldest first, and
 * nothing new is sent meanwhile, so a subject keeps the order of writes
 * (but for messages already in flight when an earlier one failed).
 */
#ifndef EVPIPE_NATSPUB_H
#define EVPIPE_NATSPUB_H

#include <stddef.h>
#include <stdint.h>

#define NATSPUB_BATCH		(64 * 1024)
#define NATSPUB_RESEND_MS	5000
/* A partial batch older than this is sent with the next write. */
#define NATSPUB_AGE_MS		100

struct natspub;

/* Opens a publisher for a nats:// sink spec: parses it, connects and
 * makes sure the stream exists. Returns it, or NULL with a reason in err
 * and *status 2 (a malformed URL or an incompatible stream) or 1 (the
 * servers did not answer). */
struct natspub *natspub_open(const char *spec, char *err, size_t errsz,
	    int *status);

/* Adds one record (len bytes, no newline) to the current batch, sending
 * the batch when full or old; waits while the window is full. Returns 0,
 * or -1 with errno (EMSGSIZE: a record larger than a message can be). */
int	natspub_write(struct natspub *p, const char *rec, size_t len);

/* Sends the current partial batch without waiting for acks. 0 or -1. */
int	natspub_flush(struct natspub *p);

/* Sends the partial batch and waits until every message sent is acked
 * (resending as needed; a stop signal ends the wait). 0, or -1 if some
 * are still unconfirmed. */
int	natspub_sync(struct natspub *p);

/* Sends what is left, waits up to the URL's linger for every ack, prints
 * the publisher's counters as one JSON object on stderr and frees *pp.
 * Returns the number of messages never confirmed (0 on success). */
uint64_t natspub_close(struct natspub **pp);


#endif
