#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tools/bench-qplat.sh (make bench), briefly: in one run it prints
# probecost's untraced probe sites and bare uprobe (on libhwqnic's site
# and on a 1-byte nop), the untraced rate, and under an empty program on
# every completion (probecost -B) and each of qplat's modes (exact -c 1,
# its sampled default, the five events) the rate as a ratio to the same
# run's untraced one (the sampled mode's: to an untraced run as long as
# its own, BENCH_SAMPLED_SECONDS) and the cost a message in bare uprobe
# hits of both sites (qplat's also beyond the empty program, and as a
# multiple of its loss), with the runs of the programs a message took
# (one under the empty program and in the exact mode, more than four with
# the five events) and their BPF time; with BENCH_CPU, all of it on that
# CPU. Figures are printed, never judged.
. "$(dirname "$0")/lib.sh"
need_bpf
[ -x "$bin/hwqperf" ] && [ -x "$bin/probecost" ] ||
	skip_all "build/bin/hwqperf or probecost missing (run make)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$top" && BUILD=build BENCH_RUNS=2 BENCH_ITERS=20000 \
	BENCH_STATS_ITERS=20000 BENCH_PROBE_ITERS=20000 BENCH_SAMPLED_SECONDS=1 \
	timeout 300 tools/bench-qplat.sh) > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 0 ]
ok $? "bench-qplat.sh exits 0 (exit $rc)"
[ $rc = 0 ] || diag < "$tmp/err"

res=$(python3 - "$tmp/out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
num = r"(-?[0-9.]+)"
checks = [
    ("probecost's sites and bare uprobe",
     r"^untraced probe site: post %s ns, complete %s ns; bare uprobe: %s ns a hit$"
     % (num, num, num)),
    ("the bare uprobe on a 1-byte nop beside it",
     r"^  \(on libhwqnic's 5-byte nop; on a 1-byte nop, which a uprobe "
     r"always traps with int3: %s ns a hit, %sx\)$" % (num, num)),
    ("the untraced rate of 2 runs",
     r"^hwqperf bw write, 64 B, every WR signaled, 2 runs: %s Mpps untraced "
     r"\(median; %s %s\)$" % (num, num, num)),
    ("the empty program's rate, ratio and cost in bare uprobe hits",
     r"^empty program \(probecost -B\): %s Mpps, %s of the untraced rate "
     r"\(median of 2; %s %s\); \+%s ns a message = %s bare uprobe hits "
     r"\(%s on a 1-byte nop\)$" % ((num,) * 7)),
    ("the exact mode's rate, ratio and cost, also beyond the empty program",
     r"^exact \(qplat[^)]*\): %s Mpps, %s of the untraced rate \(median of 2; "
     r"%s %s\); \+%s ns a message = %s bare uprobe hits \(%s on a 1-byte "
     r"nop\); [-+]%s ns beyond the empty program \(%sx its loss\)$"
     % ((num,) * 9)),
    ("the sampled mode's rate, ratio to its own 1 s untraced runs and cost, "
     "also beyond the empty program",
     r"^sampled \(qplat's default\): %s Mpps, %s of the untraced rate "
     r"\(median of 2; %s %s\); runs of 1 s beside untraced ones of as long "
     r"\(%s %s Mpps\); [-+]%s ns a message = %s bare uprobe hits \(%s on a "
     r"1-byte nop\); [-+]%s ns beyond the empty program \(%sx its loss\)$"
     % ((num,) * 11)),
    ("the five events' rate, ratio and cost",
     r"^five events \(qplat --five-events\): %s Mpps, %s of the untraced "
     r"rate \(median of 2; %s %s\); \+%s ns a message = %s bare uprobe hits "
     r"\(%s on a 1-byte nop\); [-+]%s ns beyond the empty program "
     r"\(%sx its loss\)$" % ((num,) * 9)),
]
lines = text.splitlines()
for what, rx in checks:
    m = [l for l in lines if re.match(rx, l)]
    print("%s %s" % ("ok" if m else "FAIL", what))
# the programs' runs a message, under each mode's line
def runs(label):
    i = [k for k, l in enumerate(lines) if l.startswith(label)]
    if not i or i[0] + 1 >= len(lines):
        return None
    m = re.match(r"^  programs: %s runs a message, %s ns each in BPF "
                 r"\(one run of 20000 messages" % (num, num), lines[i[0] + 1])
    return float(m.group(1)) if m else None
r = runs("empty program (")
print("%s empty program: one run a message (%s)" %
      ("ok" if r is not None and 0.99 <= r <= 1.01 else "FAIL", r))
r = runs("exact (")
print("%s exact: one program run a message (%s)" %
      ("ok" if r is not None and 0.99 <= r <= 1.01 else "FAIL", r))
r = runs("five events (")
print("%s five events: more than four runs a message (%s)" %
      ("ok" if r is not None and r > 4 else "FAIL", r))
PY
)
while read -r verdict what; do
	[ "$verdict" = ok ]
	ok $? "$what"
done <<< "$res"
grep -q FAIL <<< "$res" && diag < "$tmp/out"

# BENCH_CPU: everything on one CPU, said on the rate's line
(cd "$top" && BUILD=build BENCH_CPU=0 BENCH_RUNS=1 BENCH_ITERS=20000 \
	BENCH_STATS_ITERS=20000 BENCH_PROBE_ITERS=20000 BENCH_SAMPLED_SECONDS=1 \
	timeout 300 tools/bench-qplat.sh) > "$tmp/cpu" 2> "$tmp/err"
rc=$?
[ $rc = 0 ] &&
	grep -Eq '^hwqperf bw write, 64 B, every WR signaled, 1 runs on CPU 0: [0-9.]+ Mpps untraced' "$tmp/cpu" &&
	grep -Eq '^exact \(qplat[^)]*\): [0-9.]+ Mpps' "$tmp/cpu"
ok $? "BENCH_CPU=0: the rates of one round on CPU 0 (exit $rc)"
[ $rc = 0 ] || diag < "$tmp/err"

done_testing
