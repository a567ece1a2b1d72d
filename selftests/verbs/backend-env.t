#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The tools show why hwqnic_open() failed when the environment is the
# cause: hwqperf and hwqload, with HWQNIC_BACKEND misspelt and (where
# /dev/hwqnic0 does not exist) with HWQNIC_BACKEND=kernel, fail and their
# stderr names the variable and the cause (libhwqnic prints it).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
bin=$top/${BUILD:-build}/bin

for t in hwqperf hwqload; do
	[ -x "$bin/$t" ] || skip_all "$bin/$t is not built (run make)"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run VALUE WANT TOOL ARGS...: fails, and stderr has WANT
run() {
	local val=$1 want=$2 tool=$3
	shift 3
	HWQNIC_BACKEND=$val timeout 30 "$bin/$tool" "$@" > /dev/null 2> "$tmp/err"
	rc=$?
	[ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -qF -- "$want" "$tmp/err"
	s=$?
	ok $s "$tool, HWQNIC_BACKEND=$val: fails saying \"$want\""
	[ $s = 0 ] || diag < "$tmp/err"
}

# hwqnic_open() comes before any work: the default runs
for tool in "hwqperf lat" "hwqload"; do
	# shellcheck disable=SC2086
	run kernle "HWQNIC_BACKEND=kernle: HWQNIC_BACKEND takes embedded or kernel" $tool
	if [ -e /dev/hwqnic0 ]; then
		n=$((n + 1))
		echo "ok $n # SKIP ${tool%% *}, HWQNIC_BACKEND=kernel: /dev/hwqnic0 exists here"
	else
		# shellcheck disable=SC2086
		run kernel "/dev/hwqnic0 does not exist: hwqnic.ko is not loaded" $tool
	fi
done
done_testing
