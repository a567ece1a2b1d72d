#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# qplat's views over exactly one RDMA WRITE: the summary table's quantiles
# are that one latency (never above it), every line fits 80 columns with
# or without -H, the JSON keys are docs/json.md's, --svg writes
# well-formed XML with one CDF per histogram and follows no link; --pin
# refuses a directory outside bpffs or with a dot in its name before
# creating anything; -b is not qplat's (nictop's batch mode), -B is.
. "$(dirname "$0")/lib.sh"
need_bpf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

one_write() {	# one_write NAME QPLAT-ARGS...: qplat over one 64 B WRITE
	local name=$1 rc
	shift
	# -c 1: exact, that one WRITE is the one sample
	qplat_start "$tmp/$name.out" "$tmp/$name.err" -B "$bin/hwqload" -c 1 "$@" ||
		{ diag < "$tmp/$name.err"; return 1; }
	"$bin/hwqload" -q 1 -n 1 --ops write --sizes 64 > /dev/null
	rc=$?
	qplat_stop
	[ $rc = 0 ] && [ $? = 0 ]
}

one_write json --json --svg "$tmp/lat.svg"
ok $? "qplat -B hwqload --json --svg over one WRITE"
python3 - "$tmp/json.out" "$top/docs/json.md" <<'PY' 2>&1 | diag
import json, re, sys
objs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
doc = open(sys.argv[2]).read()
known = set(re.findall(r"^\| `([a-z0-9_]+)` \|", doc, re.M))
o = objs[-1]
assert list(o)[:2] == ["tool", "version"] and o["tool"] == "qplat", list(o)
def keys(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from keys(x)
    elif isinstance(v, list):
        for x in v:
            yield from keys(x)
bad = sorted(set(keys(o)) - known)
assert not bad, "keys not in docs/json.md: %s" % bad
qps = [q for q in o["qps"] if q["op"] == "write"]
assert len(qps) == 3, qps
for q in qps:
    assert q["count"] == 1, q
    assert isinstance(q["dev"], str) and q["dev"].startswith("hwqnic-emb"), q
    assert q["dev"] == "hwqnic-emb%d" % q["dev_index"], q
    v = q["min_us"]
    assert v == q["max_us"], q
    for k in ("p50_us", "p99_us", "p99_9_us", "avg_us"):
        assert abs(q[k] - v) <= 0.001, (k, q)
c = o["counters"][0]
assert "errors" in c and "err_cqes" not in c and c["errors"] == 0, c
print("OK")
PY
[ "${PIPESTATUS[0]}" = 0 ]
ok $? "one sample: count 1, p50 = p99 = p99.9 = min = max; keys of docs/json.md"

python3 - "$tmp/json.out" "$tmp/lat.svg" <<'PY' 2>&1 | diag
import json, sys, xml.etree.ElementTree as ET
o = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[2]).getroot()
assert root.tag == ns + "svg", root.tag
got = sorted((g.get("data-qpn"), g.get("data-op"), g.get("data-latency"))
             for g in root.iter(ns + "g") if g.get("class") == "cdf")
want = sorted((str(q["qpn"]), q["op"], q["latency"]) for q in o["qps"])
assert got == want, (got, want)
lines = [g.find(ns + "polyline") for g in root.iter(ns + "g")
         if g.get("class") == "cdf"]
assert all(l is not None and len(l.get("points").split()) >= 2
           for l in lines), "a series without points"
print("OK")
PY
[ "${PIPESTATUS[0]}" = 0 ]
ok $? "--svg: well-formed XML, one CDF per QP, opcode and latency"

one_write text -H
ok $? "qplat -B hwqload -H over one WRITE"
awk 'length($0) > 80 { print "too wide (" length($0) "): " $0; bad = 1 }
     END { exit bad }' "$tmp/text.out" | diag
[ "${PIPESTATUS[0]}" = 0 ]
ok $? "every line of the summary, histograms and counters fits 80 columns"
diag < "$tmp/text.out"
# PID DEV QPN OP LAT COUNT AVG P50 P99 P99.9 MAX
awk '$4 == "write" { n++; if ($6 != 1 || $8 != $9 || $9 != $10 ||
	$10 != $11) bad = 1 } END { exit bad || n != 3 }' "$tmp/text.out"
ok $? "summary rows of the WRITE: count 1, P50 = P99 = P99.9 = MAX"
grep -Eq '^ +[0-9]+ -> [0-9]+ +(ns|us|ms|s) : 1 ' "$tmp/text.out"
ok $? "-H buckets labelled in whole units ('4 -> 8 us')"

# --svg onto a planted symbolic link: refused before tracing, not followed
ln -s "$tmp/victim" "$tmp/link.svg"
"$bin/qplat" -B "$bin/hwqload" --svg "$tmp/link.svg" > /dev/null 2> "$tmp/svg.err"
rc=$?
[ $rc = 1 ] && [ ! -e "$tmp/victim" ] && ! grep -q Tracing "$tmp/svg.err" &&
	grep -q 'symbolic link' "$tmp/svg.err"
ok $? "--svg onto a symbolic link: exit 1, not followed ($rc: $(head -c 120 "$tmp/svg.err"))"

# --pin outside bpffs: refused, nothing made
rm -rf "$tmp/pin"
"$bin/qplat" -B "$bin/hwqload" --pin "$tmp/pin/x" > /dev/null 2> "$tmp/pin.err"
rc=$?
[ $rc = 1 ] && [ ! -e "$tmp/pin" ] &&
	grep -q 'not on a BPF filesystem' "$tmp/pin.err"
ok $? "--pin outside bpffs: exit 1, said, nothing created ($rc: $(head -c 120 "$tmp/pin.err"))"

dot=/sys/fs/bpf/hwqnic-test-$$.d
"$bin/qplat" -B "$bin/hwqload" --pin "$dot/x" > /dev/null 2> "$tmp/dot.err"
rc=$?
# (ls: bpffs refuses even to look a dotted name up)
[ $rc = 1 ] && ! ls /sys/fs/bpf | grep -q "hwqnic-test-$$" &&
	grep -q 'refuses names with a dot' "$tmp/dot.err"
ok $? "--pin with a dot: exit 1, said, nothing created ($rc: $(head -c 120 "$tmp/dot.err"))"

"$bin/qplat" -b "$bin/hwqload" > /dev/null 2> "$tmp/b.err"
rc=$?
[ $rc = 2 ]
ok $? "-b is not qplat's: exit 2 ($rc: $(head -c 80 "$tmp/b.err"))"

done_testing
