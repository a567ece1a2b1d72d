// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * UC between two QPs of one device (the loopback path): created and
 * connected with ibv_uc_pingpong's attribute masks (an RC-only attribute
 * is refused), SENDs and WRITEs with and without immediate arrive byte for
 * byte at sizes from 0 to past 64 KiB, READs and atomics are refused at
 * post with EINVAL. What goes wrong at the receiver is its own: a SEND
 * with no receive posted and a WRITE with a bad R_Key are dropped, the
 * sender completing with SUCCESS and both QPs staying in RTS, and the next
 * message arrives; a receive too short completes LOC_LEN_ERR there while
 * the sender still completes with SUCCESS.
 */
#include "../lib/helpers.h"

#define SLOT	(80 << 10)

static struct u_dev dev;
static struct u_pair p;		/* a -> b */
static struct u_buf sb, rb;
static uint64_t seed, next_id = 1;

/* One message of op and len from a to b, checked at both ends. */
static const char *message(enum hwqnic_wr_opcode op, uint32_t len)
{
	bool recv = op != HWQNIC_WR_RDMA_WRITE;
	bool imm = op == HWQNIC_WR_SEND_WITH_IMM ||
		   op == HWQNIC_WR_RDMA_WRITE_WITH_IMM;
	bool send = op == HWQNIC_WR_SEND || op == HWQNIC_WR_SEND_WITH_IMM;
	struct hwqnic_sge s = u_sge(&sb, 0, len), r = u_sge(&rb, 0, SLOT);
	uint64_t id = next_id++;
	struct hwqnic_wc wc;
	const char *why;

	u_fill_rand(sb.p, len, &seed);
	memset(rb.p, 0, SLOT);
	if (recv && u_post_recv(p.b.qp, id, &r, 1))
		return "post_recv failed";
	if (u_post_send(p.a.qp, op, id, &s, 1, HWQNIC_SEND_SIGNALED,
			u_addr(&rb, 0), rb.mr->rkey, (uint32_t)id))
		return "post_send failed";
	why = u_expect_wc(p.a.scq, id, HWQNIC_WC_SUCCESS,
			  send ? HWQNIC_WC_SEND : HWQNIC_WC_RDMA_WRITE, len,
			  p.a.qp->qp_num, NULL);
	if (!why && recv)
		why = u_expect_wc(p.b.rcq, id, HWQNIC_WC_SUCCESS,
				  send ? HWQNIC_WC_RECV :
				  HWQNIC_WC_RECV_RDMA_WITH_IMM, len,
				  p.b.qp->qp_num, &wc);
	if (!why && recv &&
	    (!!(wc.wc_flags & HWQNIC_WC_F_WITH_IMM) != imm ||
	     (imm && wc.imm_data != (uint32_t)id)))
		why = "the immediate is wrong";
	if (!why && u_first_diff(rb.p, sb.p, len) >= 0)
		why = "the bytes differ";
	return why;
}

/* A message the receiver drops: the sender completes, nothing arrives. */
static void dropped(const char *what, enum hwqnic_wr_opcode op,
		    uint32_t rkey)
{
	struct hwqnic_sge s = u_sge(&sb, 0, 3000);
	uint64_t id = next_id++;
	struct hwqnic_wc wc;
	const char *why;
	int got;

	u_fill_rand(sb.p, 3000, &seed);
	memset(rb.p, 0, SLOT);
	if (!ok(!u_post_send(p.a.qp, op, id, &s, 1, HWQNIC_SEND_SIGNALED,
			     u_addr(&rb, 0), rkey, 0), "%s: posted", what))
		return;
	why = u_expect_wc(p.a.scq, id, HWQNIC_WC_SUCCESS,
			  op == HWQNIC_WR_SEND ? HWQNIC_WC_SEND :
			  HWQNIC_WC_RDMA_WRITE, 3000, 0, NULL);
	ok_why(why, "%s: the sender completes with SUCCESS", what);
	got = u_cq_quiet(p.b.rcq, 20, &wc);
	ok(!got && u_first_diff(rb.p, rb.p + SLOT / 2, 3000) < 0 &&
	   u_qp_state(p.a.qp) == HWQNIC_QPS_RTS &&
	   u_qp_state(p.b.qp) == HWQNIC_QPS_RTS,
	   "%s: nothing arrives, nothing written, both in RTS", what);
	/* the next message goes through, into a receive posted now */
	ok_why(message(HWQNIC_WR_SEND, 100), "%s: the next message arrives",
	       what);
}

