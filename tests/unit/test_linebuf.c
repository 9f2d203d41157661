/* test_linebuf.c - unit tests for common/linebuf.c and linebufzmq.c
 * (include/linebuf.h); the nats:// inputs of linebufnats.c need a server
 * and are tested in tests/cli/nats.bats. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <czmq.h>

#include "chain.h"
#include "linebuf.h"
#include "sink.h"
#include "unit.h"

#define MAXGOT	64

/* What the callback saw, as "INPUT:LINE" strings. */
struct got {
	char	*line[MAXGOT];
	int	 n;
	int	 stop_at;	/* return 7 after this many lines (0: never) */
};

static int
collect(void *arg, const char *line, size_t len, int input)
{
	struct got *g = arg;
	char *s;

	CHECK(line[len] == '\0');
	CHECK(strlen(line) <= len);
	if (g->n >= MAXGOT)
		return 0;
	s = malloc(len + 16);
	if (s == NULL)
		abort();
	snprintf(s, len + 16, "%d:%.*s", input, (int)len, line);
	g->line[g->n++] = s;
	if (g->stop_at > 0 && g->n == g->stop_at)
		return 7;
	return 0;
}

static void
got_reset(struct got *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		free(g->line[i]);
	memset(g, 0, sizeof(*g));
}

static const char *
got_at(const struct got *g, int i)
{
	return i < g->n ? g->line[i] : "(none)";
}

static void
wr(int fd, const char *s)
{
	size_t n = strlen(s);

	if (write(fd, s, n) != (ssize_t)n)
		abort();
}

/* Polls until EOF or tries run out, returning the last result. */
static int
drain(struct linebuf *lb, struct got *g, int tries)
{
	int rc = 0;

	while (tries-- > 0) {
		rc = linebuf_poll(lb, 100, collect, g);
		if (rc == LINEBUF_EOF)
			break;
	}
	return rc;
}

static void
test_split_reads(void)
{
	struct linebuf *lb = linebuf_new(100);
	struct got g = { 0 };
	int p[2];

	if (pipe(p) == -1)
		abort();
	CHECK(linebuf_add_fd(lb, p[0], "pipe") == 0);
	CHECK_STR(linebuf_name(lb, 0), "pipe");
	CHECK(linebuf_name(lb, 1) == NULL);
	wr(p[1], "abc");
	CHECK(linebuf_poll(lb, 100, collect, &g) == 0);
	CHECK(linebuf_poll(lb, 0, collect, &g) == 0);	/* timeout */
	wr(p[1], "def\nxyz\n\nlast\r\n");
	CHECK(linebuf_poll(lb, 100, collect, &g) == 4);
	CHECK_STR(got_at(&g, 0), "0:abcdef");
	CHECK_STR(got_at(&g, 1), "0:xyz");
	CHECK_STR(got_at(&g, 2), "0:");
	CHECK_STR(got_at(&g, 3), "0:last\r");	/* CR kept as data */
	wr(p[1], "tail");
	close(p[1]);
	CHECK(drain(lb, &g, 10) == LINEBUF_EOF);
	CHECK(g.n == 5);
	CHECK_STR(got_at(&g, 4), "0:tail");
	CHECK(linebuf_stats(lb)->lines == 5);
	CHECK(linebuf_stats(lb)->unterminated == 1);
	CHECK(linebuf_stats(lb)->bytes == 3 + 15 + 4);
	CHECK(linebuf_open_inputs(lb) == 0);
	CHECK(linebuf_poll(lb, 0, collect, &g) == LINEBUF_EOF);
	close(p[0]);	/* linebuf_add_fd fds are the caller's */
	linebuf_destroy(&lb);
	CHECK(lb == NULL);
	got_reset(&g);
}

