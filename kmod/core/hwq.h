/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Hardware queues: a ring of fixed-size slots laid over a PBL. Indices run
 * 0..depth-1 and carry an epoch bit that flips at every wrap, so prod == cons
 * means empty when the epochs agree and full when they differ: every slot of
 * a queue of any depth is usable.
 */
#ifndef _HWQNIC_HWQ_H
#define _HWQNIC_HWQ_H

#include <hwqnic/hw.h>
#include "pbl.h"

#define HWQNIC_HWQ_MAX_DEPTH	(1U << 24)	/* the doorbell's index field */
#define HWQNIC_HWQ_MIN_STRIDE	16U

struct hwqnic_hwq_idx {
	u32 val;
	u8 epoch;
};

/* What the NIC is told about a queue. */
struct hwqnic_hwq_ctx {
	struct hwqnic_pbl_ctx pbl;
	u32 depth;
	u8 stride_shift;
	struct hwqnic_pbl_tlb tlb;	/* the engine's, over pbl */
};

struct hwqnic_hwq {
	struct hwqnic_pbl pbl;
	u32 depth;
	u8 stride_shift;
	u8 slots_pg_shift;	/* log2 of slots per page */
	struct hwqnic_hwq_idx prod;
	struct hwqnic_hwq_idx cons;
};

int hwqnic_hwq_init(struct hwqnic_osdev *od, struct hwqnic_hwq *hwq,
		    u32 depth, u32 stride, u8 pg_shift);
void hwqnic_hwq_free(struct hwqnic_osdev *od, struct hwqnic_hwq *hwq);
int hwqnic_hwq_map(struct hwqnic_osdev *od, struct hwqnic_hwq *hwq,
		   u32 depth, u8 stride_shift, u8 pg_shift, u32 npages,
		   void *va);
void hwqnic_hwq_unmap(struct hwqnic_osdev *od, struct hwqnic_hwq *hwq);
void hwqnic_hwq_reset(struct hwqnic_hwq *hwq);
u64 hwqnic_hwq_db(const struct hwqnic_hwq *hwq, u32 xid, u8 type, u8 toggle);

/* Advance an index by n (n <= depth). */
static inline void hwqnic_hwq_idx_add(struct hwqnic_hwq_idx *i, u32 n,
				      u32 depth)
{
	i->val += n;
	if (i->val >= depth) {
		i->val -= depth;
		i->epoch ^= 1;
	}
}

/* Slots between cons and prod. */
static inline u32 hwqnic_hwq_idx_diff(struct hwqnic_hwq_idx prod,
				      struct hwqnic_hwq_idx cons, u32 depth)
{
	if (prod.val == cons.val)
		return prod.epoch == cons.epoch ? 0 : depth;
	return prod.val > cons.val ? prod.val - cons.val :
				     depth - cons.val + prod.val;
}

static inline u32 hwqnic_hwq_used(const struct hwqnic_hwq *hwq)
{
	return hwqnic_hwq_idx_diff(hwq->prod, hwq->cons, hwq->depth);
}

static inline u32 hwqnic_hwq_avail(const struct hwqnic_hwq *hwq)
{
	return hwq->depth - hwqnic_hwq_used(hwq);
}

static inline bool hwqnic_hwq_empty(const struct hwqnic_hwq *hwq)
{
	return hwqnic_hwq_used(hwq) == 0;
}

static inline bool hwqnic_hwq_full(const struct hwqnic_hwq *hwq)
{
	return hwqnic_hwq_used(hwq) == hwq->depth;
}

static inline void hwqnic_hwq_incr_prod(struct hwqnic_hwq *hwq, u32 n)
{
	hwqnic_hwq_idx_add(&hwq->prod, n, hwq->depth);
}

static inline void hwqnic_hwq_incr_cons(struct hwqnic_hwq *hwq, u32 n)
{
	hwqnic_hwq_idx_add(&hwq->cons, n, hwq->depth);
}

/* The host's CPU address of slot idx (idx < depth). */
static inline void *hwqnic_hwq_get_qe(const struct hwqnic_hwq *hwq, u32 idx)
{
	u32 mask = (1U << hwq->slots_pg_shift) - 1;

	return (char *)hwq->pbl.pg_va[idx >> hwq->slots_pg_shift] +
	       ((size_t)(idx & mask) << hwq->stride_shift);
}

/*
 * The NIC's view of slot idx: where it is mapped, reached through the PBL
 * and the context's cached page; NULL past the depth or unreachable.
 * Slots tile pages exactly, so slot idx is the stride bytes from byte
 * idx * stride, never across a page.
 */
static inline void *hwqnic_hwq_slot(struct hwqnic_osdev *od,
				    struct hwqnic_hwq_ctx *ctx, u32 idx)
{
	if (unlikely(idx >= ctx->depth))
		return NULL;
	return hwqnic_pbl_va(od, &ctx->pbl, &ctx->tlb,
			     (u64)idx << ctx->stride_shift,
			     1U << ctx->stride_shift);
}

static inline void hwqnic_hwq_ctx(const struct hwqnic_hwq *hwq,
				  struct hwqnic_hwq_ctx *ctx)
{
	ctx->pbl = hwq->pbl.ctx;
	ctx->depth = hwq->depth;
	ctx->stride_shift = hwq->stride_shift;
	ctx->tlb = (struct hwqnic_pbl_tlb){ 0 };
}

#endif /* _HWQNIC_HWQ_H */
