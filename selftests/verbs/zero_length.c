// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Zero-length RDMA: as the IB spec has it (and rxe does), an RDMA WRITE,
 * WRITE_WITH_IMM or READ of 0 bytes names no remote memory, so its R_Key
 * and address are not checked: rkey 0 and address 0 complete with
 * SUCCESS and the QP stays in RTS. The responder QP's access flags still
 * are checked, and a WR of 1 byte with the same rkey still fails.
 */
#include "../lib/helpers.h"

static struct u_dev dev;

/* One RDMA WR of len bytes to raddr with rkey; NULL if it completed as want. */
static const char *rdma(struct u_pair *p, struct u_buf *b,
			enum hwqnic_wr_opcode op, uint32_t len, uint64_t raddr,
			uint32_t rkey, uint64_t id, int want)
{
	struct hwqnic_sge s = u_sge(b, 0, len);
	int opc = op == HWQNIC_WR_RDMA_READ ? HWQNIC_WC_RDMA_READ :
					      HWQNIC_WC_RDMA_WRITE;

	if (u_post_send(p->a.qp, op, id, &s, len ? 1 : 0,
			HWQNIC_SEND_SIGNALED, raddr, rkey, htobe32(0x5a5a)))
		return "post_send failed";
	return u_expect_wc(p->a.scq, id, want, opc, len, p->a.qp->qp_num,
			   NULL);
}

static void accepted(void)
{
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_buf b;
	struct hwqnic_sge r;
	const char *why;

	u_qp_cfg_default(&cfg);
	if (!ok(!u_pair_create(&p, dev.pd, &cfg), "RC pair"))
		return;
	if (!ok(!u_buf_alloc(&b, dev.pd, 4096, U_RC_ACCESS), "buffer"))
		goto out_pair;

	why = rdma(&p, &b, HWQNIC_WR_RDMA_WRITE, 0, 0, 0, 1,
		   HWQNIC_WC_SUCCESS);
	ok_why(why, "RDMA_WRITE of 0 bytes, no SGE, rkey 0, address 0: SUCCESS");
	why = rdma(&p, &b, HWQNIC_WR_RDMA_WRITE, 0, 0xdead0000, 0xbadbad, 2,
		   HWQNIC_WC_SUCCESS);
	ok_why(why, "RDMA_WRITE of one empty SGE, an rkey of no MR: SUCCESS");
	why = rdma(&p, &b, HWQNIC_WR_RDMA_READ, 0, 0, 0, 3,
		   HWQNIC_WC_SUCCESS);
	ok_why(why, "RDMA_READ of 0 bytes, rkey 0: SUCCESS");

	r = u_sge(&b, 0, 0);
	why = u_post_recv(p.b.qp, 40, &r, 0) ? "post_recv failed" :
	      rdma(&p, &b, HWQNIC_WR_RDMA_WRITE_WITH_IMM, 0, 0, 0, 4,
		   HWQNIC_WC_SUCCESS);
	if (!why) {
		struct hwqnic_wc wc;

		why = u_expect_wc(p.b.rcq, 40, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RECV_RDMA_WITH_IMM, 0,
				  p.b.qp->qp_num, &wc);
		if (!why && (!(wc.wc_flags & HWQNIC_WC_F_WITH_IMM) ||
			     wc.imm_data != htobe32(0x5a5a)))
			why = "immediate data missing or wrong";
	}
	ok_why(why, "RDMA_WRITE_WITH_IMM of 0 bytes, rkey 0: the receive completes with the immediate");

	ok(u_qp_state(p.a.qp) == HWQNIC_QPS_RTS &&
	   u_qp_state(p.b.qp) == HWQNIC_QPS_RTS, "both QPs still in RTS");
	why = rdma(&p, &b, HWQNIC_WR_RDMA_WRITE, 64, u_addr(&b, 1024),
		   b.mr->rkey, 5, HWQNIC_WC_SUCCESS);
	ok_why(why, "and a 64-byte RDMA_WRITE still works");
	/* a byte is memory: its rkey is checked */
	why = rdma(&p, &b, HWQNIC_WR_RDMA_WRITE, 1, 0, 0, 6,
		   HWQNIC_WC_REM_ACCESS_ERR);
	ok_why(why, "RDMA_WRITE of 1 byte with rkey 0: REM_ACCESS_ERR");
	u_buf_free(&b);
out_pair:
	ok(!u_pair_destroy(&p), "pair destroyed");
}

/* The responder QP's rights are checked whatever the length. */
static void refused(enum hwqnic_wr_opcode op, const char *name)
{
	struct u_qp_cfg ca, cb;
	struct u_pair p;
	struct u_buf b;
	const char *why;

	u_qp_cfg_default(&ca);
	cb = ca;
	cb.access = HWQNIC_ACCESS_LOCAL_WRITE;
	if (!ok(!u_pair_create2(&p, dev.pd, &ca, dev.pd, &cb),
		"RC pair, responder granting no remote access"))
		return;
	if (!u_buf_alloc(&b, dev.pd, 64, U_RC_ACCESS)) {
		why = rdma(&p, &b, op, 0, 0, 0, 7, HWQNIC_WC_REM_ACCESS_ERR);
		ok_why(why, "%s of 0 bytes to a QP without the right: REM_ACCESS_ERR",
		   name);
		u_buf_free(&b);
	} else {
		ok(0, "buffer");
	}
	ok(!u_pair_destroy(&p), "pair destroyed");
}

static void suite(void)
{
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	accepted();
	refused(HWQNIC_WR_RDMA_WRITE, "RDMA_WRITE");
	refused(HWQNIC_WR_RDMA_READ, "RDMA_READ");
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
