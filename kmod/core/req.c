// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The requester: a wire QP's send WQEs become request packets. Each WQE
 * taken is copied and checked once into a record of the PSNs it takes;
 * the requester runs ahead of the ACKs by at most WIRE_RECS WQEs and
 * WIRE_WINDOW PSNs, and at most max_rd_atomic READs and atomics. Going
 * back (a NAK, a timeout, an RNR NAK) re-reads a WQE from the SQ, hostile
 * memory again, and checks the copy against its record. A UC QP's WQEs
 * take the same way without ACKs: each completes once its last packet is
 * out, and nothing goes twice.
 */
#include "xport.h"

/* Per-pass work a packet costs beside its payload. */
#define PKT_COST	64

void hwqnic_dev_set_port(struct hwqnic_dev *dev,
			 const struct hwqnic_port_ops *ops, void *priv,
			 struct hwqnic_wire_counters *counters)
{
	hwqnic_lock(&dev->lock);
	dev->port = ops;
	dev->port_priv = priv;
	dev->wstats = counters;
	hwqnic_unlock(&dev->lock);
}

/* The requester's state as a move to RTS leaves it: nothing in flight. */
static void req_reset(struct hwqnic_core_qp *qp)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;

	w->rec_head = w->rec_n = w->cur = w->cur_pkt = 0;
	w->psn = w->psn_max = w->comp_psn = qp->nic.sq_psn;
	w->acked = false;
	w->rd_gap = false;
	w->retries = 0;
	w->deadline = 0;
	w->noack = 0;
	w->cw_idx = ~0U;
	w->rw_idx = ~0U;
}

void hwqnic_wire_qp_state(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u8 next)
{
	u8 cur = qp->nic.state;

	(void)dev;
	if (next == HWQNIC_QPS_RESET || (next == HWQNIC_QPS_RTR &&
					 cur != HWQNIC_QPS_RTR))
		resp_reset(qp);
	if (next == HWQNIC_QPS_RESET || (next == HWQNIC_QPS_RTS &&
					 cur != HWQNIC_QPS_RTS))
		req_reset(qp);
}

int hwqnic_qp_set_path(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		       const struct hwqnic_path *path)
{
	struct hwqnic_wire_qp *w = NULL, *spare;
	int rc = 0;

	if (qp->type != HWQNIC_QPT_RC && qp->type != HWQNIC_QPT_UC)
		return -EINVAL;
	/* allocated outside the lock: hwqnic.ko's allocation may sleep */
	spare = hwqnic_os_zalloc(&dev->od, sizeof(*spare));
	if (!spare)
		return -ENOMEM;
	hwqnic_lock(&dev->lock);
	if (!dev->port || qp->nic.state > HWQNIC_QPS_RTR) {
		rc = -EINVAL;
		goto out;
	}
	w = qp->nic.wire;
	if (!w) {
		if (dev->port->qp_steer)
			rc = dev->port->qp_steer(dev, qp->qpn, true);
		if (rc)
			goto out;
		w = spare;
		spare = NULL;
	}
	w->path = *path;
	if (!qp->nic.wire) {
		qp->nic.wire = w;
		resp_reset(qp);
		req_reset(qp);
	}
out:
	hwqnic_unlock(&dev->lock);
	hwqnic_os_free(&dev->od, spare);
	return rc;
}

/* The QP leaves the device (dev->lock held): its steering and state go. */
void hwqnic_wire_qp_free(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	if (!qp->nic.wire && !(dev->port && qp->type == HWQNIC_QPT_UD))
		return;
	if (dev->port->qp_steer)
		dev->port->qp_steer(dev, qp->qpn, false);
	hwqnic_os_free(&dev->od, qp->nic.wire);
	qp->nic.wire = NULL;
}

void wire_pkt_init(struct hwqnic_pkt *p, const struct hwqnic_core_qp *qp,
		   u8 opcode, u32 psn)
{
	const struct hwqnic_wire_qp *w = qp->nic.wire;

	memset(p, 0, sizeof(*p));
	p->path = w->path;	/* the family follows from the GIDs */
	p->opcode = opcode;
	p->mask = hwqnic_ib_opcodes[opcode].mask;
	p->pkey = HWQNIC_DEFAULT_PKEY;
	p->dqpn = qp->nic.dest_qpn & HWQNIC_QPN_MASK;
	p->psn = wire_psn(psn);
}

/*
 * Builds p with paylen bytes from src into a frame of the port's and
 * queues it. 0, -EAGAIN while the port has no frame free, or -EFAULT when
 * the payload could not be read (its memory is gone).
 */
