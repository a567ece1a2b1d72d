/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * hwqnic verbs: the semantics of libibverbs under names of our own. Values
 * of enums and flags equal their ibv_* counterparts.
 *
 * The structures are shared with hwqnic.ko's exported verbs; the functions
 * below are libhwqnic's. Functions returning int return 0 or a positive
 * errno value (errno is set too); functions returning a pointer return NULL
 * and set errno; hwqnic_poll_cq() returns a count or a negative errno.
 * A call that fails changes nothing.
 */
#ifndef _HWQNIC_VERBS_H
#define _HWQNIC_VERBS_H

#include <linux/types.h>
#include <hwqnic/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* hwqnic_open() flags; with neither, HWQNIC_BACKEND=embedded|kernel decides. */
#define HWQNIC_OPEN_EMBEDDED	0x1	/* engine thread in this process (default) */
#define HWQNIC_OPEN_KERNEL	0x2	/* /dev/hwqnicN and the kernel engine */

#define HWQNIC_PORT_DOWN	1	/* IBV_PORT_DOWN: no carrier, or down */
#define HWQNIC_PORT_ACTIVE	4	/* IBV_PORT_ACTIVE */

/* struct hwqnic_port_attr's link_layer, as IBV_LINK_LAYER_* */
#define HWQNIC_LINK_LAYER_UNSPECIFIED	0	/* no netdev: QPs of this device */
#define HWQNIC_LINK_LAYER_ETHERNET	2	/* RoCEv2 on a netdev */

/* struct hwqnic_port_attr's port_type: what carries the device's packets */
#define HWQNIC_PORT_TYPE_NONE	0	/* not bound: shared memory only */
#define HWQNIC_PORT_TYPE_XDP	1	/* AF_XDP sockets and hwqnic's XDP program */
#define HWQNIC_PORT_TYPE_UDP	2	/* a UDP socket on port 4791 (fallback) */

struct hwqnic_device_attr {
	__u32	abi_version;
	__u32	max_qp;
	__u32	max_qp_wr;		/* per queue */
	__u32	max_sge;		/* per WR */
	__u32	max_inline_data;
	__u32	max_cq;
	__u32	max_cqe;
	__u32	max_mr;
	__u32	max_pd;
	__u32	max_qp_rd_atom;
	__u64	max_mr_size;
	__u64	page_size_cap;		/* bitmask of supported page sizes */
};

struct hwqnic_port_attr {
	__u32	state;			/* HWQNIC_PORT_ACTIVE or _DOWN */
	__u32	max_mtu;		/* bytes */
	__u32	active_mtu;		/* bytes */
	__u32	max_msg_sz;
	__u32	gid_tbl_len;		/* GIDs hwqnic_query_gid() has now */
	__u8	link_layer;		/* HWQNIC_LINK_LAYER_* */
	__u8	port_type;		/* HWQNIC_PORT_TYPE_* */
	__u16	reserved;
};

/* A GID, as union ibv_gid: a RoCEv2 GID is an IPv6 or IPv4-mapped address. */
union hwqnic_gid {
	__u8	raw[16];
	struct {
		__be64	subnet_prefix;
		__be64	interface_id;
	} global;
};

struct hwqnic_pd {
	struct hwqnic_context	*context;
	__u32			handle;
};

/*
 * An address vector, as struct ibv_ah_attr. is_global 0 names a QP of this
 * device. On a device bound to a netdev, is_global with a dgid that is
 * none of the device's own GIDs names another node (RoCEv2: the GID is its
 * IPv6 or IPv4-mapped address), and one of its own GIDs this device; a
 * device bound to no netdev has no GIDs and refuses is_global (EINVAL).
 */
struct hwqnic_global_route {
	union hwqnic_gid	dgid;
	__u32			flow_label;	/* 20 bits */
	__u8			sgid_index;	/* hwqnic_query_gid()'s index */
	__u8			hop_limit;	/* 0: 64 */
	__u8			traffic_class;
};

