// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The opcode table (kmod/core/opcode.c) and hw.h's WR -> WC map, which
 * BPF programs share, against IB's definitions written out here: each
 * work request's completion opcode, kind, rights, receive and immediate,
 * QP types; values that are no opcode find nothing.
 */
#include <hwqnic/hw.h>
#include "opcode.h"
#include "../lib/tap.h"

/* The map is a constant expression: the table is built from it. */
HWQNIC_STATIC_ASSERT(HWQNIC_WR_WC_OPCODE(HWQNIC_WR_RDMA_READ) ==
		     HWQNIC_WC_RDMA_READ, "WR -> WC map, constant");

static const struct {
	const char *name;
	u32 wr;
	u32 wc;			/* ibv_wc_opcode of the requester's CQE */
	u8 kind;
	bool imm, recv, ud;
	u32 peer_wc;		/* the responder's CQE, with recv */
	u32 local, remote;	/* rights */
} ib[] = {
	{ "RDMA_WRITE", HWQNIC_WR_RDMA_WRITE, 1, HWQNIC_OPK_WRITE,
	  false, false, false, 0, 0, HWQNIC_ACCESS_REMOTE_WRITE },
	{ "RDMA_WRITE_WITH_IMM", HWQNIC_WR_RDMA_WRITE_WITH_IMM, 1,
	  HWQNIC_OPK_WRITE, true, true, false, 129, 0,
	  HWQNIC_ACCESS_REMOTE_WRITE },
	{ "SEND", HWQNIC_WR_SEND, 0, HWQNIC_OPK_SEND,
	  false, true, true, 128, 0, 0 },
	{ "SEND_WITH_IMM", HWQNIC_WR_SEND_WITH_IMM, 0, HWQNIC_OPK_SEND,
	  true, true, true, 128, 0, 0 },
	{ "RDMA_READ", HWQNIC_WR_RDMA_READ, 2, HWQNIC_OPK_READ,
	  false, false, false, 0, HWQNIC_ACCESS_LOCAL_WRITE,
	  HWQNIC_ACCESS_REMOTE_READ },
	{ "ATOMIC_CMP_AND_SWP", HWQNIC_WR_ATOMIC_CMP_AND_SWP, 3,
	  HWQNIC_OPK_ATOMIC, false, false, false, 0,
	  HWQNIC_ACCESS_LOCAL_WRITE, HWQNIC_ACCESS_REMOTE_ATOMIC },
	{ "ATOMIC_FETCH_AND_ADD", HWQNIC_WR_ATOMIC_FETCH_AND_ADD, 4,
	  HWQNIC_OPK_ATOMIC, false, false, false, 0,
	  HWQNIC_ACCESS_LOCAL_WRITE, HWQNIC_ACCESS_REMOTE_ATOMIC },
};

static void check_opcode(unsigned int i)
{
	const struct hwqnic_opcode *op = hwqnic_opcode(ib[i].wr);
	/* IB: UC carries SENDs and WRITEs, no READ, no atomic */
	bool uc = ib[i].kind == HWQNIC_OPK_SEND ||
		  ib[i].kind == HWQNIC_OPK_WRITE;
	u32 qpts = HWQNIC_OP_QPT(HWQNIC_QPT_RC) |
		   (uc ? HWQNIC_OP_QPT(HWQNIC_QPT_UC) : 0) |
		   (ib[i].ud ? HWQNIC_OP_QPT(HWQNIC_QPT_UD) : 0);

	if (!ok(op != NULL, "%s: in the table", ib[i].name))
		return;
	ok(op->wc_opcode == ib[i].wc &&
	   hwqnic_wr_wc_opcode(ib[i].wr) == ib[i].wc,
	   "%s: completes as %u (table %u, hw.h %u)", ib[i].name, ib[i].wc,
	   op->wc_opcode, hwqnic_wr_wc_opcode(ib[i].wr));
	ok(op->kind == ib[i].kind, "%s: kind %u", ib[i].name, op->kind);
	ok(!!(op->flags & HWQNIC_OPF_IMM) == ib[i].imm &&
	   !!(op->flags & HWQNIC_OPF_RECV) == ib[i].recv &&
	   !(op->flags & ~(HWQNIC_OPF_IMM | HWQNIC_OPF_RECV)),
	   "%s: flags 0x%x", ib[i].name, op->flags);
	ok(op->recv_wc_opcode == ib[i].peer_wc,
	   "%s: the peer's CQE %u", ib[i].name, op->recv_wc_opcode);
	ok(op->local_access == ib[i].local && op->remote_access == ib[i].remote,
	   "%s: rights local 0x%x, remote 0x%x", ib[i].name, op->local_access,
	   op->remote_access);
	ok(op->qp_types == qpts, "%s: QP types 0x%x", ib[i].name,
	   op->qp_types);
}

int main(void)
{
	unsigned int i, bad = 0, v;

	ok(sizeof(ib) / sizeof(ib[0]) == HWQNIC_WR_MAX,
	   "every work request opcode is listed here");
	for (i = 0; i < sizeof(ib) / sizeof(ib[0]); i++)
		check_opcode(i);

	/* values that are no opcode: nothing to post, no CQE to expect */
	for (v = HWQNIC_WR_MAX; v < 512; v++)
		if (hwqnic_opcode(v) ||
		    hwqnic_wr_wc_opcode(v) != HWQNIC_WC_OPCODE_NONE)
			bad++;
	if (hwqnic_opcode(~0U) || hwqnic_wr_wc_opcode(~0U) !=
				  HWQNIC_WC_OPCODE_NONE)
		bad++;
	ok(!bad, "no opcode from %u up, nor ~0 (%u found)", HWQNIC_WR_MAX,
	   bad);

	/* a receive's completion: the RQ's, whatever byte a CQE holds */
	ok(hwqnic_wc_is_recv(HWQNIC_WC_RECV) &&
	   hwqnic_wc_is_recv(HWQNIC_WC_RECV_RDMA_WITH_IMM),
	   "RECV and RECV_RDMA_WITH_IMM are receives'");
	for (bad = 0, i = 0; i < HWQNIC_WR_MAX; i++)
		if (hwqnic_wc_is_recv(hwqnic_opcode(i)->wc_opcode) ||
		    (hwqnic_opcode(i)->recv_wc_opcode &&
		     !hwqnic_wc_is_recv(hwqnic_opcode(i)->recv_wc_opcode)))
			bad++;
	ok(!bad, "requesters' CQEs are sends', peers' receives' (%u wrong)",
	   bad);
	for (bad = 0, v = 0; v < 256; v++)
		if (hwqnic_wc_is_recv(v) != !!(v & HWQNIC_WC_RECV))
			bad++;
	ok(!bad, "a CQE byte is a receive's when its top bit is set (%u wrong)",
	   bad);
	return tap_done();
}
