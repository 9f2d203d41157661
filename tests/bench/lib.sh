# lib.sh - sourced by the scripts of tests/bench: what they share.
#
# median: the median of the numbers on standard input, one per line (the
# lower middle one of an even count), printed as read.
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# bench_met VALUE OP LIMIT: prints "met" when VALUE OP LIMIT holds (OP is
# >= or <=), "not met" otherwise, "not measured" for an empty VALUE.
bench_met() {
	[ -n "$1" ] || { echo "not measured"; return; }
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		ok = op == ">=" ? v + 0 >= l + 0 : v + 0 <= l + 0
		print ok ? "met" : "not met" }'
}

# bench_target WHAT VALUE RATIO TARGET STATUS: one row of the table of the
# issue's targets that run.sh prints at the end (BENCH_TARGETS names the
# file it collects them in); alone, a script prints the row as it goes.
bench_target() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "${BENCH_TARGETS:-/dev/stdout}"
}
