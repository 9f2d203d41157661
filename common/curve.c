/* curve.c - CurveZMQ key files, hex keys, server and client sockets, and
 * an allow-list through czmq's zauth (include/curve.h). Key files follow
 * ntopng's ZMQUtils (zmq-key.pub, zmq-key.priv: bare Z85 text).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>

#include "curve.h"

/* A key file holds 40 characters and maybe a newline; anything much
 * longer is not a key file. */
#define CURVE_FILEMAX	256

struct curve_server {
	zactor_t		*auth;		/* zauth, when there is a list */
	void			*mon;		/* PAIR reading monitor events */
	void			*watched;	/* the monitored socket */
	char			 monep[64];
	struct curve_counters	 c;
};

bool
curve_available(void)
{
	return zmq_has("curve") != 0;
}

int
curve_keypair_new(struct curve_keypair *kp)
{
	memset(kp, 0, sizeof(*kp));
	if (!curve_available() || zmq_curve_keypair(kp->pub, kp->sec) != 0)
		return -1;
	return 0;
}

/* Writes len bytes of s to path with mode, replacing it only if force. */
static int
curve_write(const char *path, const char *s, size_t len, mode_t mode,
    bool force, char *err, size_t errsz)
{
	int fd, flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	ssize_t n;

	flags |= force ? O_TRUNC : O_EXCL;
	if ((fd = open(path, flags, mode)) < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* An existing file keeps its mode: a secret must not stay readable. */
	errno = 0;
	if (fchmod(fd, mode) != 0 || (n = write(fd, s, len)) < 0 ||
	    (size_t)n != len) {
		snprintf(err, errsz, "%s: %s", path,
		    errno ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	if (close(fd) != 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
curve_keypair_save(const struct curve_keypair *kp, const char *dir,
    bool force, char *err, size_t errsz)
{
	char pub[4096], sec[4096];

	if ((size_t)snprintf(pub, sizeof(pub), "%s/%s", dir, CURVE_PUBFILE) >=
	    sizeof(pub) || (size_t)snprintf(sec, sizeof(sec), "%s/%s", dir,
	    CURVE_SECFILE) >= sizeof(sec)) {
		snprintf(err, errsz, "%s: path too long", dir);
		return -1;
	}
	if (!force && (access(pub, F_OK) == 0 || access(sec, F_OK) == 0)) {
		snprintf(err, errsz, "%s: a key pair is already there", dir);
		return -1;
	}
	if (curve_write(sec, kp->sec, CURVE_KEYLEN, 0600, force, err,
	    errsz) != 0)
		return -1;
	return curve_write(pub, kp->pub, CURVE_KEYLEN, 0644, force, err,
	    errsz);
}

static bool
curve_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
curve_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
curve_key_parse(const char *text, size_t len, char *out)
{
	uint8_t raw[32];
	char z[CURVE_KEYLEN + 1];
	size_t i;
	int hi, lo;

	while (len > 0 && curve_space(text[0])) {
		text++;
		len--;
	}
	while (len > 0 && curve_space(text[len - 1]))
		len--;
	if (len == CURVE_HEXLEN) {
		for (i = 0; i < CURVE_KEYLEN; i++) {
			hi = curve_hexval(text[2 * i]);
			lo = curve_hexval(text[2 * i + 1]);
			if (hi < 0 || lo < 0)
				return -1;
			z[i] = (char)(hi << 4 | lo);
		}
	} else if (len == CURVE_KEYLEN)
		memcpy(z, text, CURVE_KEYLEN);
	else
		return -1;
	z[CURVE_KEYLEN] = '\0';
	/* zmq_z85_decode checks the alphabet; a NUL inside shows as short. */
	if (strlen(z) != CURVE_KEYLEN || zmq_z85_decode(raw, z) == NULL)
		return -1;
	memcpy(out, z, CURVE_KEYLEN + 1);
	return 0;
}

void
curve_key_hex(const char *z85, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < CURVE_KEYLEN; i++) {
		out[2 * i] = digits[(unsigned char)z85[i] >> 4];
		out[2 * i + 1] = digits[(unsigned char)z85[i] & 0x0f];
	}
	out[CURVE_HEXLEN] = '\0';
}

/* Reads the key file path (or dflt inside it when it is a directory). */
static int
curve_read_file(const char *path, const char *dflt, char *out, char *err,
    size_t errsz)
{
	char buf[CURVE_FILEMAX], full[4096];
	struct stat sb;
	ssize_t n;
	int fd;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", path, dflt) >=
		    sizeof(full)) {
			snprintf(err, errsz, "%s: path too long", path);
			return -1;
		}
		path = full;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (curve_key_parse(buf, (size_t)n, out) != 0) {
		snprintf(err, errsz, "%s: not a CURVE key (40 Z85 characters "
		    "or 80 hex digits)", path);
		return -1;
	}
	return 0;
}

int
curve_secret_load(const char *path, struct curve_keypair *kp, char *err,
    size_t errsz)
{
	memset(kp, 0, sizeof(*kp));
	if (!curve_available()) {
		snprintf(err, errsz, "libzmq has no CURVE support");
		return -1;
	}
	if (curve_read_file(path, CURVE_SECFILE, kp->sec, err, errsz) != 0)
		return -1;
	if (zmq_curve_public(kp->pub, kp->sec) != 0) {
		snprintf(err, errsz, "%s: %s", path, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

int
curve_key_load(const char *spec, char *out, char *err, size_t errsz)
{
	/* A file by that name wins: Z85 text may look like a path. */
	if (access(spec, F_OK) == 0)
		return curve_read_file(spec, CURVE_PUBFILE, out, err, errsz);
	if (curve_key_parse(spec, strlen(spec), out) == 0)
		return 0;
	snprintf(err, errsz, "%s: neither a key (40 Z85 characters or 80 hex "
	    "digits) nor a key file", spec);
	return -1;
}

int
curve_server_setup(void *sock, const char *sec)
{
	void *s = zsock_resolve(sock);
	int one = 1;

	if (strlen(sec) != CURVE_KEYLEN) {
		errno = EINVAL;
		return -1;
	}
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, CURVE_KEYLEN) != 0)
		return -1;
	return 0;
}

int
curve_client_setup(void *sock, const char *server_pub,
    const struct curve_keypair *client)
{
	struct curve_keypair eph;
	void *s = zsock_resolve(sock);

	if (strlen(server_pub) != CURVE_KEYLEN) {
		errno = EINVAL;
		return -1;
	}
	if (client == NULL) {
		if (curve_keypair_new(&eph) != 0) {
			errno = ENOTSUP;
			return -1;
		}
		client = &eph;
	}
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_pub,
	    CURVE_KEYLEN) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, client->pub,
	    CURVE_KEYLEN) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, client->sec,
	    CURVE_KEYLEN) != 0)
		return -1;
	return 0;
}

