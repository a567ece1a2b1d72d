# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The guest's network stage, sourced by guest.sh after the kmod tests (its
# helpers: ok, not_ok, skip, diag, bounded, stage). What the host kernel
# cannot do: real tc netem between two hwqnic devices, and Linux's own
# soft-RoCE driver rdma_rxe with rdma-core's tools against hwqnic. Every
# program runs bounded in time: rxe retries forever (retry_cnt and
# rnr_retry 7), so a broken peer would hang it. See docs/tests.md.
#
# The topology: a bridge in namespace hwqnic-m joins three veth pairs;
# their other ends are hwqa (198.18.0.1, hwqnic, namespace hwqnic-a), hwqb
# (198.18.0.2, hwqnic, namespace hwqnic-b) and va (198.18.0.3, rxe0, the
# initial namespace, where 6.1's rxe must stay). Impairments are on the
# bridge's ends, egress: AF_XDP's transmit bypasses the sender's qdisc.
#
# A step is one call to pp_step or net_pair; adding one is a line.

nip=/opt/iproute2/ip
ntc=/opt/iproute2/tc
nrdma=/opt/iproute2/rdma
nmods=/lib/hwqnic
nsa=hwqnic-a
nsb=hwqnic-b
nsm=hwqnic-m
rxe_ctr=/sys/class/infiniband/rxe0/ports/1/hw_counters
net_port=18515		# a fresh TCP port each step: no TIME_WAIT clash
# A slow guest on a busy host: a step's programs are killed after this.
NET_LIMIT=${NET_LIMIT:-240}

stage "network: setup"
net_skip=
if [ -s $nmods/net-missing ]; then
	net_skip="the initramfs lacks: $(tr '\n' ';' <$nmods/net-missing)"
fi
if [ -z "$net_skip" ]; then
	for m in $(cat $nmods/net-modules); do
		[ -d "/sys/module/$m" ] && continue
		if ! out=$(insmod "$nmods/$m.ko" 2>&1); then
			net_skip="insmod $m: $out"
			break
		fi
	done
fi

# net_setup: the namespaces, the bridge, the three pairs, static
# neighbours everywhere (rxe asks the kernel's table and does not wait)
mac_of() {	# mac_of NS DEV (NS - for the initial namespace)
	if [ "$1" = - ]; then cat "/sys/class/net/$2/address"; else
		$nip -n "$1" link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
	fi
}
net_setup() {
	set -e
	for n in $nsa $nsb $nsm; do $nip netns add $n; done
	$nip link add hwqa netns $nsa type veth peer name hwqm0 netns $nsm
	$nip link add hwqb netns $nsb type veth peer name hwqm1 netns $nsm
	$nip link add va type veth peer name hwqm2 netns $nsm
	$nip -n $nsm link add br0 type bridge
	for d in hwqm0 hwqm1 hwqm2; do
		$nip -n $nsm link set $d master br0
		$nip -n $nsm link set $d up
	done
	$nip -n $nsm link set br0 up
	$nip -n $nsa addr add 198.18.0.1/24 dev hwqa
	$nip -n $nsb addr add 198.18.0.2/24 dev hwqb
	$nip addr add 198.18.0.3/24 dev va
	for n in $nsa $nsb; do $nip -n $n link set lo up; done
	$nip -n $nsa link set hwqa up
	$nip -n $nsb link set hwqb up
	$nip link set va up
	ma=$(mac_of $nsa hwqa)
	mb=$(mac_of $nsb hwqb)
	mv=$(mac_of - va)
	$nip -n $nsa neigh replace 198.18.0.2 lladdr "$mb" dev hwqa nud permanent
	$nip -n $nsa neigh replace 198.18.0.3 lladdr "$mv" dev hwqa nud permanent
	$nip -n $nsb neigh replace 198.18.0.1 lladdr "$ma" dev hwqb nud permanent
	$nip -n $nsb neigh replace 198.18.0.3 lladdr "$mv" dev hwqb nud permanent
	$nip neigh replace 198.18.0.1 lladdr "$ma" dev va nud permanent
	$nip neigh replace 198.18.0.2 lladdr "$mb" dev va nud permanent
	set +e
}
if [ -z "$net_skip" ]; then
	if out=$(net_setup 2>&1); then
		ok "network: namespaces $nsa $nsb $nsm, veth pairs bridged, static neighbours"
	else
		not_ok "network: namespaces, veth pairs, bridge"
		printf '%s\n' "$out" | diag
		net_skip="the network setup failed"
	fi
