#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make install, as a user and as a packager does it: to a temporary
# PREFIX, then staged in a DESTDIR for PREFIX=/usr/local. The installed
# libhwqnic.pc must name the PREFIX installed to (not the one of the
# build), every example must build from the installed examples/Makefile
# through pkg-config and run against the installed library, a C++ program
# must build against the installed headers, and the BPF objects and
# their maps' layout headers, man pages, completion, licence and hwqnic.ko
# (when built) must land, with depmod run only for a real install; make
# uninstall must remove what install put there and nothing else.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"

for c in pkg-config g++; do
	command -v "$c" > /dev/null || skip_all "no $c (make deps installs it)"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p=$tmp/p
export PKG_CONFIG_PATH=$p/lib/pkgconfig PKG_CONFIG_LIBDIR=$p/lib/pkgconfig

# --- make install PREFIX=$p (the module under $p too: INSTALL_MOD_PATH)
make -s --no-print-directory -C "$top" install PREFIX="$p" \
	INSTALL_MOD_PATH="$p" > "$tmp/install.log" 2>&1
rc=$?
ok $rc "make install PREFIX=\$tmp/p"
[ $rc = 0 ] || diag < "$tmp/install.log"

got=$(pkg-config --variable=prefix libhwqnic 2>&1)
[ "$got" = "$p" ]
ok $? "the installed libhwqnic.pc's prefix is the PREFIX installed to ($got)"
got=$(echo $(pkg-config --cflags --libs libhwqnic 2>&1))
[ "$got" = "-I$p/include -L$p/lib -lhwqnic" ]
ok $? "pkg-config --cflags --libs libhwqnic names it ($got)"
grep -q "ld.so does not search $p/lib: run programs with LD_LIBRARY_PATH=$p/lib" \
	"$tmp/install.log"
ok $? "install says that ld.so does not search \$tmp/p/lib"

