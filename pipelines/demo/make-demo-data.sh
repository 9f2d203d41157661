#!/bin/bash
# Makes the demo's data for real: two hosts (network namespaces evdemo-c and
# evdemo-s joined by a veth pair, TEST-NET addresses 192.0.2.1/.2 and
# 2001:db8:d::1/::2), an HTTP server and curl clients talking between them,
# tcpdump capturing the link (the "mirrored" interface), and for every
# connection the two eBPF events an agent on each host would export
# (ebpflowexport's format: CONNECT on the client, ACCEPT on the server),
# filled in with the real processes' PID, UID, path and command line read
# from /proc while they ran, and the times and 5-tuples of the capture.
# Needs root, iproute2, tcpdump, tshark, curl or python3. Writes demo.pcap and
# events.ndjson beside itself. Not run by `make demo`: its output is shipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cleanup() {
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null || true
	[ -n "${dump:-}" ] && kill "$dump" 2>/dev/null || true
	ip netns del evdemo-c 2>/dev/null || true
	ip netns del evdemo-s 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add evdemo-c
ip netns add evdemo-s
ip link add eth0 netns evdemo-c type veth peer name eth0 netns evdemo-s
for ns in evdemo-c evdemo-s; do ip -n $ns link set lo up; ip -n $ns link set eth0 up; done
ip -n evdemo-c addr add 192.0.2.1/24 dev eth0
ip -n evdemo-s addr add 192.0.2.2/24 dev eth0
ip -n evdemo-c addr add 2001:db8:d::1/64 dev eth0 nodad
ip -n evdemo-s addr add 2001:db8:d::2/64 dev eth0 nodad
ip netns exec evdemo-s tcpdump -i eth0 -w "$work/demo.pcap" -U -s 0 'tcp or udp' 2>/dev/null &
dump=$!
mkdir -p "$work/www" && seq 1 4000 > "$work/www/index.html"
(cd "$work/www" && exec ip netns exec evdemo-s /usr/bin/python3 -m http.server 8080 --bind :: >/dev/null 2>&1) &
srv=$!
sleep 1.5
srvpid=$(pgrep -f 'http.server 8080' | head -n 1)
# One line per client process (curl, run as nobody): pid uid gid path
# cmdline. The shell prints its PID and execs curl, which keeps that PID.
: > "$work/clients"
client() { # URL
	local cpid
	cpid=$(ip netns exec evdemo-c runuser -u nobody -- sh -c \
		'echo $$; exec /usr/bin/curl -s -o /dev/null "$0"' "$1")
	printf '%s %s %s /usr/bin/curl curl -s -o /dev/null %s\n' "$cpid" \
		"$(id -u nobody)" "$(id -g nobody)" "$1" >> "$work/clients"
	sleep 0.3
}
client http://192.0.2.2:8080/index.html
client http://192.0.2.2:8080/
client 'http://[2001:db8:d::2]:8080/index.html'
client http://192.0.2.2:8080/index.html
sleep 1
kill "$dump"; wait "$dump" 2>/dev/null || true; dump=
srvline="$srvpid $(awk '/^Uid:/{print $2}' /proc/$srvpid/status) $(awk '/^Gid:/{print $2}' /proc/$srvpid/status) $(readlink -f /proc/$srvpid/exe) $(tr '\0' ' ' < /proc/$srvpid/cmdline | sed 's/ $//')"
ppid=$(awk '{print $4}' /proc/$srvpid/stat)
ppid="$ppid $(readlink -f /proc/$ppid/exe)"
cp "$work/demo.pcap" "$here/demo.pcap"
# SYNs (without ACK) give each connection's client side and time.
tshark -r "$here/demo.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields \
	-e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
	-e tcp.srcport -e tcp.dstport > "$work/syns"
tshark -r "$here/demo.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==1' -T fields \
	-e frame.time_epoch -e tcp.dstport > "$work/synacks"
python3 - "$work/syns" "$work/synacks" "$work/clients" "$srvline" "$ppid" > "$here/events.ndjson" <<'PY'
import json, sys
syns = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
synack = {l.split("\t")[1].strip(): float(l.split("\t")[0]) for l in open(sys.argv[2]) if l.strip()}
clients = [l.rstrip("\n").split(" ", 4) for l in open(sys.argv[3]) if l.strip()]
spid, suid, sgid, spath, scmd = sys.argv[4].split(" ", 4)
sppid, sppath = sys.argv[5].split(" ", 1)
sppid = int(sppid)
def proc(pid, uid, gid, path, cmd):
    return {"PID": int(pid), "UID": int(uid), "GID": int(gid), "TID": int(pid),
            "PROCESS_PATH": path, "PROCESS_CMDLINE": cmd}
def jsonc(v):
    """json-c's spaced style, as ebpflowexport prints: escaped slashes."""
    if isinstance(v, dict):
        return "{ " + ", ".join(json.dumps(k) + ": " + jsonc(x) for k, x in v.items()) + " }"
    return json.dumps(v).replace("/", "\\/")
out = []
for (t, s4, d4, s6, d6, sp, dp), (cpid, cuid, cgid, cpath, ccmd) in zip(syns, clients):
    v6 = bool(s6)
    src, dst = (s6, d6) if v6 else (s4, d4)
    k = "IPV6" if v6 else "IPV4"
    t = float(t)
    lat = (synack[sp] - t) * 1000.0
    base = {"INTERFACE_NAME": "eth0", "IP_PROTOCOL_VERSION": 6 if v6 else 4}
    c = {"timestamp": "%.6f" % (t + lat / 1000.0), **base, "TCP_EVENT_TYPE": "CONNECT",
         k + "_SRC_ADDR": src, k + "_DST_ADDR": dst, "PROTOCOL": 6,
         "L4_SRC_PORT": int(sp), "L4_DST_PORT": int(dp), "NW_LATENCY_MS": "%.3f" % lat,
         "LOCAL_PROCESS": proc(cpid, cuid, cgid, cpath, ccmd)}
    a = {"timestamp": "%.6f" % (t + lat / 1000.0 + 0.000050), **base, "TCP_EVENT_TYPE": "ACCEPT",
         k + "_SRC_ADDR": src, k + "_DST_ADDR": dst, "PROTOCOL": 6,
         "L4_SRC_PORT": int(sp), "L4_DST_PORT": int(dp),
         "LOCAL_PROCESS": proc(spid, suid, sgid, spath, scmd),
         "LOCAL_FATHER_PROCESS": {"PID": sppid, "UID": 0, "GID": 0, "TID": 0,
                                  "PROCESS_PATH": sppath, "PROCESS_CMDLINE": ""}}
    out += [c, a]
for e in sorted(out, key=lambda e: e["timestamp"]):
    print(jsonc(e))
PY
echo "wrote $here/demo.pcap ($(tshark -r "$here/demo.pcap" 2>/dev/null | wc -l) packets) and $here/events.ndjson ($(wc -l < "$here/events.ndjson") events)"
