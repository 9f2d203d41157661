/* ntopids.c - the flow field name/id table (include/ntopids.h), built once
 * into two open-addressing hash tables (names to ids, ids to names).
 *
 * Where the numbers come from (ntopng's source, read for this table; ids
 * are not guessed):
 * - PEN 0 ids: the NetFlow v9/IPFIX information elements that ntopng's
 *   ZMQParserInterface.cpp maps by name in its constructor (addMapping
 *   without NTOP_PEN), as of ntopng 5.2.1 and 6.3, with their values from
 *   ntopng's include/ntop_flow.h (IN_BYTES 1 ... IP_PROTOCOL_VERSION 60,
 *   INITIATOR_OCTETS 231, INITIATOR_PKTS 298...).
 * - ntop's own fields, NTOP(n) = NTOP_BASE_ID (57472) + n, from
 *   include/ntop_flow.h: those ZMQParserInterface.cpp maps with NTOP_PEN,
 *   those its parsePENZeroField()/parsePENNtopField() switches read by
 *   id without a name (CLIENT_TCP_FLAGS +78, SERVER_TCP_FLAGS +79, APPL_LATENCY_MS +125,
 *   SIP_CALL_ID +130, DHCP_CLIENT_NAME +355, TCP_WIN_MAX_IN/OUT), HTTP_HOST
 *   (+187), and the names only ntopng 5.2.1 maps (JA3C_HASH +489,
 *   JA3S_HASH +490, SSL_SERVER_NAME and POST_NAPT_* as old names of
 *   TLS_SERVER_NAME and POST_NAT_*). Every value agrees between the two
 *   versions.
 * - Left out: L7_CATEGORY, which ntop_flow.h defines as +509, the id of
 *   L7_PROTO_RISK that ntopng reads; sending a category under it would be
 *   read as a risk.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "ntopids.h"

#define NTOP(n)	(NTOPIDS_BASE + (n))

struct ntopids_ent {
	uint32_t	 id;
	const char	*name;
};

/* The table. The first entry of an id gives its name; a later entry with
 * the same id is an old name, read but never written. */
