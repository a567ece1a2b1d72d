// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Time bounds and work sizes of the tests: see bound.h. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bound.h"

bool u_quick(void)
{
	const char *e = getenv("HWQNIC_TEST_QUICK");

	return e && *e && strcmp(e, "0");
}

double u_scale(void)
{
	const char *e = getenv("HWQNIC_TEST_SCALE");
	double s = e ? strtod(e, NULL) : 1.0;

	if (!(s > 0))
		s = 1.0;
	return u_quick() ? s / 100 : s;
}

unsigned long u_scaled(unsigned long n, unsigned long min)
{
	double v = n * u_scale();

	return v < min ? min : (unsigned long)v;
}

uint64_t u_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t u_timeout_ns(void)
{
	const char *e = getenv("HWQNIC_TEST_TIMEOUT");

	if (e && atoi(e) > 0)
		return (uint64_t)atoi(e) * 1000000000ULL;
	return (u_quick() ? 60 : 5) * 1000000000ULL;
}

void u_sleep_us(unsigned long us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000,
		.tv_nsec = (us % 1000000) * 1000,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void u_relax(unsigned int *spins)
{
	if (++*spins < 64)
		return;
	if (*spins < 2048)
		sched_yield();
	else
		u_sleep_us(20);
}
