/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* libhwqnic internals: the public objects wrapped around the core's. */
#ifndef _LIBHWQNIC_H
#define _LIBHWQNIC_H

#include <hwqnic/verbs.h>
#include <hwqnic/stats.h>

#include "engine.h"
#include "mr.h"

struct hwqnic_context {
	struct hwqnic_dev dev;
	char name[32];
	pthread_t engine;
	bool stop;
	int async_pipe[2];		/* engine writes, get_async_event reads */
	struct hwqnic_stats_file *stats;
	size_t stats_size;
	char stats_path[64];		/* empty: not published */
};

struct upd {
	struct hwqnic_pd pub;
	struct hwqnic_core_pd core;
};

struct umr {
	struct hwqnic_mr pub;
	struct hwqnic_core_mr core;
};

struct uchannel {
	struct hwqnic_comp_channel pub;
	int wfd;			/* the engine's end */
	unsigned int users;		/* CQs; under dev.lock */
};

struct ucq {
	struct hwqnic_cq pub;
	struct hwqnic_core_cq core;
};

struct uqp {
	struct hwqnic_qp pub;
	struct hwqnic_core_qp core;
};

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

struct hwqnic_stats_qp *hwqnic_stats_entry(struct hwqnic_context *ctx,
					   u32 qpn);
int hwqnic_stats_open(struct hwqnic_context *ctx);
void hwqnic_stats_close(struct hwqnic_context *ctx);

#endif /* _LIBHWQNIC_H */
