/* linebufnats.c - the nats:// inputs of the line reader: JetStream
 * messages of lines joined by newlines (natssub.h), split into records.
 *
 * Implements part of include/linebuf.h; shares include/linebufint.h.
 */
#include <err.h>
#include <stdbool.h>
#include <string.h>

#include "linebuf.h"
#include "linebufint.h"
#include "natssub.h"

/* The longest a nats:// input waits for a fetch within one poll when it is
 * polled alone: it bounds how late a stop signal is seen. */
#define LINEBUF_NATS_WAIT_MS	500

/* Adds a nats:// input. A malformed URL or a configuration the servers
 * refuse returns -1 (a usage error for the caller); servers that do not
 * answer end the stage with status 1 here. */
int
lb_add_nats(struct linebuf *lb, const char *spec, char *err, size_t errsz)
{
	struct natssub *ns;
	struct lb_input *in;
	int status;

	ns = natssub_open(spec, lb->nats_ack_exit, err, errsz, &status);
	if (ns == NULL) {
		if (status == 1)
			errx(1, "%s", err);
		return -1;
	}
	in = lb_push(lb, spec, LB_NATS);
	in->ns = ns;
	lb->nnats++;
	return lb->n - 1;
}

void
linebuf_nats_ack_at_exit(struct linebuf *lb, bool on)
{
	lb->nats_ack_exit = on;
}

/*
 * Delivers the rest of the current nats:// message, then further messages
 * of the fetched batch, fetching once (up to wait_ms) when none is left.
 * A message holds lines joined by newlines. Returns 0 or the callback's
 * value (the input is then left pending).
 */
int
lb_deliver_nats(struct linebuf *lb, int idx, int wait_ms, linebuf_fn fn,
    void *arg, int *n)
{
	struct lb_input *in = &lb->in[idx];
	const char *nl;
	size_t len;
	bool eof;
	int rc;

	in->pending = true;
	for (;;) {
		if (in->ndata == NULL) {
			in->ndata = natssub_next(in->ns, wait_ms, &in->nsize,
			    &eof);
			if (in->ndata == NULL) {
				in->pending = false;
				if (eof)
					lb_close(lb, in);
				return 0;
			}
			/* Only the first fetch of a poll may wait. */
			wait_ms = 0;
			in->moff = 0;
			lb->st.bytes += in->nsize;
		}
		while (in->moff < in->nsize) {
			nl = memchr(in->ndata + in->moff, '\n',
			    in->nsize - in->moff);
			len = nl ? (size_t)(nl - (in->ndata + in->moff)) :
			    in->nsize - in->moff;
			if (len > lb->maxline) {
				lb->st.overlong++;
				in->moff += len + 1;
				continue;
			}
			memcpy(in->buf, in->ndata + in->moff, len);
			in->buf[len] = '\0';
			in->moff += len + 1;
			lb->st.lines++;
			(*n)++;
			if ((rc = fn(arg, in->buf, len, idx)) != 0)
				return rc;
		}
		in->ndata = NULL;
		if (*n >= LINEBUF_ZMQ_BATCH * 64)
			break;
	}
	in->pending = false;
	return 0;
}

/* Fetches from every nats:// input; the wait is long only when nothing
 * else is polled. */
int
lb_poll_nats(struct linebuf *lb, int timeout_ms, bool alone, linebuf_fn fn,
    void *arg, int *n)
{
	int i, rc, wait;

	wait = alone ? LINEBUF_NATS_WAIT_MS : LINEBUF_NATS_SHARED_MS;
	if (timeout_ms >= 0 && timeout_ms < wait)
		wait = timeout_ms;
	if (lb->nnats > 1)
		wait /= lb->nnats;
	for (i = 0; i < lb->n; i++) {
		if (lb->in[i].closed || lb->in[i].kind != LB_NATS)
			continue;
		if ((rc = lb_deliver_nats(lb, i, wait, fn, arg, n)) != 0)
			return rc;
		if (*n > 0)
			wait = 0;
	}
	return 0;
}
