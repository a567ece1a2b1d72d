#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# qplat for tool builders: bpftool loads bpf/qplat.bpf.o, --pin leaves maps
# whose BTF-typed dump is readable, a traced process that dies mid-run ends
# qplat cleanly, and a non-root user gets a clear message.
. "$(dirname "$0")/lib.sh"
need_bpf
tmp=$(mktemp -d)
pin=/sys/fs/bpf/hwqnic-test-$$
trap 'rm -rf "$tmp" "$pin" "$pin-load"; kill -KILL $load_pid 2>/dev/null' EXIT
load_pid=

bpftool prog loadall "$top/bpf/qplat.bpf.o" "$pin-load" > "$tmp/loadall" 2>&1
ok $? "bpftool prog loadall bpf/qplat.bpf.o"
progs=$(ls "$pin-load" 2>/dev/null | wc -l)
[ "$progs" -ge 5 ]
ok $? "it pins one program per probe ($progs)"
rm -rf "$pin-load"

# pin NAME QPLAT-ARGS...: qplat --pin over a short run, maps left in $pin
pin() {
	local name=$1 rc
	shift
	qplat_start "$tmp/$name.out" "$tmp/$name.err" -B "$bin/hwqload" \
		--pin "$pin" "$@" &&
		"$bin/hwqload" -q 2 -n 100 > /dev/null
	rc=$?
	qplat_stop
	return $(( rc | $? ))
}

pin exact -c 1
ok $? "qplat --pin $pin -c 1 over a run"
[ -e "$pin/hists" ] && [ -e "$pin/counters" ]
ok $? "maps hists and counters stay pinned after qplat exits"
bpftool map dump pinned "$pin/hists" > "$tmp/hists" 2>&1
grep -q '"qpn"' "$tmp/hists" && grep -q '"buckets"' "$tmp/hists"
ok $? "bpftool map dump pinned hists: typed keys and values"
head -20 "$tmp/hists" | diag
# the completion event's: one entry per QP and opcode, its three
# latencies and its counts
bpftool -j map dump pinned "$pin/hists" > "$tmp/hists.json" 2>&1
python3 - "$tmp/hists.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [e["formatted"] for e in d if "formatted" in e]
assert rows, "no BTF-formatted entries"
k, v = rows[0]["key"], rows[0]["value"]
assert all(x in k for x in ("pid", "dev", "qpn", "op")), k
assert len(v["lat"]) == 3 and all("buckets" in l for l in v["lat"]), v.keys()
# hwqload -n 100: 100 messages a QP, each polled once, on its send side
polls = sorted(r["value"]["polls"] for r in rows)
assert polls[-1] == 100 and sum(r["value"]["err_cqes"] for r in rows) == 0, polls
PY
ok $? "bpftool -j map dump pinned hists: BTF-formatted, 3 latencies, the counts"
bpftool -j map show pinned "$pin/hists" > "$tmp/hists-show.json" 2>&1
python3 - "$tmp/hists-show.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
# entries of 32 KiB each (bpf/qplat.h): at most 112 MiB
assert m["bytes_value"] == 21600 and m["bytes_key"] == 16, m
assert m["max_entries"] * 32768 <= 112 << 20, m["max_entries"]
PY
ok $? "the hists map: 16-byte keys, 21600-byte values, at most 112 MiB of entries"
rm -rf "$pin"

pin five --five-events
ok $? "qplat --pin $pin --five-events over a run"
bpftool -j map dump pinned "$pin/counters" > "$tmp/counters.json" 2>&1
python3 - "$tmp/counters.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [e["formatted"] for e in d if "formatted" in e]
assert rows, "no BTF-formatted entries"
k, v = rows[0]["key"], rows[0]["value"]
assert "qpn" in k and "pid" in k and "dev" in k, k
assert any(x in v for x in ("wqes", "cqes")), v
PY
ok $? "bpftool -j map dump pinned counters (the five events'): BTF-formatted JSON"
rm -rf "$pin"

# a traced process that dies mid-run
"$bin/hwqload" -q 2 -t 30 > /dev/null 2>&1 &
load_pid=$!
sleep 0.5
qplat_start "$tmp/exit.out" "$tmp/exit.err" -p "$load_pid" --json
ok $? "qplat -p attaches to a running hwqload"
sleep 1
kill -KILL "$load_pid"
wait "$load_pid" 2>/dev/null
load_pid=
for i in $(seq 100); do
	kill -0 "$qplat_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$qplat_pid" 2>/dev/null
ok $(( ! $? )) "qplat ends by itself within 10 s of its process dying"
qplat_stop
ok $? "and exits with status 0"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]["counters"][0]' \
	"$tmp/exit.out" 2>/dev/null
ok $? "its last JSON object carries the traced QPs' counters"

# not root
setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$bin/qplat" -B "$bin/hwqload" > "$tmp/nr.out" 2> "$tmp/nr.err"
rc=$?
[ $rc = 1 ] && grep -q "needs root" "$tmp/nr.err"
ok $? "as a non-root user: exit 1, 'needs root' ($rc: $(head -c 100 "$tmp/nr.err"))"

done_testing
