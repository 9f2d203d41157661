/* test_evfields.c - unit tests for common/evfields.c and evfread.c:
 * every line of the sample events (tests/data/events/), both dialects,
 * numeric ids, bad values. Run from the top of the tree (as make unit does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evfields.h"
#include "unit.h"

#define EVDIR	"tests/data/events/"

static struct evf_reader rd;
static struct record rec;

/* Lines of a sample file, loaded once. */
static char *lines[32];
static size_t nlines;

static void
load(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	nlines = 0;
	if (fp == NULL) {
		perror(path);
		CHECK(fp != NULL);
		return;
	}
	while ((n = getline(&line, &cap, fp)) > 0 && nlines < 32) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		lines[nlines++] = strdup(line);
	}
	free(line);
	fclose(fp);
}

static void
unload(void)
{
	while (nlines > 0)
		free(lines[--nlines]);
}

/* Parses text and reads it all into ev. Returns evf_read's result. */
static int
rd_text(const char *text, struct evf_event *ev)
{
	int rc = record_parse(&rec, text, strlen(text));

	CHECK(rc == REC_OK);
	if (rc != REC_OK) {
		memset(ev, 0, sizeof(*ev));
		return -2;
	}
	return evf_read(&rd, &rec, ev);
}

static const char *
fmt(const struct ipaddr *a)
{
	static char buf[4][IPADDR_STRLEN];
	static int i;

	i = (i + 1) % 4;
	if (ipaddr_format(a, buf[i], sizeof(buf[i])) < 0)
		return "(none)";
	return buf[i];
}

static const char *
ifname(const struct evf_ids *id)
{
	static char buf[EVF_IFNAMELEN];

	if (!id->has_ifname)
		return "(none)";
	memcpy(buf, id->ifname, id->iflen);
	buf[id->iflen] = '\0';
	return buf;
}

/* The ids as one line: "IF ver proto src:sport dst:dport dialect". */
static const char *
ids(const struct evf_ids *id)
{
	static char buf[300];
	char ifn[EVF_IFNAMELEN], sp[8];

	snprintf(ifn, sizeof(ifn), "%s", ifname(id));
	snprintf(buf, sizeof(buf), "%s v%d p%s %s:%s %s:%s d%d", ifn, id->ipver,
	    id->has_proto ? (id->proto == 6 ? "6" : id->proto == 17 ? "17" :
	    id->proto == 0 ? "0" : "?") : "-",
	    id->has_src ? fmt(&id->src) : "-",
	    id->has_sport ? (snprintf(sp, sizeof(sp), "%u", id->sport), sp) :
	    "-",
	    id->has_dst ? fmt(&id->dst) : "-",
	    id->has_dport ? "+" : "-", (int)id->dialect);
	return buf;
}

