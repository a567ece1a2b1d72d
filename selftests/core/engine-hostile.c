// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine against a hostile host: random bytes as WQEs, random
 * doorbells, indices past the queue, receive WQEs that overflow their
 * slot. The MR starts and ends inside pages, so its own range checks, not
 * only the PBL, are what keep the engine in bounds. The engine is driven
 * synchronously (hwqnic_engine_poll), so each check sees exactly what one
 * pass did. Memory around the registered
 * region must stay untouched, and every CQE must be well-formed.
 */
#include "../lib/core_rig.h"
#include "../lib/tap.h"

static bool guards_intact(const struct rig *r)
{
	u32 i;

	for (i = 0; i < GUARD + SLACK; i++)
		if (r->mem[i] != 0xa5 || r->mem[GUARD + BUF - SLACK + i] != 0xa5)
			return false;
	return true;
}

/* Polls everything; counts CQEs that are not well-formed. */
static u32 drain(struct rig *r, u32 *ncqe)
{
	struct hwqnic_wc wc[64];
	u32 bad = 0;
	int n, i;

	while ((n = hwqnic_cq_poll(&r->dev, &r->cq, 64, wc)) > 0) {
		for (i = 0; i < n; i++) {
			if (wc[i].status >= HWQNIC_WC_STATUS_MAX ||
			    (wc[i].qp_num != r->a.qpn &&
			     wc[i].qp_num != r->b.qpn))
				bad++;
		}
		*ncqe += n;
	}
	return bad;
}

/* Near the registered region: often inside, sometimes across an edge. */
static u64 near_mr(struct rig *r, uint64_t *s)
{
	u64 base = (uintptr_t)(r->mem + GUARD);

	switch (tap_rand(s) % 3) {
	case 0:
		return base - 64 + tap_rand(s) % 128;
	case 1:
		return base + BUF - 4096 + tap_rand(s) % 8192;
	default:
		return base + tap_rand(s) % BUF;
	}
}

/*
 * Random WQEs: random bytes, then fields drawn from values near the real
 * ones, so that many pass the early checks and reach the DMA.
 */
static void garbage_wqe(struct rig *r, void *slot, u32 stride, uint64_t *s)
{
	struct hwqnic_send_wqe *w = slot;
	struct hwqnic_wqe_sge *sge = (void *)(w + 1);
	u32 i, nsge = tap_rand(s) % 4;

	for (i = 0; i < stride; i += 8)
		*(u64 *)((u8 *)slot + i) = tap_rand(s);
	w->opcode = tap_rand(s) % (HWQNIC_WR_MAX + 2);
	if (tap_rand(s) % 4)
		w->flags &= ~HWQNIC_WQE_F_INLINE;
	if (tap_rand(s) % 4)
		w->num_sge = nsge;
	if (tap_rand(s) % 4)
		w->length = cpu_to_le32(tap_rand(s) % 200);
	w->rkey = cpu_to_le32(tap_rand(s) % 4 ? r->mr.key : tap_rand(s));
	w->remote_addr = cpu_to_le64(near_mr(r, s));
	for (i = 0; i < nsge && (u8 *)(sge + i + 1) <= (u8 *)slot + stride; i++) {
		sge[i].lkey = cpu_to_le32(tap_rand(s) % 8 ? r->mr.key :
					  tap_rand(s));
		sge[i].addr = cpu_to_le64(near_mr(r, s));
		sge[i].length = cpu_to_le32(tap_rand(s) % 4096);
	}
}

