#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# What tracing costs, in one run: hwqperf's message rate untraced and under
# qplat, beside probecost's untraced probe site and bare uprobe. The loss
# per message, divided by the bare uprobe cost, is the number of uprobe
# hits a message costs. Needs root for the traced half.
set -u
bin=${BUILD:-build}/bin
args=(bw --op write -s 64 -n "${BENCH_ITERS:-1000000}" --cq-mod 1 --json)

base=$("$bin/hwqperf" "${args[@]}") || exit
probe=$("$bin/probecost" --json -n 5000000) || exit
traced=null
if [ "$(id -u)" = 0 ]; then
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	err=$(mktemp)
	trap 'rm -f "$err"' EXIT
	"$bin/qplat" -B "$bin/hwqperf" --json > /dev/null 2> "$err" &
	qp=$!
	for _ in $(seq 100); do
		grep -q Tracing "$err" && break
		sleep 0.1
	done
	traced=$("$bin/hwqperf" "${args[@]}")
	kill -INT "$qp"
	wait "$qp"
fi
python3 - "$base" "$traced" "$probe" <<'PY'
import json, sys
base, traced, probe = (json.loads(a) for a in sys.argv[1:])
print("hwqperf bw write, 64 B, every WR signaled: %.3f Mpps untraced" %
      base["mpps"])
print("untraced probe site: %.2f ns; bare uprobe: %s ns" %
      (probe["untraced_site_ns"], probe["bare_uprobe_ns"]))
if traced is None:
    print("under qplat: not measured (needs root)")
    sys.exit(0)
loss = 1 - traced["mpps"] / base["mpps"]
extra_ns = 1e3 / traced["mpps"] - 1e3 / base["mpps"]
print("under qplat: %.3f Mpps, %.1f%% fewer; +%.0f ns per message" %
      (traced["mpps"], 100 * loss, extra_ns))
if probe["bare_uprobe_ns"]:
    print("= %.1f bare uprobe hits per message" %
          (extra_ns / probe["bare_uprobe_ns"]))
PY