static void
test_libebpfflow_file(void)
{
	struct evf_event ev;
	struct evf_ids id;
	uint64_t h1, h3;

	load(EVDIR "libebpfflow-and-nprobe.ndjson");
	CHECK(nlines == 14);
	if (nlines != 14)
		return;

	/* 1: CONNECT, IPv4, host process, NW_LATENCY_MS as a string. */
	CHECK(rd_text(lines[0], &ev) == 0);
	CHECK_STR(ids(&ev.id), "eth0 v4 p6 10.0.2.15:41872 93.184.215.14:+ d1");
	CHECK(ev.id.dport == 443);
	CHECK(ev.has_time && ev.time_sec == 1718031245 &&
	    ev.time_usec == 482913);
	CHECK(ev.type == EVF_EV_CONNECT && !ev.type_udp);
	CHECK_STR(ev.type_name, "CONNECT");
	CHECK(ev.has_latency && ev.latency_ms > 0.0869 &&
	    ev.latency_ms < 0.0871);
	CHECK(ev.proc.present && ev.proc.pid == 48211 && ev.proc.tid == 48211);
	CHECK(ev.proc.uid == 1000 && ev.proc.has_gid && ev.proc.gid == 1000);
	CHECK(!ev.proc.has_uid_name && ev.proc.has_gid_name);
	CHECK_STR(ev.proc.gid_name, "ubuntu");
	CHECK_STR(ev.proc.path, "/usr/bin/curl");
	CHECK_STR(evf_proc_name(&ev.proc), "curl");
	CHECK_STR(ev.proc.cmdline, "https://example.org/");
	CHECK(ev.father.present && ev.father.pid == 47900 &&
	    ev.father.tid == 0 && ev.father.has_raw_tid &&
	    ev.father.raw_tid == 0);
	CHECK_STR(ev.father.path, "/usr/bin/bash");
	CHECK(ev.father.has_cmdline && ev.father.cmdline[0] == '\0');
	CHECK(!ev.container.present && !ev.tcp.present && !ev.has_tid);
	CHECK(!ev.src_proc.present && !ev.dst_proc.present);
	CHECK(ev.ctr.has == 0 && !ev.ctr.has_first);
	CHECK(evf_local_is_src(&ev));
	CHECK(!evf_involves_loopback(&ev.id));
	CHECK(evf_flow_hash(&ev.id, &h1));

	/* 2: ACCEPT in Docker; source is the remote client. */
	CHECK(rd_text(lines[1], &ev) == 0);
	CHECK_STR(ids(&ev.id), "eth0 v4 p6 192.168.2.40:52614 172.17.0.2:+ d1");
	CHECK(ev.type == EVF_EV_ACCEPT && !evf_local_is_src(&ev));
	CHECK(ev.proc.pid == 3172);
	CHECK_STR(ev.proc.path, "/usr/sbin/nginx");
	CHECK(ev.proc.has_cmdline && ev.proc.cmdline[0] == '\0');
	CHECK(ev.container.present && ev.container.kind == EVF_CT_DOCKER);
	CHECK_STR(ev.container.id,
	    "4f9c2d7be1a3c58e90d6f2b7a4c1e8d3f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c");
	CHECK_STR(ev.container.name, "web-nginx");
	CHECK(!ev.container.has_pod && !ev.container.has_ns);

	/* 3: CLOSE, no process, no counters; same flow as line 1. */
	CHECK(rd_text(lines[2], &ev) == 0);
	CHECK(ev.type == EVF_EV_CLOSE && !ev.proc.present &&
	    !ev.father.present && !ev.has_latency);
	CHECK(evf_flow_hash(&ev.id, &h3) && h3 == h1);

	/* 4: RETRANSMIT. */
	CHECK(rd_text(lines[3], &ev) == 0);
	CHECK(ev.type == EVF_EV_RETRANSMIT && ev.has_retran &&
	    ev.retran_pkts == 1);
	CHECK(ev.time_sec == 1718031251 && ev.time_usec == 200418);

	/* 5: IPv6 CONNECT, multi-threaded: libebpfflow's swapped PID/TID. */
	CHECK(rd_text(lines[4], &ev) == 0);
	CHECK_STR(ids(&ev.id),
	    "eth0 v6 p6 2001:db8:1::10:38112 2606:4700::6810:84e5:+ d1");
	CHECK(ev.proc.raw_pid == 51877 && ev.proc.raw_tid == 51802);
	CHECK(ev.proc.pid == 51802 && ev.proc.tid == 51877);
	CHECK_STR(evf_proc_name(&ev.proc), "firefox");
	CHECK(ev.latency_ms > 0.1119 && ev.latency_ms < 0.1121);

	/* 6: Kubernetes pod; no GID_NAME in LOCAL_PROCESS. */
	CHECK(rd_text(lines[5], &ev) == 0);
	CHECK(ev.container.kind == EVF_CT_K8S);
	CHECK_STR(ev.container.name, "coredns");
	CHECK_STR(ev.container.pod, "coredns-5d78c9869d-7xk2p");
	CHECK_STR(ev.container.ns, "kube-system");
	CHECK(strncmp(ev.container.id, "9b1e7c3a", 8) == 0);
	CHECK(ev.proc.uid == 65532 && !ev.proc.has_gid_name);
	CHECK_STR(ev.proc.path, "/coredns");
	CHECK_STR(evf_proc_name(&ev.proc), "coredns");

	/* 7: CONNECT_FAILED over ::1 printed as 0.0.0.1, on lo. */
	CHECK(rd_text(lines[6], &ev) == 0);
	CHECK_STR(ids(&ev.id), "lo v4 p6 0.0.0.1:33546 0.0.0.1:+ d1");
	CHECK(ev.type == EVF_EV_CONNECT_FAILED);
	CHECK_STR(evf_evtype_name(ev.type), "CONNECT_FAILED");
	CHECK(evf_involves_loopback(&ev.id));
	CHECK(!ipaddr_is_loopback(&ev.id.src));

	/* 8: UDP SEND. */
	CHECK(rd_text(lines[7], &ev) == 0);
	CHECK(ev.type == EVF_EV_UDP_SEND && ev.type_udp);
	CHECK(ev.id.proto == 17 && ev.id.dport == 53);
	CHECK(ev.father.has_uid_name);
	CHECK_STR(ev.father.uid_name, "daemon");
	CHECK_STR(ev.father.cmdline, "splash");

	/* 9: UDP reply labelled SEND, IPv6, no process. */
	CHECK(rd_text(lines[8], &ev) == 0);
	CHECK_STR(ids(&ev.id),
	    "eth0 v6 p17 2001:4860:4860::8888:53 2001:db8:1::10:+ d1");
	CHECK(ev.type == EVF_EV_UDP_SEND && !ev.proc.present);

	/* 10: degenerate: PROTOCOL 0, zero addresses, empty name. */
	CHECK(rd_text(lines[9], &ev) == 0);
	CHECK_STR(ids(&ev.id), " v4 p0 0.0.0.0:0 0.0.0.0:+ d1");
	CHECK(ev.id.has_ifname && ev.id.iflen == 0);
	CHECK(ipaddr_is_zero(&ev.id.src) && !evf_involves_loopback(&ev.id));
	CHECK(ev.type == EVF_EV_CONNECT && ev.type_udp);

	/* 11: nprobe_mini, LOCAL/REMOTE, numeric latency, top-level TID. */
	CHECK(rd_text(lines[10], &ev) == 0);
	CHECK_STR(ids(&ev.id), "cni0 v4 p6 10.244.0.1:47702 10.244.0.9:+ d2");
	CHECK(ev.id.dport == 8080);
	CHECK(ev.has_tid && ev.tid == 0);
	CHECK(ev.proc.pid == 30412 && !ev.proc.has_raw_tid &&
	    ev.proc.tid == 0);
	CHECK(ev.has_latency && ev.latency_ms > 0.1519 &&
	    ev.latency_ms < 0.1521);
	CHECK(ev.has_exporter);
	CHECK_STR(fmt(&ev.exporter), "192.168.2.131");
	CHECK(evf_local_is_src(&ev));

	/* 12: netstat update: the TCP object. */
	CHECK(rd_text(lines[11], &ev) == 0);
	CHECK_STR(ids(&ev.id), "eth0 v4 p6 172.17.0.2:80 192.168.2.40:+ d2");
	CHECK(ev.type == EVF_EV_NONE && ev.tcp.present);
	CHECK_STR(ev.tcp.state, "ESTABLISHED");
	CHECK(ev.tcp.segs_in == 14 && ev.tcp.segs_out == 22);
	CHECK(ev.tcp.has_unack && ev.tcp.unack == 0);
	CHECK(ev.tcp.retran == 1 && ev.tcp.has_lost && ev.tcp.lost == 0);
	CHECK(ev.tcp.rtt > 0.4119 && ev.tcp.rtt < 0.4121);
	CHECK(ev.tcp.rtt_var > 0.1179 && ev.tcp.rtt_var < 0.1181);
	CHECK(ev.tcp.bytes_rcvd == 1874 && ev.tcp.bytes_acked == 48211);
	CHECK(ev.proc.has_vm_size && ev.proc.vm_size == 10744);
	CHECK(ev.proc.has_vm_peak && ev.proc.vm_peak == 11020);
	/* Container ID at the block's top, NAME inside DOCKER. */
	CHECK(ev.container.kind == EVF_CT_DOCKER && ev.container.has_id);
	CHECK(strncmp(ev.container.id, "4f9c2d7b", 8) == 0);
	CHECK_STR(ev.container.name, "web-nginx");
	/* The netstat socket is the same flow as the ACCEPT of line 2. */
	{
		struct evf_event acc;
		uint64_t ha, hn;

		CHECK(rd_text(lines[1], &acc) == 0);
		CHECK(evf_flow_hash(&acc.id, &ha));
		CHECK(rd_text(lines[11], &ev) == 0);
		CHECK(evf_flow_hash(&ev.id, &hn) && ha == hn);
	}

	/* 13: interface counters: no addresses, no interface name. */
	CHECK(rd_text(lines[12], &ev) == 0);
	CHECK_STR(ids(&ev.id), "(none) v0 p- -:- -:- d0");
	CHECK(!evf_flow_hash(&ev.id, &h1) && h1 == 0);
	CHECK(ev.container.kind == EVF_CT_K8S && ev.container.has_id);
	CHECK_STR(ev.container.pod, "coredns-5d78c9869d-7xk2p");

	/* 14: listening ports: nothing of ours. */
	CHECK(rd_text(lines[13], &ev) == 0);
	CHECK_STR(ids(&ev.id), "(none) v0 p- -:- -:- d0");
	CHECK(!ev.has_time && ev.type == EVF_EV_NONE && !ev.proc.present);

	/* evf_read_ids agrees with evf_read on every line. */
	{
		size_t i;

		for (i = 0; i < nlines; i++) {
			char a[300];

			CHECK(record_parse(&rec, lines[i], strlen(lines[i])) ==
			    REC_OK);
			CHECK(evf_read_ids(&rec, &id) == 0);
			snprintf(a, sizeof(a), "%s", ids(&id));
			rd_text(lines[i], &ev);
			CHECK_STR(a, ids(&ev.id));
		}
	}
	unload();
}

