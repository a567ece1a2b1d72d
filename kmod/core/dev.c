// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The device: tables, protection domains, doorbell slots and ringing. */
#include "dev.h"

#define BITS_PER_WORD	(8 * sizeof(unsigned long))

static int ids_init(struct hwqnic_osdev *od, struct hwqnic_ids *ids, u32 n)
{
	ids->n = n;
	ids->hint = 0;
	ids->map = hwqnic_os_zalloc(od, DIV_ROUND_UP(n, BITS_PER_WORD) *
				    sizeof(unsigned long));
	return ids->map ? 0 : -ENOMEM;
}

/*
 * A device whose doorbell page is `dbp`, mapped from elsewhere (the host
 * side of a hwqnic.ko context), or allocated here when dbp is NULL.
 */
int hwqnic_dev_init_dbp(struct hwqnic_dev *dev,
			const struct hwqnic_dev_ops *ops, u32 id,
			struct hwqnic_db_page *dbp)
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
	dev->ah = hwqnic_os_zalloc(od, HWQNIC_MAX_AH * sizeof(*dev->ah));
	if (dbp) {
		dev->dbp = dbp;
		dev->dbp_size = 0;	/* not ours to free */
	} else {
		dev->dbp_size = DIV_ROUND_UP(sizeof(*dev->dbp),
					     HWQNIC_PBL_TBL_SIZE) *
				HWQNIC_PBL_TBL_SIZE;
		dev->dbp = hwqnic_os_dma_alloc(od, dev->dbp_size,
					       HWQNIC_PBL_TBL_SIZE,
					       &dev->dbp_dma);
	}
	if (!dev->qp || !dev->active || !dev->cq || !dev->mr ||
	    !dev->mr_gen || !dev->ah || !dev->dbp ||
	    ids_init(od, &dev->pd_ids, HWQNIC_MAX_PD) ||
	    ids_init(od, &dev->qp_ids, HWQNIC_MAX_QP) ||
	    ids_init(od, &dev->cq_ids, HWQNIC_MAX_CQ) ||
	    ids_init(od, &dev->mr_ids, HWQNIC_MAX_MR) ||
	    ids_init(od, &dev->ah_ids, HWQNIC_MAX_AH) ||
	    ids_init(od, &dev->db_ids, HWQNIC_DB_SLOTS)) {
		hwqnic_dev_fini(dev);
		return -ENOMEM;
	}
	return 0;
}

int hwqnic_dev_init(struct hwqnic_dev *dev, const struct hwqnic_dev_ops *ops,
		    u32 id)
{
	return hwqnic_dev_init_dbp(dev, ops, id, NULL);
}

/* The backend has destroyed every object and stopped the engine. */
void hwqnic_dev_fini(struct hwqnic_dev *dev)
{
	struct hwqnic_osdev *od = &dev->od;
	struct hwqnic_ids *ids[] = { &dev->pd_ids, &dev->qp_ids, &dev->cq_ids,
				     &dev->mr_ids, &dev->ah_ids, &dev->db_ids };
	u32 i;

	hwqnic_lock_destroy(&dev->lock);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		hwqnic_os_free(od, ids[i]->map);
		ids[i]->map = NULL;
	}
	if (dev->dbp_size)
		hwqnic_os_dma_free(od, dev->dbp_size, dev->dbp, dev->dbp_dma);
	hwqnic_os_free(od, dev->ah);
	hwqnic_os_free(od, dev->mr_gen);
	hwqnic_os_free(od, dev->mr);
	hwqnic_os_free(od, dev->cq);
	hwqnic_os_free(od, dev->active);
	hwqnic_os_free(od, dev->qp);
	dev->dbp = NULL;
	dev->ah = NULL;
	dev->mr_gen = NULL;
	dev->mr = NULL;
	dev->cq = NULL;
	dev->active = dev->qp = NULL;
}

/* The device's limits: the same on every backend. */
void hwqnic_dev_query(struct hwqnic_device_attr *attr)
{
	*attr = (struct hwqnic_device_attr) {
		.abi_version = HWQNIC_ABI_VERSION,
		.max_qp = HWQNIC_MAX_QP,
		.max_qp_wr = HWQNIC_MAX_QP_WR,
		.max_sge = HWQNIC_MAX_SGE,
		.max_inline_data = HWQNIC_MAX_INLINE,
		.max_cq = HWQNIC_MAX_CQ,
		.max_cqe = HWQNIC_MAX_CQE,
		.max_mr = HWQNIC_MAX_MR,
		.max_pd = HWQNIC_MAX_PD,
		.max_qp_rd_atom = HWQNIC_MAX_RD_ATOM,
		.max_mr_size = (u64)HWQNIC_PBL_MAX_PAGES << 12,
		.page_size_cap = 1ULL << 12,
	};
}

