// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every slot of a queue, reached the NIC's way (root → PDE → PTE → page),
 * is the slot get_qe() hands the host: same address, same bytes, whether
 * walked afresh or through the engine's one-page cache. Covers the awkward
 * depths and a level-2 queue of more than 262144 slots.
 */
#include <string.h>

#include "hwq.h"
#include "../lib/tap.h"

static void check_queue(u32 depth, u32 stride, u8 pg_shift)
{
	struct hwqnic_osdev od = { 0 };
	struct hwqnic_hwq q;
	struct hwqnic_hwq_ctx ctx;
	u32 i, bad = 0;
	dma_addr_t dma;
	u64 npages;
	int rc;

	rc = hwqnic_hwq_init(&od, &q, depth, stride, pg_shift);
	if (!ok(rc == 0, "queue depth %u stride %u page 2^%u: created (%d)",
		depth, stride, pg_shift, rc))
		return;
	npages = ((u64)depth * stride + (1ULL << pg_shift) - 1) >> pg_shift;
	ok(q.pbl.ctx.npages == npages && q.pbl.ctx.level ==
	   (npages == 1 ? 0 : npages <= 512 ? 1 : 2),
	   "%llu page(s), level %u", (unsigned long long)npages,
	   q.pbl.ctx.level);

	/* Host writes each slot through get_qe(); the NIC reads it by DMA. */
	for (i = 0; i < depth; i++) {
		u32 *qe = hwqnic_hwq_get_qe(&q, i);

		qe[0] = i ^ 0x5a5a5a5a;
		qe[stride / 4 - 1] = ~i;
	}
	hwqnic_hwq_ctx(&q, &ctx);
	for (i = 0; i < depth; i++) {
		const u32 *seen;

		if (hwqnic_pbl_translate(&od, &ctx.pbl, (u64)i * stride, &dma)) {
			bad++;
			continue;
		}
		seen = hwqnic_os_dma_va(&od, dma, stride);
		if (seen != hwqnic_hwq_get_qe(&q, i) ||
		    seen[0] != (i ^ 0x5a5a5a5a) || seen[stride / 4 - 1] != ~i)
			bad++;
	}
	ok(!bad, "all %u slots: NIC walk == get_qe, contents agree (%u bad)",
	   depth, bad);

	/*
	 * The NIC's slots, through the cached walk: each at the same place,
	 * walked forwards then backwards, so the cached page is both hit and
	 * replaced; nothing across a page.
	 */
	for (i = 0, bad = 0; i < 2 * depth; i++) {
		u32 k = i < depth ? i : 2 * depth - 1 - i;

		bad += hwqnic_hwq_slot(&od, &ctx, k) != hwqnic_hwq_get_qe(&q, k);
	}
	ok(!bad && ctx.tlb.pg,
	   "all %u slots through the cached walk, both ways (%u bad)", depth,
	   bad);
	ok(!hwqnic_pbl_va(&od, &ctx.pbl, &ctx.tlb, (1ULL << pg_shift) - 8, 16) &&
	   !hwqnic_pbl_va(&od, &ctx.pbl, &ctx.tlb, 0, 0) &&
	   !hwqnic_pbl_va(&od, &ctx.pbl, &ctx.tlb, npages << pg_shift, 1),
	   "the cached walk refuses a range across a page, an empty one and one past the end");
	ok(!hwqnic_hwq_slot(&od, &ctx, depth) &&
	   !hwqnic_hwq_slot(&od, &ctx, ~0U), "slot index past the depth: NULL");
	if (q.pbl.ctx.level) {
		u32 n = q.pbl.ctx.npages;

		ok((hwqnic_pbl_pte(&q.pbl, n - 1) & 7) ==
		   (HWQNIC_PTE_VALID | HWQNIC_PTE_LAST) &&
		   (n < 2 || (hwqnic_pbl_pte(&q.pbl, n - 2) & 7) ==
		    (HWQNIC_PTE_VALID | HWQNIC_PTE_NEXT_TO_LAST)),
		   "queue PBL marks LAST and NEXT_TO_LAST");
	}
	hwqnic_hwq_free(&od, &q);
	ok(hwqnic_os_live_allocs(&od) == 0, "free releases everything");
}

static void check_args(void)
{
	struct hwqnic_osdev od = { 0 };
	struct hwqnic_hwq q;

	ok(hwqnic_hwq_init(&od, &q, 0, 64, 12) == -EINVAL, "depth 0: -EINVAL");
	ok(hwqnic_hwq_init(&od, &q, HWQNIC_HWQ_MAX_DEPTH + 1, 16, 12) ==
	   -EINVAL, "depth beyond the doorbell index: -EINVAL");
	ok(hwqnic_hwq_init(&od, &q, 16, 48, 12) == -EINVAL &&
	   hwqnic_hwq_init(&od, &q, 16, 8, 12) == -EINVAL &&
	   hwqnic_hwq_init(&od, &q, 16, 8192, 12) == -EINVAL,
	   "stride not a power of two in [16, page]: -EINVAL");
	ok(hwqnic_hwq_init(&od, &q, 16, 64, 11) == -EINVAL &&
	   hwqnic_hwq_init(&od, &q, 16, 64, 31) == -EINVAL,
	   "page size out of range: -EINVAL");
	ok(hwqnic_os_live_allocs(&od) == 0, "rejected calls allocate nothing");
}

int main(void)
{
	static const u32 depths[] = { 1, 2, 3, 255, 256, 257, 1000, 4096 };
	static const u32 strides[] = { 16, 64, 256 };
	unsigned int d, s;

	for (d = 0; d < sizeof(depths) / sizeof(depths[0]); d++)
		for (s = 0; s < sizeof(strides) / sizeof(strides[0]); s++)
			check_queue(depths[d], strides[s], 12);
	check_queue(4096, 64, 16);
	check_queue(257, 4096, 16);
	check_queue(1000, 4096, 21);
	/* level 2: 300001 slots of 64 bytes on 4688 pages of 4 KiB */
	check_queue(300001, 64, 12);
	check_args();
	return tap_done();
}
