// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * UD (unreliable datagram): one SEND from QP a to QP b, without a
 * connection. Each work request names its destination (QP number and
 * Q_Key); every receive buffer starts with HWQNIC_UD_GRH_BYTES (40) bytes
 * of GRH space before the payload, and the completion's byte_len counts
 * them; src_qp names the sender.
 *
 *   cc ud.c $(pkg-config --cflags --libs libhwqnic) -o ud
 */
#include "common.h"

#define QKEY	0x11111111
#define GRH	HWQNIC_UD_GRH_BYTES

static const char msg[] = "a datagram";

/* A UD QP needs no peer: INIT (port, Q_Key), RTR, RTS (its PSN). */
static void ud_to_rts(struct hwqnic_qp *qp)
{
	struct hwqnic_qp_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_INIT;
	a.pkey_index = 0;
	a.port_num = 1;
	a.qkey = QKEY;
	err = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
			       HWQNIC_QP_PORT | HWQNIC_QP_QKEY);
	if (err)
		die(err, "hwqnic_modify_qp(QP %u to INIT)", qp->qp_num);
	a.qp_state = HWQNIC_QPS_RTR;
	err = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE);
	if (err)
		die(err, "hwqnic_modify_qp(QP %u to RTR)", qp->qp_num);
	a.qp_state = HWQNIC_QPS_RTS;
	a.sq_psn = 0;
	err = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN);
	if (err)
		die(err, "hwqnic_modify_qp(QP %u to RTS)", qp->qp_num);
}

int main(void)
{
	static char sbuf[64], rbuf[GRH + 64];
	struct hwqnic_context *ctx;
	struct hwqnic_send_wr swr, *sbad;
	struct hwqnic_recv_wr rwr, *rbad;
	struct hwqnic_sge ssge, rsge;
	struct hwqnic_mr *smr, *rmr;
	struct hwqnic_qp *a, *b;
	struct hwqnic_cq *cq;
	struct hwqnic_pd *pd;
	struct hwqnic_wc wc;
	int err;

	ctx = hwqnic_open(NULL, 0);
	if (!ctx)
		die(errno, "hwqnic_open");
	pd = hwqnic_alloc_pd(ctx);
	if (!pd)
		die(errno, "hwqnic_alloc_pd");
	smr = hwqnic_reg_mr(pd, sbuf, sizeof(sbuf), HWQNIC_ACCESS_LOCAL_WRITE);
	if (!smr)
		die(errno, "hwqnic_reg_mr(send buffer)");
	rmr = hwqnic_reg_mr(pd, rbuf, sizeof(rbuf), HWQNIC_ACCESS_LOCAL_WRITE);
	if (!rmr)
		die(errno, "hwqnic_reg_mr(receive buffer)");
	cq = hwqnic_create_cq(ctx, 16, NULL, NULL);
	if (!cq)
		die(errno, "hwqnic_create_cq");

	a = make_qp(pd, cq, cq, HWQNIC_QPT_UD, "a");
	b = make_qp(pd, cq, cq, HWQNIC_QPT_UD, "b");
	ud_to_rts(a);
	ud_to_rts(b);

	/* The receive buffer holds the GRH space, then the payload. */
	rsge.addr = (uintptr_t)rbuf;
	rsge.length = sizeof(rbuf);
	rsge.lkey = rmr->lkey;
	memset(&rwr, 0, sizeof(rwr));
	rwr.wr_id = 2;
	rwr.sg_list = &rsge;
	rwr.num_sge = 1;
	err = hwqnic_post_recv(b, &rwr, &rbad);
	if (err)
		die(err, "hwqnic_post_recv");

	memcpy(sbuf, msg, sizeof(msg));
	ssge.addr = (uintptr_t)sbuf;
	ssge.length = sizeof(msg);
	ssge.lkey = smr->lkey;
	memset(&swr, 0, sizeof(swr));
	swr.wr_id = 1;
	swr.sg_list = &ssge;
	swr.num_sge = 1;
	swr.opcode = HWQNIC_WR_SEND;
	swr.send_flags = HWQNIC_SEND_SIGNALED;
	swr.wr.ud.remote_qpn = b->qp_num;	/* the destination, per WR */
	swr.wr.ud.remote_qkey = QKEY;		/* must match b's Q_Key */
	err = hwqnic_post_send(a, &swr, &sbad);
	if (err)
		die(err, "hwqnic_post_send");

	/*
	 * Both completions land on the one CQ, in either order. A datagram
	 * with a wrong Q_Key would be dropped silently: the sender still
	 * completes, the receive never does (wait_wc() then times out).
	 */
	wait_wc(cq, &wc);
	if (wc.opcode != HWQNIC_WC_RECV)
		wait_wc(cq, &wc);
	if (wc.opcode != HWQNIC_WC_RECV || wc.byte_len != GRH + sizeof(msg) ||
	    wc.src_qp != a->qp_num || memcmp(rbuf + GRH, msg, sizeof(msg)))
		die(0, "the datagram received is not the one sent");
	printf("ud: QP %u received \"%s\" from QP %u (%u bytes with the GRH "
	       "space): OK\n", b->qp_num, rbuf + GRH, wc.src_qp, wc.byte_len);

	if ((err = hwqnic_destroy_qp(b)) || (err = hwqnic_destroy_qp(a)) ||
	    (err = hwqnic_destroy_cq(cq)) || (err = hwqnic_dereg_mr(rmr)) ||
	    (err = hwqnic_dereg_mr(smr)) || (err = hwqnic_dealloc_pd(pd)) ||
	    (err = hwqnic_close(ctx)))
		die(err, "teardown");
	return 0;
}
