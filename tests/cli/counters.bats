setup() { load helper; }

# Every counter a tool prints is documented in evpipe(7), "Counters",
# under that tool: each tool runs on real inputs (the ones that make its
# optional counters appear too), and any name of its counters objects
# that the page does not list for it fails the test, exactly (a family
# such as link.TYPE matches by its prefix).

# The documented names, "TOOL NAME" per line, "TOOL PREFIX*" for a family:
# the .It Cm entries of the subsection, under the .It Xr / .It Sy of their
# tool (the list of shared names before the first tool is left out).
documented() {
	awk '
	/^\.S[sh] / { on = ($0 == ".Ss Counters"); tool = ""; next }
	!on { next }
	/^\.It Xr [a-z-]+ [0-9]$/ { tool = $3; next }
	/^\.It Sy [a-z-]+$/ { tool = $3; next }
	tool != "" && /^\.It Cm [^ ]+$/ { print tool, $3; next }
	tool != "" && /^\.It Cm [^ ]+ Ns Ar [^ ]+$/ { print tool, $3 "*" }
	' "$TOP/man/evpipe.7"
}

# The counters printed into the stderr files given, "TOOL NAME" per line,
# that evpipe(7) does not document for that tool.
undocumented() {
	local doc tool name
	doc=$(documented)
	grep -h '^{"tool"' "$@" |
	    jq -r '.tool as $t | .counters | keys_unsorted[] | "\($t) \(.)"' |
	    sort -u | while read -r tool name; do
		if grep -qxF "$tool $name" <<< "$doc"; then
			continue
		fi
		local fam found=0
		while read -r fam; do
			[[ $name == "$fam"* ]] && found=1
		done < <(sed -n "s/^$tool \(.*\)\*\$/\1/p" <<< "$doc")
		[ "$found" -eq 1 ] || echo "$tool $name"
	done
}

# Fails, naming them, when the files hold an undocumented counter; also
# when they hold no counters of tool $1 at all (the run did not happen).
check() {
	local tool=$1
	shift
	grep -q "^{\"tool\":\"$tool\"" "$@" || fail "no counters of $tool"
	run undocumented "$@"
	assert_output ""
}

@test "counters: the page documents counters for every tool" {
	for t in zmq-ingest pcap-ingest ev-route flow-agg ev-emit ev-show \
	    nats-sink nats-input; do
		[ "$(documented | grep -c "^$t ")" -ge 5 ] ||
		    fail "evpipe.7 lists no counters of $t"
	done
	# The parser reads what it should: one known name of each kind.
	documented | grep -qx 'zmq-ingest curve_refused_wrong_key'
	documented | grep -qx 'pcap-ingest link.\*'
	documented | grep -qx 'ev-route dropped:\*'
}

@test "counters: zmq-ingest and ev-emit, in clear and with CURVE" {
	ep="$(ipc zi)c"
	start_ingest --stats=json -c 15 -t 10s "$ep"
	ev-emit --stats=json "$ep" "$DATA/zmq-events.ndjson" 2> "$(T emit)"
	wait_ingest
	[ "$ZRC" -eq 0 ]
	check zmq-ingest "$(T err)"
	check ev-emit "$(T emit)"
	mkdir "$(T keys)"
	ev-keygen -d "$(T keys)" > /dev/null
	ep="$(ipc zk)c"
	start_ingest --stats=json -k "$(T keys)" -c 15 -t 10s "$ep"
	ev-emit --stats=json -e -k "$(T keys)/zmq-key.pub" "$ep" \
	    "$DATA/zmq-events.ndjson" 2> "$(T emit)"
	wait_ingest
	[ "$ZRC" -eq 0 ]
	[ "$(counter "$(T err)" curve_accepted)" -ge 1 ]
	check zmq-ingest "$(T err)"
	check ev-emit "$(T emit)"
}

