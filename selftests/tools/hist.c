// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/hist.c: the log-linear buckets of bpf/qplat.h (bounds, the
 * mapping both ways, the log2 folding), counts, the quantile rule (an
 * unreached rank has no quantile), the mean and the span, the order of
 * qplat's keys; the map's entries split into histograms and a QP's
 * counters combined from both maps; quantiles of random histograms stay
 * ordered and inside their buckets, and inside the recorded least and
 * greatest samples; latencies and bucket labels in adaptive units; quantiles of
 * known distributions within the stated bound of the true ones, and the
 * log2 folding equal to plain log2 bucketing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hwqnic/hw.h>

#include "../lib/bound.h"
#include "../lib/tap.h"
#include "lib/hist.h"

#define SLOTS	QPLAT_SLOTS
#define NB	((int)QPLAT_BUCKETS)

/* The bound docs/tracepoints.md states for a quantile: 1/32 (3.1%). */
#define DOC_REL_ERR	(1.0 / 32)

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) + 1);
}

/* The log2 slot of t as qplat had it before the buckets: an oracle. */
static int log2_slot(__u64 t)
{
	int k = t ? 63 - __builtin_clzll(t) : 0;

	return k > SLOTS - 1 ? SLOTS - 1 : k;
}

static void add(__u64 *b, __u64 t)
{
	b[qplat_bucket(t)]++;
}