static void
test_seed_file(void)
{
	struct evf_event ev;

	load(EVDIR "seed-example.ndjson");
	CHECK(nlines == 1);
	if (nlines != 1)
		return;
	CHECK(rd_text(lines[0], &ev) == 0);
	CHECK_STR(ids(&ev.id), "cbr0 v4 p6 10.1.1.1:58916 10.1.1.13:+ d2");
	CHECK(ev.id.dport == 10054);
	CHECK(ev.time_sec == 1557135868 && ev.time_usec == 956831);
	CHECK(ev.type == EVF_EV_CONNECT);
	CHECK(ev.proc.pid == 29730);
	CHECK_STR(ev.proc.path, "/snap/microk8s/522/kubelet");
	CHECK_STR(evf_proc_name(&ev.proc), "kubelet");
	CHECK(ev.father.pid == 1 && ev.father.has_uid_name);
	CHECK(ev.latency_ms > 0.1769 && ev.latency_ms < 0.1771);
	unload();
}

static void
test_numeric(void)
{
	struct evf_event ev, rev;
	uint64_t h, rh;

	/* softflowd's exporter: ids only. */
	CHECK(rd_text("{\"8\": \"192.168.2.126\", \"12\": \"8.209.112.118\", "
	    "\"7\": 35426, \"11\": 80, \"4\": 6, \"1\": 2612, \"2\": 4, "
	    "\"23\": 128, \"24\": 1, \"22\": 1718031245, \"21\": 1718031247, "
	    "\"6\": 24, \"58\": \"7\"}", &ev) == 0);
	CHECK_STR(ids(&ev.id),
	    "(none) v4 p6 192.168.2.126:35426 8.209.112.118:+ d3");
	CHECK(ev.id.dport == 80);
	CHECK(ev.ctr.has == (1u << EVF_IN_BYTES | 1u << EVF_IN_PKTS |
	    1u << EVF_OUT_BYTES | 1u << EVF_OUT_PKTS | 1u << EVF_TCP_FLAGS |
	    1u << EVF_SRC_VLAN));
	CHECK(ev.ctr.v[EVF_IN_BYTES] == 2612 && ev.ctr.v[EVF_IN_PKTS] == 4);
	CHECK(ev.ctr.v[EVF_OUT_BYTES] == 128 && ev.ctr.v[EVF_OUT_PKTS] == 1);
	CHECK(ev.ctr.v[EVF_TCP_FLAGS] == 24 && ev.ctr.v[EVF_SRC_VLAN] == 7);
	CHECK(ev.ctr.has_first && ev.ctr.first_switched == 1718031245.0);
	CHECK(ev.ctr.has_last && ev.ctr.last_switched == 1718031247.0);
	CHECK(evf_flow_hash(&ev.id, &h));

	/* The reverse direction by names hashes alike. */
	CHECK(rd_text("{\"IPV4_SRC_ADDR\":\"8.209.112.118\","
	    "\"IPV4_DST_ADDR\":\"192.168.2.126\",\"L4_SRC_PORT\":80,"
	    "\"L4_DST_PORT\":\"35426\",\"PROTOCOL\":\"6\",\"IN_BYTES\":1,"
	    "\"IP_PROTOCOL_VERSION\":4,\"FIRST_SWITCHED\":1.5}", &rev) == 0);
	CHECK(rev.id.dialect == EVF_DIALECT_SRCDST);
	CHECK(evf_flow_hash(&rev.id, &rh) && rh == h);
	CHECK(rev.ctr.first_switched == 1.5);
	/* Another protocol or port does not. */
	CHECK(rd_text("{\"8\":\"192.168.2.126\",\"12\":\"8.209.112.118\","
	    "\"7\":35426,\"11\":80,\"4\":17}", &rev) == 0);
	CHECK(evf_flow_hash(&rev.id, &rh) && rh != h);
	CHECK(rd_text("{\"8\":\"192.168.2.126\",\"12\":\"8.209.112.118\","
	    "\"7\":35427,\"11\":80,\"4\":6}", &rev) == 0);
	CHECK(evf_flow_hash(&rev.id, &rh) && rh != h);

	/* IPv6 ids; names win over ids. */
	CHECK(rd_text("{\"27\":\"::1\",\"28\":\"2001:db8::1\",\"60\":6,"
	    "\"IN_BYTES\":5,\"1\":9}", &ev) == 0);
	CHECK_STR(ids(&ev.id), "(none) v6 p- ::1:- 2001:db8::1:- d3");
	CHECK(evf_involves_loopback(&ev.id));
	CHECK(ev.ctr.v[EVF_IN_BYTES] == 5);
	CHECK(rd_text("{\"IPV4_SRC_ADDR\":\"1.1.1.1\",\"8\":\"2.2.2.2\"}",
	    &ev) == 0);
	CHECK_STR(fmt(&ev.id.src), "1.1.1.1");
	CHECK(ev.id.dialect == EVF_DIALECT_SRCDST);

	/* evf_get, evf_ie_id, evf_ie_name. */
	{
		const char *t = "{\"8\":\"1.2.3.4\",\"IN_PKTS\":3}";

		CHECK(record_parse(&rec, t, strlen(t)) == REC_OK);
	}
	CHECK(evf_get(&rec, "IPV4_SRC_ADDR") != NULL);
	CHECK(evf_get(&rec, "IN_PKTS") != NULL);
	CHECK(evf_get(&rec, "IN_BYTES") == NULL);
	CHECK(evf_get(&rec, "NO_SUCH") == NULL);
	CHECK(evf_ie_id("IPV4_DST_ADDR") == 12 && evf_ie_id("X") == -1);
	CHECK_STR(evf_ie_name(28), "IPV6_DST_ADDR");
	CHECK(evf_ie_name(3) == NULL);
	CHECK(evf_ie_id("L7_PROTO") == 57590);
	CHECK_STR(evf_ie_name(57551), "SERVER_TCP_FLAGS");
	{
		const char *t = "{\"57590\":7,\"35632.119\":\"HTTP\"}";

		CHECK(record_parse(&rec, t, strlen(t)) == REC_OK);
	}
	CHECK(evf_get(&rec, "L7_PROTO") != NULL);
	CHECK(evf_get(&rec, "L7_PROTO_NAME") != NULL);
	CHECK(evf_get(&rec, "CLIENT_TCP_FLAGS") == NULL);

	/* Every id of the table is read where its name is: ntop's ids of
	 * the agent fields and latencies, in any key form; names win over
	 * ids in either order. */
	CHECK(rd_text("{\"57640\":42,\"35632.169\":\"curl\","
	    "\"57472+375\":7,\"57595\":1.5,\"DST_PROC_PID\":8,"
	    "\"0.8\":\"1.2.3.4\"}", &ev) == 0);
	CHECK(ev.src_proc.has_pid && ev.src_proc.pid == 42);
	CHECK(ev.src_proc.has_name && strcmp(ev.src_proc.name, "curl") == 0);
	CHECK(ev.dst_proc.has_pid && ev.dst_proc.pid == 8);
	CHECK(ev.has_client_latency && ev.client_latency_ms == 1.5);
	CHECK_STR(fmt(&ev.id.src), "1.2.3.4");
}

