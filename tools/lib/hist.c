// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Log2 latency histograms: bounds, counts, quantiles, mean (hist.h). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "hist.h"

double hist_slot_lo_ns(int k)
{
	return k > 0 ? ldexp(1, k) : 0;
}

double hist_slot_hi_ns(int k)
{
	return ldexp(1, k + 1);
}

__u64 hist_count(const __u64 *slots, int n)
{
	__u64 count = 0;
	int k;

	for (k = 0; k < n; k++)
		count += slots[k];
	return count;
}

/* Interpolated in the bucket of the rank, narrowed to [min, max]. */
static double quantile(const __u64 *slots, int n, double p, double min,
		       double max)
{
	double rank, cum = 0, c, lo, hi;
	int k;

	if (!(p >= 0 && p <= 1))
		return -1;
	rank = p * (double)hist_count(slots, n);
	for (k = 0; k < n; k++) {
		c = (double)slots[k];
		if (!c)
			continue;
		if (cum + c >= rank) {
			lo = fmin(fmax(hist_slot_lo_ns(k), min), max);
			hi = fmax(fmin(hist_slot_hi_ns(k), max), lo);
			return lo + (rank - cum) / c * (hi - lo);
		}
		cum += c;
	}
	return -1;
}

double hist_quantile_ns(const __u64 *slots, int n, double p)
{
	return quantile(slots, n, p, 0, INFINITY);
}

double hist_quantile_in_ns(const __u64 *slots, int n, double p,
			   __u64 min_ns, __u64 max_ns)
{
	if (min_ns > max_ns)
		return hist_quantile_ns(slots, n, p);
	return quantile(slots, n, p, (double)min_ns, (double)max_ns);
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

bool hist_span(const __u64 *slots, int n, int *first, int *last,
	       __u64 *max)
{
	int k, f = -1, l = -1;
	__u64 m = 0;

	for (k = 0; k < n; k++) {
		if (!slots[k])
			continue;
		if (f < 0)
			f = k;
		l = k;
		if (slots[k] > m)
			m = slots[k];
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
