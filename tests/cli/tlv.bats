setup() {
	load helper
	ORACLE="$EVPIPE_BIN/../oracle/ndpi-tlv"
}

# TLV in and out: nDPI's serializer (the messages recorded in
# tests/data/tlv/, made by tests/oracle/ndpi-tlv with libndpi) read by
# zmq-ingest in every header form exactly as the same records sent as
# JSON; ev-emit -E tlv read back by zmq-ingest and by nDPI's own
# deserializer; every bad TLV input counted by name.


# A record without the pipeline's members in front (from _type to _rx).
bare() {
	sed -E 's/^\{"_type":"[a-z]*","_event":"[a-z]*","_topic":"[a-z-]*","_iface":"[^"]*","_rx":[0-9]+\.[0-9]{6},?/{/'
}

@test "tlv: nDPI's TLV reads as the same records as JSON, in every header form" {
	for f in events flows nprobe-style; do
		n=$(wc -l < "$DATA/tlv/$f.json")
		ep="$(ipc "$f")c"
		start_ingest -c $((5 * n)) -t 10s "$ep"
		echo "h f:$DATA/tlv/$f.tlv" > "$(T frames)"
		ev-emit -q -F -E tlv -H 1 "$ep" "$(T frames)"
		ev-emit -q -F -E tlv -H 2 "$ep" "$(T frames)"
		ev-emit -q -F -E tlv -H 3 "$ep" "$(T frames)"
		ev-emit -q -F -E tlv -H 3 -z "$ep" "$(T frames)"
		# The same records as one JSON array, sent as they are.
		{ printf '['; paste -sd, "$DATA/tlv/$f.json"; printf ']'; } > "$(T arr)"
		echo "h f:$(T arr)" > "$(T frames)"
		ev-emit -q -F "$ep" "$(T frames)"
		wait_ingest
		[ "$ZRC" -eq 0 ]
		[ "$(counter "$(T err)" records_out)" -eq $((5 * n)) ]
		[ "$(counter "$(T err)" rejected)" -eq 0 ]
		[ "$(counter "$(T err)" inflated)" -eq 1 ]
		# Each of the five sendings gives the file's records exactly
		# (the JSON went as raw frames: ev-emit's JSON mode would
		# rename NW_LATENCY_MS as ntopng wants it).
		for k in 0 1 2 3 4; do
			bare < "$(T out)" | sed -n "$((k * n + 1)),$(((k + 1) * n))p" |
			    diff - "$DATA/tlv/$f.json"
		done
	done
}

@test "tlv: a counter message is one record without an end mark" {
	ep="$(ipc c)c"
	start_ingest -c 2 -t 10s "$ep"
	echo "h:counter f:$DATA/tlv/counter.tlv" > "$(T frames)"
	ev-emit -q -F -E tlv "$ep" "$(T frames)"
	ev-emit -q -T counter "$ep" "$DATA/tlv/counter.json"
	wait_ingest
	[ "$(counter "$(T err)" records_out)" -eq 2 ]
	[ "$(counter "$(T err)" tlv_no_end)" -eq 0 ]
	bare < "$(T out)" | sed -n 1p | diff - "$DATA/tlv/counter.json"
	bare < "$(T out)" | sed -n 2p | diff - "$DATA/tlv/counter.json"
	grep -c '"_event":"counters"' "$(T out)" | grep -qx 2
}

@test "tlv: ev-emit -E tlv round-trips through zmq-ingest -N" {
	for args in "-E tlv" "-E tlv -b 100" "-E tlv -H 3" "-E tlv -H 2 -b 3"; do
		n=$(cat "$DATA/tlv/flows.json" "$DATA/tlv/nprobe-style.json" | wc -l)
		ep="$(ipc rt)c"
		start_ingest -N -c "$n" -t 10s "$ep"
		# shellcheck disable=SC2086
		ev-emit -q $args "$ep" "$DATA/tlv/flows.json" "$DATA/tlv/nprobe-style.json"
		wait_ingest
		[ "$(counter "$(T err)" records_out)" -eq "$n" ]
		ep="$(ipc rj)c"
		zmq-ingest -N -c "$n" -t 10s "$ep" > "$(T json)" 2>/dev/null &
		ev-emit -q "$ep" "$DATA/tlv/flows.json" "$DATA/tlv/nprobe-style.json"
		wait $!
		diff <(bare < "$(T out)") <(bare < "$(T json)")
	done
}

