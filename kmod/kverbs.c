// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs for in-kernel consumers (hwqnic_kverbs.h): argument checks,
 * then the core, as libhwqnic does for processes. They are what hwqnic.ko
 * exports; the core's own functions stay inside it.
 */
#include <linux/err.h>
#include <linux/vmalloc.h>
#include <linux/dma-direct.h>

#include "device.h"

/**
 * hwqnic_kquery_device() - The limits of a device.
 * @kdev: the device, from hwqnic_kdev_get()
 * @attr: filled in: the largest queues, numbers of objects and sizes
 *
 * Context: Process context, as for every verb.
 * Return: 0, or -EINVAL without @kdev or @attr.
 */
int hwqnic_kquery_device(struct hwqnic_kdev *kdev,
			 struct hwqnic_device_attr *attr)
{
	if (!kdev || !attr)
		return -EINVAL;
	hwqnic_dev_query(attr);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kquery_device);

/**
 * hwqnic_kalloc_pd() - Allocate a protection domain.
 * @kdev: the device, from hwqnic_kdev_get()
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: the PD, or ERR_PTR(-EINVAL) without @kdev, ERR_PTR(-ENOMEM), or
 * ERR_PTR(-ENOSPC) when the device has no PD number left.
 */
struct hwqnic_kpd *hwqnic_kalloc_pd(struct hwqnic_kdev *kdev)
{
	struct hwqnic_kpd *pd;
	int rc;

	if (!kdev)
		return ERR_PTR(-EINVAL);
	pd = kzalloc(sizeof(*pd), GFP_KERNEL_ACCOUNT);
	if (!pd)
		return ERR_PTR(-ENOMEM);
	rc = hwqnic_pd_alloc(&kdev->dev, &pd->core);
	if (rc) {
		kfree(pd);
		return ERR_PTR(rc);
	}
	pd->kdev = kdev;
	return pd;
}
EXPORT_SYMBOL_GPL(hwqnic_kalloc_pd);

/**
 * hwqnic_kdealloc_pd() - Free a protection domain no object uses.
 * @pd: from hwqnic_kalloc_pd()
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: 0, -EINVAL without @pd, or -EBUSY while MRs or QPs use it (it is
 * then kept).
 */
int hwqnic_kdealloc_pd(struct hwqnic_kpd *pd)
{
	int rc;

	if (!pd)
		return -EINVAL;
	rc = hwqnic_pd_free(&pd->kdev->dev, &pd->core);
	if (!rc)
		kfree(pd);
	return rc;
}
EXPORT_SYMBOL_GPL(hwqnic_kdealloc_pd);

/* The bus address of the page under a kernel virtual address. */
static dma_addr_t kva_dma(struct hwqnic_kdev *kdev, const void *va)
{
	struct page *pg = is_vmalloc_addr(va) ? vmalloc_to_page(va) :
						virt_to_page(va);

	return phys_to_dma(kdev->dev.od.dev, page_to_phys(pg));
}

/**
 * hwqnic_kreg_mr() - Register kernel memory for the NIC to reach.
 * @pd: from hwqnic_kalloc_pd()
 * @addr: start of the range, in kmalloc() or vmalloc() memory
 * @length: its length in bytes, not 0
 * @access: enum hwqnic_access_flags; remote write and atomic rights need
 *          local write
 *
 * The MR's iova is the kernel virtual address: work requests name buffers
 * as consumers know them. Its PBL lists the 4 KiB pages under the range,
 * so vmalloc() memory, scattered in physical memory, works too. The
 * memory must stay allocated until hwqnic_kdereg_mr().
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: the MR, or ERR_PTR(-EINVAL) (a NULL argument, an empty or
 * wrapping range, memory of another kind, too many pages, bad @access),
 * ERR_PTR(-ENOMEM), or ERR_PTR(-ENOSPC) when the device has no MR left.
 */
