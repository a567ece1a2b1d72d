// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libhwqnic verbs: argument checks, then the context's backend (objects)
 * or the core (posting, polling). Every check comes before the first
 * change, so a call that fails changes nothing. A context inherited
 * across fork() is refused by every verb (EPERM).
 */
#include <stdio.h>
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
		return uerr_ptr_why(ctx, -rc, "%s", hwqnic_be_why(-rc));
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
	if (__atomic_load_n(&pd->ahs, __ATOMIC_ACQUIRE))
		return uerr_why(pub->context, EBUSY, "pd %u: AHs still use it",
				pub->handle);
	rc = pub->context->be->dealloc_pd(pub->context, pd);
	if (rc)
		return uerr_why(pub->context, -rc, "pd %u: %s", pub->handle,
				rc == -EBUSY ? "MRs or QPs still use it" :
				hwqnic_be_why(-rc));
	hwqnic_obj_del(pub->context, &pd->obj);
	free(pd);
	return 0;
}

/*
 * An AH naming another node is the core's (its handle goes in the WQE);
 * one naming this device needs nothing of the core: handle 0.
 */
struct hwqnic_ah *hwqnic_create_ah(struct hwqnic_pd *pub,
				   struct hwqnic_ah_attr *attr)
{
	struct hwqnic_context *ctx;
	struct hwqnic_path path;
	struct upd *pd;
	struct uah *ah;
	int rc;

	if (!pub || !attr)
		return uerr_ptr(EINVAL);
	ctx = pub->context;
	if (uctx_forked(ctx))
		return uerr_ptr(EPERM);
	pd = container_of(pub, struct upd, pub);
	ah = calloc(1, sizeof(*ah));
	if (!ah)
		return uerr_ptr(ENOMEM);
	rc = hwqnic_av_path(ctx, __func__, attr, 0, 0, &path, &ah->wire);
	if (!rc && ah->wire)
		rc = -hwqnic_ah_create(DEV(ctx), &ah->core, &pd->core, &path);
	if (rc) {
		free(ah);
		/* hwqnic_av_path() said why already */
		return rc == ENOSPC ? uerr_ptr_why(ctx, rc, "the device has "
						   "%u AHs", HWQNIC_MAX_AH) :
		       uerr_ptr(rc);
	}
	ah->pub.context = ctx;
	ah->pub.pd = pub;
	ah->pub.handle = ah->wire ? ah->core.handle : 0;
	__atomic_add_fetch(&pd->ahs, 1, __ATOMIC_RELEASE);
	hwqnic_obj_add(ctx, &ah->obj, UOBJ_AH);
	return &ah->pub;
}

int hwqnic_destroy_ah(struct hwqnic_ah *pub)
{
	struct uah *ah;

	if (!pub)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	ah = container_of(pub, struct uah, pub);
	if (ah->wire)
		hwqnic_ah_destroy(DEV(pub->context), &ah->core);
	__atomic_sub_fetch(&container_of(pub->pd, struct upd, pub)->ahs, 1,
			   __ATOMIC_RELEASE);
	hwqnic_obj_del(pub->context, &ah->obj);
	free(ah);
	return 0;
}

