setup_file() {
	# A bare SUB that prints what an ntop sink sends, byte for byte.
	cc -O2 -o "$BATS_FILE_TMPDIR/ntopcap" \
	    "$BATS_TEST_DIRNAME/ntopcap.c" -lzmq
}

setup() {
	load helper
	EP="ipc://$BATS_TEST_TMPDIR/sink"
}

# What ntopng reads, held in golden files: what each ntop sink sends for a
# given input (headers, topics, ids, deltas), that the deltas of an -I
# stream add up to the flow's totals as ntopng adds them, and ntopng's own
# exporter (recorded) collected without invented losses.

G="$BATS_TEST_DIRNAME/../expected/ntopng"

# Runs "$@" (a stage writing to an ntop sink bound at $EP) and captures
# every message it sends until it exits, into cap.
capture() {
	"$@" 2> "$(T err)" &
	local pid=$!
	"$BATS_FILE_TMPDIR/ntopcap" "$EP" 0 > "$(T cap)"
	RC=0
	wait "$pid" || RC=$?
}

# The payloads of a capture, one per line.
payloads() { cut -d' ' -f2- "$(T cap)"; }

@test "ntopng: flow-agg -I to an ntop: sink sends deltas, ids, no summaries" {
	pcap-ingest -A 1 -r "$PCAPS/bot.pcap" > "$(T pk)" 2>/dev/null
	capture flow-agg -I 2s -o "ntop:@$EP" "$(T pk)"
	[ "$RC" -eq 0 ]
	diff "$(T cap)" "$G/bot-interim.cap"
}

@test "ntopng: what an ntopng adds up from an -I stream is the flow's totals" {
	pcap-ingest -A 1 -r "$PCAPS/bot.pcap" > "$(T pk)" 2>/dev/null
	capture flow-agg -I 2s -o "ntop:@$EP" "$(T pk)"
	[ "$RC" -eq 0 ]
	# ntopng adds IN_PKTS (2), OUT_PKTS (24), IN_BYTES (1), OUT_BYTES
	# (23) of every record it gets: 402 packets, 431,124 bytes in all.
	[ "$(payloads | jq -s 'map(."2" + ."24") | add')" -eq 402 ]
	[ "$(payloads | jq -s 'map(."1" + ."23") | add')" -eq 431124 ]
	# The same without -I: one record, the same totals.
	capture flow-agg -o "ntop:@$EP" "$(T pk)"
	[ "$(payloads | wc -l)" -eq 1 ]
	[ "$(payloads | jq '."2" + ."24"')" -eq 402 ]
	# And what flow-agg itself reports for the flow.
	[ "$(flow-agg -N "$(T pk)" 2>/dev/null | jq '.IN_PKTS + .OUT_PKTS')" \
	    -eq 402 ]
}

@test "ntopng: ntop-tlv: sends the same deltas, in TLV" {
	pcap-ingest -A 1 -r "$PCAPS/bot.pcap" > "$(T pk)" 2>/dev/null
	capture flow-agg -I 2s -o "ntop-tlv:@$EP" "$(T pk)"
	[ "$RC" -eq 0 ]
	diff "$(T cap)" "$G/bot-interim-tlv.cap"
	# Read back: the same members as the JSON sink sent (TLV carries
	# the times with microseconds as strings: a float would lose them).
	ep="ipc://$BATS_TEST_TMPDIR/tlvback"
	zmq-ingest -c 2 -t 10s "${ep}c" > "$(T back)" 2>/dev/null &
	zi=$!
	flow-agg -I 2s -o "ntop-tlv:>$ep" "$(T pk)" 2>/dev/null
	wait "$zi"
	same='with_entries(select(.key | startswith("_") | not) |
	    if .key | endswith("_SEC") then .value |= tonumber else . end)'
	diff <(jq -c "$same" "$(T back)") \
	    <(cut -d' ' -f2- "$G/bot-interim.cap" | jq -c "$same")
	[ "$(jq -s 'map(."2" + ."24") | add' "$(T back)")" -eq 402 ]
	[ "$(jq -s 'map(."1" + ."23") | add' "$(T back)")" -eq 431124 ]
}

@test "ntopng: every capture's -I stream adds up to the flows of one run" {
	for p in reddit.pcap dns_tcp.pcap http_ipv6.pcap 1kxun.pcap; do
		pcap-ingest -A 1 -r "$PCAPS/$p" > "$(T pk)" 2>/dev/null
		capture flow-agg -I 1s -o "ntop:@$EP" "$(T pk)"
		[ "$RC" -eq 0 ]
		key='[."8" // ."27", ."12" // ."28", ."7", ."11", ."4"]'
		sum="group_by($key) | map({k: (.[0] | $key), p: (map(.\"2\"), map(.\"24\") | add), b: (map(.\"1\"), map(.\"23\") | add)}) | sort"
		payloads | jq -cs "map({\"8\",\"27\",\"12\",\"28\",\"7\",\"11\",\"4\",\"2\",\"24\",\"1\",\"23\"}) | $sum" > "$(T sum)"
		capture flow-agg -o "ntop:@$EP" "$(T pk)"
		payloads | jq -cs "map({\"8\",\"27\",\"12\",\"28\",\"7\",\"11\",\"4\",\"2\",\"24\",\"1\",\"23\"}) | $sum" > "$(T one)"
		diff "$(T sum)" "$(T one)"
	done
}

