#!/bin/sh
# ev-route benchmark: 1,000,000 eBPF events of ~600 bytes in a
# file, routed with a companion and three declared interfaces to
# /dev/null, against `jq -c 'select(.INTERFACE_NAME == "cbr0")'` and
# `grep -F` over the same file, in one hyperfine run. jq is run on the
# first 100,000 lines only (it needs ~20 s for a million) and its rate is
# per line, so the comparison stays fair. Targets: >= 20x jq, >= 0.5x grep.
# Every tool reads the file itself; grep and jq write their matches (a
# quarter of the lines) to a pipe. ev-route runs twice: one thread, and
# -j 2 (two workers; the machine has 2 cores); both are reported, and the
# CPU-seconds per line too, which a parallel run does not flatter.
# BENCH_LINES=N changes the size; BENCH_RUNS=N the runs per command.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${EVPIPE_BIN:=$here/../../build/bin}"
lines=${BENCH_LINES:-1000000}
runs=${BENCH_RUNS:-5}
jqlines=$((lines / 10))
command -v hyperfine >/dev/null || { echo "route: hyperfine missing"; exit 1; }
command -v jq >/dev/null || { echo "route: jq missing"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The libebpfflow events with a process (the ~600-byte ones), compact, as
# zmq-ingest writes them, their interface names cycling over four values
# and their timestamps counting up.
grep -E '"(TCP|UDP)_EVENT_TYPE"' "$here/../data/route/events.ndjson" |
    grep '"LOCAL_PROCESS"' | jq -c . > "$tmp/tmpl"
# Each template is split around its timestamp once, for each interface
# name; the loop then only prints (mawk, gawk and busybox awk alike).
awk -v n="$lines" '
	{
		for (k = 1; k <= 4; k++) {
			s = $0;
			sub(/"INTERFACE_NAME":"[^"]*"/, "\"INTERFACE_NAME\":\"" name[k] "\"", s);
			sub(/"IF_NAME":"[^"]*"/, "\"IF_NAME\":\"" name[k] "\"", s);
			p = index(s, "\"timestamp\":\"");
			q = p + 13;
			while (substr(s, q, 1) != "\"")
				q++;
			pre[m] = substr(s, 1, p + 12);
			post[m] = substr(s, q);
			m++;
		}
	}
	BEGIN { split("eth0 cbr0 ens3 lo", name, " "); m = 0 }
	END {
		for (i = 0; i < n; i++)
			printf "%s%d.%06d%s\n", pre[i % m], 1718031245 + int(i / 1000), (i % 1000) * 1000, post[i % m];
	}' "$tmp/tmpl" > "$tmp/events"
head -n "$jqlines" "$tmp/events" > "$tmp/events.jq"
bytes=$(wc -c < "$tmp/events")
echo "route: $lines events, $((bytes / lines)) bytes each on average"

# --output=pipe: GNU grep stops at the first match when its output is
# /dev/null, which would measure nothing. ev-route writes to /dev/null
# itself (-o), as the benchmark is defined.
hyperfine -N --style basic --runs "$runs" --warmup 1 --output=pipe \
    --export-json "$tmp/h.json" \
    -n ev-route "$EVPIPE_BIN/ev-route -i cbr0 -i ens3 -i eth1 -m eth1 -c tcp://*:1234c=eth1 -o *=/dev/null $tmp/events" \
    -n "ev-route -j 2" "$EVPIPE_BIN/ev-route -j 2 -i cbr0 -i ens3 -i eth1 -m eth1 -c tcp://*:1234c=eth1 -o *=/dev/null $tmp/events" \
    -n grep "grep -F \"INTERFACE_NAME\\\":\\\"cbr0\" $tmp/events" \
    -n "jq (1/10 of the lines)" "jq -c 'select(.INTERFACE_NAME == \"cbr0\")' $tmp/events.jq" \
    > "$tmp/h.out" 2>&1 || { cat "$tmp/h.out"; exit 1; }

jq -r --argjson n "$lines" --argjson nj "$jqlines" '
	[.results[] | {name: .command, med: .median}] as $r |
	($r[0].med) as $er | ($r[1].med) as $er2 | ($r[2].med) as $gr |
	($r[3].med) as $jr |
	($n / $er) as $e | ($n / $er2) as $e2 | ($n / $gr) as $g |
	($nj / $jr) as $j |
	"route: median seconds: ev-route \($er * 1000 | round / 1000), ev-route -j 2 \($er2 * 1000 | round / 1000), grep -F \($gr * 1000 | round / 1000), jq \($jr * 1000 | round / 1000) on \($nj) lines",
	"route: lines/s: ev-route \($e | round), ev-route -j 2 \($e2 | round), grep -F \($g | round), jq \($j | round)",
	"route: one thread: ev-route/jq = \($e / $j * 10 | round / 10)x, ev-route/grep = \($e / $g * 100 | round / 100)x",
	"route: -j 2: ev-route/jq = \($e2 / $j * 10 | round / 10)x (target >= 20x), ev-route/grep = \($e2 / $g * 100 | round / 100)x (target >= 0.5x)",
	([.results[] | .user + .system]) as $cpu |
	"route: lines per CPU-second (user+sys): ev-route \($n / $cpu[0] | round), ev-route -j 2 \($n / $cpu[1] | round), grep -F \($n / $cpu[2] | round), jq \($nj / $cpu[3] | round); one thread \(($n / $cpu[0]) / ($nj / $cpu[3]) * 10 | round / 10)x jq, \(($n / $cpu[0]) / ($n / $cpu[2]) * 100 | round / 100)x grep",
	(if ($e2 / $j) >= 20 and ($e2 / $g) >= 0.5 then "route: targets met (with -j 2)" else "route: TARGETS MISSED" end)
' "$tmp/h.json"
