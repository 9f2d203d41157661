/* test_record.c - unit tests for the record module: common/record.c,
 * recfield.c, recstr.c (the string decoder, against one written for
 * clarity at every buffer size) and jsonscan.c. Its fast path, common/recfast.c, is held to
 * the exact scanner by tests/unit/test_recfast.c. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "unit.h"

static int
parse(struct record *r, const char *s)
{
	return record_parse(r, s, strlen(s));
}

static void
test_errors(void)
{
	struct record r = RECORD_INIT;
	static const struct { const char *in; int want; } cases[] = {
		{ "", REC_EMPTY },
		{ "  \n ", REC_EMPTY },
		{ "[1,2]", REC_NOT_OBJECT },
		{ "42", REC_NOT_OBJECT },
		{ "\"x\"", REC_NOT_OBJECT },
		{ "null", REC_NOT_OBJECT },
		{ "{", REC_TRUNCATED },
		{ "{\"a\":", REC_TRUNCATED },
		{ "{\"a\":\"abc", REC_TRUNCATED },
		{ "{\"a\":tru", REC_TRUNCATED },
		{ "{\"a\":[1,2", REC_TRUNCATED },
		{ "{\"a\":1,}", REC_SYNTAX },
		{ "{a:1}", REC_SYNTAX },
		{ "{\"a\" 1}", REC_SYNTAX },
		{ "{\"a\":01}", REC_SYNTAX },
		{ "{\"a\":1.}", REC_SYNTAX },
		{ "{\"a\":-}", REC_SYNTAX },
		{ "{\"a\":.5}", REC_SYNTAX },
		{ "{\"a\":truex}", REC_SYNTAX },
		{ "{\"a\":\"\\x\"}", REC_SYNTAX },
		{ "{\"a\":\"\\u12g4\"}", REC_SYNTAX },
		{ "{\"a\":\"tab\there\"}", REC_SYNTAX },
		{ "{\"a\":\"\xff\"}", REC_UTF8 },
		{ "{\"a\":\"\xc0\xaf\"}", REC_UTF8 },
		{ "{\"a\":\"\xed\xa0\x80\"}", REC_UTF8 },
		{ "{\"a\":\"\xf4\x90\x80\x80\"}", REC_UTF8 },
		{ "{\"a\":1} x", REC_TRAILING },
		{ "{\"a\":1}{}", REC_TRAILING },
		{ "[1] x", REC_TRAILING },
		{ "{\"a\":1}", REC_OK },
		{ " {\"a\":1} \r\n", REC_OK },
		{ "{}", REC_OK },
		{ "{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}", REC_OK },
		{ "{\"a\":-0.5e+10,\"b\":[true,false,null,{}],\"c\":{\"d\":[]}}", REC_OK },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int e = parse(&r, cases[i].in);

		if (e != cases[i].want)
			fprintf(stderr, "case %zu: %s: got %s want %s\n", i,
			    cases[i].in, record_errname(e),
			    record_errname(cases[i].want));
		CHECK(e == cases[i].want);
	}
	CHECK_STR(record_errname(REC_SYNTAX), "bad_json");
	CHECK_STR(record_errname(REC_TRUNCATED), "truncated_json");
	CHECK_STR(record_errname(REC_NOT_OBJECT), "not_object");
	CHECK_STR(record_errname(99), "bad_json");
	record_free(&r);
}

static void
test_depth(void)
{
	struct record r = RECORD_INIT;
	char buf[512];
	size_t i, n = 0;

	n += (size_t)sprintf(buf, "{\"a\":");
	for (i = 0; i < 70; i++)
		buf[n++] = '[';
	for (i = 0; i < 70; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	buf[n] = '\0';
	CHECK(parse(&r, buf) == REC_DEPTH);
	record_free(&r);
}

static void
test_access(void)
{
	struct record r = RECORD_INIT, sub = RECORD_INIT;
	const char *ev = "{ \"timestamp\": \"1718031245.482913\", "
	    "\"INTERFACE_NAME\": \"eth0\", \"L4_SRC_PORT\": 41872, "
	    "\"NW_LATENCY_MS\": \"0.087\", \"RTT\": 0.412, \"NEG\": -3, "
	    "\"LOCAL_PROCESS\": { \"PID\": 48211, \"PROCESS_PATH\": "
	    "\"\\/usr\\/bin\\/curl\" }, \"esc\\u0041key\": \"a\\nb\\u00e9\\ud83d\\ude00\", "
	    "\"big\": 18446744073709551615, \"frac\": 1.5, \"t\": true }";
	const struct rec_field *f;
	char buf[64];
	int64_t i64;
	uint64_t u64;
	double d;

	CHECK(parse(&r, ev) == REC_OK);
	CHECK(r.nf == 11);
	CHECK(!r.compact);
	f = record_get(&r, "INTERFACE_NAME");
	CHECK(f != NULL && f->kind == REC_STRING);
	CHECK(rec_streq(f, "eth0"));
	CHECK(!rec_streq(f, "eth"));
	CHECK(rec_str(f, buf, sizeof(buf)) == 4);
	CHECK_STR(buf, "eth0");
	CHECK(rec_str(f, buf, 4) == -1);
	CHECK(rec_i64(record_get(&r, "L4_SRC_PORT"), &i64) == 0 && i64 == 41872);
	CHECK(rec_i64(record_get(&r, "NEG"), &i64) == 0 && i64 == -3);
	CHECK(rec_u64(record_get(&r, "NEG"), &u64) == -1);
	CHECK(rec_u64(record_get(&r, "big"), &u64) == 0 &&
	    u64 == 18446744073709551615ULL);
	CHECK(rec_i64(record_get(&r, "frac"), &i64) == -1);
	CHECK(rec_double(record_get(&r, "NW_LATENCY_MS"), &d) == 0 &&
	    d > 0.0869 && d < 0.0871);
	CHECK(rec_double(record_get(&r, "RTT"), &d) == 0 && d == 0.412);
	CHECK(rec_double(record_get(&r, "t"), &d) == -1);
	CHECK(rec_double(record_get(&r, "missing"), &d) == -1);
	CHECK(record_get(&r, "missing") == NULL);
	{
		static const char *const keys[] = {
			"NEG", "missing", "escAkey", "INTERFACE_NAME", "t",
		};
		const struct rec_field *m[5];
		size_t k;

		record_getv(&r, keys, 5, m);
		for (k = 0; k < 5; k++)
			CHECK(m[k] == record_get(&r, keys[k]));
		CHECK(m[1] == NULL && m[2] != NULL);
		/* With the lengths given: the same members, the escaped
		 * key included. */
		{
			static const size_t lens[] = { 3, 7, 7, 14, 1 };
			const struct rec_field *m2[5];

			record_getvl(&r, keys, lens, 5, m2);
			for (k = 0; k < 5; k++)
				CHECK(m2[k] == m[k]);
		}
	}
	/* The hand-read numbers and strtod's agree; other forms still go
	 * through strtoll/strtod. */
	CHECK(parse(&r, "{\"a\":-0.5,\"b\":\"007\",\"c\":1e2,"
	    "\"d\":\" 5\",\"e\":123456789012345678,\"f\":\"1.\","
	    "\"g\":-0}") == REC_OK);
	CHECK(rec_double(record_get(&r, "a"), &d) == 0 && d == -0.5);
	CHECK(rec_i64(record_get(&r, "b"), &i64) == 0 && i64 == 7);
	CHECK(rec_double(record_get(&r, "c"), &d) == 0 && d == 100.0);
	CHECK(rec_i64(record_get(&r, "c"), &i64) == -1);
	CHECK(rec_i64(record_get(&r, "d"), &i64) == 0 && i64 == 5);
	CHECK(rec_u64(record_get(&r, "e"), &u64) == 0 &&
	    u64 == 123456789012345678ULL);
	CHECK(rec_double(record_get(&r, "f"), &d) == 0 && d == 1.0);
	CHECK(rec_double(record_get(&r, "g"), &d) == 0 && d == 0.0 &&
	    signbit(d));
	/* Each digit loop ends at the byte after the number or at the
	 * string's quote: the last member, strings cut short, and the
	 * 15-digit limit of the hand-read path. */
	CHECK(parse(&r, "{\"a\":\"-\",\"b\":\"\",\"c\":\"12\",\"d\":"
	    "123456789012345,\"e\":1234567890123456,\"f\":\"1.5\","
	    "\"g\":{\"h\":-12.25},\"z\":42}") == REC_OK);
	CHECK(rec_i64(record_get(&r, "a"), &i64) == -1);
	CHECK(rec_u64(record_get(&r, "b"), &u64) == -1);
	CHECK(rec_u64(record_get(&r, "c"), &u64) == 0 && u64 == 12);
	CHECK(rec_i64(record_get(&r, "d"), &i64) == 0 &&
	    i64 == 123456789012345LL);
	CHECK(rec_i64(record_get(&r, "e"), &i64) == 0 &&
	    i64 == 1234567890123456LL);
	CHECK(rec_i64(record_get(&r, "f"), &i64) == -1);
	CHECK(rec_double(record_get(&r, "f"), &d) == 0 && d == 1.5);
	CHECK(rec_u64(record_get(&r, "z"), &u64) == 0 && u64 == 42);
	{
		struct record sub = RECORD_INIT;

		CHECK(record_sub(record_get(&r, "g"), &sub) == REC_OK &&
		    rec_double(record_get(&sub, "h"), &d) == 0 &&
		    d == -12.25);
		record_free(&sub);
	}
	/* Keys of every length up to 20, each with a twin that differs in
	 * its first or its last byte only: found by length and every byte. */
	{
		struct sbuf t = { 0 };
		char key[24];
		int len, which, bad = 0;
		const struct rec_field *m;

		sbuf_addc(&t, '{');
		for (len = 1; len <= 20; len++)
			for (which = 0; which < 3; which++) {
				memset(key, 'k', (size_t)len);
				key[len] = '\0';
				if (which == 1)
					key[len - 1] = 'L';
				else if (which == 2)
					key[0] = 'F';
				sbuf_addf(&t, "%s\"%s\":%d", t.len > 1 ? "," : "",
				    key, len * 3 + which);
			}
		sbuf_addc(&t, '}');
		CHECK(record_parse(&r, t.p, t.len) == REC_OK);
		for (len = 1; len <= 20; len++)
			for (which = 0; which < 3; which++) {
				const char *ks[1];
				size_t kl[1];

				memset(key, 'k', (size_t)len);
				key[len] = '\0';
				if (which == 1)
					key[len - 1] = 'L';
				else if (which == 2)
					key[0] = 'F';
				m = record_getn(&r, key, (size_t)len);
				if (m == NULL || rec_i64(m, &i64) != 0 ||
				    i64 != len * 3 + which)
					bad++;
				ks[0] = key;
				kl[0] = (size_t)len;
				record_getvl(&r, ks, kl, 1, &m);
				if (m == NULL || rec_i64(m, &i64) != 0 ||
				    i64 != len * 3 + which)
					bad++;
			}
		CHECK(bad == 0);
		sbuf_free(&t);
	}
	/* Digits read eight at a time agree with strtoull and strtod, for
	 * runs of every length and each place a non-digit can cut one. */
	{
		unsigned long long x = 88172645463325252ULL;
		int bad = 0, n, k, j;
		char num[64], line[128];

		for (n = 0; n < 20000; n++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			k = 1 + (int)(x % 19);
			for (j = 0; j < k; j++)
				num[j] = (char)('0' + (x >> (j * 3 % 60)) % 10);
			if (num[0] == '0' && k > 1)
				num[0] = '1';
			num[k] = '\0';
			if (n % 3 == 1 && k < 18)
				snprintf(num + k, sizeof(num) - (size_t)k, ".%llu",
				    x % 100000000000ULL);
			snprintf(line, sizeof(line), "{\"n\":%s,\"s\":\"%s\"}",
			    num, num);
			if (parse(&r, line) != REC_OK) {
				bad++;
				continue;
			}
			if (strchr(num, '.') == NULL) {
				if (rec_u64(record_get(&r, "n"), &u64) != 0 ||
				    u64 != strtoull(num, NULL, 10) ||
				    rec_u64(record_get(&r, "s"), &u64) != 0 ||
				    u64 != strtoull(num, NULL, 10))
					bad++;
			} else if (rec_double(record_get(&r, "n"), &d) != 0 ||
			    d != strtod(num, NULL))
				bad++;
		}
		CHECK(bad == 0);
	}
	CHECK(parse(&r, ev) == REC_OK);
	CHECK(rec_str(record_get(&r, "escAkey"), buf, sizeof(buf)) == 9);
	CHECK_STR(buf, "a\nb\xc3\xa9\xf0\x9f\x98\x80");
	f = record_get(&r, "LOCAL_PROCESS");
	CHECK(f != NULL && f->kind == REC_OBJECT);
	CHECK(record_sub(f, &sub) == REC_OK);
	CHECK(rec_i64(record_get(&sub, "PID"), &i64) == 0 && i64 == 48211);
	CHECK(rec_str(record_get(&sub, "PROCESS_PATH"), buf, sizeof(buf)) == 13);
	CHECK_STR(buf, "/usr/bin/curl");
	CHECK(record_sub(record_get(&r, "RTT"), &sub) == REC_NOT_OBJECT);
	CHECK(parse(&r, "{\"a\":1}") == REC_OK && r.compact);
	record_free(&sub);
	record_free(&r);
}

