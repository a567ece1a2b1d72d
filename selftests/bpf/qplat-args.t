#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# qplat's USDT programs read a hit's arguments in one go (bpf/usdt_args.h):
# as the kernel verified them, none calls bpf_probe_read_kernel() (libbpf's
# bpf_usdt_arg() does, once per argument: eight helper calls per
# completion) and each asks for its attach cookie once. That the values
# read are the right ones, qplat-counts.t and qplat-complete.t show.
. "$(dirname "$0")/lib.sh"
need_bpf
d=/sys/fs/bpf/hwqnic-args-$$
trap 'rm -rf "$d"' EXIT

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

done_testing
