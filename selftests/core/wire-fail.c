// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What goes wrong on a wire, and what hwqnic does about it: a dead peer
 * ends in RETRY_EXC_ERR after retry_cnt timeouts, in bounded time; a
 * receiver that never posts ends in RNR_RETRY_EXC_ERR after rnr_retry RNR
 * NAKs, and one that posts late is waited for; corrupted and truncated
 * frames are dropped and counted, none taken; and frames made to be
 * hostile (a wrong P_Key, an unknown QP, a stranger's address, a MIDDLE
 * with no FIRST, a payload longer or shorter than its opcode allows, a
 * response to nothing sent, a WRITE past its MR) are each refused for
 * their reason, or answered with the NAK IB prescribes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bound.h"
#include "../lib/frames.h"
#include "../lib/pattern.h"
#include "../lib/tap.h"
#include "../lib/wire.h"

static struct w_link L;
static uint64_t seed;

struct want {
	struct w_side *s;
	struct hwqnic_wc wc;
	int n;
};

static bool got_one(void *ctx)
{
	struct want *w = ctx;

	if (!w->n && w_poll(w->s, &w->wc, 1) == 1)
		w->n = 1;
	return w->n;
}

static void passes(u32 n)
{
	while (n--) {
		hwqnic_engine_poll(&L.a.dev);
		hwqnic_engine_poll(&L.b.dev);
	}
}

static void send_one(u32 len)
{
	struct hwqnic_sge sge = { w_addr(&L.a, 0), len, L.a.mr.key };
	struct hwqnic_send_wr wr = {
		.wr_id = 7, .sg_list = &sge, .num_sge = 1,
		.opcode = HWQNIC_WR_SEND, .send_flags = HWQNIC_SEND_SIGNALED,
	};
	const struct hwqnic_send_wr *bad;

	hwqnic_qp_post_send(&L.a.dev, &L.a.rc, &wr, &bad);
}

static void recv_one(u64 wr_id)
{
	struct hwqnic_sge sge = { w_addr(&L.b, 8192), 8192, L.b.mr.key };
	struct hwqnic_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge,
				     .num_sge = 1 };
	const struct hwqnic_recv_wr *bad;

	hwqnic_qp_post_recv(&L.b.dev, &L.b.rc, &wr, &bad);
}

static bool up(const struct w_conn *c)
{
	if (w_up(&L, 64 << 10, seed) || w_connect(&L, c)) {
		ok(0, "two devices on a wire, connected");
		w_down(&L);
		return false;
	}
	return true;
}

static void dead_peer(void)
{
	struct w_conn c = { .mtu = HWQNIC_MTU_1024, .timeout = 8,
			    .retry_cnt = 3, .rnr_retry = 7, .rd_atomic = 1 };
	struct want w = { .s = &L.a };
	uint64_t t0;

	if (!up(&c))
		return;
	L.f.down = true;
	send_one(3000);
	t0 = u_now_ns();
	w_run(&L, got_one, &w, 100000000);
	ok(w.n && w.wc.status == HWQNIC_WC_RETRY_EXC_ERR && w.wc.wr_id == 7,
	   "a dead peer: RETRY_EXC_ERR (status %d)", w.wc.status);
	diag("after %.1f ms; 1 ms timeout, retry_cnt 3",
	     (u_now_ns() - t0) / 1e6);
	ok(L.a.wc.timeouts == 4 && L.a.wc.retransmits == 3 * 3,
	   "retry_cnt 3: 4 timeouts, the message's 3 packets sent 3 times "
	   "again (%llu, %llu)", (unsigned long long)L.a.wc.timeouts,
	   (unsigned long long)L.a.wc.retransmits);
	ok(L.a.rc.nic.state == HWQNIC_QPS_ERR, "the requester is in ERR");
	memset(&w, 0, sizeof(w));
	w.s = &L.a;
	send_one(10);
	w_run(&L, got_one, &w, 100000);
	ok(w.n && w.wc.status == HWQNIC_WC_WR_FLUSH_ERR,
	   "a send posted after it is flushed (status %d)", w.wc.status);
	w_down(&L);
}

