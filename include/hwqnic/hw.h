/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * hwqnic hardware interface: what the host and the (emulated) NIC exchange
 * through queue memory and doorbells: opcodes, completion statuses, the
 * WQE, CQE and doorbell layouts. Every structure has a fixed size and is
 * little-endian on every host; docs/abi.md draws each layout. A change
 * here is a change of HWQNIC_ABI_VERSION (abi.h, which adds the ioctls of
 * /dev/hwqnic0).
 *
 * Nothing here needs more than __u8..__u64 and __le32/__le64, so BPF
 * programs include it too: after vmlinux.h, which already defines those
 * types and does not mix with <linux/types.h>.
 */
#ifndef _UAPI_HWQNIC_HW_H
#define _UAPI_HWQNIC_HW_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* C++ (from C++11) spells C11's _Static_assert static_assert. */
#ifdef __cplusplus
#define HWQNIC_STATIC_ASSERT(cond, msg)	static_assert(cond, msg)
#else
#define HWQNIC_STATIC_ASSERT(cond, msg)	_Static_assert(cond, msg)
#endif

/* Work request opcodes; numerically equal to enum ibv_wr_opcode. */
enum hwqnic_wr_opcode {
	HWQNIC_WR_RDMA_WRITE		= 0,
	HWQNIC_WR_RDMA_WRITE_WITH_IMM	= 1,
	HWQNIC_WR_SEND			= 2,
	HWQNIC_WR_SEND_WITH_IMM		= 3,
	HWQNIC_WR_RDMA_READ		= 4,
	HWQNIC_WR_ATOMIC_CMP_AND_SWP	= 5,
	HWQNIC_WR_ATOMIC_FETCH_AND_ADD	= 6,
	HWQNIC_WR_MAX
};

/* Completion opcodes; numerically equal to enum ibv_wc_opcode. */
enum hwqnic_wc_opcode {
	HWQNIC_WC_SEND			= 0,
	HWQNIC_WC_RDMA_WRITE		= 1,
	HWQNIC_WC_RDMA_READ		= 2,
	HWQNIC_WC_COMP_SWAP		= 3,
	HWQNIC_WC_FETCH_ADD		= 4,
	HWQNIC_WC_RECV			= 128,
	HWQNIC_WC_RECV_RDMA_WITH_IMM	= 129,
};

/* hwqnic_wr_wc_opcode() of a value that is no work request opcode. */
#define HWQNIC_WC_OPCODE_NONE	0xff

/*
 * The completion opcode of a send work request's CQE. A constant
 * expression, so that the core's opcode table (kmod/core/opcode.c) is
 * built from it; hwqnic_wr_wc_opcode() is the same for a variable.
 */
#define HWQNIC_WR_WC_OPCODE(op)						\
	((op) == HWQNIC_WR_RDMA_WRITE ? HWQNIC_WC_RDMA_WRITE :		\
	 (op) == HWQNIC_WR_RDMA_WRITE_WITH_IMM ? HWQNIC_WC_RDMA_WRITE :	\
	 (op) == HWQNIC_WR_SEND ? HWQNIC_WC_SEND :			\
	 (op) == HWQNIC_WR_SEND_WITH_IMM ? HWQNIC_WC_SEND :		\
	 (op) == HWQNIC_WR_RDMA_READ ? HWQNIC_WC_RDMA_READ :		\
	 (op) == HWQNIC_WR_ATOMIC_CMP_AND_SWP ? HWQNIC_WC_COMP_SWAP :	\
	 (op) == HWQNIC_WR_ATOMIC_FETCH_AND_ADD ? HWQNIC_WC_FETCH_ADD :	\
	 HWQNIC_WC_OPCODE_NONE)

static inline __u32 hwqnic_wr_wc_opcode(__u32 op)
{
	return HWQNIC_WR_WC_OPCODE(op);
}

/* Whether a completion opcode is a receive's (its WQE was on the RQ). */
static inline int hwqnic_wc_is_recv(__u32 opcode)
{
	return opcode >= HWQNIC_WC_RECV;
}

