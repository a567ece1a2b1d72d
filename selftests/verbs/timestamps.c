// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Completion timestamps (HWQNIC_CQ_F_TIMESTAMP, hwqnic_poll_cq_ts()): on
 * both backends, every completion of a timestamped CQ carries the time
 * its doorbell was accepted and the time its CQE was written, and the
 * post time where the post asked for it (sends with
 * HWQNIC_SEND_TIMESTAMP, every receive); all in the clock of
 * clock_gettime(CLOCK_MONOTONIC), so that they order with the test's own
 * readings: before post <= post <= doorbell <= CQE <= after poll. A CQ
 * without the flag gives zero times and keeps its 32-byte CQEs.
 */
#include <errno.h>
#include <string.h>

#include "../lib/helpers.h"

#define CHAIN	8

static struct u_dev dev;

/* Why t is not ordered as lo <= post <= db <= cqe <= hi, or NULL. */
static const char *ordered(const struct hwqnic_wc_ts *t, uint64_t lo,
			   uint64_t hi, bool with_post)
{
	if (with_post && (t->post_ns < lo || t->post_ns > t->db_ns))
		return "post time outside [before post, doorbell]";
	if (!with_post && t->post_ns)
		return "a post time nobody asked for";
	if (t->db_ns < lo || t->db_ns > t->cqe_ns)
		return "doorbell time outside [before post, CQE]";
	if (t->cqe_ns > hi)
		return "CQE time after the poll that returned it";
	return NULL;
}

static struct hwqnic_cq *ts_cq(void)
{
	return hwqnic_create_cq_ex(dev.ctx, 256, NULL, NULL,
				   HWQNIC_CQ_F_TIMESTAMP);
}

static void bad_args(void)
{
	struct hwqnic_cq *cq;
	struct hwqnic_wc wc;

	errno = 0;
	ok(!hwqnic_create_cq_ex(dev.ctx, 16, NULL, NULL, 0x80) &&
	   errno == EINVAL, "an unknown CQ flag is EINVAL");
	cq = ts_cq();
	if (!ok(cq != NULL, "a timestamped CQ"))
		return;
	ok(hwqnic_poll_cq_ts(cq, 1, &wc, NULL) == -EINVAL,
	   "hwqnic_poll_cq_ts() without room for times is -EINVAL");
	ok(hwqnic_poll_cq(cq, 1, &wc) == 0,
	   "hwqnic_poll_cq() polls a timestamped CQ too (empty)");
	ok(!hwqnic_destroy_cq(cq), "destroyed");
}

/*
 * n signaled WRITEs, each alone; with_post: HWQNIC_SEND_TIMESTAMP. Every
 * completion's times are ordered against the test's clock.
 */
static void writes(struct u_pair *p, struct u_buf *b, unsigned long n,
		   bool with_post)
{
	const char *why = NULL;
	unsigned long i;

	for (i = 0; i < n && !why; i++) {
		struct hwqnic_sge s = u_sge(b, 0, 64);
		unsigned int f = HWQNIC_SEND_SIGNALED |
				 (with_post ? HWQNIC_SEND_TIMESTAMP : 0);
		struct hwqnic_wc_ts t;
		struct hwqnic_wc wc;
		uint64_t lo = u_now_ns(), hi;

		if (u_post_send(p->a.qp, HWQNIC_WR_RDMA_WRITE, i, &s, 1, f,
				u_addr(b, 4096), b->mr->rkey, 0)) {
			why = "post failed";
			break;
		}
		if (!u_wait_cq_ts(p->a.scq, 1, &wc, &t)) {
			why = "no completion";
			break;
		}
		hi = u_now_ns();
		why = u_wc_check(&wc, i, HWQNIC_WC_SUCCESS,
				 HWQNIC_WC_RDMA_WRITE, 64, p->a.qp->qp_num);
		if (!why)
			why = ordered(&t, lo, hi, with_post);
		if (why)
			diag("WR %lu: post %llu db %llu cqe %llu, [%llu, %llu]",
			     i, (unsigned long long)t.post_ns,
			     (unsigned long long)t.db_ns,
			     (unsigned long long)t.cqe_ns,
			     (unsigned long long)lo, (unsigned long long)hi);
	}
	ok(!why, "%lu WRITEs%s: before <= %sdoorbell <= CQE <= poll%s%s",
	   n, with_post ? " with SEND_TIMESTAMP" : " without it",
	   with_post ? "post <= " : "", why ? ": " : "", why ? why : "");
}

/* A chain rung at once: one doorbell covers all, CQE times in order. */
static void chain(struct u_pair *p, struct u_buf *b)
{
	struct hwqnic_send_wr wr[CHAIN], *bad;
	struct hwqnic_sge s = u_sge(b, 0, 8);
	struct hwqnic_wc_ts t[CHAIN];
	struct hwqnic_wc wc[CHAIN];
	uint64_t lo, hi, last = 0;
	const char *why = NULL;
	int i, got;

	u_write_chain(wr, CHAIN, &s, 100,
		      HWQNIC_SEND_SIGNALED | HWQNIC_SEND_TIMESTAMP,
		      u_addr(b, 4096), b->mr->rkey);
	lo = u_now_ns();
	if (hwqnic_post_send(p->a.qp, wr, &bad)) {
		ok(0, "a chain of %d WRITEs posted", CHAIN);
		return;
	}
	got = u_wait_cq_ts(p->a.scq, CHAIN, wc, t);
	hi = u_now_ns();
	for (i = 0; i < got && !why; i++) {
		why = ordered(&t[i], lo, hi, true);
		if (!why && t[i].cqe_ns < last)
			why = "CQE times out of order";
		if (!why && t[i].post_ns < (i ? t[i - 1].post_ns : lo))
			why = "post times out of order";
		if (!why && t[i].db_ns != t[0].db_ns)
			why = "WRs of one doorbell with other doorbell times";
		last = t[i].cqe_ns;
	}
	ok(got == CHAIN && !why,
	   "a chain of %d in one post: %d completions, one doorbell time, "
	   "times in order%s%s", CHAIN, got, why ? ": " : "", why ? why : "");
}

