// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A tracer's times on a CQ of 32-byte CQEs (docs/abi.md, "WQE times"):
 * QPs made while the complete event is traced keep post times and ring
 * their SQ and RQ doorbells with HWQNIC_DB_STAMP in exact mode, and in
 * sampled mode while a sampled WR is outstanding; a sampled WR's WQE asks
 * for times, and the engine writes them over the WQE's own slot, flags
 * its CQE with HWQNIC_CQE_F_WQE_TIMES and the poll returns them: post <=
 * doorbell <= CQE <= now, sends and receives. A WR not sampled keeps its
 * slot as posted and gets no times; untraced QPs ring no stamp and keep
 * no record, until a WR of theirs is sampled: the tracer came later. The
 * CQ stays one of 32-byte CQEs throughout.
 */
#include <string.h>

#include <hwqnic/stats.h>

#include "../lib/core_rig.h"
#include "../lib/tap.h"

/* libhwqnic's semaphore of the complete probe: a tracer's count */
extern unsigned short hwqnic_complete_semaphore;

static u64 src(struct rig *r)
{
	return (uintptr_t)(r->mem + GUARD + SLACK);
}

/* One WR from a (a WRITE, or a SEND into b's receive). */
static bool post_flags(struct rig *r, u8 opcode, u64 wr_id, u32 flags)
{
	struct hwqnic_sge sge = { src(r), 8, r->mr.key };
	struct hwqnic_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sge, .num_sge = 1,
		.opcode = opcode, .send_flags = flags,
		.wr.rdma = { src(r) + 256, r->mr.key },
	};
	const struct hwqnic_send_wr *bad;

	return !hwqnic_qp_post_send(&r->dev, &r->a, &wr, &bad);
}

static bool post1(struct rig *r, u8 opcode, u64 wr_id)
{
	return post_flags(r, opcode, wr_id, HWQNIC_SEND_SIGNALED);
}

struct seen {
	u8 cqe_flags;		/* of the CQE, as the engine wrote it */
	bool slot_kept;		/* the WQE's first bytes as posted */
	struct hwqnic_wc wc;
	struct hwqnic_wc_ts ts;
};

/*
 * Runs the engine and polls the one CQE it writes for the WQE at slot idx
 * of q (a copy of whose first 16 bytes is `posted`).
 */
static bool complete1(struct rig *r, const struct hwqnic_hwq *q, u32 idx,
		      const u8 *posted, struct seen *s)
{
	const struct hwqnic_cqe *cqe;

	run_engine(r);
	cqe = hwqnic_hwq_get_qe(&r->cq.hwq, r->cq.hwq.cons.val);
	s->cqe_flags = cqe->flags;
	s->slot_kept = !memcmp(hwqnic_hwq_get_qe(q, idx), posted, 16);
	return hwqnic_cq_poll_ts(&r->dev, &r->cq, 1, &s->wc, &s->ts) == 1 &&
	       s->wc.status == HWQNIC_WC_SUCCESS;
}

static bool sane(const struct hwqnic_wc_ts *t, u64 before, u64 after)
{
	return t->post_ns >= before && t->post_ns <= t->db_ns &&
	       t->db_ns <= t->cqe_ns && t->cqe_ns <= after;
}

/* The last doorbell rung in QP q's SQ (or RQ) slot. */
static u64 last_db(struct rig *r, const struct hwqnic_core_qp *q, bool recv)
{
	return r->dev.dbp->slot[recv ? q->rq_slot : q->sq_slot];
}

