// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The device: tables, protection domains, doorbell slots and ringing. */
#include "dev.h"

#define BITS_PER_WORD	(8 * sizeof(unsigned long))

int hwqnic_dev_init(struct hwqnic_dev *dev, const struct hwqnic_dev_ops *ops,
		    u32 id)
{
	struct hwqnic_osdev *od = &dev->od;

	dev->ops = ops;
	dev->id = id;
	hwqnic_lock_init(&dev->lock);
	dev->qp = hwqnic_os_zalloc(od, HWQNIC_MAX_QP * sizeof(*dev->qp));
	dev->active = hwqnic_os_zalloc(od,
				       HWQNIC_MAX_QP * sizeof(*dev->active));
	dev->cq = hwqnic_os_zalloc(od, HWQNIC_MAX_CQ * sizeof(*dev->cq));
	dev->mr = hwqnic_os_zalloc(od, HWQNIC_MAX_MR * sizeof(*dev->mr));
	dev->mr_gen = hwqnic_os_zalloc(od, HWQNIC_MAX_MR);
	dev->pd_map = hwqnic_os_zalloc(od, HWQNIC_MAX_PD / 8);
	dev->db_map = hwqnic_os_zalloc(od, HWQNIC_DB_SLOTS / 8);
	dev->dbp_size = DIV_ROUND_UP(sizeof(*dev->dbp), HWQNIC_PBL_TBL_SIZE) *
			HWQNIC_PBL_TBL_SIZE;
	dev->dbp = hwqnic_os_dma_alloc(od, dev->dbp_size, HWQNIC_PBL_TBL_SIZE,
				       &dev->dbp_dma);
	if (!dev->qp || !dev->active || !dev->cq || !dev->mr ||
	    !dev->mr_gen || !dev->pd_map || !dev->db_map || !dev->dbp) {
		hwqnic_dev_fini(dev);
		return -ENOMEM;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_dev_init);

/* The backend has destroyed every object and stopped the engine. */
void hwqnic_dev_fini(struct hwqnic_dev *dev)
{
	struct hwqnic_osdev *od = &dev->od;

	hwqnic_lock_destroy(&dev->lock);
	hwqnic_os_dma_free(od, dev->dbp_size, dev->dbp, dev->dbp_dma);
	hwqnic_os_free(od, dev->db_map);
	hwqnic_os_free(od, dev->pd_map);
	hwqnic_os_free(od, dev->mr_gen);
	hwqnic_os_free(od, dev->mr);
	hwqnic_os_free(od, dev->cq);
	hwqnic_os_free(od, dev->active);
	hwqnic_os_free(od, dev->qp);
	dev->dbp = NULL;
	dev->db_map = dev->pd_map = NULL;
	dev->mr_gen = NULL;
	dev->mr = NULL;
	dev->cq = NULL;
	dev->active = dev->qp = NULL;
}
EXPORT_SYMBOL_GPL(hwqnic_dev_fini);

/* A free bit of `map`, searched from *hint, now taken; -ENOSPC when full. */
int hwqnic_dev_slot_get(unsigned long *map, u32 nbits, u32 *hint)
{
	u32 i, nr;

	for (i = 0; i < nbits; i++) {
		nr = (*hint + i) % nbits;
		if (!(map[nr / BITS_PER_WORD] & (1UL << (nr % BITS_PER_WORD)))) {
			map[nr / BITS_PER_WORD] |= 1UL << (nr % BITS_PER_WORD);
			*hint = nr + 1;
			return nr;
		}
	}
	return -ENOSPC;
}
EXPORT_SYMBOL_GPL(hwqnic_dev_slot_get);

void hwqnic_dev_slot_put(unsigned long *map, u32 nr)
{
	map[nr / BITS_PER_WORD] &= ~(1UL << (nr % BITS_PER_WORD));
}
EXPORT_SYMBOL_GPL(hwqnic_dev_slot_put);

int hwqnic_pd_alloc(struct hwqnic_dev *dev, struct hwqnic_core_pd *pd)
{
	u32 hint = 0;
	int nr;

	hwqnic_lock(&dev->lock);
	nr = hwqnic_dev_slot_get(dev->pd_map, HWQNIC_MAX_PD, &hint);
	hwqnic_unlock(&dev->lock);
	if (nr < 0)
		return nr;
	pd->pdn = nr;
	pd->users = 0;
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_pd_alloc);

int hwqnic_pd_free(struct hwqnic_dev *dev, struct hwqnic_core_pd *pd)
{
	int rc = 0;

	hwqnic_lock(&dev->lock);
	if (pd->users)
		rc = -EBUSY;
	else
		hwqnic_dev_slot_put(dev->pd_map, pd->pdn);
	hwqnic_unlock(&dev->lock);
	return rc;
}
EXPORT_SYMBOL_GPL(hwqnic_pd_free);

/*
 * The host's side of a doorbell. The release store orders the queue
 * entries before the slot; the full barrier orders the pending bits before
 * the look at need_wakeup, pairing with the engine's barrier between
 * setting need_wakeup and its last look at the summary.
 */
void hwqnic_dev_ring(struct hwqnic_dev *dev, u32 slot, u64 val, bool notify)
{
	struct hwqnic_db_page *p = dev->dbp;

	smp_store_release(&p->slot[slot], val);
	if (!notify)
		return;
	set_bit(slot, (unsigned long *)p->pending);
	set_bit(slot / 64, (unsigned long *)&p->summary);
	smp_mb__after_atomic();
	if (READ_ONCE(p->need_wakeup))
		hwqnic_os_engine_wake(&dev->od, &p->wake_seq);
}
EXPORT_SYMBOL_GPL(hwqnic_dev_ring);
