/* test_ntopids.c - unit tests for common/ntopids.c: known ids both ways,
 * old names, numeric key forms, and the whole table round-tripping. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ntopids.h"
#include "unit.h"

#define ID(s)	ntopids_id(s, strlen(s))
#define KEY(s)	ntopids_parse_key(s, strlen(s))

static void
test_known(void)
{
	/* The PEN 0 ids of the common flow fields. */
	CHECK(ID("IN_BYTES") == 1);
	CHECK(ID("IN_PKTS") == 2);
	CHECK(ID("PROTOCOL") == 4);
	CHECK(ID("TCP_FLAGS") == 6);
	CHECK(ID("L4_SRC_PORT") == 7);
	CHECK(ID("IPV4_SRC_ADDR") == 8);
	CHECK(ID("L4_DST_PORT") == 11);
	CHECK(ID("IPV4_DST_ADDR") == 12);
	CHECK(ID("LAST_SWITCHED") == 21);
	CHECK(ID("FIRST_SWITCHED") == 22);
	CHECK(ID("OUT_BYTES") == 23);
	CHECK(ID("OUT_PKTS") == 24);
	CHECK(ID("IPV6_SRC_ADDR") == 27);
	CHECK(ID("IPV6_DST_ADDR") == 28);
	CHECK(ID("SRC_VLAN") == 58);
	CHECK(ID("DST_VLAN") == 59);
	CHECK(ID("IP_PROTOCOL_VERSION") == 60);
	CHECK(ID("INITIATOR_OCTETS") == 231);
	CHECK(ID("RESPONDER_OCTETS") == 232);
	CHECK(ID("INITIATOR_PKTS") == 298);
	CHECK(ID("RESPONDER_PKTS") == 299);
	/* ntop's fields. */
	CHECK(ID("CLIENT_TCP_FLAGS") == 57550);
	CHECK(ID("SERVER_TCP_FLAGS") == 57551);
	CHECK(ID("L7_PROTO") == 57590);
	CHECK(ID("L7_PROTO_NAME") == 57591);
	CHECK(ID("CLIENT_NW_LATENCY_MS") == 57595);
	CHECK(ID("SERVER_NW_LATENCY_MS") == 57596);
	CHECK(ID("SRC_PROC_PID") == 57640);
	CHECK(ID("SRC_PROC_NAME") == 57641);
	CHECK(ID("SRC_PROC_USER_NAME") == 57844);
	CHECK(ID("SRC_FATHER_PROC_PID") == 57845);
	CHECK(ID("SRC_FATHER_PROC_NAME") == 57846);
	CHECK(ID("DST_PROC_PID") == 57847);
	CHECK(ID("DST_PROC_NAME") == 57848);
	CHECK(ID("DST_PROC_USER_NAME") == 57849);
	CHECK(ID("SRC_PROC_UID") == 57897);
	CHECK(ID("DST_PROC_UID") == 57898);
	CHECK(ID("SRC_PROC_CMDLINE") == 58028);
	CHECK(ID("DNS_QUERY") == 57677);
	CHECK(ID("HTTP_URL") == 57652);
	CHECK(ID("HTTP_HOST") == 57659);
	CHECK(ID("TLS_SERVER_NAME") == 57660);
	CHECK(ID("JA3C_HASH") == 57961);
	CHECK(ID("L7_PROTO_RISK") == 57981);
	/* Old names read, the current one written. */
	CHECK(ID("SSL_SERVER_NAME") == 57660);
	CHECK_STR(ntopids_name(57660), "TLS_SERVER_NAME");
	CHECK(ID("POST_NAPT_SRC_TRANSPORT_PORT") == 227);
	CHECK_STR(ntopids_name(227), "POST_NAT_SRC_TRANSPORT_PORT");
	/* Not in the table. */
	CHECK(ID("L7_CATEGORY") == -1);
	CHECK(ID("NW_LATENCY_MS") == -1);
	CHECK(ID("in_bytes") == -1);
	CHECK(ID("") == -1);
	CHECK(ntopids_id("IN_BYTESX", 8) == 1);	/* a prefix, by length */
	CHECK(ntopids_id("IN_BYTE", 7) == -1);
	CHECK(ntopids_name(0) == NULL);
	CHECK(ntopids_name(3) == NULL);
	CHECK(ntopids_name(57472) == NULL);
	CHECK(ntopids_name(UINT32_MAX) == NULL);
	CHECK_STR(ntopids_name(8), "IPV4_SRC_ADDR");
	CHECK_STR(ntopids_name(57591), "L7_PROTO_NAME");
}

static void
test_keys(void)
{
	CHECK(KEY("8") == 8);
	CHECK(KEY("57590") == 57590);
	CHECK(KEY("08") == 8);
	CHECK(KEY("0") == 0);
	CHECK(KEY("35632.118") == 57590);
	CHECK(KEY("35632.0") == 57472);
	CHECK(KEY("0.8") == 8);
	CHECK(KEY("57472+78") == 57550);
	CHECK(KEY("2147483647") == 2147483647);
	CHECK(KEY("2147483648") == -1);
	CHECK(KEY("99999999999999999999") == -1);
	CHECK(KEY("35632.2147483647") == -1);
	CHECK(KEY("9.8") == -1);
	CHECK(KEY("57473+1") == -1);
	CHECK(KEY("") == -1);
	CHECK(KEY(".") == -1);
	CHECK(KEY("35632.") == -1);
	CHECK(KEY(".8") == -1);
	CHECK(KEY("8.8.8") == -1);
	CHECK(KEY("-8") == -1);
	CHECK(KEY(" 8") == -1);
	CHECK(KEY("IN_BYTES") == -1);
	CHECK(ntopids_key("IN_BYTES", 8) == 1);
	CHECK(ntopids_key("35632.119", 9) == 57591);
	CHECK(ntopids_key("NOPE", 4) == -1);
}

/* Every entry: its name gives its id, and its id gives a name with that
 * id (itself, or the current name of an old one). */
static void
test_table(void)
{
	size_t i, n = ntopids_count(), bad = 0;

	CHECK(n > 100);
	for (i = 0; i < n; i++) {
		uint32_t id;
		const char *name = ntopids_entry(i, &id), *back;

		back = ntopids_name(id);
		if (ID(name) != (int)id || back == NULL ||
		    ID(back) != (int)id) {
			fprintf(stderr, "entry %zu %s %u\n", i, name, id);
			bad++;
		}
	}
	CHECK(bad == 0);
	CHECK(ntopids_entry(n, &(uint32_t){ 0 }) == NULL);
}

int
main(void)
{
	test_known();
	test_keys();
	test_table();
	return unit_done("ntopids");
}