struct hwqnic_kmr *hwqnic_kreg_mr(struct hwqnic_kpd *pd, void *addr,
				  size_t length, unsigned int access)
{
	uintptr_t first = (uintptr_t)addr & ~(uintptr_t)4095;
	struct hwqnic_kdev *kdev;
	struct hwqnic_kmr *mr;
	dma_addr_t *pages;
	u64 npages, i;
	int rc;

	if (!pd || !addr || !length || !hwqnic_mr_access_ok(access) ||
	    (uintptr_t)addr + length < (uintptr_t)addr ||
	    (!is_vmalloc_addr(addr) && !virt_addr_valid(addr)))
		return ERR_PTR(-EINVAL);
	npages = ((uintptr_t)addr + length - first + 4095) >> 12;
	if (npages > HWQNIC_PBL_MAX_PAGES)
		return ERR_PTR(-EINVAL);
	kdev = pd->kdev;
	mr = kzalloc(sizeof(*mr), GFP_KERNEL);
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!mr || !pages) {
		rc = -ENOMEM;
		goto err;
	}
	for (i = 0; i < npages; i++)
		pages[i] = kva_dma(kdev, (void *)(first + (i << 12)));
	rc = hwqnic_mr_reg(&kdev->dev, &mr->core, &pd->core, (uintptr_t)addr,
			   length, access, pages, npages, 12);
	if (rc)
		goto err;
	kvfree(pages);
	mr->kdev = kdev;
	return mr;
err:
	kvfree(pages);
	kfree(mr);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_GPL(hwqnic_kreg_mr);

/**
 * hwqnic_kmr_key() - The key of a memory region.
 * @mr: from hwqnic_kreg_mr()
 *
 * Context: Process context, as for every verb.
 * Return: the MR's key, which is both its lkey and its rkey.
 */
u32 hwqnic_kmr_key(const struct hwqnic_kmr *mr)
{
	return mr->core.key;
}
EXPORT_SYMBOL_GPL(hwqnic_kmr_key);

/**
 * hwqnic_kdereg_mr() - Deregister a memory region.
 * @mr: from hwqnic_kreg_mr(); its key names nothing afterwards
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: 0, or -EINVAL without @mr.
 */
int hwqnic_kdereg_mr(struct hwqnic_kmr *mr)
{
	if (!mr)
		return -EINVAL;
	hwqnic_mr_dereg(&mr->kdev->dev, &mr->core);
	kfree(mr);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kdereg_mr);

/**
 * hwqnic_kcreate_cq_ex() - Create a completion queue, with flags.
 * @kdev: the device, from hwqnic_kdev_get()
 * @cqe: the least number of entries, 1 to the device's max_cqe
 * @flags: HWQNIC_CQ_F_*; HWQNIC_CQ_F_TIMESTAMP: hwqnic_kpoll_cq_ts()
 *         gives each completion's times
 * @handler: called when the CQ, armed by hwqnic_kreq_notify_cq(), gets a
 *           completion, or NULL. It runs in the engine kthread with the
 *           device lock held: it must not sleep nor call these verbs.
 * @cq_context: @handler's second argument
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: the CQ, or ERR_PTR(-EINVAL) (no @kdev, @cqe out of range, an
 * unknown flag), ERR_PTR(-ENOMEM), or ERR_PTR(-ENOSPC) when the device
 * has no CQ left.
 */
struct hwqnic_kcq *hwqnic_kcreate_cq_ex(struct hwqnic_kdev *kdev, int cqe,
					u32 flags,
					hwqnic_kcq_handler_t handler,
					void *cq_context)
{
	struct hwqnic_kcq *cq;
	int rc;

	if (!kdev || cqe < 1 || (u32)cqe > HWQNIC_MAX_CQE)
		return ERR_PTR(-EINVAL);
	cq = kzalloc(sizeof(*cq), GFP_KERNEL_ACCOUNT);
	if (!cq)
		return ERR_PTR(-ENOMEM);
	cq->kdev = kdev;
	cq->handler = handler;
	cq->cq_context = cq_context;
	rc = hwqnic_cq_create_ex(&kdev->dev, &cq->core, cqe, flags);
	if (rc) {
		kfree(cq);
		return ERR_PTR(rc);
	}
	return cq;
}
EXPORT_SYMBOL_GPL(hwqnic_kcreate_cq_ex);

