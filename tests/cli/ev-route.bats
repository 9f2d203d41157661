setup() { load helper; }

# A reader a failed test left running is stopped.
teardown() {
	if [ -f "$BATS_TEST_TMPDIR/reader.pid" ]; then
		kill "$(cat "$BATS_TEST_TMPDIR/reader.pid")" 2>/dev/null || true
	fi
}

# ev-route tests: the delivery rules (man/ev-route.1) on golden files, sinks,
# sharding, configuration files, usage errors and bad input.

R="$BATS_TEST_DIRNAME/../data/route"
X="$BATS_TEST_DIRNAME/../expected/ev-route"

# Asks ev-route $1 for its counters (SIGUSR1) until records_in reaches $2,
# for up to 5 s, then stops it with SIGTERM; its exit status in rc.
term_after_records() {
	await_counter "$1" "$(T err)" records_in "$2" 5 || true
	kill -TERM "$1"
	rc=0
	wait "$1" || rc=$?
}

# Runs ev-route with stdout in out and stderr in err; status in RC.
route() {
	RC=0
	ev-route "$@" > "$(T out)" 2> "$(T err)" || RC=$?
}

# Also EXAMPLES 1 of ev-route.1, the collector's output read from a file.
@test "ev-route: the seed's example lands on the ZMQ interface and cbr0" {
	tail -n 1 "$R/events.ndjson" > "$(T seed)"
	route -i lo -i ens3 -i cbr0 "$(T seed)"
	[ "$RC" -eq 0 ]
	diff "$(T out)" "$X/seed.out"
	# The original unchanged, the copy with _iface and _from.
	[ "$(head -n 1 "$(T out)")" = "$(cat "$(T seed)")" ]
	[ "$(sed -n 2p "$(T out)" | jq -r '._iface + " " + ._from')" = \
	    "cbr0 tcp://*:1234c" ]
	[ "$(counter "$(T err)" copies_ifname)" -eq 1 ]
	[ "$(counter "$(T err)" copies_companion)" -eq 0 ]
	[ "$(counter "$(T err)" records_out)" -eq 2 ]
}

@test "ev-route: stdin by default, same result" {
	tail -n 1 "$R/events.ndjson" | ev-route -i lo -i ens3 -i cbr0 \
	    > "$(T out)" 2>/dev/null
	diff "$(T out)" "$X/seed.out"
}

@test "ev-route: a companion receives every non-loopback event" {
	route -i eth1 -m eth1 -c 'tcp://*:1234c=eth1' "$R/events.ndjson"
	[ "$RC" -eq 0 ]
	diff "$(T out)" "$X/companion.out"
	[ "$(counter "$(T err)" events)" -eq 15 ]
	[ "$(counter "$(T err)" copies_companion)" -eq 14 ]
	[ "$(counter "$(T err)" loopback_kept_off_companion)" -eq 1 ]
	[ "$(grep -c '"_iface":"eth1"' "$(T out)")" -eq 14 ]
	# The one kept off is libebpfflow's ::1 (0.0.0.1).
	[ "$(grep '"_iface":"eth1"' "$(T out)" | grep -c '0\.0\.0\.1')" -eq 0 ]
}

@test "ev-route: every loopback form is kept off the companion" {
	route -i lo -i eth1 -m eth1 -c 'tcp://*:1234c=eth1' \
	    "$R/loopback.ndjson"
	[ "$RC" -eq 0 ]
	diff "$(T out)" "$X/loopback.out"
	[ "$(counter "$(T err)" loopback_kept_off_companion)" -eq 9 ]
	[ "$(counter "$(T err)" copies_companion)" -eq 1 ]
	# The only event on the companion is the one without loopback.
	[ "$(grep '"_iface":"eth1"' "$(T out)" | jq -r .L4_SRC_PORT)" = 40008 ]
	# IF_NAME "lo" still delivers to lo (rule 2 has no loopback test).
	[ "$(counter "$(T err)" copies_ifname)" -eq 6 ]
}

@test "ev-route: a companion that is also the IF_NAME target gets one copy" {
	tail -n 1 "$R/events.ndjson" > "$(T seed)"
	route -i cbr0 -m cbr0 -c 'tcp://*:1234c=cbr0' "$(T seed)"
	[ "$RC" -eq 0 ]
	# The same two records as without a companion.
	diff "$(T out)" "$X/seed.out"
	[ "$(counter "$(T err)" companion_is_ifname)" -eq 1 ]
	[ "$(counter "$(T err)" copies_companion)" -eq 0 ]
	[ "$(counter "$(T err)" copies_ifname)" -eq 1 ]
}

