/* emit.c - the ev-emit core (include/emit.h): NDJSON events to ntop ZMQ
 * messages. Format: doc/wire-format.md "Messages"; the tool: man/ev-emit.1.
 *
 * Everything is loaded and encoded before sending, so the send loop only
 * writes each message's header (its msg_id changes) and hands the frames
 * to libzmq. The socket is an XPUB with ZMQ_XPUB_NODROP: it sees the
 * subscriptions (so it can wait for the collector instead of losing the
 * first messages to the "slow joiner") and it blocks instead of dropping
 * when a subscriber's queue is full.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "curve.h"
#include "emit.h"
#include "evkeys.h"
#include "ntopmsg.h"
#include "ntopout.h"
#include "record.h"
#include "sbuf.h"
#include "tlv.h"
#include "zio.h"

/* ebpflowexport's second message: a raw C struct of this size. */
#define EMIT_EBPF_SIZE	288

/* One frame of a message: bytes, or a header made at send time for the
 * frame after it. */
struct frame {
	uint8_t		*p;
	size_t		 len;
	bool		 hdr;
	char		 topic[33];
	uint32_t	 usize;		/* uncompressed size of the next frame */
};

struct emsg {
	struct frame	*f;
	size_t		 nf;
};

struct emit {
	struct emit_conf c;
	struct stats	*st;
	uint64_t	*c_msgs, *c_events, *c_bytes, *c_bad, *c_ebpf;
	void		*ctx;
	bool		 ownctx;
	void		*sock;
	struct emsg	*m;
	size_t		 nm, mcap;
	/* The batch being built. */
	struct sbuf	 batch;
	unsigned	 nbatch;
	char		 btopic[33];
	struct record	 rec;
	struct sbuf	 tmp;
	uint8_t		 ebpf[EMIT_EBPF_SIZE];
	/* Subscriptions read from the XPUB socket; a PUB drops what it sends
	 * while none is there, so none at all means nothing was delivered. */
	char		 subs[64][33];
	size_t		 nsubs;
};

static double
emit_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
emit_topicmax(const struct emit *e)
{
	return e->c.layout == NTOPHDR_V0 ? 31 : 15;
}

/* Why c cannot send TLV, or NULL when it can (or does not ask to). */
static const char *
emit_tlv_check(const struct emit_conf *c)
{
	if (!c->tlv)
		return NULL;
	/* Version 3 of the short headers says TLV, never zlib. */
	if (c->zlib && c->layout != NTOPHDR_V3)
		return "compressed TLV needs the 36-byte header (-H 3)";
	if (c->layout == NTOPHDR_V0)
		return "TLV needs a header with a version (-H 1, 2 or 3)";
	return NULL;
}

/* The XPUB socket of e, its options and CURVE keys, bound or connected
 * to the endpoint (connected when it ends in 'c'). Returns 0, or -1 with
 * a message in errbuf. */