/**
 * hwqnic_kcreate_cq() - Create a completion queue.
 * @kdev: the device, from hwqnic_kdev_get()
 * @cqe: the least number of entries, 1 to the device's max_cqe
 * @handler: as hwqnic_kcreate_cq_ex()'s
 * @cq_context: @handler's second argument
 *
 * A CQ without timestamps: the hwqnic_complete event still carries the
 * times of the completions of QPs created while it is enabled, which the
 * engine writes back into their WQEs' slots.
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: as hwqnic_kcreate_cq_ex().
 */
struct hwqnic_kcq *hwqnic_kcreate_cq(struct hwqnic_kdev *kdev, int cqe,
				     hwqnic_kcq_handler_t handler,
				     void *cq_context)
{
	return hwqnic_kcreate_cq_ex(kdev, cqe, 0, handler, cq_context);
}
EXPORT_SYMBOL_GPL(hwqnic_kcreate_cq);

/**
 * hwqnic_kdestroy_cq() - Destroy a completion queue no QP uses.
 * @cq: from hwqnic_kcreate_cq()
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: 0, -EINVAL without @cq, or -EBUSY while QPs use it (it is then
 * kept).
 */
int hwqnic_kdestroy_cq(struct hwqnic_kcq *cq)
{
	int rc;

	if (!cq)
		return -EINVAL;
	rc = hwqnic_cq_destroy(&cq->kdev->dev, &cq->core);
	if (!rc)
		kfree(cq);
	return rc;
}
EXPORT_SYMBOL_GPL(hwqnic_kdestroy_cq);

/**
 * hwqnic_kpoll_cq() - Take completions from a completion queue.
 * @cq: from hwqnic_kcreate_cq()
 * @num_entries: at most this many
 * @wc: room for @num_entries completions
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: the number of completions written to @wc, from 0 to
 * @num_entries, or -EINVAL (no @cq, @num_entries negative, no @wc).
 */
int hwqnic_kpoll_cq(struct hwqnic_kcq *cq, int num_entries,
		    struct hwqnic_wc *wc)
{
	if (!cq || num_entries < 0 || (num_entries && !wc))
		return -EINVAL;
	return hwqnic_cq_poll(&cq->kdev->dev, &cq->core, num_entries, wc);
}
EXPORT_SYMBOL_GPL(hwqnic_kpoll_cq);

/**
 * hwqnic_kpoll_cq_ts() - hwqnic_kpoll_cq(), with the completions' times.
 * @cq: from hwqnic_kcreate_cq()
 * @num_entries: at most this many
 * @wc: room for @num_entries completions
 * @ts: room for as many times: post, doorbell and CQE, CLOCK_MONOTONIC
 *      ns (ktime_get_ns()); zero on a CQ created without timestamps
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: as hwqnic_kpoll_cq(); -EINVAL without @ts too.
 */
int hwqnic_kpoll_cq_ts(struct hwqnic_kcq *cq, int num_entries,
		       struct hwqnic_wc *wc, struct hwqnic_wc_ts *ts)
{
	if (!cq || num_entries < 0 || (num_entries && (!wc || !ts)))
		return -EINVAL;
	return hwqnic_cq_poll_ts(&cq->kdev->dev, &cq->core, num_entries, wc,
				 ts);
}
EXPORT_SYMBOL_GPL(hwqnic_kpoll_cq_ts);

/**
 * hwqnic_kreq_notify_cq() - Arm a completion queue for its handler.
 * @cq: from hwqnic_kcreate_cq()
 * @solicited_only: only the completion of a message sent solicited fires it
 *
 * The handler runs once, for the next completion the arming asks for;
 * to be called again it must be armed again.
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: 0, or -EINVAL without @cq.
 */