fi

# --- hwqnic's counters and rxe's, after each step ---
# HWQNIC_WIRE_COUNTERS=1 makes libhwqnic print the transport's counters
# as a device closes (docs/wire.md): each side's line, its non-zero ones.
export HWQNIC_WIRE_COUNTERS=1
hwq_counters() {	# hwq_counters FILE...: the counters lines as diagnostics
	sed -n 's/^hwqnic: \(.*\): wire counters \(.*\)$/\1 \2/p' "$@" |
		while read -r dev _ nd rest; do
			set -- $rest
			line=
			while [ $# -ge 2 ]; do
				[ "$2" != 0 ] && line="$line $1 $2"
				shift 2
			done
			echo "# hwqnic $dev on $nd:$line"
		done
}
hwq_counter() {	# hwq_counter FILE NAME: that counter on FILE's line, or nothing
	sed -n "s/^hwqnic: .*: wire counters .* $2 \([0-9]*\).*/\1/p" "$1"
}
rxe_prev=/tmp/rxe-counters
rxe_counters() {	# rxe's hw_counters that moved since the last call
	[ -d $rxe_ctr ] || return 0
	line=
	for f in $rxe_ctr/*; do
		n=${f##*/}
		read -r v <"$f"
		p=$(sed -n "s/^$n //p" $rxe_prev 2>/dev/null)
		d=$((v - ${p:-0}))
		[ "$d" != 0 ] && line="$line $n +$d"
	done
	for f in $rxe_ctr/*; do
		read -r v <"$f"
		echo "${f##*/} $v"
	done >$rxe_prev
	echo "# rxe0 hw_counters:${line:- none moved}"
}

# rxe_gid_of DEV LOW: the index of DEV's RoCE v2 GID whose last two
# groups are LOW (an IPv4-mapped address), or nothing; rxe fills its
# table as the address is seen: 5 s at most
rxe_gid_of() {
	g=/sys/class/infiniband/$1/ports/1
	for _ in $(seq 50); do
		for f in $g/gids/*; do
			i=${f##*/}
			read -r v <"$f" 2>/dev/null || continue
			read -r t <"$g/gid_attrs/types/$i" 2>/dev/null || continue
			if [ "$v" = "0000:0000:0000:0000:0000:ffff:$2" ] &&
			   [ "$t" = "RoCE v2" ]; then
				echo "$i"
				return 0
			fi
		done
		sleep 0.1
	done
}

# nsx NS: the words that run a command in namespace NS (- the initial one)
nsx() { [ "$1" = - ] || echo "$nip netns exec $1"; }

# listening NS PORT: a TCP socket of NS (- the initial one) listens on
# PORT; the tools listen on IPv6's any address, IPv4 too (tcp6)
listening() {
	$(nsx "$1") cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		grep -q "^ *[0-9]*: [0-9A-F]*:$(printf '%04X' "$2") [0-9A-F]*:0000 0A"
}

