// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Queue pairs: creation, the state machine, and the host's posting path. */
#include "qp.h"
#include "opcode.h"
#include "xport.h"
#include <hwqnic/stats.h>

#define SQ_HDR	sizeof(struct hwqnic_send_wqe)
#define RQ_HDR	sizeof(struct hwqnic_recv_wqe)
#define SGE	sizeof(struct hwqnic_wqe_sge)

static u32 roundup_pow2(u32 x)
{
	u32 r = 1;

	while (r < x)
		r <<= 1;
	return r;
}

/* Only a device with a port counts packets, where its backend says. */
static struct hwqnic_qp_wire_counters *
hwqnic_qp_wire_counters(struct hwqnic_dev *dev, u32 qpn)
{
	if (!dev->port || !dev->ops->qp_wire_counters)
		return NULL;
	return dev->ops->qp_wire_counters(dev, qpn);
}

/* A UD QP of a device with a port takes packets from anyone */
static bool qp_steered_at_create(const struct hwqnic_dev *dev,
				 const struct hwqnic_core_qp *qp)
{
	return dev->port && qp->type == HWQNIC_QPT_UD && dev->port->qp_steer;
}

/*
 * A free QP number's index for qp (dev->lock held), steered when the QP
 * is steered from its creation. A number that another device on the same
 * netdev steers already (-EEXIST, e.g. another process's QP) is passed
 * over for the next free one: each is tried once at most, as the ids'
 * hint moves on.
 */
static int qp_pick_id(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	u32 tries;
	int i, rc;

	for (tries = 0; tries < dev->qp_ids.n; tries++) {
		i = hwqnic_ids_get(&dev->qp_ids);
		if (i < 0 || !qp_steered_at_create(dev, qp))
			return i;
		rc = dev->port->qp_steer(dev, HWQNIC_FIRST_QPN + i, true);
		if (!rc)
			return i;
		hwqnic_ids_put(&dev->qp_ids, i);
		if (rc != -EEXIST)
			return rc;
	}
	return -EEXIST;
}

/*
 * The host's record of post times of the SQ (or RQ), one per slot, and
 * after them a byte per slot saying whether its WR was sampled: the
 * host's own memory, so that the NIC never handles it. Made with the
 * queue when its CQ is timestamped or the complete event is traced, else
 * at its first sampled WR (the poster's, under the queue's lock), so that
 * a process traced while it runs, or whose probe's semaphore the kernel
 * set only after its QPs were made, has times from then on. An untraced
 * queue of a plain CQ has none, and its posts pay nothing for times.
 * Published with a release: the poller reads a slot's post time only from
 * a CQE the engine wrote after that WR's doorbell, which the publication
 * precedes; the marks are read on a timestamped CQ only, whose queues
 * have theirs from the start. False without memory: a queue made later
 * then goes on completing without times, as an untraced one.
 */
static hwqnic_os_cold bool qp_record(struct hwqnic_dev *dev,
				     struct hwqnic_core_qp *qp, bool recv)
{
	u32 depth = recv ? qp->rq.depth : qp->sq.depth;
	u64 *p = hwqnic_os_zalloc(&dev->od, depth * (sizeof(u64) + 1));

	if (!p)
		return false;
	if (recv) {
		qp->rq_mark = (u8 *)(p + depth);
		smp_store_release(&qp->rq_post_ns, p);
	} else {
		qp->sq_mark = (u8 *)(p + depth);
		smp_store_release(&qp->sq_post_ns, p);
	}
	return true;
}

static void qp_post_ns_free(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	hwqnic_os_free(&dev->od, qp->sq_post_ns);
	hwqnic_os_free(&dev->od, qp->rq_post_ns);
	qp->sq_post_ns = NULL;
	qp->rq_post_ns = NULL;
	qp->sq_mark = NULL;
	qp->rq_mark = NULL;
}

/*
 * The queues' records a QP is made with (qp_record()); the samplers are
 * seeded here, by whichever side posts.
 */
static int qp_post_ns_alloc(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	u64 seed = hwqnic_os_now_ns() ^ (u64)qp->qpn * 0x9e3779b97f4a7c15ULL;
	bool traced = hwqnic_trace_enabled(complete);

	qp->sq_smp = (struct hwqnic_sample){ .rng = seed | 1 };
	qp->rq_smp = (struct hwqnic_sample){ .rng = (seed << 1) ^ 0xda3e39cb };
	if (((traced || hwqnic_cq_ts(qp->scq)) && !qp_record(dev, qp, false)) ||
	    ((traced || hwqnic_cq_ts(qp->rcq)) && !qp_record(dev, qp, true))) {
		qp_post_ns_free(dev, qp);
		return -ENOMEM;
	}
	return 0;
}

int hwqnic_qp_create(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     struct hwqnic_core_pd *pd, struct hwqnic_core_cq *scq,
		     struct hwqnic_core_cq *rcq,
		     struct hwqnic_qp_init_attr *attr)
{
	struct hwqnic_qp_cap *c = &attr->cap;
	u32 sq_stride, rq_stride;
	int rc, i;

	if ((attr->qp_type != HWQNIC_QPT_RC && attr->qp_type != HWQNIC_QPT_UC &&
	     attr->qp_type != HWQNIC_QPT_UD) ||
	    !c->max_send_wr || c->max_send_wr > HWQNIC_MAX_QP_WR ||
	    c->max_recv_wr > HWQNIC_MAX_QP_WR ||
	    c->max_send_sge > HWQNIC_MAX_SGE ||
	    c->max_recv_sge > HWQNIC_MAX_SGE ||
	    c->max_inline_data > HWQNIC_MAX_INLINE)
		return -EINVAL;
	sq_stride = roundup_pow2(SQ_HDR + (c->max_send_sge * SGE >
					   c->max_inline_data ?
					   c->max_send_sge * SGE :
					   c->max_inline_data));
	rq_stride = roundup_pow2(RQ_HDR + c->max_recv_sge * SGE);

