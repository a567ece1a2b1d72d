// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libhwqnic devices: open/close, the embedded engine thread, and the
 * events the engine raises (completion channels, asynchronous events).
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "libhwqnic.h"

struct async_rec {
	u32 type;
	u32 handle;
};

/* Engine context: never blocks, so a full pipe drops the event. */
static void ops_cq_event(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq)
{
	struct ucq *ucq = container_of(cq, struct ucq, core);
	struct uchannel *ch;
	ssize_t rc;

	(void)dev;
	if (!ucq->pub.channel)
		return;
	ch = container_of(ucq->pub.channel, struct uchannel, pub);
	rc = write(ch->wfd, &cq->handle, sizeof(cq->handle));
	(void)rc;
}

static void ops_async_event(struct hwqnic_dev *dev, u32 type, u32 handle)
{
	struct hwqnic_context *ctx = container_of(dev, struct hwqnic_context,
						  dev);
	struct async_rec r = { type, handle };
	ssize_t rc = write(ctx->async_pipe[1], &r, sizeof(r));

	(void)rc;
}

static struct hwqnic_qp_counters *ops_qp_counters(struct hwqnic_dev *dev,
						  u32 qpn)
{
	struct hwqnic_context *ctx = container_of(dev, struct hwqnic_context,
						  dev);
	struct hwqnic_stats_qp *e = hwqnic_stats_entry(ctx, qpn);

	memset(&e->c, 0, sizeof(e->c));
	return &e->c;
}

/* A polled error completion: the QP is in ERR, as the user sees it. */
static void ops_qp_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_context *ctx = container_of(dev, struct hwqnic_context,
						  dev);

	container_of(qp, struct uqp, core)->pub.state = HWQNIC_QPS_ERR;
	hwqnic_stats_entry(ctx, qp->qpn)->state = HWQNIC_QPS_ERR;
}

static const struct hwqnic_dev_ops user_ops = {
	.qp_counters = ops_qp_counters,
	.qp_error = ops_qp_error,
	.cq_event = ops_cq_event,
	.async_event = ops_async_event,
};

static void *engine_main(void *arg)
{
	struct hwqnic_context *ctx = arg;

	hwqnic_engine_run(&ctx->dev, &ctx->stop);
	return NULL;
}

