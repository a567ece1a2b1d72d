#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Tests hwqnic.ko in a real Debian kernel: builds the modules against $KDIR,
# packs them with busybox, guest.sh and the project's binaries into an
# initramfs, boots /boot/vmlinuz-<KDIR's version> under qemu (TCG) and
# reports, as one TAP stream, its own checks plus the TAP lines guest.sh
# printed on the guest's second serial port.
#   KDIR=...          kernel build tree (default: newest linux-headers-*-amd64)
#   QEMU_STALL=120    seconds without a byte from the guest (on either
#                     serial port) before it is taken for hung and killed;
#                     guest.sh prints a line every 10 s while a test
#                     program runs, and no other step of it takes long
#   QEMU_TIMEOUT=1800 seconds before a guest still making progress is
#                     killed all the same (a slow machine, not a hang)
#   GUEST_BINS="..."  binaries for the guest's /bin (default: build/bin/*,
#                     build/release/selftests/{verbs,uapi}/*.t, rxe-verbs,
#                     hwqhold)
#   NET_MODULES="..." Debian modules for the network stage (guest-net.sh),
#                     their dependencies added: veth bridge sch_netem
#                     sch_prio cls_u32 crc32_generic rdma_rxe
#   NET_TOOLS="..."   rdma-core's and perftest's tools for it
#   GUEST_NET_ONLY=1  the guest runs the network stage alone
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/selftests/kmod
KDIR=${KDIR:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)}
QEMU_STALL=${QEMU_STALL:-120}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-1800}
END_MARKER=HWQNIC-GUEST-END
# rxe computes its ICRC with the kernel's "crc32" hash (crc32_generic)
NET_MODULES=${NET_MODULES:-veth bridge sch_netem sch_prio cls_u32 crc32_generic rdma_rxe}
NET_TOOLS=${NET_TOOLS:-ibv_devinfo ibv_rc_pingpong ibv_ud_pingpong ibv_uc_pingpong
	ib_write_bw ib_read_bw ib_send_bw ib_atomic_bw ib_write_lat ib_read_lat ib_send_lat}

. "$top/selftests/tap.sh"
. "$here/watch.sh"

command -v qemu-system-x86_64 >/dev/null ||
	skip_all "qemu-system-x86_64 missing: apt-get install qemu-system-x86"
busybox=$(command -v busybox) ||
	skip_all "busybox missing: apt-get install busybox-static"
command -v cpio >/dev/null || skip_all "cpio missing: apt-get install cpio"
[ -n "$KDIR" ] && [ -d "$KDIR" ] ||
	skip_all "no Debian kernel headers: apt-get install linux-headers-amd64"
ver=$(basename "$KDIR")
ver=${ver#linux-headers-}
kernel=/boot/vmlinuz-$ver
[ -e "$kernel" ] || skip_all "no $kernel: apt-get install linux-image-$ver"
# Debian installs vmlinuz mode 0600.
[ -r "$kernel" ] || skip_all "$kernel is not readable (run as root)"

tmp=$(mktemp -d)
qpid=
trap '[ -n "$qpid" ] && kill -KILL "$qpid" 2>/dev/null; rm -rf "$tmp"' EXIT
# Make signals go through exit, so the EXIT trap cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

finish() {
	done_testing
	exit
}

# --- 1. the modules ---
echo "# kernel $ver, build tree $KDIR"
log=$tmp/build.log
make -C "$KDIR" M="$top/kmod" modules >"$log" 2>&1 && [ -f "$top/kmod/hwqnic.ko" ]
rc=$?
ok $rc "hwqnic.ko builds"
[ $rc = 0 ] || { diag <"$log"; finish; }
if [ -f "$here/Kbuild" ]; then
	make -C "$KDIR" M="$here" KBUILD_EXTRA_SYMBOLS="$top/kmod/Module.symvers" \
		modules >"$log" 2>&1
	rc=$?
	ok $rc "selftests/kmod modules build"
	# Still boot: the guest's hwqnic tests are worth running anyway.
	[ $rc = 0 ] || diag <"$log"
fi

# --- 2. the initramfs ---
root=$tmp/root
mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin \
	"$root"/etc "$root"/proc "$root"/sys "$root"/dev "$root"/tmp \
	"$root"/lib/hwqnic

add_libs() {	# add_libs FILE: the libraries ldd lists for FILE, at their host paths
	local a b c lib
	# Lines are "libc.so.6 => /lib/.../libc.so.6 (0x...)", "/lib64/ld-... (0x...)",
	# "linux-vdso.so.1 (0x...)" or "libx.so => not found"; static: no output.
	ldd "$1" 2>/dev/null | while read -r a b c _; do
		if [ "$b" = "=>" ]; then lib=$c; else lib=$a; fi
		if [ "$lib" = not ]; then
			echo "# guest: $1 needs $a, which ldd does not find"
			continue
		fi
		case $lib in /*) ;; *) continue ;; esac
		[ -e "$root$lib" ] && continue
		mkdir -p "$root${lib%/*}"
		cp -L "$lib" "$root$lib"
	done
}

add_bin() {	# add_bin FILE: FILE as /bin/<name>, with its libraries
	# rm first: /bin/<name> may be a busybox link, and cp would write through it.
	rm -f "$root/bin/${1##*/}"
	cp -L "$1" "$root/bin/${1##*/}"
	add_libs "$1"
}

