/* test_curve.c - unit test for curve.c: key files as ntopng writes them,
 * hex keys, and CURVE handshakes accepted, refused and counted. */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>

#include "curve.h"
#include "unit.h"

static char tmpdir[] = "/tmp/test_curve.XXXXXX";

static size_t
file_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return (size_t)n;
}

static void
file_write(const char *path, const char *s)
{
	FILE *fp = fopen(path, "w");

	if (fp != NULL) {
		fputs(s, fp);
		fclose(fp);
	}
}

static void
test_keys(void)
{
	struct curve_keypair kp, kp2;
	char path[256], buf[512], hex[CURVE_HEXLEN + 1], z[CURVE_KEYLEN + 1];
	char err[512];
	struct stat sb;

	CHECK(curve_keypair_new(&kp) == 0);
	CHECK(strlen(kp.pub) == CURVE_KEYLEN && strlen(kp.sec) == CURVE_KEYLEN);

	/* Hex of the Z85 text, and back. */
	curve_key_hex(kp.pub, hex);
	CHECK(strlen(hex) == CURVE_HEXLEN);
	CHECK(hex[0] == "0123456789abcdef"[(unsigned char)kp.pub[0] >> 4]);
	CHECK(curve_key_parse(hex, strlen(hex), z) == 0);
	CHECK_STR(z, kp.pub);
	hex[5] = (char)toupper((unsigned char)hex[5]);
	CHECK(curve_key_parse(hex, strlen(hex), z) == 0);
	CHECK(curve_key_parse(kp.pub, CURVE_KEYLEN, z) == 0);
	CHECK_STR(z, kp.pub);
	/* The hex form is of the text, not of the 32 key bytes. */
	curve_key_hex("0000000000000000000000000000000000000000", hex);
	CHECK_STR(hex, "3030303030303030303030303030303030303030"
	    "3030303030303030303030303030303030303030");
	/* ntopng's own files have no newline; ours may, and spaces. */
	CHECK(curve_key_parse("  rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n",
	    43, z) == 0);
	CHECK_STR(z, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
	/* Wrong lengths, alphabets and digits. */
	CHECK(curve_key_parse("", 0, z) == -1);
	CHECK(curve_key_parse(kp.pub, CURVE_KEYLEN - 1, z) == -1);
	CHECK(curve_key_parse("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\"", 40,
	    z) == -1);
	CHECK(curve_key_parse("rq:rM>}U?@Lns47E1%kR.o@n%Fcmm\0L/@{H8]yf7", 40,
	    z) == -1);
	memset(buf, 'g', CURVE_HEXLEN);
	CHECK(curve_key_parse(buf, CURVE_HEXLEN, z) == -1);

	/* Files as ntopng's: bare 40 bytes, the secret private. */
	CHECK(curve_keypair_save(&kp, tmpdir, false, err, sizeof(err)) == 0);
	snprintf(path, sizeof(path), "%s/zmq-key.pub", tmpdir);
	CHECK(file_read(path, buf, sizeof(buf)) == CURVE_KEYLEN);
	CHECK_STR(buf, kp.pub);
	snprintf(path, sizeof(path), "%s/zmq-key.priv", tmpdir);
	CHECK(file_read(path, buf, sizeof(buf)) == CURVE_KEYLEN);
	CHECK_STR(buf, kp.sec);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	/* No overwrite without force. */
	CHECK(curve_keypair_new(&kp2) == 0);
	CHECK(curve_keypair_save(&kp2, tmpdir, false, err, sizeof(err)) == -1);
	CHECK(strstr(err, "already") != NULL);

	/* Loading: the directory, the file, and the public key derived. */
	CHECK(curve_secret_load(tmpdir, &kp2, err, sizeof(err)) == 0);
	CHECK_STR(kp2.pub, kp.pub);
	CHECK_STR(kp2.sec, kp.sec);
	CHECK(curve_secret_load(path, &kp2, err, sizeof(err)) == 0);
	CHECK_STR(kp2.pub, kp.pub);
	CHECK(curve_key_load(tmpdir, z, err, sizeof(err)) == 0);
	CHECK_STR(z, kp.pub);
	curve_key_hex(kp.pub, hex);
	CHECK(curve_key_load(hex, z, err, sizeof(err)) == 0);
	CHECK_STR(z, kp.pub);
	CHECK(curve_key_load(kp.pub, z, err, sizeof(err)) == 0);
	CHECK(curve_key_load("/nonexistent/key", z, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent/key") != NULL);
	snprintf(path, sizeof(path), "%s/bad", tmpdir);
	file_write(path, "not a key\n");
	CHECK(curve_secret_load(path, &kp2, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not a CURVE key") != NULL);
	CHECK(curve_secret_load("/nonexistent", &kp2, err, sizeof(err)) == -1);

	/* Forced save replaces both and tightens the mode. */
	snprintf(path, sizeof(path), "%s/zmq-key.priv", tmpdir);
	CHECK(chmod(path, 0644) == 0);
	CHECK(curve_keypair_new(&kp2) == 0);
	CHECK(curve_keypair_save(&kp2, tmpdir, true, err, sizeof(err)) == 0);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(curve_secret_load(tmpdir, &kp, err, sizeof(err)) == 0);
	CHECK_STR(kp.pub, kp2.pub);
	CHECK(curve_keypair_save(&kp2, "/nonexistent", false, err,
	    sizeof(err)) == -1);
}

/* Sends from cli until srv receives, for up to ms. */
static bool
delivered(zsock_t *cli, zsock_t *srv, int ms)
{
	zpoller_t *p = zpoller_new(srv, NULL);
	int64_t end = zclock_mono() + ms;
	bool got = false;
	char *s;

	while (!got && zclock_mono() < end) {
		zstr_send(cli, "hello");
		if (zpoller_wait(p, 50) == srv) {
			s = zstr_recv(srv);
			got = s != NULL && strcmp(s, "hello") == 0;
			zstr_free(&s);
		}
	}
	zpoller_destroy(&p);
	return got;
}

/* Polls the monitor until *ctr moves past before, for up to ms. */
static bool
counted(struct curve_server *cs, const uint64_t *ctr, uint64_t before,
    int ms)
{
	int64_t end = zclock_mono() + ms;

	while (zclock_mono() < end) {
		curve_server_poll(cs);
		if (*ctr > before)
			return true;
		zclock_sleep(20);
	}
	return false;
}

static zsock_t *
server(const struct curve_keypair *kp, int *port)
{
	zsock_t *s = zsock_new(ZMQ_SUB);

	CHECK(curve_server_setup(s, kp->sec) == 0);
	zsock_set_subscribe(s, "");
	*port = zsock_bind(s, "tcp://127.0.0.1:*");
	CHECK(*port > 0);
	return s;
}

static zsock_t *
client(int port, const char *server_pub, const struct curve_keypair *ck)
{
	zsock_t *c = zsock_new(ZMQ_PUB);

	if (server_pub != NULL)
		CHECK(curve_client_setup(c, server_pub, ck) == 0);
	CHECK(zsock_connect(c, "tcp://127.0.0.1:%d", port) == 0);
	return c;
}

static void
test_open_server(void)
{
	struct curve_keypair kp, other;
	const struct curve_counters *c;
	struct curve_server *cs;
	zsock_t *srv, *cli;
	char err[256];
	int port;

	CHECK(curve_keypair_new(&kp) == 0);
	CHECK(curve_keypair_new(&other) == 0);
	cs = curve_server_new(NULL, err, sizeof(err));
	CHECK(cs != NULL);
	if (cs == NULL)
		return;
	c = curve_server_counters(cs);
	srv = server(&kp, &port);
	CHECK(curve_server_watch(cs, NULL, srv) == 0);
	CHECK(curve_server_watch(cs, NULL, srv) == -1);
	CHECK(curve_server_monitor(cs) != NULL);

	/* The right server key, any client key: in, as with ntopng. */
	cli = client(port, kp.pub, NULL);
	CHECK(delivered(cli, srv, 3000));
	CHECK(counted(cs, &c->accepted, 0, 2000));
	zsock_destroy(&cli);

	/* No encryption: refused, counted as a mechanism mismatch. */
	cli = client(port, NULL, NULL);
	CHECK(!delivered(cli, srv, 300));
	CHECK(counted(cs, &c->refused_mechanism, 0, 2000));
	zsock_destroy(&cli);

	/* The wrong server key: refused, counted as a crypto failure. */
	cli = client(port, other.pub, NULL);
	CHECK(!delivered(cli, srv, 300));
	CHECK(counted(cs, &c->refused_crypto, 0, 2000));
	zsock_destroy(&cli);
	CHECK(c->refused_auth == 0);
	CHECK(c->accepted == 1);

	curve_server_destroy(&cs);
	CHECK(cs == NULL);
	zsock_destroy(&srv);
}

static void
test_allow_list(void)
{
	struct curve_keypair kp, good, bad;
	const struct curve_counters *c;
	struct curve_server *cs;
	zsock_t *srv, *cli;
	char path[256], line[256], hex[CURVE_HEXLEN + 1], err[256];
	int port;

	CHECK(curve_keypair_new(&kp) == 0);
	CHECK(curve_keypair_new(&good) == 0);
	CHECK(curve_keypair_new(&bad) == 0);

	/* Bad lists are refused up front. */
	snprintf(path, sizeof(path), "%s/allow-empty", tmpdir);
	file_write(path, "# nobody\n\n");
	CHECK(curve_server_new(path, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no keys") != NULL);
	snprintf(path, sizeof(path), "%s/allow-bad", tmpdir);
	file_write(path, "# one bad line\nxyz\n");
	CHECK(curve_server_new(path, err, sizeof(err)) == NULL);
	CHECK(strstr(err, ":2: not a CURVE public key") != NULL);
	CHECK(curve_server_new("/nonexistent", err, sizeof(err)) == NULL);

	/* One key, in hex as ntopng shows keys. */
	curve_key_hex(good.pub, hex);
	snprintf(path, sizeof(path), "%s/allow", tmpdir);
	snprintf(line, sizeof(line), "# the one client\n  %s  \n", hex);
	file_write(path, line);
	cs = curve_server_new(path, err, sizeof(err));
	CHECK(cs != NULL);
	if (cs == NULL)
		return;
	c = curve_server_counters(cs);
	srv = server(&kp, &port);
	CHECK(curve_server_watch(cs, NULL, srv) == 0);

	cli = client(port, kp.pub, &good);
	CHECK(delivered(cli, srv, 3000));
	CHECK(counted(cs, &c->accepted, 0, 2000));
	zsock_destroy(&cli);

	/* The right server key but not on the list: refused by ZAP. */
	cli = client(port, kp.pub, &bad);
	CHECK(!delivered(cli, srv, 300));
	CHECK(counted(cs, &c->refused_auth, 0, 2000));
	zsock_destroy(&cli);

	/* A throw-away key as nProbe uses: refused too. */
	cli = client(port, kp.pub, NULL);
	CHECK(!delivered(cli, srv, 300));
	CHECK(counted(cs, &c->refused_auth, 1, 2000));
	zsock_destroy(&cli);

	/* No encryption: still a mechanism mismatch. */
	cli = client(port, NULL, NULL);
	CHECK(!delivered(cli, srv, 300));
	CHECK(counted(cs, &c->refused_mechanism, 0, 2000));
	zsock_destroy(&cli);
	CHECK(c->accepted == 1);

	curve_server_destroy(&cs);
	zsock_destroy(&srv);
}

int
main(void)
{
	char cmd[300];

	zsys_handler_set(NULL);
	if (!curve_available()) {
		printf("test_curve: libzmq without CURVE, skipped\n");
		return unit_done("test_curve");
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_keys();
	test_open_server();
	test_allow_list();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_curve: cannot remove %s\n", tmpdir);
	zsys_shutdown();
	return unit_done("test_curve");
}
