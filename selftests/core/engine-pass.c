// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One engine pass is bounded in work, not only in WQEs per QP: with NQP
 * QPs whose SQs are kept full of WRITEs of the whole MR, a pass moves
 * about 4 MiB (ENG_PASS_WORK), the QPs it did not reach go first in the
 * next pass, and every QP gets its turn. A QP in ERR with thousands of
 * WQEs is flushed over several passes, each bounded likewise.
 */
#include "../lib/core_rig.h"
#include "../lib/tap.h"

#define NQP		8
#define NWR		32
#define FLUSH_WR	16384
#define PASS_WORK	(4U << 20)	/* engine.c's ENG_PASS_WORK */

static struct hwqnic_core_qp qps[NQP], big;

static u64 qp_bytes(struct rig *r, const struct hwqnic_core_qp *q)
{
	return rig_counters(r, q)->bytes;
}

static u64 qp_wqes(struct rig *r, const struct hwqnic_core_qp *q)
{
	return rig_counters(r, q)->wqes;
}

/* Posts signaled WRITEs of len bytes on q until n are queued or it is full. */
static void post_writes(struct rig *r, struct hwqnic_core_qp *q, u32 n,
			u32 len)
{
	struct hwqnic_sge sge = { (uintptr_t)(r->mem + GUARD + SLACK), len,
				  r->mr.key };
	struct hwqnic_send_wr wr = {
		.sg_list = &sge, .num_sge = len ? 1 : 0,
		.opcode = HWQNIC_WR_RDMA_WRITE,
		.send_flags = HWQNIC_SEND_SIGNALED,
		.wr.rdma = { (uintptr_t)(r->mem + GUARD + SLACK), r->mr.key },
	};
	const struct hwqnic_send_wr *bad;

	while (n-- && !hwqnic_qp_post_send(&r->dev, q, &wr, &bad))
		;
}

/*
 * Passes over NQP QPs whose SQs are kept full of WRITEs of the whole MR:
 * each pass moves about PASS_WORK, and the walk goes round every QP.
 */
static void check_write_passes(struct rig *r)
{
	u32 len = BUF - 2 * SLACK, first[NQP] = { 0 }, i, pass, late = 0;
	u64 before, moved, max_pass = 0, total = 0;

	for (pass = 1; pass <= 4 * NQP; pass++) {
		before = 0;
		for (i = 0; i < NQP; i++)
			before += qp_bytes(r, &qps[i]);
		hwqnic_engine_poll(&r->dev);
		moved = 0;
		for (i = 0; i < NQP; i++) {
			moved += qp_bytes(r, &qps[i]);
			if (!first[i] && qp_bytes(r, &qps[i]))
				first[i] = pass;
		}
		moved -= before;
		total += moved;
		if (moved > max_pass)
			max_pass = moved;
		rig_drain(r, HWQNIC_WC_SUCCESS, &(u32){ 0 });
		for (i = 0; i < NQP; i++)
			post_writes(r, &qps[i], NWR, len);
	}
	for (i = 0; i < NQP; i++)
		if (!first[i] || first[i] > late)
			late = first[i] ? first[i] : ~0U;
	ok(total >= 4 * NQP * (PASS_WORK / 2),
	   "%u passes over %u busy QPs moved %llu MiB", pass - 1, NQP,
	   (unsigned long long)(total >> 20));
	ok(max_pass <= PASS_WORK + len,
	   "no pass moved more than 4 MiB and one WQE (at most %llu bytes)",
	   (unsigned long long)max_pass);
	ok(late <= NQP, "every QP had its first turn by pass %d (at most %u)",
	   (int)late, NQP);
	/* no more WRITEs: the SQs drain */
	for (pass = 0; pass < 1000 && hwqnic_engine_poll(&r->dev); pass++)
		rig_drain(r, HWQNIC_WC_SUCCESS, &(u32){ 0 });
	rig_drain(r, HWQNIC_WC_SUCCESS, &(u32){ 0 });
}

/* A QP in ERR with FLUSH_WR WQEs (its CQ overflows: nobody polls). */
static void check_flush_passes(struct rig *r)
{
	struct hwqnic_qp_attr at = { .qp_state = HWQNIC_QPS_ERR };
	u64 w, prev = 0, max_pass = 0;
	u32 pass;

	post_writes(r, &big, FLUSH_WR, 0);
	hwqnic_qp_modify(&r->dev, &big, &at, HWQNIC_QP_STATE);
	for (pass = 1; pass <= 1000; pass++) {
		hwqnic_engine_poll(&r->dev);
		w = qp_wqes(r, &big);
		if (w - prev > max_pass)
			max_pass = w - prev;
		prev = w;
		if (w == FLUSH_WR)
			break;
	}
	ok(prev == FLUSH_WR && pass > 1,
	   "a QP in ERR with %u WQEs is flushed over %u passes", FLUSH_WR,
	   pass);
	ok(max_pass <= FLUSH_WR / 4,
	   "no pass flushed more than a part of them (at most %llu)",
	   (unsigned long long)max_pass);
}

int main(void)
{
	struct hwqnic_qp_init_attr ia = {
		.qp_type = HWQNIC_QPT_RC,
		.cap = { .max_send_wr = NWR, .max_recv_wr = 1,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct rig r;
	bool up;
	u32 i;

	up = !rig_up(&r);
	for (i = 0; up && i < NQP; i++) {
		up = !hwqnic_qp_create(&r.dev, &qps[i], &r.pd, &r.cq, &r.cq,
				       &ia);
		if (up)
			rts(&r, &qps[i], qps[i].qpn);	/* to itself */
	}
	ia.cap.max_send_wr = FLUSH_WR;
	up = up && !hwqnic_qp_create(&r.dev, &big, &r.pd, &r.cq, &r.cq, &ia);
	if (up)
		rts(&r, &big, big.qpn);
	for (i = 0; up && i < NQP; i++)
		post_writes(&r, &qps[i], NWR, BUF - 2 * SLACK);
	if (!ok(up, "a rig, %u self-connected QPs with %u WRITEs each", NQP,
		NWR))
		return tap_done();
	check_write_passes(&r);
	check_flush_passes(&r);
	hwqnic_qp_destroy(&r.dev, &big);
	for (i = 0; i < NQP; i++)
		hwqnic_qp_destroy(&r.dev, &qps[i]);
	rig_down(&r);
	ok(!hwqnic_os_live_allocs(&r.dev.od), "everything freed");
	return tap_done();
}
