// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The work request opcodes, as IB defines them for RC, UC and UD (opcode.h),
 * and the IB transport opcodes of the BTH (wire.h).
 */
#include "opcode.h"
#include "wire.h"

/* The table's words: QP types, rights (local and remote), flags, CQEs. */
#define RC		HWQNIC_OP_QPT(HWQNIC_QPT_RC)
#define RC_UC		(RC | HWQNIC_OP_QPT(HWQNIC_QPT_UC))
#define ALL		(RC_UC | HWQNIC_OP_QPT(HWQNIC_QPT_UD))
#define L_WR		HWQNIC_ACCESS_LOCAL_WRITE
#define R_WR		HWQNIC_ACCESS_REMOTE_WRITE
#define R_RD		HWQNIC_ACCESS_REMOTE_READ
#define R_AT		HWQNIC_ACCESS_REMOTE_ATOMIC
#define RECV		HWQNIC_OPF_RECV
#define IMM_RECV	(HWQNIC_OPF_IMM | HWQNIC_OPF_RECV)
#define WC_RECV		HWQNIC_WC_RECV
#define WC_IMM		HWQNIC_WC_RECV_RDMA_WITH_IMM

#define OP(op, k, local, remote, qpts, f, peer_wc)			\
	[HWQNIC_WR_##op] = {						\
		.kind = HWQNIC_OPK_##k,					\
		.flags = (f),						\
		.wc_opcode = HWQNIC_WR_WC_OPCODE(HWQNIC_WR_##op),	\
		.recv_wc_opcode = (peer_wc),				\
		.local_access = (local),				\
		.remote_access = (remote),				\
		.qp_types = (qpts),					\
	}

/*
 * A row: the work request; its kind; the rights its local SGEs' MRs and
 * the peer must grant; the QP types it is valid on; its flags; and, when
 * it takes a receive WQE of the peer, the opcode of the peer's CQE.
 */
const struct hwqnic_opcode hwqnic_opcodes[HWQNIC_WR_MAX] = {
	OP(RDMA_WRITE,           WRITE,  0,    R_WR, RC_UC, 0,        0),
	OP(RDMA_WRITE_WITH_IMM,  WRITE,  0,    R_WR, RC_UC, IMM_RECV, WC_IMM),
	OP(SEND,                 SEND,   0,    0,    ALL,   RECV,     WC_RECV),
	OP(SEND_WITH_IMM,        SEND,   0,    0,    ALL,   IMM_RECV, WC_RECV),
	OP(RDMA_READ,            READ,   L_WR, R_RD, RC,    0,        0),
	OP(ATOMIC_CMP_AND_SWP,   ATOMIC, L_WR, R_AT, RC,    0,        0),
	OP(ATOMIC_FETCH_AND_ADD, ATOMIC, L_WR, R_AT, RC,    0,        0),
};

/*
 * The IB transport opcodes hwqnic speaks on the wire (wire.h), as IBTA's
 * BTH opcode table and its header layouts define them. hdr_len counts the
 * BTH and the extension headers: DETH 8, RETH 16, AtomicETH 28, AETH 4,
 * AtomicAckETH 8, ImmDt 4. SEND marks what consumes a receive WQE, so the
 * WRITEs with immediate carry it beside WRITE. A response carries the kind
 * of request it answers (READ, ATOMIC); an ACK none. UC's SENDs and WRITEs
 * are RC's, in the UC range (0x20 up), and nothing answers them.
 */
#define IB_RC		HWQNIC_OP_QPT(HWQNIC_QPT_RC)
#define IB_UD		HWQNIC_OP_QPT(HWQNIC_QPT_UD)
#define IB_UC		HWQNIC_OP_QPT(HWQNIC_QPT_UC)
#define FST		HWQNIC_IBM_FIRST
#define MID		HWQNIC_IBM_MIDDLE
#define LST		HWQNIC_IBM_LAST
#define ONLY		(HWQNIC_IBM_FIRST | HWQNIC_IBM_LAST)
#define RETH		HWQNIC_IBM_RETH
#define AETH		HWQNIC_IBM_AETH
#define IMM		HWQNIC_IBM_IMM
#define TAKES_RWQE	HWQNIC_IBM_SEND
#define REQ		HWQNIC_IBM_REQ
#define RESP		HWQNIC_IBM_RESP
#define DATA		HWQNIC_IBM_PAYLOAD
#define RQ_SEND		(REQ | HWQNIC_IBM_SEND | DATA)
#define RQ_WRITE	(REQ | HWQNIC_IBM_WRITE | DATA)
#define RQ_READ		(REQ | HWQNIC_IBM_READ)
#define RQ_ATOMIC	(REQ | HWQNIC_IBM_ATOMIC | HWQNIC_IBM_ATMETH)
#define RS_READ		(RESP | HWQNIC_IBM_READ | DATA)
#define RS_ACK		(RESP | AETH)
#define RS_ATOMIC	(RS_ACK | HWQNIC_IBM_ATOMIC | HWQNIC_IBM_ATMACK)
#define UD_SEND		(RQ_SEND | HWQNIC_IBM_DETH)
#define IBOP(op, m, len, qpts)						\
	[HWQNIC_IB_##op] = { .mask = (m), .hdr_len = (len), .qp_types = (qpts) }
#define UCOP(op, m, len)						\
	[HWQNIC_IB_UC | HWQNIC_IB_##op] = { .mask = (m), .hdr_len = (len),	\
					    .qp_types = IB_UC }

/* A row: the opcode; its mask; the BTH's and its headers' bytes; QP type. */
const struct hwqnic_ib_opcode hwqnic_ib_opcodes[256] = {
	IBOP(SEND_FIRST, RQ_SEND | FST, 12, IB_RC),
	IBOP(SEND_MIDDLE, RQ_SEND | MID, 12, IB_RC),
	IBOP(SEND_LAST, RQ_SEND | LST, 12, IB_RC),
	IBOP(SEND_LAST_IMM, RQ_SEND | IMM | LST, 16, IB_RC),
	IBOP(SEND_ONLY, RQ_SEND | ONLY, 12, IB_RC),
	IBOP(SEND_ONLY_IMM, RQ_SEND | IMM | ONLY, 16, IB_RC),
	IBOP(WRITE_FIRST, RQ_WRITE | RETH | FST, 28, IB_RC),
	IBOP(WRITE_MIDDLE, RQ_WRITE | MID, 12, IB_RC),
	IBOP(WRITE_LAST, RQ_WRITE | LST, 12, IB_RC),
	IBOP(WRITE_LAST_IMM, RQ_WRITE | TAKES_RWQE | IMM | LST, 16, IB_RC),
	IBOP(WRITE_ONLY, RQ_WRITE | RETH | ONLY, 28, IB_RC),
	IBOP(WRITE_ONLY_IMM, RQ_WRITE | TAKES_RWQE | RETH | IMM | ONLY, 32,
	     IB_RC),
	IBOP(READ_REQ, RQ_READ | RETH | ONLY, 28, IB_RC),
	IBOP(READ_RESP_FIRST, RS_READ | AETH | FST, 16, IB_RC),
	IBOP(READ_RESP_MIDDLE, RS_READ | MID, 12, IB_RC),
	IBOP(READ_RESP_LAST, RS_READ | AETH | LST, 16, IB_RC),
	IBOP(READ_RESP_ONLY, RS_READ | AETH | ONLY, 16, IB_RC),
	IBOP(ACK, RS_ACK | ONLY, 16, IB_RC),
	IBOP(ATOMIC_ACK, RS_ATOMIC | ONLY, 24, IB_RC),
	IBOP(CMP_SWAP, RQ_ATOMIC | ONLY, 40, IB_RC),
	IBOP(FETCH_ADD, RQ_ATOMIC | ONLY, 40, IB_RC),
	UCOP(SEND_FIRST, RQ_SEND | FST, 12),
	UCOP(SEND_MIDDLE, RQ_SEND | MID, 12),
	UCOP(SEND_LAST, RQ_SEND | LST, 12),
	UCOP(SEND_LAST_IMM, RQ_SEND | IMM | LST, 16),
	UCOP(SEND_ONLY, RQ_SEND | ONLY, 12),
	UCOP(SEND_ONLY_IMM, RQ_SEND | IMM | ONLY, 16),
	UCOP(WRITE_FIRST, RQ_WRITE | RETH | FST, 28),
	UCOP(WRITE_MIDDLE, RQ_WRITE | MID, 12),
	UCOP(WRITE_LAST, RQ_WRITE | LST, 12),
	UCOP(WRITE_LAST_IMM, RQ_WRITE | TAKES_RWQE | IMM | LST, 16),
	UCOP(WRITE_ONLY, RQ_WRITE | RETH | ONLY, 28),
	UCOP(WRITE_ONLY_IMM, RQ_WRITE | TAKES_RWQE | RETH | IMM | ONLY, 32),
	[HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY] = {
		.mask = UD_SEND | ONLY, .hdr_len = 20, .qp_types = IB_UD,
	},
	[HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY_IMM] = {
		.mask = UD_SEND | IMM | ONLY, .hdr_len = 24, .qp_types = IB_UD,
	},
};
