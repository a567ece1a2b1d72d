// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SEND/RECV in loopback, the receiver sleeping on a completion channel
 * instead of busy-polling.
 *
 * QP b posts a receive buffer and arms its receive CQ
 * (hwqnic_req_notify_cq()); QP a sends a message; the channel's fd
 * becomes readable, hwqnic_get_cq_event() names the CQ, and the receiver
 * re-arms it, then polls it empty, as with ibv_get_cq_event(). The wait
 * is bounded with poll() on the channel's fd.
 *
 *   cc send_recv.c $(pkg-config --cflags --libs libhwqnic) -o send_recv
 */
#include "common.h"
#include <poll.h>

static const char msg[] = "hello over hwqnic";

int main(void)
{
	static char sbuf[64], rbuf[64];
	struct hwqnic_comp_channel *ch;
	struct hwqnic_cq *scq, *rcq, *ev_cq;
	struct hwqnic_context *ctx;
	struct hwqnic_send_wr swr, *sbad;
	struct hwqnic_recv_wr rwr, *rbad;
	struct hwqnic_sge ssge, rsge;
	struct hwqnic_mr *smr, *rmr;
	struct hwqnic_qp *a, *b;
	struct hwqnic_pd *pd;
	struct hwqnic_wc wc;
	struct pollfd pfd;
	void *ev_ctx;
	int err, n;

	ctx = hwqnic_open(NULL, 0);
	if (!ctx)
		die(errno, "hwqnic_open");
	pd = hwqnic_alloc_pd(ctx);
	if (!pd)
		die(errno, "hwqnic_alloc_pd");
	smr = hwqnic_reg_mr(pd, sbuf, sizeof(sbuf), HWQNIC_ACCESS_LOCAL_WRITE);
	if (!smr)
		die(errno, "hwqnic_reg_mr(send buffer)");
	/* the NIC writes received data: LOCAL_WRITE */
	rmr = hwqnic_reg_mr(pd, rbuf, sizeof(rbuf), HWQNIC_ACCESS_LOCAL_WRITE);
	if (!rmr)
		die(errno, "hwqnic_reg_mr(receive buffer)");

	/* The channel: a file descriptor that becomes readable on events. */
	ch = hwqnic_create_comp_channel(ctx);
	if (!ch)
		die(errno, "hwqnic_create_comp_channel");
	scq = hwqnic_create_cq(ctx, 16, NULL, NULL);
	if (!scq)
		die(errno, "hwqnic_create_cq(send)");
	/* the receive CQ reports to the channel; "rcq" comes back with events */
	rcq = hwqnic_create_cq(ctx, 16, "rcq", ch);
	if (!rcq)
		die(errno, "hwqnic_create_cq(receive)");

	a = make_qp(pd, scq, rcq, HWQNIC_QPT_RC, "a");
	b = make_qp(pd, scq, rcq, HWQNIC_QPT_RC, "b");
	rc_connect(a, b->qp_num, 0);
	rc_connect(b, a->qp_num, 0);

	/* A receive must be posted before the SEND that it takes arrives. */
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
	/* Arm: the next completion on rcq sends one event to the channel. */
	err = hwqnic_req_notify_cq(rcq, 0);
	if (err)
		die(err, "hwqnic_req_notify_cq");

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
	err = hwqnic_post_send(a, &swr, &sbad);
	if (err)
		die(err, "hwqnic_post_send");
	wait_wc(scq, &wc);

	/* Sleep until the channel has an event (bounded), then read it. */
	pfd.fd = ch->fd;
	pfd.events = POLLIN;
	n = poll(&pfd, 1, EXAMPLE_TIMEOUT_S * 1000);
	if (n < 0)
		die(errno, "poll");
	if (n == 0)
		die(0, "no completion event after %d s", EXAMPLE_TIMEOUT_S);
	err = hwqnic_get_cq_event(ch, &ev_cq, &ev_ctx);
	if (err)
		die(err, "hwqnic_get_cq_event");
	if (ev_cq != rcq || strcmp(ev_ctx, "rcq"))
		die(0, "the event names another CQ");
	/* Re-arm before polling, so that no completion goes unnoticed. */
	err = hwqnic_req_notify_cq(rcq, 0);
	if (err)
		die(err, "hwqnic_req_notify_cq");
	n = hwqnic_poll_cq(rcq, 1, &wc);
	if (n < 0)
		die(-n, "hwqnic_poll_cq");
	if (n == 0)
		die(0, "an event, but no completion on the receive CQ");
	if (wc.status != HWQNIC_WC_SUCCESS || wc.opcode != HWQNIC_WC_RECV)
		die(0, "receive completion: %s, opcode %s",
		    hwqnic_wc_status_str(wc.status),
		    hwqnic_wc_opcode_str(wc.opcode));
	if (wc.byte_len != sizeof(msg) || memcmp(rbuf, msg, sizeof(msg)))
		die(0, "received %u bytes that differ from what was sent",
		    wc.byte_len);
	printf("send_recv: QP %u received \"%s\" (%u bytes) from QP %u "
	       "through a completion channel: OK\n", b->qp_num, rbuf,
	       wc.byte_len, a->qp_num);

	if ((err = hwqnic_destroy_qp(b)) || (err = hwqnic_destroy_qp(a)) ||
	    (err = hwqnic_destroy_cq(rcq)) || (err = hwqnic_destroy_cq(scq)) ||
	    (err = hwqnic_destroy_comp_channel(ch)) ||
	    (err = hwqnic_dereg_mr(rmr)) || (err = hwqnic_dereg_mr(smr)) ||
	    (err = hwqnic_dealloc_pd(pd)) || (err = hwqnic_close(ctx)))
		die(err, "teardown");
	return 0;
}
