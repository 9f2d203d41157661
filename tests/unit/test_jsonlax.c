/* test_jsonlax.c - unit tests for common/jsonlax.c and jsonlaxstr.c:
 * json-c's grammar in, strict JSON out. Every case is also given to json-c itself
 * (json_tokener_parse_verbose, as ntopng calls it): the two must agree on
 * accepting it. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonlax.h"
#include "record.h"
#include "unit.h"

struct lcase {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;		/* NULL: rejected */
	unsigned	 repairs;
};

#define R(x)	JSONLAX_R_##x

static const struct lcase cases[] = {
	/* What producers rely on json-c (0.16, default flags) to accept, and
	 * its near misses that it rejects. */
	{ "[{\"a\":1},\n]", 0, "[{\"a\":1}\n]", R(COMMA) },
	{ "{\"a\":1,}", 0, "{\"a\":1}", R(COMMA) },
	{ "{\"a\":1 /* c */}", 0, "{\"a\":1 }", R(COMMENT) },
	{ "{\"a\":1, // c\n\"b\":2}", 0, "{\"a\":1, \n\"b\":2}", R(COMMENT) },
	{ "{'a':'x\"y'}", 0, "{\"a\":\"x\\\"y\"}", R(QUOTE) },
	{ "{\"a\":NaN}", 0, "{\"a\":null}", R(NONFINITE) },
	{ "{\"a\":Infinity,\"b\":-Infinity,\"c\":-infINITY}", 0,
	    "{\"a\":null,\"b\":null,\"c\":null}", R(NONFINITE) },
	{ "{\"a\":tRuE}", 0, "{\"a\":true}", R(LITERAL) },
	{ "{\"a\":0123}", 0, "{\"a\":123}", R(NUMBER) },
	{ "{\"a\":1.}", 0, "{\"a\":1.0}", R(NUMBER) },
	{ "{\"a\":\"x\ty\"}", 0, "{\"a\":\"x\\ty\"}", R(CONTROL) },
	{ "{\"a\":\"x\001y\"}", 0, "{\"a\":\"x\\u0001y\"}", R(CONTROL) },
	{ "{\"a\":\"caf\xe9\"}", 0, "{\"a\":\"caf\xef\xbf\xbd\"}", R(UTF8) },
	{ "{\"a\":1} trailing", 0, "{\"a\":1}", R(TRAILING) },
	{ "[{\"a\":1},,]", 0, NULL, 0 },
	{ "{\"a\":1,,\"x\":1}", 0, NULL, 0 },
	{ "{IPV4:1}", 0, NULL, 0 },
	{ "{\"a\":+1}", 0, NULL, 0 },
	{ "{\"a\":.5}", 0, NULL, 0 },
	/* Strict JSON comes out as it is, white space and all. */
	{ " { \"a\" : [ 1 , 2.5e3 ] , \"b\" : \"\\u00e9\\n\" } ", 0,
	    "{ \"a\" : [ 1 , 2.5e3 ] , \"b\" : \"\\u00e9\\n\" }", 0 },
	/* A trailing comma copied before a comment is found becomes a
	 * space. */
	{ "[1, /* c */ ]", 0, "[1   ]", R(COMMA) | R(COMMENT) },
	{ "{'a':1 , // c\n}", 0, "{\"a\":1   \n}",
	    R(COMMA) | R(COMMENT) | R(QUOTE) },
	/* Numbers as json-c reads them. */
	{ "[-.5,1e,1.5e+,00.5,-007,-0,1E2]", 0,
	    "[-0.5,1.0,1.5,0.5,-7,-0,1E2]", R(NUMBER) },
	{ "[99999999999999999999,-99999999999999999999,1e999]", 0,
	    "[18446744073709551615,-9223372036854775808,null]",
	    R(NUMBER) | R(NONFINITE) },
	{ "[-]", 0, NULL, 0 },
	{ "[1.5.3]", 0, NULL, 0 },
	{ "[-e5]", 0, NULL, 0 },
	{ "[1x]", 0, NULL, 0 },
	{ "[NULL,nan,False]", 0, "[null,null,false]",
	    R(LITERAL) | R(NONFINITE) },
	{ "[nul]", 0, NULL, 0 },
	{ "[Inf]", 0, NULL, 0 },
	/* Strings: escapes, surrogates, a key cut at \u0000. */
	{ "[\"\\ud83d\\ude00\",\"\\ud800x\",\"\\udc00\",\"\\ud800\\n\"]", 0,
	    "[\"\\ud83d\\ude00\",\"\xef\xbf\xbdx\",\"\xef\xbf\xbd\","
	    "\"\xef\xbf\xbd\\n\"]", R(UTF8) },
	{ "{\"a\\u0000b\":1,\"c\":\"\\u0000\"}", 0,
	    "{\"a\":1,\"c\":\"\\u0000\"}", R(KEYNUL) },
	{ "[\"\\'\"]", 0, NULL, 0 },
	{ "['it''s']", 0, NULL, 0 },
	{ "[\"\xe0\x80\xaf\",\"\xed\xa0\x80\",\"\xf4\x90\x80\x80\"]", 0,
	    "[\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\",\"\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd\",\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\"]", R(UTF8) },
	{ "[\"\xe2\x82\"]", 0, "[\"\xef\xbf\xbd\"]", R(UTF8) },
	/* Comments: "**" + "/" does not close one (json-c consumes the
	 * byte after each '*'); text ending in a comment after a complete
	 * value returns that value, at any depth. */
	{ "{\"a\":1/**/}", 0, "{\"a\":1}", R(COMMENT) },
	{ "[1 /* x", 0, "1", R(COMMENT) },
	{ "[{\"a\":1},{\"b\":2} // x", 0, "{\"b\":2}", R(COMMENT) },
	{ "{\"a\":1/***/}", 0, "1", R(COMMENT) },
	{ "[1, /* x", 0, NULL, 0 },
	{ "{}/", 0, NULL, 0 },
	{ "{} /x", 0, NULL, 0 },
	{ "{} // x", 0, "{}", R(COMMENT) },
	/* The text ends at its first NUL, as a C string. */
	{ "{\"a\":1}\0junk", 12, "{\"a\":1}", R(TRAILING) },
	{ "{\"a\":\0\"x\"}", 10, NULL, 0 },
	{ "", 0, NULL, 0 },
	{ "  ", 0, NULL, 0 },
	{ "\xef\xbb\xbf{}", 0, NULL, 0 },
	{ "42", 0, "42", 0 },
};

