setup() { load helper; }

# ev-keygen tests: ntopng-compatible key files, the hex form nProbe takes,
# conversions, refusals, and (once zmq-ingest has -k) a producer that
# encrypts to the generated key getting through while others do not.

@test "ev-keygen: usage errors exit 2" {
	run ev-keygen extra
	[ "$status" -eq 2 ]
	assert_output --partial "usage: ev-keygen"
	run ev-keygen -p a -s b
	[ "$status" -eq 2 ]
	run ev-keygen -d . -p a
	[ "$status" -eq 2 ]
	run ev-keygen -Q
	[ "$status" -eq 2 ]
}

@test "ev-keygen: writes zmq-key.pub and zmq-key.priv as ntopng, prints the hex public key" {
	run ev-keygen -d "$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ]
	[ "$(stat -c %s "$(T zmq-key.pub)")" -eq 40 ]
	[ "$(stat -c %s "$(T zmq-key.priv)")" -eq 40 ]
	[ "$(stat -c %a "$(T zmq-key.priv)")" = 600 ]
	[ "$(stat -c %a "$(T zmq-key.pub)")" = 644 ]
	# The hex of the Z85 text, as ntopng shows it.
	want=$(od -An -tx1 "$(T zmq-key.pub)" | tr -d ' \n')
	[ "${#want}" -eq 80 ]
	assert_output "$want"
	# Every character of the files is Z85.
	[ "$(LC_ALL=C grep -c '[^]0-9a-zA-Z.:+=^!/*?&<>()[{}@%$#-]' "$(T zmq-key.pub)")" -eq 0 ]
	[ "$(LC_ALL=C grep -c '[^]0-9a-zA-Z.:+=^!/*?&<>()[{}@%$#-]' "$(T zmq-key.priv)")" -eq 0 ]
}

@test "ev-keygen: -d creates a missing folder, mode 0700; a missing parent is an error" {
	run ev-keygen -d "$(T keys)"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$(T keys)")" = 700 ]
	[ "$(stat -c %s "$(T keys/zmq-key.pub)")" -eq 40 ]
	[ "$(stat -c %s "$(T keys/zmq-key.priv)")" -eq 40 ]
	run ev-keygen -d "$(T no/such)"
	[ "$status" -eq 1 ]
	assert_output "ev-keygen: cannot create $(T no/such): No such file or directory"
}

@test "ev-keygen: the current directory by default; never overwrites without -f" {
	cd "$BATS_TEST_TMPDIR"
	run ev-keygen
	[ "$status" -eq 0 ]
	first=$(cat zmq-key.pub)
	run ev-keygen
	[ "$status" -eq 1 ]
	assert_output --partial "already there"
	[ "$(cat zmq-key.pub)" = "$first" ]
	chmod 644 zmq-key.priv
	run ev-keygen -f
	[ "$status" -eq 0 ]
	[ "$(cat zmq-key.pub)" != "$first" ]
	[ "$(stat -c %a zmq-key.priv)" = 600 ]
}

@test "ev-keygen: -s derives the public key from the secret; -p converts both ways" {
	ev-keygen -d "$BATS_TEST_TMPDIR" > "$(T hex)"
	z=$(cat "$(T zmq-key.pub)")
	run ev-keygen -z -s "$BATS_TEST_TMPDIR"
	assert_output "$z"
	run ev-keygen -s "$(T zmq-key.priv)"
	assert_output "$(cat "$(T hex)")"
	run ev-keygen -z -p "$(cat "$(T hex)")"
	assert_output "$z"
	run ev-keygen -p "$z"
	assert_output "$(cat "$(T hex)")"
	run ev-keygen -z -p "$(T zmq-key.pub)"
	assert_output "$z"
	run ev-keygen -z -p "$BATS_TEST_TMPDIR"
	assert_output "$z"
	# Upper-case hex reads the same.
	run ev-keygen -z -p "$(tr a-f A-F < "$(T hex)")"
	assert_output "$z"
}

@test "ev-keygen: bad keys and files exit 1 with a message" {
	run ev-keygen -p not-a-key
	[ "$status" -eq 1 ]
	assert_output --partial "not-a-key: neither a key"
	printf 'short\n' > "$(T bad)"
	run ev-keygen -s "$(T bad)"
	[ "$status" -eq 1 ]
	assert_output --partial "not a CURVE key"
	run ev-keygen -s "$(T missing)"
	[ "$status" -eq 1 ]
	assert_output --partial "No such file"
	run ev-keygen -d "$(T missing/keys)"
	[ "$status" -eq 1 ]
	[ ! -e "$(T missing)" ]
}

@test "ev-keygen: a producer encrypting to the key gets into zmq-ingest -k; others do not" {
	zmq-ingest -k 2>&1 | grep -q "requires an argument" ||
	    skip "zmq-ingest has no -k yet"
	ev-keygen -d "$BATS_TEST_TMPDIR" > /dev/null
	port=$(free_port)
	ep="tcp://127.0.0.1:${port}c"
	zmq-ingest -k "$BATS_TEST_TMPDIR" -t 3s "$ep" > "$(T out)" \
	    2> "$(T err)" 3>&- &
	zi=$!
	ev-emit -q -k "$(ev-keygen -z -p "$BATS_TEST_TMPDIR")" "$ep" \
	    "$DATA/zmq-events.ndjson" 2>/dev/null
	ev-emit -q -w 1s "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null || true
	wait "$zi"
	[ "$(wc -l < "$(T out)")" -eq 15 ]
}