struct hwqnic_ah_attr {
	struct hwqnic_global_route grh;
	__u16			dlid;		/* unused on RoCE */
	__u8			sl;		/* unused on RoCE */
	__u8			src_path_bits;	/* unused on RoCE */
	__u8			static_rate;	/* unused */
	__u8			is_global;
	__u8			port_num;	/* 1 */
};

/* An address handle: where a UD send goes (struct hwqnic_send_wr's wr.ud.ah). */
struct hwqnic_ah {
	struct hwqnic_context	*context;
	struct hwqnic_pd	*pd;
	__u32			handle;
};

/* Access flags, as enum ibv_access_flags. */
enum hwqnic_access_flags {
	HWQNIC_ACCESS_LOCAL_WRITE	= 1 << 0,
	HWQNIC_ACCESS_REMOTE_WRITE	= 1 << 1,
	HWQNIC_ACCESS_REMOTE_READ	= 1 << 2,
	HWQNIC_ACCESS_REMOTE_ATOMIC	= 1 << 3,
};
#define HWQNIC_ACCESS_ALL	0xf

struct hwqnic_mr {
	struct hwqnic_context	*context;
	struct hwqnic_pd	*pd;
	void			*addr;
	__u64			length;
	__u32			lkey;
	__u32			rkey;
	__u32			access;
};

struct hwqnic_comp_channel {
	struct hwqnic_context	*context;
	int			fd;	/* readable when a CQ event is queued */
};

struct hwqnic_cq {
	struct hwqnic_context		*context;
	struct hwqnic_comp_channel	*channel;
	void				*cq_context;
	int				cqe;	/* capacity */
	__u32				handle;
};

/*
 * QP types and states, as enum ibv_qp_type / ibv_qp_state. UC is connected
 * like RC but unacknowledged: SENDs and WRITEs only (READs and atomics
 * are refused at post), a send completes once it is sent, and a message
 * lost or refused on the way is dropped whole at the receiver.
 */
enum hwqnic_qp_type {
	HWQNIC_QPT_RC	= 2,
	HWQNIC_QPT_UC	= 3,
	HWQNIC_QPT_UD	= 4,
};

enum hwqnic_qp_state {
	HWQNIC_QPS_RESET,
	HWQNIC_QPS_INIT,
	HWQNIC_QPS_RTR,
	HWQNIC_QPS_RTS,
	HWQNIC_QPS_SQD,
	HWQNIC_QPS_SQE,
	HWQNIC_QPS_ERR,
};

struct hwqnic_qp_cap {
	__u32	max_send_wr;
	__u32	max_recv_wr;
	__u32	max_send_sge;
	__u32	max_recv_sge;
	__u32	max_inline_data;
};

struct hwqnic_qp_init_attr {
	void			*qp_context;
	struct hwqnic_cq	*send_cq;
	struct hwqnic_cq	*recv_cq;
	struct hwqnic_qp_cap	cap;	/* updated with what was granted */
	enum hwqnic_qp_type	qp_type;
	int			sq_sig_all;
};

struct hwqnic_qp {
	struct hwqnic_context	*context;
	void			*qp_context;
	struct hwqnic_pd	*pd;
	struct hwqnic_cq	*send_cq;
	struct hwqnic_cq	*recv_cq;
	__u32			qp_num;
	enum hwqnic_qp_state	state;
	enum hwqnic_qp_type	qp_type;
};

/* hwqnic_modify_qp() mask, as enum ibv_qp_attr_mask. */
enum hwqnic_qp_attr_mask {
	HWQNIC_QP_STATE			= 1 << 0,
	HWQNIC_QP_CUR_STATE		= 1 << 1,
	HWQNIC_QP_ACCESS_FLAGS		= 1 << 3,
	HWQNIC_QP_PKEY_INDEX		= 1 << 4,
	HWQNIC_QP_PORT			= 1 << 5,
	HWQNIC_QP_QKEY			= 1 << 6,
	HWQNIC_QP_AV			= 1 << 7,
	HWQNIC_QP_PATH_MTU		= 1 << 8,
	HWQNIC_QP_TIMEOUT		= 1 << 9,
	HWQNIC_QP_RETRY_CNT		= 1 << 10,
	HWQNIC_QP_RNR_RETRY		= 1 << 11,
	HWQNIC_QP_RQ_PSN		= 1 << 12,
	HWQNIC_QP_MAX_QP_RD_ATOMIC	= 1 << 13,
	HWQNIC_QP_MIN_RNR_TIMER		= 1 << 15,
	HWQNIC_QP_SQ_PSN		= 1 << 16,
	HWQNIC_QP_MAX_DEST_RD_ATOMIC	= 1 << 17,
	HWQNIC_QP_CAP			= 1 << 19,
	HWQNIC_QP_DEST_QPN		= 1 << 20,
};

