#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# bpf/roce_steer.bpf.o for tool builders: `bpftool prog load` takes it as
# an XDP program, and `bpftool map dump` prints its maps' values field by
# field (BTF): qp_stats per QP, port_stats for the netdev.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
obj=$top/bpf/roce_steer.bpf.o
[ "$(id -u)" = 0 ] || skip_all "needs root (BPF)"
command -v bpftool > /dev/null || skip_all "no bpftool (make deps installs it)"
[ -f "$obj" ] || skip_all "bpf/roce_steer.bpf.o missing (run make)"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf ||
	skip_all "cannot mount bpffs"
tmp=$(mktemp -d)
# (bpffs refuses names with a dot.)
pin=/sys/fs/bpf/hwqnic-steer-$$
trap 'rm -rf "$tmp" "$pin" "$pin-maps"' EXIT

bpftool prog load "$obj" "$pin" type xdp pinmaps "$pin-maps" > "$tmp/load" 2>&1
ok $? "bpftool prog load bpf/roce_steer.bpf.o type xdp"
diag < "$tmp/load"
bpftool prog show pinned "$pin" > "$tmp/show" 2>&1
grep -q 'xdp  name roce_steer' "$tmp/show" && grep -q 'btf_id' "$tmp/show"
ok $? "an XDP program named roce_steer, with BTF"
for m in qp_steer xsks qp_stats port_stats; do
	[ -e "$pin-maps/$m" ] || missing="$missing $m"
done
ok $([ -z "$missing" ]; echo $?) "maps qp_steer, xsks, qp_stats, port_stats${missing:+ (missing:$missing)}"

# QP 0x1234: 5 packets, 300 bytes, 1 dropped with no socket, 2 bad BTHs
bpftool map update pinned "$pin-maps/qp_stats" key 0x34 0x12 0 0 \
	value 5 0 0 0 0 0 0 0  0x2c 1 0 0 0 0 0 0  1 0 0 0 0 0 0 0 \
	2 0 0 0 0 0 0 0 > "$tmp/update" 2>&1
ok $? "bpftool map update of a qp_stats entry"
bpftool -j map dump pinned "$pin-maps/qp_stats" > "$tmp/qp.json" 2>&1
python3 - "$tmp/qp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [e["formatted"] for e in d if "formatted" in e]
assert len(rows) == 1, rows
assert rows[0]["key"] == 0x1234, rows[0]
assert rows[0]["value"] == {"rx_packets": 5, "rx_bytes": 300,
                            "drop_no_socket": 1, "drop_bad_bth": 2}, rows[0]
PY
ok $? "bpftool -j map dump qp_stats: QPN key, named counters"
bpftool map dump pinned "$pin-maps/port_stats" > "$tmp/port" 2>&1
grep -q '"passed": 0' "$tmp/port" && grep -q '"drop_unknown_qp": 0' "$tmp/port"
ok $? "bpftool map dump port_stats: named counters"
diag < "$tmp/port"
done_testing
