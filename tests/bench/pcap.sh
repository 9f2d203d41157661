#!/bin/sh
# pcap-ingest benchmark: a capture of >= 250,000 Ethernet packets
# built from the test captures (merged in time order, then copied with
# editcap -t so every copy follows the last, then concatenated with
# mergecap -a), read in one hyperfine run by
#   pcap-ingest -r F -o /dev/null        one record per packet
#   pcap-ingest -A 1 -r F -o /dev/null   one-second slices
#   tcpdump -n -r F                      to /dev/null (the peer tool)
# and, for DPI, in a second hyperfine run:
#   pcap-ingest -L -A 1 -r F             nDPI on every flow, slices
#   ndpiReader -i F -q                   nDPI's own reader (the peer)
#   pcap-ingest -A 1 -r F                the same without -L
# with the ratios -L/ndpiReader (target >= 1.2x) and -L/no -L (>= 0.6x).
# Prints the medians, packets/s, the ratio to tcpdump (target >= 5x), the
# -A 1 records/s and its record/packet ratio, and the CPU time of each
# (user + system), which a busy host disturbs less than the wall clock.
# BENCH_COPIES=N changes the size (default 34 copies: ~255k packets);
# BENCH_RUNS=N the runs per command.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${EVPIPE_BIN:=$here/../../build/bin}"
pcaps=$(cd "$here/../data/pcaps" && pwd)
copies=${BENCH_COPIES:-34}
runs=${BENCH_RUNS:-5}
for t in hyperfine jq mergecap editcap capinfos tcpdump ndpiReader; do
	command -v $t >/dev/null || { echo "pcap: $t missing"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Every Ethernet capture (pcap output needs one link type), oldest first.
p=$pcaps
mergecap -F pcap -w "$tmp/base.pcap" "$p/1kxun.pcap" "$p/reddit.pcap" \
    "$p/http_ipv6.pcap" "$p/bot.pcap" "$p/sites.pcapng" "$p/vxlan.pcap" \
    "$p/dns_fragmented.pcap" "$p/dns_icmp.pcap" "$p/dns_tcp.pcap" \
    "$p/icmp-tunnel.pcap" "$p/ip_fragmented_garbage.pcap" \
    "$p/badpackets.pcap" "$p/802.1ad_QinQ.pcap"
first=$(capinfos -a -S -T -r "$tmp/base.pcap" | cut -f2 | cut -d. -f1)
last=$(capinfos -e -S -T -r "$tmp/base.pcap" | cut -f2 | cut -d. -f1)
span=$((last - first + 1))
i=0
set --
while [ $i -lt "$copies" ]; do
	editcap -t $((i * span)) "$tmp/base.pcap" "$tmp/c$i.pcap"
	set -- "$@" "$tmp/c$i.pcap"
	i=$((i + 1))
done
mergecap -a -F pcap -w "$tmp/big.pcap" "$@"
rm -f "$@"
pkts=$(capinfos -c -M -T -r "$tmp/big.pcap" | cut -f2)
bytes=$(wc -c < "$tmp/big.pcap")
echo "pcap: $pkts packets, $((bytes / 1048576)) MiB"
[ "$pkts" -ge 250000 ] || { echo "pcap: fewer than 250000 packets"; exit 1; }

recs=$("$EVPIPE_BIN/pcap-ingest" -q -A 1 -r "$tmp/big.pcap" 2>/dev/null | wc -l)

# -N: no shell; tcpdump writes its text to a pipe hyperfine discards.
hyperfine -N --style basic --runs "$runs" --warmup 1 --output=pipe \
    --export-json "$tmp/h.json" \
    -n pcap-ingest "$EVPIPE_BIN/pcap-ingest -q -r $tmp/big.pcap -o /dev/null" \
    -n "pcap-ingest -A 1" "$EVPIPE_BIN/pcap-ingest -q -A 1 -r $tmp/big.pcap -o /dev/null" \
    -n "tcpdump -n" "tcpdump -n -r $tmp/big.pcap" \
    > "$tmp/h.out" 2>&1 || { cat "$tmp/h.out"; exit 1; }

jq -r --argjson n "$pkts" --argjson r "$recs" '
	[.results[] | .median] as [$p, $a, $t] |
	[.results[] | .user + .system] as [$pc, $ac, $tc] |
	"pcap: median seconds: pcap-ingest \($p * 1000 | round / 1000), pcap-ingest -A 1 \($a * 1000 | round / 1000), tcpdump -n \($t * 1000 | round / 1000)",
	"pcap: packets/s: pcap-ingest \($n / $p | round), pcap-ingest -A 1 \($n / $a | round), tcpdump -n \($n / $t | round)",
	"pcap: pcap-ingest/tcpdump = \($t / $p * 10 | round / 10)x (target >= 5x); -A 1/tcpdump = \($t / $a * 10 | round / 10)x",
	"pcap: mean CPU seconds (user+system, steadier on a busy host): pcap-ingest \($pc * 1000 | round / 1000), -A 1 \($ac * 1000 | round / 1000), tcpdump -n \($tc * 1000 | round / 1000); CPU ratio \($tc / $pc * 10 | round / 10)x",
	"pcap: -A 1: \($r) records, \($r / $a | round) records/s, \($r / $n * 1000 | round / 1000) records per packet",
	(if ($t / $p) >= 5 then "pcap: target met" else "pcap: TARGET MISSED" end)
' "$tmp/h.json"

# DPI: pcap-ingest -L -A 1 against ndpiReader and against itself without
# -L, in one run.
hyperfine -N --style basic --runs "$runs" --warmup 1 --output=pipe \
    --export-json "$tmp/d.json" \
    -n "pcap-ingest -L -A 1" "$EVPIPE_BIN/pcap-ingest -q -L -A 1 -r $tmp/big.pcap -o /dev/null" \
    -n "ndpiReader -q" "ndpiReader -i $tmp/big.pcap -q" \
    -n "pcap-ingest -A 1" "$EVPIPE_BIN/pcap-ingest -q -A 1 -r $tmp/big.pcap -o /dev/null" \
    > "$tmp/d.out" 2>&1 || { cat "$tmp/d.out"; exit 1; }
jq -r --argjson n "$pkts" '
	[.results[] | .median] as [$l, $r, $a] |
	[.results[] | .user + .system] as [$lc, $rc, $ac] |
	"dpi: median seconds: pcap-ingest -L -A 1 \($l * 1000 | round / 1000), ndpiReader -q \($r * 1000 | round / 1000), pcap-ingest -A 1 \($a * 1000 | round / 1000)",
	"dpi: packets/s: pcap-ingest -L -A 1 \($n / $l | round), ndpiReader -q \($n / $r | round), pcap-ingest -A 1 \($n / $a | round)",
	"dpi: -L/ndpiReader = \($r / $l * 100 | round / 100)x (target >= 1.2x); -L/no -L = \($a / $l * 100 | round / 100)x (target >= 0.6x)",
	"dpi: mean CPU seconds: -L \($lc * 1000 | round / 1000), ndpiReader \($rc * 1000 | round / 1000), no -L \($ac * 1000 | round / 1000); CPU ratios \($rc / $lc * 100 | round / 100)x and \($ac / $lc * 100 | round / 100)x",
	(if ($r / $l) >= 1.2 and ($a / $l) >= 0.6 then "dpi: targets met" else "dpi: TARGET MISSED" end)
' "$tmp/d.json"
