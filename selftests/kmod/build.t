#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# hwqnic.ko builds from kmod/core unchanged against Debian's newest installed
# kernel headers, with no warning at W=1, exports the core and the verbs
# for in-kernel consumers, and carries the hwqnic tracepoints.
top=$(cd "$(dirname "$0")/../.." && pwd)
KDIR=${KDIR:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$KDIR" ]; then
	echo "1..0 # SKIP no Debian kernel headers: apt-get install linux-headers-amd64"
	exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "# kernel build tree: $KDIR"
make -s -C "$KDIR" M="$top/kmod" clean >/dev/null 2>&1
if make -C "$KDIR" M="$top/kmod" W=1 modules >"$log" 2>&1 && [ -f "$top/kmod/hwqnic.ko" ]; then
	echo "ok 1 - hwqnic.ko builds"
else
	echo "not ok 1 - hwqnic.ko builds"
	sed 's/^/# /' "$log"
fi
if grep -qiE 'warning:|error:' "$log"; then
	echo "not ok 2 - no warnings with W=1"
	grep -iE 'warning:|error:' "$log" | sed 's/^/# /'
else
	echo "ok 2 - no warnings with W=1"
fi
n=3
for sym in hwqnic_pbl_alloc hwqnic_pbl_init_pages hwqnic_pbl_translate \
	   hwqnic_pbl_free hwqnic_hwq_init hwqnic_hwq_free hwqnic_hwq_db \
	   hwqnic_pbl_va_walk hwqnic_dev_init hwqnic_mr_reg hwqnic_cq_poll \
	   hwqnic_qp_create hwqnic_qp_modify hwqnic_qp_post_send \
	   hwqnic_qp_post_recv hwqnic_engine_run hwqnic_kdev_get \
	   hwqnic_kalloc_pd hwqnic_kreg_mr hwqnic_kcreate_cq hwqnic_kpoll_cq \
	   hwqnic_kreq_notify_cq hwqnic_kcreate_qp hwqnic_kmodify_qp \
	   hwqnic_kpost_send hwqnic_kpost_recv hwqnic_kdestroy_qp; do
	if grep -qE "^0x[0-9a-f]+[[:space:]]$sym[[:space:]].*EXPORT_SYMBOL_GPL" \
		"$top/kmod/Module.symvers" 2>/dev/null; then
		echo "ok $n - exports $sym (GPL)"
	else
		echo "not ok $n - exports $sym (GPL)"
	fi
	n=$((n + 1))
done
# the five tracepoints of docs/tracepoints.md
for ev in post db wqe cqe poll; do
	if nm "$top/kmod/hwqnic.ko" 2>/dev/null | grep -q " __tracepoint_hwqnic_$ev\$"; then
		echo "ok $n - tracepoint hwqnic:hwqnic_$ev"
	else
		echo "not ok $n - tracepoint hwqnic:hwqnic_$ev"
	fi
	n=$((n + 1))
done
echo "1..$((n - 1))"