@test "tlv: ev-emit -E tlv sends ids, smallest widths, end marks (exact bytes)" {
	ep="$(ipc b)c"
	echo '{"IN_BYTES":300,"L7_PROTO":7,"k":-5,"_x":1}' > "$(T in)"
	zmq-ingest -c 1 -t 10s "$ep" > "$(T out)" 2>/dev/null &
	ev-emit -q -E tlv "$ep" "$(T in)"
	wait $!
	bare < "$(T out)" | grep -qx '{"1":300,"57590":7,"k":-5}'
	# nDPI's deserializer reads what ev-emit sends, header by header.
	ep="$(ipc n)"
	"$ORACLE" sub "$ep" 3 > "$(T ndpi)" &
	o=$!
	{ cat "$(T in)"; cat "$(T in)"; } |
	    ev-emit -q -E tlv -b 2 -w 10s "$ep" - 2>/dev/null
	ev-emit -q -E tlv -H 3 -w 10s "$ep" "$(T in)" 2>/dev/null
	ev-emit -q -E tlv -H 3 -z -w 10s "$ep" "$(T in)" 2>/dev/null
	wait "$o"
	cat > "$(T want)" <<'EOF'
header 24 version 3 flags 0
{"1":300,"57590":7,"k":-5}
{"1":300,"57590":7,"k":-5}
header 36 version 4 flags 2
{"1":300,"57590":7,"k":-5}
header 36 version 4 flags 6
{"1":300,"57590":7,"k":-5}
EOF
	diff "$(T ndpi)" "$(T want)"
}

@test "tlv: every bad TLV input is counted, the records before it kept" {
	good=010122010501
	cat > "$(T frames)" <<EOF
h x:${good}2b0200ff6162
h x:${good}210201
h x:${good}b200000501
h x:${good}220205
h x:${good}0c000142
h x:0102220105
h x:2b0200ff6162
h x:01012201050c0001420d220303010000
h x:${good}2b010002806101
EOF
	ep="$(ipc bad)c"
	start_ingest -t 3s "$ep"
	ev-emit -q -F -E tlv "$ep" "$(T frames)"
	wait_ingest
	[ "$(counter "$(T err)" messages)" -eq 9 ]
	[ "$(counter "$(T err)" records_out)" -eq 8 ]
	[ "$(counter "$(T err)" tlv_truncated)" -eq 2 ]
	[ "$(counter "$(T err)" tlv_bad_type)" -eq 1 ]
	[ "$(counter "$(T err)" tlv_empty_key)" -eq 1 ]
	[ "$(counter "$(T err)" tlv_no_end)" -eq 1 ]
	[ "$(counter "$(T err)" tlv_bad_header)" -eq 2 ]
	[ "$(counter "$(T err)" tlv_skipped)" -eq 1 ]
	[ "$(counter "$(T err)" tlv_repaired)" -eq 1 ]
	[ "$(counter "$(T err)" rejected)" -eq 2 ]
	grep -q '^zmq-ingest: tlv_truncated: .*TLV record 2 and the rest of the payload dropped, 1 kept' "$(T err)"
	[ "$(bare < "$(T out)" | grep -cx '{"1":5}')" -eq 6 ]
	bare < "$(T out)" | grep -qx $'{"1":"\xef\xbf\xbda"}'
	bare < "$(T out)" | grep -qx '{"1":5,"3":3}'
}

