/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The IB transport over a port (port.h), as rxe splits it: the requester
 * (req.c) turns a wire QP's send WQEs into request packets, the responder
 * (resp.c) turns request packets into memory writes, receive completions,
 * READ responses and ACKs, and the completer (comp.c) completes send WQEs
 * from ACKs, NAKs and responses and runs the retransmit and RNR timers.
 * All of it runs on the engine's thread under dev->lock, and uses the
 * engine's own copy, key and completion stages, declared here.
 */
#ifndef _HWQNIC_XPORT_H
#define _HWQNIC_XPORT_H

#include "port.h"
#include "mr.h"
#include "opcode.h"
#include "qp.h"

/*
 * The engine's stages (engine.c) that the transport shares, under the
 * engine's names with a hwqnic_ prefix.
 */

/* A run of bytes in a memory region, already checked. */
struct eng_seg {
	struct hwqnic_core_mr *mr;
	u64 off;
	u32 len;
};

/* A position in a scatter list, or in a flat buffer of the engine's. */
struct eng_cur {
	const struct eng_seg *seg;
	u32 nseg;
	u32 i;
	u64 off;
	u8 *flat;
	u32 flat_len;
};

struct eng_send {
	struct hwqnic_send_wqe h;
	union {
		struct hwqnic_wqe_sge sge[HWQNIC_MAX_SGE];
		u8 inl[HWQNIC_MAX_INLINE];
	};
};

struct eng_recv {
	struct hwqnic_recv_wqe h;
	struct hwqnic_wqe_sge sge[HWQNIC_MAX_SGE];
};

struct eng_cqe {
	u64 wr_id;
	u32 qpn, idx, byte_len, imm, src_qp;
	u8 opcode, status, flags;
	bool solicited;
	bool ts;		/* its WQE asked for times (set at completion) */
};

enum { ENG_DONE, ENG_STALL };

/* Per-pass work units of a WQE taken or a packet built or received. */
#define ENG_WQE_COST	1024

void hwqnic_eng_count(u64 *c, u64 n);
void hwqnic_eng_spend(struct hwqnic_dev *dev, u64 n);
bool hwqnic_eng_pass_full(const struct hwqnic_dev *dev);
int hwqnic_eng_fetch_send(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u32 idx, struct eng_send *w);
int hwqnic_eng_fetch_recv(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u32 idx, struct eng_recv *w);
s64 hwqnic_eng_sgl(struct hwqnic_dev *dev, const struct hwqnic_core_pd *pd,
		   const struct hwqnic_wqe_sge *sge, u32 n, u32 need,
		   struct eng_seg *seg);
struct hwqnic_core_mr *
hwqnic_eng_rkey(struct hwqnic_dev *dev, const struct hwqnic_core_qp *rqp,
		u32 rkey, u64 addr, u64 len, u32 right);
void *hwqnic_cur_chunk(struct hwqnic_dev *dev, struct eng_cur *c, u64 max,
		       u32 *len);
void hwqnic_cur_skip(struct eng_cur *c, u64 n);
int hwqnic_eng_move(struct hwqnic_dev *dev, struct eng_cur *dst,
		    struct eng_cur *src, u64 len);
void hwqnic_eng_qp_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
bool hwqnic_eng_has_recv(struct hwqnic_dev *dev, struct hwqnic_core_qp *rqp);
void hwqnic_eng_recv_done(struct hwqnic_dev *dev, struct hwqnic_core_qp *rqp,
			  const struct eng_recv *r, struct eng_cqe *e);
void hwqnic_eng_send_done(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  const struct hwqnic_send_wqe *h, u8 status);
void hwqnic_eng_fetched(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			u32 idx, const struct hwqnic_send_wqe *h);
/* IB's RNR timer encoding (5 bits), in ns. */
u64 hwqnic_eng_rnr_ns(u8 timer);

/* The transport's state of one wire QP. */

#define WIRE_RECS	64	/* send WQEs sent but not completed */
#define WIRE_WINDOW	128	/* PSNs in flight, sent but not acknowledged */
#define WIRE_ACK_EVERY	16	/* AckReq at least this often in a message */
#define WIRE_RX_BUDGET	64	/* frames taken from the port per pass */

/* A send WQE in flight: its header as validated, and its PSNs. */
struct wire_rec {
	struct hwqnic_send_wqe h;	/* length: the checked total */
	u32 idx;			/* its SQ slot */
	u32 psn;			/* its first PSN */
	u32 npkts;			/* PSNs it takes (READ: responses) */
	u8 kind;			/* enum hwqnic_opcode_kind */
	u8 status;			/* not SUCCESS: failed unsent */
};

/* A READ or atomic the responder keeps, to answer it again unexecuted. */
struct wire_res {
	u8 opcode;			/* READ_REQ or an atomic; 0: none */
	u32 psn, npkts;
	u64 va;
	u32 rkey, len;
	u32 next;			/* READ: the next response, 0..npkts */
	u64 orig;			/* atomic: the value it found */
};