@test "ev-route: a companion not marked mirrored is refused (exit 2)" {
	run ev-route -i eth1 -c 'tcp://*:1234c=eth1' /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "companion eth1 of tcp://*:1234c is not marked as receiving mirrored traffic (add -m eth1)"
}

@test "ev-route: a companion not declared is refused (exit 2)" {
	run ev-route -m eth1 -c 'tcp://*:1234c=eth1' /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "companion eth1 of tcp://*:1234c is not a declared interface (add -i eth1)"
	run ev-route -c 'tcp://*:1234c=eth1' /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "not a declared interface"
	run ev-route -i eth0 -m eth1 /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "-m eth1: not a declared interface"
	run ev-route -i a -i b -m a -m b -c 'z=a' -c 'z=b' /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "z already has the companion a"
}

@test "ev-route: both dialects (INTERFACE_NAME and IF_NAME) deliver" {
	route -i eth0 -i cni0 -i cbr0 "$R/events.ndjson"
	[ "$RC" -eq 0 ]
	# Lines 1-6, 8, 9, 12 name eth0, 11 cni0 (IF_NAME-less nprobe_mini
	# with INTERFACE_NAME), 15 cbr0 (IF_NAME).
	[ "$(grep -c '"_iface":"eth0"' "$(T out)")" -eq 9 ]
	[ "$(grep -c '"_iface":"cni0"' "$(T out)")" -eq 1 ]
	[ "$(grep -c '"_iface":"cbr0"' "$(T out)")" -eq 1 ]
	[ "$(grep '"_iface":"cbr0"' "$(T out)" | jq -r .IPV4_LOCAL_ADDR)" = \
	    10.1.1.1 ]
	[ "$(counter "$(T err)" copies_ifname)" -eq 11 ]
	# lo (line 7) is not declared; line 10 has ""; 13 and 14 have none.
	[ "$(counter "$(T err)" unknown_ifname)" -eq 1 ]
	[ "$(counter "$(T err)" no_ifname)" -eq 3 ]
}

@test "ev-route: events with no interface name or an unknown one stay put" {
	route -i cbr0 "$R/events.ndjson"
	[ "$RC" -eq 0 ]
	[ "$(wc -l < "$(T out)")" -eq 16 ]
	head -n 15 "$(T out)" | diff - "$R/events.ndjson"
	[ "$(counter "$(T err)" unknown_ifname)" -eq 11 ]
	[ "$(counter "$(T err)" no_ifname)" -eq 3 ]
}

@test "ev-route: packets, flows and bad input on a mixed stream" {
	route -q -i eth1 -m eth1 -i cbr0 -c 'tcp://*:1234c=eth1' \
	    "$R/mixed.ndjson"
	[ "$RC" -eq 0 ]
	diff "$(T out)" "$X/mixed.out"
	# Packets and flows pass through byte for byte.
	diff <(grep -v '"_type":"event"' "$(T out)") \
	    <(grep -E '"_type":"(packet|flow)"' "$R/mixed.ndjson")
	[ "$(counter "$(T err)" records_in)" -eq 13 ]
	[ "$(counter "$(T err)" passed)" -eq 3 ]
	[ "$(counter "$(T err)" malformed)" -eq 4 ]
	[ "$(counter "$(T err)" bad_json)" -eq 1 ]
	[ "$(counter "$(T err)" not_object)" -eq 1 ]
	[ "$(counter "$(T err)" truncated_json)" -eq 1 ]
	[ "$(counter "$(T err)" trailing_garbage)" -eq 1 ]
	[ "$(counter "$(T err)" no_iface)" -eq 1 ]
	[ "$(counter "$(T err)" bad_address)" -eq 1 ]
	[ "$(counter "$(T err)" companion_is_ifname)" -eq 2 ]
	[ "$(counter "$(T err)" copies_ifname)" -eq 4 ]
	[ "$(counter "$(T err)" copies_companion)" -eq 1 ]
	[ "$(counter "$(T err)" records_out)" -eq 14 ]
	[ "$(counter "$(T err)" lost)" -eq 0 ]
}

