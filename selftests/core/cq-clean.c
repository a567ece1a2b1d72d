// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqnic_cq_clean(): a QP's CQEs leave a CQ it shares with another QP.
 * The other QP's CQEs keep their order, including across the CQ's wrap,
 * each stays valid for its slot's pass, the consumer index skips the
 * freed slots, and the engine learns of them: the CQ fills completely
 * again afterwards without overflowing.
 */
#include "../lib/core_rig.h"
#include "../lib/tap.h"

#define SMALL	8

static struct hwqnic_core_cq small;
static struct hwqnic_core_qp c, d;
static u64 next_id = 1;

static u64 write1(struct rig *r, struct hwqnic_core_qp *q)
{
	struct hwqnic_sge sge = { (uintptr_t)(r->mem + GUARD + SLACK), 8,
				  r->mr.key };
	struct hwqnic_send_wr wr = {
		.wr_id = next_id, .sg_list = &sge, .num_sge = 1,
		.opcode = HWQNIC_WR_RDMA_WRITE,
		.send_flags = HWQNIC_SEND_SIGNALED,
		.wr.rdma = { (uintptr_t)(r->mem + GUARD + SLACK + 64),
			     r->mr.key },
	};
	const struct hwqnic_send_wr *bad;

	if (hwqnic_qp_post_send(&r->dev, q, &wr, &bad))
		return 0;
	return next_id++;
}

static void clean(struct rig *r, struct hwqnic_core_qp *q)
{
	hwqnic_lock(&small.lock);
	hwqnic_cq_clean(&r->dev, &small, q->qpn);
	hwqnic_unlock(&small.lock);
}

/* Polls everything; true if it is exactly want[0..n), in order, of q. */
static bool poll_exactly(struct rig *r, const u64 *want, int n,
			 struct hwqnic_core_qp *q)
{
	struct hwqnic_wc wc[SMALL + 1];
	int got = hwqnic_cq_poll(&r->dev, &small, SMALL + 1, wc), i;

	if (got != n) {
		diag("%d CQEs, want %d", got, n);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (wc[i].wr_id != want[i] || wc[i].qp_num != q->qpn ||
		    wc[i].status != HWQNIC_WC_SUCCESS) {
			diag("CQE %d: wr_id %llu qpn %u status %u", i,
			     (unsigned long long)wc[i].wr_id, wc[i].qp_num,
			     wc[i].status);
			return false;
		}
	}
	return true;
}

static int setup(struct rig *r)
{
	struct hwqnic_qp_init_attr ia = {
		.qp_type = HWQNIC_QPT_RC,
		.cap = { .max_send_wr = SMALL, .max_recv_wr = 1,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};

	if (rig_up(r) || hwqnic_cq_create(&r->dev, &small, SMALL) ||
	    hwqnic_qp_create(&r->dev, &c, &r->pd, &small, &small, &ia) ||
	    hwqnic_qp_create(&r->dev, &d, &r->pd, &small, &small, &ia))
		return -1;
	rts(r, &c, d.qpn);
	rts(r, &d, c.qpn);
	return 0;
}

int main(void)
{
	u64 want[SMALL], cw[SMALL];
	struct rig r;
	int i, n;

	if (!ok(!setup(&r), "a CQ of %d shared by two connected QPs", SMALL))
		return tap_done();

	for (i = 0; i < 5; i++) {
		want[0] = write1(&r, &c);
		run_engine(&r);
		if (!poll_exactly(&r, want, 1, &c))
			break;
	}
	ok(i == 5 && small.hwq.cons.val == 5, "five CQEs polled: the consumer is at slot 5");

	/* c, d, c, d, c, d: slots 5, 6, 7, then 0, 1, 2 of the next pass */
	for (i = 0, n = 0; i < 3; i++) {
		cw[i] = write1(&r, &c);
		want[n++] = write1(&r, &d);
	}
	run_engine(&r);
	clean(&r, &c);
	ok(small.hwq.cons.val == 0 && small.hwq.cons.epoch == 1,
	   "cleaning c's three CQEs moves the consumer past three slots, across the wrap");
	ok(poll_exactly(&r, want, 3, &d),
	   "d's three CQEs remain, in order, valid for their slots");

	for (i = 0; i < SMALL; i++)
		want[i] = write1(&r, &d);
	run_engine(&r);
	ok(poll_exactly(&r, want, SMALL, &d) && !small.overflow &&
	   r.async_events == 0,
	   "the engine knows of the freed slots: the CQ fills completely, no overflow");

	for (i = 0; i < 3; i++)
		cw[i] = write1(&r, &c);
	run_engine(&r);
	clean(&r, &d);
	ok(poll_exactly(&r, cw, 3, &c), "cleaning a QP with no CQEs changes nothing");
	for (i = 0; i < 3; i++)
		cw[i] = write1(&r, &c);
	run_engine(&r);
	clean(&r, &c);
	ok(poll_exactly(&r, NULL, 0, &c), "a CQ holding only the QP's CQEs is emptied");
	for (i = 0; i < SMALL; i++)
		want[i] = write1(&r, &d);
	run_engine(&r);
	ok(poll_exactly(&r, want, SMALL, &d) && !small.overflow,
	   "with nothing polled since, the engine knows it is empty: it fills completely");

	hwqnic_qp_destroy(&r.dev, &d);
	hwqnic_qp_destroy(&r.dev, &c);
	hwqnic_cq_destroy(&r.dev, &small);
	rig_down(&r);
	ok(hwqnic_os_live_allocs(&r.dev.od) == 0, "teardown frees everything");
	return tap_done();
}
