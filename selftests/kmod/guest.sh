#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The tests run inside the qemu guest (busybox sh, as root, on the Debian
# kernel). Prints TAP lines without numbers or plan: run-qemu.sh numbers
# them, adds its own checks and the plan. Each test is one call to
# check/ok/not_ok/skip; `#` lines are passed through as diagnostics.

mods=/lib/hwqnic
ev=/sys/kernel/tracing/events/hwqnic
plat=/sys/bus/platform/devices/hwqnic.0	# contexts, pinned_pages
failed=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
skip() {	# skip DESCRIPTION REASON
	echo "ok - $1 # SKIP $2"
}
diag() { sed 's/^/# /'; }

# The guest's clock, in hundredths of a second since boot.
now_cs() {
	read -r up _ </proc/uptime
	echo $(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}
secs() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }	# secs CS

# stage NAME: the previous stage's time is printed as a new one starts,
# so that a slow run shows where its time went.
stage_name=boot
stage_t=0
stage() {
	t=$(now_cs)
	echo "# time: $stage_name $(secs $((t - stage_t)))s (guest uptime $(secs "$t")s)"
	stage_name=$1
	stage_t=$t
}

# bounded SECONDS LABEL COMMAND...: COMMAND's output in /tmp/bounded.out
# and its status in $rc, killed after SECONDS. While it runs, a line every
# 10 s tells the host the guest is alive: a busy host makes the guest
# slow, and only a silent guest is taken for hung (QEMU_STALL). Both
# helpers sleep rather than poll, so as not to slow what they watch.
bounded() {
	limit=$1
	label=$2
	shift 2
	"$@" >/tmp/bounded.out 2>&1 &
	pid=$!
	(while sleep 10; do
		read -r up _ </proc/uptime
		echo "# $label: still running at guest uptime ${up}s"
	done) &
	beat=$!
	(sleep "$limit"; kill -KILL "$pid") 2>/dev/null &
	killer=$!
	wait "$pid"
	rc=$?
	kill "$beat" "$killer" 2>/dev/null
	wait "$beat" "$killer" 2>/dev/null
}

check() {	# check DESCRIPTION COMMAND...: ok if COMMAND succeeds, else its output
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		printf '%s\n' "$out" | diag
	fi
}

echo "# guest kernel $(uname -r)"

# GUEST_NET_ONLY=1 (run-qemu.sh): the network stage alone
if [ -f /lib/hwqnic/net-only ]; then
	. /guest-net.sh
	stage end
	exit 0
fi

# --- load ---
stage load
check "insmod hwqnic.ko" insmod "$mods/hwqnic.ko"
check "/sys/module/hwqnic exists" test -d /sys/module/hwqnic
check "platform device hwqnic.0" test -d $plat
check "engine kthread hwqnic0-engine" grep -qx hwqnic0-engine /proc/[0-9]*/comm

# --- tracepoints (docs/tracepoints.md) ---
stage tracepoints
for e in hwqnic_post hwqnic_db hwqnic_wqe hwqnic_cqe hwqnic_poll hwqnic_complete; do
	check "trace event hwqnic:$e" test -d "$ev/$e"
done
if [ -d "$ev/hwqnic_post" ]; then
	check "enable hwqnic:hwqnic_post" sh -c "echo 1 >$ev/hwqnic_post/enable"
	check "hwqnic:hwqnic_post is enabled" grep -qx 1 "$ev/hwqnic_post/enable"
	check "hwqnic:hwqnic_post format has print fmt" \
		grep -q '^print fmt:' "$ev/hwqnic_post/format"
	check "disable hwqnic:hwqnic_post" sh -c "echo 0 >$ev/hwqnic_post/enable"
else
	skip "enable and read hwqnic:hwqnic_post" "event missing"
fi

