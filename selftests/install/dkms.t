#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# DKMS builds hwqnic.ko from the tree `make dkms-install` stages: dkms
# add and dkms build into a DKMS tree of the test's own (--dkmstree,
# --sourcetree), for the newest installed kernel headers; the module it
# built must be for that kernel. Then the same dkms.conf's MAKE[0], run
# by hand in a copy of that tree, must build it too (what dkms runs).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"

[ "$(id -u)" = 0 ] || skip_all "not root (dkms needs it)"
command -v dkms > /dev/null || skip_all "no dkms (make deps installs it)"
KDIR=${KDIR:-$(ls -d /usr/src/linux-headers-*-amd64 2> /dev/null | sort -V | tail -n 1)}
[ -n "$KDIR" ] || skip_all "no Debian kernel headers (make deps installs them)"
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
[ -e "/lib/modules/$kver/build" ] ||
	skip_all "/lib/modules/$kver/build is missing (linux-headers-$kver)"

tmp=$(mktemp -d)
# dkms build makes a module-signing key once per machine; one that this
# test made goes with it
mok=/var/lib/dkms/mok.key
[ -e "$mok" ] && mok=
trap 'rm -rf "$tmp"; [ -n "$mok" ] && rm -f "$mok" "${mok%.key}.pub"' EXIT
make -s --no-print-directory -C "$top" dkms-install DESTDIR="$tmp/d" \
	> "$tmp/stage.log" 2>&1
rc=$?
ok $rc "make dkms-install DESTDIR=\$tmp/d stages the sources"
[ $rc = 0 ] || diag < "$tmp/stage.log"
src=$(ls -d "$tmp"/d/usr/src/hwqnic-* 2> /dev/null)
ver=${src##*/hwqnic-}
want=$(sed -n 's/^VERSION[[:space:]]*:= *//p' "$top/Makefile")
[ -n "$ver" ] && [ "$ver" = "$want" ] &&
	grep -qx "PACKAGE_VERSION=\"$want\"" "$src/dkms.conf"
ok $? "the staged tree and its dkms.conf carry the Makefile's VERSION ($ver)"

trees=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/d/usr/src")
mkdir "$tmp/dkms"
dkms add -m hwqnic -v "$ver" "${trees[@]}" > "$tmp/add.log" 2>&1
rc=$?
ok $rc "dkms add hwqnic/$ver"
[ $rc = 0 ] || diag < "$tmp/add.log"
timeout 900 dkms build -m hwqnic -v "$ver" -k "$kver" "${trees[@]}" \
	> "$tmp/build.log" 2>&1
rc=$?
ok $rc "dkms build hwqnic/$ver -k $kver"
[ $rc = 0 ] || { tail -n 20 "$tmp/build.log"; cat "$tmp"/dkms/hwqnic/"$ver"/build/make.log 2> /dev/null | tail -n 20; } | diag
ko=$(find "$tmp/dkms/hwqnic/$ver/$kver" -name 'hwqnic.ko*' 2> /dev/null | head -n 1)
vm=$(modinfo -F vermagic "$ko" 2> /dev/null)
[ -n "$ko" ] && [ "${vm%% *}" = "$kver" ]
ok $? "DKMS built hwqnic.ko for $kver (vermagic: $vm)"

# dkms.conf's MAKE[0], as dkms runs it, in a copy of the staged tree
mkdir -p "$tmp/copy/hwqnic/$ver"
cp -r "$src" "$tmp/copy/hwqnic/$ver/build"
make=$(kernel_source_dir=/lib/modules/$kver/build dkms_tree=$tmp/copy \
	bash -c '. "$1" && echo "${MAKE[0]}"' conf "$src/dkms.conf")
timeout 900 $make > "$tmp/make.log" 2>&1 &&
	[ -f "$tmp/copy/hwqnic/$ver/build/kmod/hwqnic.ko" ]
ok $? "dkms.conf's MAKE[0] builds kmod/hwqnic.ko in a copy of the tree"
[ -f "$tmp/copy/hwqnic/$ver/build/kmod/hwqnic.ko" ] || tail -n 20 "$tmp/make.log" | diag
done_testing
