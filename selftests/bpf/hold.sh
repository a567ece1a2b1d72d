# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The accuracy test's checks: hwqhold's own measurement of its completions
# against qplat's (and nictop's) figures for the same completions. POSIX
# sh (grep, sed, awk), sourced by selftests/bpf/qplat-hold.t on the host
# and by selftests/kmod/guest.sh in the qemu guest's busybox.

# qplat's modes, one a line: COUNTS|ARGS. COUNTS is exact (a sample of
# each latency per completion) or sampled (some completions, each with
# both latencies; the counts may be scaled up to estimate the whole).
# shellcheck disable=SC2034	# the sourcing scripts' loop reads it
hold_modes='exact|-c 1
exact|--five-events
sampled|-c 2'

# How far a median read from qplat's histograms may be from the true
# one: a percentage (the issue of the test: 10; the log-linear buckets
# promise 1/32 of the value, docs/tracepoints.md), or log2: in the log2
# bucket of the true one, what log2 buckets alone would promise.
hold_tol=10

# hold_app FILE QPN KEY: a figure of hwqhold's line for QP QPN
hold_app() {
	awk -v q="$2" -v k="$3" '$1 == "qp" && $2 == q {
		for (i = 3; i < NF; i += 2) if ($i == k) print $(i + 1) }' "$1"
}

# hold_qpns FILE: the QPs hwqhold reported
hold_qpns() {
	awk '$1 == "qp" { print $2 }' "$1"
}

# hold_json FILE QPN LATENCY KEY: KEY of qplat's write histogram of
# LATENCY for QP QPN, in qplat's JSON FILE (none when absent)
hold_json() {
	grep -o '{"pid": [^{]*' "$1" | grep "\"qpn\": $2," |
		grep '"op": "write"' | grep "\"latency\": \"$3\"" |
		grep -o "\"$4\": [0-9.]*" | sed 's/.*: //'
}

# hold_nictop FILE QPN KEY: KEY of nictop's row for QP QPN
hold_nictop() {
	grep -o '{"pid": [^{]*' "$1" | grep "\"qpn\": $2," |
		grep -o "\"$3\": [0-9.]*" | sed 's/.*: //'
}

# hold_near WANT GOT SLACK: 0 when GOT is within hold_tol of WANT, WANT
# being known to SLACK either way (all in us)
hold_near() {
	awk -v a="$1" -v g="$2" -v s="$3" -v t="$hold_tol" '
	function lo2(x,  w) {	# the low bound of x'"'"'s log2 bucket, in us
		for (w = 1; w * 2 <= x * 1000; w *= 2)
			;
		return w / 1000
	}
	BEGIN {
		if (t == "log2")
			ok = g >= lo2(a - s) && g < 2 * lo2(a + s)
		else
			ok = g >= a - a * t / 100 - s && g <= a + a * t / 100 + s
		exit !ok
	}'
}

# hold_median_ok APP QPN GOT SLACK [K]: 0 when GOT, a median read from
# qplat's histograms, is hwqhold's measured pickup median of QP QPN
# within hold_tol (SLACK us either way). A median of K samples drawn at
# random (a sampled mode) is only known to lie between the measured
# pickups of ranks 0.5 -+ 1.5 / sqrt(K) (three standard deviations of a
# sample median's rank), each within hold_tol.
hold_median_ok() {
	if [ -z "${5:-}" ]; then
		hold_near "$(hold_app "$1" "$2" pickup_p50_us)" "$3" "$4"
		return
	fi
	# no sqrt(): busybox's awk may lack its maths
	band=$(hold_app "$1" "$2" pickups_us | awk -F, -v k="$5" '{
		if (k < 1)
			k = 1
		for (r = k; r * r - k > 0.001 * k; r = (r + k / r) / 2)
			;
		d = 1.5 / r
		lo = int(NF * (0.5 - d)); hi = int(NF * (0.5 + d)) + 1
		if (lo < 1) lo = 1
		if (hi > NF) hi = NF
		print $lo, $hi }')
	[ -n "$band" ] || return 1
	hold_near "${band% *}" "$3" "$4" || hold_near "${band#* }" "$3" "$4" ||
		awk -v g="$3" -v lo="${band% *}" -v hi="${band#* }" \
			'BEGIN { exit !(g >= lo && g <= hi) }'
}

# hold_samples QPLAT QPN: how many completions of QP QPN qplat sampled
# (its pickup count over the period of -c)
hold_samples() {
	per=$(grep -o '"period": [0-9]*' "$1" | head -n 1 | sed 's/.*: //')
	awk -v c="$(hold_json "$1" "$2" pickup count)" -v p="${per:-1}" \
		'BEGIN { printf "%d\n", c / p }'
}

# hold_err WANT GOT: GOT's error against WANT, in percent
hold_err() {
	awk -v a="$1" -v g="$2" 'BEGIN { printf "%+.1f%%", (g - a) * 100 / a }'
}

# hold_within LO HI GOT...: 0 when every GOT is in [LO, HI] (us, to the
# 0.001 us that qplat and hwqhold print)
hold_within() {
	lo=$1 hi=$2
	shift 2
	awk -v lo="$lo" -v hi="$hi" -v got="$*" 'BEGIN {
		n = split(got, g, " ")
		for (i = 1; i <= n; i++)
			if (g[i] < lo - 0.001 || g[i] > hi + 0.001)
				exit 1
	}'
}

# (The functions below print their answer: call them in $(...), their
# variables then stay there.)

