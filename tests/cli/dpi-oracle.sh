#!/bin/sh
# dpi-oracle.sh - pcap-ingest -L against nDPI's own reader (ndpiReader,
# libndpi-bin) on one capture: per bidirectional flow (protocol and the
# two endpoints) the application name ndpiReader writes in its CSV
# (ndpi_proto) and the L7_PROTO_NAME of flow-agg's records for the same
# endpoints. Prints one line per flow both tools see:
#   agree|differ FILE PROTO A:PORT B:PORT NDPI OURS
# (A:PORT the lower endpoint in string order; OURS "-" when no record of
# ours has a name, several names joined by "|").
#
# usage: dpi-oracle.sh FILE [WORKDIR]
#
# pcap-ingest runs with -A 86400 so that a flow nDPI never decides gets,
# as in ndpiReader, nDPI's guess at the end of the capture on its open
# slices. ndpiReader's IPv6 text replaces each ":0:" with "::"; ours is
# changed the same way before the join.
set -eu
f=$1
w=${2:-${TMPDIR:-/tmp}}
name=$(basename "$f")
csv=$w/$name.ndpi.csv
rm -f "$csv"
ndpiReader -i "$f" -C "$csv" -q >/dev/null 2>&1 || true
[ -f "$csv" ] || : >"$csv"
pcap-ingest -q -L -A 86400 -r "$f" 2>/dev/null | flow-agg -q 2>/dev/null |
    jq -r 'select(._type == "flow") | [.PROTOCOL,
	(.IPV4_SRC_ADDR // .IPV6_SRC_ADDR), .L4_SRC_PORT,
	(.IPV4_DST_ADDR // .IPV6_DST_ADDR), .L4_DST_PORT,
	(.L7_PROTO_NAME // "-")] | map(tostring) | join(",")' >"$w/$name.ours"
awk -F, -v file="$name" '
function key(p, a, ap, b, bp,   x, y) {
	gsub(/:0:/, "::", a); gsub(/:0:/, "::", b)
	x = a ":" ap; y = b ":" bp
	return x < y ? p " " x " " y : p " " y " " x
}
FNR == NR {
	if ($0 ~ /^#/) next
	k = key($2, $6, $7, $8, $9)
	if (!(k in N)) { N[k] = $11; order[++n] = k }
	next
}
{
	k = key($1, $2, $3, $4, $5)
	if ($6 == "-") { seen[k] = 1; next }
	if (!(k in O)) O[k] = $6
	else if (index("|" O[k] "|", "|" $6 "|") == 0) O[k] = O[k] "|" $6
	seen[k] = 1
}
END {
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (!(k in seen)) continue
		o = (k in O) ? O[k] : "-"
		print (o == N[k] ? "agree" : "differ"), file, k, N[k], o
	}
}' "$csv" "$w/$name.ours" | sort
