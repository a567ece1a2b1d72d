#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make demo: a mixed RDMA workload on the embedded engine (SEND, WRITE and
# READ of 64 B, 4 KiB and 64 KiB over 4 QPs for DEMO_SECONDS, default 20:
# long enough to watch with nictop), traced by qplat, which pins its maps
# where nictop looks by default and prints per-QP latencies when it ends.
# One line says what tracing costs here: hwqload's message rate with and
# without qplat attached, measured in this run.
set -u
bin=${BUILD:-build}/bin
secs=${DEMO_SECONDS:-20}
case $secs in
'' | *[!0-9.]* | *.*.* | .)
	echo "make demo: DEMO_SECONDS='$secs' is not a number of seconds" >&2
	exit 2 ;;
esac
args=(-q 4 --ops send,write,read --sizes 64,4K,64K)
load=("$bin/hwqload" "${args[@]}" -t "$secs")

echo "hwqnic demo: ${load[*]}"
if [ "$(id -u)" != 0 ]; then
	"${load[@]}" || exit
	echo
	echo "The per-QP latency histograms need root (BPF programs on the"
	echo "hwqnic USDT probes): run 'sudo make demo'."
	exit 0
fi

# rate: the message rate (millions per second) of a 1 s hwqload run,
# from its last line ("0.904 Mmsg/s, ..."); empty if it printed none
rate() {
	"$bin/hwqload" "${args[@]}" -t 1 2> /dev/null |
		sed -n 's/^ *\([0-9.][0-9.]*\) Mmsg\/s.*/\1/p' | tail -n 1
}

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/tracing ||
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
err=$(mktemp)
out=$(mktemp)
# nictop's default --maps directory, unless another qplat holds it
pin=/sys/fs/bpf/hwqnic
watch="$bin/nictop"
if [ -e "$pin" ]; then
	pin=/sys/fs/bpf/hwqnic-demo-$$	# bpffs names cannot have a dot
	watch="$bin/nictop --maps $pin"
	echo "(/sys/fs/bpf/hwqnic is in use: the maps go to $pin)"
fi
[ -z "${SUDO_USER:-}" ] || watch="sudo $watch"
trap 'rm -f "$err" "$out"; rm -rf "$pin"' EXIT

echo "Measuring hwqload untraced for 1 s..."
untraced=$(rate)
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
echo "Watch it live from another terminal: $watch"
"${load[@]}" | tee "$out"
rc=${PIPESTATUS[0]}
traced=$(sed -n 's/^ *\([0-9.][0-9.]*\) Mmsg\/s.*/\1/p' "$out" | tail -n 1)
kill -INT "$qp"
wait "$qp" || rc=$?
if [ -n "$untraced" ] && [ -n "$traced" ]; then
	awk -v u="$untraced" -v t="$traced" -v s="$secs" 'BEGIN {
		printf "Tracing cost on this machine: hwqload %.3f Mmsg/s " \
		       "traced by qplat (%s s), %.3f untraced (1 s): %.2fx " \
		       "the untraced rate, one run each\n", t, s, u,
		       (u > 0 ? t / u : 0) }'
else
	echo "Tracing cost on this machine: not measured (hwqload printed" \
	     "no message rate)"
fi
exit $rc
