#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# One scheme for every tool's JSON: each tool listed below runs briefly
# with its JSON output, and every key of every document it prints, at
# any depth, must be one of docs/json.md's table (its first column, in
# backticks). Each document's top level starts with "tool" (the tool's
# name) and "version" (the Makefile's VERSION).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin
. "$top/selftests/bpf/lib.sh"	# tap.sh, skip, qplat_start/qplat_stop

command -v python3 > /dev/null || skip_all "python3 is not installed"
tmp=$(mktemp -d)
load=
trap 'rm -rf "$tmp"; [ -z "$load" ] || kill -KILL $load 2>/dev/null' EXIT
version=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")

# The keys docs/json.md lists: `key` at the start of a table row
python3 - "$top/docs/json.md" > "$tmp/keys" <<-'EOF'
	import re, sys
	for line in open(sys.argv[1]):
	    m = re.match(r"\|\s*`([a-z0-9_]+)`\s*\|", line)
	    if m:
	        print(m.group(1))
EOF
[ "$(wc -l < "$tmp/keys")" -ge 20 ] && grep -qx tool "$tmp/keys"
ok $? "docs/json.md's table lists $(wc -l < "$tmp/keys") keys"

# check NAME TOOL FILE: every document of FILE (one a line) uses listed
# keys only and starts with tool and version
check() {
	python3 - "$tmp/keys" "$2" "$version" "$3" <<-'EOF' 2>&1 | diag
		import json, sys
		keys = set(open(sys.argv[1]).read().split())
		tool, version = sys.argv[2], sys.argv[3]
		docs = [json.loads(l) for l in open(sys.argv[4]) if l.strip()]
		assert docs, "no JSON document"
		bad = set()
		def walk(v, path):
		    if isinstance(v, dict):
		        for k, x in v.items():
		            if k not in keys:
		                bad.add(path + k)
		            walk(x, path + k + ".")
		    elif isinstance(v, list):
		        for x in v:
		            walk(x, path)
		for d in docs:
		    assert list(d)[:2] == ["tool", "version"], list(d)[:4]
		    assert d["tool"] == tool and d["version"] == version, \
		        (d["tool"], d["version"])
		    walk(d, "")
		assert not bad, "keys not in docs/json.md: " + ", ".join(sorted(bad))
	EOF
	ok "${PIPESTATUS[0]}" "$1: every key is in docs/json.md"
}

# run NAME TOOL ARGS...: TOOL's JSON, bounded in time, then check()
run() {
	local name=$1 tool=$2
	shift 2
	if ! timeout 120 "$bin/$tool" "$@" > "$tmp/json" 2> "$tmp/err"; then
		ok 1 "$name: $tool $* failed: $(head -c 200 "$tmp/err")"
		return
	fi
	check "$name" "$tool" "$tmp/json"
}

# Every tool that prints JSON.
run "hwqperf lat" hwqperf lat -n 200 --json
run "hwqperf bw" hwqperf bw -n 500 --json
run "hwqperf bw -a" hwqperf bw -a --buf-size 64 -n 50 --json
run "hwqperf bw -D" hwqperf bw -D 0.1 --json
run "hwqload" hwqload -q 2 -n 100 --errors 2 --json
run "probecost" probecost -n 20000 --json

# nictop, while a process publishes its counters
"$bin/hwqload" -q 2 -t 5 > /dev/null 2>&1 &
load=$!
run "nictop -b" nictop -b --json -d 0.2 -n 3
kill $load 2>/dev/null
wait $load 2>/dev/null
load=

# qplat over a short hwqload: root, bpffs and a kernel that loads it
why=
if [ "$(id -u)" != 0 ]; then
	why="needs root (BPF, uprobes)"
elif ! mountpoint -q /sys/fs/bpf && ! mount -t bpf bpf /sys/fs/bpf; then
	why="cannot mount bpffs"
fi
if [ -n "$why" ]; then
	skip "qplat: every key is in docs/json.md: $why"
elif qplat_start "$tmp/qplat" "$tmp/qplat.err" -B "$bin/hwqload" \
		--json 1 1 &&
	"$bin/hwqload" -q 2 -n 2000 > /dev/null; then
	for _ in $(seq 100); do	# qplat ends after its one interval
		kill -0 "$qplat_pid" 2>/dev/null || break
		sleep 0.1
	done
	qplat_stop
	check "qplat" qplat "$tmp/qplat"
else
	qplat_stop
	ok 1 "qplat: did not start: $(head -c 200 "$tmp/qplat.err")"
fi

done_testing
