/* SPDX-License-Identifier: GPL-2.0 */
/* /dev/hwqnic0 (ucontext.c): a device context per open file, for processes. */
#ifndef _HWQNIC_UCONTEXT_H
#define _HWQNIC_UCONTEXT_H

#include <linux/device.h>

/* The misc device and its sysfs and debugfs views, on dma_dev. */
int hwqnic_ucontext_register(struct device *dma_dev);
void hwqnic_ucontext_unregister(void);

#endif /* _HWQNIC_UCONTEXT_H */
