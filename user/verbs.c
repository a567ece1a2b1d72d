// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libhwqnic verbs: argument checks, then the core. Every check comes
 * before the first change, so a call that fails changes nothing. A
 * context inherited across fork() is refused by every verb (EPERM).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhwqnic.h"

#define DEV(ctx)	(&(ctx)->dev)

static struct hwqnic_dev *pd_dev(struct hwqnic_pd *pd)
{
	return DEV(pd->context);
}

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
	rc = kern(ctx) ? hwqnic_kern_alloc_pd(ctx, pd) :
			 hwqnic_pd_alloc(DEV(ctx), &pd->core);
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
	rc = kern(pub->context) ? hwqnic_kern_dealloc_pd(pub->context, pd) :
				  hwqnic_pd_free(pd_dev(pub), &pd->core);
	if (rc)
		return uerr(-rc);
	hwqnic_obj_del(pub->context, &pd->obj);
	free(pd);
	return 0;
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

/*
 * For kernels without MADV_POPULATE_*: [first, end) must lie in mappings
 * that grant read, and write if `write`, as /proc/self/maps lists them (in
 * address order; whole lines, however long a file name). 0 or -EFAULT;
 * unknowable without /proc, it is then taken as mapped.
 */
int hwqnic_mem_check_maps(uintptr_t first, uintptr_t end, bool write)
{
	FILE *f = fopen("/proc/self/maps", "re");
	uintptr_t at = first;
	unsigned long lo, hi;
	char perms[5], *line = NULL;
	size_t cap = 0;

	if (!f)
		return 0;
	while (at < end && getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3 ||
		    hi <= at)
			continue;
		if (lo > at || perms[0] != 'r' || (write && perms[1] != 'w'))
			break;
		at = hi;
	}
	free(line);
	fclose(f);
	return at >= end ? 0 : -EFAULT;
}

/*
 * The engine reaches registered memory through this process's own
 * mappings, so it must be able to touch every page, as pinning would:
 * each mapped and readable, and writable when the access lets the NIC
 * write. MADV_POPULATE_READ/WRITE (Linux 5.14) faults the pages in and
 * fails where the engine's access would fault (a hole, PROT_NONE, a
 * read-only mapping, a file shorter than its mapping); older kernels get
 * the protections of /proc/self/maps. The range must stay so until
 * hwqnic_dereg_mr() (verbs.h).
 */
static int emb_mem_check(void *addr, size_t length, unsigned int access)
{
	static int populate;	/* 0: not known yet, 1: supported, -1: not */
	uintptr_t pg = sysconf(_SC_PAGESIZE);
	uintptr_t first = (uintptr_t)addr & ~(pg - 1);
	uintptr_t end = ((uintptr_t)addr + length + pg - 1) & ~(pg - 1);
	bool write = access & HWQNIC_MR_NIC_WRITES;
	int advice = write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
	int known = __atomic_load_n(&populate, __ATOMIC_RELAXED);

	if (!end)		/* the last page of the address space */
		return -EFAULT;
	if (!known) {
		/* an empty range: EINVAL only for an unknown advice */
		known = madvise((void *)first, 0, advice) ? -1 : 1;
		__atomic_store_n(&populate, known, __ATOMIC_RELAXED);
	}
	if (known < 0)
		return hwqnic_mem_check_maps(first, end, write);
	while (madvise((void *)first, end - first, advice))
		if (errno != EINTR)
			return -EFAULT;
	return 0;
}

/*
 * In-process DMA needs no pinning: the MR's PBL lists the tagged addresses
 * of the 4 KiB pages under [addr, addr + length).
 */
static int emb_reg_mr(struct upd *pd, struct umr *mr, void *addr,
		      size_t length, unsigned int access, u64 npages)
{
	uintptr_t first = (uintptr_t)addr & ~(uintptr_t)4095;
	dma_addr_t *pages;
	u64 i;
	int rc;

	rc = emb_mem_check(addr, length, access);
	if (rc)
		return rc;
	pages = malloc(npages * sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < npages; i++)
		pages[i] = hwqnic_os_va_to_dma((void *)(first + (i << 12)));
	rc = hwqnic_mr_reg(pd_dev(&pd->pub), &mr->core, &pd->core,
			   (uintptr_t)addr, length, access, pages, npages, 12);
	free(pages);
	return rc;
}

