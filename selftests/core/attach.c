// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The host's side of objects another party created (libhwqnic's kernel
 * backend): a queue view over memory mapped from elsewhere, a device over
 * a doorbell page it does not own, CQs and QPs attached by the handles and
 * slots they were granted. Posting writes WQEs into the mapped memory and
 * rings the mapped doorbell page; polling reads CQEs from it. Bad grants
 * are refused and change nothing; every allocation failure leaks nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "qp.h"
#include "../lib/tap.h"

static struct hwqnic_qp_counters counters[HWQNIC_MAX_QP];

static struct hwqnic_qp_counters *t_counters(struct hwqnic_dev *dev, u32 qpn)
{
	(void)dev;
	return &counters[qpn - HWQNIC_FIRST_QPN];
}

static const struct hwqnic_dev_ops ops = { .qp_counters = t_counters };

static void *pages(u32 n)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, (size_t)n * 4096))
		return NULL;
	memset(p, 0, (size_t)n * 4096);
	return p;
}

static void check_map(void)
{
	struct hwqnic_osdev od = { 0 };
	struct hwqnic_hwq q;
	u8 *va = pages(2);
	u32 i, bad = 0;
	int e[6];

	ok(!hwqnic_hwq_map(&od, &q, 100, 6, 12, 2, va),
	   "a 100 x 64 B queue over 2 mapped pages");
	for (i = 0; i < 100; i++)
		bad += hwqnic_hwq_get_qe(&q, i) != va + i * 64;
	ok(!bad && hwqnic_hwq_avail(&q) == 100,
	   "every slot at its place in the mapping (%u bad), all free", bad);
	hwqnic_hwq_unmap(&od, &q);
	ok(hwqnic_os_live_allocs(&od) == 0, "unmap frees the view");

	e[0] = hwqnic_hwq_map(&od, &q, 0, 6, 12, 2, va);
	e[1] = hwqnic_hwq_map(&od, &q, 100, 3, 12, 2, va);
	e[2] = hwqnic_hwq_map(&od, &q, 100, 13, 12, 2, va);
	e[3] = hwqnic_hwq_map(&od, &q, 200, 6, 12, 2, va);
	e[4] = hwqnic_hwq_map(&od, &q, 100, 6, 12, 2, NULL);
	e[5] = hwqnic_hwq_map(&od, &q, 100, 6, 40, 2, va);
	ok(e[0] == -EINVAL && e[1] == -EINVAL && e[2] == -EINVAL &&
	   e[3] == -EINVAL && e[4] == -EINVAL && e[5] == -EINVAL,
	   "no slots, stride under 16 B or over a page, more slots than pages, no memory, bad page size: -EINVAL");
	hwqnic_os_fail_nth(&od, 1);
	e[0] = hwqnic_hwq_map(&od, &q, 100, 6, 12, 2, va);
	hwqnic_os_fail_nth(&od, 0);
	ok(e[0] == -ENOMEM && hwqnic_os_live_allocs(&od) == 0,
	   "an allocation failure: -ENOMEM, nothing held");
	free(va);
}

struct rig {
	struct hwqnic_dev dev;
	struct hwqnic_db_page *dbp;
	u8 *cqmem, *sqmem, *rqmem;
	struct hwqnic_core_cq cq;
	struct hwqnic_core_qp qp;
	struct hwqnic_hwq cqv, sqv, rqv;
};

