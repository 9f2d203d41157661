setup() { load helper; }
bats_require_minimum_version 1.5.0

# pcap-ingest -L (nDPI) and the application fields through flow-agg:
# golden records, the ndpiReader oracle on every capture, bad packets,
# a bounded table over a million flows, nothing changed without -L.

# mkflows N: a pcap on stdout of N TCP SYNs, each its own flow (10.0.0.0
# + i to 192.0.2.1:80), 10000 per second of packet time.
mkflows() {
	perl -e '
	my $n = $ARGV[0];
	binmode STDOUT;
	print pack("VvvVVVV", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1);
	for my $i (0 .. $n - 1) {
		my $ip = pack("CCnnnCCnNN", 0x45, 0, 40, 0, 0, 64, 6, 0,
		    0x0a000000 + $i, 0xc0000201);
		my $tcp = pack("nnNNCCnnn", 1024 + $i % 60000, 80, $i, 0,
		    0x50, 0x02, 65535, 0, 0);
		my $f = "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02" .
		    "\x08\x00" . $ip . $tcp;
		print pack("VVVV", 1000000 + int($i / 10000),
		    ($i % 10000) * 100, length($f), length($f)), $f;
	}' "$1"
}

@test "-L: golden packet records and slices" {
	run -0 --separate-stderr pcap-ingest -L -r "$PCAPS/dns_tcp.pcap"
	diff "$EXPECTED/pcap-ingest/dns_tcp-L.ndjson" <(printf '%s\n' "$output")
	[ "$(printf '%s' "$stderr" | tail -n 1 | jq -c '.counters |
	    [.dpi_flows, .dpi_detected, .dpi_guessed, .dpi_packets]')" = \
	    "[1,1,0,6]" ]
	run -0 --separate-stderr pcap-ingest -L -A 1 -r "$PCAPS/http_ipv6.pcap"
	diff "$EXPECTED/pcap-ingest/http_ipv6-L-A1.ndjson" \
	    <(printf '%s\n' "$output")
}

@test "-L: flow-agg carries the fields (golden flows of reddit.pcap)" {
	pcap-ingest -q -L -r "$PCAPS/reddit.pcap" 2>/dev/null |
	    flow-agg -q > "$BATS_TEST_TMPDIR/out" 2>/dev/null
	diff "$EXPECTED/flow-agg/l7-reddit.ndjson" "$BATS_TEST_TMPDIR/out"
	# Every flow of this capture is named, both directions share it.
	[ "$(jq -r 'select(._type == "flow") | .L7_PROTO_NAME // "-"' \
	    "$BATS_TEST_TMPDIR/out" | grep -c -- '^-$')" -eq 0 ]
}

@test "flow-agg: first value wins, a different later one is counted" {
	run -0 --separate-stderr flow-agg "$DATA/flow-agg/l7.ndjson"
	diff "$EXPECTED/flow-agg/l7.ndjson" <(printf '%s\n' "$output")
	[ "$(printf '%s' "$stderr" | tail -n 1 | jq .counters.l7_conflicts)" = 2 ]
}

@test "without -L: no field, no counter, no DPI" {
	local f
	for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
		pcap-ingest -r "$f" > "$BATS_TEST_TMPDIR/out" \
		    2> "$BATS_TEST_TMPDIR/err" || true
		run ! grep -q -e L7_PROTO -e _QUERY -e HTTP_ -e TLS_SERVER \
		    -e JA3C "$BATS_TEST_TMPDIR/out"
		[ "$(counter "$BATS_TEST_TMPDIR/err" dpi_flows)" = null ]
	done
}

@test "-L agrees with ndpiReader on >= 97% of flows; the rest explained" {
	local f
	for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
		sh "$TOP/tests/cli/dpi-oracle.sh" "$f" "$BATS_TEST_TMPDIR"
	done > "$BATS_TEST_TMPDIR/all"
	total=$(wc -l < "$BATS_TEST_TMPDIR/all")
	agree=$(grep -c '^agree ' "$BATS_TEST_TMPDIR/all")
	echo "agree $agree of $total" >&3
	[ "$total" -ge 390 ]
	[ $((agree * 100)) -ge $((total * 97)) ]
	diff <(cut -f 1 "$EXPECTED/dpi/oracle-differ.txt") \
	    <(grep '^differ ' "$BATS_TEST_TMPDIR/all")
}

@test "-L: bad packets never crash the DPI feed" {
	local f
	for f in badpackets fuzz-2021-10-13 ip_fragmented_garbage \
	    esp_truncated dns_fragmented; do
		run -0 pcap-ingest -q -L -r "$PCAPS/$f.pcap" -o /dev/null
		run -0 pcap-ingest -q -L -A 1 -r "$PCAPS/$f.pcap" -o /dev/null
	done
	pcap-ingest -q -L -r "$PCAPS/badpackets.pcap" -o /dev/null \
	    2> "$BATS_TEST_TMPDIR/err"
	[ "$(counter "$BATS_TEST_TMPDIR/err" dpi_flows)" -gt 0 ]
	[ "$(counter "$BATS_TEST_TMPDIR/err" dpi_max_states)" -le \
	    "$(counter "$BATS_TEST_TMPDIR/err" dpi_flows)" ]
}

@test "-L: a million flows: the table stays at its cap" {
	mkflows 1000000 | pcap-ingest -q -L -r - -o /dev/null \
	    2> "$BATS_TEST_TMPDIR/err"
	e=$BATS_TEST_TMPDIR/err
	[ "$(counter "$e" packets)" -eq 1000000 ]
	[ "$(counter "$e" dpi_flows)" -eq 1000000 ]
	[ "$(counter "$e" dpi_max_active)" -eq 131072 ]
	[ "$(counter "$e" dpi_active)" -eq 131072 ]
	[ "$(counter "$e" dpi_max_states)" -le 131072 ]
	[ "$(counter "$e" dpi_evicted)" -eq $((1000000 - 131072)) ]
	[ "$(counter "$e" dpi_expired)" -eq 0 ]
	[ "$(counter "$e" dpi_packets)" -eq 1000000 ]
}

@test "-L: the README and man page examples give what they show" {
	pcap-ingest -q -L -r "$PCAPS/reddit.pcap" 2>/dev/null | flow-agg -q \
	    2>/dev/null | jq -sc 'map(select(._type == "flow")) |
	    group_by(.L7_PROTO_NAME) | map({app: .[0].L7_PROTO_NAME,
	    flows: length, bytes: (map(.IN_BYTES + .OUT_BYTES) | add)}) |
	    sort_by(-.bytes)[]' > "$BATS_TEST_TMPDIR/out"
	diff <(sed -n '/^{"app":/p' "$TOP/README.md") "$BATS_TEST_TMPDIR/out"
	pcap-ingest -L -A 1 -r "$TOP/pipelines/demo/demo.pcap" 2>/dev/null |
	    flow-agg 2>/dev/null | jq -r 'select(._type == "flow") |
	    [.L7_PROTO_NAME, .TLS_SERVER_NAME // .HTTP_HOST // .DNS_QUERY,
	    .IN_BYTES + .OUT_BYTES] | @tsv' > "$BATS_TEST_TMPDIR/out"
	[ "$(grep -c '^HTTP	' "$BATS_TEST_TMPDIR/out")" -eq 4 ]
}
