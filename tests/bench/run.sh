#!/bin/sh
# make bench: runs every stage's benchmark script in turn (tests/bench/*.sh),
# each printing its medians and its ratio against the peer tool measured
# in the same run. EVPIPE_BIN points at the built tools. BENCH_ONLY=name
# runs one script (e.g. BENCH_ONLY=route).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${EVPIPE_BIN:=$here/../../build/bin}"
export EVPIPE_BIN
status=0
for s in "$here"/*.sh; do
	n=$(basename "$s" .sh)
	[ "$n" = run ] && continue
	[ -n "${BENCH_ONLY:-}" ] && [ "$BENCH_ONLY" != "$n" ] && continue
	echo "=== bench: $n"
	sh "$s" || { echo "bench $n: failed (exit $?)"; status=1; }
done
exit $status
