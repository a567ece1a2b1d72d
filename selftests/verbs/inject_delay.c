// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * HWQNIC_INJECT_DELAY_NS=D: the embedded engine waits D ns after fetching
 * each send WQE, before executing it. Every single WR's post-to-completion
 * time is then at least D, and a chain of K WRs rung at once takes at
 * least K * D (the delay is per WR, not per doorbell): lower bounds, which
 * hold however slow or loaded the machine is. The value is read once, at
 * open, into the context: changing the variable afterwards changes
 * nothing, and a context opened with it unset or 0 works as before. Bad
 * values are refused in selftests/verbs/debug.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../lib/helpers.h"

#define DELAY_NS	500000ULL	/* 0.5 ms: far above a WR's own time */
#define CHAIN		8

static struct u_dev dev;

/* One signaled 8-byte RDMA WRITE on p, posted to completion: ns, 0 if failed */
static uint64_t one_write(struct u_pair *p, struct u_buf *b, uint64_t id)
{
	struct hwqnic_sge s = u_sge(b, 0, 8);
	uint64_t t0 = u_now_ns();
	const char *why;

	if (u_post_send(p->a.qp, HWQNIC_WR_RDMA_WRITE, id, &s, 1,
			HWQNIC_SEND_SIGNALED, u_addr(b, 4096), b->mr->rkey, 0))
		why = "post_send failed";
	else
		why = u_expect_wc(p->a.scq, id, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RDMA_WRITE, 8, p->a.qp->qp_num,
				  NULL);
	if (why) {
		diag("wr_id %llu: %s", (unsigned long long)id, why);
		return 0;
	}
	return u_now_ns() - t0;
}

/* K signaled writes in one post, all completions: ns, 0 if failed */
static uint64_t chain(struct u_pair *p, struct u_buf *b)
{
	struct hwqnic_send_wr wr[CHAIN], *bad;
	struct hwqnic_sge s = u_sge(b, 0, 8);
	struct hwqnic_wc wc[CHAIN];
	uint64_t t0;
	int i, n;

	u_write_chain(wr, CHAIN, &s, 100, HWQNIC_SEND_SIGNALED, u_addr(b, 4096),
		      b->mr->rkey);
	t0 = u_now_ns();
	if (hwqnic_post_send(p->a.qp, wr, &bad))
		return 0;
	n = u_wait_cq(p->a.scq, CHAIN, wc);
	for (i = 0; i < n; i++)
		if (u_wc_check(&wc[i], 100 + i, HWQNIC_WC_SUCCESS,
			       HWQNIC_WC_RDMA_WRITE, 8, 0))
			return 0;
	return n == CHAIN ? u_now_ns() - t0 : 0;
}

/*
 * Opens a device with HWQNIC_INJECT_DELAY_NS=val (NULL: unset), then sets
 * the variable to `after`, which the open context must not see, and runs
 * `n` single WRs and one chain: their least times in *single, *all.
 */
static bool run(const char *val, const char *after, unsigned long n,
		uint64_t *single, uint64_t *all)
{
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_buf b;
	bool good = true;
	unsigned long i;

	if (val)
		setenv("HWQNIC_INJECT_DELAY_NS", val, 1);
	else
		unsetenv("HWQNIC_INJECT_DELAY_NS");
	if (!ok(!u_dev_open(&dev), "device open with HWQNIC_INJECT_DELAY_NS=%s",
		val ? val : "(unset)"))
		return false;
	setenv("HWQNIC_INJECT_DELAY_NS", after, 1);
	u_qp_cfg_default(&cfg);
	if (!ok(!u_pair_create(&p, dev.pd, &cfg), "RC pair"))
		goto close;
	if (!ok(!u_buf_alloc(&b, dev.pd, 8192, U_RC_ACCESS), "buffer"))
		goto pair;
	*single = UINT64_MAX;
	for (i = 0; i < n && good; i++) {
		uint64_t t = one_write(&p, &b, i + 1);

		good = t;
		if (t < *single)
			*single = t;
	}
	ok(good, "%lu single 8-byte RDMA WRITEs complete", n);
	*all = chain(&p, &b);
	good = ok(good && *all, "a chain of %d WRITEs in one post completes",
		  CHAIN) && good;
	u_buf_free(&b);
pair:
	ok(!u_pair_destroy(&p), "pair destroyed");
close:
	ok(!u_dev_close(&dev), "device closed");
	unsetenv("HWQNIC_INJECT_DELAY_NS");
	return good;
}

static void suite(void)
{
	unsigned long n = u_scaled(50, 5);
	char d[32];
	uint64_t single, all;

	snprintf(d, sizeof(d), "%llu", DELAY_NS);
	if (run(d, "0", n, &single, &all)) {
		if (!ok(single >= DELAY_NS, "delay %llu ns: every single WR "
			"took at least that long, posted to completed",
			DELAY_NS))
			diag("the fastest took %llu ns",
			     (unsigned long long)single);
		if (!ok(all >= CHAIN * DELAY_NS, "a chain of %d WRs took at "
			"least %d times the delay: it is per WR", CHAIN, CHAIN))
			diag("it took %llu ns", (unsigned long long)all);
	}
	/* off: as before; these are not timed, they only have to work */
	if (run("0", d, n, &single, &all))
		diag("HWQNIC_INJECT_DELAY_NS=0: fastest single WR %llu ns, "
		     "chain of %d %llu ns", (unsigned long long)single, CHAIN,
		     (unsigned long long)all);
	if (run(NULL, d, n, &single, &all))
		diag("unset: fastest single WR %llu ns, chain of %d %llu ns",
		     (unsigned long long)single, CHAIN,
		     (unsigned long long)all);
}

int main(void)
{
	/* the knob is the embedded engine's: hwqnic.ko has none */
	return u_backends(HWQNIC_OPEN_EMBEDDED, suite);
}
