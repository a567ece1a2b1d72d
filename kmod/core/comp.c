// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The completer: ACKs, NAKs, READ responses and atomic ACKs complete a
 * wire QP's send WQEs, in order, and only then; the retransmit timer and
 * RNR NAKs send the requester back (go-back-N). An ACK covers every PSN up
 * to its own; a response covers every PSN before it. Nothing a response
 * says is taken without a check: a PSN never sent, an opcode out of its
 * place, a payload of the wrong length are dropped and counted. A UC QP
 * has no ACKs to wait for: a WQE is done once the requester has sent it.
 */
#include "xport.h"

u64 wire_timeout_ns(const struct hwqnic_core_qp *qp)
{
	u8 t = qp->nic.timeout;

	return t ? 4096ULL << min_t(u8, t, 31) : 0;
}

void comp_arm(struct hwqnic_core_qp *qp, u64 now)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	u64 t = wire_timeout_ns(qp);

	w->deadline = t && w->rec_n ? now + t : 0;
}

static struct wire_rec *comp_head(struct hwqnic_wire_qp *w)
{
	return w->rec_n ? &w->rec[w->rec_head] : NULL;
}

static bool comp_rd_kind(const struct wire_rec *r)
{
	return r->kind == HWQNIC_OPK_READ || r->kind == HWQNIC_OPK_ATOMIC;
}

/* The head WQE completes with status; one that failed takes the QP to ERR. */
static void comp_done(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		      u8 status)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct wire_rec *r = comp_head(w);

	if (status == HWQNIC_WC_SUCCESS)
		hwqnic_eng_count(&qp->cnt->bytes, le32_to_cpu(r->h.length));
	if (w->cw_idx == r->idx)
		w->cw_idx = ~0U;
	if (w->rw_idx == r->idx)
		w->rw_idx = ~0U;
	hwqnic_eng_send_done(dev, qp, &r->h, status);
	w->rec_head = (w->rec_head + 1) % WIRE_RECS;
	w->rec_n--;
	if (w->cur)
		w->cur--;
	else
		w->cur_pkt = 0;
	w->retries = 0;
	w->rd_gap = false;
	comp_arm(qp, hwqnic_os_now_ns());
}

/*
 * Completes the head WQEs that are done: those ACKed (SEND, WRITE), and
 * one that failed before it went out.
 */
void comp_progress(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct wire_rec *r;

	while ((r = comp_head(w)) && qp->nic.state == HWQNIC_QPS_RTS) {
		if (r->status) {
			comp_done(dev, qp, r->status);
			return;
		}
		if (qp->type == HWQNIC_QPT_UC) {
			/* records before cur have their last packet out */
			if (!w->cur)
				break;
			comp_done(dev, qp, HWQNIC_WC_SUCCESS);
			continue;
		}
		if (comp_rd_kind(r)) {
			/* its responses, not an ACK, complete it */
			if (hwqnic_psn_diff(w->comp_psn, r->psn) < 0)
				w->comp_psn = r->psn;
			return;
		}
		if (!w->acked ||
		    hwqnic_psn_diff(r->psn + r->npkts - 1, w->acked_psn) > 0)
			break;
		comp_done(dev, qp, HWQNIC_WC_SUCCESS);
	}
	if (qp->type == HWQNIC_QPT_UC) {
		/* nothing in flight to wait for: the window is always open */
		w->comp_psn = w->psn;
		return;
	}
	if (w->acked && hwqnic_psn_diff(w->acked_psn + 1, w->comp_psn) > 0)
		w->comp_psn = wire_psn(w->acked_psn + 1);
	/* an ACK beyond where a go-back put the requester: on from there */
	if (hwqnic_psn_diff(w->psn, w->comp_psn) < 0)
		req_rewind(qp, w->comp_psn);
}

/* Everything up to PSN psn is acknowledged. */
static void comp_ack(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     u32 psn)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;

	psn = wire_psn(psn);
	if (hwqnic_psn_diff(psn, w->comp_psn) < 0)
		return;		/* nothing new */
	if (!w->acked || hwqnic_psn_diff(psn, w->acked_psn) > 0) {
		w->acked_psn = psn;
		w->acked = true;
		/* progress, inside a long message too: the timer starts over */
		w->retries = 0;
		comp_arm(qp, hwqnic_os_now_ns());
	}
	comp_progress(dev, qp);
}