	memset(qp, 0, sizeof(*qp));
	rc = hwqnic_hwq_init(&dev->od, &qp->sq, c->max_send_wr, sq_stride,
			     HWQNIC_PBL_TBL_SHIFT);
	if (rc)
		return rc;
	rc = hwqnic_hwq_init(&dev->od, &qp->rq,
			     c->max_recv_wr ? c->max_recv_wr : 1, rq_stride,
			     HWQNIC_PBL_TBL_SHIFT);
	if (rc)
		goto free_sq;

	c->max_send_sge = min_t(u32, HWQNIC_MAX_SGE, (sq_stride - SQ_HDR) / SGE);
	c->max_inline_data = min_t(u32, HWQNIC_MAX_INLINE, sq_stride - SQ_HDR);
	c->max_recv_sge = min_t(u32, HWQNIC_MAX_SGE, (rq_stride - RQ_HDR) / SGE);
	qp->type = attr->qp_type;
	qp->sig_all = attr->sq_sig_all;
	qp->pd = pd;
	qp->scq = scq;
	qp->rcq = rcq;
	qp->cap = *c;
	qp->host_state = HWQNIC_QPS_RESET;
	qp->nic.state = HWQNIC_QPS_RESET;
	qp->nic.rnr_retry = HWQNIC_RNR_RETRY_FOREVER;
	hwqnic_hwq_ctx(&qp->sq, &qp->nic.sq);
	hwqnic_hwq_ctx(&qp->rq, &qp->nic.rq);
	/* hwqnic.ko's QPs of a process: the process posts, and records */
	if (!dev->user_host) {
		rc = qp_post_ns_alloc(dev, qp);
		if (rc)
			goto free_rq;
	}

	hwqnic_lock(&dev->lock);
	rc = i = qp_pick_id(dev, qp);
	if (i < 0)
		goto unlock;
	qp->qpn = HWQNIC_FIRST_QPN + i;
	rc = hwqnic_dev_db_pair(dev, &qp->sq_slot, &qp->rq_slot, true);
	if (rc) {
		if (qp_steered_at_create(dev, qp))
			dev->port->qp_steer(dev, qp->qpn, false);
		hwqnic_ids_put(&dev->qp_ids, i);
		goto unlock;
	}
	qp->cnt = dev->ops->qp_counters(dev, qp->qpn);
	qp->wcnt = hwqnic_qp_wire_counters(dev, qp->qpn);
	hwqnic_lock_init(&qp->sq_lock);
	hwqnic_lock_init(&qp->rq_lock);
	pd->users++;
	scq->users++;
	rcq->users++;
	WRITE_ONCE(dev->qp[i], qp);
unlock:
	hwqnic_unlock(&dev->lock);
	if (rc >= 0)
		return 0;
	qp_post_ns_free(dev, qp);
free_rq:
	hwqnic_hwq_free(&dev->od, &qp->rq);
free_sq:
	hwqnic_hwq_free(&dev->od, &qp->sq);
	return rc;
}

void hwqnic_qp_deactivate(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	u32 i;

	if (!qp->nic.active)
		return;
	for (i = 0; i < dev->nactive; i++) {
		if (dev->active[i] == qp) {
			dev->active[i] = dev->active[--dev->nactive];
			break;
		}
	}
	qp->nic.active = false;
}

/*
 * The QP has left the device's table: a poller that found it before is
 * done once each CQ lock has been taken; then its locks go too.
 */
static void qp_host_fini(struct hwqnic_core_qp *qp)
{
	hwqnic_lock(&qp->scq->lock);
	hwqnic_unlock(&qp->scq->lock);
	hwqnic_lock(&qp->rcq->lock);
	hwqnic_unlock(&qp->rcq->lock);
	hwqnic_lock_destroy(&qp->sq_lock);
	hwqnic_lock_destroy(&qp->rq_lock);
}

/*
 * The QP's completions leave its CQs, once the NIC writes no more of them
 * (reset, destroy): they belong to a life of the QP, or of its QPN, that
 * is over, and would retire WQEs of the next one.
 */
void hwqnic_qp_clean_cqs(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	hwqnic_lock(&qp->scq->lock);
	hwqnic_cq_clean(dev, qp->scq, qp->qpn);
	hwqnic_unlock(&qp->scq->lock);
	if (qp->rcq == qp->scq)
		return;
	hwqnic_lock(&qp->rcq->lock);
	hwqnic_cq_clean(dev, qp->rcq, qp->qpn);
	hwqnic_unlock(&qp->rcq->lock);
}

void hwqnic_qp_destroy(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	hwqnic_lock(&dev->lock);
	WRITE_ONCE(dev->qp[qp->qpn - HWQNIC_FIRST_QPN], NULL);
	hwqnic_ids_put(&dev->qp_ids, qp->qpn - HWQNIC_FIRST_QPN);
	hwqnic_qp_deactivate(dev, qp);
	hwqnic_dev_db_pair_put(dev, qp->sq_slot, qp->rq_slot);
	hwqnic_wire_qp_free(dev, qp);
	qp->pd->users--;
	qp->scq->users--;
	qp->rcq->users--;
	hwqnic_unlock(&dev->lock);
	if (!dev->user_host)
		hwqnic_qp_clean_cqs(dev, qp);
	qp_host_fini(qp);
	qp_post_ns_free(dev, qp);
	hwqnic_hwq_free(&dev->od, &qp->rq);
	hwqnic_hwq_free(&dev->od, &qp->sq);
}

/*
 * The host's side of a QP that hwqnic.ko created for this process: its
 * queues as mapped (taken over) and what the kernel granted. The NIC side
 * stays in the kernel.
 */
