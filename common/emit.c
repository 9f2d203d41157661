/* emit.c - the ev-emit core (include/emit.h): NDJSON events to ntop ZMQ
 * messages. This half opens the socket and reads and encodes the input;
 * emitsend.c waits for subscribers and sends. Format: doc/wire-format.md
 * "Messages"; the tool: man/ev-emit.1.
 *
 * An input sent more than once is loaded and encoded before sending, so
 * the send loop only writes each message's header (its msg_id changes)
 * and hands the frames to libzmq. An input sent once is streamed: each
 * message leaves as soon as it is encoded (emit_send_files), so memory
 * stays bounded, the encoding overlaps the receiver's work and a
 * producer writing to stdin is followed as it goes. The socket is an
 * XPUB with ZMQ_XPUB_NODROP: it sees the subscriptions (so it can wait
 * for the collector instead of losing the first messages to the "slow
 * joiner") and it blocks instead of dropping when a subscriber's queue
 * is full.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "curve.h"
#include "emit.h"
#include "emitint.h"
#include "evkeys.h"
#include "ntopmsg.h"
#include "ntopout.h"
#include "record.h"
#include "sbuf.h"
#include "tlv.h"
#include "zio.h"

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
	e->msg_id = e->c.first_msg_id;
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

	while (!emit_stopped(e) && (n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (e->c.frames)
			emit_frames(e, line, name, lineno);
		else
			emit_line(e, line, (size_t)n, name, lineno);
		emit_drain(e);
	}
	free(line);
	emit_flush(e);
	emit_drain(e);
	/* A signal that ends streaming also interrupts a read: no error. */
	if (ferror(fp) && !emit_stopped(e)) {
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

void
emit_forget(struct emit *e)
{
	size_t i, j;

	for (i = 0; i < e->nm; i++) {
		for (j = 0; j < e->m[i].nf; j++)
			free(e->m[i].f[j].p);
		free(e->m[i].f);
	}
	e->nm = 0;
}

void
emit_destroy(struct emit **ep)
{
	struct emit *e = *ep;
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
	emit_forget(e);
	free(e->m);
	sbuf_free(&e->batch);
	sbuf_free(&e->tmp);
	record_free(&e->rec);
	free(e);
	*ep = NULL;
}
