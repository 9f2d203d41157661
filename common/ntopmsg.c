/* ntopmsg.c - ntop ZMQ payloads to records (include/ntopmsg.h); the
 * encoding side is common/ntopenc.c, msg_id accounting common/ntopseq.c. See doc/wire-format.md "Messages" and
 * doc/design.md "The record contract" (the _event rules).
 *
 * The hot path validates the producer's text once (record.h) and never
 * builds a JSON tree; output splices the pipeline's keys in front of the
 * producer's members.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "evkeys.h"
#include "jsonlax.h"
#include "ntopmsg.h"
#include "tlv.h"

/* Array objects validated and indexed during the walk, kept until they are
 * output: each is scanned once. Objects past these are validated during
 * the walk and parsed again when output, so a payload of millions of
 * small objects holds spans, not records. Producers batch up to a few
 * hundred records a message (softflowd and the bench send 100), which
 * these cover: each kept record holds at least 32 fields' room (1.5 KiB). */
#define NM_KEEP		256

/* An array element that is an object: its span in the decoded text. */
struct span {
	size_t	off;
	size_t	len;
};

struct ntopmsg {
	size_t		 cap;
	struct record	*kept;		/* the first NM_KEEP array objects */
	size_t		 nkept;
	size_t		 keptcap;
	uint8_t		*ibuf;		/* inflated payload */
	size_t		 icap;
	const char	*text;		/* the JSON text being walked */
	size_t		 tlen;
	bool		 inflated;
	bool		 single;	/* payload was one object, in rec */
	bool		 single_done;
	struct span	*spans;		/* objects of an array payload */
	size_t		 nspans;
	size_t		 spancap;
	size_t		 next;
	size_t		 nonobj;
	struct record	 rec;
	struct sbuf	 tbuf;		/* a TLV record as JSON */
	struct tlv_reader rd;		/* the TLV payload being read */
	bool		 tlvmode;	/* ntopmsg_next() reads rd */
	struct ntopmsg_tlvres tlv;
	struct sbuf	 lax;		/* a repaired payload (jsonlax.h) */
	bool		 trusted;	/* text is lax: valid by construction */
	size_t		 vend;		/* end of a value followed by text */
	unsigned	 repairs;	/* of the last payload */
};

const char *const ntopmsg_topics[] = {
	"flow", "event", "counter", "template", "option", "hello",
	EVK_LISTENING_PORTS, "snmp-ifaces", "message", NULL
};

struct ntopmsg *
ntopmsg_new(size_t cap)
{
	struct ntopmsg *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		err(1, "ntopmsg");
	m->cap = cap;
	record_init(&m->rec);
	return m;
}

void
ntopmsg_destroy(struct ntopmsg **mp)
{
	struct ntopmsg *m = *mp;
	size_t i;

	if (m == NULL)
		return;
	free(m->ibuf);
	free(m->spans);
	for (i = 0; i < m->keptcap; i++)
		record_free(&m->kept[i]);
	free(m->kept);
	record_free(&m->rec);
	sbuf_free(&m->tbuf);
	sbuf_free(&m->lax);
	free(m);
	*mp = NULL;
}

const char *
ntopmsg_errname(int e)
{
	switch (e) {
	case NTOPMSG_OK:
		return "ok";
	case NTOPMSG_EEMPTY:
		return "empty_payload";
	case NTOPMSG_ETLV:
		return "tlv_bad_header";
	case NTOPMSG_EZLIB:
		return "bad_zlib";
	case NTOPMSG_ECAP:
		return "inflate_cap";
	case NTOPMSG_EOVERSIZE:
		return "oversize";
	case NTOPMSG_ESYNTAX:
		return "bad_json";
	case NTOPMSG_ETRUNC:
		return "truncated_json";
	case NTOPMSG_ENOTOBJ:
		return "not_object";
	case NTOPMSG_EUTF8:
		return "bad_utf8";
	case NTOPMSG_EDEPTH:
		return "too_deep";
	case NTOPMSG_ETRAILING:
		return "trailing_garbage";
	}
	return "bad_payload";
}

static int
map_rec_err(int rc)
{
	switch (rc) {
	case REC_OK:
		return NTOPMSG_OK;
	case REC_EMPTY:
		return NTOPMSG_EEMPTY;
	case REC_NOT_OBJECT:
		return NTOPMSG_ENOTOBJ;
	case REC_TRUNCATED:
		return NTOPMSG_ETRUNC;
	case REC_UTF8:
		return NTOPMSG_EUTF8;
	case REC_DEPTH:
		return NTOPMSG_EDEPTH;
	case REC_TRAILING:
		return NTOPMSG_ETRAILING;
	}
	return NTOPMSG_ESYNTAX;
}

