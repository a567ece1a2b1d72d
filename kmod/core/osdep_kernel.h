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
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/ktime.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/string.h>
#include <linux/sched.h>
#include <linux/prefetch.h>
#include <linux/crc32.h>

#include "hwqnic_trace.h"

struct hwqnic_osdev {
	struct device *dev;	/* the device DMA memory is allocated for */
	wait_queue_head_t engine_wq;
};

/*
 * The device lock may be held across long copies by the engine kthread,
 * and is only taken in process context: a mutex.
 */
typedef struct mutex hwqnic_lock_t;
#define hwqnic_lock_init(l)	mutex_init(l)
#define hwqnic_lock_destroy(l)	mutex_destroy(l)
#define hwqnic_lock(l)		mutex_lock(l)
#define hwqnic_unlock(l)	mutex_unlock(l)

static inline u64 hwqnic_os_now_ns(void)
{
	return ktime_get_ns();
}

static inline u64 hwqnic_os_cas64(u64 *p, u64 cmp, u64 swp)
{
	return cmpxchg64(p, cmp, swp);
}

static inline u64 hwqnic_os_faa64(u64 *p, u64 add)
{
	u64 old = READ_ONCE(*p), seen;

	while ((seen = cmpxchg64(p, old, old + add)) != old)
		old = seen;
	return old;
}

static inline void hwqnic_os_engine_wait(struct hwqnic_osdev *od, u32 *word,
					 u32 val, u64 timeout_ns)
{
	wait_event_interruptible_timeout(od->engine_wq,
					 READ_ONCE(*word) != val,
					 nsecs_to_jiffies(timeout_ns));
}

static inline void hwqnic_os_engine_wake(struct hwqnic_osdev *od, u32 *word)
{
	WRITE_ONCE(*word, READ_ONCE(*word) + 1);
	wake_up(&od->engine_wq);
}

/* The engine kthread spins with work in hand: it must not hog its CPU. */
static inline void hwqnic_os_engine_yield(struct hwqnic_osdev *od)
{
	cond_resched();
}

/* CRC-32 (IEEE, reflected), no inversion in or out: the ICRC's (icrc.c). */
static inline u32 hwqnic_os_crc32_le(u32 crc, const void *p, size_t len)
{
	return crc32_le(crc, p, len);
}

#define hwqnic_os_cold	noinline __cold

/* No delay injection in hwqnic.ko (engine.c): the check compiles away. */
#define hwqnic_os_wqe_delay_ns(dev)	0ULL

#define hwqnic_trace_enabled(name)	trace_hwqnic_##name##_enabled()
#define hwqnic_trace_post(...)	trace_hwqnic_post(__VA_ARGS__)
#define hwqnic_trace_db(...)	trace_hwqnic_db(__VA_ARGS__)
#define hwqnic_trace_wqe(...)	trace_hwqnic_wqe(__VA_ARGS__)
#define hwqnic_trace_cqe(...)	trace_hwqnic_cqe(__VA_ARGS__)
#define hwqnic_trace_poll(...)	trace_hwqnic_poll(__VA_ARGS__)
#define hwqnic_trace_complete(...)	trace_hwqnic_complete(__VA_ARGS__)

/*
 * The core allocates for whoever makes the object: a process's context,
 * through its ioctls, or a kernel consumer. That memory is charged to the
 * caller's memory cgroup, and an allocation the cgroup or the machine
 * cannot afford fails with ENOMEM rather than calling the OOM killer.
 */
#define HWQNIC_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

static inline void *hwqnic_os_zalloc(struct hwqnic_osdev *od, size_t size)
{
	return kvzalloc(size, HWQNIC_GFP);
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
	return dma_alloc_coherent(od->dev, size, dma, HWQNIC_GFP);
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
