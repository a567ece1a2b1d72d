#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# run-qemu.sh's watch over the guest (watch.sh), with stand-in guests: one
# slow (a line every second, for longer than STALL, as a guest on a busy
# host), one hung (silent), one that talks past TIMEOUT. Only the slow one
# may run to its end. Takes about 20 s.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tap.sh"
. "$here/watch.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# guest SECONDS SILENT: writes a line a second to $tmp/tap (none if SILENT)
guest() {
	local i
	for ((i = 0; i < $1; i++)); do
		[ "$2" = silent ] || echo "ok $i" >>"$tmp/tap"
		sleep 1
	done
}

run() {	# run SECONDS SILENT STALL TIMEOUT: sets killed and took
	local t0 pid
	: >"$tmp/tap"
	t0=$(date +%s)
	guest "$1" "$2" &
	pid=$!
	watch_guest "$pid" "$3" "$4" "$tmp/tap"
	wait "$pid" 2>/dev/null
	took=$(($(date +%s) - t0))
}

run 8 talk 3 60
ok "$([ -z "$killed" ] && [ "$took" -ge 8 ] && echo 0)" \
	"a guest printing every second for 8 s runs to its end with STALL=3 (${killed:-not killed}, ${took}s)"
ok "$([ -n "$first" ] && [ "$first" -le 2 ] && echo 0)" \
	"its first line is seen (after ${first:-?}s)"

run 60 silent 3 60
ok "$([[ $killed == hung:* ]] && [ "$took" -lt 40 ] && echo 0)" \
	"a silent guest is killed as hung after STALL=3 (${killed:-not killed}, ${took}s)"

run 60 talk 3 5
ok "$([[ $killed == "killed after 5s"* ]] && [ "$took" -lt 40 ] && echo 0)" \
	"one still printing is killed at TIMEOUT=5 (${killed:-not killed}, ${took}s)"
done_testing