/* A receive WQE whose SGEs are near the MR, like the send side's. */
static void garbage_recv(struct rig *r, uint64_t *s)
{
	struct hwqnic_core_qp *b = &r->b;
	struct hwqnic_recv_wqe *w = hwqnic_hwq_get_qe(&b->rq, b->rq.prod.val);
	struct hwqnic_wqe_sge *sge = (void *)(w + 1);
	u32 i;

	w->wr_id = cpu_to_le64(tap_rand(s));
	w->num_sge = tap_rand(s) % 5;
	for (i = 0; i < w->num_sge; i++) {
		sge[i].lkey = cpu_to_le32(tap_rand(s) % 8 ? r->mr.key :
					  tap_rand(s));
		sge[i].addr = cpu_to_le64(near_mr(r, s));
		sge[i].length = cpu_to_le32(tap_rand(s) % 4096);
	}
	hwqnic_hwq_incr_prod(&b->rq, 1);
	hwqnic_dev_ring(&r->dev, b->rq_slot,
			hwqnic_hwq_db(&b->rq, b->qpn, HWQNIC_DB_RQ, 0), true);
}

static void check_garbage_wqes(struct rig *r, uint64_t *s)
{
	u32 round, bad = 0, ncqe = 0, i, errs = 0;
	u64 moved;
	struct hwqnic_core_qp *a = &r->a;

	for (round = 0; round < 2000; round++) {
		u32 n = 1 + tap_rand(s) % 8;

		if (hwqnic_hwq_avail(&r->b.rq) && tap_rand(s) % 2)
			garbage_recv(r, s);

		for (i = 0; i < n; i++) {
			garbage_wqe(r, hwqnic_hwq_get_qe(&a->sq, a->sq.prod.val),
				    1U << a->sq.stride_shift, s);
			hwqnic_hwq_incr_prod(&a->sq, 1);
		}
		hwqnic_dev_ring(&r->dev, a->sq_slot,
				hwqnic_hwq_db(&a->sq, a->qpn, HWQNIC_DB_SQ, 0),
				true);
		run_engine(r);
		bad += drain(r, &ncqe);
		if (a->nic.state == HWQNIC_QPS_ERR ||
		    r->b.nic.state == HWQNIC_QPS_ERR) {
			errs++;
			reconnect(r);
		}
	}
	moved = a->cnt->bytes;
	ok(!bad, "2000 rounds of random WQEs: %u CQEs, all well-formed (%u bad)",
	   ncqe, bad);
	ok(moved > 0, "some random WQEs were valid enough to move data (%llu bytes)",
	   (unsigned long long)moved);
	ok(errs > 0, "random WQEs produced error completions (%u rounds)",
	   errs);
	ok(guards_intact(r), "memory around the MR, in its pages or beyond, never written");
}

static bool same_idx(struct hwqnic_hwq_idx a, struct hwqnic_hwq_idx b)
{
	return a.val == b.val && a.epoch == b.epoch;
}

static void check_garbage_doorbells(struct rig *r, uint64_t *s)
{
	u64 before = r->dev.db_bad;
	u32 i, ncqe = 0, bad;
	struct hwqnic_hwq_idx prod;
	struct hwqnic_db db;

	for (i = 0; i < 20000; i++) {
		u32 slot = tap_rand(s) % HWQNIC_DB_SLOTS;

		hwqnic_dev_ring(&r->dev, slot, tap_rand(s), true);
		if (i % 64 == 0)
			run_engine(r);
	}
	run_engine(r);
	/*
	 * Some landed in the CQ's consumer slot: until the host rings it
	 * again the engine cannot see how far the host has polled, and the
	 * CQ would overflow on its next CQE. The host restores it.
	 */
	hwqnic_dev_ring(&r->dev, r->cq.db_slot,
			hwqnic_hwq_db(&r->cq.hwq, r->cq.handle, HWQNIC_DB_CQ, 0),
			false);
	bad = drain(r, &ncqe);
	ok(r->dev.db_bad > before && !bad,
	   "20000 random doorbells: %llu refused, no bad CQE",
	   (unsigned long long)(r->dev.db_bad - before));

	/* a well-formed doorbell for the SQ, rung in the RQ's slot */
	before = r->dev.db_bad;
	prod = r->a.nic.sq_prod;
	db = (struct hwqnic_db){ .index = (prod.val + 1) % r->a.sq.depth,
				 .xid = r->a.qpn,
				 .type = HWQNIC_DB_SQ };
	hwqnic_dev_ring(&r->dev, r->a.rq_slot, hwqnic_db_encode(&db), true);
	run_engine(r);
	ok(r->dev.db_bad == before + 1 && same_idx(r->a.nic.sq_prod, prod),
	   "a doorbell in another queue's slot is refused");

	/* an index past the end of the queue */
	db.index = r->a.sq.depth;
	hwqnic_dev_ring(&r->dev, r->a.sq_slot, hwqnic_db_encode(&db), true);
	run_engine(r);
	ok(r->dev.db_bad == before + 2 && same_idx(r->a.nic.sq_prod, prod),
	   "a producer index past the depth is refused");
	reconnect(r);
}

