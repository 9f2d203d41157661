setup() { load helper; }

# Fault tests: SIGTERM in the middle of a stream writes
# every record accepted before it; a stalled consumer keeps memory bounded
# and output whole; a producer restart is a restart, not drops; a reader
# that goes away (EPIPE) ends a stage quietly with exit status 1, as its
# man page says. A stage that is not built yet is skipped.

teardown() {
	local p
	for p in ${KILL_PIDS:-}; do
		kill "$p" 2>/dev/null || true
	done
}

# True when zmq-ingest's last counters (in T err) show every message
# written and the 15015 sent all accounted for, written or dropped.
all_counted() {
	local m r d
	m=$(counter "$(T err)" messages)
	r=$(counter "$(T err)" records_out)
	d=$(counter "$(T err)" missing_messages)
	[[ $m =~ ^[0-9]+$ && $d =~ ^[0-9]+$ && $m == "$r" ]] || return 1
	[ $((m + d)) -eq 15015 ]
}

# Resident memory of process $1 in KiB.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# True while process $1 is blocked writing (its state is S, not gone).
alive() { kill -0 "$1" 2>/dev/null; }

# packet records of 1kxun.pcap (1723 lines), made once per test.
packets() {
	[ -s "$(T packets)" ] ||
	    pcap-ingest -r "$PCAPS/1kxun.pcap" > "$(T packets)" \
	    2>/dev/null
	echo "$(T packets)"
}

# n copies of the packet records in one file, $2.
copies() {
	local p i
	p=$(packets)
	set -- "$1" "$2"
	local n=$1 out=$2
	set --
	for i in $(seq 1 "$n"); do set -- "$@" "$p"; done
	cat "$@" > "$out"
}

# n packet records of n distinct flows (one source port each).
distinct_flows() {
	head -n 1 "$(packets)" | awk -v n="$1" '{
		for (i = 1; i <= n; i++) {
			l = $0
			sub(/"L4_SRC_PORT":[0-9]+/, "\"L4_SRC_PORT\":" (i % 60000 + 1), l)
			sub(/"IPV4_SRC_ADDR":"[0-9.]+"/, "\"IPV4_SRC_ADDR\":\"10." \
			    int(i / 60000) ".0.1\"", l)
			print l
		}
	}'
}

# Starts "$@" reading the FIFO in and writing out and err; STAGE is its
# pid; fd 7 is the FIFO's writing end.
start_on_fifo() {
	mkfifo "$(T in)"
	"$@" "$(T in)" > "$(T out)" 2> "$(T err)" 3>&- &
	STAGE=$!
	KILL_PIDS="${KILL_PIDS:-} $STAGE"
	exec 7> "$(T in)"
}

# Sends SIGTERM to STAGE and sets RC to its exit status.
stop_stage() {
	kill -TERM "$STAGE"
	RC=0
	wait "$STAGE" || RC=$?
}

# stop_stage, then closes fd 7.
term_stage() {
	stop_stage
	exec 7>&-
}

# --- SIGTERM in the middle of a stream -------------------------------------

@test "faults: ev-route: SIGTERM mid-stream writes every record it read" {
	need ev-route pcap-ingest
	start_on_fifo ev-route -i 1kxun.pcap
	head -n 1000 "$(packets)" >&7
	await_counter "$STAGE" "$(T err)" records_in 1000
	term_stage
	[ "$RC" -eq 0 ]
	[ "$(wc -l < "$(T out)")" -eq 1000 ]
	[ "$(counter "$(T err)" records_out)" -eq 1000 ]
	[ "$(counter "$(T err)" lost)" -eq 0 ]
	diff "$(T out)" <(head -n 1000 "$(packets)")
}

