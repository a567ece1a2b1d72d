#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqperf's command line: every bad option exits 2 with one line on
# stderr and runs nothing; --json prints one object with the documented
# keys (docs/json.md) and echoes the run's parameters; short runs of each
# mode and op, inline and not, move data that --verify checks byte for
# byte, over a buffer large enough for a level-2 PBL. The tables are
# perftest's, column for column; -a runs every size, -D for a time, --csv
# prints a header and a row per size; a long phase is announced on a
# terminal's stderr, never on stdout. Figures are printed, never judged.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
hwqperf=${HWQPERF:-$top/build/bin/hwqperf}
. "$top/selftests/tap.sh"

command -v python3 > /dev/null || skip_all "python3 is not installed"
if [ ! -x "$hwqperf" ]; then
	ok 1 "$hwqperf is built (run make)"
	done_testing
	exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# bad WHAT ARGS...: exit 2, one line naming hwqperf, nothing on stdout
bad() {
	local what=$1 rc lines
	shift
	"$hwqperf" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	lines=$(wc -l < "$tmp/err")
	[ "$rc" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$tmp/out" ] &&
		grep -q '^hwqperf: ' "$tmp/err"
	ok $? "$what: exit 2, one line ($(head -c 100 "$tmp/err"))"
}

bad "no mode" --op send
bad "unknown mode" fly
bad "unknown option" lat --frobnicate
bad "option without its value" lat -s
bad "unknown op" lat --op recv
bad "size not a number" lat -s 8x
bad "zero iterations" lat -n 0
bad "too many QP pairs" bw -q 65
bad "cq-mod 0" bw --cq-mod 0
bad "size over buf-size" bw -s 128K --buf-size 64K
bad "zero-byte WRITE" lat -s 0
bad "inline with READ" lat --op read -I 16
bad "inline over the device's limit" lat --op send -I 513
bad "inline not a number" lat -I lots
bad "a second mode" lat bw
bad "-a with --size" bw -a -s 4K
bad "-D with --iters" bw -D 1 -n 100
bad "-D with lat" lat -D 1
bad "-D zero" bw -D 0
bad "-D not seconds" bw -D soon
bad "--json with --csv" bw --json --csv

"$hwqperf" --help > "$tmp/out" 2>&1
ok $? "--help exits 0"
grep -q -- '--inline-size' "$tmp/out" && grep -q -- '--cq-mod' "$tmp/out"
ok $? "--help lists the options"
"$hwqperf" --version | grep -q '^hwqperf .*ABI'
ok $? "--version names the ABI"

# run NAME KEYS CHECK ARGS...: one JSON object with KEYS; CHECK is a
# python expression over it (d)
run() {
	local name=$1 keys=$2 check=$3
	shift 3
	if ! "$hwqperf" "$@" --json > "$tmp/json" 2> "$tmp/err"; then
		ok 1 "$name: hwqperf $* failed: $(head -c 200 "$tmp/err")"
		return
	fi
	python3 - "$tmp/json" "$keys" "$check" <<-'EOF'
		import json, sys
		with open(sys.argv[1]) as f:
		    text = f.read()
		d = json.loads(text)
		assert text.count("\n") == 1, "one object, one line"
		for k in sys.argv[2].split():
		    assert k in d, "missing key " + k
		assert eval("(" + sys.argv[3] + ")"), "check failed: " + text
	EOF
	ok $? "$name"
}

LAT="min_us max_us typical_us avg_us stdev_us p99_us p99_9_us cacheline_rtt_us
     rtt_ratio floor_us floor_ratio messages"
# the round trip and the protocol floor: both measured, or (one CPU) neither
REFS='(d["cacheline_rtt_us"] is None) == (d["floor_us"] is None) and
      (d["floor_us"] is None or
       0 < d["floor_us"] and 0 < d["floor_ratio"] and
       abs(d["floor_ratio"] / (d["typical_us"] / d["floor_us"]) - 1) < 0.01)'

BW="peak_mib_per_s mib_per_s mpps memcpy_mib_per_s memcpy_ratio messages
    duration_s"
# the run's metadata, first, as in every tool's JSON
HEAD='list(d)[:6] == ["tool", "version", "kernel", "cpu_model", "cpus",
      "backend"] and d["tool"] == "hwqperf" and d["backend"] == "embedded"
      and d["version"] == "'"$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")"'"
      and d["cpus"] >= 1 and d["kernel"] == "'"$(uname -r)"'"'
