/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Queue pairs: an SQ and an RQ, each a HWQ. The host side posts WQEs and
 * rings doorbells; the NIC side (struct hwqnic_qp_nic) is what the engine
 * knows and owns, changed only under dev->lock.
 */
#ifndef _HWQNIC_QP_H
#define _HWQNIC_QP_H

#include <hwqnic/verbs.h>
#include "cq.h"

#define HWQNIC_RNR_RETRY_FOREVER	7

struct hwqnic_wire_qp;

struct hwqnic_qp_nic {
	u8 state;			/* enum hwqnic_qp_state */
	u8 rnr_retry;
	u8 min_rnr_timer;
	u8 rnr_count;			/* RNR NAKs for the WQE at sq_cons */
	bool active;			/* on dev->active */
	/* the WQE at sq_cons, fetched, waits for a frame of the port */
	bool tx_wait;
	u8 path_mtu;			/* enum hwqnic_mtu */
	u8 timeout;			/* retransmit: 4.096 us << timeout */
	u8 retry_cnt;
	u32 access;			/* remote rights granted */
	u32 dest_qpn;
	u32 qkey;
	u64 rnr_until;			/* no retry before this time (ns) */
	struct hwqnic_hwq_ctx sq;
	/* its transport (xport.h), or NULL: the peer is of this device */
	struct hwqnic_wire_qp *wire;
	struct hwqnic_hwq_ctx rq;
	struct hwqnic_hwq_idx sq_cons, sq_prod;	/* prod: last doorbell */
	struct hwqnic_hwq_idx rq_cons, rq_prod;
	/*
	 * Doorbells with HWQNIC_DB_STAMP only: when the last two of each
	 * queue were accepted, and where the older one's WQEs end (eng_db_ns).
	 */
	u64 sq_db_ns, sq_db_prev_ns, rq_db_ns, rq_db_prev_ns;
	struct hwqnic_hwq_idx sq_db_prev_end, rq_db_prev_end;
	u32 sq_psn, rq_psn;		/* as set: where the wire starts */
	u8 max_rd_atomic, max_dest_rd_atomic;
};

/*
 * Sampling (docs/tracepoints.md, "Sampling"): while the complete event is
 * traced, a countdown per queue marks one work request in `period` on
 * average, at geometric intervals so that it never keeps step with a
 * periodic workload; only marked ones are timed and fire the event. Host
 * side, under the queue's lock; the period is read at each draw only.
 */
struct hwqnic_sample {
	u32 left;			/* WRs counted before the next mark */
	u32 period;			/* read at the last draw; 0: none yet */
	u64 rng;			/* xorshift64 state, never 0 */
};

/*
 * The next interval: 1 for a period of 0 or 1, else geometric with mean
 * `period` (integer arithmetic only: hwqnic.ko draws too).
 */
u32 hwqnic_sample_draw(u64 *rng, u32 period);

struct hwqnic_core_qp {
	u32 qpn;
	u8 type;			/* enum hwqnic_qp_type */
	bool sig_all;
	struct hwqnic_core_pd *pd;
	struct hwqnic_core_cq *scq, *rcq;
	struct hwqnic_qp_cap cap;	/* granted */
	struct hwqnic_qp_counters *cnt;
	struct hwqnic_qp_wire_counters *wcnt;	/* on a port, or NULL */
	u32 sq_slot, rq_slot;		/* doorbell slots */
	/* host side, on lines the engine never reads */
	u8 host_state ____cacheline_aligned;	/* what posting sees */
	hwqnic_lock_t sq_lock, rq_lock;
	struct hwqnic_hwq sq, rq;	/* prod: poster; cons: CQ poller */
	u32 sq_posted, rq_posted;	/* running counts, poster's */
	u32 sq_done, rq_done;		/* running counts, poller's */
	/* a plain CQ's sampled WRs: posted (poster's), polled (poller's) */
	u32 sq_marked, rq_marked;
	u32 sq_marked_done, rq_marked_done;
	/*
	 * Post times per slot, for a queue created with a timestamped CQ or
	 * while the complete event was traced, or since its first sampled
	 * WR (set once, by the poster: qp_record(); a poller reads it with
	 * READ_ONCE()); else NULL. Such a queue's doorbells ask the engine
	 * for a stamp (HWQNIC_DB_STAMP) while its WRs want times
	 * (qp_db_stamp()).
	 */
	u64 *sq_post_ns, *rq_post_ns;
	/*
	 * Per slot, after post_ns: whether its WR was sampled (a queue of a
	 * timestamped CQ only: elsewhere the CQE says, hwqnic_qp_sampled())
	 */
	u8 *sq_mark, *rq_mark;
	struct hwqnic_sample sq_smp, rq_smp;
	struct hwqnic_qp_nic nic ____cacheline_aligned;
};

