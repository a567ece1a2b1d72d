#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# nictop against live hwqperf workloads: the screen under tmux (rows and
# rates, sorting, PID and QPN filters, pause, interval, help, the column
# chooser, the latency columns at 80x24, colours or none, 'q' and Ctrl-C
# quitting and restoring the terminal); batch JSON checked against the
# published counters, read here with python3 struct (statsfile.py), and
# against hwqperf's own figures; stats files it must skip; qplat's
# latencies when qplat can run; options. Hostile stats files are
# statsfile.t's. NICTOP=path tests another build.
set -u
. "$(dirname "$0")/lib.sh"
nictop=${NICTOP:-$bin/nictop}

command -v tmux > /dev/null || skip_all "tmux is not installed"
command -v python3 > /dev/null || skip_all "python3 is not installed"

# As root, a /dev/shm of its own: the screen, its sorting and the totals
# see this test's processes only, whatever else runs hwqnic meanwhile
if [ "$(id -u)" = 0 ] && [ -z "${NICTOP_T_SHM:-}" ] &&
	command -v unshare > /dev/null; then
	NICTOP_T_SHM=1 exec unshare --mount --propagation private sh -c \
		'mount -t tmpfs -o mode=1777 nictop-t /dev/shm; exec "$0" "$@"' \
		"$0" "$@"
fi

tmp=$(mktemp -d)
sock=nictop-test-$$		# our own tmux server
pin=/sys/fs/bpf/nictop-test-$$	# bpffs names cannot have a dot
pids=				# background processes to end
qplat_pid=
S=none
dead=none
FOREVER=1000000000000		# hwqperf -n for a run we end ourselves

qplat_stop() {	# SIGINT, 5 s to end, then SIGKILL
	[ -n "$qplat_pid" ] || return 0
	kill -INT "$qplat_pid" 2> /dev/null
	finish "$qplat_pid" 50 2> /dev/null
	qplat_pid=
}

cleanup() {
	exec 2> /dev/null	# no "Killed" notices for our workloads
	tmux -L "$sock" kill-server
	qplat_stop
	# shellcheck disable=SC2086
	reap $pids
	rm -f /dev/shm/hwqnic."$S".* /dev/shm/hwqnic."$dead".*
	rm -rf "$tmp" "$pin" "$pin-syn"
}
trap cleanup EXIT

if [ ! -x "$nictop" ] || [ ! -x "$hwqperf" ]; then
	ok 1 "$nictop and $hwqperf are built (run make)"
	done_testing
	exit
fi

# ---- options ----

"$nictop" --help > "$tmp/help" 2>&1
rc=$?
[ $rc = 0 ] && grep -q '^Usage: nictop' "$tmp/help"
ok $? "--help: usage on stdout, exit 0"

bad=0
for args in "--bogus" "-d 0" "-d abc" "-n 0" "-p x" "-Q -1" "--sort nope" \
	    "extra" "-p" "--columns nope" "--columns qpn,,pid" "--columns"; do
	# shellcheck disable=SC2086
	"$nictop" $args -b > "$tmp/bad.out" 2> "$tmp/bad.err"
	rc=$?
	if [ $rc != 2 ] || [ "$(wc -l < "$tmp/bad.err")" != 1 ] ||
	   ! grep -q '^nictop: ' "$tmp/bad.err" || [ -s "$tmp/bad.out" ]; then
		echo "nictop $args: exit $rc: $(cat "$tmp/bad.err")" | diag
		bad=1
	fi
done
ok $bad "bad options: exit 2 with one line on stderr"

"$nictop" < /dev/null > "$tmp/notty.out" 2> "$tmp/notty.err"
rc=$?
[ $rc = 1 ] && grep -q 'use -b' "$tmp/notty.err"
ok $? "no terminal and no -b: exit 1, says to use -b ($rc)"

# ---- workload A: 2 QP pairs of RDMA WRITE, ended by us ----

start_perf "$tmp/a.out" bw --op write -s 4096 -q 2 -n $FOREVER --cq-mod 1
ok $? "hwqperf A (-q 2) publishes its 4 QPs"
A=$perf_pid
a_qpns=$(stats qpns "$A")
echo "A: pid $A, QPNs $a_qpns" | diag

stats dump "$A" > "$tmp/a.layout"
python3 - "$tmp/a.layout" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))[0]
assert d["size"] == 384 + 320 * d["max_qp"], d["size"]
assert d["magic"] == 0x73717768 and d["version"] == 2
# a device bound to no netdev: no flag, no wire counters
assert d["flags"] == 0 and d["netdev"] == "" and not any(d["wire"].values())
assert d["comm"] == "hwqperf" and d["dev"].startswith("hwqnic"), d
PY
ok $? "the stats file has the layout this test reads (hwqnic/stats.h)"

# ---- files nictop must skip, and one it must show exactly ----

