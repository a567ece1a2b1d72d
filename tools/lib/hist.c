// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * qplat's latency histograms: bucket bounds, the log2 folding, counts,
 * quantiles, mean (hist.h).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "hist.h"

double hist_bucket_lo_ns(int b)
{
	int e = b / (int)QPLAT_SUB - 1;

	if (b < 2 * (int)QPLAT_SUB)
		return b;
	return ldexp(b % (int)QPLAT_SUB + (int)QPLAT_SUB, e);
}

double hist_bucket_hi_ns(int b)
{
	int e = b / (int)QPLAT_SUB - 1;

	if (b < 2 * (int)QPLAT_SUB)
		return b + 1;
	return ldexp(b % (int)QPLAT_SUB + (int)QPLAT_SUB + 1, e);
}

int hist_bucket_slot(int b)
{
	return (int)qplat_log2((__u64)hist_bucket_lo_ns(b));
}

void hist_fold_log2(const __u64 *buckets, int n, __u64 slots[QPLAT_SLOTS])
{
	int b;

	for (b = 0; b < QPLAT_SLOTS; b++)
		slots[b] = 0;
	for (b = 0; b < n && b < (int)QPLAT_BUCKETS; b++)
		slots[hist_bucket_slot(b)] += buckets[b];
}

double hist_slot_lo_ns(int k)
{
	return k > 0 ? ldexp(1, k) : 0;
}

double hist_slot_hi_ns(int k)
{
	return ldexp(1, k + 1);
}

__u64 hist_count(const __u64 *counts, int n)
{
	__u64 count = 0;
	int k;

	for (k = 0; k < n; k++)
		count += counts[k];
	return count;
}

/*
 * Interpolated in the bucket of the rank, from its least to its greatest
 * whole nanosecond (so a 1 ns bucket is exact), narrowed to [min, max].
 */
static double quantile(const __u64 *buckets, int n, double p, double min,
		       double max)
{
	double rank, cum = 0, c, lo, hi;
	int b;

	if (!(p >= 0 && p <= 1))
		return -1;
	if (n > (int)QPLAT_BUCKETS)
		n = QPLAT_BUCKETS;
	rank = p * (double)hist_count(buckets, n);
	for (b = 0; b < n; b++) {
		c = (double)buckets[b];
		if (!c)
			continue;
		if (cum + c >= rank) {
			lo = fmin(fmax(hist_bucket_lo_ns(b), min), max);
			hi = fmax(fmin(hist_bucket_hi_ns(b) - 1, max), lo);
			return lo + (rank - cum) / c * (hi - lo);
		}
		cum += c;
	}
	return -1;
}

double hist_quantile_ns(const __u64 *buckets, int n, double p)
{
	return quantile(buckets, n, p, 0, INFINITY);
}

double hist_quantile_in_ns(const __u64 *buckets, int n, double p,
			   __u64 min_ns, __u64 max_ns)
{
	if (min_ns > max_ns)
		return hist_quantile_ns(buckets, n, p);
	return quantile(buckets, n, p, (double)min_ns, (double)max_ns);
}

static const struct {
	double ns;
	const char *name;
} units[] = { { 1, "ns" }, { 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" } };

#define NUNITS	(sizeof(units) / sizeof(units[0]))

char *hist_fmt_ns(char *buf, size_t len, double ns, double unit_ns)
{
	size_t u = 0;
	double v;

	/* the largest unit whose value, rounded to 3 digits, is >= 1 */
	while (u + 1 < NUNITS && (unit_ns > 0 ? units[u].ns < unit_ns :
				  ns >= units[u + 1].ns * 0.9995))
		u++;
	v = ns / units[u].ns;
	snprintf(buf, len, "%.*f%s", u == 0 || v >= 99.95 ? 0 :
		 v >= 9.995 ? 1 : 2, v, units[u].name);
	return buf;
}

const char *hist_label(double lo_ns, double hi_ns, double unit_ns,
		       unsigned long long *lo, unsigned long long *hi)
{
	size_t u = 0;

	while (u + 1 < NUNITS && (unit_ns > 0 ? units[u].ns < unit_ns :
				  lo_ns >= units[u + 1].ns))
		u++;
	*lo = (unsigned long long)floor(lo_ns / units[u].ns);
	*hi = (unsigned long long)floor(hi_ns / units[u].ns);
	return units[u].name;
}

double hist_mean_ns(__u64 sum_ns, __u64 count)
{
	return count ? (double)sum_ns / (double)count : -1;
}

bool hist_span(const __u64 *counts, int n, int *first, int *last,
	       __u64 *max)
{
	int k, f = -1, l = -1;
	__u64 m = 0;

	for (k = 0; k < n; k++) {
		if (!counts[k])
			continue;
		if (f < 0)
			f = k;
		l = k;
		if (counts[k] > m)
			m = counts[k];
	}
	if (f < 0)
		return false;
	*first = f;
	*last = l;
	*max = m;
	return true;
}

static int u32_cmp(__u32 a, __u32 b)
{
	return a < b ? -1 : a > b;
}

int hist_qp_key_cmp(const void *a, const void *b)
{
	const struct qplat_qp_key *x = a, *y = b;
	int c = u32_cmp(x->pid, y->pid);

	if (!c)
		c = u32_cmp(x->dev, y->dev);
	return c ? c : u32_cmp(x->qpn, y->qpn);
}

int hist_key_cmp(const void *a, const void *b)
{
	const struct qplat_hist_key *x = a, *y = b;
	int c = u32_cmp(x->pid, y->pid);

	if (!c)
		c = u32_cmp(x->dev, y->dev);
	if (!c)
		c = u32_cmp(x->qpn, y->qpn);
	if (!c)
		c = u32_cmp(x->op, y->op);
	return c ? c : u32_cmp(x->lat, y->lat);
}

/* An entry type E of a key and a val, in the order cmp gives */
#define LAYOUT(E, cmp_fn) {						\
	.key_size = sizeof(((E *)0)->key),				\
	.value_size = sizeof(((E *)0)->val),				\
	.entry_size = sizeof(E),					\
	.value_off = offsetof(E, val),					\
	.cmp = cmp_fn,							\
}

const struct bpfmap_layout hist_layout = LAYOUT(struct hist_entry,
						hist_key_cmp);
const struct bpfmap_layout hist_ctr_layout = LAYOUT(struct hist_ctr_entry,
						    hist_qp_key_cmp);