/* Completion status; same values and meanings as enum ibv_wc_status. */
enum hwqnic_wc_status {
	HWQNIC_WC_SUCCESS		= 0,
	HWQNIC_WC_LOC_LEN_ERR		= 1,
	HWQNIC_WC_LOC_QP_OP_ERR		= 2,
	HWQNIC_WC_LOC_EEC_OP_ERR	= 3,
	HWQNIC_WC_LOC_PROT_ERR		= 4,
	HWQNIC_WC_WR_FLUSH_ERR		= 5,
	HWQNIC_WC_MW_BIND_ERR		= 6,
	HWQNIC_WC_BAD_RESP_ERR		= 7,
	HWQNIC_WC_LOC_ACCESS_ERR	= 8,
	HWQNIC_WC_REM_INV_REQ_ERR	= 9,
	HWQNIC_WC_REM_ACCESS_ERR	= 10,
	HWQNIC_WC_REM_OP_ERR		= 11,
	HWQNIC_WC_RETRY_EXC_ERR		= 12,
	HWQNIC_WC_RNR_RETRY_EXC_ERR	= 13,
	HWQNIC_WC_LOC_RDD_VIOL_ERR	= 14,
	HWQNIC_WC_REM_INV_RD_REQ_ERR	= 15,
	HWQNIC_WC_REM_ABORT_ERR		= 16,
	HWQNIC_WC_INV_EECN_ERR		= 17,
	HWQNIC_WC_INV_EEC_STATE_ERR	= 18,
	HWQNIC_WC_FATAL_ERR		= 19,
	HWQNIC_WC_RESP_TIMEOUT_ERR	= 20,
	HWQNIC_WC_GENERAL_ERR		= 21,
	HWQNIC_WC_STATUS_MAX
};

/* The status the poll trace event reports for a poll that found nothing. */
#define HWQNIC_POLL_EMPTY	255

/* Scatter/gather element, as it sits in a WQE. */
struct hwqnic_wqe_sge {
	__le64	addr;		/* in the MR's address space (its iova) */
	__le32	length;
	__le32	lkey;
};

/* Send WQE flags. */
#define HWQNIC_WQE_F_SIGNALED	0x01	/* write a CQE when done */
#define HWQNIC_WQE_F_SOLICITED	0x02	/* raise the solicited event remotely */
#define HWQNIC_WQE_F_INLINE	0x04	/* payload follows the header */
#define HWQNIC_WQE_F_FENCE	0x08	/* wait for prior RDMA_READ/atomics */
/*
 * Write this WQE's times: into its CQE on a timestamped CQ, else over the
 * WQE's own slot (struct hwqnic_wqe_times)
 */
#define HWQNIC_WQE_F_TIMESTAMP	0x10
#define HWQNIC_WQE_F_ALL	0x1f

/*
 * Send queue WQE header. It is followed by num_sge struct hwqnic_wqe_sge, or by
 * `length` bytes of inline data, inside the same queue slot.
 */
struct hwqnic_send_wqe {
	__u8	opcode;		/* enum hwqnic_wr_opcode */
	__u8	flags;		/* HWQNIC_WQE_F_* */
	__u8	num_sge;
	__u8	rsvd0;
	__le32	length;		/* payload bytes (sum of SGEs, or inline) */
	__le64	wr_id;
	__le32	imm_data;	/* *_WITH_IMM: network byte order, opaque */
	__le32	rkey;		/* RDMA and atomics */
	__le64	remote_addr;	/* RDMA and atomics */
	__le64	compare_add;	/* CMP_AND_SWP: compare; FETCH_AND_ADD: add */
	__le64	swap;		/* CMP_AND_SWP: swap */
	__le32	dst_qpn;	/* UD */
	__le32	qkey;		/* UD */
	__le32	ah;		/* UD: address handle; 0: this device */
	__le32	rsvd1;
};

/* Receive WQE header, followed by num_sge struct hwqnic_wqe_sge. */
/* Receive WQE flags. */
#define HWQNIC_RECV_F_TIMESTAMP	0x01	/* as HWQNIC_WQE_F_TIMESTAMP */

struct hwqnic_recv_wqe {
	__le64	wr_id;
	__u8	num_sge;
	__u8	flags;		/* HWQNIC_RECV_F_* */
	__u8	rsvd0[6];
};

/* CQE flags. */
#define HWQNIC_CQE_F_TOGGLE	0x01	/* phase bit, see hwqnic_cqe_phase() */
#define HWQNIC_CQE_F_WITH_IMM	0x02	/* imm_data is valid */
/* the WQE's slot holds its times (struct hwqnic_wqe_times) */
#define HWQNIC_CQE_F_WQE_TIMES	0x04

/*
 * Completion queue entry. The NIC writes everything but `flags` first and
 * `flags` (holding the toggle) last with release ordering; the host reads
 * `flags`, then everything else after an acquire barrier.
 */
struct hwqnic_cqe {
	__le64	wr_id;
	__le32	byte_len;
	__le32	imm_data;
	__le32	qpn;
	__le32	src_qp;		/* UD receives */
	__u8	opcode;		/* enum hwqnic_wc_opcode */
	__u8	status;		/* enum hwqnic_wc_status */
	__u8	vendor_err;
	__u8	flags;		/* HWQNIC_CQE_F_*; written last */
	__le32	wqe_idx;	/* slot of the WQE completed (SQ or RQ) */
};

