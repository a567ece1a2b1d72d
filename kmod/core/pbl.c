// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Page buffer lists: building the tables (host side) and walking them from
 * the root alone (NIC side).
 */
#include "pbl.h"

/* The level a PBL of `npages` data pages needs, or -E2BIG / -EINVAL. */
int hwqnic_pbl_level(u32 npages)
{
	if (!npages)
		return -EINVAL;
	if (npages > HWQNIC_PBL_MAX_PAGES)
		return -E2BIG;
	if (npages <= HWQNIC_PBL_LVL0_MAX)
		return HWQNIC_PBL_LVL_0;
	if (npages <= HWQNIC_PBL_LVL1_MAX)
		return HWQNIC_PBL_LVL_1;
	return HWQNIC_PBL_LVL_2;
}

static bool pbl_pg_shift_ok(u8 pg_shift)
{
	return pg_shift >= HWQNIC_PBL_MIN_PG_SHIFT &&
	       pg_shift <= HWQNIC_PBL_MAX_PG_SHIFT;
}

static void pbl_free_tables(struct hwqnic_osdev *od, struct hwqnic_pbl *pbl)
{
	u32 i;

	if (pbl->pte && pbl->pte_dma) {
		for (i = 0; i < pbl->npte_pgs; i++)
			hwqnic_os_dma_free(od, HWQNIC_PBL_TBL_SIZE,
					   pbl->pte[i], pbl->pte_dma[i]);
	}
	hwqnic_os_free(od, pbl->pte);
	hwqnic_os_free(od, pbl->pte_dma);
	pbl->pte = NULL;
	pbl->pte_dma = NULL;
	pbl->npte_pgs = 0;
	hwqnic_os_dma_free(od, pbl->pde_size, pbl->pde, pbl->pde_dma);
	pbl->pde = NULL;
	pbl->pde_size = 0;
}

static void pbl_free_pages(struct hwqnic_osdev *od, struct hwqnic_pbl *pbl)
{
	size_t pg_size = (size_t)1 << pbl->ctx.pg_shift;
	u32 i;

	if (pbl->pg_va && pbl->pg_dma) {
		for (i = 0; i < pbl->ctx.npages; i++)
			hwqnic_os_dma_free(od, pg_size, pbl->pg_va[i],
					   pbl->pg_dma[i]);
	}
	hwqnic_os_free(od, pbl->pg_va);
	hwqnic_os_free(od, pbl->pg_dma);
	pbl->pg_va = NULL;
	pbl->pg_dma = NULL;
}

void hwqnic_pbl_free(struct hwqnic_osdev *od, struct hwqnic_pbl *pbl)
{
	pbl_free_tables(od, pbl);
	pbl_free_pages(od, pbl);
	pbl->ctx.root = 0;
	pbl->ctx.npages = 0;
}

static __le64 *pbl_pte_slot(const struct hwqnic_pbl *pbl, u32 pg)
{
	return &pbl->pte[pg >> HWQNIC_PBL_ENT_SHIFT][pg & HWQNIC_PBL_ENT_MASK];
}

u64 hwqnic_pbl_pte(const struct hwqnic_pbl *pbl, u32 pg)
{
	return le64_to_cpu(*pbl_pte_slot(pbl, pg));
}

/* Builds the tables over pbl->ctx.npages pages whose addresses are `pages`. */
static int pbl_build(struct hwqnic_osdev *od, struct hwqnic_pbl *pbl,
		     const dma_addr_t *pages)
{
	u32 npages = pbl->ctx.npages;
	u32 i;

	if (pbl->ctx.level == HWQNIC_PBL_LVL_0) {
		pbl->ctx.root = pages[0];
		return 0;
	}

	pbl->npte_pgs = DIV_ROUND_UP(npages, HWQNIC_PBL_ENTS);
	pbl->pte = hwqnic_os_zalloc(od, pbl->npte_pgs * sizeof(*pbl->pte));
	pbl->pte_dma = hwqnic_os_zalloc(od,
					pbl->npte_pgs * sizeof(*pbl->pte_dma));
	if (!pbl->pte || !pbl->pte_dma)
		goto nomem;
	for (i = 0; i < pbl->npte_pgs; i++) {
		pbl->pte[i] = hwqnic_os_dma_alloc(od, HWQNIC_PBL_TBL_SIZE,
						  HWQNIC_PBL_TBL_SIZE,
						  &pbl->pte_dma[i]);
		if (!pbl->pte[i])
			goto nomem;
	}
	for (i = 0; i < npages; i++)
		*pbl_pte_slot(pbl, i) = cpu_to_le64(pages[i] |
						    HWQNIC_PTE_VALID);
	if (pbl->flags & HWQNIC_PBL_QUEUE) {
		*pbl_pte_slot(pbl, npages - 1) |=
			cpu_to_le64(HWQNIC_PTE_LAST);
		if (npages > 1)
			*pbl_pte_slot(pbl, npages - 2) |=
				cpu_to_le64(HWQNIC_PTE_NEXT_TO_LAST);
	}

	if (pbl->ctx.level == HWQNIC_PBL_LVL_1) {
		pbl->ctx.root = pbl->pte_dma[0];
		return 0;
	}

	/*
	 * The PDE table is one flat array however many pages it spans: entry
	 * i is at byte 8 * i. Splitting its index the way PTE pages are
	 * split is the level-2 bug bnxt_re once had.
	 */
	pbl->pde_size = DIV_ROUND_UP(pbl->npte_pgs, HWQNIC_PBL_ENTS) *
			HWQNIC_PBL_TBL_SIZE;
	pbl->pde = hwqnic_os_dma_alloc(od, pbl->pde_size, HWQNIC_PBL_TBL_SIZE,
				       &pbl->pde_dma);
	if (!pbl->pde) {
		pbl->pde_size = 0;
		goto nomem;
	}
	for (i = 0; i < pbl->npte_pgs; i++)
		pbl->pde[i] = cpu_to_le64(pbl->pte_dma[i] | HWQNIC_PDE_VALID);
	pbl->ctx.root = pbl->pde_dma;
	return 0;

nomem:
	pbl_free_tables(od, pbl);
	return -ENOMEM;
}