# --- the verbs suite on both backends, and the raw ABI's tests ---
stage "test programs"
# Each test program is one line here; its own failures come as diagnostics.
# Full size, as on the host; the time bounds are a slow guest's on a busy
# host, where a program may take tens of times what it takes on an idle
# one: its waits 120 s each, the whole program 900 s.
# A verbs test runs its checks once per backend (selftests/lib/backend.c),
# each pass ending with "ok N - <backend>: the pass ends cleanly": here
# both must have run, unless the test says it is for one backend only.
check "/dev/hwqnic0 exists" test -c /dev/hwqnic0
passes() {	# passes OUTPUT: the backends that ran; $missing: those that did not
	ran=
	missing=
	printf '%s\n' "$1" | grep -qE '^(not )?ok [0-9]+ - (embedded|kernel): ' ||
		return 0
	for b in embedded kernel; do
		if printf '%s\n' "$1" |
		   grep -qE "^ok [0-9]+ - $b: the pass ends cleanly"; then
			ran="$ran $b"
		elif ! printf '%s\n' "$1" |
		     grep -qE "^ok [0-9]+ - $b: backend # SKIP this test is for the [a-z]+ backend only"; then
			missing="$missing $b"
		fi
	done
}
for t in /bin/*.t; do
	[ -x "$t" ] || continue
	name=${t##*/}
	t0=$(now_cs)
	bounded 900 "$name" env HWQNIC_TEST_TIMEOUT=120 "$t"
	out=$(cat /tmp/bounded.out)
	took=$(secs $(($(now_cs) - t0)))
	plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
	passes "$out"
	if [ $rc = 0 ] && [ -n "$plan" ] && [ -z "$missing" ]; then
		ok "$name ($plan tests, ${took}s${ran:+; backends:$ran})"
	else
		not_ok "$name (exit $rc, ${took}s${missing:+; backends that did not run:$missing})"
		printf '%s\n' "$out" | grep -v '^ok' | head -40 | diag
	fi
done
check "every context freed: contexts = 0" \
	grep -qx 0 $plat/contexts
check "every page unpinned: pinned_pages = 0" \
	grep -qx 0 $plat/pinned_pages

# --- a process on the kernel backend: nictop sees it; killed, it is freed ---
stage "a process killed"
HWQNIC_BACKEND=kernel /bin/hwqperf bw --op write -s 4096 -n 1000000000 \
	>/dev/null 2>&1 &
bw=$!
sleep 1
check "hwqperf on the kernel backend: a context and its engine kthread" \
	sh -c "grep -qx 1 $plat/contexts &&
	       test \$(grep -lx 'hwqnic[1-9][0-9]*-engine' /proc/[0-9]*/comm | wc -l) = 1"
if [ -x /bin/nictop ]; then
	snap=$(/bin/nictop -b --json -n 2 -d 0.5 -p "$bw" | tail -n 1)
	ops=$(printf '%s\n' "$snap" | grep -o '"ops_per_s": [0-9.]*' | head -n 1 | sed 's/.*: //')
	dev=$(printf '%s\n' "$snap" | grep -o '"dev": "hwqnic[0-9]*"' | head -n 1 | sed 's/.*: "//; s/"$//')
	check "nictop sees its QPs through the stats file the kernel writes ($dev, ${ops:-no} ops/s)" \
		sh -c "[ -n '$dev' ] && [ \"\$(echo '${ops:-0}' | cut -d. -f1)\" -gt 0 ]"
fi
kill -KILL "$bw"
wait "$bw" 2>/dev/null
for _ in $(seq 50); do
	grep -qx 0 $plat/contexts && break
	sleep 0.1
done
check "killed mid-traffic: no context, no pinned page, no engine left" \
	sh -c "grep -qx 0 $plat/contexts &&
	       grep -qx 0 $plat/pinned_pages &&
	       test \$(grep -lx 'hwqnic[1-9][0-9]*-engine' /proc/[0-9]*/comm 2>/dev/null | wc -l) = 0"

