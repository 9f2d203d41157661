setup() { load helper; }

# zmq-ingest tests: every header version x compression x object/array,
# collector and probe modes, several producers and endpoints, msg_id
# accounting, every bad input zmq-ingest(1) counts, signals. ev-emit is
# the producer; its frames mode (-F) sends hand-made frames for the bad inputs.

# The golden file $2 with its interface placeholder replaced by $1.
expect() { sed "s|@IFACE@|$1|g" "$EXPECTED/zmq-ingest/$2"; }

# A v1 header (24 bytes) in hex: topic version source_id msg_id.
hdr1() {
	local h
	h=$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n')
	while [ ${#h} -lt 32 ]; do h="${h}00"; done
	printf '%s%02x%02x0000%08x' "$h" "$2" "$3" "$4"
}

# Sends the events file once per argument (a string of ev-emit options;
# each run its own source_id) into one collector; compares the records
# (sorted: two runs may interleave) and the counters.
matrix() {
	local ep args n=0
	RT=$((RT + 1))
	ep="$(ipc "rt$RT")c"
	start_ingest -c $((15 * $#)) -t 10s "$ep"
	for args in "$@"; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		ev-emit -q -s "$n" $args "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	done
	wait_ingest
	[ "$ZRC" -eq 0 ]
	diff <(norm < "$(T out)" | sort) \
	    <(for args in "$@"; do expect "$ep" events.out; done | sort)
	[ "$(counter "$(T err)" records_out)" -eq $((15 * $#)) ]
	[ "$(counter "$(T err)" rejected)" -eq 0 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	[ "$(counter "$(T err)" restarts)" -eq 0 ]
}

@test "zmq-ingest: no endpoint is a usage error" {
	run zmq-ingest
	[ "$status" -eq 2 ]
	assert_output --partial "usage: zmq-ingest"
}

@test "zmq-ingest: bad option values exit 2" {
	run zmq-ingest -c 0 tcp://127.0.0.1:1
	[ "$status" -eq 2 ]
	run zmq-ingest -m 2G tcp://127.0.0.1:1
	[ "$status" -eq 2 ]
	run zmq-ingest -t soon tcp://127.0.0.1:1
	[ "$status" -eq 2 ]
	run zmq-ingest -Z tcp://127.0.0.1:1
	[ "$status" -eq 2 ]
}

@test "zmq-ingest: unusable endpoints exit 2 with a clear message" {
	run zmq-ingest not-an-endpoint
	[ "$status" -eq 2 ]
	assert_output --partial "not an endpoint"
	run zmq-ingest "tcp://127.0.0.1:1c,,tcp://127.0.0.1:2c"
	[ "$status" -eq 2 ]
	assert_output --partial "empty endpoint"
	run zmq-ingest "tcp://256.1.1.1:5556c"
	[ "$status" -eq 2 ]
	assert_output --partial "cannot bind tcp://256.1.1.1:5556"
	port=$(free_port)
	run zmq-ingest "tcp://127.0.0.1:${port}c" "tcp://127.0.0.1:${port}c"
	[ "$status" -eq 2 ]
	assert_output --partial "Address already in use"
}

@test "zmq-ingest: a port outside 1-65535 is a usage error, '*' binds any" {
	local ep
	for ep in 'tcp://*:99999c' 'tcp://*:0c' 'tcp://127.0.0.1:65536' 'tcp://[::1]:5x56c'; do
		run zmq-ingest -t 1s "$ep"
		[ "$status" -eq 2 ]
		assert_output "zmq-ingest: '${ep%c}': the port must be 1 to 65535 or '*'"
	done
	run zmq-ingest -t 1s 'tcp://127.0.0.1c'
	[ "$status" -eq 2 ]
	assert_output "zmq-ingest: 'tcp://127.0.0.1': no port (tcp://address:port)"
	run ev-emit -w 0 'tcp://127.0.0.1:99999c' /dev/null
	[ "$status" -eq 2 ]
	assert_output "ev-emit: 'tcp://127.0.0.1:99999': the port must be 1 to 65535 or '*'"
	run zmq-ingest -q -t 100ms 'tcp://127.0.0.1:*c'
	[ "$status" -eq 0 ]
}

@test "zmq-ingest: v0 header (ebpflowexport): plain, legacy zlib, arrays" {
	matrix "-H 0" "-H 0 -z" "-H 0 -b 4" "-H 0 -z -b 4"
	[ "$(counter "$(T err)" sources)" -eq 0 ]
	[ "$(counter "$(T err)" inflated)" -eq 21 ]
}

@test "zmq-ingest: v1 header, version 2: plain, legacy zlib, arrays" {
	matrix "-H 1" "-H 1 -z" "-H 1 -b 3" "-H 1 -z -a"
	[ "$(counter "$(T err)" sources)" -eq 4 ]
}

@test "zmq-ingest: v1 header, version 1 (host-order msg_id)" {
	matrix "-H 1 -x 1" "-H 1 -x 1 -z -b 2"
	[ "$(counter "$(T err)" sources)" -eq 0 ]
}

@test "zmq-ingest: v2 header: plain, legacy zlib, arrays" {
	matrix "-H 2" "-H 2 -z" "-H 2 -b 15" "-H 2 -z -b 2"
	[ "$(counter "$(T err)" sources)" -eq 4 ]
}

@test "zmq-ingest: v3 header: plain, zlib flag, arrays" {
	matrix "-H 3" "-H 3 -z" "-H 3 -b 5" "-H 3 -z -b 5"
	[ "$(counter "$(T err)" sources)" -eq 4 ]
	[ "$(counter "$(T err)" inflated)" -eq 21 ]
}

@test "zmq-ingest: probe mode connects to a producer that binds" {
	port=$(free_port)
	ev-emit -q -w 10s "tcp://127.0.0.1:$port" "$DATA/zmq-events.ndjson" \
	    2>/dev/null 3>&- &
	EM=$!
	start_ingest -c 15 -t 10s "tcp://127.0.0.1:$port"
	wait_ingest
	wait "$EM"
	[ "$ZRC" -eq 0 ]
	diff <(norm < "$(T out)") <(expect "tcp://127.0.0.1:$port" events.out)
}

@test "zmq-ingest: two producers into one collector" {
	ep="$(ipc 2)c"
	start_ingest -c 30 -t 10s "$ep"
	ev-emit -q -s 1 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null 3>&- &
	ev-emit -q -s 2 -H 3 -z "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	wait
	[ "$ZRC" -eq 0 ]
	diff <(norm < "$(T out)" | sort) \
	    <( (expect "$ep" events.out; expect "$ep" events.out) | sort)
	[ "$(counter "$(T err)" sources)" -eq 2 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	[ "$(counter "$(T err)" restarts)" -eq 0 ]
}

@test "zmq-ingest: endpoints of one argument share its name, each bound or connected" {
	p1=$(free_port)
	p2=$(free_port)
	iface="tcp://127.0.0.1:${p1}c,tcp://127.0.0.1:${p2}"
	ev-emit -q -s 2 -w 10s "tcp://127.0.0.1:$p2" "$DATA/zmq-events.ndjson" \
	    2>/dev/null 3>&- &
	start_ingest -c 30 -t 10s "$iface"
	ev-emit -q -s 1 "tcp://127.0.0.1:${p1}c" "$DATA/zmq-events.ndjson" \
	    2>/dev/null
	wait_ingest
	wait
	diff <(norm < "$(T out)" | sort) \
	    <( (expect "$iface" events.out; expect "$iface" events.out) | sort)
}

@test "zmq-ingest: each argument is its own interface" {
	p1=$(free_port)
	p2=$(free_port)
	start_ingest -c 30 -t 10s "tcp://127.0.0.1:${p1}c" "tcp://127.0.0.1:${p2}c"
	ev-emit -q "tcp://127.0.0.1:${p1}c" "$DATA/zmq-events.ndjson" 2>/dev/null
	ev-emit -q "tcp://127.0.0.1:${p2}c" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	diff <(grep -F "\"_iface\":\"tcp://127.0.0.1:${p1}c\"" "$(T out)" | norm) \
	    <(expect "tcp://127.0.0.1:${p1}c" events.out)
	diff <(grep -F "\"_iface\":\"tcp://127.0.0.1:${p2}c\"" "$(T out)" | norm) \
	    <(expect "tcp://127.0.0.1:${p2}c" events.out)
	# Same source_id on two interfaces: two sources, no false restart.
	[ "$(counter "$(T err)" sources)" -eq 2 ]
	[ "$(counter "$(T err)" restarts)" -eq 0 ]
}

@test "zmq-ingest: msg_id gaps are counted as drops" {
	ep="$(ipc 3)c"
	start_ingest -c 15 -t 10s "$ep"
	ev-emit -q -g 2 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" missing_messages)" -eq 28 ]
	[ "$(counter "$(T err)" slow_joiner_lost)" -eq 0 ]
	[ "$(counter "$(T err)" records_out)" -eq 15 ]
}

@test "zmq-ingest: a late first msg_id is slow-joiner loss, a smaller one a restart" {
	ep="$(ipc 4)c"
	start_ingest -c 30 -t 10s "$ep"
	ev-emit -q -f 5 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	ev-emit -q "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" slow_joiner_lost)" -eq 4 ]
	[ "$(counter "$(T err)" restarts)" -eq 1 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	[ "$(counter "$(T err)" sources)" -eq 1 ]
}

@test "zmq-ingest: -f sets the producers' first msg_id (softflowd counts from 0)" {
	ep="$(ipc 5)c"
	start_ingest -f 0 -c 15 -t 10s "$ep"
	ev-emit -q -f 0 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" slow_joiner_lost)" -eq 0 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	ep="$(ipc 6)c"
	start_ingest -f 0 -c 15 -t 10s "$ep"
	ev-emit -q "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" slow_joiner_lost)" -eq 1 ]
}

@test "zmq-ingest: v0 headers carry no msg_id: nothing is accounted" {
	ep="$(ipc 7)c"
	start_ingest -c 15 -t 10s "$ep"
	ev-emit -q -H 0 -g 5 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	[ "$(counter "$(T err)" sources)" -eq 0 ]
}

@test "zmq-ingest: ebpflowexport's ebpf topic never reaches the output" {
	ep="$(ipc 8)c"
	start_ingest -c 15 -t 10s "$ep"
	ev-emit -q -H 0 -e "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	[ "$ZRC" -eq 0 ]
	diff <(norm < "$(T out)") <(expect "$ep" events.out)
	[ "$(counter "$(T err)" messages)" -eq 15 ]
	[ "$(counter "$(T err)" rejected)" -eq 0 ]
}

@test "zmq-ingest: every bad input is counted by name and skipped" {
	cat > "$(T frames)" <<EOF
h s:{"ok":1}
x:666c6f7700 s:{}
h s:{"ok":2}
x:$(hdr1 flow 5 9 1) s:{}
h s:{"ok":3}
h
h s:{"ok":4}
h s:{"extra":1} s:{}
h s:{"extra":2} s:{} s:{} s:{}
h s:{"ok":5}
h s:nope
h s:{"a":1
h s:42
h s:[{"ok":6},2,"x",{"ok":7}]
h x:00deadbeef
h x:
h s:
x:$(hdr1 flowflowflowflow 2 9 1) s:{}
h x:7b2261223a22ff222c2c7d
h:flowX s:{}
x:$(hdr1 flow 3 9 1) s:abc
h s:{}/x
h s:{"_x":1,"ok":8,"_y":{}}
h s:[]
h s:{"ok":9}
h:ebpf s:{}
EOF
	ep="$(ipc 9)c"
	start_ingest -c 9 -t 10s "$ep"
	ev-emit -q -F "$ep" "$(T frames)" 2>/dev/null
	wait_ingest
	[ "$ZRC" -eq 0 ]
	diff <(norm < "$(T out)") <(expect "$ep" bad-input.out)
	diff <(grep '^{"tool"' "$(T err)") "$EXPECTED/zmq-ingest/bad-input.counters"
	for name in bad_header_size bad_version single_frame extra_frames \
	    bad_json truncated_json not_object array_non_object bad_zlib \
	    empty_payload topic_not_terminated bad_utf8 unknown_topic \
	    tlv_bad_header trailing_garbage; do
		grep -q "^zmq-ingest: $name: $ep: " "$(T err)"
	done
}

@test "zmq-ingest: bad-input reports are rate-limited" {
	{ for i in $(seq 1 1500); do echo 'h s:nope'; done; echo 'h s:{}'; } > "$(T frames)"
	ep="$(ipc 10)c"
	start_ingest -c 1 -t 10s "$ep"
	ev-emit -q -F "$ep" "$(T frames)" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" bad_json)" -eq 1500 ]
	[ "$(grep -c '^zmq-ingest: bad_json:' "$(T err)")" -eq 2 ]
	grep -q '(1000 so far)' "$(T err)"
}

@test "zmq-ingest: a 10 MB payload is accepted under the cap, counted over it" {
	{ printf '{"big":"'; head -c 10000000 /dev/zero | tr '\0' a; printf '"}'; } \
	    > "$(T big.json)"
	echo "h f:$(T big.json)" > "$(T frames)"
	echo 'h s:{"ok":1}' >> "$(T frames)"
	ep="$(ipc 11)c"
	start_ingest -c 2 -t 10s "$ep"
	ev-emit -q -F "$ep" "$(T frames)" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" records_out)" -eq 2 ]
	prefix="{\"_type\":\"event\",\"_event\":\"flow\",\"_topic\":\"flow\",\"_iface\":\"$ep\",\"big\":\""
	[ "$(head -1 "$(T out)" | norm | wc -c)" -eq $((${#prefix} + 10000003)) ]
	[ "$(head -1 "$(T out)" | norm | cut -c1-${#prefix})" = "$prefix" ]
	ep="$(ipc 12)c"
	start_ingest -m 1M -c 1 -t 10s "$ep"
	ev-emit -q -F "$ep" "$(T frames)" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" oversize)" -eq 1 ]
	[ "$(counter "$(T err)" records_out)" -eq 1 ]
	grep -q '"ok":1' "$(T out)"
}

@test "zmq-ingest: a zlib bomb stops at the cap" {
	{ printf '{"big":"'; head -c 5000000 /dev/zero | tr '\0' a; printf '"}'; } \
	    > "$(T big.json)"
	echo "h f:$(T big.json)" > "$(T frames)"
	echo 'h s:{"ok":1}' >> "$(T frames)"
	ep="$(ipc 13)c"
	start_ingest -m 1M -c 1 -t 10s "$ep"
	ev-emit -q -z -F "$ep" "$(T frames)" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" inflate_cap)" -eq 1 ]
	[ "$(counter "$(T err)" records_out)" -eq 1 ]
	ep="$(ipc 14)c"
	start_ingest -m 1M -c 1 -t 10s "$ep"
	ev-emit -q -z -H 3 -F "$ep" "$(T frames)" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" inflate_cap)" -eq 1 ]
	grep -q '"ok":1' "$(T out)"
}

@test "zmq-ingest: SIGTERM writes everything received and exits 0" {
	ep="$(ipc 15)c"
	start_ingest "$ep"
	ev-emit -q -n 2000 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	sleep 0.5
	kill -TERM "$ZI"
	wait_ingest
	[ "$ZRC" -eq 0 ]
	# Every record counted was written (the buffer was flushed), whole.
	[ "$(counter "$(T err)" records_out)" -gt 0 ]
	[ "$(wc -l < "$(T out)")" -eq "$(counter "$(T err)" records_out)" ]
	[ "$(norm < "$(T out)" | sort -u | wc -l)" -eq 15 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
}

@test "zmq-ingest: SIGUSR1 prints the counters and goes on" {
	ep="$(ipc 16)c"
	start_ingest -l -c 30 -t 10s "$ep"
	ev-emit -q "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_for "[ \$(wc -l < '$(T out)') -eq 15 ]" 10 || true
	kill -USR1 "$ZI"
	wait_for "grep -q '^{\"tool\"' '$(T err)'" 10 || true
	ev-emit -q -f 16 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	[ "$ZRC" -eq 0 ]
	[ "$(grep -c '^{"tool":"zmq-ingest"' "$(T err)")" -eq 2 ]
	grep '^{"tool"' "$(T err)" | head -1 | jq -e '.counters.records_out == 15'
	[ "$(counter "$(T err)" records_out)" -eq 30 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
}

@test "zmq-ingest: -t ends an idle run, -o writes to a file" {
	run zmq-ingest -t 200ms -o "$(T file)" "$(ipc 0)c"
	[ "$status" -eq 0 ]
	[ -f "$(T file)" ]
	[ ! -s "$(T file)" ]
	ep="$(ipc 17)c"
	start_ingest -c 15 -t 10s -o "$(T file)" "$ep"
	ev-emit -q "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	diff <(norm < "$(T file)") <(expect "$ep" events.out)
}

@test "zmq-ingest: lost output exits 1" {
	ep="$(ipc 18)c"
	zmq-ingest -c 15 -t 10s "$ep" > /dev/full 2> "$(T err)" 3>&- &
	ZI=$!
	ev-emit -q "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	[ "$ZRC" -eq 1 ]
}

@test "zmq-ingest: ipc endpoints" {
	ep="ipc://$BATS_TEST_TMPDIR/sock"
	start_ingest -c 15 -t 10s "${ep}c"
	ev-emit -q "${ep}c" "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	diff <(norm < "$(T out)") <(expect "${ep}c" events.out)
}

@test "zmq-ingest: the man page's replay example" {
	port=$(free_port)
	cd "$TOP"
	zmq-ingest -c 15 "tcp://127.0.0.1:${port}c" > "$(T events.ndjson)" 2>/dev/null 3>&- &
	ZI=$!
	ev-emit "tcp://127.0.0.1:${port}c" tests/data/zmq-events.ndjson 2>/dev/null
	wait_ingest
	[ "$ZRC" -eq 0 ]
	diff <(norm < "$(T events.ndjson)") <(expect "tcp://127.0.0.1:${port}c" events.out)
}
