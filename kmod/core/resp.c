// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The responder, and every received frame's way in. A frame is parsed
 * (wire.h) and then checked against the QP it names: P_Key, the QP's
 * existence, type, state and peer, the opcode's place in its message, the
 * payload's length, the keys and rights. A request at the expected PSN is
 * carried out: SEND into the receive WQE the message keeps from its first
 * packet on, WRITE through the R_Key its first packet named, READ and
 * atomics into a responder resource (max_dest_rd_atomic of them), from
 * which a duplicate is answered again without being executed again. An
 * ACK goes back for each AckReq; a gap is NAKed once; a SEND with no
 * receive posted gets an RNR NAK. Nothing is trusted, and nothing is done
 * twice. A UC QP answers nothing: a PSN gap, a packet out of its place, a
 * SEND with no receive posted or an R_Key refused drop the message in
 * progress silently (counted), and the next FIRST or ONLY starts afresh at
 * its own PSN; the receive WQE the dropped message had begun is kept for
 * the next.
 */
#include "xport.h"

void resp_reset(struct hwqnic_core_qp *qp)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	u8 n = qp->nic.max_dest_rd_atomic;

	w->epsn = qp->nic.rq_psn;
	w->msn = 0;
	w->nak_gap = false;
	w->in = 0;
	w->rwqe = false;
	memset(w->res, 0, sizeof(w->res));
	w->res_n = n ? min_t(u32, n, HWQNIC_MAX_RD_ATOM) : 1;
	w->res_next = 0;
}

static void drop(struct hwqnic_dev *dev, enum hwqnic_drop why)
{
	wire_count(dev, WSTAT(dev, drops[why]), 1);
}

/* An ACK (or NAK: syndrome) for PSN psn. */
static void resp_ack(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     u8 syndrome, u32 psn)
{
	struct hwqnic_pkt p;

	wire_pkt_init(&p, qp, HWQNIC_IB_ACK, psn);
	p.syndrome = syndrome;
	p.msn = qp->nic.wire->msn & HWQNIC_PSN_MASK;
	wire_send(dev, qp, &p, NULL, 0);
}

/*
 * A NAK that ends the QP's life as a responder (IB's class B-D errors);
 * a receive WQE the message had taken completes with the local status
 * that matches: too short for it, or its memory refused.
 */
static void resp_fatal(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		       u8 code, u32 psn)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct eng_cqe e = {
		.opcode = HWQNIC_WC_RECV,
		.status = code == HWQNIC_NAK_INVALID_REQ ?
			  HWQNIC_WC_LOC_LEN_ERR : HWQNIC_WC_LOC_PROT_ERR,
	};

	if (qp->type == HWQNIC_QPT_RC)
		resp_ack(dev, qp, HWQNIC_AETH_NAK | code, psn);
	if (w->rwqe) {
		w->rwqe = false;
		hwqnic_eng_recv_done(dev, qp, &w->rcv, &e);
	}
	w->in = 0;
	hwqnic_eng_qp_error(dev, qp);
}

/*
 * The receive WQE a SEND (or WRITE with immediate) takes: 0, -EAGAIN when
 * none is posted, -EINVAL when its slot does not hold one (it completes
 * in error).
 */
static int resp_take_recv(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct eng_cqe e = {
		.opcode = HWQNIC_WC_RECV,
		.status = HWQNIC_WC_LOC_QP_OP_ERR,
	};

	if (!hwqnic_eng_has_recv(dev, qp))
		return -EAGAIN;
	if (hwqnic_eng_fetch_recv(dev, qp, qp->nic.rq_cons.val, &w->rcv)) {
		memset(&w->rcv.h, 0, sizeof(w->rcv.h));
		hwqnic_eng_recv_done(dev, qp, &w->rcv, &e);
		return -EINVAL;
	}
	w->rwqe = true;
	return 0;
}

