// SPDX-License-Identifier: GPL-2.0
/*
 * hwqnic.ko: the software RDMA NIC. The core in core/ (PBL, HWQ, device,
 * MR, CQ, QP, engine) is built here unchanged. This file creates the
 * device hwqnic0: a platform device to allocate DMA memory for, the core
 * device and its engine kthread; it also instantiates the tracepoints.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/vmalloc.h>

#include "hwqnic_kdev.h"

#define CREATE_TRACE_POINTS
#include "hwqnic_trace.h"

static struct hwqnic_kdev *hwqnic_kdev0;

static struct hwqnic_kdev *to_kdev(struct hwqnic_dev *dev)
{
	return container_of(dev, struct hwqnic_kdev, dev);
}

static struct hwqnic_qp_counters *kops_qp_counters(struct hwqnic_dev *dev,
						   u32 qpn)
{
	struct hwqnic_stats_qp *e = &to_kdev(dev)->stats->qp[qpn -
							     HWQNIC_QPN_BASE];

	memset(&e->c, 0, sizeof(e->c));
	return &e->c;
}

/* In the engine kthread, under the device lock. */
static void kops_cq_event(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq)
{
	struct hwqnic_kcq *kcq = container_of(cq, struct hwqnic_kcq, core);

	if (kcq->handler)
		kcq->handler(kcq, kcq->cq_context);
}

static void kops_qp_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	WRITE_ONCE(to_kdev(dev)->stats->qp[qp->qpn - HWQNIC_QPN_BASE].state,
		   HWQNIC_QPS_ERR);
}

static void kops_async_event(struct hwqnic_dev *dev, u32 type, u32 handle)
{
	dev_warn_ratelimited(&to_kdev(dev)->pdev->dev,
			     "async event %u on handle %u\n", type, handle);
}

const struct hwqnic_dev_ops hwqnic_kdev_ops = {
	.qp_counters = kops_qp_counters,
	.cq_event = kops_cq_event,
	.qp_error = kops_qp_error,
	.async_event = kops_async_event,
};

/*
 * The engine returns once kdev->stop is set; the thread then waits for
 * kthread_stop(), which must find it alive.
 */
static int engine_thread(void *arg)
{
	struct hwqnic_kdev *kdev = arg;

	hwqnic_engine_run(&kdev->dev, &kdev->stop);
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static void kdev_destroy(struct hwqnic_kdev *kdev)
{
	if (kdev->engine) {
		WRITE_ONCE(kdev->stop, true);
		smp_mb();
		hwqnic_engine_kick(&kdev->dev);
		kthread_stop(kdev->engine);
		put_task_struct(kdev->engine);
	}
	if (kdev->dev.dbp)
		hwqnic_dev_fini(&kdev->dev);
	vfree(kdev->stats);
	platform_device_unregister(kdev->pdev);
	kfree(kdev);
}

static struct hwqnic_kdev *kdev_create(unsigned int index)
{
	struct task_struct *t;
	struct hwqnic_kdev *kdev;
	int rc;

	kdev = kzalloc(sizeof(*kdev), GFP_KERNEL);
	if (!kdev)
		return ERR_PTR(-ENOMEM);
	kdev->pdev = platform_device_register_simple("hwqnic", index, NULL, 0);
	if (IS_ERR(kdev->pdev)) {
		rc = PTR_ERR(kdev->pdev);
		kfree(kdev);
		return ERR_PTR(rc);
	}
	/* the emulated NIC reaches all of memory, without an IOMMU */
	rc = dma_coerce_mask_and_coherent(&kdev->pdev->dev, DMA_BIT_MASK(64));
	if (rc)
		goto err;
	kdev->stats_size = PAGE_ALIGN(struct_size(kdev->stats, qp,
						  HWQNIC_MAX_QP));
	kdev->stats = vmalloc_user(kdev->stats_size);
	if (!kdev->stats) {
		rc = -ENOMEM;
		goto err;
	}
	kdev->stats->magic = HWQNIC_STATS_MAGIC;
	kdev->stats->version = HWQNIC_STATS_VERSION;
	kdev->stats->max_qp = HWQNIC_MAX_QP;
	strscpy(kdev->stats->comm, "kernel", sizeof(kdev->stats->comm));
	snprintf(kdev->stats->dev, sizeof(kdev->stats->dev), "hwqnic%u",
		 index);

	kdev->dev.od.dev = &kdev->pdev->dev;
	init_waitqueue_head(&kdev->dev.od.engine_wq);
	rc = hwqnic_dev_init(&kdev->dev, &hwqnic_kdev_ops, index);
	if (rc)
		goto err;
	kdev->dev.estats = &kdev->stats->engine;

	t = kthread_create(engine_thread, kdev, "hwqnic%u-engine", index);
	if (IS_ERR(t)) {
		rc = PTR_ERR(t);
		goto err;
	}
	get_task_struct(t);
	kdev->engine = t;
	wake_up_process(t);
	return kdev;
err:
	kdev_destroy(kdev);
	return ERR_PTR(rc);
}

struct hwqnic_kdev *hwqnic_kdev_get(unsigned int index)
{
	return index == 0 ? hwqnic_kdev0 : NULL;
}
EXPORT_SYMBOL_GPL(hwqnic_kdev_get);

static int __init hwqnic_init(void)
{
	struct hwqnic_kdev *kdev = kdev_create(0);

	if (IS_ERR(kdev))
		return PTR_ERR(kdev);
	hwqnic_kdev0 = kdev;
	return 0;
}

static void __exit hwqnic_exit(void)
{
	kdev_destroy(hwqnic_kdev0);
}

module_init(hwqnic_init);
module_exit(hwqnic_exit);

MODULE_DESCRIPTION("hwqnic: software RDMA NIC with a bnxt_re-style PBL/HWQ core");
MODULE_LICENSE("GPL");
