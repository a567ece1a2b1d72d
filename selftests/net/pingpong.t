#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqpingpong across a veth pair, a device in each of two namespaces: RC,
# UC and UD, each role on each side, 64 B and MTU-sized messages with
# -m 1024 (RC and UC also 4096 B, four packets), every byte checked (-c),
# rdma-core's summary lines. Then its exchange against a peer that speaks
# rdma-core's to the byte (a script, as ibv_rc_pingpong's
# pp_*_exch_dest() do): the 52-byte "%04x:%06x:%06x:%s" message with its
# NUL, the client's first, then "done" with its NUL; a malformed peer
# message is refused clearly.
# --type udp, the path's latency floor for tools/bench-wire.sh, too.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
. "$top/selftests/net/netns.sh"
pp=$top/build/bin/hwqpingpong
netns_test "$pp"
dev=(hwqa hwqb)
addr=(198.18.0.1 198.18.0.2)
gid=(::ffff:198.18.0.1 ::ffff:198.18.0.2)

# run SERVER_SIDE ARGS...: the server on that side, the client on the
# other, both bounded; rc of each in src and crc
run() {
	local s=$1 c=$((1 - $1)) p
	shift
	ip netns exec "${ns[$s]}" timeout 60 "$pp" -d "${dev[$s]}" -g 0 "$@" \
		> "$tmp/s.out" 2> "$tmp/s.err" &
	p=$!
	pids="$pids $p"
	ip netns exec "${ns[$c]}" timeout 60 "$pp" -d "${dev[$c]}" -g 0 "$@" \
		"${addr[$s]}" > "$tmp/c.out" 2> "$tmp/c.err"
	crc=$?
	wait "$p"
	src=$?
}

# rdma-core's lines: both addresses, then the summary of N iterations of
# SIZE bytes each way
lines_ok() {	# lines_ok FILE SIDE N SIZE
	local f=$1 me=$2 n=$3 size=$4
	grep -Eq "^  local address:  LID 0x0000, QPN 0x[0-9a-f]{6}, PSN 0x[0-9a-f]{6}, GID ${gid[$me]}\$" "$f" &&
	grep -Eq "^  remote address: LID 0x0000, QPN 0x[0-9a-f]{6}, PSN 0x[0-9a-f]{6}, GID ${gid[$((1 - me))]}\$" "$f" &&
	grep -Eq "^$((n * size * 2)) bytes in [0-9]+\.[0-9]{2} seconds = [0-9]+\.[0-9]{2} Mbit/sec\$" "$f" &&
	grep -Eq "^$n iters in [0-9]+\.[0-9]{2} seconds = [0-9]+\.[0-9]{2} usec/iter\$" "$f"
}

