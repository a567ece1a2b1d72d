#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# nictop's wire columns over a real link: hwqperf lat --op send between
# two namespaces (the server bound to hwqa, the client to hwqb), on the
# AF_XDP port and on the UDP-socket one. The run's end is held (a relay of
# its out-of-band exchange, oob-hold.py) so that nictop reads both
# devices with their final counters: each QP sent its N SENDs of 64 B
# and the ACKs, in frames of exactly 122 and 62 bytes (Ethernet, IPv4,
# UDP, BTH, [AETH,] payload, ICRC); what one side sent the other
# received, packet for packet and byte for byte; the device's totals are
# its one QP's; the plain table has the wire columns and the device line
# its wire totals.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
. "$top/selftests/net/netns.sh"
hwqperf=$top/build/bin/hwqperf
nictop=$top/build/bin/nictop
[ -x "$nictop" ] || skip_all "build/bin/nictop missing (run make)"
command -v python3 > /dev/null || skip_all "python3 is not installed"
netns_test "$hwqperf"

N=300
SIZE=64

# wait_file FILE: until it exists, 60 s at most
wait_file() {
	local i
	for i in $(seq 600); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# the hwqperf under `timeout` pid $1
child_of() {
	local i c
	for i in $(seq 100); do
		c=$(pgrep -P "$1" | head -n 1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.05
	done
	return 1
}

for port in xdp udp; do
	rm -f "$tmp/held" "$tmp/release"
	ip netns exec "${ns[0]}" timeout 120 python3 "$top/selftests/net/oob-hold.py" \
		198.18.0.1 18600 127.0.0.1 18601 "$tmp/held" "$tmp/release" \
		> "$tmp/hold.out" 2>&1 &
	hold=$!
	HWQNIC_PORT=$port ip netns exec "${ns[0]}" timeout 120 "$hwqperf" lat \
		--op send -n $N -s $SIZE -d hwqa -p 18601 > "$tmp/s.out" 2>&1 &
	st=$!
	HWQNIC_PORT=$port ip netns exec "${ns[1]}" timeout 120 "$hwqperf" lat \
		--op send -n $N -s $SIZE -d hwqb -p 18600 198.18.0.1 \
		> "$tmp/c.out" 2>&1 &
	ct=$!
	pids="$pids $hold $st $ct"
	sp=$(child_of "$st")
	cp=$(child_of "$ct")
	wait_file "$tmp/held"
	ok $? "$port: $N SENDs of $SIZE B each way done, both ends held open (server $sp, client $cp)"
	"$nictop" -b --json -n 1 -d 0.3 > "$tmp/$port.json" 2> "$tmp/$port.err"
	nrc=$?
	"$nictop" -b -n 1 -d 0.3 -p "$sp" > "$tmp/$port.txt" 2>&1
	touch "$tmp/release"
	wait "$st"
	src=$?
	wait "$ct"
	crc=$?
	wait "$hold"
	[ "$nrc$src$crc" = 000 ]
	ok $? "$port: nictop, the server and the client end well (rc $nrc/$src/$crc)"
	[ "$src$crc" = 00 ] || cat "$tmp"/s.out "$tmp"/c.out "$tmp"/hold.out | diag

	python3 - "$tmp/$port.json" "$sp" "$cp" $N $SIZE <<-'PY' 2>&1 | diag
		import json, sys
		o = json.loads(open(sys.argv[1]).readline())
		sp, cp, n, size = (int(a) for a in sys.argv[2:6])
		SEND, ACK = 58 + size, 62	# frame bytes: 14+20+8+12 [+4] +4
		dev, qp = {}, {}
		for pid, nd in ((sp, "hwqa"), (cp, "hwqb")):
		    ds = [d for d in o["devs"] if d["pid"] == pid]
		    assert len(ds) == 1, (pid, o["devs"])
		    assert ds[0]["netdev"] == nd, ds[0]
		    qs = [q for q in o["qps"] if q["pid"] == pid]
		    assert len(qs) == 1 and qs[0]["type"] == "RC", qs
		    dev[pid], qp[pid] = ds[0]["wire"], qs[0]["wire"]
		for me, peer in ((sp, cp), (cp, sp)):
		    w = qp[me]
		    acks = w["tx_pkts"] - n
		    assert n <= w["tx_pkts"] <= 2 * n, w
		    assert w["tx_bytes"] == n * SEND + acks * ACK, (w, n, acks)
		    assert w["rx_pkts"] == qp[peer]["tx_pkts"], (w, qp[peer])
		    assert w["rx_bytes"] == qp[peer]["tx_bytes"], (w, qp[peer])
		    assert w["drops_total"] == 0, w
		    for k in ("tx_pkts", "rx_pkts", "tx_bytes", "rx_bytes",
		              "retransmits", "timeouts", "seq_naks_sent",
		              "seq_naks_rcvd", "dup_requests", "out_of_seq"):
		        assert dev[me][k] == w[k], (k, dev[me], w)
		    assert dev[me]["drops_total"] == 0, dev[me]
		    # the run ended before this interval: no packet in it
		    assert w["tx_pkts_per_s"] == 0 and w["rx_bytes_per_s"] == 0, w
		    print("%d: tx %d packets (%d ACKs) %d B, rx %d, retransmits %d"
		          % (me, w["tx_pkts"], acks, w["tx_bytes"], w["rx_pkts"],
		             w["retransmits"]))
	PY
	ok "${PIPESTATUS[0]}" "$port: nictop's JSON: each QP's $N SENDs and its ACKs to the byte, what one sent the other received, the device's totals its QP's"

	# the keys of its wire objects too are docs/json.md's (json-keys.t
	# reads devices bound to no netdev)
	python3 - "$tmp/$port.json" "$top/docs/json.md" <<-'PY' 2>&1 | diag
		import json, re, sys
		keys = {m.group(1) for m in (re.match(r"\|\s*`([a-z0-9_]+)`\s*\|", l)
		                             for l in open(sys.argv[2])) if m}
		bad = set()
		def walk(v):
		    if isinstance(v, dict):
		        bad.update(k for k in v if k not in keys)
		        for x in v.values():
		            walk(x)
		    elif isinstance(v, list):
		        for x in v:
		            walk(x)
		walk(json.loads(open(sys.argv[1]).readline()))
		assert not bad, "not in docs/json.md: " + ", ".join(sorted(bad))
	PY
	ok "${PIPESTATUS[0]}" "$port: every key of the JSON, its wire objects' too, is in docs/json.md"

	grep -q 'RXpk/s.*TXpk/s.*RXB/s.*TXB/s.*RETX.*DROPS' "$tmp/$port.txt" &&
		grep -Eq "^ *$sp .* wire hwqa rx .* retx .* drops\$" "$tmp/$port.txt" &&
		grep -Eq "^ +[0-9]+ RC +RTS +$sp " "$tmp/$port.txt"
	ok $? "$port: the plain table has the wire columns, the device line its wire totals"
	[ $? = 0 ] || diag < "$tmp/$port.txt"
done
done_testing