/* record_sub() indexes a validated object without checking it again: its
 * fields and compact flag must be those record_parse() gives the span. */
static void
test_sub_same(void)
{
	static const char *const objs[] = {
		"{\"o\":{}}",
		"{\"o\":{ }}",
		"{\"o\":{\"a\":1,\"b\":-2.5e+3,\"c\":\"x\\\"y\\\\\",\"d\":true,"
		    "\"e\":false,\"f\":null,\"g\":[1,{\"h\":\"]}\"}],"
		    "\"i\":{\"j\":{\"k\":[]}},\"\\u0041\":\"\\/usr\\/bin\","
		    "\"l\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 long enough to need "
		    "more than one sixteen byte step\"}}",
		"{\"o\" : { \"a\" : 1 , \"b\" :\t[ 1, 2 ]\n, \"c\": \"s p\" }}",
		"{\"o\":{\"a\":[\"x y\",{\"b\":\"}\"}]}}",
		"{\"o\":{\"a\":{\"b\":1 }}}",
		"{\"o\":{\"a\":0,\"b\":\"\\u00e9\\n\"}}",
	};
	struct record r = RECORD_INIT, sub = RECORD_INIT, ref = RECORD_INIT;
	size_t i, k;

	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		const struct rec_field *f;
		bool same;

		CHECK(parse(&r, objs[i]) == REC_OK);
		f = record_get(&r, "o");
		CHECK(f != NULL && record_sub(f, &sub) == REC_OK);
		CHECK(record_parse(&ref, f->val, f->vlen) == REC_OK);
		same = sub.nf == ref.nf && sub.compact == ref.compact &&
		    sub.text == ref.text && sub.len == ref.len;
		for (k = 0; same && k < sub.nf; k++)
			same = sub.f[k].key == ref.f[k].key &&
			    sub.f[k].klen == ref.f[k].klen &&
			    sub.f[k].val == ref.f[k].val &&
			    sub.f[k].vlen == ref.f[k].vlen &&
			    sub.f[k].kind == ref.f[k].kind &&
			    sub.f[k].kesc == ref.f[k].kesc &&
			    sub.f[k].vesc == ref.f[k].vesc;
		CHECK(same);
		if (!same)
			fprintf(stderr, "record_sub differs on %s\n", objs[i]);
	}
	record_free(&r);
	record_free(&sub);
	record_free(&ref);
}