# net_pair SNS SERVER CNS CLIENT: the command SERVER in namespace SNS and,
# once it listens on $net_port, CLIENT in CNS (commands as words: no
# argument has a space), both killed after NET_LIMIT s; their status in
# src and crc, their output (stdout and stderr) in /tmp/s.out, /tmp/c.out.
net_pair() {
	timeout -s KILL "$NET_LIMIT" $(nsx "$1") $2 >/tmp/s.out 2>&1 &
	spid=$!
	# 60 s at most, a line every 10 s (only a silent guest is hung)
	t=$(now_cs)
	t_end=$((t + 6000))
	t_beat=$((t + 1000))
	while ! listening "$1" "$net_port" && kill -0 $spid 2>/dev/null; do
		t=$(now_cs)
		[ $t -lt $t_end ] || break
		if [ $t -ge $t_beat ]; then
			echo "# $step: the server does not listen yet at guest uptime $(secs $t)s"
			t_beat=$((t + 1000))
		fi
		sleep 0.1
	done
	bounded "$NET_LIMIT" "$step" $(nsx "$3") $4
	crc=$rc
	cp /tmp/bounded.out /tmp/c.out
	wait $spid
	src=$?
}

# pair_report STATUS DESC [DETAIL]: the net_pair step passed (STATUS 0)
# or not, then hwqnic's counters; a failure shows both sides' last lines
pair_report() {
	if [ "$1" = 0 ]; then
		ok "$2${3:+; $3}"
	else
		not_ok "$2: exit $src/$crc"
		sed 's/^/server: /' /tmp/s.out | tail -n 20 | diag
		sed 's/^/client: /' /tmp/c.out | tail -n 20 | diag
	fi
	hwq_counters /tmp/s.out /tmp/c.out
}

# pp_step DESC SERVER_SIDE CLIENT_SIDE ARGS...: a pingpong pair, each side
# rxe (ibv_TYPE_pingpong on rxe0), a (hwqpingpong on hwqa) or b (on hwqb);
# TYPE from $pp_type; passing by both exit codes and both summaries.
rxe_gid=
pp_cmd() {	# pp_cmd SIDE: the namespace, then the command, for SIDE
	case $1 in
	rxe) echo "- ibv_${pp_type}_pingpong -d rxe0 -g $rxe_gid" ;;
	a) echo "$nsa /bin/hwqpingpong --type $pp_type -d hwqa -g 0" ;;
	b) echo "$nsb /bin/hwqpingpong --type $pp_type -d hwqb -g 0" ;;
	esac
}
side_addr() {
	case $1 in rxe) echo 198.18.0.3 ;; a) echo 198.18.0.1 ;; b) echo 198.18.0.2 ;; esac
}
pp_step() {
	s=$2
	c=$3
	step="$pp_type pingpong: $1"
	shift 3
	net_port=$((net_port + 1))
	args="$* -p $net_port"
	iters=$(echo " $args " | sed -n 's/.* -n \([0-9]*\) .*/\1/p')
	sc=$(pp_cmd "$s")
	cc=$(pp_cmd "$c")
	net_pair "${sc%% *}" "${sc#* } $args" "${cc%% *}" \
		"${cc#* } $args $(side_addr "$s")"
	[ "$src" = 0 ] && [ "$crc" = 0 ] &&
		grep -q "^$iters iters in [0-9.]* seconds = [0-9.]* usec/iter" /tmp/s.out &&
		grep -q "^$iters iters in [0-9.]* seconds = [0-9.]* usec/iter" /tmp/c.out
	pair_report $? "$step (server $s, client $c)" "$(grep -h 'usec/iter' /tmp/c.out)"
	rxe_counters
}

# impair WHAT NETEM...: netem on the bridge's three ends (egress), so on
# every path; WHAT: all packets, or requests, the RoCEv2 packets other
# than ACKs (BTH opcode 0x11, at 28 past an IPv4 header of 20 bytes);
# impair none: off.
impair() {
	what=$1
	shift
	for d in hwqm0 hwqm1 hwqm2; do
		$ntc -n $nsm qdisc del dev $d root 2>/dev/null
		case $what in
		none) ;;
		all) $ntc -n $nsm qdisc add dev $d root netem "$@" || return 1 ;;
		requests)
			$ntc -n $nsm qdisc add dev $d root handle 1: prio bands 3 \
				priomap 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 &&
			$ntc -n $nsm qdisc add dev $d parent 1:3 handle 30: netem "$@" &&
			$ntc -n $nsm filter add dev $d parent 1: prio 1 protocol ip u32 \
				match ip protocol 17 0xff match ip dport 4791 0xffff \
				match u8 0x11 0xff at 28 flowid 1:1 &&
			$ntc -n $nsm filter add dev $d parent 1: prio 2 protocol ip u32 \
				match ip protocol 17 0xff match ip dport 4791 0xffff \
				flowid 1:3 || return 1 ;;
		esac
	done
}

