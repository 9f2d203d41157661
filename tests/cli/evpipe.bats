# evpipe runs a pipeline's stages as threads over inproc:// sockets: its
# output must equal the same stages joined by pipes, byte for byte.
setup() {
	load helper
	PCAP="$TOP/pipelines/demo/demo.pcap"
	EV="$TOP/pipelines/demo/events.ndjson"
}

@test "evpipe: pcap-ingest | flow-agg equals the pipe chain" {
	pcap-ingest -q -A 1 -r "$PCAP=mirror0" 2>/dev/null | flow-agg -q 2>/dev/null > "$BATS_TEST_TMPDIR/pipe"
	evpipe "pcap-ingest -q -A 1 -r $PCAP=mirror0 | flow-agg -q" \
		> "$BATS_TEST_TMPDIR/chain" 2> "$BATS_TEST_TMPDIR/err"
	run cmp "$BATS_TEST_TMPDIR/chain" "$BATS_TEST_TMPDIR/pipe"
	assert_success
	[ "$(wc -l < "$BATS_TEST_TMPDIR/pipe")" -eq 5 ]
	assert_equal "$(grep -c '"tool"' "$BATS_TEST_TMPDIR/err")" 2
}

@test "evpipe: the argv form with '|' words equals the one-string form" {
	evpipe pcap-ingest -q -r "$PCAP=mirror0" '|' flow-agg -q > "$BATS_TEST_TMPDIR/a" 2>/dev/null
	evpipe "pcap-ingest -q -r '$PCAP=mirror0' | flow-agg -q" > "$BATS_TEST_TMPDIR/b" 2>/dev/null
	run cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	assert_success
	[ "$(wc -l < "$BATS_TEST_TMPDIR/a")" -eq 5 ]
}

@test "evpipe: zmq-ingest | ev-route | flow-agg over inproc equals the pipe chain" {
	local port zmq route
	port=$(free_port)
	zmq="tcp://127.0.0.1:${port}c"
	route="-q -i eth0 -i mirror0 -m mirror0 -c $zmq=mirror0"
	evpipe "zmq-ingest -q -c 8 -t 20s $zmq | ev-route $route | flow-agg -q" \
		> "$BATS_TEST_TMPDIR/chain" 2> "$BATS_TEST_TMPDIR/chain.err" &
	sleep 0.3
	ev-emit -q -w 10s "$zmq" "$EV"
	wait
	# The same events through processes and pipes.
	zmq-ingest -q -c 8 -t 20s "$zmq" 2>/dev/null | ev-route $route 2>/dev/null |
		flow-agg -q > "$BATS_TEST_TMPDIR/pipe" 2>/dev/null &
	sleep 0.3
	ev-emit -q -w 10s "$zmq" "$EV"
	wait
	# _rx is the receive time, the one field that differs between runs.
	run diff <(jq -c 'del(._rx)' "$BATS_TEST_TMPDIR/chain") <(jq -c 'del(._rx)' "$BATS_TEST_TMPDIR/pipe")
	assert_success
	assert_equal "$(jq -s 'map(select(._type == "flow")) | length' "$BATS_TEST_TMPDIR/chain")" 12
	# One counters line per stage.
	assert_equal "$(grep -c '"tool"' "$BATS_TEST_TMPDIR/chain.err")" 3
	assert_equal "$(grep '"tool":"flow-agg"' "$BATS_TEST_TMPDIR/chain.err" | jq .counters.records_in)" 24
}

@test "evpipe: SIGTERM stops the source and the rest drains: nothing lost" {
	local port zmq
	port=$(free_port)
	zmq="tcp://127.0.0.1:${port}c"
	evpipe "zmq-ingest -q $zmq | flow-agg -q" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
	local pid=$!
	sleep 0.3
	ev-emit -q -w 10s "$zmq" "$EV"
	sleep 0.5
	kill -TERM "$pid"
	wait "$pid"
	assert_equal "$(grep '"tool":"zmq-ingest"' "$BATS_TEST_TMPDIR/err" | jq .counters.records_out)" 8
	assert_equal "$(grep '"tool":"flow-agg"' "$BATS_TEST_TMPDIR/err" | jq .counters.records_in)" 8
	assert_equal "$(jq -s 'map(select(._type == "flow")) | length' "$BATS_TEST_TMPDIR/out")" 4
}

@test "evpipe: usage errors exit 2" {
	run evpipe
	assert_failure 2
	run evpipe "ev-emit tcp://127.0.0.1:1"
	assert_failure 2
	assert_output --partial "not a stage"
	run evpipe "zmq-ingest tcp://127.0.0.1:1 | pcap-ingest -r x"
	assert_failure 2
	assert_output --partial "only be the first"
	run evpipe "flow-agg |"
	assert_failure 2
	assert_output --partial "empty stage"
	run evpipe "flow-agg 'x"
	assert_failure 2
	assert_output --partial "unterminated quote"
	run evpipe "pcap-ingest -Q | flow-agg"
	assert_failure 2
}

@test "evpipe: ev-show reads the chain, not the terminal's stdin" {
	local fifo="$BATS_TEST_TMPDIR/stdin"
	# A stdin that never ends: read-write, so no EOF ever comes.
	mkfifo "$fifo"
	exec 4<>"$fifo"
	run timeout -k 5 20 evpipe "pcap-ingest -q -r $PCAPS/bot.pcap | flow-agg -q | ev-show -b -q" <&4
	exec 4>&-
	assert_success
	assert_line --regexp '^bot\.pcap +tcp +40\.77\.167\.36:64768 +89\.31\.72\.220:80 '
	assert_output --partial '"tool":"ev-show","counters":{"records_in":2,'
}

@test "evpipe: a first stage whose input is missing exits 1 cleanly, every time" {
	local i
	# The crash was a race with the later stages' set-up: try it often.
	for i in $(seq 100); do
		run evpipe 'pcap-ingest -r /nonexistent | flow-agg | flow-agg | flow-agg'
		assert_failure 1
		assert_output --partial "/nonexistent: No such file or directory"
	done
}
