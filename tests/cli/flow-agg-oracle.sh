#!/bin/sh
# flow-agg-oracle.sh - flow-agg's correctness oracle: per TCP and UDP
# conversation, packets and bytes per direction as tshark counts them, and
# as flow-agg counts them, both normalised to sorted lines
#   PROTO A:PORT B:PORT PKTS_AB BYTES_AB PKTS_BA BYTES_BA
# with A:PORT the lower endpoint (string order). Conversations with the same
# 5-tuple are summed (a reused port pair makes two flows, one conversation).
#
# usage: flow-agg-oracle.sh tshark FILE   (frames, summed per conversation)
#        flow-agg-oracle.sh flows         (flow-agg records on stdin)
#
# Deliberate difference, same in both: IP fragments. tshark runs without
# reassembly; a later fragment (no ports) is counted in the conversation
# of its datagram's first fragment (same addresses, protocol and id) when
# that came before it, and otherwise in a conversation with ports 0, as
# flow-agg does. Frames whose outermost IP header carries neither TCP nor
# UDP (ICMP, ESP, ...) are left out; tunnels count as their outer header.
set -eu

norm='
function out(p, a, b, n1, b1, n2, b2) {
	if (a > b) { t = a; a = b; b = t; t = n1; n1 = n2; n2 = t; t = b1; b1 = b2; b2 = t }
	k = p " " a " " b
	N1[k] += n1; B1[k] += b1; N2[k] += n2; B2[k] += b2
}
END { for (k in N1) print k, N1[k], B1[k], N2[k], B2[k] }'

case "${1:-}" in
tshark)
	tshark -r "$2" -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
	    -T fields -E occurrence=f -E separator=/t \
	    -e frame.len -e frame.protocols -e ip.src -e ip.dst -e ip.proto \
	    -e ip.id -e ip.frag_offset -e ip.flags.mf -e ipv6.src -e ipv6.dst \
	    -e ipv6.fraghdr.ident -e ipv6.fraghdr.offset -e ipv6.fraghdr.more \
	    -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
	    2>/dev/null |
	awk -F'\t' '
	{
		len = $1; np = split($2, pr, ":")
		# The transport after the outermost IP header (and its IPv6
		# extension headers).
		t = ""; v = ""
		for (i = 1; i <= np; i++)
			if (pr[i] == "ip" || pr[i] == "ipv6") { v = pr[i]; break }
		if (v == "") next
		for (i++; i <= np && pr[i] ~ /^ipv6\./; i++) ;
		if (i <= np) t = pr[i]
		if (v == "ip") { s = $3; d = $4; proto = $5; id = $6; off = $7; mf = $8 }
		else { s = $9; d = $10; id = $11; off = $12; mf = $13; proto = "" }
		frag = (off != "" && off + 0 > 0) || mf == "1" || mf == "True" || (v == "ipv6" && id != "")
		if (t == "tcp") { proto = 6; sp = $14; dp = $15 }
		else if (t == "udp") { proto = 17; sp = $16; dp = $17 }
		else if (frag && off + 0 > 0) {
			# A later fragment: join its first fragment.
			fk = s " " d " " id
			if (v == "ipv6") {
				if (!(fk in FRP)) next	# protocol unknown: cannot be an orphan here
			}
			if (fk in FRP) { proto = FRP[fk]; sp = FRS[fk]; dp = FRD[fk] }
			else { sp = 0; dp = 0 }
			if (proto != 6 && proto != 17) next
			out(proto, s ":" sp, d ":" dp, 1, len, 0, 0)
			next
		} else next
		if (sp == "" || dp == "") { sp = 0; dp = 0 }
		if (frag) { fk = s " " d " " id; FRP[fk] = proto; FRS[fk] = sp; FRD[fk] = dp }
		out(proto, s ":" sp, d ":" dp, 1, len, 0, 0)
	}'"$norm" | LC_ALL=C sort
	;;
flows)
	jq -r 'select(._type == "flow" and (.PROTOCOL == 6 or .PROTOCOL == 17)) |
	    [.PROTOCOL, ((.IPV4_SRC_ADDR // .IPV6_SRC_ADDR) + ":" + (.L4_SRC_PORT|tostring)),
	     ((.IPV4_DST_ADDR // .IPV6_DST_ADDR) + ":" + (.L4_DST_PORT|tostring)),
	     .IN_PKTS, .IN_BYTES, .OUT_PKTS, .OUT_BYTES] | @tsv' |
	awk -F'\t' '{ out($1, $2, $3, $4, $5, $6, $7) }'"$norm" | LC_ALL=C sort
	;;
*)
	echo "usage: flow-agg-oracle.sh tshark FILE | flows" >&2
	exit 2
	;;
esac
