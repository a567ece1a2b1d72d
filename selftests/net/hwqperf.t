#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqperf's two-process form across a veth pair, a device in each of two
# namespaces: the server bound with -d, the client with HWQNIC_NETDEV (and
# the other way round), lat and bw of every op; the client's table and
# JSON as in loopback, the server's one line; bw with 4 QP pairs of every
# op; a client whose run (op, size, QP pairs) differs from its server's is
# refused by both with the difference named; lat with -q 2 is refused.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
. "$top/selftests/net/netns.sh"
hwqperf=$top/build/bin/hwqperf
netns_test "$hwqperf"

# pair WAY SERVER_ARGS -- CLIENT_ARGS: netns.sh's two-process run
pair() {
	netns_two_hosts "$hwqperf" "$@"
}

# run WAY MODE OP N SIZE [--verify]: text output on both sides
run() {
	local way=$1 mode=$2 op=$3 iters=$4 size=$5 v=$6 head
	pair "$way" "$mode" --op "$op" -n "$iters" -s "$size" $v -- \
		"$mode" --op "$op" -n "$iters" -s "$size" $v
	head=' #bytes'
	[ "$src$crc" = 00 ] &&
		grep -q "^hwqperf: served $mode --op $op: $iters messages of $size bytes to QP [0-9]*" "$tmp/s.out" &&
		grep -q "^ hwqperf $mode --op $op: RC from hwqnic-[a-z0-9]* to 198.18.0.1 (QP [0-9]*)\$" "$tmp/c.out" &&
		grep -q "^$head" "$tmp/c.out" &&
		grep -Eq "^ +$size +$iters " "$tmp/c.out"
	ok $? "$mode --op $op, $size B x $iters${v:+ $v} ($way): the client's row, the server's line (rc $src/$crc)"
	[ "$src$crc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag
}

run d lat write 100 8
run e lat send 100 8 --verify
run d lat read 100 8
run e bw write 500 64
run d bw send 500 4096 --verify
run e bw read 200 65536

pair d bw --op write -n 300 -s 1024 -- bw --op write -n 300 -s 1024 --json
python3 - "$tmp/c.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"] == "hwqperf" and d["mode"] == "bw" and d["op"] == "write", d
assert d["size"] == 1024 and d["messages"] == 300 and d["mib_per_s"] > 0, d
PY
ok $? "bw --json: the client's JSON as in loopback (rc $src/$crc)"
grep -q "^hwqperf: served bw" "$tmp/s.out"
ok $? "the server's line on stdout"

pair d bw --op write -n 300 -s 1024 -- bw --op read -n 300 -s 1024
[ "$src" = 1 ] && [ "$crc" = 1 ] &&
	grep -q "the client runs bw --op read but this server bw --op write" "$tmp/s.err" &&
	grep -q "the server runs bw --op write but this client bw --op read" "$tmp/c.err"
ok $? "another op: both refuse, naming it ($(cat "$tmp/c.err"))"
pair d lat --op send -n 100 -s 64 -- lat --op send -n 100 -s 128
[ "$src" = 1 ] && [ "$crc" = 1 ] &&
	grep -q "message size: the server has 64, this client 128" "$tmp/c.err"
ok $? "another size: both refuse ($(cat "$tmp/c.err"))"

# bw with several QP pairs: every pair's messages, one JSON for them all
for args in "write -s 4096" "read -s 65536" "send -s 1024 --verify"; do
	pair e bw -q 4 -n 300 --op $args -- bw -q 4 -n 300 --op $args --json
	python3 - "$tmp/c.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"] == "hwqperf" and d["mode"] == "bw" and d["qps"] == 4, d
assert d["messages"] == 4 * 300 and d["mib_per_s"] > 0, d
PY
	[ "$?$src$crc" = 000 ] &&
		grep -q "^hwqperf: served bw --op ${args%% *}: 300 messages of [0-9]* bytes to QP [0-9]* and the next QPs, each" "$tmp/s.out"
	ok $? "bw -q 4 --op $args: 4 pairs over the wire, 1200 messages (rc $src/$crc)"
	[ "$src$crc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag
done
pair d bw -q 2 -n 100 -- bw -q 3 -n 100
[ "$src" = 1 ] && [ "$crc" = 1 ] &&
	grep -q "QP pairs: the server has 2, this client 3" "$tmp/c.err"
ok $? "another QP count: both refuse ($(cat "$tmp/c.err"))"

ip netns exec "${ns[1]}" timeout 60 "$hwqperf" lat -q 2 -d hwqb 198.18.0.1 \
	> "$tmp/c.out" 2> "$tmp/c.err"
[ "$?" = 2 ] && grep -q "one QP pair" "$tmp/c.err"
ok $? "lat -q 2 in the two-process form: a usage error ($(cat "$tmp/c.err"))"
done_testing
