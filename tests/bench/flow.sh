#!/bin/sh
# flow-agg benchmark, in one run:
#  1. a capture of >= 250,000 packets: reddit.pcap (TCP over Ethernet, no
#     tags, no fragments, so softflowd and flow-agg see the same flows)
#     copied with editcap -t, each copy 20 s after the last, then
#     concatenated with mergecap -a; read by
#       pcap-ingest -r F -A 1 | flow-agg     (one-second slices)
#       pcap-ingest -r F | flow-agg          (one record per packet)
#       softflowd -r F -6 -d                 (the peer tool, Debian)
#     with hyperfine; packets/s and the ratio to softflowd (target >= 1x),
#     and the flow totals of both (flows, packets; bytes: softflowd counts
#     IP lengths, flow-agg frame lengths, 14 bytes more per packet here);
#  2. flow-agg alone over the per-packet records: records/s;
#  3. 1,000,000 events (250,000 connections: CONNECT, ACCEPT, RETRANSMIT,
#     CLOSE, libebpfflow's format) merged into flows: events/s;
#  4. 1,000,000 concurrent flows (one packet each, never idle) and
#     1,000,000 event-only flows with processes: max resident set size
#     from /usr/bin/time -v (target <= 256 MB).
# BENCH_COPIES=N changes the capture size (default 130), BENCH_RUNS the
# runs per command.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${EVPIPE_BIN:=$here/../../build/bin}"
pcaps=$(cd "$here/../data/pcaps" && pwd)
copies=${BENCH_COPIES:-130}
runs=${BENCH_RUNS:-5}
for t in hyperfine jq mergecap editcap capinfos softflowd awk; do
	command -v $t >/dev/null || { echo "flow: $t missing"; exit 1; }
