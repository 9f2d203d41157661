#!/bin/sh
# NATS JetStream benchmark: packet records through ev-route -S 4 into four
# flow-agg processes, the shards joined (a) by FIFOs (the pipe chain), (b)
# by a one-node JetStream server (-O nats://.../bench.shard.%d, consumers
# nats://.../bench/aggK), (c) by a three-node cluster with three replicas.
# The clock runs from the start of ev-route until the four flow-agg have
# counted every record (polled with SIGUSR1 every 0.1 s), so set-up and
# the final flush are outside it; the consumers are created before.
# Reported: median records/s over BENCH_RUNS runs (default 3), the ratio
# to the pipe chain (target >= 0.5 on one node), and the peak RSS
# (VmHWM) of ev-route and of the largest flow-agg in the last run (not
# polled for the pipe chain, whose flow-agg end at EOF: shown as 0).
# BENCH_RECORDS=N records (default 1000000: the captures, repeated).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
: "${EVPIPE_BIN:=$here/../../build/bin}"
PATH=$EVPIPE_BIN:$PATH
want=${BENCH_RECORDS:-1000000}
runs=${BENCH_RUNS:-3}
for t in nats-server jq; do
	command -v $t >/dev/null || { echo "nats: $t missing"; exit 1; }
done
tmp=$(mktemp -d)
cleanup() {
	for f in "$tmp"/*.pid "$tmp"/c/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

caps=$here/../data/pcaps
for p in 1kxun KakaoTalk_talk bot reddit; do
	pcap-ingest -r "$caps/$p.pcap" 2>/dev/null
done > "$tmp/one"
: > "$tmp/in"
while [ "$(wc -l < "$tmp/in")" -lt "$want" ]; do cat "$tmp/one" >> "$tmp/in"; done
head -n "$want" "$tmp/in" > "$tmp/in2" && mv "$tmp/in2" "$tmp/in"
n=$(wc -l < "$tmp/in")
echo "nats: $n packet records ($(($(wc -c < "$tmp/in") / 1048576)) MiB), 4 shards, $runs runs"

now() { date +%s.%N; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Polls the flow-agg pids $@ until their records sum to $n; keeps the
# largest VmHWM seen in $tmp/agg.hwm.
wait_records() {
	best=0
	start_=$(date +%s)
	while [ $(($(date +%s) - start_)) -lt 600 ]; do
		t=0
		for p in "$@"; do
			kill -USR1 "$p" 2>/dev/null || true
			h=$(hwm "$p"); [ "${h:-0}" -gt "$best" ] && best=$h
		done
		sleep 0.1
		for p in "$@"; do
			v=$(grep -h '^{"tool":"flow-agg"' "$tmp/agg$p.err" 2>/dev/null |
			    tail -1 | jq '.counters.records_in // 0')
			t=$((t + ${v:-0}))
		done
		[ "$t" -ge "$n" ] && break
	done
	echo "$best" > "$tmp/agg.hwm"
}

# One run: $1 names the kind (pipe, or a nats server list), $2 the run.
one_run() {
	kind=$1 run_=$2 pids=""
	for k in 0 1 2 3; do
		if [ "$kind" = pipe ]; then
			rm -f "$tmp/f$k"; mkfifo "$tmp/f$k"
			in=$tmp/f$k
		else
			in="nats://$kind/b$run_/agg$k?subject=b$run_.shard.$k&batch=256$crep"
		fi
		flow-agg -q -o /dev/null "$in" 2> "$tmp/agg.tmp" &
		p=$!
		mv "$tmp/agg.tmp" "$tmp/agg$p.err" 2>/dev/null || true
		pids="$pids $p"
	done
	# Consumers ready (handlers installed) before the clock starts.
	for p in $pids; do
		until m=$(awk '/^SigCgt/ { print $2 }' "/proc/$p/status" \
		    2>/dev/null) && [ -n "$m" ] && [ $((0x$m & 0x200)) -ne 0 ]; do
			sleep 0.05
		done
	done
	if [ "$kind" = pipe ]; then
		out="$tmp/f%d"
	else
		out="nats://$kind/b$run_.shard.%d$rep"
	fi
	t0=$(now)
	ev-route -q -S 4 -O "$out" "$tmp/in" 2> "$tmp/route.err" &
	rp=$!
	rh=0
	while kill -0 "$rp" 2>/dev/null; do
		h=$(hwm "$rp"); [ "${h:-0}" -gt "$rh" ] && rh=$h
		sleep 0.1
	done
	wait "$rp"
	if [ "$kind" = pipe ]; then
		# FIFO readers end at EOF: their exit is the end.
		for p in $pids; do wait "$p" || true; done
		echo 0 > "$tmp/agg.hwm"
	else
		# shellcheck disable=SC2086
		wait_records $pids
	fi
	t1=$(now)
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	for p in $pids; do wait "$p" || true; done
	echo "$rh" > "$tmp/route.hwm"
	echo "$n / ($t1 - $t0)" | bc -l
}


bench() {
	name=$1 kind=$2
	i_=0
	while [ "$i_" -lt "$runs" ]; do
		one_run "$kind" "$i_$name"
		i_=$((i_ + 1))
	done | median | awk '{ print int($1) }' > "$tmp/$name.rate"
	printf '%-14s %10s records/s   peak RSS ev-route %s KiB, flow-agg %s KiB\n' \
	    "$name" "$(cat "$tmp/$name.rate")" "$(cat "$tmp/route.hwm")" \
	    "$(cat "$tmp/agg.hwm")"
}

base=$((20000 + $$ % 20000))
rep="" crep=""
bench pipe pipe
nats-server -a 127.0.0.1 -p "$base" -js -sd "$tmp/s1" > "$tmp/s1.log" 2>&1 &
echo $! > "$tmp/s1.pid"
until grep -q 'Server is ready' "$tmp/s1.log"; do sleep 0.1; done
bench nats-R1 "127.0.0.1:$base"
S=$("$here/../../pipelines/nats/start.sh" "$tmp/c" $((base + 1)) \
    $((base + 2)) $((base + 3)) $((base + 4)) $((base + 5)) $((base + 6)) \
    $((base + 7)) $((base + 8)) $((base + 9)))
S=${S#nats://}
tries=0
until flow-agg -o "nats://$S/probe.x?replicas=3" /dev/null 2>/dev/null; do
	tries=$((tries + 1))
	[ "$tries" -gt 120 ] && { echo "nats: the cluster did not start"; exit 1; }
	sleep 0.5
done
rep="?replicas=3" crep="&replicas=3"
bench nats-R3 "$S"
pr=$(cat "$tmp/pipe.rate")
for k in nats-R1 nats-R3; do
	echo "$k / pipe: $(echo "scale=2; $(cat "$tmp/$k.rate") / $pr" | bc)"
done
r1=$(cat "$tmp/nats-R1.rate")
if [ "$(echo "$r1 * 2 >= $pr" | bc)" -eq 1 ]; then
	echo "nats: one node >= 0.5x the pipe chain: met"
else
	echo "nats: one node < 0.5x the pipe chain: NOT met"
fi