static void untraced(void)
{
	struct rig r;
	struct seen s = { 0 };
	u8 posted[16];
	u32 idx;

	hwqnic_complete_semaphore = 0;
	if (!ok(!rig_up(&r), "untraced: rig up"))
		return;
	ok(!r.a.sq_post_ns && !r.a.rq_post_ns,
	   "untraced: a QP keeps no post times");
	idx = r.a.sq.prod.val;
	ok(post1(&r, HWQNIC_WR_RDMA_WRITE, 1) &&
	   !(last_db(&r, &r.a, false) & HWQNIC_DB_STAMP),
	   "untraced: its SQ doorbell asks for no stamp");
	memcpy(posted, hwqnic_hwq_get_qe(&r.a.sq, idx), sizeof(posted));
	ok(!(((struct hwqnic_send_wqe *)posted)->flags & HWQNIC_WQE_F_TIMESTAMP),
	   "untraced: the WQE asks for no times");
	ok(complete1(&r, &r.a.sq, idx, posted, &s) && s.slot_kept &&
	   !(s.cqe_flags & HWQNIC_CQE_F_WQE_TIMES) && !s.ts.post_ns &&
	   !s.ts.db_ns && !s.ts.cqe_ns,
	   "untraced: the slot as posted, no times (CQE flags 0x%x)",
	   s.cqe_flags);
	rig_down(&r);
}

