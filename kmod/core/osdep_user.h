/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Userspace half of the osdep layer: the kernel names the core uses, mapped
 * onto libc, and the device services of libhwqnic's embedded backend.
 */
#ifndef _HWQNIC_OSDEP_USER_H
#define _HWQNIC_OSDEP_USER_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint64_t dma_addr_t;

#define cpu_to_le16(x)	htole16(x)
#define cpu_to_le32(x)	htole32(x)
#define cpu_to_le64(x)	htole64(x)
#define le16_to_cpu(x)	le16toh(x)
#define le32_to_cpu(x)	le32toh(x)
#define le64_to_cpu(x)	le64toh(x)

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
/* The core exports itself from hwqnic.ko; libhwqnic has no symbol table to fill. */
#define EXPORT_SYMBOL_GPL(sym) _Static_assert(1, #sym)

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

static inline unsigned int ilog2(unsigned long n)
{
	return 8 * sizeof(n) - 1 - __builtin_clzl(n);
}

/*
 * Userspace DMA addresses are tagged virtual addresses: an IOVA with bit 62
 * set is never a canonical pointer, so code that confuses the two faults at
 * once instead of working by accident.
 */
#define HWQNIC_USER_IOVA_TAG	(1ULL << 62)

struct hwqnic_osdev {
	long live_allocs;	/* outstanding allocations of both kinds */
	long nallocs;		/* allocations attempted so far */
	long fail_at;		/* fault injection: fail attempt number fail_at (1-based); 0: off */
};

void *hwqnic_os_zalloc(struct hwqnic_osdev *od, size_t size);
void hwqnic_os_free(struct hwqnic_osdev *od, void *p);
void *hwqnic_os_dma_alloc(struct hwqnic_osdev *od, size_t size, size_t align,
			  dma_addr_t *dma);
void hwqnic_os_dma_free(struct hwqnic_osdev *od, size_t size, void *va,
			dma_addr_t dma);

static inline dma_addr_t hwqnic_os_va_to_dma(const void *va)
{
	return (dma_addr_t)(uintptr_t)va | HWQNIC_USER_IOVA_TAG;
}

static inline void *hwqnic_os_dma_va(struct hwqnic_osdev *od, dma_addr_t dma,
				     size_t len)
{
	u64 a = dma & ~HWQNIC_USER_IOVA_TAG;

	(void)od;
	if (!(dma & HWQNIC_USER_IOVA_TAG) || !a || !len || a + len < a ||
	    a + len > UINTPTR_MAX)
		return NULL;
	return (void *)(uintptr_t)a;
}

/* Fault injection for tests: make allocation attempt `n` from now fail. */
static inline void hwqnic_os_fail_nth(struct hwqnic_osdev *od, long n)
{
	__atomic_store_n(&od->nallocs, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&od->fail_at, n, __ATOMIC_RELAXED);
}

static inline long hwqnic_os_live_allocs(struct hwqnic_osdev *od)
{
	return __atomic_load_n(&od->live_allocs, __ATOMIC_RELAXED);
}

#endif /* _HWQNIC_OSDEP_USER_H */
