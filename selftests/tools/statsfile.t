#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Published counters under attack. /dev/shm is everyone's: nictop must
# read what others plant there (FIFOs, files truncated or rewritten under
# it, huge sparse files, files owned by another user naming someone's
# pid, names full of terminal controls) without hanging, dying, growing
# or being fooled, while it goes on showing the real processes; a
# process must still be shown when another user has taken its file's
# name (publish.t has libhwqnic's side of that). Root-only parts skip,
# saying why. NICTOP=path tests another build.
set -u
. "$(dirname "$0")/lib.sh"
nictop=${NICTOP:-$bin/nictop}

command -v python3 > /dev/null || skip_all "python3 is not installed"

tmp=$(mktemp -d)
sock=statsfile-test-$$		# our own tmux server
pids=				# background processes to end
S=none
MAGIC=0x73717768
FOREVER=1000000000000		# hwqperf -n for a run we end ourselves
NOBODY=65534

cleanup() {
	exec 2> /dev/null
	tmux -L "$sock" kill-server
	# shellcheck disable=SC2086
	reap $pids
	rm -f /dev/shm/hwqnic."$S".*
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ ! -x "$nictop" ] || [ ! -x "$hwqperf" ]; then
	ok 1 "$nictop and $hwqperf are built (run make)"
	done_testing
	exit
fi
root=
[ "$(id -u)" = 0 ] && command -v setpriv > /dev/null && root=1

# snap OUT ARGS...: nictop -b --json, ended if it hangs; its status
snap() {
	local out=$1
	shift
	timeout -k 5 30 "$nictop" -b --json "$@" > "$out" 2> "$out.err"
}

# check PYTHON ARGS...: a python3 check over nictop's JSON lines (objs),
# the rest of the arguments in argv; its status, its complaints as diag
check() {
	python3 - "$@" <<PY 2>&1 | diag
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
argv = sys.argv[2:]
def rows(o, pid):
    return sorted(q["qpn"] for q in o["qps"] if q["pid"] == pid)
def skipped(o, name):
    return [k["why"] for k in o["skipped"] if k["file"] == name]
$PY
PY
	return "${PIPESTATUS[0]}"
}

# R: a real workload, shown throughout; S: a process of ours that the
# planted files name.
start_perf "$tmp/r.out" bw --op write -s 64 -q 1 -n $FOREVER --cq-mod 1
ok $? "hwqperf R publishes its QPs"
R=$perf_pid
r_qpns=$(stats qpns "$R" | tr ' ' ,)
r_dev=$(stats dump "$R" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["dev"])')
sleep 600 &
S=$!
pids="$pids $S"
R_SHOWN="all(rows(o, int(argv[0])) == [int(q) for q in argv[1].split(',')] for o in objs)"

# ---- a FIFO under a stats file's name ----

mkfifo "/dev/shm/hwqnic.$S.fifo"
[ -n "$root" ] && setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
	mkfifo "/dev/shm/hwqnic.$R.fifo"
snap "$tmp/fifo.json" -n 2 -d 0.3
ok $? "nictop -b -n 2 beside FIFOs under stats names returns (status $?)"
PY="
assert len(objs) == 2, len(objs)
assert $R_SHOWN, 'R not shown: %s' % objs
why = skipped(objs[-1], 'hwqnic.%s.fifo' % argv[2])
assert why == ['not a regular file (a FIFO)'], why
"
check "$tmp/fifo.json" "$R" "$r_qpns" "$S"
ok $? "it shows R's QPs ($r_qpns) and says why it skips the FIFO"
rm -f "/dev/shm/hwqnic.$S.fifo" "/dev/shm/hwqnic.$R.fifo"

# ---- files that change under nictop while it reads them ----

# R stops meanwhile (still shown): the machine's CPUs are for nictop and
# for what changes the files, which must happen while nictop reads.
kill -STOP "$R"

# churn NAME N HOW [MAKE-ARGS...]: N files hwqnic.S.NAME<i>, changed by
# `stats HOW 8` while nictop takes 60 snapshots into $tmp/NAME.json; its
# status
churn() {
	local name=$1 count=$2 how=$3 i
	shift 3
	for i in $(seq "$count"); do
		stats make "/dev/shm/hwqnic.$S.$name$i" "$S" $MAGIC 2 \
			--max-qp 4096 "$@"
	done
	stats "$how" 8 /dev/shm/hwqnic."$S"."$name"* &
	pids="$pids $!"
	snap "$tmp/$name.json" -n 60 -d 0.1 -Q 16
}

