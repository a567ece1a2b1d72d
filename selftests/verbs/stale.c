// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A QP's or CQ's earlier life never reaches its next one. Completions a
 * QP left unpolled are removed from its CQs when it goes to RESET or is
 * destroyed (as mlx5 does), so that a reconnected QP, or a new QP with the
 * same QPN, sees none of them: its posting room, its gauges and its state
 * are its own. Events of a destroyed CQ are never reported for a new CQ
 * that gets its handle.
 */
#include <fcntl.h>
#include <poll.h>

#include "../lib/helpers.h"

static struct u_dev dev;
static struct u_buf src, dst;
static uint64_t next_id = 1;

/* Waits until qp's counters show n completions written by the NIC. */
static bool wait_completions(struct hwqnic_qp *qp, uint64_t n)
{
	uint64_t end = u_now_ns() + u_timeout_ns();
	struct hwqnic_qp_counters c;
	unsigned int spins = 0;

	do {
		if (hwqnic_query_qp_counters(qp, &c))
			return false;
		if (c.completions >= n)
			return true;
		u_relax(&spins);
	} while (u_now_ns() < end);
	diag("QP %u: %llu of %llu completions written", qp->qp_num,
	     (unsigned long long)c.completions, (unsigned long long)n);
	return false;
}

/* n signaled 64-byte WRITEs from e into dst, rkey as given. */
static int writes(struct u_ep *e, int n, uint32_t rkey)
{
	struct hwqnic_sge s = u_sge(&src, 0, 64);
	int i, rc = 0;

	for (i = 0; i < n && !rc; i++)
		rc = u_post_send(e->qp, HWQNIC_WR_RDMA_WRITE, next_id++, &s, 1,
				 HWQNIC_SEND_SIGNALED, u_addr(&dst, 64 * i),
				 rkey, 0);
	return rc;
}

/* Polls n WRITE completions, in order, all successful. */
static const char *expect_writes(struct u_ep *e, int n)
{
	struct hwqnic_wc wc[64];
	int got = u_wait_cq(e->scq, n, wc), i;

	if (got != n)
		return "completions missing";
	for (i = 0; i < n; i++)
		if (wc[i].status != HWQNIC_WC_SUCCESS ||
		    wc[i].opcode != HWQNIC_WC_RDMA_WRITE ||
		    wc[i].qp_num != e->qp->qp_num)
			return hwqnic_wc_status_str(wc[i].status);
	return NULL;
}

static int reconnect(struct u_ep *a, struct u_ep *b)
{
	struct hwqnic_qp_attr at = { .qp_state = HWQNIC_QPS_RESET };
	int rc = hwqnic_modify_qp(a->qp, &at, HWQNIC_QP_STATE);

	if (!rc)
		rc = u_rc_to_init(a->qp, a->cfg.access);
	if (!rc)
		rc = u_rc_to_rtr(a->qp, b->qp->qp_num, a->cfg.min_rnr_timer,
				 a->cfg.rd_atomic);
	if (!rc)
		rc = u_rc_to_rts(a->qp, a->cfg.rnr_retry, a->cfg.rd_atomic);
	return rc;
}

static uint64_t completions(struct hwqnic_qp *qp)
{
	struct hwqnic_qp_counters c;

	return hwqnic_query_qp_counters(qp, &c) ? 0 : c.completions;
}

static uint32_t sq_outstanding(struct hwqnic_qp *qp)
{
	struct hwqnic_qp_counters c;

	return hwqnic_query_qp_counters(qp, &c) ? ~0U : c.sq_outstanding;
}

