// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Completion queues: creation, the host's poll, arming. */
#include "cq.h"
#include "qp.h"

static u32 cq_stride(u32 flags)
{
	return flags & HWQNIC_CQ_F_TIMESTAMP ? sizeof(struct hwqnic_cqe_ts) :
					       sizeof(struct hwqnic_cqe);
}

int hwqnic_cq_create_ex(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
			u32 depth, u32 flags)
{
	int rc, h;

	if (!depth || depth > HWQNIC_MAX_CQE || (flags & ~HWQNIC_CQ_F_ALL))
		return -EINVAL;
	memset(cq, 0, sizeof(*cq));
	cq->flags = flags;
	rc = hwqnic_hwq_init(&dev->od, &cq->hwq, depth, cq_stride(flags),
			     HWQNIC_PBL_TBL_SHIFT);
	if (rc)
		return rc;
	hwqnic_hwq_ctx(&cq->hwq, &cq->ctx);

	hwqnic_lock(&dev->lock);
	rc = h = hwqnic_ids_get(&dev->cq_ids);
	if (h < 0)
		goto unlock;
	rc = hwqnic_dev_db_pair(dev, &cq->db_slot, &cq->arm_slot, false);
	if (rc) {
		hwqnic_ids_put(&dev->cq_ids, h);
		goto unlock;
	}
	cq->handle = h;
	cq->serial = dev->cq_serial++;
	hwqnic_lock_init(&cq->lock);
	dev->cq[h] = cq;
unlock:
	hwqnic_unlock(&dev->lock);
	if (rc < 0) {
		hwqnic_hwq_free(&dev->od, &cq->hwq);
		return rc;
	}
	return 0;
}

/*
 * The host's side of a CQ that hwqnic.ko created for this process: its
 * queue as mapped (`q`, taken over), its handle and doorbell slots.
 */
int hwqnic_cq_attach(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
		     u32 handle, u32 db_slot, u32 arm_slot, u32 flags,
		     const struct hwqnic_hwq *q)
{
	int rc = 0;

	if (handle >= HWQNIC_MAX_CQ || db_slot >= HWQNIC_DB_SLOTS ||
	    arm_slot >= HWQNIC_DB_SLOTS || (flags & ~HWQNIC_CQ_F_ALL) ||
	    (1U << q->stride_shift) != cq_stride(flags))
		return -EINVAL;
	memset(cq, 0, sizeof(*cq));
	cq->flags = flags;
	cq->hwq = *q;
	cq->handle = handle;
	cq->db_slot = db_slot;
	cq->arm_slot = arm_slot;
	hwqnic_lock(&dev->lock);
	if (dev->cq[handle])
		rc = -EEXIST;
	else
		dev->cq[handle] = cq;
	hwqnic_unlock(&dev->lock);
	if (!rc)
		hwqnic_lock_init(&cq->lock);
	return rc;
}

/*
 * Undoes hwqnic_cq_attach() unless QPs still use the CQ (-EBUSY); the
 * queue view is the caller's again.
 */
int hwqnic_cq_detach(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq)
{
	hwqnic_lock(&dev->lock);
	if (cq->users) {
		hwqnic_unlock(&dev->lock);
		return -EBUSY;
	}
	dev->cq[cq->handle] = NULL;
	hwqnic_unlock(&dev->lock);
	hwqnic_lock_destroy(&cq->lock);
	return 0;
}

int hwqnic_cq_destroy(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq)
{
	hwqnic_lock(&dev->lock);
	if (cq->users) {
		hwqnic_unlock(&dev->lock);
		return -EBUSY;
	}
	dev->cq[cq->handle] = NULL;
	hwqnic_ids_put(&dev->cq_ids, cq->handle);
	hwqnic_dev_db_pair_put(dev, cq->db_slot, cq->arm_slot);
	hwqnic_unlock(&dev->lock);
	hwqnic_lock_destroy(&cq->lock);
	hwqnic_hwq_free(&dev->od, &cq->hwq);
	return 0;
}