/* A SEND into a receive: the receive's times, posted long before. */
static void recv_times(struct u_pair *p, struct u_buf *b)
{
	struct hwqnic_sge s = u_sge(b, 0, 32), r = u_sge(b, 8192, 32);
	struct hwqnic_wc_ts t = { 0 }, st = { 0 };
	struct hwqnic_recv_wr rwr = { .wr_id = 7, .sg_list = &r,
				      .num_sge = 1 }, *rbad;
	struct hwqnic_wc wc, swc;
	uint64_t lo = u_now_ns(), mid = 0, hi = 0;
	const char *why = NULL;

	if (hwqnic_post_recv(p->b.qp, &rwr, &rbad))
		why = "post_recv failed";
	if (!why) {
		mid = u_now_ns();
		if (u_post_send(p->a.qp, HWQNIC_WR_SEND, 8, &s, 1,
				HWQNIC_SEND_SIGNALED, 0, 0, 0))
			why = "post_send failed";
	}
	if (!why && (!u_wait_cq_ts(p->b.rcq, 1, &wc, &t) ||
		     !u_wait_cq_ts(p->a.scq, 1, &swc, &st)))
		why = "a completion missing";
	hi = u_now_ns();
	if (!why)
		why = u_wc_check(&wc, 7, HWQNIC_WC_SUCCESS, HWQNIC_WC_RECV, 32,
				 p->b.qp->qp_num);
	if (!why && t.post_ns > mid)
		why = "receive's post time after its post returned";
	if (!why)
		why = ordered(&t, lo, hi, true);
	if (!why && t.db_ns < mid && t.cqe_ns < mid)
		why = "receive completed before the SEND was posted";
	if (!why)
		why = ordered(&st, mid, hi, false);
	ok(!why, "a receive: before <= post <= doorbell <= CQE <= poll; its "
	   "SEND without SEND_TIMESTAMP has no post time%s%s",
	   why ? ": " : "", why ? why : "");
}

/* Plain CQs: hwqnic_poll_cq_ts() gives zero times, flags notwithstanding. */
static void plain(void)
{
	struct u_qp_cfg cfg;
	struct hwqnic_wc_ts t = { 1, 1, 1 };
	struct hwqnic_wc wc;
	struct u_pair p;
	struct u_buf b;
	struct hwqnic_sge s;

	u_qp_cfg_default(&cfg);
	if (!ok(!u_pair_create(&p, dev.pd, &cfg), "a pair with plain CQs"))
		return;
	if (ok(!u_buf_alloc(&b, dev.pd, 16384, U_RC_ACCESS), "buffer")) {
		s = u_sge(&b, 0, 8);
		ok(!u_post_send(p.a.qp, HWQNIC_WR_RDMA_WRITE, 1, &s, 1,
				HWQNIC_SEND_SIGNALED | HWQNIC_SEND_TIMESTAMP,
				u_addr(&b, 4096), b.mr->rkey, 0) &&
		   u_wait_cq_ts(p.a.scq, 1, &wc, &t) == 1 && !wc.status &&
		   !t.post_ns && !t.db_ns && !t.cqe_ns,
		   "a CQ without timestamps: SEND_TIMESTAMP is ignored, the "
		   "times are zero");
		u_buf_free(&b);
	}
	ok(!u_pair_destroy(&p), "pair destroyed");
}

static void suite(void)
{
	struct hwqnic_cq *cq[4] = { 0 };
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_buf b;
	unsigned long n = u_scaled(200, 10);
	bool good = true;
	int i;

	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	bad_args();
	u_qp_cfg_default(&cfg);
	memset(&p, 0, sizeof(p));
	for (i = 0; i < 4; i++)
		cq[i] = ts_cq();
	if (!ok(cq[0] && cq[1] && cq[2] && cq[3] ? 1 : 0, "four timestamped CQs"))
		goto close;
	if (!ok(!u_ep_create_with(&p.a, dev.pd, &cfg, cq[0], cq[1]) &&
		!u_ep_create_with(&p.b, dev.pd, &cfg, cq[2], cq[3]) &&
		!u_rc_connect(&p.a, &p.b), "an RC pair on them"))
		goto eps;
	if (ok(!u_buf_alloc(&b, dev.pd, 16384, U_RC_ACCESS), "buffer")) {
		writes(&p, &b, n, true);
		writes(&p, &b, n, false);
		chain(&p, &b);
		recv_times(&p, &b);
		u_buf_free(&b);
	}
eps:
	ok(!u_ep_destroy(&p.a) && !u_ep_destroy(&p.b), "QPs destroyed");
close:
	for (i = 0; i < 4; i++)
		if (cq[i] && hwqnic_destroy_cq(cq[i]))
			good = false;
	ok(good, "CQs destroyed");
	plain();
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
