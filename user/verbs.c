// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libhwqnic verbs: argument checks, then the context's backend (objects)
 * or the core (posting, polling). Every check comes before the first
 * change, so a call that fails changes nothing. A context inherited
 * across fork() is refused by every verb (EPERM).
 */
#include <stdlib.h>
#include <unistd.h>

#include "libhwqnic.h"

#define DEV(ctx)	(&(ctx)->dev)

struct hwqnic_pd *hwqnic_alloc_pd(struct hwqnic_context *ctx)
{
	struct upd *pd;
	int rc;

	if (!ctx)
		return uerr_ptr(EINVAL);
	if (uctx_forked(ctx))
		return uerr_ptr(EPERM);
	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return uerr_ptr(ENOMEM);
	rc = ctx->be->alloc_pd(ctx, pd);
	if (rc) {
		free(pd);
		return uerr_ptr(-rc);
	}
	pd->pub.context = ctx;
	pd->pub.handle = pd->core.pdn;
	hwqnic_obj_add(ctx, &pd->obj, UOBJ_PD);
	return &pd->pub;
}

int hwqnic_dealloc_pd(struct hwqnic_pd *pub)
{
	struct upd *pd;
	int rc;

	if (!pub)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	pd = container_of(pub, struct upd, pub);
	rc = pub->context->be->dealloc_pd(pub->context, pd);
	if (rc)
		return uerr(-rc);
	hwqnic_obj_del(pub->context, &pd->obj);
	free(pd);
	return 0;
}

/* The embedded backend checks the memory; the kernel one pins it. */
struct hwqnic_mr *hwqnic_reg_mr(struct hwqnic_pd *pub, void *addr,
				size_t length, unsigned int access)
{
	struct upd *pd;
	struct umr *mr;
	int rc;

	if (!pub || !addr || !length || !hwqnic_mr_access_ok(access) ||
	    (uintptr_t)addr + length < (uintptr_t)addr)
		return uerr_ptr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr_ptr(EPERM);
	if (hwqnic_mr_npages(addr, length) > HWQNIC_PBL_MAX_PAGES)
		return uerr_ptr(EINVAL);
	pd = container_of(pub, struct upd, pub);
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return uerr_ptr(ENOMEM);
	rc = pub->context->be->reg_mr(pub->context, pd, mr, addr, length,
				      access);
	if (rc) {
		free(mr);
		return uerr_ptr(-rc);
	}
	mr->pub = (struct hwqnic_mr) {
		.context = pub->context,
		.pd = pub,
		.addr = addr,
		.length = length,
		.lkey = mr->core.key,
		.rkey = mr->core.key,
		.access = access,
	};
	hwqnic_obj_add(pub->context, &mr->obj, UOBJ_MR);
	return &mr->pub;
}

int hwqnic_dereg_mr(struct hwqnic_mr *pub)
{
	struct umr *mr;
	int rc;

	if (!pub)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	mr = container_of(pub, struct umr, pub);
	rc = pub->context->be->dereg_mr(pub->context, mr);
	if (rc)
		return uerr(-rc);
	hwqnic_obj_del(pub->context, &mr->obj);
	free(mr);
	return 0;
}

struct hwqnic_comp_channel *
hwqnic_create_comp_channel(struct hwqnic_context *ctx)
{
	struct uchannel *ch;
	int rc;

	if (!ctx)
		return uerr_ptr(EINVAL);
	if (uctx_forked(ctx))
		return uerr_ptr(EPERM);
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return uerr_ptr(ENOMEM);
	rc = ctx->be->create_channel(ctx, ch);
	if (rc) {
		free(ch);
		return uerr_ptr(-rc);
	}
	ch->pub.context = ctx;
	hwqnic_obj_add(ctx, &ch->obj, UOBJ_CHANNEL);
	return &ch->pub;
}

int hwqnic_destroy_comp_channel(struct hwqnic_comp_channel *pub)
{
	struct uchannel *ch;
	int busy;

	if (!pub)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	ch = container_of(pub, struct uchannel, pub);
	hwqnic_lock(&DEV(pub->context)->lock);
	busy = ch->users;
	hwqnic_unlock(&DEV(pub->context)->lock);
	if (busy)
		return uerr(EBUSY);
	hwqnic_obj_del(pub->context, &ch->obj);
	close(ch->pub.fd);
	if (ch->wfd >= 0)
		close(ch->wfd);
	free(ch);
	return 0;
}

struct hwqnic_cq *hwqnic_create_cq(struct hwqnic_context *ctx, int cqe,
				   void *cq_context,
				   struct hwqnic_comp_channel *channel)
{
	struct ucq *cq;
	int rc;

