/* fuzz_jsonlax.c - differential libFuzzer target: jsonlax_parse() against
 * json-c's json_tokener_parse_verbose() (the call ntopng makes) on the
 * same bytes. Aborts when they disagree on accept or reject, when the
 * output is not strict JSON (record.h's validator), or when json-c reading
 * the output back gives another value than json-c reading the input,
 * under the documented mappings:
 *   - a double that is not finite (NaN, Infinity, overflow) is null;
 *     any other double is a double with the same bits (so "1." must stay
 *     a double, not become the integer 1);
 *   - integers compare as both int64 and uint64 (json-c's clamps kept);
 *   - strings and keys compare after replacing each maximal ill-formed
 *     UTF-8 subpart of json-c's bytes by U+FFFD (computed here by a
 *     different method than jsonlax.c's: from the range of code points a
 *     prefix can still reach);
 *   - duplicate keys: json-c keeps one value per key (the last); the
 *     output keeps every member and json-c reading it back keeps the last
 *     too, so values compare equal per key. Two keys that differ only by
 *     bytes replaced with U+FFFD collapse into one key: its value must be
 *     one of theirs. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonlax.h"
#include "record.h"
#include "sbuf.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)

/* The range of code points an L-byte sequence starting with the k bytes
 * at s can encode, padding with the lowest or highest continuation. */
static uint32_t
fz_decode(const uint8_t *s, size_t k, size_t L, uint8_t pad)
{
	static const uint8_t mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & mask[L];
	size_t i;

	for (i = 1; i < L; i++)
		cp = cp << 6 | ((i < k ? s[i] : pad) & 0x3f);
	return cp;
}

/* True if the k bytes at s (lead of an L-byte form) can still begin a
 * well-formed sequence. */