/* Completions left in the CQ, then RESET -> RTS: the QP starts afresh. */
static void reset_drops_completions(void)
{
	struct u_qp_cfg c;
	struct u_pair p;
	const char *why = NULL;
	uint64_t done;
	int round;

	u_qp_cfg_default(&c);
	c.max_send_wr = 8;
	if (!ok(!u_pair_create(&p, dev.pd, &c), "a connected pair, SQ of 8"))
		return;
	ok(!writes(&p.a, 4, dst.mr->rkey) && wait_completions(p.a.qp, 4),
	   "four signaled WRITEs complete, left unpolled");
	ok(!reconnect(&p.a, &p.b), "RESET, INIT, RTR, RTS");
	ok(u_cq_quiet(p.a.scq, 50, NULL) == 0,
	   "the CQ holds none of the completions of before the reset");
	for (round = 0; round < 3 && !why; round++) {
		if (writes(&p.a, 8, dst.mr->rkey))
			why = "post_send failed";
		else
			why = expect_writes(&p.a, 8);
	}
	ok_why(why, "three rounds of a full SQ of WRITEs post and complete");
	ok(sq_outstanding(p.a.qp) == 0, "sq_outstanding is 0 (%u)",
	   sq_outstanding(p.a.qp));

	/* an error completion left in the CQ */
	done = completions(p.a.qp);
	ok(!writes(&p.a, 1, 0) && wait_completions(p.a.qp, done + 1),
	   "a WRITE with a bad rkey completes in error, left unpolled");
	ok(!reconnect(&p.a, &p.b), "RESET, INIT, RTR, RTS");
	ok(u_cq_quiet(p.a.scq, 50, NULL) == 0,
	   "the error completion is gone with the QP's earlier life");
	ok(p.a.qp->state == HWQNIC_QPS_RTS && u_qp_state(p.a.qp) ==
	   HWQNIC_QPS_RTS, "the QP is in RTS, as the host and the NIC see it");
	why = writes(&p.a, 8, dst.mr->rkey) ? "post_send failed" :
	      expect_writes(&p.a, 8);
	ok_why(why, "the reconnected QP works");
	ok(p.a.qp->state == HWQNIC_QPS_RTS && sq_outstanding(p.a.qp) == 0,
	   "still RTS, nothing outstanding");
	u_pair_destroy(&p);
}

/* A QPN that comes back after destroy: its old CQEs are gone. */
static void qpn_reuse(void)
{
	struct hwqnic_cq *cq = hwqnic_create_cq(dev.ctx, 64, NULL, NULL);
	struct u_qp_cfg c;
	struct u_ep a, b, x;
	const char *why;
	uint32_t qpn;
	unsigned int i, n = 0;

	u_qp_cfg_default(&c);
	c.max_send_wr = 8;
	c.max_recv_wr = 1;
	if (!ok(cq && !u_ep_create_with(&a, dev.pd, &c, cq, cq) &&
		!u_ep_create(&b, dev.pd, &c) && !u_rc_connect(&a, &b),
		"a pair whose requester uses a shared CQ"))
		return;
	qpn = a.qp->qp_num;
	ok(!writes(&a, 4, dst.mr->rkey) && wait_completions(a.qp, 4),
	   "four signaled WRITEs complete, left unpolled");
	ok(!u_ep_destroy(&a), "the requester is destroyed");
	/* QPNs are handed out in turn: one lap brings this one back */
	memset(&x, 0, sizeof(x));
	for (i = 0; i < 2 * dev.attr.max_qp; i++) {
		if (u_ep_create_with(&x, dev.pd, &c, cq, cq))
			break;
		n++;
		if (x.qp->qp_num == qpn)
			break;
		u_ep_destroy(&x);
	}
	if (!ok(x.qp && x.qp->qp_num == qpn, "QPN %u is handed out again, %u creations later",
		qpn, n))
		goto out;
	ok(u_cq_quiet(cq, 50, NULL) == 0,
	   "the shared CQ holds nothing of the QPN's earlier life");
	ok(!reconnect(&x, &b) && !reconnect(&b, &x), "the new QP connects");
	why = writes(&x, 8, dst.mr->rkey) ? "post_send failed" :
	      expect_writes(&x, 8);
	ok(!why && sq_outstanding(x.qp) == 0 && x.qp->state == HWQNIC_QPS_RTS,
	   "the new QP posts a full SQ, completes it, owes nothing%s%s",
	   why ? ": " : "", why ? why : "");
out:
	u_ep_destroy(&x);
	u_ep_destroy(&b);
	hwqnic_destroy_cq(cq);
}

