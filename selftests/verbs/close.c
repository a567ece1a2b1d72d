// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqnic_close() refuses with EBUSY, and changes nothing, while any PD,
 * MR, completion channel, CQ or QP of the context lives: each kind alone,
 * then all of them, taken away one by one with the device still working
 * after every refusal. Once the last object is gone the close succeeds.
 * A close that wrongly succeeds ends the test there: the objects it took
 * with it are not touched again.
 */
#include "../lib/helpers.h"

static uint64_t seed;

/* Expects hwqnic_close(ctx) to refuse; false if it closed it. */
static bool refused(struct hwqnic_context *ctx, const char *what)
{
	int rc, e;

	errno = 0;
	rc = hwqnic_close(ctx);
	e = errno;
	ok(rc == EBUSY && e == EBUSY, "close with %s: EBUSY", what);
	if (rc)
		return true;
	diag("  the context is gone: stopping here");
	return false;
}

static struct hwqnic_context *open_ctx(void)
{
	struct hwqnic_context *ctx = u_open(NULL);

	if (!ctx)
		diag("hwqnic_open: %s", strerror(errno));
	return ctx;
}

/* One object of each kind alone in its context. */
static bool alone(void)
{
	struct hwqnic_context *ctx;
	struct hwqnic_comp_channel *ch;
	struct hwqnic_pd *pd;
	struct hwqnic_cq *cq;

	ctx = open_ctx();
	pd = ctx ? hwqnic_alloc_pd(ctx) : NULL;
	if (!ok(pd != NULL, "a context with a PD"))
		return false;
	if (!refused(ctx, "a PD"))
		return false;
	ok(!hwqnic_dealloc_pd(pd) && !hwqnic_close(ctx),
	   "PD deallocated, then the context closes");

	ctx = open_ctx();
	ch = ctx ? hwqnic_create_comp_channel(ctx) : NULL;
	if (!ok(ch != NULL, "a context with a completion channel"))
		return false;
	if (!refused(ctx, "a completion channel"))
		return false;
	ok(!hwqnic_destroy_comp_channel(ch) && !hwqnic_close(ctx),
	   "channel destroyed, then the context closes");

	ctx = open_ctx();
	cq = ctx ? hwqnic_create_cq(ctx, 4, NULL, NULL) : NULL;
	if (!ok(cq != NULL, "a context with a CQ"))
		return false;
	if (!refused(ctx, "a CQ"))
		return false;
	ok(!hwqnic_destroy_cq(cq) && !hwqnic_close(ctx),
	   "CQ destroyed, then the context closes");
	return true;
}

/* Everything at once, then taken away kind by kind. */
static void all(void)
{
	struct hwqnic_comp_channel *ch = NULL;
	struct hwqnic_cq *cq = NULL;
	struct hwqnic_pd *pd = NULL;
	struct hwqnic_context *ctx;
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_buf b;
	const char *why;
	bool made;

	memset(&b, 0, sizeof(b));
	ctx = open_ctx();
	if (ctx) {
		pd = hwqnic_alloc_pd(ctx);
		ch = hwqnic_create_comp_channel(ctx);
		cq = ch ? hwqnic_create_cq(ctx, 4, NULL, ch) : NULL;
	}
	u_qp_cfg_default(&cfg);
	made = pd && cq && !u_pair_create(&p, pd, &cfg) &&
	       !u_buf_alloc(&b, pd, 4096, U_RC_ACCESS);
	if (!ok(made, "a context with a PD, an MR, a channel, CQs and QPs"))
		return;

	if (!refused(ctx, "all of them"))
		return;
	why = u_send_check(&p, u_sge(&b, 0, 64),
			   u_sge(&b, 2048, 64), 1, &seed);
	ok_why(why, "the QPs, CQs and MR still work");
	ok(!hwqnic_req_notify_cq(cq, 0), "the channel's CQ can still be armed");

	ok(!u_pair_destroy(&p), "QPs and their CQs destroyed");
	if (!refused(ctx, "a PD, an MR, a channel and its CQ"))
		return;
	ok(!hwqnic_destroy_cq(cq), "the channel's CQ destroyed");
	if (!refused(ctx, "a PD, an MR and a channel"))
		return;
	ok(!hwqnic_destroy_comp_channel(ch), "channel destroyed");
	if (!refused(ctx, "a PD and an MR"))
		return;
	u_buf_free(&b);
	if (!refused(ctx, "a PD"))
		return;
	ok(!hwqnic_dealloc_pd(pd), "PD deallocated");
	ok(!hwqnic_close(ctx), "with nothing left, the context closes");
}

static void suite(void)
{
	seed = tap_seed();
	if (alone())
		all();
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
