#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# What tracing costs, in one run: hwqperf's 64 B RDMA WRITE rate with every
# WR signaled, untraced, under qplat's default mode (the one completion
# event) and under qplat --five-events, beside probecost's untraced probe
# sites and bare uprobe. BENCH_RUNS rounds (default 3), the three taken in
# turn in each, so that a slow spell of the machine hits them alike; each
# traced rate is a ratio to its own round's untraced one. The loss per
# message, divided by the bare uprobe cost, is the number of uprobe hits a
# message costs. Needs root for the traced part.
set -u
bin=${BUILD:-build}/bin
runs=${BENCH_RUNS:-3}
args=(bw --op write -s 64 -n "${BENCH_ITERS:-1000000}" --cq-mod 1 --json)
err=$(mktemp)
trap 'rm -f "$err"' EXIT

traced() {	# traced QPLAT-ARGS...: hwqperf's JSON under qplat, or null
	"$bin/qplat" -B "$bin/hwqperf" --json "$@" > /dev/null 2> "$err" &
	local qp=$! out=null
	# a loaded machine may take long to load and attach the programs
	for _ in $(seq 600); do
		grep -q Tracing "$err" && break
		kill -0 "$qp" 2> /dev/null || break
		sleep 0.1
	done
	grep -q Tracing "$err" && out=$("$bin/hwqperf" "${args[@]}")
	# SIGINT before qplat catches it is lost (a background job ignores
	# it): SIGTERM, and SIGKILL if that is not enough
	kill -TERM "$qp" 2> /dev/null
	for _ in $(seq 100); do
		kill -0 "$qp" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$qp" 2> /dev/null
	wait "$qp"
	echo "${out:-null}"
}

probe=$("$bin/probecost" --json -n 5000000) || exit
probe_c=$("$bin/probecost" --json -n 5000000 --probe complete) || exit
root=0
if [ "$(id -u)" = 0 ]; then
	root=1
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
fi
rounds=()
for _ in $(seq "$runs"); do
	base=$("$bin/hwqperf" "${args[@]}") || exit
	one=null five=null
	if [ $root = 1 ]; then
		one=$(traced)
		five=$(traced --five-events)
	fi
	rounds+=("[$base, $one, $five]")
done
python3 - "$probe" "$probe_c" "${rounds[@]}" <<'PY'
import json, statistics, sys
probe, probe_c = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rounds = [json.loads(a) for a in sys.argv[3:]]
med = statistics.median
print("untraced probe site: post %.2f ns, complete %.2f ns; bare uprobe: %s ns" %
      (probe["untraced_site_ns"], probe_c["untraced_site_ns"],
       probe["bare_uprobe_ns"]))
base = [r[0]["mpps"] for r in rounds]
print("hwqperf bw write, 64 B, every WR signaled, %d runs: %.3f Mpps untraced "
      "(median; %s)" % (len(rounds), med(base),
                        " ".join("%.3f" % b for b in base)))
for i, name in ((1, "qplat (completion event)"), (2, "qplat --five-events")):
    got = [(r[0]["mpps"], r[i]["mpps"]) for r in rounds if r[i]]
    if not got:
        print("under %s: not measured (needs root)" % name)
        continue
    ratio = [t / b for b, t in got]
    extra = [1e3 / t - 1e3 / b for b, t in got]
    line = ("under %s: %.3f Mpps, %.3f of the untraced rate (median of %d; "
            "%s); +%.0f ns per message" %
            (name, med(t for _, t in got), med(ratio), len(got),
             " ".join("%.3f" % x for x in ratio), med(extra)))
    if probe["bare_uprobe_ns"]:
        line += " = %.2f bare uprobe hits" % (med(extra) / probe["bare_uprobe_ns"])
    print(line)
PY
