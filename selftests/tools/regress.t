#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqregress: the statistics on synthetic result files made here with a
# seeded random (an A/A pair is no regression, exit 0; a 30% slower write
# rate is a regression, exit 1; each 10 times with other seeds; a few
# noisy runs are inconclusive, exit 3), every output format, bad and
# mismatched files (exit 2, one line), and one short real run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
regress=$top/build/bin/hwqregress
. "$top/selftests/tap.sh"

command -v python3 > /dev/null || skip_all "python3 is not installed"
if [ ! -x "$regress" ] || [ ! -x "$top/build/bin/hwqperf" ]; then
	ok 1 "$regress and hwqperf are built (run make)"
	done_testing
	exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")

# synth OUT SEED N SHIFT CV [KEY=VALUE...]: a result file of N runs of a
# latency and a write-rate measurement; SHIFT scales the write rate (0.7
# is 30% slower), latencies by its inverse; CV is the runs' spread. Each
# KEY=VALUE sets (or appends at a list's end) a JSON value at a dotted path.
synth() {
	python3 - "$@" <<-'EOF'
	import json, random, sys
	out, seed, n, shift, cv = sys.argv[1], int(sys.argv[2]), \
	    int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
	rnd = random.Random(seed)
	def noisy(v):
	    return v * rnd.lognormvariate(0, cv)
	lat, bw = [], []
	for _ in range(n):
	    rtt = noisy(0.08)
	    lat.append({"tool": "hwqperf", "typical_us": rtt * 3 / shift,
	                "p99_us": rtt * 4 / shift, "cacheline_rtt_us": rtt,
	                "rtt_ratio": 3 / shift * noisy(1)})
	    bw.append({"tool": "hwqperf", "mpps": noisy(28 * shift),
	               "memcpy_ratio": noisy(0.034 * shift)})
	d = {"tool": "hwqregress", "version": "0", "format": 1,
	     "suite": "synthetic", "git_revision": "0" * 40,
	     "fingerprint": {"cpu_model": "AMD EPYC", "cpus": 2,
	                     "kernel": "6.1", "build_flags": "-O2"},
	     "pinned_cpus": "0-1", "load_before": [0, 0, 0],
	     "load_after": [0, 0, 0], "started": 0, "measurements": [
	    {"name": "lat_send_8", "cmd": ["hwqperf", "lat"], "runs": lat,
	     "metrics": [{"key": "rtt_ratio", "better": "lower",
	                  "threshold_pct": 5},
	                 {"key": "p99_us/cacheline_rtt_us", "better": "lower",
	                  "threshold_pct": 10}]},
	    {"name": "bw_write_64", "cmd": ["hwqperf", "bw"], "runs": bw,
	     "metrics": [{"key": "memcpy_ratio", "better": "higher",
	                  "threshold_pct": 5},
	                 {"key": "mpps", "better": "higher",
	                  "threshold_pct": 5}]}]}
	for kv in sys.argv[6:]:
	    path, value = kv.split("=", 1)
	    obj, keys = d, path.split(".")
	    for k in keys[:-1]:
	        obj = obj[int(k)] if isinstance(obj, list) else obj[k]
	    last = keys[-1]
	    if isinstance(obj, list):
	        last = int(last)
	    if value == "DELETE":
	        del obj[last]
	    elif isinstance(obj, list) and last == len(obj):
	        obj.append(json.loads(value))
	    else:
	        obj[last] = json.loads(value)
	json.dump(d, open(out, "w"))
	EOF
}

# verdicts FILE: the verdicts of compare --json, one line
verdicts() {
	python3 -c 'import json, sys
print(" ".join(json.loads(l)["verdict"] for l in open(sys.argv[1])))' "$1"
}

"$regress" --version > "$tmp/out" 2>&1
[ $? = 0 ] && grep -qx "hwqregress $version (hwqnic ABI [0-9]*)" "$tmp/out"
ok $? "--version: $(cat "$tmp/out")"
"$regress" --help > "$tmp/out" 2>&1 && grep -q "^Exit status: 0 no regression" \
	"$tmp/out"
