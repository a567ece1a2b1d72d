/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The verbs tests' rig (selftests/lib/pair.c): a device with one PD on the
 * running pass's backend, registered buffers, endpoints (a QP with its
 * CQs), and connected pairs of them in loopback. Every function reports
 * what failed with diag() and returns 0 or an errno value.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_PAIR_H
#define _HWQNIC_SELFTESTS_LIB_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hwqnic/verbs.h>

#define U_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define U_MIN(a, b)	((a) < (b) ? (a) : (b))
#define U_MAX(a, b)	((a) > (b) ? (a) : (b))

#define U_RC_ACCESS	(HWQNIC_ACCESS_LOCAL_WRITE | \
			 HWQNIC_ACCESS_REMOTE_WRITE | \
			 HWQNIC_ACCESS_REMOTE_READ | \
			 HWQNIC_ACCESS_REMOTE_ATOMIC)
#define U_QKEY		0x11111111U

struct u_dev {
	struct hwqnic_context *ctx;
	struct hwqnic_pd *pd;
	struct hwqnic_device_attr attr;
	struct hwqnic_port_attr port;
};

/* Opens a device of the running pass's backend with one PD. */
int u_dev_open(struct u_dev *d);
int u_dev_close(struct u_dev *d);

struct u_buf {
	uint8_t *p;
	size_t len;
	struct hwqnic_mr *mr;
};

/*
 * Page-aligned zeroed memory of len bytes, registered in pd with access
 * when pd is not NULL.
 */
int u_buf_alloc(struct u_buf *b, struct hwqnic_pd *pd, size_t len,
		unsigned int access);
void u_buf_free(struct u_buf *b);

static inline struct hwqnic_sge u_sge(const struct u_buf *b, size_t off,
				      uint32_t len)
{
	struct hwqnic_sge s = {
		.addr = (uintptr_t)(b->p + off),
		.length = len,
		.lkey = b->mr ? b->mr->lkey : 0,
	};

	return s;
}

static inline uint64_t u_addr(const struct u_buf *b, size_t off)
{
	return (uintptr_t)(b->p + off);
}

struct u_qp_cfg {
	enum hwqnic_qp_type type;
	__u32 max_send_wr;
	__u32 max_recv_wr;
	__u32 max_send_sge;
	__u32 max_recv_sge;
	__u32 max_inline;
	int sq_sig_all;
	int cqe;		/* each CQ; 0: max_send_wr + max_recv_wr */
	__u32 access;		/* RC, UC: qp_access_flags */
	__u8 min_rnr_timer;	/* RC, IB encoding */
	__u8 rnr_retry;		/* RC, 7: forever */
	__u8 rd_atomic;		/* RC: max_rd_atomic, max_dest_rd_atomic */
	__u32 qkey;		/* UD */
};

/* RC, 64 WRs each way, one SGE, all access, rnr_retry forever. */
void u_qp_cfg_default(struct u_qp_cfg *c);

/* One QP with a send CQ and a receive CQ, its own unless given. */
struct u_ep {
	struct hwqnic_cq *scq, *rcq;
	struct hwqnic_qp *qp;
	struct hwqnic_qp_cap cap;	/* as granted */
	struct u_qp_cfg cfg;
	bool own_scq, own_rcq;
};

/* Creates the QP, in RESET, with scq and rcq, or CQs of its own where NULL. */
int u_ep_create_with(struct u_ep *e, struct hwqnic_pd *pd,
		     const struct u_qp_cfg *c, struct hwqnic_cq *scq,
		     struct hwqnic_cq *rcq);
int u_ep_create(struct u_ep *e, struct hwqnic_pd *pd, const struct u_qp_cfg *c);
int u_ep_destroy(struct u_ep *e);

/* The QP state walk, one modify_qp each (hwqnic_modify_qp()'s result). */
int u_rc_to_init(struct hwqnic_qp *qp, __u32 access);
int u_rc_to_rtr(struct hwqnic_qp *qp, __u32 dest_qpn, __u8 min_rnr_timer,
		__u8 rd_atomic);
int u_rc_to_rts(struct hwqnic_qp *qp, __u8 rnr_retry, __u8 rd_atomic);
/* To RTR with an address vector (HWQNIC_QP_AV), at path MTU mtu. */
int u_rc_to_rtr_av(struct hwqnic_qp *qp, __u32 dest_qpn,
		   enum hwqnic_mtu mtu, __u8 min_rnr_timer, __u8 rd_atomic,
		   const struct hwqnic_ah_attr *av);
/*
 * The AV of a GRH from sgid, one of ctx's GIDs (its index found in the
 * GID table), to dgid, port 1; -1 when ctx has no such GID.
 */
int u_av_to(struct hwqnic_context *ctx, const uint8_t sgid[16],
	    const uint8_t dgid[16], struct hwqnic_ah_attr *av);
/* RESET to RTS, the three steps. */
int u_ud_to_rts(struct hwqnic_qp *qp, __u32 qkey);
/* Connects two RESET RC QPs of one device to each other, up to RTS. */
int u_rc_connect(struct u_ep *a, struct u_ep *b);
/* The same for two UC QPs: access, the path MTU and PSNs 0 only. */
int u_uc_connect(struct u_ep *a, struct u_ep *b);

/* a is the requester, b the responder, by convention. */
struct u_pair {
	struct u_ep a, b;
};

/* Two endpoints (a in pd_a with ca, b in pd_b with cb), connected, in RTS. */
int u_pair_create2(struct u_pair *p, struct hwqnic_pd *pd_a,
		   const struct u_qp_cfg *ca, struct hwqnic_pd *pd_b,
		   const struct u_qp_cfg *cb);
int u_pair_create(struct u_pair *p, struct hwqnic_pd *pd,
		  const struct u_qp_cfg *c);
int u_pair_destroy(struct u_pair *p);

/* The QP's state as hwqnic_query_qp() reports it, or -1. */
int u_qp_state(struct hwqnic_qp *qp);

#endif /* _HWQNIC_SELFTESTS_LIB_PAIR_H */
