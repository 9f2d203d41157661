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

#include "evkeys.h"
#include "ntopids.h"

#define NTOP(n)	(NTOPIDS_BASE + (n))

struct ntopids_ent {
	uint32_t	 id;
	const char	*name;
};

/* The table. The first entry of an id gives its name; a later entry with
 * the same id is an old name, read but never written. */
static const struct ntopids_ent ntopids_tab[] = {
	{ 1, EVK_IN_BYTES },
	{ 2, EVK_IN_PKTS },
	{ 4, EVK_PROTOCOL },
	{ 5, EVK_SRC_TOS },
	{ 6, EVK_TCP_FLAGS },
	{ 7, EVK_L4_SRC_PORT },
	{ 8, EVK_IPV4_SRC_ADDR },
	{ 9, EVK_IPV4_SRC_MASK },
	{ 10, EVK_INPUT_SNMP },
	{ 11, EVK_L4_DST_PORT },
	{ 12, EVK_IPV4_DST_ADDR },
	{ 13, EVK_IPV4_DST_MASK },
	{ 14, EVK_OUTPUT_SNMP },
	{ 15, EVK_IPV4_NEXT_HOP },
	{ 16, EVK_SRC_AS },
	{ 17, EVK_DST_AS },
	{ 21, EVK_LAST_SWITCHED },
	{ 22, EVK_FIRST_SWITCHED },
	{ 23, EVK_OUT_BYTES },
	{ 24, EVK_OUT_PKTS },
	{ 27, EVK_IPV6_SRC_ADDR },
	{ 28, EVK_IPV6_DST_ADDR },
	{ 34, EVK_SAMPLING_INTERVAL },
	{ 42, EVK_TOTAL_FLOWS_EXP },
	{ 55, EVK_DST_TOS },
	{ 56, EVK_IN_SRC_MAC },
	{ 57, EVK_OUT_DST_MAC },
	{ 58, EVK_SRC_VLAN },
	{ 59, EVK_DST_VLAN },
	{ 60, EVK_IP_PROTOCOL_VERSION },
	{ 61, EVK_DIRECTION },
	{ 80, EVK_IN_DST_MAC },
	{ 81, EVK_OUT_SRC_MAC },
	{ 128, EVK_BGP_NEXT_ADJACENT_ASN },
	{ 129, EVK_BGP_PREV_ADJACENT_ASN },
	{ 130, EVK_EXPORTER_IPV4_ADDRESS },
	{ 131, EVK_EXPORTER_IPV6_ADDRESS },
	{ 136, EVK_FLOW_END_REASON },
	{ 147, EVK_WLAN_SSID },
	{ 225, EVK_POST_NAT_SRC_IPV4_ADDR },
	{ 226, EVK_POST_NAT_DST_IPV4_ADDR },
	{ 227, EVK_POST_NAT_SRC_TRANSPORT_PORT },
	{ 228, EVK_POST_NAT_DST_TRANSPORT_PORT },
	{ 231, EVK_INITIATOR_OCTETS },
	{ 232, EVK_RESPONDER_OCTETS },
	{ 234, EVK_INGRESS_VRFID },
	{ 243, EVK_DOT1Q_SRC_VLAN },
	{ 254, EVK_DOT1Q_DST_VLAN },
	{ 298, EVK_INITIATOR_PKTS },
	{ 299, EVK_RESPONDER_PKTS },
	{ 300, EVK_OBSERVATION_POINT_ID },
	{ 367, EVK_WTP_MAC_ADDRESS },
	{ NTOP(78), EVK_CLIENT_TCP_FLAGS },
	{ NTOP(79), EVK_SERVER_TCP_FLAGS },
	{ NTOP(80), EVK_SRC_FRAGMENTS },
	{ NTOP(81), EVK_DST_FRAGMENTS },
	{ NTOP(109), EVK_RETRANSMITTED_IN_PKTS },
	{ NTOP(110), EVK_RETRANSMITTED_OUT_PKTS },
	{ NTOP(111), EVK_OOORDER_IN_PKTS },
	{ NTOP(112), EVK_OOORDER_OUT_PKTS },
	{ NTOP(118), EVK_L7_PROTO },
	{ NTOP(119), EVK_L7_PROTO_NAME },
	{ NTOP(122), EVK_NPROBE_INSTANCE_NAME },
	{ NTOP(123), EVK_CLIENT_NW_LATENCY_MS },
	{ NTOP(124), EVK_SERVER_NW_LATENCY_MS },
	{ NTOP(125), EVK_APPL_LATENCY_MS },
	{ NTOP(130), EVK_SIP_CALL_ID },
	{ NTOP(168), EVK_SRC_PROC_PID },
	{ NTOP(169), EVK_SRC_PROC_NAME },
	{ NTOP(180), EVK_HTTP_URL },
	{ NTOP(181), EVK_HTTP_RET_CODE },
	{ NTOP(183), EVK_HTTP_USER_AGENT },
	{ NTOP(185), EVK_SMTP_MAIL_FROM },
	{ NTOP(186), EVK_SMTP_RCPT_TO },
	{ NTOP(187), EVK_HTTP_HOST },
	{ NTOP(188), EVK_TLS_SERVER_NAME },
	{ NTOP(189), EVK_BITTORRENT_HASH },
	{ NTOP(205), EVK_DNS_QUERY },
	{ NTOP(207), EVK_DNS_QUERY_TYPE },
	{ NTOP(208), EVK_DNS_RET_CODE },
	{ NTOP(355), EVK_DHCP_CLIENT_NAME },
	{ NTOP(360), EVK_HTTP_METHOD },
	{ NTOP(361), EVK_HTTP_SITE },
	{ NTOP(372), EVK_SRC_PROC_USER_NAME },
	{ NTOP(373), EVK_SRC_FATHER_PROC_PID },
	{ NTOP(374), EVK_SRC_FATHER_PROC_NAME },
	{ NTOP(375), EVK_DST_PROC_PID },
	{ NTOP(376), EVK_DST_PROC_NAME },
	{ NTOP(377), EVK_DST_PROC_USER_NAME },
	{ NTOP(378), EVK_DST_FATHER_PROC_PID },
	{ NTOP(379), EVK_DST_FATHER_PROC_NAME },
	{ NTOP(383), EVK_SRC_PROC_ACTUAL_MEMORY },
	{ NTOP(384), EVK_SRC_PROC_PEAK_MEMORY },
	{ NTOP(385), EVK_SRC_PROC_AVERAGE_CPU_LOAD },
	{ NTOP(386), EVK_SRC_PROC_NUM_PAGE_FAULTS },
	{ NTOP(387), EVK_DST_PROC_ACTUAL_MEMORY },
	{ NTOP(388), EVK_DST_PROC_PEAK_MEMORY },
	{ NTOP(389), EVK_DST_PROC_AVERAGE_CPU_LOAD },
	{ NTOP(390), EVK_DST_PROC_NUM_PAGE_FAULTS },
	{ NTOP(393), EVK_SRC_PROC_PCTG_IOWAIT },
	{ NTOP(394), EVK_DST_PROC_PCTG_IOWAIT },
	{ NTOP(416), EVK_TCP_WIN_MAX_IN },
	{ NTOP(420), EVK_TCP_WIN_MAX_OUT },
	{ NTOP(425), EVK_SRC_PROC_UID },
	{ NTOP(426), EVK_DST_PROC_UID },
	{ NTOP(471), EVK_NPROBE_IPV4_ADDRESS },
	{ NTOP(489), EVK_JA3C_HASH },
	{ NTOP(490), EVK_JA3S_HASH },
	{ NTOP(493), EVK_TLS_CIPHER },
	{ NTOP(494), EVK_SSL_UNSAFE_CIPHER },
	{ NTOP(509), EVK_L7_PROTO_RISK },
	{ NTOP(510), EVK_L7_PROTO_RISK_NAME },
	{ NTOP(522), EVK_FLOW_VERDICT },
	{ NTOP(539), EVK_L7_INFO },
	{ NTOP(540), EVK_SRC_PROC_PKG_NAME },
	{ NTOP(541), EVK_DST_PROC_PKG_NAME },
	{ NTOP(554), EVK_L7_ERROR_CODE },
	{ NTOP(555), EVK_L7_RISK_INFO },
	{ NTOP(556), EVK_SRC_PROC_CMDLINE },
	{ NTOP(557), EVK_DST_PROC_CMDLINE },
	{ NTOP(558), EVK_SRC_PROC_CONTAINER_ID },
	{ NTOP(559), EVK_DST_PROC_CONTAINER_ID },
	{ NTOP(560), EVK_L7_CONFIDENCE },
	{ NTOP(561), EVK_SRC_FATHER_PROC_PKG_NAME },
	{ NTOP(563), EVK_DST_FATHER_PROC_PKG_NAME },
	{ NTOP(564), EVK_SRC_FATHER_PROC_UID },
	{ NTOP(565), EVK_SRC_FATHER_PROC_USER_NAME },
	{ NTOP(567), EVK_DST_FATHER_PROC_UID },
	{ NTOP(568), EVK_DST_FATHER_PROC_USER_NAME },
	{ NTOP(576), EVK_JA4C_HASH },
	{ NTOP(579), EVK_FLOW_SOURCE },
	{ NTOP(589), EVK_UNIQUE_SOURCE_ID },
	/* old names (ntopng 5.2.1) of the fields above */
	{ 227, EVK_POST_NAPT_SRC_TRANSPORT_PORT },
	{ 228, EVK_POST_NAPT_DST_TRANSPORT_PORT },
	{ NTOP(188), EVK_SSL_SERVER_NAME },
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