ok $? "--help names the exit codes"
"$regress" run -n 0 > "$tmp/out" 2> "$tmp/err"
[ $? = 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l < "$tmp/err")" = 1 ]
ok $? "run -n 0: one line, exit 2 ($(cat "$tmp/err"))"
"$regress" frobnicate > "$tmp/out" 2> "$tmp/err"
[ $? = 2 ] && [ "$(wc -l < "$tmp/err")" = 1 ]
ok $? "an unknown command: one line, exit 2"

# The man page formats cleanly and lists every option --help does.
if command -v groff > /dev/null; then
	w=$(groff -ww -man -Tutf8 "$top/docs/man/hwqregress.1" 2>&1 > /dev/null)
	missing=
	for o in $( ("$regress" --help; "$regress" run --help
		"$regress" compare --help) | grep -o -- '--[a-z-]*' | sort -u); do
		grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" \
			"$top/docs/man/hwqregress.1" || missing="$missing $o"
	done
	[ -z "$w" ] && [ -z "$missing" ]
	ok $? "hwqregress.1: no groff warning, every option (missing:$missing)"
else
	n=$((n + 1))
	echo "ok $n # SKIP groff is not installed (make deps installs groff-base)"
fi

# The bash completion: commands, each command's options from its --help,
# a FILE or DIR argument, revisions for ab and bisect.
comp() {	# comp WORD...: what completing the last word offers
	(cd "$tmp" && PATH=$top/build/bin:$PATH bash -c '. "$1"; shift
		COMP_WORDS=(hwqregress "$@"); COMP_CWORD=$#; _hwqregress
		echo "${COMPREPLY[*]}"' comp "$top/contrib/bash-completion/hwqnic" "$@")
}
mkdir "$tmp/cdir"
: > "$tmp/cfile.json"
git -C "$tmp" init -q -b trunk 2> /dev/null
[ "$(comp '')" = "run compare ab bisect" ] && [ "$(comp ab --sv)" = --svg ] &&
	[ "$(comp bisect --repe)" = --repeats ] &&
	[ "$(comp compare --al)" = --allow-mismatch ] &&
	[ "$(comp run --suite "$tmp/cf")" = "$tmp/cfile.json" ] &&
	[ "$(comp ab --builds "$tmp/cd")" = "$tmp/cdir" ] &&
	[ "$(comp ab -C "$tmp/cd")" = "$tmp/cdir" ] &&
	[ "$(comp bisect '')" = "HEAD" ] && [ "$(comp ab c)" = "cdir" ] &&
	[ "$(comp --vers)" = --version ]
ok $? "bash completion: commands, options, FILE and DIR arguments, revisions"
rm -rf "$tmp/.git" "$tmp/cdir" "$tmp/cfile.json"

# A/A: ten pairs of the same distribution, none may be called a regression.
aa=""
aa_ok=0
for seed in $(seq 1 10); do
	synth "$tmp/a.json" "$seed" 15 1 0.03
	synth "$tmp/b.json" $((seed + 1000)) 15 1 0.03
	"$regress" compare --json "$tmp/a.json" "$tmp/b.json" > "$tmp/v" \
		2> "$tmp/err"
	rc=$?
	v=$(verdicts "$tmp/v")
	aa="$aa seed $seed: exit $rc ($v);"
	[ $rc = 0 ] && [ "$v" = "no change no change no change no change" ] &&
		aa_ok=$((aa_ok + 1))
done
[ $aa_ok = 10 ]
ok $? "A/A: $aa_ok/10 exit 0, every metric no change"
echo "$aa" | tr ';' '\n' | diag

# 30% slower writes: every pair is a regression of both write metrics.
slow=""
slow_ok=0
for seed in $(seq 1 10); do
	synth "$tmp/a.json" "$seed" 15 1 0.03
	synth "$tmp/b.json" $((seed + 2000)) 15 1 0.03 \
		'measurements.1.runs='"$(python3 -c 'import json, random
r = random.Random('"$seed"')
print(json.dumps([{"mpps": 28 * 0.7 * r.lognormvariate(0, 0.03),
                   "memcpy_ratio": 0.034 * 0.7 * r.lognormvariate(0, 0.03)}
                  for _ in range(15)]))')"
	"$regress" compare --json "$tmp/a.json" "$tmp/b.json" > "$tmp/v" \
		2> "$tmp/err"
	rc=$?
	v=$(verdicts "$tmp/v")
	slow="$slow seed $seed: exit $rc ($v);"
	[ $rc = 1 ] && [ "$v" = "no change no change regressed regressed" ] &&
		slow_ok=$((slow_ok + 1))
done
[ $slow_ok = 10 ]
ok $? "30% slower writes: $slow_ok/10 exit 1, both write metrics regressed"
echo "$slow" | tr ';' '\n' | diag

# The last pair in every format.
"$regress" compare "$tmp/a.json" "$tmp/b.json" > "$tmp/table" 2> "$tmp/err"
[ $? = 1 ] && grep -q "^bw_write_64 .*memcpy_ratio (higher) .* -[23][0-9]\.[0-9]% .* regressed$" \
	"$tmp/table" && grep -q "^lat_send_8 .*rtt_ratio (lower) .* ~$" \
	"$tmp/table" && grep -q "Holm-corrected over 4 metrics" "$tmp/table"
ok $? "the table: a regressed row and ~ rows, exit 1"
diag < "$tmp/table"
"$regress" compare --json "$tmp/a.json" "$tmp/b.json" > "$tmp/v" 2>&1
python3 - "$tmp/v" <<-'EOF'
	import json, sys
	rows = [json.loads(l) for l in open(sys.argv[1])]
	assert len(rows) == 4
	for r in rows:
	    for k in ("measurement", "metric", "unit", "better", "base", "new",
	              "delta_pct", "p", "p_holm", "threshold_pct", "noise_pct",
	              "verdict"):
	        assert k in r, k
	    for side in ("base", "new"):
	        s = r[side]
	        assert s["n"] == 15 and len(s["values"]) == 15
	        assert s["ci_low"] <= s["median"] <= s["ci_high"]
	        assert s["ci_level"] >= 0.95
	    assert r["p"] <= r["p_holm"] <= 1
	w = rows[2]
	assert w["metric"] == "memcpy_ratio" and w["better"] == "higher"
	assert -35 < w["delta_pct"] < -25 and w["p_holm"] < 0.001
EOF
ok $? "--json: one record per metric with both sides, CI, delta, p, verdict"
"$regress" compare --tap --junit "$tmp/j.xml" "$tmp/a.json" "$tmp/b.json" \
	> "$tmp/v" 2>&1
[ $? = 1 ] && [ "$(head -1 "$tmp/v")" = "1..4" ] &&
	[ "$(grep -c '^ok [0-9]* - ' "$tmp/v")" = 2 ] &&
	[ "$(grep -c '^not ok [0-9]* - bw_write_64 .*: regressed' "$tmp/v")" = 2 ] &&
	python3 - "$tmp/j.xml" <<-'EOF'
	import sys, xml.etree.ElementTree as ET
	s = ET.parse(sys.argv[1]).getroot()
	assert s.tag == "testsuite" and s.get("tests") == "4"
	assert s.get("failures") == "2"
	assert len(s.findall("testcase/failure")) == 2
EOF
ok $? "--tap and --junit: two failures of four"

# --svg: the same pair drawn; valid XML, both series in every metric's
# panel, medians, CIs, axis labels and a title naming both files.
"$regress" compare --svg "$tmp/p.svg" "$tmp/a.json" "$tmp/b.json" \
	> /dev/null 2>&1
rc=$?
python3 - "$tmp/p.svg" "$tmp/a.json" "$tmp/b.json" <<-'EOF'
	import sys, xml.etree.ElementTree as ET
	ns = {"s": "http://www.w3.org/2000/svg"}
	root = ET.parse(sys.argv[1]).getroot()
	assert root.tag == "{http://www.w3.org/2000/svg}svg"
	panels = root.findall("s:g[@class='panel']", ns)
	assert len(panels) == 4, len(panels)
	for g in panels:
	    for side in ("base", "new"):
	        (line,) = g.findall("s:polyline[@class='series %s']" % side, ns)
	        pts = line.get("points").split()
	        assert len(pts) == 2 * 15, len(pts)     # a step per run
	        assert any(t.text.startswith(side + " median")
	                   for t in g.iter("{http://www.w3.org/2000/svg}title"))
	        assert any((t.text or "").startswith(side + ": 95% CI")
	                   for t in g.iter("{http://www.w3.org/2000/svg}title"))
	    texts = [t.text or "" for t in g.iter("{http://www.w3.org/2000/svg}text")]
	    assert "cumulative fraction" in texts
	    assert any(t.endswith("one point per run") and "(" in t for t in texts)
	title = root.find("s:text", ns).text
	assert sys.argv[2] in title and sys.argv[3] in title, title
	assert "regressed" in "".join(
	    t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
EOF
[ $? = 0 ] && [ $rc = 1 ]
ok $? "--svg: XML, per metric both series, medians, CIs, labels, title (exit $rc)"

# A traced measurement: its tracer's histograms drawn as CDFs on a log
# scale, from qplat's log-linear buckets where the results have them (the
# base's), else from the log2 ones; skipped on one side, it is no verdict
# and no part of the exit.
traced() {	# traced FILE SEED SCALE [KEY=VALUE...]
	local out=$1 seed=$2 scale=$3
	shift 3
	synth "$out" "$seed" 9 1 0.03 "measurements.2=$(python3 -c '
import json, random, sys
r, k = random.Random(int(sys.argv[1])), float(sys.argv[2])
def hist():
    h = {"latency": "e2e", "p50_us": 2 * k * r.lognormvariate(0, 0.05),
         "hist": [{"lo_us": 2.0 ** i / 2, "hi_us": 2.0 ** i,
                   "count": c} for i, c in ((1, 10), (2, 300), (3, 40))]}
    if k == 1:
        h["buckets"] = [{"bucket": 0, "lo_ns": lo, "hi_ns": lo + 64,
                         "count": 70} for lo in range(1024, 1344, 64)]
    return h
print(json.dumps({"name": "qplat_cost", "cmd": ["hwqperf", "bw"],
    "traced_by": {"cmd": ["qplat", "-B", "{cmd}", "--json"],
                  "ready": "Tracing"},
    "metrics": [{"key": "traced.mpps/untraced.mpps", "better": "higher",
                 "threshold_pct": 10}],
    "runs": [{"untraced": {"mpps": 10.0}, "traced": {"mpps": 0.4 / k},
              "tracer": {"qps": [hist()]}} for _ in range(9)]}))' \
		"$seed" "$scale")" "$@"
}
traced "$tmp/ta.json" 1 1
traced "$tmp/tb.json" 2 1.5
"$regress" compare --json --svg "$tmp/t.svg" "$tmp/ta.json" "$tmp/tb.json" \
	> "$tmp/v" 2> "$tmp/err"
rc=$?
v=$(verdicts "$tmp/v")
python3 - "$tmp/t.svg" <<-'EOF'
	import sys, xml.etree.ElementTree as ET
	S = "{http://www.w3.org/2000/svg}"
	root = ET.parse(sys.argv[1]).getroot()
	panels = [g for g in root.iter(S + "g") if g.get("class") == "panel"]
	assert len(panels) == 6, len(panels)
	h = panels[-1]
	assert "qplat_cost: e2e latency" in h.find(S + "text").text
	assert "latency (us, log scale); medians: the runs' p50" in [
	    t.text for t in h.iter(S + "text")]
	for side, n in (("base", 5), ("new", 3)):
	    (line,) = [p for p in h.iter(S + "polyline")
	               if p.get("class") == "series " + side]
	    assert len(line.get("points").split()) == 2 * n, side
EOF
[ $? = 0 ] && [ $rc = 1 ] &&
	[ "$v" = "no change no change no change no change regressed" ]
ok $? "a traced measurement: judged, its histograms drawn ($rc: $v)"
traced "$tmp/tb.json" 2 1.5 'measurements.2.runs=[]' \
	'measurements.2.skipped="its tracer needs root (BPF)"'
"$regress" compare --tap --junit "$tmp/j.xml" --svg "$tmp/t.svg" \
	"$tmp/ta.json" "$tmp/tb.json" > "$tmp/v" 2> "$tmp/err"
rc=$?
[ $rc = 0 ] && grep -qx "ok 5 - qplat_cost traced.mpps/untraced.mpps # SKIP its tracer needs root (BPF)" \
	"$tmp/v" && grep -q 'skipped="1"' "$tmp/j.xml" &&
	python3 -c 'import sys, xml.etree.ElementTree as ET
ET.parse(sys.argv[1])' "$tmp/t.svg"
ok $? "skipped on one side: TAP SKIP, JUnit skipped, exit 0 ($rc)"
"$regress" compare "$tmp/ta.json" "$tmp/tb.json" > "$tmp/v" 2>&1
grep -q "^qplat_cost .* skipped: its tracer needs root (BPF)$" "$tmp/v" &&
	grep -q "Holm-corrected over 4 metrics" "$tmp/v"
ok $? "skipped in the table with its reason, no part of the correction"

# 3% slower with little noise: significant, but within every threshold.
synth "$tmp/a.json" 1 15 1 0.003
synth "$tmp/b.json" 2 15 0.97 0.003
"$regress" compare --json "$tmp/a.json" "$tmp/b.json" > "$tmp/v" 2> "$tmp/err"
rc=$?
v=$(verdicts "$tmp/v")
python3 -c 'import json, sys
assert all(json.loads(l)["p_holm"] < 0.01 for l in open(sys.argv[1]))' \
	"$tmp/v" && [ $rc = 0 ] &&
	[ "$v" = "no change no change no change no change" ]
ok $? "3% slower, significant, below the thresholds: no change, exit 0 ($v)"

# 30% slower writes whose runs drift from 10% to 50% slower: significant
# and beyond the threshold, but no further than the new side's A/A split.
drift=$(python3 -c 'import json
print(json.dumps([{"mpps": 28 * (0.9 - 0.4 * (i >= 8)),
                   "memcpy_ratio": 0.034 * (0.9 - 0.4 * (i >= 8))}
                  for i in range(16)]))')
synth "$tmp/b.json" 2 15 1 0.03 "measurements.1.runs=$drift"
"$regress" compare --json "$tmp/a.json" "$tmp/b.json" > "$tmp/v" 2> "$tmp/err"
rc=$?
v=$(verdicts "$tmp/v")
[ $rc = 3 ] && [ "$v" = "no change no change inconclusive inconclusive" ]
ok $? "a drifting new side: inconclusive within its own noise, exit 3 ($v)"

# A base median of zero: the change is null in JSON, never Infinity.
zero=$(python3 -c 'import json
print(json.dumps([{"mpps": 0, "memcpy_ratio": 0.034} for i in range(15)]))')
synth "$tmp/z.json" 3 15 1 0.03 "measurements.1.runs=$zero"
"$regress" compare --json "$tmp/z.json" "$tmp/a.json" > "$tmp/v" 2> "$tmp/err"
rc=$?
python3 - "$tmp/v" <<-'EOF'
	import json, sys
	rows = [json.loads(l, parse_constant=lambda c: 1 / 0)
	        for l in open(sys.argv[1])]
	assert [r["unit"] for r in rows] == ["ratio", "ratio", "ratio", "Mpps"]
	assert rows[3]["delta_pct"] is None and rows[3]["base"]["median"] == 0
	assert rows[3]["verdict"] == "improved"
EOF
[ $? = 0 ] && [ $rc = 0 ]
ok $? "a zero base median: valid JSON, the change null, units named (exit $rc)"

# Three noisy runs a side cannot tell 40%: inconclusive, with an estimate.
synth "$tmp/a.json" 7 3 1 0.1
synth "$tmp/b.json" 8 3 0.6 0.1
"$regress" compare "$tmp/a.json" "$tmp/b.json" > "$tmp/table" 2> "$tmp/err"
rc=$?
[ $rc = 3 ] && [ "$(grep -c 'inconclusive (about [0-9]* more runs)$' \
	"$tmp/table")" = 4 ]
ok $? "3 noisy runs a side: inconclusive, more runs named, exit 3 (got $rc)"
diag < "$tmp/table"

# Five runs a side, 15% slower with a 10% spread: the runs an inconclusive
# metric names are enough, four times in five, to decide it when taken
# (the same seeds, so the first five runs stay).
rows() {	# rows FILE: "VERDICT MORE_RUNS" per metric
	python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["verdict"].replace(" ", "_"), r["more_runs"] or 0)' "$1"
}
est=""
asked=0
decided=0
for seed in $(seq 1 20); do
	synth "$tmp/a.json" "$seed" 5 1 0.1
	synth "$tmp/b.json" $((seed + 500)) 5 0.85 0.1
	"$regress" compare --json "$tmp/a.json" "$tmp/b.json" > "$tmp/v" \
		2> "$tmp/err"
	rows "$tmp/v" > "$tmp/rows5"
	more=$(awk '$1 == "inconclusive" && $2 > m { m = $2 } END { print m + 0 }' \
		"$tmp/rows5")
	[ "$more" = 0 ] && continue
	synth "$tmp/a.json" "$seed" $((5 + more)) 1 0.1
	synth "$tmp/b.json" $((seed + 500)) $((5 + more)) 0.85 0.1
	"$regress" compare --json "$tmp/a.json" "$tmp/b.json" > "$tmp/v" \
		2> "$tmp/err"
	rows "$tmp/v" > "$tmp/rowsn"
	# the metrics inconclusive at 5 runs that more_runs of their own decide
	set -- $(paste -d ' ' "$tmp/rows5" "$tmp/rowsn" | awk -v m="$more" '
		$1 == "inconclusive" && $2 == m { a++; if ($3 != "inconclusive") d++ }
		END { print a + 0, d + 0 }')
	asked=$((asked + $1))
	decided=$((decided + $2))
	est="$est seed $seed: $more more, $2 of $1 decided;"
done
[ $asked -ge 5 ] && [ $((decided * 5)) -ge $((asked * 4)) ]
ok $? "n=5: the runs named decide $decided of $asked inconclusive metrics"
echo "$est" | tr ';' '\n' | diag

# Bad files: exit 2, one line, nothing on stdout, nothing written.
synth "$tmp/good.json" 1 5 1 0.03
bad() {	# bad DESCRIPTION PATTERN FILE: compare good.json with FILE
	local rc
	timeout 20 "$regress" compare --junit "$tmp/never.xml" \
		"$tmp/good.json" "$3" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ $rc = 2 ] && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/never.xml" ] &&
		[ "$(wc -l < "$tmp/err")" = 1 ] && grep -q "$2" "$tmp/err"
	ok $? "$1: exit 2 ($rc): $(cat "$tmp/err")"
}
bad "a missing file" "No such file" "$tmp/none.json"
mkfifo "$tmp/fifo"
bad "a FIFO" "not a regular file" "$tmp/fifo"
bad "a directory" "Is a directory" "$tmp"
head -c 200 "$tmp/good.json" > "$tmp/cut.json"
bad "a truncated file" "not a hwqregress result file: " "$tmp/cut.json"
echo '[1, 2]' > "$tmp/list.json"
bad "a JSON list" "not a hwqregress result file$" "$tmp/list.json"
synth "$tmp/x.json" 1 5 1 0.03 'format=2'
bad "another format" "result format 2" "$tmp/x.json"
synth "$tmp/x.json" 1 5 1 0.03 'measurements.0.runs=[]'
bad "no runs" "lat_send_8 has no runs" "$tmp/x.json"
synth "$tmp/x.json" 1 5 1 0.03 'measurements.1.runs.3.mpps="fast"'
bad "a string for a number" "bw_write_64 run 4 has no number for mpps" \
	"$tmp/x.json"
synth "$tmp/x.json" 1 5 1 0.03 'measurements.0.runs.0.cacheline_rtt_us=0'
bad "a ratio over zero" "run 1 has no number for p99_us/cacheline_rtt_us" \
	"$tmp/x.json"
synth "$tmp/x.json" 1 5 1 0.03 'measurements.0.metrics.0.better="up"'
bad "a bad direction" "better\" must be higher or lower" "$tmp/x.json"
synth "$tmp/x.json" 1 5 1 0.03 'measurements.1.name="lat_send_8"'
bad "a name twice" "name lat_send_8 used twice" "$tmp/x.json"
synth "$tmp/x.json" 1 5 1 0.03 'measurements.1.metrics.1=DELETE'
bad "a metric missing" "measure different metrics (bw_write_64/mpps" \
	"$tmp/x.json"
synth "$tmp/x.json" 1 5 1 0.03 'measurements.1.cmd=["hwqperf", "lat"]'
bad "another command" "bw_write_64: the files ran different commands" \
	"$tmp/x.json"
synth "$tmp/x.json" 1 5 1 0.03 'measurements.1.metrics.0.threshold_pct=50'
bad "another threshold" "the files' suites judge it differently" \
	"$tmp/x.json"
synth "$tmp/x.json" 1 5 1 0.03 'fingerprint.cpus=64'
bad "another machine" "measured on different machines: cpus differs" \
	"$tmp/x.json"
"$regress" compare --allow-mismatch "$tmp/good.json" "$tmp/x.json" \
	> "$tmp/out" 2>&1
[ $? = 0 ] && grep -q "^note: cpus differs: 2 and 64$" "$tmp/out"
ok $? "--allow-mismatch: another machine compared, with a note"
echo '{"name": "s", "measurements": [{"name": "m", "cmd": "hwqperf"}]}' \
	> "$tmp/suite.json"
"$regress" run --suite "$tmp/suite.json" -n 1 > "$tmp/out" 2> "$tmp/err"
[ $? = 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
	grep -q 'measurement 1: "cmd" must be a list' "$tmp/err"
ok $? "a bad suite: one line, exit 2 ($(cat "$tmp/err"))"

# One short real run of a one-measurement suite, then the file against
# itself.
cat > "$tmp/suite.json" <<-'EOF'
	{"name": "quick", "measurements": [
	 {"name": "lat_send_8",
	  "cmd": ["hwqperf", "lat", "--op", "send", "-s", "8", "-n", "2000"],
	  "metrics": [{"key": "rtt_ratio", "better": "lower", "threshold_pct": 5},
	              {"key": "p99_us/cacheline_rtt_us", "better": "lower",
	               "threshold_pct": 10}]}]}
EOF
timeout 300 "$regress" run --suite "$tmp/suite.json" -n 3 -q \
	-o "$tmp/run.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
python3 - "$tmp/run.json" "$version" "$(uname -r)" \
	"$(git -C "$top" rev-parse HEAD 2> /dev/null)" <<-'EOF'
	import json, os, sys
	d = json.load(open(sys.argv[1]))
	assert d["tool"] == "hwqregress" and d["version"] == sys.argv[2]
	assert d["format"] == 1 and d["suite"] == "quick"
	fp = d["fingerprint"]
	assert fp["kernel"] == sys.argv[3] and fp["cpus"] == os.cpu_count()
	assert fp["cpu_model"] and fp["build_flags"]
	if sys.argv[4]:
	    assert d["git_revision"].startswith(sys.argv[4]), d["git_revision"]
	assert len(d["load_before"]) == 3 and len(d["load_after"]) == 3
	(m,) = d["measurements"]
	assert m["warmup"]["tool"] == "hwqperf"
	assert len(m["runs"]) == 3 and len(m["binary_sha256"]) == 64
	for r in m["runs"]:
	    assert r["mode"] == "lat" and r["op"] == "send" and r["size"] == 8
	    assert r["messages"] == 2000 and r["rtt_ratio"] > 0
EOF
ok $? "run -n 3: every run's JSON, fingerprint, revision and load (exit $rc)"
[ $rc = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]
ok $? "run -q -o: nothing on stdout or stderr"
"$regress" compare "$tmp/run.json" "$tmp/run.json" > "$tmp/out" 2>&1
[ $? = 0 ] && [ "$(grep -c ' +0\.0% .* ~$' "$tmp/out")" = 2 ]
ok $? "a run against itself: no change, exit 0"

done_testing