churn trunc 6 truncate
rc=$?
ok $rc "60 snapshots while 6 files are emptied and regrown (status $rc: 135 is SIGBUS)"
PY="
assert len(objs) == 60, len(objs)
assert all(16 in rows(o, int(argv[0])) for o in objs), 'R missing'
for o in objs:
    for q in o['qps']:
        if q['pid'] == int(argv[1]):
            assert q['posts'] == 1000 and q['bytes'] == 4096000, q
"
check "$tmp/trunc.json" "$R" "$S"
ok $? "R in every snapshot; the files, when shown, exactly as written"
rm -f /dev/shm/hwqnic."$S".trunc*

churn flip 10 flip --full
rc=$?
ok $rc "60 snapshots while max_qp of 10 files swings to 0xffffffff and back (status $rc: 139 is SIGSEGV)"
PY="
assert len(objs) == 60, len(objs)
assert all(16 in rows(o, int(argv[0])) for o in objs), 'R missing'
n = 0
for o in objs:
    n += len([q for q in o['qps'] if q['pid'] == int(argv[1])])
    for k in o['skipped']:
        if k['file'].startswith('hwqnic.%s.flip' % argv[1]):
            assert k['why'] == 'max_qp 4294967295, above 4096', k
print('the files shown %d times in 60 snapshots, refused otherwise' % n)
"
check "$tmp/flip.json" "$R" "$S"
ok $? "R in every snapshot; the files refused when their max_qp is too big"
rm -f /dev/shm/hwqnic."$S".flip*
kill -CONT "$R"

# ---- a huge sparse file ----

huge=/dev/shm/hwqnic.$S.huge
stats make "$huge" "$S" $MAGIC 2 --max-qp 838860	# 256 MiB, sparse
blocks=$(stat -c %b "$huge")
python3 - "$nictop" "$tmp/huge.json" > "$tmp/huge.rss" <<'PY'
import resource, subprocess, sys
with open(sys.argv[2], "w") as out:
    rc = subprocess.run([sys.argv[1], "-b", "--json", "-n", "1", "-d", "0.3"],
                        stdout=out, timeout=60).returncode
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
read -r rc rss < "$tmp/huge.rss"
ok "$rc" "nictop beside a 256 MiB sparse stats file (status $rc)"
PY="
why = skipped(objs[0], 'hwqnic.%s.huge' % argv[0])
assert why == ['268435584 bytes, above the largest stats file (1311104)'], why
"
check "$tmp/huge.json" "$S"
ok $? "refused, and says so, for its size"
after=$(stat -c %b "$huge")
[ "${rss:-999999}" -lt 65536 ] && [ "$after" = "$blocks" ]
ok $? "not read: nictop's peak RSS $((${rss:-0} / 1024)) MiB (< 64), the file's blocks $blocks -> $after"
rm -f "$huge"

# ---- a file planted for another user's process ----

if [ -z "$root" ]; then
	skip "a squatter's file: needs root (a file of uid $NOBODY), setpriv"
	skip "a squatter's file: needs root"
else
	start_stopped "$tmp/v.out" bw --op write -s 64 -q 1 -n $FOREVER \
		--cq-mod 1
	V=$perf_pid
	squat=/dev/shm/hwqnic.$V.$r_dev
	stats make "$squat" "$V" $MAGIC 2 --comm "$(hex squatter)" \
		--dev "$(hex "$r_dev")"
	chown $NOBODY:$NOBODY "$squat"
	kill -CONT "$V"
	wait_qps "$V" 2
	ok $? "V publishes its QPs beside uid $NOBODY's $(basename "$squat")"
	snap "$tmp/squat.json" -n 1 -d 0.3 -p "$V"
	PY="
o = objs[0]
v = int(argv[0])
devs = [(d['comm'], d['dev']) for d in o['devs']]
assert devs == [('hwqperf', argv[1])], devs
assert rows(o, v) == [int(q) for q in argv[2].split()], o['qps']
assert not [q for q in o['qps'] if q['comm'] != 'hwqperf'], o['qps']
why = skipped(o, 'hwqnic.%d.%s' % (v, argv[1]))
assert why == ['owned by uid 65534, not by process %d\'s owner (uid 0)' % v], why
"
	check "$tmp/squat.json" "$V" "$r_dev" "$(stats qpns "$V")"
	ok $? "nictop shows V's real device, never the squatter's, and says why"
	reap "$V"
	rm -f "$squat"
fi

# ---- names made of terminal controls ----

