setup() { load helper; }

# ev-show tests: batch tables against golden files, filters and
# sorting, bad input, usage errors, and the dashboard driven under tmux.

D="$BATS_TEST_DIRNAME/../data/ev-show"
X="$BATS_TEST_DIRNAME/../expected/ev-show"

# Runs ev-show with stdout in out and stderr in err; status in RC.
show() {
	RC=0
	ev-show "$@" > "$(T out)" 2> "$(T err)" || RC=$?
}

@test "ev-show: batch tables of every view, golden" {
	show "$D/mixed.ndjson"
	[ "$RC" -eq 0 ]
	diff -u "$X/mixed.txt" "$(T out)"
	[ "$(counter "$(T err)" records_in)" -eq 24 ]
	[ "$(counter "$(T err)" flow_records)" -eq 8 ]
	[ "$(counter "$(T err)" iface_records)" -eq 2 ]
	[ "$(counter "$(T err)" event_records)" -eq 11 ]
	[ "$(counter "$(T err)" packet_records)" -eq 3 ]
	[ "$(counter "$(T err)" malformed)" -eq 0 ]
}

@test "ev-show: flows with a process on both ends, interfaces, listening" {
	show -b "$D/mixed.ndjson"
	# An interim update and the final record are one flow.
	grep -c '10.0.2.15:41872' "$(T out)" | grep -qx 3
	run grep -E '^eth0 +tcp +10\.0\.2\.15:39000 ' "$(T out)"
	assert_output --regexp ' curl +nginx +ubuntu +root +- +web-nginx +0\.052 fin$'
	run grep -E '^veth3c1f0a2 ' "$(T out)"
	assert_output --regexp 'counters .* 17MB +7\.4MB +40121 +35410 +0 tcp://\*:1234c$'
	run grep -E '^eth0 +by-name ' "$(T out)"
	assert_output --regexp ' 942MB +118MB +812k +457k +3 tcp://\*:1234c$'
	run grep -cE '^tcp://\*:1234c +192\.168\.2\.131 +(tcp|udp)[46] ' "$(T out)"
	assert_output 4
	run grep -E '^eth0 +172\.17\.0\.2 +tcp4 +443 nginx ' "$(T out)"
	assert_success
	run head -n 2 "$(T out)"
	assert_line --index 0 "events 1.0/s  packets 1.1kpps  flows 6  records 24  bad 0"
	assert_line --index 1 "drops: zmq_msgs_dropped 3 export_queue_lost 0 evicted_flows 0"
}

@test "ev-show: 80 columns, golden; every line fits" {
	show -w 80 "$D/mixed.ndjson"
	[ "$RC" -eq 0 ]
	diff -u "$X/mixed-80.txt" "$(T out)"
	run awk 'length($0) > 80' "$(T out)"
	assert_output ""
}

@test "ev-show: interface and text filters, golden" {
	show -v flows,procs -i eth0 -f CURL -w 100 "$D/mixed.ndjson"
	[ "$RC" -eq 0 ]
	diff -u "$X/filtered.txt" "$(T out)"
}

@test "ev-show: sorting by any column, golden" {
	show -v flows,processes -s flows:c2s:asc -s processes:pid "$D/mixed.ndjson"
	[ "$RC" -eq 0 ]
	diff -u "$X/sorted.txt" "$(T out)"
}

@test "ev-show: several inputs at once, stdin among them" {
	head -n 12 "$D/mixed.ndjson" > "$(T a)"
	tail -n +13 "$D/mixed.ndjson" > "$(T b)"
	RC=0
	ev-show -b "$(T a)" - < "$(T b)" > "$(T out)" 2> "$(T err)" || RC=$?
	[ "$RC" -eq 0 ]
	[ "$(counter "$(T err)" records_in)" -eq 24 ]
	grep -q '^Flows: 6, ' "$(T out)"
	grep -q '^Events: 11, ' "$(T out)"
}

