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

static void *make_pd(struct hwqnic_context *ctx)
{
	return hwqnic_alloc_pd(ctx);
}

static int free_pd(void *pd)
{
	return hwqnic_dealloc_pd(pd);
}

static void *make_channel(struct hwqnic_context *ctx)
{
	return hwqnic_create_comp_channel(ctx);
}

static int free_channel(void *ch)
{
	return hwqnic_destroy_comp_channel(ch);
}

static void *make_cq(struct hwqnic_context *ctx)
{
	return hwqnic_create_cq(ctx, 4, NULL, NULL);
}

static int free_cq(void *cq)
{
	return hwqnic_destroy_cq(cq);
}

/* One object of each kind alone in its context. */
static bool alone(void)
{
	static const struct {
		const char *what, *gone;
		void *(*make)(struct hwqnic_context *ctx);
		int (*free)(void *obj);
	} kinds[] = {
		{ "a PD", "PD deallocated", make_pd, free_pd },
		{ "a completion channel", "channel destroyed", make_channel,
		  free_channel },
		{ "a CQ", "CQ destroyed", make_cq, free_cq },
	};
	struct hwqnic_context *ctx;
	unsigned int i;
	void *obj;

	for (i = 0; i < U_ARRAY_SIZE(kinds); i++) {
		ctx = open_ctx();
		obj = ctx ? kinds[i].make(ctx) : NULL;
		if (!ok(obj != NULL, "a context with %s", kinds[i].what))
			return false;
		if (!refused(ctx, kinds[i].what))
			return false;
		ok(!kinds[i].free(obj) && !hwqnic_close(ctx),
		   "%s, then the context closes", kinds[i].gone);
	}
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
