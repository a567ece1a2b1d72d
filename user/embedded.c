// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libhwqnic's embedded backend, the default: the engine runs on a thread
 * of this process and reaches its memory directly, and every object is
 * the core's, made here. Registration therefore checks that the engine
 * can touch the memory it is given.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhwqnic.h"

static void *engine_main(void *arg)
{
	struct hwqnic_context *ctx = arg;

	hwqnic_engine_run(&ctx->dev, &ctx->stop);
	return NULL;
}

#define ENGINE_CPU_WHY	"HWQNIC_ENGINE_CPU takes a CPU number (0 to 1023)"

/* HWQNIC_ENGINE_CPU=N: the CPU the engine thread is pinned to, or -1. */
static int engine_cpu(long *n)
{
	const char *cpu = getenv("HWQNIC_ENGINE_CPU");
	char *end;

	*n = -1;
	if (!cpu || !*cpu)
		return 0;
	errno = 0;
	*n = strtol(cpu, &end, 10);
	if (errno || *end || *n < 0 || *n >= CPU_SETSIZE)
		return -EINVAL;
	return 0;
}

static int engine_start(struct hwqnic_context *ctx)
{
	pthread_attr_t attr;
	cpu_set_t set;
	long n;
	int rc;

	rc = engine_cpu(&n);
	if (rc) {
		ctx->open_why = ENGINE_CPU_WHY;
		return rc;
	}
	pthread_attr_init(&attr);
	if (n >= 0) {
		CPU_ZERO(&set);
		CPU_SET(n, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	rc = pthread_create(&ctx->engine, &attr, engine_main, ctx);
	pthread_attr_destroy(&attr);
	return -rc;
}

/*
 * The opening thread may run on one CPU only, and the engine thread, which
 * inherits its mask unless HWQNIC_ENGINE_CPU names a CPU, on that one too.
 */
static int emb_shared_cpu(bool *shared, const char **why)
{
	cpu_set_t set;
	long n;
	int rc = engine_cpu(&n);

	if (rc)
		*why = ENGINE_CPU_WHY;
	if (!rc && !sched_getaffinity(0, sizeof(set), &set) &&
	    CPU_COUNT(&set) == 1)
		*shared = n < 0 || CPU_ISSET(n, &set);
	return rc;
}

static int emb_open(struct hwqnic_context *ctx, const char *name,
		    const struct hwqnic_dev_ops *dev_ops)
{
	static unsigned int next_id;
	u32 id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	int rc;

	if (name)
		snprintf(ctx->name, sizeof(ctx->name), "%s", name);
	else
		snprintf(ctx->name, sizeof(ctx->name), "hwqnic-emb%u", id);
	ctx->async_pipe[0] = ctx->async_pipe[1] = -1;
	ctx->dev.od.shared_cpu = ctx->flags & UCTX_SHARED_CPU;
	rc = hwqnic_dev_init(&ctx->dev, dev_ops, id);
	if (rc)
		return rc;
	if (pipe2(ctx->async_pipe, O_CLOEXEC | O_NONBLOCK)) {
		rc = -errno;
		goto fini;
	}
	rc = -hwqnic_stats_open(ctx);
	if (rc)
		goto fini;
	if (ctx->netdev) {
		rc = hwqnic_port_bind(ctx, ctx->netdev);
		if (rc)
			goto stats;
	}
	hwqnic_stats_ready(ctx);
	rc = engine_start(ctx);
	if (!rc)
		return 0;
	hwqnic_port_unbind(ctx);
stats:
	hwqnic_stats_close(ctx);
fini:
	if (ctx->async_pipe[0] >= 0) {
		close(ctx->async_pipe[0]);
		close(ctx->async_pipe[1]);
	}
	hwqnic_dev_fini(&ctx->dev);
	return rc;
}

static void emb_close(struct hwqnic_context *ctx)
{
	WRITE_ONCE(ctx->stop, true);
	smp_mb();
	hwqnic_engine_kick(&ctx->dev);
	pthread_join(ctx->engine, NULL);
	hwqnic_port_unbind(ctx);
	hwqnic_stats_close(ctx);
	close(ctx->async_pipe[0]);
	close(ctx->async_pipe[1]);
	hwqnic_dev_fini(&ctx->dev);
}

static int emb_alloc_pd(struct hwqnic_context *ctx, struct upd *pd)
{
	return hwqnic_pd_alloc(&ctx->dev, &pd->core);
}

static int emb_dealloc_pd(struct hwqnic_context *ctx, struct upd *pd)
{
	return hwqnic_pd_free(&ctx->dev, &pd->core);
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
static int emb_reg_mr(struct hwqnic_context *ctx, struct upd *pd,
		      struct umr *mr, void *addr, size_t length,
		      unsigned int access)
{
	uintptr_t first = (uintptr_t)addr & ~(uintptr_t)4095;
	u64 npages = hwqnic_mr_npages(addr, length), i;
	dma_addr_t *pages;
	int rc;

	rc = emb_mem_check(addr, length, access);
	if (rc)
		return rc;
	pages = malloc(npages * sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < npages; i++)
		pages[i] = hwqnic_os_va_to_dma((void *)(first + (i << 12)));
	rc = hwqnic_mr_reg(&ctx->dev, &mr->core, &pd->core, (uintptr_t)addr,
			   length, access, pages, npages, 12);
	free(pages);
	return rc;
}

static int emb_dereg_mr(struct hwqnic_context *ctx, struct umr *mr)
{
	hwqnic_mr_dereg(&ctx->dev, &mr->core);
	return 0;
}

/* The engine's end never blocks; the reader's does, until changed. */
static int emb_create_channel(struct hwqnic_context *ctx,
			      struct uchannel *ch)
{
	int fds[2];

	(void)ctx;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	ch->pub.fd = fds[0];
	ch->wfd = fds[1];
	return 0;
}

static int emb_create_cq(struct hwqnic_context *ctx, struct ucq *cq, int cqe,
			 u32 flags)
{
	return hwqnic_cq_create_ex(&ctx->dev, &cq->core, cqe, flags);
}

static int emb_destroy_cq(struct hwqnic_context *ctx, struct ucq *cq)
{
	return hwqnic_cq_destroy(&ctx->dev, &cq->core);
}

static int emb_create_qp(struct hwqnic_context *ctx, struct uqp *qp,
			 struct upd *pd, struct hwqnic_qp_init_attr *attr)
{
	return hwqnic_qp_create(&ctx->dev, &qp->core, &pd->core,
				&container_of(attr->send_cq, struct ucq,
					      pub)->core,
				&container_of(attr->recv_cq, struct ucq,
					      pub)->core,
				attr);
}

static int emb_destroy_qp(struct hwqnic_context *ctx, struct uqp *qp)
{
	hwqnic_qp_destroy(&ctx->dev, &qp->core);
	return 0;
}

static int emb_modify_qp(struct hwqnic_context *ctx, struct uqp *qp,
			 const struct hwqnic_qp_attr *attr, int mask)
{
	return hwqnic_qp_modify(&ctx->dev, &qp->core, attr, mask);
}

static int emb_query_qp(struct hwqnic_context *ctx, struct uqp *qp,
			struct hwqnic_qp_attr *attr)
{
	hwqnic_qp_query(&ctx->dev, &qp->core, attr);
	return 0;
}

static bool emb_engine_poll(struct hwqnic_context *ctx)
{
	return hwqnic_engine_poll(&ctx->dev);
}

static void emb_inherited_mr(struct hwqnic_context *ctx, struct umr *mr)
{
	hwqnic_pbl_free(&ctx->dev.od, &mr->core.pbl);
}

static void emb_inherited_queue(struct hwqnic_context *ctx,
				struct hwqnic_hwq *q)
{
	hwqnic_hwq_free(&ctx->dev.od, q);
}

static void emb_inherited_close(struct hwqnic_context *ctx)
{
	hwqnic_port_unbind(ctx);
	close(ctx->async_pipe[0]);
	close(ctx->async_pipe[1]);
}

const struct hwqnic_backend_ops hwqnic_embedded_backend = {
	.shared_cpu = emb_shared_cpu,
	.open = emb_open,
	.close = emb_close,
	.alloc_pd = emb_alloc_pd,
	.dealloc_pd = emb_dealloc_pd,
	.reg_mr = emb_reg_mr,
	.dereg_mr = emb_dereg_mr,
	.create_channel = emb_create_channel,
	.create_cq = emb_create_cq,
	.destroy_cq = emb_destroy_cq,
	.create_qp = emb_create_qp,
	.destroy_qp = emb_destroy_qp,
	.modify_qp = emb_modify_qp,
	.query_qp = emb_query_qp,
	.engine_poll = emb_engine_poll,
	.inherited_mr = emb_inherited_mr,
	.inherited_queue = emb_inherited_queue,
	.inherited_close = emb_inherited_close,
};