/* Ensures room for want bytes in the inflate buffer. */
static void
ibuf_grow(struct ntopmsg *m, size_t want)
{
	uint8_t *p;

	if (want <= m->icap)
		return;
	if ((p = realloc(m->ibuf, want)) == NULL)
		err(1, "ntopmsg: inflate buffer");
	m->ibuf = p;
	m->icap = want;
}

/* Inflates the zlib stream p[0..len) into m->ibuf. The buffer starts at
 * hint bytes when the header gave the uncompressed size, else at a guess,
 * and grows by doubling; output beyond the cap stops the inflate, so a zip
 * bomb costs at most cap + 1 bytes. */
static int
zinflate(struct ntopmsg *m, const uint8_t *p, size_t len, size_t hint,
    size_t *outlen)
{
	z_stream z;
	size_t limit, have, size;
	int rc, ret = NTOPMSG_OK;

	/* One byte beyond the cap tells "exactly cap" from "more". */
	limit = m->cap + 1;
	if (hint > 0 && hint < limit)
		size = hint + 1;
	else if (len < limit / 4)
		size = len * 4 < 4096 ? 4096 : len * 4;
	else
		size = limit;
	ibuf_grow(m, size);
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return NTOPMSG_EZLIB;
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)len;
	have = 0;
	for (;;) {
		if (have == m->icap) {
			if (m->icap >= limit) {
				ret = NTOPMSG_ECAP;
				break;
			}
			size = m->icap * 2 < limit ? m->icap * 2 : limit;
			ibuf_grow(m, size);
		}
		z.next_out = m->ibuf + have;
		z.avail_out = (uInt)(m->icap - have);
		rc = inflate(&z, Z_NO_FLUSH);
		have = (size_t)(z.next_out - m->ibuf);
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_OK)
			continue;
		if (rc == Z_BUF_ERROR && z.avail_out == 0)
			continue;
		/* Data error, or the input ended inside the stream. */
		ret = NTOPMSG_EZLIB;
		break;
	}
	inflateEnd(&z);
	if (ret == NTOPMSG_OK && have > m->cap)
		ret = NTOPMSG_ECAP;
	*outlen = have;
	return ret;
}


/* Validates and indexes the object element at s[*pos] into the next kept
 * record, in one pass over its text (record_parse_prefix() says where it
 * ends). When it is not valid, json_skip_value() walks the element again,
 * so the error is the one a plain walk gives. */
static int
keep_object(struct ntopmsg *m, const char *s, size_t len, size_t *pos)
{
	struct record *r;
	size_t start, end;
	int rc;

	if (m->nkept == m->keptcap) {
		size_t nc = m->keptcap ? m->keptcap * 2 : 16, i;

		if ((r = reallocarray(m->kept, nc, sizeof(*r))) == NULL)
			err(1, "ntopmsg");
		for (i = m->keptcap; i < nc; i++)
			record_init(&r[i]);
		m->kept = r;
		m->keptcap = nc;
	}
	r = &m->kept[m->nkept];
	start = *pos;
	if (record_parse_prefix(r, s + start, len - start, &end) != REC_OK) {
		if ((rc = json_skip_value(s, len, pos)) != REC_OK)
			return rc;
		/* Not reached (both read one grammar), but the span is
		 * exact now. */
		if ((rc = record_parse(r, s + start, *pos - start)) != REC_OK)
			return rc;
		end = *pos - start;
	}
	*pos = start + end;
	m->nkept++;
	return REC_OK;
}

/* Adds the span off..off+len to the message's objects. */
static void
add_span(struct ntopmsg *m, size_t off, size_t len)
{
	if (m->nspans == m->spancap) {
		size_t nc = m->spancap ? m->spancap * 2 : 16;
		struct span *sp;

		if ((sp = reallocarray(m->spans, nc, sizeof(*sp))) == NULL)
			err(1, "ntopmsg");
		m->spans = sp;
		m->spancap = nc;
	}
	m->spans[m->nspans].off = off;
	m->spans[m->nspans].len = len;
	m->nspans++;
}

/* Starts reading a TLV payload; ntopmsg_next() decodes its records one
 * at a time into m->tbuf (strict JSON, indexed as it is written), so
 * each is touched once. A payload that is not TLV at all is rejected; a
 * bad record ends the payload, the records before it kept (m->tlv says
 * why). A counter message is one record without an end mark. */
static int
walk_tlv(struct ntopmsg *m, const struct ntophdr *h, const uint8_t *p,
    size_t len)
{
	int rc;

	m->tlv.tlv = true;
	m->tlv.err = TLV_END;
	rc = tlv_reader_init(&m->rd, p, len, strcmp(h->topic, "counter") == 0);
	if (rc != TLV_END) {
		m->tlv.err = rc;
		return NTOPMSG_ETLV;
	}
	m->tlvmode = true;
	return NTOPMSG_OK;
}