void hwqnic_cq_arm(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
		   bool solicited)
{
	u8 type = solicited ? HWQNIC_DB_CQ_ARMSE : HWQNIC_DB_CQ_ARMALL;
	u64 db;

	hwqnic_lock(&cq->lock);
	db = hwqnic_hwq_db(&cq->hwq, cq->handle, type,
			   hwqnic_cqe_phase(cq->hwq.cons.epoch));
	hwqnic_unlock(&cq->lock);
	hwqnic_dev_ring(dev, cq->arm_slot, db, true);
}

/*
 * Removes qpn's CQEs from the CQ as the QP leaves it (reset, destroy):
 * they belong to a life of the QP, or of its QPN, that is over. As mlx5
 * does, the valid CQEs from the consumer index on are walked back to
 * front; those of other QPs move up over the removed ones, keeping their
 * order and their slot's toggle, and the consumer index skips the slots
 * freed. The engine may write past the valid run meanwhile: that is never
 * touched, and it cannot wrap onto the run (the host's consumer doorbell
 * holds it back). cq->lock held.
 */
void hwqnic_cq_clean(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
		     u32 qpn)
{
	struct hwqnic_hwq *q = &cq->hwq;
	struct hwqnic_hwq_idx at = q->cons;
	u32 n, freed = 0;

	for (n = 0; n < q->depth; n++) {
		const struct hwqnic_cqe *cqe = hwqnic_hwq_get_qe(q, at.val);

		if ((smp_load_acquire(&cqe->flags) & HWQNIC_CQE_F_TOGGLE) !=
		    hwqnic_cqe_phase(at.epoch))
			break;
		hwqnic_hwq_idx_add(&at, 1, q->depth);
	}
	while (n--) {
		u32 i = (q->cons.val + n) % q->depth;
		const struct hwqnic_cqe *src = hwqnic_hwq_get_qe(q, i);
		struct hwqnic_cqe *dst;
		u8 toggle;

		if (le32_to_cpu(src->qpn) == qpn) {
			freed++;
			continue;
		}
		if (!freed)
			continue;
		dst = hwqnic_hwq_get_qe(q, (i + freed) % q->depth);
		toggle = dst->flags & HWQNIC_CQE_F_TOGGLE;
		/* the whole slot: a timestamped CQE's times move with it */
		memcpy(dst, src, 1U << q->stride_shift);
		dst->flags = (dst->flags & ~HWQNIC_CQE_F_TOGGLE) | toggle;
	}
	if (!freed)
		return;
	hwqnic_hwq_incr_cons(q, freed);
	hwqnic_dev_ring(dev, cq->db_slot,
			hwqnic_hwq_db(q, cq->handle, HWQNIC_DB_CQ, 0), false);
}

/* Slots from `from` up to and including `idx`: 1..depth. */
static u32 cq_span(struct hwqnic_hwq_idx from, u32 idx, u32 depth)
{
	u32 n = (idx + 1 + depth - from.val) % depth;

	return n ? n : depth;
}

/*
 * A completion frees its WQE's slot and, on the send queue, those of the
 * unsignaled WQEs before it. The send and receive sides have one poller
 * each (the CQ lock), so `done` has a single writer.
 */
static void cq_retire(struct hwqnic_core_qp *qp, const struct hwqnic_wc *wc,
		      u32 idx)
{
	bool recv = hwqnic_wc_is_recv(wc->opcode);
	struct hwqnic_hwq *q = recv ? &qp->rq : &qp->sq;
	u32 *done = recv ? &qp->rq_done : &qp->sq_done;
	u32 *gauge = recv ? &qp->cnt->rq_outstanding :
			    &qp->cnt->sq_outstanding;
	u32 posted = recv ? READ_ONCE(qp->rq_posted) : READ_ONCE(qp->sq_posted);
	u32 n;

	if (idx >= q->depth)
		return;
	n = cq_span(q->cons, idx, q->depth);
	/* a CQE naming a slot past those outstanding retires nothing */
	if (n > posted - *done)
		return;
	hwqnic_hwq_incr_cons(q, n);
	smp_store_release(done, *done + n);
	WRITE_ONCE(*gauge, posted - *done);
}

