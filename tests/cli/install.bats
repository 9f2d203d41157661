# make install puts the tools, the man pages and the pipeline examples
# under PREFIX (inside DESTDIR), and make uninstall takes them away again.
setup() {
	load helper
	BUILD="$(dirname "$EVPIPE_BIN")"
	DEST="$BATS_TEST_TMPDIR/dest"
}

@test "make install: tools, man pages and pipelines under PREFIX" {
	run make -C "$TOP" --no-print-directory BUILD="$BUILD" DESTDIR="$DEST" PREFIX=/usr install
	assert_success
	for t in "$EVPIPE_BIN"/*; do
		n=$(basename "$t")
		[ -x "$DEST/usr/bin/$n" ]
		[ -f "$DEST/usr/share/man/man1/$n.1" ]
	done
	[ -f "$DEST/usr/share/man/man7/evpipe.7" ]
	[ -x "$DEST/usr/share/evpipe/pipelines/demo.sh" ]
	[ -f "$DEST/usr/share/evpipe/pipelines/supervisor/evpipe.conf" ]
	run "$DEST/usr/bin/flow-agg" -V
	assert_success
	run make -C "$TOP" --no-print-directory BUILD="$BUILD" DESTDIR="$DEST" PREFIX=/usr uninstall
	assert_success
	run find "$DEST" -type f
	assert_output ""
}
