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

# A free TCP port on 127.0.0.1 for one test: a random one in 20000-59999
# that nothing answers on (bash's /dev/tcp, no other process started).
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "$p"
}