@test "ev-show: bad records are counted and shown, never fatal" {
	show -b -v flows,interfaces,listening,events "$D/bad.ndjson"
	[ "$RC" -eq 0 ]
	diff -u "$X/bad.txt" "$(T out)"
	[ "$(counter "$(T err)" records_in)" -eq 10 ]
	[ "$(counter "$(T err)" malformed)" -eq 3 ]
	[ "$(counter "$(T err)" truncated_json)" -eq 1 ]
	[ "$(counter "$(T err)" bad_json)" -eq 1 ]
	[ "$(counter "$(T err)" not_object)" -eq 1 ]
	[ "$(counter "$(T err)" bad_field)" -eq 5 ]
	[ "$(counter "$(T err)" other_records)" -eq 2 ]
	grep -q 'ev-show: malformed: truncated_json' "$(T err)"
	# -q silences the messages, not the counters.
	show -b -q "$D/bad.ndjson"
	[ "$(grep -c 'skipped' "$(T err)")" -eq 0 ]
	[ "$(counter "$(T err)" malformed)" -eq 3 ]
}

@test "ev-show: over-long lines are discarded, counted and shown" {
	{ printf '{"_type":"event","_iface":"x","pad":"%03000d"}\n' 0
	  head -n 1 "$D/mixed.ndjson" | cut -c 1-80
	  sed -n 2p "$D/mixed.ndjson"; } > "$(T long)"
	show -b -L 2000 -v events "$(T long)"
	[ "$RC" -eq 0 ]
	run head -n 1 "$(T out)"
	assert_output --partial "records 2  bad 2"
	grep -q '^Events: 1, ' "$(T out)"
}

@test "ev-show: -F evicts the least recently updated flows, counted" {
	show -b -F 2 -v flows "$D/mixed.ndjson"
	[ "$RC" -eq 0 ]
	grep -q '^Flows: 2, ' "$(T out)"
	# A B C D E F A C through two places: every insertion but two evicts.
	[ "$(counter "$(T err)" flows_evicted)" -eq 6 ]
	grep -q '^drops: show_evicted 6 ' "$(T out)"
	grep -q '10.0.2.15:41872' "$(T out)"
	grep -q '38112' "$(T out)"
}

@test "ev-show: -d prints tables every interval, -n stops after count" {
	mkfifo "$(T fifo)"
	RC=0
	( cat "$D/mixed.ndjson"; exec sleep 3 ) > "$(T fifo)" 2> /dev/null &
	echo $! >> "$(T feeders)"
	timeout 10 ev-show -b -d 300ms -c 2 -v interfaces "$(T fifo)" \
	    > "$(T out)" 2> "$(T err)" || RC=$?
	[ "$RC" -eq 0 ]
	[ "$(grep -c '^Interfaces: 3, ' "$(T out)")" -eq 2 ]
	[ "$(grep -c $'^\f$' "$(T out)")" -eq 1 ]
}

@test "ev-show: SIGTERM ends a batch run with the tables written" {
	mkfifo "$(T fifo)"
	( cat "$D/mixed.ndjson"; exec sleep 30 ) > "$(T fifo)" 2> /dev/null &
	echo $! >> "$(T feeders)"
	ev-show -b -v flows "$(T fifo)" > "$(T out)" 2> "$(T err)" &
	pid=$!
	sleep 0.3
	wait_for "[ -s '$(T err)' ] || { kill -USR1 $pid; false; }" 5 || true
	[ "$(counter "$(T err)" records_in)" -eq 24 ]
	kill -TERM "$pid"
	RC=0
	wait "$pid" || RC=$?
	[ "$RC" -eq 0 ]
	grep -q '^Flows: 6, ' "$(T out)"
}

@test "ev-show: lost output is exit 1" {
	[ -w /dev/full ] || skip "no /dev/full"
	RC=0
	ev-show -b "$D/mixed.ndjson" > /dev/full 2> "$(T err)" || RC=$?
	[ "$RC" -eq 1 ]
}

