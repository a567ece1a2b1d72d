#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# What tracing costs, in one run: hwqperf's 64 B RDMA WRITE rate with every
# WR signaled, untraced, under qplat -c 1 (the one completion event, every
# completion), under qplat's default mode (the library samples about 1000
# completions a second) and under qplat --five-events, beside probecost's untraced probe
# sites and bare uprobe. BENCH_RUNS rounds (default 3), the four taken in
# turn in each, so that a slow spell of the machine hits them alike; each
# traced rate is a ratio to its own round's untraced one. The loss per
# message, divided by the bare uprobe cost, is the number of uprobe hits a
# message costs. Where that number is far above the hits qplat's programs
# actually ran, the loss is not in the traps: the programs' run counts and
# BPF run time (statistics enabled through a BPF_ENABLE_STATS descriptor
# held for the run, never the global sysctl) say how many hits a message
# took and what each cost inside the program. Needs root for the traced
# part.
set -u
bin=${BUILD:-build}/bin
runs=${BENCH_RUNS:-3}
args=(bw --op write -s 64 -n "${BENCH_ITERS:-1000000}" --cq-mod 1 --json)
err=$(mktemp)
stats_pid=
trap 'rm -f "$err"; [ -z "$stats_pid" ] || kill "$stats_pid" 2> /dev/null' EXIT

# qplat's programs loaded since ids "$1": "run_cnt run_time_ns" summed
qplat_runs() {
	bpftool prog show --json 2> /dev/null | python3 -c '
import json, sys
n = t = 0
for p in json.load(sys.stdin):
    if p["id"] > int(sys.argv[1]) and p["name"].startswith("qplat_"):
        n += p.get("run_cnt", 0)
        t += p.get("run_time_ns", 0)
print(n, t)' "$1"
}

traced() {	# traced QPLAT-ARGS...: hwqperf's JSON under qplat, or null
	local last before after
	# programs are numbered in load order: qplat's are those after last
	last=$(bpftool prog show --json 2> /dev/null |
	       python3 -c 'import json, sys; print(max([p["id"] for p in json.load(sys.stdin)] or [0]))')
	"$bin/qplat" -B "$bin/hwqperf" --json "$@" > /dev/null 2> "$err" &
	local qp=$! out=null
	# a loaded machine may take long to load and attach the programs
	for _ in $(seq 600); do
		grep -q Tracing "$err" && break
		kill -0 "$qp" 2> /dev/null || break
		sleep 0.1
	done
	if grep -q Tracing "$err"; then
		before=$(qplat_runs "${last:-0}")
		out=$("$bin/hwqperf" "${args[@]}")
		after=$(qplat_runs "${last:-0}")
		# hwqperf's JSON with the programs' runs during it added
		[ -n "$out" ] && out=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
b, a = [list(map(int, x.split())) for x in sys.argv[2:4]]
d["prog_runs"], d["prog_ns"] = a[0] - b[0], a[1] - b[1]
print(json.dumps(d))' "$out" "$before" "$after")
	fi
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
	# BPF_ENABLE_STATS (cmd 32, BPF_STATS_RUN_TIME): run time is counted
	# while the descriptor stays open, and stops with this process
	python3 -c '
import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
attr = ctypes.create_string_buffer(16)
if libc.syscall(321, 32, attr, 16) < 0:
    raise SystemExit("BPF_ENABLE_STATS: " + os.strerror(ctypes.get_errno()))
signal.pause()' &
	stats_pid=$!
fi
rounds=()
for _ in $(seq "$runs"); do
	base=$("$bin/hwqperf" "${args[@]}") || exit
	one=null five=null samp=null
	if [ $root = 1 ]; then
		one=$(traced -c 1)
		five=$(traced --five-events)
		samp=$(traced)
	fi
	rounds+=("[$base, $one, $five, $samp]")
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
for i, name in ((1, "qplat -c 1 (completion event, exact)"),
                (2, "qplat --five-events"),
                (3, "qplat's default (sampled, -F 1000)")):
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
    runs = [r[i] for r in rounds if r[i] and r[i].get("prog_runs")]
    if runs:
        print("  qplat's programs: %.2f runs per message, %.0f ns each in BPF "
              "(median of %d; BPF run time, the trap not included)" %
              (med(r["prog_runs"] / r["messages"] for r in runs),
               med(r["prog_ns"] / r["prog_runs"] for r in runs), len(runs)))
PY
