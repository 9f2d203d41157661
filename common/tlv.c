/* tlv.c - nDPI's TLV serializer format to strict JSON records and back
 * (include/tlv.h). The format is nDPI's ndpi_serializer, TLV flavour, as
 * nProbe and ntopng exchange it (zmq-ingest(1), TLV PAYLOADS).
 *
 * The decoder never trusts a length: every read checks the bytes left
 * first, and a record is appended to the output only once it has been
 * read whole, so a bad record leaves the good ones before it intact.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntopids.h"
#include "tlv.h"

#define TLV_STRMAX	65535u
/* tlv_value()'s kind for a string with escapes: REC_STRING, vesc set. */
#define TLV_KIND_ESCSTR	100

int
tlv_reader_init(struct tlv_reader *rd, const uint8_t *p, size_t len,
    bool counter)
{
	memset(rd, 0, sizeof(*rd));
	rd->p = p;
	rd->len = len;
	rd->counter = counter;
	if (len < 2 || p[0] != 1 || p[1] != 1) {
		rd->failed = true;
		return TLV_EHEADER;
	}
	rd->pos = 2;
	return TLV_END;
}

const char *
tlv_errname(int e)
{
	switch (e) {
	case TLV_EHEADER: return "tlv_bad_header";
	case TLV_ETRUNC: return "tlv_truncated";
	case TLV_ETYPE: return "tlv_bad_type";
	case TLV_EKEY: return "tlv_empty_key";
	case TLV_ENOEND: return "tlv_no_end";
	case TLV_EDEPTH: return "tlv_too_deep";
	case TLV_ELIMIT: return "tlv_too_many_records";
	case TLV_RECORD: return "tlv_record";
	default: return "tlv_end";
	}
}

/* Reads an n-byte (1, 2, 4 or 8) big-endian unsigned integer at *pos.
 * Each width is spelled out: a byte loop cost a third of the decoding of
 * a flow record, and a compiler turns these into one load and a swap. */
