setup() { load helper; }

# nats:// sinks and inputs against real nats-server processes (started
# here on free loopback ports, stores in the test's temporary folder,
# stopped in teardown): URL errors, set-up errors, exact round trips,
# sharding into flow-agg consumers, restarts and outages.

teardown() {
	local f
	for f in "$BATS_TEST_TMPDIR"/*.pid "$BATS_TEST_TMPDIR"/c/*.pid; do
		[ -f "$f" ] || continue
		kill -9 "$(cat "$f")" 2>/dev/null || true
		wait "$(cat "$f")" 2>/dev/null || true
	done
}

need_nats() {
	command -v nats-server >/dev/null || skip "no nats-server"
	command -v jq >/dev/null || skip "no jq"
}

# Starts node $1 from its config file $(T $1.conf), or a single node on
# port $2; waits until it accepts clients.
nats_start() {
	local name=$1 before
	# Ready means one more "Server is ready" in its log than before: an
	# empty log (the server not even started yet) must not count.
	before=$(grep -c 'Server is ready' "$(T "$name.log")" 2>/dev/null || true)
	if [ -f "$(T "$name.conf")" ]; then
		nats-server -c "$(T "$name.conf")" >> "$(T "$name.log")" 2>&1 \
		    3>&- 5>&- &
	else
		nats-server -a 127.0.0.1 -p "$2" -js -sd "$(T "$name.store")" \
		    >> "$(T "$name.log")" 2>&1 3>&- 5>&- &
	fi
	echo $! > "$(T "$name.pid")"
	wait_for "[ \$(grep -c 'Server is ready' '$(T "$name.log")') -gt \
	    ${before:-0} ]"
}

nats_kill() {
	kill "-${2:-9}" "$(cat "$(T "$1.pid")")"
	wait "$(cat "$(T "$1.pid")")" 2>/dev/null || true
	rm -f "$(T "$1.pid")"
}

# Sum of counter $2 over the JSON objects of tool $3 in file(s) $1.
jsum() {
	grep -h '^{"tool"' $1 | jq -s "[.[] | select(.tool == \"$3\") |
	    .counters.$2] | add // 0"
}

# The flows of flow-agg outputs $@, without the end reason, sorted.
flows() {
	cat "$@" | grep '"_type":"flow"' | jq -cS 'del(.FLOW_END_REASON)' |
	    sort
}

# Per address pair (direction-free), protocol and interface: total bytes
# and packets, sorted, from flow-agg outputs $@. Not per port: across a
# stream leader change a producer's messages already in flight may be
# stored out of order (man/evpipe.7, NATS JetStream), and flow-agg then
# joins a later IP fragment to another flow of the same pair.
flow_totals() {
	cat "$@" | grep '"_type":"flow"' | jq -c '[([
	    .IPV4_SRC_ADDR // .IPV6_SRC_ADDR, .IPV4_DST_ADDR // .IPV6_DST_ADDR] |
	    sort), .PROTOCOL, ._iface, .IN_BYTES + .OUT_BYTES,
	    .IN_PKTS + .OUT_PKTS]' |
	    jq -sc 'group_by(.[0:3])[] | [.[0][0:3], (map(.[3]) | add),
	    (map(.[4]) | add)]' | sort
}

# The latest "records" counter of each flow-agg stderr file in $@, summed
# (SIGUSR1 makes them print).
records_now() {
	local f t=0 v
	for f in "$@"; do
		v=$(grep -h '^{"tool":"flow-agg"' "$f" 2>/dev/null | tail -1 |
		    jq '.counters.records_in // 0')
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# The name of the node that leads stream $2, asked of monitoring port $1.
stream_leader() {
	curl -s "http://127.0.0.1:$1/jsz?streams=true" |
	    jq -r ".account_details[0].stream_detail[] |
	    select(.name == \"$2\") | .cluster.leader // empty"
}

# The leader of stream $1 as the first node that knows it says, from the
# monitoring ports ${P[6]}, ${P[7]}, ${P[8]}; empty while there is none.
any_stream_leader() {
	local i l
	for i in 6 7 8; do
		l=$(stream_leader "${P[$i]}" "$1")
		[ -n "$l" ] && break
	done
	echo "$l"
}

# For a test that timed out: what each node says of stream $1 and its
# consumers (monitoring ports ${P[6]}, ${P[7]}, ${P[8]}); whether readers
# $2 (pids) still run; then, once they are asked to exit, what each said
# in its stderr file ($3, same order) besides its counters, and its last
# records_in. All on stderr, where the test's failure shows it.
nats_diag() {
	local i p f
	for i in 6 7 8; do
		echo "node on ${P[$i]}:"
		curl -s -m 5 "http://127.0.0.1:${P[$i]}/jsz?consumers=true" |
		    jq -c ".account_details[0].stream_detail[]? |
		    select(.name == \"$1\") | {leader: .cluster.leader,
		    state: (.state | {messages, first_seq, last_seq}),
		    consumers: [.consumer_detail[]? | {name,
		    leader: .cluster.leader, delivered, ack_floor,
		    num_ack_pending, num_redelivered, num_waiting,
		    num_pending}]}"
	done
	for p in $2; do
		if kill -0 "$p" 2>/dev/null; then echo "reader $p runs"
		else echo "reader $p had exited"; fi
	done
	kill -TERM $2 2>/dev/null
	for p in $2; do wait "$p" 2>/dev/null; done
	for f in $3; do
		echo "$f:"
		grep -hv '^{"tool":"flow-agg"' "$f" | tail -n 5
		grep -h '^{"tool":"flow-agg"' "$f" | tail -1 |
		    jq -c '.counters | {records_in}'
	done
} >&2

# $1 distinct free ports.
free_ports() {
	local -A seen=()
	local p n=0
	while [ "$n" -lt "$1" ]; do
		p=$(free_port)
		[ -n "${seen[$p]:-}" ] && continue
		seen[$p]=1
		echo "$p"
		n=$((n + 1))
	done
}

# The pipe chain's flows for input $1.
ref_flows() {
	flow-agg "$1" 2>/dev/null > "$(T ref.out)"
	flows "$(T ref.out)"
}

# A few thousand packet records from the capture collection.
make_input() {
	local p
	for p in 1kxun KakaoTalk_talk bot dns_fragmented ip_fragmented_garbage \
	    reddit; do
		pcap-ingest -r "$PCAPS/$p.pcap" 2>/dev/null
	done > "$1"
}

@test "nats: malformed URLs are usage errors (exit 2)" {
	for u in 'nats://' 'nats:///s' 'nats://h:0/s' 'nats://h:70000/s' \
	    'nats://h:x/s' 'nats://,h/s' 'nats://h/a..b' 'nats://h/a.*' \
	    'nats://h/a/b' 'nats://h/s?replicas=9' 'nats://h/s?bogus=1' \
	    'nats://h/s?stream=a.b' 'nats://h/s?linger=x'; do
		run flow-agg -o "$u" /dev/null
		[ "$status" -eq 2 ]
		[[ $output == *"expected nats://HOST:PORT"* ]]
	done
	for u in 'nats://h/s' 'nats://h/s/c/d' 'nats://h/s.x/c' \
	    'nats://h/s/c?ack=never' 'nats://h/s/c?batch=0' \
	    'nats://h/s/c?subject=a..b' 'nats://h/s/c?ack_wait=0'; do
		run flow-agg "$u"
		[ "$status" -eq 2 ]
		[[ $output == *"/STREAM/CONSUMER"* ]]
	done
}

@test "nats: an unreachable server at start is a runtime failure (exit 1)" {
	need_nats
	port=$(free_port)
	run flow-agg -o "nats://127.0.0.1:$port/x" /dev/null
	[ "$status" -eq 1 ]
	[[ $output == *"cannot connect to nats://127.0.0.1:$port"* ]]
	run ev-show "nats://127.0.0.1:$port,127.0.0.1:$port/S/c"
	[ "$status" -eq 1 ]
	[[ $output == *"cannot connect"* ]]
}

@test "nats: a stream with other settings is refused with a clear error" {
	need_nats
	port=$(free_port)
	nats_start n1 "$port"
	echo '{"a":1}' > "$(T one)"
	run flow-agg -o "nats://127.0.0.1:$port/ev.x" /dev/null
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run flow-agg -o "nats://127.0.0.1:$port/ev.x?replicas=3" /dev/null
	[ "$status" -eq 2 ] || { echo "$output"; false; }
	[[ $output == *"stream ev exists with other settings"*"1 replicas"* ]]
	run flow-agg -o "nats://127.0.0.1:$port/other.x?stream=ev" /dev/null
	[ "$status" -eq 2 ]
	[[ $output == *"subjects do not cover"* ]]
	# An input on a stream that does not exist, and cannot be made
	# without a subject.
	run flow-agg "nats://127.0.0.1:$port/nosuch/c"
	[ "$status" -eq 2 ]
	[[ $output == *"no such stream"* ]]
}

@test "nats: one node, ev-route -S 4 into 4 flow-agg consumers: the pipe chain's flows, exact counts" {
	need_nats
	port=$(free_port)
	nats_start n1 "$port"
	make_input "$(T in)"
	n=$(wc -l < "$(T in)")
	ev-route -q -S 4 -O "nats://127.0.0.1:$port/evpipe.shard.%d" \
	    "$(T in)" 2> "$(T route.err)"
	[ "$(jsum "$(T route.err)" nats_records nats-sink)" -eq "$n" ]
	[ "$(jsum "$(T route.err)" nats_unconfirmed nats-sink)" -eq 0 ]
	[ "$(jsum "$(T route.err)" nats_resent nats-sink)" -eq 0 ]
	for i in 0 1 2 3; do
		flow-agg -o "$(T agg$i.out)" \
		    "nats://127.0.0.1:$port/evpipe/agg$i?subject=evpipe.shard.$i&idle_exit=1s" \
		    2> "$(T agg$i.err)" &
		echo $! > "$(T agg$i.pid)"
	done
	for i in 0 1 2 3; do wait "$(cat "$(T agg$i.pid)")"; done
	rm -f "$(T)"/agg?.pid
	[ "$(jsum "$(T)/agg?.err" records_in flow-agg)" -eq "$n" ]
	[ "$(jsum "$(T)/agg?.err" nats_duplicates_skipped nats-input)" -eq 0 ]
	ref_flows "$(T in)" > "$(T ref)"
	flows "$(T)"/agg?.out > "$(T got)"
	[ "$(wc -l < "$(T ref)")" -gt 300 ]
	diff "$(T ref)" "$(T got)"
	# Acked at exit: a second run of the same consumers gets nothing.
	flow-agg "nats://127.0.0.1:$port/evpipe/agg0?idle_exit=1s" \
	    > "$(T again)" 2> "$(T again.err)"
	[ "$(jsum "$(T again.err)" nats_messages nats-input)" -eq 0 ]
	# ev-show reads the same stream through a consumer of its own.
	ev-show -b "nats://127.0.0.1:$port/evpipe/show?idle_exit=1s" \
	    > "$(T show)" 2>/dev/null
	[ -s "$(T show)" ]
}

@test "nats: flow-agg killed with SIGKILL and restarted writes the flows of one that never died" {
	need_nats
	port=$(free_port)
	nats_start n1 "$port"
	make_input "$(T in)"
	n=$(wc -l < "$(T in)")
	ev-route -q -S 2 -O "nats://127.0.0.1:$port/k.shard.%d" "$(T in)" \
	    2>/dev/null
	url="nats://127.0.0.1:$port/k/agg0?subject=k.shard.0&batch=1&idle_exit=2s"
	flow-agg -o "$(T dead.out)" "$url" 2> "$(T dead.err)" &
	pid=$!
	# Killed once it has taken some of its records (SIGUSR1: counters).
	wait_for "usr1_ready $pid"
	wait_for "kill -USR1 $pid; sleep 0.1; \
	    [ \$(grep -h '^{\"tool\":\"flow-agg\"' '$(T dead.err)' | tail -1 |
	    jq .counters.records_in) -gt 0 ] 2>/dev/null"
	kill -9 "$pid"
	wait "$pid" || true
	flow-agg -o "$(T agg0.out)" "$url" 2> "$(T agg0.err)"
	flow-agg -o "$(T agg1.out)" \
	    "nats://127.0.0.1:$port/k/agg1?subject=k.shard.1&idle_exit=2s" \
	    2> "$(T agg1.err)"
	[ "$(jsum "$(T agg0.err)" nats_consumer_restarted nats-input)" -eq 1 ]
	[ "$(jsum "$(T)/agg?.err" records_in flow-agg)" -eq "$n" ]
	ref_flows "$(T in)" > "$(T ref)"
	flows "$(T agg0.out)" "$(T agg1.out)" > "$(T got)"
	diff "$(T ref)" "$(T got)"
}

# A consumer recreated to start after its ack floor reports a floor of 0
# until its first ack; a reader killed before that one must not make the
# next start from sequence 1, reading again what was acknowledged.
@test "nats: a reader killed twice before acking reads nothing acknowledged again" {
	need_nats
	port=$(free_port)
	nats_start n1 "$port"
	make_input "$(T in)"
	head -n 1000 "$(T in)" > "$(T a)"
	tail -n +1001 "$(T in)" > "$(T b)"
	nb=$(wc -l < "$(T b)")
	sink="*=nats://127.0.0.1:$port/twice.x"
	url="nats://127.0.0.1:$port/twice/agg?subject=twice.x&batch=1&idle_exit=2s"
	ev-route -q -o "$sink" "$(T a)" 2>/dev/null
	# A clean exit acknowledges all of a.
	flow-agg -o /dev/null "$url" 2> "$(T first.err)"
	[ "$(jsum "$(T first.err)" records_in flow-agg)" -eq 1000 ]
	ev-route -q -o "$sink" "$(T b)" 2>/dev/null
	# Killed twice once it has read some of b; the second start restarts
	# the consumer after a's floor.
	for k in 1 2; do
		flow-agg -o /dev/null "$url" 2> "$(T kill$k.err)" &
		pid=$!
		wait_for "usr1_ready $pid"
		wait_for "kill -USR1 $pid; sleep 0.1; \
		    [ \$(records_now '$(T kill$k.err)') -gt 0 ]"
		kill -9 "$pid"
		wait "$pid" || true
	done
	flow-agg -o /dev/null "$url" 2> "$(T last.err)"
	[ "$(jsum "$(T last.err)" nats_consumer_restarted nats-input)" -eq 1 ]
	[ "$(jsum "$(T last.err)" records_in flow-agg)" -eq "$nb" ]
}

@test "nats: the server stopped for 10 s mid-stream: the producer blocks, resumes, nothing lost" {
	need_nats
	port=$(free_port)
	nats_start n1 "$port"
	make_input "$(T in)"
	n=$(wc -l < "$(T in)")
	half=$((n / 2))
	mkfifo "$(T fifo)"
	# A window of 2 messages: the second half cannot all be in flight.
	ev-route -q -S 1 -O "0=nats://127.0.0.1:$port/stop.all?window=2" \
	    "$(T fifo)" 2> "$(T route.err)" &
	rpid=$!
	exec 5> "$(T fifo)"
	wait_for "usr1_ready $rpid"
	head -n "$half" "$(T in)" >&5
	# Every record of the first half stored before the outage.
	wait_for "kill -USR1 $rpid; sleep 0.1; grep -q '\"records_out\":$half,' '$(T route.err)'"
	nats_kill n1 TERM
	# The writer blocks too once ev-route stops reading: in background.
	tail -n +"$((half + 1))" "$(T in)" >&5 &
	wpid=$!
	exec 5>&-
	sleep 10	# the outage itself, not a synchronisation
	kill -0 "$rpid"	# still running, blocked on its window
	nats_start n1 "$port"
	wait "$wpid"
	wait "$rpid"
	[ "$(jsum "$(T route.err)" nats_unconfirmed nats-sink)" -eq 0 ]
	[ "$(jsum "$(T route.err)" nats_blocked_ms nats-sink)" -gt 0 ]
	flow-agg -o "$(T got.out)" \
	    "nats://127.0.0.1:$port/stop/agg?idle_exit=2s" 2> "$(T agg.err)"
	[ "$(jsum "$(T agg.err)" records_in flow-agg)" -eq "$n" ]
	ref_flows "$(T in)" > "$(T ref)"
	flows "$(T got.out)" | diff "$(T ref)" -
}

# 1M events would take minutes of CI time; this runs ~53k records (the
# captures repeated), about 16 s here on 2 loaded cores; make bench runs
# up to 1M records (tests/bench/nats.sh).
@test "nats: three nodes R3, 2 producers, 4 flow-agg shards, kill -9 of a flow-agg and of the stream leader: every record once, the pipe chain's totals" {
	need_nats
	command -v curl >/dev/null || skip "no curl"
	mapfile -t P < <(free_ports 9)
	S=$("$TOP/pipelines/nats/start.sh" "$(T c)" "${P[@]}")
	S=${S#nats://}
	# Ready when an R3 stream can be made (a meta leader was elected).
	wait_for "flow-agg -o 'nats://$S/probe.x?replicas=3' /dev/null \
	    2>/dev/null" 90
	make_input "$(T one)"
	for i in 1 2 3 4 5; do cat "$(T one)"; done > "$(T a)"
	for i in 1 2 3 4 5; do head -n 2000 "$(T one)"; done |
	    sed 's/"_iface":"/"_iface":"hostb-/' > "$(T b)"
	n=$(cat "$(T a)" "$(T b)" | wc -l)
	for i in 0 1 2 3; do
		flow-agg -o "$(T agg$i.out)" \
		    "nats://$S/ev/agg$i?subject=ev.shard.$i&replicas=3" \
		    2> "$(T agg$i.err)" &
		echo $! > "$(T agg$i.pid)"
	done
	for h in a b; do
		ev-route -q -S 4 -O "nats://$S/ev.shard.%d?replicas=3&window=4" \
		    "$(T $h)" 2> "$(T prod-$h.err)" &
		echo $! > "$(T prod-$h.pid)"
	done
	pa=$(cat "$(T prod-a.pid)")
	# The stream leader dies while producer a is mid-way.
	wait_for "usr1_ready $pa"
	wait_for "kill -USR1 $pa; sleep 0.2; \
	    [ \$(grep -h '^{\"tool\":\"ev-route\"' '$(T prod-a.err)' |
	    tail -1 | jq .counters.records_out) -gt 1000 ] 2>/dev/null"
	# Any node names the leader once the stream's group has one (an
	# election may be under way at this moment).
	wait_for "leader=\$(any_stream_leader ev) && [ -n \"\$leader\" ]"
	kill -9 "$(cat "$(T c)/$leader.pid")"
	rm -f "$(T c)/$leader.pid"
	# And flow-agg 1 dies once it has read something.
	a1=$(cat "$(T agg1.pid)")
	wait_for "usr1_ready $a1"
	wait_for "kill -USR1 $a1; sleep 0.2; \
	    [ \$(records_now '$(T agg1.err)') -gt 0 ]" 120
	kill -9 "$a1"
	wait "$a1" || true
	flow-agg -o "$(T agg1b.out)" \
	    "nats://$S/ev/agg1?subject=ev.shard.1&replicas=3" \
	    2> "$(T agg1b.err)" &
	echo $! > "$(T agg1.pid)"
	for h in a b; do
		wait "$(cat "$(T prod-$h.pid)")"
		rm -f "$(T prod-$h.pid)"
	done
	# The dead node stays down: two of three nodes keep the quorum.
	# Brought back, nats-server 2.9.10's node made 3 of about 200 runs
	# here lose a message; in the two examined it came back with a copy
	# of the stream that stopped short of its end, or that lacked a
	# message and numbered every later one differently from the other two
	# copies, and a consumer it led never sent that message. man/evpipe.7 (NATS JetStream) says what readers do about
	# it, and what they cannot.
	live="$(T agg0.err) $(T agg1b.err) $(T agg2.err) $(T agg3.err)"
	pids="$(cat "$(T agg0.pid)" "$(T agg1.pid)" "$(T agg2.pid)" \
	    "$(T agg3.pid)")"
	for p in $pids; do wait_for "usr1_ready $p"; done
	wait_for "kill -USR1 $(echo $pids); sleep 0.3; \
	    [ \$(records_now $live) -eq $n ]" 180 || {
		echo "wanted $n records" >&2
		nats_diag ev "$pids" "$live"
		false
	}
	kill -TERM $pids
	for p in $pids; do wait "$p"; done
	rm -f "$(T)"/agg?.pid
	errs="$(T prod-a.err) $(T prod-b.err)"
	[ "$(jsum "$errs" nats_records nats-sink)" -eq "$n" ]
	[ "$(jsum "$errs" nats_unconfirmed nats-sink)" -eq 0 ]
	# Every record reached one flow-agg exactly once (the counters at
	# exit; SIGUSR1 printed earlier ones).
	[ "$(records_now $live)" -eq "$n" ]
	# Restarted from its ack floor (1), or not needed (0): when the
	# consumer's own leader died too, the new one may have lost what it
	# had delivered to the killed reader, and sends it again by itself.
	# The exact restart is the one-node test's; here every record came
	# once either way (above).
	[ "$(jsum "$(T agg1b.err)" nats_consumer_restarted nats-input)" -le 1 ]
	for c in nats_resent nats_duplicates; do
		[ "$(jsum "$errs" $c nats-sink)" != null ]
	done
	for c in nats_redelivered nats_duplicates_skipped; do
		[ "$(jsum "$live" $c nats-input)" != null ]
	done
	cat "$(T a)" "$(T b)" > "$(T all)"
	flow-agg "$(T all)" > "$(T ref.out)" 2>/dev/null
	flow_totals "$(T ref.out)" > "$(T ref)"
	flow_totals "$(T)"/agg0.out "$(T agg1b.out)" "$(T)"/agg2.out \
	    "$(T)"/agg3.out > "$(T got)"
	diff "$(T ref)" "$(T got)"
	grep -h '^{"tool":"nats' $errs $live >&3 || true
}