int hwqnic_qp_attach(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     const struct hwqnic_qp_init_attr *attr,
		     struct hwqnic_core_cq *scq, struct hwqnic_core_cq *rcq,
		     const struct hwqnic_qp_grant *g,
		     const struct hwqnic_hwq *sq, const struct hwqnic_hwq *rq)
{
	u32 i = g->qpn - HWQNIC_FIRST_QPN;
	int rc = 0;

	if (i >= HWQNIC_MAX_QP || g->sq_slot >= HWQNIC_DB_SLOTS ||
	    g->rq_slot >= HWQNIC_DB_SLOTS)
		return -EINVAL;
	memset(qp, 0, sizeof(*qp));
	qp->qpn = g->qpn;
	qp->type = attr->qp_type;
	qp->sig_all = attr->sq_sig_all;
	qp->scq = scq;
	qp->rcq = rcq;
	qp->cap = g->cap;
	qp->host_state = HWQNIC_QPS_RESET;
	qp->sq = *sq;
	qp->rq = *rq;
	qp->sq_slot = g->sq_slot;
	qp->rq_slot = g->rq_slot;
	rc = qp_post_ns_alloc(dev, qp);
	if (rc)
		return rc;
	hwqnic_lock_init(&qp->sq_lock);
	hwqnic_lock_init(&qp->rq_lock);
	hwqnic_lock(&dev->lock);
	if (dev->qp[i]) {
		rc = -EEXIST;
	} else {
		qp->cnt = dev->ops->qp_counters(dev, qp->qpn);
		qp->wcnt = hwqnic_qp_wire_counters(dev, qp->qpn);
		scq->users++;
		rcq->users++;
		WRITE_ONCE(dev->qp[i], qp);
	}
	hwqnic_unlock(&dev->lock);
	if (rc) {
		hwqnic_lock_destroy(&qp->sq_lock);
		hwqnic_lock_destroy(&qp->rq_lock);
		qp_post_ns_free(dev, qp);
	}
	return rc;
}

/* Undoes hwqnic_qp_attach(); the queue views are the caller's again. */
void hwqnic_qp_detach(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	hwqnic_lock(&dev->lock);
	WRITE_ONCE(dev->qp[qp->qpn - HWQNIC_FIRST_QPN], NULL);
	qp->scq->users--;
	qp->rcq->users--;
	hwqnic_unlock(&dev->lock);
	qp_host_fini(qp);
	qp_post_ns_free(dev, qp);
}

/* The IB state machine: required and optional attributes, [RC, UD, UC]. */
struct qp_trans {
	bool ok;
	u32 req[3];
	u32 opt[3];
};

#define RESET	HWQNIC_QPS_RESET
#define INIT	HWQNIC_QPS_INIT
#define RTR	HWQNIC_QPS_RTR
#define RTS	HWQNIC_QPS_RTS
#define ERR	HWQNIC_QPS_ERR
#define TO_ANY	[RESET] = { true }, [ERR] = { true }
#define INIT_RC	(HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT | HWQNIC_QP_ACCESS_FLAGS)
#define INIT_UD	(HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT | HWQNIC_QP_QKEY)
#define RTR_RC	(HWQNIC_QP_PATH_MTU | HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN | \
		 HWQNIC_QP_MAX_DEST_RD_ATOMIC | HWQNIC_QP_MIN_RNR_TIMER)
#define RTS_RC	(HWQNIC_QP_SQ_PSN | HWQNIC_QP_TIMEOUT | HWQNIC_QP_RETRY_CNT | \
		 HWQNIC_QP_RNR_RETRY | HWQNIC_QP_MAX_QP_RD_ATOMIC)
#define RTS_OPT	(HWQNIC_QP_ACCESS_FLAGS | HWQNIC_QP_MIN_RNR_TIMER)
/* UC: RC's without what ACKs, READs and atomics need (ibv's masks) */
#define RTR_UC	(HWQNIC_QP_PATH_MTU | HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN)
#define RTR_OPT	(HWQNIC_QP_ACCESS_FLAGS | HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_AV)

static const struct qp_trans qp_trans[ERR + 1][ERR + 1] = {
	[RESET] = {
		TO_ANY,
		[INIT] = { true, { INIT_RC, INIT_UD, INIT_RC } },
	},
	[INIT] = {
		TO_ANY,
		[INIT] = { true, { 0, 0, 0 }, { INIT_RC, INIT_UD, INIT_RC } },
		[RTR] = { true, { RTR_RC, 0, RTR_UC },
			  { RTR_OPT, HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_QKEY,
			    RTR_OPT } },
	},
	[RTR] = {
		TO_ANY,
		[RTS] = { true, { RTS_RC, HWQNIC_QP_SQ_PSN, HWQNIC_QP_SQ_PSN },
			  { RTS_OPT, HWQNIC_QP_QKEY, HWQNIC_QP_ACCESS_FLAGS } },
	},
	[RTS] = {
		TO_ANY,
		[RTS] = { true, { 0, 0, 0 },
			  { RTS_OPT, HWQNIC_QP_QKEY, HWQNIC_QP_ACCESS_FLAGS } },
	},
	[ERR] = { TO_ANY },
};

/* The range of each attribute with a value the NIC checks. */
static const struct {
	u32 attr, lo, hi;
} qp_attr_limits[] = {
	{ HWQNIC_QP_PORT, 1, 1 },
	{ HWQNIC_QP_PKEY_INDEX, 0, 0 },
	/* HWQNIC_ACCESS_ALL is bits 0..3: no flag outside is no value above */
	{ HWQNIC_QP_ACCESS_FLAGS, 0, HWQNIC_ACCESS_ALL },
	{ HWQNIC_QP_PATH_MTU, HWQNIC_MTU_256, HWQNIC_MTU_4096 },
	{ HWQNIC_QP_DEST_QPN, 0, 0xffffff },
	{ HWQNIC_QP_RNR_RETRY, 0, 7 },
	{ HWQNIC_QP_RETRY_CNT, 0, 7 },
	{ HWQNIC_QP_MIN_RNR_TIMER, 0, 31 },
	{ HWQNIC_QP_TIMEOUT, 0, 31 },
	{ HWQNIC_QP_MAX_QP_RD_ATOMIC, 0, HWQNIC_MAX_RD_ATOM },
	{ HWQNIC_QP_MAX_DEST_RD_ATOMIC, 0, HWQNIC_MAX_RD_ATOM },
};

