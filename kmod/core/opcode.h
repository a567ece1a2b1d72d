/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What each work request opcode is, in one table (opcode.c), as rxe keeps
 * rxe_opcode.c: posting checks a work request against it, and the engine
 * executes a WQE by it. The completion opcode of each comes from hw.h's
 * HWQNIC_WR_WC_OPCODE(), which BPF programs share.
 */
#ifndef _HWQNIC_OPCODE_H
#define _HWQNIC_OPCODE_H

#include "dev.h"

/* How the engine carries it out. */
enum hwqnic_opcode_kind {
	HWQNIC_OPK_SEND,	/* a message into a receive WQE of the peer */
	HWQNIC_OPK_WRITE,	/* the local payload into the peer's memory */
	HWQNIC_OPK_READ,	/* the peer's memory into the local SGEs */
	HWQNIC_OPK_ATOMIC,	/* 8 bytes of the peer's memory, in place */
};

/* struct hwqnic_opcode's flags */
#define HWQNIC_OPF_IMM		0x01	/* carries imm_data to the peer */
#define HWQNIC_OPF_RECV		0x02	/* takes a receive WQE of the peer */

/* A QP type's bit in struct hwqnic_opcode's qp_types. */
#define HWQNIC_OP_QPT(type)	(1U << (type))

/* The payload of an atomic: one 8-byte SGE, and 8 bytes of the peer's. */
#define HWQNIC_ATOMIC_LEN	8

struct hwqnic_opcode {
	u8 kind;		/* enum hwqnic_opcode_kind */
	u8 flags;		/* HWQNIC_OPF_* */
	u8 wc_opcode;		/* its own CQE's: HWQNIC_WR_WC_OPCODE() */
	u8 recv_wc_opcode;	/* with HWQNIC_OPF_RECV: the peer's CQE's */
	/*
	 * The rights the local SGEs' MRs must grant: LOCAL_WRITE where the
	 * NIC writes them, which therefore cannot be inline data.
	 */
	u8 local_access;
	/* the right the peer's MR and QP must grant; 0: no rkey */
	u8 remote_access;
	u8 qp_types;		/* HWQNIC_OP_QPT() of those it is valid on */
};

extern const struct hwqnic_opcode hwqnic_opcodes[HWQNIC_WR_MAX];

/* What work request opcode `op` is, or NULL for a value that is none. */
static inline const struct hwqnic_opcode *hwqnic_opcode(u32 op)
{
	return op < HWQNIC_WR_MAX ? &hwqnic_opcodes[op] : NULL;
}

#endif /* _HWQNIC_OPCODE_H */