@test "ev-route: bad input is reported on stderr, rate-limited, never fatal" {
	{ for i in $(seq 1 2500); do echo 'not json'; done
	  tail -n 1 "$R/events.ndjson"; } > "$(T bad)"
	route -i cbr0 "$(T bad)"
	[ "$RC" -eq 0 ]
	[ "$(counter "$(T err)" bad_json)" -eq 2500 ]
	[ "$(wc -l < "$(T out)")" -eq 2 ]
	# The 1st, 1000th and 2000th are reported.
	[ "$(grep -c '^ev-route: malformed' "$(T err)")" -eq 3 ]
	grep -q 'bad_json (2000 so far)' "$(T err)"
	# Messages name the input and line.
	grep -q "^ev-route: malformed: $(T bad):1: bad_json\$" "$(T err)"
	grep -q "^ev-route: malformed: $(T bad):1000: bad_json (1000 so far)" \
	    "$(T err)"
}

@test "ev-route: per-interface file sinks and a default sink" {
	route -i eth1 -m eth1 -i cbr0 -i lo -c 'tcp://*:1234c=eth1' \
	    -o "eth1=$(T eth1)" -o "cbr0=$(T cbr0)" -o "*=$(T rest)" \
	    "$R/events.ndjson" "$R/loopback.ndjson" "$R/mixed.ndjson"
	[ "$RC" -eq 0 ]
	[ ! -s "$(T out)" ]
	ev-route -i eth1 -m eth1 -i cbr0 -i lo -c 'tcp://*:1234c=eth1' \
	    "$R/events.ndjson" "$R/loopback.ndjson" "$R/mixed.ndjson" \
	    > "$(T all)" 2>/dev/null
	diff "$(T eth1)" <(grep '"_iface":"eth1"' "$(T all)")
	diff "$(T cbr0)" <(grep '"_iface":"cbr0"' "$(T all)")
	diff "$(T rest)" <(grep -v -e '"_iface":"eth1"' -e '"_iface":"cbr0"' \
	    "$(T all)")
	[ "$(wc -l < "$(T eth1)")" -eq 21 ]
	[ "$(wc -l < "$(T cbr0)")" -eq 3 ]
	[ "$(counter "$(T err)" "dropped:$(T eth1)")" -eq 0 ]
}

@test "ev-route: two -o for one file share one sink; '-' is stdout" {
	route -i cbr0 -o "cbr0=$(T both)" -o "tcp://*:1234c=$(T both)" \
	    -o '*=-' "$R/events.ndjson"
	[ "$RC" -eq 0 ]
	[ "$(wc -l < "$(T both)")" -eq 16 ]
	[ ! -s "$(T out)" ]
	route -i cbr0 -o 'cbr0=-' "$R/events.ndjson"
	[ "$(wc -l < "$(T out)")" -eq 16 ]
}

@test "ev-route: -f reads the same configuration from a file" {
	cat > "$(T conf)" <<-EOF
	# the companion setup, for supervisord
	iface eth1
	-m eth1

	--companion=tcp://*:1234c=eth1
	  input $R/events.ndjson
	EOF
	route -f "$(T conf)"
	[ "$RC" -eq 0 ]
	diff "$(T out)" "$X/companion.out"
	printf 'iface eth1\nbogus 1\n' > "$(T conf2)"
	run ev-route -f "$(T conf2)"
	[ "$status" -eq 2 ]
	assert_output --partial "conf2:2: unknown option 'bogus'"
	printf 'mirrored\n' > "$(T conf3)"
	run ev-route -f "$(T conf3)"
	[ "$status" -eq 2 ]
	assert_output --partial "conf3:1: mirrored: needs a value"
	printf 'f %s\n' "$(T conf)" > "$(T conf4)"
	run ev-route -f "$(T conf4)"
	[ "$status" -eq 2 ]
	assert_output --partial "do not nest"
	run ev-route -f "$(T nonexistent)"
	[ "$status" -eq 2 ]
}

