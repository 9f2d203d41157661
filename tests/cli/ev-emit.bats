setup() { load helper; }
bats_require_minimum_version 1.5.0

# ev-emit tests; zmq-ingest is the receiver (zmq-ingest.bats covers every
# header version and compression through ev-emit).

@test "ev-emit: no endpoint is a usage error" {
	run ev-emit
	[ "$status" -eq 2 ]
	assert_output --partial "usage: ev-emit"
}

@test "ev-emit: bad option values exit 2" {
	for opts in "-H 4" "-b 0" "-k short" "-x 300" "-r fast" "-w soon" \
	    "-n -1" "-T listening-portsX"; do
		# shellcheck disable=SC2086
		run ev-emit -w 0 $opts "$(ipc 1)" /dev/null
		[ "$status" -eq 2 ]
	done
}

@test "ev-emit: unusable endpoints exit 2" {
	run ev-emit bogus://x /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "cannot bind bogus://x"
	run ev-emit tcp://256.0.0.1:5556 /dev/null
	[ "$status" -eq 2 ]
}

@test "ev-emit: a missing input file exits 1" {
	run ev-emit -w 0 "$(ipc 1)" "$(T nosuch)"
	[ "$status" -eq 1 ]
	assert_output --partial "nosuch"
}

@test "ev-emit: a missing file after a good one: nothing is sent, streamed or replayed" {
	for n in 1 2; do
		run --separate-stderr ev-emit -w 0 -L 0 -n "$n" "$(ipc "$n")" \
		    "$DATA/zmq-events.ndjson" "$(T nosuch)"
		[ "$status" -eq 1 ]
		[[ $stderr == *nosuch* ]]
		[[ $stderr == *'"messages":0,'* ]]
	done
}

