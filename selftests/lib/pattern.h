/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Test data (selftests/lib/pattern.c): random bytes from a seed, compared. */
#ifndef _HWQNIC_SELFTESTS_LIB_PATTERN_H
#define _HWQNIC_SELFTESTS_LIB_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* n bytes of tap_rand(seed). */
void u_fill_rand(void *buf, size_t n, uint64_t *seed);
/* A uniformly chosen value in [lo, hi]. */
uint64_t u_rand_range(uint64_t *seed, uint64_t lo, uint64_t hi);
/* Offset of the first byte that differs, or -1. */
long u_first_diff(const void *a, const void *b, size_t n);

#endif /* _HWQNIC_SELFTESTS_LIB_PATTERN_H */
