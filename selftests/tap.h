/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Minimal TAP producer for hwqnic's C tests; the plan is printed last. */
#ifndef _HWQNIC_TAP_H
#define _HWQNIC_TAP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int tap_n, tap_failed;

static inline __attribute__((format(printf, 2, 3)))
int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

static inline __attribute__((format(printf, 1, 2)))
void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* xorshift64*: reproducible randomness; tests print their seed. */
static inline uint64_t tap_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* The seed comes from HWQNIC_SEED when set, else from the clock; it is printed. */
static inline uint64_t tap_seed(void)
{
	const char *e = getenv("HWQNIC_SEED");
	uint64_t s = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);

	diag("seed %llu (set HWQNIC_SEED to repeat)", (unsigned long long)s);
	return s ? s : 1;
}

#endif /* _HWQNIC_TAP_H */