sleep 600 &
S=$!
pids="$pids $S"
true &
dead=$!
wait $dead
stats make "/dev/shm/hwqnic.$S.hwqnic-emb7" "$S" 0x73717768 2
stats make "/dev/shm/hwqnic.$S.hwqnic-emb8" "$S" 0x12345678 2
stats make "/dev/shm/hwqnic.$S.hwqnic-emb9" "$S" 0x73717768 99
stats make "/dev/shm/hwqnic.$S.hwqnic-emb10" "$S" 0x73717768 1
stats make "/dev/shm/hwqnic.$S.hwqnic-emb11" "$S" 0x73717768 2 --flags 2 \
	--netdev veth9
stats make "/dev/shm/hwqnic.$S.hwqnic-emb12" "$S" 0x73717768 2 --wire
stats make "/dev/shm/hwqnic.$S.hwqnic-emb13" "$S" 0x73717768 2 --flags 1
stats make "/dev/shm/hwqnic.$dead.hwqnic-emb6" "$dead" 0x73717768 2
"$nictop" -b --json -n 1 -d 0.3 > "$tmp/syn.json" 2> "$tmp/syn.err"
ok $? "nictop -b --json -n 1 beside hand-made stats files"
python3 - "$tmp/syn.json" "$S" "$dead" <<'PY' 2>&1 | diag
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) == 1, len(objs)
o, s, dead = objs[0], int(sys.argv[2]), int(sys.argv[3])
devs = [d["dev"] for d in o["devs"] if d["pid"] == s]
assert devs == ["hwqnic-emb7"], devs
assert not [d for d in o["devs"] if d["pid"] == dead], "dead pid shown"
rows = {q["qpn"]: q for q in o["qps"] if q["pid"] == s}
assert sorted(rows) == [16, 17], rows
q = rows[16]
want = {"comm": 'syn"tic', "dev": "hwqnic-emb7", "type": "RC",
        "state": "RTS", "posts": 1000, "recv_posts": 5, "sq_outstanding": 10,
        "rq_outstanding": 5, "completions": 1000, "errors": 2,
        "bytes": 4096000, "ops_per_s": 0, "mib_per_s": 0, "cq_backlog": 10,
        "device_p50_us": None}
bad = {k: (q[k], v) for k, v in want.items() if q[k] != v}
assert not bad, bad
assert "wire" not in q, "unbound: no wire"
assert not [d for d in o["devs"] if d["pid"] == s and "netdev" in d], o["devs"]
assert rows[17]["type"] == "UD" and rows[17]["state"] == "ERR", rows[17]
why = {k["file"]: k["why"] for k in o["skipped"] if k["pid"] in (s, dead)}
f = "hwqnic.%d.hwqnic-emb" % s
assert why == {f + "8": "magic 0x12345678, not 0x73717768",
               f + "9": "version 99, not 2", f + "10": "version 1, not 2",
               f + "11": "flags 0x2, unknown 0x2",
               f + "12": "wire counters on a device bound to no netdev",
               f + "13": "bound to a netdev with no name"}, why
PY
ok "${PIPESTATUS[0]}" "shows a valid file exactly; skips bad magic, bad version (1, the old one, too), unknown flags, wire counters of an unbound device, a netdev with no name (saying so), dead pid"
"$nictop" -b -n 1 -d 0.3 -p "$S" > "$tmp/unbound.txt" 2>&1 &&
	grep -q '^ *QPN ' "$tmp/unbound.txt" &&
	! grep -Eq 'RXpk/s|TXpk/s|RETX|DROPS|pk/s' "$tmp/unbound.txt"
ok $? "a device bound to no netdev: no wire columns, no wire totals"
rm -f /dev/shm/hwqnic."$S".* /dev/shm/hwqnic."$dead".*