@test "ev-route: usage errors exit 2" {
	run ev-route -x
	[ "$status" -eq 2 ]
	assert_output --partial "usage: ev-route"
	run ev-route -o eth0 /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "not IFACE=SINK"
	run ev-route -c eth0 /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "not ZMQIFACE=IFACE"
	run ev-route -i '' /dev/null
	[ "$status" -eq 2 ]
	run ev-route -S 0 -O 'x-%d' /dev/null
	[ "$status" -eq 2 ]
	run ev-route -S 2 /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "-S needs -O"
	run ev-route -O 'x-%d' /dev/null
	[ "$status" -eq 2 ]
	run ev-route -S 2 -O 'x' /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "needs a %d"
	run ev-route -S 2 -O 'x-%d-%s' /dev/null
	[ "$status" -eq 2 ]
	run ev-route -S 2 -O "$(T s-%d)" -o "a=$(T a)" /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "exclude each other"
	run ev-route "$(T nonexistent)"
	[ "$status" -eq 1 ]
	run ev-route -o 'x=zmq:bogus://' /dev/null
	[ "$status" -eq 2 ]
	run ev-route -V
	[ "$status" -eq 0 ]
	assert_output --regexp '^ev-route evpipe [0-9]'
}

@test "ev-route: -S shards by flow, every record exactly once" {
	route -i eth1 -m eth1 -i cbr0 -i lo -c 'tcp://*:1234c=eth1' \
	    -S 3 -O "$(T shard-%d)" \
	    "$R/events.ndjson" "$R/loopback.ndjson" "$R/mixed.ndjson"
	[ "$RC" -eq 0 ]
	ev-route -i eth1 -m eth1 -i cbr0 -i lo -c 'tcp://*:1234c=eth1' \
	    "$R/events.ndjson" "$R/loopback.ndjson" "$R/mixed.ndjson" \
	    > "$(T all)" 2>/dev/null
	diff <(sort "$(T shard-0)" "$(T shard-1)" "$(T shard-2)") \
	    <(sort "$(T all)")
	for i in 0 1 2; do diff "$(T shard-$i)" "$X/shard-$i.out"; done
	[ "$(counter "$(T err)" records_out)" -eq "$(wc -l < "$(T all)")" ]
	# Counters, listening ports and the event with a bad address have
	# no 5-tuple: shard 0 (copies follow their original).
	[ "$(counter "$(T err)" shard_no_tuple)" -eq 3 ]
	# Both directions of 10.0.2.15:41872 <-> 93.184.215.14:443, its
	# event and its flow record share one shard.
	s=$(grep -l '"L4_SRC_PORT":443,"L4_DST_PORT":41872' \
	    "$(T shard-0)" "$(T shard-1)" "$(T shard-2)")
	[ "$(grep -c 41872 "$s")" -eq 9 ]
	[ "$(cat "$(T shard-0)" "$(T shard-1)" "$(T shard-2)" | \
	    grep -c 41872)" -eq 9 ]
	# The ACCEPT event and its netstat update (LOCAL/REMOTE dialect).
	s=$(grep -l '"TCP_EVENT_TYPE": "ACCEPT"' \
	    "$(T shard-0)" "$(T shard-1)" "$(T shard-2)")
	grep -q '"CONN_STATE": "ESTABLISHED"' "$s"
}

@test "ev-route: -D drops on a full ZMQ sink, counted per sink" {
	port=$(free_port)
	seq_file="$(T many)"
	yes "$(tail -n 1 "$R/events.ndjson")" | head -n 200 > "$seq_file"
	# A PUSH with no peer never takes a message: with -D each is dropped.
	route -D -i cbr0 -o "cbr0=push:@tcp://127.0.0.1:$port" "$seq_file"
	[ "$RC" -eq 0 ]
	[ "$(counter "$(T err)" "dropped:push:@tcp://127.0.0.1:$port")" \
	    -eq 200 ]
	[ "$(counter "$(T err)" dropped)" -eq 200 ]
	[ "$(counter "$(T err)" records_out)" -eq 200 ]
	[ "$(wc -l < "$(T out)")" -eq 200 ]
}

@test "ev-route: lost output exits 1" {
	[ -w /dev/full ] || skip "no /dev/full"
	route -i cbr0 -o '*=/dev/full' "$R/events.ndjson"
	[ "$RC" -eq 1 ]
}

@test "ev-route: several inputs at once, SIGUSR1 prints counters" {
	mkfifo "$(T fifo)"
	ev-route -i cbr0 "$(T fifo)" "$R/events.ndjson" > "$(T out)" \
	    2> "$(T err)" &
	pid=$!
	exec 4> "$(T fifo)"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(wc -l < "$(T out)" 2>/dev/null)" -ge 1 ] && break
		sleep 0.1
	done
	kill -USR1 "$pid"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		grep -q '^{"tool"' "$(T err)" && break
		sleep 0.1
	done
	[ "$(counter "$(T err)" records_in)" -eq 15 ]
	tail -n 1 "$R/events.ndjson" >&4
	exec 4>&-
	wait "$pid"
	[ "$(counter "$(T err)" records_in)" -eq 16 ]
	[ "$(grep -c '"_iface":"cbr0"' "$(T out)")" -eq 2 ]
}

