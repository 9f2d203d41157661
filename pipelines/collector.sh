#!/bin/sh
# Setup 1: a ZMQ collector alone, as ntopng's "-i tcp://*:5556c".
# Host agents (ebpflowexport, nprobe_mini, nProbe, ev-emit) connect their
# PUB sockets here; their events become flows with processes, shown by
# ev-show (the dashboard on a terminal, tables every 10 s otherwise).
# ev-show reads the events as they come as well as flow-agg's flows, so
# what came in shows at once, before flow-agg writes its first flow.
#
#   usage: collector.sh [ENDPOINT [EV-SHOW-OPTION ...]]
#          default tcp://*:5556c, ev-show -d 10s
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# Run from the source tree, the tools just built come first.
if [ -n "${EVPIPE_BIN:-}" ]; then
	PATH=$EVPIPE_BIN:$PATH
elif [ -x "$here/../build/bin/flow-agg" ]; then
	PATH=$here/../build/bin:$PATH
fi
endpoint=${1:-tcp://*:5556c}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- -d 10s
work=$(mktemp -d "${TMPDIR:-/tmp}/evpipe.XXXXXX")
# As in collector-ifaces.sh: one signal ends everything once, and the FIFO
# folder goes with it.
stop() {
	trap '' INT TERM
	trap - EXIT
	kill 0 2>/dev/null || true
	rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkfifo "$work/events" "$work/flows"
zmq-ingest -l "$endpoint" | tee "$work/events" |
	flow-agg -l -I 10s > "$work/flows" &
ev-show "$@" "$work/events" "$work/flows"