/* The next record of a TLV payload, or NULL at its end. */
static const struct record *
next_tlv(struct ntopmsg *m)
{
	int rc;

	sbuf_reset(&m->tbuf);
	rc = tlv_next(&m->rd, &m->tbuf);
	m->tlv.records = m->rd.records;
	m->tlv.skipped = m->rd.skipped;
	m->tlv.repaired = m->rd.repaired;
	if (rc != TLV_RECORD) {
		if (rc != TLV_END)
			m->tlv.err = rc;
		m->tlvmode = false;
		return NULL;
	}
	if (tlv_index(&m->rd, m->tbuf.p, &m->rec) != 0 &&
	    record_parse(&m->rec, m->tbuf.p, m->tbuf.len) != REC_OK)
		return NULL;	/* not reached: the decoder writes JSON */
	return &m->rec;
}

/* Skips the object at s[*pos] in text known to be valid JSON (jsonlax's
 * output): the bracket scan alone finds its end. */
static int
skip_trusted(const char *s, size_t len, size_t *pos)
{
	size_t end = json_objend(s + *pos, len - *pos);

	if (end == 0)
		return json_skip_value(s, len, pos);
	*pos += end;
	return REC_OK;
}

/* Walks an array payload: every element is validated; objects are kept as
 * spans (the first NM_KEEP also as records), other values counted. Any
 * invalid element rejects the whole message, so a record is never output
 * from a payload that is not JSON. */
static int
walk_array(struct ntopmsg *m, const char *s, size_t len, size_t pos)
{
	size_t start;
	int rc;

	pos++;			/* the '[' */
	json_skip_ws(s, len, &pos);
	if (pos < len && s[pos] == ']') {
		pos++;
		goto end;
	}
	for (;;) {
		json_skip_ws(s, len, &pos);
		start = pos;
		if (pos < len && s[pos] == '{' && m->nspans < NM_KEEP)
			rc = keep_object(m, s, len, &pos);
		else if (m->trusted && pos < len && s[pos] == '{')
			rc = skip_trusted(s, len, &pos);
		else
			rc = json_skip_value(s, len, &pos);
		if (rc != REC_OK)
			return rc == REC_EMPTY ? NTOPMSG_ETRUNC : map_rec_err(rc);
		if (s[start] == '{')
			add_span(m, start, pos - start);
		else
			m->nonobj++;
		json_skip_ws(s, len, &pos);
		if (pos >= len)
			return NTOPMSG_ETRUNC;
		if (s[pos] == ']') {
			pos++;
			break;
		}
		if (s[pos] != ',')
			return NTOPMSG_ESYNTAX;
		pos++;
		/* A comma before the closing bracket, as softflowd ends every
		 * full message: json-c takes it (jsonlax.h), and here it costs
		 * one comparison instead of a second, lenient pass. */
		json_skip_ws(s, len, &pos);
		if (pos < len && s[pos] == ']') {
			m->repairs |= JSONLAX_R_COMMA;
			pos++;
			break;
		}
	}
end:
	m->vend = pos;
	json_skip_ws(s, len, &pos);
	return pos == len ? NTOPMSG_OK : NTOPMSG_ETRAILING;
}

/* The strict path: the payload s[0..len) as it is, from its first value
 * at pos. */
static int
json_decode(struct ntopmsg *m, const char *s, size_t len, size_t pos)
{
	int rc;

	m->text = s;
	m->tlen = len;
	if (s[pos] == '[')
		return walk_array(m, s, len, pos);
	if (s[pos] != '{') {
		rc = json_skip_value(s, len, &pos);
		if (rc != REC_OK)
			return map_rec_err(rc);
		json_skip_ws(s, len, &pos);
		return pos == len ? NTOPMSG_ENOTOBJ : NTOPMSG_ETRAILING;
	}
	if ((rc = record_parse(&m->rec, s, len)) == REC_TRAILING) {
		/* Where the object ends, for tail_decode(). */
		m->vend = pos;
		if (json_skip_value(s, len, &m->vend) != REC_OK)
			return NTOPMSG_ESYNTAX;
	}
	if (rc != REC_OK)
		return map_rec_err(rc);
	m->single = true;
	return NTOPMSG_OK;
}

/* A strict value s[0..m->vend) followed by more text: json-c ignores
 * what follows a complete value (white space and comments first, and a
 * '/' must start one), so the records are the strict pass's. */
static int
tail_decode(struct ntopmsg *m, const char *s, size_t len)
{
	unsigned rep;
	int rc;

	if (m->vend == 0 || jsonlax_tail(s, len, m->vend, &rep) != JSONLAX_OK)
		return NTOPMSG_ETRAILING;
	if (!m->single && s[m->vend - 1] == '}') {
		/* The single object, indexed again without its tail. */
		if ((rc = record_parse(&m->rec, s, m->vend)) != REC_OK)
			return map_rec_err(rc);
		m->single = true;
	}
	m->tlen = m->vend;
	m->repairs |= rep;
	return NTOPMSG_OK;
}