/* Creates and destroys CQs until one gets `handle`; it is kept. */
static struct hwqnic_cq *cq_with_handle(uint32_t handle,
					struct hwqnic_comp_channel *ch,
					unsigned int *n)
{
	struct hwqnic_cq *cq;
	unsigned int i;

	for (i = 0; i < 2 * dev.attr.max_cq; i++) {
		cq = hwqnic_create_cq(dev.ctx, 4, NULL, ch);
		if (!cq)
			return NULL;
		++*n;
		if (cq->handle == handle)
			return cq;
		hwqnic_destroy_cq(cq);
	}
	return NULL;
}

/* Events of a destroyed CQ are not another CQ's, whatever its handle. */
static void cq_events(void)
{
	struct hwqnic_comp_channel *ch = hwqnic_create_comp_channel(dev.ctx);
	struct hwqnic_cq *cq, *again = NULL;
	struct hwqnic_async_event ev;
	struct pollfd pfd;
	struct u_qp_cfg c;
	struct u_ep a, b;
	uint32_t handle;
	unsigned int n = 0;
	void *cq_ctx;
	int rc;

	if (!ok(ch != NULL, "a completion channel"))
		return;
	fcntl(ch->fd, F_SETFL, O_NONBLOCK);
	cq = hwqnic_create_cq(dev.ctx, 2, NULL, ch);
	u_qp_cfg_default(&c);
	c.max_send_wr = 4;
	if (!ok(cq && !u_ep_create_with(&a, dev.pd, &c, cq, NULL) &&
		!u_ep_create(&b, dev.pd, &c) && !u_rc_connect(&a, &b),
		"a QP whose send CQ (2 entries) is on the channel"))
		return;
	handle = cq->handle;
	ok(!hwqnic_req_notify_cq(cq, 0) && !writes(&a, 3, dst.mr->rkey) &&
	   wait_completions(a.qp, 2), "armed; three CQEs for a CQ of two");
	pfd = (struct pollfd){ .fd = ch->fd, .events = POLLIN };
	ok(poll(&pfd, 1, u_timeout_ns() / 1000000) == 1,
	   "the completion event is queued, not read");
	pfd = (struct pollfd){ .fd = hwqnic_async_fd(dev.ctx), .events = POLLIN };
	ok(poll(&pfd, 1, u_timeout_ns() / 1000000) == 1,
	   "the CQ's overflow event is queued, not read");
	u_ep_destroy(&a);
	ok(!hwqnic_destroy_cq(cq), "the QP and the CQ are destroyed");
	again = cq_with_handle(handle, ch, &n);
	if (!ok(again != NULL, "handle %u is handed out again, %u creations later",
		handle, n))
		goto out;
	rc = hwqnic_get_cq_event(ch, &cq, &cq_ctx);
	ok(rc == EAGAIN, "the old CQ's completion event is not the new CQ's (%s)",
	   rc ? strerror(rc) : "an event");
	rc = hwqnic_get_async_event(dev.ctx, &ev);
	ok(rc == EAGAIN, "the old CQ's overflow event is not the new CQ's (%s)",
	   rc ? strerror(rc) : "an event");
out:
	if (again)
		hwqnic_destroy_cq(again);
	u_ep_destroy(&b);
	hwqnic_destroy_comp_channel(ch);
}

static void suite(void)
{
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	if (ok(!u_buf_alloc(&src, dev.pd, 4096, U_RC_ACCESS) &&
	       !u_buf_alloc(&dst, dev.pd, 4096, U_RC_ACCESS), "two buffers")) {
		reset_drops_completions();
		qpn_reuse();
		cq_events();
	}
	u_buf_free(&src);
	u_buf_free(&dst);
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