/* Completes the message's receive WQE. */
static void resp_recv_done(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			   const struct hwqnic_pkt *p, u8 opcode, u32 byte_len)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct eng_cqe e = {
		.opcode = opcode,
		.byte_len = byte_len,
		.src_qp = qp->nic.dest_qpn,
		.solicited = p->se,
	};

	if (p->mask & HWQNIC_IBM_IMM) {
		e.flags = HWQNIC_CQE_F_WITH_IMM;
		memcpy(&e.imm, &p->imm, sizeof(e.imm));
	}
	w->rwqe = false;
	hwqnic_eng_recv_done(dev, qp, &w->rcv, &e);
}

/* A SEND packet's payload, at the message's offset in its receive WQE. */
static int resp_send_data(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  const struct hwqnic_pkt *p)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct eng_seg seg[HWQNIC_MAX_SGE];
	struct eng_cur dst = { .seg = seg, .nseg = w->rcv.h.num_sge };
	struct eng_cur src = { .flat = (u8 *)p->payload,
			       .flat_len = p->paylen };
	s64 room;

	room = hwqnic_eng_sgl(dev, qp->pd, w->rcv.sge, w->rcv.h.num_sge,
			      HWQNIC_ACCESS_LOCAL_WRITE, seg);
	if (room < 0)
		return HWQNIC_NAK_REM_OP_ERR;
	if ((u64)room < (u64)w->in_off + p->paylen)
		return HWQNIC_NAK_INVALID_REQ;
	hwqnic_cur_skip(&dst, w->in_off);
	if (hwqnic_eng_move(dev, &dst, &src, p->paylen))
		return HWQNIC_NAK_REM_OP_ERR;
	w->in_off += p->paylen;
	return -1;
}

/* A WRITE packet's payload, at the message's offset past RETH's address. */
static int resp_write_data(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			   const struct hwqnic_pkt *p)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	u64 va = w->wr_va + w->in_off;
	struct hwqnic_core_mr *mr;
	struct eng_seg seg;
	struct eng_cur dst = { .seg = &seg, .nseg = 1 };
	struct eng_cur src = { .flat = (u8 *)p->payload,
			       .flat_len = p->paylen };

	if (!p->paylen)
		return -1;
	mr = hwqnic_eng_rkey(dev, qp, w->wr_rkey, va, p->paylen,
			     HWQNIC_ACCESS_REMOTE_WRITE);
	if (!mr)
		return HWQNIC_NAK_REM_ACCESS_ERR;
	seg = (struct eng_seg){ mr, va - mr->iova, p->paylen };
	if (hwqnic_eng_move(dev, &dst, &src, p->paylen))
		return HWQNIC_NAK_REM_OP_ERR;
	w->in_off += p->paylen;
	return -1;
}

/* The resource a READ or atomic takes: the oldest gives way. */
static struct wire_res *resp_res_new(struct hwqnic_wire_qp *w)
{
	struct wire_res *r = &w->res[w->res_next];

	w->res_next = (w->res_next + 1) % w->res_n;
	return r;
}

static struct wire_res *resp_res_find(struct hwqnic_wire_qp *w, u32 psn)
{
	u32 i;

	for (i = 0; i < w->res_n; i++) {
		struct wire_res *r = &w->res[i];

		if (r->opcode && hwqnic_psn_diff(psn, r->psn) >= 0 &&
		    hwqnic_psn_diff(psn, r->psn + r->npkts) < 0)
			return r;
	}
	return NULL;
}

static void resp_atomic_ack(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			    const struct wire_res *r)
{
	struct hwqnic_pkt p;

	wire_pkt_init(&p, qp, HWQNIC_IB_ATOMIC_ACK, r->psn);
	p.syndrome = HWQNIC_AETH_ACK | HWQNIC_AETH_CREDITS_INVALID;
	p.msn = qp->nic.wire->msn & HWQNIC_PSN_MASK;
	p.orig = r->orig;
	wire_send(dev, qp, &p, NULL, 0);
}