static int
emit_open(struct emit *e, char *errbuf, size_t errsz)
{
	const struct emit_conf *c = &e->c;
	char *url;
	size_t len;
	int one = 1, hwm = 100000, rc;
	bool conn;

	len = strlen(c->endpoint);
	conn = len > 0 && c->endpoint[len - 1] == 'c';
	if (zio_check_port(c->endpoint, conn ? len - 1 : len, errbuf,
	    errsz) == -1)
		return -1;
	if ((url = strndup(c->endpoint, conn ? len - 1 : len)) == NULL)
		err(1, "emit");
	if ((e->ctx = c->zctx) == NULL) {
		if ((e->ctx = zmq_ctx_new()) == NULL)
			err(1, "zmq_ctx_new");
		e->ownctx = true;
	}
	if ((e->sock = zmq_socket(e->ctx, ZMQ_XPUB)) == NULL)
		err(1, "zmq_socket");
	zmq_setsockopt(e->sock, ZMQ_XPUB_NODROP, &one, sizeof(one));
	zmq_setsockopt(e->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	if (c->curve_serverkey != NULL) {
		struct curve_keypair own;

		if (c->curve_pub != NULL && c->curve_sec != NULL) {
			snprintf(own.pub, sizeof(own.pub), "%s", c->curve_pub);
			snprintf(own.sec, sizeof(own.sec), "%s", c->curve_sec);
		}
		if (curve_client_setup(e->sock, c->curve_serverkey,
		    c->curve_pub != NULL && c->curve_sec != NULL ? &own :
		    NULL) != 0) {
			snprintf(errbuf, errsz, "CURVE set-up: %s",
			    zmq_strerror(errno));
			free(url);
			return -1;
		}
	}
	rc = conn ? zmq_connect(e->sock, url) : zmq_bind(e->sock, url);
	if (rc == -1) {
		snprintf(errbuf, errsz, "cannot %s %s: %s",
		    conn ? "connect" : "bind", url, zmq_strerror(errno));
		free(url);
		return -1;
	}
	free(url);
	return 0;
}

struct emit *
emit_new(const struct emit_conf *c, struct stats *st, char *errbuf,
    size_t errsz)
{
	const char *msg;
	struct emit *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		err(1, "emit");
	e->c = *c;
	if (e->c.version < 0)
		e->c.version = c->layout == NTOPHDR_V0 ? 0 :
		    c->layout == NTOPHDR_V3 ? 4 : c->tlv ? 3 : 2;
	if (e->c.batch == 0)
		e->c.batch = 1;
	if (e->c.topic == NULL)
		e->c.topic = "flow";
	e->st = st;
	e->c_msgs = stats_ctr(st, "messages");
	e->c_events = stats_ctr(st, "events");
	e->c_bytes = stats_ctr(st, "payload_bytes");
	e->c_ebpf = stats_ctr(st, "ebpf_messages");
	e->c_bad = stats_ctr(st, "malformed");
	record_init(&e->rec);
	if ((msg = emit_tlv_check(c)) != NULL) {
		snprintf(errbuf, errsz, "%s", msg);
		goto fail;
	}
	if (strlen(e->c.topic) > emit_topicmax(e)) {
		snprintf(errbuf, errsz, "topic '%s' is too long for the header",
		    e->c.topic);
		goto fail;
	}
	if (emit_open(e, errbuf, errsz) != 0)
		goto fail;
	/* A recognisable filler: the real struct holds host pointers. */
	memset(e->ebpf, 0xeb, sizeof(e->ebpf));
	return e;
fail:
	emit_destroy(&e);
	return NULL;
}

static struct emsg *
emit_newmsg(struct emit *e, size_t nf)
{
	struct emsg *m;

	if (e->nm == e->mcap) {
		size_t nc = e->mcap ? e->mcap * 2 : 64;

		if ((e->m = reallocarray(e->m, nc, sizeof(*e->m))) == NULL)
			err(1, "emit");
		e->mcap = nc;
	}
	m = &e->m[e->nm++];
	if ((m->f = calloc(nf, sizeof(*m->f))) == NULL)
		err(1, "emit");
	m->nf = nf;
	return m;
}

static uint8_t *
emit_dup(const void *p, size_t len)
{
	uint8_t *d;

	if ((d = malloc(len ? len : 1)) == NULL)
		err(1, "emit");
	memcpy(d, p, len);
	return d;
}

/* Sets frame f to payload p[0..len), compressed when asked. */
static void
emit_payload(struct emit *e, struct frame *hdr, struct frame *f,
    const void *p, size_t len)
{
	hdr->usize = (uint32_t)len;
	if (!e->c.zlib) {
		f->p = emit_dup(p, len);
		f->len = len;
		return;
	}
	sbuf_reset(&e->tmp);
	if (ntopmsg_deflate(&e->tmp, p, len, e->c.layout != NTOPHDR_V3,
	    6) == -1)
		errx(1, "zlib compression failed");
	f->p = emit_dup(e->tmp.p, e->tmp.len);
	f->len = e->tmp.len;
}

/* Turns the batch being built into a message. */
static void
emit_flush(struct emit *e)
{
	struct emsg *m;

	if (e->nbatch == 0)
		return;
	if ((e->c.batch > 1 || e->c.array) && !e->c.tlv)
		sbuf_addc(&e->batch, ']');
	m = emit_newmsg(e, 2);
	m->f[0].hdr = true;
	memcpy(m->f[0].topic, e->btopic, sizeof(e->btopic));
	emit_payload(e, &m->f[0], &m->f[1], e->batch.p, e->batch.len);
	sbuf_reset(&e->batch);
	e->nbatch = 0;
}

static void
emit_line(struct emit *e, const char *line, size_t len, const char *name,
    unsigned long lineno)
{
	const struct rec_field *t;
	char topic[64];
	int rc;

	if ((rc = record_parse(&e->rec, line, len)) != REC_OK) {
		if (rc == REC_EMPTY)
			return;
		stats_bad(e->st, e->c_bad, "malformed", "%s:%lu: %s", name,
		    lineno, record_errname(rc));
		return;
	}
	strcpy(topic, e->c.topic);
	if ((t = record_get(&e->rec, EVK_TOPIC)) != NULL &&
	    (rec_str(t, topic, sizeof(topic)) < 1 ||
	    strlen(topic) > emit_topicmax(e) || strlen(topic) != t->vlen - 2)) {
		stats_bad(e->st, e->c_bad, "malformed", "%s:%lu: unusable "
		    EVK_TOPIC, name, lineno);
		return;
	}
	if (e->nbatch > 0 && strcmp(topic, e->btopic) != 0)
		emit_flush(e);
	if (e->c.tlv) {
		/* nProbe's form: field names as ids, an end-of-record mark
		 * after each flow; a counter is one record without it. */
		if (e->nbatch == 0) {
			strcpy(e->btopic, topic);
			tlv_begin(&e->batch);
		}
		sbuf_reset(&e->tmp);
		ntopout_event(&e->tmp, &e->rec);
		if (record_parse(&e->rec, e->tmp.p, e->tmp.len) == REC_OK)
			tlv_encode(&e->batch, &e->rec,
			    strcmp(topic, "counter") != 0, TLV_ENC_IDS);
	} else {
		if (e->nbatch == 0) {
			strcpy(e->btopic, topic);
			if (e->c.batch > 1 || e->c.array)
				sbuf_addc(&e->batch, '[');
		} else
			sbuf_addc(&e->batch, ',');
		ntopout_event(&e->batch, &e->rec);
	}
	++*e->c_events;
	if (++e->nbatch >= e->c.batch)
		emit_flush(e);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads a whole file into a new buffer. */
static uint8_t *
emit_slurp(const char *path, size_t *len)
{
	struct sbuf b = { 0 };
	char chunk[65536];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sbuf_add(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	if (b.p == NULL)
		return emit_dup("", 0);
	return (uint8_t *)b.p;
}

/* Frames mode: a line is one message, its frames separated by blanks:
 * "h" or "h:TOPIC" (a header for the next frame), "x:HEX", "s:TEXT",
 * "f:PATH". -z compresses the frame after a header. */
static void
emit_frames(struct emit *e, char *line, const char *name,
    unsigned long lineno)
{
	char *tok, *save = NULL, *toks[64];
	struct emsg *m;
	size_t n = 0, i, k, len;
	uint8_t *p;
	int hi, lo;

	for (tok = strtok_r(line, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (n == sizeof(toks) / sizeof(toks[0])) {
			stats_bad(e->st, e->c_bad, "malformed", "%s:%lu: too "
			    "many frames", name, lineno);
			return;
		}
		toks[n++] = tok;
	}
	if (n == 0 || line[0] == '#')
		return;
	m = emit_newmsg(e, n);
	for (i = 0; i < n; i++) {
		struct frame *f = &m->f[i];

		tok = toks[i];
		if (tok[0] == 'h' && (tok[1] == '\0' || tok[1] == ':')) {
			f->hdr = true;
			snprintf(f->topic, sizeof(f->topic), "%s",
			    tok[1] ? tok + 2 : e->c.topic);
			continue;
		}
		if (strncmp(tok, "x:", 2) == 0) {
			len = strlen(tok + 2) / 2;
			if ((p = malloc(len ? len : 1)) == NULL)
				err(1, "emit");
			for (k = 0; k < len; k++) {
				hi = hexval((unsigned char)tok[2 + 2 * k]);
				lo = hexval((unsigned char)tok[3 + 2 * k]);
				if (hi < 0 || lo < 0)
					break;
				p[k] = (uint8_t)(hi << 4 | lo);
			}
			if (k < len || strlen(tok + 2) % 2) {
				free(p);
				goto bad;
			}
		} else if (strncmp(tok, "s:", 2) == 0) {
			len = strlen(tok + 2);
			p = emit_dup(tok + 2, len);
		} else if (strncmp(tok, "f:", 2) == 0) {
			if ((p = emit_slurp(tok + 2, &len)) == NULL) {
				warn("%s", tok + 2);
				goto bad;
			}
		} else
			goto bad;
		if (i > 0 && m->f[i - 1].hdr) {
			emit_payload(e, &m->f[i - 1], f, p, len);
			free(p);
		} else {
			f->p = p;
			f->len = len;
		}
	}
	return;
bad:
	stats_bad(e->st, e->c_bad, "malformed", "%s:%lu: bad frame '%s'", name,
	    lineno, tok);
	for (i = 0; i < m->nf; i++)
		free(m->f[i].p);
	free(m->f);
	e->nm--;
}

int
emit_load(struct emit *e, FILE *fp, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;

	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (e->c.frames)
			emit_frames(e, line, name, lineno);
		else
			emit_line(e, line, (size_t)n, name, lineno);
	}
	free(line);
	emit_flush(e);
	if (ferror(fp)) {
		warn("%s", name);
		return -1;
	}
	return 0;
}

int
emit_load_files(struct emit *e, char *const *names, size_t n)
{
	FILE *fp;
	size_t i;
	int rc = 0;

	if (n == 0)
		return emit_load(e, stdin, "-");
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "-") == 0) {
			rc |= emit_load(e, stdin, "-");
			continue;
		}
		if ((fp = fopen(names[i], "r")) == NULL) {
			warn("%s", names[i]);
			rc = -1;
			continue;
		}
		rc |= emit_load(e, fp, names[i]);
		fclose(fp);
	}
	return rc;
}