static void
test_write(void)
{
	struct record r = RECORD_INIT;
	struct sbuf out = { 0 };
	const char *in = "{ \"a\" : 1, \"_iface\": \"x\", \"b\": { \"c\": [ 1, 2 ] },"
	    " \"s\": \"sp ace \\/\" }";
	struct rec_edit e[] = {
		{ "_from", "\"x\"", 3 },
		{ "_iface", "\"cbr0\"", 6 },
		{ "a", NULL, 0 },
	};

	CHECK(parse(&r, in) == REC_OK);
	record_write(&r, e, 3, &out);
	CHECK_STR(out.p, "{\"_from\":\"x\",\"_iface\":\"cbr0\",\"b\":{\"c\":[1,2]},"
	    "\"s\":\"sp ace \\/\"}");
	sbuf_reset(&out);
	record_write(&r, NULL, 0, &out);
	CHECK_STR(out.p, "{\"a\":1,\"_iface\":\"x\",\"b\":{\"c\":[1,2]},"
	    "\"s\":\"sp ace \\/\"}");
	sbuf_reset(&out);
	json_compact(&out, in, strlen(in));
	CHECK_STR(out.p, "{\"a\":1,\"_iface\":\"x\",\"b\":{\"c\":[1,2]},"
	    "\"s\":\"sp ace \\/\"}");
	CHECK(parse(&r, "{}") == REC_OK);
	sbuf_reset(&out);
	record_write(&r, e, 3, &out);
	CHECK_STR(out.p, "{\"_from\":\"x\",\"_iface\":\"cbr0\"}");
	sbuf_free(&out);
	record_free(&r);
}

