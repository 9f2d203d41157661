#!/bin/sh
# start.sh RUNDIR [P1 P2 P3 R1 R2 R3 H1 H2 H3]: starts a three-node NATS
# JetStream cluster on loopback (nats-server from Debian): node i listens
# for clients on Pi, for its peers on Ri, for monitoring on Hi. Configs,
# stores, logs and pids go to RUNDIR (nN.conf, nN.store, nN.log, nN.pid);
# a node is restarted with: nats-server -c RUNDIR/nN.conf. It returns
# once every node accepts clients; stop it with stop.sh RUNDIR.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
run=${1:?usage: start.sh RUNDIR [P1 P2 P3 R1 R2 R3 H1 H2 H3]}
p1=${2:-4222} p2=${3:-4223} p3=${4:-4224}
r1=${5:-6222} r2=${6:-6223} r3=${7:-6224}
h1=${8:-8222} h2=${9:-8223} h3=${10:-8224}
mkdir -p "$run"
run=$(cd "$run" && pwd)
routes="nats-route://127.0.0.1:$r1, nats-route://127.0.0.1:$r2, nats-route://127.0.0.1:$r3"
for i in 1 2 3; do
	eval "p=\$p$i r=\$r$i h=\$h$i"
	sed -e "s|@NAME@|n$i|" -e "s|@PORT@|$p|" -e "s|@HTTP@|$h|" \
	    -e "s|@ROUTE@|$r|" -e "s|@ROUTES@|$routes|" \
	    -e "s|@STORE@|$run/n$i.store|" "$here/node.conf.in" > "$run/n$i.conf"
	# No inherited descriptors: a node must not hold a caller's pipe.
	nats-server -c "$run/n$i.conf" >> "$run/n$i.log" 2>&1 \
	    < /dev/null 3>&- 4>&- 5>&- &
	echo $! > "$run/n$i.pid"
done
# Up to a minute of wall-clock time for all three (cluster routes and the
# JetStream meta group can take a while on a loaded machine); a node that
# that gave up (a fatal error, [FTL], such as a port in use) fails at
# once, with the end of its log.
end=$(($(date +%s) + 60))
for i in 1 2 3; do
	until grep -q 'Server is ready' "$run/n$i.log"; do
		if grep -q '\[FTL\]' "$run/n$i.log" ||
		    [ "$(date +%s)" -ge "$end" ]; then
			echo "start.sh: n$i did not start; end of $run/n$i.log:" >&2
			tail -n 5 "$run/n$i.log" >&2
			exit 1
		fi
		sleep 0.1
	done
done
echo "nats://127.0.0.1:$p1,127.0.0.1:$p2,127.0.0.1:$p3"
