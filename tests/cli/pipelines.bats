# The scripts in pipelines/: they find the tools built beside them, end
# every stage once on one signal (under dash too) and leave no FIFO folder,
# and the demo never talks to somebody else's collector.
setup() {
	load helper
	P="$TOP/pipelines"
}

# Runs script (with dash) as its own process group, as a terminal would,
# with its temporary folders under $BATS_TEST_TMPDIR/tmp.
start_group() {
	mkdir -p "$BATS_TEST_TMPDIR/tmp"
	TMPDIR="$BATS_TEST_TMPDIR/tmp" setsid dash "$@" \
		> "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" 3>&- &
	PG=$!
}

# Processes of group $PG still alive (zombies aside).
alive() {
	ps -o stat= -g "$PG" 2>/dev/null | grep -vc '^Z' || true
}

# Sends signal $1 to the whole group once every stage runs, as Ctrl-C
# does, and checks that everything ends and the FIFO folder is gone.
signal_group() {
	wait_for "pgrep -g $PG -x ev-show > /dev/null &&
	    pgrep -g $PG -x zmq-ingest > /dev/null &&
	    pgrep -g $PG -x pcap-ingest > /dev/null" 10 || true
	[ -n "$(ls "$BATS_TEST_TMPDIR/tmp")" ]
	kill -"$1" -- -"$PG"
	rc=0
	wait "$PG" || rc=$?
	# No crash (dash used to die of SIGSEGV re-entering its trap).
	[ "$rc" -lt 128 ] || [ "$rc" -eq 130 ] || [ "$rc" -eq 143 ]
	wait_for '[ "$(alive)" -eq 0 ]' 5 || true
	[ "$(alive)" -eq 0 ]
	[ -z "$(ls "$BATS_TEST_TMPDIR/tmp")" ]
	# Each stage reported its counters once: it ended by itself.
	[ "$(grep -c '"tool":"ev-show"' "$BATS_TEST_TMPDIR/err")" -eq 1 ]
}

can_capture() {
	[ "$(id -u)" -eq 0 ] || skip "capturing on lo needs root"
}

@test "pipelines: collector-ifaces.sh under dash: SIGINT to the group ends it once, FIFO folder removed" {
	can_capture
	start_group "$P/collector-ifaces.sh" "ipc://$BATS_TEST_TMPDIR/zc" lo
	signal_group INT
}

@test "pipelines: companion.sh under dash: SIGINT and SIGTERM end it once, FIFO folder removed" {
	can_capture
	start_group "$P/companion.sh" "ipc://$BATS_TEST_TMPDIR/zc" lo
	signal_group INT
	start_group "$P/companion.sh" "ipc://$BATS_TEST_TMPDIR/zc" lo
	signal_group TERM
}

@test "pipelines: run from the source tree, the scripts find build/bin without PATH" {
	[ -x "$TOP/build/bin/flow-agg" ] || skip "no build/bin in this tree"
	run env -u EVPIPE_BIN PATH=/usr/bin:/bin dash "$P/pcap-to-flows.sh" "$PCAPS/dns_icmp.pcap"
	assert_success
	[ "$(printf '%s\n' "$output" | grep -c '"_type":"flow"')" -gt 0 ]
}

@test "pipelines: demo.sh runs on a socket of its own" {
	run env TMPDIR="$BATS_TEST_TMPDIR" sh "$P/demo.sh" < /dev/null
	assert_success
	assert_output --partial "flows on mirror0 with both processes named: 4"
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep evpipe-demo)" ]
}

@test "pipelines: demo.sh with a port somebody else listens on fails clearly" {
	local port
	port=$(free_port)
	zmq-ingest -q -t 30s "tcp://127.0.0.1:${port}c" > /dev/null 2>&1 3>&- &
	other=$!
	wait_for "(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null" 10 || true
	run env EVPIPE_DEMO_PORT="$port" sh "$P/demo.sh" < /dev/null
	kill "$other"
	wait "$other" || true
	assert_failure 1
	assert_output --partial "evpipe demo: failed (zmq-ingest exit 2"
	assert_output --partial "Address already in use"
}

@test "pipelines: collector.sh shows the events that came in before any flow is written" {
	local ep="ipc://$BATS_TEST_TMPDIR/zc"
	mkdir -p "$BATS_TEST_TMPDIR/tmp"
	TMPDIR="$BATS_TEST_TMPDIR/tmp" setsid dash "$P/collector.sh" "$ep" -b -d 200ms \
		> "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" 3>&- &
	PG=$!
	ev-emit -q -w 10s "$ep" "$P/demo/events.ndjson"
	# The 8 events span 1.1 s of record time: flow-agg (-I 10s) writes
	# no flow yet, but the dashboard lists the events at once.
	wait_for "grep -q 'records 8 ' '$BATS_TEST_TMPDIR/out'" 10 || true
	kill -TERM -- -"$PG"
	wait "$PG" || true
	grep -q '^Events: 8, by TIME desc' "$BATS_TEST_TMPDIR/out"
	grep -q 'flow CONNECT tcp   192.0.2.1:56312' "$BATS_TEST_TMPDIR/out"
	[ -z "$(ls "$BATS_TEST_TMPDIR/tmp")" ]
}