static void
test_skip(void)
{
	const char *arr = " [ {\"a\":1} , {\"b\":[2]} ,3 ] ";
	size_t pos = 0, n = strlen(arr);

	CHECK(json_skip_value(arr, n, &pos) == REC_OK);
	json_skip_ws(arr, n, &pos);
	CHECK(pos == n);
	pos = 3;
	CHECK(json_skip_value(arr, n, &pos) == REC_OK);
	CHECK(pos == 10);
	pos = 0;
	CHECK(json_skip_value("[1,", 3, &pos) == REC_TRUNCATED);
	pos = 0;
	CHECK(json_skip_value("   ", 3, &pos) == REC_EMPTY);
}

/* Every possible cut of a valid record is refused, never read past. */
static void
test_prefixes(void)
{
	const char *ev = "{\"a\":\"\xe2\x82\xac\\u00e9\",\"b\":[1,-2.5e3,true,"
	    "null],\"c\":{\"d\":false}}";
	struct record r = RECORD_INIT;
	size_t i, n = strlen(ev);
	int bad = 0;

	for (i = 0; i < n; i++) {
		char *p = malloc(i ? i : 1);

		memcpy(p, ev, i);
		if (record_parse(&r, p, i) == REC_OK)
			bad++;
		free(p);
	}
	CHECK(bad == 0);
	CHECK(record_parse(&r, ev, n) == REC_OK);
	record_free(&r);
}

