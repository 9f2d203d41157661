/* test_sink.c - unit tests for common/sink.c, sinkzmq.c and sinkntop.c
 * (include/sink.h); nats:// sinks need a server and are tested in
 * tests/cli/nats.bats. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <czmq.h>

#include "chain.h"
#include "ntophdr.h"
#include "ntopmsg.h"
#include "tlv.h"
#include "sig.h"
#include "sink.h"
#include "unit.h"
#include "xalloc.h"

static char dir[] = "/tmp/test_sink.XXXXXX";

static int
wstr(struct sink *s, const char *rec)
{
	return sink_write(s, rec, strlen(rec));
}

static void
test_file(void)
{
	char path[600], spec[640], err[256], buf[4096];
	struct sink *s;
	struct stat sb;
	char *big;
	int i, fails;

	snprintf(path, sizeof(path), "%s/out.ndjson", dir);
	s = sink_open(path, NULL, err, sizeof(err));
	CHECK(s != NULL);
	CHECK_STR(sink_name(s), path);
	CHECK(wstr(s, "{\"a\":1}") == 0);
	CHECK(wstr(s, "{\"b\":2}") == 0);
	CHECK(sink_write(s, "{\"c\":3}xyz", 7) == 0);
	/* Block-buffered: nothing on disk before a flush. */
	CHECK(unit_slurp(path, buf, sizeof(buf)) == 0);
	CHECK(sink_written(s) == 3);
	CHECK(sink_dropped(s) == 0);
	CHECK(sink_close(&s) == 0);
	CHECK(s == NULL);
	CHECK(unit_slurp(path, buf, sizeof(buf)) == 24);
	CHECK_STR(buf, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");

	/* "+PATH" appends, PATH truncates. */
	snprintf(spec, sizeof(spec), "+%s", path);
	s = sink_open(spec, NULL, err, sizeof(err));
	CHECK(s != NULL);
	CHECK(wstr(s, "{\"d\":4}") == 0);
	CHECK(sink_flush(s) == 0);
	CHECK(sink_close(&s) == 0);
	unit_slurp(path, buf, sizeof(buf));
	CHECK_STR(buf, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n{\"d\":4}\n");
	s = sink_open(path, NULL, err, sizeof(err));
	CHECK(s != NULL);
	CHECK(wstr(s, "{\"e\":5}") == 0);
	CHECK(sink_close(&s) == 0);
	unit_slurp(path, buf, sizeof(buf));
	CHECK_STR(buf, "{\"e\":5}\n");

	/* Records across buffer boundaries and one larger than the buffer. */
	big = malloc(300001);
	if (big == NULL)
		abort();
	memset(big, 'x', 300000);
	big[300000] = '\0';
	s = sink_open(path, NULL, err, sizeof(err));
	for (i = 0, fails = 0; i < 5000; i++)
		fails += wstr(s, "0123456789012345678901234567890123456789"
		    "01234567890123456789012345678901234567890123456789") != 0;
	CHECK(fails == 0);
	CHECK(wstr(s, big) == 0);
	CHECK(wstr(s, "end") == 0);
	CHECK(sink_written(s) == 5002);
	CHECK(sink_close(&s) == 0);
	CHECK(stat(path, &sb) == 0 && sb.st_size == 5000 * 91 + 300001 + 4);
	free(big);
	unlink(path);
}

/* sink_writev writes what sink_write writes of the parts joined: into a
 * file sink's buffer across its boundaries, past its size, line-buffered,
 * and through a sink of another kind. */
static void
test_writev(void)
{
	static const char *const sp[] = { "{\"_from\":", "\"z\"", ",",
	    "\"a\":1,\"_iface\":", "\"eth0\"", ",\"b\":2}" };
	char path[600], path2[600], err[256], *big, *want, *got;
	struct sink_part v[6];
	struct sink_opts lo;
	struct sink *s, *s2;
	zsock_t *pull;
	size_t k, wlen;
	int i, fails = 0;

	for (k = 0; k < 6; k++) {
		v[k].p = sp[k];
		v[k].n = strlen(sp[k]);
	}
	big = malloc(300001);
	want = malloc(1200000);
	got = malloc(1200000);
	if (big == NULL || want == NULL || got == NULL)
		abort();
	memset(big, 'y', 300000);
	snprintf(path, sizeof(path), "%s/v.ndjson", dir);
	snprintf(path2, sizeof(path2), "%s/w.ndjson", dir);
	s = sink_open(path, NULL, err, sizeof(err));
	s2 = sink_open(path2, NULL, err, sizeof(err));
	CHECK(s != NULL && s2 != NULL);
	for (i = 0; i < 8000; i++) {
		struct sink_part b[3] = { { "[", 1 }, { big, (size_t)i * 37 },
		    { "]", 1 } };
		const struct sink_part *pv = i % 2 ? v : b;
		size_t np = i % 2 ? 6 : 3;

		if (i % 1000 == 998)
			b[1].n = 300000;	/* past the buffer */
		if (i % 1000 == 500)
			np = 0;			/* nothing at all */
		fails += sink_writev(s, pv, np) != 0;
		for (wlen = 0, k = 0; k < np; k++) {
			memcpy(want + wlen, pv[k].p, pv[k].n);
			wlen += pv[k].n;
		}
		fails += sink_write(s2, want, wlen) != 0;
	}
	CHECK(fails == 0);
	CHECK(sink_written(s) == sink_written(s2));
	CHECK(sink_close(&s) == 0 && sink_close(&s2) == 0);
	{
		FILE *a = fopen(path, "r"), *b = fopen(path2, "r");
		size_t na = 0, nb = 0;
		int same = a != NULL && b != NULL;

		while (same) {
			na = fread(got, 1, 65536, a);
			nb = fread(want, 1, 65536, b);
			if (na != nb || memcmp(got, want, na) != 0)
				same = 0;
			if (na == 0)
				break;
		}
		CHECK(same);
		if (a != NULL)
			fclose(a);
		if (b != NULL)
			fclose(b);
	}
	/* Line-buffered: on disk at once. */
	memset(&lo, 0, sizeof(lo));
	lo.line_buffered = true;
	s = sink_open(path, &lo, err, sizeof(err));
	CHECK(sink_writev(s, v, 6) == 0);
	CHECK(unit_slurp(path, got, 4096) == 42);
	CHECK_STR(got, "{\"_from\":\"z\",\"a\":1,\"_iface\":\"eth0\",\"b\":2}\n");
	CHECK(sink_close(&s) == 0);
	/* Another kind of sink gets the parts joined. */
	s = sink_open("push:@inproc://sktest-writev", NULL, err, sizeof(err));
	CHECK(s != NULL);
	pull = zsock_new_pull(">inproc://sktest-writev");
	zsock_set_rcvtimeo(pull, 2000);
	CHECK(sink_writev(s, v, 6) == 0);
	{
		char *str = zstr_recv(pull);

		CHECK_STR(str, "{\"_from\":\"z\",\"a\":1,\"_iface\":\"eth0\",\"b\":2}");
		zstr_free(&str);
	}
	CHECK(sink_close(&s) == 0);
	zsock_destroy(&pull);
	unlink(path);
	unlink(path2);
	free(big);
	free(want);
	free(got);
}

static void
test_errors(void)
{
	char err[256];
	struct sink_opts o;
	struct sink *bad;
	int saved;

	err[0] = '\0';
	CHECK(sink_open("/nonexistent/dir/f", NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "/nonexistent/dir/f: No such file or directory");
	CHECK(sink_open("+", NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "+: no file name");
	CHECK(sink_open("zmq:", NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "zmq:: no endpoint");
	CHECK(sink_open("ntop:@bogus://x", NULL, err, sizeof(err)) == NULL);
	CHECK(strncmp(err, "ntop:@bogus://x: ", 17) == 0);
	/* No stdout at all. */
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	close(STDOUT_FILENO);
	bad = sink_open("-", NULL, err, sizeof(err));
	dup2(saved, STDOUT_FILENO);
	close(saved);
	CHECK(bad == NULL);
	CHECK_STR(err, "stdout: Bad file descriptor");
	memset(&o, 0, sizeof(o));
	o.curve_serverkey = "tooshort";
	CHECK(sink_open("zmq:@inproc://sktest-curve", &o, err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "zmq:@inproc://sktest-curve: ") == err);
}

static void
test_fifo_epipe(void)
{
	char path[600], err[256], buf[64];
	struct sink_opts o;
	struct sink *s;
	int rfd;

	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) == -1)
		abort();
	rfd = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(rfd >= 0);
	memset(&o, 0, sizeof(o));
	o.line_buffered = true;
	s = sink_open(path, &o, err, sizeof(err));
	CHECK(s != NULL);
	/* Line-buffered: each record reaches the reader at once. */
	CHECK(wstr(s, "{\"x\":1}") == 0);
	CHECK(read(rfd, buf, sizeof(buf)) == 8);
	CHECK(memcmp(buf, "{\"x\":1}\n", 8) == 0);
	/* The reader goes away: EPIPE, remembered until the close. */
	close(rfd);
	errno = 0;
	CHECK(wstr(s, "{\"x\":2}") == -1);
	CHECK(errno == EPIPE);
	errno = 0;
	CHECK(wstr(s, "{\"x\":3}") == -1);
	CHECK(errno == EPIPE);
	CHECK(sink_flush(s) == -1);
	CHECK(sink_written(s) == 1);
	errno = 0;
	CHECK(sink_close(&s) == -1);
	CHECK(errno == EPIPE);
	unlink(path);
}

/* Publishes probe records until sub receives one (the slow joiner), then
 * empties sub. */
static void
join(struct sink *s, zsock_t *sub)
{
	zmsg_t *m;
	int i, got = 0;

	zsock_set_rcvtimeo(sub, 20);
	for (i = 0; i < 200 && !got; i++) {
		CHECK(wstr(s, "{\"_topic\":\"hello\",\"probe\":1}") == 0);
		if ((m = zmsg_recv(sub)) != NULL) {
			got = 1;
			zmsg_destroy(&m);
		}
	}
	CHECK(got);
	while ((m = zmsg_recv(sub)) != NULL)
		zmsg_destroy(&m);
	zsock_set_rcvtimeo(sub, 2000);
}

static void
test_push(void)
{
	char err[256], *str;
	struct sink *s;
	zsock_t *pull;
	int i;

	s = sink_open("push:@inproc://sktest-push", NULL, err, sizeof(err));
	CHECK(s != NULL);
	pull = zsock_new_pull(">inproc://sktest-push");
	zsock_set_rcvtimeo(pull, 2000);
	for (i = 0; i < 3; i++)
		CHECK(wstr(s, i == 1 ? "{\"_topic\":\"flow\",\"k\":1}" :
		    "{\"k\":0}") == 0);
	str = zstr_recv(pull);
	CHECK_STR(str, "{\"k\":0}");
	zstr_free(&str);
	str = zstr_recv(pull);
	CHECK_STR(str, "{\"_topic\":\"flow\",\"k\":1}");	/* as written */
	zstr_free(&str);
	str = zstr_recv(pull);
	CHECK_STR(str, "{\"k\":0}");
	zstr_free(&str);
	CHECK(sink_written(s) == 3);
	CHECK(sink_close(&s) == 0);
	zsock_destroy(&pull);
}

/* sink_write() and sink_writev(): 0 for a record written, 1 for one a
 * full ZMQ sink dropped, -1 once a sink failed. */
static void
test_put(void)
{
	static const struct sink_part v[3] = { { "{\"a\":", 5 },
	    { "1", 1 }, { "}", 1 } };
	char path[600], spec[640], err[256], buf[256];
	struct sink_opts o;
	struct sink *s;

	snprintf(path, sizeof(path), "%s/put.ndjson", dir);
	s = sink_open(path, NULL, err, sizeof(err));
	CHECK(s != NULL);
	CHECK(sink_write(s, "{\"p\":0}", 7) == 0);
	CHECK(sink_writev(s, v, 3) == 0);
	CHECK(sink_written(s) == 2 && sink_dropped(s) == 0);
	CHECK(sink_close(&s) == 0);
	CHECK(unit_slurp(path, buf, sizeof(buf)) == 16);
	CHECK_STR(buf, "{\"p\":0}\n{\"a\":1}\n");

	memset(&o, 0, sizeof(o));
	o.drop_when_full = true;
	snprintf(spec, sizeof(spec), "push:@ipc://%s/putdrop.ipc", dir);
	s = sink_open(spec, &o, err, sizeof(err));
	CHECK(s != NULL);
	CHECK(sink_write(s, "{}", 2) == 1);
	CHECK(sink_writev(s, v, 3) == 1);
	CHECK(sink_dropped(s) == 2 && sink_written(s) == 0);
	CHECK(sink_close(&s) == 0);

	/* A file sink that failed: -1 from then on. */
	s = sink_open("/dev/full", NULL, err, sizeof(err));
	CHECK(s != NULL);
	CHECK(sink_write(s, "{}", 2) == 0);
	CHECK(sink_flush(s) == -1);
	CHECK(sink_write(s, "{}", 2) == -1);
	CHECK(sink_writev(s, v, 3) == -1);
	sink_close(&s);
}

static void
test_drop_when_full(void)
{
	char err[256], spec[640];
	struct sink_opts o;
	struct sink *s;
	zsock_t *sub;
	zmsg_t *m;
	uint64_t got = 0;
	int i, fails;

	/* A PUSH with no peer at all: every record dropped, counted (ipc://
	 * here: on inproc:// the close would wait to send an end marker). */
	memset(&o, 0, sizeof(o));
	o.drop_when_full = true;
	snprintf(spec, sizeof(spec), "push:@ipc://%s/drop.ipc", dir);
	s = sink_open(spec, &o, err, sizeof(err));
	CHECK(s != NULL);
	for (i = 0; i < 5; i++)
		CHECK(wstr(s, "{}") == 1);
	CHECK(sink_dropped(s) == 5);
	CHECK(sink_written(s) == 0);
	CHECK(sink_close(&s) == 0);

	/* A PUB whose subscriber does not read: what is not received was
	 * counted as dropped, nothing vanished silently. */
	o.sndhwm = 10;
	s = sink_open("zmq:@inproc://sktest-pubdrop", &o, err, sizeof(err));
	CHECK(s != NULL);
	sub = zsock_new(ZMQ_SUB);
	zsock_set_rcvhwm(sub, 10);
	zsock_set_subscribe(sub, "");
	zsock_connect(sub, "inproc://sktest-pubdrop");
	join(s, sub);
	o.sndhwm = 0;
	for (i = 0, fails = 0; i < 1000; i++)
		fails += wstr(s, "{\"n\":1}") < 0;
	CHECK(fails == 0);
	zsock_set_rcvtimeo(sub, 100);
	while ((m = zmsg_recv(sub)) != NULL) {
		got++;
		zmsg_destroy(&m);
	}
	CHECK(sink_dropped(s) > 0);
	CHECK(got + sink_dropped(s) == 1000);
	CHECK(sink_close(&s) == 0);
	zsock_destroy(&sub);
}

struct reader {
	zsock_t	*sub;
	int	 got;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	char *str;

	zsock_set_rcvtimeo(r->sub, 3000);
	while ((str = zstr_recv(r->sub)) != NULL) {
		if (strcmp(str, "{\"end\":1}") == 0) {
			zstr_free(&str);
			break;
		}
		if (strcmp(str, "{\"n\":1}") == 0)
			r->got++;
		zstr_free(&str);
	}
	return NULL;
}

/* Connects r->sub 200 ms late, then reads like reader_main. */
static void *
late_sub_main(void *arg)
{
	struct reader *r = arg;

	zclock_sleep(200);
	zsock_connect(r->sub, "inproc://sktest-nosub-wait");
	return reader_main(arg);
}

static void
test_pub_blocks(void)
{
	char err[256];
	struct sink_opts o;
	struct reader r;
	struct sink *s;
	pthread_t t;
	int i, fails;

	/* Without drop_when_full a slow subscriber slows the PUB down, and
	 * gets every record (ZMQ_XPUB_NODROP). */
	memset(&o, 0, sizeof(o));
	o.sndhwm = 5;
	s = sink_open("zmq:@inproc://sktest-block", &o, err, sizeof(err));
	CHECK(s != NULL);
	r.sub = zsock_new(ZMQ_SUB);
	r.got = 0;
	zsock_set_rcvhwm(r.sub, 5);
	zsock_set_subscribe(r.sub, "");
	zsock_connect(r.sub, "inproc://sktest-block");
	join(s, r.sub);
	pthread_create(&t, NULL, reader_main, &r);
	for (i = 0, fails = 0; i < 20000; i++)
		fails += wstr(s, "{\"n\":1}") != 0;
	CHECK(fails == 0);
	CHECK(wstr(s, "{\"end\":1}") == 0);
	pthread_join(t, NULL);
	CHECK(r.got == 20000);
	CHECK(sink_dropped(s) == 0);
	CHECK(sink_close(&s) == 0);
	zsock_destroy(&r.sub);
}

/* Receives one two-frame ntop message: the header bytes and the payload. */
static int
recv_ntop(zsock_t *sub, uint8_t *hdr, size_t *hlen, char *pl, size_t plsz)
{
	zmsg_t *m = zmsg_recv(sub);
	zframe_t *h, *p;
	int ok = 0;

	if (m == NULL)
		return 0;
	if (zmsg_size(m) == 2) {
		h = zmsg_first(m);
		p = zmsg_next(m);
		*hlen = zframe_size(h);
		if (*hlen <= NTOPHDR_MAXSIZE && zframe_size(p) < plsz) {
			memcpy(hdr, zframe_data(h), *hlen);
			memcpy(pl, zframe_data(p), zframe_size(p));
			pl[zframe_size(p)] = '\0';
			ok = 1;
		}
	}
	zmsg_destroy(&m);
	return ok;
}

/* ntop-tlv: sinks: the header says TLV, the payload decodes (tlv.h) to
 * the record with ids for names; a counter goes without an end mark. */
static void
test_ntop_tlv(void)
{
	static const struct {
		const char	*spec;
		size_t		 hlen;
		int		 version, flags;
	} kinds[] = {
		{ "ntop-tlv:@inproc://sktest-tlv1", 24, 3, 0 },
		{ "ntop-tlv/28:@inproc://sktest-tlv2", 28, 3, 0 },
		{ "ntop-tlv/36:@inproc://sktest-tlv3", 36, 4, NTOPHDR_FLAG_TLV },
		{ "ntop-tlv/36z:@inproc://sktest-tlv4", 36, 4,
		    NTOPHDR_FLAG_TLV | NTOPHDR_FLAG_ZLIB },
	};
	char err[256];
	size_t k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct ntopmsg *m = ntopmsg_new(1 << 20);
		const struct record *r;
		struct ntophdr h;
		struct sink *s;
		zsock_t *sub;
		zmsg_t *msg;
		zframe_t *hf, *pf;

		s = sink_open(kinds[k].spec, NULL, err, sizeof(err));
		CHECK(s != NULL);
		if (s == NULL)
			continue;
		/* The endpoint after '@', connected (a SUB's default). */
		sub = zsock_new_sub(strchr(kinds[k].spec, '@') + 1, "");
		join(s, sub);
		CHECK(wstr(s, "{\"_topic\":\"flow\",\"IN_BYTES\":300,"
		    "\"X\":\"y\"}") == 0);
		msg = zmsg_recv(sub);
		CHECK(msg != NULL && zmsg_size(msg) == 2);
		if (msg != NULL && zmsg_size(msg) == 2) {
			hf = zmsg_first(msg);
			pf = zmsg_next(msg);
			CHECK(zframe_size(hf) == kinds[k].hlen);
			CHECK(ntophdr_decode(zframe_data(hf), zframe_size(hf),
			    &h) == NTOPHDR_OK);
			CHECK((int)h.version == kinds[k].version);
			CHECK(h.flags == kinds[k].flags);
			CHECK(ntopmsg_decode(m, &h, zframe_data(pf),
			    zframe_size(pf)) == NTOPMSG_OK);
			r = ntopmsg_next(m);
			CHECK(r != NULL && r->len == 17 &&
			    memcmp(r->text, "{\"1\":300,\"X\":\"y\"}", 17) == 0);
			CHECK(ntopmsg_tlv(m)->err == TLV_END);
		}
		zmsg_destroy(&msg);
		sink_close(&s);
		zsock_destroy(&sub);
		ntopmsg_destroy(&m);
	}
	CHECK(sink_open("ntop-tlv/99:@inproc://x", NULL, err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "24, 28, 36 or 36z") != NULL);
}

static void
test_ntop(void)
{
	char err[256], pl[4096], rec[4096];
	uint8_t hdr[NTOPHDR_MAXSIZE], want[24];
	struct sink_opts o;
	struct ntophdr h;
	struct sink *s;
	zsock_t *sub;
	uint32_t id0;
	size_t hlen, n;
	int i;

	memset(&o, 0, sizeof(o));
	o.source_id = 7;
	s = sink_open("ntop:@inproc://sktest-ntop", &o, err, sizeof(err));
	CHECK(s != NULL);
	sub = zsock_new_sub(">inproc://sktest-ntop", "");
	join(s, sub);

	CHECK(wstr(s, "{\"_topic\":\"counter\",\"_iface\":\"x\",\"A\":1}")
	    == 0);
	CHECK(recv_ntop(sub, hdr, &hlen, pl, sizeof(pl)));
	CHECK(hlen == 24);
	CHECK_STR(pl, "{\"A\":1}");
	CHECK(ntophdr_decode(hdr, hlen, &h) == NTOPHDR_OK);
	CHECK_STR(h.topic, "counter");
	CHECK(h.version == 2);
	CHECK(h.source_id == 7);
	id0 = h.msg_id;
	CHECK(id0 >= 2);	/* the probes of join() came first */
	/* The header, byte for byte: topic NUL-padded to 16 bytes, version
	 * 2, source_id, size (u16, host order), msg_id big-endian. */
	memset(want, 0, sizeof(want));
	memcpy(want, "counter", 7);
	want[16] = 2;
	want[17] = 7;
	n = 7;
	memcpy(want + 18, &(uint16_t){ (uint16_t)n }, 2);
	want[20] = (uint8_t)(id0 >> 24);
	want[21] = (uint8_t)(id0 >> 16);
	want[22] = (uint8_t)(id0 >> 8);
	want[23] = (uint8_t)id0;
	CHECK(memcmp(hdr, want, 24) == 0);

	/* No "_" keys and compact: sent as is, topic "flow". */
	CHECK(wstr(s, "{\"B\":[1,{\"_n\":2}],\"c\":\"_\"}") == 0);
	CHECK(recv_ntop(sub, hdr, &hlen, pl, sizeof(pl)));
	CHECK_STR(pl, "{\"B\":[1,{\"_n\":2}],\"c\":\"_\"}");
	CHECK(ntophdr_decode(hdr, hlen, &h) == NTOPHDR_OK);
	CHECK_STR(h.topic, "flow");
	CHECK(h.msg_id == id0 + 1);

	/* White space goes; a topic too long for the header means "flow". */
	CHECK(wstr(s, " { \"C\" : 3 , \"_x\" : 1 ,\"_topic\":"
	    "\"abcdefghijklmnopq\"} ") == 0);
	CHECK(recv_ntop(sub, hdr, &hlen, pl, sizeof(pl)));
	CHECK_STR(pl, "{\"C\":3}");
	CHECK(ntophdr_decode(hdr, hlen, &h) == NTOPHDR_OK);
	CHECK_STR(h.topic, "flow");

	/* Not a JSON object: dropped and counted, msg_id not used. */
	CHECK(wstr(s, "{\"broken\":") == 1);
	CHECK(sink_dropped(s) == 1);

	/* More "_" keys than record_write takes at once, repeated ones. */
	n = (size_t)snprintf(rec, sizeof(rec), "{\"_topic\":\"listening-ports\"");
	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(rec + n, sizeof(rec) - n,
		    ",\"_k%d\":%d,\"v%d\":%d", i, i, i, i);
	snprintf(rec + n, sizeof(rec) - n, ",\"_k3\":0}");
	CHECK(wstr(s, rec) == 0);
	CHECK(recv_ntop(sub, hdr, &hlen, pl, sizeof(pl)));
	n = (size_t)snprintf(rec, sizeof(rec), "{");
	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(rec + n, sizeof(rec) - n,
		    "%s\"v%d\":%d", i ? "," : "", i, i);
	snprintf(rec + n, sizeof(rec) - n, "}");
	CHECK_STR(pl, rec);
	CHECK(ntophdr_decode(hdr, hlen, &h) == NTOPHDR_OK);
	CHECK_STR(h.topic, "listening-ports");
	CHECK(h.msg_id == id0 + 3);

	CHECK(sink_close(&s) == 0);
	zsock_destroy(&sub);
}

/* push-lines: joins records with their newlines into one message until
 * a flush (sink_flush, sink_flush_idle, close); under -l each record goes
 * at once; one larger than a batch goes alone, without its newline. */
static void
test_lines(void)
{
	struct sink_opts o;
	char err[256], *str, *big;
	struct sink *s;
	zsock_t *pull;

	s = sink_open("push-lines:@inproc://sktest-lines", NULL, err,
	    sizeof(err));
	CHECK(s != NULL);
	pull = zsock_new_pull(">inproc://sktest-lines");
	zsock_set_rcvtimeo(pull, 2000);
	CHECK(wstr(s, "{\"a\":1}") == 0);
	CHECK(wstr(s, "{\"b\":2}") == 0);
	CHECK(sink_idle_pending());
	CHECK(sink_flush_idle() == 0);
	CHECK(!sink_idle_pending());
	CHECK(sink_written(s) == 2);
	str = zstr_recv(pull);
	CHECK_STR(str, "{\"a\":1}\n{\"b\":2}\n");
	zstr_free(&str);
	big = xcalloc(1, 20001);
	memset(big, 'x', 20000);
	CHECK(wstr(s, "{}") == 0);
	CHECK(wstr(s, big) == 0);
	str = zstr_recv(pull);
	CHECK_STR(str, "{}\n");
	zstr_free(&str);
	str = zstr_recv(pull);
	CHECK(str != NULL && strcmp(str, big) == 0);
	zstr_free(&str);
	free(big);
	CHECK(wstr(s, "{\"c\":3}") == 0);
	CHECK(sink_flush(s) == 0);
	str = zstr_recv(pull);
	CHECK_STR(str, "{\"c\":3}\n");
	zstr_free(&str);
	CHECK(sink_written(s) == 5);
	CHECK(sink_close(&s) == 0);
	CHECK(!sink_idle_pending());
	str = zstr_recv(pull);		/* the end marker of inproc:// */
	CHECK_STR(str, "");
	zstr_free(&str);

	memset(&o, 0, sizeof(o));
	o.line_buffered = true;
	s = sink_open("push-lines:@inproc://sktest-lines-l", &o, err,
	    sizeof(err));
	CHECK(s != NULL);
	zsock_connect(pull, "inproc://sktest-lines-l");
	CHECK(wstr(s, "{\"d\":4}") == 0);
	CHECK(!sink_idle_pending());
	str = zstr_recv(pull);
	CHECK_STR(str, "{\"d\":4}\n");
	zstr_free(&str);
	CHECK(sink_close(&s) == 0);
	zsock_destroy(&pull);
}

static void
test_chain(void)
{
	struct chain_env env = { NULL, "push:@inproc://sktest-chain", NULL,
	    NULL };
	char err[256], *str;
	struct sink *s;
	zsock_t *pull;

	/* In a chained stage's thread "-" is the neighbour's socket, which
	 * sends records in batches of lines, and closing it sends the empty
	 * message that ends the stream. */
	chain_set(&env);
	s = sink_open("-", NULL, err, sizeof(err));
	chain_set(NULL);
	CHECK(s != NULL);
	CHECK_STR(sink_name(s), "push:@inproc://sktest-chain");
	pull = zsock_new_pull(">inproc://sktest-chain");
	zsock_set_rcvtimeo(pull, 2000);
	CHECK(wstr(s, "{\"a\":1}") == 0);
	CHECK(wstr(s, "") == 0);
	CHECK(wstr(s, "{\"b\":2}") == 0);
	CHECK(sink_written(s) == 0);	/* not yet sent */
	CHECK(sink_close(&s) == 0);
	str = zstr_recv(pull);
	CHECK_STR(str, "{\"a\":1}\n\n{\"b\":2}\n");
	zstr_free(&str);
	str = zstr_recv(pull);
	CHECK_STR(str, "");
	zstr_free(&str);
	zsock_destroy(&pull);
}

/* A zmq: sink with no subscriber yet: without drop_when_full the first
 * record waits for one (the PUB "slow joiner" would otherwise swallow it
 * in silence); with it, records are dropped and counted; after a stop
 * request a waiting send gives up, counted as lost. */
static void
test_no_subscriber(void)
{
	char err[256];
	struct sink_opts o;
	struct reader r = { NULL, 0 };
	struct sink *s;
	pthread_t t;
	int i;

	memset(&o, 0, sizeof(o));
	o.drop_when_full = true;
	s = sink_open("zmq:@inproc://sktest-nosub-drop", &o, err, sizeof(err));
	CHECK(s != NULL);
	for (i = 0; i < 3; i++)
		CHECK(wstr(s, "{\"n\":1}") == 1);
	CHECK(sink_dropped(s) == 3 && sink_written(s) == 0);
	CHECK(sink_close(&s) == 0);

	s = sink_open("zmq:@inproc://sktest-nosub-wait", NULL, err, sizeof(err));
	CHECK(s != NULL);
	/* The subscriber comes 200 ms later, from another thread; every
	 * record written before it came still reaches it. */
	r.sub = zsock_new(ZMQ_SUB);
	zsock_set_subscribe(r.sub, "");
	CHECK(pthread_create(&t, NULL, late_sub_main, &r) == 0);
	for (i = 0; i < 5; i++)
		CHECK(wstr(s, "{\"n\":1}") == 0);
	CHECK(wstr(s, "{\"end\":1}") == 0);
	pthread_join(t, NULL);
	CHECK(r.got == 5);
	CHECK(sink_dropped(s) == 0 && sink_written(s) == 6);
	CHECK(sink_close(&s) == 0);
	zsock_destroy(&r.sub);

	s = sink_open("ntop:@inproc://sktest-nosub-stop", NULL, err,
	    sizeof(err));
	CHECK(s != NULL);
	sig_stop = 1;
	errno = 0;
	CHECK(wstr(s, "{\"a\":1}") == -1);
	CHECK(errno == EAGAIN);
	sig_stop = 0;
	CHECK(sink_close(&s) == -1);
}

static void
test_stop_timeout(void)
{
	char err[256];
	struct sink *s;

	/* A PUSH with no peer blocks; once a stop is asked for, a send gives
	 * up after the linger time and the record counts as lost. */
	s = sink_open("push:@inproc://sktest-stop", NULL, err, sizeof(err));
	CHECK(s != NULL);
	sig_stop = 1;
	errno = 0;
	CHECK(wstr(s, "{}") == -1);
	CHECK(errno == EAGAIN);
	sig_stop = 0;
	CHECK(sink_close(&s) == -1);
}

int
main(void)
{
	char path[600];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		abort();
	test_file();
	test_writev();
	test_errors();
	test_fifo_epipe();
	test_push();
	test_drop_when_full();
	test_put();
	test_pub_blocks();
	test_ntop();
	test_ntop_tlv();
	test_chain();
	test_lines();
	test_no_subscriber();
	test_stop_timeout();
	snprintf(path, sizeof(path), "%s/drop.ipc", dir);
	unlink(path);
	rmdir(dir);
	return unit_done("sink");
}