static void
test_dialects(void)
{
	struct evf_event ev;

	/* IF_NAME, and INTERFACE_NAME winning over it. */
	CHECK(rd_text("{\"IF_NAME\":\"cbr0\"}", &ev) == 0);
	CHECK_STR(ifname(&ev.id), "cbr0");
	CHECK(rd_text("{\"IF_NAME\":\"a\",\"INTERFACE_NAME\":\"b\"}", &ev) ==
	    0);
	CHECK_STR(ifname(&ev.id), "b");
	/* Escapes in names and keys. */
	CHECK(rd_text("{\"IF\\u005fNAME\":\"c\\u00e9\\/0\"}", &ev) == 0);
	CHECK_STR(ifname(&ev.id), "c\xc3\xa9/0");
	CHECK(ev.id.ifname == ev.id.ifbuf);
	/* IPv6 LOCAL/REMOTE. */
	CHECK(rd_text("{\"IPV6_LOCAL_ADDR\":\"::ffff:127.0.0.1\","
	    "\"IPV6_REMOTE_ADDR\":\"2001:db8::2\",\"L4_LOCAL_PORT\":1,"
	    "\"L4_REMOTE_PORT\":2}", &ev) == 0);
	CHECK_STR(ids(&ev.id), "(none) v6 p- ::ffff:127.0.0.1:1 2001:db8::2:+ d2");
	CHECK(evf_involves_loopback(&ev.id));
	/* Type numbers, unknown names, numeric strings. */
	CHECK(rd_text("{\"TCP_EVENT_TYPE\":101}", &ev) == 0);
	CHECK(ev.type == EVF_EV_CONNECT);
	CHECK_STR(ev.type_name, "101");
	CHECK(rd_text("{\"UDP_EVENT_TYPE\":\"210\"}", &ev) == 0);
	CHECK(ev.type == EVF_EV_UDP_RECV && ev.type_udp);
	CHECK(rd_text("{\"TCP_EVENT_TYPE\":\"LISTEN\"}", &ev) == 0);
	CHECK(ev.type == EVF_EV_UNKNOWN);
	CHECK_STR(evf_evtype_name(ev.type), "UNKNOWN");
	CHECK(rd_text("{\"TCP_EVENT_TYPE\":999}", &ev) == 0);
	CHECK(ev.type == EVF_EV_UNKNOWN);
	/* Timestamps: number, short fraction, no fraction, exponent. */
	CHECK(rd_text("{\"timestamp\":1718031245.5}", &ev) == 0);
	CHECK(ev.time_sec == 1718031245 && ev.time_usec == 500000);
	CHECK(rd_text("{\"timestamp\":\"12\"}", &ev) == 0);
	CHECK(ev.time_sec == 12 && ev.time_usec == 0 && ev.time == 12.0);
	CHECK(rd_text("{\"timestamp\":\"1.1234567\"}", &ev) == 0);
	CHECK(ev.time_usec == 123456);
	CHECK(rd_text("{\"timestamp\":1.5e3}", &ev) == 0);
	CHECK(ev.time_sec == 1500 && ev.time_usec == 0);
	/* Agent IEs and client/server latency. */
	CHECK(rd_text("{\"SRC_PROC_PID\":10,\"SRC_PROC_NAME\":\"curl\","
	    "\"SRC_PROC_UID\":\"1000\",\"SRC_PROC_USER_NAME\":\"u\","
	    "\"SRC_FATHER_PROC_PID\":9,\"SRC_FATHER_PROC_NAME\":\"bash\","
	    "\"SRC_PROC_CMDLINE\":\"curl x\",\"SRC_PROC_CONTAINER_ID\":\"c1\","
	    "\"SRC_PROC_PKG_NAME\":\"curl-pkg\",\"DST_PROC_PID\":20,"
	    "\"DST_PROC_NAME\":\"nginx\",\"CLIENT_NW_LATENCY_MS\":1.25,"
	    "\"SERVER_NW_LATENCY_MS\":\"0.5\"}", &ev) == 0);
	CHECK(ev.src_proc.present && ev.src_proc.pid == 10 &&
	    ev.src_proc.uid == 1000 && ev.src_proc.father_pid == 9);
	CHECK_STR(ev.src_proc.name, "curl");
	CHECK_STR(ev.src_proc.user_name, "u");
	CHECK_STR(ev.src_proc.father_name, "bash");
	CHECK_STR(ev.src_proc.cmdline, "curl x");
	CHECK_STR(ev.src_proc.container_id, "c1");
	CHECK_STR(ev.src_proc.pkg_name, "curl-pkg");
	CHECK(ev.dst_proc.present && ev.dst_proc.pid == 20 &&
	    !ev.dst_proc.has_uid);
	CHECK_STR(ev.dst_proc.name, "nginx");
	CHECK(ev.client_latency_ms == 1.25 && ev.server_latency_ms == 0.5);
	/* EXPORTER_IPV6_ADDRESS; null fields are absent. */
	CHECK(rd_text("{\"EXPORTER_IPV6_ADDRESS\":\"2001:db8::9\","
	    "\"LOCAL_PROCESS\":null,\"IF_NAME\":null,\"PROTOCOL\":null}",
	    &ev) == 0);
	CHECK(ev.has_exporter && ev.exporter.family == IPADDR_V6);
	CHECK(!ev.proc.present && !ev.id.has_ifname && !ev.id.has_proto);
}