/*
 * The host rewrites a WQE in flight: a go-back reads it again from the
 * SQ, finds it no longer the one it sent, and fails it rather than send
 * the rest of another.
 */
static void rewritten(void)
{
	/* 268 ms: no timer may fire within the 100 passes of the loss */
	struct w_conn c = { .mtu = HWQNIC_MTU_1024, .timeout = 16,
			    .retry_cnt = 7, .rnr_retry = 7, .rd_atomic = 1 };
	struct want w = { .s = &L.a }, wb = { .s = &L.b };
	struct hwqnic_send_wqe *wqe;

	if (!up(&c))
		return;
	recv_one(4);
	L.f.down = true;
	send_one(3000);
	passes(100);			/* sent, and lost */
	wqe = hwqnic_hwq_get_qe(&L.a.rc.sq, 0);
	wqe->length = cpu_to_le32(5000);
	((struct hwqnic_wqe_sge *)(wqe + 1))->length = cpu_to_le32(5000);
	L.f.down = false;
	w_run(&L, got_one, &w, 10000000);
	w_run(&L, got_one, &wb, 100000);
	ok(L.a.wc.tx_pkts == 3 && w.n &&
	   w.wc.status == HWQNIC_WC_LOC_QP_OP_ERR,
	   "a WQE rewritten in flight: failed at the go-back, nothing more "
	   "sent (status %d, %llu packets)", w.wc.status,
	   (unsigned long long)L.a.wc.tx_pkts);
	ok(!wb.n, "and nothing received");
	w_down(&L);
}

/*
 * The MR a READ's responses come from goes away while they go out, a few
 * a pass (a port whose ring holds 4 frames): the responder NAKs, its QP
 * goes to ERR and is flushed; the READ fails with REM_ACCESS_ERR.
 */
static void read_mr_gone(void)
{
	struct w_conn c = { .mtu = HWQNIC_MTU_256, .timeout = 14,
			    .retry_cnt = 7, .rnr_retry = 7, .rd_atomic = 1 };
	struct want w = { .s = &L.a }, wb = { .s = &L.b };
	dma_addr_t pages[16];
	struct hwqnic_core_mr mr2;
	struct hwqnic_sge sge = { 0 };
	struct hwqnic_send_wr wr = {
		.wr_id = 8, .sg_list = &sge, .num_sge = 1,
		.opcode = HWQNIC_WR_RDMA_READ,
		.send_flags = HWQNIC_SEND_SIGNALED,
	};
	const struct hwqnic_send_wr *bad;
	int i;

	if (!up(&c))
		return;
	for (i = 0; i < 16; i++)
		pages[i] = hwqnic_os_va_to_dma(L.b.mem + i * 4096);
	if (hwqnic_mr_reg(&L.b.dev, &mr2, &L.b.pd, w_addr(&L.b, 0), 64 << 10,
			  HWQNIC_ACCESS_ALL, pages, 16, 12)) {
		ok(0, "a second MR");
		w_down(&L);
		return;
	}
	recv_one(6);
	L.f.txq = 4;
	sge = (struct hwqnic_sge){ w_addr(&L.a, 0), 50000, L.a.mr.key };
	wr.wr.rdma.remote_addr = w_addr(&L.b, 0);
	wr.wr.rdma.rkey = mr2.key;
	hwqnic_qp_post_send(&L.a.dev, &L.a.rc, &wr, &bad);
	passes(5);
	hwqnic_mr_dereg(&L.b.dev, &mr2);
	w_run(&L, got_one, &w, 1000000);
	w_run(&L, got_one, &wb, 1000000);
	ok(L.b.wc.tx_full && L.b.wc.tx_pkts < 50000 / 256,
	   "the responses went out a few a pass (%llu waits for a frame)",
	   (unsigned long long)L.b.wc.tx_full);
	ok(w.n && w.wc.status == HWQNIC_WC_REM_ACCESS_ERR,
	   "its MR gone mid-READ: REM_ACCESS_ERR (%d)", w.wc.status);
	ok(wb.n && wb.wc.status == HWQNIC_WC_WR_FLUSH_ERR && wb.wc.wr_id == 6 &&
	   L.b.rc.nic.state == HWQNIC_QPS_ERR,
	   "the responder in ERR, its receive flushed (%d)", wb.wc.status);
	w_down(&L);
}