# rc_impaired WHAT NETEM...: that impairment (impair), then
# ibv_rc_pingpong against hwqpingpong through it, each side the server
rc_impaired() {
	what=$1
	shift
	on="every packet"
	[ "$what" = requests ] && on="the requests (every RoCEv2 packet but ACKs)"
	if impair "$what" "$@"; then
		ok "tc netem $* on $on, both ways"
		pp_type=rc
		pp_step "4096 B, -m 1024, $what through $*" rxe a -n 100 -s 4096 -m 1024 -c
		pp_step "4096 B, -m 1024, $what through $*" a rxe -n 100 -s 4096 -m 1024 -c
	else
		not_ok "tc netem $* on $on"
	fi
}

# --- issue 16's impaired link: two hwqnic devices through real netem ---
# hwqperf's two-process form with --verify: every message's bytes carry
# its number, checked as each arrives, so a loss, a duplicate or a
# reordering that reached the consumer fails the run, and an error
# completion (a QP out of RTS) ends it with exit 1. Its run ends with a
# sync over TCP, so no side exits while the other still waits for an ACK:
# loss may take every packet.
stage "network: hwqnic to hwqnic through netem"
if [ -n "$net_skip" ]; then
	skip "hwqnic to hwqnic through netem loss, duplication and reordering" "$net_skip"
else
	netem="loss 5% duplicate 2% delay 1ms reorder 25% 50%"
	if impair all $netem; then
		ok "tc netem $netem on the bridge's ends"
		n=300
		step="hwqperf bw send --verify through netem"
		net_port=$((net_port + 1))
		perf="/bin/hwqperf bw --op send --verify -n $n -s 4096 -p $net_port"
		net_pair $nsa "$perf -d hwqa" $nsb "$perf -d hwqb 198.18.0.1"
		rs=$(hwq_counter /tmp/s.out retransmits)
		rcl=$(hwq_counter /tmp/c.out retransmits)
		retx=$((${rs:-0} + ${rcl:-0}))
		[ "$src" = 0 ] && [ "$crc" = 0 ] &&
			grep -q "^hwqperf: served bw --op send: $n messages of 4096 bytes" /tmp/s.out &&
			grep -Eq "^ +4096 +$n " /tmp/c.out
		pair_report $? "$step: $n messages of 4096 B, each once, in order, byte for byte"
		if [ "$retx" -gt 0 ]; then
			ok "the transport counters show the retransmissions ($retx)"
		else
			not_ok "the transport counters show the retransmissions (none)"
		fi
	else
		not_ok "tc netem $netem on the bridge's ends"
	fi
	impair none
fi

# --- issue 17: rdma-core's pingpong tools against hwqpingpong ---
stage "network: rxe against hwqnic"
if [ -z "$net_skip" ]; then
	if out=$($nrdma link add rxe0 type rxe netdev va 2>&1); then
		ok "rdma link add rxe0 type rxe netdev va"
	else
		not_ok "rdma link add rxe0 type rxe netdev va"
		printf '%s\n' "$out" | diag
		net_skip="no rxe0"
	fi
