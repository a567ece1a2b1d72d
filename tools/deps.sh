#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make deps: installs the Debian packages in $DEB_PKGS that are missing,
# then the kernel image that matches the newest installed kernel headers
# (hwqnic.ko is built against those headers and tested by booting that
# image under qemu), unless DEPS_KERNEL=0. Never names a kernel version: it
# reads the headers'.
set -u
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'; }
headers_ver() {
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1 |
		sed 's|.*/linux-headers-||'
}
updated=
install() {	# install PKG...: as root, after one apt-get update
	if [ "$(id -u)" != 0 ]; then
		echo "make deps: missing Debian packages:" "$@"
		echo "make deps: run as root, or: apt-get install" "$@"
		exit 1
	fi
	echo "make deps: installing" "$@"
	[ -n "$updated" ] || apt-get update -qq || return
	updated=1
	apt-get install -y -qq "$@"
}

missing=
for p in $DEB_PKGS; do
	installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] || install $missing || exit

# make demo needs no kernel: DEPS_KERNEL=0
[ "${DEPS_KERNEL:-1}" != 0 ] || exit 0
ver=$(headers_ver)
[ -n "$ver" ] || { echo "make deps: no kernel headers after installing them"; exit 1; }
installed "linux-image-$ver" && exit 0
# that version may have left the archive: then the newest of both
install "linux-image-$ver" ||
	install linux-image-amd64 linux-headers-amd64 || exit
ver=$(headers_ver)
installed "linux-image-$ver" ||
	{ echo "make deps: no linux-image-$ver for the headers of $ver"; exit 1; }