@test "faults: flow-agg: SIGTERM mid-stream flushes every flow, every packet counted" {
	need flow-agg pcap-ingest
	start_on_fifo flow-agg
	head -n 1000 "$(packets)" >&7
	await_counter "$STAGE" "$(T err)" records_in 1000
	term_stage
	[ "$RC" -eq 0 ]
	[ "$(counter "$(T err)" packet_records)" -eq 1000 ]
	# The flows hold exactly the 1000 packets, and every flow is written.
	[ "$(jq -s '[.[] | select(._type == "flow") |
	    ((.IN_PKTS // 0) + (.OUT_PKTS // 0))] | add' "$(T out)")" -eq 1000 ]
	[ "$(jq -c 'select(._type == "flow")' "$(T out)" | wc -l)" -eq \
	    "$(counter "$(T err)" flows_written)" ]
	[ "$(counter "$(T err)" flows_created)" -eq \
	    "$(counter "$(T err)" flows_written)" ]
}

@test "faults: pcap-ingest: SIGTERM while reading a capture from a FIFO" {
	need pcap-ingest
	start_on_fifo pcap-ingest -r
	cat "$PCAPS/dns_tcp.pcap" >&7
	# No SIGUSR1 polling here: see the next test.
	sleep 0.5
	term_stage
	[ "$RC" -eq 0 ]
	[ "$(wc -l < "$(T out)")" -eq 11 ]
	[ "$(counter "$(T err)" records_out)" -eq 11 ]
	# A requested stop is no read error.
	[ "$(counter "$(T err)" file_errors)" -eq 0 ]
}

@test "faults: pcap-ingest: SIGUSR1 does not end a capture read from a FIFO" {
	need pcap-ingest
	start_on_fifo pcap-ingest -r
	cat "$PCAPS/dns_tcp.pcap" >&7
	sleep 0.3
	kill -USR1 "$STAGE"
	sleep 0.3
	# Still reading: the writer has not closed the FIFO.
	alive "$STAGE"
	[ "$(counter "$(T err)" packets)" -eq 11 ]
	[ "$(counter "$(T err)" file_errors)" -eq 0 ]
	term_stage
	[ "$RC" -eq 0 ]
	[ "$(wc -l < "$(T out)")" -eq 11 ]
}

# True while signal USR1 is pending for process $1 (sent, not yet handled).
usr1_pending() {
	local m
	m=$(awk '/^(SigPnd|ShdPnd)/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && for x in $m; do (( 0x$x & 0x200 )) && return 0; done
	return 1
}

@test "faults: a stage waiting for a reader of its output FIFO: SIGUSR1 waits on, SIGTERM ends it with 0" {
	mkfifo "$(T ofifo)"
	zmq-ingest -o "$(T ofifo)" "$(ipc 1)" 2> "$(T err)" 3>&- &
	STAGE=$!
	KILL_PIDS="${KILL_PIDS:-} $STAGE"
	wait_for "usr1_ready $STAGE" 10
	kill -USR1 "$STAGE"
	wait_for "! usr1_pending $STAGE" 10
	# Asked for its counters while it waited, it still waits: the reader
	# comes, and it runs until told to stop.
	cat "$(T ofifo)" > "$(T out)" 3>&- &
	KILL_PIDS="$KILL_PIDS $!"
	await_counter "$STAGE" "$(T err)" records_out 0
	stop_stage
	[ "$RC" -eq 0 ]
	[ "$(counter "$(T err)" records_out)" -eq 0 ]
	# Told to stop while it waits: a clear message, and a stop is no
	# failure.
	zmq-ingest -o "$(T ofifo)" "$(ipc 2)" 2> "$(T err2)" 3>&- &
	STAGE=$!
	KILL_PIDS="${KILL_PIDS:-} $STAGE"
	wait_for "usr1_ready $STAGE" 10
	stop_stage
	[ "$RC" -eq 0 ]
	[ "$(cat "$(T err2)")" = "zmq-ingest: $(T ofifo): stopped while waiting for a reader" ]
}

@test "faults: ev-show: SIGTERM mid-stream still prints the tables of what it read" {
	need ev-show pcap-ingest
	start_on_fifo ev-show -b
	head -n 1000 "$(packets)" >&7
	await_counter "$STAGE" "$(T err)" records_in 1000
	term_stage
	[ "$RC" -eq 0 ]
	[ "$(counter "$(T err)" packet_records)" -eq 1000 ]
	grep -q '^Events: ' "$(T out)"
}

@test "faults: zmq-ingest: SIGTERM after a burst writes every record received" {
	need zmq-ingest ev-emit
	port=$(free_port)
	ep="tcp://127.0.0.1:${port}c"
	zmq-ingest "$ep" > "$(T out)" 2> "$(T err)" 3>&- &
	STAGE=$!
	KILL_PIDS="$STAGE"
	ev-emit -q -n 20 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	await_counter "$STAGE" "$(T err)" records_out 300
	stop_stage
	[ "$RC" -eq 0 ]
	[ "$(wc -l < "$(T out)")" -eq 300 ]
	[ "$(counter "$(T err)" records_out)" -eq 300 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
}

# --- A stalled consumer -----------------------------------------------------

# Runs "$@" with stdout into a FIFO whose only reader never reads, for
# 1.5 s; checks the stage is still there, blocked, under $LIMIT KiB and
# not growing; then reads
# everything into out and validates each line. The stage's status in RC.
stalled() {
	local rss
	mkfifo "$(T ofifo)"
	sleep 60 < "$(T ofifo)" 3>&- &
	SLEEPER=$!
	KILL_PIDS="${KILL_PIDS:-} $SLEEPER"
	"$@" > "$(T ofifo)" 2> "$(T err)" 3>&- &
	STAGE=$!
	KILL_PIDS="$KILL_PIDS $STAGE"
	sleep 1
	alive "$STAGE"
	rss=$(rss_kib "$STAGE")
	sleep 0.5
	alive "$STAGE"
	rss2=$(rss_kib "$STAGE")
	echo "stalled: $1 rss ${rss} then ${rss2} KiB (limit $LIMIT)" >&2
	# Under the limit, and not growing while blocked.
	[ "$rss2" -lt "$LIMIT" ]
	[ "$rss2" -le $((rss + 1024)) ]
	cat "$(T ofifo)" > "$(T out)"
	RC=0
	wait "$STAGE" || RC=$?
	kill "$SLEEPER" 2>/dev/null || true
}

@test "faults: ev-route: a stalled reader keeps memory bounded and output whole" {
	need ev-route pcap-ingest
	copies 50 "$(T big)"
	# The input is larger than the limit: it must not all be held.
	[ "$(stat -c %s "$(T big)")" -gt 20000000 ]
	LIMIT=16384
	stalled ev-route -i 1kxun.pcap "$(T big)"
	[ "$RC" -eq 0 ]
	# Packets pass through byte for byte: whole lines, none lost.
	cmp "$(T out)" "$(T big)"
	[ "$(counter "$(T err)" records_out)" -eq $((50 * 1723)) ]
}

@test "faults: pcap-ingest: a stalled reader keeps memory bounded and output whole" {
	need pcap-ingest
	set --
	for i in $(seq 1 40); do set -- "$@" -r "$PCAPS/1kxun.pcap"; done
	# 18 MB of output; each open capture holds about 1 MiB of buffers.
	LIMIT=65536
	stalled pcap-ingest "$@"
	[ "$RC" -eq 0 ]
	copies 40 "$(T want)"
	cmp "$(T want)" "$(T out)"
}

@test "faults: flow-agg: a stalled reader keeps memory bounded and output whole" {
	need flow-agg pcap-ingest
	distinct_flows 12000 > "$(T flows)"
	# The table holds 12000 flows; only the output stalls.
	LIMIT=49152
	stalled flow-agg "$(T flows)"
	[ "$RC" -eq 0 ]
	# Whole lines only: every one is a JSON object, every flow there.
	[ "$(jq -c 'select(._type == "flow")' "$(T out)" | wc -l)" -eq 12000 ]
}

@test "faults: zmq-ingest: a stalled reader: memory bounded, every message written or counted" {
	need zmq-ingest ev-emit
	port=$(free_port)
	ep="tcp://127.0.0.1:${port}c"
	mkfifo "$(T ofifo)"
	sleep 60 < "$(T ofifo)" 3>&- &
	SLEEPER=$!
	zmq-ingest "$ep" > "$(T ofifo)" 2> "$(T err)" 3>&- &
	STAGE=$!
	KILL_PIDS="$SLEEPER $STAGE"
	# 15000 messages while nobody reads: queues fill, the PUB drops.
	ev-emit -q -L 1s -n 1000 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	alive "$STAGE"
	rss=$(rss_kib "$STAGE")
	echo "stalled: zmq-ingest rss ${rss} KiB" >&2
	[ "$rss" -lt 80000 ]
	cat "$(T ofifo)" > "$(T out)" 3>&- &
	CAT=$!
	# Messages after the stall show the gap: 15 more from 15001.
	sleep 1
	ev-emit -q -f 15001 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	lines=0
	wait_for "kill -USR1 $STAGE; sleep 0.1; all_counted" 10 || true
	stop_stage
	wait "$CAT"
	kill "$SLEEPER" 2>/dev/null || true
	[ "$RC" -eq 0 ]
	jq -e 'type == "object"' "$(T out)" > /dev/null
	n=$(wc -l < "$(T out)")
	[ "$n" -eq "$(counter "$(T err)" records_out)" ]
	[ $((n + $(counter "$(T err)" missing_messages))) -eq 15015 ]
}

# --- A producer restart -----------------------------------------------------

@test "faults: zmq-ingest: a producer restarting from msg_id 1 is a restart, not drops" {
	need zmq-ingest ev-emit
	port=$(free_port)
	ep="tcp://127.0.0.1:${port}c"
	zmq-ingest -c 30 -t 10s "$ep" > "$(T out)" 2> "$(T err)" 3>&- &
	STAGE=$!
	KILL_PIDS="$STAGE"
	# -w 30s: on a loaded machine the collector may take longer than the
	# default 5 s to subscribe; ev-emit sends as soon as it has.
	ev-emit -q -w 30s -s 7 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	ev-emit -q -w 30s -s 7 "$ep" "$DATA/zmq-events.ndjson" 2>/dev/null
	RC=0
	wait "$STAGE" || RC=$?
	[ "$RC" -eq 0 ]
	[ "$(wc -l < "$(T out)")" -eq 30 ]
	[ "$(counter "$(T err)" restarts)" -eq 1 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	[ "$(counter "$(T err)" sources)" -eq 1 ]
}

# --- EPIPE: the reader goes away ----------------------------------------------

# Runs "$@" into `head -n 1`; the stage's status in RC, its stderr in err.
epipe() {
	RC=$(set +o pipefail; "$@" 2> "$(T err)" | head -n 1 > "$(T out)";
	    echo "${PIPESTATUS[0]}")
	[ "$(wc -l < "$(T out)")" -eq 1 ]
	# Quiet: the counters line and nothing else.
	echo "stderr:" >&2
	cat "$(T err)" >&2
	[ "$(grep -vc '^{"tool"' "$(T err)")" -eq 0 ]
	[ "$(grep -c '^{"tool"' "$(T err)")" -eq 1 ]
}

# The stage's man page documents exit 1 for lost output, if it exists.
documented() {
	local page="$TOP/man/$1.1"
	[ -f "$page" ] || { echo "no man page $page yet" >&2; return 0; }
	grep -A 12 '^\.Sh EXIT STATUS' "$page" | grep -qi 'output'
}

@test "faults: ev-route: EPIPE ends it quietly with status 1" {
	need ev-route pcap-ingest
	copies 10 "$(T big)"
	epipe ev-route -i 1kxun.pcap "$(T big)"
	[ "$RC" -eq 1 ]
	documented ev-route
}

@test "faults: pcap-ingest: EPIPE ends it quietly with status 1" {
	need pcap-ingest
	epipe pcap-ingest -r "$PCAPS/1kxun.pcap" \
	    -r "$PCAPS/1kxun.pcap" -r "$PCAPS/1kxun.pcap"
	[ "$RC" -eq 1 ]
	documented pcap-ingest
}

@test "faults: flow-agg: EPIPE ends it quietly with status 1" {
	need flow-agg pcap-ingest
	distinct_flows 8000 > "$(T flows)"
	epipe flow-agg "$(T flows)"
	[ "$RC" -eq 1 ]
	documented flow-agg
}

@test "faults: zmq-ingest: EPIPE ends it quietly with status 1" {
	need zmq-ingest ev-emit
	port=$(free_port)
	ep="tcp://127.0.0.1:${port}c"
	( sleep 0.5; ev-emit -q -n 400 "$ep" "$DATA/zmq-events.ndjson" \
	    > /dev/null 2>&1 ) 3>&- &
	KILL_PIDS="$!"
	epipe timeout 20 zmq-ingest -t 5s "$ep"
	[ "$RC" -eq 1 ]
	documented zmq-ingest
}

@test "faults: ev-show: EPIPE ends it quietly with status 1" {
	need ev-show pcap-ingest
	need flow-agg
	distinct_flows 5000 | flow-agg > "$(T flows)" 2>/dev/null
	# Enough rows that the tables outgrow a pipe's buffer.
	epipe ev-show -b -F 100000 "$(T flows)"
	[ "$RC" -eq 1 ]
	documented ev-show
}
