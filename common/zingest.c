/* zingest.c - the zmq-ingest core (include/zingest.h): ntop ZMQ messages in,
 * event records out. See doc/wire-format.md "Sockets and endpoints" and
 * "Messages", doc/design.md "The record contract" and "The stages".
 *
 * Per message: receive every frame (a message of the wrong shape is
 * drained and counted once), decode the header, check the topic exactly,
 * account its msg_id, decode the payload (inflate, validate), and write one
 * record per object with the pipeline's keys spliced in front.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <czmq.h>
#include <zmq.h>

#include "curve.h"
#include "evkeys.h"
#include "ntophdr.h"
#include "ntopids.h"
#include "ntopmsg.h"
#include "sbuf.h"
#include "tlv.h"
#include "zingest.h"

/* Messages taken from one socket before looking at the others. */
#define ZI_BATCH	256
/* The longest drain of queued messages at shutdown, in seconds. */
#define ZI_DRAIN_SECS	2.0

/* Every counter, created in this order so the report is stable. */
enum {
	C_MESSAGES, C_RECORDS, C_INFLATED, C_SOURCES, C_DROPS, C_SLOWJOIN,
	C_RESTARTS, C_UNTRACKED, C_UNSEQ, C_REJECTED,
	C_BADSIZE, C_BADVERSION, C_NOTOPIC, C_UNKTOPIC, C_SINGLE, C_EXTRA,
	C_EMPTY, C_TLV_HEADER, C_TLV_TRUNC, C_TLV_TYPE, C_TLV_KEY, C_TLV_NOEND,
	C_TLV_DEPTH, C_TLV_LIMIT, C_TLV_SKIPPED, C_TLV_REPAIRED,
	C_ZLIB, C_CAP, C_OVERSIZE, C_JSON, C_TRUNC,
	C_NOTOBJ, C_ARRAY, C_UTF8, C_DEPTH, C_TRAILING, C_RESERVED,
	C_RECVERR, C_REPAIRED, C_N
};

static const char *const zi_names[C_N] = {
	"messages", "records_out", "inflated", "sources", "missing_messages",
	"slow_joiner_lost", "restarts", "untracked_sources",
	"unsequenced_sources", "rejected",
	"bad_header_size", "bad_version", "topic_not_terminated",
	"unknown_topic", "single_frame", "extra_frames",
	"empty_payload", "tlv_bad_header", "tlv_truncated", "tlv_bad_type",
	"tlv_empty_key", "tlv_no_end", "tlv_too_deep", "tlv_too_many_records",
	"tlv_skipped", "tlv_repaired", "bad_zlib", "inflate_cap",
	"oversize", "bad_json", "truncated_json", "not_object",
	"array_non_object", "bad_utf8", "too_deep", "trailing_garbage",
	"reserved_keys", "recv_errors", "json_repaired",
};

struct zi_iface {
	const char	*name;
	void		*sock;
	char		*tail;		/* ","_iface":"NAME","_rx": */
	size_t		 taillen;
};

struct zingest {
	struct zingest_conf	 c;
	struct stats		*st;
	uint64_t		*ctr[C_N];
	void			*ctx;
	bool			 ownctx;
	struct zi_iface		*ifs;
	size_t			 nifs;
	zmq_pollitem_t		*items;
	struct ntopmsg		*msg;
	struct ntopmsg_seq	*seq;
	struct sbuf		 out;
	struct sbuf		 rx;		/* the current message's _rx */
	int64_t			 rxsec;		/* the whole seconds in rx */
	struct sbuf		 pre;		/* its records' prefix */
	/* What pre holds before its _rx, for the next message. */
	size_t			 prehead;	/* 0: nothing yet */
	const char		*preev;
	const struct zi_iface	*preifc;
	char			 pretopic[sizeof(((struct ntophdr *)0)->topic)];
	struct sbuf		 ren;		/* -N: a record renamed */
	struct record		 renrec;
	zmq_msg_t		 f1, f2, fx;
	struct sink		*sink;
	struct curve_server	*cs;		/* CURVE handshake counters */
	bool			 failed;	/* a sink write failed */
	bool			 done;		/* max_records reached */
};

