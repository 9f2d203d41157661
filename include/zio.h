/* zio.h - libzmq glue for the ntop collector side: interface arguments,
 * SUB sockets set up as ntopng sets them, whole-message reception.
 *
 * An interface argument is one or more endpoints separated by commas,
 * "tcp://0.0.0.0:1234c,tcp://10.0.0.1:5556". An endpoint ending in 'c' is the
 * collector mode: the 'c' is stripped and the SUB socket binds; any other
 * endpoint is connected. Each endpoint decides for itself.
 * Format: doc/wire-format.md "Sockets and endpoints".
 */
#ifndef EVPIPE_ZIO_H
#define EVPIPE_ZIO_H

#include <stdbool.h>
#include <stddef.h>

struct zio_ep {
	char	*url;		/* the endpoint without its trailing 'c' */
	bool	 bind;		/* it had the 'c': bind, else connect */
};

/* Splits an interface argument into endpoints. Returns the number of
 * endpoints (*eps is a new array the caller frees with zio_eps_free), or
 * -1 with a message in err when the argument is empty, has an empty
 * element or an endpoint without "://". */
int	zio_parse(const char *arg, struct zio_ep **eps, char *err,
	    size_t errsz);
void	zio_eps_free(struct zio_ep *eps, int n);

/* Checks the port of the endpoint url[0..len) if it is tcp://: a number
 * from 1 to 65535, or '*' for one the system picks. Returns 0 (also for
 * other transports), or -1 with a message in err. zio_parse calls it. */
int	zio_check_port(const char *url, size_t len, char *err, size_t errsz);

/* The receive high-water mark of every socket evpipe reads from, in
 * messages. libzmq 4.3 drops, uncounted, what a connection still holds
 * when its peer hangs up while the reader's queue is full, so the mark is
 * far above libzmq's 1000: a producer's closing burst fits. */
#define ZIO_RCVHWM	100000

/* Socket settings; zero values mean the defaults named below. */
struct zio_opts {
	int		 rcvhwm;	/* ZMQ_RCVHWM; 0: libzmq's default */
	int		 rcvbuf;	/* ZMQ_RCVBUF; 0: 8 MiB as ntopng */
	long long	 maxmsgsize;	/* ZMQ_MAXMSGSIZE; 0: no limit */
	/* CURVE server: the socket's 40-character Z85 secret key, or NULL.
	 * This is the hook the encryption work fills in (-k). */
	const char	*curve_secret;
	/* Topics to subscribe to (byte prefixes), NULL-terminated; NULL:
	 * subscribe to ntopng's collector topics. */
	const char *const *topics;
};

/* Creates a SUB socket in ctx with o's options (TCP keepalive 30 s idle,
 * 3 probes, 3 s apart, as ntopng), subscribes it, and binds or connects it
 * to every endpoint of arg. Returns the socket, or NULL with a message in
 * err naming the endpoint and the reason; nothing is left open then. */
void	*zio_sub_open(void *ctx, const char *arg, const struct zio_opts *o,
	    char *err, size_t errsz);

#endif