/* The layout of bpf/qplat.h: contiguous, narrow, mapped both ways. */
static void layout(void)
{
	int b, bad = 0;
	double lo, hi;

	ok(QPLAT_BUCKETS == 896 && QPLAT_SUB == 32 &&
	   sizeof(struct qplat_lat_hist) == 7192 &&
	   sizeof(struct qplat_hist) == 21600,
	   "896 buckets, 32 per power of two; 7192 bytes a histogram, "
	   "21600 a hists entry");
	/* the hash table's element header: 48 bytes on 6.1, 64 allowed */
	ok(sizeof(struct qplat_hist_key) + sizeof(struct qplat_hist) + 64 <=
	   32768 && (QPLAT_HISTS + 4 * 128ULL) * 32768 <= 128ULL << 20,
	   "a hists entry is one 32 KiB allocation; %u of them and 4 free a "
	   "CPU on 128 CPUs fit in 128 MiB", QPLAT_HISTS);
	ok(HIST_MAX_REL_ERR == DOC_REL_ERR, "the bound stated is 1/32");
	ok(hist_bucket_lo_ns(0) == 0 && hist_bucket_hi_ns(NB - 1) ==
	   4294967296.0 && hist_bucket_lo_ns(NB - 1) == 4227858432.0,
	   "buckets cover [0, 2^32) ns, the last from 2^32 - 2^26");
	for (b = 0; b < NB && !bad; b++) {
		lo = hist_bucket_lo_ns(b);
		hi = hist_bucket_hi_ns(b);
		if (!(lo < hi) || (b + 1 < NB && hi != hist_bucket_lo_ns(b + 1)) ||
		    qplat_bucket((__u64)lo) != (__u32)b ||
		    qplat_bucket((__u64)hi - 1) != (__u32)b ||
		    (b >= 2 * (int)QPLAT_SUB && (hi - lo) / lo > DOC_REL_ERR) ||
		    (b < 2 * (int)QPLAT_SUB && hi - lo != 1) ||
		    hist_bucket_slot(b) != log2_slot((__u64)lo) ||
		    hist_bucket_slot(b) != log2_slot((__u64)hi - 1)) {
			diag("bucket %d: [%.0f, %.0f) maps to %u..%u, slot %d",
			     b, lo, hi, qplat_bucket((__u64)lo),
			     qplat_bucket((__u64)hi - 1), hist_bucket_slot(b));
			bad = 1;
		}
	}
	ok(!bad, "each bucket starts where the last ends, holds what maps to "
	   "it, is 1 ns wide below 64 ns and at most 1/32 of its low bound "
	   "above, and lies inside one log2 slot");
	ok(qplat_bucket(0) == 0 && qplat_bucket(1) == 1 &&
	   qplat_bucket(63) == 63 && qplat_bucket(64) == 64 &&
	   qplat_bucket(65) == 64 && qplat_bucket(66) == 65 &&
	   qplat_bucket(1ULL << 32) == (__u32)NB - 1 &&
	   qplat_bucket(~0ULL) == (__u32)NB - 1,
	   "0..63 ns exact, 64 and 65 ns share one, from 2^32 ns the last");
	ok(hist_bucket_lo_ns(qplat_bucket(2000000000)) < 2e9 &&
	   hist_bucket_hi_ns(qplat_bucket(2000000000)) > 2e9 &&
	   qplat_bucket(2000000000) < (__u32)NB - 1,
	   "2 s has a bucket of its own below the last");
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
	static __u64 s[QPLAT_BUCKETS];
	int first = -1, last = -1, i;
	__u64 max = 0;

	ok(hist_count(s, NB) == 0, "empty: count 0");
	ok(hist_quantile_ns(s, NB, 0.5) == -1 &&
	   hist_quantile_ns(s, NB, 0) == -1, "empty: no quantile (-1)");
	ok(!hist_span(s, NB, &first, &last, &max) && first == -1 &&
	   last == -1 && max == 0, "empty: no span, nothing set");
	ok(hist_mean_ns(0, 0) == -1, "no sample: no mean (-1)");

	/* 100 at 1500 ns, 49 at 5000 ns, 1 at 1 ms */
	for (i = 0; i < 100; i++)
		add(s, 1500);
	for (i = 0; i < 49; i++)
		add(s, 5000);
	add(s, 1000000);
	ok(hist_count(s, NB) == 150, "count is the sum of the buckets");
	ok(near(hist_quantile_ns(s, NB, 0.5), 1472 + 0.75 * 31),
	   "p50: rank 75 of 100 in [1472, 1503]: 1495.25 ns (%.3f)",
	   hist_quantile_ns(s, NB, 0.5));
	ok(near(hist_quantile_ns(s, NB, 0.99), 4992 + 48.5 / 49 * 127),
	   "p99: rank 148.5, 48.5 of 49 into [4992, 5119] (%.3f)",
	   hist_quantile_ns(s, NB, 0.99));
	ok(hist_quantile_ns(s, NB, 0) == 1472,
	   "p0: the low bound of the first non-empty bucket");
	ok(hist_quantile_ns(s, NB, 1) == 1015807,
	   "p100: the greatest nanosecond of the last non-empty bucket");
	ok(hist_quantile_ns(s, NB, -0.01) == -1 &&
	   hist_quantile_ns(s, NB, 1.01) == -1 &&
	   hist_quantile_ns(s, NB, NAN) == -1,
	   "p outside [0, 1] or NaN: no quantile (-1)");
	ok(hist_span(s, NB, &first, &last, &max) &&
	   first == (int)qplat_bucket(1500) &&
	   last == (int)qplat_bucket(1000000) && max == 100,
	   "span: the buckets of 1500 ns to 1 ms, largest 100");
	ok(near(hist_mean_ns(1500, 150), 10), "mean: sum / count");

	memset(s, 0, sizeof(s));
	for (i = 0; i < 64; i++)
		add(s, (__u64)i);
	ok(hist_quantile_ns(s, NB, 0.5) == 31 &&
	   hist_quantile_ns(s, NB, 0.99) == 63 &&
	   hist_quantile_ns(s, NB, 0.25) == 15,
	   "below 64 ns a bucket is one nanosecond: exact");
	memset(s, 0, sizeof(s));
	s[NB - 1] = 1;
	ok(hist_quantile_ns(s, NB, 1) == 4294967295.0,
	   "the last bucket's greatest nanosecond is 2^32 - 1");
	ok(hist_quantile_ns(s, NB - 1, 0.5) == -1,
	   "only the n buckets given are read");
}