/* Path MTU, as enum ibv_mtu: 1 = 256 bytes ... 5 = 4096 bytes. */
enum hwqnic_mtu {
	HWQNIC_MTU_256	= 1,
	HWQNIC_MTU_512	= 2,
	HWQNIC_MTU_1024	= 3,
	HWQNIC_MTU_2048	= 4,
	HWQNIC_MTU_4096	= 5,
};

struct hwqnic_qp_attr {
	enum hwqnic_qp_state	qp_state;
	enum hwqnic_qp_state	cur_qp_state;
	enum hwqnic_mtu		path_mtu;
	__u32			qp_access_flags;
	__u32			qkey;
	__u32			rq_psn;
	__u32			sq_psn;
	__u32			dest_qp_num;
	__u16			pkey_index;
	__u8			port_num;
	__u8			timeout;
	__u8			retry_cnt;
	__u8			rnr_retry;	/* 7: retry forever */
	__u8			min_rnr_timer;
	__u8			max_rd_atomic;
	__u8			max_dest_rd_atomic;
	struct hwqnic_qp_cap	cap;
	/* HWQNIC_QP_AV, at INIT -> RTR: where the peer is (RC) */
	struct hwqnic_ah_attr	ah_attr;
};

struct hwqnic_sge {
	__u64	addr;
	__u32	length;
	__u32	lkey;
};

/* Send flags, as enum ibv_send_flags. */
enum hwqnic_send_flags {
	HWQNIC_SEND_FENCE	= 1 << 0,
	HWQNIC_SEND_SIGNALED	= 1 << 1,
	HWQNIC_SEND_SOLICITED	= 1 << 2,
	HWQNIC_SEND_INLINE	= 1 << 3,
	/*
	 * hwqnic's own: record the time of the post, for
	 * hwqnic_poll_cq_ts()'s post_ns. Only on a QP whose send CQ has
	 * HWQNIC_CQ_F_TIMESTAMP (elsewhere it is ignored).
	 */
	HWQNIC_SEND_TIMESTAMP	= 1 << 7,
};

struct hwqnic_send_wr {
	__u64			wr_id;
	struct hwqnic_send_wr	*next;
	struct hwqnic_sge	*sg_list;
	int			num_sge;
	enum hwqnic_wr_opcode	opcode;
	__u32			send_flags;
	__u32			imm_data;	/* network byte order */
	union {
		struct {
			__u64	remote_addr;
			__u32	rkey;
		} rdma;
		struct {
			__u64	remote_addr;
			__u64	compare_add;
			__u64	swap;
			__u32	rkey;
		} atomic;
		struct {
			struct hwqnic_ah *ah;	/* NULL: a QP of this device */
			__u32	remote_qpn;
			__u32	remote_qkey;
		} ud;
	} wr;
};

struct hwqnic_recv_wr {
	__u64			wr_id;
	struct hwqnic_recv_wr	*next;
	struct hwqnic_sge	*sg_list;
	int			num_sge;
};

#define HWQNIC_WC_F_WITH_IMM	(1 << 1)	/* IBV_WC_WITH_IMM */

struct hwqnic_wc {
	__u64			wr_id;
	enum hwqnic_wc_status	status;
	enum hwqnic_wc_opcode	opcode;
	__u32			vendor_err;
	__u32			byte_len;
	__u32			imm_data;	/* network byte order */
	__u32			qp_num;
	__u32			src_qp;
	__u32			wc_flags;
};

