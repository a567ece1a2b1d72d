#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqregress ab and bisect over a small git history made here: a C
# program timing a loop against itself, where one commit adds half as
# much work again. ab of two revisions builds each out of tree and calls
# the change a regression (exit 1), one against itself no regression;
# bisect names the commit and leaves the work tree and HEAD as they were,
# refuses when both ends measure the same; a revision that does not build
# is exit 2 with its log's end, 125 under --bisect-step.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
regress=$top/build/bin/hwqregress
. "$top/selftests/tap.sh"

command -v python3 > /dev/null || skip_all "python3 is not installed"
command -v git > /dev/null || skip_all "git is not installed"
command -v make > /dev/null && command -v cc > /dev/null ||
	skip_all "make and cc are needed"
if [ ! -x "$regress" ]; then
	ok 1 "$regress is built (run make)"
	done_testing
	exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_AUTHOR_NAME=hwqnic GIT_AUTHOR_EMAIL=hwqnic@example.org \
	GIT_COMMITTER_NAME=hwqnic GIT_COMMITTER_EMAIL=hwqnic@example.org \
	GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
repo=$tmp/repo
mkdir "$repo"
cd "$repo" || exit 1
git init -q -b main .

# spin: the same loop timed twice, the second time with EXTRA/2 as much
# work again, each the best of 5; work_s/base_s is a same-run ratio,
# steady under a neighbour.
printf 'build/bin/spin: spin.c\n\tmkdir -p build/bin\n\t$(CC) -O1 -o $@ spin.c\n' \
	> Makefile
cat > spin.c <<-'EOF'
	#include <stdio.h>
	#include <time.h>
	#define EXTRA 0
	static double now(void)
	{
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		return t.tv_sec + t.tv_nsec / 1e9;
	}
	/* the best of 5: a neighbour's preemption lengthens one, not all */
	static double loop(long n)
	{
		volatile unsigned long x = 1;
		double best = 1e9;

		for (int r = 0; r < 5; r++) {
			double t = now();

			for (long i = 0; i < n; i++)
				x = x * 2862933555777941757ul + 3037000493ul;
			if (now() - t < best)
				best = now() - t;
		}
		return best;
	}
	int main(void)
	{
		long n = 1000000;
		double base = loop(n), work = loop(n + n * EXTRA / 2);

		printf("{\"work_s\": %.9f, \"base_s\": %.9f}\n", work, base);
		return 0;
	}
EOF
cat > "$tmp/suite.json" <<-'EOF'
	{"name": "spin", "measurements": [{"name": "spin", "cmd": ["spin"],
	 "metrics": [{"key": "work_s/base_s", "better": "lower",
	              "threshold_pct": 10},
	             {"key": "base_s", "better": "lower", "threshold_pct": 50}]}]}
EOF
commit() { git add -A && git commit -qm "$1" && git rev-parse HEAD; }
c1=$(commit "spin: a loop timed against itself")
echo "spin" > README
c2=$(commit "README")
sed -i 's/#define EXTRA 0/#define EXTRA 1/' spin.c
c3=$(commit "spin: half as much work again")
echo "times a loop" >> README
c4=$(commit "README: what spin does")
sed -i 's/return 0;/return 0/' spin.c
broken=$(commit "spin: a missing semicolon")
git checkout -q "$c4"
git checkout -q -b fixed
echo "twice" >> README
c5=$(commit "README: twice")
echo "local" >> README	# a change in the work tree, which bisect keeps

# ab: bounded in time; 8 runs a side in turn.
ab() { timeout 300 "$regress" ab -q --suite "$tmp/suite.json" -n 8 "$@"; }

ab --json -o "$tmp" "$c1" "$c5" > "$tmp/v" 2> "$tmp/err"
rc=$?
python3 - "$tmp/v" "$tmp/a.json" "$tmp/b.json" "$c1" "$c5" <<-'EOF'
	import json, sys
	rows = [json.loads(l) for l in open(sys.argv[1])]
	assert [r["verdict"] for r in rows] == ["regressed", "no change"], rows
	assert rows[0]["base"]["n"] == rows[0]["new"]["n"] == 8
	a, b = (json.load(open(p)) for p in sys.argv[2:4])
	assert a["git_revision"] == sys.argv[4], a["git_revision"]
	assert b["git_revision"] == sys.argv[5], b["git_revision"]
	assert len(a["measurements"][0]["runs"]) == 8
	assert a["measurements"][0]["binary_sha256"] != \
	    b["measurements"][0]["binary_sha256"]
EOF
ok $? "ab GOOD BAD: built both, the ratio regressed, exit 1 ($rc)"
[ $rc = 1 ]
ok $? "ab GOOD BAD: exit 1"
diag < "$tmp/err"