static u32 qp_attr_value(const struct hwqnic_qp_attr *a, u32 attr)
{
	switch (attr) {
	case HWQNIC_QP_PORT:
		return a->port_num;
	case HWQNIC_QP_PKEY_INDEX:
		return a->pkey_index;
	case HWQNIC_QP_ACCESS_FLAGS:
		return a->qp_access_flags;
	case HWQNIC_QP_PATH_MTU:
		return a->path_mtu;
	case HWQNIC_QP_DEST_QPN:
		return a->dest_qp_num;
	case HWQNIC_QP_RNR_RETRY:
		return a->rnr_retry;
	case HWQNIC_QP_RETRY_CNT:
		return a->retry_cnt;
	case HWQNIC_QP_MIN_RNR_TIMER:
		return a->min_rnr_timer;
	case HWQNIC_QP_TIMEOUT:
		return a->timeout;
	case HWQNIC_QP_MAX_QP_RD_ATOMIC:
		return a->max_rd_atomic;
	default:
		return a->max_dest_rd_atomic;
	}
}

int hwqnic_qp_modify_check(u8 type, u32 cur, const struct hwqnic_qp_attr *attr,
			   int mask, struct hwqnic_qp_why *why)
{
	int t = type == HWQNIC_QPT_UD ? 1 : type == HWQNIC_QPT_UC ? 2 : 0;
	const struct qp_trans *tr;
	u32 next, allowed;
	unsigned int i;

	next = mask & HWQNIC_QP_STATE ? attr->qp_state : cur;
	*why = (struct hwqnic_qp_why) { .cur = cur, .next = next };
	if (next > ERR || cur > ERR) {
		why->code = HWQNIC_QPW_STATE;
		return -EINVAL;
	}
	tr = &qp_trans[cur][next];
	if (!tr->ok) {
		why->code = HWQNIC_QPW_TRANSITION;
		for (i = 0; i <= ERR; i++)
			if (qp_trans[cur][i].ok)
				why->attrs |= 1U << i;
		return -EINVAL;
	}
	if ((mask & tr->req[t]) != tr->req[t]) {
		why->code = HWQNIC_QPW_MISSING;
		why->attrs = tr->req[t] & ~mask;
		return -EINVAL;
	}
	allowed = tr->req[t] | tr->opt[t] | HWQNIC_QP_STATE |
		  HWQNIC_QP_CUR_STATE;
	if (mask & ~allowed) {
		why->code = HWQNIC_QPW_EXTRA;
		why->attrs = mask & ~allowed;
		return -EINVAL;
	}
	if ((mask & HWQNIC_QP_CUR_STATE) && attr->cur_qp_state != cur) {
		why->code = HWQNIC_QPW_CUR_STATE;
		why->value = attr->cur_qp_state;
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(qp_attr_limits); i++) {
		u32 v;

		if (!(mask & qp_attr_limits[i].attr))
			continue;
		v = qp_attr_value(attr, qp_attr_limits[i].attr);
		if (v < qp_attr_limits[i].lo || v > qp_attr_limits[i].hi) {
			why->code = HWQNIC_QPW_VALUE;
			why->attrs = qp_attr_limits[i].attr;
			why->value = v;
			why->lo = qp_attr_limits[i].lo;
			why->hi = qp_attr_limits[i].hi;
			return -EINVAL;
		}
	}
	return 0;
}

/* One side of the host's reset, under its CQ's lock: see below. */
static void qp_host_reset_side(struct hwqnic_dev *dev,
			       struct hwqnic_core_qp *qp,
			       struct hwqnic_core_cq *cq, struct hwqnic_hwq *q,
			       u32 *posted, u32 *done, u32 *gauge)
{
	bool recv = q == &qp->rq;

	hwqnic_lock(&cq->lock);
	hwqnic_cq_clean(dev, cq, qp->qpn);
	hwqnic_hwq_reset(q);
	*posted = 0;
	*done = 0;
	/* the sampled WRs whose CQEs were cleaned are not outstanding */
	*(recv ? &qp->rq_marked : &qp->sq_marked) = 0;
	WRITE_ONCE(*(recv ? &qp->rq_marked_done : &qp->sq_marked_done), 0);
	WRITE_ONCE(*gauge, 0);
	hwqnic_unlock(&cq->lock);
}

/*
 * The host's side of a move to RESET, once the NIC's is done: the QP's
 * completions leave its CQs, its queues are zeroed and nothing is posted
 * or owed. Each side under the lock of the CQ its pollers take, so that
 * no poller retires a completion of the old life against the new counts.
 */
void hwqnic_qp_host_reset(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	qp_host_reset_side(dev, qp, qp->scq, &qp->sq, &qp->sq_posted,
			   &qp->sq_done, &qp->cnt->sq_outstanding);
	qp_host_reset_side(dev, qp, qp->rcq, &qp->rq, &qp->rq_posted,
			   &qp->rq_done, &qp->cnt->rq_outstanding);
}

/* The NIC's side of a move to RESET: nothing to do, nothing owed. */
static void qp_reset(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_qp_nic *n = &qp->nic;

	hwqnic_qp_deactivate(dev, qp);
	n->sq_cons = n->sq_prod = n->rq_cons = n->rq_prod =
		(struct hwqnic_hwq_idx){ 0 };
	n->rnr_count = 0;
	n->rnr_until = 0;
	n->tx_wait = false;
	hwqnic_dev_db_clear(dev, qp->sq_slot);
	hwqnic_dev_db_clear(dev, qp->rq_slot);
}

