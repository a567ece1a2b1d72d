// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs for in-kernel consumers (hwqnic_kverbs.h): argument checks,
 * then the core, as libhwqnic does for processes.
 */
#include <linux/err.h>
#include <linux/vmalloc.h>
#include <linux/dma-direct.h>

#include "device.h"

int hwqnic_kquery_device(struct hwqnic_kdev *kdev,
			 struct hwqnic_device_attr *attr)
{
	if (!kdev || !attr)
		return -EINVAL;
	hwqnic_dev_query(attr);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kquery_device);

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

/*
 * The MR's iova is the kernel virtual address: work requests name buffers
 * as consumers know them. Its PBL lists the 4 KiB pages under the range,
 * so vmalloc() memory, scattered in physical memory, works too.
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

u32 hwqnic_kmr_key(const struct hwqnic_kmr *mr)
{
	return mr->core.key;
}
EXPORT_SYMBOL_GPL(hwqnic_kmr_key);

int hwqnic_kdereg_mr(struct hwqnic_kmr *mr)
{
	if (!mr)
		return -EINVAL;
	hwqnic_mr_dereg(&mr->kdev->dev, &mr->core);
	kfree(mr);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kdereg_mr);

struct hwqnic_kcq *hwqnic_kcreate_cq(struct hwqnic_kdev *kdev, int cqe,
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
	rc = hwqnic_cq_create(&kdev->dev, &cq->core, cqe);
	if (rc) {
		kfree(cq);
		return ERR_PTR(rc);
	}
	return cq;
}
EXPORT_SYMBOL_GPL(hwqnic_kcreate_cq);

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

int hwqnic_kpoll_cq(struct hwqnic_kcq *cq, int num_entries,
		    struct hwqnic_wc *wc)
{
	if (!cq || num_entries < 0 || (num_entries && !wc))
		return -EINVAL;
	return hwqnic_cq_poll(&cq->kdev->dev, &cq->core, num_entries, wc);
}
EXPORT_SYMBOL_GPL(hwqnic_kpoll_cq);

int hwqnic_kreq_notify_cq(struct hwqnic_kcq *cq, bool solicited_only)
{
	if (!cq)
		return -EINVAL;
	hwqnic_cq_arm(&cq->kdev->dev, &cq->core, solicited_only);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kreq_notify_cq);

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

u32 hwqnic_kqp_num(const struct hwqnic_kqp *qp)
{
	return qp->core.qpn;
}
EXPORT_SYMBOL_GPL(hwqnic_kqp_num);

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

int hwqnic_kquery_qp(struct hwqnic_kqp *qp, struct hwqnic_qp_attr *attr)
{
	if (!qp || !attr)
		return -EINVAL;
	hwqnic_qp_query(&qp->kdev->dev, &qp->core, attr);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kquery_qp);

int hwqnic_kquery_qp_counters(struct hwqnic_kqp *qp,
			      struct hwqnic_qp_counters *counters)
{
	if (!qp || !counters)
		return -EINVAL;
	hwqnic_qp_counters_read(&qp->core, counters);
	return 0;
}
EXPORT_SYMBOL_GPL(hwqnic_kquery_qp_counters);

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
