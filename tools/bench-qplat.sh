#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# What tracing costs, in one run: hwqperf's 64 B RDMA WRITE rate with every
# WR signaled, untraced, under an empty program on every completion
# (probecost -B: the trap and the traced library's own work) and under
# each of qplat's modes (exact, sampled when qplat samples, the five
# events), beside probecost's untraced probe sites and bare uprobe (a trap
# and an empty program on the same probe, timed in probecost's own loop),
# and the bare uprobe on a classic 1-byte nop site for comparison: what a
# message costs is given in hits of both.
#
# BENCH_RUNS rounds (default 3) of BENCH_ITERS messages, each taking the
# untraced rate and then every mode's in turn, so that a slow spell of the
# machine hits them alike; each traced rate is a ratio to its own round's
# untraced one. The sampled mode runs for BENCH_SAMPLED_SECONDS (default
# 3) instead, beside an untraced run of as long in the same round, its
# own baseline: qplat samples 1 in 1024 for its first 200 ms, and every
# completion until it has written the library's control word, so a run
# of a few million messages (a fraction of a second at 20 Mpps) would
# measure that start-up, not the steady state at -F 1000 that one leaves
# attached; a run of seconds makes the start-up a few percent of it and
# keeps the script's time bounded whatever the machine's rate. The loss
# per message, 1/traced - 1/untraced, divided by the bare uprobe cost, is
# the number of uprobe hits a message costs: one trap and what the
# program and the traced library do beyond an empty program. The
# workload under the empty program shows the same measure for the trap
# alone, on this workload and this machine's load: what a mode loses
# beyond it is its program's. probecost times BENCH_PROBE_ITERS calls.
#
# The rates are taken without BPF run-time statistics, as the bare uprobe
# is (counting them costs two clock reads a run). After the rounds, one
# shorter run per mode (BENCH_STATS_ITERS) holds a BPF_ENABLE_STATS
# descriptor, never the global sysctl, to say how many runs of qplat's
# programs a message took and what each cost inside the program. Needs
# root for the traced part.
#
# BENCH_CPU=N runs hwqperf, its engine and probecost on CPU N alone. On a
# machine whose other CPUs are busy, hwqperf's host and engine threads,
# each spinning on its own CPU, rarely run at the same time, and every
# cost a message has is stretched by the wait (the untraced rate itself
# falls by an order of magnitude); on one CPU they hand it to each other
# and the figures hold.
set -u
bin=${BUILD:-build}/bin
runs=${BENCH_RUNS:-3}
iters=${BENCH_ITERS:-1000000}
stats_iters=${BENCH_STATS_ITERS:-$((iters / 4))}
sampled_s=${BENCH_SAMPLED_SECONDS:-3}
probe_iters=${BENCH_PROBE_ITERS:-5000000}
args=(bw --op write -s 64 --cq-mod 1 --json)
pin=()
if [ -n "${BENCH_CPU:-}" ]; then
	export HWQNIC_ENGINE_CPU=$BENCH_CPU
	pin=(taskset -c "$BENCH_CPU")
fi
err=$(mktemp)
stats_pid=
trap 'rm -f "$err"; [ -z "$stats_pid" ] || kill "$stats_pid" 2> /dev/null' EXIT

# The traced modes, "label|tool and its arguments", measured in this
# order; the tool is given -B hwqperf.
sampled="sampled (qplat's default)"
modes=("empty program (probecost -B)|probecost --probe complete"
	"exact (qplat -c 1)|qplat --json -c 1"
	"$sampled|qplat --json"
	"five events (qplat --five-events)|qplat --json --five-events")

# The programs process "$1" holds: "run_cnt run_time_ns" summed, from its
# descriptors' fdinfo (each program once): no other process's programs
prog_runs() {
	python3 -c '
import glob, sys
progs = {}
for f in glob.glob("/proc/%s/fdinfo/*" % sys.argv[1]):
    try:
        kv = dict(l.split(":", 1) for l in open(f) if ":" in l)
    except OSError:
        continue
    if "prog_id" in kv and "run_cnt" in kv:
        progs[kv["prog_id"]] = (int(kv["run_cnt"]), int(kv["run_time_ns"]))
print(sum(c for c, _ in progs.values()), sum(t for _, t in progs.values()))' "$1"
}

# traced RUN TOOL ARGS...: hwqperf's JSON for a run of RUN (its option
# --iters=N or --duration=S) under TOOL (qplat or probecost) -B hwqperf
# ARGS, with the runs of its programs during it (counted while statistics
# are on), or null
traced() {
	local run=$1 tool=$2 before after
	shift 2
	# emptied here: the background shell may open it after the first look
	: > "$err"
	"$bin/$tool" -B "$bin/hwqperf" "$@" > /dev/null 2> "$err" &
	local qp=$! out=null
	# a loaded machine may take long to load and attach the programs
	for _ in $(seq 600); do
		grep -q Tracing "$err" && break
		kill -0 "$qp" 2> /dev/null || break
		sleep 0.1
	done
	if grep -q Tracing "$err"; then
		before=$(prog_runs "$qp")
		out=$("${pin[@]}" "$bin/hwqperf" "${args[@]}" "$run")
		after=$(prog_runs "$qp")
		# hwqperf's JSON with the programs' runs during it added
		[ -n "$out" ] && out=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
b, a = [list(map(int, x.split())) for x in sys.argv[2:4]]
d["prog_runs"], d["prog_ns"] = a[0] - b[0], a[1] - b[1]
print(json.dumps(d))' "$out" "$before" "$after")
	fi
	# SIGINT before the tool catches it is lost (a background job
	# ignores it): SIGTERM, and SIGKILL if that is not enough
	kill -TERM "$qp" 2> /dev/null
	for _ in $(seq 100); do
		kill -0 "$qp" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$qp" 2> /dev/null
	wait "$qp"
	echo "${out:-null}"
}