/* True when a subscription arrived and every collector topic to send is
 * covered by a subscription prefix (other topics, such as "ebpf", are
 * never subscribed by a collector: they cannot be waited for). */
static bool
emit_covered(const struct emit *e, char subs[][33], size_t nsubs)
{
	size_t i, j, k;

	for (i = 0; i < e->nm; i++)
		for (j = 0; j < e->m[i].nf; j++) {
			const char *t = e->m[i].f[j].topic;

			if (!e->m[i].f[j].hdr || !ntopmsg_topic_ok(t))
				continue;
			for (k = 0; k < nsubs; k++)
				if (strncmp(t, subs[k], strlen(subs[k])) == 0)
					break;
			if (k == nsubs)
				return false;
		}
	return nsubs > 0;
}

/* Reads the subscription messages waiting on the socket (one byte 1 and
 * the topic prefix; unsubscriptions start with 0 and are ignored). */
static void
emit_read_subs(struct emit *e)
{
	uint8_t buf[64];
	int n;

	while ((n = zmq_recv(e->sock, buf, sizeof(buf) - 1,
	    ZMQ_DONTWAIT)) > 0) {
		if (buf[0] != 1 || e->nsubs == 64)
			continue;
		n = n > 33 ? 33 : n;
		memcpy(e->subs[e->nsubs], buf + 1, (size_t)n - 1);
		e->subs[e->nsubs++][n - 1] = '\0';
	}
}

