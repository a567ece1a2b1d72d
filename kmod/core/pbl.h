/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Page buffer lists: how the NIC finds the pages of a queue or a memory
 * region, as bnxt_re lays them out.
 *
 *   level 0: one page; the root is that page.
 *   level 1: up to 512 pages; the root is one PBL page of 512 PTEs.
 *   level 2: more; the root is a flat PDE table (one or more contiguous
 *            4 KiB pages) whose entries point at PBL pages of PTEs.
 *
 * Table pages are always 4 KiB with 512 little-endian 64-bit entries; data
 * pages are any power of two from 4 KiB to 1 GiB. docs/design.md draws it.
 */
#ifndef _HWQNIC_PBL_H
#define _HWQNIC_PBL_H

#include "osdep.h"

#define HWQNIC_PBL_TBL_SHIFT	12
#define HWQNIC_PBL_TBL_SIZE	(1U << HWQNIC_PBL_TBL_SHIFT)
#define HWQNIC_PBL_ENT_SHIFT	9
#define HWQNIC_PBL_ENTS		(1U << HWQNIC_PBL_ENT_SHIFT)
#define HWQNIC_PBL_ENT_MASK	(HWQNIC_PBL_ENTS - 1)

#define HWQNIC_PBL_LVL0_MAX	1U
#define HWQNIC_PBL_LVL1_MAX	HWQNIC_PBL_ENTS
#define HWQNIC_PBL_MAX_PAGES	(1U << 27)	/* a PDE table of 512 pages */

#define HWQNIC_PBL_MIN_PG_SHIFT	12
#define HWQNIC_PBL_MAX_PG_SHIFT	30

#define HWQNIC_PTE_VALID	0x1ULL
#define HWQNIC_PTE_LAST		0x2ULL	/* queue tables: last page */
#define HWQNIC_PTE_NEXT_TO_LAST	0x4ULL	/* queue tables: the one before */
#define HWQNIC_PDE_VALID	0x1ULL
#define HWQNIC_PTE_ADDR_MASK	(~0xfffULL)

/* hwqnic_pbl_*() flags */
#define HWQNIC_PBL_QUEUE	0x1	/* mark LAST / NEXT_TO_LAST */

enum hwqnic_pbl_level {
	HWQNIC_PBL_LVL_0,
	HWQNIC_PBL_LVL_1,
	HWQNIC_PBL_LVL_2,
};

/* What the NIC is told about a PBL: all it uses to walk it. */
struct hwqnic_pbl_ctx {
	dma_addr_t root;
	u32 npages;
	u8 level;
	u8 pg_shift;
};

/*
 * The engine's memory of its last walk over one PBL, as a NIC caches its
 * translations: the data page it reached and where that page is mapped.
 * A PBL never changes while its object lives, and the cache lives in the
 * engine's side of that object, so it is never stale.
 */
struct hwqnic_pbl_tlb {
	u64 pg;			/* data page + 1; 0: empty */
	u8 *va;			/* the whole page, checked once */
};

/* The host's handle on a PBL: the tables, and the data pages if it owns them. */
struct hwqnic_pbl {
	struct hwqnic_pbl_ctx ctx;
	u32 flags;
	/* level 2: the flat PDE table */
	__le64 *pde;
	dma_addr_t pde_dma;
	u32 pde_size;
	/* level 1: one PBL page; level 2: one per 512 data pages */
	u32 npte_pgs;
	__le64 **pte;
	dma_addr_t *pte_dma;
	/* data pages; NULL when the caller supplied them */
	void **pg_va;
	dma_addr_t *pg_dma;
};

int hwqnic_pbl_level(u32 npages);
int hwqnic_pbl_alloc(struct hwqnic_osdev *od, struct hwqnic_pbl *pbl,
		     u32 npages, u8 pg_shift, u32 flags);
int hwqnic_pbl_init_pages(struct hwqnic_osdev *od, struct hwqnic_pbl *pbl,
			  const dma_addr_t *pages, u32 npages, u8 pg_shift,
			  u32 flags);
void hwqnic_pbl_free(struct hwqnic_osdev *od, struct hwqnic_pbl *pbl);

/* The PTE a host wrote for data page `pg` (level 1 and 2 only). */
u64 hwqnic_pbl_pte(const struct hwqnic_pbl *pbl, u32 pg);

int hwqnic_pbl_translate(struct hwqnic_osdev *od,
			 const struct hwqnic_pbl_ctx *ctx, u64 off,
			 dma_addr_t *dma);
u64 hwqnic_pbl_translate_run(struct hwqnic_osdev *od,
			     const struct hwqnic_pbl_ctx *ctx, u64 off,
			     u64 max, dma_addr_t *dma);
void *hwqnic_pbl_va_walk(struct hwqnic_osdev *od,
			 const struct hwqnic_pbl_ctx *ctx,
			 struct hwqnic_pbl_tlb *tlb, u64 off, u64 len);

/*
 * Where bytes [off, off + len) are mapped, when they lie in one data page;
 * NULL when they do not (the caller walks a run instead) or cannot be
 * reached. A page found is kept in tlb, so the next look at it is this
 * compare, inline. A filled tlb implies a valid pg_shift.
 */
static inline void *hwqnic_pbl_va(struct hwqnic_osdev *od,
				  const struct hwqnic_pbl_ctx *ctx,
				  struct hwqnic_pbl_tlb *tlb, u64 off, u64 len)
{
	u64 in;

	if (likely(tlb->pg && tlb->pg == (off >> ctx->pg_shift) + 1)) {
		in = off & (((u64)1 << ctx->pg_shift) - 1);
		if (likely(len && len <= ((u64)1 << ctx->pg_shift) - in))
			return tlb->va + in;
	}
	return hwqnic_pbl_va_walk(od, ctx, tlb, off, len);
}

#endif /* _HWQNIC_PBL_H */
