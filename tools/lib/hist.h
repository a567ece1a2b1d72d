/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * qplat's latency histograms, as bpf/qplat.h lays them out: log-linear
 * buckets (QPLAT_SUB per power of two, qplat_bucket() maps a latency to
 * its bucket) that quantiles are estimated from, folded into log2 slots
 * (slot k counts 2^k <= t < 2^(k+1), slot 0 also t = 0) for the picture.
 * qplat, nictop and their tests read them only through these functions.
 *
 * A quantile is estimated by linear interpolation inside the bucket that
 * holds its rank (p * count), between the least and the greatest whole
 * nanosecond the bucket holds. The true sample quantile, the sample of
 * rank ceil(p * count) in ascending order (the least for p = 0), is in
 * that bucket too, so the two differ by less than the bucket's width:
 * by nothing below 2 * QPLAT_SUB ns, and by less than 1/QPLAT_SUB of the
 * true value (3.1%) up to the last bucket; there (from 2^32 - 2^26 ns,
 * about 4.2 s) the estimate is only known to lie between the bucket's
 * low bound and the greatest sample. The rule when the rank is not
 * reached (an empty histogram; p outside [0, 1] or NaN): there is no
 * quantile, and the functions return -1. Otherwise the value is >= 0.
 */
#ifndef _HWQNIC_TOOLS_HIST_H
#define _HWQNIC_TOOLS_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "qplat.h"
#include "bpfmap.h"

/*
 * The bucket layout's version in qplat's JSON (hist_layout): 1 was log2
 * slots alone, 2 is bpf/qplat.h's log-linear buckets.
 */
#define HIST_LAYOUT_VERSION	2

/* Relative error bound of a quantile below the last bucket: 1/32. */
#define HIST_MAX_REL_ERR	(1.0 / QPLAT_SUB)

/* The bounds of bucket b (0 <= b < QPLAT_BUCKETS) in ns: [lo, hi). */
double hist_bucket_lo_ns(int b);
double hist_bucket_hi_ns(int b);

/* The log2 slot that bucket b lies in. */
int hist_bucket_slot(int b);

/* n buckets (from bucket 0) folded into QPLAT_SLOTS log2 slots. */
void hist_fold_log2(const __u64 *buckets, int n,
		    __u64 slots[QPLAT_SLOTS]);

/* The bounds of log2 slot k in ns: [lo, hi). */
double hist_slot_lo_ns(int k);
double hist_slot_hi_ns(int k);

/* The samples in n buckets (or slots). */
__u64 hist_count(const __u64 *counts, int n);

/*
 * The p-quantile (0 <= p <= 1) of n buckets (from bucket 0; n is
 * QPLAT_BUCKETS for a whole histogram) in ns, or -1 (see above).
 */
double hist_quantile_ns(const __u64 *buckets, int n, double p);

/*
 * The same, bounded by the least and greatest samples recorded (min_ns,
 * max_ns; ignored when min_ns > max_ns, i.e. not recorded): the rank is
 * interpolated in its bucket narrowed to [min_ns, max_ns], so that no
 * quantile lies outside the samples and one sample is its own quantile.
 */
double hist_quantile_in_ns(const __u64 *buckets, int n, double p,
			   __u64 min_ns, __u64 max_ns);

/* The exact mean from the sum of the samples, or -1 without a sample. */
double hist_mean_ns(__u64 sum_ns, __u64 count);

/*
 * The first and last non-empty buckets (or slots) and the largest count;
 * false (and nothing set) when every one is empty.
 */
bool hist_span(const __u64 *counts, int n, int *first, int *last,
	       __u64 *max);

/*
 * A latency in the unit that keeps it short: 350ns, 1.25us, 12.5us,
 * 125us, 1.25ms, 2.10s; at most 6 characters below 1000 s. unit_ns > 0
 * fixes the unit (1e3 us, 1e6 ms, 1e9 s). Returns buf.
 */
#define HIST_FMT_LEN	24
char *hist_fmt_ns(char *buf, size_t len, double ns, double unit_ns);

/*
 * A bucket [lo_ns, hi_ns] as biolatency labels it: both bounds whole
 * numbers of the unit that makes the low one at least 1 (ns, us, ms, s),
 * rounded down; unit_ns > 0 fixes the unit. Sets *lo, *hi and returns
 * the unit's name.
 */
const char *hist_label(double lo_ns, double hi_ns, double unit_ns,
		       unsigned long long *lo, unsigned long long *hi);

/*
 * The order of qplat's map keys, for qsort() and bsearch() over entries
 * that start with their key: by pid, dev, qpn, then (hists) op and lat.
 */
int hist_key_cmp(const void *a, const void *b);	/* qplat_hist_key */
int hist_qp_key_cmp(const void *a, const void *b);	/* qplat_qp_key */

/* qplat's maps read whole (bpfmap_read()): an entry of each. */
struct hist_entry {
	struct qplat_hist_key key;
	struct qplat_hist val;
};

struct hist_ctr_entry {
	struct qplat_qp_key key;
	struct qplat_counters val;
};

/* Their layouts, sorted by key. */
extern const struct bpfmap_layout hist_layout;		/* hists */
extern const struct bpfmap_layout hist_ctr_layout;	/* counters */

#endif /* _HWQNIC_TOOLS_HIST_H */