static void
test_overlong(void)
{
	struct linebuf *lb = linebuf_new(10);
	struct got g = { 0 };
	int p[2];

	if (pipe(p) == -1)
		abort();
	linebuf_add_fd(lb, p[0], "p");
	/* 10 bytes fit, 11 do not. */
	wr(p[1], "0123456789\n01234567890\nok\n");
	CHECK(linebuf_poll(lb, 100, collect, &g) == 2);
	CHECK(linebuf_stats(lb)->overlong == 1);
	/* A partial line over the limit is dropped at once ... */
	wr(p[1], "abcdefghijklmno");
	CHECK(linebuf_poll(lb, 100, collect, &g) == 0);
	CHECK(linebuf_stats(lb)->overlong == 2);
	/* ... with the rest of it, up to its newline, counted once. */
	wr(p[1], "pqrstuvwxyz");
	CHECK(linebuf_poll(lb, 100, collect, &g) == 0);
	wr(p[1], "more\nfine\n");
	CHECK(linebuf_poll(lb, 100, collect, &g) == 1);
	CHECK(linebuf_stats(lb)->overlong == 2);
	/* An over-long unterminated last line is not delivered. */
	wr(p[1], "x\n0123456789abc");
	close(p[1]);
	CHECK(drain(lb, &g, 10) == LINEBUF_EOF);
	CHECK(g.n == 4);
	CHECK_STR(got_at(&g, 0), "0:0123456789");
	CHECK_STR(got_at(&g, 1), "0:ok");
	CHECK_STR(got_at(&g, 2), "0:fine");
	CHECK_STR(got_at(&g, 3), "0:x");
	CHECK(linebuf_stats(lb)->overlong == 3);
	CHECK(linebuf_stats(lb)->unterminated == 0);
	CHECK(linebuf_stats(lb)->lines == 4);
	close(p[0]);
	linebuf_destroy(&lb);
	got_reset(&g);
}

static void
test_two_inputs(void)
{
	struct linebuf *lb = linebuf_new(100);
	struct got g = { 0 };
	int a[2], b[2], i;

	if (pipe(a) == -1 || pipe(b) == -1)
		abort();
	CHECK(linebuf_add_fd(lb, a[0], "a") == 0);
	CHECK(linebuf_add_fd(lb, b[0], "b") == 1);
	wr(a[1], "{\"A\":1,");
	CHECK(linebuf_poll(lb, 100, collect, &g) == 0);
	wr(b[1], "{\"B\":1}\n{\"B\"");
	CHECK(linebuf_poll(lb, 100, collect, &g) == 1);
	wr(a[1], "\"x\":2}\n");
	wr(b[1], ":2}\n");
	close(a[1]);
	close(b[1]);
	CHECK(drain(lb, &g, 10) == LINEBUF_EOF);
	CHECK(g.n == 3);
	CHECK_STR(got_at(&g, 0), "1:{\"B\":1}");
	/* Whatever the order, each line is whole and from its own input. */
	for (i = 1; i < 3; i++)
		CHECK(strcmp(got_at(&g, i), "0:{\"A\":1,\"x\":2}") == 0 ||
		    strcmp(got_at(&g, i), "1:{\"B\":2}") == 0);
	CHECK(strcmp(got_at(&g, 1), got_at(&g, 2)) != 0);
	CHECK(linebuf_open_inputs(lb) == 0);
	close(a[0]);
	close(b[0]);
	linebuf_destroy(&lb);
	got_reset(&g);
}

static void
test_stop_early(void)
{
	struct linebuf *lb = linebuf_new(100);
	struct got g = { 0 };
	int p[2];

	if (pipe(p) == -1)
		abort();
	linebuf_add_fd(lb, p[0], "p");
	wr(p[1], "1\n2\n3\n4");
	close(p[1]);
	g.stop_at = 2;
	CHECK(linebuf_poll(lb, 100, collect, &g) == 7);
	CHECK(g.n == 2);
	g.stop_at = 3;
	CHECK(linebuf_poll(lb, 100, collect, &g) == 7);
	g.stop_at = 0;
	CHECK(drain(lb, &g, 10) == LINEBUF_EOF);
	CHECK(g.n == 4);
	CHECK_STR(got_at(&g, 2), "0:3");
	CHECK_STR(got_at(&g, 3), "0:4");
	close(p[0]);
	linebuf_destroy(&lb);
	got_reset(&g);
}