int hwqnic_qp_modify(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     const struct hwqnic_qp_attr *attr, int mask)
{
	struct hwqnic_qp_why why;
	u32 next;
	int rc;

	hwqnic_lock(&dev->lock);
	rc = hwqnic_qp_modify_check(qp->type, qp->nic.state, attr, mask, &why);
	next = why.next;
	if (rc)
		goto out;

	if (mask & HWQNIC_QP_ACCESS_FLAGS)
		qp->nic.access = attr->qp_access_flags;
	if (mask & HWQNIC_QP_QKEY)
		qp->nic.qkey = attr->qkey;
	if (mask & HWQNIC_QP_DEST_QPN)
		qp->nic.dest_qpn = attr->dest_qp_num;
	if (mask & HWQNIC_QP_RNR_RETRY)
		qp->nic.rnr_retry = attr->rnr_retry;
	if (mask & HWQNIC_QP_MIN_RNR_TIMER)
		qp->nic.min_rnr_timer = attr->min_rnr_timer;
	/* what the wire uses (xport.h); a loopback QP needs none of it */
	if (mask & HWQNIC_QP_PATH_MTU)
		qp->nic.path_mtu = attr->path_mtu;
	if (mask & HWQNIC_QP_TIMEOUT)
		qp->nic.timeout = attr->timeout;
	if (mask & HWQNIC_QP_RETRY_CNT)
		qp->nic.retry_cnt = attr->retry_cnt;
	if (mask & HWQNIC_QP_SQ_PSN)
		qp->nic.sq_psn = attr->sq_psn & 0xffffff;
	if (mask & HWQNIC_QP_RQ_PSN)
		qp->nic.rq_psn = attr->rq_psn & 0xffffff;
	if (mask & HWQNIC_QP_MAX_QP_RD_ATOMIC)
		qp->nic.max_rd_atomic = attr->max_rd_atomic;
	if (mask & HWQNIC_QP_MAX_DEST_RD_ATOMIC)
		qp->nic.max_dest_rd_atomic = attr->max_dest_rd_atomic;
	if (qp->nic.wire)
		hwqnic_wire_qp_state(dev, qp, next);
	/*
	 * A connected (RC, UC) QP back in RESET forgets its path and its
	 * steering: the next INIT -> RTR says anew whether its peer is on
	 * the wire.
	 */
	if (next == RESET && qp->type != HWQNIC_QPT_UD)
		hwqnic_wire_qp_free(dev, qp);
	/*
	 * Posting sees RESET before the doorbells are cleared: a poller
	 * that takes an error completion then rings no receive doorbell
	 * after the clear.
	 */
	if (next == RESET && !dev->user_host)
		hwqnic_qp_host_state(dev, qp, next);
	if (next == RESET)
		qp_reset(dev, qp);
	if (next == ERR)
		hwqnic_qp_activate(dev, qp);	/* the engine flushes */
	qp->nic.state = next;
	if (next != RESET && !dev->user_host)
		hwqnic_qp_host_state(dev, qp, next);
	rc = 0;
out:
	hwqnic_unlock(&dev->lock);
	if (!rc && next == RESET && !dev->user_host)
		hwqnic_qp_host_reset(dev, qp);
	return rc;
}

void hwqnic_qp_query(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     struct hwqnic_qp_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	hwqnic_lock(&dev->lock);
	attr->qp_state = qp->nic.state;
	attr->cur_qp_state = qp->nic.state;
	attr->qp_access_flags = qp->nic.access;
	attr->qkey = qp->nic.qkey;
	attr->dest_qp_num = qp->nic.dest_qpn;
	attr->rnr_retry = qp->nic.rnr_retry;
	attr->min_rnr_timer = qp->nic.min_rnr_timer;
	hwqnic_unlock(&dev->lock);
	attr->port_num = 1;
	attr->path_mtu = HWQNIC_MTU_4096;
	attr->cap = qp->cap;
}

#define SEND_FLAGS (HWQNIC_SEND_FENCE | HWQNIC_SEND_SIGNALED | \
		    HWQNIC_SEND_SOLICITED | HWQNIC_SEND_INLINE | \
		    HWQNIC_SEND_TIMESTAMP)

/*
 * Why a send WR is refused, or NULL: a static sentence, for
 * hwqnic_qp_send_wr_why().
 * Reads each SGE's length once, into sge_len[], and sums them in *len.
 */
static __always_inline const char *
qp_send_check(const struct hwqnic_core_qp *qp, const struct hwqnic_send_wr *wr,
	      u32 *sge_len, u64 *len)
{
	bool inl = wr->send_flags & HWQNIC_SEND_INLINE;
	u32 max_sge = inl ? HWQNIC_MAX_SGE : qp->cap.max_send_sge;
	const struct hwqnic_opcode *op = hwqnic_opcode(wr->opcode);
	bool atomic;
	int i;

	if (!op)
		return "opcode is no work request opcode";
	if (wr->send_flags & ~SEND_FLAGS)
		return "send_flags has bits outside HWQNIC_SEND_*";
	if (wr->num_sge < 0 || (u32)wr->num_sge > max_sge)
		return "num_sge is negative or above the QP's max_send_sge";
	if (wr->num_sge && !wr->sg_list)
		return "num_sge without sg_list";
	if (!(op->qp_types & HWQNIC_OP_QPT(qp->type)))
		return "opcode not valid on this QP type";
	atomic = op->kind == HWQNIC_OPK_ATOMIC;
	*len = 0;
	for (i = 0; i < wr->num_sge; i++) {
		sge_len[i] = READ_ONCE(wr->sg_list[i].length);
		*len += sge_len[i];
	}
	if (*len > HWQNIC_MAX_MSG)
		return "message longer than 2 GiB";
	if (qp->type == HWQNIC_QPT_UD && *len > HWQNIC_MTU)
		return "UD message longer than the MTU (4096 bytes)";
	if (atomic && (inl || wr->num_sge != 1 || *len != HWQNIC_ATOMIC_LEN))
		return "an atomic takes one SGE of 8 bytes, not inline";
	/* inline data is what the NIC reads: none where it writes locally */
	if (inl && (op->local_access & HWQNIC_ACCESS_LOCAL_WRITE))
		return "HWQNIC_SEND_INLINE on an opcode that writes locally";
	if (inl && *len > qp->cap.max_inline_data)
		return "inline data longer than the QP's max_inline_data";
	return NULL;
}