/* Reads subscriptions until the topics to send are covered, or the wait
 * time is over. */
static void
emit_wait(struct emit *e, volatile sig_atomic_t *stop)
{
	zmq_pollitem_t it = { e->sock, 0, ZMQ_POLLIN, 0 };
	double end = emit_now() + e->c.wait, left;

	while (!*stop && (left = end - emit_now()) > 0) {
		if (zmq_poll(&it, 1, (long)(left * 1000) + 1) <= 0)
			continue;
		emit_read_subs(e);
		if (emit_covered(e, e->subs, e->nsubs)) {
			/* Let the rest of this subscriber's set arrive. */
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			return;
		}
	}
	if (!*stop && e->c.wait > 0)
		warnx("%s after %.1f s: sending anyway", e->nsubs ?
		    "no subscriber for every topic" : "no subscriber",
		    e->c.wait);
}

/* Sends one frame. A payload that lives until the socket is gone (own
 * context, loaded data) goes without a copy. A signal stops the replay
 * only before the first frame of a message (first), never inside one.
 * Returns 0, 1 when stopped, or -1 on a socket error. */
static int
emit_send(struct emit *e, const void *p, size_t len, int more, bool first,
    bool nocopy, volatile sig_atomic_t *stop)
{
	zmq_msg_t msg;
	int ret = 0, flags = more ? ZMQ_SNDMORE : 0;

	if (nocopy && e->ownctx)
		zmq_msg_init_data(&msg, (void *)(uintptr_t)p, len, NULL, NULL);
	else {
		zmq_msg_init_size(&msg, len);
		memcpy(zmq_msg_data(&msg), p, len);
	}
	while (zmq_msg_send(&msg, e->sock, flags) == -1) {
		if (errno != EINTR && errno != EAGAIN) {
			warnx("zmq_send: %s", zmq_strerror(errno));
			ret = -1;
			break;
		}
		if (*stop && first) {
			ret = 1;
			break;
		}
	}
	/* A sent message belongs to libzmq; an unsent one is ours. */
	if (ret != 0)
		zmq_msg_close(&msg);
	return ret;
}