static void
test_file_and_errors(const char *dir)
{
	struct linebuf *lb = linebuf_new(200000);
	struct got g = { 0 };
	char path[512], err[256];
	char *big;
	FILE *fp;
	int rc, fd;

	snprintf(path, sizeof(path), "%s/f.ndjson", dir);
	fp = fopen(path, "w");
	if (fp == NULL)
		abort();
	/* A line longer than one read chunk, then a short one. */
	big = malloc(150001);
	if (big == NULL)
		abort();
	memset(big, 'x', 150000);
	big[150000] = '\0';
	fprintf(fp, "%s\nshort\n", big);
	fclose(fp);
	CHECK(linebuf_add(lb, path, err, sizeof(err)) == 0);
	CHECK(drain(lb, &g, 10) == LINEBUF_EOF);
	CHECK(g.n == 2);
	CHECK(g.n >= 1 && strlen(g.line[0]) == 150002 &&
	    strncmp(g.line[0] + 2, big, 150000) == 0);
	CHECK_STR(got_at(&g, 1), "0:short");
	CHECK(linebuf_stats(lb)->bytes == 150007);
	free(big);

	snprintf(path, sizeof(path), "%s/missing", dir);
	err[0] = '\0';
	CHECK(linebuf_add(lb, path, err, sizeof(err)) == -1);
	CHECK(strstr(err, "missing: No such file") != NULL);
	CHECK(linebuf_add(lb, dir, err, sizeof(err)) == -1);
	CHECK(strstr(err, "Is a directory") != NULL);
	CHECK(linebuf_add(lb, "zmq:", err, sizeof(err)) == -1);
	CHECK(strstr(err, "zmq:: no endpoint") != NULL);
	rc = linebuf_add(lb, "pull:@nosuch://x", err, sizeof(err));
	CHECK(rc == -1);
	CHECK(strncmp(err, "pull:@nosuch://x: ", 18) == 0);
	CHECK(linebuf_open_inputs(lb) == 0);
	linebuf_destroy(&lb);
	got_reset(&g);

	/* An input that cannot be read: counted, then ended like EOF. */
	lb = linebuf_new(100);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(linebuf_add_fd(lb, fd, "adir") == 0);
	fprintf(stderr, "(a warning about adir is expected:)\n");
	CHECK(drain(lb, &g, 10) == LINEBUF_EOF);
	CHECK(linebuf_stats(lb)->read_errors == 1);
	CHECK(g.n == 0);
	close(fd);
	linebuf_destroy(&lb);
}

static void
test_fifo(const char *dir)
{
	struct linebuf *lb = linebuf_new(100);
	struct got g = { 0 };
	char path[512], err[256];
	int fd;

	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) == -1)
		abort();
	/* Adding does not wait for a writer, and no writer is not EOF. */
	CHECK(linebuf_add(lb, path, err, sizeof(err)) == 0);
	CHECK(linebuf_poll(lb, 50, collect, &g) == 0);
	CHECK(linebuf_open_inputs(lb) == 1);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	wr(fd, "f1\nf2");
	CHECK(linebuf_poll(lb, 100, collect, &g) == 1);
	wr(fd, "\n");
	close(fd);
	/* All writers gone: the rest, then EOF, as cat(1) sees it. */
	CHECK(drain(lb, &g, 10) == LINEBUF_EOF);
	CHECK(g.n == 2);
	CHECK_STR(got_at(&g, 1), "0:f2");
	linebuf_destroy(&lb);
	unlink(path);
	got_reset(&g);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