/* The payload s[0..len) that the strict path rejected with strict_rc, read
 * as ntopng reads it (json-c's grammar, jsonlax.h): when json-c accepts
 * it, its strict rewrite is decoded instead; otherwise the rejection
 * stands as the strict path counted it. */
static int
lax_decode(struct ntopmsg *m, const char *s, size_t len, int strict_rc)
{
	struct jsonlax_res res;
	const char *t;

	m->single = false;
	m->nspans = m->nkept = m->nonobj = 0;
	m->rec.nf = 0;
	sbuf_reset(&m->lax);
	if (jsonlax_parse(&m->lax, s, len, &res) != JSONLAX_OK)
		return strict_rc;
	t = m->lax.p + res.off;
	if (t[0] != '{' && t[0] != '[')
		return NTOPMSG_ENOTOBJ;
	m->repairs = res.repairs;
	m->trusted = true;
	return json_decode(m, t, res.len, 0);
}

static int
msg_decode(struct ntopmsg *m, const struct ntophdr *h, const uint8_t *p,
    size_t len)
{
	const char *s;
	size_t pos, ilen, hint = 0;
	bool zlib = false, tlv;
	int rc;

	m->single = m->single_done = m->inflated = false;
	m->repairs = 0;
	m->trusted = false;
	m->vend = 0;
	m->nspans = m->nkept = m->next = m->nonobj = 0;
	m->rec.nf = 0;
	memset(&m->tlv, 0, sizeof(m->tlv));
	m->tlvmode = false;
	if (len == 0)
		return NTOPMSG_EEMPTY;
	if (len > m->cap)
		return NTOPMSG_EOVERSIZE;
	if (h->layout == NTOPHDR_V3) {
		tlv = (h->flags & NTOPHDR_FLAG_TLV) != 0;
		zlib = (h->flags & NTOPHDR_FLAG_ZLIB) != 0;
		hint = h->uncompressed_size;
	} else {
		tlv = h->version == 3;
		if (!tlv && p[0] == 0x00) {
			zlib = true;
			p++;
			len--;
		}
	}
	if (zlib) {
		if ((rc = zinflate(m, p, len, hint, &ilen)) != NTOPMSG_OK)
			return rc;
		m->inflated = true;
		p = m->ibuf;
		len = ilen;
	}
	if (tlv)
		return walk_tlv(m, h, p, len);
	/* C producers may send their string's terminating NUL. */
	while (len > 0 && p[len - 1] == '\0')
		len--;
	s = (const char *)p;
	pos = 0;
	json_skip_ws(s, len, &pos);
	if (pos == len)
		return NTOPMSG_EEMPTY;
	rc = json_decode(m, s, len, pos);
	if (rc == NTOPMSG_OK || rc == NTOPMSG_ENOTOBJ || rc == NTOPMSG_EDEPTH)
		return rc;
	if (rc == NTOPMSG_ETRAILING && tail_decode(m, s, len) == NTOPMSG_OK)
		return NTOPMSG_OK;
	return lax_decode(m, s, len, rc);
}

int
ntopmsg_decode(struct ntopmsg *m, const struct ntophdr *h, const uint8_t *p,
    size_t len)
{
	int rc;

	/* A rejected payload yields no record, not even its good part. */
	if ((rc = msg_decode(m, h, p, len)) != NTOPMSG_OK) {
		m->single = false;
		m->tlvmode = false;
		m->nspans = m->nkept = 0;
		m->nonobj = 0;
	}
	return rc;
}

const struct record *
ntopmsg_next(struct ntopmsg *m)
{
	const struct span *sp;

	if (m->tlvmode)
		return next_tlv(m);
	if (m->single) {
		if (m->single_done)
			return NULL;
		m->single_done = true;
		return &m->rec;
	}
	if (m->next < m->nkept)
		return &m->kept[m->next++];
	while (m->next < m->nspans) {
		sp = &m->spans[m->next++];
		/* Already validated by walk_array: parsing only indexes it. */
		if (record_parse(&m->rec, m->text + sp->off, sp->len) == REC_OK)
			return &m->rec;
	}
	return NULL;
}

size_t
ntopmsg_nonobjects(const struct ntopmsg *m)
{
	return m->nonobj;
}

const struct ntopmsg_tlvres *
ntopmsg_tlv(const struct ntopmsg *m)
{
	return &m->tlv;
}

unsigned
ntopmsg_repairs(const struct ntopmsg *m)
{
	return m->repairs;
}

bool
ntopmsg_inflated(const struct ntopmsg *m)
{
	return m->inflated;
}