/*
 * hwqnic_create_cq_ex() flags. HWQNIC_CQ_F_TIMESTAMP, as ibv_create_cq_ex()'s
 * IBV_WC_EX_WITH_COMPLETION_TIMESTAMP: the CQ's completions carry times
 * (struct hwqnic_wc_ts), at the price of 64-byte CQEs and a clock read by
 * the engine per doorbell and per CQE of its QPs.
 */
#define HWQNIC_CQ_F_TIMESTAMP	0x1
#define HWQNIC_CQ_F_ALL		0x1

/*
 * The times of one completion, CLOCK_MONOTONIC nanoseconds (the clock of
 * clock_gettime(CLOCK_MONOTONIC) and of bpf_ktime_get_ns(), in the
 * embedded engine and in hwqnic.ko alike); 0 where not known.
 */
struct hwqnic_wc_ts {
	__u64	post_ns;	/* posted: sends with HWQNIC_SEND_TIMESTAMP,
				 * every receive of a timestamped CQ */
	__u64	db_ns;		/* the engine accepted the doorbell that
				 * covered the WQE */
	__u64	cqe_ns;		/* the engine wrote the CQE */
};

/* UD receive buffers start with this many bytes of (unused) GRH space. */
#define HWQNIC_UD_GRH_BYTES	40

/* Asynchronous events, as enum ibv_event_type. */
enum hwqnic_event_type {
	HWQNIC_EVENT_CQ_ERR		= 0,
	HWQNIC_EVENT_QP_FATAL		= 1,
	HWQNIC_EVENT_QP_REQ_ERR		= 2,
	HWQNIC_EVENT_QP_ACCESS_ERR	= 3,
};

struct hwqnic_async_event {
	union {
		struct hwqnic_cq	*cq;
		struct hwqnic_qp	*qp;
	} element;
	enum hwqnic_event_type	event_type;
};

/*
 * Per-QP counters, also published to other processes (hwqnic/stats.h).
 * The host's and the engine's halves sit on cache lines of their own, so
 * counting never bounces a line between the two.
 */
struct hwqnic_qp_counters {
	/* host */
	__u64	posts;		/* send WRs posted */
	__u64	recv_posts;	/* receive WRs posted */
	__u32	sq_outstanding;	/* gauge: send WQEs posted, not yet retired */
	__u32	rq_outstanding;	/* gauge: receives posted, not yet retired */
	__u64	rsvd0[5];
	/* engine */
	__u64	doorbells;	/* SQ and RQ doorbells the engine accepted */
	__u64	wqes;		/* send WQEs the engine fetched */
	__u64	completions;	/* CQEs written for this QP */
	__u64	errors;		/* CQEs with a status other than SUCCESS */
	__u64	bytes;		/* payload bytes the engine moved for it */
	__u64	rsvd1[3];
};

/*
 * Why a received frame was refused: one counter each, in the device's
 * drops[] (a QP's where the QP is known).
 */
enum hwqnic_drop {
	HWQNIC_DROP_NONE,
	HWQNIC_DROP_SHORT,	/* shorter than its headers say */
	HWQNIC_DROP_NOT_ROCE,	/* not IP / UDP to 4791, or IPv4 options */
	HWQNIC_DROP_IP,		/* bad IP length or fragment */
	HWQNIC_DROP_UDP,	/* UDP length disagrees with IP's */
	HWQNIC_DROP_BTH,	/* TVer not 0, unknown opcode, pad > payload */
	HWQNIC_DROP_ICRC,	/* ICRC mismatch */
	HWQNIC_DROP_PKEY,	/* P_Key not the port's */
	HWQNIC_DROP_QP,		/* no QP of that number, or wrong type/state */
	HWQNIC_DROP_QKEY,	/* UD: Q_Key not the QP's */
	HWQNIC_DROP_OPCODE,	/* opcode not valid for the QP or its state */
	HWQNIC_DROP_LEN,	/* payload length wrong for the opcode */
	HWQNIC_DROP_MAX
};

#define HWQNIC_DROP_SLOTS	16	/* drops[] entries: room for new reasons */

/*
 * A netdev-bound device's transport counters (RoCEv2 on its port), since
 * it was opened; all zero on a device bound to no netdev. Only the engine
 * writes them.
 */
