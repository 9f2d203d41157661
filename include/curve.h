/* curve.h - CurveZMQ keys and sockets, compatible with ntopng's
 * --zmq-encryption.
 *
 * Keys are 32-byte Curve25519 keys written as 40 characters of Z85 text.
 * ntopng keeps its pair in DATADIR/zmq-key.pub and DATADIR/zmq-key.priv,
 * the bare 40 characters without a newline, and shows the public key as
 * the hexadecimal of that Z85 text (80 digits), which is what
 * `nprobe --zmq-encryption-key` takes. Everything here reads both forms.
 *
 * A CURVE server in ntopng lets in every client that knows its public
 * key. A curve_server can also restrict the clients to an allow-list of
 * public keys, through czmq's zauth actor (ZAP), and counts the
 * handshakes it accepts and refuses through a socket monitor.
 */
#ifndef EVPIPE_CURVE_H
#define EVPIPE_CURVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CURVE_KEYLEN	40		/* Z85 characters of a key */
#define CURVE_HEXLEN	80		/* hex digits of that text */
#define CURVE_PUBFILE	"zmq-key.pub"
#define CURVE_SECFILE	"zmq-key.priv"

struct curve_keypair {
	char	pub[CURVE_KEYLEN + 1];	/* Z85, NUL-terminated */
	char	sec[CURVE_KEYLEN + 1];
};

/* True if libzmq was built with CURVE (libsodium). */
bool	curve_available(void);

/* Generates a fresh key pair into kp. Returns 0, or -1 when libzmq has no
 * CURVE support. */
int	curve_keypair_new(struct curve_keypair *kp);

/* Writes kp as ntopng does: DIR/zmq-key.pub (mode 0644) and
 * DIR/zmq-key.priv (mode 0600), 40 bytes each, no newline. Existing files
 * are replaced only when force is true. Returns 0, or -1 with a message in
 * err naming the file. */
int	curve_keypair_save(const struct curve_keypair *kp, const char *dir,
	    bool force, char *err, size_t errsz);

/* Loads a secret key from path: a file holding one key (such as
 * zmq-key.priv), or a directory holding zmq-key.priv. The public key is
 * derived from it. Returns 0, or -1 with a message in err. */
int	curve_secret_load(const char *path, struct curve_keypair *kp,
	    char *err, size_t errsz);

/* Reads one key from text[0..len): 40 Z85 characters or their 80 hex
 * digits (either case), white space around it allowed. Writes the Z85
 * form to out (CURVE_KEYLEN + 1 bytes). Returns 0, or -1 if it is no
 * valid key. */
int	curve_key_parse(const char *text, size_t len, char *out);

/* Reads a key given as spec: the key itself (Z85 or hex), or the path of
 * a file holding one (zmq-key.pub, or a directory holding it). Returns 0,
 * or -1 with a message in err. */
int	curve_key_load(const char *spec, char *out, char *err, size_t errsz);

/* Writes the hex form of a Z85 key as ntopng shows it: 80 lowercase
 * digits and a NUL into out (CURVE_HEXLEN + 1 bytes). */
void	curve_key_hex(const char *z85, char *out);

/* Makes sock (a libzmq or czmq socket, before bind or connect) a CURVE
 * server with the Z85 secret key sec. Returns 0, or -1 with errno (EINVAL:
 * sec is not 40 characters). */
int	curve_server_setup(void *sock, const char *sec);

/* Makes sock (before bind or connect) a CURVE client of the server with
 * the Z85 public key server_pub. With client NULL a throw-away key pair
 * is generated, as ntopng and nProbe do; give one to be let in by an
 * allow-list. Returns 0, or -1 with errno (EINVAL: server_pub is not 40
 * characters). */
int	curve_client_setup(void *sock, const char *server_pub,
	    const struct curve_keypair *client);

/* Handshake counters of a curve_server's monitored sockets. Every failed
 * attempt counts (a client retrying every 100 ms counts each time). */
struct curve_counters {
	uint64_t	accepted;	/* handshakes that succeeded */
	uint64_t	refused_mechanism; /* not CURVE (no encryption) */
	uint64_t	refused_crypto;	/* CURVE with the wrong server key */
	uint64_t	refused_auth;	/* not on the allow-list (ZAP denied) */
	uint64_t	refused_other;	/* any other handshake failure */
};

struct curve_server;

/* Starts server-side policing. allow NULL: every CURVE client is let in,
 * as ntopng does; otherwise only the keys in allow are: a file with one
 * key per line (Z85 or hex; '#' comments and blank lines skipped) or a
 * directory of czmq public certificates (zcert_save_public format).
 * An allow-list installs czmq's zauth actor, which polices every socket
 * of czmq's context (zsys_init()): sockets of another context are not
 * checked. Returns NULL with a message in err on failure. */
struct curve_server *curve_server_new(const char *allow, char *err,
	    size_t errsz);

/* Counts the handshakes of sock, a socket of context ctx (NULL: czmq's
 * context), through a socket monitor. Returns 0, or -1 with errno. */
int	curve_server_watch(struct curve_server *cs, void *ctx, void *sock);

/* The monitor's socket, for a zmq_poll() or zpoller set (NULL before
 * curve_server_watch). When it is readable call curve_server_poll(). */
void	*curve_server_monitor(const struct curve_server *cs);

/* Reads the monitor's pending events without blocking and updates the
 * counters. Returns the number of refusals read. */
int	curve_server_poll(struct curve_server *cs);

const struct curve_counters *curve_server_counters(
	    const struct curve_server *cs);

/* Stops the monitor and the zauth actor and frees *csp (NULL after). */
void	curve_server_destroy(struct curve_server **csp);

#endif