/* An atomic at the expected PSN: carried out once, its result kept. */
static int resp_atomic(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		       const struct hwqnic_pkt *p)
{
	struct hwqnic_core_mr *mr;
	struct eng_seg seg;
	struct eng_cur c = { .seg = &seg, .nseg = 1 };
	struct wire_res *r;
	u64 *target, old;
	u32 n;

	if (p->va & 7)
		return HWQNIC_NAK_INVALID_REQ;
	mr = hwqnic_eng_rkey(dev, qp, p->rkey, p->va, HWQNIC_ATOMIC_LEN,
			     HWQNIC_ACCESS_REMOTE_ATOMIC);
	if (!mr)
		return HWQNIC_NAK_REM_ACCESS_ERR;
	seg = (struct eng_seg){ mr, p->va - mr->iova, HWQNIC_ATOMIC_LEN };
	target = hwqnic_cur_chunk(dev, &c, HWQNIC_ATOMIC_LEN, &n);
	if (!target || n != HWQNIC_ATOMIC_LEN)
		return HWQNIC_NAK_REM_OP_ERR;
	if (p->opcode == HWQNIC_IB_CMP_SWAP)
		old = hwqnic_os_cas64(target, p->compare, p->swap_add);
	else
		old = hwqnic_os_faa64(target, p->swap_add);
	r = resp_res_new(qp->nic.wire);
	*r = (struct wire_res){ .opcode = p->opcode, .psn = p->psn,
				.npkts = 1, .orig = old };
	resp_atomic_ack(dev, qp, r);
	return -1;
}

/* A READ at the expected PSN: its responses go out from resp_run(). */
static int resp_read(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     const struct hwqnic_pkt *p)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct wire_res *r;

	if (p->dma_len > HWQNIC_MAX_MSG)
		return HWQNIC_NAK_INVALID_REQ;
	if (p->dma_len ? !hwqnic_eng_rkey(dev, qp, p->rkey, p->va, p->dma_len,
					  HWQNIC_ACCESS_REMOTE_READ) :
			 !(qp->nic.access & HWQNIC_ACCESS_REMOTE_READ))
		return HWQNIC_NAK_REM_ACCESS_ERR;
	r = resp_res_new(w);
	*r = (struct wire_res){
		.opcode = p->opcode, .psn = p->psn,
		.npkts = wire_npkts(p->dma_len, wire_mtu(qp)),
		.va = p->va, .rkey = p->rkey, .len = p->dma_len,
	};
	w->epsn = wire_psn(p->psn + r->npkts);
	return -1;
}

/* A request whose PSN is behind the expected one: answered, not redone. */
static void resp_dup(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     const struct hwqnic_pkt *p)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	struct wire_res *r;

	wire_qp_count(dev, qp, dup_requests, 1);
	if (p->mask & (HWQNIC_IBM_READ | HWQNIC_IBM_ATOMIC)) {
		r = resp_res_find(w, p->psn);
		if (!r || r->opcode != p->opcode)
			return;		/* long gone: the requester times out */
		if (p->mask & HWQNIC_IBM_ATOMIC)
			resp_atomic_ack(dev, qp, r);
		else
			r->next = wire_psn(p->psn - r->psn);
		return;
	}
	if (p->ackreq)
		resp_ack(dev, qp, HWQNIC_AETH_ACK | HWQNIC_AETH_CREDITS_INVALID,
			 w->epsn - 1);
}

/*
 * Whether opcode mask m may come next: inside a message only its MIDDLE
 * or LAST, outside one a FIRST, an ONLY, a READ or an atomic.
 */
static bool resp_in_seq(const struct hwqnic_wire_qp *w, u16 m)
{
	/* the WRITEs with immediate carry SEND too: they take a receive */
	u16 kind = (m & HWQNIC_IBM_WRITE) ? HWQNIC_IBM_WRITE :
		   (m & HWQNIC_IBM_SEND);

	if (w->in)
		return kind == w->in &&
		       (m & (HWQNIC_IBM_MIDDLE | HWQNIC_IBM_LAST));
	return (m & (HWQNIC_IBM_READ | HWQNIC_IBM_ATOMIC)) ||
	       (m & HWQNIC_IBM_FIRST);
}

