#!/bin/sh
# stop.sh RUNDIR: stops the nodes start.sh started there (their stores stay).
set -u
run=${1:?usage: stop.sh RUNDIR}
for f in "$run"/n?.pid; do
	[ -f "$f" ] || continue
	kill "$(cat "$f")" 2>/dev/null
	rm -f "$f"
done