int wire_send(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
	      struct hwqnic_pkt *p, struct eng_cur *src, u32 paylen)
{
	struct eng_cur dst;
	u8 *f = dev->port->tx_frame(dev);
	int off;
	u32 len;

	if (!f) {
		wire_count(dev, WSTAT(dev, tx_full), 1);
		return -EAGAIN;
	}
	hwqnic_eng_spend(dev, PKT_COST);
	off = hwqnic_pkt_build(f, HWQNIC_FRAME_MAX, p, paylen);
	if (off < 0) {
		dev->port->tx_queue(dev, f, 0);
		return -EFAULT;
	}
	if (paylen) {
		dst = (struct eng_cur){ .flat = f + off, .flat_len = paylen };
		if (hwqnic_eng_move(dev, &dst, src, paylen)) {
			dev->port->tx_queue(dev, f, 0);
			return -EFAULT;
		}
	}
	len = hwqnic_pkt_seal(f, p, paylen);
	dev->port->tx_queue(dev, f, len);
	wire_qp_count(dev, qp, tx_pkts, 1);
	wire_qp_count(dev, qp, tx_bytes, len);
	return 0;
}

/*
 * The payload's length of a WQE as fetched into ws, if its scatter list
 * checks out (segments into seg, when given); -1 if not.
 */
static s64 req_wqe_len(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		       const struct eng_send *ws,
		       const struct hwqnic_opcode *op, struct eng_seg *seg)
{
	struct eng_seg tmp[HWQNIC_MAX_SGE];

	if (ws->h.flags & HWQNIC_WQE_F_INLINE)
		return op->local_access & HWQNIC_ACCESS_LOCAL_WRITE ? -1 :
		       (s64)le32_to_cpu(ws->h.length);
	return hwqnic_eng_sgl(dev, qp->pd, ws->sge, ws->h.num_sge,
			      op->local_access, seg ? seg : tmp);
}

/*
 * Record r's WQE in *ws (slot *ws_idx): fetched again from the SQ unless it
 * is there already, and checked against the record. 0 or -EINVAL.
 */
int wire_load(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
	      const struct wire_rec *r, struct eng_send *ws, u32 *ws_idx)
{
	const struct hwqnic_opcode *op = hwqnic_opcode(r->h.opcode);

	if (*ws_idx == r->idx)
		return 0;
	*ws_idx = ~0U;
	if (hwqnic_eng_fetch_send(dev, qp, r->idx, ws) ||
	    ws->h.opcode != r->h.opcode ||
	    ((ws->h.flags ^ r->h.flags) & HWQNIC_WQE_F_INLINE) ||
	    req_wqe_len(dev, qp, ws, op, NULL) != le32_to_cpu(r->h.length))
		return -EINVAL;
	*ws_idx = r->idx;
	return 0;
}

static struct wire_rec *req_rec(struct hwqnic_wire_qp *w, u32 i)
{
	return &w->rec[(w->rec_head + i) % WIRE_RECS];
}

static u32 req_rd_out(const struct hwqnic_wire_qp *w)
{
	u32 i, n = 0;

	for (i = 0; i < w->rec_n; i++) {
		u8 k = w->rec[(w->rec_head + i) % WIRE_RECS].kind;

		n += k == HWQNIC_OPK_READ || k == HWQNIC_OPK_ATOMIC;
	}
	return n;
}

/*
 * Takes the next posted WQE into a record, if the limits let it go.
 * Returns false when none can be taken now.
 */
