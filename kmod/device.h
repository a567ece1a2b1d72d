/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwqnic.ko's devices (device.c): the core device, the platform device it
 * allocates DMA memory for, the engine kthread and the published counters,
 * and the objects the exported verbs make on them. Private to the module;
 * in-kernel consumers see hwqnic_kverbs.h only.
 */
#ifndef _HWQNIC_DEVICE_H
#define _HWQNIC_DEVICE_H

#include <linux/platform_device.h>
#include <hwqnic/stats.h>

#include "engine.h"
#include "mr.h"
#include "hwqnic_kverbs.h"

struct hwqnic_kdev {
	struct hwqnic_dev dev;		/* dev.od.dev: the DMA device */
	struct task_struct *engine;
	bool stop;
	/* one entry per QPN, in libhwqnic's stats layout */
	struct hwqnic_stats_file *stats;
	size_t stats_size;
	bool stats_owned;		/* vmalloc_user()ed here */
};

struct hwqnic_kpd {
	struct hwqnic_kdev *kdev;
	struct hwqnic_core_pd core;
};

struct hwqnic_kmr {
	struct hwqnic_kdev *kdev;
	struct hwqnic_core_mr core;
};

struct hwqnic_kcq {
	struct hwqnic_kdev *kdev;
	struct hwqnic_core_cq core;
	hwqnic_kcq_handler_t handler;
	void *cq_context;
	atomic_t mapped;		/* a process's mappings of its queue */
};

struct hwqnic_kqp {
	struct hwqnic_kdev *kdev;
	struct hwqnic_core_qp core;
	atomic_t mapped;
};

/* A device's life, its engine kthread included. */
#define HWQNIC_KDEV_STATS_SIZE \
	PAGE_ALIGN(struct_size((struct hwqnic_stats_file *)NULL, qp, \
			       HWQNIC_MAX_QP))
int hwqnic_kdev_init(struct hwqnic_kdev *kdev, struct device *dma_dev,
		     u32 id, const struct hwqnic_dev_ops *ops,
		     struct hwqnic_stats_file *stats);
void hwqnic_kdev_stop(struct hwqnic_kdev *kdev);
void hwqnic_kdev_fini(struct hwqnic_kdev *kdev);

/* The core's callbacks every device of the module shares. */
struct hwqnic_qp_counters *hwqnic_kdev_qp_counters(struct hwqnic_dev *dev,
						   u32 qpn);
void hwqnic_kdev_qp_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
void hwqnic_kdev_cq_event(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq);

/* hwqnic0, the in-kernel consumers' device (hwqnic_kdev_get()). */
int hwqnic_kdev0_create(struct device *dma_dev);
void hwqnic_kdev0_destroy(void);

#endif /* _HWQNIC_DEVICE_H */
