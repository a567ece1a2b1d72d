# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# TAP for the shell tests, as selftests/lib/tap.h is for the C ones:
# source it, call ok once per test, done_testing last.
n=0
failed=0
# A failed test and the diagnostics after it go to stderr as well: prove
# shows a test's stderr even when not verbose, so that a CI log says why.
tap_failing=0

ok() {	# ok STATUS DESCRIPTION: passes when STATUS is 0
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		tap_failing=0
		echo "ok $n - $2"
	else
		tap_failing=1
		echo "not ok $n - $2"
		echo "not ok $n - $2" >&2
		failed=$((failed + 1))
	fi
}

diag() {	# $a: end a last partial line
	local d
	d=$(sed -e 's/^/# /' -e '$a\')
	[ -n "$d" ] || return 0
	printf '%s\n' "$d"
	[ "$tap_failing" = 1 ] && printf '%s\n' "$d" >&2
	return 0
}

done_testing() {	# the plan; fails if any test did
	echo "1..$n"
	[ "$failed" = 0 ]
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
