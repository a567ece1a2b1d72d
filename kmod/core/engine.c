// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine. Everything the host wrote is hostile: a doorbell is decoded
 * and checked against the queue it names, a WQE is copied once out of
 * queue memory and validated from the copy, and every address is reached
 * through a PBL walk from a context the host cannot touch.
 */
#include "engine.h"
#include "xport.h"

#define QP_BUDGET	32	/* send WQEs per QP per pass: fairness */

/*
 * The engine's work, counted as bytes moved plus ENG_WQE_COST for each
 * WQE taken or flushed. A pass ends once it has done ENG_PASS_WORK (the
 * QPs it did not reach go first in the next), and the engine offers its
 * CPU every ENG_SLICE of it, inside a long copy too: one WQE may move
 * 2 GiB, and every active QP's WQE budget at once far more, which a
 * kthread must not do without rescheduling.
 */
#define ENG_SLICE	(256U << 10)
#define ENG_PASS_WORK	(4U << 20)
/* The longest an engine with a port sleeps: its receive side is polled. */
#define ENG_PORT_NAP	(1000 * 1000)

/* IB's RNR timer encoding, in units of 10 µs (0 means 655.36 ms). */
static const u16 rnr_timer_10us[32] = {
	65535, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192,
	256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192,
	12288, 16384, 24576, 32768, 49152,
};

static u64 eng_rnr_ns(u8 timer)
{
	return rnr_timer_10us[timer & 31] * 10000ULL;
}

static void eng_count(u64 *c, u64 n)
{
	WRITE_ONCE(*c, *c + n);
}

static void eng_spend(struct hwqnic_dev *dev, u64 n)
{
	dev->pass_work += n;
	if (unlikely(dev->pass_work - dev->work_yielded >= ENG_SLICE)) {
		dev->work_yielded = dev->pass_work;
		hwqnic_os_engine_yield(&dev->od);
	}
}

static bool eng_pass_full(const struct hwqnic_dev *dev)
{
	return dev->pass_work >= ENG_PASS_WORK;
}

/*
 * A doorbell the engine fetches when it needs it (RQ producer, CQ
 * consumer): the slot's index if it decodes to a `type` doorbell of queue
 * `xid` below `depth`.
 */
static bool eng_read_slot(struct hwqnic_dev *dev, u32 slot, u8 type, u32 xid,
			  u32 depth, struct hwqnic_hwq_idx *idx, bool *stamp)
{
	u64 v = smp_load_acquire(&dev->dbp->slot[slot]);
	struct hwqnic_db db;

	if (hwqnic_db_decode(v, &db) || db.type != type || db.xid != xid ||
	    db.index >= depth)
		return false;
	*idx = (struct hwqnic_hwq_idx){ db.index, db.epoch };
	if (stamp)
		*stamp = db.stamp;
	return true;
}

/* Room in a CQ, re-reading the host's consumer doorbell only when needed. */
static bool eng_cq_room(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq)
{
	if (hwqnic_hwq_idx_diff(cq->prod, cq->host_cons, cq->ctx.depth) <
	    cq->ctx.depth)
		return true;
	eng_read_slot(dev, cq->db_slot, HWQNIC_DB_CQ, cq->handle,
		      cq->ctx.depth, &cq->host_cons, NULL);
	return hwqnic_hwq_idx_diff(cq->prod, cq->host_cons, cq->ctx.depth) <
	       cq->ctx.depth;
}

/*
 * A doorbell accepted with HWQNIC_DB_STAMP, which the host sets while it
 * wants its WQEs' times (a timestamped CQ, a tracer): the WQEs from
 * the old producer index up to the new one are covered by it. The last
 * two doorbells are kept, so that WQEs the engine has not reached when the
 * next doorbell comes keep their own; a WQE left behind by two more gets
 * the older of the two (the time is then late, never early).
 */
static void eng_db_stamp(u64 *db_ns, u64 *prev_ns,
			 struct hwqnic_hwq_idx *prev_end,
			 struct hwqnic_hwq_idx old_prod)
{
	*prev_ns = *db_ns;
	*prev_end = old_prod;
	*db_ns = hwqnic_os_now_ns();
}

/*
 * A producer index announced for the SQ (or RQ), by a doorbell or the
 * RQ's slot: one that moves it and asks for a stamp is stamped.
 */
static void eng_set_prod(struct hwqnic_core_qp *qp, bool recv,
			 struct hwqnic_hwq_idx prod, bool stamp)
{
	struct hwqnic_qp_nic *n = &qp->nic;
	struct hwqnic_hwq_idx *cur = recv ? &n->rq_prod : &n->sq_prod;

	if (stamp &&
	    hwqnic_hwq_idx_diff(prod, *cur, recv ? n->rq.depth : n->sq.depth))
		eng_db_stamp(recv ? &n->rq_db_ns : &n->sq_db_ns,
			     recv ? &n->rq_db_prev_ns : &n->sq_db_prev_ns,
			     recv ? &n->rq_db_prev_end : &n->sq_db_prev_end,
			     *cur);
	*cur = prod;
}

/* When the doorbell that covered WQE idx of the SQ (or RQ) was accepted. */
static u64 eng_db_ns(const struct hwqnic_qp_nic *n, bool recv, u32 idx)
{
	struct hwqnic_hwq_idx prod = recv ? n->rq_prod : n->sq_prod;
	struct hwqnic_hwq_idx end = recv ? n->rq_db_prev_end : n->sq_db_prev_end;
	u32 depth = recv ? n->rq.depth : n->sq.depth;

	if (!depth)
		return 0;
	if ((idx + depth - end.val) % depth <
	    hwqnic_hwq_idx_diff(prod, end, depth))
		return recv ? n->rq_db_ns : n->sq_db_ns;
	return recv ? n->rq_db_prev_ns : n->sq_db_prev_ns;
}

/*
 * A timestamped CQ's CQE: its times if its WQE asked (else 0, and no
 * clock read), before the toggle like the rest.
 */
static void eng_cqe_ts(struct hwqnic_cqe *cqe, const struct hwqnic_core_qp *qp,
		       const struct eng_cqe *e)
{
	struct hwqnic_cqe_ts *t = container_of(cqe, struct hwqnic_cqe_ts, cqe);

	t->db_ns = e->ts ? cpu_to_le64(eng_db_ns(&qp->nic,
						 hwqnic_wc_is_recv(e->opcode),
						 e->idx)) : 0;
	t->cqe_ns = e->ts ? cpu_to_le64(hwqnic_os_now_ns()) : 0;
	t->rsvd[0] = 0;
	t->rsvd[1] = 0;
}

