/* ntopenc.c - records and ntop ZMQ payloads the other way
 * (include/ntopenc.h): a record's _event, the record written with the
 * pipeline's members in front of the producer's, the producer payload
 * and its compression. See doc/wire-format.md "Messages" and
 * doc/design.md "The record contract" (the _event rules).
 */
#include <string.h>

#include <zlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "evkeys.h"
#include "ntopenc.h"
#include "ntopmsg.h"

bool
ntopmsg_topic_ok(const char *topic)
{
	size_t i;

	for (i = 0; ntopmsg_topics[i] != NULL; i++)
		if (strcmp(topic, ntopmsg_topics[i]) == 0)
			return true;
	return false;
}

const char *
ntopmsg_event(const char *topic, const struct record *r)
{
	const struct rec_field *tcp;

	if (topic == NULL) {
		if (record_get(r, EVK_LISTENING_PORTS) != NULL)
			return "netstat";
		if (record_get(r, EVK_IFINOCTETS) != NULL ||
		    record_get(r, EVK_IFNAME) != NULL)
			return "counters";
		topic = "flow";
	}
	/* Flows first: nearly every record is one. */
	if (strcmp(topic, "flow") != 0) {
		if (strcmp(topic, "counter") == 0)
			return "counters";
		if (strcmp(topic, EVK_LISTENING_PORTS) == 0)
			return "netstat";
		return "other";
	}
	tcp = record_getn(r, EVK_TCP, sizeof(EVK_TCP) - 1);
	if (tcp != NULL && tcp->kind == REC_OBJECT &&
	    record_get(r, EVK_TCP_EVENT_TYPE) == NULL &&
	    record_get(r, EVK_UDP_EVENT_TYPE) == NULL)
		return "netstat";
	return "flow";
}

/* Is f reserved for the pipeline (its key starts with '_')? An empty
 * key's first byte is its closing quote. */
static inline bool
reserved(const struct rec_field *f)
{
	return f->key[0] == '_';
}

/* The most bytes enc_put() and json_compact_to() write past what they
 * copy. */
#define ENC_SLACK	16
/* The shortest value enc_compact() gives json_compact_to(). */
#define ENC_BLOCKMIN	64

/* Copies the n bytes of s, which has readable bytes up to lim, to o and
 * returns the end; o must have room for n + ENC_SLACK bytes. Keys and
 * values are mostly under 33 bytes: they are moved in one or two 16-byte
 * pieces instead of a memcpy() call whose length is unknown. */
static inline char *
enc_put(char *o, const char *s, size_t n, const char *lim)
{
	if (n <= 16 && s + 16 <= lim)
		memcpy(o, s, 16);
	else if (n >= 16 && n <= 32) {
		memcpy(o, s, 16);
		memcpy(o + n - 16, s + n - 16, 16);
	} else
		memcpy(o, s, n);
	return o + n;
}

/* Copies the string whose opening quote is at *sp, quotes included, to o
 * and returns the end of o; *sp is moved past the string. The text is
 * valid (record.h), so the string ends before lim. Strings are most of a
 * record's bytes: they move 16 bytes at a time up to the next quote or
 * backslash. o must have room for the string and 16 bytes more. */
static inline char *
enc_string(char *o, const char **sp, const char *lim)
{
	const char *s = *sp;

	*o++ = *s++;
#ifdef __SSE2__
	{
		const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\');
		__m128i v;
		unsigned m, i;

		while (s + 16 <= lim) {
			v = _mm_loadu_si128((const __m128i *)(const void *)s);
			_mm_storeu_si128((__m128i *)(void *)o, v);
			m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
			    _mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, b)));
			if (m == 0) {
				s += 16;
				o += 16;
				continue;
			}
			i = (unsigned)__builtin_ctz(m);
			if (s[i] == '"') {
				*sp = s + i + 1;
				return o + i + 1;
			}
			/* A backslash: the byte it escapes goes as it is. */
			o[i + 1] = s[i + 1];
			s += i + 2;
			o += i + 2;
		}
	}
#endif
	while (*s != '"') {
		if (*s == '\\')
			*o++ = *s++;
		*o++ = *s++;
	}
	*o++ = '"';
	*sp = s + 1;
	return o;
}

/* Writes the valid JSON value s[0..n) (readable up to lim) at o without
 * its white space, as json_compact() does, and returns the end; o must
 * have room for n + ENC_SLACK bytes. json_compact() classifies 64-byte
 * blocks and copies each run between two blanks, and json-c's one space
 * after every colon and comma makes those runs a few bytes long: this
 * copies strings whole and the few bytes between them one by one.
 * Outside strings, valid text has no byte up to ' ' but white space, so
 * one comparison drops it. */