done
[ -x /usr/bin/time ] || { echo "flow: /usr/bin/time missing"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
B=$EVPIPE_BIN

# 1. The capture.
i=0
set --
while [ $i -lt "$copies" ]; do
	editcap -t $((i * 20)) "$pcaps/reddit.pcap" "$tmp/c$i.pcap"
	set -- "$@" "$tmp/c$i.pcap"
	i=$((i + 1))
done
mergecap -a -F pcap -w "$tmp/big.pcap" "$@"
rm -f "$@"
pkts=$(capinfos -c -M -T -r "$tmp/big.pcap" | cut -f2)
echo "flow: capture of $pkts packets, $(($(wc -c < "$tmp/big.pcap") / 1048576)) MiB"
[ "$pkts" -ge 250000 ] || { echo "flow: fewer than 250000 packets"; exit 1; }

# Flow totals, flow-agg with timeouts as long as softflowd's -r mode.
"$B/pcap-ingest" -q -A 1 -r "$tmp/big.pcap" 2>/dev/null |
    "$B/flow-agg" -i 1d -f 1d -N 2>/dev/null |
    jq -s -r '"flow: flow-agg totals: flows \(length), packets \(map(.IN_PKTS + .OUT_PKTS) | add), bytes \(map(.IN_BYTES + .OUT_BYTES) | add)"' > "$tmp/fa.tot"
cat "$tmp/fa.tot"
softflowd -r "$tmp/big.pcap" -6 -d > "$tmp/sf.out" 2>&1
sf_flows=$(awk '/^Flows expired:/ {print $3}' "$tmp/sf.out")
sf_pkts=$(awk '/^Packets processed:/ {print $3}' "$tmp/sf.out")
sf_bytes=$(awk '/ \((6|17)\):/ {o += $3} END {print o}' "$tmp/sf.out")
echo "flow: softflowd totals: flows $sf_flows, packets $sf_pkts, bytes $sf_bytes (IP lengths; + 14 x packets = $((sf_bytes + 14 * sf_pkts)))"
if grep -q "flows $sf_flows, packets $sf_pkts, bytes $((sf_bytes + 14 * sf_pkts))\$" "$tmp/fa.tot"; then
	echo "flow: totals identical"
else
	echo "flow: TOTALS DIFFER"
fi

"$B/pcap-ingest" -q -r "$tmp/big.pcap" > "$tmp/pk.ndjson" 2>/dev/null
hyperfine --style basic --runs "$runs" --warmup 1 --output=pipe \
    --export-json "$tmp/h1.json" \
    -n "pcap-ingest -A 1 | flow-agg" "$B/pcap-ingest -q -A 1 -r $tmp/big.pcap | $B/flow-agg -q -i 1d -f 1d -o /dev/null" \
    -n "pcap-ingest | flow-agg" "$B/pcap-ingest -q -r $tmp/big.pcap | $B/flow-agg -q -i 1d -f 1d -o /dev/null" \
    -n "softflowd -r" "softflowd -r $tmp/big.pcap -6 -d" \
    -n "flow-agg (records)" "$B/flow-agg -q -i 1d -f 1d -o /dev/null $tmp/pk.ndjson" \
    -n "pcap-ingest -A 1 alone" "$B/pcap-ingest -q -A 1 -r $tmp/big.pcap -o /dev/null" \
    -n "flow-agg (no input)" "$B/flow-agg -q -o /dev/null /dev/null" \
    > "$tmp/h1.out" 2>&1 || { cat "$tmp/h1.out"; exit 1; }
jq -r --argjson n "$pkts" '
	[.results[] | .median] as [$a, $p, $s, $r, $i, $z] |
	"flow: median seconds: -A 1 pipeline \($a * 1000 | round / 1000), per-packet pipeline \($p * 1000 | round / 1000), softflowd \($s * 1000 | round / 1000), flow-agg alone \($r * 1000 | round / 1000)",
	"flow: packets/s: -A 1 pipeline \($n / $a | round), per-packet pipeline \($n / $p | round), softflowd \($n / $s | round); flow-agg alone \($n / $r | round) records/s",
	"flow: -A 1 pipeline / softflowd = \($s / $a * 100 | round / 100)x (target >= 1x); per-packet pipeline / softflowd = \($s / $p * 100 | round / 100)x",
	"flow: where the -A 1 pipeline time goes: pcap-ingest -A 1 alone \($i * 1000 | round / 1000) s (\($s / $i * 100 | round / 100)x softflowd), flow-agg start-up and exit on no input \($z * 1000 | round / 1000) s",
	([.results[] | .user + .system] as [$ca, $cp, $cs, $cr] |
	"flow: CPU seconds (user+system, mean; steadier on a busy host): -A 1 pipeline \($ca * 1000 | round / 1000), per-packet pipeline \($cp * 1000 | round / 1000), softflowd \($cs * 1000 | round / 1000), flow-agg alone \($cr * 1000 | round / 1000); CPU ratio -A 1 pipeline / softflowd = \($cs / $ca * 100 | round / 100)x"),
	(if ($s / $a) >= 1 then "flow: speed target met" else "flow: SPEED TARGET MISSED" end)
' "$tmp/h1.json"
rm -f "$tmp/pk.ndjson" "$tmp/big.pcap"

# 3. One million events: four per connection, one connection every 10 ms.
awk 'BEGIN {
	split("CONNECT ACCEPT RETRANSMIT CLOSE", ty, " ")
	for (i = 0; i < 250000; i++) {
		a = int(i / 250) % 250; c = i % 250; t = 1718000000 + i / 100
		for (k = 1; k <= 4; k++) {
			pr = ""
			if (k == 1)
				pr = ", \"NW_LATENCY_MS\": \"0.087\", \"LOCAL_PROCESS\": { \"PID\": " (1000 + i % 500) ", \"UID\": 1000, \"GID\": 1000, \"GID_NAME\": \"ubuntu\", \"TID\": " (1000 + i % 500) ", \"PROCESS_PATH\": \"\\/usr\\/bin\\/curl\", \"PROCESS_CMDLINE\": \"https:\\/\\/example.org\\/\" }, \"LOCAL_FATHER_PROCESS\": { \"PID\": 900, \"UID\": 1000, \"GID\": 1000, \"TID\": 0, \"PROCESS_PATH\": \"\\/usr\\/bin\\/bash\", \"PROCESS_CMDLINE\": \"\" }"
			else if (k == 2)
				pr = ", \"LOCAL_PROCESS\": { \"PID\": 3172, \"UID\": 0, \"GID\": 0, \"GID_NAME\": \"root\", \"TID\": 3172, \"PROCESS_PATH\": \"\\/usr\\/sbin\\/nginx\", \"PROCESS_CMDLINE\": \"\" }, \"LOCAL_CONTAINER\": { \"DOCKER\": { \"ID\": \"4f9c2d7be1a3c58e90d6f2b7a4c1e8d3f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c\", \"NAME\": \"web-nginx\" } }"
			else if (k == 3)
				pr = ", \"RETRAN_PKTS\": 1"
			printf "{\"_type\":\"event\",\"_event\":\"flow\",\"_topic\":\"flow\",\"_iface\":\"tcp://*:5556c\",\"_rx\":%.6f,\"timestamp\": \"%.6f\", \"INTERFACE_NAME\": \"eth0\", \"IP_PROTOCOL_VERSION\": 4, \"TCP_EVENT_TYPE\": \"%s\", \"IPV4_SRC_ADDR\": \"10.1.%d.%d\", \"IPV4_DST_ADDR\": \"172.17.0.2\", \"PROTOCOL\": 6, \"L4_SRC_PORT\": %d, \"L4_DST_PORT\": 80%s }\n", t + k / 1000, t + k / 1000, ty[k], a, c, 1024 + i % 60000, pr
		}
	}
}' > "$tmp/ev.ndjson"
nev=$(wc -l < "$tmp/ev.ndjson")
hyperfine --style basic --runs "$runs" --warmup 1 --output=pipe \
    --export-json "$tmp/h2.json" \
    -n "flow-agg (events)" "$B/flow-agg -q -o /dev/null $tmp/ev.ndjson" \
    > "$tmp/h2.out" 2>&1 || { cat "$tmp/h2.out"; exit 1; }
