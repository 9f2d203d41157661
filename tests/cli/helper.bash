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

# The path of file $1 in this test's temporary folder.
T() { echo "$BATS_TEST_TMPDIR/$1"; }

# A ZeroMQ ipc:// endpoint of this test's own (no port to find), named $1.
ipc() { echo "ipc://$BATS_TEST_TMPDIR/s$1"; }

# Removes zmq-ingest's _rx member from records on stdin, checking its form
# (a number with six decimals): what is left can be compared to a golden file.
norm() { sed -E 's/"_rx":[0-9]+\.[0-9]{6},//'; }

# Skips the test unless every tool named is on PATH.
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || skip "$t not built yet"
	done
}

# Counter $2 from the last counters object a stage printed into its stderr
# file $1, or "null" when there is none (no such file, no counters line,
# no counter of that name). Plain bash, no jq per call: some files read
# counters dozens of times. The counters object is flat (numbers only),
# so it ends at its first '}'.
counter() {
	local line last="" rest
	if [ -r "$1" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			[[ $line == *'{"tool"'* ]] && last=${line#*'{"tool"'}
		done < "$1"
	fi
	rest=${last#*'"counters":{'}
	if [ "$rest" = "$last" ]; then echo null; return; fi
	rest=",${rest%%\}*},"
	case $rest in
	*",\"$2\":"*) rest=${rest#*",\"$2\":"}; echo "${rest%%,*}" ;;
	*) echo null ;;
	esac
}

# Waits up to $2 whole seconds (default 60) of wall-clock time for command
# $1 (a string, evaluated) to succeed. The deadline is the clock's, not a
# count of tries: a try that itself takes a second must not stretch a
# minute into ten. The clock is read to the microsecond (SECONDS would cut
# the first second short). Says what it waited for when it gives up.
wait_for() {
	local end=$((${EPOCHREALTIME/[.,]/} + ${2:-60} * 1000000))
	while [ "${EPOCHREALTIME/[.,]/}" -lt "$end" ]; do
		eval "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $1" >&2
	return 1
}

# True once process $1 catches SIGUSR1 (bit 10 of SigCgt in its status):
# before its handlers are installed, the signal would kill it. A child
# the shell forked for `cmd &` that has not yet run the program still
# shows the shell's own handlers, so its program must be another one
# than the shell's first (exec happens once; then SigCgt is the tool's).
usr1_ready() {
	local m
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" != \
	    "$(readlink "/proc/$$/exe")" ] || return 1
	m=$(awk '/^SigCgt/ { print $2 }' "/proc/$1/status" 2>/dev/null) ||
	    return 1
	[ -n "$m" ] && (( 0x$m & 0x200 ))
}

# True when counter $3 in stderr file $2 is at least $4, after asking
# process $1 for its counters (SIGUSR1) and giving it a moment to print.
counter_reached() {
	local v
	kill -USR1 "$1" 2>/dev/null || return 1
	sleep 0.05
	v=$(counter "$2" "$3")
	[[ $v =~ ^[0-9]+$ ]] || return 1
	[ "$v" -ge "$4" ]
}

# Asks process $1 for its counters until counter $3 in its stderr file $2
# reaches $4, for up to $5 seconds (default 10) of wall-clock time; fails
# saying where the counter stayed.
await_counter() {
	usr1_ready "$1" || wait_for "usr1_ready $1" "${5:-10}" || return 1
	wait_for "counter_reached $1 '$2' '$3' $4" "${5:-10}" && return 0
	echo "counter $3 stayed at $(counter "$2" "$3"), wanted $4" >&2
	return 1
}

# Starts zmq-ingest (its arguments: options, then endpoints) in the
# background, its output in T out and its stderr in T err; its pid in ZI.
start_ingest() {
	zmq-ingest "$@" > "$(T out)" 2> "$(T err)" 3>&- &
	ZI=$!
}

# Waits for the zmq-ingest of start_ingest to end; its exit status in ZRC.
wait_ingest() {
	ZRC=0
	wait "$ZI" || ZRC=$?
}