/*
 * The toggle a valid CQE carries in the pass whose consumer epoch is
 * `epoch`. Queue memory starts zeroed, so the first pass expects 1.
 */
static inline __u8 hwqnic_cqe_phase(__u8 epoch)
{
	return !epoch;
}

/*
 * The CQE of a CQ created with HWQNIC_CQ_F_TIMESTAMP: the slot is twice as
 * large and carries the NIC's times, CLOCK_MONOTONIC nanoseconds (what
 * bpf_ktime_get_ns() returns), written before the toggle like the rest,
 * for a WQE that asks (HWQNIC_WQE_F_TIMESTAMP, HWQNIC_RECV_F_TIMESTAMP);
 * 0 for one that does not, whose CQE costs the NIC no clock read. A CQ
 * without the flag keeps 32-byte slots and the NIC reads no clock for it.
 */
struct hwqnic_cqe_ts {
	struct hwqnic_cqe cqe;
	__le64	db_ns;		/* the engine accepted the WQE's doorbell */
	__le64	cqe_ns;		/* the engine wrote this CQE */
	__le64	rsvd[2];
};

/*
 * A WQE's times on a CQ without HWQNIC_CQ_F_TIMESTAMP, for a WQE that
 * asks (HWQNIC_WQE_F_TIMESTAMP, HWQNIC_RECV_F_TIMESTAMP): the NIC writes
 * them over the first 16 bytes of the WQE's own slot once it is done with
 * the WQE, before the CQE's toggle, and says so with
 * HWQNIC_CQE_F_WQE_TIMES; the host reads them after the toggle and before
 * it reuses the slot. The CQ keeps its 32-byte CQEs: a tracer's sampled
 * WRs get their times without doubling every CQE of the CQ.
 */
struct hwqnic_wqe_times {
	__le64	db_ns;		/* as hwqnic_cqe_ts's; 0 if not stamped */
	__le64	cqe_ns;
};

HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_wqe_sge) == 16, "sge size");
HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_send_wqe) == 64, "send wqe size");
HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_recv_wqe) == 16, "recv wqe size");
HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_cqe) == 32, "cqe size");
HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_cqe_ts) == 64, "cqe_ts size");
HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_wqe_times) <=
		     sizeof(struct hwqnic_recv_wqe), "wqe times fit any slot");

/*
 * Doorbell: one 64-bit write, modelled on bnxt's DBC format.
 *
 *   bits  0..23  index   producer (SQ/RQ/SRQ) or consumer (CQ/NQ) index
 *   bit  24      epoch   the index's wrap parity
 *   bits 25..26  toggle  CQ arm: the CQ toggle the host expects
 *   bit  27      stamp   SQ/RQ only: the engine records when it accepts
 *                        this doorbell, for its WQEs' times (db_ns)
 *   bits 28..31  reserved (zero)
 *   bits 32..51  xid     queue id (QPN for SQ/RQ, CQ id, SRQ id, NQ id)
 *   bits 52..57  reserved (zero)
 *   bit  58      valid   set on every doorbell the host writes
 *   bits 60..63  type    enum hwqnic_db_type
 */
enum hwqnic_db_type {
	HWQNIC_DB_SQ		= 0x0,
	HWQNIC_DB_RQ		= 0x1,
	HWQNIC_DB_SRQ		= 0x2,
	HWQNIC_DB_SRQ_ARM	= 0x3,
	HWQNIC_DB_CQ		= 0x4,
	HWQNIC_DB_CQ_ARMSE	= 0x5,	/* arm: next solicited CQE */
	HWQNIC_DB_CQ_ARMALL	= 0x6,	/* arm: next CQE */
	HWQNIC_DB_CQ_ARMENA	= 0x7,	/* enable arming */
	HWQNIC_DB_NQ		= 0xa,
	HWQNIC_DB_TYPE_MAX	= 0xf,
};

#define HWQNIC_DB_INDEX_MASK	0x00ffffffULL
#define HWQNIC_DB_EPOCH_SHIFT	24
#define HWQNIC_DB_TOGGLE_SHIFT	25
#define HWQNIC_DB_TOGGLE_MASK	0x3ULL
#define HWQNIC_DB_STAMP		(1ULL << 27)
#define HWQNIC_DB_XID_SHIFT	32
#define HWQNIC_DB_XID_MASK	0x000fffffULL
#define HWQNIC_DB_VALID		(1ULL << 58)
#define HWQNIC_DB_TYPE_SHIFT	60
#define HWQNIC_DB_TYPE_MASK	0xfULL
#define HWQNIC_DB_RSVD_MASK	(0xfULL << 28 | 0x3fULL << 52 | 1ULL << 59)

