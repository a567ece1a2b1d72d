#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# probecost: a bad count is a usage error; --json is one object that
# starts with the run's metadata (docs/json.md); each timing phase is
# announced on stderr when stderr is a terminal, never on stdout, and
# not at all when stderr is a file. Figures are printed, never judged.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
probecost=$top/build/bin/probecost
. "$top/selftests/tap.sh"

command -v python3 > /dev/null || skip_all "python3 is not installed"
if [ ! -x "$probecost" ]; then
	ok 1 "$probecost is built (run make)"
	done_testing
	exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")

"$probecost" -n 0 > "$tmp/out" 2> "$tmp/err"
[ $? = 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
	grep -q "^probecost: iterations must be 1 to " "$tmp/err"
ok $? "-n 0: one line, exit 2 ($(head -c 80 "$tmp/err"))"

timeout 120 "$probecost" -n 20000 --json > "$tmp/out" 2> "$tmp/err"
rc=$?
python3 - "$tmp/out" "$version" "$(uname -r)" "$(id -u)" <<-'EOF'
	import json, sys
	text = open(sys.argv[1]).read()
	assert text.count("\n") == 1, "one object, one line"
	d = json.loads(text)
	assert list(d)[:5] == ["tool", "version", "kernel", "cpu_model",
	                       "cpus"], list(d)
	assert d["tool"] == "probecost" and d["version"] == sys.argv[2]
	assert d["kernel"] == sys.argv[3] and d["cpus"] >= 1
	assert d["iters"] == 20000 and d["plain_ns"] > 0
	assert d["untraced_ns"] > 0 and "bare_uprobe_ns" in d
	assert "int3_uprobe_ns" in d
	if sys.argv[4] == "0":
	    assert d["bare_uprobe_ns"] > 0 and d["int3_uprobe_ns"] > 0, d
EOF
ok $? "--json: the metadata first, then the figures, as root both uprobes' (exit $rc)"
[ ! -s "$tmp/err" ]
ok $? "stderr a file: no notes ($(head -c 80 "$tmp/err"))"

# -B: a binary that is not there is named, in one line, exit 1
"$probecost" -B "$tmp/none" > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
	grep -q "^probecost: $tmp/none: " "$tmp/err"
ok $? "-B a missing binary: one line naming it, exit 1 ($(head -c 80 "$tmp/err"))"

# -B as root: it holds the empty program until SIGTERM, then exits 0
if [ "$(id -u)" = 0 ]; then
	"$probecost" -B "$top/build/bin/hwqperf" --probe complete \
		> "$tmp/out" 2> "$tmp/err" &
	pc=$!
	for _ in $(seq 100); do
		grep -q Tracing "$tmp/err" && break
		kill -0 $pc 2> /dev/null || break
		sleep 0.1
	done
	grep -q "^probecost: Tracing hwqnic:complete in .*hwqperf" "$tmp/err"
	attached=$?
	kill -TERM $pc 2> /dev/null
	for _ in $(seq 100); do
		kill -0 $pc 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL $pc 2> /dev/null
	wait $pc
	rc=$?
	[ $attached = 0 ] && [ $rc = 0 ] && [ ! -s "$tmp/out" ]
	ok $? "-B hwqperf --probe complete: says it traces, SIGTERM ends it with 0 (exit $rc; $(head -c 100 "$tmp/err"))"
else
	ok 0 "# SKIP -B needs root (BPF)"
fi

# on a terminal: a note per timing phase on stderr, stdout untouched
"$top/selftests/tools/ptyrun.py" "$tmp/out" "$probecost" -n 20000 \
	> "$tmp/err" &&
	[ "$(head -n 2 "$tmp/err")" = "probecost: timing 3 x 20000 calls with no probe site
probecost: timing 3 x 20000 calls with an untraced probe" ] &&
	! grep -q timing "$tmp/out" &&
	head -n 1 "$tmp/out" | grep -q "^call with no probe site"
ok $? "a terminal's stderr: a note before each timing, none on stdout"

done_testing
