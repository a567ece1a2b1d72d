#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# qplat over a workload of known size, exact (-c 1: the one completion
# event for every completion) and with --five-events: every histogram total equals
# the number of operations, per QP and opcode and for each latency;
# counters agree; error CQEs are counted as errors; -Q shows only its QP;
# a process's counters stay in every report after the histograms of its
# completions were printed (qplat with an interval); with short intervals
# over processes completing at once on every CPU, no completion is lost
# between intervals, in the counters nor in the histograms; an
# executable linked against libhwqnic.so is traced through the library,
# found by run path or LD_LIBRARY_PATH, and said to be missing otherwise.
. "$(dirname "$0")/lib.sh"
need_bpf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check.py QPLAT-JSON LOAD-JSON N ERRORS [ONLY-QPN]: prints TAP-able lines
cat > "$tmp/check.py" <<'PY'
import json, sys
qp_out, load_out, n, errors = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
only = int(sys.argv[5]) if len(sys.argv) > 5 else None
objs = [json.loads(l) for l in open(qp_out) if l.strip()]
load = json.load(open(load_out))
pid = load["pid"]
hist, ctr = {}, {}
five = objs[-1]["events"] == "five"
for o in objs:
    for h in o["qps"]:
        if h["pid"] != pid:
            continue
        k = (h["qpn"], h["op"], h["latency"])
        hist[k] = hist.get(k, 0) + h["count"]
# cumulative: the last report has them all
for c in objs[-1]["counters"]:
    if c["pid"] == pid:
        ctr[c["qpn"]] = c
ops = {"send": "send", "write": "write", "read": "read"}
bad = []
def expect(k, want):
    if hist.get(k, 0) != want:
        bad.append("%s: %d, want %d" % (k, hist.get(k, 0), want))
for q in load["qps"]:
    qpn, op = q["qpn"], q["op"]
    if only is not None and qpn != only:
        continue
    good = q["messages"] - q["errors"]
    for lat in ("device", "pickup", "e2e"):
        expect((qpn, op, lat), good)
    c = ctr.get(qpn)
    if not c:
        bad.append("no counters for qpn %d" % qpn)
        continue
    # the completion event counts no WQEs nor CQEs written (null); the
    # five events do
    seen = [c["wqes"], c["cqes"]]
    seen_ok = seen == [q["messages"]] * 2 if five else seen == [None, None]
    if not seen_ok or \
       c["errors"] != q["errors"] or c["polls"] != q["messages"]:
        bad.append("counters of %d: %s" % (qpn, c))
    if op == "send":
        peer = q["peer_qpn"]
        for lat in ("pickup", "e2e"):
            expect((peer, "recv", lat), good)
if only is not None:
    others = sorted({k[0] for k in hist if k[0] != only} |
                    {q for q in ctr if q != only})
    if others:
        bad.append("-Q %d shows other QPs: %s" % (only, others))
print("\n".join(bad) if bad else "OK")
PY

load=$bin/hwqload

run() {	# run NAME N ERRORS [QPLAT ARGS...]: one traced $load run
	local name=$1 cnt=$2 errs=$3
	shift 3
	if ! qplat_start "$tmp/$name.qplat" "$tmp/$name.err" \
		-B "$load" --json "$@"; then
		cat "$tmp/$name.err" | diag
		return 1
	fi
	"$load" -q 4 -n "$cnt" --errors "$errs" --json \
		> "$tmp/$name.load" 2> "$tmp/$name.loaderr"
	local rc=$?
	qplat_stop
	local qrc=$?
	[ $rc = 0 ] && [ $qrc = 0 ]
}

sumcheck() {	# sumcheck NAME N ERRORS [ONLY]: the check, as one TAP line
	local res
	res=$(python3 "$tmp/check.py" "$tmp/$1.qplat" "$tmp/$1.load" "$2" "$3" \
		${4:+"$4"} 2>&1)
	[ "$res" = OK ]
	local rc=$?
	[ $rc = 0 ] || echo "$res" | diag
	return $rc
}

run plain 700 0 -c 1
ok $? "hwqload -q 4 -n 700 (send, write, read, send) under qplat -B -c 1"
sumcheck plain 700 0
ok $? "histogram totals = operations, per QP, opcode and latency; counters agree"

