// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * qplat's latency histograms: bucket bounds, the log2 folding, counts,
 * quantiles, mean (hist.h).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

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

/*
 * The three keys are runs of __u32 that share their leading fields (pid,
 * dev, qpn, then op, then lat): each is ordered field by field.
 */
#define KEY_WORDS(type)	(sizeof(type) / sizeof(__u32))
_Static_assert(KEY_WORDS(struct qplat_qp_key) == 3 &&
	       KEY_WORDS(struct qplat_hist_key) == 4 &&
	       KEY_WORDS(struct hist_key) == 5, "keys of __u32 fields only");

static int words_cmp(const __u32 *x, const __u32 *y, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return u32_cmp(x[i], y[i]);
	return 0;
}

int hist_qp_key_cmp(const void *a, const void *b)
{
	return words_cmp(a, b, KEY_WORDS(struct qplat_qp_key));
}

int hist_map_key_cmp(const void *a, const void *b)
{
	return words_cmp(a, b, KEY_WORDS(struct qplat_hist_key));
}

int hist_key_cmp(const void *a, const void *b)
{
	return words_cmp(a, b, KEY_WORDS(struct hist_key));
}

/* An entry type E of a key and a val, in the order cmp gives */
#define LAYOUT(E, cmp_fn) {						\
	.key_size = sizeof(((E *)0)->key),				\
	.value_size = sizeof(((E *)0)->val),				\
	.entry_size = sizeof(E),					\
	.value_off = offsetof(E, val),					\
	.cmp = cmp_fn,							\
}

const struct bpfmap_layout hist_map_layout = LAYOUT(struct hist_map_entry,
						    hist_map_key_cmp);
const struct bpfmap_layout hist_ctr_layout = LAYOUT(struct hist_ctr_entry,
						    hist_qp_key_cmp);

__u64 hist_gain(const __u64 *b, __u64 sum, const __u64 *was_b,
		__u64 was_sum, int n, __u64 *gain)
{
	int k;

	for (k = 0; was_b && k < n; k++)
		if (b[k] < was_b[k])
			was_b = NULL;
	if (was_b && sum < was_sum)
		was_b = NULL;
	for (k = 0; k < n; k++)
		gain[k] = b[k] - (was_b ? was_b[k] : 0);
	return sum - (was_b ? was_sum : 0);
}

/*
 * What latency l of an entry gained since `was` (NULL: all of it) into
 * v; its bounds narrowed to the buckets of the gain. False without a
 * sample gained.
 */
static bool lat_delta(const struct qplat_lat_hist *l,
		      const struct qplat_lat_hist *was, struct hist_val *v)
{
	__u64 max;
	int first, last;

	v->sum_ns = hist_gain(l->buckets, l->sum_ns,
			      was ? was->buckets : NULL,
			      was ? was->sum_ns : 0, QPLAT_BUCKETS,
			      v->buckets);
	if (!hist_span(v->buckets, QPLAT_BUCKETS, &first, &last, &max))
		return false;
	v->count = hist_count(v->buckets, QPLAT_BUCKETS);
	v->min_ns = l->min_ns;
	v->max_ns = l->max_ns;
	if (l->min_ns > l->max_ns)
		return true;	/* not recorded */
	/* the gain's samples lie in its end buckets and in [min, max] */
	if (v->min_ns < (__u64)hist_bucket_lo_ns(first))
		v->min_ns = (__u64)hist_bucket_lo_ns(first);
	if (v->max_ns > (__u64)hist_bucket_hi_ns(last) - 1)
		v->max_ns = (__u64)hist_bucket_hi_ns(last) - 1;
	if (v->min_ns > v->max_ns) {
		/* bounds from a racing update: the buckets' alone */
		v->min_ns = (__u64)hist_bucket_lo_ns(first);
		v->max_ns = (__u64)hist_bucket_hi_ns(last) - 1;
	}
	return true;
}

