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
. "$here/lib.sh"
evpipe_path
endpoint=${1:-tcp://*:5556c}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- -d 10s
evpipe_workdir
mkfifo "$work/events" "$work/flows"
zmq-ingest -l "$endpoint" | tee "$work/events" |
	flow-agg -l -I 10s > "$work/flows" &
ev-show "$@" "$work/events" "$work/flows"
