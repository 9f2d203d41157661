#!/bin/sh
# Capture files to flow records (NDJSON on stdout), as softflowd -r does:
# pcap-ingest aggregates packets into one-second slices and names their
# application with nDPI (-L: L7_PROTO_NAME, TLS_SERVER_NAME, ...),
# flow-agg joins the slices into bidirectional flows. Each file is its own interface,
# named after the file (or FILE=NAME).
#
#   usage: pcap-to-flows.sh FILE[=NAME] ...
#   e.g.   pcap-to-flows.sh trace.pcap | jq -c 'select(.IN_BYTES > 1000000)'
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# Run from the source tree, the tools just built come first.
. "$here/lib.sh"
evpipe_path
[ $# -ge 1 ] || { echo "usage: $0 file[=name] ..." >&2; exit 2; }
files=""
for f in "$@"; do files="$files -r $f"; done
# shellcheck disable=SC2086
pcap-ingest -q -L -A 1 $files | flow-agg -q
