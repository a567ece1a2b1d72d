/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* libhwqnic internals: the public objects wrapped around the core's. */
#ifndef _LIBHWQNIC_H
#define _LIBHWQNIC_H

#include <stdlib.h>

#include <hwqnic/verbs.h>
#include <hwqnic/stats.h>

#include "engine.h"
#include "mr.h"
#include "port.h"	/* the core's: paths and AHs */

/* Every object of a context is on its list (hwqnic_close()). */
enum uobj_kind { UOBJ_PD, UOBJ_MR, UOBJ_CHANNEL, UOBJ_CQ, UOBJ_QP, UOBJ_AH };

struct uobj {
	struct uobj *prev, *next;
	enum uobj_kind kind;
};

/* ctx->flags */
#define UCTX_FORKED	0x1	/* inherited across fork(): every verb fails */
#define UCTX_SHARED_CPU	0x2	/* the engine shares the caller's one CPU */

struct hwqnic_backend_ops;

struct hwqnic_context {
	struct hwqnic_dev dev;
	/*
	 * What the hot paths check, with one load: set at open and, in a
	 * child, by the fork handler. It starts a line no engine writes.
	 */
	u32 flags ____cacheline_aligned;
	bool debug;			/* HWQNIC_DEBUG, read at open */
	char name[32];
	const struct hwqnic_backend_ops *be;	/* chosen at open */
	/* a backend's open that failed: why, a static sentence */
	const char *open_why;
	/* the kernel backend: a context of /dev/hwqnic0, its engine there */
	int kfd;
	void *dbp_map;
	size_t dbp_len;
	/* the embedded backend: the engine thread */
	pthread_t engine;
	/* the netdev to bind to while opening (embedded), or NULL */
	const char *netdev;
	struct uport *port;		/* bound: port_bind.c; else NULL */
	bool stop;
	int async_pipe[2];		/* engine writes, get_async_event reads */
	struct hwqnic_stats_file *stats;
	size_t stats_size;
	char stats_path[64];		/* empty: not published */
	/* the process's open contexts, for the fork handler (device.c) */
	struct hwqnic_context *reg_prev, *reg_next;
	pthread_mutex_t objs_lock;	/* objs; taken across fork() */
	struct uobj objs;		/* list head */
};

/* A queue's pages as mapped from hwqnic.ko. */
struct kmap {
	void *va;
	size_t len;
};

struct upd {
	struct hwqnic_pd pub;
	struct uobj obj;
	struct hwqnic_core_pd core;
	unsigned int ahs;		/* its AHs, atomic: dealloc is EBUSY */
};

/*
 * An address handle. One naming another node has the core's AH (its
 * handle is what a WQE carries); one naming this device has handle 0,
 * which the engine reads as "a QP of this device".
 */
struct uah {
	struct hwqnic_ah pub;
	struct uobj obj;
	bool wire;
	struct hwqnic_core_ah core;
};

struct umr {
	struct hwqnic_mr pub;
	struct uobj obj;
	struct hwqnic_core_mr core;
};

struct uchannel {
	struct hwqnic_comp_channel pub;
	struct uobj obj;
	int wfd;			/* the engine's end */
	unsigned int users;		/* CQs; under dev.lock */
};

struct ucq {
	struct hwqnic_cq pub;
	struct uobj obj;
	struct hwqnic_core_cq core;
	struct kmap map;
};

struct uqp {
	struct hwqnic_qp pub;
	struct uobj obj;
	struct hwqnic_core_qp core;
	struct kmap sq_map, rq_map;
	struct hwqnic_ah_attr av;	/* as HWQNIC_QP_AV gave it; query */
};

/*
 * A zeroed object holding core structures, which keep the engine's fields
 * and the host's on cache lines of their own: it must start on a line,
 * and calloc() promises only 16 bytes. Freed with free().
 */
static inline void *uzalloc(size_t size)
{
	size_t n = (size + 63) & ~(size_t)63;
	void *p = aligned_alloc(64, n);

	if (p)
		memset(p, 0, n);
	return p;
}

/* A failed call sets errno and returns the error; see verbs.h. */
static inline int uerr(int err)
{
	errno = err;
	return err;
}

static inline void *uerr_ptr(int err)
{
	errno = err;
	return NULL;
}

/*
 * HWQNIC_DEBUG (device.c): a call failing on a context opened with it
 * prints one line on stderr, "fn: why (ENAME)", then sets errno. The
 * line is formatted only then: unset, a failure costs one test more.
 */
