// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An application to watch with qplat: RDMA WRITEs in a loop, for SECONDS
 * (default 10), alternating 64 B and 1 MiB messages so that the
 * latency histograms show two modes. libhwqnic's USDT probes fire on
 * every post, doorbell, completion and poll; untraced they cost nothing.
 *
 *   cc traced.c $(pkg-config --cflags --libs libhwqnic) -o traced
 *   sudo qplat -B ./traced        # in one terminal
 *   ./traced 20                   # in another; Ctrl-C qplat for its report
 *
 * Linked against libhwqnic.so, as pkg-config links it, qplat -B ./traced
 * attaches to that library (the program's DT_NEEDED), so it sees every
 * process that uses the same libhwqnic.so.1; add -p PID (the program
 * prints its PID first) to watch this one only.
 */
#include "common.h"
#include <unistd.h>

#define BIG	(1024 * 1024)

int main(int argc, char **argv)
{
	static char src[BIG], dst[BIG];
	struct hwqnic_context *ctx;
	struct hwqnic_send_wr wr, *bad;
	struct hwqnic_mr *smr, *dmr;
	struct hwqnic_qp *a, *b;
	struct hwqnic_cq *cq;
	struct hwqnic_pd *pd;
	struct hwqnic_sge sge;
	struct hwqnic_wc wc;
	double seconds = 10, end;
	unsigned long n = 0;
	char *rest;
	int err;

	if (argc > 2 || (argc == 2 && ((seconds = strtod(argv[1], &rest)) <= 0 ||
				       *rest || seconds > 86400))) {
		fprintf(stderr, "usage: traced [SECONDS]  (0 < SECONDS <= 86400)\n");
		return 2;
	}
	printf("traced: pid %d, RDMA WRITEs for %g s\n", (int)getpid(), seconds);
	fflush(stdout);

	ctx = hwqnic_open(NULL, 0);
	if (!ctx)
		die(errno, "hwqnic_open");
	pd = hwqnic_alloc_pd(ctx);
	if (!pd)
		die(errno, "hwqnic_alloc_pd");
	smr = hwqnic_reg_mr(pd, src, BIG, HWQNIC_ACCESS_LOCAL_WRITE);
	if (!smr)
		die(errno, "hwqnic_reg_mr(src)");
	dmr = hwqnic_reg_mr(pd, dst, BIG, HWQNIC_ACCESS_LOCAL_WRITE |
			    HWQNIC_ACCESS_REMOTE_WRITE);
	if (!dmr)
		die(errno, "hwqnic_reg_mr(dst)");
	cq = hwqnic_create_cq(ctx, 16, NULL, NULL);
	if (!cq)
		die(errno, "hwqnic_create_cq");
	a = make_qp(pd, cq, cq, HWQNIC_QPT_RC, "a");
	b = make_qp(pd, cq, cq, HWQNIC_QPT_RC, "b");
	rc_connect(a, b->qp_num, 0);
	rc_connect(b, a->qp_num, HWQNIC_ACCESS_REMOTE_WRITE);

	memset(&wr, 0, sizeof(wr));
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = HWQNIC_WR_RDMA_WRITE;
	wr.send_flags = HWQNIC_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = (uintptr_t)dst;
	wr.wr.rdma.rkey = dmr->rkey;
	sge.addr = (uintptr_t)src;
	sge.lkey = smr->lkey;
	/* One WRITE at a time: post, then wait for its completion. */
	for (end = now_s() + seconds; now_s() < end; n++) {
		sge.length = n % 2 ? BIG : 64;
		wr.wr_id = n;
		err = hwqnic_post_send(a, &wr, &bad);
		if (err)
			die(err, "hwqnic_post_send");
		wait_wc(cq, &wc);
	}
	printf("traced: %lu RDMA WRITEs from QP %u to QP %u: OK\n", n,
	       a->qp_num, b->qp_num);

	if ((err = hwqnic_destroy_qp(b)) || (err = hwqnic_destroy_qp(a)) ||
	    (err = hwqnic_destroy_cq(cq)) || (err = hwqnic_dereg_mr(dmr)) ||
	    (err = hwqnic_dereg_mr(smr)) || (err = hwqnic_dealloc_pd(pd)) ||
	    (err = hwqnic_close(ctx)))
		die(err, "teardown");
	return 0;
}
