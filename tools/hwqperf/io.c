// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hwqperf: completions and posting, which lat and bw share (hwqperf.h). */
#include "hwqperf.h"

/* ---- completions ---- */

static void check_wc_kind(const struct qpx *x, const struct hwqnic_wc *wc,
			  unsigned int opcode)
{
	if (wc->opcode != opcode || wc->qp_num != x->qp->qp_num)
		fail("verify failed: completion wr_id 0x%" PRIx64
		     " has opcode %u on qp %u, expected opcode %u on qp %u",
		     (uint64_t)wc->wr_id, wc->opcode, wc->qp_num, opcode,
		     x->qp->qp_num);
}

static struct qpx *wc_sender(struct run *r, uint64_t g)
{
	return r->sender[g % r->nsenders];
}

/* Signaled WQE k of x is done, so are all before it. */
static void on_send_wc(struct run *r, const struct hwqnic_wc *wc)
{
	struct qpx *x = wc_sender(r, wc->wr_id);
	uint64_t k = wc->wr_id / r->nsenders;

	if (k < x->done || k >= x->posted)
		fail("unexpected completion: qp %u message %" PRIu64
		     " (completed %" PRIu64 ", posted %" PRIu64 ")",
		     x->qp->qp_num, k, x->done, x->posted);
	r->sdone += k + 1 - x->done;
	x->done = k + 1;
	if (!r->o->verify)
		return;
	check_wc_kind(x, wc, rig_op_wc[r->o->op]);
	if (r->o->op == RIG_SEND)
		return;		/* checked at the receive */
	while (x->verified < x->done)
		verify_msg(r, x, x->verified++);
}

/* Receive for message g of the peer of y completed. */
static void on_recv_wc(struct run *r, const struct hwqnic_wc *wc)
{
	uint64_t g = wc->wr_id & ~RECV_BIT, k = g / r->nsenders;
	struct qpx *x = wc_sender(r, g), *y = x->peer;

	if (k != y->rdone)
		fail("receive out of order: qp %u message %" PRIu64
		     ", expected %" PRIu64, y->qp->qp_num, k, y->rdone);
	y->rdone++;
	r->rdone++;
	if (!r->o->verify)
		return;
	check_wc_kind(y, wc, HWQNIC_WC_RECV);
	if (wc->byte_len != r->o->size)
		fail("verify failed: qp %u message %" PRIu64
		     ": received %u bytes, expected %" PRIu64,
		     y->qp->qp_num, k, wc->byte_len, r->o->size);
	verify_msg(r, x, k);
	x->verified = k + 1;
}

int poll_cq(struct run *r, struct hwqnic_cq *cq)
{
	struct hwqnic_wc wc[POLL_BATCH];
	int n = hwqnic_poll_cq(cq, POLL_BATCH, wc), i;

	if (n < 0)
		fail("hwqnic_poll_cq: %s", strerror(-n));
	for (i = 0; i < n; i++) {
		rig_check_wc(&wc[i], HWQNIC_WC_SUCCESS);
		if (wc[i].wr_id & RECV_BIT)
			on_recv_wc(r, &wc[i]);
		else
			on_send_wc(r, &wc[i]);
	}
	return n;
}

static void __attribute__((noreturn)) stalled(struct run *r)
{
	uint64_t posted = 0, done = 0, rposted = 0, rdone = 0;
	unsigned int i;

	for (i = 0; i < 2 * r->o->qps; i++) {
		posted += r->qp[i].posted;
		done += r->qp[i].done;
		rposted += r->qp[i].rposted;
		rdone += r->qp[i].rdone;
	}
	fail("stalled: no progress for %.0f s (send WQEs posted %" PRIu64
	     ", completed %" PRIu64 "; receives posted %" PRIu64
	     ", completed %" PRIu64 ")", (double)r->stall_ns / NSEC_PER_SEC,
	     posted, done, rposted, rdone);
}

