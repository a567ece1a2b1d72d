#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqperf and hwqload end cleanly on SIGINT, SIGTERM and SIGHUP: exit
# 128 + the signal, their stats file in /dev/shm removed with their
# device. Each run is long enough never to end by itself; every wait is
# bounded, and a tool that does not stop is killed and counted a failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:-$top/build/bin}
. "$top/selftests/tap.sh"

[ -d /dev/shm ] || skip_all "no /dev/shm: no stats file to check"
for t in hwqperf hwqload; do
	if [ ! -x "$bin/$t" ]; then
		ok 1 "$bin/$t is built (run make)"
		done_testing
		exit
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# stops NAME SIGNAL CMD...: CMD, once its stats file exists, gets SIGNAL.
stops() {
	local name=$1 sig=$2 num pid i rc files
	shift 2
	num=$(kill -l "$sig")
	# a background job starts with SIGINT ignored; a terminal's would not
	env --default-signal=INT "$@" > "$tmp/out" 2> "$tmp/err" &
	pid=$!
	for i in $(seq 100); do
		compgen -G "/dev/shm/hwqnic.$pid.*" > /dev/null && break
		sleep 0.1
	done
	if ! compgen -G "/dev/shm/hwqnic.$pid.*" > /dev/null; then
		kill -KILL "$pid" 2> /dev/null
		wait "$pid"
		ok 1 "$name: its stats file never appeared ($(head -c 200 "$tmp/err"))"
		return
	fi
	kill -"$sig" "$pid"
	for i in $(seq 200); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2> /dev/null; then
		kill -KILL "$pid"
		wait "$pid"
		ok 1 "$name: still running 20 s after SIG$sig"
		return
	fi
	wait "$pid"
	rc=$?
	files=$(compgen -G "/dev/shm/hwqnic.$pid.*")
	[ "$rc" = $((128 + num)) ] && [ -z "$files" ] &&
		grep -q "stopped by signal $num" "$tmp/err"
	ok $? "$name: SIG$sig ends it with status $((128 + num)) (got $rc), no stats file left${files:+ ($files)}"
	[ -z "$files" ] || rm -f $files
}

for sig in INT TERM HUP; do
	stops "hwqperf bw" $sig "$bin/hwqperf" bw --op write -s 64 -n 1000000000000
	stops "hwqperf lat" $sig "$bin/hwqperf" lat --op send -s 8 -n 50000000
	stops "hwqload" $sig "$bin/hwqload" -q 2 -t 1000
done

done_testing
