# The systemd unit examples (pipelines/systemd/): systemd-analyze finds
# nothing to say about them, and their ExecStart= command lines, run as
# systemd would run them (its quoting, ${VAR} from evpipe.env, paths moved
# into a temporary folder), carry the demo's events from the collector
# through ev-route to flow-agg's flows file.
setup() {
	load helper
	U="$TOP/pipelines/systemd"
	R="$BATS_TEST_TMPDIR"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}

# The unit $1 with the tools taken from $EVPIPE_BIN and the paths under $R.
unit() {
	sed -e "s|/usr/local/bin/|$EVPIPE_BIN/|g" -e "s|/run/evpipe|$R/run|g" \
	    -e "s|/var/lib/evpipe|$R/state|g" -e "s|/etc/evpipe|$R/etc|g" \
	    "$U/$1"
}

# Starts the ExecStart= of unit $1 (instance $2) in the background, its
# stderr in $R/$1.log: words split as systemd splits them (white space,
# double quotes), ${VAR} replaced by the settings of evpipe.env.
start() {
	local line w args=()
	line=$(unit "$1" | sed -n 's/^ExecStart=//p')
	while IFS= read -r w; do
		w=${w//\$\{EVPIPE_ZMQ\}/$EVPIPE_ZMQ}
		w=${w//\$\{EVPIPE_MIRROR\}/$EVPIPE_MIRROR}
		w=${w//%i/$2}
		args+=("$w")
	done < <(printf '%s\n' "$line" | xargs -n 1 printf '%s\n')
	"${args[@]}" 2> "$R/$1.log" &
	PIDS+=($!)
}

# The value of counter $2 in the last counters line of unit $1's log.
counter() {
	grep '"tool"' "$R/$1.log" | tail -n 1 | jq ".counters[\"$2\"]"
}

# Waits until process $1 catches SIGUSR1 (bit 10 of SigCgt in its status):
# before that, the signal would kill it.
wait_usr1() {
	local m
	for _ in $(seq 100); do
		m=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status")
		[ $((0x$m & 0x200)) -ne 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# Waits until file $1 exists (a socket bound).
wait_file() {
	for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.1; done
	return 1
}

@test "systemd: systemd-analyze verify finds nothing to say" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	mkdir "$R/units"
	for f in "$U"/*.service "$U"/*.target; do
		unit "$(basename "$f")" > "$R/units/$(basename "$f")"
	done
	cp "$R/units/evpipe-pcap@.service" "$R/units/evpipe-pcap@lo.service"
	cd "$R/units"
	run systemd-analyze verify ./*.service ./evpipe.target
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "systemd: the units' commands carry the demo's events to the flows file" {
	mkdir -p "$R/run" "$R/state" "$R/etc"
	cp "$U/evpipe.env" "$U/ev-route.conf" "$R/etc/"
	# evpipe.env's settings, with a free port and a made-up mirror.
	set -a
	. "$R/etc/evpipe.env"
	set +a
	EVPIPE_ZMQ="tcp://127.0.0.1:$(free_port)c"
	EVPIPE_MIRROR=mirror0
	# Readers first, as the units' After= orders them.
	start evpipe-flow-agg.service
	wait_file "$R/run/flow-agg.sock"
	start evpipe-route.service
	wait_file "$R/run/ev-route.sock"
	start evpipe-collector.service
	ev-emit -q -w 10s "$EVPIPE_ZMQ" "$TOP/pipelines/demo/events.ndjson"
	wait_usr1 "${PIDS[0]}"
	# Each event stays on the ZMQ interface, goes to eth0 (its IF_NAME, in
	# ev-route.conf) and to the companion: 24 records for flow-agg.
	for _ in $(seq 100); do
		kill -USR1 "${PIDS[0]}"
		sleep 0.1
		[ "$(counter evpipe-flow-agg.service records)" != 24 ] || break
	done
	# Stopped in systemd's order: the collector first, flow-agg last.
	for i in 2 1 0; do
		kill -TERM "${PIDS[i]}"
		wait "${PIDS[i]}"
	done
	[ "$(counter evpipe-collector.service records)" -eq 8 ]
	[ "$(counter evpipe-route.service records_out)" -eq 24 ]
	[ "$(counter evpipe-flow-agg.service records)" -eq 24 ]
	F="$R/state/flows.ndjson"
	[ "$(jq -s 'map(select(._type == "flow")) | length' "$F")" -eq 12 ]
	[ "$(jq -s 'map(select(._type == "iface")) | length' "$F")" -eq 3 ]
	# On the mirror, every connection with the client's and the server's
	# process.
	run jq -r 'select(._type == "flow" and ._iface == "mirror0") |
	    [.SRC_PROC_NAME, .DST_PROC_NAME] | @tsv' "$F"
	[ "${#lines[@]}" -eq 4 ]
	for l in "${lines[@]}"; do
		[ "$l" = "$(printf '/usr/bin/curl\t/usr/bin/python3.11')" ]
	done
}

@test "systemd: the capture unit's command pushes slices of an interface" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	mkdir -p "$R/run"
	# In ev-route's place, a flow-agg that counts what arrives.
	flow-agg pull:@ipc://"$R/run/ev-route.sock" > "$R/flows" \
	    2> "$R/reader.log" &
	PIDS+=($!)
	wait_file "$R/run/ev-route.sock"
	start "evpipe-pcap@.service" lo
	wait_usr1 "${PIDS[1]}"
	# Refused connections on lo until pcap-ingest has seen one.
	for _ in $(seq 100); do
		(exec 3<> /dev/tcp/127.0.0.1/1) 2>/dev/null || true
		kill -USR1 "${PIDS[1]}"
		sleep 0.1
		case $(counter evpipe-pcap@.service packets) in
		'' | 0) ;;
		*) break ;;
		esac
	done
	kill -TERM "${PIDS[1]}"
	wait "${PIDS[1]}"
	kill -TERM "${PIDS[0]}"
	wait "${PIDS[0]}"
	n=$(counter evpipe-pcap@.service records)
	[ "$n" -gt 0 ]
	[ "$(counter reader records)" -eq "$n" ]
	[ "$(jq -s 'map(select(._type == "flow" and ._iface == "lo")) | length' "$R/flows")" -gt 0 ]
}
