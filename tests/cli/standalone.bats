# The repository stands alone: a clone of the committed HEAD, in a fresh
# temporary folder with nothing beside it, builds and passes the unit tests
# and the command-line tests there. And no comment, page or test points at
# files outside the repository or at issue numbers.
setup() { load helper; }

# The command-line files the clone runs: all but the slow ones (curve,
# supervisord, faults, zmq-ingest: 20-50 s each, waiting on sockets and
# signals), the one that needs root and network namespaces (hosts) and
# this one. Every test that reads a capture is in.
standalone_files() {
	local f n
	for f in "$TOP"/tests/cli/*.bats; do
		n=$(basename "$f")
		case "$n" in
		curve.bats|supervisord.bats|faults.bats|zmq-ingest.bats) ;;
		hosts.bats) ;;
		standalone.bats) ;;
		*) echo "tests/cli/$n" ;;
		esac
	done
}

teardown() {
	if [ -n "${W:-}" ]; then rm -rf "$W"; fi
}

@test "standalone: a clone with nothing beside it builds and passes its tests" {
	# The clone runs this file too: it must not clone again.
	[ -z "${EVPIPE_STANDALONE:-}" ] || skip "already inside the clone"
	command -v git >/dev/null || skip "needs git"
	head=$(git -C "$TOP" rev-parse --verify -q HEAD) ||
	    skip "not a git checkout"
	W=$(mktemp -d "${TMPDIR:-/tmp}/evpipe-standalone.XXXXXX")
	# A clone of exactly the committed HEAD (also when it is detached or
	# in a worktree), alone in its folder.
	git init -q "$W/evpipe"
	git -C "$W/evpipe" fetch -q "$TOP" HEAD
	git -C "$W/evpipe" checkout -q --detach FETCH_HEAD
	[ "$(git -C "$W/evpipe" rev-parse HEAD)" = "$head" ]
	[ "$(ls -A "$W")" = evpipe ]

	# Its own default build: not the settings of a make that runs this
	# test (make test SANITIZE=1 BUILD=build-asan passes them on, in
	# MAKEFLAGS and as exported variables, and the tools would land
	# where EVPIPE_BIN does not look).
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u SANITIZE \
	    make -C "$W/evpipe" -j2 --no-print-directory
	[ "$status" -eq 0 ] || { echo "$output" | tail -n 30; false; }
	[ -x "$W/evpipe/build/bin/flow-agg" ]
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u SANITIZE \
	    make -C "$W/evpipe" --no-print-directory unit
	[ "$status" -eq 0 ] || { echo "$output" | tail -n 30; false; }
	[[ "${lines[-1]}" =~ ^unit:\ [1-9][0-9]*\ passed,\ 0\ failed$ ]]

	files=$(standalone_files)
	echo "$files" | grep -qx tests/cli/pcap-ingest.bats
	echo "$files" | grep -qx tests/cli/flow-agg.bats
	# The clone's own tools and data only: a clean environment with its
	# build/bin, run from inside it.
	run env -i HOME="$W" TMPDIR="$W" TERM="${TERM:-dumb}" \
	    LANG="${LANG:-C.UTF-8}" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
	    EVPIPE_STANDALONE=1 EVPIPE_BIN="$W/evpipe/build/bin" \
	    sh -c 'cd "$1" && shift && bats --formatter tap "$@"' sh \
	    "$W/evpipe" $files
	# On failure: which tests, and what they said.
	if [ "$status" -ne 0 ]; then
		echo "$output" | grep -A 40 '^not ok' | head -n 200
		false
	fi
	[ "$(echo "$output" | grep -c '^not ok')" -eq 0 ]
	[ "$(echo "$output" | grep -c '^ok ')" -ge 100 ]
	# Nothing skipped for want of something the repository should hold.
	[ "$(echo "$output" | grep -cE '# skip (no demo data|.*not built)')" -eq 0 ]
}

@test "standalone: nothing points outside the repository or at issue numbers" {
	# The patterns are built from pieces so that this file does not match.
	s='shar''ed/' d='DES''IGN\.md' i='iss''ue [0-9]'
	cd "$TOP"
	run grep -rnI -e "$s" -e "$d" -e "$i" cmd common include man tests \
	    pipelines Makefile
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	[ -z "$output" ]
}
