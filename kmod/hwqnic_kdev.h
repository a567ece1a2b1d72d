/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwqnic.ko's device: the core device, the platform device it allocates
 * DMA memory for, the engine kthread and the published counters. Private
 * to the module; in-kernel consumers see hwqnic_kverbs.h only.
 */
#ifndef _HWQNIC_KDEV_H
#define _HWQNIC_KDEV_H

#include <linux/platform_device.h>
#include <hwqnic/stats.h>

#include "engine.h"
#include "mr.h"
#include "hwqnic_kverbs.h"

struct hwqnic_kdev {
	struct hwqnic_dev dev;
	struct platform_device *pdev;
	struct task_struct *engine;
	bool stop;
	/* one entry per QPN, in libhwqnic's stats layout */
	struct hwqnic_stats_file *stats;
	size_t stats_size;
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
};

struct hwqnic_kqp {
	struct hwqnic_kdev *kdev;
	struct hwqnic_core_qp core;
};

extern const struct hwqnic_dev_ops hwqnic_kdev_ops;

#endif /* _HWQNIC_KDEV_H */