	if (!ctx || cqe < 1 || (u32)cqe > HWQNIC_MAX_CQE ||
	    (channel && channel->context != ctx))
		return uerr_ptr(EINVAL);
	if (uctx_forked(ctx))
		return uerr_ptr(EPERM);
	cq = uzalloc(sizeof(*cq));
	if (!cq)
		return uerr_ptr(ENOMEM);
	cq->pub = (struct hwqnic_cq) {
		.context = ctx,
		.channel = channel,
		.cq_context = cq_context,
		.cqe = cqe,
	};
	rc = ctx->be->create_cq(ctx, cq, cqe);
	if (rc) {
		free(cq);
		return uerr_ptr(-rc);
	}
	cq->pub.handle = cq->core.handle;
	if (channel) {
		hwqnic_lock(&DEV(ctx)->lock);
		container_of(channel, struct uchannel, pub)->users++;
		hwqnic_unlock(&DEV(ctx)->lock);
	}
	hwqnic_obj_add(ctx, &cq->obj, UOBJ_CQ);
	return &cq->pub;
}

int hwqnic_destroy_cq(struct hwqnic_cq *pub)
{
	struct hwqnic_dev *dev;
	struct ucq *cq;
	int rc;

	if (!pub)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	cq = container_of(pub, struct ucq, pub);
	dev = DEV(pub->context);
	rc = pub->context->be->destroy_cq(pub->context, cq);
	if (rc)
		return uerr(-rc);
	if (pub->channel) {
		hwqnic_lock(&dev->lock);
		container_of(pub->channel, struct uchannel, pub)->users--;
		hwqnic_unlock(&dev->lock);
	}
	hwqnic_obj_del(pub->context, &cq->obj);
	free(cq);
	return 0;
}

/*
 * The flags' cases, off the fast path: an inherited context, or an engine
 * on this CPU, which an empty poll hands the CPU to. Out of line, so the
 * fast path keeps its tail call and saves no register.
 */
static __attribute__((noinline, cold))
int poll_flagged(struct hwqnic_context *ctx, struct ucq *cq, int num_entries,
		 struct hwqnic_wc *wc)
{
	int n;

	if (uctx_forked(ctx))
		return -EPERM;
	n = hwqnic_cq_poll(DEV(ctx), &cq->core, num_entries, wc);
	if (n || !num_entries)
		return n;
	if (ctx->be->engine_poll && ctx->be->engine_poll(ctx))
		return hwqnic_cq_poll(DEV(ctx), &cq->core, num_entries, wc);
	sched_yield();
	return 0;
}

int hwqnic_poll_cq(struct hwqnic_cq *pub, int num_entries,
		   struct hwqnic_wc *wc)
{
	struct hwqnic_context *ctx;
	struct ucq *cq;

	if (!pub || num_entries < 0 || (num_entries && !wc))
		return -EINVAL;
	ctx = pub->context;
	cq = container_of(pub, struct ucq, pub);
	if (unlikely(ctx->flags))
		return poll_flagged(ctx, cq, num_entries, wc);
	return hwqnic_cq_poll(DEV(ctx), &cq->core, num_entries, wc);
}

int hwqnic_req_notify_cq(struct hwqnic_cq *pub, int solicited_only)
{
	if (!pub)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	hwqnic_cq_arm(DEV(pub->context), &container_of(pub, struct ucq, pub)->core,
		      solicited_only);
	return 0;
}

/* The next CQ event: blocks unless channel->fd was made non-blocking. */
int hwqnic_get_cq_event(struct hwqnic_comp_channel *channel,
			struct hwqnic_cq **cq, void **cq_context)
{
	struct hwqnic_core_cq *core;
	struct hwqnic_dev *dev;
	u32 token;
	ssize_t n;

	if (!channel || !cq || !cq_context)
		return uerr(EINVAL);
	if (uctx_forked(channel->context))
		return uerr(EPERM);
	dev = DEV(channel->context);
	for (;;) {
		n = read(channel->fd, &token, sizeof(token));
		if (n != sizeof(token))
			return uerr(n < 0 ? errno : EIO);
		hwqnic_lock(&dev->lock);
		core = ucq_by_token(dev, token);
		hwqnic_unlock(&dev->lock);
		if (core) {
			*cq = &container_of(core, struct ucq, core)->pub;
			*cq_context = (*cq)->cq_context;
			return 0;
		}
	}
}

static bool qp_caps_ok(struct hwqnic_context *ctx,
		       const struct hwqnic_qp_init_attr *a)
{
	(void)ctx;
	return a->send_cq && a->recv_cq && a->send_cq->context == ctx &&
	       a->recv_cq->context == ctx &&
	       (a->qp_type == HWQNIC_QPT_RC || a->qp_type == HWQNIC_QPT_UD) &&
	       a->cap.max_send_wr >= 1 &&
	       a->cap.max_send_wr <= HWQNIC_MAX_QP_WR &&
	       a->cap.max_recv_wr <= HWQNIC_MAX_QP_WR &&
	       a->cap.max_send_sge <= HWQNIC_MAX_SGE &&
	       a->cap.max_recv_sge <= HWQNIC_MAX_SGE &&
	       a->cap.max_inline_data <= HWQNIC_MAX_INLINE;
}

