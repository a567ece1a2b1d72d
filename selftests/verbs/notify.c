// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Completion channels: hwqnic_req_notify_cq() arms a CQ once; the next CQE
 * queues exactly one event (the channel fd turns readable, get_cq_event
 * names the CQ and its context); with solicited_only only a solicited
 * receive completion does. Two CQs share a channel. Overflowing a CQ raises
 * HWQNIC_EVENT_CQ_ERR on the async fd.
 */
#include <poll.h>

#include "../lib/helpers.h"

static struct u_dev dev;
static struct hwqnic_comp_channel *ch;
static struct hwqnic_cq *scq, *rcq;	/* a's send CQ, b's receive CQ */
static struct u_pair p;
static struct u_buf sb, rb;
static int ctx_s, ctx_r;		/* their cq_context targets */
static uint64_t next_id = 1;

static bool readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

static int wait_ms(void)
{
	return u_timeout_ns() / 1000000;
}

/* A SEND a -> b with flags; waits for both completions when asked. */
static const char *send1(enum hwqnic_wr_opcode op, unsigned int flags,
			 bool wait_send, bool wait_recv)
{
	struct hwqnic_sge s = u_sge(&sb, 0, 16), r = u_sge(&rb, 0, 16);
	uint64_t id = next_id++;
	const char *why = NULL;

	if (u_post_recv(p.b.qp, id, &r, 1) ||
	    u_post_send(p.a.qp, op, id, &s, 1, flags, u_addr(&rb, 64),
			rb.mr->rkey, htobe32(7)))
		return "post failed";
	if (wait_recv)
		why = u_expect_wc(p.b.rcq, id, HWQNIC_WC_SUCCESS,
				  op == HWQNIC_WR_SEND ? HWQNIC_WC_RECV :
				  HWQNIC_WC_RECV_RDMA_WITH_IMM, 16, 0, NULL);
	if (!why && wait_send && (flags & HWQNIC_SEND_SIGNALED))
		why = u_expect_wc(p.a.scq, id, HWQNIC_WC_SUCCESS,
				  op == HWQNIC_WR_SEND ? HWQNIC_WC_SEND :
				  HWQNIC_WC_RDMA_WRITE, 16, 0, NULL);
	return why;
}

/* Takes one event; returns the CQ (NULL if none within the bound). */
static struct hwqnic_cq *take_event(void **ctx)
{
	struct hwqnic_cq *cq = NULL;

	*ctx = NULL;
	if (!readable(ch->fd, wait_ms()))
		return NULL;
	if (hwqnic_get_cq_event(ch, &cq, ctx))
		return NULL;
	return cq;
}

static void basic(void)
{
	struct hwqnic_cq *cq;
	const char *why;
	void *ctx;
	int i;

	ok(!readable(ch->fd, 0), "a fresh channel is not readable");
	why = send1(HWQNIC_WR_SEND, HWQNIC_SEND_SIGNALED, true, true);
	ok(!why && !readable(ch->fd, 20),
	   "completions on unarmed CQs raise no event");

	ok(!hwqnic_req_notify_cq(rcq, 0), "receive CQ armed (all)");
	why = send1(HWQNIC_WR_SEND, 0, false, false);
	cq = take_event(&ctx);
	ok(!why && cq == rcq && ctx == &ctx_r,
	   "the next receive CQE queues an event naming the CQ and its context");
	ok(!readable(ch->fd, 20), "exactly one event; the fd is quiet again");
	ok(u_wait_cq(rcq, 1, (struct hwqnic_wc[1]){ 0 }) == 1,
	   "the completion itself is in the CQ");

	why = send1(HWQNIC_WR_SEND, 0, false, true);
	ok(!why && !readable(ch->fd, 20),
	   "without re-arming, the next CQE raises no event");

	ok(!hwqnic_req_notify_cq(rcq, 0), "re-armed");
	for (i = 0; i < 3 && !why; i++)
		why = send1(HWQNIC_WR_SEND, 0, false, true);
	cq = take_event(&ctx);
	ok(!why && cq == rcq && !readable(ch->fd, 20),
	   "three CQEs after one arm: one event");

	/* two CQs on one channel */
	ok(!hwqnic_req_notify_cq(rcq, 0) && !hwqnic_req_notify_cq(scq, 0),
	   "send and receive CQs armed");
	why = send1(HWQNIC_WR_SEND, HWQNIC_SEND_SIGNALED, true, true);
	{
		void *c1, *c2;
		struct hwqnic_cq *e1 = take_event(&c1);
		struct hwqnic_cq *e2 = take_event(&c2);

		ok(!why && ((e1 == rcq && c1 == &ctx_r && e2 == scq &&
			     c2 == &ctx_s) ||
			    (e1 == scq && c1 == &ctx_s && e2 == rcq &&
			     c2 == &ctx_r)) && !readable(ch->fd, 20),
		   "one event for each CQ, each with its own context");
	}
}