/* A SEND longer than the receive waiting for it. */
static void too_long(void)
{
	struct w_conn c = { .mtu = HWQNIC_MTU_1024, .timeout = 14,
			    .retry_cnt = 7, .rnr_retry = 7, .rd_atomic = 1 };
	struct want w = { .s = &L.a }, wb = { .s = &L.b };

	if (!up(&c))
		return;
	recv_one(3);		/* 8192 bytes */
	memset(L.a.mem, 0xab, 9000);
	send_one(9000);
	w_run(&L, got_one, &w, 10000000);
	w_run(&L, got_one, &wb, 1000000);
	ok(w.n && w.wc.status == HWQNIC_WC_REM_INV_REQ_ERR && wb.n &&
	   wb.wc.status == HWQNIC_WC_LOC_LEN_ERR && wb.wc.wr_id == 3,
	   "a SEND longer than its receive: REM_INV_REQ_ERR, and LOC_LEN_ERR "
	   "for the receive (%d, %d)", w.wc.status, wb.wc.status);
	ok(L.a.rc.nic.state == HWQNIC_QPS_ERR &&
	   L.b.rc.nic.state == HWQNIC_QPS_ERR, "both QPs in ERR");
	ok(L.b.mem[8192 + 8191] == 0xab && !L.b.mem[8192 + 8192],
	   "the receive filled, nothing written past it");
	w_down(&L);
}

static bool rnr_naked(void *ctx)
{
	(void)ctx;
	return L.a.wc.rnr_naks_rcvd >= 5;
}

static void rnr(void)
{
	struct w_conn c = { .mtu = HWQNIC_MTU_1024, .timeout = 14,
			    .retry_cnt = 7, .rnr_retry = 2,
			    .min_rnr_timer = 1, .rd_atomic = 1 };
	struct want w = { .s = &L.a }, wb = { .s = &L.b };

	if (!up(&c))
		return;
	send_one(100);
	w_run(&L, got_one, &w, 10000000);
	ok(w.n && w.wc.status == HWQNIC_WC_RNR_RETRY_EXC_ERR,
	   "no receive posted, rnr_retry 2: RNR_RETRY_EXC_ERR (status %d)",
	   w.wc.status);
	ok(L.b.wc.rnr_naks_sent == 3 && L.a.wc.rnr_naks_rcvd == 3,
	   "3 RNR NAKs sent and taken (%llu, %llu)",
	   (unsigned long long)L.b.wc.rnr_naks_sent,
	   (unsigned long long)L.a.wc.rnr_naks_rcvd);
	w_down(&L);

	/* rnr_retry 7: the requester waits for the receive, however late */
	c.rnr_retry = 7;
	c.min_rnr_timer = 3;	/* 30 us */
	if (!up(&c))
		return;
	memset(&w, 0, sizeof(w));
	w.s = &L.a;
	u_fill_rand(L.a.mem, 100, &seed);
	send_one(100);
	ok(w_run(&L, rnr_naked, NULL, 10000000) && !w_poll(&L.a, &w.wc, 1),
	   "rnr_retry 7: still waiting after 5 RNR NAKs");
	recv_one(9);
	ok(w_run(&L, got_one, &w, 10000000) && !w.wc.status &&
	   w_run(&L, got_one, &wb, 1000000) && !wb.wc.status &&
	   wb.wc.wr_id == 9 && wb.wc.byte_len == 100 &&
	   !memcmp(L.b.mem + 8192, L.a.mem, 100),
	   "rnr_retry 7: delivered once the receive is posted, after %llu "
	   "RNR NAKs", (unsigned long long)L.a.wc.rnr_naks_rcvd);
	w_down(&L);
}

static u64 drops(const struct w_side *s)
{
	u64 n = 0;
	int i;

	for (i = 0; i < HWQNIC_DROP_MAX; i++)
		n += s->wc.drops[i];
	return n;
}

/*
 * Every frame damaged by the fault *fault points at: each one dropped, for
 * reason why among others, and the sender's retries run out.
 */