int hwqnic_debug_err(const char *fn, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), cold));

/*
 * uerr(err), saying why under HWQNIC_DEBUG; ctx may be NULL. The _in
 * forms name the verb fn: a helper that two verbs share.
 */
#define uerr_why_in(fn, ctx, err, ...)					\
	((ctx) && unlikely((ctx)->debug) ?				\
	 hwqnic_debug_err((fn), (err), __VA_ARGS__) : uerr(err))
#define uerr_why(ctx, err, ...)	uerr_why_in(__func__, ctx, err, __VA_ARGS__)
#define uerr_ptr_why_in(fn, ctx, err, ...)				\
	(uerr_why_in(fn, ctx, err, __VA_ARGS__), (void *)NULL)
#define uerr_ptr_why(ctx, err, ...)					\
	uerr_ptr_why_in(__func__, ctx, err, __VA_ARGS__)

/* Why a backend refused to make or free an object (names.c). */
const char *hwqnic_be_why(int err);
/* "HWQNIC_QP_DEST_QPN" for that bit of the attribute mask (names.c) */
const char *hwqnic_qp_attr_name(unsigned int bit);

/*
 * How the embedded engine's events name a CQ: its handle and, above it,
 * its serial, so that a CQ destroyed with events undelivered is never
 * taken for a later one given its handle. (hwqnic.ko drops such events
 * instead: its records are bare handles, and CQs attached to it have
 * serial 0.)
 */
#define UCQ_HANDLE_BITS	12
HWQNIC_STATIC_ASSERT(HWQNIC_MAX_CQ == 1U << UCQ_HANDLE_BITS, "handle bits");

static inline u32 ucq_token(const struct hwqnic_core_cq *cq)
{
	return cq->handle | cq->serial << UCQ_HANDLE_BITS;
}

/* The CQ an event names, if it is still the one; dev->lock held. */
static inline struct hwqnic_core_cq *ucq_by_token(struct hwqnic_dev *dev,
						  u32 token)
{
	struct hwqnic_core_cq *cq = dev->cq[token % HWQNIC_MAX_CQ];

	return cq && ucq_token(cq) == token ? cq : NULL;
}

/*
 * A context this process inherited across fork(): its engine, queues and
 * kernel context are the parent's, so every verb refuses it (verbs.h).
 */
static inline bool uctx_forked(const struct hwqnic_context *ctx)
{
	return unlikely(ctx->flags & UCTX_FORKED);
}

void hwqnic_obj_add(struct hwqnic_context *ctx, struct uobj *o,
		    enum uobj_kind kind);
void hwqnic_obj_del(struct hwqnic_context *ctx, struct uobj *o);

/*
 * A backend: where the engine runs and who makes the objects. The
 * embedded one (embedded.c) runs the engine on a thread of the process
 * and calls the core; the kernel one (kernel.c) asks hwqnic.ko, which
 * runs it, and attaches the core's host side to the queues it maps.
 * Posting and polling are the core's in both. The verbs (verbs.c,
 * device.c) check their arguments, then call these, which return 0 or a
 * negative errno and, failing, leave nothing behind.
 */
struct hwqnic_backend_ops {
	/*
	 * Whether the engine shares the CPU of the thread opening the
	 * device, when HWQNIC_SHARED_CPU does not say (shared-CPU mode).
	 */
	int (*shared_cpu)(bool *shared, const char **why);
	/*
	 * ctx->dev and its engine: name is the caller's, checked, or NULL.
	 * Failing, ctx->open_why may say why.
	 */
	int (*open)(struct hwqnic_context *ctx, const char *name,
		    const struct hwqnic_dev_ops *dev_ops);
	/* every object is gone: stops the engine, frees the device */
	void (*close)(struct hwqnic_context *ctx);

