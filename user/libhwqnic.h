/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* libhwqnic internals: the public objects wrapped around the core's. */
#ifndef _LIBHWQNIC_H
#define _LIBHWQNIC_H

#include <stdlib.h>

#include <hwqnic/verbs.h>
#include <hwqnic/stats.h>

#include "engine.h"
#include "mr.h"

/* Every object of a context is on its list (hwqnic_close()). */
enum uobj_kind { UOBJ_PD, UOBJ_MR, UOBJ_CHANNEL, UOBJ_CQ, UOBJ_QP };

struct uobj {
	struct uobj *prev, *next;
	enum uobj_kind kind;
};

/* ctx->flags */
#define UCTX_FORKED	0x1	/* inherited across fork(): every verb fails */
#define UCTX_SHARED_CPU	0x2	/* the engine shares the caller's one CPU */

struct hwqnic_context {
	struct hwqnic_dev dev;
	/*
	 * What the hot paths check, with one load: set at open and, in a
	 * child, by the fork handler. It starts a line no engine writes.
	 */
	u32 flags ____cacheline_aligned;
	char name[32];
	/* the kernel backend: a context of /dev/hwqnic0, its engine there */
	int kfd;			/* -1: the embedded engine */
	void *dbp_map;
	size_t dbp_len;
	pthread_t engine;
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

static inline bool kern(const struct hwqnic_context *ctx)
{
	return ctx->kfd >= 0;
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
 * The kernel backend (kernel.c): each returns 0 or a negative errno and,
 * failing, leaves nothing behind.
 */
int hwqnic_kern_open(struct hwqnic_context *ctx,
		     const struct hwqnic_dev_ops *ops);
void hwqnic_kern_close(struct hwqnic_context *ctx);
int hwqnic_kern_alloc_pd(struct hwqnic_context *ctx, struct upd *pd);
int hwqnic_kern_dealloc_pd(struct hwqnic_context *ctx, struct upd *pd);
int hwqnic_kern_reg_mr(struct hwqnic_context *ctx, struct upd *pd,
		       struct umr *mr, void *addr, size_t length,
		       unsigned int access);
int hwqnic_kern_dereg_mr(struct hwqnic_context *ctx, struct umr *mr);
int hwqnic_kern_create_channel(struct hwqnic_context *ctx);
int hwqnic_kern_create_cq(struct hwqnic_context *ctx, struct ucq *cq,
			  int cqe, struct hwqnic_comp_channel *channel);
int hwqnic_kern_destroy_cq(struct hwqnic_context *ctx, struct ucq *cq);
int hwqnic_kern_create_qp(struct hwqnic_context *ctx, struct uqp *qp,
			  struct upd *pd, struct hwqnic_qp_init_attr *attr);
int hwqnic_kern_destroy_qp(struct hwqnic_context *ctx, struct uqp *qp);
int hwqnic_kern_modify_qp(struct hwqnic_context *ctx, struct uqp *qp,
			  const struct hwqnic_qp_attr *attr, int mask);
int hwqnic_kern_query_qp(struct hwqnic_context *ctx, struct uqp *qp,
			 struct hwqnic_qp_attr *attr);

/* Embedded MRs on kernels without MADV_POPULATE_* (verbs.c). */
int hwqnic_mem_check_maps(uintptr_t first, uintptr_t end, bool write);

struct hwqnic_stats_qp *hwqnic_stats_entry(struct hwqnic_context *ctx,
					   u32 qpn);
int hwqnic_stats_open(struct hwqnic_context *ctx);
void hwqnic_stats_close(struct hwqnic_context *ctx);

#endif /* _LIBHWQNIC_H */
