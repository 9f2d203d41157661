/* zio.c - libzmq glue for the collector side (include/zio.h).
 * Format: doc/wire-format.md "Sockets and endpoints" (endpoints,
 * subscriptions, socket options).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "curve.h"
#include "ntopmsg.h"
#include "opts.h"
#include "zio.h"

#define ZIO_RCVBUF	(8 * 1024 * 1024)

void
zio_eps_free(struct zio_ep *eps, int n)
{
	int i;

	if (eps == NULL)
		return;
	for (i = 0; i < n; i++)
		free(eps[i].url);
	free(eps);
}

/* libzmq would take port "99999" modulo 65536 and bind some other port
 * without a word: every endpoint's port is checked here first. */
int
zio_check_port(const char *url, size_t len, char *errbuf, size_t errsz)
{
	const char *colon;
	long long port;
	char num[8];
	size_t n;

	if (len < 6 || strncmp(url, "tcp://", 6) != 0)
		return 0;
	for (colon = url + len; colon > url + 6 && colon[-1] != ':'; colon--)
		;
	n = (size_t)(url + len - colon);
	if (colon == url + 6 || n == 0) {
		snprintf(errbuf, errsz, "'%.*s': no port (tcp://address:port)",
		    (int)len, url);
		return -1;
	}
	if (n == 1 && *colon == '*')
		return 0;
	if (n >= sizeof(num))
		n = sizeof(num) - 1;
	memcpy(num, colon, n);
	num[n] = '\0';
	if (opts_int(num, 1, 65535, &port) == -1 ||
	    (size_t)(url + len - colon) != n) {
		snprintf(errbuf, errsz, "'%.*s': the port must be 1 to 65535 "
		    "or '*'", (int)len, url);
		return -1;
	}
	return 0;
}

int
zio_parse(const char *arg, struct zio_ep **epsp, char *errbuf, size_t errsz)
{
	struct zio_ep *eps = NULL;
	const char *p, *comma;
	size_t len;
	int n = 0;

	*epsp = NULL;
	if (*arg == '\0') {
		snprintf(errbuf, errsz, "empty endpoint");
		return -1;
	}
	for (p = arg;; p = comma + 1) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0) {
			snprintf(errbuf, errsz, "'%s': empty endpoint in list",
			    arg);
			goto fail;
		}
		if (memmem(p, len, "://", 3) == NULL) {
			snprintf(errbuf, errsz, "'%.*s': not an endpoint "
			    "(transport://address)", (int)len, p);
			goto fail;
		}
		if ((eps = reallocarray(eps, n + 1, sizeof(*eps))) == NULL)
			err(1, "zio");
		eps[n].bind = p[len - 1] == 'c';
		if (eps[n].bind)
			len--;
		if (zio_check_port(p, len, errbuf, errsz) == -1)
			goto fail;
		if ((eps[n].url = strndup(p, len)) == NULL)
			err(1, "zio");
		n++;
		if (comma == NULL)
			break;
	}
	*epsp = eps;
	return n;
fail:
	zio_eps_free(eps, n);
	return -1;
}

/* Sets the keepalive and buffer options on any socket. 0 or -1. */
static int
zio_tcp_opts(void *sock, int rcvbuf)
{
	int one = 1, idle = 30, cnt = 3, intvl = 3;

	if (rcvbuf == 0)
		rcvbuf = ZIO_RCVBUF;
	if (zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE, &one, sizeof(one)) == -1 ||
	    zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE_IDLE, &idle,
	    sizeof(idle)) == -1 ||
	    zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE_CNT, &cnt, sizeof(cnt)) == -1 ||
	    zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE_INTVL, &intvl,
	    sizeof(intvl)) == -1 ||
	    zmq_setsockopt(sock, ZMQ_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == -1)
		return -1;
	return 0;
}

void *
zio_sub_open(void *ctx, const char *arg, const struct zio_opts *o,
    char *errbuf, size_t errsz)
{
	const char *const *topics;
	struct zio_ep *eps;
	void *sock;
	int i, n, zero = 0;

	if ((n = zio_parse(arg, &eps, errbuf, errsz)) == -1)
		return NULL;
	if ((sock = zmq_socket(ctx, ZMQ_SUB)) == NULL) {
		snprintf(errbuf, errsz, "zmq_socket: %s", zmq_strerror(errno));
		zio_eps_free(eps, n);
		return NULL;
	}
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero));
	if (zio_tcp_opts(sock, o->rcvbuf) == -1 ||
	    (o->rcvhwm > 0 && zmq_setsockopt(sock, ZMQ_RCVHWM, &o->rcvhwm,
	    sizeof(o->rcvhwm)) == -1) ||
	    (o->maxmsgsize > 0 && zmq_setsockopt(sock, ZMQ_MAXMSGSIZE,
	    &o->maxmsgsize, sizeof(o->maxmsgsize)) == -1)) {
		snprintf(errbuf, errsz, "%s: socket options: %s", arg,
		    zmq_strerror(errno));
		goto fail;
	}
	if (o->curve_secret != NULL &&
	    curve_server_setup(sock, o->curve_secret) != 0) {
		snprintf(errbuf, errsz, "%s: CURVE server key: %s", arg,
		    zmq_strerror(errno));
		goto fail;
	}
	/* Byte prefixes: "flow" also admits "flowX"; the receiver checks the
	 * decoded topic exactly. "ebpf" is never subscribed. */
	topics = o->topics ? o->topics : ntopmsg_topics;
	for (i = 0; topics[i] != NULL; i++)
		if (zmq_setsockopt(sock, ZMQ_SUBSCRIBE, topics[i],
		    strlen(topics[i])) == -1) {
			snprintf(errbuf, errsz, "%s: subscribe: %s", arg,
			    zmq_strerror(errno));
			goto fail;
		}
	for (i = 0; i < n; i++) {
		int rc = eps[i].bind ? zmq_bind(sock, eps[i].url) :
		    zmq_connect(sock, eps[i].url);

		if (rc == -1) {
			snprintf(errbuf, errsz, "%s: cannot %s %s: %s", arg,
			    eps[i].bind ? "bind" : "connect", eps[i].url,
			    zmq_strerror(errno));
			goto fail;
		}
	}
	zio_eps_free(eps, n);
	return sock;
fail:
	zmq_close(sock);
	zio_eps_free(eps, n);
	return NULL;
}