@test "ev-show: usage errors exit 2" {
	run ev-show -@
	assert_failure 2
	assert_output --partial "usage: ev-show"
	run ev-show -b -v flows,bogus "$D/mixed.ndjson"
	assert_failure 2
	assert_output --partial "'bogus' is not a view"
	run ev-show -b -s flows:nope "$D/mixed.ndjson"
	assert_failure 2
	assert_output --partial "has no column 'nope'"
	run ev-show -b -s flows:c2s:up "$D/mixed.ndjson"
	assert_failure 2
	run ev-show -b -d 0 "$D/mixed.ndjson"
	assert_failure 2
	run ev-show -b -w -1 "$D/mixed.ndjson"
	assert_failure 2
	run ev-show -b "$BATS_TEST_TMPDIR/missing"
	assert_failure 1
	assert_output --partial "missing"
}

@test "ev-show: reads flow-agg's output of the sample events" {
	command -v flow-agg > /dev/null || skip "no flow-agg"
	flow-agg "$D/mixed.ndjson" > "$(T flows)" 2> /dev/null
	show -b -v flows,interfaces,listening "$(T flows)"
	[ "$RC" -eq 0 ]
	[ "$(counter "$(T err)" malformed)" -eq 0 ]
	[ "$(counter "$(T err)" bad_field)" -eq 0 ]
	grep -qE '^eth0 .* curl ' "$(T out)"
	grep -qE 'tcp4 +80 nginx' "$(T out)"
}

# ---- the dashboard, under tmux -------------------------------------------

tm() { tmux -L "evtest-$$" "$@"; }

# True when a capture of the pane (into screen) shows $1.
screen_shows() {
	tm capture-pane -p > "$(T screen)" 2>/dev/null || true
	grep -qF -- "$1" "$(T screen)"
}

# Waits until the pane shows $1 (5 s at most); prints the screen if not.
wait_screen() {
	local text
	printf -v text '%q' "$1"
	wait_for "screen_shows $text" 5 && return 0
	echo "--- screen, waiting for: $1"
	cat "$(T screen)"
	return 1
}

# Line $1 (1-based) of the last capture.
row() { sed -n "${1}p" "$(T screen)"; }

start_dash() {
	command -v tmux > /dev/null || skip "no tmux"
	TERM=xterm tm new-session -d -x "${W:-80}" -y "${H:-24}" \
	    "ev-show $* 2> $(T err); echo \$? > $(T rc); sleep 30"
	wait_screen "EOF"
}

teardown() {
	tm kill-server 2>/dev/null || true
	if [ -f "$(T feeders)" ]; then
		while read -r p; do kill "$p" 2>/dev/null || true; done \
		    < "$(T feeders)"
	fi
}

@test "ev-show dashboard: 80x24, views by key, process names" {
	start_dash "$D/mixed.ndjson"
	[ "$(wc -l < "$(T screen)")" -eq 24 ]
	[ "$(row 1)" = "events 1.0/s  packets 1.1kpps  flows 6  records 24  bad 0" ]
	[ "$(row 3)" = "[1:Flows] 2:Procs 3:Ifaces 4:Listen 5:Events 6:Apps  iface: all" ]
	[ "$(row 4)" = "PROTO CLIENT            SERVER               C2S    S2C CPROC    SPROC    STATE" ]
	[ "$(row 7)" = "tcp   10.0.2.15:39000   172.17.0.2:80       740B   15KB curl     nginx    fin" ]
	[ "$(row 24)" = "Flows sort RATE desc  rows 1-6 of 6  EOF  ? help  q quit" ]
	# The selected row's detail line: the full path of its process.
	[[ "$(row 23)" == "client /usr/lib/firefox/firefox[51877] user ubuntu"* ]]
	tm send-keys p
	wait_screen "[2:Procs]"
	[ "$(row 5)" = "firefox            51877 ubuntu  firefox  -             1   50KB  6.4MB  825KB/s" ]
	[ "$(row 6)" = "nginx               3172 root    nginx    web-nginx     1   15KB   740B   42KB/s" ]
	tm send-keys Tab
	wait_screen "[3:Ifaces]"
	grep -qE '^veth3c1f0a2 +counters ' "$(T screen)"
	tm send-keys 4
	wait_screen "[4:Listen]"
	grep -qE 'tcp4 +80 nginx' "$(T screen)"
	tm send-keys e
	wait_screen "[5:Events]"
	grep -qE '^14:54:06\.019 flow +ACCEPT .* nginx' "$(T screen)"
	tm send-keys q
	wait_for "[ -s '$(T rc)' ]" 5 || true
	[ "$(cat "$(T rc)")" = 0 ]
	[ "$(counter "$(T err)" records_in)" -eq 24 ]
}