# --- the two backends side by side, in this boot (printed, not asserted) ---
stage "the backends side by side"
lat() { HWQNIC_BACKEND=$1 /bin/hwqperf lat --op send -s 8 -n 20000 --json 2>/dev/null; }
rate() { HWQNIC_BACKEND=$1 /bin/hwqperf bw --op write -s 64 -n 400000 --cq-mod 64 --json 2>/dev/null; }
field() { printf '%s\n' "$1" | grep -o "\"$2\": [0-9.]*" | sed 's/.*: //'; }
le=$(field "$(lat embedded)" typical_us)
lk=$(field "$(lat kernel)" typical_us)
me=$(field "$(rate embedded)" mpps)
mk=$(field "$(rate kernel)" mpps)
echo "# hwqperf lat send 8 B, t_typical: embedded ${le:-?} us, kernel ${lk:-?} us"
echo "# hwqperf bw write 64 B: embedded ${me:-?} Mpps, kernel ${mk:-?} Mpps"
if [ -n "$le" ] && [ -n "$lk" ] && [ -n "$me" ] && [ -n "$mk" ]; then
	awk -v le="$le" -v lk="$lk" -v me="$me" -v mk="$mk" 'BEGIN {
		printf "# kernel/embedded: latency %.2fx, message rate %.2fx\n",
		       lk / le, mk / me }'
fi

# --- the exported verbs, driven by an in-kernel consumer ---
stage "in-kernel consumer and qplat"
# Its TAP lines reach the kernel log; they are taken from there. The
# consumer runs at insmod, traced by qplat -k (the hwqnic_complete
# tracepoint alone: its QPs, created while traced, carry times): every WR
# it posts is signaled, so the histograms must hold exactly its
# completions.
iters=300
kv=hwqnic_kverbs_test
qerr=/tmp/qplat.err
qplat_pid=
qplat_start() {	# qplat_start ARGS...: qplat --json into $qlog, once attached
	/bin/qplat "$@" --json >"$qlog" 2>"$qerr" &
	qplat_pid=$!
	# attached once it says so (TCG is slow to load BPF: up to 60 s on
	# a busy host)
	for _ in $(seq 600); do
		grep -q '^Tracing' "$qerr" && break
		kill -0 "$qplat_pid" 2>/dev/null || break
		sleep 0.1
	done
}
if [ -x /bin/qplat ]; then
	qlog=/tmp/qplat.json
	qplat_start -k
	check "qplat -k attaches to the hwqnic tracepoints" grep -q '^Tracing' "$qerr"
