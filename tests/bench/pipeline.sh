#!/bin/sh
# End-to-end benchmark: 1,000,000 eBPF events of ~600 bytes sent
# by ev-emit at full speed over tcp loopback into the pipeline
#   zmq-ingest | ev-route (companion, three interfaces) | flow-agg
# run three ways: processes joined by pipes, processes joined by ipc://
# PUSH/PULL sockets carrying batches of lines (push-lines: sinks), and
# threads of one process joined by inproc:// sockets (evpipe). Each run
# checks the counters for zero loss (every event into zmq-ingest, no msg_id
# gap, every record through ev-route into flow-agg) and prints events/s,
# the median of BENCH_RUNS runs, and the CPU time all processes of a run
# took (ev-emit's included, as in the elapsed time: it streams its file,
# reading and encoding each event as it sends; its time alone, sending to
# nobody, is printed too).
# BENCH_EVENTS=N changes the count; BENCH_EVENTS_FILE=F sends the events
# of F instead (realistic.sh hands its generated load over this way), and
# BENCH_CHAIN_RATES=F appends "CHAIN EVENTS/S" lines to F.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
: "${EVPIPE_BIN:=$here/../../build/bin}"
PATH=$EVPIPE_BIN:$PATH
n=${BENCH_EVENTS:-1000000}
runs=${BENCH_RUNS:-3}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM

if [ -n "${BENCH_EVENTS_FILE:-}" ]; then
	cp "$BENCH_EVENTS_FILE" "$tmp/events"
	n=$(wc -l < "$tmp/events")
else
# The sample libebpfflow and nprobe_mini events with a process, source
# (local) ports counting up so that the flows differ, timestamps rising.
grep -h '"LOCAL_PROCESS"' "$here/../../pipelines/demo/events.ndjson" \
	"$here/../data/route/events.ndjson" 2>/dev/null |
	grep '_EVENT_TYPE' | jq -c . > "$tmp/tmpl"
# Each template is cut once around its timestamp and source port, so a
# line costs a few concatenations (awk's sub() on 600-byte lines is slow).
awk -v n="$n" '{
	ts = index($0, "\"timestamp\":\"") + 13
	te = ts + index(substr($0, ts), "\"") - 1
	# nprobe_mini names the port L4_LOCAL_PORT (16 bytes with quotes
	# and colon): a template without either would be cut at offset 14,
	# inside its timestamp, and the event sent broken.
	if ((ps = index($0, "\"L4_SRC_PORT\":")) > 0)
		ps += 14
	else if ((ps = index($0, "\"L4_LOCAL_PORT\":")) > 0)
		ps += 16
	else {
		print "pipeline: template " NR " has no source port" > "/dev/stderr"
		bad = 1
		exit 1
	}
	pe = ps; while (substr($0, pe, 1) ~ /[0-9]/) pe++
	a[NR] = substr($0, 1, ts - 1); b[NR] = substr($0, te, ps - te)
	c[NR] = substr($0, pe)
} END {
	if (bad)
		exit 1
	for (i = 0; i < n; i++) {
		k = i % NR + 1
		printf "%s%d.%06d%s%d%s\n", a[k], 1718031245 + int(i / 1000), (i % 1000) * 1000, b[k], 1024 + i % 60000, c[k]
	}
}' "$tmp/tmpl" > "$tmp/events"
fi
echo "pipeline: $n events, $(($(wc -c < "$tmp/events") / n)) bytes each"

port=$((30000 + $$ % 20000))
zmq="tcp://127.0.0.1:${port}c"
route="-q -i eth0 -i cbr0 -i mirror0 -m mirror0 -c $zmq=mirror0"

