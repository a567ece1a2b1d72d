/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Completion queues: a HWQ of 32-byte CQEs, or of 64-byte ones (struct
 * hwqnic_cqe_ts) for a CQ created with HWQNIC_CQ_F_TIMESTAMP; a tracer's
 * times on a CQ of 32-byte CQEs come back in the WQEs' slots (struct
 * hwqnic_wqe_times). The NIC produces, the host consumes and tells the
 * NIC how far it got through a consumer doorbell; arming is a separate
 * doorbell so that a consumer update never hides it.
 */
#ifndef _HWQNIC_CQ_H
#define _HWQNIC_CQ_H

#include <hwqnic/verbs.h>
#include "dev.h"

struct hwqnic_core_cq {
	u32 handle;
	u32 db_slot;			/* consumer doorbell */
	u32 arm_slot;			/* CQ_ARMALL / CQ_ARMSE doorbells */
	u32 users;			/* QPs; under dev->lock */
	u32 serial;			/* CQs created before it on the device */
	u32 flags;			/* HWQNIC_CQ_F_*, fixed at creation */
	/* pollers', on lines the engine never reads; cons under lock */
	struct hwqnic_hwq hwq ____cacheline_aligned;
	hwqnic_lock_t lock;
	u32 empty_polls;		/* while traced: since the last report */
	/* NIC side, under dev->lock, on lines of its own */
	struct hwqnic_hwq_ctx ctx ____cacheline_aligned;
	struct hwqnic_hwq_idx prod;
	struct hwqnic_hwq_idx host_cons;	/* as last announced */
	u8 armed;			/* 0, HWQNIC_DB_CQ_ARMALL or _ARMSE */
	bool overflow;
};

int hwqnic_cq_create_ex(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
			u32 depth, u32 flags);

static inline int hwqnic_cq_create(struct hwqnic_dev *dev,
				   struct hwqnic_core_cq *cq, u32 depth)
{
	return hwqnic_cq_create_ex(dev, cq, depth, 0);
}

static inline bool hwqnic_cq_ts(const struct hwqnic_core_cq *cq)
{
	return cq->flags & HWQNIC_CQ_F_TIMESTAMP;
}

int hwqnic_cq_destroy(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq);
int hwqnic_cq_attach(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
		     u32 handle, u32 db_slot, u32 arm_slot, u32 flags,
		     const struct hwqnic_hwq *q);
int hwqnic_cq_detach(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq);
/* ts: NULL, or n entries for the completions' times (zero if none) */
int hwqnic_cq_poll_ts(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
		      int n, struct hwqnic_wc *wc, struct hwqnic_wc_ts *ts);

static inline int hwqnic_cq_poll(struct hwqnic_dev *dev,
				 struct hwqnic_core_cq *cq, int n,
				 struct hwqnic_wc *wc)
{
	return hwqnic_cq_poll_ts(dev, cq, n, wc, NULL);
}
void hwqnic_cq_clean(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
		     u32 qpn);
void hwqnic_cq_arm(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
		   bool solicited);

#endif /* _HWQNIC_CQ_H */