struct hwqnic_wire_counters {
	__u64	tx_pkts, rx_pkts;	/* RoCEv2 frames */
	__u64	tx_bytes, rx_bytes;	/* whole Ethernet frames */
	__u64	retransmits;	/* packets sent again (timeout or NAK) */
	__u64	timeouts;	/* retransmit timer expiries */
	__u64	seq_naks_sent, seq_naks_rcvd;
	__u64	rnr_naks_sent, rnr_naks_rcvd;
	__u64	dup_requests;	/* re-ACKed, or replayed from resources */
	__u64	out_of_seq;	/* requests beyond the expected PSN */
	__u64	tx_full;	/* a pass found the port's TX ring full */
	__u64	uc_dropped;	/* UC messages the responder dropped whole */
	__u64	uc_no_recv;	/* of those: no receive posted for them */
	__u64	uc_rkey;	/* of those: their R_Key refused */
	__u64	drops[HWQNIC_DROP_SLOTS];	/* by enum hwqnic_drop */
};

/*
 * One QP's share of them: the frames it sent and the frames that reached
 * it (its number, and a P_Key and headers that checked out), and the
 * received ones it refused, by why. Zero for a QP that stays on its
 * device (shared memory, no packets).
 */
struct hwqnic_qp_wire_counters {
	__u64	tx_pkts, tx_bytes;
	__u64	rx_pkts, rx_bytes;
	__u64	retransmits, timeouts;
	__u64	seq_naks_sent, seq_naks_rcvd;
	__u64	rnr_naks_sent, rnr_naks_rcvd;
	__u64	dup_requests, out_of_seq;
	__u64	drop_state;	/* DROP_QP: not RTR/RTS, or not its peer's */
	__u64	drop_qkey;	/* HWQNIC_DROP_QKEY */
	__u64	drop_opcode;	/* HWQNIC_DROP_OPCODE */
	__u64	drop_len;	/* HWQNIC_DROP_LEN */
};

HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_wire_counters) == 256 &&
		     sizeof(struct hwqnic_qp_wire_counters) == 128,
		     "whole cache lines, no padding");

/* The engine's time, for a busy percentage. */
struct hwqnic_engine_counters {
	__u64	busy_ns;	/* spent doing work */
	__u64	run_ns;		/* since the engine started */
};

#ifndef __KERNEL__
#include <stddef.h>

struct hwqnic_context;

/* The longest device name hwqnic_open() takes. */
#define HWQNIC_NAME_MAX	31

/*
 * A device. Embedded: `name` (or hwqnic-embN when NULL) labels a new device
 * whose engine is a thread of this process. Kernel: `name` is NULL or
 * "hwqnic0", the device node; the context opened on it is a device of its
 * own, named hwqnicN by hwqnic.ko (ENODEV when the module is not loaded).
 * A name becomes part of a file name (/dev/shm/hwqnic.<pid>.<name>): 1 to
 * HWQNIC_NAME_MAX ASCII letters, digits, '.', '_' and '-', not starting
 * with '.'; any other name is EINVAL, on both backends.
 *
 * Shared-CPU mode: when the engine would share the caller's one CPU (the
 * opening thread may run on one CPU only and the engine thread on that
 * one too: taskset -c N, a one-CPU container or VM; with the kernel
 * backend, a machine with one CPU online), busy polling would make two
 * spinning threads take turns at scheduler granularity. In this mode an
 * empty hwqnic_poll_cq() runs a pass of the embedded engine itself (the
 * poller drives the NIC) and yields the CPU if that found nothing to do,
 * and the engine thread yields it every 128 passes. HWQNIC_SHARED_CPU=1
 * or 0 forces the mode on or off (another value: EINVAL);
 * hwqnic_shared_cpu() tells whether a context uses it.
 *
 * hwqnic_close() fails with EBUSY, and changes nothing, while any PD, MR,
 * completion channel, CQ or QP of the context exists.
 *
 * HWQNIC_DEBUG=1 at open: each call that fails on the context prints one
 * line on stderr saying why (the function, the cause, the error's name).
 * A bad HWQNIC_BACKEND, HWQNIC_SHARED_CPU or HWQNIC_ENGINE_CPU, and
 * HWQNIC_BACKEND=kernel without /dev/hwqnic0, are printed so always.
 *
 * fork(): the parent's resources keep working in the parent, on both
 * backends, with nothing to call first (no ibv_fork_init()): the embedded
 * engine reaches memory through the parent's own mappings, and hwqnic.ko
 * pins MR pages, which fork() then copies for the child rather than
 * share. A child cannot use a context it inherited (its engine, queues
 * and kernel context are the parent's): every verb on it, or on any of
 * its objects, fails with EPERM (hwqnic_poll_cq(): -EPERM; posts set
 * *bad_wr to the first WR), except hwqnic_close(), which succeeds and
 * frees only the child's copies of the context and its objects, closing
 * the child's descriptors: the parent's engine, kernel context and stats
 * file are untouched. The child may open devices of its own. Only fork()
 * through the C library is seen (pthread_atfork()); a child made by a
 * raw clone() must not touch the parent's contexts at all.
 */