"$B/flow-agg" -o /dev/null "$tmp/ev.ndjson" 2> "$tmp/ev.err"
jq -r --argjson n "$nev" '.results[0] as $r | $r.median as $m |
	"flow: \($n) events merged into flows: median \($m * 1000 | round / 1000) s, \($n / $m | round) events/s (CPU \(($r.user + $r.system) * 1000 | round / 1000) s, \($n / ($r.user + $r.system) | round) events per CPU second)"' "$tmp/h2.json"
grep '^{"tool"' "$tmp/ev.err" | jq -r '.counters | "flow: events: \(.flow_events) read, \(.flows_created) flows, \(.flows_written) written, \(.event_only_flows) event-only"'
rm -f "$tmp/ev.ndjson"

# 4. Memory: 1,000,000 flows alive at once.
awk 'BEGIN {
	for (i = 0; i < 1000000; i++) {
		t = 1700000000 + i / 100000
		printf "{\"_type\":\"packet\",\"_iface\":\"eth0\",\"_rx\":%.6f,\"timestamp\":\"%.6f\",\"IP_PROTOCOL_VERSION\":4,\"IPV4_SRC_ADDR\":\"10.%d.%d.%d\",\"IPV4_DST_ADDR\":\"192.0.2.1\",\"PROTOCOL\":6,\"L4_SRC_PORT\":%d,\"L4_DST_PORT\":443,\"TCP_FLAGS\":2,\"PKTS\":1,\"BYTES\":74}\n", t, t, int(i / 65536), int(i / 256) % 256, i % 256, 1024 + i % 50000
	}}' > "$tmp/m.ndjson"
/usr/bin/time -v "$B/flow-agg" -q -i 1d -N -o /dev/null "$tmp/m.ndjson" 2> "$tmp/m.err" > /dev/null
rss=$(awk '/Maximum resident set size/ {print $NF}' "$tmp/m.err")
n=$(grep '^{"tool"' "$tmp/m.err" | jq '.counters.flows_created')
echo "flow: $n concurrent flows (packets): max RSS $((rss / 1024)) MiB, $((rss * 1024 / n)) bytes per flow (target <= 256 MB)"
awk 'BEGIN {
	for (i = 0; i < 1000000; i++) {
		t = 1700000000 + i / 100000
		printf "{\"_type\":\"event\",\"_event\":\"flow\",\"_iface\":\"eth0\",\"timestamp\":\"%.6f\",\"TCP_EVENT_TYPE\":\"CONNECT\",\"IPV4_SRC_ADDR\":\"10.%d.%d.%d\",\"IPV4_DST_ADDR\":\"192.0.2.1\",\"PROTOCOL\":6,\"L4_SRC_PORT\":%d,\"L4_DST_PORT\":443,\"LOCAL_PROCESS\":{\"PID\":%d,\"UID\":1000,\"PROCESS_PATH\":\"/usr/bin/app%d\"}}\n", t, int(i / 65536), int(i / 256) % 256, i % 256, 1024 + i % 50000, 2000 + i % 1000, i % 1000
	}}' > "$tmp/m.ndjson"
/usr/bin/time -v "$B/flow-agg" -q -i 1d -N -o /dev/null "$tmp/m.ndjson" 2> "$tmp/m.err" > /dev/null
rss2=$(awk '/Maximum resident set size/ {print $NF}' "$tmp/m.err")
n2=$(grep '^{"tool"' "$tmp/m.err" | jq '.counters.flows_created')
echo "flow: $n2 concurrent flows (events, 1000 processes): max RSS $((rss2 / 1024)) MiB, $((rss2 * 1024 / n2)) bytes per flow"
if [ "$rss" -le 262144 ] && [ "$rss2" -le 262144 ]; then
	echo "flow: memory target met"
else
	echo "flow: MEMORY TARGET MISSED"
fi