@test "tlv: 100k records in one message: the first 65536 kept; a zlib bomb is capped" {
	{ printf '\001\001'; for i in $(seq 1000); do printf '\042\001\001\001'; done; } > "$(T one)"
	{ printf '\001\001'; for i in $(seq 100); do tail -c +3 "$(T one)"; done; } > "$(T many)"
	head -c 50000000 /dev/zero > "$(T zeros)"
	printf 'h f:%s\nh f:%s\n' "$(T many)" "$(T zeros)" > "$(T frames)"
	ep="$(ipc big)c"
	start_ingest -m 1M -t 3s "$ep"
	ev-emit -q -F -E tlv -H 3 -z "$ep" "$(T frames)"
	wait_ingest
	[ "$(counter "$(T err)" records_out)" -eq 65536 ]
	[ "$(counter "$(T err)" tlv_too_many_records)" -eq 1 ]
	[ "$(counter "$(T err)" inflate_cap)" -eq 1 ]
}

@test "tlv: zmq-ingest -N renames the ids it knows, never doubling a key" {
	ep="$(ipc names)c"
	start_ingest -N -c 1 -t 10s "$ep"
	echo '{"8":"1.2.3.4","35632.118":7,"57551":18,"3":1,"99999":2,"IN_BYTES":5,"1":6}' |
	    ev-emit -q "$ep" -
	wait_ingest
	bare < "$(T out)" | grep -qx '{"IPV4_SRC_ADDR":"1.2.3.4","L7_PROTO":7,"SERVER_TCP_FLAGS":18,"3":1,"99999":2,"IN_BYTES":5,"1":6}'
}

@test "tlv: ev-emit -E rejects other encodings and zlib TLV in short headers" {
	run ev-emit -E xml ipc:///nonexistent
	[ "$status" -eq 2 ]
	run ev-emit -E tlv -z ipc:///nonexistent
	[ "$status" -eq 2 ]
	assert_output --partial "36-byte header"
}

@test "tlv: ntop-tlv sinks in every header round-trip through zmq-ingest -N" {
	n=$(wc -l < "$DATA/tlv/flows.json")
	ep="$(ipc ref)c"
	zmq-ingest -N -c "$n" -t 10s "$ep" > "$(T ref)" 2>/dev/null &
	ev-emit -q "$ep" "$DATA/tlv/flows.json"
	wait $!
	for kind in ntop-tlv ntop-tlv/24 ntop-tlv/28 ntop-tlv/36 ntop-tlv/36z; do
		sink="$(ipc sink)"
		ep="$(ipc in)c"
		# The sink waits for its subscriber: no message is lost.
		zmq-ingest -c "$n" -t 10s -o "$kind:@$sink" "$ep" 2> "$(T err1)" &
		a=$!
		start_ingest -N -c "$n" -t 10s "$sink"
		ev-emit -q "$ep" "$DATA/tlv/flows.json"
		wait "$a"
		wait_ingest
		[ "$(counter "$(T err)" records_out)" -eq "$n" ]
		[ "$(counter "$(T err)" rejected)" -eq 0 ]
		diff <(bare < "$(T out)") <(bare < "$(T ref)")
	done
}

@test "tlv: nDPI's deserializer reads an ntop-tlv/36z: sink" {
	sink="$(ipc sink)"
	ep="$(ipc in)c"
	echo '{"_topic":"flow","IN_BYTES":300,"CLIENT_TCP_FLAGS":2,"L7_PROTO_NAME":"DNS","NW_LATENCY_MS":"0.5"}' > "$(T in)"
	zmq-ingest -c 1 -t 10s -o "ntop-tlv/36z:@$sink" "$ep" 2>/dev/null &
	a=$!
	"$ORACLE" sub "$sink" 1 > "$(T ndpi)" &
	o=$!
	ev-emit -q "$ep" "$(T in)"
	wait "$a"
	wait "$o"
	printf '%s\n' 'header 36 version 4 flags 6' \
	    '{"1":300,"57550":2,"57591":"DNS","57595":0.5}' | diff "$(T ndpi)" -
}

@test "tlv: an ntop-tlv sink with another header size is a usage error" {
	run zmq-ingest -o 'ntop-tlv/99:@ipc:///nonexistent' ipc:///nonexistent2
	[ "$status" -eq 2 ]
	assert_output --partial "24, 28, 36 or 36z"
}