struct hwqnic_context *hwqnic_open(const char *name, unsigned int flags);
/*
 * hwqnic_open() bound to the netdev `netdev` (in the caller's network
 * namespace): its QPs can reach other nodes through it, as RoCEv2.
 * Embedded backend only (EOPNOTSUPP on the kernel one). hwqnic_open()
 * itself binds to HWQNIC_NETDEV when that is set.
 */
struct hwqnic_context *hwqnic_open_netdev(const char *name,
					  const char *netdev,
					  unsigned int flags);
int hwqnic_close(struct hwqnic_context *ctx);
const char *hwqnic_device_name(struct hwqnic_context *ctx);
/* *shared = 1 if the context runs in shared-CPU mode (hwqnic_open()), else 0 */
int hwqnic_shared_cpu(struct hwqnic_context *ctx, int *shared);
int hwqnic_query_device(struct hwqnic_context *ctx,
			struct hwqnic_device_attr *attr);
int hwqnic_query_port(struct hwqnic_context *ctx, __u8 port,
		      struct hwqnic_port_attr *attr);
/* Entry index of port's GID table (0 .. gid_tbl_len - 1), as ibv_query_gid */
int hwqnic_query_gid(struct hwqnic_context *ctx, __u8 port, int index,
		     union hwqnic_gid *gid);
int hwqnic_async_fd(struct hwqnic_context *ctx);
int hwqnic_get_async_event(struct hwqnic_context *ctx,
			   struct hwqnic_async_event *event);

struct hwqnic_pd *hwqnic_alloc_pd(struct hwqnic_context *ctx);
int hwqnic_dealloc_pd(struct hwqnic_pd *pd);
/* An address handle of pd for UD sends; NULL and errno on failure. */
struct hwqnic_ah *hwqnic_create_ah(struct hwqnic_pd *pd,
				   struct hwqnic_ah_attr *attr);
int hwqnic_destroy_ah(struct hwqnic_ah *ah);

/*
 * Registers [addr, addr + length). Every page must be mapped and readable,
 * and writable when `access` lets the NIC write (LOCAL_WRITE, REMOTE_WRITE,
 * REMOTE_ATOMIC), or the call fails with EFAULT, on both backends; the
 * pages are faulted in, as pinning does. The range must then stay mapped,
 * with at least those rights, until hwqnic_dereg_mr(): hwqnic.ko holds the
 * pages it pinned, but the embedded engine reaches them through the
 * process's mappings, so on that backend a range unmapped, made
 * inaccessible or truncated (a file) while registered makes the engine
 * thread fault (SIGSEGV, SIGBUS) in the next transfer that touches it,
 * like a use after free.
 */
struct hwqnic_mr *hwqnic_reg_mr(struct hwqnic_pd *pd, void *addr,
				size_t length, unsigned int access);
int hwqnic_dereg_mr(struct hwqnic_mr *mr);

struct hwqnic_comp_channel *
hwqnic_create_comp_channel(struct hwqnic_context *ctx);
int hwqnic_destroy_comp_channel(struct hwqnic_comp_channel *channel);
struct hwqnic_cq *hwqnic_create_cq(struct hwqnic_context *ctx, int cqe,
				   void *cq_context,
				   struct hwqnic_comp_channel *channel);
