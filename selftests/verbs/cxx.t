#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The public headers are C++: each compiles alone, as C++11 and C++17,
# with every warning an error, pedantic included; and a C++ program that
# includes them all and does a loopback RDMA WRITE (cxx.cc) links against
# libhwqnic.so and runs. BUILD=dir tests another build.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
build=$top/${BUILD:-build}
CXX=${CXX:-g++}

command -v "$CXX" > /dev/null || skip_all "$CXX is not installed (make deps installs g++)"
[ -e "$build/release/libhwqnic.so" ] || skip_all "$build/release/libhwqnic.so is not built (run make)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags="-Wall -Wextra -Werror -pedantic -I$top/include"

for std in c++11 c++17; do
	for h in "$top"/include/hwqnic/*.h; do
		name=hwqnic/$(basename "$h")
		printf '#include <%s>\n' "$name" > "$tmp/one.cc"
		"$CXX" -std=$std $flags -c "$tmp/one.cc" -o "$tmp/one.o" \
			> "$tmp/err" 2>&1
		ok $? "$name compiles alone as $std"
		diag < "$tmp/err"
	done
	"$CXX" -std=$std $flags "$top/selftests/verbs/cxx.cc" \
		-L"$build/release" -lhwqnic -o "$tmp/cxx" > "$tmp/err" 2>&1
	ok $? "cxx.cc builds and links against libhwqnic.so as $std"
	diag < "$tmp/err"
	LD_LIBRARY_PATH=$build/release timeout 60 "$tmp/cxx" > "$tmp/out" 2>&1
	ok $? "cxx.cc ($std) runs a loopback RDMA WRITE"
	diag < "$tmp/out"
done
done_testing
