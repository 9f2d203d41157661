#!/bin/sh
# Setup 2: a ZMQ collector plus packet interfaces, with IF_NAME delivery.
# Every event stays on the ZMQ interface and is also delivered to the
# captured interface its IF_NAME / INTERFACE_NAME names, where flow-agg
# joins it with that interface's packets. Needs root for the capture.
#
#   usage: collector-ifaces.sh ENDPOINT IFACE [IFACE ...]
#   e.g.   collector-ifaces.sh 'tcp://*:5556c' eth0 cbr0
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# Run from the source tree, the tools just built come first.
. "$here/lib.sh"
evpipe_path
[ $# -ge 2 ] || { echo "usage: $0 endpoint iface [iface ...]" >&2; exit 2; }
endpoint=$1
shift
evpipe_workdir
mkfifo "$work/events" "$work/packets"
caps="" decl=""
for i in "$@"; do caps="$caps -i $i"; decl="$decl -i $i"; done
zmq-ingest -l "$endpoint" > "$work/events" &
# shellcheck disable=SC2086
pcap-ingest -l -L -A 1 $caps > "$work/packets" &
# shellcheck disable=SC2086
ev-route -l $decl "$work/events" "$work/packets" | flow-agg -l -I 10s | ev-show -d 10s
