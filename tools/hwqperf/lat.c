// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hwqperf: the latency run (hwqperf.h). */
#include "hwqperf.h"

static void lat_poll(struct run *r, struct qpx *x)
{
	watchdog(r, poll_cq(r, x->cq) > 0);
}

void lat_wait_done(struct run *r, struct qpx *x)
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
 * new value. Its old value is made to differ first (lat_arm_write(), in
 * the target's process). With --verify every write is signaled: the data
 * is checked once the completion says it is all placed. The CQ is polled
 * now and then too, for error completions.
 */
void lat_arm_write(struct run *r, struct qpx *x, uint64_t k)
{
	uint64_t g = msg_g(r, x, k), last = r->o->size - 1;
	uint8_t *dst = (uint8_t *)msg_dst(r, x, g) + last;

	__atomic_store_n(dst, (uint8_t)~pat_byte(pat_seed(g), last),
			 __ATOMIC_RELAXED);
}

/* x's message k posted; true when signaled */
bool lat_write_back(struct run *r, struct qpx *x, uint64_t k)
{
	uint64_t g = msg_g(r, x, k), last = r->o->size - 1;
	uint8_t *src = (uint8_t *)msg_src(r, x, g) + last;
	bool signal = r->o->verify || want_signal(r, k);

	if (r->o->verify)
		pat_fill(msg_src(r, x, g), r->o->size, g);
	else
		*src = pat_byte(pat_seed(g), last);
	lat_post(r, x, k, signal);
	return signal;
}

/* Until the last byte of x's message k is in place; polls cq meanwhile */
static void lat_wait_byte(struct run *r, struct qpx *x, uint64_t k,
			  struct hwqnic_cq *cq)
{
	uint64_t g = msg_g(r, x, k), last = r->o->size - 1, spins = 0;
	uint8_t *dst = (uint8_t *)msg_dst(r, x, g) + last;
	uint8_t tag = pat_byte(pat_seed(g), last);

	while (__atomic_load_n(dst, __ATOMIC_ACQUIRE) != tag) {
		if (!(++spins % 4096))
			poll_cq(r, cq);
		watchdog(r, false);
	}
	watchdog(r, true);
}

static void lat_write_one(struct run *r, struct qpx *x, uint64_t k)
{
	bool signal;

	lat_arm_write(r, x, k);
	signal = lat_write_back(r, x, k);
	lat_wait_byte(r, x, k, x->cq);
	if (signal)
		lat_wait_done(r, x);
}

/* The two-process client's write: A's out, then B's answer in */
static void lat_write_remote(struct run *r, struct qpx *a, uint64_t k)
{
	bool signal;

	lat_arm_write(r, a->peer, k);
	signal = lat_write_back(r, a, k);
	lat_wait_byte(r, a->peer, k, a->cq);
	if (signal)
		lat_wait_done(r, a);
}

void lat_send_back(struct run *r, struct qpx *x, uint64_t k)
{
	if (r->o->verify)
		pat_fill(msg_src(r, x, msg_g(r, x, k)), r->o->size,
			 msg_g(r, x, k));
	lat_post(r, x, k, want_signal(r, k));
}

/* The two-process client's send: A's out, then B's answer received */
static void lat_send_remote(struct run *r, struct qpx *a, uint64_t k)
{
	lat_send_back(r, a, k);
	while (a->rdone <= k)
		lat_poll(r, a);
	refill_recvs(r, a, 1);
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

	if (r->o->role == ROLE_CLIENT && r->o->op != RIG_READ) {
		if (r->o->op == RIG_SEND)
			lat_send_remote(r, a, k);
		else
			lat_write_remote(r, a, k);
		return rig_now_ns() - t0;
	}
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
		if (is_local(r, &r->qp[p]))
			lat_wait_done(r, &r->qp[p]);
}