/* json-c's verdict on s[0..len) read as a C string. */
static bool
jsonc_accepts(const char *s, size_t len)
{
	enum json_tokener_error jerr;
	struct json_object *v;
	char *buf = malloc(len + 1);

	memcpy(buf, s, len);
	buf[len] = '\0';
	v = json_tokener_parse_verbose(buf, &jerr);
	json_object_put(v);
	free(buf);
	return jerr == json_tokener_success;
}

static void
check_case(const struct lcase *c)
{
	struct sbuf out = { 0 };
	struct jsonlax_res res;
	size_t len = c->len ? c->len : strlen(c->in), pos = 0;
	char *got = NULL;
	int rc;

	rc = jsonlax_parse(&out, c->in, len, &res);
	if (jsonc_accepts(c->in, len) != (rc == JSONLAX_OK))
		fprintf(stderr, "json-c disagrees on: %s\n", c->in);
	CHECK(jsonc_accepts(c->in, len) == (rc == JSONLAX_OK));
	if (c->want == NULL) {
		if (rc == JSONLAX_OK)
			fprintf(stderr, "accepted: %s\n", c->in);
		CHECK(rc != JSONLAX_OK);
		sbuf_free(&out);
		return;
	}
	CHECK(rc == JSONLAX_OK);
	if (rc == JSONLAX_OK) {
		got = strndup(out.p + res.off, res.len);
		CHECK_STR(got, c->want);
		CHECK(res.repairs == c->repairs);
		if (res.repairs != c->repairs)
			fprintf(stderr, "  repairs %#x for: %s\n", res.repairs,
			    c->in);
		/* Strict JSON, all of it. */
		CHECK(json_skip_value(got, res.len, &pos) == REC_OK &&
		    pos == res.len);
		free(got);
	}
	sbuf_free(&out);
}

/* Nesting: 32 levels as json-c's default depth; one more is rejected. */
static void
check_depth(void)
{
	struct sbuf in = { 0 }, out = { 0 };
	struct jsonlax_res res;
	int i;

	for (i = 0; i < 32; i++)
		sbuf_addc(&in, '[');
	for (i = 0; i < 32; i++)
		sbuf_addc(&in, ']');
	CHECK(jsonlax_parse(&out, in.p, in.len, &res) == JSONLAX_OK);
	CHECK(jsonc_accepts(in.p, in.len));
	sbuf_reset(&in);
	for (i = 0; i < 33; i++)
		sbuf_addc(&in, '[');
	for (i = 0; i < 33; i++)
		sbuf_addc(&in, ']');
	CHECK(jsonlax_parse(&out, in.p, in.len, &res) == JSONLAX_EDEPTH);
	CHECK(!jsonc_accepts(in.p, in.len));
	/* A scalar at depth 32 is one level too many too. */
	sbuf_reset(&in);
	for (i = 0; i < 32; i++)
		sbuf_addc(&in, '[');
	sbuf_addc(&in, '1');
	for (i = 0; i < 32; i++)
		sbuf_addc(&in, ']');
	CHECK(jsonlax_parse(&out, in.p, in.len, &res) == JSONLAX_EDEPTH);
	CHECK(!jsonc_accepts(in.p, in.len));
	/* A million brackets: rejected at the limit, no deep recursion. */
	sbuf_reset(&in);
	for (i = 0; i < 1000000; i++)
		sbuf_addc(&in, '{');
	CHECK(jsonlax_parse(&out, in.p, in.len, &res) != JSONLAX_OK);
	sbuf_free(&in);
	sbuf_free(&out);
}

/* jsonlax_tail() after a strict value agrees with json-c on the whole. */
static void
check_tail(void)
{
	static const char *const tails[] = {
		"", " ", " x", "/* c */ x", "// c", "/* open", "/", "/x",
		" /* c */ /x", "\n// c\n/* d */", "/**/x", "/***/",
	};
	char buf[64];
	unsigned rep;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"a\":1}%s", tails[i]);
		rc = jsonlax_tail(buf, strlen(buf), 7, &rep);
		CHECK(jsonc_accepts(buf, strlen(buf)) == (rc == JSONLAX_OK));
	}
	CHECK(jsonlax_tail("{} x", 4, 2, &rep) == JSONLAX_OK &&
	    rep == JSONLAX_R_TRAILING);
	CHECK(jsonlax_tail("{} // c", 7, 2, &rep) == JSONLAX_OK &&
	    rep == JSONLAX_R_COMMENT);
	CHECK(jsonlax_tail("{}\0x", 4, 2, &rep) == JSONLAX_OK &&
	    rep == JSONLAX_R_TRAILING);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	check_depth();
	check_tail();
	CHECK_STR(jsonlax_strerror(JSONLAX_EDEPTH), "nesting too deep");
	return unit_done("jsonlax");
}