struct hwqnic_db {
	__u32	index;		/* HWQNIC_DB_INDEX_MASK bits */
	__u32	xid;		/* HWQNIC_DB_XID_MASK bits */
	__u8	epoch;		/* 0 or 1 */
	__u8	toggle;		/* 0..3 */
	__u8	type;		/* enum hwqnic_db_type */
	__u8	stamp;		/* 0 or 1: HWQNIC_DB_STAMP (SQ, RQ) */
};

/* The doorbells that may carry HWQNIC_DB_STAMP: those of a WQE's queue. */
static inline int hwqnic_db_stampable(__u8 type)
{
	return type == HWQNIC_DB_SQ || type == HWQNIC_DB_RQ;
}

/*
 * Fields wider than their slot are truncated to it; a stamp is dropped
 * from a doorbell that cannot carry it.
 */
static inline __u64 hwqnic_db_encode(const struct hwqnic_db *db)
{
	return ((__u64)db->index & HWQNIC_DB_INDEX_MASK) |
	       ((__u64)(db->epoch & 1) << HWQNIC_DB_EPOCH_SHIFT) |
	       (((__u64)db->toggle & HWQNIC_DB_TOGGLE_MASK) <<
		HWQNIC_DB_TOGGLE_SHIFT) |
	       (((__u64)db->xid & HWQNIC_DB_XID_MASK) << HWQNIC_DB_XID_SHIFT) |
	       (db->stamp && hwqnic_db_stampable(db->type) ?
		HWQNIC_DB_STAMP : 0) |
	       HWQNIC_DB_VALID |
	       (((__u64)db->type & HWQNIC_DB_TYPE_MASK) <<
		HWQNIC_DB_TYPE_SHIFT);
}

/*
 * Returns 0, or -1 for a value no host writes (not valid, reserved bits,
 * a stamp on a doorbell that is not a WQE queue's).
 */
static inline int hwqnic_db_decode(__u64 val, struct hwqnic_db *db)
{
	if (!(val & HWQNIC_DB_VALID) || (val & HWQNIC_DB_RSVD_MASK) ||
	    ((val & HWQNIC_DB_STAMP) &&
	     !hwqnic_db_stampable((val >> HWQNIC_DB_TYPE_SHIFT) &
				  HWQNIC_DB_TYPE_MASK)))
		return -1;
	db->index = val & HWQNIC_DB_INDEX_MASK;
	db->epoch = (val >> HWQNIC_DB_EPOCH_SHIFT) & 1;
	db->toggle = (val >> HWQNIC_DB_TOGGLE_SHIFT) & HWQNIC_DB_TOGGLE_MASK;
	db->xid = (val >> HWQNIC_DB_XID_SHIFT) & HWQNIC_DB_XID_MASK;
	db->type = (val >> HWQNIC_DB_TYPE_SHIFT) & HWQNIC_DB_TYPE_MASK;
	db->stamp = !!(val & HWQNIC_DB_STAMP);
	return 0;
}

/*
 * The doorbell page: where the host rings. Each queue owns a 64-bit slot
 * that holds its last doorbell (a doorbell carries an absolute index, so
 * the last write is the only one that matters). After writing a slot the
 * host issues a full barrier and looks at `polled`: the engine sets a
 * slot's byte while it reads that slot on every pass, and then nothing
 * more is needed. Otherwise the host sets the slot's bit in `pending` and
 * the word's bit in `summary`, then, after a full barrier, wakes the
 * engine if `need_wakeup` is set. RQ producer and CQ consumer doorbells
 * only update their slot: the engine reads it when it needs to know what
 * receives a QP has or how much room a CQ has. The receive doorbells of a
 * QP in ERR are rung in full, for the engine to flush them.
 */
#define HWQNIC_DB_SLOTS		4096

struct hwqnic_db_page {
	__u64	summary;		/* bit w: pending[w] may be non-zero */
	__u32	need_wakeup;		/* set by an engine about to sleep */
	__u32	wake_seq;		/* the engine sleeps until it changes */
	__u8	rsvd0[48];		/* the line the engine spins on */
	__u64	pending[HWQNIC_DB_SLOTS / 64];
	__u64	slot[HWQNIC_DB_SLOTS];
	__u8	polled[HWQNIC_DB_SLOTS];	/* written by the engine only */
};

HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_db_page) ==
		     64 + 8 * (HWQNIC_DB_SLOTS / 64 + HWQNIC_DB_SLOTS) +
		     HWQNIC_DB_SLOTS,
		     "doorbell page size");

#ifdef __cplusplus
}
#endif

#endif /* _UAPI_HWQNIC_HW_H */