@test "ev-route: SIGTERM flushes and exits 0" {
	mkfifo "$(T fifo)"
	ev-route -i cbr0 -o "*=$(T file)" "$(T fifo)" 2> "$(T err)" &
	pid=$!
	exec 4> "$(T fifo)"
	cat "$R/events.ndjson" >&4
	term_after_records "$pid" 15
	exec 4>&-
	[ "$rc" -eq 0 ]
	[ "$(wc -l < "$(T file)")" -eq 16 ]
}

@test "ev-route: an ntop: sink read back by zmq-ingest, nothing lost" {
	command -v zmq-ingest >/dev/null || skip "zmq-ingest not built"
	port=$(free_port)
	mkfifo "$(T fifo)"
	ev-route -i cbr0 -i eth1 -m eth1 -c 'tcp://*:1234c=eth1' \
	    -o "eth1=ntop:@tcp://127.0.0.1:$port" "$(T fifo)" \
	    > "$(T out)" 2> "$(T err)" &
	er=$!
	zmq-ingest -c 14 -t 10s "tcp://127.0.0.1:$port" > "$(T zi)" \
	    2> "$(T zierr)" &
	zi=$!
	exec 4> "$(T fifo)"
	sleep 1		# let the subscription reach the PUB (slow joiner)
	cat "$R/events.ndjson" >&4
	exec 4>&-
	wait "$er"
	rc=0
	wait "$zi" || rc=$?
	[ "$rc" -eq 0 ]
	[ "$(wc -l < "$(T zi)")" -eq 14 ]
	# What the ntop sink sent: ntop ids for the names ntopng knows,
	# NW_LATENCY_MS as CLIENT_NW_LATENCY_MS (57595), no "_" members.
	strip='with_entries(select(.key | startswith("_") | not))'
	diff <(jq -c "$strip" < "$(T zi)") "$X/ntop-sink.out"
	# The topics survive the trip.
	diff <(jq -r ._topic < "$(T zi)") \
	    <(grep -vF '"0.0.0.1"' "$R/events.ndjson" | jq -r ._topic)
	[ "$(counter "$(T zierr)" dropped)" = 0 ] ||
	    [ "$(counter "$(T zierr)" dropped)" = null ]
	[ "$(counter "$(T err)" "dropped:ntop:@tcp://127.0.0.1:$port")" -eq 0 ]
}

@test "ev-route: a copy routed again keeps one _from, replaced" {
	tail -n 1 "$R/events.ndjson" > "$(T seed)"
	ev-route -i cbr0 "$(T seed)" 2>/dev/null | tail -n 1 > "$(T copy)"
	route -i cbr0 -i eth1 -m eth1 -c 'cbr0=eth1' "$(T copy)"
	[ "$RC" -eq 0 ]
	[ "$(wc -l < "$(T out)")" -eq 2 ]
	[ "$(tail -n 1 "$(T out)" | grep -o '"_from"' | wc -l)" -eq 1 ]
	[ "$(tail -n 1 "$(T out)" | jq -r '._iface + " " + ._from')" = \
	    "eth1 cbr0" ]
	# Apart from _iface and _from, the copy is the original.
	diff <(tail -n 1 "$(T out)" | jq -cS 'del(._iface, ._from)') \
	    <(jq -cS 'del(._iface, ._from)' "$(T seed)")
}

@test "ev-route: the man page's configuration file example works" {
	man="$BATS_TEST_DIRNAME/../../man/ev-route.1"
	sed -n '/^# \/etc\/evpipe\/route.conf/,/^\.Ed/p' "$man" |
	    grep -v -e '^\.Ed' -e '^input ' |
	    sed "s|ipc:///run/evpipe/|ipc://$BATS_TEST_TMPDIR/|" > "$(T conf)"
	[ "$(grep -c . "$(T conf)")" -eq 6 ]
	# Nothing subscribes to the example's zmq: sinks here: without
	# "drop" ev-route would wait for a reader; with it, every record is
	# dropped and counted per sink, none silently.
	echo "drop" >> "$(T conf)"
	echo "input $R/events.ndjson" >> "$(T conf)"
	route -f "$(T conf)"
	[ "$RC" -eq 0 ]
	[ "$(counter "$(T err)" copies_companion)" -eq 14 ]
	[ "$(counter "$(T err)" records_out)" -eq 0 ]
	[ "$(counter "$(T err)" dropped)" -eq 29 ]
	[ "$(counter "$(T err)" "dropped:zmq:@ipc://$BATS_TEST_TMPDIR/eth1")" -eq 14 ]
	[ "$(counter "$(T err)" "dropped:zmq:@ipc://$BATS_TEST_TMPDIR/rest")" -eq 15 ]
}

@test "ev-route: ZMQ in and out (push: sink to a pull: input), nothing lost" {
	port=$(free_port)
	ev-route -i cbr0 "pull:@tcp://127.0.0.1:$port" > "$(T out2)" \
	    2> "$(T err2)" &
	pid=$!
	route -i eth1 -m eth1 -c 'tcp://*:1234c=eth1' \
	    -o "*=push:>tcp://127.0.0.1:$port" "$R/events.ndjson"
	[ "$RC" -eq 0 ]
	wait_for "[ \$(wc -l < '$(T out2)') -ge 30 ] ||
	    counter_reached $pid '$(T err2)' records_in 29" 5 || true
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	[ "$(counter "$(T err2)" records_in)" -eq 29 ]
	# The second stage adds the cbr0 copy of the seed event, twice: the
	# original and its eth1 copy both name cbr0.
	[ "$(wc -l < "$(T out2)")" -eq 31 ]
	diff <(grep -v '"_iface":"cbr0"' "$(T out2)") "$X/companion.out"
}

@test "ev-route: push-lines: and zmq-lines: batches arrive whole and in order" {
	# 50000 records make many 16 KiB batches; a batch never splits a
	# record, and the reader splits each message back at its newlines.
	seq 50000 | sed 's/.*/{"type":"packet","n":&}/' > "$(T in)"
	for kind in push-lines:@ zmq-lines:@; do
		case $kind in
		push*) input="pull:ipc://$BATS_TEST_TMPDIR/b" ;;
		*) input="zmq:ipc://$BATS_TEST_TMPDIR/b" ;;
		esac
		ev-route "$input" > "$(T out)" 2> "$(T err)" &
		pid=$!
		timeout 30 ev-route -o "*=${kind}ipc://$BATS_TEST_TMPDIR/b" \
		    "$(T in)" 2> "$(T err.w)"
		wait_for "[ \$(wc -l < '$(T out)') -ge 50000 ]" 20 || true
		kill -TERM "$pid"
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 0 ]
		diff "$(T in)" "$(T out)"
		[ "$(counter "$(T err)" records_in)" -eq 50000 ]
		[ "$(counter "$(T err.w)" records_out)" -eq 50000 ]
		[ "$(counter "$(T err.w)" lost)" -eq 0 ]
	done
}

