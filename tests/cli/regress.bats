setup() { load helper; }

# Regression tests for crashes and failures found by the hardening work
# (issue 8): fuzzing, valgrind, fault injection. Each test names what it
# guards against.

T() { echo "$BATS_TEST_TMPDIR/$1"; }

need() {
	command -v "$1" >/dev/null || skip "$1 not built"
}

@test "regress: evpipe stages start czmq from several threads without tripping its init race" {
	need evpipe
	command -v valgrind >/dev/null || skip "valgrind not installed"
	! grep -q __asan_init "$(command -v evpipe)" ||
	    skip "an ASan build does not run under valgrind"
	# valgrind runs one thread at a time, which makes the race between
	# the stage threads' first czmq calls (zsys_init from two threads:
	# "zsys_set_thread_name_prefix_str: Assertion s_open_sockets == 0")
	# happen every time.
	run valgrind --tool=none -q evpipe pcap-ingest -r "$SHARED/pcaps/dns_tcp.pcap" \
	    '|' flow-agg
	[ "$status" -eq 0 ]
	refute_output --partial "Assertion"
	assert_output --partial '"_type":"flow"'
}

@test "regress: evpipe reads a pipeline written as one shell-like string" {
	need evpipe
	run evpipe "pcap-ingest -r $SHARED/pcaps/dns_tcp.pcap | flow-agg"
	[ "$status" -eq 0 ]
	refute_output --partial "empty stage"
	assert_output --partial '"_type":"flow"'
}
