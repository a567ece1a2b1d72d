#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqload's two-process form across a veth pair, a device in each of two
# namespaces: the server bound with -d (or HWQNIC_NETDEV) adopts its
# client's mix; several QPs of every op, hwqload's own checks on both
# sides (each completion, the bytes that arrived, the receives against
# the SENDs), and the two sides' JSON telling the same counts; --errors
# on the wire; a server given a mix of its own, a client given a device
# bound to no netdev, and a peer that speaks another exchange refused.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
. "$top/selftests/net/netns.sh"
hwqload=$top/build/bin/hwqload
netns_test "$hwqload"
command -v python3 > /dev/null || skip_all "python3 is not installed"

# pair WAY SERVER_ARGS -- CLIENT_ARGS: netns.sh's two-process run
pair() {
	netns_two_hosts "$hwqload" "$@"
}

# same QPS N ERRORS: both JSON documents tell the same pairs and counts;
# with -n N every normal op completed N times, each SEND received; each
# side's QP of a pair counted its packets, and what one sent the other
# received (exactly, when nothing was sent twice)
same() {
	python3 - "$tmp/s.out" "$tmp/c.out" "$@" <<'PY'
import json, sys
s, c = (json.load(open(f)) for f in sys.argv[1:3])
qps, n, errs = (int(x) for x in sys.argv[3:6])
assert s["tool"] == c["tool"] == "hwqload", (s["tool"], c["tool"])
assert s["role"] == "server" and c["role"] == "client", (s["role"], c["role"])
assert len(c["qps"]) == len(c["responders"]) == qps, c
wire = lambda l, side: [q.pop("wire") for q in l[side]]
cw, sw = wire(c, "qps"), wire(s, "responders")
assert s["qps"] == c["qps"] and s["responders"] == c["responders"], (s, c)
for i, (a, b) in enumerate(zip(cw, sw)):
    assert a["tx_pkts"] >= c["qps"][i]["messages"] and b["tx_pkts"] > 0, (i, a, b)
    if a["retransmits"] == b["retransmits"] == 0:
        assert (a["tx_pkts"], a["tx_bytes"]) == (b["rx_pkts"], b["rx_bytes"]), (i, a, b)
        assert (b["tx_pkts"], b["tx_bytes"]) == (a["rx_pkts"], a["rx_bytes"]), (i, a, b)
assert s["total_messages"] == c["total_messages"] and \
    s["total_bytes"] == c["total_bytes"], (s, c)
ops = [q["op"] for q in c["qps"]]
assert set(ops) == {"send", "write", "read"}, ops
for i, (q, r) in enumerate(zip(c["qps"], c["responders"])):
    assert q["peer_qpn"] == r["qpn"], (q, r)
    e = errs if i == 0 else 0
    assert q["errors"] == e and q["messages"] == n + e, (i, q)
    assert q["bytes"] > 0, q
    assert r["recvs"] == (n if q["op"] == "send" else 0), (q, r)
PY
}

pair d --json -- -q 6 -n 300 --sizes 64,4K,16K --json
same 6 300 0
ok $? "-q 6 -n 300 of send, write, read (server -d): both sides check, their JSON agree, packets included (rc $src/$crc)"
[ "$src$crc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag

pair e --json -- -q 3 -n 200 --ops read,send,write --sizes 1,100,9000 --depth 4 --json
same 3 200 0
ok $? "-q 3 -n 200, odd sizes, --depth 4 (server HWQNIC_NETDEV): the same (rc $src/$crc)"
[ "$src$crc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag

pair d --json -- -q 3 -n 100 --errors 4 --json
same 3 100 4
ok $? "--errors 4: QP 0's bad rkeys fail on the wire, counted on both sides (rc $src/$crc)"
[ "$src$crc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag

pair d -- -q 4 -t 0.5
[ "$src$crc" = 00 ] &&
	grep -q "^hwqload on hwqnic-[a-z0-9]*, pid [0-9]*: 4 QP pairs, [0-9.]* s, the server\$" "$tmp/s.out" &&
	grep -q "^hwqload on hwqnic-[a-z0-9]*, pid [0-9]*: 4 QP pairs, [0-9.]* s, the client\$" "$tmp/c.out" &&
	[ "$(grep '^ total' "$tmp/s.out")" = "$(grep '^ total' "$tmp/c.out")" ] &&
	grep -Eq "^ +qpn +peer_qpn +op .* recvs +tx_pkts +rx_pkts +retx\$" "$tmp/c.out" &&
	grep -Eq "^ total +[1-9][0-9]* " "$tmp/c.out"
ok $? "-t 0.5, text: each side's table with its packets, the same totals (rc $src/$crc)"
[ "$src$crc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag

ip netns exec "${ns[0]}" timeout 60 "$hwqload" -q 2 -d hwqa > "$tmp/s.out" 2> "$tmp/s.err"
[ "$?" = 2 ] && grep -q "a server runs its client's mix" "$tmp/s.err"
ok $? "a server given -q: a usage error ($(cat "$tmp/s.err"))"

ip netns exec "${ns[1]}" timeout 60 env -u HWQNIC_NETDEV "$hwqload" -n 10 198.18.0.1 \
	> "$tmp/c.out" 2> "$tmp/c.err"
[ "$?" = 1 ] && grep -q "needs a device bound to a netdev" "$tmp/c.err"
ok $? "a client on a device bound to no netdev is refused ($(cat "$tmp/c.err"))"

# hwqperf's server is no hwqload server: the client's mix is refused
ip netns exec "${ns[0]}" timeout 60 "$top/build/bin/hwqperf" bw -n 10 -d hwqa \
	> "$tmp/s.out" 2> "$tmp/s.err" &
p=$!
pids="$pids $p"
ip netns exec "${ns[1]}" timeout 60 "$hwqload" -n 10 -d hwqb 198.18.0.1 \
	> "$tmp/c.out" 2> "$tmp/c.err"
crc=$?
wait "$p"
src=$?
[ "$src" != 0 ] && [ "$crc" != 0 ] && grep -q "the peer is no hwqperf" "$tmp/s.err"
ok $? "hwqperf's server and hwqload's client refuse each other ($(cat "$tmp/s.err"); $(cat "$tmp/c.err"))"
done_testing