fi
if [ -z "$net_skip" ]; then
	# the RoCE v2 GID of 198.18.0.3, IPv4-mapped (rxe fills the table
	# as the address is seen: wait a little)
	g=/sys/class/infiniband/rxe0/ports/1
	rxe_gid=$(rxe_gid_of rxe0 c612:0003)
	if [ -n "$rxe_gid" ]; then
		ok "rxe0's RoCE v2 GID of 198.18.0.3 is index $rxe_gid"
	else
		not_ok "rxe0's RoCE v2 GID of 198.18.0.3"
		for f in $g/gids/*; do
			echo "$f $(cat "$f") $(cat "$g/gid_attrs/types/${f##*/}" 2>/dev/null)"
		done | diag
		net_skip="no RoCE v2 GID on rxe0"
	fi
	bounded 30 "ibv_devinfo" ibv_devinfo -d rxe0
	sed -n 's/^[[:space:]]*\(state\|active_mtu\|transport\|link_layer\):[[:space:]]*/# ibv_devinfo rxe0: \1 /p' \
		/tmp/bounded.out
	rxe_counters >/dev/null
fi

if [ -n "$net_skip" ]; then
	skip "rdma-core's pingpong tools against hwqpingpong" "$net_skip"
else
	# 4096 B at path MTU 1024: four packets a message (RC, UC). UD's
	# messages fit one packet (ibv_ud_pingpong refuses more than the MTU).
	iters=200
	for pp_type in rc uc; do
		for size in 64 4096; do
			pp_step "$size B, -m 1024" rxe a -n $iters -s $size -m 1024 -c
			pp_step "$size B, -m 1024" a rxe -n $iters -s $size -m 1024 -c
		done
	done
	pp_type=ud
	for size in 64 1024; do
		pp_step "$size B" rxe a -n $iters -s $size -c
		pp_step "$size B" a rxe -n $iters -s $size -c
	done

	# 64 packets a message
	pp_type=rc
	pp_step "65536 B, -m 1024" rxe a -n 50 -s 65536 -m 1024 -c
	pp_step "65536 B, -m 1024" a rxe -n 50 -s 65536 -m 1024 -c

	# --- one-sided verbs and atomics between an rxe QP and a hwqnic QP ---
	# rxe-verbs (selftests/kmod/rxe-verbs.c) holds both QPs, rxe's
	# through libibverbs and hwqnic's on hwqa, and checks every byte
	# each verb moved, each way; a "checked:" line per group.
	stage "network: one-sided verbs and atomics, rxe and hwqnic"
	if [ -x /bin/rxe-verbs ]; then
		step="rxe-verbs"
		bounded "$NET_LIMIT" "$step" /bin/rxe-verbs $nsa hwqa rxe0 "$rxe_gid" 10
		vrc=$rc
		for want in "WRITE and READ, each way, 10 x 64 B" \
			    "WRITE and READ, each way, 10 x 4096 B" \
			    "WRITE and READ, each way, 10 x 65536 B" \
			    "FETCH_AND_ADD and CMP_AND_SWP hwqnic -> rxe, 10 x 3" \
			    "FETCH_AND_ADD and CMP_AND_SWP rxe -> hwqnic, 10 x 3"; do
			if grep -qxF "checked: $want" /tmp/bounded.out; then
				ok "rxe-verbs: $want, byte for byte"
			else
				not_ok "rxe-verbs: $want"
			fi
		done
		if [ "$vrc" != 0 ]; then
			not_ok "rxe-verbs exits 0 (exit $vrc)"
			tail -n 20 /tmp/bounded.out | diag
		else
			ok "rxe-verbs exits 0"
		fi
		hwq_counters /tmp/bounded.out
		rxe_counters
	else
		skip "one-sided verbs and atomics against rxe" "no rxe-verbs in the guest (make needs libibverbs-dev)"
	fi

	# --- loss, duplication and reordering between rxe and hwqnic ---
	# The pingpong tools have no closing handshake: a side exits once
	# its last send is ACKed and its last receive came, so a lost final
	# ACK leaves the other side retrying to a QP that is gone, on any
	# RC implementation. Loss therefore takes requests only; duplication
	# and reordering, which lose nothing, take every packet.
	stage "network: rxe against hwqnic through loss"
	rc_impaired requests loss 5%
	rc_impaired all duplicate 5% delay 1ms reorder 25% 50%
	impair none
	check "rdma link delete rxe0" $nrdma link delete rxe0
