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

# Waits until file $1 exists (a socket bound), 10 s at most.
wait_file() { wait_for "[ -e '$1' ]" 10; }

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
	wait_for "usr1_ready ${PIDS[0]}" 10
	# Each event stays on the ZMQ interface, goes to eth0 (its IF_NAME, in
	# ev-route.conf) and to the companion: 24 records for flow-agg.
	await_counter "${PIDS[0]}" "$R/evpipe-flow-agg.service.log" records_in 24 \
	    20 || true
	# Stopped in systemd's order: the collector first, flow-agg last.
	for i in 2 1 0; do
		kill -TERM "${PIDS[i]}"
		wait "${PIDS[i]}"
	done
	[ "$(counter "$R/evpipe-collector.service.log" records_out)" -eq 8 ]
	[ "$(counter "$R/evpipe-route.service.log" records_out)" -eq 24 ]
	[ "$(counter "$R/evpipe-flow-agg.service.log" records_in)" -eq 24 ]
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
	wait_for "usr1_ready ${PIDS[1]}" 10
	# Refused connections on lo until pcap-ingest has seen one.
	wait_for "(exec 3<> /dev/tcp/127.0.0.1/1) 2>/dev/null;
	    counter_reached ${PIDS[1]} '$R/evpipe-pcap@.service.log' packets 1" \
	    20 || true
	kill -TERM "${PIDS[1]}"
	wait "${PIDS[1]}"
	kill -TERM "${PIDS[0]}"
	wait "${PIDS[0]}"
	n=$(counter "$R/evpipe-pcap@.service.log" records_out)
	[ "$n" -gt 0 ]
	[ "$(counter "$R/reader.log" records_in)" -eq "$n" ]
	[ "$(jq -s 'map(select(._type == "flow" and ._iface == "lo")) | length' "$R/flows")" -gt 0 ]
}
