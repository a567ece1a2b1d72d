#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqnic.ko builds from kmod/core unchanged against Debian's newest installed
# kernel headers, with no warning at W=1; it exports the verbs of
# kmod/hwqnic_kverbs.h for in-kernel consumers, each with a kernel-doc
# comment, and nothing else (the core stays inside it); kernel-doc finds
# nothing to warn of; and it carries the hwqnic tracepoints.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
KDIR=${KDIR:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$KDIR" ]; then
	skip_all "no Debian kernel headers: apt-get install linux-headers-amd64"
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "# kernel build tree: $KDIR"
make -s -C "$KDIR" M="$top/kmod" clean >/dev/null 2>&1
make -C "$KDIR" M="$top/kmod" W=1 modules >"$log" 2>&1 &&
	[ -f "$top/kmod/hwqnic.ko" ]
rc=$?
[ $rc = 0 ] || diag < "$log"
ok $rc "hwqnic.ko builds"
! grep -qiE 'warning:|error:' "$log"
rc=$?
[ $rc = 0 ] || grep -iE 'warning:|error:' "$log" | diag
ok $rc "no warnings with W=1"

# The verbs: every function kmod/hwqnic_kverbs.h declares.
verbs=$(sed -n 's/^[a-z].*[ *]\(hwqnic_[a-z_]*\)(.*/\1/p' \
	"$top/kmod/hwqnic_kverbs.h")
exports=$(awk '$4 ~ /^EXPORT_SYMBOL/ { print $2 }' \
	"$top/kmod/Module.symvers" 2>/dev/null)
for sym in $verbs; do
	grep -qE "^0x[0-9a-f]+[[:space:]]$sym[[:space:]].*EXPORT_SYMBOL_GPL" \
		"$top/kmod/Module.symvers" 2>/dev/null
	ok $? "exports $sym (GPL)"
done
extra=
for sym in $exports; do
	case " $(echo $verbs) " in
	*" $sym "*) ;;
	*) extra="$extra $sym" ;;
	esac
done
[ -n "$exports" ] && [ -z "$extra" ]
ok $? "exports the verbs of hwqnic_kverbs.h only${extra:+ (also:$extra)}"

kdoc=$KDIR/scripts/kernel-doc
srcs=$(ls "$top"/kmod/*.c "$top"/kmod/*.h "$top"/kmod/core/*.c \
	"$top"/kmod/core/*.h)
for sym in $verbs; do
	if [ ! -x "$kdoc" ]; then
		echo "ok $((n += 1)) - kernel-doc of $sym # SKIP no $kdoc"
		continue
	fi
	# shellcheck disable=SC2086 # one word per file
	[ "$("$kdoc" -rst -function "$sym" $srcs 2>/dev/null |
		grep -c "c:function::.* $sym (")" = 1 ]
	ok $? "kernel-doc of $sym"
done
if [ -x "$kdoc" ]; then
	# shellcheck disable=SC2086
	"$kdoc" -v -none $srcs > "$log" 2>&1
	! grep -v ': info: ' "$log" | grep -q .
	rc=$?
	[ $rc = 0 ] || diag < "$log"
	ok $rc "kernel-doc -v -none: no warnings in kmod/ and kmod/core/"
else
	echo "ok $((n += 1)) - kernel-doc: no warnings # SKIP no $kdoc"
fi

# the five tracepoints of docs/tracepoints.md
for ev in post db wqe cqe poll; do
	nm "$top/kmod/hwqnic.ko" 2>/dev/null |
		grep -q " __tracepoint_hwqnic_$ev\$"
	ok $? "tracepoint hwqnic:hwqnic_$ev"
done
done_testing
