#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The accuracy test: qplat's latencies against a workload that knows its
# own. hwqhold (selftests/bpf/hwqhold.c) holds each completion of one QP
# 200 us and of another 20 us after its CQE is there, then polls it, and
# measures from the CQE's own time and its clock each completion's true
# pickup and e2e. Under qplat -p (each mode of hold_modes,
# selftests/bpf/hold.sh), per QP: qplat's pickup median is the measured
# one within hold_tol; qplat's least pickup and e2e are at least the hold
# (so their medians are too); one sample per completion. nictop, beside
# it on qplat's pinned maps, shows the same pickup median. The figures
# compared come from the same completions, so a loaded machine changes
# them both alike; nothing here bounds how fast anything runs.
. "$(dirname "$0")/lib.sh"
. "$top/selftests/tools/lib.sh"		# finish
. "$top/selftests/bpf/hold.sh"
need_bpf
hold=$top/build/release/selftests/bpf/hwqhold
[ -x "$hold" ] && [ -x "$bin/nictop" ] ||
	skip_all "build/release/selftests/bpf/hwqhold or build/bin/nictop missing (run make)"

tmp=$(mktemp -d)
pin=/sys/fs/bpf/hwqnic-hold-$$
app_pid='' nictop_pid='' qplat_pid=''
cleanup() {
	local p
	for p in $app_pid $nictop_pid $qplat_pid; do
		kill -KILL "$p" 2> /dev/null
	done
	rm -rf "$tmp" "$pin"
}
trap cleanup EXIT

count=200	# completions per QP
limit=120	# seconds hwqhold may take, waits included

# until_file TENTHS PID FILE PATTERN: until FILE has PATTERN, PID lives
until_file() {
	local _
	for _ in $(seq "$1"); do
		grep -q "$4" "$3" 2> /dev/null && return 0
		kill -0 "$2" 2> /dev/null || break
		sleep 0.1
	done
	grep -q "$4" "$3" 2> /dev/null
}

# run NAME NICTOP_S ARGS...: hwqhold under qplat --json --pin ARGS, with
# nictop -b --json -n 1 -d NICTOP_S over the same maps, its first reading
# taken before the run starts. Sets rc (0: every program did its part) and
# covered (nictop's second reading came after the run's end).
run() {
	local name=$1 secs=$2 _
	shift 2
	rc=1 covered=
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	"$hold" -w -n $count -t $limit < "$tmp/in" > "$tmp/$name.app" \
		2> "$tmp/$name.apperr" &
	app_pid=$!
	exec 3> "$tmp/in"
	if ! until_file 100 $app_pid "$tmp/$name.app" '^ready'; then
		diag < "$tmp/$name.apperr"
	# (the others hold no end of the FIFO: hwqhold sees its end)
	elif ! qplat_start "$tmp/$name.qplat" "$tmp/$name.qerr" -p $app_pid \
		--json --pin "$pin" "$@" 3>&-; then
		diag < "$tmp/$name.qerr"
	else
		"$bin/nictop" -b --json -n 1 -d "$secs" --maps "$pin" \
			-p $app_pid > "$tmp/$name.nictop" 2>&1 3>&- &
		nictop_pid=$!
		# its first reading is taken once it sleeps for the second
		for _ in $(seq 100); do
			case $(cat /proc/$nictop_pid/wchan 2> /dev/null) in
			*nanosleep*) break ;;
			esac
			sleep 0.1
		done
		echo go >&3
		if until_file $((limit * 10)) $app_pid "$tmp/$name.app" '^done'; then
			rc=0
			kill -0 $nictop_pid 2> /dev/null &&
				! [ -s "$tmp/$name.nictop" ] && covered=1
		fi
		finish $nictop_pid $((secs * 10 + 100)) || rc=1
		nictop_pid=
	fi
	exec 3>&-
	finish $app_pid 100 || rc=1
	app_pid=
	[ -n "$qplat_pid" ] && { qplat_stop || rc=1; }
	qplat_pid=
	rm -rf "$pin"
	[ $rc = 0 ] || diag < "$tmp/$name.apperr"
}

m=0
while IFS='|' read -r counts args; do
	m=$((m + 1))
	name=mode$m
	# nictop's interval must outlast the run: a longer one if it did not
	for secs in 3 12 48; do
		# shellcheck disable=SC2086
		run $name $secs $args
		[ -n "$covered" ] || [ $rc != 0 ] && break
		echo "# nictop's ${secs} s interval ended before the run did; again"
	done
	ok "$rc" "hwqhold -n $count (holds 200 us, 20 us) under qplat -p ${args:-(the completion event)}"
	sed 's/^/# hwqhold: /' "$tmp/$name.app"
	qpns=$(hold_qpns "$tmp/$name.app")
	[ -n "$qpns" ] || qpns="none"
	for q in $qpns; do
		res=$(hold_verdict "$tmp/$name.app" "$tmp/$name.qplat" "$q" "$counts")
		case $res in
		OK:*)	ok 0 "${args:-default}: ${res#OK: }" ;;
		*)	ok 1 "${args:-default}: $res" ;;
		esac
	done
	if [ -z "$covered" ]; then
		ok 1 "${args:-default}: nictop's interval covered the run"
		continue
	fi
	for q in $qpns; do
		res=$(hold_nictop_verdict "$tmp/$name.app" "$tmp/$name.qplat" \
			"$tmp/$name.nictop" "$q" "$counts")
		case $res in
		OK:*)	ok 0 "${args:-default}: ${res#OK: }" ;;
		*)	ok 1 "${args:-default}: $res"
			diag < "$tmp/$name.nictop" ;;
		esac
	done
done <<EOF
$hold_modes
EOF

done_testing
