// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Doorbells the engine reads only when it needs them. A receive doorbell
 * is a store to its slot and nothing more: the engine reads the slot when
 * a message finds no receive it knows of, so several receives cost one
 * read. A QP in ERR is the exception, since its receives must be flushed
 * without a message: receives posted before the host learnt of the error
 * are covered by one more ring when it does, later ones ring themselves.
 * Slots the engine polls (SQs) never share a cache line with the others.
 */
#include "../lib/core_rig.h"
#include "../lib/tap.h"

static void post_sendmsg(struct rig *r, struct hwqnic_core_qp *q, u64 wr_id)
{
	struct hwqnic_sge sge = { (uintptr_t)(r->mem + GUARD + SLACK + 256), 8,
				  r->mr.key };
	struct hwqnic_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sge, .num_sge = 1,
		.opcode = HWQNIC_WR_SEND, .send_flags = HWQNIC_SEND_SIGNALED,
	};
	const struct hwqnic_send_wr *bad;

	hwqnic_qp_post_send(&r->dev, q, &wr, &bad);
}

static void check_placement(struct rig *r)
{
	u32 sq[] = { r->a.sq_slot, r->b.sq_slot };
	u32 lazy[] = { r->a.rq_slot, r->b.rq_slot, r->cq.db_slot,
		       r->cq.arm_slot };
	u32 i, j, shared = 0;

	/* 8 slots of 8 bytes to a 64-byte line */
	for (i = 0; i < ARRAY_SIZE(sq); i++)
		for (j = 0; j < ARRAY_SIZE(lazy); j++)
			shared += sq[i] / 8 == lazy[j] / 8;
	ok(!shared && sq[0] / 8 == sq[1] / 8,
	   "SQ slots share a line with each other, with no RQ or CQ slot (SQ %u %u, others %u %u %u %u)",
	   sq[0], sq[1], lazy[0], lazy[1], lazy[2], lazy[3]);
}

static void check_store_alone(struct rig *r)
{
	struct hwqnic_core_qp *b = &r->b;
	u64 dbs = b->cnt->doorbells;
	u32 n, bad = 0;

	rig_post_recv(r, b, 1);
	ok(!rig_pending(r, b->rq_slot) && !r->dev.dbp->summary,
	   "a receive doorbell is a store alone: no pending or summary bit");
	run_engine(r);
	ok(b->cnt->doorbells == dbs && !b->nic.rq_prod.val,
	   "a pass with no message does not read it");

	post_sendmsg(r, &r->a, 2);
	run_engine(r);
	n = rig_drain(r, HWQNIC_WC_SUCCESS, &bad);
	ok(n == 2 && !bad && b->cnt->doorbells == dbs + 1 &&
	   b->nic.rq_prod.val == 1,
	   "a SEND reads it and lands (%u CQEs, %u bad, %llu read)", n, bad,
	   (unsigned long long)(b->cnt->doorbells - dbs));

	rig_post_recv(r, b, 3);
	rig_post_recv(r, b, 4);
	post_sendmsg(r, &r->a, 5);
	post_sendmsg(r, &r->a, 6);
	run_engine(r);
	n = rig_drain(r, HWQNIC_WC_SUCCESS, &bad);
	ok(n == 4 && !bad && b->cnt->doorbells == dbs + 2,
	   "two receives, two SENDs: one read of the slot (%u CQEs, %llu reads)",
	   n, (unsigned long long)(b->cnt->doorbells - dbs));
}

/*
 * a's SEND finds no receive and a has no RNR retries: the engine moves a to
 * ERR. A receive posted to a before its host has polled the error rings
 * nothing, so taking the error CQE must ring it.
 */
static void check_error_flush(struct rig *r)
{
	struct hwqnic_core_qp *a = &r->a;
	u32 n, other = 0;

	post_sendmsg(r, a, 7);
	run_engine(r);
	rig_post_recv(r, a, 8);
	run_engine(r);
	ok(a->nic.state == HWQNIC_QPS_ERR && !rig_pending(r, a->rq_slot),
	   "a QP the engine failed: a receive posted before the host knows rings nothing");
	n = rig_drain(r, HWQNIC_WC_RNR_RETRY_EXC_ERR, &other);
	ok(n == 1 && !other && a->host_state == HWQNIC_QPS_ERR &&
	   rig_pending(r, a->rq_slot),
	   "polling the error rings the receive doorbell (%u CQEs)", n);
	run_engine(r);
	n = rig_drain(r, HWQNIC_WC_WR_FLUSH_ERR, &other);
	ok(n == 1 && !other, "the receive is flushed (%u CQEs)", n);

	rig_post_recv(r, a, 9);
	ok(rig_pending(r, a->rq_slot) || r->dev.dbp->polled[a->rq_slot],
	   "a receive posted in ERR rings itself (its bit, or its slot is polled)");
	run_engine(r);
	n = rig_drain(r, HWQNIC_WC_WR_FLUSH_ERR, &other);
	ok(n == 1 && !other, "and is flushed (%u CQEs)", n);
	reconnect(r);
}

int main(void)
{
	struct rig r;

	if (!ok(!rig_up(&r), "a device with two connected RC QPs"))
		return tap_done();
	check_placement(&r);
	check_store_alone(&r);
	check_error_flush(&r);
	rig_down(&r);
	return tap_done();
}
