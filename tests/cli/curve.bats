# CurveZMQ (doc/wire-format.md "Encryption"): zmq-ingest -k is a CURVE
# server with ntopng's key files (made by ev-keygen); ev-emit -k encrypts
# to it. A client with the right server key gets in; one without
# encryption, with a wrong server key, or (with -a) not on the allow-list
# is refused and counted.
setup() {
	load helper
	K="$BATS_TEST_TMPDIR/keys"
	mkdir -p "$K/srv" "$K/cli" "$K/other"
	ev-keygen -d "$K/srv" > "$K/srv.hex"
	ev-keygen -d "$K/cli" > /dev/null
	ev-keygen -d "$K/other" > /dev/null
	ev-keygen -z -p "$K/cli" > "$K/allow"
	EV="$TOP/pipelines/demo/events.ndjson"
}

# collect "zmq-ingest options" "ev-emit options": 8 events sent; sets
# LINES (records written) and EMRC (ev-emit's exit status: 1 when nothing
# reached a subscriber); zmq-ingest's stderr, with its counters, in T err.
collect() {
	local sock="$BATS_TEST_TMPDIR/zi-$RANDOM"
	local ep="ipc://$sock"
	zmq-ingest -q -t 6s $1 "${ep}c" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
	local zi=$!
	# The socket file appears once zmq-ingest has bound and watches the
	# handshakes; then the first attempt of a refused client is counted.
	wait_for "[ -S '$sock' ]" 10 || true
	sleep 0.2
	EMRC=0
	ev-emit -q -w 2s $2 "${ep}c" "$EV" 2>/dev/null || EMRC=$?
	wait "$zi"
	LINES=$(wc -l < "$BATS_TEST_TMPDIR/out")
}

@test "curve: the right server key gets in (Z85 file, and ntopng's hex form)" {
	collect "-k $K/srv" "-k $K/srv/zmq-key.pub"
	assert_equal "$LINES" 8
	assert_equal "$EMRC" 0
	assert_equal "$(counter "$(T err)" records_out)" 8
	assert_equal "$(counter "$(T err)" curve_accepted)" 1
	assert_equal "$(counter "$(T err)" curve_refused_wrong_key)" 0
	collect "-k $K/srv/zmq-key.priv" "-k $(cat "$K/srv.hex")"
	assert_equal "$LINES" 8
}

@test "curve: a client without encryption is refused and counted" {
	collect "-k $K/srv" ""
	assert_equal "$LINES" 0
	assert_equal "$EMRC" 1
	assert_equal "$(counter "$(T err)" records_out)" 0
	assert_equal "$(counter "$(T err)" curve_accepted)" 0
	# libzmq reports a plaintext client's first attempt without detail
	# (curve_refused_other) and the retries, when it makes them, as a
	# mechanism mismatch: every attempt is counted as one or the other.
	[ $(( $(counter "$(T err)" curve_refused_no_encryption) + $(counter "$(T err)" curve_refused_other) )) -ge 1 ]
	assert_equal "$(counter "$(T err)" curve_refused_wrong_key)" 0
}

@test "curve: a client with a wrong server key is refused and counted" {
	collect "-k $K/srv" "-k $K/other/zmq-key.pub"
	assert_equal "$LINES" 0
	assert_equal "$EMRC" 1
	assert_equal "$(counter "$(T err)" curve_accepted)" 0
	[ "$(counter "$(T err)" curve_refused_wrong_key)" -ge 1 ]
}

@test "curve: with an allow-list, a listed client key gets in" {
	collect "-k $K/srv -a $K/allow" "-k $K/srv -K $K/cli"
	assert_equal "$LINES" 8
	assert_equal "$(counter "$(T err)" curve_accepted)" 1
}

@test "curve: with an allow-list, unlisted and throw-away client keys are refused" {
	collect "-k $K/srv -a $K/allow" "-k $K/srv -K $K/other"
	assert_equal "$LINES" 0
	assert_equal "$EMRC" 1
	[ "$(counter "$(T err)" curve_refused_not_allowed)" -ge 1 ]
	collect "-k $K/srv -a $K/allow" "-k $K/srv"
	assert_equal "$LINES" 0
	[ "$(counter "$(T err)" curve_refused_not_allowed)" -ge 1 ]
}

@test "curve: bad key options exit 2 with a message" {
	run zmq-ingest -k "$K/nonexistent" "ipc://$BATS_TEST_TMPDIR/x"
	assert_failure 2
	assert_output --partial "-k:"
	run zmq-ingest -a "$K/allow" "ipc://$BATS_TEST_TMPDIR/x"
	assert_failure 2
	assert_output --partial "-a needs -k"
	run ev-emit -k "not-a-key" "ipc://$BATS_TEST_TMPDIR/x" /dev/null
	assert_failure 2
	assert_output --partial "-k:"
}