static void traced(void)
{
	/* one in 2^20: the first WR is marked, the next ones are not */
	static const __u32 word = HWQNIC_SAMPLE_CTL(1U << 20);
	struct hwqnic_wc_ts ts2[2];
	struct hwqnic_wc wc2[2];
	struct hwqnic_send_wqe *w;
	struct seen s = { 0 };
	struct rig r;
	u64 before, after;
	u8 posted[16];
	u32 idx, i, kept = 0, bare = 0, unstamped = 0, n = 16;
	bool first;

	hwqnic_complete_semaphore = 1;
	if (!ok(!rig_up(&r), "traced: rig up"))
		goto out;
	ok(r.cq.hwq.stride_shift == 5 && !hwqnic_cq_ts(&r.cq),
	   "traced: the CQ keeps 32-byte CQEs (stride %u)",
	   1U << r.cq.hwq.stride_shift);
	ok(r.a.sq_post_ns && r.a.rq_post_ns && r.b.rq_post_ns,
	   "traced: QPs made now keep post times");

	/* exact (no control word): every WR sampled, times written back */
	before = hwqnic_os_now_ns();
	idx = r.a.sq.prod.val;
	ok(post1(&r, HWQNIC_WR_RDMA_WRITE, 7) &&
	   (last_db(&r, &r.a, false) & HWQNIC_DB_STAMP),
	   "traced: the SQ doorbell asks for a stamp");
	w = hwqnic_hwq_get_qe(&r.a.sq, idx);
	ok(w->flags & HWQNIC_WQE_F_TIMESTAMP, "traced: the WQE asks for times");
	memcpy(posted, w, sizeof(posted));
	first = complete1(&r, &r.a.sq, idx, posted, &s);
	after = hwqnic_os_now_ns();
	diag("send: post %llu db +%lld cqe +%lld", (unsigned long long)s.ts.post_ns,
	     (long long)(s.ts.db_ns - s.ts.post_ns),
	     (long long)(s.ts.cqe_ns - s.ts.post_ns));
	ok(first && s.wc.wr_id == 7 && (s.cqe_flags & HWQNIC_CQE_F_WQE_TIMES) &&
	   !s.slot_kept && sane(&s.ts, before, after),
	   "traced: a sampled WRITE's times come back in its slot, "
	   "post <= doorbell <= CQE (CQE flags 0x%x)", s.cqe_flags);
	ok(le64_to_cpu(((struct hwqnic_wqe_times *)w)->cqe_ns) == s.ts.cqe_ns &&
	   le64_to_cpu(((struct hwqnic_wqe_times *)w)->db_ns) == s.ts.db_ns,
	   "traced: they are the slot's first 16 bytes");

	/* a receive: its RQ doorbell is stamped, its slot written back */
	before = hwqnic_os_now_ns();
	idx = r.b.rq.prod.val;
	rig_post_recv(&r, &r.b, 9);
	ok(last_db(&r, &r.b, true) & HWQNIC_DB_STAMP,
	   "traced: the RQ doorbell asks for a stamp");
	memcpy(posted, hwqnic_hwq_get_qe(&r.b.rq, idx), sizeof(posted));
	ok(post1(&r, HWQNIC_WR_SEND, 8), "traced: a SEND posted");
	/* the receive's CQE first (written as the SEND delivers), then its */
	ok(complete1(&r, &r.b.rq, idx, posted, &s), "traced: the receive "
	   "completes");
	after = hwqnic_os_now_ns();
	ok(s.wc.wr_id == 9 && (s.cqe_flags & HWQNIC_CQE_F_WQE_TIMES) &&
	   !s.slot_kept && sane(&s.ts, before, after),
	   "traced: a sampled receive's times come back in its RQ slot");
	ok(hwqnic_cq_poll_ts(&r.dev, &r.cq, 1, &s.wc, &s.ts) == 1 &&
	   s.wc.wr_id == 8 && sane(&s.ts, before, after),
	   "traced: the SEND completes, with its times");

	/*
	 * An unsignaled WR, marked in exact mode, has no CQE to take times
	 * back: it asks for none, and is not left outstanding (below, no
	 * doorbell asks for a stamp once the sampled WRs are polled).
	 */
	idx = r.a.sq.prod.val;
	ok(post_flags(&r, HWQNIC_WR_RDMA_WRITE, 50, 0) &&
	   !(((struct hwqnic_send_wqe *)hwqnic_hwq_get_qe(&r.a.sq, idx))->flags &
	     HWQNIC_WQE_F_TIMESTAMP) && post1(&r, HWQNIC_WR_RDMA_WRITE, 51),
	   "traced, exact: an unsignaled WR asks for no times");
	run_engine(&r);
	ok(hwqnic_cq_poll_ts(&r.dev, &r.cq, 2, wc2, ts2) == 1 &&
	   wc2[0].wr_id == 51 && ts2[0].cqe_ns, "traced, exact: the signaled "
	   "one after it completes alone, with its times");

	/*
	 * One in 2^20: the next WR is marked (it draws the period), the
	 * following ones are not. While the marked one is outstanding, every
	 * doorbell of the queue asks for a stamp; once it is polled, none.
	 */
	r.dev.sample_ctl = &word;
	r.a.sq_smp.left = 0;
	before = hwqnic_os_now_ns();
	idx = r.a.sq.prod.val;
	ok(post1(&r, HWQNIC_WR_RDMA_WRITE, 99) &&
	   (last_db(&r, &r.a, false) & HWQNIC_DB_STAMP) &&
	   post1(&r, HWQNIC_WR_RDMA_WRITE, 100) &&
	   (last_db(&r, &r.a, false) & HWQNIC_DB_STAMP),
	   "traced, sampled: while a sampled WR is outstanding, each doorbell "
	   "asks for a stamp");
	memcpy(posted, hwqnic_hwq_get_qe(&r.a.sq, idx), sizeof(posted));
	first = complete1(&r, &r.a.sq, idx, posted, &s);
	after = hwqnic_os_now_ns();
	ok(first && s.wc.wr_id == 99 && sane(&s.ts, before, after) &&
	   hwqnic_cq_poll(&r.dev, &r.cq, 1, &s.wc) == 1 && s.wc.wr_id == 100,
	   "traced, sampled: the sampled WR has its times, doorbell's too");
	for (i = 0; i < n; i++) {
		idx = r.a.sq.prod.val;
		if (!post1(&r, HWQNIC_WR_RDMA_WRITE, 101 + i))
			break;
		unstamped += !(last_db(&r, &r.a, false) & HWQNIC_DB_STAMP);
		w = hwqnic_hwq_get_qe(&r.a.sq, idx);
		memcpy(posted, w, sizeof(posted));
		if (!complete1(&r, &r.a.sq, idx, posted, &s) ||
		    s.wc.wr_id != 101 + i)
			break;
		kept += s.slot_kept && !(w->flags & HWQNIC_WQE_F_TIMESTAMP);
		bare += !(s.cqe_flags & HWQNIC_CQE_F_WQE_TIMES) &&
			!s.ts.post_ns && !s.ts.db_ns && !s.ts.cqe_ns;
	}
	ok(i == n && kept == n && bare == n,
	   "traced, sampling 1 in 2^20: %u WRs not sampled, each slot as "
	   "posted (%u) and no times (%u)", n, kept, bare);
	ok(unstamped == n, "traced, sampled: with none outstanding, their "
	   "%u doorbells ask for no stamp (%u)", n, unstamped);
	r.dev.sample_ctl = NULL;
	rig_down(&r);
out:
	hwqnic_complete_semaphore = 0;
}