fi
# --- performance against rxe, as ratios (never asserted) ---
# hwqnic to hwqnic (hwqperf's two-process form, embedded engine over
# AF_XDP) across a veth pair of its own, hwqc (198.18.2.1, hwqnic-a) and
# hwqd (198.18.2.2, hwqnic-b), against rxe to rxe (perftest) across the
# veth pair vc (198.18.1.1, rxe1) and vd (198.18.1.2, rxe2) in the
# initial namespace. Policy routing makes rxe's traffic between its two
# local addresses leave by the other end's veth instead of lo: a rule per
# output device before the local table, accept_local and no rp_filter.
# Both sides print perftest's table; PERF_RUNS runs, each figure's spread.
PERF_RUNS=${PERF_RUNS:-3}
# Each measured program's bound (a run takes about 3 s under TCG)
PERF_LIMIT=${PERF_LIMIT:-60}
perf_setup() {
	set -e
	$nip link add hwqc netns $nsa type veth peer name hwqd netns $nsb
	$nip -n $nsa addr add 198.18.2.1/24 dev hwqc
	$nip -n $nsb addr add 198.18.2.2/24 dev hwqd
	$nip -n $nsa link set hwqc up
	$nip -n $nsb link set hwqd up
	$nip -n $nsa neigh replace 198.18.2.2 lladdr "$(mac_of $nsb hwqd)" dev hwqc nud permanent
	$nip -n $nsb neigh replace 198.18.2.1 lladdr "$(mac_of $nsa hwqc)" dev hwqd nud permanent
	$nip link add vc type veth peer name vd
	$nip addr add 198.18.1.1/24 dev vc
	$nip addr add 198.18.1.2/24 dev vd
	for d in all vc vd; do
		echo 1 >/proc/sys/net/ipv4/conf/$d/accept_local
		echo 0 >/proc/sys/net/ipv4/conf/$d/rp_filter
	done
	$nip link set vc up
	$nip link set vd up
	$nip neigh replace 198.18.1.2 lladdr "$(mac_of - vd)" dev vc nud permanent
	$nip neigh replace 198.18.1.1 lladdr "$(mac_of - vc)" dev vd nud permanent
	$nip rule add pref 10 oif vc lookup 100
	$nip rule add pref 11 oif vd lookup 101
	$nip route add 198.18.1.2 dev vc src 198.18.1.1 table 100
	$nip route add 198.18.1.1 dev vd src 198.18.1.2 table 101
	$nip rule add pref 100 lookup local
	$nip rule del pref 0 lookup local
	$nrdma link add rxe1 type rxe netdev vc
	$nrdma link add rxe2 type rxe netdev vd
	set +e
}
perf_teardown() {
	$nrdma link delete rxe1 2>/dev/null
	$nrdma link delete rxe2 2>/dev/null
	$nip rule add pref 0 lookup local 2>/dev/null
	$nip rule del pref 100 lookup local 2>/dev/null
	$nip rule del pref 10 2>/dev/null
	$nip rule del pref 11 2>/dev/null
	$nip link del vc 2>/dev/null
}
# perf_row FILE SIZE COL: column COL of the table row for SIZE bytes
perf_row() {
	awk -v s="$2" -v c="$3" '$1 == s && $2 ~ /^[0-9]+$/ && NF >= 5 { v = $c } END { print v }' "$1"
}
# perf_one WHAT SIZE COL HWQ_ARGS PERFTEST: both sides' figure of one
# test, appended to /tmp/perf.<WHAT> as "hwqnic rxe"
perf_one() {
	what=$1 size=$2 col=$3 hargs=$4 tool=$5
	net_limit=$NET_LIMIT
	NET_LIMIT=$PERF_LIMIT
	net_port=$((net_port + 1))
	step="performance: $what, hwqnic"
	h="/bin/hwqperf $hargs -p $net_port"
	net_pair $nsa "$h -d hwqc" $nsb "$h -d hwqd 198.18.2.1"
	hv=$(perf_row /tmp/c.out "$size" "$col")
	[ "$src" = 0 ] && [ "$crc" = 0 ] && [ -n "$hv" ] ||
		{ sed 's/^/hwqperf: /' /tmp/s.out /tmp/c.out | tail -n 20 | diag; hv=; }
	net_port=$((net_port + 1))
	step="performance: $what, rxe"
	x="$tool -F -p $net_port"
	net_pair - "$x -d rxe1 -x $gid1" - "$x -d rxe2 -x $gid2 198.18.1.1"
	rv=$(perf_row /tmp/c.out "$size" "$col")
	[ "$src" = 0 ] && [ "$crc" = 0 ] && [ -n "$rv" ] ||
		{ sed 's/^/perftest: /' /tmp/s.out /tmp/c.out | tail -n 20 | diag; rv=; }
	NET_LIMIT=$net_limit
	echo "# $what: hwqnic ${hv:-failed}, rxe ${rv:-failed}"
	[ -n "$hv" ] && [ -n "$rv" ] && echo "$hv $rv" >>"/tmp/perf.$what"
}
# perf_table: a row per figure, each run's ratio and their spread
perf_table() {
	echo "# figure                        runs  hwqnic(med)  rxe(med)  ratio min/med/max"
	for w in send_lat_64B_usec write_rate_64B_Mpps write_bw_64KiB_MBps; do
		[ -s "/tmp/perf.$w" ] || { echo "# $w: no complete run"; continue; }
		awk -v w="$w" '{ h[NR] = $1; r[NR] = $2; q[NR] = $2 > 0 ? $1 / $2 : 0 }
		function med(a, n,   i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return a[int((n + 1) / 2)] }
		END { n = NR; mh = med(h, n); mr = med(r, n); mq = med(q, n)
			printf "# %-29s %4d  %11.3f  %8.3f  %.3f/%.3f/%.3f\n", w, n, mh, mr, q[1], mq, q[n] }' "/tmp/perf.$w"
	done
	echo "# ratio: hwqnic's figure over rxe's (latency: lower is better for hwqnic; rate and bandwidth: higher)"
}
if [ -z "$net_skip" ]; then
	stage "network: performance, hwqnic and rxe across veth"
	gid1= gid2=
	if out=$(perf_setup 2>&1); then
		gid1=$(rxe_gid_of rxe1 c612:0101)
		gid2=$(rxe_gid_of rxe2 c612:0102)
	else
		printf '%s\n' "$out" | diag
	fi
	if [ -n "$gid1" ] && [ -n "$gid2" ]; then
		ok "rxe1 on vc, rxe2 on vd (GIDs $gid1, $gid2), policy routing across the veth; hwqc and hwqd"
		rm -f /tmp/perf.*
		for run in $(seq "$PERF_RUNS"); do
			echo "# performance run $run of $PERF_RUNS"
			perf_one send_lat_64B_usec 64 6 "lat --op send -s 64 -n 500" \
				"ib_send_lat -s 64 -n 500"
			perf_one write_rate_64B_Mpps 64 5 "bw --op write -s 64 -n 5000" \
				"ib_write_bw -s 64 -n 5000"
			perf_one write_bw_64KiB_MBps 65536 4 "bw --op write -s 65536 -n 300" \
				"ib_write_bw -s 65536 -n 300"
		done
		perf_table
		# what crossed the veth: rxe's traffic did not take lo
		echo "# vc sent $(cat /sys/class/net/vc/statistics/tx_packets) packets, vd $(cat /sys/class/net/vd/statistics/tx_packets); lo $(cat /sys/class/net/lo/statistics/tx_packets)"
	else
		skip "performance against rxe" "rxe1/rxe2 on a veth pair with policy routing did not come up"
	fi
	perf_teardown
fi

if [ -z "$net_skip" ] || [ -d /var/run/netns/$nsm ]; then
	for n in $nsa $nsb $nsm; do $nip netns del $n 2>/dev/null; done
	$nip link del va 2>/dev/null
fi
unset HWQNIC_WIRE_COUNTERS