	int (*alloc_pd)(struct hwqnic_context *ctx, struct upd *pd);
	int (*dealloc_pd)(struct hwqnic_context *ctx, struct upd *pd);
	/* [addr, addr + length), which the verb has checked, for mr->core */
	int (*reg_mr)(struct hwqnic_context *ctx, struct upd *pd,
		      struct umr *mr, void *addr, size_t length,
		      unsigned int access);
	int (*dereg_mr)(struct hwqnic_context *ctx, struct umr *mr);
	/* ch->pub.fd, which the CQs' events are read from, and ch->wfd */
	int (*create_channel)(struct hwqnic_context *ctx,
			      struct uchannel *ch);
	/* cq->pub is filled in but for its handle */
	int (*create_cq)(struct hwqnic_context *ctx, struct ucq *cq, int cqe,
			 u32 flags);
	int (*destroy_cq)(struct hwqnic_context *ctx, struct ucq *cq);
	/* attr->cap: what was granted */
	int (*create_qp)(struct hwqnic_context *ctx, struct uqp *qp,
			 struct upd *pd, struct hwqnic_qp_init_attr *attr);
	int (*destroy_qp)(struct hwqnic_context *ctx, struct uqp *qp);
	int (*modify_qp)(struct hwqnic_context *ctx, struct uqp *qp,
			 const struct hwqnic_qp_attr *attr, int mask);
	int (*query_qp)(struct hwqnic_context *ctx, struct uqp *qp,
			struct hwqnic_qp_attr *attr);

	/*
	 * Shared-CPU mode: one pass of the engine on the polling thread;
	 * whether it did anything. NULL: the engine is not in this process.
	 */
	bool (*engine_poll)(struct hwqnic_context *ctx);

	/*
	 * hwqnic_close() of a context this process inherited (device.c):
	 * the child's copies of an MR (NULL: it has none of its own), of a
	 * queue and of the context's descriptors. No engine to stop, no
	 * ioctl, none of the core's locks.
	 */
	void (*inherited_mr)(struct hwqnic_context *ctx, struct umr *mr);
	void (*inherited_queue)(struct hwqnic_context *ctx,
				struct hwqnic_hwq *q);
	void (*inherited_close)(struct hwqnic_context *ctx);
};

extern const struct hwqnic_backend_ops hwqnic_embedded_backend;
extern const struct hwqnic_backend_ops hwqnic_kernel_backend;

/* The 4 KiB pages under [addr, addr + length), which must not wrap. */
static inline u64 hwqnic_mr_npages(const void *addr, size_t length)
{
	uintptr_t first = (uintptr_t)addr & ~(uintptr_t)4095;

	return ((uintptr_t)addr + length - first + 4095) >> 12;
}

/* Embedded MRs on kernels without MADV_POPULATE_* (embedded.c). */
int hwqnic_mem_check_maps(uintptr_t first, uintptr_t end, bool write);

/*
 * The port (port_bind.c): bound by the embedded backend's open, before the
 * engine starts, unbound after it stopped. Failing, ctx->open_why says why.
 */
int hwqnic_port_bind(struct hwqnic_context *ctx, const char *netdev);
void hwqnic_port_unbind(struct hwqnic_context *ctx);
/* hwqnic_query_port() and hwqnic_query_gid() of a bound device */
int hwqnic_port_query(struct hwqnic_context *ctx,
		      struct hwqnic_port_attr *attr);
int hwqnic_port_gid(struct hwqnic_context *ctx, int index,
		    union hwqnic_gid *gid, u32 *len);
/*
 * For a QP's or an AH's path to dgid: the port's MAC, and the next hop's
 * from the kernel's neighbour table, resolved if missing within
 * timeout_ms. 0 or a negative errno: -ENODEV (no port), -ENETUNREACH
 * (no route through the netdev), -EHOSTUNREACH, -ETIMEDOUT.
 */
int hwqnic_port_resolve(struct hwqnic_context *ctx, const u8 dgid[16],
			u8 smac[6], u8 dmac[6], u32 timeout_ms);

/*
 * An address vector checked and, when it names another node, turned into
 * the core's path (port_bind.c): 0 with *wire false for a QP of this
 * device, or a positive errno said under HWQNIC_DEBUG as fn's. lqpn and
 * rqpn make the UDP source port.
 */
int hwqnic_av_path(struct hwqnic_context *ctx, const char *fn,
		   const struct hwqnic_ah_attr *av, u32 lqpn, u32 rqpn,
		   struct hwqnic_path *path, bool *wire);

struct hwqnic_stats_qp *hwqnic_stats_entry(struct hwqnic_context *ctx,
					   u32 qpn);
/* len bytes of __u64 counters, each word read whole (relaxed). */
void hwqnic_copy_counters(void *dst, const void *src, size_t len);
/* The file is made, then bound (a netdev's device), then published: ready. */
int hwqnic_stats_open(struct hwqnic_context *ctx);
void hwqnic_stats_bound(struct hwqnic_context *ctx, const char *netdev);
void hwqnic_stats_ready(struct hwqnic_context *ctx);
void hwqnic_stats_close(struct hwqnic_context *ctx);

#endif /* _LIBHWQNIC_H */