struct hwqnic_wire_qp {
	struct hwqnic_path path;
	/* requester */
	struct wire_rec rec[WIRE_RECS];
	u32 rec_head, rec_n;		/* the ring of WQEs in flight */
	u32 cur;			/* record being sent, from rec_head */
	u32 cur_pkt;			/* its next packet */
	u32 psn;			/* the next PSN to send */
	u32 psn_max;			/* past the highest PSN ever sent */
	u32 noack;			/* packets since the last AckReq */
	struct eng_send cw;		/* the WQE being sent, as fetched */
	u32 cw_idx;			/* its SQ slot; ~0: none */
	/* completer */
	u32 comp_psn;			/* the oldest PSN not known done */
	u32 acked_psn;			/* the highest PSN ACKed */
	bool acked;			/* acked_psn is one */
	bool rd_gap;			/* a READ response gap asked again */
	u8 retries;			/* timeouts and NAKs since progress */
	u64 deadline;			/* retransmit timer; 0: not armed */
	struct eng_send rw;		/* the head READ/atomic's WQE */
	u32 rw_idx;			/* its SQ slot; ~0: none */
	/* responder */
	u32 epsn;			/* the PSN expected next */
	u32 msn;			/* messages completed */
	bool nak_gap;			/* the current gap has been NAKed */
	u16 in;				/* in a message: its IBM_ kind */
	bool in_imm;
	u32 in_off;			/* its bytes so far */
	bool rwqe;			/* rcv holds the receive WQE in use */
	struct eng_recv rcv;
	u64 wr_va;			/* WRITE in progress: RETH's */
	u32 wr_rkey, wr_len;
	struct wire_res res[HWQNIC_MAX_RD_ATOM];
	u32 res_n;			/* entries in use: max_dest_rd_atomic */
	u32 res_next;			/* where the next one goes */
	u32 res_cur;			/* READ streaming responses; ~0: none */
};

/* The QP's path MTU in bytes. */
static inline u32 wire_mtu(const struct hwqnic_core_qp *qp)
{
	u8 m = qp->nic.path_mtu;

	if (m < HWQNIC_MTU_256 || m > HWQNIC_MTU_4096)
		m = HWQNIC_MTU_4096;
	return 256U << (m - HWQNIC_MTU_256);
}

static inline u32 wire_psn(u32 psn)
{
	return psn & HWQNIC_PSN_MASK;
}

/* Packets a message of len bytes takes (a zero-length one takes one). */
static inline u32 wire_npkts(u32 len, u32 mtu)
{
	return len ? DIV_ROUND_UP(len, mtu) : 1;
}

static inline void wire_count(struct hwqnic_dev *dev, u64 *c, u64 n)
{
	if (dev->wstats)
		hwqnic_eng_count(c, n);
}

#define WSTAT(dev, field)	(&(dev)->wstats->field)

/*
 * The QP's share of a wire counter: QPs on a port only (loopback's never
 * come here); a macro, so that a QP without counters never forms a pointer.
 */
#define wire_qcount(qp, field, n)					\
	do {								\
		if ((qp)->wcnt)						\
			hwqnic_eng_count(&(qp)->wcnt->field, n);	\
	} while (0)

/* A device counter and the QP's share of it. */
#define wire_qp_count(dev, qp, field, n)				\
	do {								\
		wire_count(dev, WSTAT(dev, field), n);			\
		wire_qcount(qp, field, n);				\
	} while (0)

/* A received packet for qp refused: the device's count and the QP's. */
static inline void wire_qp_drop(struct hwqnic_dev *dev,
				struct hwqnic_core_qp *qp, enum hwqnic_drop why)
{
	wire_count(dev, WSTAT(dev, drops[why]), 1);
	switch (why) {
	case HWQNIC_DROP_QP:
		wire_qcount(qp, drop_state, 1);
		break;
	case HWQNIC_DROP_QKEY:
		wire_qcount(qp, drop_qkey, 1);
		break;
	case HWQNIC_DROP_OPCODE:
		wire_qcount(qp, drop_opcode, 1);
		break;
	case HWQNIC_DROP_LEN:
		wire_qcount(qp, drop_len, 1);
		break;
	default:
		break;
	}
}

/* req.c */
void hwqnic_wire_qp_free(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
void hwqnic_wire_qp_state(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u8 next);
bool hwqnic_wire_run(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
int hwqnic_req_ud(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		  const struct eng_send *w, const struct hwqnic_opcode *op,
		  struct eng_cur *src, u32 len, u8 *status);
void req_rewind(struct hwqnic_core_qp *qp, u32 psn);
int wire_send(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
	      struct hwqnic_pkt *p, struct eng_cur *src, u32 paylen);
int wire_load(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
	      const struct wire_rec *r, struct eng_send *ws, u32 *ws_idx);
void wire_pkt_init(struct hwqnic_pkt *p, const struct hwqnic_core_qp *qp,
		   u8 opcode, u32 psn);

/* resp.c */
void resp_rx(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
	     struct hwqnic_pkt *p);
bool resp_run(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp, bool *work);
void resp_reset(struct hwqnic_core_qp *qp);

/* comp.c */
void comp_rx(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
	     struct hwqnic_pkt *p);
/* Completes the head WQEs that are done, or failed before they went out. */
void comp_progress(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
/* The retransmit timer; true if it fired. */
bool comp_timer(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp, u64 now);
void comp_arm(struct hwqnic_core_qp *qp, u64 now);
u64 wire_timeout_ns(const struct hwqnic_core_qp *qp);

/* ah.c */
struct hwqnic_core_ah *hwqnic_ah_lookup(struct hwqnic_dev *dev, u32 handle);

#endif /* _HWQNIC_XPORT_H */
