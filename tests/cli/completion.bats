# bash completion (completion/evpipe.bash): sourced in a bash of its own,
# the completion function is called as bash would call it (COMP_LINE,
# COMP_POINT, COMP_WORDS, COMP_CWORD, bash's COMP_WORDBREAKS) and its
# replies are compared exactly, sorted, one per line.
setup() {
	load helper
	COMP="$TOP/completion/evpipe.bash"
	mkdir -p "$BATS_TEST_TMPDIR/here"
	cd "$BATS_TEST_TMPDIR/here"
}

# comp LINE: the replies for the cursor at the end of LINE, one per line.
comp() {
	bash --norc --noprofile -c '
		. "$1"
		COMP_WORDBREAKS=$'"' \\t\\n\"\\'@><=;|&(:'"'
		COMP_LINE=$2
		COMP_POINT=${#2}
		read -r -a COMP_WORDS <<<"$2"
		case $2 in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_evpipe_complete || exit 1
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort
	' sh "$COMP" "$1"
}

# One reply per argument, sorted, as comp prints them.
want() {
	[ $# -eq 0 ] || printf '%s\n' "$@" | sort
}

@test "completion: registered for every tool" {
	run bash --norc -c '. "$1" && complete -p' sh "$COMP"
	[ "$status" -eq 0 ]
	for t in "$EVPIPE_BIN"/*; do
		echo "$output" | grep -qx "complete -o filenames -F _evpipe_complete $(basename "$t")" ||
		    fail "no completion for $(basename "$t")"
	done
}

@test "completion: options, short and long, as the man pages list them" {
	[ "$(comp 'flow-agg --id')" = "--idle-timeout=" ]
	[ "$(comp 'pcap-ingest --no-')" = "$(want --no-promiscuous-mode)" ]
	[ "$(comp 'ev-keygen -')" = "$(want -d --dir= -f --force -p --public= \
	    -s --secret= -z --z85 -V --version --help)" ]
	# Every option of every man page, and nothing else but the
	# -V/--version/--help convention.
	for t in "$EVPIPE_BIN"/*; do
		n=$(basename "$t")
		[ "$n" = evpipe ] && continue
		man=$(mandoc -Tascii "$TOP/man/$n.1" | col -b |
		    grep -E '^     -[A-Za-z0-9]' |
		    grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' |
		    tr -d ' ,' | sort -u)
		got=$(comp "$n -" | sed 's/=$//' | sort -u)
		extra=$(comm -13 <(echo "$man") <(echo "$got") | tr '\n' ' ')
		missing=$(comm -23 <(echo "$man") <(echo "$got") | tr '\n' ' ')
		[ -z "$missing" ] || fail "$n: not completed: $missing"
		[ "$extra" = "" ] || [ "$extra" = "$(want --help --version -V | tr '\n' ' ')" ] ||
		    [ "$extra" = "$(want --help --version | tr '\n' ' ')" ] ||
		    [ "$extra" = "$(want --help | tr '\n' ' ')" ] ||
		    fail "$n: completed but not in the man page: $extra"
	done
}

@test "completion: sinks: -, files, zmq:, push:, ntop:, ntop-tlv:, nats:" {
	touch out.ndjson
	mkdir sub
	[ "$(comp 'flow-agg -o ')" = "$(want - out.ndjson sub zmq: push: \
	    ntop: ntop-tlv: nats:)" ]
	[ "$(comp 'zmq-ingest --output=nt')" = "$(want ntop: ntop-tlv:)" ]
	# After a scheme, bind or connect; after those, the transport. Bash
	# replaces only what follows the last ':', '@' or '>' of the word.
	[ "$(comp 'pcap-ingest -o zmq:')" = "$(want @ '>')" ]
	[ "$(comp 'flow-agg -o push:@')" = "$(want ipc:// tcp://)" ]
	[ "$(comp "flow-agg -o 'ntop:>t")" = "ntop:>tcp://" ]
	[ "$(comp 'ev-route -O o')" = "out.ndjson" ]
}

@test "completion: inputs, endpoints and capture files" {
	touch a.pcap b.pcapng c.txt
	mkdir sub
	[ "$(comp 'pcap-ingest -r ')" = "$(want a.pcap b.pcapng sub)" ]
	[ "$(comp 'flow-agg ')" = "$(want - a.pcap b.pcapng c.txt sub zmq: pull:)" ]
	[ "$(comp 'ev-show -q a')" = "a.pcap" ]
	[ "$(comp 'zmq-ingest -q ')" = "$(want tcp:// ipc://)" ]
	# ev-emit: an endpoint, then files.
	[ "$(comp 'ev-emit -H ')" = "$(want 0 1 2 3)" ]
	[ "$(comp 'ev-emit -H 1 ')" = "$(want tcp:// ipc://)" ]
	[ "$(comp 'ev-emit -H 1 tcp://127.0.0.1:5556c c')" = "c.txt" ]
	[ "$(comp 'ev-show -v flows,p')" = "flows,processes" ]
	[ "$(comp 'flow-agg -i ')" = "" ]
}

@test "completion: pcap-ingest -i completes the interfaces of /sys/class/net" {
	[ -d /sys/class/net ] || skip "no /sys/class/net"
	[ "$(comp 'pcap-ingest -i ')" = "$(want $(ls /sys/class/net) any)" ]
	[ "$(comp 'pcap-ingest --interface=l')" = "$(ls /sys/class/net | grep '^l')" ]
}

@test "completion: evpipe completes stages, then each stage's arguments" {
	[ "$(comp 'evpipe ')" = "$(want zmq-ingest pcap-ingest ev-route \
	    flow-agg ev-show)" ]
	[ "$(comp 'evpipe zmq-ingest tcp://*:5556c | fl')" = "flow-agg" ]
	[ "$(comp 'evpipe pcap-ingest -i lo | flow-agg --out')" = "--output=" ]
	[ "$(comp "evpipe pcap-ingest -r x.pcap '|' flow-agg -o zm")" = "zmq:" ]
}

@test "completion: make install puts it where bash-completion looks, one name per tool" {
	BUILD="$(dirname "$EVPIPE_BIN")"
	DEST="$BATS_TEST_TMPDIR/dest"
	run make -C "$TOP" --no-print-directory BUILD="$BUILD" DESTDIR="$DEST" \
	    PREFIX=/usr install
	[ "$status" -eq 0 ]
	d="$DEST/usr/share/bash-completion/completions"
	cmp "$d/evpipe" "$COMP"
	for t in "$EVPIPE_BIN"/*; do
		n=$(basename "$t")
		[ -f "$d/$n" ]
		# bash-completion sources the file named after the command.
		run bash --norc -c '. "$1" && complete -p "$2"' sh "$d/$n" "$n"
		[ "$output" = "complete -o filenames -F _evpipe_complete $n" ]
	done
	run make -C "$TOP" --no-print-directory BUILD="$BUILD" DESTDIR="$DEST" \
	    PREFIX=/usr uninstall
	[ "$status" -eq 0 ]
	[ -z "$(find "$d" ! -type d)" ]
}
