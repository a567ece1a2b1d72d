/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one place that knows whether the core is built into hwqnic.ko or into
 * libhwqnic. The core is written in kernel C; each half supplies, under the
 * kernel's names:
 *
 *   u8..u64, s32, s64, bool, dma_addr_t, __le16/32/64, __be16/32/64,
 *   cpu_to_le*(), le*_to_cpu(), cpu_to_be*(), be*_to_cpu(),
 *   READ_ONCE(), WRITE_ONCE(), DIV_ROUND_UP(), is_power_of_2(), ilog2(),
 *   hwqnic_trace_<event>(), hwqnic_trace_enabled(event),
 *   likely(), unlikely(), errno values, the barriers
 *   (smp_mb(), smp_mb__after_atomic(), smp_load_acquire(), ...), set_bit(),
 *   xchg(), cpu_relax(), min_t(), container_of(),
 *
 * and the device services, each taking the device so that two devices in one
 * process never share state:
 *
 *   struct hwqnic_osdev
 *   hwqnic_os_zalloc(od, size), hwqnic_os_free(od, p)
 *     host-private memory, zeroed;
 *   hwqnic_os_dma_alloc(od, size, align, &dma), hwqnic_os_dma_free(od, size, va, dma)
 *     memory the NIC reaches by DMA address: zeroed, `align` (a power of two
 *     no larger than size rounded up to one) aligned;
 *   hwqnic_os_dma_va(od, dma, len)
 *     the CPU view of [dma, dma + len) for the engine, or NULL when the
 *     address is not one the device may reach;
 *   hwqnic_os_engine_yield(od)
 *     called by a spinning engine now and then: a kthread must let others
 *     run; a pthread yields only when it shares one CPU with its host.
 *
 * and one computation each world has its own best way to do:
 *
 *   hwqnic_os_crc32_le(crc, p, len)
 *     CRC-32 (IEEE, reflected) as the kernel's crc32_le(), for the ICRC.
 */
#ifndef _HWQNIC_OSDEP_H
#define _HWQNIC_OSDEP_H

#ifdef __KERNEL__
#include "osdep_kernel.h"
#else
#include "osdep_user.h"
#endif

#endif /* _HWQNIC_OSDEP_H */
