/* ndpioracle.h - nDPI's own TLV serializer and deserializer (libndpi) as
 * the oracle for evpipe's TLV codec: used by tests/unit/test_tlv.c and
 * tests/oracle/ndpi-tlv.c. Static functions, included once per program.
 * The deserializer of nDPI 4.2 does not check string lengths: it is only
 * run on evpipe's own (trusted) output. */
#ifndef EVPIPE_NDPIORACLE_H
#define EVPIPE_NDPIORACLE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi/ndpi_api.h>

#include "record.h"
#include "sbuf.h"

/* The shortest text of a float that reads back as it, whole numbers
 * without an exponent: what the decoder must write. */
static void
fmt_float(float f, char *fb, size_t size)
{
	int p;

	for (p = 1; p < 9; p++) {
		snprintf(fb, size, "%.*g", p, (double)f);
		if (strtof(fb, NULL) == f)
			break;
	}
	snprintf(fb, size, "%.*g", p, (double)f);
	if (strchr(fb, 'e') != NULL && f == floorf(f) && fabsf(f) < 1e15f)
		snprintf(fb, size, "%.0f", (double)f);
}

/* Serializes the scalar top-level members of r with nDPI's serializer,
 * the way a producer calls it: digit-only keys by number, integers by
 * sign, fractions as floats, strings. Appends what our decoder must make
 * of it to want. */
static void
oracle_ser_record(ndpi_serializer *s, const struct record *r, struct sbuf *want)
{
	char key[256], val[4096];
	size_t i;
	bool first = true;

	sbuf_addc(want, '{');
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		bool digits = f->klen > 0 && f->klen < 10 &&
		    strspn(f->key, "0123456789") >= f->klen;
		int64_t iv;
		uint64_t uv;
		double d;

		if (f->klen >= sizeof(key) || f->kesc || f->key[0] == '_')
			continue;
		memcpy(key, f->key, f->klen);
		key[f->klen] = '\0';
		if (f->kind == REC_STRING) {
			if (rec_str(f, val, sizeof(val)) < 0 ||
			    strlen(val) == 0)
				continue;
			if (digits)
				ndpi_serialize_uint32_string(s, atoi(key), val);
			else
				ndpi_serialize_string_string(s, key, val);
			sbuf_addf(want, "%s\"%s\":", first ? "" : ",", key);
			sbuf_add_jstr(want, val, strlen(val));
		} else if (f->kind == REC_NUMBER && f->val[0] != '-' &&
		    rec_u64(f, &uv) == 0) {
			if (digits)
				ndpi_serialize_uint32_uint64(s, atoi(key), uv);
			else
				ndpi_serialize_string_uint64(s, key, uv);
			sbuf_addf(want, "%s\"%s\":%llu", first ? "" : ",", key,
			    (unsigned long long)uv);
		} else if (f->kind == REC_NUMBER && rec_i64(f, &iv) == 0) {
			ndpi_serialize_string_int64(s, key, iv);
			sbuf_addf(want, "%s\"%s\":%lld", first ? "" : ",", key,
			    (long long)iv);
		} else if (f->kind == REC_NUMBER && rec_double(f, &d) == 0) {
			char fb[40];

			ndpi_serialize_string_float(s, key, (float)d, "%f");
			fmt_float((float)d, fb, sizeof(fb));
			sbuf_addf(want, "%s\"%s\":%s", first ? "" : ",", key, fb);
		} else
			continue;
		first = false;
	}
	sbuf_addc(want, '}');
	sbuf_addc(want, '\n');
}

/* Reads our encoding of a record back with nDPI's deserializer (trusted
 * input: our own output) as JSON, the same way our decoder writes it. */
static void
oracle_read_back(const void *buf, size_t len, struct sbuf *got)
{
	ndpi_deserializer d;
	ndpi_serialization_type kt, et;
	bool first = true;

	if (ndpi_init_deserializer_buf(&d, (u_int8_t *)buf, (u_int32_t)len) != 0) {
		sbuf_adds(got, "(init failed)");
		return;
	}
	sbuf_addc(got, '{');
	while ((et = ndpi_deserialize_get_item_type(&d, &kt)) !=
	    ndpi_serialization_unknown) {
		ndpi_string ks, vs;
		u_int32_t k32;
		u_int64_t u64;
		int64_t i64;
		float f;
		char fb[40];

		if (et == ndpi_serialization_end_of_record) {
			sbuf_adds(got, "}\n{");
			first = true;
			ndpi_deserialize_next(&d);
			continue;
		}
		if (!first)
			sbuf_addc(got, ',');
		first = false;
		if (kt == ndpi_serialization_string) {
			ndpi_deserialize_key_string(&d, &ks);
			sbuf_add_jstr(got, ks.str, ks.str_len);
		} else {
			ndpi_deserialize_key_uint32(&d, &k32);
			sbuf_addf(got, "\"%u\"", k32);
		}
		sbuf_addc(got, ':');
		switch (et) {
		case ndpi_serialization_uint8:
		case ndpi_serialization_uint16:
		case ndpi_serialization_uint32:
		case ndpi_serialization_uint64:
			ndpi_deserialize_value_uint64(&d, &u64);
			sbuf_add_u64(got, u64);
			break;
		case ndpi_serialization_int8:
		case ndpi_serialization_int16:
		case ndpi_serialization_int32:
		case ndpi_serialization_int64:
			ndpi_deserialize_value_int64(&d, &i64);
			sbuf_add_i64(got, i64);
			break;
		case ndpi_serialization_float:
			ndpi_deserialize_value_float(&d, &f);
			fmt_float(f, fb, sizeof(fb));
			sbuf_adds(got, fb);
			break;
		case ndpi_serialization_string:
			ndpi_deserialize_value_string(&d, &vs);
			sbuf_add_jstr(got, vs.str, vs.str_len);
			break;
		default:
			sbuf_adds(got, "(type)");
		}
		ndpi_deserialize_next(&d);
	}
	/* Drop the "{" opened after the last end mark. */
	if (got->len > 0 && got->p[got->len - 1] == '{')
		got->p[--got->len] = '\0';
}

#endif