@test "ev-show dashboard: sort column moves, reverses; Down selects" {
	start_dash "$D/mixed.ndjson"
	# From RATE (not shown at 80): PROTO, CLIENT, SERVER, C2S.
	tm send-keys '>' '>' '>' '>'
	wait_screen "Flows sort C2S desc"
	[[ "$(row 5)" == "tcp   ~db8:1::10]:38112 "* ]]
	tm send-keys r
	wait_screen "Flows sort C2S asc"
	[[ "$(row 5)" == "tcp   10.244.0.7:45190 "* ]]
	[[ "$(row 10)" == "tcp   ~db8:1::10]:38112 "* ]]
	tm send-keys '<'
	wait_screen "Flows sort SERVER asc"
	[[ "$(row 5)" == "udp   10.0.2.15:53211   10.0.2.3:53 "* ]]
	# The third row by server: 10.96.0.1:443, coredns's flow.
	tm send-keys Down Down
	wait_screen "client /coredns[2871] parent /usr/bin/containerd-shim-runc-v2"
}

@test "ev-show dashboard: text filter, interface filter, help, pause" {
	start_dash "$D/mixed.ndjson"
	tm send-keys / n g i n x Enter
	wait_screen "filter: nginx"
	wait_screen "rows 1-1 of 1"
	[ "$(row 5)" = "tcp   10.0.2.15:39000   172.17.0.2:80       740B   15KB curl     nginx    fin" ]
	# Interfaces in the order first seen: the collector, then eth0.
	tm send-keys c i
	wait_screen "iface: tcp://*:1234c"
	wait_screen "rows 1-1 of 1"
	grep -qE '^tcp +10\.244\.0\.1:47702 ' "$(T screen)"
	tm send-keys i
	wait_screen "iface: eth0"
	wait_screen "rows 1-5 of 5"
	tm send-keys '?'
	wait_screen "ev-show keys"
	tm send-keys x
	wait_screen "rows 1-5 of 5"
	tm send-keys Space
	wait_screen "PAUSED"
	tm send-keys Space
	tm send-keys 1
	wait_screen "EOF  ? help"
	run grep -c PAUSED "$(T screen)"
	assert_output 0
}

@test "ev-show dashboard: survives resizes and uses the room" {
	start_dash "$D/mixed.ndjson"
	tm resize-window -x 120 -y 40
	wait_screen "IFACE"
	[ "$(wc -l < "$(T screen)")" -eq 40 ]
	[ "$(row 40)" = "Flows sort RATE desc  rows 1-6 of 6  EOF  ? help  q quit" ]
	[[ "$(row 4)" == "IFACE "*" PROTO CLIENT "*" CPROC "*" STATE" ]]
	grep -qE '^eth0 +tcp +\[2001:db8:1::10\]:38112 .* firefox ' "$(T screen)"
	tm resize-window -x 60 -y 12
	wait_screen "rows 1-6 of 6"
	[ "$(wc -l < "$(T screen)")" -eq 12 ]
	run awk 'length($0) > 60' "$(T screen)"
	assert_output ""
	tm resize-window -x 80 -y 24
	wait_screen "CPROC    SPROC    STATE"
	[ "$(row 7)" = "tcp   10.0.2.15:39000   172.17.0.2:80       740B   15KB curl     nginx    fin" ]
}