/* Builds an in-memory certificate store from a file of keys. */
static zcertstore_t *
curve_store_file(const char *path, char *err, size_t errsz)
{
	uint8_t pub[32], sec[32];
	char z[CURVE_KEYLEN + 1];
	zcertstore_t *store;
	zcert_t *cert;
	char *line = NULL;
	size_t cap = 0, lineno = 0, keys = 0;
	ssize_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((store = zcertstore_new(NULL)) == NULL) {
		fclose(fp);
		snprintf(err, errsz, "%s: out of memory", path);
		return NULL;
	}
	memset(sec, 0, sizeof(sec));
	while ((n = getline(&line, &cap, fp)) >= 0) {
		char *p = line;

		lineno++;
		while (n > 0 && curve_space(*p)) {
			p++;
			n--;
		}
		if (n == 0 || *p == '#')
			continue;
		if (curve_key_parse(p, (size_t)n, z) != 0) {
			snprintf(err, errsz, "%s:%zu: not a CURVE public key",
			    path, lineno);
			goto fail;
		}
		(void)zmq_z85_decode(pub, z);
		if ((cert = zcert_new_from(pub, sec)) == NULL) {
			snprintf(err, errsz, "%s: out of memory", path);
			goto fail;
		}
		zcertstore_insert(store, &cert);
		keys++;
	}
	if (ferror(fp)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (keys == 0) {
		snprintf(err, errsz, "%s: no keys in the allow-list", path);
		goto fail;
	}
	free(line);
	fclose(fp);
	return store;
fail:
	free(line);
	fclose(fp);
	zcertstore_destroy(&store);
	return NULL;
}

struct curve_server *
curve_server_new(const char *allow, char *err, size_t errsz)
{
	struct curve_server *cs;
	zcertstore_t *store = NULL;
	struct stat sb;

	if (!curve_available()) {
		snprintf(err, errsz, "libzmq has no CURVE support");
		return NULL;
	}
	if (allow != NULL) {
		if (stat(allow, &sb) != 0) {
			snprintf(err, errsz, "%s: %s", allow, strerror(errno));
			return NULL;
		}
		if (S_ISDIR(sb.st_mode))
			store = zcertstore_new(allow);
		else
			store = curve_store_file(allow, err, errsz);
		if (store == NULL) {
			if (S_ISDIR(sb.st_mode))
				snprintf(err, errsz, "%s: cannot load "
				    "certificates", allow);
			return NULL;
		}
	}
	if ((cs = calloc(1, sizeof(*cs))) == NULL) {
		zcertstore_destroy(&store);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (store != NULL) {
		/* Signals stay with sig.h, not czmq (see sig.c). */
		zsys_handler_set(NULL);
		/* zauth owns the store from here and polices every socket of
		 * czmq's context: a CURVE client not in the store is refused
		 * with ZAP status 400. */
		if ((cs->auth = zactor_new(zauth, store)) == NULL) {
			zcertstore_destroy(&store);
			free(cs);
			snprintf(err, errsz, "cannot start zauth");
			return NULL;
		}
	}
	return cs;
}

int
curve_server_watch(struct curve_server *cs, void *ctx, void *sock)
{
	static const int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
	void *s = zsock_resolve(sock);
	int zero = 0;

	if (cs->mon != NULL) {
		errno = EBUSY;
		return -1;
	}
	if (ctx == NULL)
		ctx = zsys_init();
	snprintf(cs->monep, sizeof(cs->monep), "inproc://evpipe-curve-%p",
	    (void *)cs);
	if (zmq_socket_monitor(s, cs->monep, events) != 0)
		return -1;
	if ((cs->mon = zmq_socket(ctx, ZMQ_PAIR)) == NULL)
		goto fail;
	(void)zmq_setsockopt(cs->mon, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_connect(cs->mon, cs->monep) != 0) {
		zmq_close(cs->mon);
		cs->mon = NULL;
		goto fail;
	}
	cs->watched = s;
	return 0;
fail:
	(void)zmq_socket_monitor(s, NULL, 0);
	return -1;
}

void *
curve_server_monitor(const struct curve_server *cs)
{
	return cs->mon;
}

/* Counts one monitor event: 16-bit event, 32-bit value, host order. */
static int
curve_count(struct curve_server *cs, const uint8_t *p, size_t len)
{
	uint16_t ev;
	uint32_t val;

	if (len < 6)
		return 0;
	memcpy(&ev, p, sizeof(ev));
	memcpy(&val, p + 2, sizeof(val));
	switch (ev) {
	case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		cs->c.accepted++;
		return 0;
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
		cs->c.refused_auth++;
		return 1;
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		if (val == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
			cs->c.refused_mechanism++;
		else if (val == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
			cs->c.refused_crypto++;
		else
			cs->c.refused_other++;
		return 1;
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		cs->c.refused_other++;
		return 1;
	default:
		return 0;
	}
}

int
curve_server_poll(struct curve_server *cs)
{
	zmq_msg_t msg;
	int more, refused = 0;
	size_t sz = sizeof(more);

	if (cs->mon == NULL)
		return 0;
	zmq_msg_init(&msg);
	while (zmq_msg_recv(&msg, cs->mon, ZMQ_DONTWAIT) >= 0) {
		refused += curve_count(cs, zmq_msg_data(&msg),
		    zmq_msg_size(&msg));
		/* The endpoint frame (and any other) is not needed. */
		more = 0;
		while (zmq_getsockopt(cs->mon, ZMQ_RCVMORE, &more, &sz) == 0 &&
		    more && zmq_msg_recv(&msg, cs->mon, 0) >= 0)
			;
	}
	zmq_msg_close(&msg);
	return refused;
}

const struct curve_counters *
curve_server_counters(const struct curve_server *cs)
{
	return &cs->c;
}

void
curve_server_destroy(struct curve_server **csp)
{
	struct curve_server *cs = *csp;

	if (cs == NULL)
		return;
	if (cs->mon != NULL) {
		(void)zmq_socket_monitor(cs->watched, NULL, 0);
		zmq_close(cs->mon);
	}
	zactor_destroy(&cs->auth);
	free(cs);
	*csp = NULL;
}
