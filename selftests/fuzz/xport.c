// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the transport against hostile packets. Two devices on
 * the in-memory wire (selftests/lib/wire.c), their RC and UC QPs connected
 * and their UD QPs up. The input is a list of 24-byte steps: post a
 * receive or a send on B's RC or UC QP, pass the engines, or make a frame
 * (an opcode hwqnic takes, RC's, UC's or UD's, for the QP of its type or
 * the other connected one, a PSN near the one B's responder or completer
 * expects, a payload, RETH, AETH, AtomicETH and DETH fields from the step,
 * valid keys or not) and hand it to B as if it came from A. Invariants:
 * nothing is touched outside the MRs (ASan), every engine loop ends within
 * its bound, the QPs are in RTS or ERR, every completion's status is one
 * IB has, every frame received is counted, and a UC QP answers nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/frames.h"
#include "../lib/wire.h"
#include "xport.h"

#define MEM	(64 << 10)
#define STEP	24

static struct w_link L;
static bool up;
static u8 frame[HWQNIC_FRAME_MAX], pay[HWQNIC_MTU];

static const u8 ops[] = {
	HWQNIC_IB_SEND_FIRST, HWQNIC_IB_SEND_MIDDLE, HWQNIC_IB_SEND_LAST,
	HWQNIC_IB_SEND_LAST_IMM, HWQNIC_IB_SEND_ONLY, HWQNIC_IB_SEND_ONLY_IMM,
	HWQNIC_IB_WRITE_FIRST, HWQNIC_IB_WRITE_MIDDLE, HWQNIC_IB_WRITE_LAST,
	HWQNIC_IB_WRITE_LAST_IMM, HWQNIC_IB_WRITE_ONLY,
	HWQNIC_IB_WRITE_ONLY_IMM, HWQNIC_IB_READ_REQ,
	HWQNIC_IB_READ_RESP_FIRST, HWQNIC_IB_READ_RESP_MIDDLE,
	HWQNIC_IB_READ_RESP_LAST, HWQNIC_IB_READ_RESP_ONLY, HWQNIC_IB_ACK,
	HWQNIC_IB_ATOMIC_ACK, HWQNIC_IB_CMP_SWAP, HWQNIC_IB_FETCH_ADD,
	HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY,
	HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY_IMM,
	HWQNIC_IB_UC | HWQNIC_IB_SEND_FIRST, HWQNIC_IB_UC | HWQNIC_IB_SEND_MIDDLE,
	HWQNIC_IB_UC | HWQNIC_IB_SEND_LAST,
	HWQNIC_IB_UC | HWQNIC_IB_SEND_LAST_IMM,
	HWQNIC_IB_UC | HWQNIC_IB_SEND_ONLY,
	HWQNIC_IB_UC | HWQNIC_IB_SEND_ONLY_IMM,
	HWQNIC_IB_UC | HWQNIC_IB_WRITE_FIRST,
	HWQNIC_IB_UC | HWQNIC_IB_WRITE_MIDDLE,
	HWQNIC_IB_UC | HWQNIC_IB_WRITE_LAST,
	HWQNIC_IB_UC | HWQNIC_IB_WRITE_LAST_IMM,
	HWQNIC_IB_UC | HWQNIC_IB_WRITE_ONLY,
	HWQNIC_IB_UC | HWQNIC_IB_WRITE_ONLY_IMM,
};