static bool req_take(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_qp_nic *n = &qp->nic;
	struct hwqnic_wire_qp *w = n->wire;
	const struct hwqnic_opcode *op;
	struct hwqnic_hwq_idx idx = n->sq_cons;
	struct wire_rec *r;
	u32 max_rd = n->max_rd_atomic ? n->max_rd_atomic : 1;
	u8 status = HWQNIC_WC_SUCCESS;
	bool rd;
	s64 len = 0;

	if (w->rec_n == WIRE_RECS ||
	    hwqnic_hwq_idx_diff(n->sq_prod, n->sq_cons, n->sq.depth) <=
	    w->rec_n)
		return false;
	/* nothing goes past a WQE that failed: the QP stops there */
	if (w->rec_n && req_rec(w, w->rec_n - 1)->status)
		return false;
	hwqnic_hwq_idx_add(&idx, w->rec_n, n->sq.depth);
	if (w->cw_idx != idx.val) {
		hwqnic_eng_spend(dev, ENG_WQE_COST);
		if (hwqnic_eng_fetch_send(dev, qp, idx.val, &w->cw)) {
			memset(&w->cw.h, 0, sizeof(w->cw.h));
			status = HWQNIC_WC_LOC_QP_OP_ERR;
		}
		w->cw_idx = idx.val;
	}
	op = hwqnic_opcode(w->cw.h.opcode);
	if (!status && (!op || !(op->qp_types & HWQNIC_OP_QPT(qp->type))))
		status = HWQNIC_WC_LOC_QP_OP_ERR;
	if (!status) {
		rd = op->kind == HWQNIC_OPK_READ ||
		     op->kind == HWQNIC_OPK_ATOMIC;
		if ((rd && req_rd_out(w) >= max_rd) ||
		    ((w->cw.h.flags & HWQNIC_WQE_F_FENCE) && req_rd_out(w)))
			return false;
		len = req_wqe_len(dev, qp, &w->cw, op, NULL);
		if (len < 0)
			status = HWQNIC_WC_LOC_PROT_ERR;
		else if (len > HWQNIC_MAX_MSG ||
			 (op->kind == HWQNIC_OPK_ATOMIC &&
			  len != HWQNIC_ATOMIC_LEN))
			status = HWQNIC_WC_LOC_LEN_ERR;
	}
	r = req_rec(w, w->rec_n++);
	*r = (struct wire_rec){
		.h = w->cw.h,
		.idx = idx.val,
		.psn = w->psn,
		.status = status,
	};
	r->h.length = cpu_to_le32(status ? 0 : (u32)len);
	hwqnic_eng_fetched(dev, qp, idx.val, &r->h);
	if (status) {
		r->npkts = 0;
		return true;
	}
	r->kind = op->kind;
	r->npkts = op->kind == HWQNIC_OPK_ATOMIC ? 1 :
		   wire_npkts(len, wire_mtu(qp));
	return true;
}

/* RC's opcode of packet k of record r; a UC QP's is in UC's range. */
static u8 req_opcode(const struct wire_rec *r, u32 k, bool imm)
{
	bool first = !k, last = k + 1 == r->npkts;

	if (r->kind == HWQNIC_OPK_SEND) {
		if (first && last)
			return imm ? HWQNIC_IB_SEND_ONLY_IMM :
				     HWQNIC_IB_SEND_ONLY;
		if (last)
			return imm ? HWQNIC_IB_SEND_LAST_IMM :
				     HWQNIC_IB_SEND_LAST;
		return first ? HWQNIC_IB_SEND_FIRST : HWQNIC_IB_SEND_MIDDLE;
	}
	if (first && last)
		return imm ? HWQNIC_IB_WRITE_ONLY_IMM : HWQNIC_IB_WRITE_ONLY;
	if (last)
		return imm ? HWQNIC_IB_WRITE_LAST_IMM : HWQNIC_IB_WRITE_LAST;
	return first ? HWQNIC_IB_WRITE_FIRST : HWQNIC_IB_WRITE_MIDDLE;
}

/*
 * The next packet of record r (w->cur). 0 when sent, -EAGAIN when the
 * port has no frame, or the completion status that fails the WQE.
 */
