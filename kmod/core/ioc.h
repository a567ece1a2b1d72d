/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The /dev/hwqnic0 ioctl structures (hwqnic/abi.h) as hwqnic.ko takes
 * them. Each is copied once from the process by kmod/ucontext.c, then
 * checked here and turned into the core's arguments, and the replies are
 * filled here from the core's objects: nothing of the kernel's is in the
 * way, so libhwqnic's fuzz target (selftests/fuzz/ioctl.c) drives this
 * very code. What needs the process (its pages, its fds, its mappings)
 * stays in ucontext.c. A check returns 0 or -errno and changes nothing.
 */
#ifndef _HWQNIC_IOC_H
#define _HWQNIC_IOC_H

#include <hwqnic/abi.h>
#include "qp.h"

/*
 * OPEN: the ABI version (-EPROTO), and, when the process gives memory for
 * its counters, its shape: stats_size bytes on a page of page_size.
 */
int hwqnic_ioc_open_check(const struct hwqnic_ioc_open *o, u64 stats_size,
			  u64 page_size);

/*
 * REG_MR: reserved fields, a range that neither is empty nor wraps, the
 * rights; and the pages of 1 << pg_shift bytes that hold the range: the
 * first one's number and their count.
 */
int hwqnic_ioc_mr_check(const struct hwqnic_ioc_mr *m, u8 pg_shift,
			u64 *first, u32 *npages);

/* CREATE_CQ: a depth the device has, a channel fd or -1, known flags. */
int hwqnic_ioc_cq_check(const struct hwqnic_ioc_cq *c);

/* CREATE_QP: reserved fields, the type and flags, and what is asked. */
int hwqnic_ioc_qp_init(const struct hwqnic_ioc_qp *q,
		       struct hwqnic_qp_init_attr *ia);

/* MODIFY_QP: reserved fields and the mask; the attributes to change. */
int hwqnic_ioc_qp_attr(const struct hwqnic_ioc_qp_attr *a,
		       struct hwqnic_qp_attr *attr, int *mask);

/* Replies: a queue as the process maps it, at mmap offset off. */
void hwqnic_ioc_queue_reply(struct hwqnic_ioc_queue *q,
			    const struct hwqnic_hwq *h, u32 slot, u64 off);
void hwqnic_ioc_cq_reply(struct hwqnic_ioc_cq *c,
			 const struct hwqnic_core_cq *cq, u64 off);
/* CREATE_QP's: its QPN, what was granted, its queues at sq_off, rq_off */
void hwqnic_ioc_qp_reply(struct hwqnic_ioc_qp *q,
			 const struct hwqnic_core_qp *qp, u64 sq_off,
			 u64 rq_off);
/* QUERY_QP's: every field, reserved ones zero. */
void hwqnic_ioc_qp_attr_reply(struct hwqnic_ioc_qp_attr *a, u32 qpn,
			      const struct hwqnic_qp_attr *attr);

#endif /* _HWQNIC_IOC_H */
