// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The work request opcodes, as IB defines them for RC and UD (opcode.h). */
#include "opcode.h"

/* The table's words: QP types, rights (local and remote), flags, CQEs. */
#define RC		HWQNIC_OP_QPT(HWQNIC_QPT_RC)
#define RC_UD		(RC | HWQNIC_OP_QPT(HWQNIC_QPT_UD))
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
	OP(RDMA_WRITE,           WRITE,  0,    R_WR, RC,    0,        0),
	OP(RDMA_WRITE_WITH_IMM,  WRITE,  0,    R_WR, RC,    IMM_RECV, WC_IMM),
	OP(SEND,                 SEND,   0,    0,    RC_UD, RECV,     WC_RECV),
	OP(SEND_WITH_IMM,        SEND,   0,    0,    RC_UD, IMM_RECV, WC_RECV),
	OP(RDMA_READ,            READ,   L_WR, R_RD, RC,    0,        0),
	OP(ATOMIC_CMP_AND_SWP,   ATOMIC, L_WR, R_AT, RC,    0,        0),
	OP(ATOMIC_FETCH_AND_ADD, ATOMIC, L_WR, R_AT, RC,    0,        0),
};