static double
zi_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
zi_errctr(int hdrerr)
{
	switch (hdrerr) {
	case NTOPHDR_EBADSIZE:
		return C_BADSIZE;
	case NTOPHDR_ENOTOPIC:
		return C_NOTOPIC;
	default:
		return C_BADVERSION;
	}
}

static int
zi_msgctr(int e)
{
	switch (e) {
	case NTOPMSG_EEMPTY:
		return C_EMPTY;
	case NTOPMSG_ETLV:
		return C_TLV_HEADER;
	case NTOPMSG_EZLIB:
		return C_ZLIB;
	case NTOPMSG_ECAP:
		return C_CAP;
	case NTOPMSG_EOVERSIZE:
		return C_OVERSIZE;
	case NTOPMSG_ETRUNC:
		return C_TRUNC;
	case NTOPMSG_ENOTOBJ:
		return C_NOTOBJ;
	case NTOPMSG_EUTF8:
		return C_UTF8;
	case NTOPMSG_EDEPTH:
		return C_DEPTH;
	case NTOPMSG_ETRAILING:
		return C_TRAILING;
	default:
		return C_JSON;
	}
}

/* The counter of a tlv_err that dropped part of a TLV payload. */
static int
zi_tlvctr(int e)
{
	switch (e) {
	case TLV_ETRUNC: return C_TLV_TRUNC;
	case TLV_ETYPE: return C_TLV_TYPE;
	case TLV_EKEY: return C_TLV_KEY;
	case TLV_ENOEND: return C_TLV_NOEND;
	case TLV_EDEPTH: return C_TLV_DEPTH;
	case TLV_ELIMIT: return C_TLV_LIMIT;
	default: return C_TLV_HEADER;
	}
}

/* Counts what a TLV payload lost: the records from a bad one on (under
 * the reason's counter, the message as rejected when nothing was left),
 * blocks and lists skipped, strings repaired. */
static void
zi_tlv(struct zingest *z, const struct zi_iface *ifc, const struct ntophdr *h)
{
	const struct ntopmsg_tlvres *t = ntopmsg_tlv(z->msg);
	int c;

	*z->ctr[C_TLV_SKIPPED] += t->skipped;
	*z->ctr[C_TLV_REPAIRED] += t->repaired;
	if (t->err >= 0)
		return;
	c = zi_tlvctr(t->err);
	if (t->records == 0)
		++*z->ctr[C_REJECTED];
	stats_bad(z->st, z->ctr[c], zi_names[c], "%s: topic %s, msg_id %u: "
	    "TLV record %zu and the rest of the payload dropped, %zu kept",
	    ifc->name, h->topic, h->msg_id, t->records + 1, t->records);
}

/* Counts one rejected message under counter c and reports it. */
static void
zi_reject(struct zingest *z, int c, const struct zi_iface *ifc,
    const char *detail)
{
	++*z->ctr[C_REJECTED];
	stats_bad(z->st, z->ctr[c], zi_names[c], "%s: %s", ifc->name, detail);
}

/* Adds one message's msg_id accounting to the counters. */
static void
zi_account(struct zingest *z, const struct zi_iface *ifc,
    const struct ntophdr *h, const struct ntopmsg_seqres *sr)
{
	if (sr->unsequenced)
		stats_bad(z->st, z->ctr[C_UNSEQ], zi_names[C_UNSEQ], "%s: "
		    "source %u: msg_id %u repeats or jumps too far: no "
		    "sequence (as ntopng's own exporter), its drops are not "
		    "counted", ifc->name, h->source_id, h->msg_id);
	if (sr->new_source)
		++*z->ctr[C_SOURCES];
	if (sr->untracked)
		++*z->ctr[C_UNTRACKED];
	if (sr->restart)
		++*z->ctr[C_RESTARTS];
	*z->ctr[C_DROPS] += sr->lost;
	*z->ctr[C_SLOWJOIN] += sr->slow_joiner;
}

/* Sets z->rx to the time now, "S.uuuuuu" as sbuf_add_us() writes it.
 * Messages come many a second: while the second is the one rx holds, only
 * its six digits of microseconds are written again. */
