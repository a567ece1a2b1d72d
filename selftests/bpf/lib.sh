# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shared by the BPF tests: TAP output, root and BPF checks, qplat runs.

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin
. "$top/selftests/tap.sh"

skip() {	# skip REASON: one test not run, and why
	n=$((n + 1))
	echo "ok $n # SKIP $*"
}

# (bpffs refuses names with a dot.)
# Root, bpffs, and a kernel that loads our object: else skip, saying why.
need_bpf() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (BPF, uprobes)"
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf ||
		skip_all "cannot mount bpffs"
	mountpoint -q /sys/kernel/tracing ||
		mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	[ -x "$bin/qplat" ] && [ -x "$bin/hwqload" ] ||
		skip_all "build/bin/qplat or hwqload missing (run make)"
	local d=/sys/fs/bpf/hwqnic-probe-$$
	if ! bpftool prog loadall "$top/bpf/qplat.bpf.o" "$d" >/dev/null 2>&1; then
		rm -rf "$d"
		skip_all "this kernel does not load bpf/qplat.bpf.o"
	fi
	rm -rf "$d"
}

# qplat_start OUT ERR ARGS...: qplat in the background, attached when it
# returns (qplat says "Tracing" on stderr once its probes are in place).
qplat_start() {
	local out=$1 err=$2 i
	shift 2
	: > "$err"	# there before the background shell opens it
	"$bin/qplat" "$@" > "$out" 2> "$err" &
	qplat_pid=$!
	for i in $(seq 100); do
		grep -q Tracing "$err" && return 0
		kill -0 "$qplat_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# qplat_stop: SIGINT, then wait at most 10 s; returns qplat's status.
qplat_stop() {
	local i
	kill -INT "$qplat_pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$qplat_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$qplat_pid" 2>/dev/null && kill -KILL "$qplat_pid"
	wait "$qplat_pid"
}
