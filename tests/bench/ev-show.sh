#!/bin/sh
# ev-show benchmark (the goal: it handles 100k records/s input without
# falling behind), in one run over one generated input of flow-agg flow
# records (100,000 flows, three updates each, processes on both ends),
# zmq-ingest events and pcap-ingest packet records:
#  1. batch mode, every view built and printed once at the end:
#       ev-show -b FILE > /dev/null
#     against the usual way to look at such a stream, the peer tool
#       jq -c 'select(._type == "flow")' FILE > /dev/null
#     with hyperfine: records/s of both and the ratio (higher is better);
#  2. the dashboard under tmux (80x24, redrawing every second while it
#     reads): seconds from start until its status line says EOF, so
#     records/s while drawing.
# BENCH_FLOWS=N changes the number of flows, BENCH_RUNS the runs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${EVPIPE_BIN:=$here/../../build/bin}"
flows=${BENCH_FLOWS:-100000}
runs=${BENCH_RUNS:-5}
for t in hyperfine jq tmux awk; do
	command -v $t >/dev/null || { echo "ev-show: $t missing"; exit 1; }
done
tmp=$(mktemp -d)
sock=evbench-$$
trap 'tmux -L $sock kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
B=$EVPIPE_BIN

# The input: per flow three flow records (two interim, one final), two
# events and one packet record.
awk -v n="$flows" 'BEGIN {
	for (i = 0; i < n; i++) {
		a = int(i / 250) % 250; b = i % 250; t = 1718031245 + i / 1000
		c = sprintf("10.1.%d.%d", a, b); s = sprintf("192.0.2.%d", i % 200)
		p = 1024 + i % 60000
		for (u = 1; u <= 3; u++)
			printf "{\"_type\":\"flow\",\"_iface\":\"eth%d\",%s\"IP_PROTOCOL_VERSION\":4,\"IPV4_SRC_ADDR\":\"%s\",\"IPV4_DST_ADDR\":\"%s\",\"L4_SRC_PORT\":%d,\"L4_DST_PORT\":443,\"PROTOCOL\":6,\"IN_PKTS\":%d,\"IN_BYTES\":%d,\"OUT_PKTS\":%d,\"OUT_BYTES\":%d,\"FIRST_SWITCHED\":%d,\"LAST_SWITCHED\":%d,\"FLOW_START_SEC\":%.6f,\"FLOW_END_SEC\":%.6f,\"TCP_FLAGS\":27,\"CLIENT_TCP_FLAGS\":27,\"SERVER_TCP_FLAGS\":27,\"SRC_PROC_PID\":%d,\"SRC_PROC_UID\":1000,\"SRC_FATHER_PROC_PID\":4790,\"SRC_PROC_NAME\":\"/usr/bin/curl%d\",\"SRC_PROC_USER_NAME\":\"ubuntu\",\"SRC_FATHER_PROC_NAME\":\"/usr/bin/bash\",\"SRC_PROC_CMDLINE\":\"https://example.org/\",\"DST_PROC_PID\":3172,\"DST_PROC_UID\":0,\"DST_PROC_NAME\":\"/usr/sbin/nginx\",\"DST_PROC_USER_NAME\":\"root\",\"DST_PROC_CONTAINER_ID\":\"4f9c2d7be1a3c58e90d6f2b7a4c1e8d3\",\"DST_PROC_CONTAINER_NAME\":\"web\",\"CLIENT_NW_LATENCY_MS\":0.087%s}\n",
			    i % 4, u < 3 ? "\"_interim\":true," : "", c, s, p, u * 4, u * 400, u * 6, u * 9000,
			    t, t + u, t, t + u, 40000 + i % 500, i % 50,
			    u == 3 ? ",\"FLOW_END_REASON\":\"fin\"" : ""
		for (u = 0; u < 2; u++)
			printf "{\"_type\":\"event\",\"_event\":\"flow\",\"_topic\":\"flow\",\"_iface\":\"tcp://*:1234c\",\"_rx\":%.6f,\"timestamp\":\"%.6f\",\"INTERFACE_NAME\":\"eth0\",\"IP_PROTOCOL_VERSION\":4,\"TCP_EVENT_TYPE\":\"%s\",\"IPV4_SRC_ADDR\":\"%s\",\"IPV4_DST_ADDR\":\"%s\",\"PROTOCOL\":6,\"L4_SRC_PORT\":%d,\"L4_DST_PORT\":443,\"NW_LATENCY_MS\":\"0.087\",\"LOCAL_PROCESS\":{\"PID\":%d,\"UID\":1000,\"GID\":1000,\"GID_NAME\":\"ubuntu\",\"TID\":%d,\"PROCESS_PATH\":\"/usr/bin/curl\",\"PROCESS_CMDLINE\":\"https://example.org/\"}}\n",
			    t, t, u ? "CLOSE" : "CONNECT", c, s, p, 40000 + i % 500, 40000 + i % 500
		printf "{\"_type\":\"packet\",\"_iface\":\"eth%d\",\"timestamp\":\"%.6f\",\"IP_PROTOCOL_VERSION\":4,\"PROTOCOL\":6,\"IPV4_SRC_ADDR\":\"%s\",\"IPV4_DST_ADDR\":\"%s\",\"L4_SRC_PORT\":%d,\"L4_DST_PORT\":443,\"TCP_FLAGS\":16,\"PKTS\":1,\"BYTES\":1514}\n",
		    i % 4, t, c, s, p
	}
}' > "$tmp/in.ndjson"
recs=$(wc -l < "$tmp/in.ndjson")
echo "ev-show: input of $recs records ($flows flows), $(($(wc -c < "$tmp/in.ndjson") / 1048576)) MiB"