static void
zi_rxtime(struct zingest *z)
{
	struct timespec ts;
	int64_t us;
	uint32_t f;
	char *d;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	us = (int64_t)ts.tv_sec * 1000000 + (ts.tv_nsec + 500) / 1000;
	if (us / 1000000 != z->rxsec || z->rx.len == 0) {
		sbuf_reset(&z->rx);
		sbuf_add_us(&z->rx, us);
		z->rxsec = us / 1000000;
		return;
	}
	f = (uint32_t)(us % 1000000);
	d = z->rx.p + z->rx.len;
	for (i = 0; i < 6; i++) {
		*--d = (char)('0' + f % 10);
		f /= 10;
	}
}

/* Makes the records' prefix, from the opening brace to the value of _rx
 * (z->rx), for _event ev. What comes before _rx is kept from the last
 * prefix when it had the same _event, topic and interface, as it does
 * for most messages. */
static void
zi_prefix(struct zingest *z, const struct zi_iface *ifc, const char *ev,
    const char *topic)
{
	struct sbuf *p = &z->pre;

	if (z->prehead > 0 && ev == z->preev && ifc == z->preifc &&
	    strcmp(topic, z->pretopic) == 0) {
		p->len = z->prehead;
		sbuf_add(p, z->rx.p, z->rx.len);
		return;
	}
	sbuf_reset(p);
	SBUF_ADDLIT(p, "{\"" EVK_TYPE "\":\"event\",\"" EVK_EVENT "\":\"");
	sbuf_adds(p, ev);
	SBUF_ADDLIT(p, "\",\"" EVK_TOPIC "\":\"");
	sbuf_adds(p, topic);
	sbuf_add(p, ifc->tail, ifc->taillen);
	z->prehead = p->len;
	z->preev = ev;
	z->preifc = ifc;
	strcpy(z->pretopic, topic);
	sbuf_add(p, z->rx.p, z->rx.len);
}

/* -N: r with every numeric key that has a name in the id table renamed
 * to it ("8": "IPV4_SRC_ADDR", "35632.118": "L7_PROTO"), unless the
 * record also has that name (a key is never doubled). Returns r itself
 * when nothing is renamed. */
static const struct record *
zi_rename(struct zingest *z, const struct record *r)
{
	const char *names[256];
	size_t i, n = 0;

	for (i = 0; i < r->nf && i < 256; i++) {
		const struct rec_field *f = &r->f[i];
		int id;

		names[i] = NULL;
		if (f->klen == 0 || f->key[0] < '0' || f->key[0] > '9' ||
		    (id = ntopids_parse_key(f->key, f->klen)) < 0 ||
		    (names[i] = ntopids_name((uint32_t)id)) == NULL)
			continue;
		if (record_get(r, names[i]) != NULL)
			names[i] = NULL;
		else
			n++;
	}
	if (n == 0)
		return r;
	sbuf_reset(&z->ren);
	sbuf_addc(&z->ren, '{');
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];

		if (i > 0)
			sbuf_addc(&z->ren, ',');
		sbuf_addc(&z->ren, '"');
		if (i < 256 && names[i] != NULL)
			sbuf_adds(&z->ren, names[i]);
		else
			sbuf_add(&z->ren, f->key, f->klen);
		sbuf_add(&z->ren, "\":", 2);
		sbuf_add(&z->ren, f->val, f->vlen);
	}
	sbuf_addc(&z->ren, '}');
	if (record_parse(&z->renrec, z->ren.p, z->ren.len) != REC_OK)
		return r;
	return &z->renrec;
}

static void	zi_records(struct zingest *, const struct zi_iface *,
		    const struct ntophdr *);

/* Decodes one message of interface ifi (frames frames, the first two given)
 * and writes its records. */
