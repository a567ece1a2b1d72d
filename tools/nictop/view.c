// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The rows that pass nictop's filters, in its sort order, and totals. */
#include <stdlib.h>
#include <string.h>

#include "nictop.h"

static bool row_shown(const struct row *r, const struct opts *o)
{
	return (o->pid < 0 || r->pid == o->pid) &&
	       (o->qpn < 0 || r->qpn == (unsigned long long)o->qpn);
}

bool dev_shown(const struct snapshot *sn, const struct dev_row *d,
		      const struct opts *o)
{
	unsigned int i;

	if (o->pid >= 0 && d->pid != o->pid)
		return false;
	if (o->qpn < 0)
		return true;
	for (i = 0; i < sn->nrow; i++)
		if (sn->row[i].pid == d->pid && row_shown(&sn->row[i], o) &&
		    !strcmp(sn->row[i].dev, d->name))
			return true;
	return false;
}

__u64 qp_wire_drops(const struct hwqnic_qp_wire_counters *w)
{
	return w->drop_state + w->drop_qkey + w->drop_opcode + w->drop_len;
}

__u64 dev_wire_drops(const struct hwqnic_wire_counters *wc)
{
	__u64 n = 0;
	unsigned int i;

	for (i = 0; i < HWQNIC_DROP_SLOTS; i++)
		n += wc->drops[i];
	return n;
}

/* Whether a device the filters show is bound to a netdev: wire columns. */
bool wire_shown(const struct snapshot *sn, const struct opts *o)
{
	unsigned int i;

	if (!sn->wire)
		return false;
	for (i = 0; i < sn->ndev; i++)
		if (sn->dev[i].wire && dev_shown(sn, &sn->dev[i], o))
			return true;
	return false;
}

/* A wire column's figure; unknown (-1) for a QP of an unbound device. */
static double row_wire_num(const struct row *r, int col)
{
	if (!r->wire)
		return -1;
	switch (col) {
	case C_RXPK:	return r->wr.rx_pkts_s;
	case C_TXPK:	return r->wr.tx_pkts_s;
	case C_RXB:	return r->wr.rx_bytes_s;
	case C_TXB:	return r->wr.tx_bytes_s;
	case C_RETX:	return r->w.retransmits;
	case C_DROP:	return qp_wire_drops(&r->w);
	}
	return -1;
}

double row_num(const struct row *r, int col)
{
	if (cols[col].wire)
		return row_wire_num(r, col);
	switch (col) {
	case C_QPN:	return r->qpn;
	case C_TYPE:	return r->type;
	case C_STATE:	return r->state;
	case C_PID:	return r->pid;
	case C_OPS:	return r->ops_s;
	case C_MIB:	return r->mib_s;
	case C_SQ:	return r->c.sq_outstanding;
	case C_RQ:	return r->c.rq_outstanding;
	case C_CQBL:	return r->cqbl;
	case C_P50:	return r->p50;
	case C_P99:	return r->p99;
	case C_E2E99:	return r->e2e99;
	case C_ERR:	return r->c.errors;
	}
	return 0;
}

static int num_cmp(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int row_cmp_col(const struct row *a, const struct row *b, int col)
{
	if (col == C_COMM)
		return strcmp(a->comm, b->comm);
	if (col == C_DEV)
		return strcmp(a->dev, b->dev);
	return num_cmp(row_num(a, col), row_num(b, col));
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct row *a = *(const struct row *const *)pa;
	const struct row *b = *(const struct row *const *)pb;
	const struct opts *o = arg;
	int c = row_cmp_col(a, b, o->sort);

	if (cols[o->sort].desc != o->reverse)
		c = -c;
	if (!c)
		c = num_cmp(a->pid, b->pid);
	if (!c)
		c = strcmp(a->dev, b->dev);
	return c ? c : num_cmp(a->qpn, b->qpn);
}

/* The rows that pass the filters, sorted; returns their count. */
unsigned int view_build(const struct snapshot *sn,
			       const struct opts *o, const struct row ***out)
{
	const struct row **v = msg_xcalloc(sn->nrow, sizeof(*v));
	unsigned int i, n = 0;

	for (i = 0; i < sn->nrow; i++)
		if (row_shown(&sn->row[i], o))
			v[n++] = &sn->row[i];
	qsort_r(v, n, sizeof(*v), row_cmp, (void *)o);
	*out = v;
	return n;
}

void totals_build(const struct snapshot *sn, const struct opts *o,
			 struct totals *t)
{
	__u64 busy = 0, run = 0;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sn->nrow; i++) {
		if (!row_shown(&sn->row[i], o))
			continue;
		t->nqp++;
		t->errors += sn->row[i].c.errors;
		t->ops_s += MAX(sn->row[i].ops_s, 0);
		t->mib_s += MAX(sn->row[i].mib_s, 0);
		t->cqes_s += MAX(sn->row[i].cqes_s, 0);
	}
	for (i = 0; i < sn->ndev; i++) {
		if (!dev_shown(sn, &sn->dev[i], o))
			continue;
		t->ndev++;
		busy += sn->dev[i].busy_ns;
		run += sn->dev[i].run_ns;
	}
	t->busy_pct = run ? 100.0 * busy / run : -1;
}

double dev_busy(const struct dev_row *d)
{
	return d->run_ns ? 100.0 * d->busy_ns / d->run_ns : -1;
}

