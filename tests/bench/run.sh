#!/bin/sh
# make bench: runs every stage's benchmark script in turn (tests/bench/*.sh),
# each printing its medians and its ratio against the peer tool measured
# in the same run, then one table of the end-to-end targets (realistic.sh
# and zmq.sh fill it): each figure, its ratio to its peer, the target and
# whether it is met. EVPIPE_BIN points at the built tools. BENCH_ONLY
# runs some scripts only, by name (e.g. BENCH_ONLY="realistic zmq").
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${EVPIPE_BIN:=$here/../../build/bin}"
export EVPIPE_BIN
BENCH_TARGETS=$(mktemp)
export BENCH_TARGETS
trap 'rm -f "$BENCH_TARGETS"' EXIT INT TERM
status=0
for s in "$here"/*.sh; do
	n=$(basename "$s" .sh)
	case $n in run|lib) continue ;; esac
	case " ${BENCH_ONLY:-$n} " in *" $n "*) ;; *) continue ;; esac
	echo "=== bench: $n"
	sh "$s" || { echo "bench $n: failed (exit $?)"; status=1; }
done
if [ -s "$BENCH_TARGETS" ]; then
	echo "=== targets"
	{ printf 'figure\tmeasured\tratio to peer\ttarget\tstatus\n'
	  cat "$BENCH_TARGETS"; } |
	    awk -F '\t' '{ for (i = 1; i <= NF; i++) { c[NR, i] = $i
		if (length($i) > w[i]) w[i] = length($i) } n = NR }
		END { for (r = 1; r <= n; r++) { l = ""
		for (i = 1; i <= 5; i++) l = l sprintf("| %-*s ", w[i], c[r, i])
		print l "|"
		if (r == 1) { l = ""
		for (i = 1; i <= 5; i++) { d = ""; while (length(d) < w[i] + 2) d = d "-"; l = l "|" d }
		print l "|" } } }'
fi
exit $status
