#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make demo: a mixed RDMA workload on the embedded engine (SEND, WRITE and
# READ of 64 B, 4 KiB and 64 KiB over 4 QPs for a few seconds), traced by
# qplat, which prints per-QP latency histograms when it ends.
set -u
bin=${BUILD:-build}/bin
secs=${DEMO_SECONDS:-3}
load=("$bin/hwqload" -q 4 -t "$secs" --ops send,write,read --sizes 64,4K,64K)

echo "hwqnic demo: ${load[*]}"
if [ "$(id -u)" != 0 ]; then
	"${load[@]}" || exit
	echo
	echo "The per-QP latency histograms need root (BPF programs on the"
	echo "hwqnic USDT probes): run 'sudo make demo'."
	exit 0
fi

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/tracing ||
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
err=$(mktemp)
# the maps stay pinned while the demo runs, for nictop's latency columns
pin=/sys/fs/bpf/hwqnic-demo
trap 'rm -f "$err"; rm -rf "$pin"' EXIT
"$bin/qplat" -B "$bin/hwqload" --pin "$pin" 2> "$err" &
qp=$!
for _ in $(seq 100); do
	grep -q Tracing "$err" && break
	if ! kill -0 "$qp" 2>/dev/null; then
		cat "$err" >&2
		exit 1
	fi
	sleep 0.1
done
cat "$err"
echo "Watch it live from another terminal: $bin/nictop --maps $pin"
"${load[@]}"
rc=$?
kill -INT "$qp"
wait "$qp" || rc=$?
exit $rc