test_eintr(void)
{
	struct linebuf *lb = linebuf_new(100);
	struct got g = { 0 };
	struct sigaction sa;
	struct itimerval it;
	int p[2];

	if (pipe(p) == -1)
		abort();
	linebuf_add_fd(lb, p[0], "p");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART, as sig.h does */
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 50000;
	setitimer(ITIMER_REAL, &it, NULL);
	/* Would wait forever: the signal makes it return 0. */
	CHECK(linebuf_poll(lb, -1, collect, &g) == 0);
	signal(SIGALRM, SIG_DFL);
	close(p[0]);
	close(p[1]);
	linebuf_destroy(&lb);
}

/* Polls until want lines arrived or about two seconds passed. */
static void
wait_lines(struct linebuf *lb, struct got *g, int want)
{
	int tries = 40;

	while (g->n < want && tries-- > 0)
		linebuf_poll(lb, 50, collect, g);
}

static void
test_zmq_pull(const char *dir)
{
	struct linebuf *lb = linebuf_new(8);
	struct got g = { 0 };
	char spec[600], ep[600], err[256];
	zsock_t *push;
	zmsg_t *m;

	/* ipc://: an empty message is an empty record, not an end. */
	snprintf(spec, sizeof(spec), "pull:@ipc://%s/pull.ipc", dir);
	snprintf(ep, sizeof(ep), ">ipc://%s/pull.ipc", dir);
	CHECK(linebuf_add(lb, spec, err, sizeof(err)) == 0);
	CHECK_STR(linebuf_name(lb, 0), spec);
	push = zsock_new_push(ep);
	CHECK(push != NULL);
	zstr_send(push, "one");
	zstr_send(push, "a\nb\n");		/* split; no empty tail */
	zstr_send(push, "");			/* one empty record */
	zstr_send(push, "123456789\nok");	/* over-long piece, then ok */
	m = zmsg_new();
	zmsg_addstr(m, "f1");
	zmsg_addstr(m, "f2");
	zmsg_send(&m, push);			/* each frame a record */
	wait_lines(lb, &g, 7);
	CHECK(g.n == 7);
	CHECK_STR(got_at(&g, 0), "0:one");
	CHECK_STR(got_at(&g, 1), "0:a");
	CHECK_STR(got_at(&g, 2), "0:b");
	CHECK_STR(got_at(&g, 3), "0:");
	CHECK_STR(got_at(&g, 4), "0:ok");
	CHECK_STR(got_at(&g, 5), "0:f1");
	CHECK_STR(got_at(&g, 6), "0:f2");
	CHECK(linebuf_stats(lb)->overlong == 1);
	CHECK(linebuf_stats(lb)->bytes == 3 + 4 + 0 + 12 + 4);
	CHECK(linebuf_open_inputs(lb) == 1);
	/* A callback stopping inside a frame resumes where it stopped. */
	got_reset(&g);
	zstr_send(push, "x\ny\nz");
	g.stop_at = 1;
	while (g.n == 0)
		linebuf_poll(lb, 50, collect, &g);
	g.stop_at = 0;
	wait_lines(lb, &g, 3);
	CHECK(g.n == 3);
	CHECK_STR(got_at(&g, 2), "0:z");
	zsock_destroy(&push);
	linebuf_destroy(&lb);
	got_reset(&g);
}

/* A poll that is about to wait first sends what this thread's batched
 * sinks hold, so a quiet input never holds back records written. */
static void
test_idle_flush(void)
{
	struct linebuf *lb = linebuf_new(100);
	struct got g = { 0 };
	char err[256], *str;
	struct sink *s;
	zsock_t *pull;

	CHECK(linebuf_add(lb, "pull:@inproc://lbtest-idle-in", err,
	    sizeof(err)) == 0);
	s = sink_open("push-lines:@inproc://lbtest-idle-out", NULL, err,
	    sizeof(err));
	CHECK(s != NULL);
	pull = zsock_new_pull(">inproc://lbtest-idle-out");
	zsock_set_rcvtimeo(pull, 2000);
	CHECK(sink_write(s, "{\"r\":1}", 7) == 0);
	CHECK(sink_idle_pending());
	CHECK(linebuf_poll(lb, 10, collect, &g) == 0);
	CHECK(!sink_idle_pending());
	str = zstr_recv(pull);
	CHECK_STR(str, "{\"r\":1}\n");
	zstr_free(&str);
	CHECK(sink_close(&s) == 0);
	zsock_destroy(&pull);
	linebuf_destroy(&lb);
	got_reset(&g);
}