int hwqnic_kreq_notify_cq(struct hwqnic_kcq *cq, bool solicited_only)
{
	if (!cq)
		return -EINVAL;
	hwqnic_cq_arm(&cq->kdev->dev, &cq->core, solicited_only);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kreq_notify_cq);

/**
 * hwqnic_kcreate_qp() - Create a queue pair, in RESET.
 * @pd: from hwqnic_kalloc_pd()
 * @send_cq: where its send completions go, a CQ of @pd's device
 * @recv_cq: where its receive completions go, likewise
 * @attr: its type (RC or UD) and capabilities; attr->cap is updated with
 *        what was granted, attr->send_cq and attr->recv_cq are ignored
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: the QP, or ERR_PTR(-EINVAL) (a NULL argument, CQs of another
 * device, a bad type or capability), ERR_PTR(-ENOMEM), or ERR_PTR(-ENOSPC)
 * when the device has no QP left.
 */
struct hwqnic_kqp *hwqnic_kcreate_qp(struct hwqnic_kpd *pd,
				     struct hwqnic_kcq *send_cq,
				     struct hwqnic_kcq *recv_cq,
				     struct hwqnic_qp_init_attr *attr)
{
	struct hwqnic_stats_qp *e;
	struct hwqnic_kdev *kdev;
	struct hwqnic_kqp *qp;
	int rc;

	if (!pd || !send_cq || !recv_cq || !attr ||
	    send_cq->kdev != pd->kdev || recv_cq->kdev != pd->kdev)
		return ERR_PTR(-EINVAL);
	kdev = pd->kdev;
	qp = kzalloc(sizeof(*qp), GFP_KERNEL_ACCOUNT);
	if (!qp)
		return ERR_PTR(-ENOMEM);
	rc = hwqnic_qp_create(&kdev->dev, &qp->core, &pd->core,
			      &send_cq->core, &recv_cq->core, attr);
	if (rc) {
		kfree(qp);
		return ERR_PTR(rc);
	}
	qp->kdev = kdev;
	e = &kdev->stats->qp[qp->core.qpn - HWQNIC_QPN_BASE];
	e->qp_type = attr->qp_type;
	e->state = HWQNIC_QPS_RESET;
	e->send_cq = send_cq->core.handle;
	e->recv_cq = recv_cq->core.handle;
	smp_store_release(&e->qpn, qp->core.qpn);
	return qp;
}
EXPORT_SYMBOL_GPL(hwqnic_kcreate_qp);

/**
 * hwqnic_kqp_num() - The number of a queue pair.
 * @qp: from hwqnic_kcreate_qp()
 *
 * Context: Process context, as for every verb.
 * Return: the QP's number, which its peer names as its destination.
 */
u32 hwqnic_kqp_num(const struct hwqnic_kqp *qp)
{
	return qp->core.qpn;
}
EXPORT_SYMBOL_GPL(hwqnic_kqp_num);

/**
 * hwqnic_kmodify_qp() - Move a queue pair along the IB state machine.
 * @qp: from hwqnic_kcreate_qp()
 * @attr: the new state and attributes
 * @attr_mask: enum hwqnic_qp_attr_mask: which of @attr to apply
 *
 * A move to RESET takes the QP's completions out of its CQs.
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: 0, or -EINVAL (a NULL argument, a transition or an attribute
 * the state machine refuses); the QP is then unchanged.
 */
int hwqnic_kmodify_qp(struct hwqnic_kqp *qp, const struct hwqnic_qp_attr *attr,
		      int attr_mask)
{
	int rc;

	if (!qp || !attr)
		return -EINVAL;
	rc = hwqnic_qp_modify(&qp->kdev->dev, &qp->core, attr, attr_mask);
	if (!rc)
		WRITE_ONCE(qp->kdev->stats->qp[qp->core.qpn -
					       HWQNIC_QPN_BASE].state,
			   READ_ONCE(qp->core.host_state));
	return rc;
}
EXPORT_SYMBOL_GPL(hwqnic_kmodify_qp);