/*
 * A spinning poller finds nothing far more often than something: one trace
 * event per empty poll would cost a uprobe hit each. While traced, empty
 * polls are counted here (exactly for one poller, nearly so for several)
 * and reported as one event ahead of the next poll that finds a CQE.
 */
static void cq_count_empty(struct hwqnic_core_cq *cq)
{
	if (hwqnic_trace_enabled(poll))
		WRITE_ONCE(cq->empty_polls, READ_ONCE(cq->empty_polls) + 1);
}

/*
 * A completion's times: the NIC's from a timestamped CQ's CQE, or from
 * the WQE's own slot where the NIC wrote them back (HWQNIC_CQE_F_WQE_TIMES,
 * a CQ of 32-byte CQEs); the post's from the QP's own record of it (host
 * memory the NIC never sees). Read before the WQE's slot can be reused.
 */
static void cq_read_ts(const struct hwqnic_core_cq *cq,
		       const struct hwqnic_core_qp *qp, const void *cqe,
		       u8 flags, u32 idx, bool recv, struct hwqnic_wc_ts *ts)
{
	const struct hwqnic_cqe_ts *e = cqe;
	const struct hwqnic_hwq *q = recv ? &qp->rq : &qp->sq;
	/* a queue's record may be made while it runs (qp_record()) */
	const u64 *post = recv ? READ_ONCE(qp->rq_post_ns) :
				 READ_ONCE(qp->sq_post_ns);

	*ts = (struct hwqnic_wc_ts){ 0 };
	if (hwqnic_cq_ts(cq)) {
		ts->db_ns = le64_to_cpu(e->db_ns);
		ts->cqe_ns = le64_to_cpu(e->cqe_ns);
	}
	if (idx >= q->depth)
		return;
	if (!hwqnic_cq_ts(cq)) {
		const struct hwqnic_wqe_times *t = hwqnic_hwq_get_qe(q, idx);

		/* a WR not sampled left no post time there either */
		if (!(flags & HWQNIC_CQE_F_WQE_TIMES))
			return;
		ts->db_ns = le64_to_cpu(READ_ONCE(t->db_ns));
		ts->cqe_ns = le64_to_cpu(READ_ONCE(t->cqe_ns));
	}
	if (post)
		ts->post_ns = READ_ONCE(post[idx]);
}

/*
 * A completion's times for the caller (ts) and for the complete event
 * (fire): while traced, the event fires for each completion whose WR was
 * sampled (every one in exact mode, with zero times on a CQ that has
 * none). Out of line: an untraced poll of a CQ without times, or a
 * traced one of a completion not sampled, never comes here.
 */
static hwqnic_os_cold void cq_complete(struct hwqnic_dev *dev,
				       const struct hwqnic_core_cq *cq,
				       const struct hwqnic_core_qp *qp,
				       const void *cqe, u8 flags, u32 idx,
				       const struct hwqnic_wc *wc,
				       struct hwqnic_wc_ts *ts, bool fire,
				       u64 *poll_ns)
{
	struct hwqnic_wc_ts t = { 0 };

	if (qp)
		cq_read_ts(cq, qp, cqe, flags, idx,
			   hwqnic_wc_is_recv(wc->opcode), &t);
	if (ts)
		*ts = t;
	if (!fire)
		return;
	/*
	 * The poll's own time (a tracer's clock would add its trap's), read
	 * once for the completions a poll takes, and again for one whose
	 * CQE was written after that read.
	 */
	if (*poll_ns < t.cqe_ns || !*poll_ns)
		*poll_ns = hwqnic_os_now_ns();
	hwqnic_trace_complete(dev->id, wc->qp_num, wc->opcode, wc->status,
			      wc->byte_len, t.post_ns, t.db_ns, t.cqe_ns,
			      *poll_ns);
}