/*
 * A WQE that asked for times on a CQ of 32-byte CQEs: they go over the
 * first bytes of its own slot, which no engine path reads again once its
 * CQE is written (the transport's records hold copies of what it still
 * needs). Returns whether they were written (a slot out of reach has none).
 * Out of line: the CQEs of an untraced run never come here.
 */
static hwqnic_os_cold bool eng_wqe_times(struct hwqnic_dev *dev,
					 struct hwqnic_core_qp *qp,
					 const struct eng_cqe *e)
{
	bool recv = hwqnic_wc_is_recv(e->opcode);
	struct hwqnic_wqe_times *t;

	t = hwqnic_hwq_slot(&dev->od, recv ? &qp->nic.rq : &qp->nic.sq,
			    e->idx);
	if (!t)
		return false;
	t->db_ns = cpu_to_le64(eng_db_ns(&qp->nic, recv, e->idx));
	t->cqe_ns = cpu_to_le64(hwqnic_os_now_ns());
	return true;
}

static void eng_write_cqe(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
			  struct hwqnic_core_qp *qp, const struct eng_cqe *e)
{
	struct hwqnic_cqe *cqe;
	u8 flags = e->flags;

	if (cq->overflow)
		return;
	if (!eng_cq_room(dev, cq)) {
		cq->overflow = true;
		if (dev->ops->async_event)
			dev->ops->async_event(dev, HWQNIC_EVENT_CQ_ERR,
					      cq->handle);
		return;
	}
	cqe = hwqnic_hwq_slot(&dev->od, &cq->ctx, cq->prod.val);
	if (!cqe)
		return;
	cqe->wr_id = cpu_to_le64(e->wr_id);
	cqe->byte_len = cpu_to_le32(e->byte_len);
	cqe->imm_data = cpu_to_le32(e->imm);
	cqe->qpn = cpu_to_le32(e->qpn);
	cqe->src_qp = cpu_to_le32(e->src_qp);
	cqe->opcode = e->opcode;
	cqe->status = e->status;
	cqe->vendor_err = 0;
	cqe->wqe_idx = cpu_to_le32(e->idx);
	if (hwqnic_cq_ts(cq))
		eng_cqe_ts(cqe, qp, e);
	else if (unlikely(e->ts) && eng_wqe_times(dev, qp, e))
		flags |= HWQNIC_CQE_F_WQE_TIMES;
	/* before the toggle: no poller can see the CQE ahead of its event */
	hwqnic_trace_cqe(dev->id, e->qpn, e->idx, e->wr_id, e->opcode,
			 e->byte_len, e->status, cq->handle);
	/* everything above before the toggle that makes it valid */
	smp_store_release(&cqe->flags, flags |
			  hwqnic_cqe_phase(cq->prod.epoch));
	eng_count(&qp->cnt->completions, 1);
	if (e->status != HWQNIC_WC_SUCCESS)
		eng_count(&qp->cnt->errors, 1);
	hwqnic_hwq_idx_add(&cq->prod, 1, cq->ctx.depth);

	if (cq->armed == HWQNIC_DB_CQ_ARMALL ||
	    (cq->armed == HWQNIC_DB_CQ_ARMSE && e->solicited)) {
		cq->armed = 0;
		if (dev->ops->cq_event)
			dev->ops->cq_event(dev, cq);
	}
}

static int eng_fetch_send(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u32 idx, struct eng_send *w)
{
	const u8 *slot = hwqnic_hwq_slot(&dev->od, &qp->nic.sq, idx);
	u32 room = (1U << qp->nic.sq.stride_shift) - sizeof(w->h), extra;

	if (!slot)
		return -EFAULT;
	/* the SGEs or inline bytes: fetched alongside, not after, the header */
	if (room)
		prefetch(slot + sizeof(w->h));
	memcpy(&w->h, slot, sizeof(w->h));
	if (w->h.flags & HWQNIC_WQE_F_INLINE)
		extra = le32_to_cpu(w->h.length);
	else
		extra = w->h.num_sge * sizeof(struct hwqnic_wqe_sge);
	if (extra > room || extra > sizeof(w->inl) ||
	    w->h.num_sge > HWQNIC_MAX_SGE)
		return -EINVAL;
	memcpy(w->inl, slot + sizeof(w->h), extra);
	return 0;
}

static int eng_fetch_recv(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u32 idx, struct eng_recv *w)
{
	const u8 *slot = hwqnic_hwq_slot(&dev->od, &qp->nic.rq, idx);
	u32 room = (1U << qp->nic.rq.stride_shift) - sizeof(w->h), extra;

	if (!slot)
		return -EFAULT;
	memcpy(&w->h, slot, sizeof(w->h));
	extra = w->h.num_sge * sizeof(struct hwqnic_wqe_sge);
	if (w->h.num_sge > HWQNIC_MAX_SGE || extra > room)
		return -EINVAL;
	memcpy(w->sge, slot + sizeof(w->h), extra);
	return 0;
}

/*
 * Checks a scatter list against the MR table: each key names an MR of `pd`
 * with the `need`ed rights that covers the range. Fills seg[], returns the
 * total length, or -1.
 */
static s64 eng_sgl(struct hwqnic_dev *dev, const struct hwqnic_core_pd *pd,
		   const struct hwqnic_wqe_sge *sge, u32 n, u32 need,
		   struct eng_seg *seg)
{
	u64 total = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		u64 addr = le64_to_cpu(sge[i].addr);
		u32 len = le32_to_cpu(sge[i].length);
		struct hwqnic_core_mr *mr;

		mr = hwqnic_mr_lookup(dev, le32_to_cpu(sge[i].lkey));
		if (!len) {
			seg[i] = (struct eng_seg){ NULL, 0, 0 };
			continue;
		}
		if (!mr || mr->pd != pd || (mr->access & need) != need ||
		    addr < mr->iova || addr - mr->iova > mr->length ||
		    len > mr->length - (addr - mr->iova))
			return -1;
		seg[i] = (struct eng_seg){ mr, addr - mr->iova, len };
		total += len;
	}
	return total;
}