@test "ev-emit: an input sent once is streamed: an event leaves before the input ends" {
	ep="$(ipc 1)c"
	start_ingest -l -c 2 -t 20s "$ep"
	mkfifo "$(T fifo)"
	ev-emit "$ep" < "$(T fifo)" 2> "$(T emerr)" 3>&- &
	EM=$!
	exec 4> "$(T fifo)"
	head -n 1 "$DATA/zmq-events.ndjson" >&4
	# The first event arrives while ev-emit's input is still open (an
	# ev-emit that loaded everything first would wait for the end).
	wait_for "[ \$(wc -l < '$(T out)') -eq 1 ]" 10
	sed -n 2p "$DATA/zmq-events.ndjson" >&4
	exec 4>&-
	wait "$EM"
	wait_ingest
	[ "$ZRC" -eq 0 ]
	[ "$(counter "$(T err)" records_out)" -eq 2 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	[ "$(counter "$(T emerr)" messages)" -eq 2 ]
	[ "$(counter "$(T emerr)" events)" -eq 2 ]
}

@test "ev-emit: _topic picks the topic and every _ key is stripped" {
	cat > "$(T in)" <<'EOF'
{"_topic":"event","_x":1,"a":1}
{ "_iface": "eth9", "b": { "c": [ 1 ] } }
{"_topic":"counter","ifName":"eth0"}
EOF
	ep="$(ipc 1)c"
	start_ingest -c 3 -t 10s "$ep"
	ev-emit -q "$ep" "$(T in)" 2>/dev/null
	wait_ingest
	run norm < "$(T out)"
	assert_output - <<EOF
{"_type":"event","_event":"other","_topic":"event","_iface":"$ep","a":1}
{"_type":"event","_event":"flow","_topic":"flow","_iface":"$ep","b":{"c":[1]}}
{"_type":"event","_event":"counters","_topic":"counter","_iface":"$ep","ifName":"eth0"}
EOF
	[ "$(counter "$(T err)" reserved_keys)" -eq 0 ]
}

@test "ev-emit: -T sets the default topic; bad lines are counted and skipped" {
	printf '%s\n' '{"a":1}' 'nope' '{"_topic":"averyveryverylongtopic","b":1}' \
	    '' '{"_topic":7}' '{"c":1}' > "$(T in)"
	ep="$(ipc 1)c"
	start_ingest -c 2 -t 10s "$ep"
	run --separate-stderr ev-emit -T hello "$ep" "$(T in)"
	[ "$status" -eq 0 ]
	wait_ingest
	[ "$(grep -c '"_topic":"hello"' "$(T out)")" -eq 2 ]
	echo "$stderr" | grep -q 'ev-emit: malformed: .*in:2: bad_json'
	[ "$(echo "$stderr" | grep -o '"malformed":[0-9]*')" = '"malformed":3' ]
	[ "$(echo "$stderr" | grep -o '"events":[0-9]*')" = '"events":2' ]
}

@test "ev-emit: -n repeats with msg_id going on; stdin is read" {
	ep="$(ipc 1)c"
	start_ingest -c 45 -t 10s "$ep"
	ev-emit -q -n 3 -H 2 "$ep" < "$DATA/zmq-events.ndjson" 2>/dev/null
	wait_ingest
	[ "$(counter "$(T err)" records_out)" -eq 45 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	[ "$(counter "$(T err)" restarts)" -eq 0 ]
}

@test "ev-emit: -r limits the rate" {
	ep="$(ipc 1)c"
	start_ingest -c 15 -t 10s "$ep"
	start=$(date +%s%N)
	ev-emit -q -r 30 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	end=$(date +%s%N)
	wait_ingest
	# 15 messages at 30/s: the last one leaves after 14/30 s.
	[ $(( (end - start) / 1000000 )) -ge 460 ]
	[ "$(counter "$(T err)" records_out)" -eq 15 ]
}

@test "ev-emit: -e adds ebpflowexport's ebpf message, which collectors skip" {
	ep="$(ipc 1)c"
	start_ingest -c 15 -t 10s "$ep"
	run --separate-stderr ev-emit -H 0 -e "$ep" "$DATA/zmq-events.ndjson"
	[ "$status" -eq 0 ]
	wait_ingest
	[ "$(echo "$stderr" | grep -o '"ebpf_messages":[0-9]*')" = '"ebpf_messages":15' ]
	[ "$(counter "$(T err)" messages)" -eq 15 ]
	[ "$(counter "$(T err)" records_out)" -eq 15 ]
}

@test "ev-emit: frames mode sends hand-made frames; bad tokens are counted" {
	printf '%s\n' 'h s:{"a":1}' 'h q:zz' 'h x:0g' 'h:counter s:{"b":2}' \
	    "h f:$(T nosuch)" > "$(T frames)"
	ep="$(ipc 1)c"
	start_ingest -c 2 -t 10s "$ep"
	run --separate-stderr ev-emit -F "$ep" "$(T frames)"
	[ "$status" -eq 0 ]
	wait_ingest
	[ "$(echo "$stderr" | grep -o '"malformed":[0-9]*')" = '"malformed":3' ]
	[ "$(counter "$(T err)" records_out)" -eq 2 ]
	grep -q '"_topic":"counter".*"b":2' "$(T out)"
}

@test "ev-emit: with no subscriber it warns after -w, says nothing was delivered and exits 1" {
	run ev-emit -w 100ms -L 0 "$(ipc 1)" "$DATA/zmq-events.ndjson"
	[ "$status" -eq 1 ]
	assert_line "ev-emit: no subscriber after 0.1 s: sending anyway"
	assert_line "ev-emit: no subscriber: the 15 messages sent reached nobody"
	# Connecting to an endpoint nobody listens on: the same.
	run ev-emit -w 100ms -L 0 "$(ipc 2)c" "$DATA/zmq-events.ndjson"
	[ "$status" -eq 1 ]
	assert_line "ev-emit: no subscriber: the 15 messages sent reached nobody"
	# Nothing to send is no failure.
	run ev-emit -w 100ms -L 0 "$(ipc 3)" /dev/null
	[ "$status" -eq 0 ]
}

@test "ev-emit: SIGTERM stops an endless replay between messages" {
	ep="$(ipc 1)c"
	start_ingest -l -t 10s "$ep"
	ev-emit -q -n 0 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null 3>&- &
	EM=$!
	# Until some repeats are through (-l: the output shows them).
	wait_for "[ \$(wc -l < '$(T out)') -gt 15 ]" 10 || true
	kill -TERM "$EM"
	rc=0
	wait "$EM" || rc=$?
	[ "$rc" -eq 0 ]
	kill -TERM "$ZI"
	wait_ingest
	[ "$ZRC" -eq 0 ]
	[ "$(counter "$(T err)" rejected)" -eq 0 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	[ "$(counter "$(T err)" records_out)" -gt 15 ]
}