# 1. Batch mode against jq.
hyperfine --style none --runs "$runs" --warmup 1 --export-json "$tmp/h.json" \
    "$B/ev-show -b -q -F $flows $tmp/in.ndjson > /dev/null" \
    "jq -c 'select(._type == \"flow\")' $tmp/in.ndjson > /dev/null" \
    > /dev/null
jq -r --argjson n "$recs" '
	.results[0].median as $s | .results[1].median as $j |
	(.results[0].user + .results[0].system) as $sc |
	(.results[1].user + .results[1].system) as $jc |
	"ev-show: batch: median \($s * 1000 | floor) ms, \($n / $s | floor) records/s (\($n / $sc | floor) per CPU second)",
	"ev-show: jq (peer): median \($j * 1000 | floor) ms, \($n / $j | floor) records/s (\($n / $jc | floor) per CPU second)",
	"ev-show: ratio ev-show/jq records/s: \($j / $s * 100 | floor / 100)x"' \
    "$tmp/h.json"
"$B/ev-show" -b -F "$flows" -v flows -w 100 "$tmp/in.ndjson" 2> "$tmp/err" |
    sed -n '1p;4p'

# 2. The dashboard: wall time until EOF while redrawing, median of runs.
i=0
: > "$tmp/times"
while [ $i -lt "$runs" ]; do
	start=$(date +%s.%N)
	TERM=xterm tmux -L $sock new-session -d -x 80 -y 24 \
	    "$B/ev-show -F $flows $tmp/in.ndjson 2>/dev/null"
	until tmux -L $sock capture-pane -p 2>/dev/null | grep -q ' EOF '; do
		sleep 0.05
	done
	end=$(date +%s.%N)
	tmux -L $sock kill-server 2>/dev/null || true
	awk -v a="$start" -v b="$end" 'BEGIN { print b - a }' >> "$tmp/times"
	i=$((i + 1))
done
sort -n "$tmp/times" | awk -v n="$recs" '{ t[NR] = $1 }
	END { m = t[int((NR + 1) / 2)];
	      printf "ev-show: dashboard 80x24: median %.0f ms to EOF, %d records/s\n", m * 1000, n / m }'
exit 0