static const struct ntopids_ent ntopids_tab[] = {
	{ 1, "IN_BYTES" },
	{ 2, "IN_PKTS" },
	{ 4, "PROTOCOL" },
	{ 5, "SRC_TOS" },
	{ 6, "TCP_FLAGS" },
	{ 7, "L4_SRC_PORT" },
	{ 8, "IPV4_SRC_ADDR" },
	{ 9, "IPV4_SRC_MASK" },
	{ 10, "INPUT_SNMP" },
	{ 11, "L4_DST_PORT" },
	{ 12, "IPV4_DST_ADDR" },
	{ 13, "IPV4_DST_MASK" },
	{ 14, "OUTPUT_SNMP" },
	{ 15, "IPV4_NEXT_HOP" },
	{ 16, "SRC_AS" },
	{ 17, "DST_AS" },
	{ 21, "LAST_SWITCHED" },
	{ 22, "FIRST_SWITCHED" },
	{ 23, "OUT_BYTES" },
	{ 24, "OUT_PKTS" },
	{ 27, "IPV6_SRC_ADDR" },
	{ 28, "IPV6_DST_ADDR" },
	{ 34, "SAMPLING_INTERVAL" },
	{ 42, "TOTAL_FLOWS_EXP" },
	{ 55, "DST_TOS" },
	{ 56, "IN_SRC_MAC" },
	{ 57, "OUT_DST_MAC" },
	{ 58, "SRC_VLAN" },
	{ 59, "DST_VLAN" },
	{ 60, "IP_PROTOCOL_VERSION" },
	{ 61, "DIRECTION" },
	{ 80, "IN_DST_MAC" },
	{ 81, "OUT_SRC_MAC" },
	{ 128, "BGP_NEXT_ADJACENT_ASN" },
	{ 129, "BGP_PREV_ADJACENT_ASN" },
	{ 130, "EXPORTER_IPV4_ADDRESS" },
	{ 131, "EXPORTER_IPV6_ADDRESS" },
	{ 136, "FLOW_END_REASON" },
	{ 147, "WLAN_SSID" },
	{ 225, "POST_NAT_SRC_IPV4_ADDR" },
	{ 226, "POST_NAT_DST_IPV4_ADDR" },
	{ 227, "POST_NAT_SRC_TRANSPORT_PORT" },
	{ 228, "POST_NAT_DST_TRANSPORT_PORT" },
	{ 231, "INITIATOR_OCTETS" },
	{ 232, "RESPONDER_OCTETS" },
	{ 234, "INGRESS_VRFID" },
	{ 243, "DOT1Q_SRC_VLAN" },
	{ 254, "DOT1Q_DST_VLAN" },
	{ 298, "INITIATOR_PKTS" },
	{ 299, "RESPONDER_PKTS" },
	{ 300, "OBSERVATION_POINT_ID" },
	{ 367, "WTP_MAC_ADDRESS" },
	{ NTOP(78), "CLIENT_TCP_FLAGS" },
	{ NTOP(79), "SERVER_TCP_FLAGS" },
	{ NTOP(80), "SRC_FRAGMENTS" },
	{ NTOP(81), "DST_FRAGMENTS" },
	{ NTOP(109), "RETRANSMITTED_IN_PKTS" },
	{ NTOP(110), "RETRANSMITTED_OUT_PKTS" },
	{ NTOP(111), "OOORDER_IN_PKTS" },
	{ NTOP(112), "OOORDER_OUT_PKTS" },
	{ NTOP(118), "L7_PROTO" },
	{ NTOP(119), "L7_PROTO_NAME" },
	{ NTOP(122), "NPROBE_INSTANCE_NAME" },
	{ NTOP(123), "CLIENT_NW_LATENCY_MS" },
	{ NTOP(124), "SERVER_NW_LATENCY_MS" },
	{ NTOP(125), "APPL_LATENCY_MS" },
	{ NTOP(130), "SIP_CALL_ID" },
	{ NTOP(168), "SRC_PROC_PID" },
	{ NTOP(169), "SRC_PROC_NAME" },
	{ NTOP(180), "HTTP_URL" },
	{ NTOP(181), "HTTP_RET_CODE" },
	{ NTOP(183), "HTTP_USER_AGENT" },
	{ NTOP(185), "SMTP_MAIL_FROM" },
	{ NTOP(186), "SMTP_RCPT_TO" },
	{ NTOP(187), "HTTP_HOST" },
	{ NTOP(188), "TLS_SERVER_NAME" },
	{ NTOP(189), "BITTORRENT_HASH" },
	{ NTOP(205), "DNS_QUERY" },
	{ NTOP(207), "DNS_QUERY_TYPE" },
	{ NTOP(208), "DNS_RET_CODE" },
	{ NTOP(355), "DHCP_CLIENT_NAME" },
	{ NTOP(360), "HTTP_METHOD" },
	{ NTOP(361), "HTTP_SITE" },
	{ NTOP(372), "SRC_PROC_USER_NAME" },
	{ NTOP(373), "SRC_FATHER_PROC_PID" },
	{ NTOP(374), "SRC_FATHER_PROC_NAME" },
	{ NTOP(375), "DST_PROC_PID" },
	{ NTOP(376), "DST_PROC_NAME" },
	{ NTOP(377), "DST_PROC_USER_NAME" },
	{ NTOP(378), "DST_FATHER_PROC_PID" },
	{ NTOP(379), "DST_FATHER_PROC_NAME" },
	{ NTOP(383), "SRC_PROC_ACTUAL_MEMORY" },
	{ NTOP(384), "SRC_PROC_PEAK_MEMORY" },
	{ NTOP(385), "SRC_PROC_AVERAGE_CPU_LOAD" },
	{ NTOP(386), "SRC_PROC_NUM_PAGE_FAULTS" },
	{ NTOP(387), "DST_PROC_ACTUAL_MEMORY" },
	{ NTOP(388), "DST_PROC_PEAK_MEMORY" },
	{ NTOP(389), "DST_PROC_AVERAGE_CPU_LOAD" },
	{ NTOP(390), "DST_PROC_NUM_PAGE_FAULTS" },
	{ NTOP(393), "SRC_PROC_PCTG_IOWAIT" },
	{ NTOP(394), "DST_PROC_PCTG_IOWAIT" },
	{ NTOP(416), "TCP_WIN_MAX_IN" },
	{ NTOP(420), "TCP_WIN_MAX_OUT" },
	{ NTOP(425), "SRC_PROC_UID" },
	{ NTOP(426), "DST_PROC_UID" },
	{ NTOP(471), "NPROBE_IPV4_ADDRESS" },
	{ NTOP(489), "JA3C_HASH" },
	{ NTOP(490), "JA3S_HASH" },
	{ NTOP(493), "TLS_CIPHER" },
	{ NTOP(494), "SSL_UNSAFE_CIPHER" },
	{ NTOP(509), "L7_PROTO_RISK" },
	{ NTOP(510), "L7_PROTO_RISK_NAME" },
	{ NTOP(522), "FLOW_VERDICT" },
	{ NTOP(539), "L7_INFO" },
	{ NTOP(540), "SRC_PROC_PKG_NAME" },
	{ NTOP(541), "DST_PROC_PKG_NAME" },
	{ NTOP(554), "L7_ERROR_CODE" },
	{ NTOP(555), "L7_RISK_INFO" },
	{ NTOP(556), "SRC_PROC_CMDLINE" },
	{ NTOP(557), "DST_PROC_CMDLINE" },
	{ NTOP(558), "SRC_PROC_CONTAINER_ID" },
	{ NTOP(559), "DST_PROC_CONTAINER_ID" },
	{ NTOP(560), "L7_CONFIDENCE" },
	{ NTOP(561), "SRC_FATHER_PROC_PKG_NAME" },
	{ NTOP(563), "DST_FATHER_PROC_PKG_NAME" },
	{ NTOP(564), "SRC_FATHER_PROC_UID" },
	{ NTOP(565), "SRC_FATHER_PROC_USER_NAME" },
	{ NTOP(567), "DST_FATHER_PROC_UID" },
	{ NTOP(568), "DST_FATHER_PROC_USER_NAME" },
	{ NTOP(576), "JA4C_HASH" },
	{ NTOP(579), "FLOW_SOURCE" },
	{ NTOP(589), "UNIQUE_SOURCE_ID" },
	/* old names (ntopng 5.2.1) of the fields above */
	{ 227, "POST_NAPT_SRC_TRANSPORT_PORT" },
	{ 228, "POST_NAPT_DST_TRANSPORT_PORT" },
	{ NTOP(188), "SSL_SERVER_NAME" },
};