# comm and device name bytes (hex), and how text output shows them
names="
1b5b324a31 6877716e69632d311b \x1b[2J1 hwqnic-1\x1b
c29b32 6877716e69632d32c29b \u009b2 hwqnic-2\u009b
9b33 6877716e69632d339b \x9b3 hwqnic-3\x9b
e280ae34 6877716e69632d34e280ae \u202e4 hwqnic-4\u202e
e281a635 6877716e69632d3507 \u20665 hwqnic-5\x07
1b5d323b5807 6877716e69632d36e281a9 \x1b]2;X\x07 hwqnic-6\u2069
"
i=0
while read -r comm dev _ _; do
	[ -n "$comm" ] || continue
	i=$((i + 1))
	stats make "/dev/shm/hwqnic.$S.ctl$i" "$S" $MAGIC 2 --comm "$comm" \
		--dev "$dev"
done <<< "$names"

timeout -k 5 30 "$nictop" -b -n 1 -d 0.3 -p "$S" > "$tmp/ctl.txt" 2>&1
ok $? "nictop -b (text) over 6 devices named with controls"
LC_ALL=C grep -q '[^ -~]' "$tmp/ctl.txt"
[ $? = 1 ]
ok $? "text: nothing but printable ASCII"
: > "$tmp/ctl.bad"
while read -r _ _ comm dev; do
	[ -n "$comm" ] || continue
	# (awk -v would take the backslashes as escapes: ENVIRON does not)
	C=$comm D=$dev awk -v p="$S" '$1 ~ /^[0-9]+$/ && $4 == p &&
		$5 == ENVIRON["C"] && $6 == ENVIRON["D"] { f = 1 }
		END { exit !f }' "$tmp/ctl.txt" || echo "no row: $comm $dev"
	grep -qF "$S $comm" "$tmp/ctl.txt" || echo "no device line: $comm"
done <<< "$names" > "$tmp/ctl.bad"
[ ! -s "$tmp/ctl.bad" ]
ok $? "text: each row and device line shows the names escaped"
diag < "$tmp/ctl.bad"
diag < "$tmp/ctl.txt"

snap "$tmp/ctl.json" -n 1 -d 0.3 -p "$S"
ok $? "nictop -b --json over the same"
PY="
raw = open(argv[0], 'rb').read()
raw.decode('utf-8')		# strict
assert not [b for b in raw if b < 0x20 and b != 0x0a or b == 0x7f], 'control'
for bad in (b'\xc2\x9b', b'\xe2\x80\xae', b'\xe2\x81\xa6', b'\x9b'):
    assert bad not in raw, bad
want = set()
for line in argv[1].strip().split('\n'):
    comm, dev = line.split()[:2]
    want.add((bytes.fromhex(comm).decode(errors='replace'),
              bytes.fromhex(dev).decode(errors='replace')))
got = {(q['comm'], q['dev']) for q in objs[0]['qps']}
assert got == want, (got, want)
"
check "$tmp/ctl.json" "$tmp/ctl.json" "$names"
ok $? "JSON: valid UTF-8, controls escaped (\\u00XX), the names exact, ill-formed UTF-8 replaced"

if ! command -v tmux > /dev/null; then
	skip "the screen: tmux is not installed"
	skip "the screen: tmux is not installed"
else
	tmux -L "$sock" -f /dev/null new-session -d -x 150 -y 30 -s st \
		"env PS1='statsfile-test\$ ' bash --norc --noprofile"
	tmux -L "$sock" send-keys -t st "$nictop -d 0.5 -p $S -s comm" Enter
	# as the COMMAND column shows them, cut to 10 characters
	want=$(while read -r _ _ comm _; do
		[ -n "$comm" ] && printf '%s\n' "${comm:0:10}"
	done <<< "$names" | sort | tr '\n' ' ')
	screen_comms() {
		tmux -L "$sock" capture-pane -p -t st > "$tmp/screen"
		awk -v p="$S" '$1 ~ /^[0-9]+$/ && $4 == p { print $5 }' \
			"$tmp/screen" | sort -u | tr '\n' ' '
	}
	for _ in $(seq 100); do
		[ "$(screen_comms)" = "$want" ] && break
		sleep 0.1
	done
	[ "$(screen_comms)" = "$want" ]
	ok $? "the screen: the command names escaped ($want)"
	sed '/^ *$/d' "$tmp/screen" | diag
	LC_ALL=C grep -q '[^ -~]' "$tmp/screen"
	[ $? = 1 ] && [ "$(tmux -L "$sock" display -p -t st '#{pane_title}')" != X ]
	ok $? "the screen: nothing but printable ASCII; the pane's title is not X"
	tmux -L "$sock" kill-server
fi
rm -f /dev/shm/hwqnic."$S".ctl*

done_testing
