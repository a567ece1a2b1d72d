// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The /dev/hwqnic0 ioctl structures: checks, conversions, replies (ioc.h). */
#include "ioc.h"
#include "mr.h"

int hwqnic_ioc_open_check(const struct hwqnic_ioc_open *o, u64 stats_size,
			  u64 page_size)
{
	if (o->abi_version != HWQNIC_ABI_VERSION)
		return -EPROTO;
	if (o->stats_addr &&
	    (o->stats_len != stats_size || (o->stats_addr & (page_size - 1)) ||
	     o->stats_addr + stats_size < o->stats_addr))
		return -EINVAL;
	return 0;
}

int hwqnic_ioc_mr_check(const struct hwqnic_ioc_mr *m, u8 pg_shift,
			u64 *first, u32 *npages)
{
	u64 n;

	if (m->rsvd || m->key || !m->length || m->addr + m->length < m->addr ||
	    !hwqnic_mr_access_ok(m->access))
		return -EINVAL;
	n = ((m->addr + m->length - 1) >> pg_shift) - (m->addr >> pg_shift) + 1;
	if (n > HWQNIC_PBL_MAX_PAGES)
		return -EINVAL;
	*first = m->addr >> pg_shift;
	*npages = n;
	return 0;
}

int hwqnic_ioc_cq_check(const struct hwqnic_ioc_cq *c)
{
	if (!c->cqe || c->cqe > HWQNIC_MAX_CQE || c->channel_fd < -1 ||
	    (c->flags & ~HWQNIC_CQ_F_ALL) || c->rsvd)
		return -EINVAL;
	return 0;
}

/* The caps' limits are hwqnic_qp_create()'s to check, once. */
int hwqnic_ioc_qp_init(const struct hwqnic_ioc_qp *q,
		       struct hwqnic_qp_init_attr *ia)
{
	if (q->rsvd || q->sq_sig_all > 1 ||
	    (q->qp_type != HWQNIC_QPT_RC && q->qp_type != HWQNIC_QPT_UC &&
	     q->qp_type != HWQNIC_QPT_UD))
		return -EINVAL;
	*ia = (struct hwqnic_qp_init_attr) {
		.qp_type = q->qp_type,
		.sq_sig_all = q->sq_sig_all,
		.cap = {
			.max_send_wr = q->max_send_wr,
			.max_recv_wr = q->max_recv_wr,
			.max_send_sge = q->max_send_sge,
			.max_recv_sge = q->max_recv_sge,
			.max_inline_data = q->max_inline_data,
		},
	};
	return 0;
}

/* Which bits and values the state machine takes is hwqnic_qp_modify()'s. */
int hwqnic_ioc_qp_attr(const struct hwqnic_ioc_qp_attr *a,
		       struct hwqnic_qp_attr *attr, int *mask)
{
	u32 i;

	for (i = 0; i < sizeof(a->rsvd); i++)
		if (a->rsvd[i])
			return -EINVAL;
	if (a->attr_mask > 0x7fffffff)
		return -EINVAL;
	hwqnic_qp_attr_from_ioc(a, attr);
	*mask = a->attr_mask;
	return 0;
}

void hwqnic_ioc_queue_reply(struct hwqnic_ioc_queue *q,
			    const struct hwqnic_hwq *h, u32 slot, u64 off)
{
	*q = (struct hwqnic_ioc_queue) {
		.depth = h->depth,
		.npages = h->pbl.ctx.npages,
		.pg_shift = h->pbl.ctx.pg_shift,
		.stride_shift = h->stride_shift,
		.slot = slot,
		.mmap_off = off,
		.mmap_len = (u64)h->pbl.ctx.npages << h->pbl.ctx.pg_shift,
	};
}

void hwqnic_ioc_cq_reply(struct hwqnic_ioc_cq *c,
			 const struct hwqnic_core_cq *cq, u64 off)
{
	c->handle = cq->handle;
	c->arm_slot = cq->arm_slot;
	hwqnic_ioc_queue_reply(&c->q, &cq->hwq, cq->db_slot, off);
}

void hwqnic_ioc_qp_reply(struct hwqnic_ioc_qp *q,
			 const struct hwqnic_core_qp *qp, u64 sq_off,
			 u64 rq_off)
{
	q->qpn = qp->qpn;
	q->max_send_wr = qp->cap.max_send_wr;
	q->max_recv_wr = qp->cap.max_recv_wr;
	q->max_send_sge = qp->cap.max_send_sge;
	q->max_recv_sge = qp->cap.max_recv_sge;
	q->max_inline_data = qp->cap.max_inline_data;
	hwqnic_ioc_queue_reply(&q->sq, &qp->sq, qp->sq_slot, sq_off);
	hwqnic_ioc_queue_reply(&q->rq, &qp->rq, qp->rq_slot, rq_off);
}

void hwqnic_ioc_qp_attr_reply(struct hwqnic_ioc_qp_attr *a, u32 qpn,
			      const struct hwqnic_qp_attr *attr)
{
	memset(a, 0, sizeof(*a));
	a->qpn = qpn;
	hwqnic_qp_attr_to_ioc(attr, a);
}