/* The kernel backend pins the pages instead (hwqnic_kern_reg_mr()). */
struct hwqnic_mr *hwqnic_reg_mr(struct hwqnic_pd *pub, void *addr,
				size_t length, unsigned int access)
{
	uintptr_t first = (uintptr_t)addr & ~(uintptr_t)4095;
	struct upd *pd;
	struct umr *mr;
	u64 npages;
	int rc;

	if (!pub || !addr || !length || !hwqnic_mr_access_ok(access) ||
	    (uintptr_t)addr + length < (uintptr_t)addr)
		return uerr_ptr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr_ptr(EPERM);
	npages = ((uintptr_t)addr + length - first + 4095) >> 12;
	if (npages > HWQNIC_PBL_MAX_PAGES)
		return uerr_ptr(EINVAL);
	pd = container_of(pub, struct upd, pub);
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return uerr_ptr(ENOMEM);
	rc = kern(pub->context) ?
	     hwqnic_kern_reg_mr(pub->context, pd, mr, addr, length, access) :
	     emb_reg_mr(pd, mr, addr, length, access, npages);
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

	if (!pub)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	mr = container_of(pub, struct umr, pub);
	if (kern(pub->context)) {
		int rc = -hwqnic_kern_dereg_mr(pub->context, mr);

		if (rc)
			return uerr(rc);
	} else {
		hwqnic_mr_dereg(DEV(pub->context), &mr->core);
	}
	hwqnic_obj_del(pub->context, &mr->obj);
	free(mr);
	return 0;
}

struct hwqnic_comp_channel *
hwqnic_create_comp_channel(struct hwqnic_context *ctx)
{
	struct uchannel *ch;
	int fds[2];

	if (!ctx)
		return uerr_ptr(EINVAL);
	if (uctx_forked(ctx))
		return uerr_ptr(EPERM);
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return uerr_ptr(ENOMEM);
	if (kern(ctx)) {
		int fd = hwqnic_kern_create_channel(ctx);

		if (fd < 0) {
			free(ch);
			return uerr_ptr(-fd);
		}
		ch->pub.context = ctx;
		ch->pub.fd = fd;
		ch->wfd = -1;
		hwqnic_obj_add(ctx, &ch->obj, UOBJ_CHANNEL);
		return &ch->pub;
	}
	/* the engine's end never blocks; the reader's does, until changed */
	if (pipe2(fds, O_CLOEXEC)) {
		free(ch);
		return NULL;
	}
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	ch->pub.context = ctx;
	ch->pub.fd = fds[0];
	ch->wfd = fds[1];
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
	rc = kern(ctx) ? hwqnic_kern_create_cq(ctx, cq, cqe, channel) :
			 hwqnic_cq_create(DEV(ctx), &cq->core, cqe);
	if (rc) {
		free(cq);
		return uerr_ptr(-rc);
	}
	cq->pub = (struct hwqnic_cq) {
		.context = ctx,
		.channel = channel,
		.cq_context = cq_context,
		.cqe = cqe,
		.handle = cq->core.handle,
	};
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
	rc = kern(pub->context) ? hwqnic_kern_destroy_cq(pub->context, cq) :
				  hwqnic_cq_destroy(dev, &cq->core);
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
	if (!kern(ctx) && hwqnic_engine_poll(DEV(ctx)))
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
	if (kern(ctx))
		rc = -hwqnic_kern_create_qp(ctx, qp,
					    container_of(pd, struct upd, pub),
					    &a);
	else
		rc = -hwqnic_qp_create(DEV(ctx), &qp->core,
				       &container_of(pd, struct upd, pub)->core,
				       &container_of(a.send_cq, struct ucq,
						     pub)->core,
				       &container_of(a.recv_cq, struct ucq,
						     pub)->core,
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
	rc = kern(pub->context) ?
	     -hwqnic_kern_modify_qp(pub->context, qp, attr, attr_mask) :
	     -hwqnic_qp_modify(DEV(pub->context), &qp->core, attr, attr_mask);
	if (rc)
		return uerr(rc);
	pub->state = qp->core.host_state;
	hwqnic_stats_entry(pub->context, pub->qp_num)->state = pub->state;
	return 0;
}

int hwqnic_query_qp(struct hwqnic_qp *pub, struct hwqnic_qp_attr *attr)
{
	struct uqp *qp;

	if (!pub || !attr)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	qp = container_of(pub, struct uqp, pub);
	if (kern(pub->context)) {
		int rc = -hwqnic_kern_query_qp(pub->context, qp, attr);

		return rc ? uerr(rc) : 0;
	}
	hwqnic_qp_query(DEV(pub->context), &qp->core, attr);
	return 0;
}

int hwqnic_destroy_qp(struct hwqnic_qp *pub)
{
	struct hwqnic_stats_qp *e;
	struct uqp *qp;

	if (!pub)
		return uerr(EINVAL);
	if (uctx_forked(pub->context))
		return uerr(EPERM);
	qp = container_of(pub, struct uqp, pub);
	e = hwqnic_stats_entry(pub->context, pub->qp_num);
	if (kern(pub->context)) {
		int rc = -hwqnic_kern_destroy_qp(pub->context, qp);

		if (rc)
			return uerr(rc);
	} else {
		hwqnic_qp_destroy(DEV(pub->context), &qp->core);
	}
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
