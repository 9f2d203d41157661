/* fuzz_record.c - libFuzzer target for record.c: record_parse, key access,
 * value readers, record_sub, record_write and json_compact over arbitrary
 * bytes. Properties checked: the fast path of record_parse and
 * record_parse_prefix (recfast.c) gives what the exact scanner gives,
 * every member of a parsed record is found by its own key, record_sub
 * indexes an object as record_parse does, and what record_write and
 * json_compact produce parses back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "sbuf.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)

static void	fz_walk(const struct record *r, int depth);

/* a and b hold the same index, or the same failure (rc ra, rb). */
static void
fz_same(int ra, const struct record *a, int rb, const struct record *b)
{
	size_t k;

	FZ_ASSERT(ra == rb && a->nf == b->nf && a->text == b->text &&
	    a->len == b->len);
	FZ_ASSERT(ra != REC_OK || a->compact == b->compact);
	for (k = 0; k < a->nf; k++)
		FZ_ASSERT(a->f[k].key == b->f[k].key &&
		    a->f[k].klen == b->f[k].klen &&
		    a->f[k].val == b->f[k].val &&
		    a->f[k].vlen == b->f[k].vlen &&
		    a->f[k].kind == b->f[k].kind &&
		    a->f[k].kesc == b->f[k].kesc &&
		    a->f[k].vesc == b->f[k].vesc);
}

/* record_parse and record_parse_prefix give the same with the byte loops
 * chosen (the exact scanner alone) and with each vector path this CPU
 * has (the fast path, the exact scanner when it is not sure). */
static void
fz_fast(const char *text, size_t size)
{
	static const int impls[] = { JSON_SCAN_SSE2, JSON_SCAN_AVX512 };
	struct record a = RECORD_INIT, b = RECORD_INIT;
	size_t i, ea = 0, eb = 0;
	int ra, rb;

	for (i = 0; i < sizeof(impls) / sizeof(impls[0]); i++) {
		if (json_scan_impl(impls[i]) != 0)
			continue;
		rb = record_parse(&b, text, size);
		json_scan_impl(JSON_SCAN_BYTE);
		ra = record_parse(&a, text, size);
		fz_same(ra, &a, rb, &b);
		ra = record_parse_prefix(&a, text, size, &ea);
		json_scan_impl(impls[i]);
		rb = record_parse_prefix(&b, text, size, &eb);
		fz_same(ra, &a, rb, &b);
		FZ_ASSERT(ra != REC_OK || ea == eb);
	}
	json_scan_impl(JSON_SCAN_AUTO);
	record_free(&a);
	record_free(&b);
}

/* record_sub, which does not validate again, indexed f's value as
 * record_parse does. */
static void
fz_same_parse(const struct record *sub, const struct rec_field *f)
{
	struct record ref = RECORD_INIT;
	size_t k;

	FZ_ASSERT(record_parse(&ref, f->val, f->vlen) == REC_OK);
	FZ_ASSERT(ref.nf == sub->nf && ref.compact == sub->compact &&
	    ref.text == sub->text && ref.len == sub->len);
	for (k = 0; k < ref.nf; k++)
		FZ_ASSERT(ref.f[k].key == sub->f[k].key &&
		    ref.f[k].klen == sub->f[k].klen &&
		    ref.f[k].val == sub->f[k].val &&
		    ref.f[k].vlen == sub->f[k].vlen &&
		    ref.f[k].kind == sub->f[k].kind &&
		    ref.f[k].kesc == sub->f[k].kesc &&
		    ref.f[k].vesc == sub->f[k].vesc);
	record_free(&ref);
}

/* Reads every member of r with every accessor, recursing into objects. */
static void
fz_walk(const struct record *r, int depth)
{
	struct record sub = RECORD_INIT;
	const struct rec_field *f, *g;
	char small[4], big[512];
	int64_t i;
	uint64_t u;
	double d;
	size_t k;
	int n;

	for (k = 0; k < r->nf; k++) {
		f = &r->f[k];
		FZ_ASSERT(f->key >= r->text && f->val >= r->text);
		FZ_ASSERT(f->val + f->vlen <= r->text + r->len);
		/* The first member with this key comes at or before f. */
		if (!f->kesc) {
			g = record_getn(r, f->key, f->klen);
			FZ_ASSERT(g != NULL && g <= f);
		}
		n = rec_str(f, small, sizeof(small));
		FZ_ASSERT(n < (int)sizeof(small));
		if (n >= 0)
			FZ_ASSERT(small[n] == '\0');
		n = rec_str(f, big, sizeof(big));
		FZ_ASSERT(n < (int)sizeof(big));
		if (n >= 0) {
			FZ_ASSERT(big[n] == '\0');
			if (memchr(big, '\0', (size_t)n) == NULL)
				FZ_ASSERT(rec_streq(f, big));
		}
		(void)rec_i64(f, &i);
		(void)rec_u64(f, &u);
		(void)rec_double(f, &d);
		if (f->kind == REC_OBJECT) {
			FZ_ASSERT(record_sub(f, &sub) == REC_OK);
			fz_same_parse(&sub, f);
			/* Eight levels are enough to reach every accessor. */
			if (depth < 8)
				fz_walk(&sub, depth + 1);
		} else
			FZ_ASSERT(record_sub(f, &sub) == REC_NOT_OBJECT);
	}
	(void)record_get(r, "IF_NAME");
	(void)record_get(r, "");
	record_free(&sub);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rec_edit edits[] = {
		{ "_iface", "\"eth0\"", 6 },
		{ "_rx", "1.000000", 8 },
		{ "IF_NAME", NULL, 0 },
	};
	struct record r = RECORD_INIT, back = RECORD_INIT;
	struct sbuf out = { 0 };
	const char *text = (const char *)data;
	size_t pos = 0;
	int rc;

	fz_fast(text, size);
	rc = record_parse(&r, text, size);
	FZ_ASSERT(record_errname(rc) != NULL);
	if (rc == REC_OK) {
		FZ_ASSERT(r.text >= text && r.text + r.len <= text + size);
		fz_walk(&r, 0);
		record_write(&r, edits, sizeof(edits) / sizeof(edits[0]), &out);
		FZ_ASSERT(record_parse(&back, out.p, out.len) == REC_OK);
		FZ_ASSERT(record_get(&back, "IF_NAME") == NULL);
		FZ_ASSERT(rec_streq(record_get(&back, "_iface"), "eth0"));
		sbuf_reset(&out);
		record_write(&r, NULL, 0, &out);
		FZ_ASSERT(record_parse(&back, out.p, out.len) == REC_OK);
		FZ_ASSERT(back.nf == r.nf);
		sbuf_reset(&out);
		json_compact(&out, r.text, r.len);
		FZ_ASSERT(record_parse(&back, out.p, out.len) == REC_OK);
		FZ_ASSERT(back.nf == r.nf && back.compact);
	}
	/* Walk the input as a sequence of values, as an array payload is. */
	while (pos < size) {
		size_t before = pos;

		json_skip_ws(text, size, &pos);
		if (pos >= size)
			break;
		if (json_skip_value(text, size, &pos) != REC_OK)
			break;
		FZ_ASSERT(pos > before && pos <= size);
	}
	sbuf_free(&out);
	record_free(&back);
	record_free(&r);
	return 0;
}