ab --json "$c1" "$c2" > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 0 ] || [ $rc = 3 ]
ok $? "ab of two revisions that measure the same: no regression ($rc)"

# The order in time: each run of "order" appends its side's name.
cat > "$tmp/order.sh" <<-EOF
	#!/bin/sh
	echo "\$SIDE" >> "$tmp/order"
	echo '{"x": 1}'
EOF
chmod 755 "$tmp/order.sh"
mkdir "$tmp/bin"
ln -s "$tmp/order.sh" "$tmp/bin/order"
echo '{"name": "o", "measurements": [{"name": "o", "cmd": ["order"],
 "metrics": [{"key": "x", "better": "lower", "threshold_pct": 5}]}]}' \
	> "$tmp/order.json"
: > "$tmp/order"
timeout 60 "$regress" ab -q --suite "$tmp/order.json" -n 6 --env-a SIDE=A \
	--env-b SIDE=B "$tmp/bin" "$tmp/bin" > /dev/null 2>&1
[ "$(tr -d '\n' < "$tmp/order")" = "ABABBAABBAABBA" ]
ok $? "warmups A B, then runs A B B A A B B A A B B A ($(tr -d '\n' < "$tmp/order"))"

# --builds keeps each revision's tree; make runs again in it, so that a
# program another suite did not need (here: one removed) is built.
ab --builds "$tmp/builds" "$c1" "$c2" > /dev/null 2>&1
rm "$tmp/builds/$c1/build/bin/spin"
ab --builds "$tmp/builds" "$c1" "$c2" > /dev/null 2> "$tmp/err"
rc=$?
[ $rc != 2 ] && [ -x "$tmp/builds/$c1/build/bin/spin" ] &&
	[ -e "$tmp/builds/$c2/spin.c" ]
ok $? "--builds: trees kept and reused, a missing program built ($rc)"

# A revision that does not build: exit 2 with the end of make's log, or
# 125 (skip this commit) for git bisect run.
ab "$c1" "$broken" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && [ ! -s "$tmp/out" ] &&
	grep -q "^hwqregress: ${broken:0:12}: make failed (exit 2); the end of its log:$" \
		"$tmp/err" && grep -q "error: expected" "$tmp/err"
ok $? "ab with a revision that does not build: exit 2, the log's end ($rc)"
diag < "$tmp/err"
ab --bisect-step "$c1" "$broken" > /dev/null 2>&1
ok $([ $? = 125 ]; echo $?) "--bisect-step: a build failure is 125 (skip)"
ab --bisect-step "$c1" no-such-rev > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 128 ] && grep -q "no-such-rev: not a commit" "$tmp/err"
ok $? "--bisect-step: another error is 128, which stops git bisect ($rc)"
ab "$c1" no-such-rev > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/err")" = 1 ]
ok $? "ab of a name that is no commit: one line, exit 2 ($(cat "$tmp/err"))"

# bisect names c3, and leaves the branch, HEAD and the work tree alone.
head=$(git rev-parse HEAD)
timeout 600 "$regress" bisect -q --suite "$tmp/suite.json" "$c1" "$c5" \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 0 ] &&
	[ "$(cat "$tmp/out")" = "first bad commit: $c3 spin: half as much work again" ]
ok $? "bisect names the commit that added the work, exit 0 ($rc: $(cat "$tmp/out"))"
diag < "$tmp/err"
[ "$(git rev-parse HEAD)" = "$head" ] &&
	[ "$(git symbolic-ref HEAD)" = refs/heads/fixed ] &&
	[ "$(git status --porcelain)" = " M README" ] &&
	[ ! -e "$(git rev-parse --git-path BISECT_START)" ]
ok $? "bisect: the branch, HEAD and the changed work tree kept, no bisection left"

# Both ends measure the same: nothing to bisect, exit 2, one line.
timeout 300 "$regress" bisect -q --suite "$tmp/suite.json" "$c1" "$c2" \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && [ ! -s "$tmp/out" ] &&
	grep -q "^hwqregress: the regression does not reproduce: $c2 against $c1 is [a-z, ]*; nothing to bisect$" \
		"$tmp/err" && [ ! -e "$(git rev-parse --git-path BISECT_START)" ]
ok $? "bisect of two ends that measure the same refuses, exit 2 ($rc)"
diag < "$tmp/err"
timeout 60 "$regress" bisect -q --suite "$tmp/suite.json" "$c5" "$c1" \
	> /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "is not an ancestor of" "$tmp/err"
ok $? "bisect BAD GOOD the wrong way round: exit 2 ($(cat "$tmp/err"))"

done_testing
