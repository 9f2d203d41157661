setup() { load helper; }

# Real producers' bytes into zmq-ingest: what ntopng accepts (json-c's
# grammar, with default flags) must come out, as strict JSON.

# printf-style text as hex, for ev-emit -F's x: frames.
hx() { printf "$1" | od -An -tx1 | tr -d ' \n'; }

@test "producers: every flow softflowd's ntopng exporter sent comes out" {
	ep="ipc://$BATS_TEST_TMPDIR/sfdc"
	# softflowd counts msg_id from 0 (-f 0).
	zmq-ingest -f 0 -c 532 -t 10s "$ep" > "$(T out)" 2> "$(T err)" 3>&- &
	zi=$!
	ev-emit -q -F "$ep" "$DATA/softflowd/flows.frames" 2>/dev/null
	rc=0
	wait "$zi" || rc=$?
	[ "$rc" -eq 0 ]
	# What softflowd reported exporting, capture by capture.
	[ "$(awk '/^# .*exported/ { n += $(NF - 4) } END { print n }' \
	    "$DATA/softflowd/flows.frames")" -eq 532 ]
	[ "$(counter "$(T err)" records_out)" -eq 532 ]
	[ "$(counter "$(T err)" messages)" -eq 24 ]
	[ "$(counter "$(T err)" json_repaired)" -eq 328 ]
	[ "$(counter "$(T err)" bad_json)" -eq 0 ]
	[ "$(counter "$(T err)" rejected)" -eq 0 ]
	[ "$(counter "$(T err)" missing_messages)" -eq 0 ]
	diff <(norm < "$(T out)") \
	    <(sed "s|@IFACE@|$ep|g" "$EXPECTED/producers/softflowd.out")
}

# The payload variants: six json-c rejects, fifteen it accepts (each with
# one of its leniencies), then a strict one; ev-emit -F lines.
lax_frames() {
	# What json-c rejects: counted as before, nothing written.
	for p in '[{"a":1},,]' '{"a":1,,"x":1}' '{IPV4:1}' \
	    '{"a":+1}' '{"a":.5}' '[{"a":1}, /x ]'; do
		echo "h x:$(hx "$p")"
	done
	# What it accepts, one change each.
	for p in '[{"a":1},\n]' '{"a":1,}' '{"a":1 /* c */}' \
	    '{"a":1, // c\n"b":2}' "{'a':'x\"y'}" \
	    '{"a":NaN,"b":Infinity,"c":-Infinity}' \
	    '{"a":tRuE,"b":FALSE,"c":Null}' '{"a":0123,"b":-007}' \
	    '{"a":1.,"b":-.5,"c":1e}' '{"a":"x\ty"}' '{"a":"x\001y"}' \
	    '{"a":"caf\351"}' '{"a":1} trailing' \
	    '{"a":1}\000junk' '[{"a":1},{"b":2} /* open'; do
		echo "h x:$(hx "$p")"
	done
	echo 'h s:{"strict":1}'
}

@test "producers: json-c's grammar is accepted as ntopng accepts it, strict JSON out" {
	lax_frames > "$(T frames)"
	ep="ipc://$BATS_TEST_TMPDIR/laxc"
	zmq-ingest -c 16 -t 10s "$ep" > "$(T out)" 2> "$(T err)" 3>&- &
	zi=$!
	ev-emit -q -F "$ep" "$(T frames)" 2>/dev/null
	rc=0
	wait "$zi" || rc=$?
	[ "$rc" -eq 0 ]
	diff <(norm < "$(T out)") \
	    <(sed "s|@IFACE@|$ep|g" "$EXPECTED/producers/jsonc.out")
	[ "$(counter "$(T err)" records_out)" -eq 16 ]
	[ "$(counter "$(T err)" json_repaired)" -eq 15 ]
	[ "$(counter "$(T err)" bad_json)" -eq 6 ]
	[ "$(counter "$(T err)" rejected)" -eq 6 ]
}
