// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/hist.c: log2 bucket bounds, counts, the quantile rule (an
 * unreached rank has no quantile), the mean and the span, the order of
 * qplat's map keys; quantiles of random histograms stay ordered and
 * inside their buckets.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/tap.h"
#include "lib/hist.h"

#define SLOTS	32

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) + 1);
}

static void bounds(void)
{
	ok(hist_slot_lo_ns(0) == 0 && hist_slot_hi_ns(0) == 2,
	   "slot 0 is [0, 2) ns");
	ok(hist_slot_lo_ns(1) == 2 && hist_slot_hi_ns(1) == 4,
	   "slot 1 is [2, 4) ns");
	ok(hist_slot_lo_ns(10) == 1024 && hist_slot_hi_ns(10) == 2048,
	   "slot 10 is [1024, 2048) ns");
	ok(hist_slot_lo_ns(31) == 2147483648.0 &&
	   hist_slot_hi_ns(31) == 4294967296.0, "slot 31 is [2^31, 2^32) ns");
}

static void quantiles(void)
{
	__u64 s[SLOTS] = { 0 };
	int first = -1, last = -1;
	__u64 max = 0;

	ok(hist_count(s, SLOTS) == 0, "empty: count 0");
	ok(hist_quantile_ns(s, SLOTS, 0.5) == -1 &&
	   hist_quantile_ns(s, SLOTS, 0) == -1, "empty: no quantile (-1)");
	ok(!hist_span(s, SLOTS, &first, &last, &max) && first == -1 &&
	   last == -1 && max == 0, "empty: no span, nothing set");
	ok(hist_mean_ns(0, 0) == -1, "no sample: no mean (-1)");

	/* nictop.t's interval: 150 device samples */
	s[10] = 100;
	s[12] = 49;
	s[20] = 1;
	ok(hist_count(s, SLOTS) == 150, "count is the sum of the slots");
	ok(near(hist_quantile_ns(s, SLOTS, 0.5), 1792),
	   "p50: rank 75 of 100 in [1024, 2048): 1792 ns (%.3f)",
	   hist_quantile_ns(s, SLOTS, 0.5));
	ok(near(hist_quantile_ns(s, SLOTS, 0.99), 4096 + 48.5 / 49 * 4096),
	   "p99: rank 148.5, 48.5 of 49 into [4096, 8192) (%.3f)",
	   hist_quantile_ns(s, SLOTS, 0.99));
	ok(hist_quantile_ns(s, SLOTS, 0) == 1024,
	   "p0: the low bound of the first non-empty slot");
	ok(hist_quantile_ns(s, SLOTS, 1) == 2097152,
	   "p100: the high bound of the last non-empty slot");
	ok(hist_quantile_ns(s, SLOTS, -0.01) == -1 &&
	   hist_quantile_ns(s, SLOTS, 1.01) == -1 &&
	   hist_quantile_ns(s, SLOTS, NAN) == -1,
	   "p outside [0, 1] or NaN: no quantile (-1)");
	ok(hist_span(s, SLOTS, &first, &last, &max) && first == 10 &&
	   last == 20 && max == 100, "span: slots 10 to 20, largest 100");
	ok(near(hist_mean_ns(1500, 150), 10), "mean: sum / count");

	memset(s, 0, sizeof(s));
	s[0] = 4;
	ok(near(hist_quantile_ns(s, SLOTS, 0.25), 0.5),
	   "slot 0 interpolates over [0, 2): p25 of 4 is 0.5 ns");
	memset(s, 0, sizeof(s));
	s[31] = 1;
	ok(hist_quantile_ns(s, SLOTS, 1) == 4294967296.0,
	   "the last slot's high bound is 2^32 ns");
	ok(hist_quantile_ns(s, 31, 0.5) == -1,
	   "only the n slots given are read");
}

static void key_order(void)
{
	struct qplat_hist_key h[] = {
		{ 2, 0, 16, 0, 0 }, { 1, 9, 99, 9, 2 }, { 1, 0, 17, 1, 0 },
		{ 1, 0, 16, 1, 2 }, { 1, 0, 16, 1, 0 }, { 1, 0, 16, 0, 2 },
	};
	struct qplat_qp_key q[] = {
		{ 7, 1, 3 }, { 7, 0, 9 }, { 7, 0, 3 }, { 6, 5, 5 },
	};
	struct qplat_hist_key want = { 1, 0, 16, 1, 2 }, big = { .pid = 1 };
	unsigned int i, bad = 0;

	qsort(h, 6, sizeof(h[0]), hist_key_cmp);
	for (i = 1; i < 6; i++)
		bad += hist_key_cmp(&h[i - 1], &h[i]) >= 0;
	ok(!bad && h[0].qpn == 16 && h[0].op == 0 && h[2].lat == 2 &&
	   h[5].pid == 2, "hists keys: by pid, dev, qpn, op, lat");
	ok(bsearch(&want, h, 6, sizeof(h[0]), hist_key_cmp) == &h[2],
	   "bsearch finds a hists key");
	big.qpn = 0xffffffff;
	ok(hist_key_cmp(&big, &h[0]) > 0 && hist_key_cmp(&h[0], &big) < 0,
	   "fields compare unsigned");
	qsort(q, 4, sizeof(q[0]), hist_qp_key_cmp);
	ok(q[0].pid == 6 && q[1].qpn == 3 && q[1].dev == 0 && q[2].qpn == 9 &&
	   q[3].dev == 1, "counters keys: by pid, dev, qpn");
}

static void random_hists(void)
{
	uint64_t seed = tap_seed();
	int round, k, bad = 0, first, last;
	__u64 s[SLOTS], max;
	double p, q, prev;

	for (round = 0; round < 2000 && !bad; round++) {
		memset(s, 0, sizeof(s));
		for (k = 0; k < SLOTS; k++)
			if (tap_rand(&seed) % 3 == 0)
				s[k] = tap_rand(&seed) % (round % 2 ? 5 :
							  1000000) + 1;
		if (!hist_span(s, SLOTS, &first, &last, &max))
			continue;
		prev = -1;
		for (p = 0; p <= 1.0 + 1e-12 && !bad; p += 1.0 / 64) {
			q = hist_quantile_ns(s, SLOTS, p > 1 ? 1 : p);
			if (q < prev || q < hist_slot_lo_ns(first) ||
			    q > hist_slot_hi_ns(last)) {
				diag("round %d p %.4f: %.3f after %.3f", round,
				     p, q, prev);
				bad = 1;
			}
			prev = q;
		}
	}
	ok(!bad, "2000 random histograms: quantiles rise with p, inside "
	   "the span's buckets");
}

int main(void)
{
	bounds();
	quantiles();
	key_order();
	random_hists();
	return tap_done();
}
