// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Polled doorbell slots. A queue's first doorbell comes through the
 * pending and summary bits; the engine then reads its slot on every pass
 * and flags it in the page, and the host rings with a store alone. A slot
 * idle for HWQNIC_POLLED_IDLE passes, or every slot before the engine
 * sleeps, leaves the set with a last read, so a doorbell rung as it left
 * is still taken. While a polled SQ is empty, the engine knows the slot
 * its next doorbell names and fetches it with every read of the doorbell.
 * A slot whose queue is reset or destroyed leaves the set
 * without looking like a doorbell. Last, a host thread rings against a
 * running engine that keeps falling asleep: nothing may be lost.
 */
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "../lib/bound.h"
#include "../lib/core_rig.h"
#include "../lib/tap.h"

#define NEXTRA	40	/* QPs beyond the rig's: more slots than the set holds */

static bool polled(const struct rig *r, u32 slot)
{
	return r->dev.dbp->polled[slot];
}

/* An 8-byte signaled WRITE from q into the MR. */
static int post_write(struct rig *r, struct hwqnic_core_qp *q, u64 wr_id)
{
	u64 base = (uintptr_t)(r->mem + GUARD + SLACK);
	struct hwqnic_sge sge = { base, 8, r->mr.key };
	struct hwqnic_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sge, .num_sge = 1,
		.opcode = HWQNIC_WR_RDMA_WRITE,
		.send_flags = HWQNIC_SEND_SIGNALED,
		.wr.rdma = { base + 64, r->mr.key },
	};
	const struct hwqnic_send_wr *bad;

	return hwqnic_qp_post_send(&r->dev, q, &wr, &bad);
}

static void check_fast_path(struct rig *r)
{
	struct hwqnic_core_qp *a = &r->a;
	u32 errs = 0, n;
	u64 dbs;

	post_write(r, a, 1);
	ok(rig_pending(r, a->sq_slot) && !polled(r, a->sq_slot),
	   "the first doorbell sets its pending bit");
	run_engine(r);
	n = rig_drain(r, HWQNIC_WC_SUCCESS, &errs);
	ok(n == 1 && !errs && polled(r, a->sq_slot) && r->dev.npolled == 1,
	   "taken, and its slot is now polled (%u CQE, %u in the set)", n,
	   r->dev.npolled);

	dbs = a->cnt->doorbells;
	post_write(r, a, 2);
	ok(!rig_pending(r, a->sq_slot) && !r->dev.dbp->summary,
	   "the next doorbell is a store alone: no pending or summary bit");
	run_engine(r);
	n = rig_drain(r, HWQNIC_WC_SUCCESS, &errs);
	ok(n == 1 && !errs && a->cnt->doorbells == dbs + 1,
	   "the engine took it from the slot (%u CQE, %llu doorbell)", n,
	   (unsigned long long)(a->cnt->doorbells - dbs));
	ok(a->nic.sq_cons.val == 2 && r->dev.polled[0].next_wqe &&
	   r->dev.polled[0].next_wqe ==
	   hwqnic_hwq_slot(&r->dev.od, &a->nic.sq, 2),
	   "the drained SQ's next slot is fetched with its doorbell");

	rig_post_recv(r, &r->b, 1);
	run_engine(r);
	ok(!polled(r, r->b.rq_slot) && r->dev.npolled == 1,
	   "receive doorbells are never polled (doorbell-lazy.t)");
	hwqnic_cq_arm(&r->dev, &r->cq, false);
	run_engine(r);
	ok(!polled(r, r->cq.arm_slot) && r->dev.npolled == 1 &&
	   r->cq.armed == HWQNIC_DB_CQ_ARMALL,
	   "an arming doorbell is taken but never polled: it may repeat a value");
	r->cq.armed = 0;
}

static void check_idle(struct rig *r)
{
	struct hwqnic_core_qp *a = &r->a;
	u32 i, errs = 0, n;

	for (i = 0; i < HWQNIC_POLLED_IDLE; i++)
		hwqnic_engine_poll(&r->dev);
	ok(!r->dev.npolled && !polled(r, a->sq_slot) &&
	   !polled(r, r->b.rq_slot),
	   "%u passes without a change: the slots leave the set",
	   HWQNIC_POLLED_IDLE);
	post_write(r, a, 3);
	ok(rig_pending(r, a->sq_slot),
	   "the host sees that and sets the pending bit");
	run_engine(r);
	n = rig_drain(r, HWQNIC_WC_SUCCESS, &errs);
	ok(n == 1 && !errs && polled(r, a->sq_slot),
	   "taken, and polled again");
}

/*
 * A host that read the flag just before the engine cleared it wrote the
 * slot and nothing else: the engine's last read takes that doorbell.
 */
static void check_unpoll_race(struct rig *r)
{
	struct hwqnic_core_qp *a = &r->a;
	u32 errs = 0, n;

	post_write(r, a, 4);
	ok(!rig_pending(r, a->sq_slot), "a doorbell in a polled slot, no bits");
	ok(hwqnic_engine_unpoll(&r->dev) && !r->dev.npolled &&
	   !polled(r, a->sq_slot),
	   "emptying the set before sleep finds it and clears every flag");
	run_engine(r);
	n = rig_drain(r, HWQNIC_WC_SUCCESS, &errs);
	ok(n == 1 && !errs, "its WQE completes (%u CQE)", n);
	ok(!hwqnic_engine_unpoll(&r->dev), "an empty set: nothing found");
}