static int req_packet(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		      struct wire_rec *r)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	const struct hwqnic_opcode *op = hwqnic_opcode(r->h.opcode);
	struct eng_seg seg[HWQNIC_MAX_SGE];
	struct eng_cur src = { .seg = seg };
	u32 mtu = wire_mtu(qp), k = w->cur_pkt, len = le32_to_cpu(r->h.length);
	u32 off = k * mtu, paylen = 0, imm;
	bool imm_op = op->flags & HWQNIC_OPF_IMM, last = k + 1 >= r->npkts;
	bool fresh;
	struct hwqnic_pkt p;
	int rc;

	switch (r->kind) {
	case HWQNIC_OPK_READ:
		wire_pkt_init(&p, qp, HWQNIC_IB_READ_REQ, r->psn + k);
		p.va = le64_to_cpu(r->h.remote_addr) + off;
		p.rkey = le32_to_cpu(r->h.rkey);
		p.dma_len = len - min_t(u32, len, off);
		last = true;
		break;
	case HWQNIC_OPK_ATOMIC:
		wire_pkt_init(&p, qp,
			      r->h.opcode == HWQNIC_WR_ATOMIC_CMP_AND_SWP ?
			      HWQNIC_IB_CMP_SWAP : HWQNIC_IB_FETCH_ADD, r->psn);
		p.va = le64_to_cpu(r->h.remote_addr);
		p.rkey = le32_to_cpu(r->h.rkey);
		if (r->h.opcode == HWQNIC_WR_ATOMIC_CMP_AND_SWP) {
			p.swap_add = le64_to_cpu(r->h.swap);
			p.compare = le64_to_cpu(r->h.compare_add);
		} else {
			p.swap_add = le64_to_cpu(r->h.compare_add);
		}
		break;
	default:	/* SEND, WRITE */
		wire_pkt_init(&p, qp, req_opcode(r, k, imm_op) |
			      (qp->type == HWQNIC_QPT_UC ? HWQNIC_IB_UC : 0),
			      r->psn + k);
		if (p.mask & HWQNIC_IBM_RETH) {
			p.va = le64_to_cpu(r->h.remote_addr);
			p.rkey = le32_to_cpu(r->h.rkey);
			p.dma_len = len;
		}
		if (p.mask & HWQNIC_IBM_IMM) {
			imm = le32_to_cpu(r->h.imm_data);
			memcpy(&p.imm, &imm, sizeof(imm));
		}
		p.se = last && r->kind == HWQNIC_OPK_SEND &&
		       (r->h.flags & HWQNIC_WQE_F_SOLICITED);
		paylen = len > off ? min_t(u32, mtu, len - off) : 0;
		if (!paylen)
			break;
		if (wire_load(dev, qp, r, &w->cw, &w->cw_idx))
			return HWQNIC_WC_LOC_QP_OP_ERR;
		if (w->cw.h.flags & HWQNIC_WQE_F_INLINE) {
			src = (struct eng_cur){ .flat = w->cw.inl,
						.flat_len = len };
		} else {
			src.nseg = w->cw.h.num_sge;
			if (req_wqe_len(dev, qp, &w->cw, op, seg) != len)
				return HWQNIC_WC_LOC_PROT_ERR;
		}
		hwqnic_cur_skip(&src, off);
		break;
	}
	/*
	 * each message's last packet, and every WIRE_ACK_EVERY of a long one;
	 * UC asks for nothing
	 */
	p.ackreq = qp->type == HWQNIC_QPT_RC &&
		   (last || w->noack + 1 >= WIRE_ACK_EVERY);
	rc = wire_send(dev, qp, &p, &src, paylen);
	if (rc == -EAGAIN)
		return rc;
	if (rc)
		return HWQNIC_WC_LOC_PROT_ERR;
	fresh = hwqnic_psn_diff(p.psn, w->psn_max) >= 0;
	if (!fresh)
		wire_qp_count(dev, qp, retransmits, 1);
	w->noack = p.ackreq ? 0 : w->noack + 1;
	if (r->kind == HWQNIC_OPK_READ) {
		w->psn = wire_psn(r->psn + r->npkts);
		w->cur_pkt = r->npkts;
	} else {
		w->psn = wire_psn(p.psn + 1);
		w->cur_pkt++;
	}
	/* a READ of 2 GiB at MTU 256 spans 2^23 PSNs: no signed compare */
	if (fresh)
		w->psn_max = w->psn;
	if (w->cur_pkt >= r->npkts) {
		w->cur++;
		w->cur_pkt = 0;
	}
	return 0;
}

/* Sending resumes at PSN psn: go-back-N. */
void req_rewind(struct hwqnic_core_qp *qp, u32 psn)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	u32 i;

	/* what goes again is read again: the SQ may hold something else now */
	w->cw_idx = ~0U;
	w->rw_idx = ~0U;
	w->noack = 0;
	for (i = 0; i < w->rec_n; i++) {
		struct wire_rec *r = req_rec(w, i);

		if (r->status)
			break;
		if (hwqnic_psn_diff(psn, r->psn) >= 0 &&
		    hwqnic_psn_diff(psn, r->psn + r->npkts) < 0) {
			w->cur = i;
			w->cur_pkt = wire_psn(psn - r->psn);
			w->psn = psn;
			return;
		}
	}
	/* past every WQE in flight (all done, perhaps): where the next goes */
	w->cur = i;
	w->cur_pkt = 0;
	if (i < w->rec_n)
		w->psn = req_rec(w, i)->psn;
	else if (i)
		w->psn = wire_psn(req_rec(w, i - 1)->psn +
				  req_rec(w, i - 1)->npkts);
	else
		w->psn = psn;
}

enum { REQ_IDLE, REQ_MORE };

