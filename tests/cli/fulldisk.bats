# A full disk on a file sink (/dev/full: every write fails with ENOSPC):
# each stage says so, exits 1, and its counters still come out.
setup() {
	load helper
	PCAP="$TOP/pipelines/demo/demo.pcap"
	EV="$TOP/pipelines/demo/events.ndjson"
}

@test "full disk: pcap-ingest -o /dev/full exits 1 with a clear message" {
	run pcap-ingest -q -r "$PCAP" -o /dev/full
	assert_failure 1
	assert_output --partial "/dev/full: records were lost: No space left on device"
	assert_output --partial '"tool":"pcap-ingest"'
}

@test "full disk: flow-agg -o /dev/full exits 1 with a clear message" {
	pcap-ingest -q -r "$PCAP" > "$BATS_TEST_TMPDIR/pk" 2>/dev/null
	run flow-agg -q -o /dev/full "$BATS_TEST_TMPDIR/pk"
	assert_failure 1
	assert_output --partial "No space left on device"
	assert_output --partial '"tool":"flow-agg"'
}

@test "full disk: ev-route -o '*=/dev/full' exits 1 with a clear message" {
	pcap-ingest -q -r "$PCAP" > "$BATS_TEST_TMPDIR/pk" 2>/dev/null
	run ev-route -q -i eth0 -o '*=/dev/full' "$BATS_TEST_TMPDIR/pk"
	assert_failure 1
	assert_output --partial "/dev/full: records were lost: No space left on device"
}

@test "full disk: zmq-ingest -o /dev/full exits 1 with a clear message" {
	local ep="ipc://$BATS_TEST_TMPDIR/zi"
	zmq-ingest -q -c 8 -t 20s -o /dev/full "${ep}c" 2> "$BATS_TEST_TMPDIR/err" &
	local zi=$! rc=0
	ev-emit -q -w 10s "${ep}c" "$EV"
	wait "$zi" || rc=$?
	[ "$rc" -eq 1 ]
	grep -q "No space left on device" "$BATS_TEST_TMPDIR/err"
	# The first failed write ends it: how many of the 8 messages had
	# arrived by then depends on scheduling (1 to 8), so the counters
	# must account for each message received, one record each.
	[ "$(grep '"tool"' "$BATS_TEST_TMPDIR/err" |
	    jq '.counters | .records_out == .messages and .records_out >= 1')" = true ]
}