static void
test_bad(void)
{
	struct evf_event ev;
	char big[2000];

	CHECK(rd_text("{\"IPV4_SRC_ADDR\":\"10.0.0.300\","
	    "\"IPV4_DST_ADDR\":\"10.0.0.1\",\"L4_SRC_PORT\":1}", &ev) == -1);
	CHECK(ev.bad == EVF_BAD_ADDR && !ev.id.has_src && ev.id.has_dst);
	CHECK(ev.id.has_sport);
	CHECK_STR(evf_badname(EVF_BAD_ADDR), "bad_address");
	CHECK(rd_text("{\"IPV4_SRC_ADDR\":true}", &ev) == -1);
	CHECK(ev.bad == EVF_BAD_ADDR);
	CHECK(rd_text("{\"IPV4_SRC_ADDR\":\"\"}", &ev) == 0);
	CHECK(!ev.id.has_src && ev.id.dialect == EVF_DIALECT_SRCDST);
	CHECK(rd_text("{\"IPV4_SRC_ADDR\":167772161}", &ev) == 0);
	CHECK_STR(fmt(&ev.id.src), "10.0.0.1");
	CHECK(rd_text("{\"L4_SRC_PORT\":65536,\"L4_DST_PORT\":\"x\"}", &ev) ==
	    -1);
	CHECK(ev.bad == EVF_BAD_PORT && !ev.id.has_sport && !ev.id.has_dport);
	CHECK(rd_text("{\"L4_SRC_PORT\":1.5}", &ev) == -1);
	CHECK(rd_text("{\"PROTOCOL\":256}", &ev) == -1);
	CHECK(ev.bad == EVF_BAD_PROTO);
	CHECK(rd_text("{\"INTERFACE_NAME\":7}", &ev) == -1);
	CHECK(ev.bad == EVF_BAD_IFNAME && !ev.id.has_ifname);
	CHECK(rd_text("{\"LOCAL_PROCESS\":[1],\"TCP\":\"x\"}", &ev) == -1);
	CHECK(ev.bad == EVF_BAD_OBJECT && !ev.proc.present);
	CHECK(rd_text("{\"LOCAL_CONTAINER\":{\"DOCKER\":5}}", &ev) == -1);
	CHECK(ev.bad == EVF_BAD_OBJECT && ev.container.kind == EVF_CT_DOCKER);
	CHECK(rd_text("{\"timestamp\":\"1.x\"}", &ev) == -1);
	CHECK(ev.bad == EVF_BAD_TIME && !ev.has_time);
	CHECK(rd_text("{\"timestamp\":\"\"}", &ev) == -1);
	CHECK(rd_text("{\"timestamp\":-1}", &ev) == -1);
	CHECK(rd_text("{\"NW_LATENCY_MS\":\"fast\",\"IN_BYTES\":-1}", &ev) ==
	    -1);
	CHECK(ev.bad == EVF_BAD_NUMBER && !ev.has_latency && ev.ctr.has == 0);
	CHECK(rd_text("{\"LOCAL_PROCESS\":{\"PID\":\"x\",\"PROCESS_PATH\":1}}",
	    &ev) == -1);
	CHECK(ev.proc.present && !ev.proc.has_pid && !ev.proc.has_path);
	/* A too long name is bad; a too long path is cut at a UTF-8
	 * boundary and flagged. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "{\"IF_NAME\":\"", 12);
	memcpy(big + 300, "\"}", 3);
	CHECK(rd_text(big, &ev) == -1 && ev.bad == EVF_BAD_IFNAME);
	{
		char *p = big;
		size_t i;

		p += sprintf(p, "{\"LOCAL_PROCESS\":{\"PROCESS_PATH\":\"");
		for (i = 0; i < 200; i++)
			p += sprintf(p, "\xc3\xa9");	/* 2 bytes each */
		sprintf(p, "\"}}");
		CHECK(rd_text(big, &ev) == 0);
		CHECK(ev.proc.truncated && strlen(ev.proc.path) == 254);
	}
	{
		char *p = big;
		size_t i;

		p += sprintf(p, "{\"LOCAL_PROCESS\":{\"PROCESS_CMDLINE\":\"");
		for (i = 0; i < 100; i++)
			p += sprintf(p, "a\\u20ac");	/* escaped, 3 bytes */
		sprintf(p, "\"}}");
		CHECK(rd_text(big, &ev) == 0);
		CHECK(ev.proc.truncated && strlen(ev.proc.cmdline) == 253);
	}
	{
		char *p = big;
		size_t i;

		/* An escape first, then a long plain run cut in a code
		 * point: the run is copied up to the last whole one. */
		p += sprintf(p, "{\"LOCAL_PROCESS\":{\"PROCESS_PATH\":\"\\/a");
		for (i = 0; i < 200; i++)
			p += sprintf(p, "\xc3\xa9");
		sprintf(p, "\"}}");
		CHECK(rd_text(big, &ev) == 0);
		CHECK(ev.proc.truncated && strlen(ev.proc.path) == 254 &&
		    memcmp(ev.proc.path, "/a\xc3\xa9", 4) == 0);
	}
	/* Lone surrogate and \u0000. */
	CHECK(rd_text("{\"LOCAL_PROCESS\":{\"PROCESS_PATH\":"
	    "\"a\\ud800b\\u0000c\\ud83d\\ude00\"}}", &ev) == 0);
	CHECK_STR(ev.proc.path, "a\xef\xbf\xbd" "bc\xf0\x9f\x98\x80");
}

