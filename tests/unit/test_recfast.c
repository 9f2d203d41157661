/* test_recfast.c - unit tests for common/recfast.c, the fast path of
 * record_parse() and record_parse_prefix(): every text is parsed by it
 * and by the exact scanner of common/record.c, which must agree. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"
#include "recfast.h"
#include "record.h"
#include "sbuf.h"
#include "unit.h"

/* ---- the fast path against the exact scanner ----
 *
 * record_parse() and record_parse_prefix() answer from common/recfast.c
 * when it is sure and from the exact scanner otherwise; with the byte
 * loops chosen (JSON_SCAN_BYTE) only the exact scanner runs. Every text
 * below is parsed both ways, from a buffer of its exact size (so that ASan
 * sees a read past it), and the results must be the same: code, span,
 * compact flag, every field, and the end of a prefix. */

static size_t diff_runs, diff_bad, diff_fast;

static bool
diff_same(int ra, const struct record *a, int rb, const struct record *b)
{
	size_t k;

	if (ra != rb || a->nf != b->nf || a->text != b->text ||
	    a->len != b->len || (ra == REC_OK && a->compact != b->compact))
		return false;
	for (k = 0; k < a->nf; k++)
		if (a->f[k].key != b->f[k].key ||
		    a->f[k].klen != b->f[k].klen ||
		    a->f[k].val != b->f[k].val ||
		    a->f[k].vlen != b->f[k].vlen ||
		    a->f[k].kind != b->f[k].kind ||
		    a->f[k].kesc != b->f[k].kesc ||
		    a->f[k].vesc != b->f[k].vesc)
			return false;
	return true;
}