cp -L "$busybox" "$root/bin/busybox"
add_libs "$busybox"	# in case it is not busybox-static
# The applet links, made here rather than at boot, which is slow under TCG.
for p in $("$busybox" --list-full); do
	[ -e "$root/$p" ] || [ -L "$root/$p" ] && continue
	mkdir -p "$root/$(dirname "$p")"
	ln -s /bin/busybox "$root/$p"
done
install -m 755 "$here/guest-init" "$root/init"
install -m 755 "$here/guest.sh" "$root/guest.sh"
# the accuracy test's checks, which guest.sh runs on hwqhold
install -m 644 "$top/selftests/bpf/hold.sh" "$root/hold.sh"
cp "$top/kmod/hwqnic.ko" "$root/lib/hwqnic/"
for ko in "$here"/*.ko; do
	[ -f "$ko" ] && cp "$ko" "$root/lib/hwqnic/"
done
if [ -z "${GUEST_BINS+set}" ]; then
	GUEST_BINS=
	for f in "$top"/build/bin/* "$top"/build/release/selftests/verbs/*.t \
		 "$top"/build/release/selftests/uapi/*.t \
		 "$top"/build/release/selftests/kmod/rxe-verbs \
		 "$top"/build/release/selftests/bpf/hwqhold; do
		[ -f "$f" ] && [ -x "$f" ] && GUEST_BINS="$GUEST_BINS $f"
	done
fi
for f in $GUEST_BINS; do
	if [ -f "$f" ]; then
		add_bin "$f"
	else
		echo "# GUEST_BINS: no file $f"
	fi
done

# --- the network stage's toolbox (guest-net.sh; docs/tests.md) ---
# From this machine's packages: the Debian modules with their dependencies
# in load order (/lib/hwqnic/net-modules), iproute2 under /opt/iproute2
# (busybox's ip cannot do namespaces), rdma-core's tools and rxe provider.
# What is missing is named in /lib/hwqnic/net-missing, for the guest to
# skip with the reason.
net_missing() { echo "$*" >>"$root/lib/hwqnic/net-missing"; }
: >"$root/lib/hwqnic/net-modules"
for m in $NET_MODULES; do
	if ! deps=$(modprobe -S "$ver" --show-depends "$m" 2>/dev/null); then
		net_missing "module $m (not in /lib/modules/$ver)"
		continue
	fi
	while read -r how ko _; do
		[ "$how" = insmod ] || continue		# builtin
		name=${ko##*/}
		name=${name%%.ko*}
		grep -qx "$name" "$root/lib/hwqnic/net-modules" && continue
		case $ko in
		*.ko.xz) xz -dc "$ko" ;;
		*.ko.zst) zstd -qdc "$ko" ;;
		*.ko.gz) gzip -dc "$ko" ;;
		*) cat "$ko" ;;
		esac >"$root/lib/hwqnic/$name.ko" ||
			{ net_missing "module $name (cannot read $ko)"; continue; }
		echo "$name" >>"$root/lib/hwqnic/net-modules"
	done <<<"$deps"
done
add_at() {	# add_at FILE DEST: FILE at DEST in the guest, with its libraries
	mkdir -p "$root${2%/*}"
	cp -L "$1" "$root$2"
	add_libs "$1"
}
for t in ip tc rdma; do
	if f=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t") &&
	   [ "$("$f" -V 2>&1 | grep -c iproute2)" = 1 ]; then
		add_at "$f" "/opt/iproute2/$t"
	else
		net_missing "iproute2's $t (apt-get install iproute2)"
	fi
done
for t in $NET_TOOLS; do
	if f=$(PATH=/usr/bin:/usr/sbin command -v "$t"); then
		add_at "$f" "/usr/bin/$t"
	else
		net_missing "$t (make deps installs ibverbs-utils and perftest)"
	fi
