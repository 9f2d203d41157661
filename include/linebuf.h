/* linebuf.h - read NDJSON lines from several inputs at once.
 *
 * Inputs are files, FIFOs, "-" (stdin) and ZMQ sockets ("zmq:@ENDPOINT"
 * binds a SUB, "zmq:>ENDPOINT" or "zmq:ENDPOINT" connects one; "pull:"
 * the same with a PULL socket; one record per message; "nats://SERVERS/
 * STREAM/CONSUMER" a JetStream durable consumer, natssub.h, its messages
 * holding lines). They are waited
 * on together with zmq_poll(), so a plain fd and a socket share one loop.
 * Each input has its own buffer, so lines of two producers never
 * interleave; a line longer than the limit is discarded up to its newline
 * and counted. A last line without a newline at EOF is still delivered.
 */
#ifndef EVPIPE_LINEBUF_H
#define EVPIPE_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct linebuf;

/* Called once per complete line (without its newline; line[len] is a NUL
 * the callback may not keep). input is the index linebuf_add returned.
 * A non-zero return stops linebuf_poll early and is returned by it. */
typedef int (*linebuf_fn)(void *arg, const char *line, size_t len, int input);

struct linebuf_stats {
	uint64_t	lines;		/* lines delivered */
	uint64_t	bytes;		/* bytes read, newlines included */
	uint64_t	overlong;	/* lines discarded for their length */
	uint64_t	unterminated;	/* last lines delivered without \n */
	uint64_t	read_errors;	/* read(2) / zmq errors on an input */
};

/* A reader with no inputs; lines longer than maxline bytes are discarded.
 * Aborts on out-of-memory. */
struct linebuf *linebuf_new(size_t maxline);
/* Closes every input it opened (not fds given to linebuf_add_fd) and frees. */
void	linebuf_destroy(struct linebuf **lbp);

/* Opens and adds an input by spec (see above). Returns its index, or -1
 * with a message in err (errsz bytes) naming the input and the reason.
 * A nats:// input whose servers do not answer exits 1 here. */
int	linebuf_add(struct linebuf *lb, const char *spec, char *err,
	    size_t errsz);
/* linebuf_add, or on failure its message on stderr and exit with the
 * status opts_open_status(spec) gives. */
int	linebuf_add_or_die(struct linebuf *lb, const char *spec);
/* Sets how nats:// inputs added later ack when their URL has no ack=:
 * at exit (on) or after each batch's output is flushed (off, default). */
void	linebuf_nats_ack_at_exit(struct linebuf *lb, bool on);

/* Adds an already open fd (not closed by linebuf). Returns its index. */
int	linebuf_add_fd(struct linebuf *lb, int fd, const char *name);

/* Waits up to timeout_ms (-1: forever) for input and delivers every
 * complete line available. Returns the number of lines delivered (0 on a
 * timeout or when a signal interrupted the wait), LINEBUF_EOF once every
 * input has ended, or the callback's non-zero value. */
#define LINEBUF_EOF	(-1)
int	linebuf_poll(struct linebuf *lb, int timeout_ms, linebuf_fn fn,
	    void *arg);

/* Inputs not yet at EOF. */
int	linebuf_open_inputs(const struct linebuf *lb);
/* The name of input i as given ("-" for stdin). */
const char *linebuf_name(const struct linebuf *lb, int i);
/* Totals over all inputs. */
const struct linebuf_stats *linebuf_stats(const struct linebuf *lb);

#endif