const char *hwqnic_qp_send_wr_why(const struct hwqnic_core_qp *qp,
				  const struct hwqnic_send_wr *wr)
{
	u32 sge_len[HWQNIC_MAX_SGE];
	u64 len;

	return qp_send_check(qp, wr, sge_len, &len);
}

/* Checks a send WR and writes its WQE into `slot`. */
static int qp_build_send(struct hwqnic_core_qp *qp,
			 const struct hwqnic_send_wr *wr, void *slot,
			 u32 *length)
{
	struct hwqnic_send_wqe *w = slot;
	bool inl = wr->send_flags & HWQNIC_SEND_INLINE;
	u32 opcode = wr->opcode;
	const struct hwqnic_opcode *op = hwqnic_opcode(opcode);
	u32 sge_len[HWQNIC_MAX_SGE];	/* each read once: checked, then used */
	bool atomic;
	u64 len = 0;
	u8 flags = 0;
	int i;

	if (unlikely(qp_send_check(qp, wr, sge_len, &len)))
		return -EINVAL;
	atomic = op->kind == HWQNIC_OPK_ATOMIC;

	*length = len;
	if (qp->sig_all || (wr->send_flags & HWQNIC_SEND_SIGNALED))
		flags |= HWQNIC_WQE_F_SIGNALED;
	if (wr->send_flags & HWQNIC_SEND_SOLICITED)
		flags |= HWQNIC_WQE_F_SOLICITED;
	if (wr->send_flags & HWQNIC_SEND_FENCE)
		flags |= HWQNIC_WQE_F_FENCE;
	*w = (struct hwqnic_send_wqe) {
		.opcode = opcode,
		.flags = flags | (inl ? HWQNIC_WQE_F_INLINE : 0),
		.num_sge = inl ? 0 : wr->num_sge,
		.length = cpu_to_le32(len),
		.wr_id = cpu_to_le64(wr->wr_id),
		.imm_data = cpu_to_le32(wr->imm_data),
	};
	if (atomic) {
		w->rkey = cpu_to_le32(wr->wr.atomic.rkey);
		w->remote_addr = cpu_to_le64(wr->wr.atomic.remote_addr);
		w->compare_add = cpu_to_le64(wr->wr.atomic.compare_add);
		w->swap = cpu_to_le64(wr->wr.atomic.swap);
	} else if (qp->type == HWQNIC_QPT_UD) {
		w->dst_qpn = cpu_to_le32(wr->wr.ud.remote_qpn);
		w->qkey = cpu_to_le32(wr->wr.ud.remote_qkey);
		/* 0: a QP of this device (an AH naming it has handle 0) */
		w->ah = cpu_to_le32(wr->wr.ud.ah ? wr->wr.ud.ah->handle : 0);
	} else {
		w->rkey = cpu_to_le32(wr->wr.rdma.rkey);
		w->remote_addr = cpu_to_le64(wr->wr.rdma.remote_addr);
	}

	if (inl) {
		u8 *p = (u8 *)(w + 1);

		for (i = 0; i < wr->num_sge; i++) {
			/* an empty SGE need name no memory: {NULL, 0} */
			if (!sge_len[i])
				continue;
			memcpy(p, (const void *)(uintptr_t)wr->sg_list[i].addr,
			       sge_len[i]);
			p += sge_len[i];
		}
		return 0;
	}
	for (i = 0; i < wr->num_sge; i++) {
		struct hwqnic_wqe_sge *s = (struct hwqnic_wqe_sge *)(w + 1) + i;

		s->addr = cpu_to_le64(wr->sg_list[i].addr);
		s->length = cpu_to_le32(sge_len[i]);
		s->lkey = cpu_to_le32(wr->sg_list[i].lkey);
	}
	return 0;
}

/*
 * Whether a doorbell of the SQ (or RQ) asks the engine for a stamp: on a
 * queue that keeps times, while any WR outstanding may want its doorbell
 * time. That is every WR on a timestamped CQ, and every one in exact
 * mode; in sampled mode, the sampled WRs posted and not yet polled. A
 * slot holds only the last doorbell, so every doorbell asks while one is
 * outstanding, not only the one after it: the next may overwrite that
 * before the engine reads it. Otherwise the engine reads no clock for
 * the queue's doorbells. Under the queue's lock; the poller's count is
 * read as it stands (a stale one asks for a stamp more, never less).
 */
static bool qp_db_stamp(const struct hwqnic_core_qp *qp, bool recv)
{
	const struct hwqnic_sample *s = recv ? &qp->rq_smp : &qp->sq_smp;

	if (!(recv ? qp->rq_post_ns : qp->sq_post_ns))
		return false;
	if (hwqnic_cq_ts(recv ? qp->rcq : qp->scq) || s->period <= 1)
		return true;
	return recv ? qp->rq_marked != READ_ONCE(qp->rq_marked_done) :
		      qp->sq_marked != READ_ONCE(qp->sq_marked_done);
}

/* Under the queue's lock: `posts` has that lock's holder as its one writer. */
static void qp_ring(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		    struct hwqnic_hwq *q, u8 type, u32 slot, u64 *posts, u32 n)
{
	/*
	 * The engine reads a receive doorbell when a message needs it, so
	 * one only rings for a QP in ERR, whose receives must be flushed.
	 */
	bool notify = type == HWQNIC_DB_SQ ||
		      READ_ONCE(qp->host_state) == HWQNIC_QPS_ERR;
	u64 db = hwqnic_hwq_db(q, qp->qpn, type, 0);

	if (qp_db_stamp(qp, type != HWQNIC_DB_SQ))
		db |= HWQNIC_DB_STAMP;
	hwqnic_dev_ring(dev, slot, db, notify);
	if (posts)
		WRITE_ONCE(*posts, *posts + n);
}

/*
 * What posting sees of the QP's state; rq_lock held. A QP the host learns
 * is in ERR gets its receive doorbell rung once more: receives posted
 * before, which rang nothing, are flushed too.
 */
