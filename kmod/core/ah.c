// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Address handles: where a UD send goes. A table like the MR and CQ
 * tables; a UD WQE names its handle (1..HWQNIC_MAX_AH; 0: a QP of this
 * device), and the engine takes it only with the WQE's QP's PD.
 */
#include "xport.h"

int hwqnic_ah_create(struct hwqnic_dev *dev, struct hwqnic_core_ah *ah,
		     struct hwqnic_core_pd *pd, const struct hwqnic_path *path)
{
	int i;

	hwqnic_lock(&dev->lock);
	i = hwqnic_ids_get(&dev->ah_ids);
	if (i >= 0) {
		ah->handle = i + 1;
		ah->pd = pd;
		ah->path = *path;
		pd->users++;
		WRITE_ONCE(dev->ah[i], ah);
	}
	hwqnic_unlock(&dev->lock);
	return i < 0 ? i : 0;
}

void hwqnic_ah_destroy(struct hwqnic_dev *dev, struct hwqnic_core_ah *ah)
{
	hwqnic_lock(&dev->lock);
	WRITE_ONCE(dev->ah[ah->handle - 1], NULL);
	hwqnic_ids_put(&dev->ah_ids, ah->handle - 1);
	ah->pd->users--;
	hwqnic_unlock(&dev->lock);
}

/* The AH behind a WQE's handle, or NULL; dev->lock held. */
struct hwqnic_core_ah *hwqnic_ah_lookup(struct hwqnic_dev *dev, u32 handle)
{
	u32 i = handle - 1;

	return i < HWQNIC_MAX_AH ? dev->ah[i] : NULL;
}