/*
 * Whether the completion of WR idx of the SQ (or RQ), whose CQE on cq
 * carries `flags`, was sampled, to fire `complete` (while traced). On a
 * CQ without timestamps a sampled WR's CQE says that its slot holds its
 * times (HWQNIC_CQE_F_WQE_TIMES), so that a WR not sampled costs the host
 * no record there; on a timestamped CQ, where every WR has times, the
 * queue's marks say. Otherwise (a queue with no record of its slots,
 * made untraced on a CQ without timestamps): in exact mode only.
 */
static inline bool hwqnic_qp_sampled(const struct hwqnic_core_qp *qp,
				     const struct hwqnic_core_cq *cq,
				     bool recv, u32 idx, u8 flags)
{
	const u8 *mark = recv ? qp->rq_mark : qp->sq_mark;
	u32 depth = recv ? qp->rq.depth : qp->sq.depth;

	if (flags & HWQNIC_CQE_F_WQE_TIMES)
		return true;
	if (mark && hwqnic_cq_ts(cq))
		return idx < depth && READ_ONCE(mark[idx]);
	return READ_ONCE((recv ? &qp->rq_smp : &qp->sq_smp)->period) <= 1;
}

/* What hwqnic.ko granted a process for a QP it created. */
struct hwqnic_qp_grant {
	u32 qpn;
	u32 sq_slot, rq_slot;
	struct hwqnic_qp_cap cap;
};

int hwqnic_qp_attach(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     const struct hwqnic_qp_init_attr *attr,
		     struct hwqnic_core_cq *scq, struct hwqnic_core_cq *rcq,
		     const struct hwqnic_qp_grant *g,
		     const struct hwqnic_hwq *sq, const struct hwqnic_hwq *rq);
