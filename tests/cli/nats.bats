setup() { load helper; }

# nats:// sinks and inputs against real nats-server processes (started
# here on free loopback ports, stores in the test's temporary folder,
# stopped in teardown): URL errors, set-up errors, exact round trips,
# sharding into flow-agg consumers, restarts and outages.

T() { echo "$BATS_TEST_TMPDIR/$1"; }

teardown() {
	local f
	for f in "$BATS_TEST_TMPDIR"/*.pid; do
		[ -f "$f" ] || continue
		kill -9 "$(cat "$f")" 2>/dev/null || true
		wait "$(cat "$f")" 2>/dev/null || true
	done
}

need_nats() {
	command -v nats-server >/dev/null || skip "no nats-server"
	command -v jq >/dev/null || skip "no jq"
}

# Waits up to $2 seconds (default 60) for command $1 to succeed.
wait_for() {
	local i n=$((${2:-60} * 10))
	for ((i = 0; i < n; i++)); do
		eval "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $1" >&2
	return 1
}

# True once process $1 catches SIGUSR1 (its handlers are installed).
usr1_ready() {
	local m
	m=$(awk '/^SigCgt/ { print $2 }' "/proc/$1/status" 2>/dev/null) ||
	    return 1
	[ -n "$m" ] && (( 0x$m & 0x200 ))
}

# Starts node $1 from its config file $(T $1.conf), or a single node on
# port $2; waits until it accepts clients.
nats_start() {
	local name=$1
	if [ -f "$(T "$name.conf")" ]; then
		nats-server -c "$(T "$name.conf")" >> "$(T "$name.log")" 2>&1 \
		    3>&- 5>&- &
	else
		nats-server -a 127.0.0.1 -p "$2" -js -sd "$(T "$name.store")" \
		    >> "$(T "$name.log")" 2>&1 3>&- 5>&- &
	fi
	echo $! > "$(T "$name.pid")"
	wait_for "[ \$(grep -c 'Server is ready' '$(T "$name.log")') -ge \
	    \$(grep -c 'Starting nats-server' '$(T "$name.log")') ]"
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
	[ "$status" -eq 0 ]
	run flow-agg -o "nats://127.0.0.1:$port/ev.x?replicas=3" /dev/null
	[ "$status" -eq 2 ]
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
	[ "$(jsum "$(T)/agg?.err" records flow-agg)" -eq "$n" ]
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
	    jq .counters.records) -gt 0 ] 2>/dev/null"
	kill -9 "$pid"
	wait "$pid" || true
	flow-agg -o "$(T agg0.out)" "$url" 2> "$(T agg0.err)"
	flow-agg -o "$(T agg1.out)" \
	    "nats://127.0.0.1:$port/k/agg1?subject=k.shard.1&idle_exit=2s" \
	    2> "$(T agg1.err)"
	[ "$(jsum "$(T agg0.err)" nats_consumer_restarted nats-input)" -eq 1 ]
	[ "$(jsum "$(T)/agg?.err" records flow-agg)" -eq "$n" ]
	ref_flows "$(T in)" > "$(T ref)"
	flows "$(T agg0.out)" "$(T agg1.out)" > "$(T got)"
	diff "$(T ref)" "$(T got)"
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
	[ "$(jsum "$(T agg.err)" records flow-agg)" -eq "$n" ]
	ref_flows "$(T in)" > "$(T ref)"
	flows "$(T got.out)" | diff "$(T ref)" -
}