ECHO="mode op size iters qps cq_mod inline_size buf_size verify"

run "lat send 8 B goes inline by default (236, as perftest)" "$LAT $ECHO" \
	'd["inline_size"] == 236 and d["op"] == "send" and d["size"] == 8 and
	 0 < d["min_us"] <= d["typical_us"] <= d["max_us"] and '"$REFS"' and
	 d["messages"] == 300 and '"$HEAD" \
	lat --op send -s 8 -n 300 --verify
run "lat send with -I 0: by SGE, verified" "$LAT" \
	'd["inline_size"] == 0 and d["verify"] is True' \
	lat --op send -s 8 -n 300 -I 0 --verify
run "lat write: 220 by default, verified" "$LAT" \
	'd["inline_size"] == 220 and d["op"] == "write" and '"$REFS" \
	lat --op write -s 64 -n 300 --verify
run "lat read: never inline" "$LAT" \
	'd["inline_size"] == 0 and d["p99_us"] >= d["typical_us"] and '"$REFS" \
	lat --op read -s 32 -n 300 --verify
run "bw send over 2 QP pairs, verified" "$BW $ECHO" \
	'd["qps"] == 2 and d["mib_per_s"] > 0 and d["mpps"] > 0 and
	 d["inline_size"] == 0 and d["messages"] == 4000 and
	 d["peak_mib_per_s"] >= d["mib_per_s"] and '"$HEAD" \
	bw --op send -s 1K -n 2000 -q 2 --verify
run "bw write inline (-I 64), verified" "$BW" \
	'd["inline_size"] == 64 and d["mpps"] > 0' \
	bw --op write -s 64 -n 20000 -I 64 --verify
run "bw write through an 8 MiB buffer (a level-2 PBL), verified" "$BW" \
	'd["buf_size"] == 8 << 20 and d["memcpy_ratio"] > 0' \
	bw --op write -s 4K -n 4000 --buf-size 8M --verify
run "bw read with cq-mod 10, verified" "$BW" \
	'd["cq_mod"] == 10 and d["mib_per_s"] > 0' \
	bw --op read -s 512 -n 3000 --cq-mod 10 --verify

"$hwqperf" lat --op send -s 8 -n 200 > "$tmp/out" 2>&1
grep -q 't_typical\[usec\]' "$tmp/out" &&
	grep -q 'Inline data    : up to 236 bytes' "$tmp/out" &&
	grep -q 'cache-line round trip' "$tmp/out" &&
	grep -q 'protocol floor' "$tmp/out"
ok $? "the text report: perftest's columns, the inline limit, the round trip, the floor"

# ib_write_bw's table: its head byte for byte and its REPORT_FMT row
# (" %-7lu    %-10lu       %-7.2lf            %-7.2lf\t\t   %-7.6lf"),
# so that a script splitting perftest's output by position reads ours
"$hwqperf" bw --op write -s 4K -n 2000 > "$tmp/out" 2> "$tmp/err"
python3 - "$tmp/out" <<-'EOF'
	import re, sys
	lines = open(sys.argv[1]).read().split("\n")
	head = (" #bytes     #iterations    BW peak[MB/sec]    "
	        "BW average[MB/sec]   MsgRate[Mpps]")
	i = lines.index(head)
	row = lines[i + 1]
	m = re.fullmatch(r" (\d+) +(\d+) +(\d+\.\d\d) +(\d+\.\d\d) *\t\t   "
	                 r"(\d+\.\d{6})", row)
	assert m, "row: " + repr(row)
	assert row[1:8] == "%-7d" % 4096 and row[12:22] == "%-10d" % 2000, row
	f = row.split()
	assert f[0] == "4096" and f[1] == "2000", f
	assert float(f[2]) >= float(f[3]) > 0 and float(f[4]) > 0, f
	assert lines[i + 2].startswith("-----"), lines[i + 2]