static void suite(void)
{
	static const enum hwqnic_wr_opcode ops[] = {
		HWQNIC_WR_SEND, HWQNIC_WR_SEND_WITH_IMM, HWQNIC_WR_RDMA_WRITE,
		HWQNIC_WR_RDMA_WRITE_WITH_IMM,
	};
	static const char *const names[] = {
		"SEND", "SEND_WITH_IMM", "RDMA_WRITE", "RDMA_WRITE_WITH_IMM",
	};
	const uint32_t sizes[] = { 0, 1, 4095, 4096, 4097, 65536 + 3 };
	struct hwqnic_sge s, r;
	struct hwqnic_qp_attr a;
	struct u_qp_cfg cfg;
	struct u_ep e;
	struct hwqnic_wc wc;
	unsigned int i, j;
	const char *why;
	int rc;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	u_qp_cfg_default(&cfg);
	cfg.type = HWQNIC_QPT_UC;
	cfg.access = HWQNIC_ACCESS_LOCAL_WRITE | HWQNIC_ACCESS_REMOTE_WRITE;
	rc = u_pair_create(&p, dev.pd, &cfg);
	rc = rc ? rc : u_buf_alloc(&sb, dev.pd, SLOT, U_RC_ACCESS);
	rc = rc ? rc : u_buf_alloc(&rb, dev.pd, SLOT, U_RC_ACCESS);
	if (!ok(!rc, "two UC QPs connected with ibv_uc_pingpong's masks"))
		goto out;
	ok(p.a.qp->qp_type == HWQNIC_QPT_UC && p.b.qp->state == HWQNIC_QPS_RTS &&
	   !strcmp(hwqnic_qp_type_str(HWQNIC_QPT_UC), "UC"),
	   "QP type UC (named UC), state RTS");

	/* RC's attributes have no place on UC */
	ok(!u_ep_create(&e, dev.pd, &cfg) && !u_rc_to_init(e.qp, cfg.access) &&
	   u_rc_to_rtr(e.qp, p.a.qp->qp_num, 1, 1) == EINVAL &&
	   u_qp_state(e.qp) == HWQNIC_QPS_INIT,
	   "RTR with MAX_DEST_RD_ATOMIC and MIN_RNR_TIMER: EINVAL on UC");
	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RTR;
	a.path_mtu = HWQNIC_MTU_1024;
	a.dest_qp_num = p.a.qp->qp_num;
	ok(!hwqnic_modify_qp(e.qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
			     HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN) &&
	   u_rc_to_rts(e.qp, 7, 1) == EINVAL,
	   "RTS with TIMEOUT, RETRY_CNT, RNR_RETRY: EINVAL on UC");
	u_ep_destroy(&e);

	for (i = 0; i < U_ARRAY_SIZE(ops); i++) {
		why = NULL;
		for (j = 0; !why && j < U_ARRAY_SIZE(sizes); j++)
			why = message(ops[i], sizes[j]);
		ok_why(why, "%s of 0 to %u bytes, byte for byte", names[i],
		       sizes[U_ARRAY_SIZE(sizes) - 1]);
	}

	s = u_sge(&sb, 0, 8);
	ok(u_post_send(p.a.qp, HWQNIC_WR_RDMA_READ, 1, &s, 1, 0,
		       u_addr(&rb, 0), rb.mr->rkey, 0) == EINVAL,
	   "RDMA_READ on UC: EINVAL at post");
	ok(u_post_atomic(p.a.qp, HWQNIC_WR_ATOMIC_FETCH_AND_ADD, 1, &s, 0,
			 u_addr(&rb, 0), rb.mr->rkey, 1, 0) == EINVAL &&
	   u_post_atomic(p.a.qp, HWQNIC_WR_ATOMIC_CMP_AND_SWP, 1, &s, 0,
			 u_addr(&rb, 0), rb.mr->rkey, 0, 1) == EINVAL,
	   "atomics on UC: EINVAL at post");

	dropped("a SEND with no receive posted", HWQNIC_WR_SEND, 0);
	dropped("a WRITE with a bad R_Key", HWQNIC_WR_RDMA_WRITE,
		rb.mr->rkey ^ 0x100);
	dropped("a WRITE_WITH_IMM with no receive posted",
		HWQNIC_WR_RDMA_WRITE_WITH_IMM, rb.mr->rkey);

	/* a receive too short: the receiver's error, not the sender's */
	s = u_sge(&sb, 0, 100);
	r = u_sge(&rb, 0, 10);
	why = u_post_recv(p.b.qp, 77, &r, 1) ||
	      u_post_send(p.a.qp, HWQNIC_WR_SEND, 77, &s, 1,
			  HWQNIC_SEND_SIGNALED, 0, 0, 0) ? "post failed" :
	      u_expect_wc(p.a.scq, 77, HWQNIC_WC_SUCCESS, HWQNIC_WC_SEND, 100,
			  0, NULL);
	if (!why)
		why = u_expect_wc(p.b.rcq, 77, HWQNIC_WC_LOC_LEN_ERR, -1, -1, 0,
				  NULL);
	ok_why(why, "100 bytes into a 10-byte receive: LOC_LEN_ERR there, "
	       "SUCCESS at the sender");
	ok(!u_cq_quiet(p.a.rcq, 10, &wc) && !u_cq_quiet(p.b.scq, 10, &wc),
	   "no stray completions");
out:
	u_buf_free(&sb);
	u_buf_free(&rb);
	ok(!u_pair_destroy(&p), "QPs and CQs destroyed");
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
