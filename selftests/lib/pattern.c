// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test data: see pattern.h. */
#include <string.h>

#include "pattern.h"
#include "tap.h"

void u_fill_rand(void *buf, size_t n, uint64_t *seed)
{
	uint8_t *p = buf;

	while (n >= 8) {
		uint64_t r = tap_rand(seed);

		memcpy(p, &r, 8);
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t r = tap_rand(seed);

		memcpy(p, &r, n);
	}
}

uint64_t u_rand_range(uint64_t *seed, uint64_t lo, uint64_t hi)
{
	return lo + tap_rand(seed) % (hi - lo + 1);
}

long u_first_diff(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	size_t i;

	if (!memcmp(a, b, n))
		return -1;
	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return (long)i;
	return -1;
}
