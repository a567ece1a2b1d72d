// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Log2 latency histograms: bounds, counts, quantiles, mean (hist.h). */
#include <math.h>
#include <stddef.h>

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

double hist_quantile_ns(const __u64 *slots, int n, double p)
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
			lo = hist_slot_lo_ns(k);
			hi = hist_slot_hi_ns(k);
			return lo + (rank - cum) / c * (hi - lo);
		}
		cum += c;
	}
	return -1;
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