/* Called on every poll or spin; gives up after stall_ns without progress. */
/* SIGINT, SIGTERM, SIGHUP: everything is destroyed, stats file included. */
void stop_if_signalled(void)
{
	int sig = msg_stop_signal();

	if (sig)
		msg_die(128 + sig, "stopped by signal %d", sig);
}

void watchdog(struct run *r, bool busy)
{
	uint64_t idle;

	stop_if_signalled();	/* every wait passes here */
	idle = rig_idle_pass(&r->idle, busy);
	if (idle > 1 && !(idle % 4096) &&
	    rig_now_ns() - r->idle.since > r->stall_ns)
		stalled(r);
}

/* ---- posting ---- */

void build_wr(const struct run *r, const struct qpx *x, uint64_t k,
	      struct hwqnic_send_wr *wr, struct hwqnic_sge *sge,
	      bool signal)
{
	uint64_t g = msg_g(r, x, k), off = msg_off(r, g);

	sge->addr = (uintptr_t)(x->local->buf + off);
	sge->length = r->o->size;
	sge->lkey = x->local->mr->lkey;
	memset(wr, 0, sizeof(*wr));
	wr->wr_id = g;
	wr->sg_list = sge;
	wr->num_sge = r->o->size ? 1 : 0;
	wr->opcode = rig_op_wr[r->o->op];
	wr->send_flags = signal ? HWQNIC_SEND_SIGNALED : 0;
	if (r->o->size && r->o->size <= r->inline_size)
		wr->send_flags |= HWQNIC_SEND_INLINE;
	if (r->o->op == RIG_SEND)
		return;
	wr->wr.rdma.remote_addr = x->remote->addr + off;
	wr->wr.rdma.rkey = x->remote->rkey;
}

void post_send(struct qpx *x, struct hwqnic_send_wr *wr,
	       unsigned int cnt)
{
	struct hwqnic_send_wr *bad = NULL;
	int ret = hwqnic_post_send(x->qp, wr, &bad);

	if (ret)
		fail("hwqnic_post_send(qp %u, %u WRs): %s", x->qp->qp_num, cnt,
		     strerror(ret));
	x->posted += cnt;
}

/* Posts the next cnt receives of y: slots of its peer's messages. */
static void post_recvs(struct run *r, struct qpx *y, uint64_t cnt)
{
	struct hwqnic_recv_wr *bad = NULL;
	struct qpx *x = y->peer;
	uint64_t j, g;
	int ret;

	for (j = 0; j < cnt; j++) {
		g = msg_g(r, x, y->rposted + j);
		r->sge[j].addr = (uintptr_t)(y->local->buf + msg_off(r, g));
		r->sge[j].length = r->o->size;
		r->sge[j].lkey = y->local->mr->lkey;
		r->rwr[j].wr_id = g | RECV_BIT;
		r->rwr[j].next = j + 1 < cnt ? &r->rwr[j + 1] : NULL;
		r->rwr[j].sg_list = &r->sge[j];
		r->rwr[j].num_sge = r->o->size ? 1 : 0;
	}
	ret = hwqnic_post_recv(y->qp, r->rwr, &bad);
	if (ret)
		fail("hwqnic_post_recv(qp %u, %" PRIu64 " WRs): %s",
		     y->qp->qp_num, cnt, strerror(ret));
	y->rposted += cnt;
}

/* Tops up y's receive queue once at least min_batch slots are free. */
void refill_recvs(struct run *r, struct qpx *y, uint64_t min_batch)
{
	uint64_t room = r->rx_depth - (y->rposted - y->rdone);
	/* -D's deadline may end the run below what is posted already */
	uint64_t left = r->iters > y->rposted ? r->iters - y->rposted : 0;
	uint64_t cnt = MIN(MIN(room, left), RX_BATCH_MAX);

	if (cnt && (cnt >= min_batch || cnt == left))
		post_recvs(r, y, cnt);
}
