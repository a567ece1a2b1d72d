// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What nictop shows of two readings: per QP and device, the rates
 * between them, the CQ backlog, and the latency percentiles of what
 * qplat's histograms gained.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nictop.h"
#include "lib/hist.h"

/* ---- latencies from the histograms ---- */

static const struct hist_entry *hist_find(const struct lat_sample *l,
					const struct hist_key *k)
{
	struct hist_entry key = { .key = *k };

	if (!l->nhist)
		return NULL;
	return bsearch(&key, l->hist, l->nhist, sizeof(key), hist_key_cmp);
}

/*
 * Adds what a histogram gained since the previous sample to acc
 * (hist_gain(): one made again since, qplat having deleted an exited
 * process's entry whose pid came back, is new).
 */
static void hist_add_delta(__u64 *acc, const struct hist_entry *cur,
			   const struct hist_entry *prev)
{
	__u64 gain[QPLAT_BUCKETS];
	int k;

	hist_gain(cur->val.buckets, cur->val.sum_ns,
		  prev ? prev->val.buckets : NULL, prev ? prev->val.sum_ns : 0,
		  QPLAT_BUCKETS, gain);
	for (k = 0; k < (int)QPLAT_BUCKETS; k++)
		acc[k] += gain[k];
}

/* The first entry of (pid, dev, qpn) in l->hist, or l->nhist. */
static size_t hist_lower(const struct lat_sample *l, __u32 pid, __u32 dev,
			 __u32 qpn)
{
	struct hist_key k = { .pid = pid, .dev = dev, .qpn = qpn };
	size_t lo = 0, hi = l->nhist, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (hist_key_cmp(&l->hist[mid].key, &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool same_qp(const struct hist_key *k, __u32 pid, __u32 dev,
		    __u32 qpn)
{
	return k->pid == pid && k->dev == dev && k->qpn == qpn;
}

/*
 * The interval's buckets of one QP, summed over opcodes; returns its
 * device and e2e samples.
 */
static __u64 qp_hists(const struct lat_sample *cur,
		      const struct lat_sample *prev, __u32 pid, __u32 dev,
		      __u32 qpn, __u64 acc[QPLAT_LAT_MAX][QPLAT_BUCKETS])
{
	const struct hist_entry *h, *p;
	__u64 n = 0;
	size_t i;
	int k;

	memset(acc, 0, sizeof(__u64) * QPLAT_LAT_MAX * QPLAT_BUCKETS);
	for (i = hist_lower(cur, pid, dev, qpn); i < cur->nhist; i++) {
		h = &cur->hist[i];
		if (!same_qp(&h->key, pid, dev, qpn))
			break;
		if (h->key.lat >= QPLAT_LAT_MAX)
			continue;
		p = hist_find(prev, &h->key);
		hist_add_delta(acc[h->key.lat], h, p);
	}
	for (k = 0; k < (int)QPLAT_BUCKETS; k++)
		n += acc[QPLAT_LAT_DEVICE][k] + acc[QPLAT_LAT_E2E][k];
	return n;
}

static double quantile_us(const __u64 *buckets, double p)
{
	double ns = hist_quantile_ns(buckets, QPLAT_BUCKETS, p);

	return ns < 0 ? -1 : ns / 1000;
}

/* Fills r's latencies; returns the samples they come from. */
static __u64 row_lat(struct row *r, long id, const struct lat_sample *cur,
		     const struct lat_sample *prev)
{
	__u64 acc[QPLAT_LAT_MAX][QPLAT_BUCKETS];
	__u64 n;

	r->p50 = r->p99 = r->e2e99 = r->pick50 = -1;
	if (id < 0 || !cur->ok || !prev || !prev->ok ||
	    prev->hist_id != cur->hist_id)
		return 0;
	n = qp_hists(cur, prev, r->pid, id, r->qpn, acc);
	r->p50 = quantile_us(acc[QPLAT_LAT_DEVICE], 0.5);
	r->p99 = quantile_us(acc[QPLAT_LAT_DEVICE], 0.99);
	r->e2e99 = quantile_us(acc[QPLAT_LAT_E2E], 0.99);
	r->pick50 = quantile_us(acc[QPLAT_LAT_PICKUP], 0.5);
	return n;
}

/*
 * CQEs written and not yet polled, from the published counters: a QP's
 * owner retires a WQE when it polls its CQE, so with every WR signaled the
 * backlog is the CQEs written less the WQEs retired. Unsignaled WRs retire
 * without a CQE of their own: far fewer CQEs than retired WQEs gives them
 * away, and then this cannot tell (-1).
 */
static long long cqbl_published(const struct hwqnic_qp_counters *c)
{
	int64_t retired = (int64_t)(c->posts - c->sq_outstanding) +
			  (int64_t)(c->recv_posts - c->rq_outstanding);
	int64_t est = (int64_t)c->completions - retired;

	if (est < -CQBL_SLACK)
		return -1;
	return est > 0 ? est : 0;
}

/*
 * The same from qplat's counters: CQEs less polls since qplat attached.
 * qplat's default mode (the completion event) sees polls but no CQE being
 * written: no CQEs and some polls say so, and then this cannot tell (-1).
 */
static long long row_cqbl(const struct lat_sample *l, int pid, long id,
			  __u32 qpn)
{
	struct hist_ctr_entry key = {
		.key = { .pid = pid, .dev = id, .qpn = qpn },
	};
	const struct hist_ctr_entry *c;

	if (id < 0 || !l->ok || !l->nctr)
		return -1;
	c = bsearch(&key, l->ctr, l->nctr, sizeof(key), hist_qp_key_cmp);
	if (!c || (!c->val.cqes && c->val.polls))
		return -1;
	return c->val.cqes > c->val.polls ?
	       (long long)(c->val.cqes - c->val.polls) : 0;
}

/* ---- snapshots ---- */

static const struct dev_sample *dev_find(const struct sample *s,
					 const struct dev_sample *d)
{
	if (!s || !s->ndev)
		return NULL;
	return bsearch(d, s->dev, s->ndev, sizeof(*d), dev_cmp);
}

static const struct qp_sample *qp_find(const struct dev_sample *d, __u32 qpn)
{
	unsigned int lo = 0, hi = d ? d->nqp : 0, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (d->qp[mid].qpn == qpn)
			return &d->qp[mid];
		if (d->qp[mid].qpn < qpn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The previous reading of a QP, unless its counters restarted (a new QP). */
static const struct qp_sample *qp_prev(const struct dev_sample *d,
				       const struct qp_sample *q)
{
	const struct qp_sample *p = qp_find(d, q->qpn);

	if (p && (q->c.posts < p->c.posts ||
		  q->c.recv_posts < p->c.recv_posts ||
		  q->c.completions < p->c.completions ||
		  q->c.bytes < p->c.bytes ||
		  q->w.tx_pkts < p->w.tx_pkts || q->w.rx_pkts < p->w.rx_pkts ||
		  q->w.tx_bytes < p->w.tx_bytes ||
		  q->w.rx_bytes < p->w.rx_bytes))
		return NULL;
	return p;
}

/*
 * Packet and byte rates from two readings of the same four counters (p
 * NULL: from zero); unknown (-1) without an interval.
 */
static void wire_rates(struct wire_rates *wr, const __u64 cur[4],
		       const __u64 prev[4], double dt)
{
	static const __u64 zero[4];

	if (dt <= 0) {
		wr->rx_pkts_s = wr->tx_pkts_s = -1;
		wr->rx_bytes_s = wr->tx_bytes_s = -1;
		return;
	}
	if (!prev)
		prev = zero;
	wr->rx_pkts_s = (double)(cur[0] - prev[0]) / dt;
	wr->tx_pkts_s = (double)(cur[1] - prev[1]) / dt;
	wr->rx_bytes_s = (double)(cur[2] - prev[2]) / dt;
	wr->tx_bytes_s = (double)(cur[3] - prev[3]) / dt;
}

static void row_rates(struct row *r, const struct qp_sample *q,
		      const struct qp_sample *p, double dt)
{
	static const struct qp_sample zero;

	r->ops_s = r->mib_s = r->cqes_s = -1;
	if (dt <= 0)
		return;
	if (!p)
		p = &zero;
	r->ops_s = (double)(q->c.posts + q->c.recv_posts - p->c.posts -
			    p->c.recv_posts) / dt;
	r->mib_s = (double)(q->c.bytes - p->c.bytes) / MIB / dt;
	r->cqes_s = (double)(q->c.completions - p->c.completions) / dt;
}

static void row_fill(struct row *r, const struct dev_sample *d,
		     const struct qp_sample *q, const struct qp_sample *p,
		     double dt)
{
	memset(r, 0, sizeof(*r));
	r->pid = d->pid;
	memcpy(r->comm, d->comm, sizeof(r->comm));
	memcpy(r->dev, d->name, sizeof(r->dev));
	r->qpn = q->qpn;
	r->type = q->type;
	r->state = q->state;
	r->send_cq = q->send_cq;
	r->recv_cq = q->recv_cq;
	r->c = q->c;
	row_rates(r, q, p, dt);
	r->wire = d->wire;
	r->w = q->w;
	if (d->wire) {
		const __u64 cur[4] = { q->w.rx_pkts, q->w.tx_pkts,
				       q->w.rx_bytes, q->w.tx_bytes };
		const __u64 was[4] = { p ? p->w.rx_pkts : 0,
				       p ? p->w.tx_pkts : 0,
				       p ? p->w.rx_bytes : 0,
				       p ? p->w.tx_bytes : 0 };

		wire_rates(&r->wr, cur, was, dt);
	}
}

/*
 * The device's wire counters: its previous reading's, unless they went
 * down (another device of the same process and name), then from zero.
 */
static void dev_wire_fill(struct dev_row *dr, const struct dev_sample *d,
			  const struct dev_sample *pd, double dt)
{
	const struct hwqnic_wire_counters *c = &d->wc;
	const __u64 cur[4] = { c->rx_pkts, c->tx_pkts, c->rx_bytes,
			       c->tx_bytes };
	__u64 was[4] = { 0 };

	dr->wire = true;
	memcpy(dr->netdev, d->netdev, sizeof(dr->netdev));
	dr->wc = *c;
	if (pd && pd->wire) {
		was[0] = pd->wc.rx_pkts;
		was[1] = pd->wc.tx_pkts;
		was[2] = pd->wc.rx_bytes;
		was[3] = pd->wc.tx_bytes;
		if (cur[0] < was[0] || cur[1] < was[1] || cur[2] < was[2] ||
		    cur[3] < was[3])
			memset(was, 0, sizeof(was));
	}
	wire_rates(&dr->wr, cur, was, dt);
}

static void dev_row_fill(struct dev_row *dr, const struct dev_sample *d,
			 const struct dev_sample *pd, const struct row *rows,
			 double dt)
{
	unsigned int i;

	memset(dr, 0, sizeof(*dr));
	dr->pid = d->pid;
	memcpy(dr->comm, d->comm, sizeof(dr->comm));
	memcpy(dr->name, d->name, sizeof(dr->name));
	if (d->wire)
		dev_wire_fill(dr, d, pd, dt);
	dr->ops_s = dr->mib_s = dr->cqes_s = dt > 0 ? 0 : -1;
	for (i = 0; i < d->nqp; i++) {
		dr->errors += rows[i].c.errors;
		if (dt <= 0)
			continue;
		dr->ops_s += rows[i].ops_s;
		dr->mib_s += rows[i].mib_s;
		dr->cqes_s += rows[i].cqes_s;
	}
	if (dt <= 0)
		return;
	dr->busy_ns = d->eng.busy_ns;
	dr->run_ns = d->eng.run_ns;
	if (pd && d->eng.run_ns >= pd->eng.run_ns &&
	    d->eng.busy_ns >= pd->eng.busy_ns) {
		dr->busy_ns -= pd->eng.busy_ns;
		dr->run_ns -= pd->eng.run_ns;
	}
}

/* The rows of one device; returns the latency samples behind them. */
static __u64 snap_dev(struct snapshot *sn, const struct sample *cur,
		      const struct sample *prev, const struct dev_sample *d)
{
	const struct dev_sample *pd = dev_find(prev, d);
	struct row *rows = sn->row + sn->nrow;
	const struct lat_sample *pl = prev ? &prev->lat : NULL;
	unsigned int i;
	__u64 n = 0;

	for (i = 0; i < d->nqp; i++) {
		row_fill(&rows[i], d, &d->qp[i], qp_prev(pd, &d->qp[i]),
			 sn->interval);
		n += row_lat(&rows[i], d->id, &cur->lat, pl);
		rows[i].cqbl = cqbl_published(&d->qp[i].c);
		if (rows[i].cqbl < 0)
			rows[i].cqbl = row_cqbl(&cur->lat, d->pid, d->id,
						d->qp[i].qpn);
	}
	dev_row_fill(&sn->dev[sn->ndev++], d, pd, rows, sn->interval);
	sn->nrow += d->nqp;
	return n;
}

static void snap_lat_status(struct snapshot *sn, const struct sample *cur,
			    const struct sample *prev, const char *dir,
			    __u64 n)
{
	const struct lat_sample *l = &cur->lat;

	if (!l->ok)
		snprintf(sn->lat_status, sizeof(sn->lat_status),
			 "latency: %s", l->why);
	else if (!prev || !prev->lat.ok || prev->lat.hist_id != l->hist_id)
		snprintf(sn->lat_status, sizeof(sn->lat_status),
			 "latency: qplat maps at %s; percentiles from the "
			 "next interval", dir);
	else
		snprintf(sn->lat_status, sizeof(sn->lat_status),
			 "latency: qplat maps at %s, %" PRIu64 " samples in "
			 "the interval (us)", dir, (uint64_t)n);
}

struct snapshot *snapshot_build(const struct sample *cur,
				       const struct sample *prev,
				       const char *dir)
{
	struct snapshot *sn = msg_xcalloc(1, sizeof(*sn));
	unsigned int i, nqp = 0;
	__u64 n = 0;

	sn->wall = cur->wall;
	sn->skipped = cur->skipped;
	if (prev && cur->mono_ns > prev->mono_ns)
		sn->interval = (double)(cur->mono_ns - prev->mono_ns) /
			       NSEC_PER_SEC;
	for (i = 0; i < cur->ndev; i++) {
		nqp += cur->dev[i].nqp;
		sn->wire |= cur->dev[i].wire;
	}
	sn->row = msg_xcalloc(nqp, sizeof(*sn->row));
	sn->dev = msg_xcalloc(cur->ndev, sizeof(*sn->dev));
	for (i = 0; i < cur->ndev; i++)
		n += snap_dev(sn, cur, prev, &cur->dev[i]);
	snap_lat_status(sn, cur, prev, dir, n);
	return sn;
}

void snapshot_free(struct snapshot *sn)
{
	if (!sn)
		return;
	free(sn->row);
	free(sn->dev);
	free(sn);
}