static void qp_set_host_state(struct hwqnic_dev *dev,
			      struct hwqnic_core_qp *qp, u8 state)
{
	u8 was = qp->host_state;

	WRITE_ONCE(qp->host_state, state);
	if (state == HWQNIC_QPS_ERR && was != HWQNIC_QPS_ERR)
		qp_ring(dev, qp, &qp->rq, HWQNIC_DB_RQ, qp->rq_slot, NULL, 0);
}

void hwqnic_qp_host_state(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u8 state)
{
	hwqnic_lock(&qp->rq_lock);
	qp_set_host_state(dev, qp, state);
	hwqnic_unlock(&qp->rq_lock);
}

/*
 * A poller took an error completion of the QP: it is in ERR, unless it
 * has been reset since (the completion is of its earlier life). Returns
 * whether the QP is in ERR.
 */
bool hwqnic_qp_host_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	bool err;

	hwqnic_lock(&qp->rq_lock);
	err = qp->host_state != HWQNIC_QPS_RESET;
	if (err)
		qp_set_host_state(dev, qp, HWQNIC_QPS_ERR);
	hwqnic_unlock(&qp->rq_lock);
	return err;
}

/* log2(x) in 16.16 fixed point, for 1 <= x <= 2^32: bit by bit, squaring */
static u32 sample_log2_q16(u64 x)
{
	u32 ip, r, i;
	u64 m;

	if (x >> 32)
		return 32U << 16;
	ip = ilog2((unsigned long)x);
	r = ip << 16;
	m = x << (31 - ip);		/* 1.31: [2^31, 2^32) */
	for (i = 16; i-- > 0;) {
		m = m * m >> 31;	/* [2^31, 2^33) */
		if (m >> 32) {
			m >>= 1;
			r |= 1U << i;
		}
	}
	return r;
}

/*
 * 1 + floor(E * c), E exponential with mean 1 and c = 1 / -ln(1 - 1/N),
 * is geometric with mean N: P(k) = (1 - 1/N)^(k-1) / N. E = -ln U, U
 * uniform in (0, 1]; c is N - 1/2 - 1/(12N) to within 1e-4 for N >= 5,
 * and exact for the smaller ones below. All in 16.16 fixed point.
 */
u32 hwqnic_sample_draw(u64 *rng, u32 period)
{
	static const u64 small_c[] = { 0, 0, 94548, 161631, 227806 };
	u64 x = *rng, e, c, k;
	u32 r;

	if (period <= 1)
		return 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*rng = x;
	r = (u32)((x * 0x2545f4914f6cdd1dULL) >> 32);
	/* -ln U = (32 - log2(r + 1)) ln 2; ln 2 is 45426 / 2^16 */
	e = (((32ULL << 16) - sample_log2_q16((u64)r + 1)) * 45426) >> 16;
	if (period < ARRAY_SIZE(small_c))
		c = small_c[period];
	else
		c = ((u64)period << 16) - 32768 - 65536U / (12U * period);
	k = 1 + ((e * c) >> 32);
	return k > 0xffffffffULL ? 0xffffffffU : (u32)k;
}

/* The countdown ran out: this WR is marked, and the next interval drawn. */
static hwqnic_os_cold bool qp_sample_next(struct hwqnic_dev *dev,
					  struct hwqnic_sample *s)
{
	const __u32 *ctl = dev->sample_ctl;

	s->period = ctl ? hwqnic_sample_period(READ_ONCE(*ctl)) : 1;
	s->left = hwqnic_sample_draw(&s->rng, s->period);
	return true;
}

/*
 * Only while traced. A WR that completes counts one; an unsignaled send,
 * which never completes, counts nothing and is marked in exact mode only
 * (its flush, on an error, then fires as every completion does).
 */
static __always_inline bool qp_sample(struct hwqnic_dev *dev,
				      struct hwqnic_sample *s, bool completes)
{
	if (!completes)
		return s->period <= 1;
	if (likely(s->left > 1)) {
		s->left--;
		return false;
	}
	return qp_sample_next(dev, s);
}

/*
 * The record of slot idx of a queue that keeps one, for a WR that is
 * sampled or on a timestamped CQ (where every WQE asks the NIC for
 * times): there the slot's mark and post time (when sampled or `asked`,
 * else 0: no stale one stays) are written for each WR. Elsewhere only a
 * sampled WR comes here: if it completes, its post time is written and it
 * is counted until its completion is polled, so that the doorbells ask for
 * a stamp while it is outstanding (qp_db_stamp()); the NIC's write-back
 * flags its CQE, and a WR not sampled costs nothing beyond the countdown.
 * Out of line: the WRs of a sampled run come here rarely.
 */
static hwqnic_os_cold void qp_stamp_post(struct hwqnic_core_qp *qp, bool recv,
					 u32 idx, bool sampled, bool asked,
					 bool completes)
{
	u64 *post_ns = recv ? qp->rq_post_ns : qp->sq_post_ns;
	u8 *mark = recv ? qp->rq_mark : qp->sq_mark;

	if (hwqnic_cq_ts(recv ? qp->rcq : qp->scq)) {
		WRITE_ONCE(mark[idx], sampled);
		WRITE_ONCE(post_ns[idx],
			   sampled || asked ? hwqnic_os_now_ns() : 0);
	} else {
		/*
		 * An unsignaled send (marked in exact mode) has no CQE to
		 * take times back, bar a flush, an error with no latency:
		 * it asks for none, and is not counted as outstanding.
		 */
		if (!completes)
			return;
		WRITE_ONCE(post_ns[idx], hwqnic_os_now_ns());
		if (recv)
			qp->rq_marked++;
		else
			qp->sq_marked++;
	}
	if (recv) {
		struct hwqnic_recv_wqe *w = hwqnic_hwq_get_qe(&qp->rq, idx);

		w->flags |= HWQNIC_RECV_F_TIMESTAMP;
	} else {
		struct hwqnic_send_wqe *w = hwqnic_hwq_get_qe(&qp->sq, idx);

		w->flags |= HWQNIC_WQE_F_TIMESTAMP;
	}
}