/* The embedded backend checks the memory; the kernel one pins it. */
struct hwqnic_mr *hwqnic_reg_mr(struct hwqnic_pd *pub, void *addr,
				size_t length, unsigned int access)
{
	struct upd *pd;
	struct umr *mr;
	int rc;

	if (!pub)
		return uerr_ptr(EINVAL);
	if (!addr || !length || (uintptr_t)addr + length < (uintptr_t)addr)
		return uerr_ptr_why(pub->context, EINVAL, "addr %p, length %zu: "
				    "not a range of memory", addr, length);
	if (!hwqnic_mr_access_ok(access))
		return uerr_ptr_why(pub->context, EINVAL, "access 0x%x: not "
				    "HWQNIC_ACCESS_* flags (REMOTE_WRITE and "
				    "REMOTE_ATOMIC need LOCAL_WRITE)", access);
	if (uctx_forked(pub->context))
		return uerr_ptr(EPERM);
	if (hwqnic_mr_npages(addr, length) > HWQNIC_PBL_MAX_PAGES)
		return uerr_ptr_why(pub->context, EINVAL, "length %zu: more "
				    "than %u pages", length,
				    (unsigned int)HWQNIC_PBL_MAX_PAGES);
	pd = container_of(pub, struct upd, pub);
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return uerr_ptr(ENOMEM);
	rc = pub->context->be->reg_mr(pub->context, pd, mr, addr, length,
				      access);
	if (rc) {
		free(mr);
		return uerr_ptr_why(pub->context, -rc, "[%p, +%zu): %s", addr,
				    length, rc == -EFAULT ? "not all mapped "
				    "readable, and writable where access lets "
				    "the NIC write" : hwqnic_be_why(-rc));
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
		return uerr_why(pub->context, -rc, "lkey 0x%x: %s", pub->lkey,
				hwqnic_be_why(-rc));
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
		return uerr_ptr_why(ctx, -rc, "%s", hwqnic_be_why(-rc));
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
		return uerr_why(pub->context, EBUSY, "fd %d: %d CQs still "
				"use the channel", pub->fd, busy);
	hwqnic_obj_del(pub->context, &ch->obj);
	close(ch->pub.fd);
	if (ch->wfd >= 0)
		close(ch->wfd);
	free(ch);
	return 0;
}

/* hwqnic_create_cq() and _ex(): fn names the verb in messages. */
static struct hwqnic_cq *create_cq(const char *fn, struct hwqnic_context *ctx,
				   int cqe, void *cq_context,
				   struct hwqnic_comp_channel *channel,
				   unsigned int flags)
{
	struct ucq *cq;
	int rc;

	if (!ctx)
		return uerr_ptr(EINVAL);
	if (flags & ~HWQNIC_CQ_F_ALL)
		return uerr_ptr_why_in(fn, ctx, EINVAL, "flags 0x%x: bits outside "
				    "HWQNIC_CQ_F_*", flags);
	if (cqe < 1 || (u32)cqe > HWQNIC_MAX_CQE)
		return uerr_ptr_why_in(fn, ctx, EINVAL, "cqe %d outside 1..%u "
				    "(max_cqe)", cqe, HWQNIC_MAX_CQE);
	if (channel && channel->context != ctx)
		return uerr_ptr_why_in(fn, ctx, EINVAL, "the channel is another "
				    "context's");
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
	rc = ctx->be->create_cq(ctx, cq, cqe, flags);
	if (rc) {
		free(cq);
		return uerr_ptr_why_in(fn, ctx, -rc, "cqe %d: %s", cqe,
				    hwqnic_be_why(-rc));
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

struct hwqnic_cq *hwqnic_create_cq(struct hwqnic_context *ctx, int cqe,
				   void *cq_context,
				   struct hwqnic_comp_channel *channel)
{
	return create_cq(__func__, ctx, cqe, cq_context, channel, 0);
}

struct hwqnic_cq *hwqnic_create_cq_ex(struct hwqnic_context *ctx, int cqe,
				      void *cq_context,
				      struct hwqnic_comp_channel *channel,
				      unsigned int flags)
{
	return create_cq(__func__, ctx, cqe, cq_context, channel, flags);
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
		return uerr_why(pub->context, -rc, "cq %u: %s", pub->handle,
				rc == -EBUSY ? "QPs still use it" :
				hwqnic_be_why(-rc));
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

int hwqnic_poll_cq_ts(struct hwqnic_cq *pub, int num_entries,
		      struct hwqnic_wc *wc, struct hwqnic_wc_ts *ts)
{
	struct hwqnic_context *ctx;
	struct ucq *cq;

	if (!pub || num_entries < 0 || (num_entries && (!wc || !ts)))
		return -EINVAL;
	ctx = pub->context;
	cq = container_of(pub, struct ucq, pub);
	if (uctx_forked(ctx))
		return -EPERM;
	return hwqnic_cq_poll_ts(DEV(ctx), &cq->core, num_entries, wc, ts);
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

#define STR_(x)	#x
#define STR(x)	STR_(x)

/* Why the QP's attributes are refused, or NULL. */
static const char *qp_caps_why(struct hwqnic_context *ctx,
			       const struct hwqnic_qp_init_attr *a)
{
	if (!a->send_cq || !a->recv_cq)
		return "send_cq and recv_cq are needed";
	if (a->send_cq->context != ctx || a->recv_cq->context != ctx)
		return "a CQ of another context";
	if (a->qp_type != HWQNIC_QPT_RC && a->qp_type != HWQNIC_QPT_UC &&
	    a->qp_type != HWQNIC_QPT_UD)
		return "qp_type is not HWQNIC_QPT_RC, _UC or _UD";
	if (a->cap.max_send_wr < 1 || a->cap.max_send_wr > HWQNIC_MAX_QP_WR)
		return "cap.max_send_wr outside 1.." STR(HWQNIC_MAX_QP_WR);
	if (a->cap.max_recv_wr > HWQNIC_MAX_QP_WR)
		return "cap.max_recv_wr above " STR(HWQNIC_MAX_QP_WR);
	if (a->cap.max_send_sge > HWQNIC_MAX_SGE ||
	    a->cap.max_recv_sge > HWQNIC_MAX_SGE)
		return "cap.max_send_sge or max_recv_sge above "
		       STR(HWQNIC_MAX_SGE);
	if (a->cap.max_inline_data > HWQNIC_MAX_INLINE)
		return "cap.max_inline_data above " STR(HWQNIC_MAX_INLINE);
	return NULL;
}

struct hwqnic_qp *hwqnic_create_qp(struct hwqnic_pd *pd,
				   struct hwqnic_qp_init_attr *attr)
{
	struct hwqnic_context *ctx;
	struct hwqnic_qp_init_attr a;
	struct hwqnic_stats_qp *e;
	struct uqp *qp;
	int rc;

	const char *why;

	if (!pd || !attr)
		return uerr_ptr(EINVAL);
	why = qp_caps_why(pd->context, attr);
	if (why)
		return uerr_ptr_why(pd->context, EINVAL, "%s", why);
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
		return uerr_ptr_why(ctx, rc, "%s", hwqnic_be_why(rc));
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

/* The attribute names of a mask's bits, for a message. */
static void attr_names(u32 mask, char *buf, size_t len)
{
	size_t at = 0;
	unsigned int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 32 && at < len; bit++)
		if (mask & (1U << bit))
			at += snprintf(buf + at, len - at, "%s%s",
				       at ? " " : "", hwqnic_qp_attr_name(bit));
}

/*
 * HWQNIC_DEBUG: why a modify failed. The core's own check, on the state
 * the QP is in now, names the rule; a refusal it does not explain is the
 * backend's.
 */
static __attribute__((cold))
void modify_why(struct uqp *qp, const struct hwqnic_qp_attr *attr, int mask,
		int err)
{
	struct hwqnic_context *ctx = qp->pub.context;
	struct hwqnic_qp_why why;
	struct hwqnic_qp_attr now;
	const char *cur, *next;
	char names[512];

	if (err != EINVAL || ctx->be->query_qp(ctx, qp, &now) ||
	    !hwqnic_qp_modify_check(qp->core.type, now.qp_state, attr, mask,
				    &why)) {
		hwqnic_debug_err("hwqnic_modify_qp", err, "qp %u: %s",
				 qp->pub.qp_num, hwqnic_be_why(err));
		return;
	}
	cur = hwqnic_qp_state_str(why.cur);
	next = hwqnic_qp_state_str(why.next);
	switch (why.code) {
	case HWQNIC_QPW_STATE:
		hwqnic_debug_err("hwqnic_modify_qp", err, "qp %u: qp_state %u "
				 "is no QP state", qp->pub.qp_num, why.next);
		return;
	case HWQNIC_QPW_TRANSITION: {
		size_t at = 0;
		unsigned int i;

		names[0] = '\0';
		for (i = 0; i <= HWQNIC_QPS_ERR; i++)
			if (why.attrs & (1U << i))
				at += snprintf(names + at, sizeof(names) - at,
					       " %s", hwqnic_qp_state_str(i));
		hwqnic_debug_err("hwqnic_modify_qp", err, "qp %u %s->%s: no "
				 "such transition (%s goes to:%s)",
				 qp->pub.qp_num, cur, next, cur, names);
		return;
	}
	case HWQNIC_QPW_MISSING:
	case HWQNIC_QPW_EXTRA:
		attr_names(why.attrs, names, sizeof(names));
		hwqnic_debug_err("hwqnic_modify_qp", err, "qp %u %s->%s: %s "
				 "%s%s", qp->pub.qp_num, cur, next,
				 why.code == HWQNIC_QPW_MISSING ?
				 "missing attribute" : "attribute not taken "
				 "by this transition:",
				 names, why.code == HWQNIC_QPW_EXTRA ?
				 (qp->pub.qp_type == HWQNIC_QPT_UD ? " (UD)" :
				  qp->pub.qp_type == HWQNIC_QPT_UC ? " (UC)" :
				  " (RC)") : "");
		return;
	case HWQNIC_QPW_CUR_STATE:
		hwqnic_debug_err("hwqnic_modify_qp", err, "qp %u: cur_qp_state "
				 "%s, but the QP is in %s", qp->pub.qp_num,
				 hwqnic_qp_state_str(why.value), cur);
		return;
	default:
		attr_names(why.attrs, names, sizeof(names));
		hwqnic_debug_err("hwqnic_modify_qp", err, "qp %u %s->%s: %s %u "
				 "outside %u..%u", qp->pub.qp_num, cur, next,
				 names, why.value, why.lo, why.hi);
		return;
	}
}

/*
 * HWQNIC_QP_AV naming another node: the QP's path, set before the modify
 * takes the QP to RTR (the core takes a path up to RTR), once the modify
 * is known to be one the QP takes. A modify the core refuses is left to
 * the backend, which says why.
 */
static int modify_av(struct uqp *qp, const struct hwqnic_qp_attr *attr,
		     int mask)
{
	struct hwqnic_context *ctx = qp->pub.context;
	struct hwqnic_qp_attr now;
	struct hwqnic_qp_why why;
	struct hwqnic_path path;
	bool wire;
	int rc;

	if (ctx->be->query_qp(ctx, qp, &now) ||
	    hwqnic_qp_modify_check(qp->core.type, now.qp_state, attr, mask,
				   &why))
		return 0;
	rc = hwqnic_av_path(ctx, "hwqnic_modify_qp", &attr->ah_attr,
			    qp->pub.qp_num, attr->dest_qp_num, &path, &wire);
	if (rc || !wire)
		return rc;
	rc = -hwqnic_qp_set_path(DEV(ctx), &qp->core, &path);
	return rc ? uerr_why(ctx, rc, "qp %u: %s", qp->pub.qp_num,
			     rc == EEXIST ? "another device on the netdev "
			     "serves its number" : hwqnic_be_why(rc)) : 0;
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
	if (attr_mask & HWQNIC_QP_AV) {
		rc = modify_av(qp, attr, attr_mask);
		if (rc)
			return uerr(rc);
	}
	rc = -pub->context->be->modify_qp(pub->context, qp, attr, attr_mask);
	if (rc) {
		if (unlikely(pub->context->debug))
			modify_why(qp, attr, attr_mask, rc);
		return uerr(rc);
	}
	if (attr_mask & HWQNIC_QP_AV)
		qp->av = attr->ah_attr;
	else if (qp->core.host_state == HWQNIC_QPS_RESET)
		memset(&qp->av, 0, sizeof(qp->av));
	pub->state = qp->core.host_state;
	hwqnic_stats_entry(pub->context, pub->qp_num)->state = pub->state;
	return 0;
}

int hwqnic_query_qp(struct hwqnic_qp *pub, struct hwqnic_qp_attr *attr)
{
	struct uqp *qp;
	int rc;

	if (!pub || !attr)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	qp = container_of(pub, struct uqp, pub);
	rc = -pub->context->be->query_qp(pub->context, qp, attr);
	if (rc)
		return uerr_why(pub->context, rc, "qp %u: %s", pub->qp_num,
				hwqnic_be_why(rc));
	attr->ah_attr = qp->av;
	return 0;
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
		return uerr_why(pub->context, rc, "qp %u: %s", pub->qp_num,
				hwqnic_be_why(rc));
	WRITE_ONCE(e->qpn, 0);
	hwqnic_obj_del(pub->context, &qp->obj);
	free(qp);
	return 0;
}

/*
 * HWQNIC_DEBUG: why a post failed at WR `bad`: the QP's state, a full
 * queue, or (sends) the core's check of the WR, asked again.
 */
static __attribute__((cold))
void post_why(struct hwqnic_qp *pub, const char *fn, int err, bool send,
	      const void *bad)
{
	struct hwqnic_core_qp *qp = &container_of(pub, struct uqp, pub)->core;
	u8 state = READ_ONCE(qp->host_state);
	const struct hwqnic_recv_wr *rwr = bad;
	const char *why = NULL;

	if (send && state != HWQNIC_QPS_RTS && state != HWQNIC_QPS_ERR)
		why = "sends need the QP in RTS (or ERR, to flush)";
	else if (!send && state == HWQNIC_QPS_RESET)
		why = "receives need the QP out of RESET";
	else if (err == ENOMEM)
		why = send ? "send queue full: poll completions first (cap."
			     "max_send_wr)" :
			     "receive queue full (cap.max_recv_wr)";
	else if (send)
		why = hwqnic_qp_send_wr_why(qp, bad);
	else if (rwr->num_sge < 0 || (u32)rwr->num_sge > qp->cap.max_recv_sge)
		why = "num_sge is negative or above the QP's max_recv_sge";
	else if (rwr->num_sge && !rwr->sg_list)
		why = "num_sge without sg_list";
	hwqnic_debug_err(fn, err, "qp %u (%s), wr_id %llu: %s", pub->qp_num,
			 hwqnic_qp_state_str(state),
			 (unsigned long long)(send ?
			  ((const struct hwqnic_send_wr *)bad)->wr_id :
			  rwr->wr_id), why ? why : "refused");
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
		if (unlikely(pub->context->debug))
			post_why(pub, "hwqnic_post_send", rc, true, bad);
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
		if (unlikely(pub->context->debug))
			post_why(pub, "hwqnic_post_recv", rc, false, bad);
		return uerr(rc);
	}
	return 0;
}

int hwqnic_query_qp_wire_counters(struct hwqnic_qp *pub,
				  struct hwqnic_qp_wire_counters *counters)
{
	struct hwqnic_context *ctx;

	if (!pub || !counters)
		return uerr(EINVAL);
	ctx = pub->context;
	if (uctx_forked(ctx))
		return uerr(EPERM);
	/* a device bound to no netdev never counts: its slot's are zero */
	hwqnic_copy_counters(counters,
			     &hwqnic_stats_entry(ctx, pub->qp_num)->w,
			     sizeof(*counters));
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