/* The payload length the opcode allows: an MTU exactly, or up to one. */
static bool resp_len_ok(const struct hwqnic_wire_qp *w, u16 m,
			const struct hwqnic_pkt *p, u32 mtu)
{
	if (m & (HWQNIC_IBM_READ | HWQNIC_IBM_ATOMIC))
		return !p->paylen;
	if (!(m & HWQNIC_IBM_LAST) && p->paylen != mtu)
		return false;
	if (p->paylen > mtu)
		return false;
	if (!(m & HWQNIC_IBM_WRITE))
		return true;
	/* a WRITE's packets add up to RETH's length, exactly */
	if (m & HWQNIC_IBM_FIRST)
		return (m & HWQNIC_IBM_LAST) ? p->paylen == p->dma_len :
		       p->dma_len > p->paylen;
	if (m & HWQNIC_IBM_LAST)
		return (u64)w->in_off + p->paylen == w->wr_len;
	return (u64)w->in_off + p->paylen < w->wr_len;
}

/*
 * UC: the message packet p belongs to is dropped whole, and why is
 * counted (NULL: already). Its later packets find no message in progress
 * and are dropped as out of place; the receive WQE it had begun, if any,
 * stays for the next message.
 */
static void resp_uc_drop(struct hwqnic_dev *dev, struct hwqnic_wire_qp *w,
			 const struct hwqnic_pkt *p, u64 *why)
{
	if (why)
		wire_count(dev, why, 1);
	wire_count(dev, WSTAT(dev, uc_dropped), 1);
	w->in = 0;
	w->epsn = wire_psn(p->psn + 1);
}

/*
 * UC: whether packet p goes on to be carried out. One at the expected PSN
 * in its place does. One behind it is old (a duplicate, or overtaken): it
 * is dropped and disturbs nothing, since a UC sender never goes back.
 * Otherwise (a gap: out_of_seq; out of place: an opcode drop) the message
 * in progress is dropped, and p too unless it is a FIRST or an ONLY, which
 * starts afresh at its own PSN.
 */
static bool resp_uc_seq(struct hwqnic_dev *dev, struct hwqnic_wire_qp *w,
			const struct hwqnic_pkt *p)
{
	s32 d = hwqnic_psn_diff(p->psn, w->epsn);
	bool gap = d > 0;

	if (d < 0) {
		wire_count(dev, WSTAT(dev, dup_requests), 1);
		return false;
	}
	if (!gap && resp_in_seq(w, p->mask))
		return true;
	wire_count(dev, gap ? WSTAT(dev, out_of_seq) :
		   WSTAT(dev, drops[HWQNIC_DROP_OPCODE]), 1);
	if (w->in)
		resp_uc_drop(dev, w, p, NULL);
	if (!(p->mask & HWQNIC_IBM_FIRST)) {
		w->epsn = wire_psn(p->psn + 1);
		return false;
	}
	w->epsn = p->psn;
	return true;
}

