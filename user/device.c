// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libhwqnic devices: open (which picks the backend) and close, the
 * process's contexts across fork(), and the events the engine raises
 * (completion channels, asynchronous events).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
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
	u32 token;
	ssize_t rc;

	(void)dev;
	if (!ucq->pub.channel)
		return;
	ch = container_of(ucq->pub.channel, struct uchannel, pub);
	token = ucq_token(cq);
	rc = write(ch->wfd, &token, sizeof(token));
	(void)rc;
}

/* Under dev->lock, as the engine raises it: a CQ is named by its token. */
static void ops_async_event(struct hwqnic_dev *dev, u32 type, u32 handle)
{
	struct hwqnic_context *ctx = container_of(dev, struct hwqnic_context,
						  dev);
	struct async_rec r = { type, handle };
	ssize_t rc;

	if (type == HWQNIC_EVENT_CQ_ERR)
		r.handle = ucq_token(dev->cq[handle]);
	rc = write(ctx->async_pipe[1], &r, sizeof(r));
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

static struct hwqnic_qp_wire_counters *
ops_qp_wire_counters(struct hwqnic_dev *dev, u32 qpn)
{
	struct hwqnic_context *ctx = container_of(dev, struct hwqnic_context,
						  dev);
	struct hwqnic_stats_qp *e = hwqnic_stats_entry(ctx, qpn);

	memset(&e->w, 0, sizeof(e->w));
	return &e->w;
}

/* A polled error completion: the QP is in ERR, as the user sees it. */
static void ops_qp_error(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp)
{
	struct hwqnic_context *ctx = container_of(dev, struct hwqnic_context,
						  dev);

	container_of(qp, struct uqp, core)->pub.state = HWQNIC_QPS_ERR;
	hwqnic_stats_entry(ctx, qp->qpn)->state = HWQNIC_QPS_ERR;
}

/*
 * The process's open contexts. fork() copies every context into the child
 * but no engine thread, no queue the kernel's engine reads for it: the
 * child handler marks them all, and every verb on one of them fails
 * (uctx_forked()). The list and each context's object list are held across
 * fork(), so the child's copies are whole.
 */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hwqnic_context *reg_head;
static pthread_once_t reg_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
	struct hwqnic_context *c;

	pthread_mutex_lock(&reg_lock);
	for (c = reg_head; c; c = c->reg_next)
		pthread_mutex_lock(&c->objs_lock);
}

static void fork_parent(void)
{
	struct hwqnic_context *c;

	for (c = reg_head; c; c = c->reg_next)
		pthread_mutex_unlock(&c->objs_lock);
	pthread_mutex_unlock(&reg_lock);
}

static void fork_child(void)
{
	struct hwqnic_context *c;

	for (c = reg_head; c; c = c->reg_next) {
		c->flags |= UCTX_FORKED;
		pthread_mutex_unlock(&c->objs_lock);
	}
	pthread_mutex_unlock(&reg_lock);
}