/*
 * hwqnic_create_cq() with flags (HWQNIC_CQ_F_*; another bit: EINVAL).
 * HWQNIC_CQ_F_TIMESTAMP: hwqnic_poll_cq_ts() returns each completion's
 * times.
 */
struct hwqnic_cq *hwqnic_create_cq_ex(struct hwqnic_context *ctx, int cqe,
				      void *cq_context,
				      struct hwqnic_comp_channel *channel,
				      unsigned int flags);
int hwqnic_destroy_cq(struct hwqnic_cq *cq);
int hwqnic_poll_cq(struct hwqnic_cq *cq, int num_entries,
		   struct hwqnic_wc *wc);
/*
 * hwqnic_poll_cq(), and ts[i] the times of wc[i] (as
 * ibv_wc_read_completion_ts() gives them for an extended CQ); all zero on
 * a CQ created without HWQNIC_CQ_F_TIMESTAMP, but for the completions a
 * tracer of the complete event sampled on QPs created while it traced.
 */
int hwqnic_poll_cq_ts(struct hwqnic_cq *cq, int num_entries,
		      struct hwqnic_wc *wc, struct hwqnic_wc_ts *ts);
int hwqnic_req_notify_cq(struct hwqnic_cq *cq, int solicited_only);
int hwqnic_get_cq_event(struct hwqnic_comp_channel *channel,
			struct hwqnic_cq **cq, void **cq_context);

struct hwqnic_qp *hwqnic_create_qp(struct hwqnic_pd *pd,
				   struct hwqnic_qp_init_attr *attr);
/*
 * Moving a QP to RESET, or destroying it, removes its completions not yet
 * polled from its CQs (as mlx5 does): a reconnected QP, or a new one with
 * the same QPN, never sees them. Destroying a CQ drops its events not yet
 * read.
 */
int hwqnic_modify_qp(struct hwqnic_qp *qp, struct hwqnic_qp_attr *attr,
		     int attr_mask);
int hwqnic_query_qp(struct hwqnic_qp *qp, struct hwqnic_qp_attr *attr);
int hwqnic_destroy_qp(struct hwqnic_qp *qp);
int hwqnic_post_send(struct hwqnic_qp *qp, struct hwqnic_send_wr *wr,
		     struct hwqnic_send_wr **bad_wr);
int hwqnic_post_recv(struct hwqnic_qp *qp, struct hwqnic_recv_wr *wr,
		     struct hwqnic_recv_wr **bad_wr);
int hwqnic_query_qp_counters(struct hwqnic_qp *qp,
			     struct hwqnic_qp_counters *counters);
/* The QP's share of the wire counters: zero on a device bound to no netdev */
int hwqnic_query_qp_wire_counters(struct hwqnic_qp *qp,
				  struct hwqnic_qp_wire_counters *counters);
/* The device's wire counters (port 1): zero when bound to no netdev */
int hwqnic_query_port_counters(struct hwqnic_context *ctx, __u8 port,
			       struct hwqnic_wire_counters *counters);

/*
 * Names for messages, as ibv_wc_status_str() gives them: the enum's
 * spelling without its prefix ("LOC_LEN_ERR", "RTS", "RC"); completion
 * opcodes as the tools spell them ("send", "write", "read", "cas", "fadd",
 * "recv", "recv_imm"). "?" for a value outside the enum. Never NULL.
 */
const char *hwqnic_wc_status_str(enum hwqnic_wc_status status);
const char *hwqnic_qp_state_str(enum hwqnic_qp_state state);
const char *hwqnic_qp_type_str(enum hwqnic_qp_type type);
const char *hwqnic_wc_opcode_str(enum hwqnic_wc_opcode opcode);
/* "icrc", "qkey": lower case, as nictop's JSON keys */
const char *hwqnic_drop_str(enum hwqnic_drop why);
#endif /* !__KERNEL__ */

#ifdef __cplusplus
}
#endif

#endif /* _HWQNIC_VERBS_H */