@test "ev-show dashboard: -x quits at EOF; a terminal on stdin is refused" {
	command -v tmux > /dev/null || skip "no tmux"
	TERM=xterm tm new-session -d -x 80 -y 24 \
	    "ev-show -x $D/mixed.ndjson 2> $(T err); echo \$? > $(T rc); sleep 30"
	wait_for "[ -s '$(T rc)' ]" 5 || true
	[ "$(cat "$(T rc)")" = 0 ]
	[ "$(counter "$(T err)" records_in)" -eq 24 ]
	rm -f "$(T rc)"
	TERM=xterm tm new-session -d -s two -x 80 -y 24 \
	    "ev-show 2> $(T err2); echo \$? > $(T rc); sleep 30"
	wait_for "[ -s '$(T rc)' ]" 5 || true
	[ "$(cat "$(T rc)")" = 2 ]
	grep -q 'standard input is the terminal' "$(T err2)"
}

@test "ev-show dashboard: draws while a pipe is still open, EOF when it ends" {
	command -v tmux > /dev/null || skip "no tmux"
	mkfifo "$(T fifo)"
	TERM=xterm tm new-session -d -x 80 -y 24 \
	    "ev-show $(T fifo) 2> $(T err); echo \$? > $(T rc); sleep 30"
	exec 8> "$(T fifo)"
	head -n 12 "$D/mixed.ndjson" >&8
	wait_screen "records 12  bad 0"
	run grep -c ' EOF ' "$(T screen)"
	assert_output 0
	tail -n +13 "$D/mixed.ndjson" >&8
	wait_screen "records 24  bad 0"
	run grep -c ' EOF ' "$(T screen)"
	assert_output 0
	exec 8>&-
	wait_screen "rows 1-6 of 6  EOF"
	tm send-keys q
	wait_for "[ -s '$(T rc)' ]" 5 || true
	[ "$(cat "$(T rc)")" = 0 ]
}

# ---- first-hour fixes and applications -------------------------------------

@test "ev-show: flows from packet records, as iftop: rate per flow, both directions one row" {
	pcap-ingest -r "$PCAPS/dns_icmp.pcap" 2> /dev/null > "$(T pk)"
	show -b -w 80 -v flows "$(T pk)"
	[ "$RC" -eq 0 ]
	diff -u "$X/packets-80.txt" "$(T out)"
	[ "$(counter "$(T err)" packet_records)" -eq 32 ]
	# Hand-written packets: a reply is the same flow, counted S2C.
	show -b -v flows "$D/apps.ndjson"
	run grep -E '^eth0 +tcp +TLS\.Google +192\.168\.1\.20:50500 ' "$(T out)"
	assert_output --regexp ' 583B 2\.9KB 3\.5KB +3 +717B/s '
	grep -q '^Flows: 5, by RATE desc' "$(T out)"
}

@test "ev-show: a flow from packets takes its flow record's totals and direction" {
	{ sed -n 2p "$D/apps.ndjson"
	  printf '%s\n' '{"_type":"flow","_iface":"eth0","IPV4_SRC_ADDR":"192.168.1.20","IPV4_DST_ADDR":"142.250.185.78","L4_SRC_PORT":50500,"L4_DST_PORT":443,"PROTOCOL":6,"IN_PKTS":5,"IN_BYTES":1000,"OUT_PKTS":7,"OUT_BYTES":9000,"FLOW_START_SEC":1718031300.1,"FLOW_END_SEC":1718031300.9}'
	  sed -n 5p "$D/apps.ndjson"; } > "$(T in)"
	show -b -v flows "$(T in)"
	grep -q '^Flows: 1, ' "$(T out)"
	run grep -E '^eth0 ' "$(T out)"
	assert_output --regexp '192\.168\.1\.20:50500 +142\.250\.185\.78:443 +1000B +8\.8KB +9\.8KB +12 '
}