/* The MR named by rkey if the responder grants `right` on [addr, +len). */
static struct hwqnic_core_mr *
eng_rkey(struct hwqnic_dev *dev, const struct hwqnic_core_qp *rqp, u32 rkey,
	 u64 addr, u64 len, u32 right)
{
	struct hwqnic_core_mr *mr = hwqnic_mr_lookup(dev, rkey);

	if (!mr || mr->pd != rqp->pd || !(mr->access & right) ||
	    !(rqp->nic.access & right) || addr < mr->iova ||
	    addr - mr->iova > mr->length ||
	    len > mr->length - (addr - mr->iova))
		return NULL;
	return mr;
}

/*
 * The next contiguous run at the cursor, at most `max` bytes: pages whose
 * DMA addresses follow each other make one run, so one copy.
 */
static void *cur_chunk(struct hwqnic_dev *dev, struct eng_cur *c, u64 max,
		       u32 *len)
{
	const struct eng_seg *s;
	u64 pos, n;
	dma_addr_t dma;
	void *va;

	if (c->flat) {
		*len = min_t(u64, max, c->flat_len - c->off);
		return c->flat + c->off;
	}
	while (c->i < c->nseg && c->off == c->seg[c->i].len) {
		c->i++;
		c->off = 0;
	}
	if (c->i == c->nseg)
		return NULL;
	s = &c->seg[c->i];
	pos = s->mr->pg_off + s->off + c->off;
	n = min_t(u64, min_t(u64, max, s->len - c->off), 1U << 30);
	va = hwqnic_pbl_va(&dev->od, &s->mr->pbl.ctx, &s->mr->tlb, pos, n);
	if (va) {
		*len = n;
		return va;
	}
	n = hwqnic_pbl_translate_run(&dev->od, &s->mr->pbl.ctx, pos, n, &dma);
	if (!n)
		return NULL;
	*len = n;
	return hwqnic_os_dma_va(&dev->od, dma, n);
}

static void cur_skip(struct eng_cur *c, u64 n)
{
	if (c->flat) {
		c->off += n;
		return;
	}
	while (n && c->i < c->nseg) {
		u64 k = min_t(u64, n, c->seg[c->i].len - c->off);

		c->off += k;
		n -= k;
		if (c->off == c->seg[c->i].len) {
			c->i++;
			c->off = 0;
		}
	}
}

/* The DMA: len bytes from src to dst, page run by page run, by slices. */
static int eng_move(struct hwqnic_dev *dev, struct eng_cur *dst,
		    struct eng_cur *src, u64 len)
{
	while (len) {
		u32 sn, dn;
		void *s = cur_chunk(dev, src, min_t(u64, len, ENG_SLICE), &sn);
		void *d = s ? cur_chunk(dev, dst, sn, &dn) : NULL;

		if (!d)
			return -EFAULT;
		/* loopback: source and destination may overlap */
		if (dev->ops->copy)
			dev->ops->copy(dev, d, s, dn);
		else
			memmove(d, s, dn);
		cur_skip(src, dn);
		cur_skip(dst, dn);
		len -= dn;
		eng_spend(dev, dn);
	}
	return 0;
}

static void eng_qp_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	qp->nic.state = HWQNIC_QPS_ERR;
	hwqnic_qp_activate(dev, qp);
}

static u32 eng_recvs(const struct hwqnic_qp_nic *n)
{
	return hwqnic_hwq_idx_diff(n->rq_prod, n->rq_cons, n->rq.depth);
}

/*
 * Whether a receive is posted. Receive doorbells do not ring the engine:
 * it reads the RQ's slot only when it knows of no receive.
 */
static bool eng_has_recv(struct hwqnic_dev *dev, struct hwqnic_core_qp *rqp)
{
	struct hwqnic_qp_nic *n = &rqp->nic;
	struct hwqnic_hwq_idx prod;
	bool stamp;

	if (eng_recvs(n))
		return true;
	if (!eng_read_slot(dev, rqp->rq_slot, HWQNIC_DB_RQ, rqp->qpn,
			   n->rq.depth, &prod, &stamp) ||
	    (prod.val == n->rq_prod.val && prod.epoch == n->rq_prod.epoch))
		return false;
	eng_set_prod(rqp, true, prod, stamp);
	eng_count(&rqp->cnt->doorbells, 1);
	hwqnic_trace_db(dev->id, rqp->qpn, HWQNIC_DB_RQ, prod.val, prod.epoch);
	return eng_recvs(n) != 0;
}

/* Completes the receive at the responder's rq_cons and consumes it. */
static void eng_recv_done(struct hwqnic_dev *dev, struct hwqnic_core_qp *rqp,
			  const struct eng_recv *r, struct eng_cqe *e)
{
	e->wr_id = le64_to_cpu(r->h.wr_id);
	e->qpn = rqp->qpn;
	e->idx = rqp->nic.rq_cons.val;
	e->ts = r->h.flags & HWQNIC_RECV_F_TIMESTAMP;
	eng_write_cqe(dev, rqp->rcq, rqp, e);
	hwqnic_hwq_idx_add(&rqp->nic.rq_cons, 1, rqp->nic.rq.depth);
	/* posted long ago: have it here before the next message needs it */
	if (eng_recvs(&rqp->nic)) {
		const void *next = hwqnic_hwq_slot(&dev->od, &rqp->nic.rq,
						   rqp->nic.rq_cons.val);

		if (next)
			prefetch(next);
	}
	if (e->status != HWQNIC_WC_SUCCESS)
		eng_qp_error(dev, rqp);
}

/*
 * A connected peer of the QP's type (RC or UC) able to respond, or NULL
 * (an RC request times out, a UC message is gone).
 */
static struct hwqnic_core_qp *eng_rc_peer(struct hwqnic_dev *dev,
					  const struct hwqnic_core_qp *qp)
{
	struct hwqnic_core_qp *r = hwqnic_qp_lookup(dev, qp->nic.dest_qpn);

	if (!r || r->type != qp->type || r->nic.dest_qpn != qp->qpn ||
	    (r->nic.state != HWQNIC_QPS_RTR && r->nic.state != HWQNIC_QPS_RTS))
		return NULL;
	return r;
}

/*
 * A message that lands in a receive WQE (SEND, and WRITE_WITH_IMM's
 * notification, which carries no payload there). Returns the requester's
 * status.
 */
