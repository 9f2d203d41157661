# Shared set-up for the bats files: where the binaries and data are.
bats_load_library bats-support
bats_load_library bats-assert

TOP="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
: "${EVPIPE_BIN:=$TOP/build/bin}"
SHARED="$(cd "$TOP/../shared" 2>/dev/null && pwd || true)"
DATA="$TOP/tests/data"
EXPECTED="$TOP/tests/expected"
PATH="$EVPIPE_BIN:$PATH"
export PATH EVPIPE_BIN TOP SHARED DATA EXPECTED

# A free TCP port on 127.0.0.1 for one test (kernel-chosen, then released).
free_port() {
	python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}