int hwqnic_qp_post_send(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			const struct hwqnic_send_wr *wr,
			const struct hwqnic_send_wr **bad_wr)
{
	u8 state = READ_ONCE(qp->host_state);
	u32 n = 0;
	int rc = 0;

	if (state != HWQNIC_QPS_RTS && state != HWQNIC_QPS_ERR) {
		*bad_wr = wr;
		return -EINVAL;
	}
	hwqnic_lock(&qp->sq_lock);
	for (; wr; wr = wr->next, n++) {
		u32 idx = qp->sq.prod.val, len;
		bool sampled, completes;

		if (qp->sq_posted - smp_load_acquire(&qp->sq_done) >=
		    qp->sq.depth) {
			rc = -ENOMEM;
			break;
		}
		rc = qp_build_send(qp, wr, hwqnic_hwq_get_qe(&qp->sq, idx),
				   &len);
		if (rc)
			break;
		hwqnic_trace_post(dev->id, qp->qpn, idx, wr->wr_id, wr->opcode,
				  len);
		completes = qp->sig_all ||
			    (wr->send_flags & HWQNIC_SEND_SIGNALED);
		sampled = hwqnic_trace_enabled(complete) &&
			  qp_sample(dev, &qp->sq_smp, completes);
		if (unlikely(sampled) && !qp->sq_post_ns)
			qp_record(dev, qp, false);
		if (qp->sq_post_ns && (sampled || hwqnic_cq_ts(qp->scq)))
			qp_stamp_post(qp, false, idx, sampled,
				      wr->send_flags & HWQNIC_SEND_TIMESTAMP,
				      completes);
		hwqnic_hwq_incr_prod(&qp->sq, 1);
		qp->sq_posted++;
	}
	if (n) {
		WRITE_ONCE(qp->cnt->sq_outstanding, qp->sq_posted -
			   smp_load_acquire(&qp->sq_done));
		qp_ring(dev, qp, &qp->sq, HWQNIC_DB_SQ, qp->sq_slot,
			&qp->cnt->posts, n);
	}
	hwqnic_unlock(&qp->sq_lock);
	if (rc)
		*bad_wr = wr;
	return rc;
}

int hwqnic_qp_post_recv(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			const struct hwqnic_recv_wr *wr,
			const struct hwqnic_recv_wr **bad_wr)
{
	u32 n = 0;
	int rc = 0, i;

	if (READ_ONCE(qp->host_state) == HWQNIC_QPS_RESET) {
		*bad_wr = wr;
		return -EINVAL;
	}
	hwqnic_lock(&qp->rq_lock);
	for (; wr; wr = wr->next, n++) {
		u32 idx = qp->rq.prod.val, len = 0;
		struct hwqnic_recv_wqe *w = hwqnic_hwq_get_qe(&qp->rq, idx);
		struct hwqnic_wqe_sge *s = (struct hwqnic_wqe_sge *)(w + 1);
		bool sampled;

		if (wr->num_sge < 0 || (u32)wr->num_sge > qp->cap.max_recv_sge ||
		    (wr->num_sge && !wr->sg_list)) {
			rc = -EINVAL;
			break;
		}
		if (qp->rq_posted - smp_load_acquire(&qp->rq_done) >=
		    qp->rq.depth) {
			rc = -ENOMEM;
			break;
		}
		sampled = hwqnic_trace_enabled(complete) &&
			  qp_sample(dev, &qp->rq_smp, true);
		*w = (struct hwqnic_recv_wqe) {
			.wr_id = cpu_to_le64(wr->wr_id),
			.num_sge = wr->num_sge,
		};
		for (i = 0; i < wr->num_sge; i++) {
			s[i].addr = cpu_to_le64(wr->sg_list[i].addr);
			s[i].length = cpu_to_le32(wr->sg_list[i].length);
			s[i].lkey = cpu_to_le32(wr->sg_list[i].lkey);
			len += wr->sg_list[i].length;
		}
		hwqnic_trace_post(dev->id, qp->qpn, idx, wr->wr_id,
				  HWQNIC_WC_RECV, len);
		if (unlikely(sampled) && !qp->rq_post_ns)
			qp_record(dev, qp, true);
		/* every receive of an application's timestamped CQ */
		if (qp->rq_post_ns && (sampled || hwqnic_cq_ts(qp->rcq)))
			qp_stamp_post(qp, true, idx, sampled, true, true);
		hwqnic_hwq_incr_prod(&qp->rq, 1);
		qp->rq_posted++;
	}
	if (n) {
		WRITE_ONCE(qp->cnt->rq_outstanding, qp->rq_posted -
			   smp_load_acquire(&qp->rq_done));
		qp_ring(dev, qp, &qp->rq, HWQNIC_DB_RQ, qp->rq_slot,
			&qp->cnt->recv_posts, n);
	}
	hwqnic_unlock(&qp->rq_lock);
	if (rc)
		*bad_wr = wr;
	return rc;
}

/* A QP's counters, each read whole: the engine and the poster write them. */
void hwqnic_qp_counters_read(const struct hwqnic_core_qp *qp,
			     struct hwqnic_qp_counters *out)
{
	const struct hwqnic_qp_counters *c = qp->cnt;

	memset(out, 0, sizeof(*out));
	out->posts = READ_ONCE(c->posts);
	out->recv_posts = READ_ONCE(c->recv_posts);
	out->doorbells = READ_ONCE(c->doorbells);
	out->wqes = READ_ONCE(c->wqes);
	out->completions = READ_ONCE(c->completions);
	out->errors = READ_ONCE(c->errors);
	out->bytes = READ_ONCE(c->bytes);
	out->sq_outstanding = READ_ONCE(c->sq_outstanding);
	out->rq_outstanding = READ_ONCE(c->rq_outstanding);
}
