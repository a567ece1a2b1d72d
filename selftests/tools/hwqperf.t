#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqperf's command line: every bad option exits 2 with one line on
# stderr and runs nothing; --json prints one object with the documented
# keys and echoes the run's parameters; short runs of each mode and op,
# inline and not, move data that --verify checks byte for byte, over a
# buffer large enough for a level-2 PBL. Figures are printed, never judged.
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

LAT="t_min t_max t_typical t_avg t_stdev p99 p99_9 cacheline_rtt_us rtt_ratio
     floor_us floor_ratio"
# the round trip and the protocol floor: both measured, or (one CPU) neither
REFS='(d["cacheline_rtt_us"] is None) == (d["floor_us"] is None) and
      (d["floor_us"] is None or
       0 < d["floor_us"] and 0 < d["floor_ratio"] and
       abs(d["floor_ratio"] / (d["t_typical"] / d["floor_us"]) - 1) < 0.01)'

BW="mib_s mops memcpy_mib_s memcpy_ratio"
ECHO="mode op size iters qps cq_mod inline_size buf_size verify"

run "lat send 8 B goes inline by default (236, as perftest)" "$LAT $ECHO" \
	'd["inline_size"] == 236 and d["op"] == "send" and d["size"] == 8 and
	 0 < d["t_min"] <= d["t_typical"] <= d["t_max"] and '"$REFS" \
	lat --op send -s 8 -n 300 --verify
run "lat send with -I 0: by SGE, verified" "$LAT" \
	'd["inline_size"] == 0 and d["verify"] is True' \
	lat --op send -s 8 -n 300 -I 0 --verify
run "lat write: 220 by default, verified" "$LAT" \
	'd["inline_size"] == 220 and d["op"] == "write" and '"$REFS" \
	lat --op write -s 64 -n 300 --verify
run "lat read: never inline" "$LAT" \
	'd["inline_size"] == 0 and d["p99"] >= d["t_typical"] and '"$REFS" \
	lat --op read -s 32 -n 300 --verify
run "bw send over 2 QP pairs, verified" "$BW $ECHO" \
	'd["qps"] == 2 and d["mib_s"] > 0 and d["mops"] > 0 and
	 d["inline_size"] == 0' \
	bw --op send -s 1K -n 2000 -q 2 --verify
run "bw write inline (-I 64), verified" "$BW" \
	'd["inline_size"] == 64 and d["mops"] > 0' \
	bw --op write -s 64 -n 20000 -I 64 --verify
run "bw write through an 8 MiB buffer (a level-2 PBL), verified" "$BW" \
	'd["buf_size"] == 8 << 20 and d["memcpy_ratio"] > 0' \
	bw --op write -s 4K -n 4000 --buf-size 8M --verify
run "bw read with cq-mod 10, verified" "$BW" \
	'd["cq_mod"] == 10 and d["mib_s"] > 0' \
	bw --op read -s 512 -n 3000 --cq-mod 10 --verify

"$hwqperf" lat --op send -s 8 -n 200 > "$tmp/out" 2>&1
grep -q 't_typical\[usec\]' "$tmp/out" &&
	grep -q 'Inline data    : up to 236 bytes' "$tmp/out" &&
	grep -q 'cache-line round trip' "$tmp/out" &&
	grep -q 'protocol floor' "$tmp/out"
ok $? "the text report: perftest's columns, the inline limit, the round trip, the floor"

done_testing
