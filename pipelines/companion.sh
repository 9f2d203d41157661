#!/bin/sh
# Setup 3: the companion. A ZMQ collector and an interface that receives
# mirrored traffic (a SPAN port or TAP). Every event of the ZMQ interface is
# also delivered to the mirrored interface, except events involving a
# loopback address (they never appear on a mirror), and flow-agg joins the
# events' processes onto the mirrored packets' flows, whichever end the
# agent ran on. Needs root for the capture.
#
#   usage: companion.sh ENDPOINT MIRROR_IFACE [IFACE ...]
#   e.g.   companion.sh 'tcp://*:5556c' ens4
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# Run from the source tree, the tools just built come first.
. "$here/lib.sh"
evpipe_path
[ $# -ge 2 ] || { echo "usage: $0 endpoint mirror_iface [iface ...]" >&2; exit 2; }
endpoint=$1 mirror=$2
shift 2
evpipe_workdir
mkfifo "$work/events" "$work/packets"
caps="-i $mirror" decl="-i $mirror"
for i in "$@"; do caps="$caps -i $i"; decl="$decl -i $i"; done
zmq-ingest -l "$endpoint" > "$work/events" &
# shellcheck disable=SC2086
pcap-ingest -l -L -A 1 $caps > "$work/packets" &
# shellcheck disable=SC2086
ev-route -l $decl -m "$mirror" -c "$endpoint=$mirror" \
	"$work/events" "$work/packets" | flow-agg -l -I 10s | ev-show -d 10s