static void damaged_by(u32 *fault, enum hwqnic_drop why, const char *what)
{
	struct w_conn c = { .mtu = HWQNIC_MTU_1024, .timeout = 8,
			    .retry_cnt = 2, .rnr_retry = 7, .rd_atomic = 1 };
	struct want w = { .s = &L.a };

	if (!up(&c))
		return;
	recv_one(1);
	*fault = 1000000;
	send_one(3000);
	w_run(&L, got_one, &w, 100000000);
	ok(L.b.wc.rx_pkts >= 9 && drops(&L.b) == L.b.wc.rx_pkts &&
	   L.b.wc.drops[why] && w.wc.status == HWQNIC_WC_RETRY_EXC_ERR,
	   "every frame %s: all %llu dropped (%llu for the expected reason), "
	   "none taken", what, (unsigned long long)L.b.wc.rx_pkts,
	   (unsigned long long)L.b.wc.drops[why]);
	ok(!w_qp_sums(&L.a) && !w_qp_sums(&L.b) &&
	   !L.b.wcounters[L.b.rc.qpn - HWQNIC_FIRST_QPN].rx_pkts &&
	   L.a.wcounters[L.a.rc.qpn - HWQNIC_FIRST_QPN].tx_pkts ==
	   L.a.wc.tx_pkts && L.a.wc.timeouts,
	   "%s: the sender's RC QP sent all %llu, timed out %llu times; "
	   "the receiver's QPs took none", what,
	   (unsigned long long)L.a.wc.tx_pkts,
	   (unsigned long long)L.a.wc.timeouts);
	w_down(&L);
}

static void damaged(void)
{
	damaged_by(&L.f.corrupt, HWQNIC_DROP_ICRC, "corrupted");
	damaged_by(&L.f.trunc, HWQNIC_DROP_SHORT, "truncated");
}

/* A frame from A's RC QP to B's, as the caller shapes it, into B. */
static void inject(struct hwqnic_pkt *p, const u8 *payload, u32 paylen)
{
	static u8 frame[HWQNIC_FRAME_MAX];
	u32 len = u_pkt_make(frame, sizeof(frame), p, payload, paylen);

	hwqnic_lock(&L.b.dev.lock);
	hwqnic_wire_rx(&L.b.dev, frame, len);
	hwqnic_unlock(&L.b.dev.lock);
}

static void base(struct hwqnic_pkt *p, u8 opcode, u32 psn)
{
	memset(p, 0, sizeof(*p));
	p->path = L.a.path;
	p->opcode = opcode;
	p->pkey = HWQNIC_DEFAULT_PKEY;
	p->dqpn = L.b.rc.qpn;
	p->psn = psn;
}

