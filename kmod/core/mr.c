// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Memory region registration over the pages the backend pinned or owns. */
#include <hwqnic/verbs.h>
#include "mr.h"

/* Remote write and atomic rights need local write, as in libibverbs. */
bool hwqnic_mr_access_ok(u32 access)
{
	if (access & ~HWQNIC_ACCESS_ALL)
		return false;
	if ((access & (HWQNIC_ACCESS_REMOTE_WRITE |
		       HWQNIC_ACCESS_REMOTE_ATOMIC)) &&
	    !(access & HWQNIC_ACCESS_LOCAL_WRITE))
		return false;
	return true;
}

/*
 * Registers [iova, iova + length) whose pages, in order, are `pages`:
 * page 0 holds iova, at offset iova % page size.
 */
int hwqnic_mr_reg(struct hwqnic_dev *dev, struct hwqnic_core_mr *mr,
		  struct hwqnic_core_pd *pd, u64 iova, u64 length, u32 access,
		  const dma_addr_t *pages, u32 npages, u8 pg_shift)
{
	u64 pg_size = (u64)1 << pg_shift;
	int rc, idx;

	if (!length || iova + length < iova || !hwqnic_mr_access_ok(access) ||
	    pg_shift < HWQNIC_PBL_MIN_PG_SHIFT ||
	    pg_shift > HWQNIC_PBL_MAX_PG_SHIFT ||
	    npages != DIV_ROUND_UP((iova & (pg_size - 1)) + length, pg_size))
		return -EINVAL;
	*mr = (struct hwqnic_core_mr) {
		.pd = pd,
		.access = access,
		.iova = iova,
		.length = length,
		.pg_off = iova & (pg_size - 1),
	};
	rc = hwqnic_pbl_init_pages(&dev->od, &mr->pbl, pages, npages,
				   pg_shift, 0);
	if (rc)
		return rc;

	hwqnic_lock(&dev->lock);
	idx = hwqnic_ids_get(&dev->mr_ids);
	if (idx >= 0) {
		mr->key = idx << 8 | ++dev->mr_gen[idx];
		dev->mr[idx] = mr;
		pd->users++;
	}
	hwqnic_unlock(&dev->lock);
	if (idx < 0) {
		hwqnic_pbl_free(&dev->od, &mr->pbl);
		return idx;
	}
	return 0;
}

void hwqnic_mr_dereg(struct hwqnic_dev *dev, struct hwqnic_core_mr *mr)
{
	hwqnic_lock(&dev->lock);
	dev->mr[mr->key >> 8] = NULL;
	hwqnic_ids_put(&dev->mr_ids, mr->key >> 8);
	mr->pd->users--;
	hwqnic_unlock(&dev->lock);
	hwqnic_pbl_free(&dev->od, &mr->pbl);
}
