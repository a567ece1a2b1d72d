#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The section-3 man pages (docs/man/*.3): every function libhwqnic.so
# exports (user/libhwqnic.map) has a page, its own or a .so alias of the
# page that names it; each page has the sections a libibverbs page has;
# its SYNOPSIS declares what the headers declare (compiled against them);
# libhwqnic.3 names every function; and each page formats without a
# warning (groff -ww, and man --warnings where man-db is installed).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
man3=$top/docs/man
CC=${CC:-cc}

command -v groff > /dev/null || skip_all "groff is not installed (make deps installs groff-base)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the exported names: the map's global: section, without the ;s
syms=$(sed -n '/global:/,/local:/p' "$top/user/libhwqnic.map" |
	grep -o 'hwqnic_[a-z0-9_]*' | sort -u)
[ -n "$syms" ] || skip_all "no symbols in user/libhwqnic.map"

# the page a name's page leads to: itself, or the target of its .so
target() {
	local so
	so=$(sed -n '1s|^\.so man3/||p' "$man3/$1.3")
	if [ -n "$so" ]; then echo "$man3/$so"; else echo "$man3/$1.3"; fi
}

# the NAME line of a page: its names, one a line
names() {
	sed -n '/^\.SH NAME/{n;p;q}' "$1" | sed 's/ \\-.*//' | tr -d ' ' |
		tr ',' '\n'
}

for s in $syms; do
	why=
	if [ ! -f "$man3/$s.3" ]; then
		why="no docs/man/$s.3"
	else
		page=$(target "$s")
		if [ ! -f "$page" ]; then
			why="$s.3 leads to $(basename "$page"), which is missing"
		elif head -n 1 "$page" | grep -q '^\.so'; then
			why="$(basename "$page") is an alias too"
		elif ! names "$page" | grep -qx "$s"; then
			why="the NAME of $(basename "$page") does not name it"
		fi
	fi
	ok "$([ -z "$why" ]; echo $?)" "$s has a man page${why:+: $why}"
done

overview=$man3/libhwqnic.3
missing=
for s in $syms; do
	grep -q "^\.BR $s (3)" "$overview" 2>/dev/null || missing="$missing $s"
done
ok "$([ -z "$missing" ]; echo $?)" "libhwqnic.3 names every function${missing:+; not:$missing}"

# every page that is not an alias
for page in "$man3"/*.3; do
	head -n 1 "$page" | grep -q '^\.so' && continue
	p=$(basename "$page")
	sections=
	for sec in NAME SYNOPSIS DESCRIPTION "RETURN VALUE" ERRORS "SEE ALSO"; do
		grep -Eqx "\.SH \"?$sec\"?" "$page" || sections="$sections '$sec'"
	done
	ok "$([ -z "$sections" ]; echo $?)" "$p has NAME, SYNOPSIS, DESCRIPTION, RETURN VALUE, ERRORS, SEE ALSO${sections:+; missing:$sections}"

	groff -t -man -ww -z "$page" > "$tmp/warn" 2>&1
	ok "$([ -s "$tmp/warn" ]; echo $((1 - $?)))" "$p formats without warnings (groff -ww)"
	diag < "$tmp/warn"
	if command -v man > /dev/null; then
		MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null |
			grep -v '^$' > "$tmp/warn"
		ok "$([ -s "$tmp/warn" ]; echo $((1 - $?)))" "$p formats in 80 columns without warnings (man --warnings)"
		diag < "$tmp/warn"
	else
		n=$((n + 1)); echo "ok $n # SKIP $p: man is not installed"
	fi

	[ "$p" = libhwqnic.3 ] && continue
	# the SYNOPSIS as text, up to its last ';': the prototypes
	groff -t -man -Tascii -P-cbou "$page" 2> /dev/null |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
		grep -v '#include' | tr '\n' ' ' | sed 's/;[^;]*$/;/' > "$tmp/syn"
	{
		echo '#include <hwqnic/verbs.h>'
		echo '#include <hwqnic/stats.h>'
		cat "$tmp/syn"
		echo
	} > "$tmp/syn.c"
	"$CC" -std=c11 -Wall -Werror -fsyntax-only -I"$top/include" \
		"$tmp/syn.c" > "$tmp/err" 2>&1
	ok $? "$p: its SYNOPSIS declares what the headers do"
	diag < "$tmp/err"
done
done_testing
