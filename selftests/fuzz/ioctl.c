// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: /dev/hwqnic0's ioctl structures against an embedded
 * core device. The input is a sequence of ioctls, each a command byte and
 * the bytes of its structure, some fields steered towards handles that
 * exist. Each goes through the checks and conversions hwqnic.ko uses
 * (kmod/core/ioc.c), then, accepted, through the same core calls
 * kmod/ucontext.c makes, with a context's tables kept here as it keeps
 * them. Invariants, checked after every ioctl: a refused one changed
 * nothing (a fingerprint of every table and object is the same); the
 * device's tables and ours agree, and every PD's and CQ's user count is
 * what its MRs and QPs make it; replies describe what was made. Teardown,
 * in the context's order, must free everything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc.h"
#include "mr.h"

#define PG_SHIFT	12
#define STATS_SIZE	(64 * 4096ULL)
#define MAX_OBJ		48	/* live objects of each kind */
#define MAX_DEPTH	4096	/* larger ones are checked, not made */
#define MAX_PAGES	1024	/* likewise for MRs */
#define STEPS		64

enum { OPEN, ALLOC_PD, DEALLOC_PD, REG_MR, DEREG_MR, CREATE_CQ,
       DESTROY_CQ, CREATE_QP, DESTROY_QP, MODIFY_QP, QUERY_QP, NCMD };

static struct hwqnic_qp_counters counters[HWQNIC_MAX_QP];
static struct hwqnic_core_pd *pds[HWQNIC_MAX_PD];	/* pdn -> PD */
static u8 page[1 << PG_SHIFT] __attribute__((aligned(1 << PG_SHIFT)));

static struct hwqnic_qp_counters *f_counters(struct hwqnic_dev *dev,
					     u32 qpn)
{
	(void)dev;
	memset(&counters[qpn - HWQNIC_FIRST_QPN], 0, sizeof(counters[0]));
	return &counters[qpn - HWQNIC_FIRST_QPN];
}

static const struct hwqnic_dev_ops ops = { .qp_counters = f_counters };

struct in {
	const u8 *p;
	size_t n;
};

static void take(struct in *in, void *dst, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memset(dst, 0, len);
	memcpy(dst, in->p, k);
	in->p += k;
	in->n -= k;
}

static u8 take8(struct in *in)
{
	u8 v;

	take(in, &v, 1);
	return v;
}

/* The first id in use from i on, or ids->n: the tables are large. */
static u32 ids_next(const struct hwqnic_ids *ids, u32 i)
{
	unsigned long w;

	while (i < ids->n) {
		w = ids->map[i / 64] >> (i % 64);
		if (w)
			return i + __builtin_ctzl(w);
		i = (i / 64 + 1) * 64;
	}
	return ids->n;
}

#define for_each_id(ids, i) \
	for ((i) = ids_next(ids, 0); (i) < (ids)->n; (i) = ids_next(ids, (i) + 1))

static u32 count_ids(const struct hwqnic_ids *ids)
{
	u32 i, n = 0;

	for_each_id(ids, i)
		n++;
	return n;
}

/* One of the first 8 ids in use, plus base, or the raw value. */
static u32 pick(const struct hwqnic_ids *ids, u8 sel, u32 raw, u32 base)
{
	u32 i, seen = 0;

	if (sel & 0x80)
		return raw;
	for_each_id(ids, i)
		if (seen++ == (sel & 0x7f) % 8)
			return i + base;
	return raw;
}

/* Non-NULL entries of a whole table: what the ids must account for. */
static u32 live(void *const *tab, u32 max)
{
	u32 i, n = 0;

	for (i = 0; i < max; i++)
		n += !!tab[i];
	return n;
}

/* ---- the invariants ---- */