# Prints the elapsed seconds of one run of chain $1; fails on any loss.
now() { date +%s.%N; }
# The last value of counter $2 in stage log $1. No jq: it runs while the
# clock runs, and jq's start-up took some 15 ms a call.
last() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1" | tail -n 1; }
# Asks stage $1 for its counters (SIGUSR1) every 10 ms until its log $2
# shows counter $3 at $4: the end of a stage whose input never ends.
reach() {
	until kill -USR1 "$1" && sleep 0.01 && [ "$(last "$2" "$3")" = "$4" ]; do :; done
}
check() { # log counter expected
	got=$(grep '"tool"' "$1" | tail -n 1 | jq ".counters.$2")
	[ "$got" = "$3" ] || { echo "pipeline: $1: $2 = $got, not $3" >&2; exit 1; }
}
run_pipe() {
	zmq-ingest -q -H 100000000 -c "$n" "$zmq" 2> "$tmp/zi.err" |
		ev-route $route 2> "$tmp/er.err" | flow-agg -q > /dev/null 2> "$tmp/fa.err" &
	sleep 0.3
	t0=$(now)
	ev-emit -q -w 10s "$zmq" "$tmp/events" 2> /dev/null
	wait
	t1=$(now)
	check "$tmp/zi.err" records_out "$n"; check "$tmp/zi.err" missing_messages 0
	check "$tmp/er.err" records_in "$n"; check "$tmp/fa.err" records_in "$(grep '"tool"' "$tmp/er.err" | jq .counters.records_out)"
	echo "$t1 - $t0" | bc
}
run_ipc() {
	d="$tmp/ipc"
	mkdir -p "$d"
	flow-agg -q -o /dev/null "pull:@ipc://$d/fa" 2> "$tmp/fa.err" &
	fa=$!
	ev-route $route -o "*=push-lines:>ipc://$d/fa" "pull:@ipc://$d/er" 2> "$tmp/er.err" &
	er=$!
	zmq-ingest -q -H 100000000 -c "$n" -o "push-lines:>ipc://$d/er" "$zmq" 2> "$tmp/zi.err" &
	zi=$!
	sleep 0.3
	t0=$(now)
	ev-emit -q -w 10s "$zmq" "$tmp/events" 2> /dev/null
	wait "$zi"
	out=$(last "$tmp/zi.err" records_out)
	# The readers end when told: once ev-route has passed every record on
	# and flow-agg has taken them all (SIGUSR1 asks for the counters).
	reach "$er" "$tmp/er.err" records_in "$out"
	kill "$er"; wait "$er"
	exp=$(last "$tmp/er.err" records_out)
	reach "$fa" "$tmp/fa.err" records_in "$exp"
	t1=$(now)
	kill "$fa"; wait "$fa"
	check "$tmp/zi.err" records_out "$n"; check "$tmp/zi.err" missing_messages 0
	check "$tmp/fa.err" records_in "$exp"
	echo "$t1 - $t0" | bc
}
run_inproc() {
	evpipe "zmq-ingest -q -H 100000000 -c $n $zmq | ev-route $route | flow-agg -q" \
		> /dev/null 2> "$tmp/chain.err" &
	sleep 0.3
	t0=$(now)
	ev-emit -q -w 10s "$zmq" "$tmp/events" 2> /dev/null
	wait
	t1=$(now)
	grep '"tool":"zmq-ingest"' "$tmp/chain.err" > "$tmp/zi.err"
	grep '"tool":"ev-route"' "$tmp/chain.err" > "$tmp/er.err"
	grep '"tool":"flow-agg"' "$tmp/chain.err" > "$tmp/fa.err"
	check "$tmp/zi.err" records_out "$n"; check "$tmp/zi.err" missing_messages 0
	check "$tmp/fa.err" records_in "$(jq .counters.records_out "$tmp/er.err")"
	echo "$t1 - $t0" | bc
}
# CPU seconds (user+sys) of this shell and of every child it has waited
# for: a run's stages, so that the figures of a busy host can be compared.
hz=$(getconf CLK_TCK)
cpu() { awk -v hz="$hz" '{ print ($14 + $15 + $16 + $17) / hz }' "/proc/$$/stat"; }
# ev-emit reads and encodes each event as it sends it, on the same two
# cores as the stages. Its time alone (a PUB nobody subscribes to
# discards what it is sent) is printed: the producer's share of a run.
: > "$tmp/times"
for _ in $(seq "$runs"); do
	t0=$(now)
	# ev-emit exits 1 when its messages reached nobody, as here by design.
	ev-emit -q -w 0 "ipc://$tmp/nobody" "$tmp/events" 2> /dev/null || :
	t1=$(now)
	echo "$t1 - $t0" | bc >> "$tmp/times"
done
load=$(median < "$tmp/times")
printf 'pipeline: ev-emit alone, sending to nobody: %.3f s median of %d\n' \
	"$load" "$runs"
for chain in ${BENCH_CHAINS:-pipe ipc inproc}; do
	: > "$tmp/times"
	: > "$tmp/cpus"
	for _ in $(seq "$runs"); do
		c0=$(cpu)
		"run_$chain" >> "$tmp/times"
		echo "$(cpu) - $c0" | bc >> "$tmp/cpus"
	done
	t=$(median < "$tmp/times")
	printf 'pipeline: %-7s %8.3f s median of %d  %10.0f events/s, 0 lost, CPU %.2f s (user+sys, median)\n' \
		"$chain" "$t" "$runs" "$(echo "$n / $t" | bc -l)" \
		"$(median < "$tmp/cpus")"
	# realistic.sh reads the rates back for the table of targets.
	if [ -n "${BENCH_CHAIN_RATES:-}" ]; then
		echo "$chain $(echo "$n / $t" | bc -l)" >> "$BENCH_CHAIN_RATES"
	fi
done
