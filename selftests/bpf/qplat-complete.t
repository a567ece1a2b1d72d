#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The completion event (docs/tracepoints.md): libhwqnic's USDT probe
# hwqnic:complete has its nine arguments (five 32-bit, four 64-bit
# times), and the times it carries are the right ones. The embedded
# engine, run with HWQNIC_INJECT_DELAY_NS=D, holds each send WQE D ns
# between its doorbell and its CQE: qplat's device latency, taken from the
# event alone (cqe_ns - db_ns), is then at least D for every WRITE, and
# end-to-end (poll_ns - post_ns) at least that; the five-event mode agrees.
# Lower bounds only: they hold however loaded the machine is.
. "$(dirname "$0")/lib.sh"
need_bpf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

lib=$top/build/release/libhwqnic.so
delay=200000	# ns
msgs=200

# the probe's argument sizes, from its ELF note (N@location each)
args=$(readelf -n "$lib" 2>/dev/null |
	awk '/Name: complete$/ { f = 1; next }
	     f && /Arguments:/ { sub(/.*Arguments: /, ""); print; exit }')
sizes=$(for a in $args; do printf '%s ' "${a%%@*}"; done)
[ "$sizes" = "4 4 4 4 4 8 8 8 8 " ]
ok $? "libhwqnic.so has USDT hwqnic:complete, arguments of 4,4,4,4,4,8,8,8,8 bytes (${sizes:-none})"

# every argument of every hwqnic probe in a register (N@%reg): one in
# memory costs the tracer a read of user memory per hit
mem=$(readelf -n "$lib" 2>/dev/null |
      awk '/Provider: hwqnic$/ { f = 1; next }
	   f && /Name:/ { name = $2; next }
	   f && /Arguments:/ { for (i = 2; i <= NF; i++)
				  if ($i !~ /@%/) printf "%s:%s ", name, $i
			      f = 0 }')
nprobes=$(readelf -n "$lib" 2>/dev/null | grep -c 'Provider: hwqnic$')
[ "$nprobes" -gt 0 ] && [ -z "$mem" ]
ok $? "libhwqnic.so's $nprobes hwqnic probe sites pass every argument in a register (${mem:-none in memory})"

# check.py QPLAT-JSON LOAD-JSON N DELAY_US: "OK" or what is wrong
cat > "$tmp/check.py" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
load = json.load(open(sys.argv[2]))
n, d_us = int(sys.argv[3]), float(sys.argv[4])
pid, qpn = load["pid"], load["qps"][0]["qpn"]
h = {}
for o in objs:
    for e in o["qps"]:
        if e["pid"] == pid and e["qpn"] == qpn and e["op"] == "write":
            h[e["latency"]] = e
bad = []
for lat in ("device", "pickup", "e2e"):
    if lat not in h or h[lat]["count"] != n:
        bad.append("%s: count %s, want %d" % (lat, h.get(lat, {}).get("count"), n))
if not bad:
    if h["device"]["min_us"] < d_us:
        bad.append("device min %.1f us < the engine's delay %.1f us" %
                   (h["device"]["min_us"], d_us))
    if h["e2e"]["min_us"] < h["device"]["min_us"] or h["e2e"]["min_us"] < d_us:
        bad.append("e2e min %.1f us below device min %.1f us or the delay" %
                   (h["e2e"]["min_us"], h["device"]["min_us"]))
print("\n".join(bad) if bad else "OK")
PY

for mode in complete five; do
	extra="-c 1"	# exact: every completion
	[ $mode = five ] && extra=--five-events
	# shellcheck disable=SC2086
	if qplat_start "$tmp/$mode.qplat" "$tmp/$mode.err" -B "$bin/hwqload" \
		--json $extra; then
		HWQNIC_INJECT_DELAY_NS=$delay "$bin/hwqload" -q 1 -n $msgs \
			--ops write --sizes 64 --json > "$tmp/$mode.load" \
			2> "$tmp/$mode.loaderr"
		rc=$?
	else
		rc=1
		diag < "$tmp/$mode.err"
	fi
	qplat_stop
	ok $(( rc | $? )) "hwqload -n $msgs WRITEs, engine delay ${delay} ns, under qplat ${extra:-(the completion event)}"
	res=$(python3 "$tmp/check.py" "$tmp/$mode.qplat" "$tmp/$mode.load" \
		$msgs $((delay / 1000)) 2>&1)
	why=
	[ "$res" = OK ] || why=" ($res)"
	ok $([ -z "$why" ]; echo $?) "$mode: $msgs samples of each latency; device >= the delay, e2e >= device$why"
done
grep -q '"events": *"complete"' "$tmp/complete.qplat"
ok $? "the default run used the completion event"

done_testing
