#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# qplat's sampling, decided in the library (docs/tracepoints.md,
# "Sampling"): -c 8 over a workload of known size gives about one sample
# in 8, each histogram's count scaled to near the number of operations
# (a bounded tolerance: sampling is random, never timed) and says so with
# its period; the counters come from the stats files; -F adapts the
# period to the rate (a fast run gets a period above 1); a process
# traced with -p after it made its QPs has their latencies; qplat killed
# with SIGKILL leaves its word behind, but the process untraced (the
# semaphore of its complete probe back to 0) and working; -c and -F are
# refused where sampling does not apply.
. "$(dirname "$0")/lib.sh"
need_bpf
tmp=$(mktemp -d)
load_pid=
trap 'rm -rf "$tmp"; [ -z "$load_pid" ] || kill -KILL "$load_pid" 2>/dev/null' EXIT
load=$bin/hwqload

# -c 8: the scaled counts near the operations, the counters exact
ops=4000
if qplat_start "$tmp/c8.qplat" "$tmp/c8.err" -B "$load" -c 8 --json; then
	"$load" -q 2 -n $ops --ops write,read --sizes 64 --json \
		> "$tmp/c8.load" 2> "$tmp/c8.loaderr"
	rc=$?
else
	rc=1
	diag < "$tmp/c8.err"
fi
qplat_stop
ok $(( rc | $? )) "hwqload -q 2 -n $ops (write, read) under qplat -c 8"
python3 - "$tmp/c8.qplat" "$tmp/c8.load" $ops <<'PY' 2>&1 | diag
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
load = json.load(open(sys.argv[2]))
n, pid = int(sys.argv[3]), load["pid"]
o = objs[-1]
s = o["sampling"]
assert s["sampled"] and s["period"] == 8 and s["hz"] is None, s
procs = [p for p in s["processes"] if p["pid"] == pid]
assert procs and procs[0]["period_max"] == 8, s
for q in load["qps"]:
    for lat in ("device", "pickup", "e2e"):
        c = sum(h["count"] for h in o["qps"] if h["pid"] == pid and
                h["qpn"] == q["qpn"] and h["op"] == q["op"] and
                h["latency"] == lat)
        # ~ n/8 samples: a standard deviation of ~ sqrt(n/8) = 22, 5%
        assert 0.7 * n < c < 1.3 * n, (q["qpn"], q["op"], lat, c, n)
    ctr = [c for c in o["counters"] if c["pid"] == pid and
           c["qpn"] == q["qpn"]]
    assert ctr, ("no counters", q["qpn"])
    c = ctr[0]
    # read from the stats file at qplat's last look, never from probes:
    # a look while the QP worked may fall between a WQE and its CQE
    assert c["polls"] is None and 0 < c["cqes"] <= c["wqes"] <= n, c
print("OK")
PY
ok ${PIPESTATUS[0]} "-c 8: counts scaled to within 30% of $ops per QP, opcode and latency; the JSON says sampled, period 8; counters from the stats file"

# -F: the period follows the rate
if qplat_start "$tmp/f.qplat" "$tmp/f.err" -B "$load" -F 200 --json; then
	"$load" -q 1 -t 2 --ops write --sizes 64 --json > "$tmp/f.load" \
		2> "$tmp/f.loaderr"
	rc=$?
else
	rc=1
	diag < "$tmp/f.err"
fi
qplat_stop
ok $(( rc | $? )) "hwqload -t 2 under qplat -F 200"
python3 - "$tmp/f.qplat" "$tmp/f.load" <<'PY' 2>&1 | diag
import json, sys
o = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
load = json.load(open(sys.argv[2]))
pid, msgs = load["pid"], load["qps"][0]["messages"]
s = o["sampling"]
assert s["sampled"] and s["hz"] == 200 and s["period"] is None, s
p = [p for p in s["processes"] if p["pid"] == pid][0]
rate = msgs / 2.0
print("# %d messages in 2 s; period %d..%d" % (msgs, p["period_min"],
                                               p["period_max"]))
# far more than 200 completions a second: a period well above 1
assert rate < 400 or p["period_max"] > 1, (rate, p)
c = sum(h["count"] for h in o["qps"] if h["pid"] == pid and
        h["latency"] == "e2e")
assert 0.5 * msgs < c < 1.5 * msgs, (c, msgs)
print("OK")
PY
ok ${PIPESTATUS[0]} "-F 200: the period rises above 1 with the rate; the scaled count near the messages"

# -p on a process already at work: its QPs, made before qplat came, get
# their records at their first sampled WRs, and their latencies from then
"$load" -q 2 -t 2 --ops write --sizes 64 --json > "$tmp/p.load" \
	2> "$tmp/p.loaderr" &
