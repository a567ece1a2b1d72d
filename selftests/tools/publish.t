#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# libhwqnic's side of the published counters, through hwqperf: with
# /dev/shm full a process works and publishes nothing (no SIGBUS at its
# first counter); a file that another user made in advance under the
# name a process will take does not stop it publishing, and is left as it
# was. Both need root (a mount namespace; a file of another uid) and skip,
# saying why, without it. HWQPERF=path tests another build.
set -u
. "$(dirname "$0")/lib.sh"

command -v python3 > /dev/null || skip_all "python3 is not installed"
[ "$(id -u)" = 0 ] || skip_all "needs root (unshare -m and mount; chown)"
[ -x "$hwqperf" ] || skip_all "$hwqperf is not built (run make)"

tmp=$(mktemp -d)
pids=
NOBODY=65534
FOREVER=1000000000000

cleanup() {
	exec 2> /dev/null
	# shellcheck disable=SC2086
	reap $pids
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- /dev/shm full ----

if ! command -v unshare > /dev/null; then
	skip "/dev/shm full: unshare is not installed"
	skip "/dev/shm full: unshare is not installed"
else
	# a private mount namespace whose /dev/shm is full
	unshare -m sh -c 'mount -t tmpfs -o size=64k,mode=1777 tmpfs /dev/shm &&
		! head -c 1M /dev/zero > /dev/shm/fill 2> /dev/null &&
		"$0" lat --op send -s 8 -n 2000 --json &&
		ls -A /dev/shm > "$1"' "$hwqperf" "$tmp/full.ls" \
		> "$tmp/full.out" 2> "$tmp/full.err"
	rc=$?
	python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert d["t_avg"] > 0, d' "$tmp/full.out" 2>&1 | diag
	[ $rc = 0 ] && [ "${PIPESTATUS[0]}" = 0 ]
	ok $? "hwqperf runs to its end with /dev/shm full (status $rc: 135 is SIGBUS)"
	diag < "$tmp/full.err"
	[ "$(cat "$tmp/full.ls" 2> /dev/null)" = fill ]
	ok $? "and publishes nothing there ($({ xargs < "$tmp/full.ls"; } 2> /dev/null))"
fi

# ---- a name taken in advance by another user ----

start_stopped "$tmp/v.out" bw --op write -s 64 -q 1 -n $FOREVER --cq-mod 1
ok $? "hwqperf V stopped before it starts"
V=$perf_pid
squat=/dev/shm/hwqnic.$V.hwqnic-emb0
stats make "$squat" "$V" 0x73717768 2 --comm "$(hex squatter)" \
	--dev "$(hex hwqnic-emb0)"
chown $NOBODY:$NOBODY "$squat"
sum=$(md5sum < "$squat")
kill -CONT "$V"
wait_qps "$V" 2
ok $? "V publishes its 2 QPs all the same"
real=$(find /dev/shm -maxdepth 1 -name "hwqnic.$V.*" -user 0)
stats dump "$V" > "$tmp/v.json"
python3 - "$tmp/v.json" "$squat" <<'PY' 2>&1 | diag
import json, os, re, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 1, d
assert re.fullmatch(re.escape(sys.argv[2]) + r"\.[A-Za-z0-9]{6}", d[0]["path"]), d[0]["path"]
assert d[0]["comm"] == "hwqperf" and d[0]["dev"] == "hwqnic-emb0", d[0]
assert os.stat(d[0]["path"]).st_mode & 0o777 == 0o600
PY
ok "${PIPESTATUS[0]}" "in a file of its own, mode 0600, the name with a suffix (${real:-none})"
[ "$(stat -c %u "$squat")" = $NOBODY ] && [ "$(md5sum < "$squat")" = "$sum" ]
ok $? "the squatter's file is left as it was"
reap "$V"
rm -f "$squat"

done_testing