static u8 comp_nak_status(u8 code)
{
	switch (code) {
	case HWQNIC_NAK_REM_ACCESS_ERR:
		return HWQNIC_WC_REM_ACCESS_ERR;
	case HWQNIC_NAK_REM_OP_ERR:
		return HWQNIC_WC_REM_OP_ERR;
	case HWQNIC_NAK_INVALID_RD_REQ:
		return HWQNIC_WC_REM_INV_RD_REQ_ERR;
	default:
		return HWQNIC_WC_REM_INV_REQ_ERR;
	}
}

/* Counts a go-back; false once retry_cnt is spent (7: never). */
static bool comp_retry(struct hwqnic_core_qp *qp)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;

	if (qp->nic.retry_cnt != 7 && w->retries >= qp->nic.retry_cnt)
		return false;
	if (w->retries < 255)
		w->retries++;
	return true;
}

static void comp_rnr(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     u32 psn, u8 timer)
{
	struct hwqnic_qp_nic *n = &qp->nic;

	wire_qp_count(dev, qp, rnr_naks_rcvd, 1);
	if (n->rnr_retry != HWQNIC_RNR_RETRY_FOREVER &&
	    n->rnr_count >= n->rnr_retry) {
		comp_done(dev, qp, HWQNIC_WC_RNR_RETRY_EXC_ERR);
		return;
	}
	if (n->rnr_count < 255)
		n->rnr_count++;
	n->rnr_until = hwqnic_os_now_ns() + hwqnic_eng_rnr_ns(timer);
	n->wire->deadline = 0;
	req_rewind(qp, psn);
}

/*
 * n bytes of a response into record r's local SGEs (read again from the
 * SQ if need be, and checked), from offset off. 0, or -1 when they are
 * not there to take it.
 */
static int comp_scatter(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			const struct wire_rec *r, u32 off, const u8 *data,
			u32 n)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct eng_seg seg[HWQNIC_MAX_SGE];
	struct eng_cur dst = { .seg = seg }, src = { .flat = (u8 *)data,
						     .flat_len = n };

	if (wire_load(dev, qp, r, &w->rw, &w->rw_idx) ||
	    hwqnic_eng_sgl(dev, qp->pd, w->rw.sge, w->rw.h.num_sge,
			   HWQNIC_ACCESS_LOCAL_WRITE, seg) !=
	    le32_to_cpu(r->h.length))
		return -1;
	dst.nseg = w->rw.h.num_sge;
	hwqnic_cur_skip(&dst, off);
	return hwqnic_eng_move(dev, &dst, &src, n) ? -1 : 0;
}

/* A READ response: its payload into the head READ's local memory. */
static void comp_read(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		      struct wire_rec *r, const struct hwqnic_pkt *p)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	u32 mtu = wire_mtu(qp), k = wire_psn(p->psn - r->psn);
	u32 len = le32_to_cpu(r->h.length), want;
	bool first = !k, last = k + 1 == r->npkts;
	u16 m = p->mask;

	if (!!(m & HWQNIC_IBM_FIRST) != first ||
	    !!(m & HWQNIC_IBM_LAST) != last) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_OPCODE);
		return;
	}
	want = last ? len - k * mtu : mtu;
	if (p->paylen != want) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_LEN);
		return;
	}
	if (want && comp_scatter(dev, qp, r, k * mtu, p->payload, want)) {
		comp_done(dev, qp, HWQNIC_WC_LOC_PROT_ERR);
		return;
	}
	w->comp_psn = wire_psn(p->psn + 1);
	w->rd_gap = false;
	w->retries = 0;
	comp_arm(qp, hwqnic_os_now_ns());
	if (last) {
		comp_done(dev, qp, HWQNIC_WC_SUCCESS);
		comp_progress(dev, qp);
	}
}

