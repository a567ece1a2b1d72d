#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqnic on a real link, in one run: two namespaces joined by veth through
# a third's bridge (selftests/net/netns.sh), a device bound to each end, and beside hwqnic's
# figures the same run's floor of the path: a UDP ping-pong of the same
# size over the same veth (hwqpingpong --type udp). Then 8 B SEND latency
# (hwqperf lat, its round trip against the UDP round trip), 64 B WRITE
# message rate and 64 KiB WRITE bandwidth (hwqperf bw, two processes), and
# the same under 1% loss of RoCEv2 packets on both ends (tc netem, or
# selftests/net/impair.bpf.o's loss1 where the kernel has no sch_netem;
# the UDP floor is the clean link's there). The WRITE figures' floor is
# the AF_XDP port's raw frame rate over the same link (build/bench/xdprate:
# libhwqnic's port, RC WRITE Only frames of 64 B and of the path MTU sent
# back to back for 2 s, counted by the other end): the 64 B message rate
# is given as a ratio to the 64 B frame rate, the 64 KiB bandwidth to the
# path-MTU frames' bandwidth (frame bytes, headers and ICRC included),
# each run's ratio to the same run's floor; under loss the floor is
# measured through the lossy link too. BENCH_RUNS runs each (default 3):
# the median, with the least and greatest. Needs root; every command is
# bounded. Never asserted: figures for a person to read.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${BUILD:-build}/bin
runs=${BENCH_RUNS:-3}
[ "$(id -u)" = 0 ] || { echo "bench-wire: needs root (namespaces, XDP); skipped"; exit 0; }
. "$top/selftests/net/netns.sh"
tmp=$(mktemp -d)
trap 'netns_del; rm -rf "$tmp"' EXIT
netns_pair mid || exit 1

# both NS ARGS...: a server in ns 0 and its client in ns 1; the client's
# stdout in $tmp/out; fails if either does
both() {
	local tool=$1 p rc
	shift
	ip netns exec "${ns[0]}" timeout 300 "$bin/$tool" "$@" -d hwqa \
		> "$tmp/server" 2>&1 &
	p=$!
	ip netns exec "${ns[1]}" timeout 300 "$bin/$tool" "$@" -d hwqb \
		198.18.0.1 > "$tmp/out" 2> "$tmp/err"
	rc=$?
	wait "$p" || rc=1
	[ "$rc" = 0 ] || { echo "bench-wire: $tool $*:" >&2; cat "$tmp/err" "$tmp/server" >&2; }
	return $rc
}

udp_rtt() {	# udp_rtt SIZE N: µs a round trip
	ip netns exec "${ns[1]}" timeout 300 "$bin/hwqpingpong" --type udp \
		-s "$1" -n "$2" 198.18.0.1 > "$tmp/udp" 2>&1 &
	local p=$!
	ip netns exec "${ns[0]}" timeout 300 "$bin/hwqpingpong" --type udp \
		-s "$1" -n "$2" > /dev/null 2>&1
	wait "$p" || return 1
	sed -n 's/.* = \([0-9.]*\) usec\/iter$/\1/p' "$tmp/udp"
}

key() {	# key NAME [FILE]: a JSON value of the client's, or of FILE
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "${2:-$tmp/out}" "$1"
}

# floor ARGS...: the AF_XDP port's frame rate, ns 1 to ns 0, its
# receiver's JSON in $tmp/floor
floor() {
	local p rc
	ip netns exec "${ns[0]}" timeout 60 "${BUILD:-build}/bench/xdprate" \
		-d hwqa -T 20 --json "$@" > "$tmp/floor" 2> "$tmp/floor.err" &
	p=$!
	ip netns exec "${ns[1]}" timeout 60 "${BUILD:-build}/bench/xdprate" \
		-d hwqb -t 2 "$@" 198.18.0.1 > /dev/null 2>> "$tmp/floor.err"
	rc=$?
	wait "$p" || rc=1
	[ "$rc" = 0 ] || { echo "bench-wire: xdprate $*:" >&2; cat "$tmp/floor.err" >&2; }
	return $rc
}