static void check_attach(void)
{
	struct hwqnic_qp_init_attr ia = { .qp_type = HWQNIC_QPT_RC };
	struct hwqnic_qp_grant g = {
		.qpn = 21, .sq_slot = 7, .rq_slot = 8,
		.cap = { .max_send_wr = 64, .max_recv_wr = 64,
			 .max_send_sge = 2, .max_recv_sge = 2 },
	};
	struct hwqnic_core_cq other;
	struct hwqnic_core_qp twin;
	struct rig r = { 0 };
	struct hwqnic_sge sge = { 0x1000, 8, 0x1234 };
	struct hwqnic_send_wr wr = { .wr_id = 77, .sg_list = &sge,
				     .num_sge = 1,
				     .opcode = HWQNIC_WR_RDMA_WRITE,
				     .send_flags = HWQNIC_SEND_SIGNALED };
	const struct hwqnic_send_wr *bad;
	struct hwqnic_send_wqe *w;
	struct hwqnic_cqe *cqe;
	struct hwqnic_wc wc;
	struct hwqnic_db db;
	int e[4], n;

	r.dbp = pages(DIV_ROUND_UP(sizeof(*r.dbp), 4096));
	r.cqmem = pages(1);
	r.sqmem = pages(1);
	r.rqmem = pages(1);
	if (!ok(!hwqnic_dev_init_dbp(&r.dev, &ops, 3, r.dbp) &&
		r.dev.dbp == r.dbp, "a device over a doorbell page it does not own"))
		return;
	ok(!hwqnic_hwq_map(&r.dev.od, &r.cqv, 128, 5, 12, 1, r.cqmem) &&
	   !hwqnic_hwq_map(&r.dev.od, &r.sqv, 64, 6, 12, 1, r.sqmem) &&
	   !hwqnic_hwq_map(&r.dev.od, &r.rqv, 64, 6, 12, 1, r.rqmem),
	   "views of a CQ, an SQ and an RQ");

	e[0] = hwqnic_cq_attach(&r.dev, &other, HWQNIC_MAX_CQ, 1, 2, 0, &r.cqv);
	e[1] = hwqnic_cq_attach(&r.dev, &other, 5, HWQNIC_DB_SLOTS, 2, 0, &r.cqv);
	ok(e[0] == -EINVAL && e[1] == -EINVAL,
	   "a CQ handle or doorbell slot past the device's: -EINVAL");
	ok(!hwqnic_cq_attach(&r.dev, &r.cq, 5, 1, 2, 0, &r.cqv) &&
	   r.dev.cq[5] == &r.cq, "CQ 5 attached, in the device's table");
	ok(hwqnic_cq_attach(&r.dev, &other, 5, 3, 4, 0, &r.cqv) == -EEXIST &&
	   r.dev.cq[5] == &r.cq, "CQ 5 again: -EEXIST, the first stays");

	g.qpn = HWQNIC_FIRST_QPN - 1;
	e[0] = hwqnic_qp_attach(&r.dev, &twin, &ia, &r.cq, &r.cq, &g,
				&r.sqv, &r.rqv);
	g.qpn = 21;
	g.rq_slot = HWQNIC_DB_SLOTS;
	e[1] = hwqnic_qp_attach(&r.dev, &twin, &ia, &r.cq, &r.cq, &g,
				&r.sqv, &r.rqv);
	g.rq_slot = 8;
	ok(e[0] == -EINVAL && e[1] == -EINVAL && !r.cq.users,
	   "a QPN or doorbell slot out of range: -EINVAL, the CQ unused");
	ok(!hwqnic_qp_attach(&r.dev, &r.qp, &ia, &r.cq, &r.cq, &g, &r.sqv,
			     &r.rqv) &&
	   hwqnic_qp_lookup(&r.dev, 21) == &r.qp && r.cq.users == 2 &&
	   r.qp.cnt == &counters[21 - HWQNIC_FIRST_QPN],
	   "QP 21 attached: found by QPN, its CQ in use twice, its counters");
	ok(hwqnic_qp_attach(&r.dev, &twin, &ia, &r.cq, &r.cq, &g, &r.sqv,
			    &r.rqv) == -EEXIST && r.cq.users == 2,
	   "QP 21 again: -EEXIST, nothing changed");
	ok(hwqnic_cq_detach(&r.dev, &r.cq) == -EBUSY && r.dev.cq[5] == &r.cq,
	   "detaching a CQ a QP uses: -EBUSY");

	/* the host's code, on mapped memory: post, then poll a CQE */
	WRITE_ONCE(r.qp.host_state, HWQNIC_QPS_RTS);
	n = hwqnic_qp_post_send(&r.dev, &r.qp, &wr, &bad);
	w = (struct hwqnic_send_wqe *)r.sqmem;
	ok(!n && w->opcode == HWQNIC_WR_RDMA_WRITE && le64_to_cpu(w->wr_id) == 77,
	   "post_send writes its WQE into the mapped SQ");
	ok(!hwqnic_db_decode(r.dbp->slot[7], &db) && db.type == HWQNIC_DB_SQ &&
	   db.xid == 21 && db.index == 1 && (r.dbp->pending[0] & (1 << 7)) &&
	   (r.dbp->summary & 1),
	   "and rings slot 7 of the mapped doorbell page: SQ of QP 21, index 1");
	cqe = (struct hwqnic_cqe *)r.cqmem;
	*cqe = (struct hwqnic_cqe){ .wr_id = cpu_to_le64(77),
				    .qpn = cpu_to_le32(21),
				    .opcode = HWQNIC_WC_RDMA_WRITE };
	smp_store_release(&cqe->flags, hwqnic_cqe_phase(0));
	n = hwqnic_cq_poll(&r.dev, &r.cq, 1, &wc);
	ok(n == 1 && wc.wr_id == 77 && wc.qp_num == 21 &&
	   r.qp.sq_done == 1 && !hwqnic_db_decode(r.dbp->slot[1], &db) &&
	   db.type == HWQNIC_DB_CQ && db.index == 1,
	   "poll takes the CQE from the mapped CQ, retires the WR and rings the consumer doorbell");

	hwqnic_qp_detach(&r.dev, &r.qp);
	ok(!hwqnic_qp_lookup(&r.dev, 21) && !r.cq.users &&
	   !hwqnic_cq_detach(&r.dev, &r.cq) && !r.dev.cq[5],
	   "detached: QP 21 and CQ 5 leave the tables");
	hwqnic_hwq_unmap(&r.dev.od, &r.cqv);
	hwqnic_hwq_unmap(&r.dev.od, &r.sqv);
	hwqnic_hwq_unmap(&r.dev.od, &r.rqv);
	hwqnic_dev_fini(&r.dev);
	ok(hwqnic_os_live_allocs(&r.dev.od) == 0,
	   "the device frees its tables, not the doorbell page");
	free(r.dbp);
	free(r.cqmem);
	free(r.sqmem);
	free(r.rqmem);
}

int main(void)
{
	check_map();
	check_attach();
	return tap_done();
}