@test "ntopng: the client's process rides nested once, on the flow's first record" {
	capture flow-agg -f 10s -I 1s -o "ntop:@$EP" \
	    "$DATA/flow-agg/demo-events.ndjson"
	[ "$RC" -eq 0 ]
	diff "$(T cap)" "$G/demo-events.cap"
	# One nested object per flow, never beside counters that a later
	# record adds to (ntopng would take them as absolute).
	[ "$(payloads | grep -c '"CLIENT_PROCESS"')" -eq 4 ]
}

@test "ntopng: ntop/28: and ntop/36: pick the header; a bad size is refused" {
	pcap-ingest -A 1 -r "$PCAPS/tcp-handshake-nano.pcap" > "$(T pk)" \
	    2>/dev/null
	capture flow-agg -o "ntop/28:@$EP" "$(T pk)"
	[ "$RC" -eq 0 ]
	diff "$(T cap)" "$G/nano-28.cap"
	capture flow-agg -o "ntop/36:@$EP" "$(T pk)"
	[ "$RC" -eq 0 ]
	diff "$(T cap)" "$G/nano-36.cap"
	capture flow-agg -o "ntop/24:@$EP" "$(T pk)"
	diff <(cut -c1-48 "$(T cap)") <(echo 666c6f770000000000000000000000000200fd0000000001)
	run flow-agg -o "ntop/32:@ipc://$BATS_TEST_TMPDIR/x" /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "24, 28 or 36"
}

@test "ntopng: agents' counters and listening ports go out on their topics" {
	cat > "$(T in)" <<-'EOF'
	{"_type":"event","_event":"counters","_topic":"counter","_iface":"eth0","deviceIP":"192.168.2.131","ifIndex":2,"ifName":"eth0","ifInOctets":1000,"ifInPackets":10,"ifOutOctets":2000,"ifOutPackets":20}
	{"_type":"event","_event":"netstat","_topic":"listening-ports","_iface":"eth0","listening-ports":{"tcp4":[{"port":22,"proc":"sshd","pkg":""}],"udp4":[],"tcp6":[],"udp6":[]},"ip-addresses":["192.168.2.131"]}
	EOF
	capture flow-agg -o "ntop:@$EP" "$(T in)"
	[ "$RC" -eq 0 ]
	# The iface summary itself is evpipe's: never a flow for ntopng.
	diff "$(T cap)" "$G/counter.cap"
}

@test "ntopng: ntopng's own exporter: no invented drops, its ids understood" {
	# 178 messages recorded from ntopng 5.2.1 -I (tests/data/ntopng-export).
	ep="ipc://$BATS_TEST_TMPDIR/ng"
	zmq-ingest -c 178 -t 10s "${ep}c" > "$(T out)" 2> "$(T err)" &
	zi=$!
	(cd "$DATA/ntopng-export" && ev-emit -q -F "${ep}c" messages.frames)
	wait "$zi"
	c() { grep '^{"tool"' "$(T err)" | jq ".counters.$1"; }
	[ "$(c records_out)" -eq 178 ]
	[ "$(c rejected)" -eq 0 ]
	# Eleven garbage source ids, nine seen more than once: no sequence.
	[ "$(c sources)" -eq 11 ]
	[ "$(c unsequenced_sources)" -eq 9 ]
	[ "$(c missing_messages)" -eq 0 ]
	[ "$(c slow_joiner_lost)" -eq 0 ]
	[ "$(c restarts)" -eq 0 ]
	# Said once.
	[ "$(grep -c 'no sequence' "$(T err)")" -eq 1 ]
	# Every record as ntopng sent it: ids, booleans, arrays.
	diff <(jq -c 'with_entries(select(.key | startswith("_") | not))' \
	    "$(T out)") <(cd "$DATA/ntopng-export" && cat payloads/*.json |
	    jq -c .)
	# flow-agg reads the ids (27, 28, 7, 11, 4, 57595...): the 60 flows
	# of reddit.pcap, the same 5-tuples flow-agg finds in the capture.
	flow-agg -N "$(T out)" > "$(T flows)" 2> "$(T faerr)"
	diff <(jq -c '[.IPV6_SRC_ADDR // .IPV4_SRC_ADDR, .IPV6_DST_ADDR //
	    .IPV4_DST_ADDR, .L4_SRC_PORT, .L4_DST_PORT, .PROTOCOL,
	    .CLIENT_NW_LATENCY_MS, .SERVER_NW_LATENCY_MS]' "$(T flows)") \
	    "$G/export-flows.out"
	[ "$(grep '^{"tool"' "$(T faerr)" | jq .counters.flow_records)" -eq 178 ]
	[ "$(grep '^{"tool"' "$(T faerr)" | jq .counters.bad_event)" -eq 0 ]
	key='[[(.IPV4_SRC_ADDR // .IPV6_SRC_ADDR), .L4_SRC_PORT],
	    [(.IPV4_DST_ADDR // .IPV6_DST_ADDR), .L4_DST_PORT]] | sort | flatten
	    | @tsv'
	pcap-ingest -A 1 -r "$PCAPS/reddit.pcap" 2>/dev/null |
	    flow-agg -N 2>/dev/null | jq -r "$key" | sort > "$(T ours)"
	diff <(jq -r "$key" "$(T flows)" | sort) "$(T ours)"
	[ "$(wc -l < "$(T ours)")" -eq 60 ]
}
