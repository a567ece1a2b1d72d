// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hwqperf: the latency run (hwqperf.h). */
#include "hwqperf.h"

static void lat_poll(struct run *r, struct qpx *x)
{
	watchdog(r, poll_cq(r, x->cq) > 0);
}

static void lat_wait_done(struct run *r, struct qpx *x)
{
	while (x->done < x->posted)
		lat_poll(r, x);
}

static void lat_post(struct run *r, struct qpx *x, uint64_t k, bool signal)
{
	struct hwqnic_send_wr wr;
	struct hwqnic_sge sge;

	while (x->posted - x->done >= r->tx_depth)
		lat_poll(r, x);
	build_wr(r, x, k, &wr, &sge, signal);
	post_send(x, &wr, 1);
}

/* x sends message k; its peer waits for it and reposts a receive. */
static void lat_send_one(struct run *r, struct qpx *x, uint64_t k)
{
	struct qpx *y = x->peer;
	uint64_t g = msg_g(r, x, k);

	if (r->o->verify)
		pat_fill(msg_src(r, x, g), r->o->size, g);
	lat_post(r, x, k, want_signal(r, k));
	while (y->rdone <= k)
		lat_poll(r, y);
	refill_recvs(r, y, 1);
}

/*
 * As ib_write_lat: the target polls the last byte of the message for its
 * new value. Its old value is made to differ first. With --verify every
 * write is signaled: the data is checked once the completion says it is
 * all placed. The CQ is polled now and then too, for error completions.
 */
static void lat_write_one(struct run *r, struct qpx *x, uint64_t k)
{
	uint64_t g = msg_g(r, x, k), last = r->o->size - 1;
	uint8_t *src = (uint8_t *)msg_src(r, x, g) + last;
	uint8_t *dst = (uint8_t *)msg_dst(r, x, g) + last;
	uint8_t tag = pat_byte(pat_seed(g), last);
	uint64_t spins = 0;
	bool signal = r->o->verify || want_signal(r, k);

	if (r->o->verify)
		pat_fill(msg_src(r, x, g), r->o->size, g);
	else
		*src = tag;
	__atomic_store_n(dst, (uint8_t)~tag, __ATOMIC_RELAXED);
	lat_post(r, x, k, signal);
	while (__atomic_load_n(dst, __ATOMIC_ACQUIRE) != tag) {
		if (!(++spins % 4096))
			poll_cq(r, x->cq);
		watchdog(r, false);
	}
	watchdog(r, true);
	if (signal)
		lat_wait_done(r, x);
}

/* As ib_read_lat: one READ from post to completion, a full round trip. */
static void lat_read_one(struct run *r, struct qpx *x, uint64_t k)
{
	uint64_t g = msg_g(r, x, k);

	if (r->o->verify)
		pat_fill(msg_src(r, x, g), r->o->size, g);
	lat_post(r, x, k, true);
	lat_wait_done(r, x);
}

static uint64_t lat_iter(struct run *r, struct qpx *a, struct qpx *b,
			 uint64_t k)
{
	uint64_t t0 = rig_now_ns();

	switch (r->o->op) {
	case RIG_SEND:
		lat_send_one(r, a, k);
		lat_send_one(r, b, k);
		break;
	case RIG_WRITE:
		lat_write_one(r, a, k);
		lat_write_one(r, b, k);
		break;
	case RIG_READ:
		lat_read_one(r, a, k);
		break;
	}
	return rig_now_ns() - t0;
}

void lat_run(struct run *r)
{
	unsigned int p, q = r->o->qps;
	uint64_t k;

	for (k = 0; k < r->o->iters; k++)
		for (p = 0; p < q; p++)
			r->samples[k * q + p] = lat_iter(r, &r->qp[2 * p],
							 &r->qp[2 * p + 1], k);
	for (p = 0; p < 2 * q; p++)
		lat_wait_done(r, &r->qp[p]);
}