static u32 get32(const u8 *b)
{
	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static void reconnect(void)
{
	struct hwqnic_qp_attr at = { .qp_state = HWQNIC_QPS_RESET };
	struct w_conn c = { .mtu = HWQNIC_MTU_256, .timeout = 1,
			    .retry_cnt = 7, .rnr_retry = 7, .rd_atomic = 2,
			    .psn_a = 0xfffffe, .psn_b = 100 };

	hwqnic_qp_modify(&L.a.dev, &L.a.rc, &at, HWQNIC_QP_STATE);
	hwqnic_qp_modify(&L.b.dev, &L.b.rc, &at, HWQNIC_QP_STATE);
	if (L.a.has_uc && L.b.has_uc) {
		hwqnic_qp_modify(&L.a.dev, &L.a.uc, &at, HWQNIC_QP_STATE);
		hwqnic_qp_modify(&L.b.dev, &L.b.uc, &at, HWQNIC_QP_STATE);
	}
	if (w_connect(&L, &c) || w_uc_up(&L, HWQNIC_MTU_256, 0xffff00, 7))
		abort();
}

static void drain(struct w_side *s)
{
	struct hwqnic_wc wc[16];
	int n, i;

	while ((n = w_poll(s, wc, 16)) > 0)
		for (i = 0; i < n; i++)
			if (wc[i].status >= HWQNIC_WC_STATUS_MAX)
				abort();
}

static void passes(u32 n)
{
	while (n--) {
		hwqnic_engine_poll(&L.a.dev);
		hwqnic_engine_poll(&L.b.dev);
	}
}

/* Bit 3 of a step's first byte: B's UC QP, not its RC QP. */
static struct hwqnic_core_qp *qp_of(const u8 *s)
{
	return (s[0] & 0x08) ? &L.b.uc : &L.b.rc;
}

static void post_b(const u8 *s)
{
	struct hwqnic_sge sge = { w_addr(&L.b, s[2] * 200), s[3] * 40,
				  (s[4] & 1) ? L.b.mr.key : get32(s + 4) };
	struct hwqnic_send_wr wr = {
		.sg_list = &sge, .num_sge = 1,
		.opcode = s[1] % HWQNIC_WR_MAX,
		.send_flags = HWQNIC_SEND_SIGNALED,
	};
	struct hwqnic_recv_wr rw = { .sg_list = &sge, .num_sge = 1 };
	const struct hwqnic_send_wr *bad;
	const struct hwqnic_recv_wr *rbad;

	if (s[0] & 1) {
		hwqnic_qp_post_recv(&L.b.dev, qp_of(s), &rw, &rbad);
		return;
	}
	if (wr.opcode >= HWQNIC_WR_ATOMIC_CMP_AND_SWP)
		sge.length = 8;
	wr.wr.rdma.remote_addr = w_addr(&L.a, s[8] * 100);
	wr.wr.rdma.rkey = L.a.mr.key;
	hwqnic_qp_post_send(&L.b.dev, qp_of(s), &wr, &bad);
}

static void inject(const u8 *s)
{
	struct hwqnic_core_qp *qp;
	struct hwqnic_wire_qp *w;
	struct hwqnic_pkt p = { 0 };
	u64 before = L.b.wc.rx_pkts, tx = L.b.wc.tx_pkts;
	u32 len, paylen;
	bool resp;

	p.path = L.a.path;
	p.opcode = ops[s[1] % sizeof(ops)];
	resp = hwqnic_ib_opcodes[p.opcode].mask & HWQNIC_IBM_RESP;
	p.pkey = (s[0] & 0x80) ? 0x7fff : HWQNIC_DEFAULT_PKEY;
	/* to the QP of the opcode's type, or (bit 4) to the other one */
	qp = (p.opcode & 0xe0) == HWQNIC_IB_UC ? &L.b.uc : &L.b.rc;
	if (s[0] & 0x10)
		qp = qp == &L.b.uc ? &L.b.rc : &L.b.uc;
	w = qp->nic.wire;
	p.dqpn = (p.opcode & 0xe0) == HWQNIC_IB_UD ? L.b.ud.qpn : qp->qpn;
	/* near what B expects, so that the checks past the PSN's are reached */
	p.psn = ((resp ? w->comp_psn : w->epsn) + (s[2] % 8) - 2) &
		HWQNIC_PSN_MASK;
	p.ackreq = s[0] & 0x40;
	p.se = s[0] & 0x20;
	p.va = w_addr(&L.b, 0) + get32(s + 4) % (MEM + 512) - 256;
	p.rkey = (s[3] & 1) ? L.b.mr.key : get32(s + 8);
	p.dma_len = get32(s + 12) % (3 * 256 + 8);
	p.syndrome = s[16];
	p.msn = s[17];
	p.swap_add = get32(s + 18);
	p.compare = s[22];
	p.orig = get32(s + 4);
	p.qkey = (s[3] & 2) ? 0x1111 : get32(s + 8);
	p.sqpn = L.a.ud.qpn;
	paylen = (s[23] % 4) == 0 ? 256 : s[23] * 2;
	if (!(hwqnic_ib_opcodes[p.opcode].mask & HWQNIC_IBM_PAYLOAD))
		paylen = 0;
	memset(pay, s[21], paylen);
	len = u_pkt_make(frame, sizeof(frame), &p, pay, paylen);
	if (!len)
		return;
	hwqnic_lock(&L.b.dev.lock);
	hwqnic_wire_rx(&L.b.dev, frame, len);
	hwqnic_unlock(&L.b.dev.lock);
	if (L.b.wc.rx_pkts != before + 1)
		abort();
	/* UC sends nothing back, whatever it is sent */
	if (p.dqpn == L.b.uc.qpn && L.b.wc.tx_pkts != tx)
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	size_t i;

	if (!up) {
		if (w_up(&L, MEM, 1) || w_ud_up(&L, 0x1111))
			abort();
		up = true;
	}
	reconnect();
	for (i = 0; i + STEP <= size && i < 64 * STEP; i += STEP) {
		const u8 *s = data + i;

		switch (s[0] % 4) {
		case 0:
		case 1:
			post_b(s);
			break;
		case 2:
			inject(s);
			break;
		default:
			passes(1 + s[1] % 16);
			break;
		}
		drain(&L.a);
		drain(&L.b);
	}
	passes(32);
	drain(&L.a);
	drain(&L.b);
	if ((L.b.rc.nic.state != HWQNIC_QPS_RTS &&
	     L.b.rc.nic.state != HWQNIC_QPS_ERR) ||
	    (L.a.rc.nic.state != HWQNIC_QPS_RTS &&
	     L.a.rc.nic.state != HWQNIC_QPS_ERR) ||
	    (L.b.uc.nic.state != HWQNIC_QPS_RTS &&
	     L.b.uc.nic.state != HWQNIC_QPS_ERR) ||
	    (L.a.uc.nic.state != HWQNIC_QPS_RTS &&
	     L.a.uc.nic.state != HWQNIC_QPS_ERR))
		abort();
	return 0;
}