static void check_reset(struct rig *r)
{
	struct hwqnic_qp_attr at = { .qp_state = HWQNIC_QPS_RESET };
	u64 bad = r->dev.db_bad;
	u32 errs = 0;

	post_write(r, &r->a, 5);
	run_engine(r);
	rig_drain(r, HWQNIC_WC_SUCCESS, &errs);
	ok(polled(r, r->a.sq_slot), "polled before the reset");
	hwqnic_qp_modify(&r->dev, &r->a, &at, HWQNIC_QP_STATE);
	run_engine(r);
	ok(!polled(r, r->a.sq_slot) && !r->dev.npolled &&
	   r->dev.db_bad == bad,
	   "a reset zeroes the slot and takes it out of the set: no bad doorbell");
	reconnect(r);
}

/* More queues ringing than the set holds: the rest keep the pending bits. */
static void check_full(struct rig *r)
{
	struct hwqnic_qp_init_attr ia = {
		.qp_type = HWQNIC_QPT_RC,
		.cap = { .max_send_wr = 8, .max_recv_wr = 8,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	static struct hwqnic_core_qp q[NEXTRA];
	u32 i, made = 0, errs = 0, n, round;
	u64 bad = r->dev.db_bad;

	for (i = 0; i < NEXTRA; i++)
		made += !hwqnic_qp_create(&r->dev, &q[i], &r->pd, &r->cq,
					  &r->cq, &ia);
	for (i = 0; i < NEXTRA; i++)
		rts(r, &q[i], q[i ^ 1].qpn);
	for (round = 0, n = 0; round < 3; round++) {
		for (i = 0; i < NEXTRA; i++)
			post_write(r, &q[i], 100 + i);
		run_engine(r);
		n += rig_drain(r, HWQNIC_WC_SUCCESS, &errs);
	}
	ok(made == NEXTRA && r->dev.npolled == HWQNIC_POLLED_MAX,
	   "%u QPs ringing: the set is full at %u", NEXTRA, r->dev.npolled);
	ok(n == 3 * NEXTRA && !errs,
	   "every doorbell taken, polled or not (%u of %u CQEs)", n,
	   3 * NEXTRA);
	for (i = 0; i < NEXTRA; i++)
		hwqnic_qp_destroy(&r->dev, &q[i]);
	run_engine(r);
	for (i = 0, n = 0; i < HWQNIC_DB_SLOTS; i++)
		n += polled(r, i);
	ok(r->dev.npolled <= 1 && n == r->dev.npolled &&
	   r->dev.db_bad == bad,
	   "destroyed QPs leave the set; no bad doorbell (%u flags left)", n);
}

struct race {
	struct rig *r;
	bool stop;
	u32 lost, late, done, iters;
	uint64_t seed;
};

static void *engine_thread(void *arg)
{
	struct race *x = arg;

	hwqnic_engine_run(&x->r->dev, &x->stop);
	return NULL;
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Post, wait for the CQE, now and then pause past the engine's spin time
 * so that it empties the set and sleeps. A doorbell lost in that handover
 * waits for the engine's 100 ms nap to end: a wait of 50 ms or more is
 * counted as late, far beyond a wake-up's cost. Each wait is bounded.
 */
static void host_rounds(struct race *x)
{
	struct timespec pause = { 0 };
	struct hwqnic_wc wc;
	u32 i, errs = 0;
	u64 t0;

	for (i = 0; i < x->iters; i++) {
		if (post_write(x->r, &x->r->a, i))
			break;
		t0 = now_ns();
		while (!hwqnic_cq_poll(&x->r->dev, &x->r->cq, 1, &wc) &&
		       now_ns() - t0 < 2000000000ULL)
			sched_yield();	/* valgrind runs one thread at a time */
		if (now_ns() - t0 >= 2000000000ULL) {
			x->lost++;
			break;
		}
		errs += wc.status != HWQNIC_WC_SUCCESS;
		x->late += now_ns() - t0 >= 50000000ULL;
		x->done++;
		if (tap_rand(&x->seed) % 4 == 0) {
			pause.tv_nsec = tap_rand(&x->seed) %
					(3 * HWQNIC_ENGINE_SPIN_NS);
			nanosleep(&pause, NULL);
		}
	}
	x->lost += errs;
}

static void check_race(struct rig *r, uint64_t seed)
{
	struct race x = { .r = r, .seed = seed,
			  .iters = u_quick() ? 200 : 3000 };
	pthread_t t;

	if (!ok(!pthread_create(&t, NULL, engine_thread, &x),
		"an engine thread"))
		return;
	host_rounds(&x);
	WRITE_ONCE(x.stop, true);
	hwqnic_engine_kick(&r->dev);
	pthread_join(t, NULL);
	ok(x.done == x.iters && !x.lost,
	   "%u WRITEs against an engine that keeps sleeping: %u completed, %u lost",
	   x.iters, x.done, x.lost);
	/* a broken handover makes about a quarter late; a loaded host, few */
	ok(x.late <= x.iters / 50,
	   "none waited for the engine's nap to end (%u late)", x.late);
}

int main(void)
{
	uint64_t seed = tap_seed();
	struct rig r;

	if (!ok(!rig_up(&r), "a device with two connected RC QPs"))
		return tap_done();
	check_fast_path(&r);
	check_idle(&r);
	check_unpoll_race(&r);
	check_reset(&r);
	check_full(&r);
	check_race(&r, seed);
	rig_down(&r);
	return tap_done();
}