# A device bound to a netdev: its wire totals and each QP's, exactly as
# written; the plain table gains the wire columns only then.
stats make "/dev/shm/hwqnic.$S.hwqnic-emb7" "$S" 0x73717768 2 --netdev 'veth"9'
"$nictop" -b --json -n 1 -d 0.3 -p "$S" > "$tmp/wire.json" 2> "$tmp/wire.err"
ok $? "nictop -b --json beside a hand-made netdev-bound stats file"
python3 - "$tmp/wire.json" "$S" "$top/selftests/tools" <<'PY' 2>&1 | diag
import json, sys
o = json.loads(open(sys.argv[1]).readline())
s = int(sys.argv[2])
F = {}	# statsfile.py's constants: what --netdev wrote
exec(open(sys.argv[3] + "/statsfile.py").read().split("def read(")[0], F)
d = [d for d in o["devs"] if d["pid"] == s]
assert len(d) == 1, o["devs"]
d = d[0]
assert d["netdev"] == 'veth"9', d["netdev"]
w = d["wire"]
bad = {k: (w[k], v) for k, v in F["DEV_WIRE_VALUES"].items() if w[k] != v}
assert not bad, bad
drops = {k: v for k, v in w["drops"].items() if v}
assert drops == F["DEV_DROPS"], drops
assert w["drops_total"] == sum(F["DEV_DROPS"].values()), w["drops_total"]
assert w["rx_pkts_per_s"] == 0 and w["tx_bytes_per_s"] == 0, w
rows = {q["qpn"]: q for q in o["qps"] if q["pid"] == s}
q = rows[16]["wire"]
want = {k: v for k, v in F["QP16_WIRE"].items() if not k.startswith("drop_")}
bad = {k: (q[k], v) for k, v in want.items() if q[k] != v}
assert not bad, bad
assert q["drops"] == {"qp": 1, "qkey": 0, "opcode": 2, "len": 3}, q["drops"]
assert q["drops_total"] == 6, q
assert not any(v for k, v in rows[17]["wire"].items() if k != "drops"), rows[17]
PY
ok "${PIPESTATUS[0]}" "the device's wire counters and drops by why, and QP 16's, exactly as written"
"$nictop" -b -n 1 -d 0.3 -p "$S" > "$tmp/wire.txt" 2>&1
grep -q 'RXpk/s.*TXpk/s.*RXB/s.*TXB/s.*RETX.*DROPS' "$tmp/wire.txt" &&
	grep -q 'wire veth"9 rx .* 3 retx 1 timeouts 3 naks 13 drops' "$tmp/wire.txt"
ok $? "the plain table has the wire columns, the device line its wire totals"
grep -E '^ +16 ' "$tmp/wire.txt" | diag
rm -f /dev/shm/hwqnic."$S".* /dev/shm/hwqnic."$dead".*

# ---- batch JSON against the counters ----

stats dump "$A" > "$tmp/before.json"
"$nictop" -b --json -d 0.5 -n 2 -p "$A" > "$tmp/batch.json" 2> "$tmp/batch.err"
rc=$?
stats dump "$A" > "$tmp/after.json"
ok $rc "nictop -b --json -d 0.5 -n 2 -p A"
python3 - "$tmp/batch.json" "$tmp/before.json" "$tmp/after.json" "$A" \
	<<'PY' 2>&1 | diag
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
before = json.load(open(sys.argv[2]))[0]
after = json.load(open(sys.argv[3]))[0]
pid = int(sys.argv[4])
assert len(objs) == 2, "%d snapshots" % len(objs)
for o in objs:
    assert list(o)[:2] == ["tool", "version"], list(o)[:2]
    assert o["tool"] == "nictop", o["tool"]
    for k in ("ts", "interval_s", "totals", "qps", "latency_note"):
        assert k in o, k
    for k in ("ops_per_s", "mib_per_s", "cqes_per_s", "errors",
              "engine_busy_pct"):
        assert k in o["totals"], k
    # at least -d's 0.5 s less the first reading's rounding; a busy
    # machine may make it any longer
    assert o["interval_s"] >= 0.4, o["interval_s"]
    assert {q["pid"] for q in o["qps"]} == {pid}, "other pids with -p"
    assert sorted(q["qpn"] for q in o["qps"]) == \
        sorted(int(k) for k in before["qps"]), o["qps"]
    t = o["totals"]
    assert abs(t["ops_per_s"] - sum(q["ops_per_s"] for q in o["qps"])) <= \
        0.001 * t["ops_per_s"] + 1, t
    assert 0 <= t["engine_busy_pct"] <= 100, t
    for q in o["qps"]:
        b, a = before["qps"][str(q["qpn"])], after["qps"][str(q["qpn"])]
        for k in ("posts", "completions", "bytes"):
            assert b[k] <= q[k] <= a[k], (q["qpn"], k, b[k], q[k], a[k])
        assert q["type"] == "RC" and q["state"] == "RTS", q
        assert q["comm"] == "hwqperf" and q["dev"] == before["dev"], q
senders = [q for q in objs[1]["qps"]
           if q["ops_per_s"] > 0 and q["mib_per_s"] > 0]
assert len(senders) == 2, objs[1]["qps"]
prev = {q["qpn"]: q for q in objs[0]["qps"]}
for q in objs[1]["qps"]:
    dt = objs[1]["interval_s"]
    want = (q["posts"] - prev[q["qpn"]]["posts"]) / dt
    assert abs(q["ops_per_s"] - want) <= 0.005 * want + 2 / dt, (q, want)
    want = (q["bytes"] - prev[q["qpn"]]["bytes"]) / 2**20 / dt
    assert abs(q["mib_per_s"] - want) <= 0.005 * want + 0.01, (q, want)
PY
ok "${PIPESTATUS[0]}" "JSON: counters within the readings around it, rates = deltas / interval_s, totals = sum"

"$nictop" -b --json -d 0.3 -n 1 -Q 17 > "$tmp/q17.json" 2>&1
python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["qps"] and {q["qpn"] for q in o["qps"]} == {17}, o["qps"]
assert int(sys.argv[2]) in {q["pid"] for q in o["qps"]}
' "$tmp/q17.json" "$A" 2>&1 | diag
ok "${PIPESTATUS[0]}" "-b -Q 17: QP 17 rows only, A's among them"

