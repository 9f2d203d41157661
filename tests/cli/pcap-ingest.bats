setup() { load helper; EXP="$EXPECTED/pcap-ingest"; }
bats_require_minimum_version 1.5.0

# pcap-ingest: usage, golden outputs, bad input, the tshark oracle over
# every test capture, live capture on lo, privilege drop.

# --- helpers ---------------------------------------------------------

# The counters object from a run's stderr (its last line).
counters() { tail -n 1 "$1" | jq -c .counters; }

# Little-endian 32-bit value as printf escapes.
le32() {
	printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
	    $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

# mkpcap FILE LINKTYPE FRAME... writes a microsecond pcap; each FRAME is
# hex, optionally "HEX@WIRELEN" for a frame cut at capture time.
mkpcap() {
	local f=$1 lt=$2 t=1000 h n w
	shift 2
	{
		printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00'
		printf "$(le32 0)$(le32 0)$(le32 262144)$(le32 "$lt")"
		for h in "$@"; do
			w=${h#*@}
			h=${h%@*}
			n=$((${#h} / 2))
			[ "$w" != "$h" ] || w=$n
			printf "$(le32 $t)$(le32 500)$(le32 $n)$(le32 "$w")"
			printf "$(printf '%s' "$h" | sed 's/../\\x&/g')"
			t=$((t + 1))
		done
	} >"$f"
}

# Normalises tshark's view of a capture to one TSV line per frame:
# frame.len, then for an IP frame the outermost IP version, addresses,
# protocol and (TCP/UDP only) ports; "-" for a frame without IP. The
# fields take their first occurrence (-E occurrence=f): tshark also
# decodes tunnelled (VXLAN) and ICMP-quoted headers, and pcap-ingest
# reports the outer ones. Reassembly is off so each fragment stands alone.
tshark_tsv() {
	tshark -r "$1" -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
	    -T fields -E occurrence=f -e frame.len -e ip.src -e ip.dst \
	    -e ipv6.src -e ipv6.dst -e ip.proto -e tcp.srcport -e tcp.dstport \
	    -e udp.srcport -e udp.dstport -e frame.protocols -e ipv6.nxt \
	    -e ipv6.fraghdr.nxt 2>/dev/null |
	awk -F'\t' 'BEGIN { OFS = "\t" }
	{
		n = split($11, t, ":"); ver = ""; l4 = ""
		for (i = 1; i <= n; i++)
			if (t[i] == "ip" || t[i] == "ipv6") {
				ver = t[i] == "ip" ? 4 : 6
				for (j = i + 1; j <= n && t[j] ~ /^ipv6\./; j++)
					;
				l4 = t[j]
				break
			}
		if (ver == "") { print $1, "-"; next }
		if (ver == 4) { s = $2; d = $3; p = $6 }
		else {
			s = $4; d = $5
			p = l4 == "tcp" ? 6 : l4 == "udp" ? 17 : \
			    l4 == "icmpv6" ? 58 : $13 != "" ? $13 : $12
		}
		sp = ""; dp = ""
		if (l4 == "tcp") { sp = $7; dp = $8 }
		else if (l4 == "udp") { sp = $9; dp = $10 }
		print $1, ver, s, d, p, sp, dp
	}'
}

# The same view of pcap-ingest's records (-N: every frame has one).
records_tsv() {
	jq -r 'if .IP_PROTOCOL_VERSION then
	    [.BYTES, .IP_PROTOCOL_VERSION,
	     (.IPV4_SRC_ADDR // .IPV6_SRC_ADDR),
	     (.IPV4_DST_ADDR // .IPV6_DST_ADDR), .PROTOCOL,
	     (.L4_SRC_PORT // ""), (.L4_DST_PORT // "")]
	    else [.BYTES, "-"] end | map(tostring) | join("\t")'
}

# --- usage and configuration errors ------------------------------------

@test "usage and configuration errors exit 2" {
	run pcap-ingest
	assert_failure 2
	assert_output --partial "usage: pcap-ingest [-LlNpqV] [-A seconds]"
	run pcap-ingest -X -r "$PCAPS/dns_tcp.pcap"
	assert_failure 2
	assert_output --partial "usage:"
	run pcap-ingest -i lo -r "$PCAPS/dns_tcp.pcap"
	assert_failure 2
	assert_output "pcap-ingest: read interfaces (-i) or files (-r), not both"
	for a in "-A 0" "-A x" "-c 0" "-s -1"; do
		run pcap-ingest $a -r "$PCAPS/dns_tcp.pcap"
		assert_failure 2
	done
	# A malformed sink is a usage error, as in every tool; a file that
	# cannot be made is a runtime one.
	run pcap-ingest -r "$PCAPS/dns_tcp.pcap" -o zmq:
	assert_failure 2
	assert_output "pcap-ingest: zmq:: no endpoint"
	run pcap-ingest -r "$PCAPS/dns_tcp.pcap" -o /nonexistent/x
	assert_failure 1
	run pcap-ingest -f tcp -r "$PCAPS/dns_tcp.pcap" udp
	assert_failure 2
	assert_output --partial "not both"
	run pcap-ingest -r "$PCAPS/dns_tcp.pcap" "tcp and and"
	assert_failure 2
	assert_output --partial "pcap-ingest: bad filter: "
	assert_output --partial "syntax error"
	run pcap-ingest -Z no-such-user-evpipe -r "$PCAPS/dns_tcp.pcap"
	assert_failure 2
	assert_output "pcap-ingest: -Z: unknown user 'no-such-user-evpipe'"
}

@test "missing file, not a capture, no such interface: exit 1" {
	run --separate-stderr pcap-ingest -r "$BATS_TEST_TMPDIR/nope.pcap"
	assert_failure 1
	assert_output ""
	[[ "$stderr" == *"nope.pcap: No such file or directory"* ]]
	printf 'hello, this is not a pcap file\n' >"$BATS_TEST_TMPDIR/x.pcap"
	run pcap-ingest -r "$BATS_TEST_TMPDIR/x.pcap"
	assert_failure 1
	assert_output --partial "x.pcap: unknown file format"
	[ "$(id -u)" = 0 ] || skip "needs root"
	run pcap-ingest -i evpipe-nope0
	assert_failure 1
	assert_output --partial "pcap-ingest: evpipe-nope0: "
}

# --- golden outputs ----------------------------------------------------

@test "golden records: Ethernet, nanoseconds + SLL, -A 1, QinQ -N, fragments" {
	run -0 --separate-stderr pcap-ingest -r "$PCAPS/dns_tcp.pcap"
	assert_output "$(cat "$EXP/dns_tcp.ndjson")"
	[ "$(printf '%s\n' "$stderr" | tail -n 1)" = \
	    '{"tool":"pcap-ingest","counters":{"packets":11,"bytes":922,"records_out":11,"ipv4":11,"ipv6":0,"fragments":0,"decoded":11,"truncated":0,"malformed":0,"nonip_packets":0,"badlink":0,"caplen_short":0,"file_errors":0,"lost":0,"link.EN10MB":11}}' ]
	run -0 --separate-stderr pcap-ingest -r "$PCAPS/tcp-handshake-nano.pcap"
	assert_output "$(cat "$EXP/tcp-handshake-nano.ndjson")"
	run -0 --separate-stderr pcap-ingest -A 1 -r "$PCAPS/dns_tcp.pcap"
	assert_output "$(cat "$EXP/dns_tcp-A1.ndjson")"
	run -0 --separate-stderr pcap-ingest -r "$PCAPS/802.1ad_QinQ.pcap"
	assert_output ""
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/err"
	[ "$(counter "$BATS_TEST_TMPDIR/err" nonip.arp)" = 2 ]
	[ "$(counter "$BATS_TEST_TMPDIR/err" records_out)" = 0 ]
	run -0 --separate-stderr pcap-ingest -N -r "$PCAPS/802.1ad_QinQ.pcap"
	assert_output "$(cat "$EXP/qinq-N.ndjson")"
	run -0 --separate-stderr pcap-ingest -r "$PCAPS/dns_fragmented.pcap" \
	    "ip[6:2] & 0x3fff != 0 or ip6[6] == 44"
	assert_output "$(cat "$EXP/dns_fragmented-frags.ndjson")"
}

@test "-A 1: packet and byte totals equal the per-packet run's" {
	pcap-ingest -q -r "$PCAPS/1kxun.pcap" 2>/dev/null >"$BATS_TEST_TMPDIR/p"
	pcap-ingest -q -A 1 -r "$PCAPS/1kxun.pcap" 2>/dev/null >"$BATS_TEST_TMPDIR/a"
	[ "$(jq -s 'map(.PKTS) | add' "$BATS_TEST_TMPDIR/a")" = 1723 ]
	[ "$(jq -s 'map(.BYTES) | add' "$BATS_TEST_TMPDIR/a")" = \
	    "$(jq -s 'map(.BYTES) | add' "$BATS_TEST_TMPDIR/p")" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/a")" -lt 1723 ]
}

@test "-r FILE=NAME, several files in first-timestamp order, filters, -c" {
	run -0 --separate-stderr pcap-ingest -c 1 -r "$PCAPS/dns_tcp.pcap=wan0"
	[ "$(printf '%s' "$output" | jq -r ._iface)" = wan0 ]
	run -0 --separate-stderr pcap-ingest -c 1 -r "$PCAPS/ocs.pcap"
	[ "$(printf '%s' "$output" | jq -r ._iface)" = ocs.pcap ]
	# ocs.pcap begins earlier than dns_tcp.pcap: it is read first
	# whatever the order given.
	run -0 --separate-stderr pcap-ingest -r "$PCAPS/dns_tcp.pcap=a" \
	    -r "$PCAPS/ocs.pcap=b"
	[ "$(printf '%s\n' "$output" | jq -r ._iface | uniq -c |
	    awk '{ print $1 $2 }' | tr '\n' ' ')" = "946b 11a " ]
	run -0 --separate-stderr pcap-ingest -r "$PCAPS/ocs.pcap=b" \
	    -r "$PCAPS/dns_tcp.pcap=a"
	[ "$(printf '%s\n' "$output" | jq -r ._iface | uniq -c |
	    awk '{ print $1 $2 }' | tr '\n' ' ')" = "946b 11a " ]
	run -0 --separate-stderr pcap-ingest -r "$PCAPS/1kxun.pcap" udp port 53
	[ "${#lines[@]}" = "$(tcpdump -n -r "$PCAPS/1kxun.pcap" udp port 53 \
	    2>/dev/null | wc -l)" ]
	[ "${#lines[@]}" -gt 0 ]
	n=${#lines[@]}
	run -0 --separate-stderr pcap-ingest -f "udp port 53" -r "$PCAPS/1kxun.pcap"
	[ "${#lines[@]}" = "$n" ]
	run -0 --separate-stderr pcap-ingest -c 7 -r "$PCAPS/1kxun.pcap"
	[ "${#lines[@]}" = 7 ]
}

@test "ICMP_TYPE is type*256+code; VXLAN: outer headers reported" {
	run -0 --separate-stderr pcap-ingest -r "$PCAPS/dns_icmp.pcap" icmp
	[ "$(printf '%s\n' "$output" | jq -c '[.ICMP_TYPE, .L4_SRC_PORT]' |
	    sort | uniq -c | awk '{ print $1 $2 }' | tr '\n' ' ')" = \
	    "10[0,null] 12[2048,null] " ]
	run -0 --separate-stderr pcap-ingest -c 1 -r "$PCAPS/vxlan.pcap"
	[ "$(printf '%s' "$output" | jq -c '[.VLAN_ID, .PROTOCOL, .L4_DST_PORT]')" = \
	    "[$(tshark -r "$PCAPS/vxlan.pcap" -c 1 -T fields -E occurrence=f \
	        -e vlan.id -e ip.proto -e udp.dstport 2>/dev/null | tr '\t' ,)]" ]
}

# --- bad input ---------------------------------------------------------

@test "file cut mid-record: reported, counted, packets kept, exit 0" {
	run --separate-stderr pcap-ingest -N -r "$PCAPS/fuzz-2021-10-13.pcap"
	assert_success
	[ "${#lines[@]}" = 1 ]
	[[ "$stderr" == *"fuzz-2021-10-13.pcap: truncated dump file"* ]]
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/err"
	[ "$(counter "$BATS_TEST_TMPDIR/err" file_errors)" = 1 ]
	[ "$(counter "$BATS_TEST_TMPDIR/err" packets)" = 1 ]
	pcap-ingest -r "$PCAPS/badpackets.pcap" 2>"$BATS_TEST_TMPDIR/e1" >/dev/null
	[ "$(counter "$BATS_TEST_TMPDIR/e1" caplen_short)" = 7 ]
	[ "$(counter "$BATS_TEST_TMPDIR/e1" records_out)" = 93 ]
	pcap-ingest -r "$PCAPS/esp_truncated.pcap" 2>"$BATS_TEST_TMPDIR/e2" >/dev/null
	[ "$(counter "$BATS_TEST_TMPDIR/e2" caplen_short)" = 1 ]
	[ "$(counter "$BATS_TEST_TMPDIR/e2" records_out)" = 1 ]
}

@test "crafted Ethernet frames: bad IHL, bogus lengths, ext chain, cuts" {
	e=ffffffffffff0200000000010800
	e6=ffffffffffff02000000000186dd
	udp=0035003500100000
	tcp=0050005000000000000000005002000000000000
	a1=fe800000000000000000000000000001
	a2=fe800000000000000000000000000002
	f="$BATS_TEST_TMPDIR/bad.pcap"
	mkpcap "$f" 1 \
	    "${e}4300001c0000000040110000c0a80001c0a80002${udp}" \
	    "${e}450000100000000040110000c0a80001c0a80002${udp}" \
	    "${e}4500040000000000401100000a0000010a000002${udp}" \
	    "${e}4600002c1234000040060000c0a80001c0a8000201010100${tcp}" \
	    "${e}4500003c00000000400600000a0000010a00000204000050@200" \
	    "${e6}6000000000200001${a1}${a2}3c000000000000001100000000000000${udp}0000000000000000" \
	    "${e6}6000000000903c01${a1}${a2}$(for i in $(seq 16); do printf 3c00000000000000; done)${udp}0000000000000000" \
	    "${e6}6000000000182c01${a1}${a2}1100000100000005${udp}0000000000000000" \
	    "ffffffffffff0200000000018100"
	run --separate-stderr pcap-ingest -N -r "$f=bad"
	assert_success
	assert_output "$(cat "$EXP/crafted-ether.ndjson")"
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/err"
	[ "$(counters "$BATS_TEST_TMPDIR/err")" = \
	    '{"packets":9,"bytes":760,"records_out":9,"ipv4":3,"ipv6":3,"fragments":1,"decoded":3,"truncated":2,"malformed":4,"nonip_packets":0,"badlink":0,"caplen_short":1,"file_errors":0,"lost":0,"link.EN10MB":9}' ]
	[[ "$stderr" == *"bad: packet 1: malformed ipv4 header length"* ]]
	[[ "$stderr" == *"bad: packet 5: truncated tcp header"* ]]
}

@test "link types SLL2, LOOP, RAW, NULL, IPV4; an unsupported one" {
	d=$BATS_TEST_TMPDIR
	ip4=4500001c00000000401100000a0000010a000002
	ip6=6000000000083a40$(printf '%031d1' 0)$(printf '%031d2' 0)
	mkpcap "$d/sll2.pcap" 276 \
	    "0800000000000002000104060000000000000000${ip4}1f90005000080000"
	mkpcap "$d/loop.pcap" 108 "0000001e${ip6}8000000000010001"
	mkpcap "$d/raw.pcap" 101 "${ip6}8100000000010001"
	mkpcap "$d/null.pcap" 0 "00000002${ip4}0001000200080000"
	mkpcap "$d/ipv4.pcap" 228 "${ip4}0001000200080000"
	run -0 --separate-stderr pcap-ingest -r "$d/sll2.pcap" -r "$d/loop.pcap" \
	    -r "$d/raw.pcap" -r "$d/null.pcap" -r "$d/ipv4.pcap"
	assert_output "$(cat "$EXP/crafted-links.ndjson")"
	mkpcap "$d/wifi.pcap" 105 "0800000000000000" "0800"
	run -0 --separate-stderr pcap-ingest -N -r "$d/wifi.pcap"
	assert_output ""
	[[ "$stderr" == *"wifi.pcap: unsupported link type IEEE802_11 (105)"* ]]
	printf '%s\n' "$stderr" >"$d/err"
	[ "$(counter "$d/err" badlink)" = 2 ]
}

@test "lost output exits 1; no progress line when stderr is not a terminal" {
	run --separate-stderr pcap-ingest -q -r "$PCAPS/1kxun.pcap" -o /dev/full
	assert_failure 1
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/err"
	[ "$(counter "$BATS_TEST_TMPDIR/err" lost)" = 1 ]
	run -0 --separate-stderr pcap-ingest -r "$PCAPS/1kxun.pcap" -o /dev/null
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ]
}

# --- the tshark oracle -------------------------------------------------

# tshark starts slowly, so it reads all captures at once, concatenated
# with mergecap (the fuzz file, cut mid-record, is left out: mergecap
# stops there); pcap-ingest reads them one by one, and on a difference
# each capture is compared alone to name the culprit.
@test "every shared capture: per-frame length, addresses, protocol, ports equal tshark's" {
	local f d=$BATS_TEST_TMPDIR
	local -a caps=()
	for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
		[[ "$f" == *fuzz-2021-10-13.pcap ]] || caps+=("$f")
	done
	[ "${#caps[@]}" = 18 ]
	mergecap -a -w "$d/all.pcapng" "${caps[@]}"
	tshark_tsv "$d/all.pcapng" >"$d/t"
	for f in "${caps[@]}"; do
		pcap-ingest -q -N -r "$f" 2>/dev/null
	done | records_tsv >"$d/m"
	[ "$(wc -l <"$d/t")" = 12037 ]
	diff -q "$d/t" "$d/m" >/dev/null && return 0
	for f in "${caps[@]}"; do
		tshark_tsv "$f" >"$d/t1"
		pcap-ingest -q -N -r "$f" 2>/dev/null | records_tsv >"$d/m1"
		if ! diff "$d/t1" "$d/m1" >"$d/diff"; then
			echo "differs from tshark: $f (< tshark, > pcap-ingest)"
			head -n 20 "$d/diff"
		fi
	done
	return 1
}

# --- live capture ----------------------------------------------------

# Sends, from 127.0.0.1:$2 to 127.0.0.1:$1: a TCP connection opened and
# aborted (SYN, SYN-ACK, ACK, RST-ACK: exactly four packets) and three
# UDP datagrams of 1, 2 and 3 bytes to a bound receiver.
send_traffic() {
	perl -MIO::Socket::INET -MSocket -e '
	    my ($sp, $cp) = @ARGV;
	    my $l = IO::Socket::INET->new(Listen => 5, LocalAddr => "127.0.0.1",
	        LocalPort => $sp, ReuseAddr => 1) or die "listen: $!";
	    my $u = IO::Socket::INET->new(Proto => "udp",
	        LocalAddr => "127.0.0.1", LocalPort => $sp) or die "udp: $!";
	    my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
	        PeerPort => $sp, LocalAddr => "127.0.0.1", LocalPort => $cp,
	        ReuseAddr => 1) or die "connect: $!";
	    setsockopt($c, SOL_SOCKET, SO_LINGER, pack("ii", 1, 0));
	    close($c);
	    my $s = IO::Socket::INET->new(Proto => "udp",
	        LocalAddr => "127.0.0.1", LocalPort => $cp,
	        PeerAddr => "127.0.0.1", PeerPort => $sp) or die "udp2: $!";
	    for my $d ("a", "bb", "ccc") { $s->send($d); my $b; $u->recv($b, 16); }
	    ' "$1" "$2"
}

# Waits until process $1 has opened its capture (a packet socket).
wait_capturing() {
	wait_for "ls -l /proc/$1/fd 2>/dev/null | grep -q socket" 5 || return 1
	sleep 0.3
}

# The live captures run together, once for the file: four pcap-ingest
# processes on lo (per packet; -A 60; -Z nobody; lo and "any" at once)
# see the same traffic, then each test checks its own. Ports are free
# ones; $LIVE holds outputs, counters, exit statuses and the -Z process's
# /proc status taken while it ran.
setup_file() {
	load helper
	[ "$(id -u)" = 0 ] || return 0
	LIVE=$BATS_FILE_TMPDIR/live
	mkdir -p "$LIVE"
	SP=$(free_port)
	CP=$(free_port)
	while [ "$CP" = "$SP" ]; do CP=$(free_port); done
	export LIVE SP CP
	pcap-ingest -l -i lo "port $SP" >"$LIVE/plain" 2>"$LIVE/plain.err" &
	p1=$!
	pcap-ingest -q -A 60 -i lo "port $SP" >"$LIVE/agg" 2>"$LIVE/agg.err" &
	p2=$!
	pcap-ingest -q -Z nobody -i lo "udp port $SP" >"$LIVE/z" \
	    2>"$LIVE/z.err" &
	p3=$!
	pcap-ingest -q -i lo -i any "udp port $SP" >"$LIVE/two" \
	    2>"$LIVE/two.err" &
	p4=$!
	for p in $p1 $p2 $p3 $p4; do wait_capturing $p; done
	# -Z takes effect after the handles and the sink are open.
	wait_for "grep -qE '^Uid:\s+$(id -u nobody)\s' /proc/$p3/status" 5 || true
	grep -E '^(Uid|Gid):' /proc/$p3/status >"$LIVE/z.status"
	# On failure, stop the captures too: left running, they hold bats's
	# output open and the run never ends.
	send_traffic "$SP" "$CP" 2>"$LIVE/send.err" ||
	    { kill -TERM $p1 $p2 $p3 $p4; cat "$LIVE/send.err"; return 1; }
	sleep 0.5
	kill -TERM $p1 $p2 $p3 $p4
	for p in $p1 $p2 $p3 $p4; do
		wait $p
		echo $? >>"$LIVE/status"
	done
}

@test "live on lo: exact 5-tuples, flags and packet counts; exit 0 on SIGTERM" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ "$(cat "$LIVE/status" | tr '\n' ' ')" = "0 0 0 0 " ]
	jq -r '[.IPV4_SRC_ADDR, .L4_SRC_PORT, .IPV4_DST_ADDR, .L4_DST_PORT,
	    .PROTOCOL, .TCP_FLAGS // "-", .BYTES, .PKTS] | map(tostring) |
	    join(" ")' "$LIVE/plain" >"$BATS_TEST_TMPDIR/got"
	cat >"$BATS_TEST_TMPDIR/want" <<-EOF
	127.0.0.1 $CP 127.0.0.1 $SP 6 2 74 1
	127.0.0.1 $SP 127.0.0.1 $CP 6 18 74 1
	127.0.0.1 $CP 127.0.0.1 $SP 6 16 66 1
	127.0.0.1 $CP 127.0.0.1 $SP 6 20 66 1
	127.0.0.1 $CP 127.0.0.1 $SP 17 - 43 1
	127.0.0.1 $CP 127.0.0.1 $SP 17 - 44 1
	127.0.0.1 $CP 127.0.0.1 $SP 17 - 45 1
	EOF
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(jq -r ._iface "$LIVE/plain" | sort -u)" = lo ]
	[ "$(counter "$LIVE/plain.err" packets)" = 7 ]
	# The kernel counts lo's outgoing copies, which libpcap then drops.
	[ "$(counter "$LIVE/plain.err" ps_recv.lo)" -ge 7 ]
	# ps_drop is reported; it is not asserted to be 0: the kernel queues
	# all of lo's traffic between activation and the filter, so other
	# loopback traffic on a busy host can fill the ring and count there.
	# The seven packets above are what must not be lost.
	[[ "$(counter "$LIVE/plain.err" ps_drop.lo)" =~ ^[0-9]+$ ]]
}

@test "live on lo with -A 60: one slice per direction and protocol" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	run jq -r '[.L4_SRC_PORT, .PROTOCOL, .PKTS, .BYTES, .TCP_FLAGS // "-"] |
	    map(tostring) | join(" ")' "$LIVE/agg"
	assert_output "$(printf '%s\n' "$CP 6 3 206 22" "$SP 6 1 74 18" \
	    "$CP 17 3 132 -")"
	[ "$(jq -r 'select(.LAST_TIMESTAMP < .timestamp)' "$LIVE/agg")" = "" ]
}

@test "-Z nobody: uid and gid dropped while capturing, capture goes on" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	uid=$(id -u nobody)
	gid=$(id -g nobody)
	run cat "$LIVE/z.status"
	assert_line --regexp "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid$"
	assert_line --regexp "^Gid:\s+$gid\s+$gid\s+$gid\s+$gid$"
	[ "$(jq -r '[.L4_SRC_PORT, .L4_DST_PORT, .BYTES] | map(tostring) |
	    join(" ")' "$LIVE/z" | tr '\n' ,)" = \
	    "$CP $SP 43,$CP $SP 44,$CP $SP 45," ]
}

# "any" is Linux cooked (SLL): its 16-byte header makes frames 2 bytes
# longer than lo's Ethernet ones, and it says the direction.
@test "two live interfaces at once (lo and any): each record whole, own _iface" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	run jq -r '[._iface, .DIRECTION // "-", .L4_SRC_PORT, .L4_DST_PORT,
	    .BYTES] | map(tostring) | join(" ")' "$LIVE/two"
	assert_success
	[ "$(printf '%s\n' "${lines[@]}" | sort | uniq -c |
	    awk '{ $1 = $1; print }' | tr '\n' ,)" = \
	    "1 any 0 $CP $SP 45,1 any 0 $CP $SP 46,1 any 0 $CP $SP 47,1 lo - $CP $SP 43,1 lo - $CP $SP 44,1 lo - $CP $SP 45," ]
	[ "$(counter "$LIVE/two.err" link.LINUX_SLL)" = 3 ]
	[ "$(counter "$LIVE/two.err" link.EN10MB)" = 3 ]
}

@test "SIGUSR1 prints the counters and capture goes on; SIGTERM exits 0" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	pcap-ingest -i lo "udp port 9" >/dev/null 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait_capturing $pid
	kill -USR1 $pid
	sleep 0.4
	[ "$(grep -c '"tool":"pcap-ingest"' "$BATS_TEST_TMPDIR/err")" = 1 ]
	kill -TERM $pid
	wait $pid
	[ "$(grep -c '"tool":"pcap-ingest"' "$BATS_TEST_TMPDIR/err")" = 2 ]
}

@test "the man page's examples" {
	cd "$BATS_TEST_TMPDIR"
	cp "$PCAPS/dns_tcp.pcap" capture.pcap
	run -0 --separate-stderr sh -c "pcap-ingest -q -r capture.pcap | jq -r \
	    '[.IPV4_SRC_ADDR, .L4_SRC_PORT, .IPV4_DST_ADDR, .L4_DST_PORT] |
	    @tsv' | sort | uniq -c"
	assert_output "$(printf '%7d %s\n' \
	    6 "$(printf '192.168.1.11\t33779\t209.87.249.18\t53')" \
	    5 "$(printf '209.87.249.18\t53\t192.168.1.11\t33779')")"
	run -0 pcap-ingest -r capture.pcap=eth0 -o records.ndjson
	[ "$(jq -r ._iface records.ndjson | sort | uniq -c | awk '{ print $1, $2 }')" = "11 eth0" ]
}

@test "files given together are one capture: read oldest first, flow-agg's clock never goes back" {
	local a="$PCAPS/bot.pcap" b="$PCAPS/dns_icmp.pcap"
	# bot.pcap (2022) is given first, dns_icmp.pcap (2013) is older.
	pcap-ingest -q -A 1 -r "$a" -r "$b" 2>/dev/null |
		flow-agg -q > "$BATS_TEST_TMPDIR/ab" 2> "$BATS_TEST_TMPDIR/err"
	pcap-ingest -q -A 1 -r "$b" -r "$a" 2>/dev/null |
		flow-agg -q > "$BATS_TEST_TMPDIR/ba" 2>/dev/null
	cmp "$BATS_TEST_TMPDIR/ab" "$BATS_TEST_TMPDIR/ba"
	[ "$(jq .counters.time_backwards "$BATS_TEST_TMPDIR/err")" = 0 ]
	[ "$(jq .counters.flows_written "$BATS_TEST_TMPDIR/err")" = 10 ]
	# The pipeline script is the same two stages, with nDPI (-L).
	pcap-ingest -q -L -A 1 -r "$a" -r "$b" 2>/dev/null |
		flow-agg -q > "$BATS_TEST_TMPDIR/abL" 2>/dev/null
	"$TOP/pipelines/pcap-to-flows.sh" "$a" "$b" 2>/dev/null > "$BATS_TEST_TMPDIR/script"
	cmp "$BATS_TEST_TMPDIR/abL" "$BATS_TEST_TMPDIR/script"
}
