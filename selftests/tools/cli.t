#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Every tool in build/bin answers the same command line the same way:
# --help, -h and -? print the help on stdout ("Usage: TOOL" first) and
# exit 0, --usage the short form; --version and -V print "TOOL VERSION
# (hwqnic ABI N)", VERSION the Makefile's; an unknown long or short
# option and a missing value exit 2 with one line on stderr, "TOOL: ...",
# and nothing on stdout. Nothing is run: every case ends at the command
# line, so the test needs no device, no root and no BPF.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin
. "$top/selftests/tap.sh"

version=$(sed -n 's/^VERSION[[:space:]]*:*=[[:space:]]*//p' "$top/Makefile")
[ -n "$version" ]
ok $? "the Makefile's VERSION is '$version'"

tools=$(cd "$bin" 2> /dev/null && ls)
[ -n "$tools" ]
ok $? "tools in build/bin: $(echo $tools)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# call TOOL ARGS...: rc, out and err of one run, bounded in time
call() {
	local t=$1
	shift
	timeout 10 "$bin/$t" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
	rc=$?
}

for t in $tools; do
	for a in --help -h -?; do
		call "$t" "$a"
		[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] &&
			head -n 1 "$tmp/out" | grep -q "^Usage: $t " &&
			grep -q -- '--version' "$tmp/out" &&
			grep -q -- '--usage' "$tmp/out"
		ok $? "$t $a: help on stdout, 'Usage: $t' first, exit 0 ($rc)"
	done
	call "$t" --help
	cp "$tmp/out" "$tmp/help"
	call "$t" -h
	cmp -s "$tmp/out" "$tmp/help"
	ok $? "$t -h is $t --help"

	call "$t" --usage
	[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] &&
		head -n 1 "$tmp/out" | grep -q "^Usage: $t \[" &&
		grep -q -- '\[--version\]' "$tmp/out"
	ok $? "$t --usage: the short form on stdout, exit 0 ($rc)"

	for a in --version -V; do
		call "$t" "$a"
		[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] &&
			[ "$(wc -l < "$tmp/out")" = 1 ] &&
			grep -qx "$t $version (hwqnic ABI [0-9]*)" "$tmp/out"
		ok $? "$t $a: '$t $version (hwqnic ABI N)', exit 0 ($(head -c 80 "$tmp/out"))"
	done

	# each: exit 2, one line naming the tool and the option, no stdout
	for a in --no-such-option -Z; do
		call "$t" "$a"
		[ "$rc" = 2 ] && [ ! -s "$tmp/out" ] &&
			[ "$(wc -l < "$tmp/err")" = 1 ] &&
			grep -q "^$t: .*'$a'" "$tmp/err"
		ok $? "$t $a: one line on stderr, exit 2 ($rc: $(head -c 100 "$tmp/err"))"
	done
	# an option that takes a value, given none: every tool has --help's
	# sibling --program-name from argp, which takes one
	call "$t" --program-name
	[ "$rc" = 2 ] && [ ! -s "$tmp/out" ] &&
		[ "$(wc -l < "$tmp/err")" = 1 ] &&
		grep -q "^$t: missing value for option '--program-name'" \
			"$tmp/err"
	ok $? "$t: a missing value is one line, exit 2 ($rc: $(head -c 100 "$tmp/err"))"
done

done_testing