#define NTOPIDS_N	(sizeof(ntopids_tab) / sizeof(ntopids_tab[0]))
#define NTOPIDS_TABSZ	512	/* a power of two, over twice NTOPIDS_N */
#define NTOPIDS_EMPTY	0xffffu

_Static_assert(NTOPIDS_TABSZ >= 2 * NTOPIDS_N, "ntopids hash too full");

/* Slots hold an index into ntopids_tab, or NTOPIDS_EMPTY. */
static uint16_t ntopids_byname[NTOPIDS_TABSZ];
static uint16_t ntopids_byid[NTOPIDS_TABSZ];
static pthread_once_t ntopids_once = PTHREAD_ONCE_INIT;

/* FNV-1a: names are short, and every byte counts to tell
 * SRC_PROC_NAME from DST_PROC_NAME. */
static uint32_t
ntopids_hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h ^ (h >> 16);
}

static uint32_t
ntopids_hash_id(uint32_t id)
{
	id *= 0x9e3779b1u;
	return id ^ (id >> 16);
}

static void
ntopids_build(void)
{
	size_t i;

	memset(ntopids_byname, 0xff, sizeof(ntopids_byname));
	memset(ntopids_byid, 0xff, sizeof(ntopids_byid));
	for (i = 0; i < NTOPIDS_N; i++) {
		const struct ntopids_ent *e = &ntopids_tab[i];
		uint32_t h;

		h = ntopids_hash_name(e->name, strlen(e->name)) &
		    (NTOPIDS_TABSZ - 1);
		while (ntopids_byname[h] != NTOPIDS_EMPTY)
			h = (h + 1) & (NTOPIDS_TABSZ - 1);
		ntopids_byname[h] = (uint16_t)i;
		/* The first entry of an id names it; later ones are old
		 * names, found by name only. */
		h = ntopids_hash_id(e->id) & (NTOPIDS_TABSZ - 1);
		while (ntopids_byid[h] != NTOPIDS_EMPTY &&
		    ntopids_tab[ntopids_byid[h]].id != e->id)
			h = (h + 1) & (NTOPIDS_TABSZ - 1);
		if (ntopids_byid[h] == NTOPIDS_EMPTY)
			ntopids_byid[h] = (uint16_t)i;
	}
}