/* record_parse_prefix: the object at the start, what follows unread; the
 * same fields and errors as record_parse() gives the object alone. */
static void
test_parse_prefix(void)
{
	static const struct { const char *in; int want; size_t end; } cases[] = {
		{ " {\"a\":1} ,{\"b\":2}]", REC_OK, 8 },
		{ "{\"a\": [1, {\"x\":\"}\"}] }garbage", REC_OK, 22 },
		{ "{}x", REC_OK, 2 },
		{ "  ", REC_EMPTY, 0 },
		{ "[{}]", REC_NOT_OBJECT, 0 },
		{ "{\"a\":1,}", REC_SYNTAX, 0 },
		{ "{\"a\":\"abc", REC_TRUNCATED, 0 },
		{ "{\"a\":\"\xff\"}", REC_UTF8, 0 },
	};
	struct record r = RECORD_INIT, ref = RECORD_INIT;
	size_t i, end;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].in;

		end = 12345;
		CHECK(record_parse_prefix(&r, in, strlen(in), &end) ==
		    cases[i].want);
		if (cases[i].want != REC_OK) {
			CHECK(end == 12345 && r.nf == 0);
			continue;
		}
		CHECK(end == cases[i].end);
		CHECK(record_parse(&ref, in, end) == REC_OK);
		CHECK(r.nf == ref.nf && r.len == ref.len &&
		    r.text == ref.text && r.compact == ref.compact);
	}
	record_free(&r);
	record_free(&ref);
}