static int pbl_setup(struct hwqnic_pbl *pbl, u32 npages, u8 pg_shift,
		     u32 flags)
{
	int level = hwqnic_pbl_level(npages);

	if (level < 0)
		return level;
	if (!pbl_pg_shift_ok(pg_shift) || (flags & ~HWQNIC_PBL_QUEUE))
		return -EINVAL;
	*pbl = (struct hwqnic_pbl) {
		.ctx = { .npages = npages, .level = level,
			 .pg_shift = pg_shift },
		.flags = flags,
	};
	return 0;
}

/* Allocates `npages` zeroed data pages of 1 << pg_shift bytes and their tables. */
int hwqnic_pbl_alloc(struct hwqnic_osdev *od, struct hwqnic_pbl *pbl,
		     u32 npages, u8 pg_shift, u32 flags)
{
	size_t pg_size = (size_t)1 << pg_shift;
	u32 i;
	int rc;

	rc = pbl_setup(pbl, npages, pg_shift, flags);
	if (rc)
		return rc;
	pbl->pg_va = hwqnic_os_zalloc(od, npages * sizeof(*pbl->pg_va));
	pbl->pg_dma = hwqnic_os_zalloc(od, npages * sizeof(*pbl->pg_dma));
	if (!pbl->pg_va || !pbl->pg_dma)
		goto nomem;
	for (i = 0; i < npages; i++) {
		pbl->pg_va[i] = hwqnic_os_dma_alloc(od, pg_size, pg_size,
						    &pbl->pg_dma[i]);
		if (!pbl->pg_va[i])
			goto nomem;
	}
	rc = pbl_build(od, pbl, pbl->pg_dma);
	if (rc)
		goto err;
	return 0;

nomem:
	rc = -ENOMEM;
err:
	pbl_free_pages(od, pbl);
	pbl->ctx.npages = 0;
	return rc;
}

/*
 * Builds tables over pages someone else owns (a memory region's pinned
 * pages). Each address must be aligned to the page size.
 */
int hwqnic_pbl_init_pages(struct hwqnic_osdev *od, struct hwqnic_pbl *pbl,
			  const dma_addr_t *pages, u32 npages, u8 pg_shift,
			  u32 flags)
{
	u32 i;
	int rc;

	rc = pbl_setup(pbl, npages, pg_shift, flags);
	if (rc)
		return rc;
	for (i = 0; i < npages; i++) {
		if (pages[i] & (((dma_addr_t)1 << pg_shift) - 1))
			return -EINVAL;
	}
	rc = pbl_build(od, pbl, pages);
	if (rc)
		pbl->ctx.npages = 0;
	return rc;
}

/* Reads table entry `idx` of the table at `tbl` as the NIC does: by DMA. */
static int pbl_read_ent(struct hwqnic_osdev *od, dma_addr_t tbl, u32 idx,
			u64 valid, u64 *ent)
{
	const __le64 *p = hwqnic_os_dma_va(od, tbl + (u64)idx * sizeof(*p),
					   sizeof(*p));

	if (unlikely(!p))
		return -EFAULT;
	*ent = le64_to_cpu(READ_ONCE(*p));
	if (unlikely(!(*ent & valid)))
		return -EFAULT;
	*ent &= HWQNIC_PTE_ADDR_MASK;
	return 0;
}

