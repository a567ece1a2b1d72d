#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# libhwqnic's USDT probe sites on x86-64 are 5-byte nops
# (kmod/core/osdep_user.h), in the shared library and in a tool linked
# statically against it, one site a probe with every argument in a
# register of 4 or 8 bytes (what qplat reads straight from the saved
# registers): on a kernel that optimizes uprobes on them, a traced
# process maps the kernel's uprobe trampoline, which it calls in place of
# the int3 trap.
. "$(dirname "$0")/lib.sh"
[ "$(uname -m)" = x86_64 ] || skip_all "5-byte nop sites are x86-64's"
command -v objdump > /dev/null || skip_all "no objdump (binutils)"

# sites FILE: "address bytes" of each hwqnic probe site of FILE
sites() {
	readelf -n "$1" 2>/dev/null | awk '
		/Provider: hwqnic$/ { p = 1; next }
		/Provider:/ { p = 0 }
		p && /Location:/ { sub(/,$/, "", $2); print $2 }' |
	while read -r a; do
		printf '%s ' "$a"
		objdump -d --start-address=$((a)) --stop-address=$((a + 5)) \
			"$1" | awk -F'\t' '/^ *[0-9a-f]+:/ { print $2; exit }'
	done
}

for f in "$top/build/release/libhwqnic.so" "$bin/hwqperf"; do
	s=$(sites "$f")
	count=$(grep -c . <<< "$s")
	bad=$(grep -v ' 0f 1f 44 00 00 *$' <<< "$s")
	[ "$count" -ge 6 ] && [ -z "$bad" ]
	ok $? "${f#"$top"/}: its $count hwqnic probe sites are 5-byte nops (0f 1f 44 00 00)${bad:+; not: $bad}"
done

# probes FILE: "name args" of each hwqnic probe site of FILE
probes() {
	readelf -n "$1" 2>/dev/null | awk '
		/Provider:/ { p = $2 == "hwqnic" }
		p && /Name:/ { name = $2 }
		p && /Arguments:/ { sub(/.*Arguments: */, ""); print name, $0 }'
}
for f in "$top/build/release/libhwqnic.so" "$bin/hwqperf"; do
	s=$(probes "$f")
	names=$(awk '{ print $1 }' <<< "$s" | sort | xargs)
	bad=$(awk '{ for (i = 2; i <= NF; i++)
			if ($i !~ /^[48]@%[a-z0-9]+$/) print $1 ": " $i }' <<< "$s")
	[ "$names" = "complete cqe db poll post wqe" ] && [ -z "$bad" ]
	ok $? "${f#"$top"/}: one site a probe ($names), each argument an unsigned register of 4 or 8 bytes${bad:+; not: $bad}"
done

need_bpf
grep -qw arch_uprobe_optimize /proc/kallsyms 2> /dev/null ||
	{ skip "this kernel does not optimize uprobes (no arch_uprobe_optimize)"; done_testing; exit; }
tmp=$(mktemp -d)
perf_pid=
trap 'rm -rf "$tmp"; [ -z "$perf_pid" ] || kill -KILL "$perf_pid" 2>/dev/null' EXIT
mapped=1
if qplat_start "$tmp/out" "$tmp/err" -B "$bin/hwqperf" -c 1 --json; then
	"$bin/hwqperf" bw --op write -s 64 --duration=1 > /dev/null 2>&1 &
	perf_pid=$!
	for _ in $(seq 50); do
		grep -q '\[uprobes-trampoline\]' "/proc/$perf_pid/maps" \
			2> /dev/null && { mapped=0; break; }
		kill -0 "$perf_pid" 2> /dev/null || break
		sleep 0.1
	done
	wait "$perf_pid"
	perf_pid=
else
	diag < "$tmp/err"
fi
qplat_stop
ok $mapped "hwqperf under qplat -c 1 maps [uprobes-trampoline]: its probe is a call, not a trap"
done_testing