@test "ev-route: a zmq: input keeps a producer's last burst while it is blocked" {
	# The reader's output is a FIFO nobody reads yet: its main thread
	# blocks while libzmq receives. The producer sends 20000 records and
	# leaves; libzmq would drop what the connection still held had the
	# reader's queue been full then. Only then is the FIFO read.
	seq 20000 | sed 's/.*/{"type":"packet","n":&}/' > "$(T in)"
	mkfifo "$(T f)"
	exec {fd}<> "$(T f)"
	# Not given the test's read end of the FIFO: a reader of its own
	# output would never see its writes block, nor end.
	ev-route -l -o "*=$(T f)" "zmq:ipc://$BATS_TEST_TMPDIR/s" \
	    2> "$(T err)" {fd}<&- &
	pid=$!
	echo "$pid" > "$(T reader.pid)"
	# A reader that cannot take it all blocks the producer: bounded.
	timeout 30 ev-route -o "*=zmq:@ipc://$BATS_TEST_TMPDIR/s" "$(T in)" \
	    2> "$(T err.w)" {fd}<&-
	timeout 30 head -n 20000 <&"$fd" > "$(T out)"
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	exec {fd}<&-
	[ "$rc" -eq 0 ]
	diff "$(T in)" "$(T out)"
	[ "$(counter "$(T err)" records_in)" -eq 20000 ]
}