long hist_split(const struct hist_map_entry *m, long n,
		const struct hist_map_entry *base, long nb,
		struct hist_entry **out)
{
	const struct hist_map_entry *was;
	struct hist_entry *h = NULL, *e;
	long i, k = 0;
	__u32 lat;

	*out = NULL;
	if (n > 0) {
		h = (size_t)n <= SIZE_MAX / QPLAT_LAT_MAX / sizeof(*h) ?
		    malloc((size_t)n * QPLAT_LAT_MAX * sizeof(*h)) : NULL;
		if (!h)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		was = nb > 0 ? bsearch(&m[i].key, base, (size_t)nb,
				       sizeof(*base), hist_map_key_cmp) : NULL;
		for (lat = 0; lat < QPLAT_LAT_MAX; lat++) {
			e = &h[k];
			if (!lat_delta(&m[i].val.lat[lat],
				       was ? &was->val.lat[lat] : NULL,
				       &e->val))
				continue;
			e->key = (struct hist_key){
				.pid = m[i].key.pid, .dev = m[i].key.dev,
				.qpn = m[i].key.qpn, .op = m[i].key.op,
				.lat = lat,
			};
			k++;
		}
	}
	/* m sorted, its latencies in order: h is sorted */
	if (!k) {
		free(h);
		h = NULL;
	}
	*out = h;
	return k;
}

static void ctr_add(struct qplat_counters *a, const struct qplat_counters *b)
{
	a->wqes += b->wqes;
	a->cqes += b->cqes;
	a->err_cqes += b->err_cqes;
	a->bytes += b->bytes;
	a->doorbells += b->doorbells;
	a->polls += b->polls;
	a->empty_polls += b->empty_polls;
}

/*
 * The completion event's counts of a `hists` entry as its QP's counters
 * into *a: 1, or 0 for an entry of the five events (their counts are in
 * `counters`).
 */
static int ctr_of(const struct hist_map_entry *m, struct hist_ctr_entry *a)
{
	if (!m->val.polls && !m->val.err_cqes && !m->val.bytes)
		return 0;
	memset(a, 0, sizeof(*a));
	a->key = (struct qplat_qp_key){
		.pid = m->key.pid, .dev = m->key.dev, .qpn = m->key.qpn,
	};
	a->val.polls = m->val.polls;
	a->val.err_cqes = m->val.err_cqes;
	a->val.bytes = m->val.bytes;
	return 1;
}

long hist_ctr_combine(const struct hist_ctr_entry *c, long nc,
		      const struct hist_map_entry *m, long nm,
		      const struct hist_ctr_entry *t, long nt,
		      struct hist_ctr_entry **out)
{
	struct hist_ctr_entry *a;
	long i, n = 0, k;

