# lib.sh - sourced by the pipeline scripts (with $here set to their own
# folder): where the tools are, and a FIFO folder that one signal takes
# down together with every stage.

# The tools: $EVPIPE_BIN when set, else build/bin beside the scripts when
# run from the source tree, else whatever PATH finds (an installed copy).
evpipe_path() {
	if [ -n "${EVPIPE_BIN:-}" ]; then
		PATH=$EVPIPE_BIN:$PATH
	elif [ -x "$here/../build/bin/flow-agg" ]; then
		PATH=$here/../build/bin:$PATH
	fi
}

# Makes $work, a temporary folder for FIFOs. One signal ends everything
# once: the handler ignores the TERM that kill 0 also sends this shell
# (else dash re-enters it without end) and removes the folder. Background
# jobs of a script ignore SIGINT, so kill 0 is what stops them. Run the
# script as its own process group (a terminal does that): kill 0 reaches
# the whole group.
evpipe_workdir() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/evpipe.XXXXXX")
	trap evpipe_stop EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

evpipe_stop() {
	trap '' INT TERM
	trap - EXIT
	kill 0 2>/dev/null || true
	rm -rf "$work"
}
