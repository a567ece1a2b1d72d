#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make demo: tools/demo.sh with DEMO_SECONDS=4 says how to watch it, and
# the command it gives (nictop with its default --maps) shows the
# workload's latencies while it runs; it ends with qplat's per-QP latency
# summary and the line on what tracing costs, and leaves no maps pinned.
# `make demo` installs DEMO_PKGS only: no qemu, valgrind or kernel image.
set -u
. "$(dirname "$0")/lib.sh"

# ---- what make demo installs (make -n: nothing is run) ----

make -C "$top" -s -n demo > /tmp/demo-n.$$ 2>&1
deps=$(grep 'tools/deps.sh' /tmp/demo-n.$$)
rm -f /tmp/demo-n.$$
echo "$deps" | diag
bad=
for p in qemu valgrind busybox linux-image linux-headers; do
	case $deps in *"$p"*) bad="$bad $p" ;; esac
done
case $deps in *DEPS_KERNEL=0*) ;; *) bad="$bad (a kernel image)" ;; esac
case $deps in *libbpf-dev*bpftool*) ;; *) bad="$bad (no libbpf-dev, bpftool)" ;; esac
[ -n "$deps" ] && [ -z "$bad" ]
ok $? "make demo installs the demo's packages only${bad:+: not$bad}"

[ "$(id -u)" = 0 ] || { done_testing; exit; }
for b in hwqload qplat nictop; do
	if [ ! -x "$bin/$b" ]; then
		ok 1 "$bin/$b is built (run make)"
		done_testing
		exit
	fi
done
if ! mountpoint -q /sys/fs/bpf && ! mount -t bpf bpf /sys/fs/bpf; then
	skip "the demo's tracing: no bpffs"
	done_testing
	exit
fi

tmp=$(mktemp -d)
demo=
cleanup() {
	[ -z "$demo" ] || kill -INT "$demo" 2> /dev/null
	[ -z "$demo" ] || finish "$demo" 50 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$top" && BUILD=build DEMO_SECONDS=4 exec tools/demo.sh) \
	> "$tmp/out" 2>&1 &
demo=$!
for _ in $(seq 300); do
	grep -q '^Watch it live' "$tmp/out" && break
	kill -0 "$demo" 2> /dev/null || break
	sleep 0.1
done
hint=$(sed -n 's/^Watch it live from another terminal: //p' "$tmp/out")
case $hint in
"$top"/build/bin/nictop | build/bin/nictop) pin=/sys/fs/bpf/hwqnic ;;
*"nictop --maps /sys/fs/bpf/hwqnic-demo-"*) pin=${hint##* } ;;
*) pin= ;;
esac
[ -n "$pin" ]
ok $? "one line says how to watch it: '$hint'"
[ -d "$pin/hists" ] || [ -e "$pin/hists" ]
ok $? "qplat's maps are pinned where that command looks ($pin)"

# that command, in batch mode, while the workload runs
(cd "$top" && ${hint:-false} -b --json -d 1 -n 2) > "$tmp/nictop.json" \
	2> "$tmp/nictop.err"
ok $? "$hint -b --json -d 1 -n 2 during the demo"
python3 - "$tmp/nictop.json" <<'PY' 2>&1 | diag
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])][-1]
assert o["latency_note"].startswith("qplat maps at"), o["latency_note"]
lat = [q for q in o["qps"] if q["comm"] == "hwqload" and
       q["device_p99_us"] is not None and q["e2e_p99_us"] is not None]
assert lat, o["qps"]
print("%d hwqload QPs with latencies" % len(lat))
PY
ok "${PIPESTATUS[0]}" "nictop shows the demo's latencies"

finish "$demo" 300
rc=$?
demo=
ok $rc "the demo ends, status 0"
diag < "$tmp/out"
grep -q '^ *total ' "$tmp/out"
ok $? "hwqload's totals"
grep -qi 'qpn.*p99\|p99.*qpn' "$tmp/out" ||
	{ grep -qi 'qpn' "$tmp/out" && grep -qi 'p99' "$tmp/out"; }
ok $? "qplat's per-QP latencies"
grep -Eq '^Tracing cost on this machine: hwqload [0-9.]+ Mmsg/s traced by qplat \(4 s\), [0-9.]+ untraced \(1 s\): [0-9.]+x the untraced rate, one run each$' \
	"$tmp/out"
ok $? "one line on what tracing costs, on this machine"
[ -n "$pin" ] && [ ! -e "$pin" ]
ok $? "no maps left pinned at $pin"

DEMO_SECONDS=abc "$top/tools/demo.sh" > "$tmp/bad" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "DEMO_SECONDS='abc' is not a number" "$tmp/bad"
ok $? "DEMO_SECONDS=abc: exit 2, says why"

done_testing