/*
 * The NIC's walk: the DMA address of byte `off` of the memory a PBL
 * describes, found from ctx alone. -EFAULT for an offset past the end, a
 * malformed context or an entry without its valid bit.
 */
int hwqnic_pbl_translate(struct hwqnic_osdev *od,
			 const struct hwqnic_pbl_ctx *ctx, u64 off,
			 dma_addr_t *dma)
{
	u64 pg, base;
	int rc = 0;

	if (unlikely(!pbl_pg_shift_ok(ctx->pg_shift)))
		return -EFAULT;
	pg = off >> ctx->pg_shift;
	if (unlikely(pg >= ctx->npages))
		return -EFAULT;

	switch (ctx->level) {
	case HWQNIC_PBL_LVL_0:
		base = ctx->root;
		break;
	case HWQNIC_PBL_LVL_1:
		rc = pbl_read_ent(od, ctx->root, pg, HWQNIC_PTE_VALID, &base);
		break;
	case HWQNIC_PBL_LVL_2:
		rc = pbl_read_ent(od, ctx->root, pg >> HWQNIC_PBL_ENT_SHIFT,
				  HWQNIC_PDE_VALID, &base);
		if (!rc)
			rc = pbl_read_ent(od, base, pg & HWQNIC_PBL_ENT_MASK,
					  HWQNIC_PTE_VALID, &base);
		break;
	default:
		return -EFAULT;
	}
	if (rc)
		return rc;
	*dma = base + (off & (((u64)1 << ctx->pg_shift) - 1));
	return 0;
}

/* The PBL page holding the PTE of data page `pg` (levels 1 and 2). */
static const __le64 *pbl_pte_page(struct hwqnic_osdev *od,
				  const struct hwqnic_pbl_ctx *ctx, u64 pg)
{
	u64 pde;

	if (ctx->level == HWQNIC_PBL_LVL_1)
		return hwqnic_os_dma_va(od, ctx->root, HWQNIC_PBL_TBL_SIZE);
	if (pbl_read_ent(od, ctx->root, pg >> HWQNIC_PBL_ENT_SHIFT,
			 HWQNIC_PDE_VALID, &pde))
		return NULL;
	return hwqnic_os_dma_va(od, pde, HWQNIC_PBL_TBL_SIZE);
}

/*
 * The walk for a run of bytes: the DMA address of byte `off`, and how many
 * bytes from there, up to `max`, are contiguous in DMA space. Consecutive
 * PTEs are read from their PBL page directly instead of walking from the
 * root for each page. Returns 0 when byte `off` cannot be reached.
 */
u64 hwqnic_pbl_translate_run(struct hwqnic_osdev *od,
			     const struct hwqnic_pbl_ctx *ctx, u64 off,
			     u64 max, dma_addr_t *dma)
{
	u64 pg_size = (u64)1 << ctx->pg_shift, pg, n, ent;
	const __le64 *tbl = NULL;

	if (!max || hwqnic_pbl_translate(od, ctx, off, dma))
		return 0;
	n = min_t(u64, max, pg_size - (off & (pg_size - 1)));
	if (ctx->level == HWQNIC_PBL_LVL_0)
		return n;
	for (pg = (off >> ctx->pg_shift) + 1; n < max && pg < ctx->npages;
	     pg++) {
		if (!tbl || !(pg & HWQNIC_PBL_ENT_MASK)) {
			tbl = pbl_pte_page(od, ctx, pg);
			if (!tbl)
				break;
		}
		ent = le64_to_cpu(READ_ONCE(tbl[pg & HWQNIC_PBL_ENT_MASK]));
		if (!(ent & HWQNIC_PTE_VALID) ||
		    (ent & HWQNIC_PTE_ADDR_MASK) != *dma + n)
			break;
		n += min_t(u64, max - n, pg_size);
	}
	return n;
}

/* hwqnic_pbl_va() past its cached page: walk, and cache what is found. */
void *hwqnic_pbl_va_walk(struct hwqnic_osdev *od,
			 const struct hwqnic_pbl_ctx *ctx,
			 struct hwqnic_pbl_tlb *tlb, u64 off, u64 len)
{
	u64 pg_size, pg, in;
	dma_addr_t dma;
	u8 *va;

	if (unlikely(!pbl_pg_shift_ok(ctx->pg_shift)))
		return NULL;
	pg_size = (u64)1 << ctx->pg_shift;
	pg = off >> ctx->pg_shift;
	in = off & (pg_size - 1);
	if (!len || len > pg_size - in)
		return NULL;
	if (hwqnic_pbl_translate(od, ctx, off - in, &dma))
		return NULL;
	va = hwqnic_os_dma_va(od, dma, pg_size);
	if (!va)
		return NULL;
	tlb->pg = pg + 1;
	tlb->va = va;
	return va + in;
}