static void
zi_handle(struct zingest *z, unsigned ifi, zmq_msg_t *hf, zmq_msg_t *pf,
    int frames)
{
	struct zi_iface *ifc = &z->ifs[ifi];
	struct ntopmsg_seqres sr;
	struct ntophdr h;
	char detail[192];
	size_t n;
	int rc;

	rc = ntophdr_decode(zmq_msg_data(hf), zmq_msg_size(hf), &h);
	if (rc == NTOPHDR_OK) {
		/* A message with a good header took its msg_id: account it
		 * even when the rest is rejected, so it is not also lost. */
		ntopmsg_seq_check(z->seq, ifi, &h, zi_now(CLOCK_MONOTONIC),
		    &sr);
		zi_account(z, ifc, &h, &sr);
	}
	if (frames != 2) {
		snprintf(detail, sizeof(detail), "message of %d frame%s", frames,
		    frames == 1 ? "" : "s");
		zi_reject(z, frames == 1 ? C_SINGLE : C_EXTRA, ifc, detail);
		return;
	}
	if (rc != NTOPHDR_OK) {
		snprintf(detail, sizeof(detail), "header frame of %zu bytes",
		    zmq_msg_size(hf));
		zi_reject(z, zi_errctr(rc), ifc, detail);
		return;
	}
	if (!ntopmsg_topic_ok(h.topic)) {
		snprintf(detail, sizeof(detail), "topic \"%.32s\"", h.topic);
		zi_reject(z, C_UNKTOPIC, ifc, detail);
		return;
	}
	rc = ntopmsg_decode(z->msg, &h, zmq_msg_data(pf), zmq_msg_size(pf));
	if (ntopmsg_inflated(z->msg))
		++*z->ctr[C_INFLATED];
	if (rc != NTOPMSG_OK) {
		snprintf(detail, sizeof(detail), "topic %s, payload of %zu "
		    "bytes, msg_id %u", h.topic, zmq_msg_size(pf), h.msg_id);
		zi_reject(z, zi_msgctr(rc), ifc, detail);
		return;
	}
	if ((n = ntopmsg_nonobjects(z->msg)) > 0) {
		snprintf(detail, sizeof(detail), "topic %s: %zu array "
		    "element(s) not objects, skipped", h.topic, n);
		stats_bad(z->st, z->ctr[C_ARRAY], zi_names[C_ARRAY], "%s: %s",
		    ifc->name, detail);
		*z->ctr[C_ARRAY] += n - 1;
	}
	zi_records(z, ifc, &h);
}

/* Writes the records of the message just decoded (header h). */
static void
zi_records(struct zingest *z, const struct zi_iface *ifc,
    const struct ntophdr *h)
{
	const struct record *r;
	struct sbuf *o = &z->out;
	const char *ev, *prev;
	bool repaired;

	/* Every record of a message starts alike: the prefix up to _rx is
	 * made once per message, again only when _event changes. */
	zi_rxtime(z);
	prev = NULL;
	repaired = ntopmsg_repairs(z->msg) != 0;
	while ((r = ntopmsg_next(z->msg)) != NULL) {
		if (z->c.names)
			r = zi_rename(z, r);
		ev = ntopmsg_event(h->topic, r);
		if (ev != prev) {
			zi_prefix(z, ifc, ev, h->topic);
			prev = ev;
		}
		sbuf_reset(o);
		ntopmsg_write(o, z->pre.p, z->pre.len, r, z->ctr[C_RESERVED]);
		if (sink_write(z->sink, o->p, o->len) == -1) {
			if (!z->failed)
				if (errno != EPIPE)
					warn("%s", sink_name(z->sink));
			z->failed = true;
			return;
		}
		if (repaired)
			++*z->ctr[C_REPAIRED];
		if (++*z->ctr[C_RECORDS] == z->c.max_records)
			z->done = true;
	}
	/* A TLV payload's records are decoded as they are written: what it
	 * lost is known at its end. */
	if (ntopmsg_tlv(z->msg)->tlv)
		zi_tlv(z, ifc, h);
}

/* Receives up to max whole messages from interface i without waiting.
 * Returns the number of messages, or -1 when the socket had none. */
static int
zi_recv(struct zingest *z, unsigned i, int max)
{
	struct zi_iface *ifc = &z->ifs[i];
	int n, frames;

	for (n = 0; n < max && !z->failed && !z->done; n++) {
		if (zmq_msg_recv(&z->f1, ifc->sock, ZMQ_DONTWAIT) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				stats_bad(z->st, z->ctr[C_RECVERR],
				    zi_names[C_RECVERR], "%s: %s", ifc->name,
				    zmq_strerror(errno));
			return n ? n : -1;
		}
		++*z->ctr[C_MESSAGES];
		if (!zmq_msg_more(&z->f1)) {
			zi_handle(z, i, &z->f1, NULL, 1);
			continue;
		}
		/* The frames of a message arrive together: no waiting. */
		if (zmq_msg_recv(&z->f2, ifc->sock, 0) == -1)
			continue;
		frames = 2;
		while (zmq_msg_more(frames == 2 ? &z->f2 : &z->fx)) {
			if (zmq_msg_recv(&z->fx, ifc->sock, 0) == -1)
				break;
			frames++;
		}
		zi_handle(z, i, &z->f1, &z->f2, frames);
	}
	return n;
}