missing=
for f in "$top"/bpf/*.bpf.o; do
	cmp -s "$f" "$p/lib/hwqnic/bpf/${f##*/}" || missing="$missing ${f##*/}"
done
[ -z "$missing" ] && ls "$top"/bpf/*.bpf.o > /dev/null 2>&1
ok $? "every bpf/*.bpf.o is in PREFIX/lib/hwqnic/bpf/${missing:+ (missing:$missing)}"
missing=
for f in qplat.h roce_steer.h; do
	cmp -s "$top/bpf/$f" "$p/include/hwqnic/bpf/$f" &&
	printf '#include <linux/types.h>\n#include <hwqnic/bpf/%s>\n' "$f" |
		${CC:-cc} -std=c11 -Wall -Wextra -Werror -fsyntax-only \
			-I"$p/include" -x c - 2>> "$tmp/install.log" ||
		missing="$missing $f"
done
[ -z "$missing" ]
ok $? "the BPF maps' layouts are in PREFIX/include/hwqnic/bpf/ and compile after <linux/types.h>${missing:+ (missing or broken:$missing)}"
missing=
for f in "$top"/docs/man/*.[0-9]; do
	cmp -s "$f" "$p/share/man/man${f##*.}/${f##*/}" || missing="$missing ${f##*/}"
done
[ -z "$missing" ]
ok $? "every docs/man/*.N is in PREFIX/share/man/manN/${missing:+ (missing:$missing)}"
missing=
for t in hwqperf hwqload qplat nictop probecost hwqpingpong hwqregress; do
	[ -x "$p/bin/$t" ] && [ "$(readlink "$p/share/bash-completion/completions/$t")" = _hwqnic ] ||
		missing="$missing $t"
done
[ -z "$missing" ]
ok $? "each tool is in PREFIX/bin with its bash completion${missing:+ (missing:$missing)}"
version=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")
"$p/bin/hwqregress" --version 2>&1 | grep -qx "hwqregress $version (hwqnic ABI [0-9]*)"
ok $? "hwqregress is in PREFIX/bin and runs there"
cmp -s "$top/LICENSE" "$p/share/doc/hwqnic/LICENSE" &&
	cmp -s "$top/LICENSES/GPL-2.0" "$p/share/doc/hwqnic/LICENSES/GPL-2.0" &&
	cmp -s "$top/LICENSES/BSD-2-Clause" "$p/share/doc/hwqnic/LICENSES/BSD-2-Clause"
ok $? "LICENSE and both licence texts are in PREFIX/share/doc/hwqnic"
cmp -s "$top/README.md" "$p/share/doc/hwqnic/README.md" &&
	cmp -s "$top/docs/install.md" "$p/share/doc/hwqnic/docs/install.md"
ok $? "README.md and docs/*.md are in PREFIX/share/doc/hwqnic"

# --- the completion offers what each tool's --help lists
comp() {	# comp TOOL WORD...: what completing the last word offers
	PATH=$p/bin:$PATH bash -c '. "$1"; shift; COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1)); _hwqnic_tool; echo "${COMPREPLY[*]}"' \
		comp "$p/share/bash-completion/completions/_hwqnic" "$@"
}
[ "$(comp hwqperf '')" = "lat bw" ] && [ "$(comp hwqperf --ite)" = "--iters=" ] &&
	[ "$(comp qplat --pi)" = "--pin= --pid=" ] &&
	[ "$(comp nictop -b --del)" = "--delay=" ] &&
	[ "$(comp qplat -B "$p/bin/hwqpe")" = "$p/bin/hwqperf" ]
ok $? "bash completion: modes, long options, a BINARY argument"
missing=
for t in hwqperf hwqload qplat nictop probecost hwqpingpong; do
	[ "$(comp $t --vers)" = --version ] && [[ " $(comp $t -) " == *" --help "* ]] ||
		missing="$missing $t"
done
[ -z "$missing" ]
ok $? "bash completion: every tool's --help and --version${missing:+ (not:$missing)}"

# --- the installed examples, built as a user would, run against PREFIX/lib
ex=$p/share/doc/hwqnic/examples
make -s --no-print-directory -C "$ex" O="$tmp/ex" > "$tmp/ex.log" 2>&1
rc=$?
ok $rc "the installed examples build with their Makefile through pkg-config"
[ $rc = 0 ] || diag < "$tmp/ex.log"
for e in rdma_write send_recv ud traced; do
	arg=
	[ $e = traced ] && arg=0.2
	out=$(LD_LIBRARY_PATH=$p/lib timeout 60 "$tmp/ex/$e" $arg 2>&1)
	rc=$?
	lib=$(LD_LIBRARY_PATH=$p/lib ldd "$tmp/ex/$e" 2>&1 | awk '/libhwqnic/ { print $3 }')
	[ $rc = 0 ] && [ "${out##*: }" = OK ] && [ "$lib" = "$p/lib/libhwqnic.so.1" ]
	ok $? "example $e runs on the installed libhwqnic and says OK"
	[ $? = 0 ] || echo "exit $rc, library $lib: $out" | diag
done

cat > "$tmp/hello.cc" <<'CC'
#include <hwqnic/verbs.h>
#include <cerrno>
#include <cstdio>

int main()
{
	hwqnic_context *ctx = hwqnic_open(nullptr, HWQNIC_OPEN_EMBEDDED);

	if (!ctx) {
		std::perror("hwqnic_open");
		return 1;
	}
	std::printf("C++: %s: OK\n", hwqnic_device_name(ctx));
	return hwqnic_close(ctx);
}
CC
g++ -std=c++17 -Wall -Wextra -Werror $(pkg-config --cflags libhwqnic) \
	"$tmp/hello.cc" $(pkg-config --libs libhwqnic) -o "$tmp/hello" \
	> "$tmp/cxx.log" 2>&1
rc=$?
ok $rc "a C++17 program including <hwqnic/verbs.h> builds (g++ -Wall -Wextra -Werror)"
[ $rc = 0 ] || head -n 20 "$tmp/cxx.log" | diag
out=$(LD_LIBRARY_PATH=$p/lib timeout 60 "$tmp/hello" 2>&1)
[ "${out##*: }" = OK ]
ok $? "the C++ program runs ($out)"

ko=$(find "$p/lib/modules" -name hwqnic.ko 2> /dev/null)
if [ -f "$top/kmod/hwqnic.ko" ]; then
	[ -n "$ko" ] && cmp -s "$top/kmod/hwqnic.ko" "$ko" &&
		grep -q 'extra/hwqnic.ko:' "${ko%/extra/hwqnic.ko}/modules.dep"
	ok $? "hwqnic.ko is in INSTALL_MOD_PATH/lib/modules/KVER/extra, and depmod ran there"
else
	echo "ok $((n += 1)) - hwqnic.ko installed # SKIP kmod/hwqnic.ko not built (make builds it where Debian kernel headers are installed)"
fi

# --- make uninstall PREFIX=$p: what install put there goes, nothing else
echo keep > "$p/bin/another-tool"
make -s --no-print-directory -C "$top" uninstall PREFIX="$p" \
	INSTALL_MOD_PATH="$p" > "$tmp/uninstall.log" 2>&1
rc=$?
left=$(find "$p" ! -type d ! -name 'modules.*' ! -path "$p/bin/another-tool")
[ $rc = 0 ] && [ -z "$left" ] && [ "$(cat "$p/bin/another-tool")" = keep ]
ok $? "make uninstall PREFIX=\$tmp/p removes every file install put there, and only those (rc $rc)"
[ -z "$left" ] || echo "$left" | head -n 20 | diag
[ $rc = 0 ] || diag < "$tmp/uninstall.log"

# --- staged: DESTDIR=$d PREFIX=/usr/local, as a package build does it
d=$tmp/d
make -s --no-print-directory -C "$top" install DESTDIR="$d" PREFIX=/usr/local \
	> "$tmp/destdir.log" 2>&1
rc=$?
ok $rc "make install DESTDIR=\$tmp/d PREFIX=/usr/local"
[ $rc = 0 ] || diag < "$tmp/destdir.log"
pc=$d/usr/local/lib/pkgconfig/libhwqnic.pc
grep -qx 'prefix=/usr/local' "$pc" && ! grep -q "$tmp" "$pc"
ok $? "the staged libhwqnic.pc says prefix=/usr/local and names no DESTDIR path"
[ -f "$d/usr/local/lib/hwqnic/bpf/qplat.bpf.o" ] && [ -f "$d/usr/local/include/hwqnic/verbs.h" ] &&
	[ -f "$d/usr/local/share/doc/hwqnic/examples/rdma_write.c" ]
ok $? "everything else is staged under DESTDIR/usr/local"
[ $rc = 0 ] && ! grep -q 'ldconfig\|ld.so' "$tmp/destdir.log"
ok $? "a staged install runs no ldconfig and gives no hint"
if [ -f "$top/kmod/hwqnic.ko" ]; then
	ko=$(find "$d/lib/modules" -path '*/extra/hwqnic.ko')
	[ -n "$ko" ] && [ -z "$(find "$d" -name 'modules.dep*')" ]
	ok $? "hwqnic.ko is staged in DESTDIR/lib/modules/KVER/extra, without depmod"
else
	echo "ok $((n += 1)) - hwqnic.ko staged # SKIP kmod/hwqnic.ko not built (make builds it where Debian kernel headers are installed)"
fi
make -s --no-print-directory -C "$top" uninstall DESTDIR="$d" PREFIX=/usr/local \
	> "$tmp/destdir-un.log" 2>&1
rc=$?
left=$(find "$d" ! -type d)
[ $rc = 0 ] && [ -z "$left" ] && ! grep -q 'ldconfig\|depmod' "$tmp/destdir-un.log"
ok $? "make uninstall DESTDIR=\$tmp/d: nothing staged is left, no ldconfig or depmod run (rc $rc)"
[ -z "$left" ] || echo "$left" | head -n 20 | diag
done_testing