static void
test_zmq_sub(const char *dir)
{
	struct linebuf *lb = linebuf_new(100);
	struct got g = { 0 };
	char spec[600], ep[600], err[256];
	zsock_t *pub;
	int i;

	/* SUB binds on ipc://, a PUB connects (the collector pattern). */
	snprintf(spec, sizeof(spec), "zmq:@ipc://%s/sub.ipc", dir);
	snprintf(ep, sizeof(ep), ">ipc://%s/sub.ipc", dir);
	CHECK(linebuf_add(lb, spec, err, sizeof(err)) == 0);
	pub = zsock_new_pub(ep);
	CHECK(pub != NULL);
	/* The slow joiner: publish until the subscription is through. */
	for (i = 0; i < 100 && g.n == 0; i++) {
		zstr_send(pub, "hello");
		linebuf_poll(lb, 20, collect, &g);
	}
	CHECK(g.n > 0);
	got_reset(&g);
	linebuf_poll(lb, 50, collect, &g);	/* stray hellos */
	got_reset(&g);
	zstr_send(pub, "{\"_topic\":\"flow\"}");
	zstr_send(pub, "second");
	wait_lines(lb, &g, 2);
	CHECK(g.n == 2);
	CHECK_STR(got_at(&g, 0), "0:{\"_topic\":\"flow\"}");
	CHECK_STR(got_at(&g, 1), "0:second");
	zsock_destroy(&pub);
	linebuf_destroy(&lb);
	got_reset(&g);
}

static void
test_chain(void)
{
	struct chain_env env = { "pull:@inproc://lbtest-chain", NULL, NULL,
	    NULL };
	struct linebuf *lb = linebuf_new(100);
	struct got g = { 0 };
	char err[256];
	zsock_t *push;
	zmsg_t *m;

	/* In a chained stage's thread "-" is the neighbour's socket ... */
	chain_set(&env);
	CHECK(linebuf_add(lb, "-", err, sizeof(err)) == 0);
	chain_set(NULL);
	CHECK_STR(linebuf_name(lb, 0), "pull:@inproc://lbtest-chain");
	push = zsock_new_push(">inproc://lbtest-chain");
	zstr_send(push, "r1");
	m = zmsg_new();			/* an empty frame inside a message */
	zmsg_addstr(m, "");
	zmsg_addstr(m, "r2");
	zmsg_send(&m, push);
	/* ... and on inproc:// an empty message ends the stream. */
	zstr_send(push, "");
	zstr_send(push, "after the end");
	CHECK(drain(lb, &g, 20) == LINEBUF_EOF);
	CHECK(g.n == 3);
	CHECK_STR(got_at(&g, 0), "0:r1");
	CHECK_STR(got_at(&g, 1), "0:");
	CHECK_STR(got_at(&g, 2), "0:r2");
	CHECK(linebuf_open_inputs(lb) == 0);
	zsock_destroy(&push);
	linebuf_destroy(&lb);
	got_reset(&g);
}

int
main(void)
{
	char dir[] = "/tmp/test_linebuf.XXXXXX";
	char path[600];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		abort();
	test_split_reads();
	test_overlong();
	test_two_inputs();
	test_stop_early();
	test_file_and_errors(dir);
	test_fifo(dir);
	test_eintr();
	test_zmq_pull(dir);
	test_zmq_sub(dir);
	test_idle_flush();
	test_chain();
	snprintf(path, sizeof(path), "%s/f.ndjson", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub.ipc", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/pull.ipc", dir);
	unlink(path);
	rmdir(dir);
	return unit_done("linebuf");
}