/* Makes ","_iface":NAME,"_rx": for an interface, NAME JSON-encoded. */
static void
zi_tail(struct zi_iface *ifc)
{
	struct sbuf b = { 0 };

	SBUF_ADDLIT(&b, "\",\"" EVK_IFACE "\":");
	sbuf_add_jstr(&b, ifc->name, strlen(ifc->name));
	SBUF_ADDLIT(&b, ",\"" EVK_RX "\":");
	ifc->tail = b.p;
	ifc->taillen = b.len;
}

/* Copies the CURVE handshake counters into the stage's counters. */
static void
zi_curve_sync(struct zingest *z)
{
	const struct curve_counters *k;

	if (z->cs == NULL)
		return;
	curve_server_poll(z->cs);
	k = curve_server_counters(z->cs);
	*stats_ctr(z->st, "curve_accepted") = k->accepted;
	*stats_ctr(z->st, "curve_refused_no_encryption") =
	    k->refused_mechanism;
	*stats_ctr(z->st, "curve_refused_wrong_key") = k->refused_crypto;
	*stats_ctr(z->st, "curve_refused_not_allowed") = k->refused_auth;
	*stats_ctr(z->st, "curve_refused_other") = k->refused_other;
}

/* -k: the allow-list's ZAP handler (zauth) polices czmq's context, so the
 * sockets are made in that one. */
static int
zi_curve_new(struct zingest *z, char *errbuf, size_t errsz)
{
	char msg[512];

	if (z->c.zopts.curve_secret == NULL)
		return 0;
	if (z->c.zctx == NULL)
		z->c.zctx = zsys_init();
	if ((z->cs = curve_server_new(z->c.curve_allow, msg, sizeof(msg))) ==
	    NULL) {
		snprintf(errbuf, errsz, "-a: %s", msg);
		return -1;
	}
	return 0;
}

struct zingest *
zingest_new(const struct zingest_conf *c, struct stats *st, char *errbuf,
    size_t errsz)
{
	struct zingest *z;
	size_t i;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		err(1, "zingest");
	z->c = *c;
	if (z->c.cap == 0)
		z->c.cap = NTOPMSG_DEFAULT_CAP;
	if (z->c.forget <= 0)
		z->c.forget = 10;
	z->st = st;
	for (i = 0; i < C_N; i++)
		z->ctr[i] = stats_ctr(st, zi_names[i]);
	if (zi_curve_new(z, errbuf, errsz) == -1) {
		free(z);
		return NULL;
	}
	if ((z->ctx = z->c.zctx) == NULL) {
		if ((z->ctx = zmq_ctx_new()) == NULL)
			err(1, "zmq_ctx_new");
		z->ownctx = true;
	}
	z->nifs = c->nifaces;
	if ((z->ifs = calloc(z->nifs, sizeof(*z->ifs))) == NULL ||
	    (z->items = calloc(z->nifs, sizeof(*z->items))) == NULL)
		err(1, "zingest");
	/* libzmq refuses a message over ZMQ_MAXMSGSIZE by dropping the
	 * connection, uncounted; keep that limit far above the counted cap
	 * (4 times, at least 256 MiB) so an oversize payload is counted, yet
	 * a hostile length cannot make libzmq allocate without bound. */
	if (z->c.zopts.maxmsgsize == 0) {
		z->c.zopts.maxmsgsize = (long long)z->c.cap * 4 + 4096;
		if (z->c.zopts.maxmsgsize < 256LL * 1024 * 1024)
			z->c.zopts.maxmsgsize = 256LL * 1024 * 1024;
	}
	for (i = 0; i < z->nifs; i++) {
		z->ifs[i].name = c->ifaces[i];
		zi_tail(&z->ifs[i]);
		z->ifs[i].sock = zio_sub_open(z->ctx, c->ifaces[i],
		    &z->c.zopts, errbuf, errsz);
		if (z->ifs[i].sock == NULL) {
			zingest_destroy(&z);
			return NULL;
		}
		z->items[i].socket = z->ifs[i].sock;
		z->items[i].events = ZMQ_POLLIN;
		if (z->cs != NULL && curve_server_watch(z->cs, z->ctx,
		    z->ifs[i].sock) == -1)
			err(1, "CURVE handshake monitor");
	}
	zi_curve_sync(z);
	z->msg = ntopmsg_new(z->c.cap);
	z->seq = ntopmsg_seq_new(c->first_msg_id, z->c.forget, 65536);
	zmq_msg_init(&z->f1);
	zmq_msg_init(&z->f2);
	zmq_msg_init(&z->fx);
	return z;
}