load_pid=$!
sleep 0.3
if qplat_start "$tmp/p.qplat" "$tmp/p.err" -p "$load_pid" -c 4 --json; then
	wait "$load_pid"
	rc=$?
else
	rc=1
	diag < "$tmp/p.err"
	wait "$load_pid"
fi
load_pid=
qplat_stop
ok $(( rc | $? )) "qplat -p -c 4 on a running hwqload -q 2"
python3 - "$tmp/p.qplat" "$tmp/p.load" <<'PY' 2>&1 | diag
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
load = json.load(open(sys.argv[2]))
pid = load["pid"]
for q in load["qps"]:
    for lat in ("device", "pickup", "e2e"):
        c = sum(h["count"] for o in objs for h in o["qps"]
                if h["pid"] == pid and h["qpn"] == q["qpn"] and
                h["latency"] == lat)
        assert c > 0, (q["qpn"], lat, c)
print("OK")
PY
ok ${PIPESTATUS[0]} "-p: each of its QPs, made before qplat, has device, pickup and end-to-end latencies"

# SIGKILL: the word stays, the process is untraced and goes on
"$load" -q 1 -t 4 --ops write --sizes 64 --json > "$tmp/k.load" \
	2> "$tmp/k.loaderr" &
load_pid=$!
sleep 0.3
# the complete probe's semaphore in the process: 2 bytes at its address
sem() {
	python3 - "$load" "$load_pid" <<'PY'
import re, subprocess, sys
exe, pid = sys.argv[1], int(sys.argv[2])
notes = subprocess.run(["readelf", "-n", exe], capture_output=True,
                       text=True).stdout
m = re.search(r"Name: complete\s+Location: \S+, Base: \S+, Semaphore: (0x[0-9a-f]+)",
              notes)
addr = int(m.group(1), 16)
base = None
for line in open("/proc/%d/maps" % pid):
    f = line.split()
    if len(f) >= 6 and f[5].endswith("/hwqload") and int(f[2], 16) == 0:
        base = int(f[0].split("-")[0], 16)
        break
with open("/proc/%d/mem" % pid, "rb") as mem:
    mem.seek(base + addr)
    print(int.from_bytes(mem.read(2), "little"))
PY
}
word() {	# the control word of the process's stats file
	python3 - "$load_pid" <<'PY'
import glob, struct, sys
f = glob.glob("/dev/shm/hwqnic.%s.*" % sys.argv[1])[0]
with open(f, "rb") as fh:
    fh.seek(84)	# offsetof(struct hwqnic_stats_file, sample_ctl)
    print("0x%08x" % struct.unpack("<I", fh.read(4))[0])
PY
}
if qplat_start "$tmp/k.qplat" "$tmp/k.err" -p "$load_pid" -c 4 --json; then
	before=$(sem) w=$(word)
	kill -KILL "$qplat_pid"
	wait "$qplat_pid" 2>/dev/null
	after=$(sem) w2=$(word)
	diag "semaphore $before -> $after, word $w -> $w2"
	[ "${before:-0}" -gt 0 ] && [ "$w" = 0x01000004 ]
	ok $? "traced: semaphore $before, word $w (version 1, N 4)"
	[ "$after" = 0 ] && [ "$w2" = 0x01000004 ]
	ok $? "qplat killed: the semaphore back to 0, the stale word left ($w2), harmless"
else
	diag < "$tmp/k.err"
	ok 1 "qplat -p attaches to hwqload"
	ok 1 "(not run)"
fi
wait "$load_pid"
rc=$?
load_pid=
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["qps"][0]["messages"] > 0 and not d["qps"][0]["errors"]' \
	"$tmp/k.load" 2> /dev/null
ok $(( rc | $? )) "and hwqload ran on to its end, without an error"

# where sampling does not apply
"$bin/qplat" -B "$load" -c 4 --five-events > /dev/null 2> "$tmp/u.err"
[ $? = 2 ] && grep -q "no -c or -F" "$tmp/u.err"
ok $? "-c with --five-events: a usage error ($(head -c 80 "$tmp/u.err"))"
"$bin/qplat" -k -F 100 > /dev/null 2> "$tmp/u.err"
[ $? = 2 ] && grep -q "always exact" "$tmp/u.err"
ok $? "-F with -k alone (hwqnic.ko's own users): a usage error"
"$bin/qplat" -B "$load" -c 2 -F 100 > /dev/null 2> "$tmp/u.err"
[ $? = 2 ]
ok $? "-c and -F together: a usage error"
"$bin/qplat" -B "$load" -c 0 > /dev/null 2> "$tmp/u.err"
[ $? = 2 ]
ok $? "-c 0: a usage error"

done_testing