/*
 * A doorbell claiming WQEs the host never wrote: zeroed slots, each an
 * unsignaled RDMA WRITE of 0 bytes, which names no memory (rkey 0 is
 * fine): consumed without a CQE, touching nothing.
 */
static void check_phantom_wqes(struct rig *r)
{
	struct hwqnic_db db = { .index = 10, .xid = r->a.qpn,
				.type = HWQNIC_DB_SQ };
	u32 ncqe = 0, bad;

	hwqnic_dev_ring(&r->dev, r->a.sq_slot, hwqnic_db_encode(&db), true);
	run_engine(r);
	bad = drain(r, &ncqe);
	ok(!bad && !ncqe && r->a.nic.state == HWQNIC_QPS_RTS &&
	   r->a.nic.sq_cons.val == 10,
	   "10 unwritten WQEs, 0-byte unsignaled WRITEs: consumed, no CQE (%u), QP in RTS",
	   ncqe);
	ok(guards_intact(r), "memory around the MR, in its pages or beyond, never written");
	reconnect(r);
}

/* A receive WQE whose SGE count overflows its slot. */
static void check_recv_overflow(struct rig *r)
{
	struct hwqnic_core_qp *b = &r->b;
	struct hwqnic_recv_wqe *rw = hwqnic_hwq_get_qe(&b->rq, b->rq.prod.val);
	struct hwqnic_send_wr wr = { .opcode = HWQNIC_WR_SEND,
				     .send_flags = HWQNIC_SEND_INLINE };
	const struct hwqnic_send_wr *bad_wr;
	struct hwqnic_wc wc[4];
	int n;

	rw->num_sge = 200;
	hwqnic_hwq_incr_prod(&b->rq, 1);
	hwqnic_dev_ring(&r->dev, b->rq_slot,
			hwqnic_hwq_db(&b->rq, b->qpn, HWQNIC_DB_RQ, 0), true);
	hwqnic_qp_post_send(&r->dev, &r->a, &wr, &bad_wr);
	run_engine(r);
	n = hwqnic_cq_poll(&r->dev, &r->cq, 4, wc);
	ok(n == 2 && wc[0].status == HWQNIC_WC_LOC_QP_OP_ERR &&
	   wc[1].status == HWQNIC_WC_REM_OP_ERR,
	   "a receive WQE too big for its slot: LOC_QP_OP_ERR, sender REM_OP_ERR");
	reconnect(r);
}

int main(void)
{
	uint64_t seed = tap_seed();
	struct rig r;

	if (!ok(!rig_up(&r), "device, MR, CQ and a connected QP pair"))
		return tap_done();
	check_garbage_wqes(&r, &seed);
	check_garbage_doorbells(&r, &seed);
	check_phantom_wqes(&r);
	check_recv_overflow(&r);
	rig_down(&r);
	ok(hwqnic_os_live_allocs(&r.dev.od) == 0, "teardown frees everything");
	ok(r.async_events == 0, "no CQ overflowed");
	return tap_done();
}
