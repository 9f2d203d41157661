# One convention for every tool (evpipe(7), CONVENTIONS): -h/--help to
# stdout with exit 0, -V/--version as "NAME evpipe VERSION", usage errors
# exit 2 with the synopsis on stderr, a missing input exits 1.
bats_require_minimum_version 1.5.0
setup() {
	load helper
	TOOLS="pcap-ingest flow-agg zmq-ingest ev-route ev-show ev-emit ev-keygen evpipe"
	VERSION=$(sed -n 's/^VERSION *= *//p' "$TOP/config.mk")
}

@test "conventions: -h and --help print the synopsis and every option to stdout, exit 0" {
	local t h
	for t in $TOOLS; do
		for h in -h --help; do
			run -0 --separate-stderr "$t" "$h"
			[ -z "$stderr" ] || fail "$t $h wrote to stderr: $stderr"
			[[ "${lines[0]}" == "usage: $t "* ]] || fail "$t $h: ${lines[0]}"
			assert_output --partial "-h, --help prints this help, -V, --version the version."
			assert_output --partial "Exit status: 0 success, 1 runtime error, 2 usage error."
		done
		# Every long option of the synopsis's letters is summarised:
		# each option letter of the usage appears as "-X," in the help.
		for l in $("$t" -@ 2>&1 | grep -oE '(^|[[ ])-[A-Za-z]+' |
		    sed 's/^[[ ]*-//' | fold -w1 | sort -u); do
			[ "$l" = V ] && continue
			"$t" --help | grep -q -- "-$l, --" || fail "$t --help: no -$l"
		done
	done
}

@test "conventions: -V and --version print NAME evpipe VERSION, exit 0" {
	local t v
	for t in $TOOLS; do
		for v in -V --version; do
			run -0 --separate-stderr "$t" "$v"
			assert_output "$t evpipe $VERSION"
		done
	done
}

@test "conventions: an unknown option is a usage error: synopsis on stderr, exit 2" {
	local t
	for t in $TOOLS; do
		run -2 --separate-stderr "$t" --no-such-option
		assert_output ""
		[[ "$stderr" == *"usage: $t "* ]] || fail "$t: $stderr"
	done
}

@test "conventions: an input that does not exist is a runtime error, exit 1" {
	local miss="$BATS_TEST_TMPDIR/missing"
	run -1 pcap-ingest -r "$miss"
	run -1 flow-agg "$miss"
	run -1 zmq-ingest -o "$miss/out" "ipc://$BATS_TEST_TMPDIR/z"
	run -1 ev-route "$miss"
	run -1 ev-show -b "$miss"
	run -1 ev-emit -w 0 "ipc://$BATS_TEST_TMPDIR/e" "$miss"
	run -1 ev-keygen -s "$miss"
	run -1 evpipe "flow-agg $miss"
	assert_output --partial "$miss: No such file or directory"
}

# Runs a command with a pty as its stderr (and stdout): script(1).
on_tty() {
	run script -qec "$1" /dev/null
	output=$(printf '%s\n' "$output" | tr -d '\r')
	mapfile -t lines <<< "$output"
}

@test "conventions: counters on a terminal are a readable list; JSON on a pipe and with --stats=json" {
	local cmd="pcap-ingest -q -r $PCAPS/bot.pcap -o /dev/null"
	command -v script > /dev/null || skip "no script(1)"
	on_tty "$cmd"
	[ "$status" -eq 0 ]
	assert_line --index 0 "pcap-ingest:"
	assert_line --index 1 "  packets     402"
	assert_line --index 2 "  bytes       431124"
	assert_line --index 3 "  records_out 402"
	assert_line --index 4 "  ipv4        402"
	assert_line --index 5 "  decoded     402"
	assert_line --index 6 "  link.EN10MB 402"
	assert_line --index 7 "  (9 other counters at 0)"
	[ "${#lines[@]}" -eq 8 ]
	# --stats=json keeps the JSON on a terminal.
	on_tty "$cmd --stats=json"
	[ "$status" -eq 0 ]
	assert_output --regexp '^\{"tool":"pcap-ingest","counters":\{"packets":402,'
	# On a pipe: JSON, unchanged; --stats=text there gives the list.
	run -0 --separate-stderr $cmd
	[ "$(printf '%s' "$stderr" | jq -c '.counters | [.packets, .records_out]')" = "[402,402]" ]
	run -0 --separate-stderr $cmd --stats=text
	[ "${stderr_lines[0]}" = "pcap-ingest:" ]
	[ "${stderr_lines[7]}" = "  (9 other counters at 0)" ]
	run -2 flow-agg --stats=yaml
	assert_output "flow-agg: --stats: 'yaml' is not auto, json or text"
}