static u8 eng_deliver(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		      struct hwqnic_core_qp *rqp, const struct eng_send *w,
		      const struct hwqnic_opcode *op, struct eng_cur *src,
		      u64 len, u32 skip)
{
	bool payload = op->kind == HWQNIC_OPK_SEND;
	struct eng_seg seg[HWQNIC_MAX_SGE];
	struct eng_cqe e = {
		.src_qp = qp->qpn,
		.solicited = w->h.flags & HWQNIC_WQE_F_SOLICITED,
	};
	struct eng_recv r;
	struct eng_cur dst = { .seg = seg };
	s64 room;

	if (eng_fetch_recv(dev, rqp, rqp->nic.rq_cons.val, &r)) {
		e.status = HWQNIC_WC_LOC_QP_OP_ERR;
		eng_recv_done(dev, rqp, &r, &e);
		return HWQNIC_WC_REM_OP_ERR;
	}
	dst.nseg = r.h.num_sge;
	room = eng_sgl(dev, rqp->pd, r.sge, r.h.num_sge,
		       HWQNIC_ACCESS_LOCAL_WRITE, seg);
	e.opcode = op->recv_wc_opcode;
	e.byte_len = len + skip;
	if (op->flags & HWQNIC_OPF_IMM) {
		e.flags = HWQNIC_CQE_F_WITH_IMM;
		e.imm = le32_to_cpu(w->h.imm_data);
	}
	if (room < 0) {
		e.status = HWQNIC_WC_LOC_PROT_ERR;
		eng_recv_done(dev, rqp, &r, &e);
		return HWQNIC_WC_REM_OP_ERR;
	}
	if (payload && (u64)room < len + skip) {
		e.status = HWQNIC_WC_LOC_LEN_ERR;
		eng_recv_done(dev, rqp, &r, &e);
		return HWQNIC_WC_REM_INV_REQ_ERR;
	}
	if (payload) {
		cur_skip(&dst, skip);
		if (eng_move(dev, &dst, src, len)) {
			e.status = HWQNIC_WC_LOC_PROT_ERR;
			eng_recv_done(dev, rqp, &r, &e);
			return HWQNIC_WC_REM_OP_ERR;
		}
	}
	e.status = HWQNIC_WC_SUCCESS;
	eng_recv_done(dev, rqp, &r, &e);
	return HWQNIC_WC_SUCCESS;
}

/* RNR: wait out the responder's timer, or give up. */
static int eng_rnr(struct hwqnic_core_qp *qp,
		   const struct hwqnic_core_qp *rqp, u8 *status)
{
	if (qp->nic.rnr_retry != HWQNIC_RNR_RETRY_FOREVER &&
	    qp->nic.rnr_count >= qp->nic.rnr_retry) {
		*status = HWQNIC_WC_RNR_RETRY_EXC_ERR;
		return ENG_DONE;
	}
	if (qp->nic.rnr_count < 255)
		qp->nic.rnr_count++;
	qp->nic.rnr_until = hwqnic_os_now_ns() +
		eng_rnr_ns(rqp->nic.min_rnr_timer);
	return ENG_STALL;
}

/*
 * UC: what went wrong past the sender's own memory (no peer, no receive
 * posted, an R_Key refused, a receive too short) drops the message at the
 * receiver, and nothing tells the sender: its WQE completes successfully.
 */
static u8 eng_uc_status(u8 status)
{
	switch (status) {
	case HWQNIC_WC_LOC_LEN_ERR:
	case HWQNIC_WC_LOC_QP_OP_ERR:
	case HWQNIC_WC_LOC_PROT_ERR:
		return status;
	default:
		return HWQNIC_WC_SUCCESS;
	}
}

/* An RC or UC send WQE, requester and responder both. */
static int eng_rc(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		  struct eng_send *w, const struct hwqnic_opcode *op,
		  u8 *status, u64 *moved)
{
	struct eng_seg lseg[HWQNIC_MAX_SGE], rseg;
	struct eng_cur local = { .seg = lseg, .nseg = w->h.num_sge };
	struct eng_cur remote = { .seg = &rseg, .nseg = 1 };
	u64 raddr = le64_to_cpu(w->h.remote_addr), len;
	u32 rkey = le32_to_cpu(w->h.rkey);
	bool inl = w->h.flags & HWQNIC_WQE_F_INLINE;
	bool uc = qp->type == HWQNIC_QPT_UC;
	struct hwqnic_core_mr *mr;
	struct hwqnic_core_qp *rqp;
	s64 l;

	/* the WQE is the host's: a READ or atomic on a UC QP is refused */
	if (!(op->qp_types & HWQNIC_OP_QPT(qp->type))) {
		*status = HWQNIC_WC_LOC_QP_OP_ERR;
		return ENG_DONE;
	}
	if (inl) {
		local = (struct eng_cur){ .flat = w->inl,
					  .flat_len = le32_to_cpu(w->h.length) };
		len = local.flat_len;
	} else {
		l = eng_sgl(dev, qp->pd, w->sge, w->h.num_sge,
			    op->local_access, lseg);
		if (l < 0) {
			*status = HWQNIC_WC_LOC_PROT_ERR;
			return ENG_DONE;
		}
		len = l;
	}
	rqp = eng_rc_peer(dev, qp);
	if (!rqp) {
		*status = HWQNIC_WC_RETRY_EXC_ERR;
		goto out;
	}

	switch (op->kind) {
	case HWQNIC_OPK_SEND:
		if (!eng_has_recv(dev, rqp)) {
			if (!uc)
				return eng_rnr(qp, rqp, status);
			*status = HWQNIC_WC_RNR_RETRY_EXC_ERR;	/* dropped */
			break;
		}
		*status = eng_deliver(dev, qp, rqp, w, op, &local, len, 0);
		break;
	case HWQNIC_OPK_WRITE:
	case HWQNIC_OPK_READ:
		/*
		 * IB (and rxe): a zero-length RDMA WRITE or READ names no
		 * memory, so its R_Key and address are not checked; the
		 * QP's right still is.
		 */
		mr = len ? eng_rkey(dev, rqp, rkey, raddr, len,
				    op->remote_access) : NULL;
		if (len ? !mr : !(rqp->nic.access & op->remote_access)) {
			*status = HWQNIC_WC_REM_ACCESS_ERR;
			break;
		}
		if ((op->flags & HWQNIC_OPF_RECV) && !eng_has_recv(dev, rqp)) {
			if (!uc)
				return eng_rnr(qp, rqp, status);
			*status = HWQNIC_WC_RNR_RETRY_EXC_ERR;	/* dropped */
			break;
		}
		rseg = (struct eng_seg){ mr, mr ? raddr - mr->iova : 0, len };
		if (op->kind == HWQNIC_OPK_READ) {
			*status = eng_move(dev, &local, &remote, len) ?
				  HWQNIC_WC_LOC_PROT_ERR : HWQNIC_WC_SUCCESS;
			break;
		}
		*status = eng_move(dev, &remote, &local, len) ?
			  HWQNIC_WC_REM_OP_ERR : HWQNIC_WC_SUCCESS;
		if (!*status && (op->flags & HWQNIC_OPF_RECV))
			*status = eng_deliver(dev, qp, rqp, w, op, NULL, len,
					      0);
		break;
	default: {	/* HWQNIC_OPK_ATOMIC: checked at post, again here */
		u64 *target, old;
		u32 n;

		if (len != HWQNIC_ATOMIC_LEN) {
			*status = HWQNIC_WC_LOC_LEN_ERR;
			break;
		}
		mr = eng_rkey(dev, rqp, rkey, raddr, HWQNIC_ATOMIC_LEN,
			      op->remote_access);
		if (!mr) {
			*status = HWQNIC_WC_REM_ACCESS_ERR;
			break;
		}
		if (raddr & 7) {
			*status = HWQNIC_WC_REM_INV_REQ_ERR;
			break;
		}
		rseg = (struct eng_seg){ mr, raddr - mr->iova, 8 };
		target = cur_chunk(dev, &remote, 8, &n);
		if (!target || n != 8) {
			*status = HWQNIC_WC_REM_OP_ERR;
			break;
		}
		if (w->h.opcode == HWQNIC_WR_ATOMIC_CMP_AND_SWP)
			old = hwqnic_os_cas64(target,
					      le64_to_cpu(w->h.compare_add),
					      le64_to_cpu(w->h.swap));
		else
			old = hwqnic_os_faa64(target,
					      le64_to_cpu(w->h.compare_add));
		remote = (struct eng_cur){ .flat = (u8 *)&old, .flat_len = 8 };
		*status = eng_move(dev, &local, &remote, 8) ?
			  HWQNIC_WC_LOC_PROT_ERR : HWQNIC_WC_SUCCESS;
		break;
	}
	}
out:
	if (uc)
		*status = eng_uc_status(*status);
	if (*status == HWQNIC_WC_SUCCESS)
		*moved = len;
	return ENG_DONE;
}