fi
dmesg -c >/dev/null
check "insmod $kv.ko iters=$iters" insmod "$mods/$kv.ko" iters=$iters
klog=$(dmesg | sed -n "s/^.*$kv: //p")
printf '%s\n' "$klog" | sed -n 's/^\(not ok\|ok\) [0-9]* /\1 /p'
printf '%s\n' "$klog" | grep '^#'
plan=$(printf '%s\n' "$klog" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
ran=$(printf '%s\n' "$klog" | grep -cE '^(not )?ok [0-9]+ ')
check "$kv ran its plan ($ran of ${plan:-no plan})" test -n "$plan" -a "$ran" = "$plan"
check "rmmod $kv" rmmod $kv

# qplat -k over that known workload: the counts are exact.
a=$(printf '%s\n' "$klog" | sed -n 's/^# A is QP \([0-9]*\), B is QP \([0-9]*\)$/\1/p')
b=$(printf '%s\n' "$klog" | sed -n 's/^# A is QP \([0-9]*\), B is QP \([0-9]*\)$/\2/p')
qdev=0		# the dev_index the counts are of (a pattern)
hist_count() {	# hist_count QPN OP LATENCY: the histogram's count, or none
	grep -o "\"pid\": 0, \"dev\": [^,]*, \"dev_index\": $qdev, \"qpn\": $1, \"op\": \"$2\", \"latency\": \"$3\", \"count\": [0-9]*" "$qlog" |
		sed 's/.*: //'
}
ctr() {		# ctr QPN FIELD: QP QPN's counter FIELD (a number or null), or none
	grep -o "{\"pid\": 0, \"dev\": [^,]*, \"dev_index\": $qdev, \"qpn\": $1, [^}]*}" "$qlog" |
		grep -o "\"$2\": [0-9a-z]*" | sed 's/.*: //'
}
expect() {	# expect DESCRIPTION GOT WANT
	if [ "$2" = "$3" ]; then
		ok "$1: $2"
	else
		not_ok "$1: got '${2:-none}', want $3"
	fi
}
if [ -n "$qplat_pid" ]; then
	kill -INT "$qplat_pid"
	wait "$qplat_pid"
	check "qplat -k exits 0 on SIGINT" test $? = 0
	if [ -n "$a" ] && [ -n "$b" ]; then
		# SENDs, RECVs and READs: $iters each; WRITEs: 2 more (the CQ
		# handler check); the access error's 2 CQEs carry no latency.
		for lat in device pickup e2e; do
			expect "qplat -k: QP $a send $lat" "$(hist_count "$a" send $lat)" $iters
			expect "qplat -k: QP $a write $lat" "$(hist_count "$a" write $lat)" $((iters + 2))
			expect "qplat -k: QP $a read $lat" "$(hist_count "$a" read $lat)" $iters
		done
		expect "qplat -k: QP $b recv e2e" "$(hist_count "$b" recv e2e)" $iters
		# the completion event counts completions polled, not WQEs
		expect "qplat -k: QP $a WQEs" "$(ctr "$a" wqes)" null
		expect "qplat -k: QP $a polls" "$(ctr "$a" polls)" $((3 * iters + 4))
		expect "qplat -k: QP $a error CQEs" "$(ctr "$a" errors)" 2
		expect "qplat -k: QP $b polls" "$(ctr "$b" polls)" $iters
	else
		not_ok "qplat -k: the consumer named its QPs"
	fi
	sed 's/^/# qplat: /' "$qerr"
else
	skip "qplat -k over the consumer's workload" "no /bin/qplat in the initramfs"
fi

# qplat -k -B over a process on the kernel backend: by default its
# completion event (a USDT probe: it polls in its own address space) with
# the times hwqnic.ko's engine wrote; with --five-events the host's events
# are its USDT probes, the engine's the tracepoints, and they meet. The
# counts are exact either way.
n=400
for mode in complete five; do
if [ -x /bin/qplat ] && [ -x /bin/hwqload ]; then
	qlog=/tmp/qplat-kb-$mode.json
	qdev='[0-9]*'
	if [ $mode = five ]; then
		qplat_start -k -B /bin/hwqload --five-events
	else
		qplat_start -k -B /bin/hwqload -c 1	# exact
	fi
	check "qplat -k -B attaches to hwqload's probes and the tracepoints" \
		grep -q '^Tracing.* and hwqnic.ko' "$qerr"
	check "hwqload -n $n --ops write on the kernel backend" sh -c \
		"HWQNIC_BACKEND=kernel /bin/hwqload -q 1 -n $n --ops write --sizes 64,4K >/dev/null"
	kill -INT "$qplat_pid"
	wait "$qplat_pid"
	for lat in device pickup e2e; do
		expect "qplat -k -B ($mode): QP 16 write $lat" "$(hist_count 16 write $lat)" $n
	done
	if [ $mode = five ]; then
		expect "qplat -k -B ($mode): QP 16 WQEs" "$(ctr 16 wqes)" $n
	else
		expect "qplat -k -B ($mode): QP 16 CQEs written" "$(ctr 16 cqes)" null
	fi
	expect "qplat -k -B ($mode): QP 16 polls" "$(ctr 16 polls)" $n
	sed 's/^/# qplat: /' "$qerr"
fi
done

# --- the accuracy test on hwqnic.ko (docs/tests.md) ---
# hwqhold on the kernel backend under qplat -k -p in each of hold.sh's
# modes, with the host's checks: hwqnic.ko's engine writes the CQE times,
# the process polls in its own address space. (nictop is not compared
# here: qplat -k charges every event to pid 0, and nictop's rows are the
# process's own.) Fewer completions than on the host: TCG is slow.
stage "accuracy (hwqhold under qplat -k)"
if [ -x /bin/qplat ] && [ -x /bin/hwqhold ] && [ -f /hold.sh ]; then
	. /hold.sh
	hcount=40
	m=0
	old_ifs=$IFS
	IFS='
'
	for mode in $hold_modes; do
		IFS=$old_ifs
		m=$((m + 1))
		counts=${mode%%|*}
		args=${mode#*|}
		happ=/tmp/hold$m.app
		qlog=/tmp/hold$m.qplat
		rm -f /tmp/hold.in
		mkfifo /tmp/hold.in
		HWQNIC_BACKEND=kernel /bin/hwqhold -w -n $hcount -t 900 \
			</tmp/hold.in >$happ 2>/tmp/hold.err &
		hpid=$!
		exec 3>/tmp/hold.in
		for _ in $(seq 300); do
			grep -q '^ready' $happ && break
			kill -0 $hpid 2>/dev/null || break
			sleep 0.1
		done
		# shellcheck disable=SC2086	# its arguments, one a word
		qplat_start -k -p $hpid $args 3>&-
		check "qplat -k -p ${args:-(the completion event)} attaches to hwqhold" \
			grep -q '^Tracing' "$qerr"
		echo go >&3
		# a line every 10 s while it runs: only a silent guest is hung
		i=0
		while ! grep -q '^done' $happ && kill -0 $hpid 2>/dev/null &&
		      [ $i -lt 9000 ]; do
			i=$((i + 1))
			[ $((i % 100)) = 0 ] &&
				echo "# hwqhold: still running after $((i / 10)) s"
			sleep 0.1
		done
		exec 3>&-
		for _ in $(seq 100); do
			kill -0 $hpid 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL $hpid 2>/dev/null
		wait $hpid
		hrc=$?
		check "hwqhold -n $hcount on the kernel backend under qplat -k -p ${args:-(the completion event)} (exit $hrc)" \
			sh -c "[ $hrc = 0 ] && grep -q '^done' $happ"
		kill -INT "$qplat_pid" 2>/dev/null
		wait "$qplat_pid"
		sed 's/^/# hwqhold: /' $happ /tmp/hold.err
		for q in $(hold_qpns $happ); do
			res=$(hold_verdict $happ "$qlog" "$q" "$counts")
			case $res in
			OK:*)	ok "qplat -k ${args:-default}: ${res#OK: }" ;;
			*)	not_ok "qplat -k ${args:-default}: $res" ;;
			esac
		done
		sed 's/^/# qplat: /' "$qerr"
		IFS='
'
	done
	IFS=$old_ifs
else
	skip "the accuracy test on hwqnic.ko" "no /bin/qplat, /bin/hwqhold or /hold.sh in the initramfs"
fi

# --- unload ---
stage unload
check "rmmod hwqnic" rmmod hwqnic
check "/sys/module/hwqnic is gone" test ! -e /sys/module/hwqnic
check "and its platform device" test ! -e $plat
check "and its kthread" sh -c '! grep -qx hwqnic0-engine /proc/[0-9]*/comm'
# a second life starts as clean as the first
check "insmod again" insmod "$mods/hwqnic.ko"
check "$kv passes again (iters=20)" sh -c \
	"dmesg -c >/dev/null; insmod $mods/$kv.ko iters=20 &&
	 dmesg | grep -q '$kv: [0-9]* passed, 0 failed' && rmmod $kv"
check "rmmod again" rmmod hwqnic

# --- the network stage: netem, and rdma_rxe against hwqnic ---
[ -f /guest-net.sh ] && . /guest-net.sh

stage end
[ "$failed" = 0 ] || echo "# $failed guest test(s) failed"
# Exit status 0 means the script ran to its end; the failures are in the TAP.
exit 0