"$nictop" -b -d 0.3 -n 1 -p "$A" > "$tmp/plain.out" 2>&1
grep -q '^nictop [0-9:]*, interval 0\.[0-9]* s$' "$tmp/plain.out" &&
	grep -q '^Total ' "$tmp/plain.out" &&
	grep -q '^ *QPN TYPE STATE *PID COMMAND' "$tmp/plain.out" &&
	[ "$(awk -v p="$A" '$4 == p && $2 == "RC"' "$tmp/plain.out" | wc -l)" = 4 ]
ok $? "-b plain: header, totals, column titles and A's 4 rows"
diag < "$tmp/plain.out"

"$nictop" -b -d 0.3 -n 1 -p "$A" --columns dev_p99,qpn,errors \
	> "$tmp/cols.out" 2>&1
grep -q '^ *QPN *p99dev *ERRORS$' "$tmp/cols.out" &&
	[ "$(awk -v q="$(echo "$a_qpns" | cut -d' ' -f1)" '$1 == q' \
	     "$tmp/cols.out" | awk '{ print NF }')" = 3 ]
ok $? "--columns dev_p99,qpn,errors: those three, in table order"

# ---- the screen, under tmux ----

T() {
	tmux -L "$sock" "$@"
}

shot() {	# the pane's text in $tmp/screen
	T capture-pane -p -t nt > "$tmp/screen" 2> /dev/null
}