/* A request packet for RC or UC wire QP qp (RTR or RTS). */
void resp_rx(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
	     struct hwqnic_pkt *p)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	s32 d = hwqnic_psn_diff(p->psn, w->epsn);
	bool uc = qp->type == HWQNIC_QPT_UC;
	u16 m = p->mask;
	bool needs_recv, wr;
	int nak = -1;

	if (uc) {
		if (!resp_uc_seq(dev, w, p))
			return;
		d = 0;
	}
	if (d > 0) {
		wire_qp_count(dev, qp, out_of_seq, 1);
		if (!w->nak_gap) {
			w->nak_gap = true;
			wire_qp_count(dev, qp, seq_naks_sent, 1);
			resp_ack(dev, qp, HWQNIC_AETH_NAK |
				 HWQNIC_NAK_PSN_SEQ_ERR, w->epsn);
		}
		return;
	}
	if (d < 0) {
		resp_dup(dev, qp, p);
		return;
	}
	if (!resp_in_seq(w, m)) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_OPCODE);
		return;
	}
	if (!resp_len_ok(w, m, p, wire_mtu(qp))) {
		if (uc)
			resp_uc_drop(dev, w, p, NULL);
		wire_qp_drop(dev, qp, HWQNIC_DROP_LEN);
		return;
	}
	w->nak_gap = false;
	if (m & HWQNIC_IBM_READ) {
		nak = resp_read(dev, qp, p);
		goto done_rd;
	}
	if (m & HWQNIC_IBM_ATOMIC) {
		nak = resp_atomic(dev, qp, p);
		if (nak < 0)
			w->epsn = wire_psn(w->epsn + 1);
		goto done_rd;
	}
	/* a receive WQE: a SEND's from its first packet, WRITE_IMM's at last */
	wr = m & HWQNIC_IBM_WRITE;
	needs_recv = wr ? (m & HWQNIC_IBM_IMM) : (m & HWQNIC_IBM_FIRST);
	if (wr && (m & HWQNIC_IBM_FIRST) &&
	    (p->dma_len ? !hwqnic_eng_rkey(dev, qp, p->rkey, p->va, p->dma_len,
					   HWQNIC_ACCESS_REMOTE_WRITE) :
	     !(qp->nic.access & HWQNIC_ACCESS_REMOTE_WRITE))) {
		if (uc)
			resp_uc_drop(dev, w, p, WSTAT(dev, uc_rkey));
		else
			resp_fatal(dev, qp, HWQNIC_NAK_REM_ACCESS_ERR, p->psn);
		return;
	}
	if (needs_recv && !w->rwqe) {
		int rc = resp_take_recv(dev, qp);

		if (rc == -EAGAIN && uc) {
			resp_uc_drop(dev, w, p, WSTAT(dev, uc_no_recv));
			return;
		}
		if (rc == -EAGAIN) {
			wire_qp_count(dev, qp, rnr_naks_sent, 1);
			resp_ack(dev, qp, HWQNIC_AETH_RNR_NAK |
				 (qp->nic.min_rnr_timer & 0x1f), p->psn);
			return;
		}
		if (rc) {
			resp_fatal(dev, qp, HWQNIC_NAK_REM_OP_ERR, p->psn);
			return;
		}
	}
	if (m & HWQNIC_IBM_FIRST) {
		w->in_off = 0;
		if (m & HWQNIC_IBM_WRITE) {
			w->wr_va = p->va;
			w->wr_rkey = p->rkey;
			w->wr_len = p->dma_len;
		}
	}
	nak = wr ? resp_write_data(dev, qp, p) : resp_send_data(dev, qp, p);
	/* UC: a WRITE refused on the way (its MR gone) is dropped */
	if (nak >= 0 && uc && wr) {
		resp_uc_drop(dev, w, p, WSTAT(dev, uc_rkey));
		return;
	}
	if (nak >= 0) {
		resp_fatal(dev, qp, nak, p->psn);
		return;
	}
	w->in = (m & HWQNIC_IBM_LAST) ? 0 :
		wr ? HWQNIC_IBM_WRITE : HWQNIC_IBM_SEND;
	w->epsn = wire_psn(w->epsn + 1);
	if (m & HWQNIC_IBM_LAST) {
		w->msn++;
		if (!wr)
			resp_recv_done(dev, qp, p, HWQNIC_WC_RECV, w->in_off);
		else if (m & HWQNIC_IBM_IMM)
			resp_recv_done(dev, qp, p,
				       HWQNIC_WC_RECV_RDMA_WITH_IMM,
				       w->wr_len);
	}
	if (p->ackreq && !uc && qp->nic.state != HWQNIC_QPS_ERR)
		resp_ack(dev, qp, HWQNIC_AETH_ACK |
			 HWQNIC_AETH_CREDITS_INVALID, p->psn);
	return;
done_rd:
	if (nak >= 0) {
		resp_fatal(dev, qp, nak, p->psn);
		return;
	}
	w->msn++;
}

/* The oldest READ with responses still to send, or NULL. */
static struct wire_res *resp_res_pending(struct hwqnic_wire_qp *w)
{
	u32 i;

	for (i = 0; i < w->res_n; i++) {
		struct wire_res *r = &w->res[(w->res_next + i) % w->res_n];

		if (r->opcode == HWQNIC_IB_READ_REQ && r->next < r->npkts)
			return r;
	}
	return NULL;
}