# measure N LABEL|TOOL ARGS: one mode's run of N messages (the sampled
# mode's: of BENCH_SAMPLED_SECONDS, and with BASE, its untraced run of as
# long first), as [label, hwqperf's JSON, the untraced JSON or null]
measure() {
	local run=--iters=$1 label=${2%%|*} cmd=${2#*|} base=null
	if [ "$label" = "$sampled" ]; then
		run=--duration=$sampled_s
		if [ "${3:-}" = base ]; then
			base=$("${pin[@]}" "$bin/hwqperf" "${args[@]}" "$run") ||
				base=null
		fi
	fi
	# shellcheck disable=SC2086	# the tool and its arguments are words
	printf '[%s, %s, %s]' "$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$label")" \
		"$(traced "$run" $cmd)" "$base"
}

probe=$("${pin[@]}" "$bin/probecost" --json -n "$probe_iters") || exit
probe_c=$("${pin[@]}" "$bin/probecost" --json -n "$probe_iters" \
	--probe complete) || exit
root=0
if [ "$(id -u)" = 0 ]; then
	root=1
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
fi
rounds=()
for _ in $(seq "$runs"); do
	base=$("${pin[@]}" "$bin/hwqperf" "${args[@]}" -n "$iters") || exit
	round="[$base"
	if [ $root = 1 ]; then
		for m in "${modes[@]}"; do
			round+=", $(measure "$iters" "$m" base)"
		done
	fi
	rounds+=("$round]")
done
stats=()
if [ $root = 1 ]; then
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
	for m in "${modes[@]}"; do
		stats+=("$(measure "$stats_iters" "$m")")
	done
	kill "$stats_pid" 2> /dev/null
	wait "$stats_pid" 2> /dev/null
	stats_pid=
fi
python3 - "$probe" "$probe_c" "${#rounds[@]}" "${rounds[@]}" "${stats[@]}" <<'PY'
import json, os, statistics, sys
probe, probe_c = json.loads(sys.argv[1]), json.loads(sys.argv[2])
nr = int(sys.argv[3])
rounds = [json.loads(a) for a in sys.argv[4:4 + nr]]
cpu = " on CPU %s" % os.environ["BENCH_CPU"] if os.environ.get("BENCH_CPU") else ""
stats = dict(json.loads(a)[:2] for a in sys.argv[4 + nr:])
med = statistics.median
bare, int3 = probe["bare_uprobe_ns"], probe.get("int3_uprobe_ns")
print("untraced probe site: post %.2f ns, complete %.2f ns; bare uprobe: %s" %
      (probe["untraced_site_ns"], probe_c["untraced_site_ns"],
       "%.1f ns a hit" % bare if bare else "not measured (needs root)"))
if bare and int3:
    print("  (on libhwqnic's 5-byte nop; on a 1-byte nop, which a uprobe "
          "always traps with int3: %.1f ns a hit, %.2fx)" % (int3, int3 / bare))
base = [r[0]["mpps"] for r in rounds]
print("hwqperf bw write, 64 B, every WR signaled, %d runs%s: %.3f Mpps "
      "untraced (median; %s)" % (len(rounds), cpu, med(base),
                                 " ".join("%.3f" % b for b in base)))
if len(rounds[0]) == 1:
    print("under qplat: not measured (needs root)")
# a mode's untraced rate: its own untraced run's when it has one
def untraced(r, i):
    return (r[i][2] or r[0])["mpps"]
for i, (name, _, own) in enumerate(rounds[0][1:], 1):
    got = [(untraced(r, i), r[i][1]["mpps"]) for r in rounds if r[i][1]]
    if not got:
        print("%s: not measured (qplat did not start)" % name)
        continue
    ratio = [t / b for b, t in got]
    extra = [1e3 / t - 1e3 / b for b, t in got]
    line = ("%s: %.3f Mpps, %.3f of the untraced rate (median of %d; %s)" %
            (name, med(t for _, t in got), med(ratio), len(got),
             " ".join("%.3f" % x for x in ratio)))
    if own:
        line += ("; runs of %.0f s beside untraced ones of as long (%s Mpps)"
                 % (own["duration_s"], " ".join("%.3f" % b for b, _ in got)))
    line += "; %+.0f ns a message" % med(extra)
    if bare:
        line += " = %.2f bare uprobe hits" % (med(extra) / bare)
    if bare and int3:
        line += " (%.2f on a 1-byte nop)" % (med(extra) / int3)
    if i > 1 and rounds[0][1][0].startswith("empty"):
        # the same rounds' loss under the empty program, round by round
        # (the empty program's loss against its own round's baseline)
        both = [(untraced(r, i), r[0]["mpps"], r[1][1]["mpps"],
                 r[i][1]["mpps"]) for r in rounds if r[i][1] and r[1][1]]
        if both:
            beyond = [1e3 / t - 1e3 / e for _, _, e, t in both]
            times = [(1e3 / t - 1e3 / b) / (1e3 / e - 1e3 / b0)
                     for b, b0, e, t in both if e < b0]
            line += "; %+.0f ns beyond the empty program" % med(beyond)
            if times:
                line += " (%.2fx its loss)" % med(times)
    print(line)
    s = stats.get(name)
    if s and s.get("prog_runs"):
        print("  programs: %.3f runs a message, %.0f ns each in BPF "
              "(one run of %d messages with BPF statistics on; the trap "
              "not included)" % (s["prog_runs"] / s["messages"],
                                 s["prog_ns"] / s["prog_runs"],
                                 s["messages"]))
PY
