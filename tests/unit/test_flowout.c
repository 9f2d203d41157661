/* test_flowout.c - unit tests of the flow record writer (common/flowout.c). */
#include <arpa/inet.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowout.h"
#include "flowtab.h"
#include "record.h"
#include "sbuf.h"
#include "unit.h"

#define SEC	1000000LL

static void
noemit(void *arg, const struct flow *f, enum flow_end why)
{
	(void)arg;
	(void)f;
	(void)why;
}


/* The text of member key in the flow record in b, or "" if it is absent:
 * from after "key": up to the next ',' or '}' (enough for numbers and
 * strings without those bytes). */
static const char *
member(const struct sbuf *b, const char *key, char *out, size_t size)
{
	char pat[80];
	const char *p, *e;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	out[0] = '\0';
	if ((p = strstr(b->p, pat)) == NULL)
		return out;
	p += strlen(pat);
	for (e = p; *e != '\0' && *e != ',' && *e != '}'; e++)
		;
	n = (size_t)(e - p) < size - 1 ? (size_t)(e - p) : size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* The latency of f written as lat, checked against printf's "%.3f", the
 * conversion flowout replaces. */
static void
check_ms(struct flowtab *ft, struct flow *f, float lat)
{
	struct sbuf b = { 0 };
	char want[128], got[128];

	f->lat[0] = lat;
	f->state |= FLOW_HAS_LAT0;
	flowout_flow(&b, ft, f, FLOW_END_IDLE);
	snprintf(want, sizeof(want), "%.3f", (double)lat);
	member(&b, "CLIENT_NW_LATENCY_MS", got, sizeof(got));
	if (strcmp(got, want) != 0) {
		CHECK_STR(got, want);
		fprintf(stderr, "  float bits %a\n", (double)lat);
	} else
		unit_pass++;
	sbuf_free(&b);
}

/* Every octet value in every position, as inet_ntop(3) writes it. */
static void
check_quads(struct flowtab *ft, struct flow *f)
{
	struct sbuf b = { 0 };
	char want[INET_ADDRSTRLEN], got[64];
	uint8_t a[4];
	int v, bad = 0;

	for (v = 0; v < 256; v++) {
		a[0] = (uint8_t)v, a[1] = (uint8_t)(255 - v);
		a[2] = (uint8_t)(v * 7), a[3] = (uint8_t)(v / 3);
		memcpy(f->key.addr[1], a, 4);
		sbuf_reset(&b);
		flowout_flow(&b, ft, f, FLOW_END_IDLE);
		inet_ntop(AF_INET, a, want, sizeof(want));
		member(&b, "IPV4_DST_ADDR", got, sizeof(got));
		if (strlen(got) < 2 || strncmp(got + 1, want, strlen(want)) ||
		    strlen(got) != strlen(want) + 2)
			bad++;
	}
	CHECK(bad == 0);
	sbuf_free(&b);
}

/* Counters of every digit count, the one-digit ones (written without
 * sbuf_put_u64()) each, as printf writes them. */
static void
check_counts(struct flowtab *ft, struct flow *f)
{
	struct sbuf b = { 0 };
	char want[32], got[32];
	uint64_t v, keep = f->pkts[1];
	int i, bad = 0;

	for (i = 0; i < 40; i++) {
		v = i < 12 ? (uint64_t)i : i < 31 ? 1ull << (3 * (i - 12) + 4) :
		    UINT64_MAX - (uint64_t)(i - 31);
		f->pkts[1] = v;
		sbuf_reset(&b);
		flowout_flow(&b, ft, f, FLOW_END_IDLE);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
		bad += strcmp(member(&b, "OUT_PKTS", got, sizeof(got)),
		    want) != 0;
	}
	CHECK(bad == 0);
	f->pkts[1] = keep;
	sbuf_free(&b);
}

int
main(void)
{
	struct flowtab_conf c = { 60 * SEC, 0, 5 * SEC, 0 };
	struct flowtab *ft = flowtab_new(&c, noemit, NULL);
	struct flowtab_key k;
	struct record r = RECORD_INIT;
	struct sbuf b = { 0 };
	struct flow *f;
	int64_t v;
	char s[64];

	memset(&k, 0, sizeof(k));
	k.family = 4;
	k.proto = 6;
	k.addr[0][0] = 192, k.addr[0][1] = 0, k.addr[0][2] = 2, k.addr[0][3] = 1;
	k.addr[1][0] = 192, k.addr[1][1] = 0, k.addr[1][2] = 2, k.addr[1][3] = 2;
	k.port[0] = 41572;
	k.port[1] = 8080;
	k.iface = (uint16_t)flowtab_iface(ft, "mirror0", 7);
	f = flowtab_insert(ft, &k, 1795795844 * SEC + 411102);
	f->pkts[0] = 8, f->bytes[0] = 624;
	f->pkts[1] = 8, f->bytes[1] = 19617;
	f->last = 1795795844 * SEC + 420782;
	f->flags[0] = 0x1b, f->flags[1] = 0x1b;

	check_counts(ft, f);
	flowout_flow(&b, ft, f, FLOW_END_FIN);
	/* One valid compact object, nProbe's names, client first. */
	CHECK(record_parse(&r, b.p, b.len) == REC_OK && r.compact);
	CHECK(rec_streq(record_get(&r, "_type"), "flow"));
	CHECK(rec_streq(record_get(&r, "_iface"), "mirror0"));
	CHECK(rec_streq(record_get(&r, "IPV4_SRC_ADDR"), "192.0.2.1"));
	CHECK(rec_streq(record_get(&r, "IPV4_DST_ADDR"), "192.0.2.2"));
	CHECK(rec_i64(record_get(&r, "L4_SRC_PORT"), &v) == 0 && v == 41572);
	CHECK(rec_i64(record_get(&r, "L4_DST_PORT"), &v) == 0 && v == 8080);
	CHECK(rec_i64(record_get(&r, "PROTOCOL"), &v) == 0 && v == 6);
	CHECK(rec_i64(record_get(&r, "IN_PKTS"), &v) == 0 && v == 8);
	CHECK(rec_i64(record_get(&r, "IN_BYTES"), &v) == 0 && v == 624);
	CHECK(rec_i64(record_get(&r, "OUT_BYTES"), &v) == 0 && v == 19617);
	CHECK(rec_i64(record_get(&r, "FIRST_SWITCHED"), &v) == 0 &&
	    v == 1795795844);
	CHECK(rec_i64(record_get(&r, "CLIENT_TCP_FLAGS"), &v) == 0 && v == 27);
	CHECK(rec_str(record_get(&r, "FLOW_END_REASON"), s, sizeof(s)) > 0);
	CHECK_STR(s, "fin");
	/* No process was attached: no process keys at all. */
	CHECK(record_get(&r, "SRC_PROC_PID") == NULL);
	CHECK(record_get(&r, "_interim") == NULL);

	/* An interim update says so and has no end reason. */
	sbuf_reset(&b);
	flowout_flow(&b, ft, f, FLOW_END_NONE);
	CHECK(record_parse(&r, b.p, b.len) == REC_OK);
	CHECK(record_get(&r, "_interim") != NULL &&
	    record_get(&r, "_interim")->kind == REC_TRUE);
	CHECK(record_get(&r, "FLOW_END_REASON") == NULL);


	/* Numbers at their limits, VLAN, the fixed members in their order. */
	f->pkts[0] = UINT64_MAX, f->bytes[1] = 0;
	f->key.vlan = 4095;
	f->first = -3 * SEC - 1;
	sbuf_reset(&b);
	flowout_flow(&b, ft, f, FLOW_END_FIN);
	CHECK(strstr(b.p, ",\"PROTOCOL\":6,\"VLAN_ID\":4095,\"IN_PKTS\":"
	    "18446744073709551615,\"IN_BYTES\":624,\"OUT_PKTS\":8,"
	    "\"OUT_BYTES\":0,\"FIRST_SWITCHED\":-3,\"LAST_SWITCHED\":"
	    "1795795844,\"FLOW_START_SEC\":-4.999999,\"FLOW_END_SEC\":"
	    "1795795844.420782,\"TCP_FLAGS\":27,") != NULL);
	CHECK(b.p[b.len] == '\0' && b.p[b.len - 1] == '}');
	f->key.vlan = 0;
	/* The seconds written once for both members of a time: the same
	 * text as sbuf_add_us and the truncated integer write, at every
	 * width and on both sides of zero. */
	{
		static const int64_t ts[] = { 0, 5, 999999, 1000000, 1000001,
		    -1, -999999, -1000000, -1000001, 9999999999999999LL,
		    INT64_MAX, INT64_MIN + 1 };
		struct sbuf w = { 0 };
		size_t i;

		for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
			f->first = ts[i];
			f->last = ts[(i + 3) % (sizeof(ts) / sizeof(ts[0]))];
			sbuf_reset(&b);
			flowout_flow(&b, ft, f, FLOW_END_FIN);
			sbuf_reset(&w);
			sbuf_addf(&w, ",\"FIRST_SWITCHED\":%lld,"
			    "\"LAST_SWITCHED\":%lld,\"FLOW_START_SEC\":",
			    (long long)(f->first / 1000000),
			    (long long)(f->last / 1000000));
			sbuf_add_us(&w, f->first);
			sbuf_adds(&w, ",\"FLOW_END_SEC\":");
			sbuf_add_us(&w, f->last);
			sbuf_addc(&w, ',');
			CHECK(strstr(b.p, w.p) != NULL);
		}
		sbuf_free(&w);
	}

	check_quads(ft, f);

	/* Latencies as printf writes them: ties go to even (0.0625 is
	 * exactly between 0.062 and 0.063), signs stay on zero, values too
	 * large for the integer path and non-finite ones go through printf. */
	{
		static const float fixed[] = {
			0, 0.024f, 0.152f, 0.177f, 0.0625f, 0.1875f, 2.5e-4f,
			0.0005f, 0.0015f, 1.0f / 3, 999.9995f, 1e6f, 4194304.5f,
			16777215.0f, 1e10f, 9.007e12f, 9.1e12f, 1e15f, 1e20f,
			FLT_MAX, FLT_MIN, 1e-45f, -0.0f, -0.0004f, -0.0625f,
			-1.5f, -FLT_MAX,
		};
		union { uint32_t u; float f; } r;
		uint32_t x = 2463534242u;
		size_t i;

		for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			check_ms(ft, f, fixed[i]);
		check_ms(ft, f, INFINITY);
		check_ms(ft, f, -INFINITY);
		check_ms(ft, f, NAN);
		/* Every eighth of a millisecond up to 4 s: each tie. */
		for (i = 0; i < 32000; i++)
			check_ms(ft, f, (float)i / 8000);
		/* Random bit patterns of every exponent (xorshift32). */
		for (i = 0; i < 20000; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			r.u = x;
			check_ms(ft, f, r.f);
		}
	}

	/* IPv6 and a process block with a string to escape. */
	{
		struct flowtab_key k6;
		struct flow_proc p;
		struct flow *g;

		memset(&k6, 0, sizeof(k6));
		k6.family = 6;
		k6.proto = 17;
		k6.addr[0][0] = 0x20, k6.addr[0][1] = 0x01;
		k6.addr[0][2] = 0x0d, k6.addr[0][3] = 0xb8;
		k6.addr[0][15] = 1;
		k6.addr[1][15] = 1;
		k6.port[0] = 5353;
		k6.port[1] = 53;
		k6.iface = (uint16_t)flowtab_iface(ft, "e\"th\\0", 7);
		g = flowtab_insert(ft, &k6, 10 * SEC);
		memset(&p, 0, sizeof(p));
		p.s[FP_NAME] = "/usr/bin/dig";
		p.s[FP_CMDLINE] = "dig \"x\"\t";
		p.s[FP_CNS] = "kube-system";
		p.n[FP_PID] = 42, p.n[FP_TID] = -1, p.n[FP_FUID] = 0;
		p.nset = 1u << FP_PID | 1u << FP_TID | 1u << FP_FUID;
		flowtab_set_proc(ft, g, 1, &p);
		sbuf_reset(&b);
		flowout_flow(&b, ft, g, FLOW_END_NONE);
		CHECK_STR(b.p, "{\"_type\":\"flow\",\"_iface\":\"e\\\"th\\\\0\","
		    "\"_interim\":true,\"IP_PROTOCOL_VERSION\":6,"
		    "\"IPV6_SRC_ADDR\":\"2001:db8::1\",\"IPV6_DST_ADDR\":\"::1\","
		    "\"L4_SRC_PORT\":5353,\"L4_DST_PORT\":53,\"PROTOCOL\":17,"
		    "\"IN_PKTS\":0,\"IN_BYTES\":0,\"OUT_PKTS\":0,\"OUT_BYTES\":0,"
		    "\"FIRST_SWITCHED\":10,\"LAST_SWITCHED\":10,"
		    "\"FLOW_START_SEC\":10.000000,\"FLOW_END_SEC\":10.000000,"
		    "\"DST_PROC_PID\":42,\"DST_PROC_NAME\":\"/usr/bin/dig\","
		    "\"DST_PROC_CMDLINE\":\"dig \\\"x\\\"\\t\",\"DST_PROC_TID\":-1,"
		    "\"DST_FATHER_PROC_UID\":0,"
		    "\"DST_PROC_CONTAINER_NS\":\"kube-system\","
		    "\"FLOW_EVENT_ONLY\":true}");
		CHECK(record_parse(&r, b.p, b.len) == REC_OK && r.compact);
		/* The block's text is kept for the next flows of the block,
		 * side by side: the same text again, and on the other side
		 * of another flow the SRC_ one. */
		{
			struct sbuf w = { 0 };
			struct flowtab_key kh = k6;
			struct flow *h;

			sbuf_adds(&w, b.p);
			sbuf_reset(&b);
			flowout_flow(&b, ft, g, FLOW_END_NONE);
			CHECK_STR(b.p, w.p);
			kh.port[0] = 5354;
			h = flowtab_insert(ft, &kh, 10 * SEC);
			flowtab_set_proc(ft, h, 0, &p);
			CHECK(h->proc[0] == g->proc[1]);
			sbuf_reset(&b);
			flowout_flow(&b, ft, h, FLOW_END_NONE);
			CHECK(strstr(b.p, ",\"SRC_PROC_PID\":42,"
			    "\"SRC_PROC_NAME\"") != NULL &&
			    strstr(b.p, "DST_PROC") == NULL);
			/* A block changed is a new block, with its own text. */
			p.n[FP_PID] = 43;
			flowtab_set_proc(ft, g, 1, &p);
			sbuf_reset(&b);
			flowout_flow(&b, ft, g, FLOW_END_NONE);
			CHECK(strstr(b.p, "\"DST_PROC_PID\":43,") != NULL);
			sbuf_reset(&b);
			flowout_flow(&b, ft, h, FLOW_END_NONE);
			CHECK(strstr(b.p, "\"SRC_PROC_PID\":42,") != NULL);
			flowtab_end(ft, h, FLOW_END_IDLE);
			sbuf_free(&w);
		}
	}

	/* A block with every field writes every field, on both sides. */
	{
		static const char *const str[FP_NSTR] = { "a", "b", "c", "d",
		    "e", "f", "g", "h", "i", "j", "k", "l" };
		struct flowtab_key kf = { 0 };
		struct flow_proc pa;
		struct flow *g;
		int i, side;

		kf.family = 4;
		kf.proto = 6;
		kf.port[0] = 1;
		g = flowtab_insert(ft, &kf, 5 * SEC);
		memset(&pa, 0, sizeof(pa));
		for (i = 0; i < FP_NSTR; i++)
			pa.s[i] = str[i];
		for (i = 0; i < FP_NNUM; i++)
			pa.n[i] = 100 + i;
		pa.nset = (1u << FP_NNUM) - 1;
		flowtab_set_proc(ft, g, 0, &pa);
		flowtab_set_proc(ft, g, 1, &pa);
		sbuf_reset(&b);
		flowout_flow(&b, ft, g, FLOW_END_IDLE);
		CHECK(record_parse(&r, b.p, b.len) == REC_OK);
		for (side = 0; side < 2; side++) {
			size_t n = 0, j;

			for (j = 0; j < r.nf; j++)
				n += r.f[j].klen > 4 && memcmp(r.f[j].key,
				    side ? "DST_" : "SRC_", 4) == 0;
			CHECK(n == FP_NNUM + FP_NSTR);
		}
	}

	/* fo_tail writes an end's name without escaping it. */
	{
		int why;

		for (why = FLOW_END_NONE; why <= FLOW_END_EOF + 1; why++) {
			const char *n = flowtab_endname((enum flow_end)why);

			for (; *n != '\0'; n++)
				CHECK(*n != '"' && *n != '\\' &&
				    (unsigned char)*n >= 0x20 &&
				    (unsigned char)*n < 0x7f);
		}
	}

	sbuf_free(&b);
	record_free(&r);
	flowtab_destroy(&ft);
	return unit_done("flowout");
}
