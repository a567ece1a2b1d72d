#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tools/bench/xdprate across a veth pair, the AF_XDP floor of
# tools/bench-wire.sh: a short run of 64 B and of active-MTU WRITE frames,
# the receiver reporting a positive rate of whole frames of the size sent
# (as text and as JSON, its keys docs/json.md's); a bad command line is
# refused, and the receiver with no sender gives up within its timeout,
# leaving no XDP program.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
. "$top/selftests/net/netns.sh"
xr=$top/build/bench/xdprate
netns_test "$xr"

# rate SIZE ARGS...: the receiver in ns 0, the sender in ns 1, 0.3 s
rate() {
	local size=$1 p
	shift
	ip netns exec "${ns[0]}" timeout 60 "$xr" -d hwqa -T 20 "$@" \
		> "$tmp/r.out" 2> "$tmp/r.err" &
	p=$!
	pids="$pids $p"
	ip netns exec "${ns[1]}" timeout 60 "$xr" -d hwqb -t 0.3 $size "$@" \
		198.18.0.1 > "$tmp/s.out" 2> "$tmp/s.err"
	src=$?
	wait "$p"
	rrc=$?
}

key() {	# key FILE NAME: its JSON value
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# 64 B of payload: Ethernet, IPv4, UDP, BTH, RETH, payload, ICRC
rate "-s 64" --json
fb=$(key "$tmp/r.out" frame_bytes 2> /dev/null)
fps=$(key "$tmp/r.out" frames_per_s 2> /dev/null)
[ "$src$rrc" = 00 ] && [ "$fb" = $((14 + 20 + 8 + 12 + 16 + 64 + 4)) ] &&
	python3 -c "import sys; sys.exit(not float('$fps') > 0)"
ok $? "64 B WRITE frames: the receiver counts ${fps:-no} frames/s of ${fb:-?} B (rc $src/$rrc)"
[ "$src$rrc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag
[ "$(key "$tmp/s.out" role 2> /dev/null)" = sender ] &&
	python3 -c "import sys; sys.exit(not float('$(key "$tmp/s.out" frames_per_s)') > 0)"
ok $? "the sender reports its own positive rate, as JSON"
# every key is one of docs/json.md's table, as json-keys.t asks of the tools
python3 - "$top/docs/json.md" "$tmp/r.out" "$tmp/s.out" > "$tmp/keys" <<'PY'
import json, re, sys
known = set(re.findall(r'^\| `([a-z0-9_]+)` \|', open(sys.argv[1]).read(), re.M))
for f in sys.argv[2:]:
    for k in json.load(open(f)):
        if k not in known:
            print(k)
PY
[ $? = 0 ] && [ ! -s "$tmp/keys" ]
ok $? "every JSON key is in docs/json.md: unknown: $(echo $(cat "$tmp/keys"))"

rate ""
# 14 + 20 + 8 + 12 + 16 + 1024 + 4 bytes
grep -Eq '^receiver: [0-9]+ frames of 1098 B in [0-9.]+ s: [1-9][0-9]* frames/s, [0-9.]+ MiB/s$' "$tmp/r.out"
ok $? "active-MTU (1024 B) frames, as text: $(cat "$tmp/r.out")"
[ "$src$rrc" = 00 ] || cat "$tmp"/*.out "$tmp"/*.err | diag

ip netns exec "${ns[1]}" "$xr" -d hwqb -s 0 198.18.0.1 > /dev/null 2> "$tmp/e"
[ $? = 2 ] && grep -q size "$tmp/e"
ok $? "-s 0 is refused, status 2: $(head -n1 "$tmp/e")"
ip netns exec "${ns[1]}" "$xr" 198.18.0.1 > /dev/null 2> "$tmp/e"
[ $? = 2 ] && grep -q NETDEV "$tmp/e"
ok $? "no -d is refused, status 2"
ip netns exec "${ns[1]}" "$xr" -d hwqb -s 4000 198.18.0.1 > /dev/null 2> "$tmp/e"
[ $? = 2 ] && grep -q "active MTU" "$tmp/e"
ok $? "a size over the active MTU is refused, status 2: $(head -n1 "$tmp/e")"

ip netns exec "${ns[0]}" timeout 60 "$xr" -d hwqa -T 0.5 > /dev/null 2> "$tmp/e"
[ $? = 1 ] && grep -q "no rate" "$tmp/e" &&
	! ip -n "${ns[0]}" link show hwqa | grep -q xdp
ok $? "no sender: the receiver gives up after -T, no XDP program left: $(head -n1 "$tmp/e")"

done_testing