/*
 * A UD send: delivered if a matching QP has a receive; else dropped. One
 * naming an address handle goes on the wire (req.c); ENG_STALL while the
 * port has no frame free.
 */
static int eng_ud(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		  struct eng_send *w, const struct hwqnic_opcode *op,
		  u8 *status, u64 *moved)
{
	struct eng_seg lseg[HWQNIC_MAX_SGE];
	struct eng_cur local = { .seg = lseg, .nseg = w->h.num_sge };
	struct hwqnic_core_qp *rqp;
	u64 len;
	s64 l;

	if (w->h.flags & HWQNIC_WQE_F_INLINE) {
		local = (struct eng_cur){ .flat = w->inl,
					  .flat_len = le32_to_cpu(w->h.length) };
		len = local.flat_len;
	} else {
		l = eng_sgl(dev, qp->pd, w->sge, w->h.num_sge, 0, lseg);
		if (l < 0) {
			*status = HWQNIC_WC_LOC_PROT_ERR;
			return ENG_DONE;
		}
		len = l;
	}
	if (len > HWQNIC_MTU ||
	    !(op->qp_types & HWQNIC_OP_QPT(HWQNIC_QPT_UD))) {
		*status = HWQNIC_WC_LOC_QP_OP_ERR;
		return ENG_DONE;
	}
	if (unlikely(w->h.ah)) {
		if (hwqnic_req_ud(dev, qp, w, op, &local, len, status))
			return ENG_STALL;
		if (*status == HWQNIC_WC_SUCCESS)
			*moved = len;
		return ENG_DONE;
	}
	*status = HWQNIC_WC_SUCCESS;
	*moved = len;
	rqp = hwqnic_qp_lookup(dev, le32_to_cpu(w->h.dst_qpn));
	if (!rqp || rqp->type != HWQNIC_QPT_UD ||
	    (rqp->nic.state != HWQNIC_QPS_RTR &&
	     rqp->nic.state != HWQNIC_QPS_RTS) ||
	    rqp->nic.qkey != le32_to_cpu(w->h.qkey) || !eng_has_recv(dev, rqp))
		return ENG_DONE;
	eng_deliver(dev, qp, rqp, w, op, &local, len, HWQNIC_UD_GRH_BYTES);
	return ENG_DONE;
}

/* Completes the send WQE at sq_cons and moves past it. */
static void eng_send_done(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  const struct hwqnic_send_wqe *h, u8 status)
{
	/* a CQE carries one of the table's opcodes, whatever the WQE held */
	struct eng_cqe e = {
		.wr_id = le64_to_cpu(h->wr_id),
		.qpn = qp->qpn,
		.idx = qp->nic.sq_cons.val,
		.opcode = hwqnic_opcodes[h->opcode % HWQNIC_WR_MAX].wc_opcode,
		.status = status,
		.byte_len = le32_to_cpu(h->length),
		.ts = h->flags & HWQNIC_WQE_F_TIMESTAMP,
	};

	if (status != HWQNIC_WC_SUCCESS || (h->flags & HWQNIC_WQE_F_SIGNALED))
		eng_write_cqe(dev, qp->scq, qp, &e);
	hwqnic_hwq_idx_add(&qp->nic.sq_cons, 1, qp->nic.sq.depth);
	qp->nic.rnr_count = 0;
	qp->nic.rnr_until = 0;
	qp->nic.tx_wait = false;
	if (status != HWQNIC_WC_SUCCESS)
		eng_qp_error(dev, qp);
}

/*
 * Fault injection (HWQNIC_INJECT_DELAY_NS, libhwqnic's embedded engine
 * only): a fetched WQE waits that long before it executes, a NIC slower
 * by a known amount. A busy wait on the engine's clock, at most the 10 ms
 * open allows; the wait counts as that much work, one unit a ns, so a
 * pass still ends and yields within the bounds a copy keeps.
 */