/* rec_time: every accepted form, and what it rejects. */
static void
test_time(void)
{
	static const struct {
		const char	*json;
		int		 rc;
		int64_t		 sec;
		int32_t		 usec;
	} cases[] = {
		{ "1700000000", 0, 1700000000, 0 },
		{ "\"1700000000\"", 0, 1700000000, 0 },
		{ "1700000000.5", 0, 1700000000, 500000 },
		{ "\"1700000000.123456\"", 0, 1700000000, 123456 },
		{ "1700000000.1234567", 0, 1700000000, 123456 },	/* cut */
		{ "\"1700000000.999999999\"", 0, 1700000000, 999999 },
		{ "0", 0, 0, 0 },
		{ "1.7e9", 0, 1700000000, 0 },
		{ "17E8", 0, 1700000000, 0 },
		{ "9223372036854775799", 0, INT64_MAX - 8, 0 },
		{ "9223372036854775800", -1, 0, 0 },	/* near 63 bits */
		{ "999999999999999999", 0, 999999999999999999LL, 0 },
		{ "\"0000000000000000001.25\"", 0, 1, 250000 },
		{ "\"12.0\"", 0, 12, 0 },
		{ "12.000001", 0, 12, 1 },
		{ "\"1\\u0030\"", -1, 0, 0 },	/* an escape */
		{ "\"1.7e9\"", -1, 0, 0 },	/* exponent in a string */
		{ "\"1700000000.\"", -1, 0, 0 },	/* dot, no digits */
		{ "\".5\"", -1, 0, 0 },
		{ "\"\"", -1, 0, 0 },
		{ "\"17x\"", -1, 0, 0 },
		{ "\" 17\"", -1, 0, 0 },
		{ "-1", -1, 0, 0 },
		{ "-0", -1, 0, 0 },
		{ "-1.5e3", -1, 0, 0 },
		{ "1e19", -1, 0, 0 },
		{ "null", -1, 0, 0 },
		{ "true", -1, 0, 0 },
		{ "[1]", -1, 0, 0 },
	};
	struct record r = RECORD_INIT;
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t sec = -7;
		int32_t usec = -7;
		int rc;

		snprintf(buf, sizeof(buf), "{\"t\":%s}", cases[i].json);
		CHECK(parse(&r, buf) == REC_OK);
		rc = rec_time(record_get(&r, "t"), &sec, &usec);
		CHECK(rc == cases[i].rc);
		if (rc == 0)
			CHECK(sec == cases[i].sec && usec == cases[i].usec);
		else
			CHECK(sec == -7 && usec == -7);
		if (rc != cases[i].rc || (rc == 0 && (sec != cases[i].sec ||
		    usec != cases[i].usec)))
			fprintf(stderr, "rec_time %s: %d %lld.%06d\n",
			    cases[i].json, rc, (long long)sec, (int)usec);
	}
	record_free(&r);
}

/* The pieces a string body is made of: text as producers send it and
 * every kind of escape, as (source, decoded) pairs. */
static const struct {
	const char	*src;
	const char	*dec;
} piece[] = {
	{ "a", "a" }, { "usr", "usr" }, { "abcdefghijklmnop",
	    "abcdefghijklmnop" }, { "\xc3\xa9", "\xc3\xa9" },
	{ "\xe2\x82\xac", "\xe2\x82\xac" },
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
	{ "\\/", "/" }, { "\\\\", "\\" }, { "\\\"", "\"" }, { "\\n", "\n" },
	{ "\\t", "\t" }, { "\\b", "\b" }, { "\\f", "\f" }, { "\\r", "\r" },
	{ "\\u0041", "A" }, { "\\u00e9", "\xc3\xa9" },
	{ "\\u20AC", "\xe2\x82\xac" },
	{ "\\ud83d\\ude00", "\xf0\x9f\x98\x80" },
	{ "\\ud800x", "\xef\xbf\xbd" "x" }, { "\\udc00", "\xef\xbf\xbd" },
	{ "\\ud800\\u0041", "\xef\xbf\xbd" "A" }, { "\\u0000", "" },
};
#define NPIECE	(sizeof(piece) / sizeof(piece[0]))

static unsigned long unesc_runs, unesc_diffs;
static uint32_t seed = 11;