/* Sends what the window allows; REQ_MORE if it stopped with more to send. */
static int req_run(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		   bool *work)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct wire_rec *r;
	int rc;

	for (;;) {
		if (hwqnic_eng_pass_full(dev))
			return REQ_MORE;
		if (w->cur == w->rec_n && !req_take(dev, qp))
			return REQ_IDLE;
		r = req_rec(w, w->cur);
		if (r->status)
			return REQ_IDLE;	/* the completer fails it */
		/* comp_psn never passes psn: the distance is unsigned */
		if (wire_psn(w->psn - w->comp_psn) >= WIRE_WINDOW)
			return REQ_IDLE;
		rc = req_packet(dev, qp, r);
		if (rc == -EAGAIN)
			return REQ_MORE;
		if (rc) {
			r->status = rc;
			return REQ_IDLE;
		}
		*work = true;
		if (qp->type == HWQNIC_QPT_UC) {
			/* no ACK will come: sent is done */
			comp_progress(dev, qp);
			if (qp->nic.state != HWQNIC_QPS_RTS)
				return REQ_IDLE;
			continue;
		}
		if (!w->deadline)
			comp_arm(qp, hwqnic_os_now_ns());
	}
}

/*
 * A wire QP's turn on the engine: READ responses, the timers, requests.
 * It stays on the active list while it has something to send, or a timer
 * to wait for (dev->rnr_next: the engine naps until the first is due).
 */
bool hwqnic_wire_run(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_qp_nic *n = &qp->nic;
	struct hwqnic_wire_qp *w = n->wire;
	bool work = false, more = false;
	u64 now, wake = 0;

	if (n->state != HWQNIC_QPS_RTR && n->state != HWQNIC_QPS_RTS) {
		hwqnic_qp_deactivate(dev, qp);
		return false;
	}
	more = resp_run(dev, qp, &work);
	if (n->state != HWQNIC_QPS_RTS)
		goto out;
	now = hwqnic_os_now_ns();
	work |= comp_timer(dev, qp, now);
	if (n->state != HWQNIC_QPS_RTS)
		return true;
	if (n->rnr_until && now < n->rnr_until) {
		wake = n->rnr_until;
	} else {
		n->rnr_until = 0;
		more |= req_run(dev, qp, &work) == REQ_MORE;
		/* a WQE that failed on the way out, perhaps the oldest */
		comp_progress(dev, qp);
		if (n->state != HWQNIC_QPS_RTS)
			return true;
	}
	if (w->deadline && (!wake || w->deadline < wake))
		wake = w->deadline;
out:
	/* ERR: active still, for the engine to flush it */
	if (more || n->state == HWQNIC_QPS_ERR)
		return true;
	if (!wake) {
		hwqnic_qp_deactivate(dev, qp);
		return work;
	}
	if (!dev->rnr_next || wake < dev->rnr_next)
		dev->rnr_next = wake;
	return work;
}

/*
 * A UD send naming an address handle: one SEND_ONLY with a DETH. 0 (and
 * *status), or -EAGAIN while the port has no frame free.
 */
int hwqnic_req_ud(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		  const struct eng_send *ws, const struct hwqnic_opcode *op,
		  struct eng_cur *src, u32 len, u8 *status)
{
	struct hwqnic_core_ah *ah = hwqnic_ah_lookup(dev,
						     le32_to_cpu(ws->h.ah));
	u32 qkey = le32_to_cpu(ws->h.qkey), imm;
	struct hwqnic_pkt p;
	int rc;

	if (!ah || ah->pd != qp->pd || !dev->port) {
		*status = HWQNIC_WC_LOC_QP_OP_ERR;
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.path = ah->path;
	p.opcode = HWQNIC_IB_UD | ((op->flags & HWQNIC_OPF_IMM) ?
				   HWQNIC_IB_SEND_ONLY_IMM :
				   HWQNIC_IB_SEND_ONLY);
	p.mask = hwqnic_ib_opcodes[p.opcode].mask;
	p.pkey = HWQNIC_DEFAULT_PKEY;
	p.dqpn = le32_to_cpu(ws->h.dst_qpn) & HWQNIC_QPN_MASK;
	p.psn = qp->nic.sq_psn;
	p.se = ws->h.flags & HWQNIC_WQE_F_SOLICITED;
	/* IB: a Q_Key with the high bit set means the QP's own */
	p.qkey = (qkey & 0x80000000U) ? qp->nic.qkey : qkey;
	p.sqpn = qp->qpn;
	if (op->flags & HWQNIC_OPF_IMM) {
		imm = le32_to_cpu(ws->h.imm_data);
		memcpy(&p.imm, &imm, sizeof(imm));
	}
	rc = wire_send(dev, qp, &p, src, len);
	if (rc == -EAGAIN)
		return rc;
	*status = rc ? HWQNIC_WC_LOC_PROT_ERR : HWQNIC_WC_SUCCESS;
	qp->nic.sq_psn = wire_psn(qp->nic.sq_psn + 1);
	return 0;
}
