// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hwqperf: the bandwidth run (hwqperf.h). */
#include "hwqperf.h"

/* How many messages x may post now: SQ room, receives, slot reuse. */
static uint64_t bw_batch_len(const struct run *r, const struct qpx *x)
{
	uint64_t k = x->posted, cnt, j;

	cnt = r->tx_depth - (x->posted - x->done);
	cnt = MIN(MIN(cnt, r->iters - k), BATCH_MAX);
	/* the two-process form: the server's receives, RNR if short */
	if (r->o->op == RIG_SEND && is_local(r, x->peer))
		cnt = MIN(cnt, x->peer->rposted - x->posted);
	if (!r->o->verify)
		return cnt;
	for (j = 0; j < cnt; j++)
		if (!gate_ok(r, msg_g(r, x, k + j)))
			return j;
	return cnt;
}

/*
 * The last WQE of a batch is also signaled when the next message must wait
 * for a slot to be checked: the check may need this QP's completions.
 */
static bool tail_signal(const struct run *r, const struct qpx *x,
			uint64_t next)
{
	return r->o->verify && (r->o->op != RIG_SEND ||
				r->o->role == ROLE_CLIENT) &&
	       next < r->iters && !gate_ok(r, msg_g(r, x, next));
}

static bool bw_post_batch(struct run *r, struct qpx *x)
{
	uint64_t cnt = bw_batch_len(r, x), k = x->posted, j, g;
	bool signal;

	for (j = 0; j < cnt; j++) {
		g = msg_g(r, x, k + j);
		if (r->o->verify)
			pat_fill(msg_src(r, x, g), r->o->size, g);
		signal = want_signal(r, k + j) ||
			 (j + 1 == cnt && tail_signal(r, x, k + cnt));
		build_wr(r, x, k + j, &r->swr[j], &r->sge[j], signal);
		r->swr[j].next = j + 1 < cnt ? &r->swr[j + 1] : NULL;
	}
	if (cnt)
		post_send(x, r->swr, cnt);
	return cnt > 0;
}

/* Polls the receives of every pair and tops up their queues. */
bool bw_poll_recv(struct run *r)
{
	unsigned int i;
	int n = poll_cq(r, r->rcq);

	for (i = 0; n && i < r->nsenders; i++)
		refill_recvs(r, r->sender[i]->peer, r->rx_batch);
	return n > 0;
}

/*
 * -D's deadline: every sender ends at the same message count, the most
 * any has posted rounded up to a multiple of cq-mod, so that the last
 * WQE of each is signaled (want_signal()) whatever was posted already.
 */
static void bw_end_at_deadline(struct run *r)
{
	uint64_t most = 0;
	unsigned int i;

	for (i = 0; i < r->nsenders; i++)
		most = MAX(most, r->sender[i]->posted);
	r->iters = (most + r->o->cq_mod - 1) / r->o->cq_mod * r->o->cq_mod;
	r->iters = MAX(r->iters, r->o->cq_mod);
}

/*
 * The peak: the best rate over slices of at least SLICE_NS and
 * SLICE_SIGNALS signaled completions. A slice starts and ends where
 * completions are seen, so that it counts exactly the messages completed
 * within it: with cq-mod, completions come in bursts of cq-mod messages,
 * and a slice of one burst would credit its whole work to the moment it
 * landed. A run shorter than one slice has only its average.
 */
struct slice {
	uint64_t t0, done0;
	double best;		/* messages per ns; 0: no whole slice yet */
};

static void slice_tick(struct slice *sl, uint64_t now, uint64_t done,
		       uint64_t min_done)
{
	double rate;

	if (now - sl->t0 < SLICE_NS || done - sl->done0 < min_done)
		return;
	rate = (double)(done - sl->done0) / (double)(now - sl->t0);
	sl->best = MAX(sl->best, rate);
	sl->t0 = now;
	sl->done0 = done;
}

void bw_run(struct run *r)
{
	bool send = r->o->op == RIG_SEND && r->o->role == ROLE_LOOPBACK;
	bool busy, ended = !r->o->duration_ns;
	uint64_t t0, now, deadline, seen = 0;
	struct slice sl;
	unsigned int i;

	t0 = rig_now_ns();
	deadline = t0 + r->o->duration_ns;
	sl = (struct slice){ .t0 = t0 };
	while (r->sdone < r->iters * r->o->qps ||
	       (send && r->rdone < r->iters * r->o->qps)) {
		busy = false;
		for (i = 0; i < r->nsenders; i++)
			if (r->sender[i]->posted < r->iters)
				busy |= bw_post_batch(r, r->sender[i]);
		busy |= poll_cq(r, r->scq) > 0;
		if (send)
			busy |= bw_poll_recv(r);
		now = rig_now_ns();
		if (r->sdone != seen) {
			slice_tick(&sl, now, r->sdone,
				   SLICE_SIGNALS * r->o->cq_mod);
			seen = r->sdone;
		}
		if (!ended && now >= deadline) {
			bw_end_at_deadline(r);
			ended = true;
		}
		watchdog(r, busy);
	}
	r->elapsed_ns = rig_now_ns() - t0;
	r->peak_per_ns = sl.best;
}
