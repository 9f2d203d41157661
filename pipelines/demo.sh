#!/bin/sh
# make demo: the whole evpipe pipeline on the shipped sample data.
#
#   ev-emit --ZMQ--> zmq-ingest --+
#                                 +--> ev-route --> flow-agg --> ev-show
#   pcap-ingest (demo.pcap) ------+
#
# ev-emit replays eBPF events (CONNECT from curl on the client host, ACCEPT
# from an HTTP server on the server host) in ebpflowexport's wire format to
# zmq-ingest, a collector on a socket in a fresh folder (ipc://, so no
# port can be taken already; EVPIPE_DEMO_PORT=N uses tcp://127.0.0.1:Nc,
# and the demo stops with zmq-ingest's message when that port is taken).
# pcap-ingest reads a
# capture of the same connections as interface "mirror0", which receives
# mirrored traffic. ev-route delivers every event to the ZMQ interface, to
# "eth0" (its INTERFACE_NAME) and to the companion "mirror0"; flow-agg joins
# packets and events into flows that name both processes; ev-show shows
# them: the dashboard on a terminal (q quits), tables otherwise.
# pipelines/demo/README says how the data was made.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${EVPIPE_BIN:=$here/../build/bin}"
PATH=$EVPIPE_BIN:$PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/evpipe-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkfifo "$work/events" "$work/packets"
if [ -n "${EVPIPE_DEMO_PORT:-}" ]; then
	zmq="tcp://127.0.0.1:${EVPIPE_DEMO_PORT}c"
else
	zmq="ipc://$work/zmqc"
fi

echo "evpipe demo: $(wc -l < "$here/demo/events.ndjson") eBPF events over ZMQ to $zmq," \
	"packets from demo/demo.pcap as mirror0" >&2
zmq-ingest -q -c "$(wc -l < "$here/demo/events.ndjson")" -t 60s "$zmq" \
	> "$work/events" 2> "$work/zmq-ingest.err" &
zpid=$!
ev-emit -q -w 10s "$zmq" "$here/demo/events.ndjson" 2> "$work/ev-emit.err" &
epid=$!
pcap-ingest -q -L -r "$here/demo/demo.pcap=mirror0" > "$work/packets" \
	2> "$work/pcap-ingest.err" &
ev-route -q -i eth0 -i mirror0 -m mirror0 -c "$zmq=mirror0" \
	"$work/events" "$work/packets" 2> "$work/ev-route.err" |
	tee "$work/routed.ndjson" |
	flow-agg -q > "$work/flows.ndjson" 2> "$work/flow-agg.err"
zrc=0 erc=0
wait "$zpid" || zrc=$?
wait "$epid" || erc=$?
wait
if [ "$zrc" -ne 0 ] || [ "$erc" -ne 0 ]; then
	# The collector could not bind (a port in use) or the events
	# reached nobody: a demo without them shows nothing true.
	echo "evpipe demo: failed (zmq-ingest exit $zrc, ev-emit exit $erc):" >&2
	grep -hv '^{"tool"' "$work/zmq-ingest.err" "$work/ev-emit.err" >&2 || true
	exit 1
fi
for t in zmq-ingest ev-emit pcap-ingest ev-route flow-agg; do
	printf '%-12s %s\n' "$t:" "$(tail -n 1 "$work/$t.err")" >&2
done
merged=$(grep -c '"_iface":"mirror0".*"SRC_PROC_PID".*"DST_PROC_PID"' \
	"$work/flows.ndjson" || true)
echo "flows on mirror0 with both processes named: $merged" >&2
echo >&2
if [ -t 1 ] && [ -t 0 ]; then
	ev-show "$work/routed.ndjson" "$work/flows.ndjson"
else
	ev-show -b -w 132 "$work/routed.ndjson" "$work/flows.ndjson"
fi
