/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Memory regions: a range of the registrant's address space (its iova),
 * reached by the NIC only through the MR's own PBL. lkey == rkey: an index
 * into the device's table in bits 8..31 and a generation in bits 0..7, so
 * a key that outlives its MR does not match the next one in its place.
 */
#ifndef _HWQNIC_MR_H
#define _HWQNIC_MR_H

#include "dev.h"

struct hwqnic_core_mr {
	struct hwqnic_core_pd *pd;
	u32 key;
	u32 access;		/* enum hwqnic_access_flags */
	u64 iova;		/* address of byte 0 */
	u64 length;
	u32 pg_off;		/* iova's offset into the first page */
	struct hwqnic_pbl pbl;
	struct hwqnic_pbl_tlb tlb;	/* the engine's, under dev->lock */
};

int hwqnic_mr_reg(struct hwqnic_dev *dev, struct hwqnic_core_mr *mr,
		  struct hwqnic_core_pd *pd, u64 iova, u64 length, u32 access,
		  const dma_addr_t *pages, u32 npages, u8 pg_shift);
void hwqnic_mr_dereg(struct hwqnic_dev *dev, struct hwqnic_core_mr *mr);
bool hwqnic_mr_access_ok(u32 access);

/* The rights that let the NIC write into an MR: its pages must be writable. */
#define HWQNIC_MR_NIC_WRITES	(HWQNIC_ACCESS_LOCAL_WRITE | \
				 HWQNIC_ACCESS_REMOTE_WRITE | \
				 HWQNIC_ACCESS_REMOTE_ATOMIC)

/* The MR behind a key, or NULL; caller holds dev->lock. */
static inline struct hwqnic_core_mr *hwqnic_mr_lookup(struct hwqnic_dev *dev,
						      u32 key)
{
	struct hwqnic_core_mr *mr = dev->mr[(key >> 8) % HWQNIC_MAX_MR];

	return mr && mr->key == key ? mr : NULL;
}

#endif /* _HWQNIC_MR_H */
