#!/bin/sh
# pipeline.sh [SERVERS] [SHARDS]: evpipe across machines, on one machine.
#
# Two collectors ("host a" and "host b", here two captures) publish packet
# records to the JetStream stream "evpipe", sharded by flow into SHARDS
# subjects evpipe.shard.K with three replicas; SHARDS flow-agg processes
# (one per aggregation host) each read their shard through a durable
# consumer and publish flows to evpipe.flows; ev-show reads the merged
# flows. SERVERS defaults to the cluster start.sh starts:
#   ./start.sh /tmp/evpipe-nats && ./pipeline.sh && ./stop.sh /tmp/evpipe-nats
# On real hosts, run each line on its own machine with the servers' names.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
S=${1:-127.0.0.1:4222,127.0.0.1:4223,127.0.0.1:4224}
N=${2:-4}
caps="$here/../../tests/data/pcaps"
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT

# Collectors: any stage with -o or -O publishes; ev-route shards.
for h in a b; do
	case $h in
	a) cap=$caps/1kxun.pcap ;;
	b) cap=$caps/reddit.pcap ;;
	esac
	pcap-ingest -r "$cap" 2>/dev/null |
	    ev-route -q -S "$N" -O "nats://$S/evpipe.shard.%d?replicas=3" \
	    2>/dev/null &
done
wait

# Aggregators, one per shard (each would run on its own host); a live
# deployment runs them for good, here they end 3 s after their last record.
k=0
while [ "$k" -lt "$N" ]; do
	flow-agg -q -o "nats://$S/evpipe.flows?replicas=3" \
	    "nats://$S/evpipe/agg$k?subject=evpipe.shard.$k&idle_exit=3s" \
	    2> "$run/agg$k.err" &
	k=$((k + 1))
done
wait

# The view of all shards' flows.
ev-show -b "nats://$S/evpipe/show?subject=evpipe.flows&idle_exit=3s" \
    2>/dev/null
