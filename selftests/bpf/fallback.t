#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# On a kernel without BTF the build uses bpf/vmlinux_fallback.h for
# vmlinux.h: every BPF program must compile against it as it does against
# the running kernel's types, else `make` fails on such a machine.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
CLANG=${CLANG:-clang}
command -v "$CLANG" > /dev/null || skip_all "no $CLANG"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$top/bpf/vmlinux_fallback.h" "$tmp/vmlinux.h"
for src in "$top"/bpf/*.bpf.c; do
	name=${src##*/}
	"$CLANG" -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
		-I"$tmp" -I"$top/include" -I"$top/bpf" \
		-I/usr/include/"$(gcc -dumpmachine)" \
		-c "$src" -o "$tmp/${name%.c}.o" > "$tmp/err" 2>&1
	ok $? "$name compiles against vmlinux_fallback.h"
	head -5 "$tmp/err" | diag
done
done_testing