/*
 * A tracer that comes after the QPs were made (or a semaphore the kernel
 * set after they were): a queue gets its record at its first sampled WR,
 * and its times from then on; without memory for the record, its
 * completions come without times, as an untraced queue's, and nothing
 * else changes.
 */
static void late(void)
{
	struct seen s = { 0 };
	struct rig r;
	u64 before, after;
	u8 posted[16];
	u32 idx;

	hwqnic_complete_semaphore = 0;
	if (!ok(!rig_up(&r), "late: rig up untraced"))
		return;
	hwqnic_complete_semaphore = 1;
	hwqnic_os_fail_nth(&r.dev.od, 1);
	idx = r.a.sq.prod.val;
	memcpy(posted, hwqnic_hwq_get_qe(&r.a.sq, idx), sizeof(posted));
	ok(post1(&r, HWQNIC_WR_RDMA_WRITE, 20) && !r.a.sq_post_ns &&
	   complete1(&r, &r.a.sq, idx, posted, &s) && s.wc.wr_id == 20 &&
	   !(s.cqe_flags & HWQNIC_CQE_F_WQE_TIMES) && !s.ts.post_ns &&
	   !s.ts.cqe_ns,
	   "late, the record's allocation failing: the WR completes without "
	   "times, the queue without a record");
	hwqnic_os_fail_nth(&r.dev.od, 0);

	before = hwqnic_os_now_ns();
	idx = r.a.sq.prod.val;
	ok(post1(&r, HWQNIC_WR_RDMA_WRITE, 21) && r.a.sq_post_ns &&
	   (last_db(&r, &r.a, false) & HWQNIC_DB_STAMP),
	   "late: the next sampled WR makes the SQ's record, its doorbell "
	   "asks for a stamp");
	memcpy(posted, hwqnic_hwq_get_qe(&r.a.sq, idx), sizeof(posted));
	ok(complete1(&r, &r.a.sq, idx, posted, &s) && s.wc.wr_id == 21 &&
	   (s.cqe_flags & HWQNIC_CQE_F_WQE_TIMES) &&
	   sane(&s.ts, before, hwqnic_os_now_ns()),
	   "late: and it completes with its times, post <= doorbell <= CQE");

	before = hwqnic_os_now_ns();
	idx = r.b.rq.prod.val;
	rig_post_recv(&r, &r.b, 22);
	ok(r.b.rq_post_ns != NULL, "late: the first sampled receive makes the RQ's");
	memcpy(posted, hwqnic_hwq_get_qe(&r.b.rq, idx), sizeof(posted));
	ok(post1(&r, HWQNIC_WR_SEND, 23) &&
	   complete1(&r, &r.b.rq, idx, posted, &s), "late: a SEND into it");
	after = hwqnic_os_now_ns();
	ok(s.wc.wr_id == 22 && (s.cqe_flags & HWQNIC_CQE_F_WQE_TIMES) &&
	   sane(&s.ts, before, after) &&
	   hwqnic_cq_poll_ts(&r.dev, &r.cq, 1, &s.wc, &s.ts) == 1 &&
	   s.wc.wr_id == 23 && sane(&s.ts, before, after),
	   "late: the receive and the SEND complete with their times");
	rig_down(&r);
	hwqnic_complete_semaphore = 0;
}

int main(void)
{
	untraced();
	traced();
	late();
	return tap_done();
}