int hwqnic_cq_poll_ts(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq,
		      int n, struct hwqnic_wc *wc, struct hwqnic_wc_ts *ts)
{
	struct hwqnic_hwq *q = &cq->hwq;
	const struct hwqnic_cqe *next;
	u64 poll_ns = 0;
	int i;

	/*
	 * An empty CQ costs one look, without the lock. The index and epoch
	 * read here may be stale; that only sends us to the locked check.
	 */
	next = hwqnic_hwq_get_qe(q, READ_ONCE(q->cons.val));
	if (!n || (smp_load_acquire(&next->flags) & HWQNIC_CQE_F_TOGGLE) !=
	    hwqnic_cqe_phase(READ_ONCE(q->cons.epoch))) {
		cq_count_empty(cq);
		return 0;
	}
	hwqnic_lock(&cq->lock);
	if (cq->empty_polls) {
		hwqnic_trace_poll(dev->id, 0, cq->empty_polls, 0, 0, 0,
				  HWQNIC_POLL_EMPTY, cq->handle);
		cq->empty_polls = 0;
	}
	for (i = 0; i < n; i++) {
		const struct hwqnic_cqe *cqe = hwqnic_hwq_get_qe(q, q->cons.val);
		u8 flags = smp_load_acquire(&cqe->flags);
		struct hwqnic_core_qp *qp;
		bool fire;
		u32 idx;

		if ((flags & HWQNIC_CQE_F_TOGGLE) !=
		    hwqnic_cqe_phase(q->cons.epoch))
			break;
		wc[i] = (struct hwqnic_wc) {
			.wr_id = le64_to_cpu(cqe->wr_id),
			.status = cqe->status,
			.opcode = cqe->opcode,
			.vendor_err = cqe->vendor_err,
			.byte_len = le32_to_cpu(cqe->byte_len),
			.imm_data = le32_to_cpu(cqe->imm_data),
			.qp_num = le32_to_cpu(cqe->qpn),
			.src_qp = le32_to_cpu(cqe->src_qp),
			.wc_flags = flags & HWQNIC_CQE_F_WITH_IMM ?
				    HWQNIC_WC_F_WITH_IMM : 0,
		};
		idx = le32_to_cpu(cqe->wqe_idx);
		/* before the slot is freed for a new WR to reuse */
		hwqnic_trace_poll(dev->id, wc[i].qp_num, idx, wc[i].wr_id,
				  wc[i].opcode, wc[i].byte_len, wc[i].status,
				  cq->handle);
		/* under the CQ lock: hwqnic_qp_destroy() waits for it */
		qp = hwqnic_qp_lookup(dev, wc[i].qp_num);
		fire = hwqnic_trace_enabled(complete) &&
		       (!qp || hwqnic_qp_sampled(qp, cq, hwqnic_wc_is_recv(
						 wc[i].opcode), idx, flags));
		/* under the lock: tracers count a CQ's events without atomics */
		if (unlikely(ts || fire))
			cq_complete(dev, cq, qp, cqe, flags, idx, &wc[i],
				    ts ? &ts[i] : NULL, fire, &poll_ns);
		/* a sampled WR no longer outstanding (qp_db_stamp()) */
		if (unlikely(flags & HWQNIC_CQE_F_WQE_TIMES) && qp) {
			u32 *done = hwqnic_wc_is_recv(wc[i].opcode) ?
				    &qp->rq_marked_done : &qp->sq_marked_done;

			WRITE_ONCE(*done, *done + 1);
		}
		if (qp) {
			cq_retire(qp, &wc[i], idx);
			if (wc[i].status != HWQNIC_WC_SUCCESS &&
			    hwqnic_qp_host_error(dev, qp) && dev->ops->qp_error)
				dev->ops->qp_error(dev, qp);
		}
		hwqnic_hwq_incr_cons(q, 1);
	}
	if (i)
		hwqnic_dev_ring(dev, cq->db_slot,
				hwqnic_hwq_db(q, cq->handle, HWQNIC_DB_CQ, 0),
				false);
	else
		cq_count_empty(cq);
	hwqnic_unlock(&cq->lock);
	return i;
}
