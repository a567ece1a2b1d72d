#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# qplat's USDT programs read a hit's arguments in one go (bpf/usdt_args.h):
# as the kernel verified them, none calls bpf_probe_read_kernel() (libbpf's
# bpf_usdt_arg() does, once per argument: eight helper calls per
# completion) and each asks for its attach cookie once. That the values
# read from registers are the right ones, qplat-counts.t and
# qplat-complete.t show; here a program built with the compiler's default
# operands fires hwqnic:complete with constants and values in memory
# (another build of libhwqnic could), and qplat reads those right too;
# built with registers only, qplat finds them in its note before it
# loads, and the program loads them from the trap's saved registers; the
# event of an older libhwqnic, without poll_ns, is refused with a reason.
. "$(dirname "$0")/lib.sh"
need_bpf
d=/sys/fs/bpf/hwqnic-args-$$
tmp=$(mktemp -d)
trap 'rm -rf "$d" "$tmp"' EXIT

bpftool prog loadall "$top/bpf/qplat.bpf.o" "$d" > /dev/null 2>&1
ok $? "bpf/qplat.bpf.o loads"
for p in post db wqe cqe poll complete; do
	x=$(bpftool prog dump xlated pinned "$d/qplat_$p" 2>&1)
	reads=$(grep -c 'call bpf_probe_read_kernel' <<< "$x")
	cookies=$(grep -c 'call bpf_get_attach_cookie' <<< "$x")
	insns=$(grep -c '^ *[0-9]*:' <<< "$x")
	[ "$insns" -gt 0 ] && [ "$reads" = 0 ] && [ "$cookies" -le 1 ]
	ok $? "qplat_$p: $insns instructions, $reads bpf_probe_read_kernel calls (want 0), $cookies attach cookie reads (want at most 1)"
done

# -O0 and sdt.h's own operand constraint: constants ($N) and stack slots
cat > "$tmp/fire.c" <<'C'
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <stdlib.h>
#include <time.h>

unsigned short hwqnic_complete_semaphore
	__attribute__((section(".probes"), used));