@test "ev-route: an over-long line is discarded and counted" {
	{ tail -n 1 "$R/events.ndjson"; printf '{"_type":"event","x":"%0900d"}\n' 0
	  tail -n 1 "$R/events.ndjson"; } > "$(T long)"
	route -L 800 -i cbr0 "$(T long)"
	[ "$RC" -eq 0 ]
	[ "$(counter "$(T err)" overlong_lines)" -eq 1 ]
	[ "$(counter "$(T err)" records_in)" -eq 2 ]
	[ "$(wc -l < "$(T out)")" -eq 4 ]
	run ev-route -L 10 /dev/null
	[ "$status" -eq 2 ]
}

@test "ev-route: -O shard=sink names each shard's sink" {
	route -i eth1 -m eth1 -i cbr0 -i lo -c 'tcp://*:1234c=eth1' -S 3 \
	    -O "2=$(T c)" -O "0=$(T a)" -O "1=$(T b)" \
	    "$R/events.ndjson" "$R/loopback.ndjson" "$R/mixed.ndjson"
	[ "$RC" -eq 0 ]
	diff "$(T a)" "$X/shard-0.out"
	diff "$(T b)" "$X/shard-1.out"
	diff "$(T c)" "$X/shard-2.out"
	run ev-route -S 3 -O "0=$(T a)" -O "1=$(T b)" /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "-S 3: no -O 2=sink"
	run ev-route -S 1 -O "0=$(T a)" -O "0=$(T b)" /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "given twice"
	run ev-route -S 1 -O "0=$(T a)" -O "1=$(T b)" /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "only 1 shards"
	run ev-route -S 2 -O "0=$(T a)" -O "$(T p-%d)" /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "not both"
}

@test "ev-route: sharded flow-agg totals equal the unsharded ones" {
	command -v flow-agg >/dev/null || skip "flow-agg not built"
	command -v pcap-ingest >/dev/null || skip "pcap-ingest not built"
	demo="$BATS_TEST_DIRNAME/../../pipelines/demo"
	[ -f "$demo/demo.pcap" ] || skip "no demo data"
	# The demo's events on the ZMQ interface, its capture and a shared
	# one on the mirrored eth1.
	{ sed 's/^{/{"_type":"event","_event":"flow","_topic":"flow","_iface":"tcp:\/\/*:1234c",/' \
	      "$demo/events.ndjson"
	  pcap-ingest -r "$demo/demo.pcap" 2>/dev/null
	  pcap-ingest -r "$PCAPS/reddit.pcap" 2>/dev/null; } |
	    sed -E 's/"_iface":"(demo|reddit)\.pcap"/"_iface":"eth1"/' \
	    > "$(T in)"
	conf="-i eth1 -m eth1 -c tcp://*:1234c=eth1"
	# shellcheck disable=SC2086
	ev-route -q $conf "$(T in)" 2>/dev/null | flow-agg 2>/dev/null |
	    grep '"_type":"flow"' | jq -cS 'del(.FLOW_END_REASON)' |
	    sort > "$(T all)"
	# shellcheck disable=SC2086
	route -q $conf -S 4 -O "$(T s-%d)" "$(T in)"
	[ "$RC" -eq 0 ]
	for i in 0 1 2 3; do flow-agg "$(T s-$i)" 2>/dev/null; done |
	    grep '"_type":"flow"' | jq -cS 'del(.FLOW_END_REASON)' |
	    sort > "$(T sharded)"
	[ "$(wc -l < "$(T all)")" -eq 68 ]
	diff "$(T all)" "$(T sharded)"
	# The events met their packets in the shards too.
	[ "$(grep -c PROC_NAME "$(T sharded)")" -eq 8 ]
	[ "$(counter "$(T err)" copies_companion)" -eq 8 ]
}

