// SPDX-License-Identifier: GPL-2.0
/*
 * hwqnic.ko's devices and their lives: a core device, its counters and
 * its engine kthread. hwqnic0 is the in-kernel consumers' (kverbs.c), made
 * at module load; each context of /dev/hwqnic0 (ucontext.c) is one more.
 */
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "device.h"

static struct hwqnic_kdev *hwqnic_kdev0;

static struct hwqnic_kdev *to_kdev(struct hwqnic_dev *dev)
{
	return container_of(dev, struct hwqnic_kdev, dev);
}

struct hwqnic_qp_counters *hwqnic_kdev_qp_counters(struct hwqnic_dev *dev,
						   u32 qpn)
{
	struct hwqnic_stats_qp *e = &to_kdev(dev)->stats->qp[qpn -
							     HWQNIC_QPN_BASE];

	memset(&e->c, 0, sizeof(e->c));
	return &e->c;
}

/* In the engine kthread, under the device lock. */
void hwqnic_kdev_cq_event(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq)
{
	struct hwqnic_kcq *kcq = container_of(cq, struct hwqnic_kcq, core);

	if (kcq->handler)
		kcq->handler(kcq, kcq->cq_context);
}

void hwqnic_kdev_qp_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	WRITE_ONCE(to_kdev(dev)->stats->qp[qp->qpn - HWQNIC_QPN_BASE].state,
		   HWQNIC_QPS_ERR);
}

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

/* Stops the engine; nothing the host rings is looked at afterwards. */
void hwqnic_kdev_stop(struct hwqnic_kdev *kdev)
{
	if (!kdev->engine)
		return;
	WRITE_ONCE(kdev->stop, true);
	smp_mb();
	hwqnic_engine_kick(&kdev->dev);
	kthread_stop(kdev->engine);
	put_task_struct(kdev->engine);
	kdev->engine = NULL;
}

/* Every object of the device has been destroyed. */
void hwqnic_kdev_fini(struct hwqnic_kdev *kdev)
{
	hwqnic_kdev_stop(kdev);
	if (kdev->dev.dbp)
		hwqnic_dev_fini(&kdev->dev);
	if (kdev->stats_owned)
		vfree(kdev->stats);
	kdev->stats = NULL;
}

/*
 * A zeroed kdev becomes device `id` with its engine running. Its counters
 * go to `stats` (HWQNIC_KDEV_STATS_SIZE bytes, the caller's, its header
 * already written) or, when NULL, to memory of its own.
 */
int hwqnic_kdev_init(struct hwqnic_kdev *kdev, struct device *dma_dev,
		     u32 id, const struct hwqnic_dev_ops *ops,
		     struct hwqnic_stats_file *stats)
{
	struct task_struct *t;
	int rc;

	kdev->stats_size = HWQNIC_KDEV_STATS_SIZE;
	kdev->stats = stats;
	if (!stats) {
		kdev->stats = vmalloc_user(kdev->stats_size);
		if (!kdev->stats)
			return -ENOMEM;
		kdev->stats_owned = true;
		kdev->stats->magic = HWQNIC_STATS_MAGIC;
		kdev->stats->version = HWQNIC_STATS_VERSION;
		kdev->stats->max_qp = HWQNIC_MAX_QP;
		kdev->stats->pid = task_tgid_nr(current);
		get_task_comm(kdev->stats->comm, current);
		snprintf(kdev->stats->dev, sizeof(kdev->stats->dev),
			 "hwqnic%u", id);
	}

	kdev->dev.od.dev = dma_dev;
	init_waitqueue_head(&kdev->dev.od.engine_wq);
	rc = hwqnic_dev_init(&kdev->dev, ops, id);
	if (rc)
		goto err;
	kdev->dev.estats = &kdev->stats->engine;

	t = kthread_create(engine_thread, kdev, "hwqnic%u-engine", id);
	if (IS_ERR(t)) {
		rc = PTR_ERR(t);
		goto err;
	}
	get_task_struct(t);
	kdev->engine = t;
	wake_up_process(t);
	return 0;
err:
	hwqnic_kdev_fini(kdev);
	return rc;
}

static void kdev0_async_event(struct hwqnic_dev *dev, u32 type, u32 handle)
{
	dev_warn_ratelimited(dev->od.dev, "async event %u on handle %u\n",
			     type, handle);
}

static const struct hwqnic_dev_ops kdev0_ops = {
	.qp_counters = hwqnic_kdev_qp_counters,
	.cq_event = hwqnic_kdev_cq_event,
	.qp_error = hwqnic_kdev_qp_error,
	.async_event = kdev0_async_event,
};

/* hwqnic0 on dma_dev, its counters the kernel's, for `nictop`. */
int hwqnic_kdev0_create(struct device *dma_dev)
{
	struct hwqnic_kdev *kdev = kzalloc(sizeof(*kdev), GFP_KERNEL);
	int rc;

	if (!kdev)
		return -ENOMEM;
	rc = hwqnic_kdev_init(kdev, dma_dev, 0, &kdev0_ops, NULL);
	if (rc) {
		kfree(kdev);
		return rc;
	}
	strscpy(kdev->stats->comm, "kernel", sizeof(kdev->stats->comm));
	kdev->stats->pid = 0;
	hwqnic_kdev0 = kdev;
	return 0;
}

/* Its consumers, which hold references on the module, are gone. */
void hwqnic_kdev0_destroy(void)
{
	hwqnic_kdev_fini(hwqnic_kdev0);
	kfree(hwqnic_kdev0);
	hwqnic_kdev0 = NULL;
}

/**
 * hwqnic_kdev_get() - A device of hwqnic.ko, for an in-kernel consumer.
 * @index: its number; 0 is hwqnic0, the only one
 *
 * The device lives as long as hwqnic.ko, which a module that calls its
 * exported verbs keeps loaded.
 *
 * Context: Process context, as for every verb.
 * Return: the device, or NULL when there is none of that number.
 */
struct hwqnic_kdev *hwqnic_kdev_get(unsigned int index)
{
	return index == 0 ? hwqnic_kdev0 : NULL;
}
EXPORT_SYMBOL_GPL(hwqnic_kdev_get);