static char *
enc_compact(char *o, const char *s, size_t n, const char *lim)
{
	const char *e = s + n;
	unsigned char c;
	size_t m;

	/* A long value (an event's process object) goes faster through
	 * the block compaction, whose cost follows its bytes, not its
	 * strings and blanks; its set-up costs more than a short value's
	 * byte steps. */
	if (n >= ENC_BLOCKMIN && (m = json_compact_to(o, s, n)) !=
	    JSON_COMPACT_NO)
		return o + m;

	while (s < e) {
		c = (unsigned char)*s;
		if (c == '"') {
			o = enc_string(o, &s, lim);
			continue;
		}
		*o = (char)c;
		o += c > ' ';
		s++;
	}
	return o;
}

/* Appends ",\"key\":value" for each member of r that is not reserved, and
 * the closing brace, as json_compact() of the whole object would give
 * them. Members written without white space in r (key, colon and a
 * scalar value, or any value when r is compact) are copied as runs of the
 * producer's text, each run in one piece with the commas between its
 * members; the others are written key then value, and only an object or
 * array value of a record that is not compact is compacted. Returns the
 * number of reserved members left out. */
static size_t
write_members(struct sbuf *out, const struct record *r)
{
	const struct rec_field *f;
	const char *run = NULL, *rend = NULL, *m, *lim = r->text + r->len;
	size_t i, nres = 0;
	char *o;

	/* Never more than r's text: each member's comma stands for the
	 * comma or brace before it in r. */
	o = sbuf_room(out, r->len + 1 + ENC_SLACK);
	for (i = 0; i < r->nf; i++) {
		f = &r->f[i];
		if (reserved(f)) {
			nres++;
			continue;
		}
		m = f->key - 1;		/* the key's opening quote */
		if (f->val == f->key + f->klen + 2 && (r->compact ||
		    (f->kind != REC_OBJECT && f->kind != REC_ARRAY))) {
			/* Plain "key":value: it joins the run it follows. */
			if (run == NULL || m != rend + 1) {
				if (run != NULL) {
					*o++ = ',';
					o = enc_put(o, run, (size_t)(rend - run),
					    lim);
				}
				run = m;
			}
			rend = f->val + f->vlen;
			continue;
		}
		if (run != NULL) {
			*o++ = ',';
			o = enc_put(o, run, (size_t)(rend - run), lim);
			run = NULL;
		}
		o = SBUF_PUTLIT(o, ",\"");
		o = enc_put(o, f->key, f->klen, lim);
		o = SBUF_PUTLIT(o, "\":");
		if (r->compact || (f->kind != REC_OBJECT &&
		    f->kind != REC_ARRAY)) {
			o = enc_put(o, f->val, f->vlen, lim);
			continue;
		}
		o = enc_compact(o, f->val, f->vlen, lim);
	}
	if (run != NULL) {
		*o++ = ',';
		o = enc_put(o, run, (size_t)(rend - run), lim);
	}
	*o++ = '}';
	sbuf_commit(out, o);
	return nres;
}

void
ntopmsg_write(struct sbuf *out, const char *prefix, size_t plen,
    const struct record *r, uint64_t *nreserved)
{
	size_t i;
	char *o;

	o = sbuf_room(out, plen + r->len + 1 + ENC_SLACK);
	o = sbuf_put(o, prefix, plen);
	if (r->compact) {
		for (i = 0; i < r->nf && !reserved(&r->f[i]); i++)
			;
		if (i == r->nf) {
			/* The fast path: the producer's members as they
			 * are. */
			if (r->nf > 0)
				*o++ = ',';
			sbuf_commit(out, sbuf_put(o, r->text + 1, r->len - 1));
			return;
		}
	}
	sbuf_commit(out, o);
	*nreserved += write_members(out, r);
}

void
ntopmsg_strip(struct sbuf *out, const struct record *r)
{
	const struct rec_field *f;
	size_t i;
	bool first = true;

	for (i = 0; i < r->nf; i++)
		if (reserved(&r->f[i]))
			break;
	if (i == r->nf) {
		sbuf_add(out, r->text, r->len);
		return;
	}
	sbuf_addc(out, '{');
	for (i = 0; i < r->nf; i++) {
		f = &r->f[i];
		if (reserved(f))
			continue;
		if (!first)
			sbuf_addc(out, ',');
		first = false;
		sbuf_addc(out, '"');
		sbuf_add(out, f->key, f->klen);
		sbuf_add(out, "\":", 2);
		sbuf_add(out, f->val, f->vlen);
	}
	sbuf_addc(out, '}');
}

int
ntopmsg_deflate(struct sbuf *out, const void *p, size_t len, bool legacy,
    int level)
{
	uLongf zlen;

	zlen = compressBound((uLong)len);
	sbuf_reserve(out, zlen + 1);
	if (legacy)
		out->p[out->len++] = '\0';
	if (compress2((Bytef *)out->p + out->len, &zlen, p, (uLong)len,
	    level) != Z_OK)
		return -1;
	out->len += zlen;
	out->p[out->len] = '\0';
	return 0;
}