static void solicited(void)
{
	struct hwqnic_cq *cq;
	const char *why;
	void *ctx;

	ok(!hwqnic_req_notify_cq(rcq, 1), "receive CQ armed (solicited only)");
	why = send1(HWQNIC_WR_SEND, 0, false, true);
	ok(!why && !readable(ch->fd, 20),
	   "an unsolicited receive CQE raises no event");
	why = send1(HWQNIC_WR_SEND, HWQNIC_SEND_SOLICITED, false, false);
	cq = take_event(&ctx);
	ok(!why && cq == rcq && ctx == &ctx_r,
	   "a SOLICITED SEND's receive CQE raises the event");
	ok(u_wait_cq(rcq, 1, (struct hwqnic_wc[1]){ 0 }) == 1 &&
	   !readable(ch->fd, 20), "one event, its completion there");

	ok(!hwqnic_req_notify_cq(rcq, 1), "re-armed (solicited only)");
	why = send1(HWQNIC_WR_RDMA_WRITE_WITH_IMM, HWQNIC_SEND_SOLICITED,
		    false, true);
	cq = take_event(&ctx);
	ok(!why && cq == rcq, "a SOLICITED RDMA_WRITE_WITH_IMM raises it too");

	ok(!hwqnic_req_notify_cq(scq, 1),
	   "send CQ armed (solicited only)");
	why = send1(HWQNIC_WR_SEND, HWQNIC_SEND_SIGNALED |
		    HWQNIC_SEND_SOLICITED, true, true);
	ok(!why && !readable(ch->fd, 20),
	   "a send CQE is not a solicited receive CQE: no event");
}

static void overflow(void)
{
	struct hwqnic_async_event ev;
	struct hwqnic_qp_counters c;
	struct hwqnic_cq *ocq;
	struct u_qp_cfg cfg;
	struct u_pair o;
	struct hwqnic_sge s = u_sge(&sb, 0, 8);
	int afd = hwqnic_async_fd(dev.ctx), i, n, rc = 0;
	uint64_t end;

	ok(afd >= 0 && !readable(afd, 0), "async fd %d, not readable", afd);
	ocq = hwqnic_create_cq(dev.ctx, 4, NULL, NULL);
	if (!ok(ocq != NULL, "a CQ of 4 entries (capacity %d)",
		ocq ? ocq->cqe : 0))
		return;
	n = ocq->cqe;
	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = n + 4;
	if (!ok(!u_ep_create_with(&o.a, dev.pd, &cfg, ocq, NULL) &&
		!u_ep_create(&o.b, dev.pd, &cfg) && !u_rc_connect(&o.a, &o.b),
		"a pair whose send CQ it is"))
		goto out;
	for (i = 0; i < n && !rc; i++)
		rc = u_post_send(o.a.qp, HWQNIC_WR_RDMA_WRITE, i, &s, 1,
				 HWQNIC_SEND_SIGNALED, u_addr(&rb, 0),
				 rb.mr->rkey, 0);
	/* wait until the engine has written all n */
	end = u_now_ns() + u_timeout_ns();
	for (;;) {
		memset(&c, 0, sizeof(c));
		hwqnic_query_qp_counters(o.a.qp, &c);
		if (c.completions >= (unsigned int)n || u_now_ns() > end)
			break;
		u_sleep_us(100);
	}
	ok(!rc && c.completions == (unsigned int)n && !readable(afd, 20),
	   "a full CQ (%d CQEs) is no overflow", n);
	rc = u_post_send(o.a.qp, HWQNIC_WR_RDMA_WRITE, n, &s, 1,
			 HWQNIC_SEND_SIGNALED, u_addr(&rb, 0), rb.mr->rkey, 0);
	memset(&ev, 0, sizeof(ev));
	ok(!rc && readable(afd, wait_ms()) &&
	   !hwqnic_get_async_event(dev.ctx, &ev) &&
	   ev.event_type == HWQNIC_EVENT_CQ_ERR && ev.element.cq == ocq,
	   "one more CQE: HWQNIC_EVENT_CQ_ERR for that CQ (type %d)",
	   ev.event_type);
	ok(!readable(afd, 20), "one event only");
out:
	u_pair_destroy(&o);
	ok(!hwqnic_destroy_cq(ocq), "the overflowed CQ is destroyed");
}

static void suite(void)
{
	struct u_qp_cfg cfg;
	int rc = 0;

	tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	ch = hwqnic_create_comp_channel(dev.ctx);
	if (ch) {
		scq = hwqnic_create_cq(dev.ctx, 64, &ctx_s, ch);
		rcq = hwqnic_create_cq(dev.ctx, 64, &ctx_r, ch);
	}
	u_qp_cfg_default(&cfg);
	rc = !ch || !scq || !rcq;
	rc = rc || u_ep_create_with(&p.a, dev.pd, &cfg, scq, NULL);
	rc = rc || u_ep_create_with(&p.b, dev.pd, &cfg, NULL, rcq);
	rc = rc || u_rc_connect(&p.a, &p.b);
	rc = rc || u_buf_alloc(&sb, dev.pd, 4096, U_RC_ACCESS);
	rc = rc || u_buf_alloc(&rb, dev.pd, 4096, U_RC_ACCESS);
	if (!ok(!rc, "a channel, two CQs on it, a pair using them"))
		goto out;
	ok(scq->channel == ch && scq->cq_context == &ctx_s &&
	   rcq->cq_context == &ctx_r, "CQs record their channel and context");
	basic();
	solicited();
	overflow();
out:
	u_pair_destroy(&p);
	u_buf_free(&sb);
	u_buf_free(&rb);
	ok((!scq || !hwqnic_destroy_cq(scq)) &&
	   (!rcq || !hwqnic_destroy_cq(rcq)) &&
	   (!ch || !hwqnic_destroy_comp_channel(ch)),
	   "CQs, then the channel, destroyed");
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
