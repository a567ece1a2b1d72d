/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel half of the osdep layer: the kernel already speaks the core's language. */
#ifndef _HWQNIC_OSDEP_KERNEL_H
#define _HWQNIC_OSDEP_KERNEL_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/dma-mapping.h>
#include <linux/dma-direct.h>

struct hwqnic_osdev {
	struct device *dev;	/* the device DMA memory is allocated for */
};

static inline void *hwqnic_os_zalloc(struct hwqnic_osdev *od, size_t size)
{
	return kvzalloc(size, GFP_KERNEL);
}

static inline void hwqnic_os_free(struct hwqnic_osdev *od, void *p)
{
	kvfree(p);
}

/* dma_alloc_coherent() memory is aligned to its allocation order. */
static inline void *hwqnic_os_dma_alloc(struct hwqnic_osdev *od, size_t size,
					size_t align, dma_addr_t *dma)
{
	if (align > PAGE_SIZE << get_order(size))
		return NULL;
	return dma_alloc_coherent(od->dev, size, dma, GFP_KERNEL);
}

static inline void hwqnic_os_dma_free(struct hwqnic_osdev *od, size_t size,
				      void *va, dma_addr_t dma)
{
	dma_free_coherent(od->dev, size, va, dma);
}

/*
 * The emulated NIC has no IOMMU: a DMA address is a physical address in the
 * direct map. Anything else (a garbage PTE, say) is refused.
 */
static inline void *hwqnic_os_dma_va(struct hwqnic_osdev *od, dma_addr_t dma,
				     size_t len)
{
	phys_addr_t pa = dma_to_phys(od->dev, dma);

	if (!len || pa + len < pa ||
	    !pfn_valid(PHYS_PFN(pa)) || !pfn_valid(PHYS_PFN(pa + len - 1)))
		return NULL;
	return phys_to_virt(pa);
}

#endif /* _HWQNIC_OSDEP_KERNEL_H */
