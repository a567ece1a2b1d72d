# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Two network namespaces joined by veth for the shell tests and the wire
# benchmark, as selftests/lib/netns.c makes them for the C tests (the same
# names, so that either removes what a dead run of the other left):
# ${ns[0]} with hwqa 198.18.0.1/24 2001:2::1/64, ${ns[1]} with hwqb .2.
# netns_pair makes them (1 and a reason on stderr if it cannot);
# netns_del removes them.

netns_del() {
	local s
	for s in "${ns[@]}"; do
		ip netns del "$s" 2> /dev/null
	done
	return 0
}

# netns_pair mid: the two joined through a third, ${ns[2]}, whose bridge
# forwards between its ends hwqm0 (to hwqa) and hwqm1 (to hwqb): what
# leaves those ends passes their qdiscs, where an impairment can act
# (AF_XDP's transmit bypasses the sender's own).
netns_pair() {
	local i s p mid=${1:-}
	ns=(hwqnic-t$$-a hwqnic-t$$-b)
	[ -n "$mid" ] && ns+=(hwqnic-t$$-m)
	# those of runs that died: their pid is gone
	for s in $(ip netns list 2> /dev/null | sed -n 's/^\(hwqnic-t[0-9]*-[abm]\).*/\1/p'); do
		p=${s#hwqnic-t}
		p=${p%-*}
		kill -0 "$p" 2> /dev/null || ip netns del "$s" 2> /dev/null
	done
	for i in "${!ns[@]}"; do
		ip netns add "${ns[$i]}" &&
			ip netns exec "${ns[$i]}" sysctl -qw net.ipv6.conf.default.accept_dad=0 ||
			{ echo "cannot make namespace ${ns[$i]}" >&2; netns_del; return 1; }
	done
	if [ -z "$mid" ]; then
		ip link add hwqa netns "${ns[0]}" type veth peer name hwqb netns "${ns[1]}" ||
			{ echo "cannot make a veth pair" >&2; netns_del; return 1; }
	else
		ip link add hwqa netns "${ns[0]}" type veth peer name hwqm0 netns "${ns[2]}" &&
			ip link add hwqb netns "${ns[1]}" type veth peer name hwqm1 netns "${ns[2]}" &&
			ip -n "${ns[2]}" link add br0 type bridge &&
			ip -n "${ns[2]}" link set hwqm0 master br0 &&
			ip -n "${ns[2]}" link set hwqm1 master br0 &&
			ip -n "${ns[2]}" link set hwqm0 up &&
			ip -n "${ns[2]}" link set hwqm1 up &&
			ip -n "${ns[2]}" link set br0 up ||
			{ echo "cannot make the bridged veth pairs" >&2; netns_del; return 1; }
	fi
	for i in 0 1; do
		s=$([ "$i" = 0 ] && echo hwqa || echo hwqb)
		ip -n "${ns[$i]}" link set lo up &&
			ip -n "${ns[$i]}" addr add 198.18.0.$((i + 1))/24 dev "$s" &&
			ip -n "${ns[$i]}" addr add 2001:2::$((i + 1))/64 dev "$s" nodad &&
			ip -n "${ns[$i]}" link set "$s" up ||
			{ echo "cannot configure $s" >&2; netns_del; return 1; }
	done
}

# netns_test BINARY: a shell test's start (tap.sh sourced): its skips
# (not root, no ip(8), BINARY not built), $tmp, $pids (background
# processes of the test, killed at its end), the two namespaces, and the
# cleanup of all of them at exit.
netns_test() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces, XDP)"
	command -v ip > /dev/null || skip_all "no ip(8) (make deps installs iproute2)"
	[ -x "$1" ] || skip_all "${1#$top/} missing (run make)"
	tmp=$(mktemp -d)
	pids=
	trap netns_test_end EXIT
	netns_pair 2> "$tmp/ns" || skip_all "$(cat "$tmp/ns")"
}

netns_test_end() {
	local p
	for p in $pids; do
		kill -KILL "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	done
	netns_del
	rm -rf "$tmp"
}

# netns_two_hosts BINARY WAY SERVER_ARGS -- CLIENT_ARGS: a two-process run
# of BINARY, the server in ns 0 (on hwqa), its client in ns 1 (on hwqb,
# naming 198.18.0.1), each bounded; WAY d: the server with -d, the client
# with HWQNIC_NETDEV; e: the other way round. Output in $tmp/{s,c}.{out,
# err}, exit statuses in $src and $crc.
netns_two_hosts() {
	local bin=$1 way=$2 sargs=() p
	shift 2
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	if [ "$way" = d ]; then
		ip netns exec "${ns[0]}" timeout 120 "$bin" "${sargs[@]}" -d hwqa \
			> "$tmp/s.out" 2> "$tmp/s.err" &
	else
		HWQNIC_NETDEV=hwqa ip netns exec "${ns[0]}" timeout 120 "$bin" \
			"${sargs[@]}" > "$tmp/s.out" 2> "$tmp/s.err" &
	fi
	p=$!
	pids="$pids $p"
	if [ "$way" = d ]; then
		HWQNIC_NETDEV=hwqb ip netns exec "${ns[1]}" timeout 120 "$bin" \
			"$@" 198.18.0.1 > "$tmp/c.out" 2> "$tmp/c.err"
	else
		ip netns exec "${ns[1]}" timeout 120 "$bin" "$@" -d hwqb \
			198.18.0.1 > "$tmp/c.out" 2> "$tmp/c.err"
	fi
	crc=$?
	wait "$p"
	src=$?
}