# A later fragment has no ports: it must reach the shard of its first
# fragment (dns_fragmented: UDP; ip_fragmented_garbage: TCP fragments).
@test "ev-route: -S keeps every fragment on its datagram's shard" {
	command -v flow-agg >/dev/null || skip "flow-agg not built"
	command -v pcap-ingest >/dev/null || skip "pcap-ingest not built"
	for pn in dns_fragmented:21 ip_fragmented_garbage:4; do
		p=${pn%:*}
		pcap-ingest -r "$PCAPS/$p.pcap" > "$(T in)" 2>/dev/null
		flow-agg "$(T in)" 2>/dev/null | grep '"_type":"flow"' |
		    jq -cS 'del(.FLOW_END_REASON)' | sort > "$(T all)"
		route -q -S 4 -O "$(T s-%d)" "$(T in)"
		[ "$RC" -eq 0 ]
		for i in 0 1 2 3; do flow-agg "$(T s-$i)" 2>/dev/null; done |
		    grep '"_type":"flow"' | jq -cS 'del(.FLOW_END_REASON)' |
		    sort > "$(T sharded)"
		[ "$(wc -l < "$(T all)")" -eq "${pn#*:}" ]
		diff "$(T all)" "$(T sharded)"
	done
}

# -j: worker threads route batches in parallel; the output, its order, the
# messages and the counters must be exactly those of one thread.
@test "ev-route: -j 2 and -j 4 give the bytes, messages and counters of -j 1" {
	# 30,000 lines: the sample events over and over, every 997th line
	# broken, so that bad input falls in every batch and the rate-limited
	# messages must come out in order with the right line numbers.
	cat "$R/events.ndjson" "$R/loopback.ndjson" "$R/mixed.ndjson" \
	    > "$(T base)"
	awk -v n=30000 '{ l[NR] = $0 } END {
		for (i = 1; i <= n; i++)
			print (i % 997 == 0 ? "{\"broken\": " : l[(i - 1) % NR + 1]) }' \
	    "$(T base)" > "$(T many)"
	args=(-i eth1 -m eth1 -i cbr0 -i lo -c 'tcp://*:1234c=eth1')
	ev-route "${args[@]}" "$(T many)" > "$(T out1)" 2> "$(T err1)"
	for j in 2 4; do
		ev-route -j "$j" "${args[@]}" "$(T many)" > "$(T out$j)" \
		    2> "$(T err$j)"
		cmp "$(T out1)" "$(T out$j)"
		cmp "$(T err1)" "$(T err$j)"
	done
	[ "$(counter "$(T err1)" records_in)" -eq 30000 ]
	[ "$(counter "$(T err1)" truncated_json)" -eq 818 ]
	[ "$(counter "$(T err1)" malformed)" -eq 3182 ]
	grep -q "^ev-route: malformed: $(T many):36: truncated_json\$" \
	    "$(T err4)"
	# Per-interface sinks and shards, from several inputs at once.
	ev-route -j 3 "${args[@]}" -o "eth1=$(T e3)" -o "*=$(T r3)" \
	    "$(T many)" "$R/events.ndjson" 2> /dev/null
	ev-route "${args[@]}" -o "eth1=$(T e1)" -o "*=$(T r1)" \
	    "$(T many)" "$R/events.ndjson" 2> /dev/null
	cmp "$(T e1)" "$(T e3)"
	cmp "$(T r1)" "$(T r3)"
	ev-route "${args[@]}" -S 3 -O "$(T s1-%d)" "$(T many)" 2> /dev/null
	ev-route -j 2 "${args[@]}" -S 3 -O "$(T s2-%d)" "$(T many)" \
	    2> /dev/null
	for i in 0 1 2; do cmp "$(T s1-$i)" "$(T s2-$i)"; done
}

@test "ev-route: -j 2 on a live input writes each line at once; SIGTERM drains" {
	mkfifo "$(T fifo)"
	ev-route -j 2 -i cbr0 -o "*=$(T file)" -l "$(T fifo)" 2> "$(T err)" &
	pid=$!
	exec 4> "$(T fifo)"
	head -n 1 "$R/events.ndjson" >&4
	# One line, the input left open: it must not wait for a full batch.
	wait_for "[ -s '$(T file)' ]" 5 || true
	[ "$(wc -l < "$(T file)")" -eq 1 ]
	tail -n +2 "$R/events.ndjson" >&4
	term_after_records "$pid" 15
	exec 4>&-
	[ "$rc" -eq 0 ]
	[ "$(wc -l < "$(T file)")" -eq 16 ]
	[ "$(counter "$(T err)" records_out)" -eq 16 ]
}

@test "ev-route: -j out of range is a usage error (exit 2)" {
	route -j 0 -i cbr0 "$R/events.ndjson"
	[ "$RC" -eq 2 ]
	grep -q 'jobs' "$(T err)"
	route -j 65 -i cbr0 "$R/events.ndjson"
	[ "$RC" -eq 2 ]
}