@test "counters: pcap-ingest, plain, with -L and -A, and bad captures" {
	pcap-ingest --stats=json -r "$PCAPS/1kxun.pcap" > /dev/null 2> "$(T e1)"
	pcap-ingest --stats=json -L -A 1 -r "$PCAPS/1kxun.pcap" > /dev/null \
	    2> "$(T e2)"
	pcap-ingest --stats=json -r "$PCAPS/badpackets.pcap" \
	    -r "$PCAPS/802.1ad_QinQ.pcap" -r "$PCAPS/sites.pcapng" \
	    > /dev/null 2> "$(T e3)" || true
	[ "$(counter "$(T e2)" dpi_flows)" -gt 0 ]
	check pcap-ingest "$(T e1)" "$(T e2)" "$(T e3)"
}

@test "counters: ev-route, plain with bad input, and sharded" {
	R="$DATA/route"
	ev-route --stats=json -i lo -i eth0 "$R/mixed.ndjson" "$DATA/ev-show/bad.ndjson" \
	    > /dev/null 2> "$(T e1)"
	ev-route --stats=json -S 2 -O "$(T shard%d)" "$R/events.ndjson" \
	    2> "$(T e2)"
	[ "$(counter "$(T e1)" malformed)" -gt 0 ]
	[ "$(counter "$(T e2)" shard_no_tuple)" != null ]
	check ev-route "$(T e1)" "$(T e2)"
}

@test "counters: flow-agg on packets, events, flow records and bad input" {
	FA="$DATA/flow-agg"
	pcap-ingest -r "$PCAPS/1kxun.pcap" 2> /dev/null |
	    flow-agg --stats=json > /dev/null 2> "$(T e1)"
	for f in events bad flowrec l7 expiry demo-events; do
		flow-agg --stats=json "$FA/$f.ndjson" > /dev/null 2> "$(T e-$f)"
	done
	[ "$(counter "$(T e-bad)" malformed)" -gt 0 ]
	check flow-agg "$(T e1)" "$(T)"/e-*
}

@test "counters: ev-show on every kind of record and bad input" {
	for f in mixed bad apps expire; do
		ev-show --stats=json -b "$DATA/ev-show/$f.ndjson" > /dev/null \
		    2> "$(T e-$f)"
	done
	[ "$(counter "$(T e-bad)" malformed)" -gt 0 ]
	check ev-show "$(T)"/e-*
}

@test "counters: evpipe prints its stages' counters, all documented" {
	evpipe --stats=json "pcap-ingest -r $PCAPS/1kxun.pcap | ev-route -i lo |
	    flow-agg" > /dev/null 2> "$(T e1)"
	check pcap-ingest "$(T e1)"
	check ev-route "$(T e1)"
	check flow-agg "$(T e1)"
}

@test "counters: a nats: sink and a nats: input" {
	command -v nats-server > /dev/null || skip "no nats-server"
	port=$(free_port)
	nats-server -a 127.0.0.1 -p "$port" -js -sd "$(T store)" \
	    > "$(T nats.log)" 2>&1 3>&- &
	KILL_NATS=$!
	wait_for "grep -qs 'Server is ready' '$(T nats.log)'" 60
	pcap-ingest -r "$PCAPS/1kxun.pcap" 2> /dev/null |
	    ev-route --stats=json -o "*=nats://127.0.0.1:$port/ev.all" \
	    > /dev/null 2> "$(T e1)"
	flow-agg --stats=json "nats://127.0.0.1:$port/ev/agg?idle_exit=1s" \
	    > /dev/null 2> "$(T e2)"
	check nats-sink "$(T e1)"
	check nats-input "$(T e2)"
	check flow-agg "$(T e2)"
}

teardown() {
	if [ -n "${KILL_NATS:-}" ]; then
		kill "$KILL_NATS" 2>/dev/null || true
		wait "$KILL_NATS" 2>/dev/null || true
	fi
}
