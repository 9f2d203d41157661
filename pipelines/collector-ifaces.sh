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
if [ -n "${EVPIPE_BIN:-}" ]; then
	PATH=$EVPIPE_BIN:$PATH
elif [ -x "$here/../build/bin/flow-agg" ]; then
	PATH=$here/../build/bin:$PATH
fi
[ $# -ge 2 ] || { echo "usage: $0 endpoint iface [iface ...]" >&2; exit 2; }
endpoint=$1
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/evpipe.XXXXXX")
# One signal ends everything once: the handler ignores the TERM that
# kill 0 also sends this shell (else dash re-enters it without end) and
# removes the FIFO folder. Background jobs of a script ignore SIGINT, so
# kill 0 is what stops them. Run it as its own process group (a terminal
# does that): kill 0 reaches the whole group.
stop() {
	trap '' INT TERM
	trap - EXIT
	kill 0 2>/dev/null || true
	rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkfifo "$work/events" "$work/packets"
caps="" decl=""
for i in "$@"; do caps="$caps -i $i"; decl="$decl -i $i"; done
zmq-ingest -l "$endpoint" > "$work/events" &
# shellcheck disable=SC2086
pcap-ingest -l -L -A 1 $caps > "$work/packets" &
# shellcheck disable=SC2086
ev-route -l $decl "$work/events" "$work/packets" | flow-agg -l -I 10s | ev-show -d 10s