@test "ev-show: finished flows leave linger seconds after their final record, idle ones after idle (-T, -I)" {
	# The clock ends at 120: the fin flow ended at 100, the others were
	# last updated at 101, 102 and 120.
	show -b -T 5 -v flows "$D/expire.ndjson"
	[ "$RC" -eq 0 ]
	grep -q '^Flows: 3, ' "$(T out)"
	[ "$(counter "$(T err)" flows_expired)" -eq 1 ]
	run grep -c 'fin$' "$(T out)"
	assert_output 0
	show -b -T 5 -I 10s -v flows "$D/expire.ndjson"
	grep -q '^Flows: 1, ' "$(T out)"
	grep -qE '^eth0 +udp +10\.0\.0\.4:40004 ' "$(T out)"
	[ "$(counter "$(T err)" flows_expired)" -eq 3 ]
	# A single table at the end keeps every flow unless told otherwise.
	show -b -v flows "$D/expire.ndjson"
	grep -q '^Flows: 4, ' "$(T out)"
	[ "$(counter "$(T err)" flows_expired)" -eq 0 ]
	run ev-show -b -T soon "$D/mixed.ndjson"
	assert_failure 2
}

@test "ev-show: a live view's clock runs on with the wall clock while its input is quiet" {
	mkfifo "$(T fifo)"
	( grep '"fin"' "$D/mixed.ndjson" | head -n 1; exec sleep 6 ) \
	    > "$(T fifo)" 2> /dev/null &
	echo $! >> "$(T feeders)"
	RC=0
	timeout 20 ev-show -b -d 500ms -c 10 -T 1 -v flows "$(T fifo)" \
	    > "$(T out)" 2> "$(T err)" || RC=$?
	[ "$RC" -eq 0 ]
	[ "$(grep -m 1 '^Flows: ' "$(T out)")" = "Flows: 1, by RATE desc" ]
	[ "$(grep '^Flows: ' "$(T out)" | tail -n 1)" = "Flows: 0, by RATE desc" ]
	[ "$(counter "$(T err)" flows_expired)" -eq 1 ]
}

@test "ev-show: the events rate counts flow-agg's FLOW_EVENTS (collector pipelines)" {
	flow-agg "$D/mixed.ndjson" 2> /dev/null > "$(T flows)"
	show -b -v flows "$(T flows)"
	run head -n 1 "$(T out)"
	assert_output "events 0.4/s  packets 0.0pps  flows 7  records 9  bad 0"
}

@test "ev-show: records without a time take the view's clock (or the wall clock)" {
	for p in 1 2 3; do
		printf '{"_type":"event","_iface":"x","_event":"flow","IPV4_SRC_ADDR":"10.0.0.1","L4_SRC_PORT":%d}\n' "$p"
	done > "$(T in)"
	show -b -v events "$(T in)"
	run head -n 1 "$(T out)"
	assert_output "events 3.0/s  packets 0.0pps  flows 0  records 3  bad 0"
	# Their own time is still shown as absent.
	[ "$(grep -c '^   - x ' "$(T out)")" -eq 3 ]
}

@test "ev-show: -d without -n separates every table by a form feed" {
	mkfifo "$(T fifo)"
	( cat "$D/mixed.ndjson"; exec sleep 1.2 ) > "$(T fifo)" 2> /dev/null &
	echo $! >> "$(T feeders)"
	RC=0
	timeout 10 ev-show -b -d 300ms -v interfaces "$(T fifo)" \
	    > "$(T out)" 2> "$(T err)" || RC=$?
	[ "$RC" -eq 0 ]
	tables=$(grep -c '^Interfaces: 3, ' "$(T out)")
	[ "$tables" -ge 2 ]
	[ "$(grep -c $'^\f$' "$(T out)")" -eq $((tables - 1)) ]
}

