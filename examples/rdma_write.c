// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The smallest complete hwqnic program: one RDMA WRITE in loopback.
 *
 * Two RC queue pairs of one device are connected to each other, as two
 * hosts' QPs would be; QP a writes 4 KiB from its buffer into b's buffer
 * with one RDMA WRITE, and the program checks every byte. The device is
 * the embedded engine (a thread of this process, needs nothing) unless
 * HWQNIC_BACKEND=kernel asks for hwqnic.ko's /dev/hwqnic0.
 *
 *   cc rdma_write.c $(pkg-config --cflags --libs libhwqnic) -o rdma_write
 */
#include "common.h"

#define LEN	4096

int main(void)
{
	static char src[LEN], dst[LEN];
	struct hwqnic_context *ctx;
	struct hwqnic_send_wr wr, *bad;
	struct hwqnic_mr *smr, *dmr;
	struct hwqnic_qp *a, *b;
	struct hwqnic_cq *cq;
	struct hwqnic_pd *pd;
	struct hwqnic_sge sge;
	struct hwqnic_wc wc;
	int err, i;

	for (i = 0; i < LEN; i++)
		src[i] = (char)(i * 7 + 1);

	/* A device, a protection domain, and the two buffers registered. */
	ctx = hwqnic_open(NULL, 0);
	if (!ctx)
		die(errno, "hwqnic_open");
	pd = hwqnic_alloc_pd(ctx);
	if (!pd)
		die(errno, "hwqnic_alloc_pd");
	smr = hwqnic_reg_mr(pd, src, LEN, HWQNIC_ACCESS_LOCAL_WRITE);
	if (!smr)
		die(errno, "hwqnic_reg_mr(src)");
	/* the NIC writes dst on behalf of the remote side: REMOTE_WRITE */
	dmr = hwqnic_reg_mr(pd, dst, LEN, HWQNIC_ACCESS_LOCAL_WRITE |
			    HWQNIC_ACCESS_REMOTE_WRITE);
	if (!dmr)
		die(errno, "hwqnic_reg_mr(dst)");

	/* One CQ for both QPs; QPs start in RESET. */
	cq = hwqnic_create_cq(ctx, 16, NULL, NULL);
	if (!cq)
		die(errno, "hwqnic_create_cq");
	a = make_qp(pd, cq, cq, HWQNIC_QPT_RC, "a");
	b = make_qp(pd, cq, cq, HWQNIC_QPT_RC, "b");
	rc_connect(a, b->qp_num, 0);
	rc_connect(b, a->qp_num, HWQNIC_ACCESS_REMOTE_WRITE);

	/*
	 * The WRITE: a local SGE (address and lkey of our buffer) and the
	 * remote address and rkey, which a real peer would have sent us.
	 */
	sge.addr = (uintptr_t)src;
	sge.length = LEN;
	sge.lkey = smr->lkey;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 1;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = HWQNIC_WR_RDMA_WRITE;
	wr.send_flags = HWQNIC_SEND_SIGNALED;	/* we want its completion */
	wr.wr.rdma.remote_addr = (uintptr_t)dst;
	wr.wr.rdma.rkey = dmr->rkey;
	err = hwqnic_post_send(a, &wr, &bad);
	if (err)
		die(err, "hwqnic_post_send");
	wait_wc(cq, &wc);	/* the WRITE is done when its CQE is polled */
	if (memcmp(src, dst, LEN))
		die(0, "the destination differs from the source");
	printf("rdma_write: %d bytes written from QP %u to QP %u on %s: OK\n",
	       LEN, a->qp_num, b->qp_num, hwqnic_device_name(ctx));

	/* Teardown in reverse: QPs, CQs, MRs, PD, then the device. */
	if ((err = hwqnic_destroy_qp(b)) || (err = hwqnic_destroy_qp(a)) ||
	    (err = hwqnic_destroy_cq(cq)) || (err = hwqnic_dereg_mr(dmr)) ||
	    (err = hwqnic_dereg_mr(smr)) || (err = hwqnic_dealloc_pd(pd)) ||
	    (err = hwqnic_close(ctx)))
		die(err, "teardown");
	return 0;
}
