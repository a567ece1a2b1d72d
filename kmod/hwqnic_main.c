// SPDX-License-Identifier: GPL-2.0
/*
 * hwqnic.ko: the software RDMA NIC. The core in core/ (PBL, HWQ, device,
 * MR, CQ, QP, engine) is built here unchanged. This file loads and
 * unloads the module: the platform device that DMA memory is allocated
 * for, device hwqnic0 on it for in-kernel consumers (device.c, kverbs.c),
 * /dev/hwqnic0 for processes (ucontext.c), and the tracepoints' instances.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include "device.h"
#include "ucontext.h"

#define CREATE_TRACE_POINTS
#include "hwqnic_trace.h"

static struct platform_device *hwqnic_pdev;

static int __init hwqnic_init(void)
{
	int rc;

	hwqnic_pdev = platform_device_register_simple("hwqnic", 0, NULL, 0);
	if (IS_ERR(hwqnic_pdev))
		return PTR_ERR(hwqnic_pdev);
	/* the emulated NIC reaches all of memory, without an IOMMU */
	rc = dma_coerce_mask_and_coherent(&hwqnic_pdev->dev, DMA_BIT_MASK(64));
	if (rc)
		goto unregister;
	rc = hwqnic_kdev0_create(&hwqnic_pdev->dev);
	if (rc)
		goto unregister;
	rc = hwqnic_ucontext_register(&hwqnic_pdev->dev);
	if (rc)
		goto destroy;
	return 0;
destroy:
	hwqnic_kdev0_destroy();
unregister:
	platform_device_unregister(hwqnic_pdev);
	return rc;
}

static void __exit hwqnic_exit(void)
{
	hwqnic_ucontext_unregister();
	hwqnic_kdev0_destroy();
	platform_device_unregister(hwqnic_pdev);
}

module_init(hwqnic_init);
module_exit(hwqnic_exit);

MODULE_DESCRIPTION("hwqnic: software RDMA NIC with a bnxt_re-style PBL/HWQ core");
MODULE_LICENSE("GPL");