static hwqnic_os_cold void eng_inject_wait(struct hwqnic_dev *dev, u64 d)
{
	u64 end = hwqnic_os_now_ns() + d;

	while (hwqnic_os_now_ns() < end)
		cpu_relax();
	eng_spend(dev, d);
}

/* Out of line, so that off it is one branch and no code in the way. */
static inline void eng_inject_delay(struct hwqnic_dev *dev)
{
	u64 d = hwqnic_os_wqe_delay_ns(dev);

	if (unlikely(d))
		eng_inject_wait(dev, d);
}

/* A send WQE has been fetched: once per WQE, flushes included. */
static void eng_fetched(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			u32 idx, const struct hwqnic_send_wqe *h)
{
	hwqnic_trace_wqe(dev->id, qp->qpn, idx, le64_to_cpu(h->wr_id),
			 h->opcode, le32_to_cpu(h->length));
	eng_count(&qp->cnt->wqes, 1);
}

static int eng_send_one(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	const struct hwqnic_opcode *op;
	struct eng_send w;
	u64 moved = 0;
	u8 status;

	eng_spend(dev, ENG_WQE_COST);
	if (eng_fetch_send(dev, qp, qp->nic.sq_cons.val, &w)) {
		memset(&w.h, 0, sizeof(w.h));
		eng_fetched(dev, qp, qp->nic.sq_cons.val, &w.h);
		eng_send_done(dev, qp, &w.h, HWQNIC_WC_LOC_QP_OP_ERR);
		return ENG_DONE;
	}
	/* a WQE that waits (RNR, a full port ring) was fetched before */
	if (!qp->nic.rnr_count && !qp->nic.tx_wait) {
		eng_fetched(dev, qp, qp->nic.sq_cons.val, &w.h);
		eng_inject_delay(dev);
	}
	op = hwqnic_opcode(w.h.opcode);
	if (!op) {
		status = HWQNIC_WC_LOC_QP_OP_ERR;
	} else if (qp->type == HWQNIC_QPT_UD) {
		qp->nic.tx_wait = eng_ud(dev, qp, &w, op, &status,
					 &moved) == ENG_STALL;
		if (qp->nic.tx_wait)
			return ENG_STALL;
	} else if (eng_rc(dev, qp, &w, op, &status, &moved) == ENG_STALL) {
		return ENG_STALL;
	}
	eng_count(&qp->cnt->bytes, moved);
	eng_send_done(dev, qp, &w.h, status);
	return ENG_DONE;
}

/*
 * A QP in ERR: every outstanding WQE completes with WR_FLUSH_ERR, as many
 * as the pass has room for. Returns true once none is left.
 */
static bool eng_flush(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_qp_nic *n = &qp->nic;
	struct eng_send w;
	struct eng_recv r;

	while (hwqnic_hwq_idx_diff(n->sq_prod, n->sq_cons, n->sq.depth)) {
		if (eng_pass_full(dev))
			return false;
		eng_spend(dev, ENG_WQE_COST);
		if (eng_fetch_send(dev, qp, n->sq_cons.val, &w))
			memset(&w.h, 0, sizeof(w.h));
		eng_fetched(dev, qp, qp->nic.sq_cons.val, &w.h);
		eng_send_done(dev, qp, &w.h, HWQNIC_WC_WR_FLUSH_ERR);
	}
	/* up to the last receive posted; later ones ring (qp.c) */
	eng_has_recv(dev, qp);
	while (eng_recvs(n)) {
		struct eng_cqe e = {
			.opcode = HWQNIC_WC_RECV,
			.status = HWQNIC_WC_WR_FLUSH_ERR,
		};

		if (eng_pass_full(dev))
			return false;
		eng_spend(dev, ENG_WQE_COST);
		if (eng_fetch_recv(dev, qp, n->rq_cons.val, &r))
			memset(&r.h, 0, sizeof(r.h));
		eng_recv_done(dev, qp, &r, &e);
	}
	return true;
}

/* The polled set's entry for slot, or NULL. */
static struct hwqnic_polled *eng_polled_find(struct hwqnic_dev *dev, u32 slot)
{
	u32 i;

	for (i = 0; i < dev->npolled; i++)
		if (dev->polled[i].slot == slot)
			return &dev->polled[i];
	return NULL;
}

/*
 * The SQ is empty: its next doorbell will name slot sq_cons. Every read of
 * the polled doorbell slot also prefetches that WQE, so its line comes
 * over with the doorbell's rather than one miss after it.
 */
static void eng_sq_drained(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_polled *e = eng_polled_find(dev, qp->sq_slot);

	if (e)
		e->next_wqe = hwqnic_hwq_slot(&dev->od, &qp->nic.sq,
					      qp->nic.sq_cons.val);
	hwqnic_qp_deactivate(dev, qp);
}

/* One QP's turn. Returns true if it did something. */
static bool eng_run_qp(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_qp_nic *n = &qp->nic;
	u32 budget = QP_BUDGET;
	bool work = false;

	if (n->state == HWQNIC_QPS_ERR) {
		if (eng_flush(dev, qp))
			hwqnic_qp_deactivate(dev, qp);
		return true;
	}
	/* a QP whose peer is another node: the transport's turn */
	if (unlikely(n->wire))
		return hwqnic_wire_run(dev, qp);
	if (n->state != HWQNIC_QPS_RTS) {
		hwqnic_qp_deactivate(dev, qp);
		return false;
	}
	while (budget-- && !eng_pass_full(dev) &&
	       hwqnic_hwq_idx_diff(n->sq_prod, n->sq_cons, n->sq.depth)) {
		if (n->rnr_until && hwqnic_os_now_ns() < n->rnr_until)
			goto stalled;
		if (eng_send_one(dev, qp) == ENG_STALL)
			goto stalled;
		work = true;
		if (n->state == HWQNIC_QPS_ERR)
			return work;	/* flushed on its next turn */
	}
	if (!hwqnic_hwq_idx_diff(n->sq_prod, n->sq_cons, n->sq.depth))
		eng_sq_drained(dev, qp);
	return work;
stalled:
	if (!dev->rnr_next || n->rnr_until < dev->rnr_next)
		dev->rnr_next = n->rnr_until;
	return work;
}

/*
 * A doorbell from slot `slot`: checked against the queue it names. Returns
 * true for a send or receive doorbell taken, whose slot may be polled.
 */
