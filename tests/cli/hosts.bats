# Stages across hosts: three hosts as network namespaces on veth pairs
# (documentation addresses, no route out). The client host and the server
# host each run an agent (ev-emit) that sends its half of the demo's eBPF
# events to the collector host, where zmq-ingest takes them and ev-route
# shards them, with the mirrored packets, over flow-agg instances.
# Every event must arrive exactly once, and the sharded flows must equal
# the unsharded ones. Needs root (ip netns).
setup() {
	load helper
	[ "$(id -u)" = 0 ] || skip "needs root for ip netns"
	command -v ip >/dev/null || skip "needs iproute2"
	NS="evt$$"
	for h in a b c; do ip netns add "$NS$h"; ip -n "$NS$h" link set lo up; done
	ip link add va netns "${NS}a" type veth peer name ca netns "${NS}c"
	ip link add vb netns "${NS}b" type veth peer name cb netns "${NS}c"
	ip -n "${NS}a" addr add 198.51.100.2/30 dev va
	ip -n "${NS}c" addr add 198.51.100.1/30 dev ca
	ip -n "${NS}b" addr add 198.51.100.6/30 dev vb
	ip -n "${NS}c" addr add 198.51.100.5/30 dev cb
	ip -n "${NS}a" link set va up; ip -n "${NS}c" link set ca up
	ip -n "${NS}b" link set vb up; ip -n "${NS}c" link set cb up
	EV="$TOP/pipelines/demo/events.ndjson"
	W="$BATS_TEST_TMPDIR"
	grep '"CONNECT"' "$EV" > "$W/client.ndjson"
	grep '"ACCEPT"' "$EV" > "$W/server.ndjson"
}

teardown() {
	for h in a b c; do ip netns del "$NS$h" 2>/dev/null || true; done
}

@test "hosts: two agents, one collector, every event once, sharded flows equal unsharded" {
	local zmq="tcp://*:5556c"
	ip netns exec "${NS}c" zmq-ingest -q -c 8 -t 20s "$zmq" > "$W/events.ndjson" 2> "$W/zi.err" &
	local zi=$!
	sleep 0.3
	ip netns exec "${NS}a" ev-emit -q -w 10s -s 1 "tcp://198.51.100.1:5556c" "$W/client.ndjson" &
	ip netns exec "${NS}b" ev-emit -q -w 10s -s 2 "tcp://198.51.100.5:5556c" "$W/server.ndjson" &
	wait "$zi"
	wait
	# Exactly once: the 8 events, each as sent (producer keys untouched;
	# ev-emit sends NW_LATENCY_MS as ntopng reads it, by the event type).
	run jq -s 'length' "$W/events.ndjson"
	assert_output 8
	lat='if has("NW_LATENCY_MS") then (if .TCP_EVENT_TYPE == "ACCEPT"
	    then .SERVER_NW_LATENCY_MS else .CLIENT_NW_LATENCY_MS end) =
	    (.NW_LATENCY_MS | tonumber) | del(.NW_LATENCY_MS) else . end'
	diff <(jq -cS 'with_entries(select(.key | startswith("_") | not))' "$W/events.ndjson" | sort) \
	     <(jq -cS "$lat" "$EV" | sort)
	assert_equal "$(jq -r '.counters.missing_messages' "$W/zi.err")" 0
	assert_equal "$(jq -r '.counters.sources' "$W/zi.err")" 2

	# The collector host routes events and the mirrored packets, sharded
	# in three, and also unsharded, and aggregates each. The shard key is
	# the address pair: the demo's two host pairs (IPv4, IPv6) land on
	# shards 0 and 2.
	pcap-ingest -q -r "$TOP/pipelines/demo/demo.pcap=mirror0" > "$W/packets.ndjson"
	ev-route -q -i eth0 -i mirror0 -m mirror0 -c "$zmq=mirror0" -S 3 -O "$W/shard-%d.ndjson" \
		"$W/events.ndjson" "$W/packets.ndjson"
	ev-route -q -i eth0 -i mirror0 -m mirror0 -c "$zmq=mirror0" \
		"$W/events.ndjson" "$W/packets.ndjson" > "$W/all.ndjson"
	[ -s "$W/shard-0.ndjson" ]
	[ ! -s "$W/shard-1.ndjson" ]
	[ -s "$W/shard-2.ndjson" ]
	assert_equal "$(cat "$W"/shard-*.ndjson | wc -l)" "$(wc -l < "$W/all.ndjson")"
	for i in 0 1 2; do flow-agg -q "$W/shard-$i.ndjson" > "$W/flows-$i.ndjson"; done
	flow-agg -q "$W/all.ndjson" > "$W/flows-all.ndjson"
	jq -cS 'select(._type == "flow")' "$W"/flows-[012].ndjson | sort > "$W/sharded"
	jq -cS 'select(._type == "flow")' "$W/flows-all.ndjson" | sort > "$W/unsharded"
	run diff "$W/sharded" "$W/unsharded"
	assert_success
	# The mirror's 4 flows name both processes on each shard's side.
	assert_equal "$(jq -s 'map(select(._iface == "mirror0" and .SRC_PROC_PID and .DST_PROC_PID)) | length' "$W/unsharded")" 4
}