iters=200
for t in rc uc ud; do
	sizes="64 1024"
	[ "$t" != ud ] && sizes="64 1024 4096"
	for size in $sizes; do
		for s in 0 1; do
			run "$s" --type "$t" -n "$iters" -s "$size" -m 1024 -c
			[ "$src" = 0 ] && [ "$crc" = 0 ] &&
				lines_ok "$tmp/s.out" "$s" "$iters" "$size" &&
				lines_ok "$tmp/c.out" $((1 - s)) "$iters" "$size"
			ok $? "$t, $size B, server on ${dev[$s]}: $iters round trips checked (rc $src/$crc)"
			[ "$src$crc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag
		done
	done
done

# HWQNIC_WIRE_COUNTERS=1: each side's transport counters as its device
# closes, one line on stderr; without it (the runs above), none
! grep -q "wire counters" "$tmp/s.err" "$tmp/c.err"
ok $? "no counters line without HWQNIC_WIRE_COUNTERS"
export HWQNIC_WIRE_COUNTERS=1
run 0 --type rc -n 20 -s 64
unset HWQNIC_WIRE_COUNTERS
counters_ok() {	# counters_ok FILE DEV
	grep -Eq "^hwqnic: hwqnic-[a-z0-9]+ on $2: wire counters tx_pkts [1-9][0-9]* rx_pkts [1-9][0-9]* tx_bytes [1-9][0-9]* rx_bytes [1-9][0-9]* retransmits [0-9]+ .* drop_icrc 0 .* drop_len 0\$" "$1"
}
[ "$src$crc" = 00 ] && counters_ok "$tmp/s.err" hwqa && counters_ok "$tmp/c.err" hwqb
ok $? "HWQNIC_WIRE_COUNTERS=1: both sides print the transport's counters as they close ($(grep -h 'wire counters' "$tmp/c.err" | cut -c1-80)...)"
[ "$src$crc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag

# udp: the same ping-pong in plain datagrams, the client started first
ip netns exec "${ns[1]}" timeout 60 "$pp" --type udp -n 500 -s 64 198.18.0.1 \
	> "$tmp/c.out" 2> "$tmp/c.err" &
p=$!
pids="$pids $p"
ip netns exec "${ns[0]}" timeout 60 "$pp" --type udp -n 500 -s 64 \
	> "$tmp/s.out" 2> "$tmp/s.err"
src=$?
wait "$p"
crc=$?
[ "$src$crc" = 00 ] &&
	grep -Eq "^64000 bytes in [0-9.]+ seconds = [0-9.]+ Mbit/sec\$" "$tmp/c.out" &&
	grep -Eq "^500 iters in [0-9.]+ seconds = [0-9.]+ usec/iter\$" "$tmp/s.out"
ok $? "udp: 500 datagram round trips, the same summary (rc $src/$crc)"

run 0 --type ud -n 10 -s 4096 -m 1024
grep -q "requested size 4096 is larger than the given MTU 1024" "$tmp/c.err" &&
	[ "$crc" = 1 ] && [ "$src" = 1 ]
ok $? "ud: a message over the MTU is refused, as ibv_ud_pingpong does ($(cat "$tmp/c.err"))"

# The peer as rdma-core's examples: python's socket, byte for byte
peer() {	# peer client|server MSG: the exchange, checked; exit 0 or 1
	python3 - "$@" <<'PY'
import re, socket, sys, time
role, mine = sys.argv[1], sys.argv[2].encode() + b"\0"
form = re.compile(rb"^[0-9a-f]{4}:[0-9a-f]{6}:[0-9a-f]{6}:[0-9a-f]{32}\0$")
def readn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit("peer closed after %d of %d bytes" % (len(b), n))
        b += c
    return b
if role == "client":
    for _ in range(100):
        try:
            s = socket.create_connection(("198.18.0.1", 18515), timeout=10)
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("no server")
    s.sendall(mine)
    theirs = readn(s, 52)
    s.sendall(b"done\0")
else:
    l = socket.create_server(("0.0.0.0", 18515), reuse_port=False)
    l.settimeout(20)
    s, _ = l.accept()
    s.settimeout(10)
    theirs = readn(s, 52)
    s.sendall(mine)
    done = readn(s, 5)
    if done != b"done\0":
        sys.exit("not done: %r" % done)
print(theirs[:-1].decode())
sys.exit(0 if form.match(theirs) else "bad form: %r" % theirs)
PY
}
# end_after_address OUT PID: hwqpingpong waits for a ping that never
# comes; it is ended once it has printed the address it read into OUT
# (5 s at most)
end_after_address() {
	for _ in $(seq 50); do
		grep -q "remote address" "$1" 2> /dev/null && break
		sleep 0.1
	done
	kill -TERM "$2" 2> /dev/null
	wait "$2"
}
gidhex=00000000000000000000ffffc6120002
ip netns exec "${ns[0]}" timeout 60 "$pp" -d hwqa -g 0 -n 1 > "$tmp/s.out" 2> "$tmp/s.err" &
p=$!
pids="$pids $p"
ip netns exec "${ns[1]}" bash -c "$(declare -f peer); peer client 0000:abcdef:123456:$gidhex" > "$tmp/peer" 2>&1
prc=$?
end_after_address "$tmp/s.out" "$p"
grep -Eq "^0000:[0-9a-f]{6}:[0-9a-f]{6}:00000000000000000000ffffc6120001\$" "$tmp/peer" &&
	[ "$prc" = 0 ] &&
	grep -q "^  remote address: LID 0x0000, QPN 0xabcdef, PSN 0x123456, GID ::ffff:198.18.0.2\$" "$tmp/s.out"
ok $? "server: rdma-core's client exchange to the byte ($(cat "$tmp/peer"))"

ip netns exec "${ns[0]}" bash -c "$(declare -f peer); peer server 0000:000abc:00beef:00000000000000000000ffffc6120001" > "$tmp/peer" 2>&1 &
p=$!
pids="$pids $p"
sleep 0.5
ip netns exec "${ns[1]}" timeout 60 "$pp" -d hwqb -g 0 -n 1 --timeout 5 198.18.0.1 > "$tmp/c.out" 2> "$tmp/c.err" &
c=$!
pids="$pids $c"
wait "$p"
prc=$?
end_after_address "$tmp/c.out" "$c"
grep -Eq "^0000:[0-9a-f]{6}:[0-9a-f]{6}:00000000000000000000ffffc6120002\$" "$tmp/peer" &&
	[ "$prc" = 0 ] &&
	grep -q "^  remote address: LID 0x0000, QPN 0x000abc, PSN 0x00beef, GID ::ffff:198.18.0.1\$" "$tmp/c.out"
ok $? "client: rdma-core's server exchange to the byte, done with its NUL ($(cat "$tmp/peer"))"

ip netns exec "${ns[0]}" timeout 60 "$pp" -d hwqa -g 0 -n 1 > "$tmp/s.out" 2> "$tmp/s.err" &
p=$!
pids="$pids $p"
ip netns exec "${ns[1]}" bash -c "$(declare -f peer); peer client 0000:abcdef:12345:${gidhex}0" > "$tmp/peer" 2>&1
wait "$p"
src=$?
[ "$src" = 1 ] && grep -q "its PSN is not 6 hex digits" "$tmp/s.err"
ok $? "server: a malformed address refused ($(cat "$tmp/s.err"))"

ip netns exec "${ns[0]}" timeout 60 "$pp" -d hwqa -n 1 > "$tmp/s.out" 2> "$tmp/s.err" &
p=$!
pids="$pids $p"
ip netns exec "${ns[1]}" timeout 60 "$pp" -d hwqb -n 1 --timeout 5 198.18.0.1 > "$tmp/c.out" 2> "$tmp/c.err"
crc=$?
wait "$p"
src=$?
[ "$src" = 1 ] && grep -q "on RoCE both sides need -g" "$tmp/s.err"
ok $? "no -g on RoCE: refused with the reason ($(cat "$tmp/s.err"))"
done_testing