static bool eng_doorbell(struct hwqnic_dev *dev, u32 slot, u64 val)
{
	struct hwqnic_core_qp *qp;
	struct hwqnic_core_cq *cq;
	struct hwqnic_hwq_idx prod;
	bool pollable = false;
	struct hwqnic_db db;

	if (hwqnic_db_decode(val, &db))
		goto bad;
	switch (db.type) {
	case HWQNIC_DB_SQ:
	case HWQNIC_DB_RQ:
		qp = hwqnic_qp_lookup(dev, db.xid);
		/* a QP in RESET has nothing posted: its host rings nothing */
		if (!qp || qp->nic.state == HWQNIC_QPS_RESET)
			goto bad;
		prod = (struct hwqnic_hwq_idx){ db.index, db.epoch };
		if (db.type == HWQNIC_DB_SQ) {
			if (qp->sq_slot != slot || db.index >= qp->nic.sq.depth)
				goto bad;
		} else {
			if (qp->rq_slot != slot || db.index >= qp->nic.rq.depth)
				goto bad;
		}
		eng_set_prod(qp, db.type != HWQNIC_DB_SQ, prod, db.stamp);
		eng_count(&qp->cnt->doorbells, 1);
		if (db.type == HWQNIC_DB_SQ || qp->nic.state == HWQNIC_QPS_ERR)
			hwqnic_qp_activate(dev, qp);
		pollable = true;
		break;
	case HWQNIC_DB_CQ_ARMALL:
	case HWQNIC_DB_CQ_ARMSE:
		cq = db.xid < HWQNIC_MAX_CQ ? dev->cq[db.xid] : NULL;
		if (!cq || cq->arm_slot != slot)
			goto bad;
		cq->armed = db.type;
		break;
	default:
		goto bad;
	}
	hwqnic_trace_db(dev->id, db.xid, db.type, db.index, db.epoch);
	return pollable;
bad:
	dev->db_bad++;
	return false;
}

/*
 * Takes a send or receive doorbell's slot into the polled set, if there is
 * room: its host then rings with one store and a barrier.
 */
static void eng_poll_slot(struct hwqnic_dev *dev, u32 slot, u64 val)
{
	struct hwqnic_polled *e;

	if (dev->npolled == HWQNIC_POLLED_MAX)
		return;
	e = &dev->polled[dev->npolled++];
	*e = (struct hwqnic_polled){ .val = val, .slot = slot };
	WRITE_ONCE(dev->dbp->polled[slot], 1);
}

/* A slot flagged in the pending bits. */
static void eng_pending_slot(struct hwqnic_dev *dev, u32 slot)
{
	u64 val = smp_load_acquire(&dev->dbp->slot[slot]);
	struct hwqnic_polled *e = eng_polled_find(dev, slot);

	if (e) {		/* rung just as it was taken in */
		if (e->val == val)
			return;
		e->val = val;
		e->idle = 0;
	}
	if (eng_doorbell(dev, slot, val) && !e)
		eng_poll_slot(dev, slot, val);
}

static bool eng_doorbells(struct hwqnic_dev *dev)
{
	struct hwqnic_db_page *p = dev->dbp;
	unsigned long sum, bits;
	bool work = false;
	u32 w, b;

	if (!READ_ONCE(p->summary))
		return false;
	sum = xchg((unsigned long *)&p->summary, 0UL);
	while (sum) {
		w = __builtin_ctzl(sum);
		sum &= sum - 1;
		if (w >= HWQNIC_DB_SLOTS / 64)
			continue;
		bits = xchg((unsigned long *)&p->pending[w], 0UL);
		while (bits) {
			b = __builtin_ctzl(bits);
			bits &= bits - 1;
			eng_pending_slot(dev, w * 64 + b);
			work = true;
		}
	}
	return work;
}

/*
 * Drops entry i of the polled set. Its byte is cleared before the last
 * read of the slot, with a full barrier between, pairing with the host's
 * barrier between writing a slot and looking at the byte.
 */
static bool eng_unpoll(struct hwqnic_dev *dev, u32 i)
{
	u64 last = dev->polled[i].val, val;
	u32 slot = hwqnic_dev_polled_drop(dev, i);

	smp_mb();
	val = smp_load_acquire(&dev->dbp->slot[slot]);
	if (val == last)
		return false;
	eng_doorbell(dev, slot, val);
	return true;
}

/* Reads every polled slot; one idle for too long leaves the set. */
static bool eng_polled(struct hwqnic_dev *dev)
{
	bool work = false;
	u32 i;

	for (i = dev->npolled; i-- > 0;) {
		struct hwqnic_polled *e = &dev->polled[i];
		u64 val;

		if (e->next_wqe)
			prefetch(e->next_wqe);
		val = smp_load_acquire(&dev->dbp->slot[e->slot]);
		if (val != e->val) {
			e->next_wqe = NULL;
			e->val = val;
			e->idle = 0;
			eng_doorbell(dev, e->slot, val);
			work = true;
		} else if (++e->idle == HWQNIC_POLLED_IDLE) {
			work |= eng_unpoll(dev, i);
		}
	}
	return work;
}

/* Empties the polled set, as before the engine sleeps. */
bool hwqnic_engine_unpoll(struct hwqnic_dev *dev)
{
	bool work = false;

	hwqnic_lock(&dev->lock);
	while (dev->npolled)
		work |= eng_unpoll(dev, dev->npolled - 1);
	hwqnic_unlock(&dev->lock);
	return work;
}

/*
 * The active QPs' turns. A QP may leave the list during its turn: the
 * walk goes backwards, from where the last pass ran out of work, if it
 * did, so that every QP gets its turn while others have plenty to do.
 */
static bool eng_run_active(struct hwqnic_dev *dev)
{
	u32 i = dev->active_next;
	bool work = false;

	if (!i || i > dev->nactive)
		i = dev->nactive;
	dev->active_next = 0;
	while (i--) {
		if (i < dev->nactive)
			work |= eng_run_qp(dev, dev->active[i]);
		if (eng_pass_full(dev)) {
			dev->active_next = i;
			break;
		}
	}
	return work;
}

