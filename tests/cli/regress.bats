setup() { load helper; }

# Regression tests for crashes and failures found by the hardening work
# (fuzzing, valgrind, fault injection). Each test names what it
# guards against.

@test "regress: evpipe stages start czmq from several threads without tripping its init race" {
	need evpipe
	command -v valgrind >/dev/null || skip "valgrind not installed"
	if grep -q __asan_init "$(command -v evpipe)"; then
		skip "an ASan build does not run under valgrind"
	fi
	# valgrind runs one thread at a time, which makes the race between
	# the stage threads' first czmq calls (zsys_init from two threads:
	# "zsys_set_thread_name_prefix_str: Assertion s_open_sockets == 0")
	# happen every time.
	run valgrind --tool=none -q evpipe pcap-ingest -r "$PCAPS/dns_tcp.pcap" \
	    '|' flow-agg
	[ "$status" -eq 0 ]
	refute_output --partial "Assertion"
	assert_output --partial '"_type":"flow"'
}

@test "regress: evpipe reads a pipeline written as one shell-like string" {
	need evpipe
	run evpipe "pcap-ingest -r $PCAPS/dns_tcp.pcap | flow-agg"
	[ "$status" -eq 0 ]
	refute_output --partial "empty stage"
	assert_output --partial '"_type":"flow"'
}

@test "regress: flow-agg takes absurd times (seconds past the year 9999) without overflow" {
	# Found by fuzz_flowagg in CI: "timestamp" seconds times 10^6
	# overflowed int64 (UBSan). Such a time is ignored, the next one
	# (_rx, the flow's own times) is used, and the record still counts.
	printf '%s\n' \
	    '{"_type":"event","_event":"flow","_iface":"x","_rx":1718031245.5,"timestamp":"17957958440793278.5","INTERFACE_NAME":"eth0","TCP_EVENT_TYPE":"CONNECT","IPV4_SRC_ADDR":"10.0.0.1","IPV4_DST_ADDR":"10.0.0.2","PROTOCOL":6,"L4_SRC_PORT":1000,"L4_DST_PORT":80}' \
	    '{"_type":"event","_event":"flow","_iface":"x","_rx":1718031246,"LAST_SWITCHED":1e300,"FIRST_SWITCHED":-5,"IPV4_SRC_ADDR":"10.0.0.3","IPV4_DST_ADDR":"10.0.0.4","PROTOCOL":17,"L4_SRC_PORT":53,"L4_DST_PORT":53,"IN_PKTS":1,"IN_BYTES":60}' \
	    > "$BATS_TEST_TMPDIR/in"
	run flow-agg -q "$BATS_TEST_TMPDIR/in"
	assert_success
	[ "$(echo "$output" | grep -c '"_type":"flow"')" -eq 2 ]
	refute_output --partial "runtime error"
}
