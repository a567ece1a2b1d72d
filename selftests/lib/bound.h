/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Time bounds and work sizes of the tests (selftests/lib/bound.c), so that
 * a test fails instead of hanging, and does less under valgrind.
 *
 * Time bounds: HWQNIC_TEST_TIMEOUT (seconds) when set, else 5 s, or 60 s
 * when HWQNIC_TEST_QUICK is set (the valgrind run). Work sizes: multiply by
 * u_scale(): HWQNIC_TEST_SCALE (default 1.0), divided by 100 when
 * HWQNIC_TEST_QUICK is set.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_BOUND_H
#define _HWQNIC_SELFTESTS_LIB_BOUND_H

#include <stdbool.h>
#include <stdint.h>

/* HWQNIC_TEST_QUICK is set (and not "0"): the valgrind run. */
bool u_quick(void);
double u_scale(void);
/* n scaled by u_scale(), but at least min. */
unsigned long u_scaled(unsigned long n, unsigned long min);

uint64_t u_now_ns(void);		/* CLOCK_MONOTONIC */
uint64_t u_timeout_ns(void);		/* the bound of one wait */
void u_sleep_us(unsigned long us);	/* through EINTR */
/* Backs off gently while waiting: spin, then yield, then sleep. */
void u_relax(unsigned int *spins);

#endif /* _HWQNIC_SELFTESTS_LIB_BOUND_H */
