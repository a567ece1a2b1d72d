# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Sourced by run-qemu.sh (and watch.t): waits for a guest, telling a slow
# one from a hung one.
#
# watch_guest PID STALL TIMEOUT FILE...: waits for PID to end. A busy host
# makes a guest slow, not silent: PID is taken for hung and killed when
# the FILEs (its serial ports) have not grown for STALL seconds, or, still
# growing, after TIMEOUT seconds. Sets `killed` to why (empty if it ended
# by itself) and `first` to the seconds until the last FILE first had
# bytes (the guest's TAP port; empty if never).
watch_guest() {
	local pid=$1 stall=$2 timeout=$3 start now last seen=0 size f
	shift 3
	start=$(date +%s)
	last=$start
	killed=
	first=
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		now=$(date +%s)
		size=0
		for f in "$@"; do
			size=$((size + $(stat -c %s "$f" 2>/dev/null || echo 0)))
		done
		if [ "$size" != "$seen" ]; then
			seen=$size
			last=$now
		fi
		[ -z "$first" ] && [ -s "${!#}" ] && first=$((now - start))
		if [ $((now - last)) -ge "$stall" ]; then
			killed="hung: no output from the guest for ${stall}s (QEMU_STALL)"
		elif [ $((now - start)) -ge "$timeout" ]; then
			killed="killed after ${timeout}s (QEMU_TIMEOUT), its last output $((now - last))s before"
		fi
		[ -z "$killed" ] && continue
		kill -TERM "$pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 1
		done
		kill -KILL "$pid" 2>/dev/null
		break
	done
}