static u64 mix(u64 h, u64 v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

/* Every table and every object's state as the control path sees it. */
static u64 fingerprint(struct hwqnic_dev *dev)
{
	struct hwqnic_qp_attr at;
	u64 h = 0xcbf29ce484222325ULL;
	u32 i;

	for_each_id(&dev->pd_ids, i)
		h = mix(mix(h, i), pds[i] ? pds[i]->users : ~0ULL);
	for_each_id(&dev->mr_ids, i)
		h = mix(mix(mix(h, dev->mr[i]->key), dev->mr[i]->length),
			dev->mr[i]->access);
	for_each_id(&dev->cq_ids, i)
		h = mix(mix(mix(h, i), dev->cq[i]->users),
			dev->cq[i]->hwq.depth);
	for_each_id(&dev->db_ids, i)
		h = mix(h, i);
	for_each_id(&dev->qp_ids, i) {
		hwqnic_qp_query(dev, dev->qp[i], &at);
		h = mix(mix(h, i), dev->qp[i]->nic.active);
		h = mix(h, at.qp_state);
		h = mix(h, at.qp_access_flags);
		h = mix(h, at.qkey);
		h = mix(h, at.dest_qp_num);
		h = mix(h, (u64)at.rnr_retry << 8 | at.min_rnr_timer);
	}
	return h;
}

/*
 * The device's tables and ours agree: an id is in use exactly where an
 * object is, and user counts are what the MRs and QPs make them.
 */
static void check_tables(struct hwqnic_dev *dev)
{
	static u32 pd_users[HWQNIC_MAX_PD], cq_users[HWQNIC_MAX_CQ];
	struct hwqnic_core_qp *qp;
	struct hwqnic_core_mr *mr;
	u32 i, pdn, n = 0;

	for_each_id(&dev->pd_ids, i) {
		if (!pds[i] || ++n > MAX_OBJ)
			abort();
		pd_users[i] = 0;
	}
	n = 0;
	for_each_id(&dev->cq_ids, i) {
		if (!dev->cq[i] || dev->cq[i]->handle != i || ++n > MAX_OBJ)
			abort();
		cq_users[i] = 0;
	}
	for_each_id(&dev->mr_ids, i) {
		mr = dev->mr[i];
		if (!mr)
			abort();
		pdn = mr->pd->pdn;
		if ((mr->key >> 8) != i || hwqnic_mr_lookup(dev, mr->key) != mr ||
		    pdn >= HWQNIC_MAX_PD || pds[pdn] != mr->pd)
			abort();
		pd_users[pdn]++;
	}
	for_each_id(&dev->qp_ids, i) {
		qp = dev->qp[i];
		if (!qp)
			abort();
		pdn = qp->pd->pdn;
		if (qp->qpn != i + HWQNIC_FIRST_QPN || pdn >= HWQNIC_MAX_PD ||
		    pds[pdn] != qp->pd || qp->scq->handle >= HWQNIC_MAX_CQ ||
		    qp->rcq->handle >= HWQNIC_MAX_CQ ||
		    dev->cq[qp->scq->handle] != qp->scq ||
		    dev->cq[qp->rcq->handle] != qp->rcq)
			abort();
		pd_users[pdn]++;
		cq_users[qp->scq->handle]++;
		cq_users[qp->rcq->handle]++;
	}
	for_each_id(&dev->pd_ids, i)
		if (pds[i]->pdn != i || pds[i]->users != pd_users[i])
			abort();
	for_each_id(&dev->cq_ids, i)
		if (dev->cq[i]->users != cq_users[i])
			abort();
}

/* No entry of a table outside the ids in use (whole tables: now and then). */
static void check_strays(struct hwqnic_dev *dev)
{
	if (count_ids(&dev->pd_ids) != live((void *const *)pds, HWQNIC_MAX_PD) ||
	    count_ids(&dev->mr_ids) != live((void *const *)dev->mr, HWQNIC_MAX_MR) ||
	    count_ids(&dev->cq_ids) != live((void *const *)dev->cq, HWQNIC_MAX_CQ) ||
	    count_ids(&dev->qp_ids) != live((void *const *)dev->qp, HWQNIC_MAX_QP))
		abort();
}

static void check_queue(const struct hwqnic_ioc_queue *q, u32 asked)
{
	if (q->depth < asked || q->slot >= HWQNIC_DB_SLOTS ||
	    q->mmap_len != (u64)q->npages << q->pg_shift ||
	    (u64)q->depth << q->stride_shift > q->mmap_len || q->rsvd)
		abort();
}

/* ---- the ioctls, as ucontext.c makes them ---- */

static int do_open(struct in *in)
{
	struct hwqnic_ioc_open o;
	int rc;

	take(in, &o, sizeof(o));
	if (take8(in) & 1)
		o.abi_version = HWQNIC_ABI_VERSION;
	rc = hwqnic_ioc_open_check(&o, STATS_SIZE, 1 << PG_SHIFT);
	if ((o.abi_version != HWQNIC_ABI_VERSION) != (rc == -EPROTO))
		abort();
	if (!rc && o.stats_addr && (o.stats_len != STATS_SIZE ||
				    o.stats_addr % (1 << PG_SHIFT)))
		abort();
	return rc ? rc : -EBUSY;	/* this context is open already */
}

static int do_alloc_pd(struct hwqnic_dev *dev)
{
	struct hwqnic_core_pd *pd;
	int rc;

	if (count_ids(&dev->pd_ids) >= MAX_OBJ)
		return -ENOMEM;
	pd = calloc(1, sizeof(*pd));
	if (!pd)
		abort();
	rc = hwqnic_pd_alloc(dev, pd);
	if (rc || pd->pdn >= HWQNIC_MAX_PD || pds[pd->pdn]) {
		if (!rc)
			abort();
		free(pd);
		return rc;
	}
	pds[pd->pdn] = pd;
	return 0;
}

static int do_dealloc_pd(struct hwqnic_dev *dev, struct in *in)
{
	struct hwqnic_ioc_pd p;
	struct hwqnic_core_pd *pd;
	int rc;

	take(in, &p, sizeof(p));
	p.pdn = pick(&dev->pd_ids, take8(in), p.pdn, 0);
	pd = p.pdn < HWQNIC_MAX_PD ? pds[p.pdn] : NULL;
	if (!pd)
		return -EINVAL;
	rc = hwqnic_pd_free(dev, pd);
	if (!rc) {
		pds[p.pdn] = NULL;
		free(pd);
	}
	return rc;
}

static int do_reg_mr(struct hwqnic_dev *dev, struct in *in)
{
	struct hwqnic_ioc_mr m;
	struct hwqnic_core_mr *mr;
	struct hwqnic_core_pd *pd;
	dma_addr_t *dma;
	u8 shape = take8(in);
	u32 npages, i;
	u64 first;
	int rc;

	take(in, &m, sizeof(m));
	m.pdn = pick(&dev->pd_ids, take8(in), m.pdn, 0);
	if (shape & 1)
		m.length %= 1 << 20;
	if (shape & 4)		/* near the top of the address space */
		m.addr = 0 - m.addr % (1 << 21);
	if (shape & 2) {
		m.rsvd = 0;
		m.key = 0;
	}
	rc = hwqnic_ioc_mr_check(&m, PG_SHIFT, &first, &npages);
	if (rc)
		return rc;
	if (!m.length || m.addr + m.length < m.addr || m.rsvd || m.key ||
	    !npages || first != m.addr >> PG_SHIFT ||
	    first + npages - 1 != (m.addr + m.length - 1) >> PG_SHIFT)
		abort();
	pd = m.pdn < HWQNIC_MAX_PD ? pds[m.pdn] : NULL;
	if (!pd)
		return -EINVAL;
	/* pinning, which only ucontext.c does, would refuse the rest */
	if (npages > MAX_PAGES ||
	    count_ids(&dev->mr_ids) >= MAX_OBJ)
		return -ENOMEM;
	mr = calloc(1, sizeof(*mr));
	dma = calloc(npages, sizeof(*dma));
	if (!mr || !dma)
		abort();
	for (i = 0; i < npages; i++)
		dma[i] = hwqnic_os_va_to_dma(page);
	rc = hwqnic_mr_reg(dev, mr, pd, m.addr, m.length, m.access, dma,
			   npages, PG_SHIFT);
	free(dma);
	if (rc)
		free(mr);
	return rc;
}

static int do_dereg_mr(struct hwqnic_dev *dev, struct in *in)
{
	struct hwqnic_ioc_mr m;
	struct hwqnic_core_mr *mr;
	u32 idx;

	take(in, &m, sizeof(m));
	idx = pick(&dev->mr_ids, take8(in), ~0U, 0);
	if (idx < HWQNIC_MAX_MR && dev->mr[idx])
		m.key = dev->mr[idx]->key;
	mr = hwqnic_mr_lookup(dev, m.key);
	if (!mr)
		return -EINVAL;
	hwqnic_mr_dereg(dev, mr);
	free(mr);
	return 0;
}

static int do_create_cq(struct hwqnic_dev *dev, struct in *in)
{
	struct hwqnic_ioc_cq c;
	struct hwqnic_core_cq *cq;
	int rc;

	take(in, &c, sizeof(c));
	if (take8(in) & 1) {
		c.cqe %= 2 * MAX_DEPTH;
		c.channel_fd = -1;
	}
	rc = hwqnic_ioc_cq_check(&c);
	if (rc)
		return rc;
	if (!c.cqe || c.cqe > HWQNIC_MAX_CQE || c.channel_fd < -1)
		abort();
	/* a channel is an fd of the process: none here */
	if (c.channel_fd != -1)
		return -EINVAL;
	if (c.cqe > MAX_DEPTH ||
	    count_ids(&dev->cq_ids) >= MAX_OBJ)
		return -ENOMEM;
	cq = calloc(1, sizeof(*cq));
	if (!cq)
		abort();
	rc = hwqnic_cq_create_ex(dev, cq, c.cqe, c.flags);
	if (rc) {
		free(cq);
		return rc;
	}
	hwqnic_ioc_cq_reply(&c, cq, (u64)c.handle << 12);
	check_queue(&c.q, c.cqe);
	if (c.handle != cq->handle || dev->cq[c.handle] != cq)
		abort();
	return 0;
}

static int do_destroy_cq(struct hwqnic_dev *dev, struct in *in)
{
	struct hwqnic_ioc_cq c;
	struct hwqnic_core_cq *cq;
	int rc;

	take(in, &c, sizeof(c));
	c.handle = pick(&dev->cq_ids, take8(in),
			c.handle, 0);
	cq = c.handle < HWQNIC_MAX_CQ ? dev->cq[c.handle] : NULL;
	if (!cq)
		return -EINVAL;
	rc = hwqnic_cq_destroy(dev, cq);
	if (!rc)
		free(cq);
	return rc;
}

static int do_create_qp(struct hwqnic_dev *dev, struct in *in)
{
	struct hwqnic_qp_init_attr ia;
	struct hwqnic_core_cq *scq, *rcq;
	struct hwqnic_core_pd *pd;
	struct hwqnic_core_qp *qp;
	struct hwqnic_ioc_qp q;
	u8 shape = take8(in);
	int rc;

	take(in, &q, sizeof(q));
	q.pdn = pick(&dev->pd_ids, take8(in), q.pdn, 0);
	q.send_cq = pick(&dev->cq_ids, take8(in),
			 q.send_cq, 0);
	q.recv_cq = pick(&dev->cq_ids, take8(in),
			 q.recv_cq, 0);
	if (shape & 1) {
		q.qp_type = shape & 2 ? HWQNIC_QPT_UD :
			    shape & 4 ? HWQNIC_QPT_UC : HWQNIC_QPT_RC;
		q.sq_sig_all &= 1;
		q.rsvd = 0;
		q.max_send_wr %= 2 * MAX_DEPTH;
		q.max_recv_wr %= 2 * MAX_DEPTH;
		q.max_send_sge %= 2 * HWQNIC_MAX_SGE;
		q.max_recv_sge %= 2 * HWQNIC_MAX_SGE;
		q.max_inline_data %= 2 * HWQNIC_MAX_INLINE;
	}
	rc = hwqnic_ioc_qp_init(&q, &ia);
	if (rc)
		return rc;
	if (q.rsvd || q.sq_sig_all > 1 || ia.qp_type != q.qp_type ||
	    ia.cap.max_send_wr != q.max_send_wr ||
	    ia.cap.max_inline_data != q.max_inline_data)
		abort();
	pd = q.pdn < HWQNIC_MAX_PD ? pds[q.pdn] : NULL;
	scq = q.send_cq < HWQNIC_MAX_CQ ? dev->cq[q.send_cq] : NULL;
	rcq = q.recv_cq < HWQNIC_MAX_CQ ? dev->cq[q.recv_cq] : NULL;
	if (!pd || !scq || !rcq)
		return -EINVAL;
	/* deeper than the device allows is hwqnic_qp_create()'s to refuse */
	if ((q.max_send_wr > MAX_DEPTH && q.max_send_wr <= HWQNIC_MAX_QP_WR) ||
	    (q.max_recv_wr > MAX_DEPTH && q.max_recv_wr <= HWQNIC_MAX_QP_WR) ||
	    count_ids(&dev->qp_ids) >= MAX_OBJ)
		return -ENOMEM;
	qp = calloc(1, sizeof(*qp));
	if (!qp)
		abort();
	rc = hwqnic_qp_create(dev, qp, pd, scq, rcq, &ia);
	if (rc) {
		free(qp);
		return rc;
	}
	hwqnic_ioc_qp_reply(&q, qp, 1, 2);
	check_queue(&q.sq, ia.cap.max_send_wr);
	check_queue(&q.rq, 1);
	if (q.qpn != qp->qpn || hwqnic_qp_lookup(dev, q.qpn) != qp ||
	    q.max_send_wr < ia.cap.max_send_wr ||
	    q.max_send_sge > HWQNIC_MAX_SGE ||
	    q.max_inline_data > HWQNIC_MAX_INLINE)
		abort();
	return 0;
}

static int do_destroy_qp(struct hwqnic_dev *dev, struct in *in)
{
	struct hwqnic_core_qp *qp;
	struct hwqnic_ioc_qp q;

	take(in, &q, sizeof(q));
	q.qpn = pick(&dev->qp_ids, take8(in), q.qpn,
		     HWQNIC_FIRST_QPN);
	qp = hwqnic_qp_lookup(dev, q.qpn);
	if (!qp)
		return -EINVAL;
	hwqnic_qp_destroy(dev, qp);
	free(qp);
	return 0;
}

static int do_modify_qp(struct hwqnic_dev *dev, struct in *in)
{
	struct hwqnic_ioc_qp_attr a;
	struct hwqnic_qp_attr attr;
	struct hwqnic_core_qp *qp;
	u8 shape = take8(in);
	int rc, mask;
	u32 i;

	take(in, &a, sizeof(a));
	a.qpn = pick(&dev->qp_ids, take8(in), a.qpn,
		     HWQNIC_FIRST_QPN);
	if (shape & 1) {
		memset(a.rsvd, 0, sizeof(a.rsvd));
		a.attr_mask &= 0x3fffff;
		a.qp_state %= 8;
		a.port_num = 1;
		a.pkey_index = 0;
		a.path_mtu = 1 + a.path_mtu % 5;
	}
	rc = hwqnic_ioc_qp_attr(&a, &attr, &mask);
	if (rc)
		return rc;
	for (i = 0; i < sizeof(a.rsvd); i++)
		if (a.rsvd[i])
			abort();
	if (mask < 0 || (u32)mask != a.attr_mask ||
	    attr.qp_state != a.qp_state || attr.dest_qp_num != a.dest_qp_num)
		abort();
	qp = hwqnic_qp_lookup(dev, a.qpn);
	if (!qp)
		return -EINVAL;
	return hwqnic_qp_modify(dev, qp, &attr, mask);
}

static int do_query_qp(struct hwqnic_dev *dev, struct in *in)
{
	struct hwqnic_ioc_qp_attr a;
	struct hwqnic_qp_attr attr;
	struct hwqnic_core_qp *qp;
	u32 i;

	take(in, &a, sizeof(a));
	a.qpn = pick(&dev->qp_ids, take8(in), a.qpn,
		     HWQNIC_FIRST_QPN);
	qp = hwqnic_qp_lookup(dev, a.qpn);
	if (!qp)
		return -EINVAL;
	hwqnic_qp_query(dev, qp, &attr);
	hwqnic_ioc_qp_attr_reply(&a, qp->qpn, &attr);
	for (i = 0; i < sizeof(a.rsvd); i++)
		if (a.rsvd[i])
			abort();
	if (a.qpn != qp->qpn || a.attr_mask || a.qp_state != attr.qp_state ||
	    a.qp_state > HWQNIC_QPS_ERR)
		abort();
	return 0;
}

static int ioctl_one(struct hwqnic_dev *dev, u8 cmd, struct in *in)
{
	switch (cmd % NCMD) {
	case OPEN:
		return do_open(in);
	case ALLOC_PD:
		return do_alloc_pd(dev);
	case DEALLOC_PD:
		return do_dealloc_pd(dev, in);
	case REG_MR:
		return do_reg_mr(dev, in);
	case DEREG_MR:
		return do_dereg_mr(dev, in);
	case CREATE_CQ:
		return do_create_cq(dev, in);
	case DESTROY_CQ:
		return do_destroy_cq(dev, in);
	case CREATE_QP:
		return do_create_qp(dev, in);
	case DESTROY_QP:
		return do_destroy_qp(dev, in);
	case MODIFY_QP:
		return do_modify_qp(dev, in);
	default:
		return do_query_qp(dev, in);
	}
}

/* The context's end, in uctx_release()'s order: QPs, CQs, MRs, PDs. */
static void teardown(struct hwqnic_dev *dev)
{
	struct hwqnic_core_qp *qp;
	struct hwqnic_core_cq *cq;
	struct hwqnic_core_mr *mr;
	u32 i;

	for (i = 0; i < HWQNIC_MAX_QP; i++) {
		qp = dev->qp[i];
		if (qp) {
			hwqnic_qp_destroy(dev, qp);
			free(qp);
		}
	}
	for (i = 0; i < HWQNIC_MAX_CQ; i++) {
		cq = dev->cq[i];
		if (cq && hwqnic_cq_destroy(dev, cq))
			abort();
		free(cq);
	}
	for (i = 0; i < HWQNIC_MAX_MR; i++) {
		mr = dev->mr[i];
		if (mr) {
			hwqnic_mr_dereg(dev, mr);
			free(mr);
		}
	}
	for (i = 0; i < HWQNIC_MAX_PD; i++) {
		if (pds[i] && hwqnic_pd_free(dev, pds[i]))
			abort();
		free(pds[i]);
		pds[i] = NULL;
	}
	hwqnic_dev_fini(dev);
}

/* HWQNIC_FUZZ_TRACE=1: each ioctl and its result on stderr. */
static const char *const names[NCMD] = {
	"OPEN", "ALLOC_PD", "DEALLOC_PD", "REG_MR", "DEREG_MR", "CREATE_CQ",
	"DESTROY_CQ", "CREATE_QP", "DESTROY_QP", "MODIFY_QP", "QUERY_QP",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int trace = -1;
	struct in in = { data, size };
	struct hwqnic_dev dev;
	u32 steps = 0;
	u64 before;
	u8 cmd;
	int rc;

	if (trace < 0)
		trace = getenv("HWQNIC_FUZZ_TRACE") != NULL;

	memset(&dev, 0, sizeof(dev));
	if (hwqnic_dev_init(&dev, &ops, 1))
		abort();
	while (in.n && steps++ < STEPS) {
		cmd = take8(&in);
		before = fingerprint(&dev);
		rc = ioctl_one(&dev, cmd, &in);
		if (trace)
			fprintf(stderr, "%s: %d\n", names[cmd % NCMD], rc);
		if (rc > 0 || (rc && fingerprint(&dev) != before))
			abort();
		check_tables(&dev);
	}
	check_strays(&dev);
	teardown(&dev);
	if (hwqnic_os_live_allocs(&dev.od))
		abort();
	return 0;
}