static void hostile(void)
{
	struct w_conn c = { .mtu = HWQNIC_MTU_1024, .timeout = 14,
			    .retry_cnt = 7, .rnr_retry = 7, .rd_atomic = 1,
			    .psn_a = 1000, .psn_b = 2000 };
	static u8 pay[4096];
	struct hwqnic_pkt p;
	u64 *d = L.b.wc.drops, tx;

	if (!up(&c))
		return;
	if (w_ud_up(&L, 0x1111)) {
		ok(0, "UD QPs up");
		w_down(&L);
		return;
	}
	d = L.b.wc.drops;
	recv_one(1);
	base(&p, HWQNIC_IB_SEND_ONLY, 1000);
	p.pkey = 0x8001;
	inject(&p, pay, 10);
	ok(d[HWQNIC_DROP_PKEY] == 1, "a P_Key not 0xffff: dropped (PKEY)");
	base(&p, HWQNIC_IB_SEND_ONLY, 1000);
	p.dqpn = 0xabcdef;
	inject(&p, pay, 10);
	p.dqpn = L.b.ud.qpn + 1;
	inject(&p, pay, 10);
	ok(d[HWQNIC_DROP_QP] == 2, "a QP that does not exist: dropped (QP)");
	base(&p, HWQNIC_IB_SEND_ONLY, 1000);
	p.path.sgid[15] = 99;
	inject(&p, pay, 10);
	ok(d[HWQNIC_DROP_QP] == 3, "from another address than the QP's peer: "
	   "dropped (QP)");
	base(&p, HWQNIC_IB_SEND_MIDDLE, 1000);
	inject(&p, pay, 1024);
	base(&p, HWQNIC_IB_WRITE_LAST, 1000);
	inject(&p, pay, 10);
	ok(d[HWQNIC_DROP_OPCODE] == 2, "a MIDDLE or LAST with no FIRST: "
	   "dropped (OPCODE)");
	base(&p, HWQNIC_IB_SEND_FIRST, 1000);
	inject(&p, pay, 1000);
	base(&p, HWQNIC_IB_SEND_ONLY, 1000);
	inject(&p, pay, 1028);
	base(&p, HWQNIC_IB_WRITE_ONLY, 1000);
	p.va = w_addr(&L.b, 0);
	p.rkey = L.b.mr.key;
	p.dma_len = 20;
	inject(&p, pay, 10);
	p.dma_len = 5;
	inject(&p, pay, 10);
	ok(d[HWQNIC_DROP_LEN] == 4, "payloads the opcode does not allow "
	   "(a short FIRST, a long ONLY, a WRITE shorter or longer than its "
	   "RETH): dropped (LEN, %llu)",
	   (unsigned long long)d[HWQNIC_DROP_LEN]);
	base(&p, HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY, 1000);
	p.qkey = 5;
	p.sqpn = L.a.ud.qpn;
	inject(&p, pay, 10);
	ok(d[HWQNIC_DROP_OPCODE] == 3, "a UD opcode to an RC QP: dropped "
	   "(OPCODE)");
	base(&p, HWQNIC_IB_ACK, 5000);
	p.dqpn = L.b.rc.qpn;
	inject(&p, NULL, 0);
	ok(d[HWQNIC_DROP_OPCODE] == 4, "an ACK of a PSN never sent: dropped "
	   "(OPCODE)");
	base(&p, HWQNIC_IB_SEND_ONLY, 1000);
	p.dqpn = L.b.ud.qpn;
	inject(&p, pay, 10);
	ok(d[HWQNIC_DROP_OPCODE] == 5, "an RC opcode to a UD QP: dropped "
	   "(OPCODE)");
	ok(L.b.rc.nic.state == HWQNIC_QPS_RTS && !L.b.wc.tx_pkts &&
	   w_poll(&L.b, (struct hwqnic_wc[1]){ 0 }, 1) == 0,
	   "none of them did anything: no completion, no packet, still RTS");
	{
		const struct hwqnic_qp_wire_counters *rc =
			&L.b.wcounters[L.b.rc.qpn - HWQNIC_FIRST_QPN];
		const struct hwqnic_qp_wire_counters *ud =
			&L.b.wcounters[L.b.ud.qpn - HWQNIC_FIRST_QPN];

		ok_why(w_qp_sums(&L.b), "the device's counters are its QPs' "
		       "summed, with the drops no QP took");
		ok(rc->drop_state == 1 && rc->drop_opcode == 4 &&
		   rc->drop_len == 4 && !rc->drop_qkey &&
		   ud->drop_opcode == 1 && !ud->drop_state && !ud->drop_len,
		   "each drop of a known QP is that QP's: RC state %llu opcode "
		   "%llu len %llu, UD opcode %llu",
		   (unsigned long long)rc->drop_state,
		   (unsigned long long)rc->drop_opcode,
		   (unsigned long long)rc->drop_len,
		   (unsigned long long)ud->drop_opcode);
	}
	/* beyond the MR: a NAK, and the responder's QP ends */
	tx = L.b.wc.tx_pkts;
	base(&p, HWQNIC_IB_WRITE_ONLY, 1000);
	p.va = w_addr(&L.b, (64 << 10) - 4);
	p.rkey = L.b.mr.key;
	p.dma_len = 10;
	inject(&p, pay, 10);
	ok(L.b.wc.tx_pkts == tx + 1 && L.b.rc.nic.state == HWQNIC_QPS_ERR,
	   "a WRITE past its MR: NAKed (remote access), the QP in ERR");
	w_down(&L);
}

int main(void)
{
	seed = tap_seed();
	dead_peer();
	rewritten();
	read_mr_gone();
	too_long();
	rnr();
	damaged();
	hostile();
	return tap_done();
}
