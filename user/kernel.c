// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libhwqnic's kernel backend: a context of /dev/hwqnic0 (include/hwqnic/
 * abi.h). hwqnic.ko creates every object and runs the engine; the process
 * maps the doorbell page, the counters and each queue, and keeps the
 * host's side of them in the core's own objects (hwqnic_cq_attach(),
 * hwqnic_qp_attach()), so posting and polling are the embedded backend's
 * code, unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhwqnic.h"

#define KDEV_PATH	"/dev/hwqnic0"

static int kioctl(struct hwqnic_context *ctx, unsigned long cmd, void *arg)
{
	return ioctl(ctx->kfd, cmd, arg) < 0 ? -errno : 0;
}

static void *kmmap(struct hwqnic_context *ctx, u64 off, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       ctx->kfd, (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

/* The stats file takes the device's name, hwqnicN, once N is known. */
static void stats_rename(struct hwqnic_context *ctx, u32 dev_id)
{
	char path[sizeof(ctx->stats_path)];

	snprintf(ctx->name, sizeof(ctx->name), "hwqnic%u", dev_id);
	snprintf(ctx->stats->dev, sizeof(ctx->stats->dev), "%s", ctx->name);
	if (!ctx->stats_path[0])
		return;
	snprintf(path, sizeof(path),
		 HWQNIC_STATS_DIR "/" HWQNIC_STATS_PREFIX "%d.%s", getpid(),
		 ctx->name);
	/* never over a file someone made there: it stays under its first */
	if (renameat2(AT_FDCWD, ctx->stats_path, AT_FDCWD, path,
		      RENAME_NOREPLACE))
		return;
	memcpy(ctx->stats_path, path, sizeof(path));
}

/*
 * The kernel's engine may run on any CPU: it shares one only on a machine
 * with one CPU online.
 */
static int kern_shared_cpu(bool *shared, const char **why)
{
	(void)why;
	*shared = sysconf(_SC_NPROCESSORS_ONLN) == 1;
	return 0;
}

/*
 * A context of /dev/hwqnic0 is a device of its own, hwqnicN, named by the
 * kernel once it is open. Its counters are written by the kernel into
 * this process's stats file, which it pins.
 */
static int kern_open(struct hwqnic_context *ctx, const char *name,
		     const struct hwqnic_dev_ops *dev_ops)
{
	struct hwqnic_ioc_open o = { .abi_version = HWQNIC_ABI_VERSION };
	long pg = sysconf(_SC_PAGESIZE);
	int rc;

	if (name && strcmp(name, "hwqnic0")) {
		ctx->open_why = "the kernel backend's device is hwqnic0";
		return -ENODEV;
	}
	/* non-blocking: read(2) of it is hwqnic_get_async_event() */
	ctx->kfd = open(KDEV_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (ctx->kfd < 0) {
		rc = errno;
		ctx->open_why = rc == ENOENT ?
			KDEV_PATH " does not exist: hwqnic.ko is not loaded "
			"(modprobe hwqnic, or insmod hwqnic.ko)" :
			rc == EACCES ? "no permission to open " KDEV_PATH :
			"cannot open " KDEV_PATH;
		return rc == ENOENT ? -ENODEV : -rc;
	}
	/* a name of its own in this process until the kernel's is known */
	snprintf(ctx->name, sizeof(ctx->name), "hwqnic0.fd%d", ctx->kfd);
	rc = -hwqnic_stats_open(ctx);
	if (rc)
		goto close_fd;
	hwqnic_stats_ready(ctx);
	o.stats_addr = (uintptr_t)ctx->stats;
	o.stats_len = (ctx->stats_size + pg - 1) / pg * pg;
	rc = kioctl(ctx, HWQNIC_IOC_OPEN, &o);
	if (rc) {
		ctx->open_why = rc == -EPROTO ?
			"hwqnic.ko speaks another ABI version than libhwqnic" :
			"hwqnic.ko refused a new context (HWQNIC_IOC_OPEN)";
		goto stats;
	}
	stats_rename(ctx, o.dev_id);
	ctx->dbp_len = o.db_len;
	ctx->dbp_map = kmmap(ctx, o.db_off, o.db_len);
	if (!ctx->dbp_map || o.db_len < sizeof(struct hwqnic_db_page)) {
		rc = -ENOMEM;
		goto unmap;
	}
	ctx->dev.od.kernel_engine = true;
	ctx->dev.od.wake_fd = ctx->kfd;
	rc = hwqnic_dev_init_dbp(&ctx->dev, dev_ops, o.dev_id, ctx->dbp_map);
	if (rc)
		goto unmap;
	ctx->async_pipe[0] = ctx->kfd;
	ctx->async_pipe[1] = -1;
	return 0;
unmap:
	if (ctx->dbp_map)
		munmap(ctx->dbp_map, ctx->dbp_len);
	ctx->dbp_map = NULL;
stats:
	hwqnic_stats_close(ctx);
close_fd:
	close(ctx->kfd);
	ctx->kfd = -1;
	return rc;
}

/* Closing the file ends the context and all that is left in it. */
static void kern_close(struct hwqnic_context *ctx)
{
	hwqnic_dev_fini(&ctx->dev);
	munmap(ctx->dbp_map, ctx->dbp_len);
	hwqnic_stats_close(ctx);
	close(ctx->kfd);
}

static int kern_alloc_pd(struct hwqnic_context *ctx, struct upd *pd)
{
	struct hwqnic_ioc_pd p = { 0 };
	int rc = kioctl(ctx, HWQNIC_IOC_ALLOC_PD, &p);

	pd->core.pdn = p.pdn;
	return rc;
}

static int kern_dealloc_pd(struct hwqnic_context *ctx, struct upd *pd)
{
	struct hwqnic_ioc_pd p = { .pdn = pd->core.pdn };

	return kioctl(ctx, HWQNIC_IOC_DEALLOC_PD, &p);
}

static int kern_reg_mr(struct hwqnic_context *ctx, struct upd *pd,
		       struct umr *mr, void *addr, size_t length,
		       unsigned int access)
{
	struct hwqnic_ioc_mr m = {
		.addr = (uintptr_t)addr,
		.length = length,
		.pdn = pd->core.pdn,
		.access = access,
	};
	int rc = kioctl(ctx, HWQNIC_IOC_REG_MR, &m);

	mr->core.key = m.key;
	return rc;
}

static int kern_dereg_mr(struct hwqnic_context *ctx, struct umr *mr)
{
	struct hwqnic_ioc_mr m = { .key = mr->core.key };

	return kioctl(ctx, HWQNIC_IOC_DEREG_MR, &m);
}

/* A channel's fd comes from the kernel: it queues the CQ handles itself. */
static int kern_create_channel(struct hwqnic_context *ctx,
			       struct uchannel *ch)
{
	int fd = ioctl(ctx->kfd, HWQNIC_IOC_CREATE_CHANNEL);

	if (fd < 0)
		return -errno;
	ch->pub.fd = fd;
	ch->wfd = -1;
	return 0;
}

/* The host's view of a queue hwqnic.ko describes, mapped. */
static int map_queue(struct hwqnic_context *ctx,
		     const struct hwqnic_ioc_queue *q, struct hwqnic_hwq *hwq,
		     struct kmap *m)
{
	int rc;

	m->len = q->mmap_len;
	m->va = kmmap(ctx, q->mmap_off, q->mmap_len);
	if (!m->va)
		return -errno;
	rc = hwqnic_hwq_map(&ctx->dev.od, hwq, q->depth, q->stride_shift,
			    q->pg_shift, q->npages, m->va);
	if (rc) {
		munmap(m->va, m->len);
		m->va = NULL;
	}
	return rc;
}

static void unmap_queue(struct hwqnic_context *ctx, struct hwqnic_hwq *hwq,
			struct kmap *m)
{
	hwqnic_hwq_unmap(&ctx->dev.od, hwq);
	munmap(m->va, m->len);
	m->va = NULL;
}

static int kern_create_cq(struct hwqnic_context *ctx, struct ucq *cq,
			  int cqe, u32 flags)
{
	struct hwqnic_ioc_cq c = {
		.cqe = cqe,
		.channel_fd = cq->pub.channel ? cq->pub.channel->fd : -1,
		.flags = flags,
	};
	struct hwqnic_hwq hwq;
	int rc;

	rc = kioctl(ctx, HWQNIC_IOC_CREATE_CQ, &c);
	if (rc)
		return rc;
	rc = map_queue(ctx, &c.q, &hwq, &cq->map);
	if (rc)
		goto destroy;
	rc = hwqnic_cq_attach(&ctx->dev, &cq->core, c.handle, c.q.slot,
			      c.arm_slot, flags, &hwq);
	if (!rc)
		return 0;
	unmap_queue(ctx, &hwq, &cq->map);
destroy:
	kioctl(ctx, HWQNIC_IOC_DESTROY_CQ, &c);
	return rc;
}

static int kern_destroy_cq(struct hwqnic_context *ctx, struct ucq *cq)
{
	struct hwqnic_ioc_cq c = { .handle = cq->core.handle };
	int rc = hwqnic_cq_detach(&ctx->dev, &cq->core);

	if (rc)
		return rc;
	unmap_queue(ctx, &cq->core.hwq, &cq->map);
	return kioctl(ctx, HWQNIC_IOC_DESTROY_CQ, &c);
}

static int kern_create_qp(struct hwqnic_context *ctx, struct uqp *qp,
			  struct upd *pd, struct hwqnic_qp_init_attr *attr)
{
	struct ucq *scq = container_of(attr->send_cq, struct ucq, pub);
	struct ucq *rcq = container_of(attr->recv_cq, struct ucq, pub);
	struct hwqnic_ioc_qp q = {
		.pdn = pd->core.pdn,
		.send_cq = scq->core.handle,
		.recv_cq = rcq->core.handle,
		.qp_type = attr->qp_type,
		.sq_sig_all = !!attr->sq_sig_all,
		.max_send_wr = attr->cap.max_send_wr,
		.max_recv_wr = attr->cap.max_recv_wr,
		.max_send_sge = attr->cap.max_send_sge,
		.max_recv_sge = attr->cap.max_recv_sge,
		.max_inline_data = attr->cap.max_inline_data,
	};
	struct hwqnic_qp_grant g;
	struct hwqnic_hwq sq, rq;
	int rc;

	rc = kioctl(ctx, HWQNIC_IOC_CREATE_QP, &q);
	if (rc)
		return rc;
	rc = map_queue(ctx, &q.sq, &sq, &qp->sq_map);
	if (rc)
		goto destroy;
	rc = map_queue(ctx, &q.rq, &rq, &qp->rq_map);
	if (rc)
		goto unmap_sq;
	g = (struct hwqnic_qp_grant) {
		.qpn = q.qpn,
		.sq_slot = q.sq.slot,
		.rq_slot = q.rq.slot,
		.cap = {
			.max_send_wr = q.max_send_wr,
			.max_recv_wr = q.max_recv_wr,
			.max_send_sge = q.max_send_sge,
			.max_recv_sge = q.max_recv_sge,
			.max_inline_data = q.max_inline_data,
		},
	};
	rc = hwqnic_qp_attach(&ctx->dev, &qp->core, attr, &scq->core,
			      &rcq->core, &g, &sq, &rq);
	if (!rc) {
		attr->cap = g.cap;
		return 0;
	}
	unmap_queue(ctx, &rq, &qp->rq_map);
unmap_sq:
	unmap_queue(ctx, &sq, &qp->sq_map);
destroy:
	kioctl(ctx, HWQNIC_IOC_DESTROY_QP, &q);
	return rc;
}

/* Its completions leave its CQs once the kernel writes no more of them. */
static int kern_destroy_qp(struct hwqnic_context *ctx, struct uqp *qp)
{
	struct hwqnic_ioc_qp q = { .qpn = qp->core.qpn };
	int rc;

	hwqnic_qp_detach(&ctx->dev, &qp->core);
	unmap_queue(ctx, &qp->core.rq, &qp->rq_map);
	unmap_queue(ctx, &qp->core.sq, &qp->sq_map);
	rc = kioctl(ctx, HWQNIC_IOC_DESTROY_QP, &q);
	hwqnic_qp_clean_cqs(&ctx->dev, &qp->core);
	return rc;
}

/* The engine's side moves in the kernel; the host's follows it here. */
static int kern_modify_qp(struct hwqnic_context *ctx, struct uqp *qp,
			  const struct hwqnic_qp_attr *attr, int mask)
{
	struct hwqnic_ioc_qp_attr a = {
		.qpn = qp->core.qpn,
		.attr_mask = mask,
	};
	bool reset = (mask & HWQNIC_QP_STATE) &&
		     attr->qp_state == HWQNIC_QPS_RESET;
	u8 was = 0;
	int rc;

	if (mask < 0)
		return -EINVAL;
	hwqnic_qp_attr_to_ioc(attr, &a);
	/* as the core's modify: posting sees RESET before the NIC's reset */
	if (reset) {
		was = READ_ONCE(qp->core.host_state);
		hwqnic_qp_host_state(&ctx->dev, &qp->core, HWQNIC_QPS_RESET);
	}
	rc = kioctl(ctx, HWQNIC_IOC_MODIFY_QP, &a);
	if (rc) {
		if (reset)
			hwqnic_qp_host_state(&ctx->dev, &qp->core, was);
		return rc;
	}
	if (reset)
		hwqnic_qp_host_reset(&ctx->dev, &qp->core);
	else if (mask & HWQNIC_QP_STATE)
		hwqnic_qp_host_state(&ctx->dev, &qp->core, attr->qp_state);
	return 0;
}

static int kern_query_qp(struct hwqnic_context *ctx, struct uqp *qp,
			 struct hwqnic_qp_attr *attr)
{
	struct hwqnic_ioc_qp_attr a = { .qpn = qp->core.qpn };
	int rc = kioctl(ctx, HWQNIC_IOC_QUERY_QP, &a);

	if (rc)
		return rc;
	hwqnic_qp_attr_from_ioc(&a, attr);
	attr->cap = qp->core.cap;
	return 0;
}

/*
 * A child's copies: hwqnic.ko mapped the queues VM_DONTCOPY, so the child
 * has none of them, and its addresses may be its own mappings by now.
 */
static void kern_inherited_queue(struct hwqnic_context *ctx,
				 struct hwqnic_hwq *q)
{
	hwqnic_hwq_unmap(&ctx->dev.od, q);
}

/* The child's reference to the file only: the parent's context stays. */
static void kern_inherited_close(struct hwqnic_context *ctx)
{
	close(ctx->kfd);
}

const struct hwqnic_backend_ops hwqnic_kernel_backend = {
	.shared_cpu = kern_shared_cpu,
	.open = kern_open,
	.close = kern_close,
	.alloc_pd = kern_alloc_pd,
	.dealloc_pd = kern_dealloc_pd,
	.reg_mr = kern_reg_mr,
	.dereg_mr = kern_dereg_mr,
	.create_channel = kern_create_channel,
	.create_cq = kern_create_cq,
	.destroy_cq = kern_destroy_cq,
	.create_qp = kern_create_qp,
	.destroy_qp = kern_destroy_qp,
	.modify_qp = kern_modify_qp,
	.query_qp = kern_query_qp,
	/* the engine is hwqnic.ko's kthread; MRs are pinned pages there */
	.inherited_queue = kern_inherited_queue,
	.inherited_close = kern_inherited_close,
};
