#!/bin/sh
# Setup 1: a ZMQ collector alone, as ntopng's "-i tcp://*:5556c".
# Host agents (ebpflowexport, nprobe_mini, nProbe, ev-emit) connect their
# PUB sockets here; their events become flows with processes, shown by
# ev-show (the dashboard on a terminal, tables every 10 s otherwise).
#
#   usage: collector.sh [ENDPOINT]        default tcp://*:5556c
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# Run from the source tree, the tools just built come first.
if [ -n "${EVPIPE_BIN:-}" ]; then
	PATH=$EVPIPE_BIN:$PATH
elif [ -x "$here/../build/bin/flow-agg" ]; then
	PATH=$here/../build/bin:$PATH
fi
endpoint=${1:-tcp://*:5556c}
zmq-ingest "$endpoint" | flow-agg -l -I 10s | ev-show -d 10s