# hold_verdict APP QPLAT QPN COUNTS: "OK: what was compared", or what is
# wrong. Per QP, of its WRITEs: one sample of pickup and e2e per
# completion (COUNTS exact), or as many of each (sampled); qplat's least and greatest
# pickup and e2e within the bounds hwqhold measured around every
# completion (the poll call, inside which the probe fires, the post call,
# the CQE's time), which start at the hold; qplat's pickup median within
# hold_tol of the measured one, known to the poll call's duration; its
# e2e median at least the hold.
hold_verdict() {
	h=$(hold_app "$1" "$3" hold_us)
	cnt=$(hold_app "$1" "$3" count)
	ap=$(hold_app "$1" "$3" pickup_p50_us)
	call=$(hold_app "$1" "$3" poll_p50_us)
	plo=$(hold_app "$1" "$3" pickup_lo_us)
	phi=$(hold_app "$1" "$3" pickup_hi_us)
	elo=$(hold_app "$1" "$3" e2e_lo_us)
	ehi=$(hold_app "$1" "$3" e2e_hi_us)
	qp=$(hold_json "$2" "$3" pickup p50_us)
	qe=$(hold_json "$2" "$3" e2e p50_us)
	pmin=$(hold_json "$2" "$3" pickup min_us)
	pmax=$(hold_json "$2" "$3" pickup max_us)
	emin=$(hold_json "$2" "$3" e2e min_us)
	emax=$(hold_json "$2" "$3" e2e max_us)
	pc=$(hold_json "$2" "$3" pickup count)
	ec=$(hold_json "$2" "$3" e2e count)
	if [ -z "$h" ] || [ -z "$cnt" ] || [ -z "$ap" ] || [ -z "$call" ] ||
	   [ -z "$plo" ] || [ -z "$phi" ] || [ -z "$elo" ] || [ -z "$ehi" ]; then
		echo "QP $3: hwqhold printed no line for it"
		return
	fi
	if [ -z "$qp" ] || [ -z "$qe" ] || [ -z "$pmin" ] || [ -z "$pmax" ] ||
	   [ -z "$emin" ] || [ -z "$emax" ]; then
		echo "QP $3: qplat has no pickup or e2e histogram of its writes"
		return
	fi
	case $4 in
	exact)	if [ "$pc" != "$cnt" ] || [ "$ec" != "$cnt" ]; then
			echo "QP $3: pickup count $pc, e2e count $ec, want $cnt"
			return
		fi ;;
	sampled)
		if ! [ "$pc" -ge 1 ] || [ "$pc" != "$ec" ]; then
			echo "QP $3: pickup count $pc, e2e count $ec, want the" \
				"same, at least 1"
			return
		fi ;;
	*)	echo "QP $3: counts '$4', not exact or sampled"
		return ;;
	esac
	if ! hold_within "$h" 1e9 "$plo" "$elo" "$ap" "$qe"; then
		echo "QP $3: below the hold of $h us: hwqhold's least pickup" \
			"$plo, least e2e $elo, pickup median $ap, or qplat's" \
			"e2e median $qe"
		return
	fi
	if ! hold_within "$plo" "$phi" "$pmin" "$pmax"; then
		echo "QP $3: qplat's pickups from $pmin to $pmax us, outside" \
			"[$plo, $phi] us, where every one was"
		return
	fi
	if ! hold_within "$elo" "$ehi" "$emin" "$emax"; then
		echo "QP $3: qplat's e2e latencies from $emin to $emax us," \
			"outside [$elo, $ehi] us, where every one was"
		return
	fi
	k=
	[ "$4" = exact ] || k=$(hold_samples "$2" "$3")
	if ! hold_median_ok "$1" "$3" "$qp" "$call" $k; then
		echo "QP $3: qplat's pickup median $qp us is $(hold_err "$ap" "$qp")" \
			"from hwqhold's $ap us (tolerance $hold_tol, poll $call" \
			"us${k:+, a median of $k samples})"
		return
	fi
	echo "OK: QP $3 (hold $h us): pickup median $ap us measured," \
		"$qp us by qplat ($(hold_err "$ap" "$qp")); pickups $pmin to" \
		"$pmax us within [$plo, $phi]; e2e median $qe us, $emin to" \
		"$emax within [$elo, $ehi]; $pc samples of $cnt${k:+ ($k taken)}"
}

# hold_nictop_verdict APP QPLAT NICTOP QPN COUNTS: "OK: ..." when nictop's
# pickup median of QP QPN is hwqhold's measured one within hold_tol, as
# qplat's must be (sampled: from as many samples as qplat's), else what is
# wrong
hold_nictop_verdict() {
	ap=$(hold_app "$1" "$4" pickup_p50_us)
	call=$(hold_app "$1" "$4" poll_p50_us)
	qp=$(hold_json "$2" "$4" pickup p50_us)
	np=$(hold_nictop "$3" "$4" pickup_p50_us)
	k=
	[ "$5" = exact ] || k=$(hold_samples "$2" "$4")
	if [ -z "$ap" ] || [ -z "$call" ] || [ -z "$np" ]; then
		echo "QP $4: no pickup median from hwqhold (${ap:-none}) or nictop (${np:-none})"
	elif hold_median_ok "$1" "$4" "$np" "$call" $k; then
		echo "OK: QP $4: nictop's pickup median $np us" \
			"($(hold_err "$ap" "$np")), qplat's ${qp:-none} us," \
			"measured $ap us"
	else
		echo "QP $4: nictop's pickup median $np us is" \
			"$(hold_err "$ap" "$np") from hwqhold's $ap us" \
			"(tolerance $hold_tol${k:+, a median of $k samples};" \
			"qplat's ${qp:-none} us)"
	fi
}