@test "ev-show: applications: APP column, applications view, golden" {
	show -b "$D/apps.ndjson"
	[ "$RC" -eq 0 ]
	diff -u "$X/apps.txt" "$(T out)"
	show -b -w 100 -v flows,apps -s apps:flows "$D/apps.ndjson"
	diff -u "$X/apps-100.txt" "$(T out)"
	run awk 'length($0) > 100' "$(T out)"
	assert_output ""
}

@test "ev-show: the address columns take a whole IPv6 address when there is room" {
	show -b -w 200 -v flows "$D/apps.ndjson"
	grep -qE ' \[2001:db8:aaaa:bbbb:cccc:dddd:eeee:1234\]:51234 +\[2a00:1450:4001:82a:ffff:eeee:dddd:200e\]:443 ' "$(T out)"
	run awk 'length($0) > 200' "$(T out)"
	assert_output ""
}

# The dashboard at three widths against golden screens.
dash_golden() {
	W=$1 H=24 start_dash "$D/apps.ndjson"
	diff -u "$X/dash-$1.txt" "$(T screen)"
}

@test "ev-show dashboard: 80 columns, golden" { dash_golden 80; }
@test "ev-show dashboard: 120 columns, IFACE with two interfaces, golden" { dash_golden 120; }
@test "ev-show dashboard: 200 columns, whole IPv6 addresses, golden" { dash_golden 200; }

@test "ev-show dashboard: 120 columns shows IFACE when rows of two interfaces look alike" {
	W=120 H=24 start_dash "$D/mixed.ndjson"
	[[ "$(row 4)" == "IFACE "* ]]
	grep -qE '^eth0 +tcp +10\.244\.0\.7:45190 ' "$(T screen)"
	grep -qE '^tcp://\*:12~ tcp +10\.244\.0\.1:47702 ' "$(T screen)"
}

@test "ev-show dashboard: the applications view by key, host names in the detail line" {
	W=120 H=24 start_dash "$D/apps.ndjson"
	# The first flow by rate: firefox to mail.google.com.
	wait_screen "app TLS.Google (91.126) Web | sni mail.google.com | client /usr/lib/firefox/firefox[4242]"
	tm send-keys Down
	wait_screen "app TLS.Google (91.126) Web | sni www.google.com | ja3 773906b0efdefa24a7f2b8eb6985bf37 | client -"
	tm send-keys Down
	wait_screen "app HTTP (7) Web | host example.org | url /index.html | client -"
	tm send-keys a
	wait_screen "[6:Apps]"
	[[ "$(row 4)" == "APP "*" CATEGORY "*" FLOWS "*" BYTES "* ]]
	grep -qE '^TLS\.Google +Web +2 +47KB ' "$(T screen)"
	wait_screen "TLS.Google: processes firefox[4242] | hosts www.google.com, mail.google.com"
	tm send-keys 1
	wait_screen "[1:Flows]"
}

@test "ev-show dashboard: the first record shows at once, even with a long -d and no record time" {
	command -v tmux > /dev/null || skip "no tmux"
	mkfifo "$(T fifo)"
	TERM=xterm tm new-session -d -x 80 -y 24 \
	    "ev-show -d 60s $(T fifo) 2> $(T err); echo \$? > $(T rc); sleep 30"
	exec 8> "$(T fifo)"
	wait_screen "records 0  bad 0"
	# A collector's event without timestamp or _rx: it takes the wall
	# clock, so it counts in the events rate.
	printf '%s\n' '{"_type":"event","_iface":"x","_event":"flow","IPV4_SRC_ADDR":"10.0.0.1"}' >&8
	wait_screen "events 1.0/s  packets 0.0pps  flows 0  records 1  bad 0"
	exec 8>&-
	tm send-keys q
}
