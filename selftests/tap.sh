# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# TAP for the shell tests, as selftests/lib/tap.h is for the C ones:
# source it, call ok once per test, done_testing last.
n=0
failed=0

ok() {	# ok STATUS DESCRIPTION: passes when STATUS is 0
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

diag() { sed -e 's/^/# /' -e '$a\'; }	# $a: end a last partial line

done_testing() {	# the plan; fails if any test did
	echo "1..$n"
	[ "$failed" = 0 ]
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