/**
 * hwqnic_kquery_qp() - The state and attributes of a queue pair.
 * @qp: from hwqnic_kcreate_qp()
 * @attr: filled in, granted capabilities included
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: 0, or -EINVAL without @qp or @attr.
 */
int hwqnic_kquery_qp(struct hwqnic_kqp *qp, struct hwqnic_qp_attr *attr)
{
	if (!qp || !attr)
		return -EINVAL;
	hwqnic_qp_query(&qp->kdev->dev, &qp->core, attr);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kquery_qp);

/**
 * hwqnic_kquery_qp_counters() - The counters of a queue pair.
 * @qp: from hwqnic_kcreate_qp()
 * @counters: filled in, each counter read whole as the engine goes on
 *
 * Context: Process context, as for every verb.
 * Return: 0, or -EINVAL without @qp or @counters.
 */
int hwqnic_kquery_qp_counters(struct hwqnic_kqp *qp,
			      struct hwqnic_qp_counters *counters)
{
	if (!qp || !counters)
		return -EINVAL;
	hwqnic_qp_counters_read(&qp->core, counters);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kquery_qp_counters);

/**
 * hwqnic_kdestroy_qp() - Destroy a queue pair.
 * @qp: from hwqnic_kcreate_qp(); its completions leave its CQs
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: 0, or -EINVAL without @qp.
 */
int hwqnic_kdestroy_qp(struct hwqnic_kqp *qp)
{
	struct hwqnic_stats_qp *e;

	if (!qp)
		return -EINVAL;
	e = &qp->kdev->stats->qp[qp->core.qpn - HWQNIC_QPN_BASE];
	hwqnic_qp_destroy(&qp->kdev->dev, &qp->core);
	WRITE_ONCE(e->qpn, 0);
	kfree(qp);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kdestroy_qp);

/**
 * hwqnic_kpost_send() - Post work requests to the send queue of a QP.
 * @qp: from hwqnic_kcreate_qp(), in RTS or ERR
 * @wr: the first of a list of work requests, linked by wr->next
 * @bad_wr: set to the first work request not posted, on failure
 *
 * The work requests before *@bad_wr are posted and the NIC told of them.
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: 0, or -EINVAL (a NULL argument, a QP in another state, a work
 * request the QP cannot carry) or -ENOMEM (the send queue is full).
 */
int hwqnic_kpost_send(struct hwqnic_kqp *qp, const struct hwqnic_send_wr *wr,
		      const struct hwqnic_send_wr **bad_wr)
{
	if (!qp || !wr || !bad_wr) {
		if (bad_wr)
			*bad_wr = wr;
		return -EINVAL;
	}
	return hwqnic_qp_post_send(&qp->kdev->dev, &qp->core, wr, bad_wr);
}
EXPORT_SYMBOL_GPL(hwqnic_kpost_send);

/**
 * hwqnic_kpost_recv() - Post receive work requests to a QP.
 * @qp: from hwqnic_kcreate_qp(), in any state but RESET
 * @wr: the first of a list of receive work requests, linked by wr->next
 * @bad_wr: set to the first work request not posted, on failure
 *
 * The work requests before *@bad_wr are posted.
 *
 * Context: Process context: it may sleep (the core's locks are mutexes).
 * Return: 0, or -EINVAL (a NULL argument, a QP in RESET, a malformed work
 * request) or -ENOMEM (the receive queue is full).
 */
int hwqnic_kpost_recv(struct hwqnic_kqp *qp, const struct hwqnic_recv_wr *wr,
		      const struct hwqnic_recv_wr **bad_wr)
{
	if (!qp || !wr || !bad_wr) {
		if (bad_wr)
			*bad_wr = wr;
		return -EINVAL;
	}
	return hwqnic_qp_post_recv(&qp->kdev->dev, &qp->core, wr, bad_wr);
}
EXPORT_SYMBOL_GPL(hwqnic_kpost_recv);