struct hwqnic_qp *hwqnic_create_qp(struct hwqnic_pd *pd,
				   struct hwqnic_qp_init_attr *attr)
{
	struct hwqnic_context *ctx;
	struct hwqnic_qp_init_attr a;
	struct hwqnic_stats_qp *e;
	struct uqp *qp;
	int rc;

	if (!pd || !attr || !qp_caps_ok(pd->context, attr))
		return uerr_ptr(EINVAL);
	ctx = pd->context;
	if (uctx_forked(ctx))
		return uerr_ptr(EPERM);
	qp = uzalloc(sizeof(*qp));
	if (!qp)
		return uerr_ptr(ENOMEM);
	a = *attr;
	rc = -ctx->be->create_qp(ctx, qp, container_of(pd, struct upd, pub),
				 &a);
	if (rc) {
		free(qp);
		return uerr_ptr(rc);
	}
	attr->cap = a.cap;
	qp->pub = (struct hwqnic_qp) {
		.context = ctx,
		.qp_context = attr->qp_context,
		.pd = pd,
		.send_cq = attr->send_cq,
		.recv_cq = attr->recv_cq,
		.qp_num = qp->core.qpn,
		.state = HWQNIC_QPS_RESET,
		.qp_type = attr->qp_type,
	};
	e = hwqnic_stats_entry(ctx, qp->core.qpn);
	e->qp_type = attr->qp_type;
	e->state = HWQNIC_QPS_RESET;
	e->send_cq = attr->send_cq->handle;
	e->recv_cq = attr->recv_cq->handle;
	smp_store_release(&e->qpn, qp->core.qpn);
	hwqnic_obj_add(ctx, &qp->obj, UOBJ_QP);
	return &qp->pub;
}

int hwqnic_modify_qp(struct hwqnic_qp *pub, struct hwqnic_qp_attr *attr,
		     int attr_mask)
{
	struct uqp *qp;
	int rc;

	if (!pub || !attr)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	qp = container_of(pub, struct uqp, pub);
	rc = -pub->context->be->modify_qp(pub->context, qp, attr, attr_mask);
	if (rc)
		return uerr(rc);
	pub->state = qp->core.host_state;
	hwqnic_stats_entry(pub->context, pub->qp_num)->state = pub->state;
	return 0;
}

int hwqnic_query_qp(struct hwqnic_qp *pub, struct hwqnic_qp_attr *attr)
{
	int rc;

	if (!pub || !attr)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	rc = -pub->context->be->query_qp(pub->context,
					 container_of(pub, struct uqp, pub),
					 attr);
	return rc ? uerr(rc) : 0;
}

int hwqnic_destroy_qp(struct hwqnic_qp *pub)
{
	struct hwqnic_stats_qp *e;
	struct uqp *qp;
	int rc;

	if (!pub)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	qp = container_of(pub, struct uqp, pub);
	e = hwqnic_stats_entry(pub->context, pub->qp_num);
	rc = -pub->context->be->destroy_qp(pub->context, qp);
	if (rc)
		return uerr(rc);
	WRITE_ONCE(e->qpn, 0);
	hwqnic_obj_del(pub->context, &qp->obj);
	free(qp);
	return 0;
}

int hwqnic_post_send(struct hwqnic_qp *pub, struct hwqnic_send_wr *wr,
		     struct hwqnic_send_wr **bad_wr)
{
	const struct hwqnic_send_wr *bad = NULL;
	int rc;

	if (!pub || !wr || !bad_wr) {
		if (bad_wr)
			*bad_wr = wr;
		return uerr(EINVAL);
	}
	if (uctx_forked(pub->context)) {
		*bad_wr = wr;
		return uerr(EPERM);
	}
	rc = -hwqnic_qp_post_send(DEV(pub->context),
				  &container_of(pub, struct uqp, pub)->core,
				  wr, &bad);
	if (rc) {
		*bad_wr = (struct hwqnic_send_wr *)bad;
		return uerr(rc);
	}
	return 0;
}

int hwqnic_post_recv(struct hwqnic_qp *pub, struct hwqnic_recv_wr *wr,
		     struct hwqnic_recv_wr **bad_wr)
{
	const struct hwqnic_recv_wr *bad = NULL;
	int rc;

	if (!pub || !wr || !bad_wr) {
		if (bad_wr)
			*bad_wr = wr;
		return uerr(EINVAL);
	}
	if (uctx_forked(pub->context)) {
		*bad_wr = wr;
		return uerr(EPERM);
	}
	rc = -hwqnic_qp_post_recv(DEV(pub->context),
				  &container_of(pub, struct uqp, pub)->core,
				  wr, &bad);
	if (rc) {
		*bad_wr = (struct hwqnic_recv_wr *)bad;
		return uerr(rc);
	}
	return 0;
}

int hwqnic_query_qp_counters(struct hwqnic_qp *pub,
			     struct hwqnic_qp_counters *counters)
{
	if (!pub || !counters)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	hwqnic_qp_counters_read(&container_of(pub, struct uqp, pub)->core,
				counters);
	return 0;
}