/* Waits, unless stopped, until sent messages are due at the rate. */
static void
emit_pace(const struct emit *e, double t0, uint64_t sent,
    volatile sig_atomic_t *stop)
{
	double due = t0 + sent / e->c.rate, now;

	while (!*stop && (now = emit_now()) < due) {
		struct timespec ts;
		double d = due - now;

		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

/* Encodes into hb the header of frame j of m (a header frame), numbered
 * msg_id, and returns its size. */
static size_t
emit_hdr(const struct emit *e, const struct emsg *m, size_t j,
    uint32_t msg_id, uint8_t *hb, size_t hbsz)
{
	struct ntophdr h;
	size_t next = j + 1 < m->nf ? m->f[j + 1].len : 0;

	memset(&h, 0, sizeof(h));
	h.layout = e->c.layout;
	memcpy(h.topic, m->f[j].topic, sizeof(h.topic));
	h.version = (uint32_t)e->c.version;
	h.flags = e->c.layout != NTOPHDR_V3 ? 0 : (e->c.zlib ?
	    NTOPHDR_FLAG_ZLIB : 0) | (e->c.tlv ? NTOPHDR_FLAG_TLV : 0);
	h.size = (uint32_t)next;
	h.uncompressed_size = m->f[j].usize;
	h.compressed_size = (uint32_t)next;
	h.msg_id = msg_id;
	h.source_id = e->c.source_id;
	return ntophdr_encode(&h, hb, hbsz);
}

/* Sends the frames of m, its header numbered msg_id; *had_hdr tells
 * whether it had one. Returns what emit_send() returns. */
static int
emit_msg(struct emit *e, const struct emsg *m, uint32_t msg_id,
    bool *had_hdr, volatile sig_atomic_t *stop)
{
	uint8_t hb[NTOPHDR_MAXSIZE];
	size_t j;
	int rc;

	*had_hdr = false;
	for (j = 0; j < m->nf; j++) {
		const void *p = m->f[j].p;
		size_t len = m->f[j].len;

		if (m->f[j].hdr) {
			len = emit_hdr(e, m, j, msg_id, hb, sizeof(hb));
			p = hb;
			*had_hdr = true;
		} else
			*e->c_bytes += len;
		rc = emit_send(e, p, len, j + 1 < m->nf, j == 0,
		    !m->f[j].hdr, stop);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Sends the eBPF message (-e): a v0 header and the filler struct. Returns
 * what emit_send() returns. */
static int
emit_ebpf(struct emit *e, volatile sig_atomic_t *stop)
{
	struct ntophdr h;
	uint8_t hb[NTOPHDR_MAXSIZE];
	size_t hl;
	int rc;

	memset(&h, 0, sizeof(h));
	h.layout = NTOPHDR_V0;
	strcpy(h.topic, "ebpf");
	h.size = EMIT_EBPF_SIZE;
	hl = ntophdr_encode(&h, hb, sizeof(hb));
	if ((rc = emit_send(e, hb, hl, 1, true, false, stop)) != 0 ||
	    (rc = emit_send(e, e->ebpf, sizeof(e->ebpf), 0, false, true,
	    stop)) != 0)
		return rc;
	++*e->c_ebpf;
	return 0;
}

/* Sends everything loaded, repeat times, until *stop; emit_run's loop. */
static int
emit_pass(struct emit *e, volatile sig_atomic_t *stop)
{
	uint32_t msg_id = e->c.first_msg_id;
	uint64_t pass, sent = 0;
	double t0;
	size_t i;
	int rc;

	t0 = emit_now();
	for (pass = 0; !*stop && (e->c.repeat == 0 || pass < e->c.repeat);
	    pass++) {
		for (i = 0; i < e->nm && !*stop; i++) {
			bool had_hdr;

			if (e->c.rate > 0)
				emit_pace(e, t0, sent, stop);
			if ((rc = emit_msg(e, &e->m[i], msg_id, &had_hdr,
			    stop)) != 0)
				return rc < 0 ? -1 : 0;
			++*e->c_msgs;
			sent++;
			if (had_hdr)
				msg_id += 1 + e->c.gap;
			if (e->c.ebpf && (rc = emit_ebpf(e, stop)) != 0)
				return rc < 0 ? -1 : 0;
		}
	}
	return 0;
}

int
emit_run(struct emit *e, volatile sig_atomic_t *stop)
{
	int rc;

	emit_wait(e, stop);
	rc = emit_pass(e, stop);
	emit_read_subs(e);
	if (rc == 0 && *e->c_msgs > 0 && e->nsubs == 0) {
		warnx("no subscriber: the %llu messages sent reached nobody",
		    (unsigned long long)*e->c_msgs);
		rc = -1;
	}
	return rc;
}

void
emit_destroy(struct emit **ep)
{
	struct emit *e = *ep;
	size_t i, j;
	int linger;

	if (e == NULL)
		return;
	if (e->sock != NULL) {
		linger = (int)(e->c.linger * 1000);
		zmq_setsockopt(e->sock, ZMQ_LINGER, &linger, sizeof(linger));
		zmq_close(e->sock);
	}
	if (e->ownctx)
		zmq_ctx_term(e->ctx);
	for (i = 0; i < e->nm; i++) {
		for (j = 0; j < e->m[i].nf; j++)
			free(e->m[i].f[j].p);
		free(e->m[i].f);
	}
	free(e->m);
	sbuf_free(&e->batch);
	sbuf_free(&e->tmp);
	record_free(&e->rec);
	free(e);
	*ep = NULL;
}