/* hist_quantile_in_ns(): never outside [min, max]; one sample is exact */
static void clamped(void)
{
	static __u64 s[QPLAT_BUCKETS];
	double q;
	int i;

	/* one sample of 4500 ns in [4480, 4608) */
	add(s, 4500);
	q = hist_quantile_ns(s, NB, 0.5);
	ok(q >= 4480 && q < 4608 && q != 4500,
	   "unbounded, one sample's p50 is in its bucket (%.1f)", q);
	ok(hist_quantile_in_ns(s, NB, 0.5, 4500, 4500) == 4500 &&
	   hist_quantile_in_ns(s, NB, 0.99, 4500, 4500) == 4500 &&
	   hist_quantile_in_ns(s, NB, 0.999, 4500, 4500) == 4500 &&
	   hist_quantile_in_ns(s, NB, 0, 4500, 4500) == 4500,
	   "one sample: p0 = p50 = p99 = p99.9 = the sample");

	/* 100 samples in [1024, 1056), the greatest 1050 */
	memset(s, 0, sizeof(s));
	for (i = 0; i < 100; i++)
		add(s, 1030 + (__u64)i % 21);
	q = hist_quantile_in_ns(s, NB, 0.5, 1030, 1050);
	ok(near(q, 1040), "p50 interpolated in [min, max]: 1040 (%.3f)", q);
	ok(hist_quantile_in_ns(s, NB, 1, 1030, 1050) == 1050,
	   "p100 is the greatest sample");

	/* min and max in other buckets than the ranks' */
	add(s, 1500000);
	q = hist_quantile_in_ns(s, NB, 0.5, 1040, 1500000);
	ok(q >= 1040 && q < 1056, "p50 above min, in its bucket (%.1f)", q);
	ok(hist_quantile_in_ns(s, NB, 1, 1040, 1500000) == 1500000,
	   "p100 is max inside the last bucket");

	/* not recorded (min > max): as hist_quantile_ns() */
	ok(hist_quantile_in_ns(s, NB, 0.5, ~0ULL, 0) ==
	   hist_quantile_ns(s, NB, 0.5), "min > max: not recorded, unbounded");
	/* inconsistent bounds (a racing writer's): still inside them */
	q = hist_quantile_in_ns(s, NB, 0.2, 3000, 4000);
	ok(q >= 3000 && q <= 4000, "bounds outside the rank's bucket: "
	   "held to them (%.1f)", q);
	memset(s, 0, sizeof(s));
	ok(hist_quantile_in_ns(s, NB, 0.5, 1, 2) == -1,
	   "empty: no quantile, bounds or not");
}

/* A uniform double in (0, 1]. */
static double unit_rand(uint64_t *seed)
{
	return ((double)(tap_rand(seed) >> 11) + 1) / 9007199254740992.0;
}

enum dist { UNIFORM, EXPONENTIAL, BIMODAL, POINT, EDGES, WIDE, BEYOND,
	    NDIST };

static const char *const dist_name[NDIST] = {
	"uniform 1 us .. 1 ms", "exponential 2 us + mean 50 us",
	"bimodal 2 us (90%) and 250 us (10%)", "a point mass at 2^17 ns",
	"bucket edges (each a bucket's least or greatest ns)",
	"log-uniform 0 ns .. 4 s", "half of it beyond 2^32 ns",
};

static __u64 draw(enum dist d, uint64_t *seed)
{
	int b;

	switch (d) {
	case UNIFORM:
		return 1000 + tap_rand(seed) % 999000;
	case EXPONENTIAL:
		return 2000 + (__u64)(-log(unit_rand(seed)) * 50000);
	case BIMODAL:
		if (tap_rand(seed) % 10)
			return 1800 + tap_rand(seed) % 400;
		return 250000 + tap_rand(seed) % 50000;
	case POINT:
		return 1ULL << 17;	/* a widest bucket's least ns */
	case EDGES:
		b = (int)(tap_rand(seed) % (QPLAT_BUCKETS - 1));
		return (__u64)(tap_rand(seed) % 2 ? hist_bucket_lo_ns(b) :
			       hist_bucket_hi_ns(b) - 1);
	case WIDE:
		return (__u64)exp2(unit_rand(seed) * 32) - 1;
	case BEYOND:
		if (tap_rand(seed) % 2)
			return (__u64)exp2(unit_rand(seed) * 32) - 1;
		return (1ULL << 32) + tap_rand(seed) % (1ULL << 40);
	default:
		return 0;
	}
}

