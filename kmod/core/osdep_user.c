// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Userspace device services for the core: libc memory with accounting. */
#include <stdlib.h>
#include <string.h>

#include "osdep.h"

/* Counts the attempt; false when fault injection says this one fails. */
static bool os_alloc_allowed(struct hwqnic_osdev *od)
{
	long n = __atomic_add_fetch(&od->nallocs, 1, __ATOMIC_RELAXED);
	long f = __atomic_load_n(&od->fail_at, __ATOMIC_RELAXED);

	return !f || n != f;
}

static void os_account(struct hwqnic_osdev *od, long delta)
{
	__atomic_add_fetch(&od->live_allocs, delta, __ATOMIC_RELAXED);
}

void *hwqnic_os_zalloc(struct hwqnic_osdev *od, size_t size)
{
	void *p;

	if (!os_alloc_allowed(od))
		return NULL;
	p = calloc(1, size ? size : 1);
	if (p)
		os_account(od, 1);
	return p;
}

void hwqnic_os_free(struct hwqnic_osdev *od, void *p)
{
	if (!p)
		return;
	free(p);
	os_account(od, -1);
}

void *hwqnic_os_dma_alloc(struct hwqnic_osdev *od, size_t size, size_t align,
			  dma_addr_t *dma)
{
	void *p;

	if (!size || !is_power_of_2(align) || !os_alloc_allowed(od))
		return NULL;
	if (align < sizeof(void *))
		align = sizeof(void *);
	if (posix_memalign(&p, align, size))
		return NULL;
	memset(p, 0, size);
	os_account(od, 1);
	*dma = hwqnic_os_va_to_dma(p);
	return p;
}

void hwqnic_os_dma_free(struct hwqnic_osdev *od, size_t size, void *va,
			dma_addr_t dma)
{
	(void)size;
	(void)dma;
	if (!va)
		return;
	free(va);
	os_account(od, -1);
}
