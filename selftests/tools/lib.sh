# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shared by the tools' tests: TAP, background processes that are ended
# for sure, and the published counters read and written with python3
# (statsfile.py). The test sets `pids` to the empty string, and `tmp`.
# HWQPERF=path runs another hwqperf.

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin
hwqperf=${HWQPERF:-$bin/hwqperf}
. "$top/selftests/tap.sh"

skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $*"
}

# forget PID...: a process of ours that has been waited for; its pid may
# be another process's from now on, so never signal it again.
forget() {
	local p
	for p in "$@"; do
		rm -f /dev/shm/hwqnic."$p".*
		pids=$(echo " $pids " | sed "s/ $p / /; s/^ *//; s/ *\$//")
	done
}

reap() {	# reap PID...: ends background processes of ours
	local p
	for p in "$@"; do
		kill -KILL "$p" 2> /dev/null
		wait "$p" 2> /dev/null
		forget "$p"
	done
}

# finish PID TENTHS: gives PID that many tenths of a second to end, then
# SIGKILL; returns its exit status.
finish() {
	local _
	for _ in $(seq "$2"); do
		kill -0 "$1" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2> /dev/null
	wait "$1"
}

stats() {	# see selftests/tools/statsfile.py
	python3 "$top/selftests/tools/statsfile.py" "$@"
}

hex() {		# hex STRING: its bytes in hex, for stats make
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

# wait_qps PID N: until PID publishes N QPs at least (10 s at most)
wait_qps() {
	for _ in $(seq 100); do
		[ "$(stats qpns "$1" | wc -w)" -ge "$2" ] && return 0
		kill -0 "$1" 2> /dev/null || return 1
		sleep 0.1
	done
	return 1
}

# start_perf OUT ARGS...: hwqperf in the background, waiting (10 s at most)
# until its device publishes its QPs; sets perf_pid.
start_perf() {
	local out=$1 want=2
	shift
	case " $* " in *" -q 2 "*) want=4 ;; esac
	"$hwqperf" "$@" > "$out" 2>&1 &
	perf_pid=$!
	pids="$pids $perf_pid"
	wait_qps "$perf_pid" $want
}

# start_stopped OUT ARGS...: hwqperf, stopped (SIGSTOP) before it starts,
# under the pid that it keeps: files can be made for it first; sets
# perf_pid. SIGCONT starts it.
start_stopped() {
	local out=$1
	shift
	bash -c 'kill -STOP $$; exec "$0" "$@"' "$hwqperf" "$@" > "$out" 2>&1 &
	perf_pid=$!
	pids="$pids $perf_pid"
	for _ in $(seq 100); do
		[ "$(awk '{ print $3 }' "/proc/$perf_pid/stat" 2> /dev/null)" = T ] &&
			return 0
		sleep 0.1
	done
	return 1
}
