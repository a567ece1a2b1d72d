// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Hardware queues on page buffer lists. */
#include "hwq.h"

/*
 * A queue of `depth` slots of `stride` bytes (a power of two from 16 bytes
 * to the page size) on pages of 1 << pg_shift bytes.
 */
int hwqnic_hwq_init(struct hwqnic_osdev *od, struct hwqnic_hwq *hwq,
		    u32 depth, u32 stride, u8 pg_shift)
{
	u64 bytes, npages;
	int rc;

	if (!depth || depth > HWQNIC_HWQ_MAX_DEPTH ||
	    !is_power_of_2(stride) || stride < HWQNIC_HWQ_MIN_STRIDE ||
	    pg_shift < HWQNIC_PBL_MIN_PG_SHIFT ||
	    pg_shift > HWQNIC_PBL_MAX_PG_SHIFT ||
	    stride > (1U << pg_shift))
		return -EINVAL;
	bytes = (u64)depth * stride;
	npages = DIV_ROUND_UP(bytes, (u64)1 << pg_shift);
	if (npages > HWQNIC_PBL_MAX_PAGES)
		return -E2BIG;

	*hwq = (struct hwqnic_hwq) {
		.depth = depth,
		.stride_shift = ilog2(stride),
		.slots_pg_shift = pg_shift - ilog2(stride),
	};
	rc = hwqnic_pbl_alloc(od, &hwq->pbl, npages, pg_shift,
			      HWQNIC_PBL_QUEUE);
	if (rc)
		hwq->depth = 0;
	return rc;
}

/*
 * The host's view of a queue whose pages someone else allocated and mapped
 * contiguously at `va` (hwqnic.ko's, in a process): slot addresses only,
 * no tables. Undone by hwqnic_hwq_unmap().
 */
int hwqnic_hwq_map(struct hwqnic_osdev *od, struct hwqnic_hwq *hwq,
		   u32 depth, u8 stride_shift, u8 pg_shift, u32 npages,
		   void *va)
{
	u32 i;

	if (!depth || depth > HWQNIC_HWQ_MAX_DEPTH || !va ||
	    stride_shift < ilog2(HWQNIC_HWQ_MIN_STRIDE) ||
	    pg_shift < HWQNIC_PBL_MIN_PG_SHIFT ||
	    pg_shift > HWQNIC_PBL_MAX_PG_SHIFT || stride_shift > pg_shift ||
	    npages > HWQNIC_PBL_MAX_PAGES ||
	    (u64)depth << stride_shift > (u64)npages << pg_shift)
		return -EINVAL;
	*hwq = (struct hwqnic_hwq) {
		.depth = depth,
		.stride_shift = stride_shift,
		.slots_pg_shift = pg_shift - stride_shift,
		.pbl.ctx = { .npages = npages, .pg_shift = pg_shift },
	};
	hwq->pbl.pg_va = hwqnic_os_zalloc(od, npages * sizeof(void *));
	if (!hwq->pbl.pg_va)
		return -ENOMEM;
	for (i = 0; i < npages; i++)
		hwq->pbl.pg_va[i] = (char *)va + ((size_t)i << pg_shift);
	return 0;
}

void hwqnic_hwq_unmap(struct hwqnic_osdev *od, struct hwqnic_hwq *hwq)
{
	hwqnic_os_free(od, hwq->pbl.pg_va);
	hwq->pbl.pg_va = NULL;
	hwq->depth = 0;
}

void hwqnic_hwq_free(struct hwqnic_osdev *od, struct hwqnic_hwq *hwq)
{
	hwqnic_pbl_free(od, &hwq->pbl);
	hwq->depth = 0;
}

/* Back to a fresh queue: zeroed slots, both indices at 0 in epoch 0. */
void hwqnic_hwq_reset(struct hwqnic_hwq *hwq)
{
	size_t pg_size = (size_t)1 << hwq->pbl.ctx.pg_shift;
	u32 i;

	for (i = 0; i < hwq->pbl.ctx.npages; i++)
		memset(hwq->pbl.pg_va[i], 0, pg_size);
	hwq->prod = hwq->cons = (struct hwqnic_hwq_idx){ 0 };
}

/*
 * The doorbell announcing the host's side of the queue: the producer for
 * SQ/RQ/SRQ, the consumer for CQ and NQ doorbells.
 */
u64 hwqnic_hwq_db(const struct hwqnic_hwq *hwq, u32 xid, u8 type, u8 toggle)
{
	bool producer = type == HWQNIC_DB_SQ || type == HWQNIC_DB_RQ ||
			type == HWQNIC_DB_SRQ || type == HWQNIC_DB_SRQ_ARM;
	const struct hwqnic_hwq_idx *i = producer ? &hwq->prod : &hwq->cons;
	struct hwqnic_db db = {
		.index = i->val,
		.epoch = i->epoch,
		.toggle = toggle,
		.xid = xid,
		.type = type,
	};

	return hwqnic_db_encode(&db);
}
