// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sampling countdown's intervals (hwqnic_sample_draw(), kmod/core/qp.c):
 * geometric with mean N, as the tracer asks, in integer arithmetic. Over
 * many draws: the mean within a few percent of N, the spread of a
 * geometric law (standard deviation sqrt(N(N-1)), P(1) = 1/N), no step
 * with the draw before (lag-1 correlation near 0) and many distinct
 * intervals: nothing periodic for a periodic workload to keep step with.
 * N = 0 and 1 are exact: every WR.
 */
#include <math.h>

#include "qp.h"
#include "../lib/bound.h"
#include "../lib/tap.h"

static void law(uint32_t n, unsigned long draws, uint64_t seed)
{
	double sum = 0, sq = 0, lag = 0, mean, sd, corr, ones = 0;
	u64 rng = seed | 1;
	uint32_t prev = 0, k, lo = UINT32_MAX, hi = 0;
	unsigned long i;

	for (i = 0; i < draws; i++) {
		k = hwqnic_sample_draw(&rng, n);
		sum += k;
		sq += (double)k * k;
		ones += k == 1;
		if (i)
			lag += (double)k * prev;
		prev = k;
		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
	}
	mean = sum / draws;
	sd = sqrt(sq / draws - mean * mean);
	/* lag-1 correlation of the intervals */
	corr = (lag / (draws - 1) - mean * mean) / (sd * sd);
	diag("N %u: mean %.2f sd %.2f (want %.2f) P(1) %.4f lag-1 %.4f "
	     "range %u..%u", n, mean, sd, sqrt((double)n * (n - 1)),
	     ones / draws, corr, lo, hi);
	ok(fabs(mean / n - 1) < 0.03, "N %u: mean interval %.2f within 3%%",
	   n, mean);
	ok(fabs(sd / sqrt((double)n * (n - 1)) - 1) < 0.06,
	   "N %u: standard deviation %.2f, a geometric law's within 6%%", n,
	   sd);
	ok(fabs(ones / draws * n - 1) < 0.15 + 3.0 * sqrt((double)n / draws),
	   "N %u: P(interval 1) %.4f near 1/N", n, ones / draws);
	ok(fabs(corr) < 0.03, "N %u: no step with the previous draw "
	   "(lag-1 correlation %.4f)", n, corr);
	/* short and long ones: P(k <= N/10) ~ 10%, P(k > 3N) ~ 5% */
	ok(lo <= 1 + n / 10 && hi > 3 * n,
	   "N %u: intervals from %u to %u, no period", n, lo, hi);
}

int main(void)
{
	static const uint32_t ns[] = { 2, 3, 5, 16, 1024, 100000 };
	unsigned long draws = u_scaled(200000, 40000);
	uint64_t seed = tap_seed(), s = seed;
	u64 rng = seed | 1;
	unsigned int i;
	bool one = true;

	for (i = 0; i < 1000; i++)
		one = one && hwqnic_sample_draw(&rng, 1) == 1 &&
		      hwqnic_sample_draw(&rng, 0) == 1;
	ok(one, "N 1 (and 0): every interval is 1, exact");
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		law(ns[i], draws, tap_rand(&s));
	return tap_done();
}