int
ntopids_id(const char *name, size_t len)
{
	uint32_t h;

	if (len == 0 || len > 64)
		return -1;
	pthread_once(&ntopids_once, ntopids_build);
	h = ntopids_hash_name(name, len) & (NTOPIDS_TABSZ - 1);
	while (ntopids_byname[h] != NTOPIDS_EMPTY) {
		const struct ntopids_ent *e = &ntopids_tab[ntopids_byname[h]];

		if (strncmp(e->name, name, len) == 0 && e->name[len] == '\0')
			return (int)e->id;
		h = (h + 1) & (NTOPIDS_TABSZ - 1);
	}
	return -1;
}

const char *
ntopids_name(uint32_t id)
{
	uint32_t h;

	pthread_once(&ntopids_once, ntopids_build);
	h = ntopids_hash_id(id) & (NTOPIDS_TABSZ - 1);
	while (ntopids_byid[h] != NTOPIDS_EMPTY) {
		const struct ntopids_ent *e = &ntopids_tab[ntopids_byid[h]];

		if (e->id == id)
			return e->name;
		h = (h + 1) & (NTOPIDS_TABSZ - 1);
	}
	return NULL;
}

/* Reads the decimal digits s[0..n) (n >= 1) into *v, at most INT32_MAX. */
static bool
ntopids_digits(const char *s, size_t n, uint32_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
		if (x > INT32_MAX)
			return false;
	}
	*v = (uint32_t)x;
	return true;
}

int
ntopids_parse_key(const char *key, size_t len)
{
	uint32_t a, b;
	size_t i;

	for (i = 0; i < len; i++)
		if (key[i] == '.' || key[i] == '+')
			break;
	if (i == len)
		return ntopids_digits(key, len, &a) ? (int)a : -1;
	if (!ntopids_digits(key, i, &a) ||
	    !ntopids_digits(key + i + 1, len - i - 1, &b))
		return -1;
	if (key[i] == '.') {
		if (a == 0)
			return (int)b;
		if (a != NTOPIDS_PEN)
			return -1;
	} else if (a != NTOPIDS_BASE)
		return -1;
	if (b > (uint32_t)INT32_MAX - NTOPIDS_BASE)
		return -1;
	return (int)(NTOPIDS_BASE + b);
}

int
ntopids_key(const char *key, size_t len)
{
	if (len > 0 && key[0] >= '0' && key[0] <= '9')
		return ntopids_parse_key(key, len);
	return ntopids_id(key, len);
}

size_t
ntopids_count(void)
{
	return NTOPIDS_N;
}

const char *
ntopids_entry(size_t i, uint32_t *id)
{
	if (i >= NTOPIDS_N)
		return NULL;
	*id = ntopids_tab[i].id;
	return ntopids_tab[i].name;
}