static bool
fz_prefix_ok(const uint8_t *s, size_t k, size_t L)
{
	static const uint32_t lo[] = { 0, 0, 0x80, 0x800, 0x10000 };
	static const uint32_t hi[] = { 0, 0x7f, 0x7ff, 0xffff, 0x10ffff };
	uint32_t a, b;
	size_t i;

	for (i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return false;
	a = fz_decode(s, k, L, 0x80);
	b = fz_decode(s, k, L, 0xbf);
	if (b < lo[L] || a > hi[L])
		return false;
	/* Entirely surrogates. */
	if (a >= 0xd800 && b <= 0xdfff)
		return false;
	return true;
}

/* Appends s[0..n) with every maximal ill-formed subpart as U+FFFD. */
static void
fz_fix(struct sbuf *o, const uint8_t *s, size_t n)
{
	size_t i = 0, L, k;

	while (i < n) {
		if (s[i] < 0x80) {
			sbuf_addc(o, (char)s[i++]);
			continue;
		}
		L = (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3 :
		    (s[i] & 0xf8) == 0xf0 ? 4 : 0;
		k = 0;
		if (L > 0)
			while (k < L && i + k < n && fz_prefix_ok(s + i, k + 1, L))
				k++;
		if (L > 0 && k == L)
			sbuf_add(o, s + i, L);
		else
			sbuf_add(o, "\xef\xbf\xbd", 3);
		i += k > 0 ? k : 1;
	}
}

static bool fz_same(struct json_object *, struct json_object *);

/* True if raw key k fixes to the a->len bytes of a. */
static bool
fz_fixes_to(const char *k, const struct sbuf *a, struct sbuf *tmp)
{
	sbuf_reset(tmp);
	fz_fix(tmp, (const uint8_t *)k, strlen(k));
	return tmp->len == a->len &&
	    (a->len == 0 || memcmp(tmp->p, a->p, a->len) == 0);
}

/* v and w objects: every fixed key of v is in w with v's value, or with
 * the value of another key of v fixed to the same key. fz_counts() checks
 * that w has no other key. */
static bool
fz_same_object(struct json_object *v, struct json_object *w)
{
	struct sbuf a = { 0 }, b = { 0 };
	struct json_object *wv;
	bool ok = true, found;

	json_object_object_foreach(v, k1, v1) {
		sbuf_reset(&a);
		fz_fix(&a, (const uint8_t *)k1, strlen(k1));
		if (!json_object_object_get_ex(w, a.len ? a.p : "", &wv)) {
			ok = false;
			break;
		}
		found = fz_same(v1, wv);
		json_object_object_foreach(v, k2, v2) {
			if (found)
				break;
			if (strcmp(k1, k2) != 0 && fz_fixes_to(k2, &a, &b))
				found = fz_same(v2, wv);
		}
		if (!found) {
			ok = false;
			break;
		}
	}
	sbuf_free(&a);
	sbuf_free(&b);
	return ok;
}

static bool
fz_same(struct json_object *v, struct json_object *w)
{
	struct sbuf f = { 0 };
	double d, e;
	size_t i, n;
	bool ok;

	if (v == NULL)
		return w == NULL;
	if (json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (!isfinite(d))
			return w == NULL;
		if (!json_object_is_type(w, json_type_double))
			return false;
		e = json_object_get_double(w);
		return memcmp(&d, &e, sizeof(d)) == 0;
	}
	if (w == NULL || json_object_get_type(v) != json_object_get_type(w))
		return false;
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_object_get_boolean(v) == json_object_get_boolean(w);
	case json_type_int:
		return json_object_get_int64(v) == json_object_get_int64(w) &&
		    json_object_get_uint64(v) == json_object_get_uint64(w);
	case json_type_string:
		fz_fix(&f, (const uint8_t *)json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		ok = f.len == (size_t)json_object_get_string_len(w) &&
		    (f.len == 0 ||
		    memcmp(f.p, json_object_get_string(w), f.len) == 0);
		sbuf_free(&f);
		return ok;
	case json_type_array:
		n = json_object_array_length(v);
		if (n != json_object_array_length(w))
			return false;
		for (i = 0; i < n; i++)
			if (!fz_same(json_object_array_get_idx(v, i),
			    json_object_array_get_idx(w, i)))
				return false;
		return true;
	case json_type_object:
		return fz_same_object(v, w);
	default:
		return false;
	}
}

/* Distinct fixed keys of v. */
static size_t
fz_nkeys(struct json_object *v)
{
	struct sbuf a = { 0 }, b = { 0 };
	size_t n = 0, i = 0, j;

	json_object_object_foreach(v, k1, v1) {
		bool seen = false;

		(void)v1;
		sbuf_reset(&a);
		fz_fix(&a, (const uint8_t *)k1, strlen(k1));
		j = 0;
		json_object_object_foreach(v, k2, v2) {
			(void)v2;
			if (j++ >= i)
				break;
			sbuf_reset(&b);
			fz_fix(&b, (const uint8_t *)k2, strlen(k2));
			if (a.len == b.len && (a.len == 0 ||
			    memcmp(a.p, b.p, a.len) == 0))
				seen = true;
		}
		if (!seen)
			n++;
		i++;
	}
	sbuf_free(&a);
	sbuf_free(&b);
	return n;
}

/* Key counts match at every level (fz_same checks w's keys exist). */
static bool
fz_counts(struct json_object *v, struct json_object *w)
{
	size_t i, n;

	if (v == NULL || w == NULL)
		return true;
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (!fz_counts(json_object_array_get_idx(v, i),
			    json_object_array_get_idx(w, i)))
				return false;
		return true;
	}
	if (!json_object_is_type(v, json_type_object))
		return true;
	if (fz_nkeys(v) != (size_t)json_object_object_length(w))
		return false;
	json_object_object_foreach(v, k, vv) {
		struct sbuf a = { 0 };
		struct json_object *wv = NULL;
		bool ok;

		fz_fix(&a, (const uint8_t *)k, strlen(k));
		json_object_object_get_ex(w, a.len ? a.p : "", &wv);
		sbuf_free(&a);
		ok = fz_counts(vv, wv);
		if (!ok)
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum json_tokener_error jerr;
	struct json_object *v, *w;
	struct jsonlax_res res;
	struct sbuf out = { 0 };
	char *buf, *back;
	size_t pos;
	int rc;

	/* json-c reads a C string, as ntopng hands it the payload. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	v = json_tokener_parse_verbose(buf, &jerr);
	rc = jsonlax_parse(&out, (const char *)data, size, &res);
	if (v == NULL && jerr == json_tokener_success) {
		/* json-c's "null" at the top: accepted, the value is NULL. */
		FZ_ASSERT(rc == JSONLAX_OK);
	} else
		FZ_ASSERT((v != NULL) == (rc == JSONLAX_OK));
	/* A strict object or array first (a bracket ends it where json-c
	 * ends it too; a number does not: "00"): jsonlax_tail() alone
	 * decides, as json-c does (unless the value nests deeper than json-c
	 * allows). */
	pos = 0;
	json_skip_ws((const char *)data, size, &pos);
	if (rc != JSONLAX_EDEPTH && pos < size &&
	    (data[pos] == '{' || data[pos] == '[') &&
	    json_skip_value((const char *)data, size, &pos) == REC_OK) {
		unsigned rep;

		FZ_ASSERT((jsonlax_tail((const char *)data, size, pos, &rep) ==
		    JSONLAX_OK) == (rc == JSONLAX_OK));
	}
	if (rc == JSONLAX_OK) {
		FZ_ASSERT(res.off + res.len <= out.len && res.len > 0);
		/* Strict JSON, and nothing else. */
		pos = 0;
		FZ_ASSERT(json_skip_value(out.p + res.off, res.len, &pos) ==
		    REC_OK && pos == res.len);
		if ((back = malloc(res.len + 1)) == NULL)
			abort();
		memcpy(back, out.p + res.off, res.len);
		back[res.len] = '\0';
		w = json_tokener_parse_verbose(back, &jerr);
		FZ_ASSERT(jerr == json_tokener_success);
		FZ_ASSERT(fz_same(v, w));
		FZ_ASSERT(fz_counts(v, w));
		json_object_put(w);
		free(back);
	}
	json_object_put(v);
	sbuf_free(&out);
	free(buf);
	return 0;
}