/* One pass over doorbells and the QPs with work, bounded in work. */
bool hwqnic_engine_poll(struct hwqnic_dev *dev)
{
	bool work;

	hwqnic_lock(&dev->lock);
	dev->rnr_next = 0;
	dev->pass_work = 0;
	dev->work_yielded = 0;
	work = eng_polled(dev);
	work |= eng_doorbells(dev);
	if (unlikely(dev->port))
		work |= dev->port->rx_poll(dev, WIRE_RX_BUDGET,
					   hwqnic_wire_rx) != 0;
	work |= eng_run_active(dev);
	if (unlikely(dev->port))
		dev->port->tx_flush(dev);
	hwqnic_unlock(&dev->lock);
	return work;
}

/* Wake a sleeping engine, e.g. to see *stop. */
void hwqnic_engine_kick(struct hwqnic_dev *dev)
{
	hwqnic_os_engine_wake(&dev->od, &dev->dbp->wake_seq);
}

/*
 * Spin while there is work or was a moment ago, then sleep until a
 * doorbell. need_wakeup is set before the last look at the summary, with a
 * full barrier between, so a host that rings after that look sees it. The
 * clock is read once every 128 passes, never on the way to work: busy time
 * is run time less the sampled intervals in which no pass did anything.
 * QPs waiting out an RNR or retransmit timer keep the engine awake only
 * until the first timer is due: it sleeps until then (or until a
 * doorbell). A device with a port polls it on every pass and naps at most
 * ENG_PORT_NAP, since a frame rings no doorbell.
 */
void hwqnic_engine_run(struct hwqnic_dev *dev, const bool *stop)
{
	struct hwqnic_db_page *p = dev->dbp;
	u64 start = hwqnic_os_now_ns(), sample = start, last = start, idle = 0;
	bool worked = false;
	u32 seq, passes = 0;
	u64 t, nap;

	while (!READ_ONCE(*stop)) {
		if ((READ_ONCE(p->summary) || READ_ONCE(dev->nactive) ||
		     READ_ONCE(dev->npolled) || dev->port) &&
		    hwqnic_engine_poll(dev))
			worked = true;
		else
			cpu_relax();
		if (++passes % 128)
			continue;
		hwqnic_os_engine_yield(&dev->od);
		t = hwqnic_os_now_ns();
		if (worked)
			last = t;
		else
			idle += t - sample;
		worked = false;
		sample = t;
		if (dev->estats) {
			WRITE_ONCE(dev->estats->busy_ns, t - start - idle);
			WRITE_ONCE(dev->estats->run_ns, t - start);
		}
		if (t - last < HWQNIC_ENGINE_SPIN_NS)
			continue;
		/* frames arrive unannounced: a port is looked at often */
		nap = dev->port ? ENG_PORT_NAP : 100 * 1000 * 1000;
		if (READ_ONCE(dev->nactive)) {
			/* all of them RNR-stalled, or the pass would work */
			if (!READ_ONCE(dev->rnr_next) ||
			    READ_ONCE(dev->rnr_next) <= t)
				continue;
			nap = min_t(u64, nap, READ_ONCE(dev->rnr_next) - t);
		}
		if (hwqnic_engine_unpoll(dev))
			continue;
		seq = READ_ONCE(p->wake_seq);
		WRITE_ONCE(p->need_wakeup, 1);
		smp_mb();
		if (!READ_ONCE(p->summary) && !READ_ONCE(*stop))
			hwqnic_os_engine_wait(&dev->od, &p->wake_seq, seq, nap);
		WRITE_ONCE(p->need_wakeup, 0);
		t = hwqnic_os_now_ns();
		idle += t - sample;
		sample = last = t;
	}
}

/*
 * The stages the transport (xport.h) shares, for its files. The engine
 * calls the static functions above, which the compiler inlines as it
 * sees fit: libhwqnic is built with -fPIC, where a global function is
 * called, never inlined, by the file that defines it.
 */
void hwqnic_eng_count(u64 *c, u64 n)
{
	eng_count(c, n);
}

void hwqnic_eng_spend(struct hwqnic_dev *dev, u64 n)
{
	eng_spend(dev, n);
}

bool hwqnic_eng_pass_full(const struct hwqnic_dev *dev)
{
	return eng_pass_full(dev);
}

int hwqnic_eng_fetch_send(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u32 idx, struct eng_send *w)
{
	return eng_fetch_send(dev, qp, idx, w);
}

int hwqnic_eng_fetch_recv(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u32 idx, struct eng_recv *w)
{
	return eng_fetch_recv(dev, qp, idx, w);
}

s64 hwqnic_eng_sgl(struct hwqnic_dev *dev, const struct hwqnic_core_pd *pd,
		   const struct hwqnic_wqe_sge *sge, u32 n, u32 need,
		   struct eng_seg *seg)
{
	return eng_sgl(dev, pd, sge, n, need, seg);
}

struct hwqnic_core_mr *
hwqnic_eng_rkey(struct hwqnic_dev *dev, const struct hwqnic_core_qp *rqp,
		u32 rkey, u64 addr, u64 len, u32 right)
{
	return eng_rkey(dev, rqp, rkey, addr, len, right);
}

void *hwqnic_cur_chunk(struct hwqnic_dev *dev, struct eng_cur *c, u64 max,
		       u32 *len)
{
	return cur_chunk(dev, c, max, len);
}

void hwqnic_cur_skip(struct eng_cur *c, u64 n)
{
	cur_skip(c, n);
}

int hwqnic_eng_move(struct hwqnic_dev *dev, struct eng_cur *dst,
		    struct eng_cur *src, u64 len)
{
	return eng_move(dev, dst, src, len);
}

void hwqnic_eng_qp_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	eng_qp_error(dev, qp);
}

bool hwqnic_eng_has_recv(struct hwqnic_dev *dev, struct hwqnic_core_qp *rqp)
{
	return eng_has_recv(dev, rqp);
}

void hwqnic_eng_recv_done(struct hwqnic_dev *dev, struct hwqnic_core_qp *rqp,
			  const struct eng_recv *r, struct eng_cqe *e)
{
	eng_recv_done(dev, rqp, r, e);
}

void hwqnic_eng_send_done(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  const struct hwqnic_send_wqe *h, u8 status)
{
	eng_send_done(dev, qp, h, status);
}

void hwqnic_eng_fetched(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			u32 idx, const struct hwqnic_send_wqe *h)
{
	eng_fetched(dev, qp, idx, h);
}

u64 hwqnic_eng_rnr_ns(u8 timer)
{
	return eng_rnr_ns(timer);
}
