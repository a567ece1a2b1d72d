// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/hist.c: log2 bucket bounds, counts, the quantile rule (an
 * unreached rank has no quantile), the mean and the span, the order of
 * qplat's map keys; quantiles of random histograms stay ordered and
 * inside their buckets, and inside the recorded least and greatest
 * samples; latencies and bucket labels in adaptive units.
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

/* hist_quantile_in_ns(): never outside [min, max]; one sample is exact */
static void clamped(void)
{
	__u64 s[SLOTS] = { 0 };
	double q;

	/* one sample of 4500 ns in [4096, 8192) */
	s[12] = 1;
	ok(hist_quantile_ns(s, SLOTS, 0.5) > 4500,
	   "unbounded, one sample's p50 lies above it (%.1f)",
	   hist_quantile_ns(s, SLOTS, 0.5));
	ok(hist_quantile_in_ns(s, SLOTS, 0.5, 4500, 4500) == 4500 &&
	   hist_quantile_in_ns(s, SLOTS, 0.99, 4500, 4500) == 4500 &&
	   hist_quantile_in_ns(s, SLOTS, 0.999, 4500, 4500) == 4500 &&
	   hist_quantile_in_ns(s, SLOTS, 0, 4500, 4500) == 4500,
	   "one sample: p0 = p50 = p99 = p99.9 = the sample");

	/* 100 samples in [1024, 2048), the greatest 1100 */
	memset(s, 0, sizeof(s));
	s[10] = 100;
	q = hist_quantile_in_ns(s, SLOTS, 0.5, 1030, 1100);
	ok(near(q, 1065), "p50 interpolated in [min, max]: 1065 (%.3f)", q);
	ok(hist_quantile_in_ns(s, SLOTS, 1, 1030, 1100) == 1100,
	   "p100 is the greatest sample");

	/* min and max in other buckets than the ranks' */
	s[20] = 1;
	q = hist_quantile_in_ns(s, SLOTS, 0.5, 1500, 1500000);
	ok(q >= 1500 && q < 2048, "p50 above min, in its bucket (%.1f)", q);
	ok(hist_quantile_in_ns(s, SLOTS, 1, 1500, 1500000) == 1500000,
	   "p100 is max inside the last bucket");

	/* not recorded (min > max): as hist_quantile_ns() */
	ok(hist_quantile_in_ns(s, SLOTS, 0.5, ~0ULL, 0) ==
	   hist_quantile_ns(s, SLOTS, 0.5), "min > max: not recorded, unbounded");
	/* inconsistent bounds (a racing writer's): still inside them */
	q = hist_quantile_in_ns(s, SLOTS, 0.2, 3000, 4000);
	ok(q >= 3000 && q <= 4000, "bounds outside the rank's bucket: "
	   "held to them (%.1f)", q);
	memset(s, 0, sizeof(s));
	ok(hist_quantile_in_ns(s, SLOTS, 0.5, 1, 2) == -1,
	   "empty: no quantile, bounds or not");
}

static int fmt_is(double ns, double unit, const char *want)
{
	char buf[HIST_FMT_LEN];

	hist_fmt_ns(buf, sizeof(buf), ns, unit);
	if (strcmp(buf, want))
		diag("%.3f ns: '%s', want '%s'", ns, buf, want);
	return !strcmp(buf, want);
}

static void units(void)
{
	unsigned long long lo, hi;
	const char *u;

	ok(fmt_is(0, 0, "0ns") && fmt_is(350, 0, "350ns") &&
	   fmt_is(999.4, 0, "999ns") && fmt_is(999.6, 0, "1.00us") &&
	   fmt_is(1234, 0, "1.23us") && fmt_is(12345, 0, "12.3us") &&
	   fmt_is(123456, 0, "123us") && fmt_is(999600, 0, "1.00ms") &&
	   fmt_is(2.1e9, 0, "2.10s") && fmt_is(12e9, 0, "12.0s"),
	   "latencies in the unit that keeps them short");
	ok(fmt_is(4500, 1e6, "0.00ms") && fmt_is(1.5e6, 1e6, "1.50ms") &&
	   fmt_is(2.5e9, 1e6, "2500ms"), "a fixed unit (-m: ms)");

	u = hist_label(4096, 8191, 0, &lo, &hi);
	ok(!strcmp(u, "us") && lo == 4 && hi == 8, "[4096, 8191] ns: 4 -> 8 "
	   "us (%llu -> %llu %s)", lo, hi, u);
	u = hist_label(512, 1023, 0, &lo, &hi);
	ok(!strcmp(u, "ns") && lo == 512 && hi == 1023, "[512, 1023] ns: "
	   "512 -> 1023 ns");
	u = hist_label(0, 1, 0, &lo, &hi);
	ok(!strcmp(u, "ns") && lo == 0 && hi == 1, "slot 0: 0 -> 1 ns");
	u = hist_label(1073741824, 2147483647, 0, &lo, &hi);
	ok(!strcmp(u, "s") && lo == 1 && hi == 2, "[2^30, 2^31) ns: 1 -> 2 s");
	u = hist_label(524288, 1048575, 1e6, &lo, &hi);
	ok(!strcmp(u, "ms") && lo == 0 && hi == 1, "-m: [2^19, 2^20) ns: "
	   "0 -> 1 ms");
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

	/* bounded by a min and max drawn inside the end buckets */
	for (round = 0; round < 2000 && !bad; round++) {
		__u64 mn, mx;

		memset(s, 0, sizeof(s));
		for (k = 0; k < SLOTS; k++)
			if (tap_rand(&seed) % 3 == 0)
				s[k] = tap_rand(&seed) % 1000 + 1;
		if (!hist_span(s, SLOTS, &first, &last, &max))
			continue;
		mn = (__u64)hist_slot_lo_ns(first) + tap_rand(&seed) %
		     ((__u64)hist_slot_hi_ns(first) -
		      (__u64)hist_slot_lo_ns(first));
		mx = (__u64)hist_slot_lo_ns(last) + tap_rand(&seed) %
		     ((__u64)hist_slot_hi_ns(last) -
		      (__u64)hist_slot_lo_ns(last));
		if (mx < mn)
			mx = mn;
		prev = -1;
		for (p = 0; p <= 1.0 + 1e-12 && !bad; p += 1.0 / 64) {
			q = hist_quantile_in_ns(s, SLOTS, p > 1 ? 1 : p, mn,
						mx);
			if (q < prev || q < (double)mn || q > (double)mx) {
				diag("bounded round %d p %.4f: %.3f after %.3f "
				     "in [%llu, %llu]", round, p, q, prev,
				     (unsigned long long)mn,
				     (unsigned long long)mx);
				bad = 1;
			}
			prev = q;
		}
	}
	ok(!bad, "2000 random histograms with min and max: quantiles rise "
	   "with p, inside [min, max]");
}

int main(void)
{
	bounds();
	quantiles();
	clamped();
	units();
	key_order();
	random_hists();
	return tap_done();
}