/* A free id, searched from the last one handed out, now taken; or -ENOSPC. */
int hwqnic_ids_get(struct hwqnic_ids *ids)
{
	u32 i, nr;

	for (i = 0; i < ids->n; i++) {
		nr = (ids->hint + i) % ids->n;
		if (!(ids->map[nr / BITS_PER_WORD] &
		      (1UL << (nr % BITS_PER_WORD)))) {
			ids->map[nr / BITS_PER_WORD] |=
				1UL << (nr % BITS_PER_WORD);
			ids->hint = nr + 1;
			return nr;
		}
	}
	return -ENOSPC;
}

void hwqnic_ids_put(struct hwqnic_ids *ids, u32 nr)
{
	ids->map[nr / BITS_PER_WORD] &= ~(1UL << (nr % BITS_PER_WORD));
}

/*
 * Zeroes a slot whose queue is gone or reset, and stops the engine reading
 * it: a polled slot going to zero would otherwise look like a doorbell.
 */
void hwqnic_dev_db_clear(struct hwqnic_dev *dev, u32 slot)
{
	u32 i;

	for (i = 0; i < dev->npolled; i++) {
		if (dev->polled[i].slot == slot) {
			hwqnic_dev_polled_drop(dev, i);
			break;
		}
	}
	WRITE_ONCE(dev->dbp->slot[slot], 0);
}

/*
 * A free doorbell slot, now taken. Slots the engine polls (SQs) come from
 * the bottom of the page and the rest (RQ producers, CQ consumers and
 * arms, read only when the engine needs them) from the top: a host that
 * writes one of the rest never takes away the line the engine polls on.
 */
static int db_slot_get(struct hwqnic_ids *ids, bool polled)
{
	u32 words = ids->n / BITS_PER_WORD, i, w, b;
	unsigned long free;

	for (i = 0; i < words; i++) {
		w = polled ? i : words - 1 - i;
		free = ~ids->map[w];
		if (!free)
			continue;
		b = polled ? (u32)__builtin_ctzl(free) :
			     BITS_PER_WORD - 1 - __builtin_clzl(free);
		ids->map[w] |= 1UL << b;
		return w * BITS_PER_WORD + b;
	}
	return -ENOSPC;
}

/*
 * Two doorbell slots for one queue's pair of doorbells, both cleared; the
 * first is polled by the engine if `polled_a`.
 */
int hwqnic_dev_db_pair(struct hwqnic_dev *dev, u32 *a, u32 *b, bool polled_a)
{
	int x = db_slot_get(&dev->db_ids, polled_a), y;

	if (x < 0)
		return x;
	y = db_slot_get(&dev->db_ids, false);
	if (y < 0) {
		hwqnic_ids_put(&dev->db_ids, x);
		return y;
	}
	hwqnic_dev_db_clear(dev, x);
	hwqnic_dev_db_clear(dev, y);
	*a = x;
	*b = y;
	return 0;
}

void hwqnic_dev_db_pair_put(struct hwqnic_dev *dev, u32 a, u32 b)
{
	hwqnic_dev_db_clear(dev, a);
	hwqnic_dev_db_clear(dev, b);
	hwqnic_ids_put(&dev->db_ids, a);
	hwqnic_ids_put(&dev->db_ids, b);
}

int hwqnic_pd_alloc(struct hwqnic_dev *dev, struct hwqnic_core_pd *pd)
{
	int nr;

	hwqnic_lock(&dev->lock);
	nr = hwqnic_ids_get(&dev->pd_ids);
	hwqnic_unlock(&dev->lock);
	if (nr < 0)
		return nr;
	pd->pdn = nr;
	pd->users = 0;
	return 0;
}

int hwqnic_pd_free(struct hwqnic_dev *dev, struct hwqnic_core_pd *pd)
{
	int rc = 0;

	hwqnic_lock(&dev->lock);
	if (pd->users)
		rc = -EBUSY;
	else
		hwqnic_ids_put(&dev->pd_ids, pd->pdn);
	hwqnic_unlock(&dev->lock);
	return rc;
}

/*
 * The host's side of a doorbell. The release store orders the queue
 * entries before the slot. The full barrier orders the slot before the
 * look at `polled`, pairing with the engine's barrier between clearing a
 * slot's byte and its last read of the slot: either the engine sees this
 * value, or the host sees the byte clear and sets the pending bits. The
 * barrier after those orders them before the look at need_wakeup, pairing
 * with the engine's between setting need_wakeup and its last look at the
 * summary.
 */
void hwqnic_dev_ring(struct hwqnic_dev *dev, u32 slot, u64 val, bool notify)
{
	struct hwqnic_db_page *p = dev->dbp;

	smp_store_release(&p->slot[slot], val);
	if (!notify)
		return;
	smp_mb();
	if (READ_ONCE(p->polled[slot]))
		return;
	set_bit(slot, (unsigned long *)p->pending);
	set_bit(slot / 64, (unsigned long *)&p->summary);
	smp_mb__after_atomic();
	if (READ_ONCE(p->need_wakeup))
		hwqnic_os_engine_wake(&dev->od, &p->wake_seq);
}