run five 700 0 --five-events
ok $? "the same under qplat --five-events"
sumcheck five 700 0
ok $? "--five-events: histogram totals = operations; counters agree, WQEs and CQEs too"
grep -q '"events": *"complete"' "$tmp/plain.qplat" &&
	grep -q '"events": *"five"' "$tmp/five.qplat"
ok $? "the JSON says which events each run used"

run errors 300 5 -c 1
ok $? "hwqload with 5 bad-rkey WRITEs under qplat -c 1"
sumcheck errors 300 5
ok $? "error CQEs counted as errors, successes as before"

# One QP's completions taken by two threads at once (hwqshare): the
# completion programs count without atomics, relying on `complete`
# firing under the CQ's lock; the five events' count atomically. With
# the event fired after the lock is dropped, this run loses counts in
# most tries.
share=$top/build/release/selftests/bpf/hwqshare
for mode in "-c 1" --five-events; do
	name=share${mode//[^a-z0-9]/}
	# shellcheck disable=SC2086	# the mode is its words
	if qplat_start "$tmp/$name.qplat" "$tmp/$name.err" -B "$share" \
		--json $mode; then
		"$share" -n 100000 -d 256 -p 2 > "$tmp/$name.load" \
			2> "$tmp/$name.loaderr"
		rc=$?
		qplat_stop
		[ $rc = 0 ] && [ $? = 0 ]
		ok $? "hwqshare -n 100000 -d 256 -p 2 under qplat $mode: $(grep -o '"took.*' "$tmp/$name.load")"
		sumcheck "$name" 100000 0
		ok $? "qplat $mode: its totals and counters = the 100000 operations"
	else
		diag < "$tmp/$name.err"
		ok 1 "qplat $mode -B hwqshare"
		ok 1 "qplat $mode: totals"
	fi
done

# Intervals: the first process's histograms are printed in a report
# after it ended; the last report still counts its completions.
# The second runs right after a report, well within the next interval.
if qplat_start "$tmp/iv.qplat" "$tmp/iv.err" -B "$load" --json -c 1 2; then
	"$load" -q 4 -n 300 --json > "$tmp/iv1.load" 2> /dev/null
	rc1=$?
	lines=$(wc -l < "$tmp/iv.qplat")
	for _ in $(seq 100); do
		[ "$(wc -l < "$tmp/iv.qplat")" -gt "$lines" ] && break
		sleep 0.1
	done
	"$load" -q 4 -n 200 --json > "$tmp/iv2.load" 2> /dev/null
	rc2=$?
	qplat_stop
	[ $rc1 = 0 ] && [ $rc2 = 0 ] && [ $? = 0 ] &&
		[ "$(wc -l < "$tmp/iv.qplat")" -ge 2 ]
	ok $? "two hwqload runs under qplat -c 1 with a 2 s interval, a report between"
else
	cat "$tmp/iv.err" | diag
	ok 1 "qplat -c 1 with an interval"
fi
cp "$tmp/iv.qplat" "$tmp/iv1.qplat"
sumcheck iv1 300 0
ok $? "the first run: totals = operations, its counters in the last report"
cp "$tmp/iv.qplat" "$tmp/iv2.qplat"
sumcheck iv2 200 0
ok $? "the second run: the same"

# Many short intervals while three processes complete at once on every
# CPU: a reading between a lookup and an increment on another CPU must
# lose nothing (entries are never deleted under them), so the counters of
# the last report and the histograms summed over every interval are
# exact, per QP and opcode, for each process. Once they have exited,
# their entries leave the map (pinned here), their counts stay.
pin=/sys/fs/bpf/hwqnic-counts-$$
trap 'rm -rf "$tmp" "$pin"' EXIT
if qplat_start "$tmp/many.qplat" "$tmp/many.err" -B "$load" --json -c 1 \
	--pin "$pin" 0.02; then
	for i in 1 2 3; do
		"$load" -q 8 -t 2 --json > "$tmp/many$i.load" 2> /dev/null &
		eval "lpid$i=\$!"
	done
	rcs=0
	for i in 1 2 3; do
		eval "wait \$lpid$i" || rcs=1
	done
	# two reports after they exited: the first deletes their entries
	lines=$(wc -l < "$tmp/many.qplat")
	for _ in $(seq 100); do
		[ "$(wc -l < "$tmp/many.qplat")" -gt $((lines + 1)) ] && break
		sleep 0.1
	done
	qplat_stop
	qrc=$?
	reports=$(wc -l < "$tmp/many.qplat")
	[ $rcs = 0 ] && [ $qrc = 0 ] && [ "$reports" -ge 3 ]
	ok $? "three hwqload -q 8 -t 2 at once under qplat -c 1 with 20 ms intervals ($reports reports)"
else
	cat "$tmp/many.err" | diag
	ok 1 "qplat -c 1 with 20 ms intervals"
fi
for i in 1 2 3; do
	cp "$tmp/many.qplat" "$tmp/many$i.qplat"
	sumcheck "many$i" 0 0
	ok $? "process $i: counters and histogram totals over every interval = operations"
done
bpftool -j map dump pinned "$pin/hists" > "$tmp/many.hists" 2>&1
python3 - "$tmp/many.hists" "$tmp"/many[123].load <<'PY' 2>&1 | diag
import json, sys
rows = json.load(open(sys.argv[1]))
pids = {json.load(open(f))["pid"] for f in sys.argv[2:]}
left = [r["formatted"]["key"] for r in rows
        if r["formatted"]["key"]["pid"] in pids]
assert not left, left
PY
ok "${PIPESTATUS[0]}" "their hists entries deleted once they exited"
rm -rf "$pin"

# -Q: QPNs are allocated the same way in every fresh process
only=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["qps"][1]["qpn"])' \
	"$tmp/plain.load")
