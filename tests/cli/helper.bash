# Shared set-up for the bats files: where the binaries and data are.
bats_load_library bats-support
bats_load_library bats-assert

TOP="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
: "${EVPIPE_BIN:=$TOP/build/bin}"
PCAPS="$TOP/tests/data/pcaps"
DATA="$TOP/tests/data"
EXPECTED="$TOP/tests/expected"
PATH="$EVPIPE_BIN:$PATH"
export PATH EVPIPE_BIN TOP PCAPS DATA EXPECTED

# A free TCP port on 127.0.0.1 for one test: a random one that nothing
# answers on (bash's /dev/tcp, no other process started), below the
# kernel's ephemeral range: a port from that range may be taken, between
# this check and the bind, as the local end of any outgoing connection
# (a NATS route, a curl), and the server meant for it then cannot listen.
free_port() {
	local p i lo=32768 hi
	read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null ||
	    true
	[ "$lo" -gt 11024 ] || lo=61000
	for i in $(seq 50); do
		p=$((10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "$p"
}
