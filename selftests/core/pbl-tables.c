// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * PBL tables over caller-supplied pages: level choice at every boundary and
 * for each page size, every PTE and PDE as written, and the NIC's walk from
 * the root alone, including a PDE table that spans more than one page.
 */
#include <stdlib.h>

#include "pbl.h"
#include "../lib/tap.h"

/* Synthetic, page-aligned, never dereferenced: only the tables are read. */
static dma_addr_t page_addr(u32 i, u8 pg_shift)
{
	return 0x100000000000ULL + ((dma_addr_t)i << pg_shift);
}

static u64 expect_flags(u32 i, u32 n, u32 flags)
{
	u64 f = HWQNIC_PTE_VALID;

	if (flags & HWQNIC_PBL_QUEUE) {
		if (i == n - 1)
			f |= HWQNIC_PTE_LAST;
		if (n > 1 && i == n - 2)
			f |= HWQNIC_PTE_NEXT_TO_LAST;
	}
	return f;
}

static void check_pbl(u32 n, u8 shift, u32 flags, uint64_t *seed)
{
	struct hwqnic_osdev od = { 0 };
	struct hwqnic_pbl pbl;
	struct hwqnic_pbl_ctx ctx;
	int want = n == 1 ? 0 : n <= 512 ? 1 : 2;
	u32 i, bad_pte = 0, bad_pde = 0, bad_walk = 0;
	dma_addr_t *pages, dma;
	const char *kind = flags & HWQNIC_PBL_QUEUE ? "queue" : "mr";
	int rc;

	pages = malloc(n * sizeof(*pages));
	for (i = 0; i < n; i++)
		pages[i] = page_addr(i, shift);
	rc = hwqnic_pbl_init_pages(&od, &pbl, pages, n, shift, flags);
	free(pages);
	if (!ok(rc == 0, "%s pbl of %u pages of 2^%u: built", kind, n, shift))
		return;
	ok(pbl.ctx.level == want, "%u pages of 2^%u: level %u (want %d)", n,
	   shift, pbl.ctx.level, want);

	if (pbl.ctx.level == 0) {
		ok(pbl.ctx.root == page_addr(0, shift) && !pbl.pte && !pbl.pde,
		   "level 0: root is the page itself, no tables");
	} else {
		ok(pbl.npte_pgs == (n + 511) / 512, "%u PBL pages",
		   pbl.npte_pgs);
		for (i = 0; i < n; i++) {
			u64 pte = hwqnic_pbl_pte(&pbl, i);

			if (pte != (page_addr(i, shift) |
				    expect_flags(i, n, flags)))
				bad_pte++;
		}
		for (i = n; i < pbl.npte_pgs * 512; i++)
			if (hwqnic_pbl_pte(&pbl, i))
				bad_pte++;
		ok(!bad_pte, "every PTE holds its page address and flags (%u bad)",
		   bad_pte);
	}
	if (pbl.ctx.level == 1)
		ok(pbl.ctx.root == pbl.pte_dma[0] && !pbl.pde,
		   "level 1: root is the PBL page");
	if (pbl.ctx.level == 2) {
		u32 npde = (pbl.npte_pgs + 511) / 512;

		ok(pbl.pde_size == npde * 4096 && pbl.ctx.root == pbl.pde_dma,
		   "level 2: root is a flat PDE table of %u page(s)", npde);
		for (i = 0; i < npde * 512; i++) {
			u64 want_pde = i < pbl.npte_pgs ?
				(pbl.pte_dma[i] | HWQNIC_PDE_VALID) : 0;

			if (le64_to_cpu(pbl.pde[i]) != want_pde)
				bad_pde++;
		}
		ok(!bad_pde, "every PDE points at its PBL page (%u bad)",
		   bad_pde);
	}

	/* The NIC knows only the context; walk every page with a random offset. */
	ctx = pbl.ctx;
	for (i = 0; i < n; i++) {
		u64 off = tap_rand(seed) & (((u64)1 << shift) - 1);

		if (hwqnic_pbl_translate(&od, &ctx, ((u64)i << shift) + off,
					 &dma) ||
		    dma != page_addr(i, shift) + off)
			bad_walk++;
	}
	ok(!bad_walk, "walk from the root reaches every page (%u bad)",
	   bad_walk);
	ok(hwqnic_pbl_translate(&od, &ctx, (u64)n << shift, &dma) == -EFAULT,
	   "walk past the last page: -EFAULT");
	hwqnic_pbl_free(&od, &pbl);
	ok(hwqnic_os_live_allocs(&od) == 0, "free releases everything");
}

/* Entries without their valid bit, and malformed contexts, stop the walk. */
static void check_hostile(void)
{
	struct hwqnic_osdev od = { 0 };
	struct hwqnic_pbl pbl;
	struct hwqnic_pbl_ctx ctx;
	dma_addr_t *pages, dma;
	u32 i, n = 1000;

	pages = malloc(n * sizeof(*pages));
	for (i = 0; i < n; i++)
		pages[i] = page_addr(i, 12);
	if (!ok(!hwqnic_pbl_init_pages(&od, &pbl, pages, n, 12, 0),
		"level-2 pbl for corruption tests"))
		goto out;
	ctx = pbl.ctx;
	pbl.pte[1][3] &= ~cpu_to_le64(HWQNIC_PTE_VALID);
	ok(hwqnic_pbl_translate(&od, &ctx, (512 + 3) << 12, &dma) == -EFAULT,
	   "PTE without VALID: -EFAULT");
	ok(!hwqnic_pbl_translate(&od, &ctx, (512 + 4) << 12, &dma) &&
	   dma == page_addr(516, 12), "its neighbour still walks");
	pbl.pde[0] &= ~cpu_to_le64(HWQNIC_PDE_VALID);
	ok(hwqnic_pbl_translate(&od, &ctx, 5 << 12, &dma) == -EFAULT,
	   "PDE without VALID: -EFAULT");
	ctx.level = 3;
	ok(hwqnic_pbl_translate(&od, &ctx, 0, &dma) == -EFAULT,
	   "unknown level: -EFAULT");
	ctx = pbl.ctx;
	ctx.pg_shift = 40;
	ok(hwqnic_pbl_translate(&od, &ctx, 0, &dma) == -EFAULT,
	   "page shift out of range: -EFAULT");
	ctx = pbl.ctx;
	ctx.root &= ~HWQNIC_USER_IOVA_TAG;
	ok(hwqnic_pbl_translate(&od, &ctx, 600 << 12, &dma) == -EFAULT,
	   "root that is not a device address: -EFAULT");
	hwqnic_pbl_free(&od, &pbl);
out:
	free(pages);
}

