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

netns_pair() {
	local i s p
	ns=(hwqnic-t$$-a hwqnic-t$$-b)
	# those of runs that died: their pid is gone
	for s in $(ip netns list 2> /dev/null | sed -n 's/^\(hwqnic-t[0-9]*-[ab]\).*/\1/p'); do
		p=${s#hwqnic-t}
		p=${p%-*}
		kill -0 "$p" 2> /dev/null || ip netns del "$s" 2> /dev/null
	done
	for i in 0 1; do
		ip netns add "${ns[$i]}" &&
			ip netns exec "${ns[$i]}" sysctl -qw net.ipv6.conf.default.accept_dad=0 ||
			{ echo "cannot make namespace ${ns[$i]}" >&2; netns_del; return 1; }
	done
	ip link add hwqa netns "${ns[0]}" type veth peer name hwqb netns "${ns[1]}" ||
		{ echo "cannot make a veth pair" >&2; netns_del; return 1; }
	for i in 0 1; do
		s=$([ "$i" = 0 ] && echo hwqa || echo hwqb)
		ip -n "${ns[$i]}" link set lo up &&
			ip -n "${ns[$i]}" addr add 198.18.0.$((i + 1))/24 dev "$s" &&
			ip -n "${ns[$i]}" addr add 2001:2::$((i + 1))/64 dev "$s" nodad &&
			ip -n "${ns[$i]}" link set "$s" up ||
			{ echo "cannot configure $s" >&2; netns_del; return 1; }
	done
}