/* Takes every message already queued, for at most ZI_DRAIN_SECS. */
static void
zi_drain(struct zingest *z)
{
	double end = zi_now(CLOCK_MONOTONIC) + ZI_DRAIN_SECS;
	bool any;
	size_t i;

	do {
		any = false;
		for (i = 0; i < z->nifs; i++)
			if (zi_recv(z, i, ZI_BATCH) > 0)
				any = true;
	} while (any && !z->failed && !z->done &&
	    zi_now(CLOCK_MONOTONIC) < end);
}

int
zingest_run(struct zingest *z, struct sink *out, volatile sig_atomic_t *stop)
{
	double last, now, left;
	long timeout;
	size_t i;
	int rc;
	bool flushed = true;

	z->sink = out;
	last = zi_now(CLOCK_MONOTONIC);
	while (!*stop && !z->failed && !z->done) {
		zi_curve_sync(z);
		if (z->c.tick != NULL && z->c.tick(z->c.tick_arg) != 0)
			break;
		timeout = 1000;
		now = zi_now(CLOCK_MONOTONIC);
		if (z->c.idle_timeout > 0) {
			left = z->c.idle_timeout - (now - last);
			if (left <= 0)
				break;
			if (left * 1000 < timeout)
				timeout = (long)(left * 1000) + 1;
		}
		/* Look without waiting first; flush before blocking so a
		 * reader downstream sees records when the input pauses. */
		rc = zmq_poll(z->items, (int)z->nifs, 0);
		if (rc == 0) {
			if (!flushed && sink_flush(out) == -1) {
				if (errno != EPIPE)
					warn("%s", sink_name(out));
				z->failed = true;
				break;
			}
			flushed = true;
			rc = zmq_poll(z->items, (int)z->nifs, timeout);
		}
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			warnx("zmq_poll: %s", zmq_strerror(errno));
			z->failed = true;
			break;
		}
		if (rc == 0)
			continue;
		for (i = 0; i < z->nifs; i++)
			if (z->items[i].revents & ZMQ_POLLIN)
				zi_recv(z, i, ZI_BATCH);
		flushed = false;
		last = zi_now(CLOCK_MONOTONIC);
	}
	if (*stop && !z->failed && !z->done)
		zi_drain(z);
	if (sink_flush(out) == -1 && !z->failed) {
		if (errno != EPIPE)
			warn("%s", sink_name(out));
		z->failed = true;
	}
	zi_curve_sync(z);
	return z->failed ? -1 : 0;
}

void
zingest_destroy(struct zingest **zp)
{
	struct zingest *z = *zp;
	size_t i;

	if (z == NULL)
		return;
	for (i = 0; i < z->nifs; i++) {
		if (z->ifs[i].sock != NULL)
			zmq_close(z->ifs[i].sock);
		free(z->ifs[i].tail);
	}
	if (z->msg != NULL) {
		zmq_msg_close(&z->f1);
		zmq_msg_close(&z->f2);
		zmq_msg_close(&z->fx);
	}
	ntopmsg_destroy(&z->msg);
	ntopmsg_seq_destroy(&z->seq);
	sbuf_free(&z->out);
	sbuf_free(&z->rx);
	sbuf_free(&z->pre);
	sbuf_free(&z->ren);
	record_free(&z->renrec);
	if (z->ownctx)
		zmq_ctx_term(z->ctx);
	curve_server_destroy(&z->cs);
	free(z->ifs);
	free(z->items);
	free(z);
	*zp = NULL;
}
