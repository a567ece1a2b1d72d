/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verbs hwqnic.ko exports to in-kernel consumers: the operations of
 * libhwqnic (include/hwqnic/verbs.h) over kernel memory, with the same
 * work request, completion and attribute structures. Objects are opaque;
 * a call that fails returns an ERR_PTR() or a negative errno and changes
 * nothing. Every call is for process context: the core's locks are
 * mutexes.
 *
 * A CQ's handler runs in the engine kthread when an armed CQ receives a
 * completion, with the device lock held: it must not sleep and must not
 * call these verbs. To poll and re-arm, it queues work that does.
 */
#ifndef _HWQNIC_KVERBS_H
#define _HWQNIC_KVERBS_H

#include <linux/types.h>
#include <hwqnic/verbs.h>

struct hwqnic_kdev;
struct hwqnic_kpd;
struct hwqnic_kmr;
struct hwqnic_kcq;
struct hwqnic_kqp;

typedef void (*hwqnic_kcq_handler_t)(struct hwqnic_kcq *cq, void *cq_context);

/* Device `index` (0 is /dev/hwqnic0's), or NULL. Lives as long as hwqnic.ko. */
struct hwqnic_kdev *hwqnic_kdev_get(unsigned int index);
int hwqnic_kquery_device(struct hwqnic_kdev *kdev,
			 struct hwqnic_device_attr *attr);

struct hwqnic_kpd *hwqnic_kalloc_pd(struct hwqnic_kdev *kdev);
int hwqnic_kdealloc_pd(struct hwqnic_kpd *pd);

/* Memory from kmalloc() or vmalloc(); lkey == rkey == the MR's key. */
struct hwqnic_kmr *hwqnic_kreg_mr(struct hwqnic_kpd *pd, void *addr,
				  size_t length, unsigned int access);
u32 hwqnic_kmr_key(const struct hwqnic_kmr *mr);
int hwqnic_kdereg_mr(struct hwqnic_kmr *mr);

struct hwqnic_kcq *hwqnic_kcreate_cq(struct hwqnic_kdev *kdev, int cqe,
				     hwqnic_kcq_handler_t handler,
				     void *cq_context);
struct hwqnic_kcq *hwqnic_kcreate_cq_ex(struct hwqnic_kdev *kdev, int cqe,
					u32 flags,
					hwqnic_kcq_handler_t handler,
					void *cq_context);
int hwqnic_kdestroy_cq(struct hwqnic_kcq *cq);
int hwqnic_kpoll_cq(struct hwqnic_kcq *cq, int num_entries,
		    struct hwqnic_wc *wc);
int hwqnic_kpoll_cq_ts(struct hwqnic_kcq *cq, int num_entries,
		       struct hwqnic_wc *wc, struct hwqnic_wc_ts *ts);
int hwqnic_kreq_notify_cq(struct hwqnic_kcq *cq, bool solicited_only);

/* attr->send_cq and attr->recv_cq are ignored: the CQs are given here. */
struct hwqnic_kqp *hwqnic_kcreate_qp(struct hwqnic_kpd *pd,
				     struct hwqnic_kcq *send_cq,
				     struct hwqnic_kcq *recv_cq,
				     struct hwqnic_qp_init_attr *attr);
u32 hwqnic_kqp_num(const struct hwqnic_kqp *qp);
int hwqnic_kmodify_qp(struct hwqnic_kqp *qp, const struct hwqnic_qp_attr *attr,
		      int attr_mask);
int hwqnic_kquery_qp(struct hwqnic_kqp *qp, struct hwqnic_qp_attr *attr);
int hwqnic_kquery_qp_counters(struct hwqnic_kqp *qp,
			      struct hwqnic_qp_counters *counters);
int hwqnic_kdestroy_qp(struct hwqnic_kqp *qp);
int hwqnic_kpost_send(struct hwqnic_kqp *qp, const struct hwqnic_send_wr *wr,
		      const struct hwqnic_send_wr **bad_wr);
int hwqnic_kpost_recv(struct hwqnic_kqp *qp, const struct hwqnic_recv_wr *wr,
		      const struct hwqnic_recv_wr **bad_wr);

#endif /* _HWQNIC_KVERBS_H */