	*out = NULL;
	nc = nc > 0 ? nc : 0;
	nm = nm > 0 ? nm : 0;
	nt = nt > 0 ? nt : 0;
	if (!nc && !nm && !nt)
		return 0;
	if ((size_t)nc + (size_t)nm + (size_t)nt > SIZE_MAX / sizeof(*a))
		return -ENOMEM;
	a = malloc(((size_t)nc + (size_t)nm + (size_t)nt) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	for (i = 0; i < nc; i++)
		a[n++] = c[i];
	for (i = 0; i < nm; i++)
		n += ctr_of(&m[i], &a[n]);
	for (i = 0; i < nt; i++)
		a[n++] = t[i];
	if (!n) {
		free(a);
		return 0;
	}
	qsort(a, (size_t)n, sizeof(*a), hist_qp_key_cmp);
	/* one entry per QP: the equal keys, now side by side, summed */
	for (i = 1, k = 0; i < n; i++) {
		if (!hist_qp_key_cmp(&a[k], &a[i]))
			ctr_add(&a[k].val, &a[i].val);
		else
			a[++k] = a[i];
	}
	*out = a;
	return k + 1;
}

static int pid_cmp(const void *a, const void *b)
{
	return u32_cmp(*(const __u32 *)a, *(const __u32 *)b);
}

/*
 * The processes of base that have exited, asked once each before the
 * reading that will be their last, sorted into *out (to free()).
 */
static long exited_pids(const struct hist_base *b, __u32 **out)
{
	__u32 *p;
	long i, n = 0;

	*out = NULL;
	if (!b->exited || b->n <= 0)
		return 0;
	p = malloc((size_t)b->n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	/* base sorted by pid first: each pid once, in order */
	for (i = 0; i < b->n; i++) {
		__u32 pid = b->e[i].key.pid;

		if (!pid || (i && pid == b->e[i - 1].key.pid))
			continue;
		if (b->exited(pid))
			p[n++] = pid;
	}
	if (!n) {
		free(p);
		p = NULL;
	}
	*out = p;
	return n;
}

/*
 * The n entries of m of the nd processes dead deleted from the map, their
 * counts added to b->gone and the entries taken out of m (one that cannot
 * be deleted stays for the next reading). Returns m's new count.
 */
static long prune(int hfd, struct hist_base *b, struct hist_map_entry *m,
		  long n, const __u32 *dead, long nd)
{
	struct hist_ctr_entry *d, *g;
	long i, k = 0, nde = 0, ng;

	if (!nd || n <= 0)
		return n;
	d = malloc((size_t)n * sizeof(*d));
	if (!d)
		return n;
	for (i = 0; i < n; i++) {
		if (bsearch(&m[i].key.pid, dead, (size_t)nd, sizeof(*dead),
			    pid_cmp) &&
		    (!bpf_map_delete_elem(hfd, &m[i].key) || errno == ENOENT))
			nde += ctr_of(&m[i], &d[nde]);
		else if (k == i)
			k++;
		else
			m[k++] = m[i];
	}
	ng = hist_ctr_combine(d, nde, NULL, 0, b->gone, b->ngone, &g);
	if (ng >= 0) {
		free(b->gone);
		b->gone = g;
		b->ngone = ng;
	}
	/* else their counts are lost from the totals, not the intervals */
	free(d);
	return k;
}

int hist_read(int hfd, int cfd, struct hist_base *base,
	      struct hist_entry **h, long *nh, struct hist_ctr_entry **c,
	      long *nc)
{
	struct hist_base *b = h ? base : NULL;
	struct hist_ctr_entry *ctr = NULL, *all = NULL;
	struct hist_map_entry *m = NULL;
	struct hist_entry *hs = NULL;
	long n, nctr = 0, nall = 0, nhs = 0, nd = 0;
	__u32 *dead = NULL;
	int ret = -ENOMEM;

	if (c) {
		nctr = bpfmap_read(cfd, &hist_ctr_layout, (void **)&ctr);
		if (nctr < 0)
			return (int)nctr;
	}
	/* dead before the reading: it holds all they added */
	if (b) {
		nd = exited_pids(b, &dead);
		if (nd < 0)
			goto out;
	}
	n = bpfmap_read(hfd, &hist_map_layout, (void **)&m);
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	if (h) {
		nhs = hist_split(m, n, b ? b->e : NULL, b ? b->n : 0, &hs);
		if (nhs < 0)
			goto out;
	}
	if (c) {
		nall = hist_ctr_combine(ctr, nctr, m, n,
					base ? base->gone : NULL,
					base ? base->ngone : 0, &all);
		if (nall < 0) {
			free(hs);
			goto out;
		}
		*c = all;
		*nc = nall;
	}
	if (h) {
		*h = hs;
		*nh = nhs;
	}
	if (b) {
		b->full = n >= (long)QPLAT_HISTS;
		n = prune(hfd, b, m, n, dead, nd);
		free(b->e);
		b->e = m;
		b->n = n;
		m = NULL;
	}
	ret = 0;
out:
	free(dead);
	free(m);
	free(ctr);
	return ret;
}