/* argv[1] completions of a WRITE on QP 17, once a tracer is attached */
int main(int argc, char **argv)
{
	unsigned int qpn = 17, len = 64;
	unsigned long long post, db, cqe, poll;
	struct timespec t;
	int i, n = argc > 1 ? atoi(argv[1]) : 0;

	for (i = 0; i < 1000 && !hwqnic_complete_semaphore; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	if (!hwqnic_complete_semaphore)
		return 1;
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		/* written 1 ms before the poll, 2 ms after its doorbell, 4
		 * after its post */
		poll = t.tv_sec * 1000000000ULL + t.tv_nsec;
		cqe = poll - 1000000;
		db = cqe - 2000000;
		post = db - 4000000;
#ifdef OLD8	/* the event before it carried poll_ns */
		STAP_PROBE8(hwqnic, complete, 0, qpn, 1, 0, len, post, db, cqe);
		(void)poll;
#else
		STAP_PROBE9(hwqnic, complete, 0, qpn, 1, 0, len, post, db, cqe,
			    poll);
#endif
	}
	return 0;
}
C
# fire NAME WANT CFLAGS...: the program built with CFLAGS as NAME; qplat
# -v says how it reads its arguments (WANT, a pattern) and counts its
# completions right. Leaves the probe's arguments in NAME.args and how
# often the program qplat ran calls for its attach cookie (it needs it
# only to decode the spec) in NAME.cookies.
fire() {
	local name=$1 want=$2 args rc res cookies id
	shift 2
	gcc -std=gnu11 "$@" -o "$tmp/$name" "$tmp/fire.c" 2> "$tmp/cc.err"
	rc=$?
	ok $rc "a program firing hwqnic:complete builds ($*)"
	[ $rc = 0 ] || diag < "$tmp/cc.err"
	args=$(readelf -n "$tmp/$name" 2>/dev/null |
		awk '/Name: complete$/ { f = 1; next }
		     f && /Arguments:/ { sub(/.*Arguments: /, ""); print; exit }')
	echo "$args" > "$tmp/$name.args"
	if qplat_start "$tmp/qplat.json" "$tmp/qplat.err" -v -B "$tmp/$name" \
		--json -c 1; then
		id=$(bpftool -j link show 2>/dev/null | python3 -c '
import json, sys
for l in json.load(sys.stdin):
    if l.get("prog_id") and l.get("type") in ("perf_event", "uprobe_multi"):
        print(l["prog_id"])' | while read -r p; do
			bpftool prog show id "$p" 2>/dev/null |
				grep -q qplat_complete && echo "$p"
		done | tail -1)
		cookies=$(bpftool prog dump xlated id "${id:-0}" 2>/dev/null |
			grep -c 'call bpf_get_attach_cookie')
		"$tmp/$name" $fires
		rc=$?
	else
		rc=1
		diag < "$tmp/qplat.err"
	fi
	qplat_stop
	ok $(( rc | $? )) "qplat -B -c 1 over $fires completions fired with them"
	grep -q "hwqnic:complete: $want" "$tmp/qplat.err"
	ok $? "qplat reads them: $(grep -o 'hwqnic:complete: .*' "$tmp/qplat.err")"
	res=$(python3 - "$tmp/qplat.json" $fires <<'PY'
import json, sys
n = int(sys.argv[2])
h, c = {}, []
for l in open(sys.argv[1]):
    if l.strip():
        o = json.loads(l)
        h.update((e["latency"], e) for e in o["qps"]
                 if e["qpn"] == 17 and e["op"] == "write")
        c += [x for x in o["counters"] if x["qpn"] == 17]
bad = []
want = {"device": (2000, 2000), "pickup": (1000, 1000), "e2e": (7000, 7000)}
for lat, (lo, hi) in want.items():
    e = h.get(lat)
    if not e or e["count"] != n or e["min_us"] < lo or \
       (hi is not None and e["max_us"] > hi):
        bad.append("%s: %s" % (lat, e and (e["count"], e["min_us"],
                                           e["max_us"])))
if not c or c[-1]["bytes"] != 64 * n or c[-1]["polls"] != n:
    bad.append("counters: %s" % c[-1:])
print("; ".join(bad) or "OK")
PY
)
	[ "$res" = OK ]
	ok $? "QP 17's WRITEs: $fires of each latency, device exactly 2 ms, pickup 1 ms, end-to-end 7 ms, 64 bytes each ($res)"
	echo "$cookies" > "$tmp/$name.cookies"
}

fires=50
fire memory "arguments decoded each hit" -O0
args=$(cat "$tmp/memory.args")
grep -q '@\$' <<< "$args" && grep -q '@-[0-9]*(%' <<< "$args"
ok $? "-O0: its arguments include constants and values in memory ($args)"
[ "$(cat "$tmp/memory.cookies")" = 1 ]
ok $? "its program decodes libbpf's spec: one attach cookie read"
# libhwqnic's own constraint, and registers the compiler picks
fire regs "9 arguments read from registers" -O2 -DSTAP_SDT_ARG_CONSTRAINT=r
args=$(cat "$tmp/regs.args")
! grep -q '[$(]' <<< "$args"
ok $? "-O2, constraint r: all in registers ($args)"
[ "$(cat "$tmp/regs.cookies")" = 0 ]
ok $? "its program loads them from the saved registers: no attach cookie read"

# a library older than this qplat: complete without poll_ns, refused
gcc -std=gnu11 -O2 -DSTAP_SDT_ARG_CONSTRAINT=r -DOLD8 -o "$tmp/old8" \
	"$tmp/fire.c" 2> "$tmp/cc.err"
"$bin/qplat" -B "$tmp/old8" -c 1 > /dev/null 2> "$tmp/old8.err"
rc=$?
[ $rc = 1 ] && grep -q "hwqnic:complete has 8 arguments, not 9" "$tmp/old8.err"
ok $? "an 8-argument complete (an older libhwqnic): qplat says so, exit 1 ($rc; $(grep -o 'hwqnic:complete has.*' "$tmp/old8.err"))"

done_testing