void hwqnic_qp_detach(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
void hwqnic_qp_host_reset(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
void hwqnic_qp_host_state(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			  u8 state);
bool hwqnic_qp_host_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
void hwqnic_qp_clean_cqs(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);

int hwqnic_qp_create(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     struct hwqnic_core_pd *pd, struct hwqnic_core_cq *scq,
		     struct hwqnic_core_cq *rcq,
		     struct hwqnic_qp_init_attr *attr);
void hwqnic_qp_destroy(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
/*
 * Why the state machine refuses a modify: the first rule the call breaks,
 * for the library's messages (HWQNIC_DEBUG); hwqnic_qp_modify() decides
 * with the same check.
 */
enum hwqnic_qp_why_code {
	HWQNIC_QPW_OK,
	HWQNIC_QPW_STATE,	/* next (or cur) is no state */
	/* cur -> next is none; attrs: the states cur goes to, by bit */
	HWQNIC_QPW_TRANSITION,
	HWQNIC_QPW_MISSING,	/* attrs: required, not in the mask */
	HWQNIC_QPW_EXTRA,	/* attrs: neither required nor optional */
	HWQNIC_QPW_CUR_STATE,	/* value: cur_qp_state, which is not cur */
	HWQNIC_QPW_VALUE,	/* attrs: the attribute; value outside lo..hi */
};

struct hwqnic_qp_why {
	u32 code;		/* enum hwqnic_qp_why_code */
	u32 cur, next;		/* the states */
	u32 attrs;
	u32 value, lo, hi;
};

/* 0 or -EINVAL, and *why says which rule (cur: the NIC's state). */
int hwqnic_qp_modify_check(u8 type, u32 cur, const struct hwqnic_qp_attr *attr,
			   int mask, struct hwqnic_qp_why *why);
int hwqnic_qp_modify(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     const struct hwqnic_qp_attr *attr, int mask);
void hwqnic_qp_query(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		     struct hwqnic_qp_attr *attr);
/* Why hwqnic_qp_post_send() refuses wr, or NULL (messages only). */
const char *hwqnic_qp_send_wr_why(const struct hwqnic_core_qp *qp,
				  const struct hwqnic_send_wr *wr);
int hwqnic_qp_post_send(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			const struct hwqnic_send_wr *wr,
			const struct hwqnic_send_wr **bad_wr);
int hwqnic_qp_post_recv(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
			const struct hwqnic_recv_wr *wr,
			const struct hwqnic_recv_wr **bad_wr);

static inline struct hwqnic_core_qp *hwqnic_qp_lookup(struct hwqnic_dev *dev,
						      u32 qpn)
{
	u32 i = qpn - HWQNIC_FIRST_QPN;

	return i < HWQNIC_MAX_QP ? READ_ONCE(dev->qp[i]) : NULL;
}

/* Engine: put a QP on the list of those with work; dev->lock held. */
static inline void hwqnic_qp_activate(struct hwqnic_dev *dev,
				      struct hwqnic_core_qp *qp)
{
	if (!qp->nic.active) {
		qp->nic.active = true;
		dev->active[dev->nactive++] = qp;
	}
}

void hwqnic_qp_counters_read(const struct hwqnic_core_qp *qp,
			     struct hwqnic_qp_counters *out);
/* struct hwqnic_qp_attr to and from the ioctl ABI's fixed-size form. */
static inline void hwqnic_qp_attr_to_ioc(const struct hwqnic_qp_attr *a,
					 struct hwqnic_ioc_qp_attr *o)
{
	o->qp_state = a->qp_state;
	o->cur_qp_state = a->cur_qp_state;
	o->path_mtu = a->path_mtu;
	o->qp_access_flags = a->qp_access_flags;
	o->qkey = a->qkey;
	o->rq_psn = a->rq_psn;
	o->sq_psn = a->sq_psn;
	o->dest_qp_num = a->dest_qp_num;
	o->pkey_index = a->pkey_index;
	o->port_num = a->port_num;
	o->timeout = a->timeout;
	o->retry_cnt = a->retry_cnt;
	o->rnr_retry = a->rnr_retry;
	o->min_rnr_timer = a->min_rnr_timer;
	o->max_rd_atomic = a->max_rd_atomic;
	o->max_dest_rd_atomic = a->max_dest_rd_atomic;
}

static inline void hwqnic_qp_attr_from_ioc(const struct hwqnic_ioc_qp_attr *o,
					   struct hwqnic_qp_attr *a)
{
	*a = (struct hwqnic_qp_attr) {
		.qp_state = o->qp_state,
		.cur_qp_state = o->cur_qp_state,
		.path_mtu = o->path_mtu,
		.qp_access_flags = o->qp_access_flags,
		.qkey = o->qkey,
		.rq_psn = o->rq_psn,
		.sq_psn = o->sq_psn,
		.dest_qp_num = o->dest_qp_num,
		.pkey_index = o->pkey_index,
		.port_num = o->port_num,
		.timeout = o->timeout,
		.retry_cnt = o->retry_cnt,
		.rnr_retry = o->rnr_retry,
		.min_rnr_timer = o->min_rnr_timer,
		.max_rd_atomic = o->max_rd_atomic,
		.max_dest_rd_atomic = o->max_dest_rd_atomic,
	};
}

void hwqnic_qp_deactivate(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);

#endif /* _HWQNIC_QP_H */