/*
 * Runs: pages contiguous in stretches that break at random points. The run
 * walk must agree with a page-by-page reference for random offsets and
 * lengths, at levels 1 and 2 (a two-page PDE table included).
 */
static void check_runs(u32 n, u8 shift, uint64_t *seed)
{
	struct hwqnic_osdev od = { 0 };
	u64 pg_size = 1ULL << shift, total = (u64)n << shift;
	struct hwqnic_pbl pbl;
	dma_addr_t *pages, dma, want_dma;
	u32 i, bad = 0;

	pages = malloc(n * sizeof(*pages));
	pages[0] = page_addr(0, shift);
	for (i = 1; i < n; i++)
		pages[i] = tap_rand(seed) % 5 ? pages[i - 1] + pg_size :
			   page_addr(3 * i, shift);
	if (!ok(!hwqnic_pbl_init_pages(&od, &pbl, pages, n, shift, 0),
		"run pbl of %u pages", n))
		goto out;
	for (i = 0; i < 3000; i++) {
		u64 off = tap_rand(seed) % total, max, want, got;

		max = 1 + tap_rand(seed) % (64 * pg_size);
		/* reference: extend page by page while addresses follow */
		want = pg_size - (off & (pg_size - 1));
		hwqnic_pbl_translate(&od, &pbl.ctx, off, &want_dma);
		while (want < max && off + want < total &&
		       pages[(off + want) >> shift] == want_dma + want)
			want += pg_size;
		if (want > max)
			want = max;
		got = hwqnic_pbl_translate_run(&od, &pbl.ctx, off, max, &dma);
		if (got != want || dma != want_dma)
			bad++;
	}
	ok(!bad, "%u pages: 3000 random runs match the page-by-page walk (%u bad)",
	   n, bad);
	ok(hwqnic_pbl_translate_run(&od, &pbl.ctx, total, 4096, &dma) == 0,
	   "a run starting past the end: 0 bytes");
	hwqnic_pbl_free(&od, &pbl);
out:
	free(pages);
}

static void check_args(void)
{
	struct hwqnic_osdev od = { 0 };
	struct hwqnic_pbl pbl;
	dma_addr_t pages[2] = { page_addr(0, 16), page_addr(1, 16) + 4096 };

	ok(hwqnic_pbl_level(0) == -EINVAL, "0 pages: -EINVAL");
	ok(hwqnic_pbl_level(HWQNIC_PBL_MAX_PAGES) == 2 &&
	   hwqnic_pbl_level(HWQNIC_PBL_MAX_PAGES + 1) == -E2BIG,
	   "largest PBL is level 2, one more page: -E2BIG");
	ok(hwqnic_pbl_init_pages(&od, &pbl, pages, 2, 16, 0) == -EINVAL,
	   "page not aligned to the page size: -EINVAL");
	ok(hwqnic_pbl_init_pages(&od, &pbl, pages, 1, 11, 0) == -EINVAL &&
	   hwqnic_pbl_init_pages(&od, &pbl, pages, 1, 31, 0) == -EINVAL,
	   "page sizes below 4 KiB or above 1 GiB: -EINVAL");
	ok(hwqnic_pbl_init_pages(&od, &pbl, pages, 1, 16, 0x80) == -EINVAL,
	   "unknown flags: -EINVAL");
	ok(hwqnic_pbl_alloc(&od, &pbl, 0, 12, 0) == -EINVAL,
	   "alloc of 0 pages: -EINVAL");
	ok(hwqnic_os_live_allocs(&od) == 0, "rejected calls allocate nothing");
}

int main(void)
{
	static const u32 counts[] = { 1, 2, 512, 513, 262144, 262145 };
	static const u8 shifts[] = { 12, 16, 21, 30 };
	uint64_t seed = tap_seed();
	unsigned int c, s;

	for (s = 0; s < sizeof(shifts) / sizeof(shifts[0]); s++)
		for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
			check_pbl(counts[c], shifts[s],
				  c & 1 ? HWQNIC_PBL_QUEUE : 0, &seed);
	/* the other flavour on each side of the boundaries */
	check_pbl(3, 12, HWQNIC_PBL_QUEUE, &seed);
	check_pbl(512, 12, HWQNIC_PBL_QUEUE, &seed);
	check_pbl(262144, 12, HWQNIC_PBL_QUEUE, &seed);
	check_pbl(262145, 12, 0, &seed);
	check_runs(300, 12, &seed);
	check_runs(5000, 12, &seed);
	check_runs(262145, 12, &seed);
	check_runs(700, 16, &seed);
	check_hostile();
	check_args();
	return tap_done();
}