/* evf_read_ids() counts the members that decide ev-route's splice of a
 * copy (plain "_iface" and "_from" keys, escaped keys) in its one walk;
 * empty keys, whose first byte is their closing quote, are skipped. */
static void
test_pipe_keys(void)
{
	static const char *const text[] = {
		"{\"\":1,\"_iface\":\"a\",\"IF_NAME\":\"eth0\",\"\":\"x\","
		    "\"_from\":\"z\",\"_iface\":\"b\",\"_\":2,\"_ifacex\":3,"
		    "\"IPV4_SRC_ADDR\":\"10.0.0.1\"}",
		"{\"_ifac\\u0065\":\"a\",\"\":\"eth9\",\"IF_NAME\":\"x\"}",
		"{\"_iface\":\"a\",\"_fro\":1,\"_fromm\":1}",
		"{\"\":\"eth9\"}",
	};
	struct evf_ids id;
	struct evf_event ev;

	CHECK(record_parse(&rec, text[0], strlen(text[0])) == REC_OK);
	CHECK(evf_read_ids(&rec, &id) == 0);
	CHECK(id.n_iface == 2 && id.has_from && !id.kesc);
	CHECK(id.iface == &rec.f[1]);
	CHECK_STR(ids(&id), "eth0 v4 p- 10.0.0.1:- -:- d1");
	CHECK(record_parse(&rec, text[1], strlen(text[1])) == REC_OK);
	CHECK(evf_read_ids(&rec, &id) == 0);
	CHECK(id.n_iface == 0 && !id.has_from && id.kesc && id.iface == NULL);
	CHECK_STR(ifname(&id), "x");
	CHECK(record_parse(&rec, text[2], strlen(text[2])) == REC_OK);
	CHECK(evf_read_ids(&rec, &id) == 0);
	CHECK(id.n_iface == 1 && !id.has_from && !id.kesc);
	CHECK(record_parse(&rec, text[3], strlen(text[3])) == REC_OK);
	CHECK(evf_read_ids(&rec, &id) == 0);
	CHECK(id.n_iface == 0 && !id.has_ifname);
	/* evf_read() does not count them. */
	CHECK(rd_text(text[0], &ev) == 0);
	CHECK(ev.id.n_iface == 0 && !ev.id.has_from);
	CHECK_STR(ifname(&ev.id), "eth0");
}