run filtered 200 0 -c 1 -Q "$only"
ok $? "qplat -c 1 -Q $only over the same workload"
sumcheck filtered 200 0 "$only"
ok $? "-Q $only: its histograms and counters, and no other QP's"

# An executable linked against libhwqnic.so: qplat -B finds the library.
# hwqload's sources (a file or a folder) and the tools' archive
srcs=$(ls "$top"/tools/hwqload.c "$top"/tools/hwqload/*.c 2> /dev/null)
# the tools print the Makefile's VERSION, compiled in as HWQNIC_VERSION
version=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")
cc_load() {	# cc_load OUT LDFLAGS...: hwqload on libhwqnic.so
	local out=$1
	shift
	# shellcheck disable=SC2086
	gcc -std=c11 -D_GNU_SOURCE -DHWQNIC_VERSION="\"$version\"" -O2 \
		-I"$top/include" -I"$top/tools" $srcs \
		"$top/build/release/libtools.a" -L"$top/build/release" \
		-lhwqnic "$@" -lpthread -lm -o "$out" 2> "$tmp/cc.err"
	local rc=$?
	[ $rc = 0 ] || diag < "$tmp/cc.err"
	return $rc
}
cc_load "$tmp/hwqload-dyn" -Wl,-rpath,"$top/build/release"
ok $? "hwqload linked against libhwqnic.so"
load=$tmp/hwqload-dyn
run dynamic 300 0 -c 1
ok $? "qplat -B on it (the probes are in libhwqnic.so.1)"
sumcheck dynamic 300 0
ok $? "histogram totals = operations through the shared library"

# Without a run path: LD_LIBRARY_PATH, else libbpf's default directories.
cc_load "$tmp/hwqload-norp"
ok $? "hwqload linked against libhwqnic.so, without a run path"
if ldconfig -p | grep -q 'libhwqnic\.so\.1 '; then
	skip "qplat -B without LD_LIBRARY_PATH: libhwqnic.so.1 is installed"
else
	(unset LD_LIBRARY_PATH; "$bin/qplat" -B "$tmp/hwqload-norp" \
		> "$tmp/norp.out" 2> "$tmp/norp.err")
	rc=$?
	[ $rc = 1 ] && grep -q 'needs libhwqnic.so.1, which is not found' \
		"$tmp/norp.err"
	ok $? "qplat -B on it, no LD_LIBRARY_PATH: exit 1, not found ($rc: $(head -c 160 "$tmp/norp.err"))"
fi
load=$tmp/hwqload-norp
LD_LIBRARY_PATH=$top/build/release run ldpath 300 0 -c 1
ok $? "qplat -B on it with LD_LIBRARY_PATH"
sumcheck ldpath 300 0
ok $? "histogram totals = operations through the library on LD_LIBRARY_PATH"

done_testing
