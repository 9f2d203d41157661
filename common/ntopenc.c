/* ntopenc.c - records and ntop ZMQ payloads the other way
 * (include/ntopenc.h): a record's _event, the record written with the
 * pipeline's members in front of the producer's, the producer payload
 * and its compression. See doc/wire-format.md "Messages" and
 * doc/design.md "The record contract" (the _event rules).
 */
#include <string.h>

#include <zlib.h>

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
	if (strcmp(topic, "counter") == 0)
		return "counters";
	if (strcmp(topic, EVK_LISTENING_PORTS) == 0)
		return "netstat";
	if (strcmp(topic, "flow") != 0)
		return "other";
	tcp = record_get(r, EVK_TCP);
	if (tcp != NULL && tcp->kind == REC_OBJECT &&
	    record_get(r, EVK_TCP_EVENT_TYPE) == NULL &&
	    record_get(r, EVK_UDP_EVENT_TYPE) == NULL)
		return "netstat";
	return "flow";
}

static bool
reserved(const struct rec_field *f)
{
	return f->klen > 0 && f->key[0] == '_';
}

void
ntopmsg_write(struct sbuf *out, const char *prefix, size_t plen,
    const struct record *r, uint64_t *nreserved)
{
	const struct rec_field *f;
	size_t i, at, nres = 0;

	for (i = 0; i < r->nf; i++)
		if (reserved(&r->f[i]))
			nres++;
	sbuf_reserve(out, plen + r->len + 2);
	sbuf_add(out, prefix, plen);
	if (nres == 0 && r->compact) {
		/* The fast path: the producer's members as they are. */
		if (r->nf > 0)
			sbuf_addc(out, ',');
		sbuf_add(out, r->text + 1, r->len - 1);
		return;
	}
	if (nres == 0) {
		/* One compacting pass over the whole object; its opening
		 * brace becomes the comma after the prefix. */
		at = out->len;
		json_compact(out, r->text, r->len);
		if (r->nf > 0)
			out->p[at] = ',';
		else {
			out->len = at;
			sbuf_addc(out, '}');
		}
		return;
	}
	*nreserved += nres;
	for (i = 0; i < r->nf; i++) {
		f = &r->f[i];
		if (reserved(f))
			continue;
		sbuf_add(out, ",\"", 2);
		sbuf_add(out, f->key, f->klen);
		sbuf_add(out, "\":", 2);
		if (f->kind == REC_OBJECT || f->kind == REC_ARRAY)
			json_compact(out, f->val, f->vlen);
		else
			sbuf_add(out, f->val, f->vlen);
	}
	sbuf_addc(out, '}');
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