# until SECS CMD...: captures the pane until CMD succeeds on it
until_screen() {
	local secs=$1
	shift
	for _ in $(seq $((secs * 10))); do
		shot
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

rows() {	# the table's rows: QPN TYPE STATE PID COMMAND DEV OPS/s ...
	awk '$1 ~ /^[0-9]+$/ && $2 ~ /^(RC|UD)$/' "$tmp/screen"
}

qpns_of() {	# qpns_of PID: its QPNs on the screen, in screen order
	rows | awk -v p="$1" '$4 == p { printf "%s ", $1 }'
}

has_rows() {	# has_rows PID QPNS
	[ "$(qpns_of "$1" | tr ' ' '\n' | sort -n | xargs)" = "$2" ]
}

keys() {
	T send-keys -t nt "$@"
}

title_has() {
	head -1 "$tmp/screen" | grep -q -- "$1"
}

sorted_qpns() {	# sorted_qpns asc|desc: the rows' QPNs are in that order
	local flag=-n
	[ "$1" = desc ] && flag=-nr
	rows | awk '{ print $1 }' > "$tmp/q"
	[ -s "$tmp/q" ] && sort -c $flag "$tmp/q" 2> /dev/null
}

T -f /dev/null new-session -d -x 120 -y 30 -s nt \
	"env PS1='nictop-test\$ ' bash --norc --noprofile"
keys "$nictop -d 0.5 --maps $tmp/nomaps; echo EXIT=\$?" Enter
until_screen 10 has_rows "$A" "$a_qpns"
ok $? "tmux 120x30: rows for A's QPs ($a_qpns)"
diag < "$tmp/screen"

rates() {
	[ "$(rows | awk -v p="$A" '$4 == p && $7 + 0 > 0 && $8 + 0 > 0' |
	     wc -l)" = 2 ]
}
until_screen 5 rates
ok $? "A's two requester QPs show non-zero OPS/s and MiB/s"

no_lat() {
	grep -q "^latency: no qplat maps at $tmp/nomaps (run qplat --pin $tmp/nomaps)" \
		"$tmp/screen" &&
		[ -z "$(rows | awk -v p="$A" '$4 == p && $12 != "-"')" ]
}
until_screen 3 no_lat
ok $? "no maps: the latency line says why, latency columns show -"

qpn_asc() {
	title_has "sort QPN asc" && sorted_qpns asc
}
qpn_desc() {
	title_has "sort QPN desc" && sorted_qpns desc
}
keys '<' '<' '<' '<' '<' '<'
until_screen 5 qpn_asc
ok $? "'<' x6 from OPS/s: sorted by QPN ascending"
keys r
until_screen 5 qpn_desc
ok $? "'r': QPN descending, the larger QPN first"
[ "$(qpns_of "$A" | xargs)" = "$(tr ' ' '\n' <<< "$a_qpns" | sort -nr | xargs)" ]
ok $? "A's rows read $(qpns_of "$A")"
diag < "$tmp/screen"
keys '>'
until_screen 5 title_has "sort TYPE asc"
ok $? "'>': the next column (TYPE)"

start_perf "$tmp/b.out" bw --op write -s 64 -q 1 -n $FOREVER --cq-mod 1
ok $? "hwqperf B (-q 1) starts"
B=$perf_pid
b_qpns=$(stats qpns "$B")
until_screen 10 has_rows "$B" "$b_qpns"
ok $? "B's rows appear ($b_qpns)"

keys p "$A" Enter
only_a() {
	title_has "filter pid $A" && has_rows "$A" "$a_qpns" &&
		[ -z "$(rows | awk -v p="$A" '$4 != p')" ]
}
until_screen 5 only_a
ok $? "'p $A': only A's rows, B's hidden"
diag < "$tmp/screen"
keys p Enter
b_back() {
	has_rows "$B" "$b_qpns" && ! title_has filter
}
until_screen 5 b_back
ok $? "'p' and an empty answer: B's rows are back"

T send-keys -t nt -l '\'
keys 17 Enter
only_17() {
	title_has "filter qpn 17" && [ -n "$(rows)" ] &&
		[ -z "$(rows | awk '$1 != 17')" ] &&
		[ "$(qpns_of "$A")" = "17 " ] && [ "$(qpns_of "$B")" = "17 " ]
}
until_screen 5 only_17
ok $? "'\\ 17': QP 17 of A and of B only"
keys o Enter
all_back() {
	has_rows "$A" "$a_qpns" && has_rows "$B" "$b_qpns" && ! title_has filter
}
until_screen 5 all_back
ok $? "'o' and an empty answer: every QP again"

title_time() {	# the time of the reading on the screen
	head -1 "$tmp/screen" | awk '{ print $2 }'
}
resumed() {
	! title_has PAUSED && [ "$(title_time)" != "$t1" ]
}
keys Space
until_screen 5 title_has PAUSED
rc=$?
t1=$(title_time)
sleep 1.5
shot
t2=$(title_time)
[ $rc = 0 ] && [ "$t1" = "$t2" ]
ok $? "space: PAUSED, the screen stays at $t1 ($t2)"
keys Space
until_screen 5 resumed
ok $? "space again: updates resume"

keys +
until_screen 5 title_has "every 1s "
ok $? "'+': interval 1 s"
keys d 0.3 Enter
until_screen 5 title_has "every 0.3s "
ok $? "'d 0.3': interval 0.3 s"
keys -
until_screen 5 title_has "every 0.2s "
ok $? "'-': interval 0.2 s"
keys d 0.5 Enter

keys h
until_screen 5 grep -q "this help; any key returns" "$tmp/screen"
ok $? "'h': the help screen"
keys h
until_screen 5 has_rows "$A" "$a_qpns"
ok $? "any key: back to the table"

keys f
until_screen 5 grep -q '^  \[x\] CQBL  *rank' "$tmp/screen"
ok $? "'f': the column chooser"
keys Down Down Down Down Down Down Down Down Down Down Space q
no_cqbl() {
	grep -q 'QPN TYPE STATE.*RQ *p50dev' "$tmp/screen" &&
		! grep -q CQBL "$tmp/screen" && has_rows "$A" "$a_qpns"
}
until_screen 5 no_cqbl
ok $? "'f', Down x10, space, q: CQBL gone, the other columns stay"
keys f Space q
until_screen 5 grep -q 'RQ *CQBL *p50dev' "$tmp/screen"
ok $? "'f', space, q: CQBL back"

T resize-window -t nt -x 80 -y 24
# the table's rows at 80 columns: QPN PID COMMAND OPS/s MiB/s CQBL ...
rows80() {
	awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF == 10' "$tmp/screen"
}
small() {
	[ "$(awk '{ print length }' "$tmp/screen" | sort -n | tail -1)" -le 80 ] &&
		grep -q '^ *QPN .*OPS/s .*p50dev  *p99dev  *p99e2e' "$tmp/screen" &&
		[ "$(rows80 | awk -v p="$A" '$2 == p' | wc -l)" = 4 ] &&
		[ "$(wc -l < "$tmp/screen")" -le 24 ] &&
		grep -q 'q Quit' "$tmp/screen"
}
until_screen 10 small
ok $? "resized to 80x24: the latency columns (p50dev p99dev p99e2e), A's rows, 'q Quit'"
diag < "$tmp/screen"
T resize-window -t nt -x 120 -y 30
until_screen 10 grep -q 'QPN TYPE STATE.*p99e2e ERRORS' "$tmp/screen"
ok $? "back to 120x30: every column returns"

sgr_color() {	# the pane, with its attributes, uses a colour
	T capture-pane -p -e -t nt > "$tmp/screen-e" 2> /dev/null
	grep -qP '\e\[([0-9]+;)*(3[0-7]|4[0-7]|38|48)(;[0-9]+)*m' "$tmp/screen-e"
}
until_screen 5 sgr_color
ok $? "colours where the terminal has them"
keys z
until_screen 5 eval '! sgr_color && has_rows "$A" "$a_qpns"'
ok $? "'z': colours off"
keys z
until_screen 5 sgr_color
ok $? "'z' again: colours on"

keys q
until_screen 10 grep -q '^EXIT=0' "$tmp/screen"
ok $? "'q' quits at once, with status 0"
restored() {
	[ "$(T display -p -t nt '#{alternate_on}')" = 0 ] &&
		! grep -q 'QPN TYPE STATE' "$tmp/screen" &&
		! grep -q 'Help' "$tmp/screen" &&
		[ "$(grep -v '^$' "$tmp/screen" | tail -1)" = 'nictop-test$' ]
}
until_screen 5 restored
ok $? "the terminal is restored: shell prompt, no alternate screen, no leftovers"
diag < "$tmp/screen"

keys clear Enter
T clear-history -t nt
keys "$nictop -d 0.5 -p $A; echo EXIT=\$?" Enter
until_screen 10 has_rows "$A" "$a_qpns"
rc=$?
keys C-c
until_screen 10 grep -q '^EXIT=0' "$tmp/screen"
ok $(( rc | $? )) "-p A on the command line; Ctrl-C quits with status 0"
until_screen 5 restored
ok $? "and restores the terminal"

for how in NO_COLOR=1 --no-color; do
	cmd="$nictop --no-color"
	[ "$how" = --no-color ] || cmd="NO_COLOR=1 $nictop"
	keys clear Enter
	T clear-history -t nt
	keys "$cmd -d 0.5 -p $A; echo EXIT=\$?" Enter
	until_screen 10 has_rows "$A" "$a_qpns"
	rc=$?
	sleep 0.6	# another update, drawn the same way
	! sgr_color && grep -q "$A" "$tmp/screen-e"
	ok $(( rc | $? )) "$how: no colours (attributes only)"
	keys Q
	until_screen 10 grep -q '^EXIT=0' "$tmp/screen"
	ok $? "$how: 'Q' quits too"
done
T kill-server 2> /dev/null
reap "$A" "$B"

# ---- rates against hwqperf's own, over a run of about 8 s ----

"$hwqperf" bw --op write -s 4096 -q 2 -n 500000 --cq-mod 1 --json \
	> "$tmp/cal.json" 2>&1
iters=$(python3 -c '
import json, sys
mops = json.load(open(sys.argv[1]))["mpps"]
print(max(10000, min(10**12, int(mops * 1e6 * 8 / 2))))' "$tmp/cal.json")
ok $? "calibration: ${iters:-?} messages per QP for about 8 s"
# nictop first, so that its snapshots cover C's whole run
"$nictop" -b --json -d 0.25 -n 1000 > "$tmp/c.nictop" 2>&1 &
watch_pid=$!
pids="$pids $watch_pid"
for _ in $(seq 100); do
	[ -s "$tmp/c.nictop" ] && break
	sleep 0.1
done
start_perf "$tmp/c.json" bw --op write -s 4096 -q 2 -n "${iters:-100000}" \
	--cq-mod 1 --json
C=$perf_pid
finish "$C" 600
ok $? "hwqperf C ran to its end (${iters:-?} per QP)"
forget "$C"
sleep 0.3
kill -TERM "$watch_pid"
wait "$watch_pid"
ok $? "nictop -b ends with status 0 on SIGTERM"
forget "$watch_pid"
python3 - "$tmp/c.nictop" "$tmp/c.json" "$C" <<'PY' 2>&1 | diag
import json, sys
snaps = [json.loads(l) for l in open(sys.argv[1])]
perf = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
pid = int(sys.argv[3])
seen = []
for s in snaps:
    qps = [q for q in s["qps"] if q["pid"] == pid]
    if len(qps) == 4:
        seen.append((s["interval_s"], sum(q["ops_per_s"] for q in qps),
                     sum(q["mib_per_s"] for q in qps), s["ts"]))
seen = seen[1:]		# its interval began before C's QPs existed
secs = sum(s[0] for s in seen)
assert secs >= 2, "C seen for %.1f s only" % secs
ops = sum(s[0] * s[1] for s in seen) / secs
mib = sum(s[0] * s[2] for s in seen) / secs
print("nictop %.0f ops/s %.1f MiB/s over %.1f s; hwqperf %.0f ops/s "
      "%.1f MiB/s" % (ops, mib, secs, perf["mpps"] * 1e6, perf["mib_per_s"]))
if abs(ops / (perf["mpps"] * 1e6) - 1) > 0.2 or \
   abs(mib / perf["mib_per_s"] - 1) > 0.2:
    for s in seen:
        print("%.3f +%.3f s: %.0f ops/s %.1f MiB/s" % (s[3], s[0], s[1], s[2]))
    sys.exit("not within 20%")
PY
ok "${PIPESTATUS[0]}" "nictop's ops/s and MiB/s within 20% of hwqperf's"

# ---- latencies and CQ backlog from maps of known content ----

# maps.py PID STEP: bpftool command lines that bring qplat's maps in DIR to
# STEP: start; delta (QP 16: 150 device samples over two opcodes, 100 e2e;
# QP 17: 3 device samples); shrunk (QP 16's e2e emptied and refilled by 10).
# Latencies go to their buckets by the formula of bpf/qplat.h, applied
# here as a reader of the maps would. One bpftool per line: a value of
# 2700 numbers is more words than `bpftool batch` takes on a line. QP 16's
# polls are split between `counters` and its `hists` entries, which a
# reader adds up.
cat > "$tmp/maps.py" <<'PY'
import struct, sys
pid, step, pin = int(sys.argv[1]), sys.argv[2], sys.argv[3]

def hexs(b):
    return "hex " + " ".join("%02x" % x for x in b)

SUB_BITS, BUCKETS = 5, 896

def bucket(t):
    k = t.bit_length() - 1 if t > 1 else 0
    if k > 31:
        return BUCKETS - 1
    e = k - SUB_BITS if k > SUB_BITS else 0
    return e * (1 << SUB_BITS) + (t >> e)

# the hists entry of a QP and opcode: lats {latency kind: {ns: count}},
# then the completion event's polls, err_cqes and bytes
def hists(qpn, op, lats, polls=0):
    val = b""
    for lat in range(3):
        v = [0] * BUCKETS
        for t, c in lats.get(lat, {}).items():
            v[bucket(t)] += c
        # buckets, sum_ns, then min_ns > max_ns: no bounds recorded
        val += struct.pack("<%dQ" % (BUCKETS + 3), *v, 1000 * sum(v),
                           2**64 - 1, 0)
    val += struct.pack("<3Q", polls, 0, 0)
    key = struct.pack("<4I", pid, 7, qpn, op)
    print("map update pinned %s/hists key %s value %s" % (pin, hexs(key),
                                                         hexs(val)))

device16 = {2**30: 5, 1500: 50, 5000: 49, 1000000: 1}
if step == "start":
    hists(16, 1, {0: {2**30: 5}}, polls=10)
    key = struct.pack("<3I", pid, 7, 16)
    val = struct.pack("<7Q", 0, 500, 0, 0, 0, 470, 0)	# cqes, polls
    print("map update pinned %s/counters key %s value %s" % (pin, hexs(key),
                                                            hexs(val)))
elif step == "delta":
    hists(16, 1, {0: device16, 2: {20000: 99, 40000: 1},
                  1: {40: 100}}, polls=10)		# pickup: not shown
    hists(16, 0, {0: {1500: 50}})
    hists(17, 1, {0: {50000000: 3}})
    hists(18, 1, {0: {2: 9}})				# no such QP
else:
    hists(16, 1, {0: device16, 2: {20000: 10}, 1: {40: 100}}, polls=10)
PY

map_updates() {	# map_updates FILE: each line of FILE a bpftool command
	local line
	while read -r line; do
		# shellcheck disable=SC2086 # the words of a command
		bpftool $line > /dev/null || return 1
	done < "$1"
}

syn_skip=
if [ "$(id -u)" != 0 ]; then
	syn_skip="needs root (BPF)"
elif ! command -v bpftool > /dev/null; then
	syn_skip="bpftool is not installed"
elif ! mountpoint -q /sys/fs/bpf && ! mount -t bpf bpf /sys/fs/bpf; then
	syn_skip="no bpffs"
elif ! mkdir -p "$pin-syn" ||
     ! bpftool map create "$pin-syn/hists" type hash key 16 value 21600 \
	entries 64 name hists ||
     ! bpftool map create "$pin-syn/counters" type hash key 12 value 56 \
	entries 64 name counters; then
	syn_skip="cannot create BPF maps"
fi
if [ -n "$syn_skip" ]; then
	skip "maps of known content: $syn_skip"
else
	stats make "/dev/shm/hwqnic.$S.hwqnic-emb7" "$S" 0x73717768 2 \
		--unsignaled
	for step in start delta shrunk; do
		python3 "$tmp/maps.py" "$S" $step "$pin-syn" > "$tmp/$step.batch"
	done
	map_updates "$tmp/start.batch"
	: > "$tmp/syn-lat.json"	# there before nictop's shell opens it
	"$nictop" -b --json -d 1 -n 3 -p "$S" --maps "$pin-syn" \
		> "$tmp/syn-lat.json" 2>&1 &
	syn_pid=$!
	pids="$pids $syn_pid"
	# each change right after a snapshot: it shows in the next one
	for step in delta shrunk; do
		want=$(( $(wc -l < "$tmp/syn-lat.json") + 1 ))
		for _ in $(seq 100); do
			[ "$(wc -l < "$tmp/syn-lat.json")" -ge $want ] && break
			sleep 0.05
		done
		map_updates "$tmp/$step.batch"
	done
	finish "$syn_pid" 100
	ok $? "nictop -b --maps DIR over maps changed between snapshots"
	forget "$syn_pid"
	python3 - "$tmp/syn-lat.json" <<'PY' 2>&1 | diag
import json, re, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) == 3, len(objs)
bad = []
def expect(i, qpn, key, want):
    got = [q for q in objs[i]["qps"] if q["qpn"] == qpn][0][key]
    if (got is None) != (want is None) or \
       (want is not None and abs(got - want) > 0.002):
        bad.append("snapshot %d qpn %d %s: %s, want %s" % (i, qpn, key, got,
                                                          want))
def samples(i):
    m = re.search(r", (\d+) samples", objs[i]["latency_note"])
    return int(m.group(1)) if m else None
for i in range(3):
    expect(i, 16, "cq_backlog", 20)	# qplat's: 500 CQEs, 470 + 10 polls
    expect(i, 17, "cq_backlog", 0)	# published: every WR signaled
for key in ("device_p50_us", "device_p99_us", "e2e_p99_us"):
    expect(0, 16, key, None)
# interpolated over a bucket's nanoseconds: 1500 ns in [1472, 1503]
expect(1, 16, "device_p50_us", 1.49525)	# 1472 + 75/100 * 31 ns
expect(1, 16, "device_p99_us", 5.117704)	# 4992 + 48.5/49 * 127 ns
expect(1, 16, "e2e_p99_us", 20.479)	# 19968 + 99/99 * 511 ns
# 50 ms in [47 << 20, 48 << 20): 49283072 + 1.5/3 (2.97/3) * (2^20 - 1) ns
expect(1, 17, "device_p50_us", 49807.3595)
expect(1, 17, "device_p99_us", 50321.16125)
expect(1, 17, "e2e_p99_us", None)
expect(2, 16, "device_p50_us", None)	# no growth
expect(2, 16, "e2e_p99_us", 20.47389)	# emptied: all 10 are new
for i, want in enumerate((0, 253, 10)):
    if samples(i) != want:
        bad.append("snapshot %d: %s" % (i, objs[i]["latency_note"]))
assert not bad, bad
PY
	ok "${PIPESTATUS[0]}" "percentiles of the interval's growth, summed over opcodes; a shrunk histogram starts over; CQBL from qplat's counters"
	rm -f /dev/shm/hwqnic."$S".*
fi

# ---- latencies from a live qplat ----

lat_skip=
if [ "$(id -u)" != 0 ]; then
	lat_skip="needs root (BPF)"
elif [ ! -x "$bin/qplat" ]; then
	lat_skip="build/bin/qplat missing"
elif ! mountpoint -q /sys/fs/bpf && ! mount -t bpf bpf /sys/fs/bpf; then
	lat_skip="no bpffs"
fi
if [ -z "$lat_skip" ]; then
	mountpoint -q /sys/kernel/tracing ||
		mount -t tracefs tracefs /sys/kernel/tracing 2> /dev/null
	: > "$tmp/qplat.err"	# there before qplat's shell opens it
	# -c 1: every completion, as the count of samples below expects
	"$bin/qplat" -B "$hwqperf" -c 1 --pin "$pin" > /dev/null 2> "$tmp/qplat.err" &
	qplat_pid=$!
	for _ in $(seq 100); do
		grep -q Tracing "$tmp/qplat.err" && break
		kill -0 "$qplat_pid" 2> /dev/null || break
		sleep 0.1
	done
	if ! grep -q Tracing "$tmp/qplat.err"; then
		lat_skip="qplat cannot trace here: $(head -1 "$tmp/qplat.err")"
		qplat_stop
	fi
fi
if [ -n "$lat_skip" ]; then
	skip "latencies: $lat_skip"
else
	start_perf "$tmp/d.out" bw --op write -s 4096 -q 2 -n $FOREVER \
		--cq-mod 1
	D=$perf_pid
	"$nictop" -b --json -d 1 -n 2 -p "$D" --maps "$pin" > "$tmp/lat.json" 2>&1
	python3 - "$tmp/lat.json" <<'PY' 2>&1 | diag
import json, re, sys
o = [json.loads(l) for l in open(sys.argv[1])][-1]
m = re.match(r"qplat maps at \S+, (\d+) samples", o["latency_note"])
assert m, o["latency_note"]
senders = [q for q in o["qps"] if q["ops_per_s"] > 0]
assert len(senders) == 2, o["qps"]
done = 0
for q in senders:
    p50, p99, e99 = q["device_p50_us"], q["device_p99_us"], q["e2e_p99_us"]
    assert None not in (p50, p99, e99), q
    assert 0 < p50 <= p99 and e99 > 0, q
    print("qpn %d: dev p50 %.1f p99 %.1f, e2e p99 %.1f us"
          % (q["qpn"], p50, p99, e99))
    done += q["ops_per_s"] * o["interval_s"]
# a device and an e2e sample per completion of the interval
assert int(m.group(1)) >= 0.9 * 2 * done, (m.group(1), done)
PY
	ok "${PIPESTATUS[0]}" "with qplat --pin: device and e2e percentiles of the last interval"
	reap "$D"
	qplat_stop
fi

done_testing