static int u64_cmp(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every quantile of n samples drawn from d, estimated from the buckets
 * (with and without the least and greatest), against the true sample
 * quantile; and the log2 folding against the old log2 bucketing.
 */
static void accuracy(enum dist d, uint64_t *seed, size_t n)
{
	static const double ps[] = { 0.5, 0.9, 0.99, 0.999 };
	static __u64 s[QPLAT_BUCKETS];
	__u64 *t = calloc(n, sizeof(*t)), slots[SLOTS], ref[SLOTS] = { 0 };
	double worst = 0, est[2], truth, rank, err;
	size_t i, j, idx;
	int bad = 0, v;

	if (!t) {
		ok(0, "%s: no memory for %zu samples", dist_name[d], n);
		return;
	}
	memset(s, 0, sizeof(s));
	for (i = 0; i < n; i++) {
		t[i] = draw(d, seed);
		add(s, t[i]);
		ref[log2_slot(t[i])]++;
	}
	qsort(t, n, sizeof(*t), u64_cmp);
	for (j = 0; j < sizeof(ps) / sizeof(ps[0]); j++) {
		rank = ps[j] * (double)n;
		idx = rank > 0 ? (size_t)ceil(rank) - 1 : 0;
		truth = (double)t[idx];
		est[0] = hist_quantile_ns(s, NB, ps[j]);
		est[1] = hist_quantile_in_ns(s, NB, ps[j], t[0], t[n - 1]);
		for (v = 0; v < 2; v++) {
			if (t[idx] >= (__u64)hist_bucket_lo_ns(NB - 1)) {
				/* the last bucket: inside it, up to the max */
				if (est[v] < hist_bucket_lo_ns(NB - 1) ||
				    (v && est[v] > (double)t[n - 1]))
					bad = 1;
				continue;
			}
			err = fabs(est[v] - truth) / (truth ? truth : 1);
			if (err > worst)
				worst = err;
			if (fabs(est[v] - truth) > truth * DOC_REL_ERR) {
				diag("%s: p%g %s %.1f, true %.0f: %.2f%%",
				     dist_name[d], ps[j] * 100,
				     v ? "bounded" : "unbounded", est[v], truth,
				     err * 100);
				bad = 1;
			}
		}
	}
	ok(!bad, "%s, %zu samples: p50, p90, p99, p99.9 within 1/32 of the "
	   "true sample quantile (worst %.2f%%)", dist_name[d], n,
	   worst * 100);
	hist_fold_log2(s, NB, slots);
	ok(!memcmp(slots, ref, sizeof(ref)), "%s: folded into log2 slots "
	   "the buckets are the old log2 histogram exactly", dist_name[d]);
	free(t);
}

static void accuracies(uint64_t *seed)
{
	size_t n = u_scaled(50000, 2000);
	int d;

	for (d = 0; d < NDIST; d++)
		accuracy((enum dist)d, seed, n);
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
	struct hist_key h[] = {
		{ 2, 0, 16, 0, 0 }, { 1, 9, 99, 9, 2 }, { 1, 0, 17, 1, 0 },
		{ 1, 0, 16, 1, 2 }, { 1, 0, 16, 1, 0 }, { 1, 0, 16, 0, 2 },
	};
	struct qplat_hist_key m[] = {
		{ 2, 0, 16, 0 }, { 1, 0, 16, 9 }, { 1, 0, 16, 1 },
		{ 1, 0, 3, 7 },
	};
	struct qplat_qp_key q[] = {
		{ 7, 1, 3 }, { 7, 0, 9 }, { 7, 0, 3 }, { 6, 5, 5 },
	};
	struct hist_key want = { 1, 0, 16, 1, 2 }, big = { .pid = 1 };
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
	qsort(m, 4, sizeof(m[0]), hist_map_key_cmp);
	ok(m[0].qpn == 3 && m[1].op == 1 && m[2].op == 9 && m[3].pid == 2,
	   "the map's hists keys: by pid, dev, qpn, op");
}

/* A hists entry of QP qpn, opcode op: n samples of latency lat at ns */
static void map_entry(struct hist_map_entry *e, __u32 pid, __u32 qpn,
		      __u32 op)
{
	int lat;

	memset(e, 0, sizeof(*e));
	e->key = (struct qplat_hist_key){ .pid = pid, .qpn = qpn, .op = op };
	for (lat = 0; lat < QPLAT_LAT_MAX; lat++)
		e->val.lat[lat].min_ns = QPLAT_NO_MIN;
}

static void sample(struct hist_map_entry *e, int lat, __u64 ns, __u64 n)
{
	struct qplat_lat_hist *l = &e->val.lat[lat];

	l->buckets[qplat_bucket(ns)] += n;
	l->sum_ns += n * ns;
	l->min_ns = ns < l->min_ns ? ns : l->min_ns;
	l->max_ns = ns > l->max_ns ? ns : l->max_ns;
}

/*
 * The map's entries made histograms (one per latency with samples) and a
 * QP's counters made of both maps and of counts taken out before.
 */
static void combined(void)
{
	static struct hist_map_entry m[3];
	struct hist_ctr_entry c[2], t[2], *o;
	struct hist_entry *h;
	long n;

	map_entry(&m[0], 5, 16, HWQNIC_WC_SEND);
	sample(&m[0], QPLAT_LAT_DEVICE, 1000, 3);
	sample(&m[0], QPLAT_LAT_E2E, 5000, 2);
	sample(&m[0], QPLAT_LAT_E2E, 7000, 1);
	m[0].val.polls = 4;
	m[0].val.err_cqes = 1;
	m[0].val.bytes = 300;
	map_entry(&m[1], 5, 16, HWQNIC_WC_RDMA_WRITE);
	m[1].val.polls = 2;
	m[1].val.err_cqes = 2;
	map_entry(&m[2], 5, 17, HWQNIC_WC_SEND);	/* five events' */
	sample(&m[2], QPLAT_LAT_PICKUP, 10, 1);

	n = hist_split(m, 3, NULL, 0, &h);
	ok(n == 3, "3 entries, 3 histograms with samples (%ld)", n);
	if (n == 3) {
		ok(h[0].key.qpn == 16 && h[0].key.op == HWQNIC_WC_SEND &&
		   h[0].key.lat == QPLAT_LAT_DEVICE && h[0].val.count == 3 &&
		   h[0].val.sum_ns == 3000 && h[0].val.min_ns == 1000,
		   "device histogram: its key, count from the buckets, sum");
		ok(h[1].key.lat == QPLAT_LAT_E2E && h[1].val.count == 3 &&
		   h[1].val.min_ns == 5000 && h[1].val.max_ns == 7000 &&
		   hist_quantile_in_ns(h[1].val.buckets, NB, 1,
				       h[1].val.min_ns,
				       h[1].val.max_ns) == 7000,
		   "e2e histogram: count, least, greatest, p100");
		ok(h[2].key.qpn == 17 && h[2].key.lat == QPLAT_LAT_PICKUP &&
		   h[2].val.count == 1, "the next QP's pickup, in order");
	} else {
		ok(0, "histograms missing");
		ok(0, "histograms missing");
		ok(0, "histograms missing");
	}
	free(h);
	ok(hist_split(m + 1, 1, NULL, 0, &h) == 0 && !h,
	   "an entry of counts alone: no histogram");

	memset(c, 0, sizeof(c));
	c[0].key = (struct qplat_qp_key){ .pid = 5, .qpn = 17 };
	c[0].val.cqes = 9;
	c[0].val.polls = 8;
	c[1].key = (struct qplat_qp_key){ .pid = 4, .qpn = 1 };
	c[1].val.doorbells = 1;
	memset(t, 0, sizeof(t));
	t[0].key = (struct qplat_qp_key){ .pid = 5, .qpn = 16 };
	t[0].val.polls = 10;
	t[0].val.bytes = 1000;
	t[1].key = (struct qplat_qp_key){ .pid = 6, .qpn = 1 };
	t[1].val.err_cqes = 1;
	n = hist_ctr_combine(c, 2, m, 3, t, 2, &o);
	ok(n == 4, "counters of 4 QPs from the three sources (%ld)", n);
	if (n == 4) {
		ok(o[0].key.pid == 4 && o[0].val.doorbells == 1 &&
		   o[3].key.pid == 6 && o[3].val.err_cqes == 1,
		   "sorted; a QP of one source as it was");
		ok(o[1].key.qpn == 16 && o[1].val.polls == 16 &&
		   o[1].val.err_cqes == 3 && o[1].val.bytes == 1300 &&
		   !o[1].val.cqes,
		   "a QP's opcodes and earlier counts summed: polls, errors, "
		   "bytes");
		ok(o[2].key.qpn == 17 && o[2].val.cqes == 9 &&
		   o[2].val.polls == 8,
		   "the five events' entry adds nothing to `counters`'");
	} else {
		ok(0, "counters missing");
		ok(0, "counters missing");
		ok(0, "counters missing");
	}
	free(o);
	ok(hist_ctr_combine(NULL, 0, NULL, 0, NULL, 0, &o) == 0 && !o,
	   "nothing combined: no counters");
}

/*
 * Differences from an earlier reading: buckets, count and sum of what
 * each latency gained; bounds narrowed to the gain's buckets; a latency
 * without gain left out; an entry new since, or made again (fewer
 * samples than before), whole.
 */
static void differenced(void)
{
	static struct hist_map_entry was[2], m[3];
	struct hist_entry *h;
	long n;

	map_entry(&was[0], 5, 16, HWQNIC_WC_SEND);
	sample(&was[0], QPLAT_LAT_DEVICE, 1000, 3);
	sample(&was[0], QPLAT_LAT_E2E, 100000, 1);
	map_entry(&was[1], 5, 17, HWQNIC_WC_SEND);
	sample(&was[1], QPLAT_LAT_DEVICE, 9000, 5);
	m[0] = was[0];
	sample(&m[0], QPLAT_LAT_DEVICE, 1000, 2);
	sample(&m[0], QPLAT_LAT_DEVICE, 2000, 1);
	m[0].val.polls = 7;
	map_entry(&m[1], 5, 17, HWQNIC_WC_SEND);	/* made again */
	sample(&m[1], QPLAT_LAT_DEVICE, 300, 2);
	map_entry(&m[2], 6, 1, HWQNIC_WC_RDMA_WRITE);	/* new */
	sample(&m[2], QPLAT_LAT_PICKUP, 50, 4);

	n = hist_split(m, 3, was, 2, &h);
	ok(n == 3, "3 latencies gained samples, e2e none (%ld)", n);
	if (n == 3) {
		ok(h[0].key.qpn == 16 && h[0].key.lat == QPLAT_LAT_DEVICE &&
		   h[0].val.count == 3 && h[0].val.sum_ns == 4000 &&
		   h[0].val.buckets[qplat_bucket(1000)] == 2 &&
		   h[0].val.buckets[qplat_bucket(2000)] == 1,
		   "the gain: buckets, count and sum differenced");
		ok(h[0].val.min_ns == 1000 && h[0].val.max_ns >= 2000 &&
		   h[0].val.max_ns < (__u64)hist_bucket_hi_ns(
					qplat_bucket(2000)),
		   "its bounds: the least recorded, the greatest narrowed "
		   "from 100us to its last bucket (%llu)",
		   (unsigned long long)h[0].val.max_ns);
		ok(h[1].key.qpn == 17 && h[1].val.count == 2 &&
		   h[1].val.sum_ns == 600 && h[1].val.min_ns == 300 &&
		   h[1].val.max_ns == 300,
		   "an entry made again since: all of it");
		ok(h[2].key.pid == 6 && h[2].val.count == 4 &&
		   h[2].val.sum_ns == 200,
		   "an entry new since: all of it");
	} else {
		ok(0, "differences missing");
		ok(0, "differences missing");
		ok(0, "differences missing");
		ok(0, "differences missing");
	}
	free(h);
	{
		__u64 b[4] = { 5, 1, 0, 2 }, w[4] = { 3, 2, 0, 0 }, g[4];

		ok(hist_gain(b, 80, w, 50, 4, g) == 80 && g[0] == 5 &&
		   g[1] == 1 && g[3] == 2,
		   "a bucket with fewer samples than before, the count more: "
		   "made again, all of it new");
		w[1] = 1;
		ok(hist_gain(b, 80, w, 50, 4, g) == 30 && g[0] == 2 &&
		   g[1] == 0 && g[2] == 0 && g[3] == 2,
		   "every bucket as many or more: the gain");
	}
	n = hist_split(was, 2, was, 2, &h);
	ok(n == 0 && !h, "the same reading twice: nothing gained (%ld)", n);
	free(h);
}

static void random_hists(uint64_t *seedp)
{
	int round, k, bad = 0, first, last, rounds = (int)u_scaled(2000, 200);
	uint64_t seed = *seedp;
	static __u64 s[QPLAT_BUCKETS];
	__u64 max;
	double p, q, prev;

	for (round = 0; round < rounds && !bad; round++) {
		memset(s, 0, sizeof(s));
		for (k = 0; k < NB; k++)
			if (tap_rand(&seed) % 30 == 0)
				s[k] = tap_rand(&seed) % (round % 2 ? 5 :
							  1000000) + 1;
		if (!hist_span(s, NB, &first, &last, &max))
			continue;
		prev = -1;
		for (p = 0; p <= 1.0 + 1e-12 && !bad; p += 1.0 / 64) {
			q = hist_quantile_ns(s, NB, p > 1 ? 1 : p);
			if (q < prev || q < hist_bucket_lo_ns(first) ||
			    q > hist_bucket_hi_ns(last)) {
				diag("round %d p %.4f: %.3f after %.3f", round,
				     p, q, prev);
				bad = 1;
			}
			prev = q;
		}
	}
	ok(!bad, "%d random histograms: quantiles rise with p, inside "
	   "the span's buckets", rounds);

	/* bounded by a min and max drawn inside the end buckets */
	for (round = 0; round < rounds && !bad; round++) {
		__u64 mn, mx;

		memset(s, 0, sizeof(s));
		for (k = 0; k < NB; k++)
			if (tap_rand(&seed) % 30 == 0)
				s[k] = tap_rand(&seed) % 1000 + 1;
		if (!hist_span(s, NB, &first, &last, &max))
			continue;
		mn = (__u64)hist_bucket_lo_ns(first) + tap_rand(&seed) %
		     ((__u64)hist_bucket_hi_ns(first) -
		      (__u64)hist_bucket_lo_ns(first));
		mx = (__u64)hist_bucket_lo_ns(last) + tap_rand(&seed) %
		     ((__u64)hist_bucket_hi_ns(last) -
		      (__u64)hist_bucket_lo_ns(last));
		if (mx < mn)
			mx = mn;
		prev = -1;
		for (p = 0; p <= 1.0 + 1e-12 && !bad; p += 1.0 / 64) {
			q = hist_quantile_in_ns(s, NB, p > 1 ? 1 : p, mn,
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
	ok(!bad, "%d random histograms with min and max: quantiles rise "
	   "with p, inside [min, max]", rounds);
	*seedp = seed;
}

int main(void)
{
	uint64_t seed = tap_seed();

	layout();
	bounds();
	quantiles();
	clamped();
	units();
	key_order();
	combined();
	differenced();
	random_hists(&seed);
	accuracies(&seed);
	return tap_done();
}