static void
diff_report(const char *what, int impl, const char *s, size_t n)
{
	size_t i;

	if (++diff_bad > 10)
		return;
	fprintf(stderr, "%s differs (impl %d) on %zu bytes: ", what, impl, n);
	for (i = 0; i < n && i < 300; i++)
		fprintf(stderr, (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f ? "\\x%02x" : "%c",
		    (unsigned char)s[i]);
	fputc('\n', stderr);
}

/* Parses in[0..n) with the exact scanner and with every vector path this
 * CPU has, whole and as a prefix, and compares. */
static void
diff_one(const char *in, size_t n)
{
	static struct record ref = RECORD_INIT, got = RECORD_INIT;
	static const int impls[] = { JSON_SCAN_SSE2, JSON_SCAN_AVX512 };
	char *buf = malloc(n ? n : 1);
	size_t i, eref = 0, egot = 0;
	int ra, rb;

	memcpy(buf, in, n);
	for (i = 0; i < sizeof(impls) / sizeof(impls[0]); i++) {
		if (json_scan_impl(impls[i]) != 0)
			continue;
		if (recfast_parse(&got, buf, n, NULL))
			diff_fast++;
		json_scan_impl(JSON_SCAN_BYTE);
		ra = record_parse(&ref, buf, n);
		json_scan_impl(impls[i]);
		rb = record_parse(&got, buf, n);
		diff_runs++;
		if (!diff_same(ra, &ref, rb, &got))
			diff_report("record_parse", impls[i], buf, n);
		json_scan_impl(JSON_SCAN_BYTE);
		ra = record_parse_prefix(&ref, buf, n, &eref);
		json_scan_impl(impls[i]);
		rb = record_parse_prefix(&got, buf, n, &egot);
		if (!diff_same(ra, &ref, rb, &got) || (ra == REC_OK &&
		    eref != egot))
			diff_report("record_parse_prefix", impls[i], buf, n);
	}
	json_scan_impl(JSON_SCAN_AUTO);
	free(buf);
}

static void
diff_str(const char *s)
{
	diff_one(s, strlen(s));
}

/* A small deterministic generator (xorshift64*), so that every run tests
 * the same mutations. */
static uint64_t diff_seed = 0x9e3779b97f4a7c15ULL;

static uint64_t
diff_rand(void)
{
	diff_seed ^= diff_seed >> 12;
	diff_seed ^= diff_seed << 25;
	diff_seed ^= diff_seed >> 27;
	return diff_seed * 0x2545f4914f6cdd1dULL;
}

/* Bytes that matter to the grammar, more likely than the others. */
static const char diff_bytes[] = "{}[]:,\"\\ \t\n\r0123456789-+.eEtrufalsn/"
    "bu\x01\x1f\x7f\x80\xbf\xc3\xe2\xed\xf0\xf4\xff";

static unsigned char
diff_byte(void)
{
	uint64_t x = diff_rand();

	if (x & 1)
		return (unsigned char)(x >> 8);
	return (unsigned char)diff_bytes[(x >> 8) % (sizeof(diff_bytes) - 1)];
}

/* Every prefix of s, and rounds of one to three edits of it: a byte
 * replaced, inserted or deleted, a run of white space inserted, a span
 * repeated. */
static void
diff_mutate(const char *s, size_t n, size_t rounds)
{
	char *buf = malloc(2 * n + 64);
	size_t i, k, len, at, m;

	for (i = 0; i <= n; i++)
		diff_one(s, i);
	for (i = 0; i < rounds; i++) {
		memcpy(buf, s, n);
		len = n;
		m = 1 + diff_rand() % 3;
		for (k = 0; k < m; k++) {
			at = len ? diff_rand() % len : 0;
			switch (diff_rand() % 5) {
			case 0:
				if (len)
					buf[at] = (char)diff_byte();
				break;
			case 1:
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = (char)diff_byte();
				len++;
				break;
			case 2:
				if (len) {
					memmove(buf + at, buf + at + 1,
					    len - at - 1);
					len--;
				}
				break;
			case 3:
				memmove(buf + at + 3, buf + at, len - at);
				memcpy(buf + at, diff_rand() & 1 ? " \t\n" :
				    "   ", 3);
				len += 3;
				break;
			default:
				if (len < n + 32) {
					size_t sp = 1 + diff_rand() % 16;

					if (at + sp > len)
						sp = len - at;
					memmove(buf + at + sp, buf + at,
					    len - at);
					len += sp;
				}
				break;
			}
		}
		diff_one(buf, len);
	}
	free(buf);
}

/* Strings and numbers of every length around the sixteen-byte steps,
 * alone (near the end of the text) and followed by more members. */
static void
diff_lengths(void)
{
	char buf[512], run[80];
	size_t l;

	for (l = 0; l < 70; l++) {
		memset(run, 'x', l);
		run[l] = '\0';
		snprintf(buf, sizeof(buf), "{\"k\":\"%s\"}", run);
		diff_str(buf);
		snprintf(buf, sizeof(buf), "{\"%s\":1,\"b\":\"%s\\/\"}", run,
		    run);
		diff_str(buf);
		snprintf(buf, sizeof(buf), "{\"a\":\"%s\xc3\xa9\",\"b\":2} ",
		    run);
		diff_str(buf);
		memset(run, '7', l);
		snprintf(buf, sizeof(buf), "{\"n\":1%s}", run);
		diff_str(buf);
		snprintf(buf, sizeof(buf), "{\"n\":-0.%s5e+1%s,\"m\":[1%s]}",
		    run, run, run);
		diff_str(buf);
		snprintf(buf, sizeof(buf), "[{\"n\":1%s}]", run);
		diff_one(buf + 1, strlen(buf) - 1);
	}
}

/* Runs of two-byte escapes, passed sixteen bytes at a time, starting at
 * every offset of the sixteen, each escape and its second byte either
 * side of a step, then a closing quote, a bad escape, a \u escape, a
 * control character or the end of the text. */
static void
diff_escapes(void)
{
	static const char *const esc[] = { "\\/", "\\\"", "\\\\", "\\n",
	    "\\\\\\\"" };
	static const char *const ends[] = { "\"}", "\",\"b\":1}", "\\q\"}",
	    "\\u00e9\"}", "\x01\"}", "\xc3\xa9\"}", "", "\\" };
	char buf[256];
	size_t off, k, j, n, x;

	for (off = 0; off < 20; off++)
		for (k = 0; k < sizeof(esc) / sizeof(esc[0]); k++)
			for (j = 0; j < sizeof(ends) / sizeof(ends[0]); j++) {
				n = (size_t)sprintf(buf, "{\"k\":\"%.*s",
				    (int)off, "abcdefghijklmnopqrstuvwxyz");
				for (x = 0; x < 12; x++)
					n += (size_t)sprintf(buf + n, "%s%s",
					    esc[k], x % 3 ? "" : "y");
				n += (size_t)sprintf(buf + n, "%s", ends[j]);
				diff_one(buf, n);
			}
}

/* Nesting around RECORD_MAXDEPTH, the last level an object or array. */
static void
diff_depth(void)
{
	char buf[512];
	size_t d, i, n;

	for (d = 60; d <= 66; d++) {
		n = (size_t)sprintf(buf, "{\"a\":");
		for (i = 1; i < d; i++)
			n += (size_t)sprintf(buf + n, i % 2 ? "[" : "{\"k\":");
		buf[n++] = '1';
		for (i = d - 1; i > 0; i--)
			buf[n++] = i % 2 ? ']' : '}';
		buf[n++] = '}';
		diff_one(buf, n);
	}
}

/* Every byte value where the fast path classifies bytes: in a key and a
 * string value (either side of a sixteen-byte step), in and after a
 * number, where a key or a value starts, as white space, nested. */
static void
diff_every_byte(void)
{
	static const char *const forms[] = {
		"{\"k%c\":1}", "{\"k\":\"ab%cd\"}", "{\"k\":1%c2}",
		"{\"k\":\"0123456789abcd%cx\",\"j\":2}", "{\"k\":12%c}",
		"{\"k\":\"0123456789abcde%cx\",\"j\":2}", "{\"k\":%c}",
		"{%c\"k\":1}", "{\"k\"%c:1}", "{\"k\":[1%c2]}",
		"{\"k\":{\"j\":\"%c\",\"i\":-1%c}}",
	};
	char buf[64];
	size_t i;
	int b, n;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		for (b = 0; b < 256; b++) {
			n = snprintf(buf, sizeof(buf), forms[i], b, b);
			diff_one(buf, (size_t)n);
		}
}

/* A record past the size whose field array is grown before it is read
 * (then it grows member by member), and arrays of objects walked with
 * record_parse_prefix, with the last brace near their end or not. */
static void
diff_big(void)
{
	struct sbuf b = { 0 };
	size_t i, pos, n;

	sbuf_addc(&b, '{');
	for (i = 0; i < 6000; i++)
		sbuf_addf(&b, "%s\"k%zu\":%s", i ? "," : "", i,
		    i % 3 ? "\"v\"" : "[1,{\"a\":2}]");
	sbuf_addc(&b, '}');
	diff_one(b.p, b.len);
	b.p[b.len - 5] = ' ';
	diff_one(b.p, b.len);
	sbuf_reset(&b);
	sbuf_addc(&b, '[');
	for (i = 0; i < 40; i++)
		sbuf_addf(&b, "%s{\"i\":%zu,\"s\":\"%s\"}", i ? " ," : "", i,
		    i % 7 ? "x" : "y\\n");
	sbuf_addc(&b, ']');
	for (n = 0; n < 2; n++) {
		for (pos = 1; pos < b.len; pos++)
			diff_one(b.p + pos, b.len - pos);
		for (i = 0; i < 300; i++)
			sbuf_addc(&b, i % 10 ? '1' : ',');
	}
	sbuf_free(&b);
}

static void
test_fast_same(void)
{
	static const char *const texts[] = {
		"{}", "{ }", " {}", "{}\n", "{}\r\n\t ", "\t{\"a\":1}\t",
		"{\"a\":\"b\"}", "{\"\":\"\"}", "{\"a\":1,\"a\":2}", "{} {}",
		"{}x", "{}]", "{\"a\":\"}\"}", "{\"a\":\"x}", "{\"a\":1}}",
		"{\"a\" : 1 , \"b\"\t:\n[ 1 , { } , [ ] ]\r}",
		"{\"a\":0}", "{\"a\":-0}", "{\"a\":01}", "{\"a\":-01}",
		"{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":1e+}",
		"{\"a\":-}", "{\"a\":--1}", "{\"a\":1E+5}", "{\"a\":1e-5}",
		"{\"a\":0.0}", "{\"a\":00}", "{\"a\":-1.5e3}", "{\"a\":1 2}",
		"{\"a\":true}", "{\"a\":false}", "{\"a\":null}",
		"{\"a\":tru}", "{\"a\":fals}", "{\"a\":nul}", "{\"a\":truee}",
		"{\"a\":t}", "{\"a\":n", "{\"a\":[true,false,null]}",
		"{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\"}",
		"{\"a\":\"\\uD83D\\uDE00\"}", "{\"a\":\"\\u12\"}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\", "{\"\\u0041\":1}",
		"{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
		"{\"a\":\"\xc3\"}", "{\"a\":\"\xe2\x82\"}", "{\"a\":\"\xc0\xaf\"}",
		"{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"a\":\xc3\xa9}", "{\"a\":\"\x01\"}", "{\"a\":\"\x7f\"}",
		"{\"a\":\x01}", "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":{,}}",
		"{\"a\":{\"b\"}}", "{\"a\":{\"b\":}}", "{\"a\":[1}",
		"{\"a\":{\"b\":1]}", "{\"a\":1,}", "{,}", "{\"a\"}",
		"[1,2]", "42", "\"x\"", "null", "", "   ",
		"{\"a\":[{\"b\":\"]}\"},[[]],{}],\"c\":{\"d\":{\"e\":[]}}}",
		/* Flat nested objects, which have a loop of their own, and
		 * the ones it leaves to the general one. */
		"{\"a\":{\"b\":1,\"c\":\"x\",\"d\":true,\"e\":null}}",
		"{\"a\":{\"b\":-1.5e3,\"c\":\"\\/x\\u0041\"},\"z\":0}",
		"{\"a\":{\"b\":1}", "{\"a\":{\"b\":1}}}", "{\"a\":{\"b\":1,}}",
		"{\"a\":{\"b\":1 }}", "{\"a\":{\"b\" :1}}", "{\"a\":{\"b\": 1}}",
		"{\"a\":{ \"b\":1}}", "{\"a\":{\"b\":1, \"c\":2}}",
		"{\"a\":{\"b\":{\"c\":1}}}", "{\"a\":{\"b\":[1]}}",
		"{\"a\":{}}", "{\"a\":{\"b\"}}", "{\"a\":{\"b\":}}",
		"{\"a\":{\"b\":01}}", "{\"a\":{\"b\":\"\\q\"}}", "{\"a\":{1:2}}",
		"{\"a\":{\"b\":1]}", "{\"a\":{\"b\":1}]", "{\"a\":{\"b\":tru}}",
	};
	struct record r = RECORD_INIT;
	const char *ev = "{\"_type\":\"event\",\"_rx\":1796423702.581257,"
	    "\"IPV4_SRC_ADDR\":\"10.148.45.222\",\"L4_SRC_PORT\":47317,"
	    "\"LOCAL_PROCESS\":{\"PID\":20691,\"PROCESS_PATH\":"
	    "\"\\/usr\\/bin\\/curl\",\"PROCESS_CMDLINE\":\"curl -w 61\"}}";
	const char *files[] = {
		"tests/data/events/libebpfflow-and-nprobe.ndjson",
		"tests/data/route/events.ndjson",
		"tests/data/route/mixed.ndjson",
		"tests/data/zmq-events.ndjson",
	};
	static char text[16384];
	struct sbuf c = { 0 };
	size_t i, lines = 0;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		diff_str(texts[i]);
	diff_one("{\"a\":\"x\0y\"}", 11);
	diff_one("{\"a\":1}\0", 8);
	diff_lengths();
	diff_escapes();
	diff_depth();
	diff_every_byte();
	diff_big();
	diff_mutate(ev, strlen(ev), 20000);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *line, *save = NULL;

		CHECK(unit_slurp(files[i], text, sizeof(text)) > 0);
		for (line = strtok_r(text, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			diff_mutate(line, strlen(line), 300);
			sbuf_reset(&c);
			json_compact(&c, line, strlen(line));
			diff_mutate(c.p, c.len, 300);
			lines++;
		}
	}
	CHECK(lines >= 40);
	CHECK(diff_bad == 0);
	printf("fast path: %zu texts compared, %zu answered fast, %zu "
	    "differ\n", diff_runs, diff_fast, diff_bad);
	/* A build without the vector path has nothing to compare. Else:
	 * enough texts, and the fast path answered for many of them (it
	 * could otherwise leave everything to the exact scanner), the
	 * sample event among them. */
	if (json_scan_impl(JSON_SCAN_SSE2) == 0) {
		CHECK(diff_runs > 100000);
		CHECK(diff_fast > diff_runs / 20);
		CHECK(recfast_parse(&r, ev, strlen(ev), NULL));
		CHECK(r.nf == 5 && r.compact);
		CHECK(!recfast_parse(&r, "{\"a\":1,}", 8, NULL));
		CHECK(r.nf == 0);
		json_scan_impl(JSON_SCAN_AUTO);
	}
	sbuf_free(&c);
	record_free(&r);
}

int
main(void)
{
	test_fast_same();
	return unit_done("recfast");
}