/* HWQNIC_ENGINE_CPU=N pins the engine thread (benchmarks). */
static int engine_start(struct hwqnic_context *ctx)
{
	const char *cpu = getenv("HWQNIC_ENGINE_CPU");
	pthread_attr_t attr;
	cpu_set_t set;
	char *end;
	long n;
	int rc;

	pthread_attr_init(&attr);
	if (cpu && *cpu) {
		n = strtol(cpu, &end, 10);
		if (*end || n < 0 || n >= CPU_SETSIZE) {
			pthread_attr_destroy(&attr);
			return EINVAL;
		}
		CPU_ZERO(&set);
		CPU_SET(n, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	rc = pthread_create(&ctx->engine, &attr, engine_main, ctx);
	pthread_attr_destroy(&attr);
	return rc;
}

/* EMBEDDED or KERNEL from the flags, else from HWQNIC_BACKEND. */
static int pick_backend(unsigned int flags, unsigned int *backend)
{
	const char *env = getenv("HWQNIC_BACKEND");

	if (flags & ~(HWQNIC_OPEN_EMBEDDED | HWQNIC_OPEN_KERNEL) ||
	    flags == (HWQNIC_OPEN_EMBEDDED | HWQNIC_OPEN_KERNEL))
		return EINVAL;
	if (flags) {
		*backend = flags;
	} else if (!env || !*env || !strcmp(env, "embedded")) {
		*backend = HWQNIC_OPEN_EMBEDDED;
	} else if (!strcmp(env, "kernel")) {
		*backend = HWQNIC_OPEN_KERNEL;
	} else {
		return EINVAL;
	}
	return 0;
}

/*
 * A name is part of a path (the stats file): ASCII letters, digits, '.',
 * '_' and '-', not starting with '.', at most HWQNIC_NAME_MAX characters.
 * Not isalnum(): a locale may take bytes above 127 for letters.
 */
static bool name_ok(const char *name)
{
	size_t i, n = strnlen(name, HWQNIC_NAME_MAX + 1);

	if (!n || n > HWQNIC_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

struct hwqnic_context *hwqnic_open(const char *name, unsigned int flags)
{
	static unsigned int next_id;
	struct hwqnic_context *ctx;
	unsigned int backend;
	u32 id;
	int rc;

	rc = pick_backend(flags, &backend);
	if (rc)
		return uerr_ptr(rc);
	if (name && !name_ok(name))
		return uerr_ptr(EINVAL);

	ctx = uzalloc(sizeof(*ctx));
	if (!ctx)
		return uerr_ptr(ENOMEM);
	ctx->kfd = -1;
	/* the kernel's contexts are named by it, after the device opened */
	if (backend == HWQNIC_OPEN_KERNEL) {
		rc = name && strcmp(name, "hwqnic0") ? ENODEV :
		     -hwqnic_kern_open(ctx, &user_ops);
		if (rc)
			goto free_ctx;
		return ctx;
	}
	id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	if (name)
		snprintf(ctx->name, sizeof(ctx->name), "%s", name);
	else
		snprintf(ctx->name, sizeof(ctx->name), "hwqnic-emb%u", id);
	ctx->async_pipe[0] = ctx->async_pipe[1] = -1;
	rc = -hwqnic_dev_init(&ctx->dev, &user_ops, id);
	if (rc)
		goto free_ctx;
	if (pipe2(ctx->async_pipe, O_CLOEXEC | O_NONBLOCK)) {
		rc = errno;
		goto fini;
	}
	rc = hwqnic_stats_open(ctx);
	if (rc)
		goto fini;
	rc = engine_start(ctx);
	if (rc)
		goto stats;
	return ctx;

stats:
	hwqnic_stats_close(ctx);
fini:
	if (ctx->async_pipe[0] >= 0) {
		close(ctx->async_pipe[0]);
		close(ctx->async_pipe[1]);
	}
	hwqnic_dev_fini(&ctx->dev);
free_ctx:
	free(ctx);
	return uerr_ptr(rc);
}

/* Every object must have been destroyed: their memory is the caller's. */
int hwqnic_close(struct hwqnic_context *ctx)
{
	if (!ctx)
		return uerr(EINVAL);
	if (kern(ctx)) {
		hwqnic_kern_close(ctx);
		free(ctx);
		return 0;
	}
	WRITE_ONCE(ctx->stop, true);
	smp_mb();
	hwqnic_engine_kick(&ctx->dev);
	pthread_join(ctx->engine, NULL);
	hwqnic_stats_close(ctx);
	close(ctx->async_pipe[0]);
	close(ctx->async_pipe[1]);
	hwqnic_dev_fini(&ctx->dev);
	free(ctx);
	return 0;
}

const char *hwqnic_device_name(struct hwqnic_context *ctx)
{
	return ctx ? ctx->name : uerr_ptr(EINVAL);
}

int hwqnic_query_device(struct hwqnic_context *ctx,
			struct hwqnic_device_attr *attr)
{
	if (!ctx || !attr)
		return uerr(EINVAL);
	hwqnic_dev_query(attr);
	return 0;
}

int hwqnic_query_port(struct hwqnic_context *ctx, __u8 port,
		      struct hwqnic_port_attr *attr)
{
	if (!ctx || !attr || port != 1)
		return uerr(EINVAL);
	*attr = (struct hwqnic_port_attr) {
		.state = HWQNIC_PORT_ACTIVE,
		.max_mtu = HWQNIC_MTU,
		.active_mtu = HWQNIC_MTU,
		.max_msg_sz = HWQNIC_MAX_MSG,
	};
	return 0;
}

int hwqnic_async_fd(struct hwqnic_context *ctx)
{
	return ctx ? ctx->async_pipe[0] : -1;
}

/*
 * The next asynchronous event; EAGAIN when there is none (the fd is
 * non-blocking: poll(2) it). Events for objects destroyed since are skipped.
 */
int hwqnic_get_async_event(struct hwqnic_context *ctx,
			   struct hwqnic_async_event *event)
{
	struct async_rec r;
	struct hwqnic_core_cq *cq;
	struct hwqnic_core_qp *qp;

	if (!ctx || !event)
		return uerr(EINVAL);
	while (read(ctx->async_pipe[0], &r, sizeof(r)) == sizeof(r)) {
		cq = NULL;
		qp = NULL;
		hwqnic_lock(&ctx->dev.lock);
		if (r.type == HWQNIC_EVENT_CQ_ERR) {
			cq = r.handle < HWQNIC_MAX_CQ ? ctx->dev.cq[r.handle] :
							NULL;
			if (cq)
				event->element.cq =
					&container_of(cq, struct ucq, core)->pub;
		} else {
			qp = hwqnic_qp_lookup(&ctx->dev, r.handle);
			if (qp)
				event->element.qp =
					&container_of(qp, struct uqp, core)->pub;
		}
		hwqnic_unlock(&ctx->dev.lock);
		if (r.type == HWQNIC_EVENT_CQ_ERR ? !!cq : !!qp) {
			event->event_type = r.type;
			return 0;
		}
	}
	return uerr(EAGAIN);
}