done
# libibverbs finds its providers by /etc/libibverbs.d/*.driver and opens
# them with dlopen, which ldd cannot see.
rxe=$(ls /usr/lib/*/libibverbs/librxe-rdmav*.so 2>/dev/null | head -n 1)
if [ -n "$rxe" ] && [ -f /etc/libibverbs.d/rxe.driver ]; then
	add_at "$rxe" "$rxe"
	mkdir -p "$root/etc/libibverbs.d"
	cp /etc/libibverbs.d/rxe.driver "$root/etc/libibverbs.d/"
else
	net_missing "rdma_rxe's provider (apt-get install ibverbs-providers)"
fi
install -m 644 "$here/guest-net.sh" "$root/guest-net.sh"
[ "${GUEST_NET_ONLY:-0}" = 1 ] && touch "$root/lib/hwqnic/net-only"
mkdir -p "$root/run/netns" "$root/var"
ln -s ../run "$root/var/run"

(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp/initrd.gz"
[ -s "$root/lib/hwqnic/net-missing" ] &&
	sed 's/^/# network stage: missing /' "$root/lib/hwqnic/net-missing"
echo "# initramfs: $(du -k "$tmp/initrd.gz" | cut -f1) KiB, $(ls "$root/lib/hwqnic" | tr '\n' ' ')"

# --- 3. the boot ---
# panic=-1 reboots at once on a panic and -no-reboot turns that into qemu
# exiting; mitigations=off only saves emulated cycles.
cmdline="console=ttyS0 panic=-1 mitigations=off"
qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G
	-nographic -monitor none -no-reboot -nic none
	-kernel "$kernel" -initrd "$tmp/initrd.gz" -append "$cmdline"
	-serial "file:$tmp/console.log" -serial "file:$tmp/tap.log")
echo "#$(printf ' %q' "${qemu[@]}")"
touch "$tmp/console.log" "$tmp/tap.log"
t0=$(date +%s%N)
"${qemu[@]}" </dev/null >"$tmp/qemu.log" 2>&1 &
qpid=$!
watch_guest "$qpid" "$QEMU_STALL" "$QEMU_TIMEOUT" "$tmp/console.log" "$tmp/tap.log"
wait "$qpid"
qrc=$?
qpid=
t1=$(date +%s%N)
# The console is a tty: drop the \r its output processing adds, and the
# firmware's terminal escapes.
tr -d '\r' <"$tmp/console.log" |
	sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b.//g' -e '$a\' >"$tmp/console.txt"

# --- 4. the guest's TAP, renumbered ---
marker=
loud=
while IFS= read -r line || [ -n "$line" ]; do	# || : a last partial line
	line=${line%$'\r'}
	case $line in
	"$END_MARKER "*)
		marker=$line ;;
	ok | "ok "* | "not ok" | "not ok "*)
		[[ $line =~ ^(not\ )?ok([[:space:]]+[0-9]+)?(.*)$ ]]
		not=${BASH_REMATCH[1]} rest=${BASH_REMATCH[3]}
		n=$((n + 1))
		echo "${not}ok $n$rest"
		# A failure under TAP's to-do directive is an expected one.
		# It and the diagnostics after it go to stderr too, as
		# tap.sh's do, so that prove shows why it failed.
		loud=
		if [ -n "$not" ] &&
		   ! [[ $rest =~ \#[[:space:]]*[Tt][Oo][Dd][Oo] ]]; then
			failed=$((failed + 1))
			loud=1
			echo "not ok $n$rest" >&2
		fi ;;
	"#"*)
		echo "$line"
		[ -z "$loud" ] || echo "$line" >&2 ;;
	"Bail out!"*)
		ok 1 "guest: $line" ;;
	1..* | "")
		;;	# a guest program's own plan: the plan is ours
	*)
		echo "# guest: $line" ;;
	esac
done <"$tmp/tap.log"

# --- 5. the host's checks on the run ---
echo "# qemu ran $(( (t1 - t0) / 1000000000 )).$(( (t1 - t0) / 100000000 % 10 ))s" \
	"(exit $qrc)${first:+, first TAP line after ${first}s}${marker:+, guest uptime ${marker##*=}s at the end}"
if [ -n "$marker" ]; then
	ok 0 "guest booted and reached the end marker"
	grc=${marker#* rc=}
	grc=${grc%% *}
	ok "$grc" "guest.sh ran to its end (exit $grc)"
else
	ok 1 "guest booted and reached the end marker: ${killed:-qemu exited $qrc}"
	diag <"$tmp/qemu.log"
	echo "# the guest's last TAP line: $(grep -v '^$' "$tmp/tap.log" | tail -n 1)"
fi
# Oopses and warnings, and every report of a stuck CPU, RCU or task: soft
# and hard lockups, RCU stalls, hung tasks (not "NMI watchdog:", which
# boot prints to say the hard lockup detector has no PMU under TCG).
bad='BUG:|WARNING:|Oops|Call Trace|general protection|Kernel panic'
bad="$bad|soft lockup|hard LOCKUP|[Ww]atchdog detected|stuck for [0-9]+s"
bad="$bad|self-detected stall|detected stalls|rcu: INFO|blocked for more than"
bad="$bad|hung_task|NMI backtrace"
if grep -qE "$bad" "$tmp/console.txt"; then
	ok 1 "kernel console has no BUG, WARNING, Oops, lockup, stall, hung task or panic"
	grep -nE "$bad" "$tmp/console.txt" | diag
else
	ok 0 "kernel console has no BUG, WARNING, Oops, lockup, stall, hung task or panic"
fi
if [ "$failed" != 0 ]; then
	echo "# last 60 lines of the guest console:"
	tail -n 60 "$tmp/console.txt" | diag
fi
finish