/* An atomic ACK: the value the responder found, into the local 8 bytes. */
static void comp_atomic(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			struct wire_rec *r, const struct hwqnic_pkt *p)
{
	u64 orig = p->orig;

	if (comp_scatter(dev, qp, r, 0, (const u8 *)&orig, sizeof(orig))) {
		comp_done(dev, qp, HWQNIC_WC_LOC_PROT_ERR);
		return;
	}
	qp->nic.wire->comp_psn = wire_psn(p->psn + 1);
	comp_done(dev, qp, HWQNIC_WC_SUCCESS);
	comp_progress(dev, qp);
}

/* A response packet for wire QP qp, in RTS. */
void comp_rx(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
	     struct hwqnic_pkt *p)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	u32 psn = p->psn;
	struct wire_rec *r;
	u8 type;

	/* a response to nothing in flight, or to a PSN never sent */
	if (hwqnic_psn_diff(psn, w->psn_max) >= 0) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_OPCODE);
		return;
	}
	if (!w->rec_n)
		return;		/* late: everything is complete */
	if (p->opcode == HWQNIC_IB_ACK) {
		type = p->syndrome & HWQNIC_AETH_TYPE_MASK;
		if (type == HWQNIC_AETH_ACK) {
			comp_ack(dev, qp, psn);
			return;
		}
		if (hwqnic_psn_diff(psn, w->comp_psn) < 0)
			return;		/* about what is already done */
		comp_ack(dev, qp, psn - 1);
		if (qp->nic.state != HWQNIC_QPS_RTS || !w->rec_n)
			return;
		if (type == HWQNIC_AETH_RNR_NAK) {
			comp_rnr(dev, qp, psn, p->syndrome & 0x1f);
			return;
		}
		if (type != HWQNIC_AETH_NAK) {
			wire_qp_drop(dev, qp, HWQNIC_DROP_OPCODE);
			return;
		}
		if ((p->syndrome & 0x1f) != HWQNIC_NAK_PSN_SEQ_ERR) {
			comp_done(dev, qp, comp_nak_status(p->syndrome & 0x1f));
			return;
		}
		wire_qp_count(dev, qp, seq_naks_rcvd, 1);
		if (!comp_retry(qp)) {
			comp_done(dev, qp, HWQNIC_WC_RETRY_EXC_ERR);
			return;
		}
		req_rewind(qp, psn);
		return;
	}
	/* READ responses and atomic ACKs: all before them is done */
	if (hwqnic_psn_diff(psn, w->comp_psn) < 0)
		return;			/* a duplicate */
	comp_ack(dev, qp, psn - 1);
	r = comp_head(w);
	if (qp->nic.state != HWQNIC_QPS_RTS || !r)
		return;
	if (psn != w->comp_psn) {
		/* a gap in a READ's responses: ask again, once per gap */
		if (r->kind == HWQNIC_OPK_READ && !w->rd_gap) {
			w->rd_gap = true;
			req_rewind(qp, w->comp_psn);
		}
		return;
	}
	if (p->opcode == HWQNIC_IB_ATOMIC_ACK) {
		if (r->kind != HWQNIC_OPK_ATOMIC || r->psn != psn) {
			wire_qp_drop(dev, qp, HWQNIC_DROP_OPCODE);
			return;
		}
		comp_atomic(dev, qp, r, p);
		return;
	}
	if (r->kind != HWQNIC_OPK_READ || !(p->mask & HWQNIC_IBM_READ) ||
	    hwqnic_psn_diff(psn, r->psn + r->npkts) >= 0) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_OPCODE);
		return;
	}
	comp_read(dev, qp, r, p);
}

/*
 * The retransmit timer: nothing acknowledged for the QP's timeout sends
 * the requester back to the oldest PSN not known done, retry_cnt times
 * (7: forever); then the WQE fails with RETRY_EXC_ERR.
 */
bool comp_timer(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp, u64 now)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;

	comp_progress(dev, qp);
	if (qp->nic.state != HWQNIC_QPS_RTS)
		return true;
	if (!w->deadline || now < w->deadline)
		return false;
	w->deadline = 0;
	if (!w->rec_n)
		return false;
	wire_qp_count(dev, qp, timeouts, 1);
	if (!comp_retry(qp)) {
		comp_done(dev, qp, HWQNIC_WC_RETRY_EXC_ERR);
		return true;
	}
	w->rd_gap = false;
	req_rewind(qp, w->comp_psn);
	return true;
}