static void reg_init(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static void reg_add(struct hwqnic_context *ctx)
{
	pthread_mutex_lock(&reg_lock);
	ctx->reg_prev = NULL;
	ctx->reg_next = reg_head;
	if (reg_head)
		reg_head->reg_prev = ctx;
	reg_head = ctx;
	pthread_mutex_unlock(&reg_lock);
}

static void reg_del(struct hwqnic_context *ctx)
{
	pthread_mutex_lock(&reg_lock);
	if (ctx->reg_prev)
		ctx->reg_prev->reg_next = ctx->reg_next;
	else
		reg_head = ctx->reg_next;
	if (ctx->reg_next)
		ctx->reg_next->reg_prev = ctx->reg_prev;
	pthread_mutex_unlock(&reg_lock);
}

void hwqnic_obj_add(struct hwqnic_context *ctx, struct uobj *o,
		    enum uobj_kind kind)
{
	o->kind = kind;
	pthread_mutex_lock(&ctx->objs_lock);
	o->prev = &ctx->objs;
	o->next = ctx->objs.next;
	ctx->objs.next->prev = o;
	ctx->objs.next = o;
	pthread_mutex_unlock(&ctx->objs_lock);
}

void hwqnic_obj_del(struct hwqnic_context *ctx, struct uobj *o)
{
	pthread_mutex_lock(&ctx->objs_lock);
	o->prev->next = o->next;
	o->next->prev = o->prev;
	pthread_mutex_unlock(&ctx->objs_lock);
}

static const struct hwqnic_dev_ops user_ops = {
	.qp_counters = ops_qp_counters,
	.qp_wire_counters = ops_qp_wire_counters,
	.qp_error = ops_qp_error,
	.cq_event = ops_cq_event,
	.async_event = ops_async_event,
};

int hwqnic_debug_err(const char *fn, int err, const char *fmt, ...)
{
	const char *name = strerrorname_np(err);
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s (%s)\n", fn, why, name ? name : "?");
	errno = err;
	return err;
}

/*
 * A string from the environment or the caller, for a message: at most 40
 * bytes, anything but printable ASCII as '?'.
 */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i < len - 1; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

#define PRINTABLE(s)	printable((s), (char[41]){ 0 }, 41)

/*
 * Whether the engine and the thread opening the device share one CPU.
 * HWQNIC_SHARED_CPU=1 or 0 says so; unset, a device bound to a netdev
 * does (its poller handles the frames that arrive for it, with no wake of
 * another thread: two busy processes on one host, as in a two-process
 * test, otherwise take turns at scheduler granularity); else the backend
 * knows where its engine runs. Failing, *why names the variable at fault.
 */
static int shared_cpu(const struct hwqnic_backend_ops *be, bool bound,
		      bool *shared, const char **why)
{
	const char *env = getenv("HWQNIC_SHARED_CPU");

	*shared = false;
	if (env && *env) {
		if (strcmp(env, "0") && strcmp(env, "1")) {
			*why = "HWQNIC_SHARED_CPU takes 1 (on) or 0 (off)";
			return EINVAL;
		}
		*shared = *env == '1';
		return 0;
	}
	if (bound) {
		*shared = true;
		return 0;
	}
	return -be->shared_cpu(shared, why);
}

#define DELAY_MAX_NS	10000000UL
#define DELAY_WHY	"HWQNIC_INJECT_DELAY_NS takes a delay in ns (0 to 10000000)"

/*
 * HWQNIC_INJECT_DELAY_NS=N: fault injection, the embedded engine waits N ns
 * after fetching each send WQE (docs/engine.md). Unset or empty: 0. The
 * kernel backend's engine is hwqnic.ko's, which has no such knob.
 */
static int inject_delay(const struct hwqnic_backend_ops *be, u64 *ns,
			const char **why)
{
	const char *env = getenv("HWQNIC_INJECT_DELAY_NS");
	unsigned long long v;
	char *end;

	*ns = 0;
	if (!env || !*env)
		return 0;
	errno = 0;
	v = strtoull(env, &end, 10);
	if (*env < '0' || *env > '9' || errno || *end || v > DELAY_MAX_NS) {
		*why = DELAY_WHY;
		return EINVAL;
	}
	if (v && be == &hwqnic_kernel_backend) {
		*why = "HWQNIC_INJECT_DELAY_NS: the embedded backend's only";
		return EINVAL;
	}
	*ns = v;
	return 0;
}

#define BACKEND_WHY	"HWQNIC_BACKEND takes embedded or kernel"

/*
 * The backend the flags name (EMBEDDED or KERNEL), else HWQNIC_BACKEND;
 * *env is then the variable's value.
 */
static int pick_backend(unsigned int flags,
			const struct hwqnic_backend_ops **be,
			const char **env)
{
	*env = getenv("HWQNIC_BACKEND");
	if (flags & ~(HWQNIC_OPEN_EMBEDDED | HWQNIC_OPEN_KERNEL) ||
	    flags == (HWQNIC_OPEN_EMBEDDED | HWQNIC_OPEN_KERNEL))
		return EINVAL;
	if (flags) {
		*env = NULL;
	} else {
		if (!*env || !**env || !strcmp(*env, "embedded"))
			flags = HWQNIC_OPEN_EMBEDDED;
		else if (!strcmp(*env, "kernel"))
			flags = HWQNIC_OPEN_KERNEL;
		else
			return EINVAL;
	}
	*be = flags == HWQNIC_OPEN_KERNEL ? &hwqnic_kernel_backend :
					    &hwqnic_embedded_backend;
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

/* HWQNIC_DEBUG: set, not empty and not "0". */
static bool debug_env(void)
{
	const char *env = getenv("HWQNIC_DEBUG");

	return env && *env && strcmp(env, "0");
}

/*
 * hwqnic_open() failing: a line on stderr when HWQNIC_DEBUG asks, or
 * always when the environment is the cause (a variable's value, or the
 * backend HWQNIC_BACKEND chose that is not there), which no caller's
 * message could name.
 */
static void *open_fail(bool say, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void *open_fail(bool say, int err, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (say) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		hwqnic_debug_err("hwqnic_open", err, "%s", why);
	}
	return uerr_ptr(err);
}

/*
 * Opens a device; netdev (the caller's, or HWQNIC_NETDEV's when
 * netdev_env) binds it to that netdev, or NULL.
 */
static struct hwqnic_context *open_dev(const char *name, const char *netdev,
				       bool netdev_env, unsigned int flags)
{
	const struct hwqnic_backend_ops *be;
	bool debug = debug_env(), shared;
	const char *env, *why = NULL;
	struct hwqnic_context *ctx;
	u64 delay_ns;
	int rc;

	rc = pick_backend(flags, &be, &env);
	if (rc && env)
		return open_fail(true, rc, "HWQNIC_BACKEND=%s: " BACKEND_WHY,
				 PRINTABLE(env));
	if (rc)
		return open_fail(debug, rc, "flags 0x%x: HWQNIC_OPEN_EMBEDDED "
				 "or HWQNIC_OPEN_KERNEL, or neither", flags);
	if (name && !name_ok(name))
		return open_fail(debug, EINVAL, "name \"%s\": 1 to %d ASCII "
				 "letters, digits, '.', '_' or '-', not "
				 "starting with '.'", PRINTABLE(name),
				 HWQNIC_NAME_MAX);
	if (netdev && be == &hwqnic_kernel_backend)
		return open_fail(debug || netdev_env, EOPNOTSUPP,
				 "%s%s: the kernel backend has no port; "
				 "netdevs are the embedded backend's",
				 netdev_env ? "HWQNIC_NETDEV=" : "netdev ",
				 PRINTABLE(netdev));
	rc = shared_cpu(be, netdev && *netdev, &shared, &why);
	if (rc)
		return open_fail(debug || why, rc, "%s",
				 why ? why : "cannot tell the engine's CPU");
	rc = inject_delay(be, &delay_ns, &why);
	if (rc)
		return open_fail(true, rc, "%s", why);
	rc = pthread_once(&reg_once, reg_init);
	if (rc)
		return open_fail(debug, rc, "pthread_once");

	ctx = uzalloc(sizeof(*ctx));
	if (!ctx)
		return open_fail(debug, ENOMEM, "out of memory");
	ctx->be = be;
	ctx->flags = shared ? UCTX_SHARED_CPU : 0;
	ctx->debug = debug;
	ctx->dev.delay_ns = delay_ns;
	ctx->netdev = netdev;
	ctx->objs.next = ctx->objs.prev = &ctx->objs;
	rc = pthread_mutex_init(&ctx->objs_lock, NULL);
	if (rc)
		goto free_ctx;
	rc = -be->open(ctx, name, &user_ops);
	ctx->netdev = NULL;
	if (rc) {
		pthread_mutex_destroy(&ctx->objs_lock);
		goto free_ctx;
	}
	/* the tracer's requests: read by the posters, only while traced */
	ctx->dev.sample_ctl = &ctx->stats->sample_ctl;
	reg_add(ctx);
	return ctx;
free_ctx:
	why = ctx->open_why;
	free(ctx);
	/* HWQNIC_NETDEV named the netdev that cannot be bound */
	if (netdev_env && why && strncmp(why, "HWQNIC_", 7))
		return open_fail(true, rc, "HWQNIC_NETDEV=%s: %s",
				 PRINTABLE(netdev), why);
	/* HWQNIC_BACKEND chose the backend that is not there */
	if (env && be == &hwqnic_kernel_backend)
		return open_fail(true, rc, "HWQNIC_BACKEND=%s: %s",
				 PRINTABLE(env),
				 why ? why : "the backend cannot open");
	/* a reason that starts with a variable's name is its value's */
	if (why && !strncmp(why, "HWQNIC_", 7))
		return open_fail(true, rc, "%s", why);
	return open_fail(debug, rc, "%s backend: %s",
			 be == &hwqnic_kernel_backend ? "kernel" : "embedded",
			 why ? why : "cannot open the device");
}

/* HWQNIC_NETDEV=NAME binds the device to that netdev; empty: none. */
struct hwqnic_context *hwqnic_open(const char *name, unsigned int flags)
{
	const char *netdev = getenv("HWQNIC_NETDEV");

	if (netdev && !*netdev)
		netdev = NULL;
	return open_dev(name, netdev, !!netdev, flags);
}

struct hwqnic_context *hwqnic_open_netdev(const char *name,
					  const char *netdev,
					  unsigned int flags)
{
	if (!netdev)
		return open_fail(debug_env(), EINVAL,
				 "netdev NULL: hwqnic_open() opens a device "
				 "without one");
	return open_dev(name, netdev, false, flags);
}

/*
 * The child's copy of an object of an inherited context: its memory, and
 * its descriptors. The kernel backend's queue mappings are not inherited
 * (hwqnic.ko maps them VM_DONTCOPY): the addresses may be the child's
 * own mappings by now, so they are left alone.
 */
static void free_inherited(struct hwqnic_context *ctx, struct uobj *o)
{
	const struct hwqnic_backend_ops *be = ctx->be;
	struct uchannel *ch;
	struct umr *mr;
	struct ucq *cq;
	struct uqp *qp;

	switch (o->kind) {
	case UOBJ_PD:
		free(container_of(o, struct upd, obj));
		break;
	case UOBJ_MR:
		mr = container_of(o, struct umr, obj);
		if (be->inherited_mr)
			be->inherited_mr(ctx, mr);
		free(mr);
		break;
	case UOBJ_CHANNEL:
		ch = container_of(o, struct uchannel, obj);
		close(ch->pub.fd);
		if (ch->wfd >= 0)
			close(ch->wfd);
		free(ch);
		break;
	case UOBJ_CQ:
		cq = container_of(o, struct ucq, obj);
		be->inherited_queue(ctx, &cq->core.hwq);
		free(cq);
		break;
	case UOBJ_QP:
		qp = container_of(o, struct uqp, obj);
		be->inherited_queue(ctx, &qp->core.sq);
		be->inherited_queue(ctx, &qp->core.rq);
		free(qp);
		break;
	case UOBJ_AH:
		free(container_of(o, struct uah, obj));
		break;
	}
}

/*
 * hwqnic_close() in a child of the process that opened ctx: the child's
 * copies of the context and of every object go, and its descriptors. The
 * parent's engine, kernel context and stats file stay; the child has no
 * engine to stop, and takes none of the core's locks, which a thread of
 * the parent may have held at fork().
 */
static void close_inherited(struct hwqnic_context *ctx)
{
	struct uobj *o, *next;

	for (o = ctx->objs.next; o != &ctx->objs; o = next) {
		next = o->next;
		free_inherited(ctx, o);
	}
	ctx->be->inherited_close(ctx);
	munmap(ctx->stats, ctx->stats_size);
	hwqnic_dev_fini(&ctx->dev);
	reg_del(ctx);
	pthread_mutex_destroy(&ctx->objs_lock);
	free(ctx);
}

/*
 * EBUSY while any object of the context lives: its memory is the
 * library's and the caller still holds it, as libibverbs' close refuses.
 */
int hwqnic_close(struct hwqnic_context *ctx)
{
	bool busy;

	if (!ctx)
		return uerr(EINVAL);
	if (uctx_forked(ctx)) {
		close_inherited(ctx);
		return 0;
	}
	pthread_mutex_lock(&ctx->objs_lock);
	busy = ctx->objs.next != &ctx->objs;
	pthread_mutex_unlock(&ctx->objs_lock);
	if (busy)
		return uerr_why(ctx, EBUSY, "%s: PDs, AHs, MRs, channels, CQs "
				"or QPs of the context still exist", ctx->name);
	reg_del(ctx);
	ctx->be->close(ctx);
	pthread_mutex_destroy(&ctx->objs_lock);
	free(ctx);
	return 0;
}

const char *hwqnic_device_name(struct hwqnic_context *ctx)
{
	if (!ctx)
		return uerr_ptr(EINVAL);
	return uctx_forked(ctx) ? uerr_ptr(EPERM) : ctx->name;
}

int hwqnic_shared_cpu(struct hwqnic_context *ctx, int *shared)
{
	if (!ctx || !shared)
		return uerr(EINVAL);
	if (uctx_forked(ctx))
		return uerr(EPERM);
	*shared = !!(ctx->flags & UCTX_SHARED_CPU);
	return 0;
}

int hwqnic_query_device(struct hwqnic_context *ctx,
			struct hwqnic_device_attr *attr)
{
	if (!ctx || !attr)
		return uerr(EINVAL);
	if (uctx_forked(ctx))
		return uerr(EPERM);
	hwqnic_dev_query(attr);
	return 0;
}

/*
 * The arguments every port query (fn) has: 0, or the error to return,
 * said in fn's name under HWQNIC_DEBUG.
 */
static int port_args(const char *fn, struct hwqnic_context *ctx, __u8 port,
		     const void *out)
{
	if (!ctx || !out)
		return uerr(EINVAL);
	if (port != 1)
		return unlikely(ctx->debug) ?
		       hwqnic_debug_err(fn, EINVAL, "port %u: a device has "
					"port 1 only", port) : uerr(EINVAL);
	return uctx_forked(ctx) ? uerr(EPERM) : 0;
}

void hwqnic_copy_counters(void *dst, const void *src, size_t len)
{
	const __u64 *from = src;
	__u64 *to = dst;
	size_t i;

	/* each word whole: the engine goes on counting meanwhile */
	for (i = 0; i < len / sizeof(*to); i++)
		to[i] = READ_ONCE(from[i]);
}

int hwqnic_query_port_counters(struct hwqnic_context *ctx, __u8 port,
			       struct hwqnic_wire_counters *counters)
{
	int rc = port_args(__func__, ctx, port, counters);

	if (rc)
		return rc;
	hwqnic_copy_counters(counters, &ctx->stats->wire, sizeof(*counters));
	return 0;
}

int hwqnic_query_port(struct hwqnic_context *ctx, __u8 port,
		      struct hwqnic_port_attr *attr)
{
	int rc = port_args(__func__, ctx, port, attr);

	if (rc)
		return rc;
	*attr = (struct hwqnic_port_attr) {
		.state = HWQNIC_PORT_ACTIVE,
		.max_mtu = HWQNIC_MTU,
		.active_mtu = HWQNIC_MTU,
		.max_msg_sz = HWQNIC_MAX_MSG,
	};
	rc = ctx->port ? -hwqnic_port_query(ctx, attr) : 0;
	if (rc)
		return uerr_why(ctx, rc, "%s: cannot read the netdev",
				ctx->name);
	return 0;
}

/*
 * The GID table is the netdev's addresses as they are now: IPv4 ones
 * (IPv4-mapped) first, then IPv6 ones. A device without a port has none.
 */
int hwqnic_query_gid(struct hwqnic_context *ctx, __u8 port, int index,
		     union hwqnic_gid *gid)
{
	int rc = port_args(__func__, ctx, port, gid);
	u32 n = 0;

	if (rc)
		return rc;
	rc = ctx->port ? -hwqnic_port_gid(ctx, index, gid, &n) : EINVAL;
	if (rc == EINVAL)
		return uerr_why(ctx, EINVAL, "index %d: the GID table has %u "
				"entries%s", index, n, ctx->port ? "" :
				" (no netdev: hwqnic_open_netdev())");
	if (rc)
		return uerr_why(ctx, rc, "%s: cannot read the netdev's "
				"addresses", ctx->name);
	return 0;
}

int hwqnic_async_fd(struct hwqnic_context *ctx)
{
	if (!ctx) {
		errno = EINVAL;
		return -1;
	}
	if (uctx_forked(ctx)) {
		errno = EPERM;
		return -1;
	}
	return ctx->async_pipe[0];
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
	if (uctx_forked(ctx))
		return uerr(EPERM);
	while (read(ctx->async_pipe[0], &r, sizeof(r)) == sizeof(r)) {
		cq = NULL;
		qp = NULL;
		hwqnic_lock(&ctx->dev.lock);
		if (r.type == HWQNIC_EVENT_CQ_ERR) {
			cq = ucq_by_token(&ctx->dev, r.handle);
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