/*
 * READ responses, as many as the pass and the port take. Returns true if
 * it stopped with more to send.
 */
bool resp_run(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp, bool *work)
{
	struct hwqnic_wire_qp *w = qp->nic.wire;
	u32 mtu = wire_mtu(qp);
	struct wire_res *r;

	while ((r = resp_res_pending(w))) {
		u32 k = r->next, off = k * mtu;
		u32 plen = r->len > off ? min_t(u32, mtu, r->len - off) : 0;
		bool first = !k, last = k + 1 == r->npkts;
		struct hwqnic_core_mr *mr = NULL;
		struct eng_seg seg;
		struct eng_cur src = { .seg = &seg, .nseg = 1 };
		struct hwqnic_pkt p;
		u8 opc;
		int rc;

		if (hwqnic_eng_pass_full(dev))
			return true;
		if (plen) {
			mr = hwqnic_eng_rkey(dev, qp, r->rkey, r->va + off,
					     plen, HWQNIC_ACCESS_REMOTE_READ);
			if (!mr) {	/* deregistered since */
				r->next = r->npkts;
				resp_fatal(dev, qp, HWQNIC_NAK_REM_ACCESS_ERR,
					   r->psn + k);
				return false;
			}
			seg = (struct eng_seg){ mr, r->va + off - mr->iova,
						plen };
		}
		opc = first && last ? HWQNIC_IB_READ_RESP_ONLY :
		      first ? HWQNIC_IB_READ_RESP_FIRST :
		      last ? HWQNIC_IB_READ_RESP_LAST :
			     HWQNIC_IB_READ_RESP_MIDDLE;
		wire_pkt_init(&p, qp, opc, r->psn + k);
		p.syndrome = HWQNIC_AETH_ACK | HWQNIC_AETH_CREDITS_INVALID;
		p.msn = w->msn & HWQNIC_PSN_MASK;
		rc = wire_send(dev, qp, &p, &src, plen);
		if (rc == -EAGAIN)
			return true;
		if (rc) {
			r->next = r->npkts;
			resp_fatal(dev, qp, HWQNIC_NAK_REM_OP_ERR, r->psn + k);
			return false;
		}
		r->next++;
		*work = true;
	}
	return false;
}

/* A UD SEND: Q_Key checked, the GRH area filled, then the payload. */
static void resp_ud(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		    const u8 *frame, const struct hwqnic_pkt *p)
{
	u8 grh[HWQNIC_UD_GRH_BYTES] = { 0 };
	struct eng_seg seg[HWQNIC_MAX_SGE];
	struct eng_cur dst = { .seg = seg };
	struct eng_cur src;
	struct eng_recv r;
	struct eng_cqe e = {
		.opcode = HWQNIC_WC_RECV,
		.src_qp = p->sqpn,
		.solicited = p->se,
		.byte_len = HWQNIC_UD_GRH_BYTES + p->paylen,
	};
	s64 room;

	if (p->opcode != (HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY) &&
	    p->opcode != (HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY_IMM)) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_OPCODE);
		return;
	}
	if (p->qkey != qp->nic.qkey) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_QKEY);
		return;
	}
	if (p->paylen > HWQNIC_MTU) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_LEN);
		return;
	}
	/* UD: a message no receive waits for is gone, as on any NIC */
	if (!hwqnic_eng_has_recv(dev, qp))
		return;
	if (p->mask & HWQNIC_IBM_IMM) {
		e.flags = HWQNIC_CQE_F_WITH_IMM;
		memcpy(&e.imm, &p->imm, sizeof(e.imm));
	}
	/* what RoCEv2 NICs leave there: the IPv6 header, or IPv4's at 20 */
	if (p->ipv6)
		memcpy(grh, frame + HWQNIC_ETH_HLEN, HWQNIC_IPV6_HLEN);
	else
		memcpy(grh + HWQNIC_UD_GRH_BYTES - HWQNIC_IPV4_HLEN,
		       frame + HWQNIC_ETH_HLEN, HWQNIC_IPV4_HLEN);
	if (hwqnic_eng_fetch_recv(dev, qp, qp->nic.rq_cons.val, &r)) {
		memset(&r.h, 0, sizeof(r.h));
		e.status = HWQNIC_WC_LOC_QP_OP_ERR;
		hwqnic_eng_recv_done(dev, qp, &r, &e);
		return;
	}
	dst.nseg = r.h.num_sge;
	room = hwqnic_eng_sgl(dev, qp->pd, r.sge, r.h.num_sge,
			      HWQNIC_ACCESS_LOCAL_WRITE, seg);
	if (room < 0) {
		e.status = HWQNIC_WC_LOC_PROT_ERR;
	} else if ((u64)room < e.byte_len) {
		e.status = HWQNIC_WC_LOC_LEN_ERR;
	} else {
		src = (struct eng_cur){ .flat = grh, .flat_len = sizeof(grh) };
		if (!hwqnic_eng_move(dev, &dst, &src, sizeof(grh))) {
			src = (struct eng_cur){ .flat = (u8 *)p->payload,
						.flat_len = p->paylen };
			if (hwqnic_eng_move(dev, &dst, &src, p->paylen))
				e.status = HWQNIC_WC_LOC_PROT_ERR;
		} else {
			e.status = HWQNIC_WC_LOC_PROT_ERR;
		}
	}
	hwqnic_eng_recv_done(dev, qp, &r, &e);
}