/* Two reads of a process block agree (what evf_read() fills from it). */
static bool
proc_eq(const struct evf_proc *a, const struct evf_proc *b)
{
	return a->present == b->present && a->has_pid == b->has_pid &&
	    a->has_raw_tid == b->has_raw_tid && a->has_uid == b->has_uid &&
	    a->has_gid == b->has_gid && a->has_vm_size == b->has_vm_size &&
	    a->has_vm_peak == b->has_vm_peak && a->pid == b->pid &&
	    a->tid == b->tid && a->raw_pid == b->raw_pid &&
	    a->raw_tid == b->raw_tid && a->uid == b->uid && a->gid == b->gid &&
	    a->vm_size == b->vm_size && a->vm_peak == b->vm_peak &&
	    a->has_uid_name == b->has_uid_name &&
	    a->has_gid_name == b->has_gid_name &&
	    a->has_path == b->has_path && a->has_cmdline == b->has_cmdline &&
	    (!a->has_uid_name || strcmp(a->uid_name, b->uid_name) == 0) &&
	    (!a->has_gid_name || strcmp(a->gid_name, b->gid_name) == 0) &&
	    (!a->has_path || strcmp(a->path, b->path) == 0) &&
	    (!a->has_cmdline || strcmp(a->cmdline, b->cmdline) == 0) &&
	    a->truncated == b->truncated;
}

