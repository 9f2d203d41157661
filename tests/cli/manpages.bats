# Every tool has a man page, every page is clean for mandoc -Tlint, and
# each page's SYNOPSIS names the same options as the tool's usage message.
setup() {
	load helper
}

@test "man pages: one per tool, mandoc -Tlint clean" {
	for t in "$EVPIPE_BIN"/*; do
		[ -f "$TOP/man/$(basename "$t").1" ] || fail "no man page for $(basename "$t")"
	done
	run mandoc -Tlint -Wwarning "$TOP"/man/*.1 "$TOP"/man/*.7
	assert_success
	assert_output ""
}

@test "man pages: SYNOPSIS flags equal the usage message's flags" {
	for t in "$EVPIPE_BIN"/*; do
		n=$(basename "$t")
		# Single-letter flags of the synopsis: .Fl x and [-xyz] groups.
		man=$(mandoc -Tascii "$TOP/man/$n.1" | col -b |
			sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
			grep -oE '(^|[[ ])-[A-Za-z0-9]+' | sed 's/^[[ ]*-//' |
			fold -w1 | sort -u | tr -d '\n')
		use=$("$t" -@ 2>&1 | sed -n '/^usage:/,$p' |
			grep -oE '(^|[[ ])-[A-Za-z0-9]+' | sed 's/^[[ ]*-//' |
			fold -w1 | sort -u | tr -d '\n')
		[ "$man" = "$use" ] || fail "$n: man page flags '$man', usage flags '$use'"
	done
}

@test "man pages: quotes never nest by accident (one Ql/Dq per line)" {
	local f
	for f in "$TOP"/man/*.1 "$TOP"/man/*.7; do
		run sh -c "mandoc -Tutf8 '$f' | col -b | grep -nE '“[^”]*“|‘[^’]*‘'"
		[ -z "$output" ] || fail "$(basename "$f"): nested quotes: $output"
	done
}

@test "man pages: EXAMPLES name files of the repository, never tests/data" {
	local f p
	for f in "$TOP"/man/*.1; do
		ex=$(mandoc -Tutf8 "$f" | col -b | sed -n '/^EXAMPLES/,/^[A-Z]/p')
		[[ "$ex" != *tests/data* ]] || fail "$(basename "$f"): EXAMPLES use tests/data"
		for p in $(printf '%s\n' "$ex" | grep -oE 'pipelines/[^ ]+'); do
			[ -e "$TOP/$p" ] || fail "$(basename "$f"): $p does not exist"
		done
	done
}