static unsigned
rnd(unsigned n)
{
	return unit_rand(&seed, n);
}

/* The expected decoding of the pieces p[0..np) into size bytes: as many
 * whole code points as fit in size - 1 bytes. */
static size_t
unesc_ref(const size_t *p, size_t np, char *buf, size_t size, bool *trunc)
{
	size_t i, j, o = 0;

	*trunc = false;
	for (i = 0; i < np; i++) {
		const char *d = piece[p[i]].dec;
		size_t dl = strlen(d), step;

		for (j = 0; j < dl; j += step) {
			unsigned char c = (unsigned char)d[j];

			step = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
			if (o + step > size - 1) {
				*trunc = true;
				buf[o] = '\0';
				return o;
			}
			memcpy(buf + o, d + j, step);
			o += step;
		}
	}
	buf[o] = '\0';
	return o;
}

static void
unesc_check(const size_t *p, size_t np)
{
	char src[512], got[512], want[512];
	size_t i, n = 0, size, gl, wl;
	bool gt, wt;

	for (i = 0; i < np; i++) {
		memcpy(src + n, piece[p[i]].src, strlen(piece[p[i]].src));
		n += strlen(piece[p[i]].src);
	}
	for (size = 1; size <= n + 2; size++) {
		gt = false;
		memset(got, 'Z', sizeof(got));
		gl = rec_unescape(src, n, got, size, true, &gt);
		wl = unesc_ref(p, np, want, size, &wt);
		unesc_runs++;
		if ((gl != wl || gt != wt || memcmp(got, want, wl + 1) != 0 ||
		    got[size] != 'Z') && unesc_diffs++ < 10)
			fprintf(stderr, "  unescape '%.*s' into %zu: %zu '%s' %d,"
			    " want %zu '%s' %d\n", (int)n, src, size, gl, got,
			    gt, wl, want, wt);
	}
}

/* Every pair of pieces, and 20,000 random strings of up to 24 pieces,
 * each at every buffer size from 1 to 2 past its length. */
static void
test_unescape(void)
{
	size_t p[24], i, j, np;
	unsigned t;

	for (i = 0; i < NPIECE; i++)
		for (j = 0; j < NPIECE; j++) {
			p[0] = i;
			p[1] = j;
			unesc_check(p, 2);
		}
	for (t = 0; t < 20000; t++) {
		np = 1 + rnd(24);
		for (i = 0; i < np; i++)
			p[i] = rnd(4) == 0 ? rnd(NPIECE) : rnd(3);
		unesc_check(p, np);
	}
	CHECK(unesc_diffs == 0);
	printf("  unescape: %lu decodings, %lu differ\n", unesc_runs,
	    unesc_diffs);
}

/* Without cstr a \u0000 is a NUL byte of the result; rec_str() fails
 * only when the decoded string does not fit, an escape at the end of the
 * room included. */
static void
test_unescape_nul(void)
{
	struct record r = RECORD_INIT;
	char buf[8];
	bool trunc = false;

	CHECK(rec_unescape("a\\u0000b", 8, buf, sizeof(buf), false,
	    &trunc) == 3);
	CHECK(!trunc && memcmp(buf, "a\0b", 4) == 0);
	CHECK(rec_unescape("a\\u0000b", 8, buf, sizeof(buf), true,
	    &trunc) == 2);
	CHECK(!trunc);
	CHECK_STR(buf, "ab");
	CHECK(parse(&r, "{\"k\":\"abc\\n\"}") == REC_OK);
	CHECK(rec_str(record_get(&r, "k"), buf, 5) == 4);
	CHECK(memcmp(buf, "abc\n", 5) == 0);
	CHECK(rec_str(record_get(&r, "k"), buf, 4) == -1);
	CHECK(rec_str(record_get(&r, "k"), buf, 0) == -1);
	record_free(&r);
}

int
main(void)
{
	test_errors();
	test_depth();
	test_access();
	test_sub_same();
	test_write();
	test_skip();
	test_prefixes();
	test_parse_prefix();
	test_time();
	test_unescape();
	test_unescape_nul();
	return unit_done("record");
}