/* A random JSON value for a process block member. */
static void
rnd_value(char *o, size_t size)
{
	static const char *const lit[] = {
		"0", "1", "-5", "20691", "1.5", "1e3", "0.0", "-0",
		"99999999999999999999", "true", "false", "null", "{}",
		"{\"PID\":7}", "[1,\"a\"]", "\"\"",
	};
	static const char *const piece[] = {
		"a", "/", "\\/", "\\\"", "\\\\", "\\u0041", "\\n", "curl ",
		"--worker 61", "\\u00e9", "0123456789abcdef", "}",
		",\\\"PID\\\":", "\\\\\\\"",
	};
	size_t n = 0, k;

	if (rand() % 3 == 0) {
		snprintf(o, size, "%s", lit[rand() % (sizeof(lit) /
		    sizeof(lit[0]))]);
		return;
	}
	o[n++] = '"';
	for (k = rand() % 12; k > 0 && n + 20 < size; k--)
		n += (size_t)snprintf(o + n, size - n, "%s",
		    piece[rand() % (sizeof(piece) / sizeof(piece[0]))]);
	/* Sometimes longer than a buffer of evf_proc, to be cut. */
	if (rand() % 16 == 0)
		while (n + 2 < size && n < 300)
			o[n++] = 'x';
	o[n++] = '"';
	o[n] = '\0';
}

/* The flat walk of a process block (evf_proc_flat) reads what record_sub()
 * and evf_proc_members() read: each random block is read compact, and
 * again with a space after its '{', which the walk leaves to them. */
static void
test_proc_flat(void)
{
	static const char *const key[] = {
		"PID", "TID", "UID", "GID", "VM_SIZE", "VM_PEAK", "UID_NAME",
		"GID_NAME", "PROCESS_PATH", "PROCESS_CMDLINE", "PIDX", "",
		"P\\u0049D", "UIDNAME_", "PROCESS_CMDLINEX", "GI",
	};
	static struct evf_event a, b;
	static char block[4096], text[2][4200];
	unsigned t, bad = 0;
	int ra, rb;

	srand(7);
	for (t = 0; t < 20000; t++) {
		size_t n = 0, m = (size_t)(rand() % 12);
		char val[512];

		block[n++] = '{';
		while (m-- > 0) {
			rnd_value(val, sizeof(val));
			n += (size_t)snprintf(block + n, sizeof(block) - n,
			    "%s\"%s\":%s", n > 1 ? "," : "",
			    key[rand() % (sizeof(key) / sizeof(key[0]))], val);
		}
		block[n++] = '}';
		block[n] = '\0';
		snprintf(text[0], sizeof(text[0]),
		    "{\"IF_NAME\":\"eth0\",\"LOCAL_PROCESS\":%s,\"PID\":1}",
		    block);
		snprintf(text[1], sizeof(text[1]),
		    "{\"IF_NAME\":\"eth0\",\"LOCAL_PROCESS\":{ %s,\"PID\":1}",
		    block + 1);
		ra = rd_text(text[0], &a);
		rb = rd_text(text[1], &b);
		if ((ra != rb || a.bad != b.bad || !proc_eq(&a.proc, &b.proc)) &&
		    bad++ < 5)
			fprintf(stderr, "  proc_flat differs on %s\n", text[0]);
	}
	CHECK(bad == 0);
}

/* The time read by words (evf_time_fixed) against rec_time(): random
 * "DDDDDDDDDD.DDDDDD" as string and number, with a byte changed, cut or
 * added, read through evf_read(). */
static void
test_time_fixed(void)
{
	static const char other[] = "0123456789.-+eE/:a ";
	static struct evf_event ev;
	char ts[32], text[96];
	unsigned t, bad = 0, fixed = 0;
	size_t i, n;

	srand(11);
	for (t = 0; t < 40000; t++) {
		const struct rec_field *f;
		int64_t sec = 0;
		int32_t usec = 0;
		int want;
		bool num = rand() % 2;

		for (i = 0; i < 17; i++)
			ts[i] = (char)('0' + rand() % 10);
		ts[10] = '.';
		n = 17;
		if (rand() % 3 == 0)
			ts[rand() % 17] = other[rand() % (sizeof(other) - 1)];
		if (rand() % 8 == 0)
			n += (size_t)(rand() % 3) - 1;
		ts[n] = '\0';
		fixed += n == 17 && strspn(ts, "0123456789.") == 17 &&
		    ts[10] == '.';
		snprintf(text, sizeof(text), num ? "{\"timestamp\":%s}" :
		    "{\"timestamp\":\"%s\"}", ts);
		if (record_parse(&rec, text, strlen(text)) != REC_OK)
			continue;	/* no number */
		f = record_get(&rec, "timestamp");
		want = rec_time(f, &sec, &usec);
		evf_read(&rd, &rec, &ev);
		if ((ev.has_time != (want == 0) || (want == 0 &&
		    (ev.time_sec != sec || ev.time_usec != usec))) &&
		    bad++ < 5)
			fprintf(stderr, "  time %s: %d %lld.%06d, want %d\n",
			    text, ev.has_time, (long long)ev.time_sec,
			    (int)ev.time_usec, want);
	}
	CHECK(bad == 0);
	CHECK(fixed > 10000);
}

int
main(void)
{
	evf_reader_init(&rd);
	record_init(&rec);
	test_libebpfflow_file();
	test_seed_file();
	test_numeric();
	test_dialects();
	test_bad();
	test_pipe_keys();
	test_proc_flat();
	test_time_fixed();
	record_free(&rec);
	evf_reader_free(&rd);
	return unit_done("evfields");
}