static inline int
tlv_uint(const struct tlv_reader *rd, size_t *pos, size_t n, uint64_t *v)
{
	const uint8_t *b = rd->p + *pos;

	if (rd->len - *pos < n)
		return TLV_ETRUNC;
	switch (n) {
	case 1:
		*v = b[0];
		break;
	case 2:
		*v = (uint64_t)b[0] << 8 | b[1];
		break;
	case 4:
		*v = (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 |
		    (uint64_t)b[2] << 8 | b[3];
		break;
	case 8:
		*v = (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 |
		    (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
		    (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 |
		    (uint64_t)b[6] << 8 | b[7];
		break;
	default:	/* no integer: nothing read */
		*v = 0;
		break;
	}
	*pos += n;
	return 0;
}

/* Reads a string (u16 length, bytes) at *pos: *s and *n span it. */
static int
tlv_str(const struct tlv_reader *rd, size_t *pos, const uint8_t **s,
    size_t *n)
{
	uint64_t l;
	size_t p = *pos;

	if (tlv_uint(rd, &p, 2, &l) != 0 || rd->len - p < l)
		return TLV_ETRUNC;
	*s = rd->p + p;
	*n = (size_t)l;
	*pos = p + (size_t)l;
	return 0;
}

/* The width in bytes of an integer type, 0 for others. */
static size_t
tlv_width(int t)
{
	switch (t) {
	case TLV_U8: case TLV_I8: return 1;
	case TLV_U16: case TLV_I16: return 2;
	case TLV_U32: case TLV_I32: case TLV_FLOAT: return 4;
	case TLV_U64: case TLV_I64: return 8;
	default: return 0;
	}
}

/* A byte that a JSON string cannot hold as it is, or that starts a
 * multibyte UTF-8 sequence to check: the slow path of tlv_put_str(). */
static inline bool
tlv_special(uint8_t c)
{
	return c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
}

/* Whether one of the 8 bytes in x is tlv_special(): the usual string is
 * plain ASCII, checked a word at a time. The borrows of the subtractions
 * can flag a byte wrongly only above a byte that is special, so the
 * answer for the word is exact. */
static inline bool
tlv_special8(const uint8_t *s)
{
	const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
	uint64_t x, q, b;

	memcpy(&x, s, sizeof(x));
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return (((x - ones * 0x20) | (q - ones) | (b - ones)) & ~x & high) != 0 ||
	    (x & high) != 0;
}

/* The length of the plain prefix of s[0..n): no byte tlv_special(). */
static size_t
tlv_plain(const uint8_t *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		if (tlv_special8(s + i))
			break;
	/* The last bytes of a longer string: one overlapping word. */
	if (i + 8 > n && n >= 8 && !tlv_special8(s + n - 8))
		return n;
	while (i < n && !tlv_special(s[i]))
		i++;
	return i;
}

/* Bits of tlv_put_str()'s result. */
#define TLV_STR_REPAIRED	1
#define TLV_STR_ESCAPED		2

/* Appends s[0..n) as a JSON string, each invalid UTF-8 byte replaced by
 * U+FFFD. Returns TLV_STR_REPAIRED if something was replaced, and
 * TLV_STR_ESCAPED if a backslash escape was written. The usual string,
 * plain printable ASCII, is copied whole. */
static int
tlv_put_str(struct sbuf *out, const uint8_t *s, size_t n)
{
	size_t i;
	int res = 0;

	if (tlv_plain(s, n) == n) {
		char *o = sbuf_room(out, n + 2);

		*o++ = '"';
		o = sbuf_put(o, s, n);
		*o++ = '"';
		sbuf_commit(out, o);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			res = TLV_STR_ESCAPED;
	if (sbuf_add_jstr_utf8(out, (const char *)s, n))
		res |= TLV_STR_REPAIRED;
	return res;
}

/* The shortest text of d that reads back as d, as a double or (isfloat,
 * d then holds a float's value) as a float: "%.*g" with the fewest
 * digits, or plain digits for a whole number that %g would write with an
 * exponent (1500, not 1.5e+03). */
static void
tlv_shortest(double d, bool isfloat, char *buf, size_t size)
{
	int prec, max = isfloat ? 9 : 17;

	for (prec = 1; prec < max; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (isfloat ? (double)strtof(buf, NULL) == d :
		    strtod(buf, NULL) == d)
			break;
	}
	snprintf(buf, size, "%.*g", prec, d);
	if (strchr(buf, 'e') != NULL && d == floor(d) && fabs(d) < 1e15)
		snprintf(buf, size, "%.0f", d);
}

/* Appends a float in its shortest form; JSON has no infinity or NaN:
 * null. */
static void
tlv_put_float(struct sbuf *out, float f)
{
	char buf[40];

	if (!isfinite(f)) {
		sbuf_add(out, "null", 4);
		return;
	}
	tlv_shortest(f, true, buf, sizeof(buf));
	sbuf_adds(out, buf);
}

/* Appends the value of type t at *pos; *kind is what it became. */
static int
tlv_value(struct tlv_reader *rd, size_t *pos, int t, struct sbuf *out,
    int *kind)
{
	const uint8_t *s;
	uint64_t v;
	size_t n;
	char *w;
	int rc;

	*kind = REC_NUMBER;
	if (t == TLV_STRING) {
		if ((rc = tlv_str(rd, pos, &s, &n)) != 0)
			return rc;
		rc = tlv_put_str(out, s, n);
		if (rc & TLV_STR_REPAIRED)
			rd->repaired++;
		*kind = (rc & TLV_STR_ESCAPED) ? TLV_KIND_ESCSTR : REC_STRING;
		return 0;
	}
	if ((rc = tlv_uint(rd, pos, tlv_width(t), &v)) != 0)
		return rc;
	w = sbuf_room(out, SBUF_I64MAX);
	switch (t) {
	case TLV_U8: case TLV_U16: case TLV_U32: case TLV_U64:
		sbuf_commit(out, sbuf_put_u64(w, v));
		return 0;
	case TLV_I8:
		sbuf_commit(out, sbuf_put_i64(w, (int8_t)(uint8_t)v));
		return 0;
	case TLV_I16:
		sbuf_commit(out, sbuf_put_i64(w, (int16_t)(uint16_t)v));
		return 0;
	case TLV_I32:
		sbuf_commit(out, sbuf_put_i64(w, (int32_t)(uint32_t)v));
		return 0;
	case TLV_I64:
		sbuf_commit(out, sbuf_put_i64(w, (int64_t)v));
		return 0;
	default: {	/* TLV_FLOAT: 4 bytes little-endian, read big. */
		uint32_t le = (uint32_t)v, bits;
		float f;

		bits = (le >> 24) | ((le >> 8) & 0xff00u) |
		    ((le << 8) & 0xff0000u) | (le << 24);
		memcpy(&f, &bits, sizeof(f));
		if (!isfinite(f))
			*kind = REC_NULL;
		tlv_put_float(out, f);
		return 0;
	}
	}
}

/* Skips a value of type t at *pos. */
static int
tlv_skip_value(struct tlv_reader *rd, size_t *pos, int t)
{
	const uint8_t *s;
	size_t n;

	if (t == TLV_STRING)
		return tlv_str(rd, pos, &s, &n);
	if (rd->len - *pos < tlv_width(t))
		return TLV_ETRUNC;
	*pos += tlv_width(t);
	return 0;
}

/* Notes where the member just written lies in the record (offsets from
 * the record's '{'), for tlv_index(). */
static void
tlv_note(struct tlv_reader *rd, const struct sbuf *out, size_t kq, size_t vs,
    int kind, bool kesc)
{
	struct tlv_member *m;
	size_t base = rd->rstart;

	if (rd->nidx == TLV_IDXMAX) {
		rd->idxfull = true;
		return;
	}
	m = &rd->idx[rd->nidx++];
	m->koff = (uint32_t)(kq + 1 - base);
	m->klen = (uint32_t)(vs - 1 - kq - 2);
	m->voff = (uint32_t)(vs - base);
	m->vlen = (uint32_t)(out->len - vs);
	m->kind = (uint8_t)(kind == TLV_KIND_ESCSTR ? REC_STRING : kind);
	m->kesc = kesc;
	m->vesc = kind == TLV_KIND_ESCSTR;
}

/* The most bytes a member with a number key and an integer value takes:
 * ',', the quoted key, ':', the value. */
#define TLV_NUMMEMBER	(1 + SBUF_U64MAX + 2 + 1 + SBUF_I64MAX)

/* Writes v in decimal at o; returns the end. Keys and most values are
 * small (ids, ports, flags), and writing them here saves the call and
 * the digit count of sbuf_put_u64(), which gives the same bytes. */
static inline char *
tlv_put_dec(char *o, uint64_t v)
{
	if (v < 10) {
		*o = (char)('0' + v);
		return o + 1;
	}
	if (v < 100) {
		o[0] = (char)('0' + v / 10);
		o[1] = (char)('0' + v % 10);
		return o + 2;
	}
	return sbuf_put_u64(o, v);
}

/* Writes the integer v, read as type t, at o; returns the end. */
static char *
tlv_put_int(char *o, int t, uint64_t v)
{
	int64_t i;

	switch (t) {
	case TLV_I8: i = (int8_t)(uint8_t)v; break;
	case TLV_I16: i = (int16_t)(uint16_t)v; break;
	case TLV_I32: i = (int32_t)(uint32_t)v; break;
	case TLV_I64: i = (int64_t)v; break;
	default: return tlv_put_dec(o, v);	/* unsigned */
	}
	if (i >= 0)
		return tlv_put_dec(o, (uint64_t)i);
	*o++ = '-';
	return sbuf_put_u64(o, (uint64_t)0 - (uint64_t)i);
}

/* Appends a member with a number key k, its value of type vt at *pos:
 * the usual member (both numbers) is written at one cursor after one
 * reservation. */
static int
tlv_nummember(struct tlv_reader *rd, size_t *pos, uint64_t k, int vt,
    bool first, struct sbuf *out)
{
	char *w = sbuf_room(out, TLV_NUMMEMBER);
	size_t kq, vs;
	uint64_t v;
	int rc, kind;

	if (!first)
		*w++ = ',';
	kq = (size_t)(w - out->p);
	*w++ = '"';
	w = tlv_put_dec(w, k);
	*w++ = '"';
	*w++ = ':';
	vs = (size_t)(w - out->p);
	if (vt != TLV_STRING && vt != TLV_FLOAT) {
		if ((rc = tlv_uint(rd, pos, tlv_width(vt), &v)) != 0)
			return rc;
		sbuf_commit(out, tlv_put_int(w, vt, v));
		kind = REC_NUMBER;
	} else {
		sbuf_commit(out, w);
		if ((rc = tlv_value(rd, pos, vt, out, &kind)) != 0)
			return rc;
	}
	tlv_note(rd, out, kq, vs, kind, false);
	return 0;
}

/* Reads one key/value item whose type byte is at *pos, appending it as a
 * member unless skip. */
static int
tlv_member(struct tlv_reader *rd, size_t *pos, int kt, int vt, bool skip,
    bool first, struct sbuf *out)
{
	const uint8_t *s;
	uint64_t k;
	size_t n, kq, vs;
	int rc, kind;
	bool kesc = false;

	if (vt < TLV_U8 || vt > TLV_STRING)
		return TLV_ETYPE;
	if (kt >= TLV_U8 && kt <= TLV_U32) {
		if ((rc = tlv_uint(rd, pos, tlv_width(kt), &k)) != 0)
			return rc;
		if (skip)
			return tlv_skip_value(rd, pos, vt);
		return tlv_nummember(rd, pos, k, vt, first, out);
	}
	if (kt != TLV_STRING)
		return TLV_ETYPE;
	if ((rc = tlv_str(rd, pos, &s, &n)) != 0)
		return rc;
	if (n == 0)
		return TLV_EKEY;
	if (skip)
		return tlv_skip_value(rd, pos, vt);
	if (!first) {
		*sbuf_room(out, 1) = ',';
		out->len++;
	}
	kq = out->len;
	rc = tlv_put_str(out, s, n);
	if (rc & TLV_STR_REPAIRED)
		rd->repaired++;
	kesc = (rc & TLV_STR_ESCAPED) != 0;
	*sbuf_room(out, 1) = ':';
	vs = ++out->len;
	if ((rc = tlv_value(rd, pos, vt, out, &kind)) != 0)
		return rc;
	tlv_note(rd, out, kq, vs, kind, kesc);
	return 0;
}

/* Reads the items of one record from rd->pos into out. */
static int
tlv_record(struct tlv_reader *rd, struct sbuf *out)
{
	size_t pos = rd->pos;
	unsigned depth = 0;
	bool first = true;
	int rc;

	rd->rstart = out->len;
	rd->nidx = 0;
	rd->idxfull = false;
	sbuf_add(out, "{", 1);
	while (pos < rd->len) {
		int kt = rd->p[pos] >> 4, vt = rd->p[pos] & 15;

		pos++;
		if (kt == TLV_UNKNOWN) {
			const uint8_t *s;
			size_t n;

			switch (vt) {
			case TLV_EOR:
				if (depth > 0)
					return TLV_ETYPE;
				sbuf_add(out, "}", 1);
				rd->rlen = out->len - rd->rstart;
				rd->pos = pos;
				return TLV_RECORD;
			case TLV_BLOCK:
			case TLV_LIST:
				/* Its name travels as a string value. */
				if ((rc = tlv_str(rd, &pos, &s, &n)) != 0)
					return rc;
				if (depth == 0)
					rd->skipped++;
				if (++depth > TLV_MAXDEPTH)
					return TLV_EDEPTH;
				continue;
			case TLV_END_BLOCK:
			case TLV_END_LIST:
				if (depth == 0)
					return TLV_ETYPE;
				depth--;
				continue;
			default:
				return TLV_ETYPE;
			}
		}
		rc = tlv_member(rd, &pos, kt, vt, depth > 0, first, out);
		if (rc != 0)
			return rc;
		if (depth == 0)
			first = false;
	}
	/* The buffer ended inside the record. */
	if (depth > 0)
		return TLV_ETRUNC;
	if (!rd->counter)
		return TLV_ENOEND;
	sbuf_add(out, "}", 1);
	rd->rlen = out->len - rd->rstart;
	rd->pos = pos;
	return TLV_RECORD;
}

int
tlv_next(struct tlv_reader *rd, struct sbuf *out)
{
	size_t mark = out->len, skipped = rd->skipped;
	size_t repaired = rd->repaired, i;
	int rc;

	if (rd->failed || rd->pos >= rd->len)
		return TLV_END;
	/* Zero bytes after the last record are padding, not a record. */
	for (i = rd->pos; i < rd->len && rd->p[i] == 0; i++)
		;
	if (i == rd->len)
		return TLV_END;
	if (rd->records >= TLV_MAXRECORDS)
		rc = TLV_ELIMIT;
	else
		rc = tlv_record(rd, out);
	if (rc == TLV_RECORD) {
		rd->records++;
		return rc;
	}
	/* A dropped record's blocks and strings are not counted. */
	rd->skipped = skipped;
	rd->repaired = repaired;
	out->len = mark;
	if (out->p != NULL)
		out->p[mark] = '\0';
	rd->failed = true;
	return rc;
}

int
tlv_index(const struct tlv_reader *rd, const char *text, struct record *r)
{
	size_t i;

	if (rd->idxfull)
		return -1;
	if (r->cap < rd->nidx) {
		struct rec_field *f = reallocarray(r->f, TLV_IDXMAX,
		    sizeof(*f));

		if (f == NULL)
			return -1;
		r->f = f;
		r->cap = TLV_IDXMAX;
	}
	r->text = text;
	r->len = rd->rlen;
	r->nf = rd->nidx;
	r->compact = true;
	for (i = 0; i < rd->nidx; i++) {
		const struct tlv_member *m = &rd->idx[i];
		struct rec_field *f = &r->f[i];

		f->key = text + m->koff;
		f->klen = m->klen;
		f->val = text + m->voff;
		f->vlen = m->vlen;
		f->kind = (enum rec_kind)m->kind;
		f->kesc = m->kesc;
		f->vesc = m->vesc;
	}
	return 0;
}

/* Encoding. */

void
tlv_begin(struct sbuf *out)
{
	sbuf_add(out, "\x01\x01", 2);
}

static void
tlv_put_be(struct sbuf *out, uint64_t v, size_t n)
{
	char b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (char)(v >> (8 * (n - 1 - i)));
	sbuf_add(out, b, n);
}

/* The smallest unsigned type holding v. */
static int
tlv_utype(uint64_t v)
{
	return v <= 0xff ? TLV_U8 : v <= 0xffff ? TLV_U16 :
	    v <= 0xffffffffu ? TLV_U32 : TLV_U64;
}

/* The smallest signed type holding v (< 0). */
static int
tlv_itype(int64_t v)
{
	return v >= INT8_MIN ? TLV_I8 : v >= INT16_MIN ? TLV_I16 :
	    v >= INT32_MIN ? TLV_I32 : TLV_I64;
}

/* The number a key is, or -1: a field name or numeric form of the ntopids
 * table under TLV_ENC_IDS; otherwise only plain decimal digits without a
 * leading zero, so that the key reads back as the same text. */
static int
tlv_key_id(const char *key, size_t klen, unsigned flags)
{
	if (flags & TLV_ENC_IDS)
		return ntopids_key(key, klen);
	if (klen == 0 || (key[0] == '0' && klen > 1) ||
	    memchr(key, '.', klen) != NULL || memchr(key, '+', klen) != NULL)
		return -1;
	return ntopids_parse_key(key, klen);
}

/* Writes the type byte and the key: a number key when tlv_key_id() gives
 * one, in its smallest width, else a string key. */
static void
tlv_put_key(struct sbuf *out, const char *key, size_t klen, int vt,
    unsigned flags)
{
	int id = tlv_key_id(key, klen, flags);

	if (id >= 0) {
		int kt = tlv_utype((uint64_t)id);

		sbuf_addc(out, (char)(kt << 4 | vt));
		tlv_put_be(out, (uint64_t)id, tlv_width(kt));
		return;
	}
	sbuf_addc(out, (char)(TLV_STRING << 4 | vt));
	tlv_put_be(out, klen, 2);
	sbuf_add(out, key, klen);
}

/* Writes a number member: an integer in its smallest width, a fraction as
 * a float when that loses nothing, else as a string of its text. */
static void
tlv_put_number(struct sbuf *out, const char *key, size_t klen,
    const struct rec_field *f, unsigned flags)
{
	char dbuf[40], fbuf[40], text[64];
	int64_t i;
	uint64_t u;
	double d;
	float fl;

	if (memchr(f->val, '.', f->vlen) == NULL &&
	    memchr(f->val, 'e', f->vlen) == NULL &&
	    memchr(f->val, 'E', f->vlen) == NULL) {
		if (f->val[0] != '-' && rec_u64(f, &u) == 0) {
			int t = tlv_utype(u);

			tlv_put_key(out, key, klen, t, flags);
			tlv_put_be(out, u, tlv_width(t));
			return;
		}
		/* "-0" is no integer: it goes as the float it is. */
		if (f->val[0] == '-' && rec_i64(f, &i) == 0 && i != 0) {
			int t = tlv_itype(i);

			tlv_put_key(out, key, klen, t, flags);
			tlv_put_be(out, (uint64_t)i, tlv_width(t));
			return;
		}
	}
	if (f->vlen < sizeof(text) && rec_double(f, &d) == 0) {
		/* The float nearest to the text, rounded once. */
		memcpy(text, f->val, f->vlen);
		text[f->vlen] = '\0';
		fl = strtof(text, NULL);
		if (isfinite(fl)) {
			tlv_shortest(d, false, dbuf, sizeof(dbuf));
			tlv_shortest(fl, true, fbuf, sizeof(fbuf));
		}
		if (isfinite(fl) && strcmp(dbuf, fbuf) == 0) {
			uint32_t bits;

			memcpy(&bits, &fl, sizeof(bits));
			tlv_put_key(out, key, klen, TLV_FLOAT, flags);
			/* nDPI copies the float in host order: little-endian
			 * on every platform ntopng runs on. */
			tlv_put_be(out, (bits >> 24) | ((bits >> 8) & 0xff00u) |
			    ((bits << 8) & 0xff0000u) | (bits << 24), 4);
			return;
		}
	}
	tlv_put_key(out, key, klen, TLV_STRING, flags);
	tlv_put_be(out, f->vlen, 2);
	sbuf_add(out, f->val, f->vlen);
}

/* Writes a string member from bytes s[0..n). */
static void
tlv_put_strval(struct sbuf *out, const char *key, size_t klen, const char *s,
    size_t n, unsigned flags)
{
	tlv_put_key(out, key, klen, TLV_STRING, flags);
	tlv_put_be(out, n, 2);
	sbuf_add(out, s, n);
}

/* Decodes the JSON string text q[0..n) (quotes included) into tmp. */
static bool
tlv_unquote(const char *q, size_t n, bool esc, struct sbuf *tmp)
{
	struct rec_field sf = { 0 };
	int m;

	sf.kind = REC_STRING;
	sf.val = q;
	sf.vlen = n;
	sf.vesc = esc;
	sbuf_reset(tmp);
	sbuf_reserve(tmp, n + 8);
	if ((m = rec_str(&sf, tmp->p, n + 8)) < 0)
		return false;
	tmp->len = (size_t)m;
	return true;
}

size_t
tlv_encode(struct sbuf *out, const struct record *r, bool eor, unsigned flags)
{
	struct sbuf kb = { 0 }, vb = { 0 };
	size_t i, left = 0;

	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		const char *key = f->key;
		size_t klen = f->klen;

		if ((flags & TLV_ENC_NORESERVED) && klen > 0 && key[0] == '_')
			continue;
		if (f->kesc) {
			/* The key's quotes surround it in the record text. */
			if (!tlv_unquote(key - 1, klen + 2, true, &kb)) {
				left++;
				continue;
			}
			key = kb.p;
			klen = kb.len;
		}
		if (klen == 0 || klen > TLV_STRMAX) {
			left++;
			continue;
		}
		switch (f->kind) {
		case REC_NUMBER:
			tlv_put_number(out, key, klen, f, flags);
			break;
		case REC_STRING:
			if (!tlv_unquote(f->val, f->vlen, f->vesc, &vb) ||
			    vb.len > TLV_STRMAX) {
				left++;
				break;
			}
			tlv_put_strval(out, key, klen, vb.p, vb.len, flags);
			break;
		case REC_TRUE:
		case REC_FALSE:
			tlv_put_key(out, key, klen, TLV_U8, flags);
			sbuf_addc(out, f->kind == REC_TRUE ? 1 : 0);
			break;
		case REC_OBJECT:
		case REC_ARRAY:
			sbuf_reset(&vb);
			json_compact(&vb, f->val, f->vlen);
			if (vb.len > TLV_STRMAX) {
				left++;
				break;
			}
			tlv_put_strval(out, key, klen, vb.p, vb.len, flags);
			break;
		default:
			left++;
		}
	}
	if (eor)
		sbuf_addc(out, TLV_EOR);
	sbuf_free(&kb);
	sbuf_free(&vb);
	return left;
}