# stats LABEL UNIT VALUES...: median [min, max] over the runs
stats() {
	python3 - "$@" <<'PY'
import statistics, sys
label, unit, vals = sys.argv[1], sys.argv[2], [float(v) for v in sys.argv[3:]]
if not vals:
    print("  %-44s not measured" % label)
else:
    print("  %-44s %10.3f %s  [%.3f, %.3f], %d runs" % (label,
          statistics.median(vals), unit, min(vals), max(vals), len(vals)))
PY
}

# impair on|off: 1% of RoCEv2 packets lost each way, as the bridge sends
# them on: netem, or where the kernel has no sch_netem, the net tests' BPF
# program of the same loss
impair() {
	local d m=${ns[2]} obj=$top/selftests/net/impair.bpf.o
	for d in hwqm0 hwqm1; do
		if [ "$1" = off ]; then
			ip netns exec "$m" tc qdisc del dev "$d" root 2> /dev/null
			ip netns exec "$m" tc qdisc del dev "$d" clsact 2> /dev/null
		elif ip netns exec "$m" tc qdisc replace dev "$d" root \
				netem loss 1% 2> /dev/null; then
			how="tc netem"
		else
			[ -f "$obj" ] && ip netns exec "$m" tc qdisc add dev "$d" clsact &&
				ip netns exec "$m" tc filter add dev "$d" egress \
					bpf da obj "$obj" sec tc/loss1 || return 1
			how="impair.bpf.o's loss1, no sch_netem here"
		fi
	done
	return 0
}

how=
bench() {	# bench LABEL LAT_N: every figure, runs times
	local r u l m b f64 fmtu lr=() ar=() mr=() br=() ur=() ratio=()
	local fr=() fb=() mratio=() bratio=()
	for r in $(seq "$runs"); do
		f64= fmtu=
		floor -s 64 && f64=$(key frames_per_s "$tmp/floor") &&
			fr+=("$(python3 -c "print($f64 / 1e6)")")
		floor && fmtu=$(key mib_per_s "$tmp/floor") && fb+=("$fmtu")
		u=$(udp_rtt 8 "$2") && ur+=("$u")
		if both hwqperf lat --op send -s 8 -n "$2" --json; then
			l=$(key typical_us)
			lr+=("$l")
			ar+=("$(key avg_us)")
			[ -n "$u" ] && ratio+=("$(python3 -c "print(2 * $l / $u)")")
		fi
		if both hwqperf bw --op write -s 64 -n 200000 --cq-mod 64 --json; then
			m=$(key mpps)
			mr+=("$m")
			[ -n "$f64" ] && mratio+=("$(python3 -c "print($m * 1e6 / $f64)")")
		fi
		if both hwqperf bw --op write -s 64K -n 4000 --cq-mod 16 --json; then
			b=$(key mib_per_s)
			br+=("$b")
			[ -n "$fmtu" ] && bratio+=("$(python3 -c "print($b / $fmtu)")")
		fi
	done
	echo "$1:"
	stats "UDP ping-pong 8 B (floor), round trip" us "${ur[@]}"
	stats "hwqperf lat --op send 8 B, t_typical" us "${lr[@]}"
	stats "  its round trip / the UDP round trip" x "${ratio[@]}"
	stats "hwqperf lat --op send 8 B, t_avg" us "${ar[@]}"
	stats "AF_XDP frames of a 64 B WRITE (floor)" Mpps "${fr[@]}"
	stats "hwqperf bw --op write 64 B" Mpps "${mr[@]}"
	stats "  its rate / the 64 B frame rate" x "${mratio[@]}"
	stats "AF_XDP frames of the path MTU (floor)" MiB/s "${fb[@]}"
	stats "hwqperf bw --op write 64 KiB" MiB/s "${br[@]}"
	stats "  its bandwidth / the MTU frames' bandwidth" x "${bratio[@]}"
}

echo "hwqnic across a veth pair ($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
bench "clean link" 20000
if impair on; then
	bench "1% of RoCEv2 packets lost each way ($how)" 2000
	impair off
else
	echo "1% loss: not measured (no tc netem, no selftests/net/impair.bpf.o)"
fi
