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
 * One histogram as the tools handle it: one process, device, QP, opcode
 * and latency, its count the sum of its buckets. The `hists` map keeps a
 * QP's and opcode's three latencies in one entry (bpf/qplat.h);
 * hist_read() and hist_split() give them one by one.
 */
struct hist_key {
	__u32	pid;
	__u32	dev;
	__u32	qpn;
	__u32	op;		/* enum hwqnic_wc_opcode */
	__u32	lat;		/* enum qplat_lat */
};

struct hist_val {
	__u64	buckets[QPLAT_BUCKETS];
	__u64	count;		/* sum of buckets[] */
	__u64	sum_ns;
	__u64	min_ns;		/* QPLAT_NO_MIN without a sample */
	__u64	max_ns;
};

struct hist_entry {
	struct hist_key key;
	struct hist_val val;
};

/* A QP's counters, as qplat prints them. */
struct hist_ctr_entry {
	struct qplat_qp_key key;
	struct qplat_counters val;
};

/* The entries of qplat's maps as bpfmap_read() gives them. */
struct hist_map_entry {
	struct qplat_hist_key key;
	struct qplat_hist val;
};

/* Their layouts, sorted by key. */
extern const struct bpfmap_layout hist_map_layout;	/* hists */
extern const struct bpfmap_layout hist_ctr_layout;	/* counters */

/*
 * The order of qplat's keys, for qsort() and bsearch() over entries that
 * start with their key: by pid, dev, qpn, then op and lat.
 */
int hist_key_cmp(const void *a, const void *b);		/* hist_key */
int hist_map_key_cmp(const void *a, const void *b);	/* qplat_hist_key */
int hist_qp_key_cmp(const void *a, const void *b);	/* qplat_qp_key */

/*
 * What n buckets b with their sum gained since an earlier reading of them
 * (was_b, was_sum; was_b NULL: none), into gain[n]; returns the sum
 * gained. Fewer samples than before in a bucket, or a smaller sum, mean
 * the histogram was deleted and made again: all it holds is new.
 */
__u64 hist_gain(const __u64 *b, __u64 sum, const __u64 *was_b,
		__u64 was_sum, int n, __u64 *gain);

/*
 * The histograms of n `hists` entries m (sorted) that have samples, one
 * per latency, sorted, into *out (to free(); set on success, NULL when
 * none). With nb entries of an earlier reading of the map in base
 * (sorted; none when nb <= 0): what each latency gained since, its
 * buckets and sum differenced; a latency that lost samples was deleted
 * and made again since, and all it holds is new. The least and greatest
 * samples of a difference are not known: min_ns and max_ns are the
 * entry's (since it was made) narrowed to the difference's first and
 * last non-empty buckets, so they still bound its samples, within a
 * bucket of them. Returns their count, or -ENOMEM.
 */
long hist_split(const struct hist_map_entry *m, long n,
		const struct hist_map_entry *base, long nb,
		struct hist_entry **out);

/*
 * A QP's counters are split between the maps (bpf/qplat.h): the five
 * events count in `counters`, the completion event in the `hists`
 * entries of the QP's opcodes. Combined here, the one place that does it:
 * the nc entries of c (`counters`, any order), the completion event's
 * counts (polls, err_cqes, bytes) of the nm `hists` entries m summed over
 * their opcodes, and the nt entries of t (counts a reader kept of
 * entries it deleted, any order), one entry per QP, summed field by
 * field, sorted, into *out (to free(); NULL when none). Returns their
 * count, or -ENOMEM.
 */
long hist_ctr_combine(const struct hist_ctr_entry *c, long nc,
		      const struct hist_map_entry *m, long nm,
		      const struct hist_ctr_entry *t, long nt,
		      struct hist_ctr_entry **out);

/*
 * A reader's last reading of `hists` (sorted), the base its next one is
 * differenced from. Entries are never deleted while their process may
 * add to them: a program that looked one up before the delete would add
 * to a copy no longer in the map, and the count would be lost. Those of
 * a process that had exited before a reading (exited(pid) true; never
 * asked of pid 0) are deleted after it, so that the map does not fill
 * with the dead; their counts are kept in gone.
 */
struct hist_base {
	struct hist_map_entry *e;
	long n;
	bool (*exited)(__u32 pid);	/* NULL: none deleted */
	struct hist_ctr_entry *gone;	/* sorted (hist_ctr_combine()'s) */
	long ngone;
	bool full;	/* the last reading found QPLAT_HISTS entries */
};

/*
 * qplat's maps read at once. With h: the histograms of `hists` (fd hfd)
 * with samples, as hist_split() gives them, into *h and *nh: cumulative
 * without base, else what they gained since *base, which then becomes
 * this reading, less the entries of exited processes, deleted. With c:
 * every QP's counters, as hist_ctr_combine() gives them, from `counters`
 * (fd cfd), `hists` and base's gone (when base), cumulative. base is
 * differenced from, and becomes the reading, only with h. 0, or -EINVAL
 * (a map not of its layout), -ENOMEM or another -errno of bpf(2); then
 * nothing is set nor allocated, nor deleted, and *base is as it was.
 */
int hist_read(int hfd, int cfd, struct hist_base *base,
	      struct hist_entry **h, long *nh, struct hist_ctr_entry **c,
	      long *nc);

#endif /* _HWQNIC_TOOLS_HIST_H */
