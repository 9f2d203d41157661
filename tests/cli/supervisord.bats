# supervisord runs every stage as its own program, joined over ipc://
# (pipelines/supervisor/evpipe.conf): start it, feed events, read the
# counters, stop it cleanly, and restart one stage between two batches.
setup() {
	load helper
	export EVPIPE_RUN="$BATS_TEST_TMPDIR/run"
	mkdir -p "$EVPIPE_RUN"
	export EVPIPE_ZMQ="tcp://127.0.0.1:$(free_port)c"
	export EVPIPE_MIRROR=mirror0
	CONF="$TOP/pipelines/supervisor/evpipe.conf"
	EVENTS="$TOP/pipelines/demo/events.ndjson"
	supervisord -c "$CONF"
	wait_running zmq-ingest ev-route flow-agg
}

teardown() {
	supervisorctl -c "$CONF" shutdown >/dev/null 2>&1 || true
	wait_for "[ ! -e '$EVPIPE_RUN/supervisord.pid' ]" 10 || true
}

sctl() { supervisorctl -c "$CONF" "$@"; }

# Waits until every program named is RUNNING (20 s at most).
wait_running() {
	local p
	for p in "$@"; do
		wait_for "sctl status $p | grep -q RUNNING" 20 || return 1
	done
}

# Asks flow-agg for its counters (SIGUSR1) until it has seen $1 records.
wait_records() {
	wait_for "sctl signal USR1 flow-agg >/dev/null; sleep 0.1;
	    [ \"\$(counter '$EVPIPE_RUN/flow-agg.log' records_in)\" = $1 ]" 20 &&
	    return 0
	echo "flow-agg saw $(counter "$EVPIPE_RUN/flow-agg.log" records_in) records, not $1" >&2
	return 1
}

@test "supervisord: events cross three programs over ipc and are all in the flows file" {
	run ev-emit -q -w 10s "$EVPIPE_ZMQ" "$EVENTS"
	assert_success
	wait_records 24
	run sctl stop zmq-ingest ev-route flow-agg
	assert_success
	assert_equal "$(counter "$EVPIPE_RUN/zmq-ingest.log" records_out)" 8
	assert_equal "$(counter "$EVPIPE_RUN/ev-route.log" records_in)" 8
	assert_equal "$(counter "$EVPIPE_RUN/ev-route.log" records_out)" 24
	assert_equal "$(counter "$EVPIPE_RUN/ev-route.log" copies_companion)" 8
	assert_equal "$(counter "$EVPIPE_RUN/flow-agg.log" records_in)" 24
	# 4 connections on 3 interfaces, then 3 iface summaries.
	assert_equal "$(jq -s 'map(select(._type == "flow")) | length' "$EVPIPE_RUN/flows.ndjson")" 12
	assert_equal "$(jq -s 'map(select(._type == "iface")) | length' "$EVPIPE_RUN/flows.ndjson")" 3
	run jq -r 'select(._type == "flow" and ._iface == "mirror0") |
		[.L4_SRC_PORT, .SRC_PROC_NAME, .DST_PROC_NAME] | @tsv' "$EVPIPE_RUN/flows.ndjson"
	assert_equal "$(echo "$output" | wc -l)" 4
	refute_output --partial "null"
}

@test "supervisord: restarting flow-agg between two batches loses nothing" {
	ev-emit -q -w 10s "$EVPIPE_ZMQ" "$EVENTS"
	wait_records 24
	run sctl restart flow-agg
	assert_success
	wait_running flow-agg
	ev-emit -q -w 10s "$EVPIPE_ZMQ" "$EVENTS"
	wait_records 24
	sctl stop zmq-ingest ev-route flow-agg
	# The first flow-agg flushed its flows when it was stopped, the new one
	# took the second batch: two runs of 24 records, 2 x 15 lines.
	assert_equal "$(grep '"tool":"flow-agg"' "$EVPIPE_RUN/flow-agg.log" |
		jq -s 'map(.counters.records_in) | max')" 24
	assert_equal "$(wc -l < "$EVPIPE_RUN/flows.ndjson")" 30
	assert_equal "$(counter "$EVPIPE_RUN/ev-route.log" records_out)" 48
	assert_equal "$(counter "$EVPIPE_RUN/zmq-ingest.log" records_out)" 16
	assert_equal "$(counter "$EVPIPE_RUN/zmq-ingest.log" missing_messages)" 0
}

@test "supervisord: the collector restarted while a producer keeps sending: every message received or counted lost" {
	# 300 messages at 100/s; zmq-ingest is restarted after about one second.
	ev-emit -q -w 10s -r 100 -n 38 "$EVPIPE_ZMQ" "$EVENTS" &
	local emit=$!
	sleep 1.2
	run sctl restart zmq-ingest
	assert_success
	wait "$emit"
	sleep 1
	sctl stop zmq-ingest ev-route flow-agg
	local sent=304 runs
	runs=$(grep '"tool":"zmq-ingest"' "$EVPIPE_RUN/zmq-ingest.log")
	[ "$(echo "$runs" | wc -l)" -eq 2 ]
	local r1 r2 lost2 drops2
	r1=$(echo "$runs" | sed -n 1p | jq .counters.records_out)
	r2=$(echo "$runs" | sed -n 2p | jq .counters.records_out)
	lost2=$(echo "$runs" | sed -n 2p | jq .counters.slow_joiner_lost)
	drops2=$(echo "$runs" | sed -n 2p | jq .counters.missing_messages)
	echo "first run $r1, second run $r2 + $lost2 lost before it + $drops2 drops" >&3
	[ "$r1" -gt 0 ]
	[ "$r2" -gt 0 ]
	# The new collector accounts for every msg_id up to the last one: what
	# it received plus what it counts as lost before and between.
	[ $((r2 + lost2 + drops2)) -eq "$sent" ]
	# What neither run received was counted as lost by the second.
	[ $((sent - r1 - r2)) -le "$lost2" ]
	# ev-route, not restarted, took everything both runs received.
	[ "$(counter "$EVPIPE_RUN/ev-route.log" records_in)" -eq $((r1 + r2)) ]
}
