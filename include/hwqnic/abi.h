/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * hwqnic device ABI: the hardware interface (hw.h: opcodes, statuses, the
 * WQE, CQE and doorbell layouts the host and the NIC exchange through
 * queue memory) and the ioctls of hwqnic.ko's /dev/hwqnic0 below. Every
 * structure has a fixed size and is little-endian on every host;
 * docs/abi.md draws each layout.
 */
#ifndef _UAPI_HWQNIC_ABI_H
#define _UAPI_HWQNIC_ABI_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <hwqnic/hw.h>

/* The version of both: hw.h's layouts and the ioctls. */
#define HWQNIC_ABI_VERSION	7

/*
 * /dev/hwqnic0: each open file is a device context of its own (its own
 * doorbell page, object tables and engine kthread, as a virtual function
 * would be), driven by these ioctls. HWQNIC_IOC_OPEN must come first and
 * name the ABI version the caller was built for. Every structure is fixed
 * size; reserved fields must be zero in and are zero out. The context's
 * pages are mapped by mmap(2) at the offsets the replies give.
 */
#define HWQNIC_IOC_MAGIC	0xe7

struct hwqnic_ioc_open {
	__u32	abi_version;		/* in: HWQNIC_ABI_VERSION */
	__u32	dev_id;			/* out: `dev` in trace events */
	/*
	 * in: where the counters go (struct hwqnic_stats_file, hwqnic/
	 * stats.h): page-aligned writable memory of stats_len bytes, which
	 * the kernel pins; or 0 and the kernel keeps them, to be mapped at
	 * stats_off. Out: stats_len is the size they take.
	 */
	__u64	stats_addr;
	__u64	stats_len;
	__u64	stats_off;		/* out */
	__u64	db_off;			/* out: mmap offset of the doorbell page */
	__u64	db_len;
};

struct hwqnic_ioc_pd {
	__u32	pdn;			/* out of ALLOC_PD, in to DEALLOC_PD */
	__u32	rsvd;
};

struct hwqnic_ioc_mr {
	__u64	addr;			/* in: the process's buffer, its iova */
	__u64	length;
	__u32	pdn;
	__u32	access;			/* enum hwqnic_access_flags */
	__u32	key;			/* out of REG_MR (lkey == rkey), in to DEREG_MR */
	__u32	rsvd;
};

/* A queue's memory as mapped: depth slots of 1 << stride_shift bytes. */
struct hwqnic_ioc_queue {
	__u32	depth;
	__u32	npages;			/* pages of 1 << pg_shift bytes */
	__u8	pg_shift;
	__u8	stride_shift;
	__u16	rsvd;
	__u32	slot;			/* its doorbell slot */
	__u64	mmap_off;
	__u64	mmap_len;
};

struct hwqnic_ioc_cq {
	__u32	cqe;			/* in: minimum depth */
	__s32	channel_fd;		/* in: from CREATE_CHANNEL, or -1 */
	__u32	handle;			/* out of CREATE_CQ, in to DESTROY_CQ */
	__u32	arm_slot;		/* out: the arming doorbell's slot */
	struct hwqnic_ioc_queue q;	/* out; q.slot: the consumer doorbell */
	/* in: HWQNIC_CQ_F_* (verbs.h); HWQNIC_CQ_F_TIMESTAMP: 64-byte CQEs */
	__u32	flags;
	__u32	rsvd;
};

struct hwqnic_ioc_qp {
	__u32	pdn;			/* in */
	__u32	send_cq;
	__u32	recv_cq;
	__u32	qp_type;		/* enum hwqnic_qp_type */
	__u32	sq_sig_all;
	__u32	max_send_wr;		/* in: asked; out: granted */
	__u32	max_recv_wr;
	__u32	max_send_sge;
	__u32	max_recv_sge;
	__u32	max_inline_data;
	__u32	qpn;			/* out of CREATE_QP, in to DESTROY_QP */
	__u32	rsvd;
	struct hwqnic_ioc_queue sq;	/* out */
	struct hwqnic_ioc_queue rq;
};

/* struct hwqnic_qp_attr, in fixed-size fields. */
struct hwqnic_ioc_qp_attr {
	__u32	qpn;
	__u32	attr_mask;		/* enum hwqnic_qp_attr_mask; MODIFY_QP only */
	__u32	qp_state;
	__u32	cur_qp_state;
	__u32	path_mtu;
	__u32	qp_access_flags;
	__u32	qkey;
	__u32	rq_psn;
	__u32	sq_psn;
	__u32	dest_qp_num;
	__u16	pkey_index;
	__u8	port_num;
	__u8	timeout;
	__u8	retry_cnt;
	__u8	rnr_retry;
	__u8	min_rnr_timer;
	__u8	max_rd_atomic;
	__u8	max_dest_rd_atomic;
	__u8	rsvd[7];
};

/* What read(2) of a context returns: one per asynchronous event. */
struct hwqnic_ioc_async_event {
	__u32	type;			/* enum hwqnic_event_type */
	__u32	handle;			/* the CQ handle or the QPN */
};

#define HWQNIC_IOC_OPEN		_IOWR(HWQNIC_IOC_MAGIC, 0, struct hwqnic_ioc_open)
#define HWQNIC_IOC_ALLOC_PD	_IOR(HWQNIC_IOC_MAGIC, 1, struct hwqnic_ioc_pd)
#define HWQNIC_IOC_DEALLOC_PD	_IOW(HWQNIC_IOC_MAGIC, 2, struct hwqnic_ioc_pd)
#define HWQNIC_IOC_REG_MR	_IOWR(HWQNIC_IOC_MAGIC, 3, struct hwqnic_ioc_mr)
#define HWQNIC_IOC_DEREG_MR	_IOW(HWQNIC_IOC_MAGIC, 4, struct hwqnic_ioc_mr)
/* returns a new fd: read(2) gives the __u32 handles of CQs with events */
#define HWQNIC_IOC_CREATE_CHANNEL _IO(HWQNIC_IOC_MAGIC, 5)
#define HWQNIC_IOC_CREATE_CQ	_IOWR(HWQNIC_IOC_MAGIC, 6, struct hwqnic_ioc_cq)
#define HWQNIC_IOC_DESTROY_CQ	_IOW(HWQNIC_IOC_MAGIC, 7, struct hwqnic_ioc_cq)
#define HWQNIC_IOC_CREATE_QP	_IOWR(HWQNIC_IOC_MAGIC, 8, struct hwqnic_ioc_qp)
#define HWQNIC_IOC_DESTROY_QP	_IOW(HWQNIC_IOC_MAGIC, 9, struct hwqnic_ioc_qp)
#define HWQNIC_IOC_MODIFY_QP	_IOW(HWQNIC_IOC_MAGIC, 10, struct hwqnic_ioc_qp_attr)
#define HWQNIC_IOC_QUERY_QP	_IOWR(HWQNIC_IOC_MAGIC, 11, struct hwqnic_ioc_qp_attr)
/* the host saw need_wakeup after ringing: wake the engine */
#define HWQNIC_IOC_WAKE		_IO(HWQNIC_IOC_MAGIC, 12)

HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_ioc_open) == 48 &&
		     sizeof(struct hwqnic_ioc_mr) == 32 &&
		     sizeof(struct hwqnic_ioc_queue) == 32 &&
		     sizeof(struct hwqnic_ioc_cq) == 56 &&
		     sizeof(struct hwqnic_ioc_qp) == 112 &&
		     sizeof(struct hwqnic_ioc_qp_attr) == 56,
		     "ioctl structure sizes");

#endif /* _UAPI_HWQNIC_ABI_H */