EOF
ok $? "bw text: ib_write_bw's head and row format, peak >= average"

# -a: every power of two up to --buf-size, a row each, in JSON and text
run "bw -a: a results row per size, 2 to --buf-size" "" \
	'[r["size"] for r in d["results"]] == [2 << i for i in range(11)]
	 and all(r["messages"] == 50 and r["mib_per_s"] > 0 and
	         r["peak_mib_per_s"] >= r["mib_per_s"] and
	         r["memcpy_mib_per_s"] > 0 and r["buf_size"] == 2048
	         for r in d["results"]) and
	 "size" not in d and '"$HEAD" \
	bw -a --buf-size 2K -n 50
"$hwqperf" bw -a --buf-size 1K -n 50 > "$tmp/out" 2> "$tmp/err"
[ "$(grep -cE '^ [0-9]+ +50 +[0-9.]+ +[0-9.]+ *'$'\t\t''   [0-9.]+$' \
	"$tmp/out")" = 10 ] && grep -q 'Message size   : 2 to 1024 bytes' \
	"$tmp/out"
ok $? "bw -a text: one row per size under one head"
"$hwqperf" lat -a --buf-size 8 -n 20 --op send > "$tmp/out" 2> "$tmp/err"
[ "$(grep -cE '^ +[248] +20 ' "$tmp/out")" = 3 ]
ok $? "lat -a text: one row per size"

# -D: a duration instead of a count; every message sent is counted
run "bw -D 0.2 write: iters null, messages and duration measured" "$BW" \
	'd["iters"] is None and d["messages"] > 0 and
	 d["duration_s"] >= 0.2 and d["messages"] % 7 == 0' \
	bw --op write -s 1K -D 0.2 --cq-mod 7 --verify
run "bw -D 0.2 send over 3 QP pairs, verified" "$BW" \
	'd["iters"] is None and d["messages"] > 0 and d["messages"] % 3 == 0' \
	bw --op send -s 256 -D 0.2 -q 3 --verify

# --csv: the head (the JSON keys) and a row per size, nothing else
"$hwqperf" bw -a --buf-size 64 -n 30 --csv > "$tmp/out" 2> "$tmp/err"
python3 - "$tmp/out" <<-'EOF'
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1])))
	assert rows[0] == ["size", "messages", "peak_mib_per_s", "mib_per_s",
	                   "mpps", "memcpy_mib_per_s"], rows[0]
	assert [int(r[0]) for r in rows[1:]] == [2, 4, 8, 16, 32, 64], rows
	# mpps, not MiB/s: 30 messages of 2 B that meet a sleeping engine
	# (~10 ms) make 0.005 MiB/s, which two decimals print as 0.00.
	assert all(int(r[1]) == 30 and float(r[4]) > 0 for r in rows[1:])
EOF
ok $? "bw --csv: the head and a row per size"
"$hwqperf" lat -s 16 -n 50 --csv > "$tmp/out" 2> "$tmp/err"
python3 - "$tmp/out" <<-'EOF'
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1])))
	assert len(rows) == 2 and rows[0][:3] == ["size", "messages", "min_us"]
	assert rows[1][:2] == ["16", "50"] and len(rows[1]) == len(rows[0])
EOF
ok $? "lat --csv: the head and one row"

# A long phase (faulting in 2 x 128 MiB here) is announced on stderr when
# it is a terminal, never on stdout; with stderr a file, nothing is said.
"$top/selftests/tools/ptyrun.py" "$tmp/out" "$hwqperf" bw -s 1M -n 256 \
	--buf-size 128M --json > "$tmp/err" &&
	[ "$(wc -l < "$tmp/err")" = 1 ] &&
	grep -q "^hwqperf: faulting in " "$tmp/err" &&
	grep -q '^{"tool": "hwqperf"' "$tmp/out" && ! grep -q faulting "$tmp/out"
ok $? "a long phase: one note on a terminal's stderr, none on stdout"
"$hwqperf" bw -s 1M -n 256 --buf-size 128M --json > "$tmp/out" 2> "$tmp/err"
[ ! -s "$tmp/err" ] && ! grep -q faulting "$tmp/out"
ok $? "a long phase: no note when stderr is not a terminal"

done_testing