/* Whether a packet from p's sender to p's destination is the QP's peer's. */
static bool resp_from_peer(const struct hwqnic_wire_qp *w,
			   const struct hwqnic_pkt *p)
{
	return !memcmp(p->path.sgid, w->path.dgid, sizeof(w->path.dgid)) &&
	       !memcmp(p->path.dgid, w->path.sgid, sizeof(w->path.sgid));
}

void hwqnic_wire_rx(struct hwqnic_dev *dev, const u8 *frame, u32 len)
{
	struct hwqnic_core_qp *qp;
	enum hwqnic_drop why;
	struct hwqnic_pkt p;
	u8 st;

	wire_count(dev, WSTAT(dev, rx_pkts), 1);
	wire_count(dev, WSTAT(dev, rx_bytes), len);
	hwqnic_eng_spend(dev, ENG_WQE_COST / 16);
	why = hwqnic_pkt_parse(frame, len, &p);
	if (why != HWQNIC_DROP_NONE) {
		drop(dev, why < HWQNIC_DROP_MAX ? why : HWQNIC_DROP_BTH);
		return;
	}
	if (p.pkey != HWQNIC_DEFAULT_PKEY) {
		drop(dev, HWQNIC_DROP_PKEY);
		return;
	}
	qp = hwqnic_qp_lookup(dev, p.dqpn);
	if (!qp) {
		drop(dev, HWQNIC_DROP_QP);
		return;
	}
	wire_qcount(qp, rx_pkts, 1);
	wire_qcount(qp, rx_bytes, len);
	st = qp->nic.state;
	if (st != HWQNIC_QPS_RTR && st != HWQNIC_QPS_RTS) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_QP);
		return;
	}
	if (qp->type == HWQNIC_QPT_UD) {
		resp_ud(dev, qp, frame, &p);
		return;
	}
	if (!qp->nic.wire || !resp_from_peer(qp->nic.wire, &p)) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_QP);
		return;
	}
	if (!(hwqnic_ib_opcodes[p.opcode].qp_types &
	      HWQNIC_OP_QPT(qp->type))) {
		wire_qp_drop(dev, qp, HWQNIC_DROP_OPCODE);
		return;
	}
	if (p.mask & HWQNIC_IBM_REQ)
		resp_rx(dev, qp, &p);
	else if ((p.mask & HWQNIC_IBM_RESP) && st == HWQNIC_QPS_RTS)
		comp_rx(dev, qp, &p);
	else
		wire_qp_drop(dev, qp, HWQNIC_DROP_OPCODE);
	/* something to send now, perhaps (or to flush): its turn tells */
	hwqnic_qp_activate(dev, qp);
}
