#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Runs every libFuzzer target in $BUILD/fuzz for a bounded time: first each
# committed seed (selftests/fuzz/corpus/<target>), then new inputs for
# FUZZ_SECONDS. A crash, a sanitizer report, a leak, a timeout or a broken
# invariant (the targets abort) fails the target's test; its reproducer is
# kept in $BUILD/fuzz/crash/<target>/. `make fuzz` runs the same with a
# long FUZZ_SECONDS and FUZZ_KEEP=1, which keeps the grown corpus in
# $BUILD/fuzz/corpus/<target> for the next run.
#   FUZZ_SECONDS=10   per target (make check)
#   FUZZ_TARGETS=...  names to run (default: every built target)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
. "$top/selftests/tap.sh"

targets=${FUZZ_TARGETS:-$(cd "$BUILD/fuzz" 2>/dev/null &&
	find . -maxdepth 1 -type f -perm -u+x | sed 's|^\./||' | sort)}
[ -n "$targets" ] ||
	skip_all "no fuzz targets in $BUILD/fuzz (make $BUILD/fuzz/<target>)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for t in $targets; do
	bin=$BUILD/fuzz/$t
	seeds=$top/selftests/fuzz/corpus/$t
	if [ -n "${FUZZ_KEEP:-}" ]; then
		corpus=$BUILD/fuzz/corpus/$t
	else
		corpus=$tmp/corpus-$t
	fi
	crash=$BUILD/fuzz/crash/$t
	mkdir -p "$corpus" "$crash"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null
	log=$tmp/$t.log
	# -timeout: one input taking this long is a hang; -rss_limit_mb: a
	# runaway allocation. The time bound covers the seeds' replay too.
	timeout -k 10 $((FUZZ_SECONDS + 120)) "$bin" \
		-max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crash/" \
		"$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	files=$(find "$corpus" -type f | wc -l)
	ok $rc "fuzz $t: ${execs:-?} inputs in ${FUZZ_SECONDS}s, coverage ${cov:-?} edges, ${ft:-?} features, corpus $files"
	if [ $rc != 0 ]; then
		grep -v '^#[0-9]' "$log" | tail -n 60 | diag
		echo "# reproduce: $bin $crash/<file>"
	fi
done
done_testing
