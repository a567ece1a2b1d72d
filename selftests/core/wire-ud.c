// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * UD over the in-memory wire: a send naming an address handle goes out as
 * one SEND_ONLY with a DETH, for sizes from 0 to the MTU; the receive
 * gets the payload after the GRH area, which holds the IPv4 header at
 * offset 20 (or the IPv6 header) as RoCEv2 NICs leave it, and a completion with the sender's
 * QPN, the length with the GRH and the immediate. A WQE Q_Key with bit 31
 * set sends the QP's own; a Q_Key not the receiver's is dropped and
 * counted; a handle of another PD, or none at all, fails the WQE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bound.h"
#include "../lib/pattern.h"
#include "../lib/tap.h"
#include "../lib/wire.h"

#define QKEY		0x11110000U
#define RBUF		(8 << 10)

static struct w_link L;
static uint64_t seed;
static bool v6;

struct want {
	struct hwqnic_wc a, b;
	int na, nb, want_b;
};

static bool got(void *ctx)
{
	struct want *w = ctx;
	struct hwqnic_wc wc;

	while (w_poll(&L.a, &wc, 1) == 1)
		if (!w->na++)
			w->a = wc;
	while (w_poll(&L.b, &wc, 1) == 1)
		if (!w->nb++)
			w->b = wc;
	return w->na && w->nb >= w->want_b;
}

static void post_ud(u32 len, u32 qkey, u32 ah, int opcode)
{
	struct hwqnic_sge sge = { w_addr(&L.a, 0), len, L.a.mr.key };
	struct hwqnic_send_wr wr = {
		.wr_id = 5, .sg_list = &sge, .num_sge = 1, .opcode = opcode,
		.send_flags = HWQNIC_SEND_SIGNALED, .imm_data = 0xfeedf00d,
	};
	const struct hwqnic_send_wr *bad;
	/* the core's handle, as the library's struct hwqnic_ah carries it */
	struct hwqnic_ah h = { .handle = ah };

	wr.wr.ud.ah = ah ? &h : NULL;
	wr.wr.ud.remote_qpn = L.b.ud.qpn;
	wr.wr.ud.remote_qkey = qkey;
	hwqnic_qp_post_send(&L.a.dev, &L.a.ud, &wr, &bad);
}

static void post_recv(void)
{
	struct hwqnic_sge sge = { w_addr(&L.b, 8192), RBUF, L.b.mr.key };
	struct hwqnic_recv_wr wr = { .wr_id = 6, .sg_list = &sge,
				     .num_sge = 1 };
	const struct hwqnic_recv_wr *bad;

	hwqnic_qp_post_recv(&L.b.dev, &L.b.ud, &wr, &bad);
}

static const char *one(u32 len, u32 qkey, int opcode)
{
	struct want w = { .want_b = 1 };
	const u8 *grh = L.b.mem + 8192, *ip = grh + 20;

	u_fill_rand(L.a.mem, len, &seed);
	memset(L.b.mem + 8192, 0xee, RBUF);
	post_recv();
	post_ud(len, qkey, L.a.ah.handle, opcode);
	if (!w_run(&L, got, &w, 1000000))
		return "no completions in time";
	if (w.a.status || w.a.opcode != HWQNIC_WC_SEND)
		return "the sender's completion is wrong";
	if (w.b.status || w.b.opcode != HWQNIC_WC_RECV ||
	    w.b.byte_len != HWQNIC_UD_GRH_BYTES + len ||
	    w.b.src_qp != L.a.ud.qpn || w.b.qp_num != L.b.ud.qpn)
		return "the receiver's completion is wrong";
	if (opcode == HWQNIC_WR_SEND_WITH_IMM &&
	    (!(w.b.wc_flags & HWQNIC_WC_F_WITH_IMM) ||
	     w.b.imm_data != 0xfeedf00d))
		return "the immediate is missing";
	if (v6 && (grh[0] >> 4 != 6 || grh[6] != 17 ||
		   memcmp(grh + 8, L.a.path.sgid, 16) ||
		   memcmp(grh + 24, L.b.path.sgid, 16)))
		return "no IPv6 header in the GRH";
	if (!v6 && (ip[0] != 0x45 || ip[9] != 17 ||
		    memcmp(ip + 12, L.a.path.sgid + 12, 4) ||
		    memcmp(ip + 16, L.b.path.sgid + 12, 4)))
		return "no IPv4 header at offset 20 of the GRH";
	if (u_first_diff(grh + HWQNIC_UD_GRH_BYTES, L.a.mem, len) >= 0)
		return "the payload differs";
	if (grh[HWQNIC_UD_GRH_BYTES + len] != 0xee)
		return "written past the message";
	return NULL;
}

int main(void)
{
	static const u32 sizes[] = { 0, 1, 255, 1024, 4095, 4096 };
	struct hwqnic_core_pd pd2;
	struct hwqnic_core_ah ah2;
	struct want w = { 0 };
	unsigned int i;

	seed = tap_seed();
	if (w_up(&L, 64 << 10, seed) || w_ud_up(&L, QKEY)) {
		ok(0, "two devices with UD QPs on a wire");
		return tap_done();
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		ok_why(one(sizes[i], QKEY, HWQNIC_WR_SEND),
		       "UD SEND of %u bytes through an address handle",
		       sizes[i]);
	ok_why(one(100, QKEY, HWQNIC_WR_SEND_WITH_IMM),
	       "UD SEND_WITH_IMM: the immediate arrives");
	ok_why(one(100, 0x80000000U, HWQNIC_WR_SEND),
	       "a Q_Key with bit 31 set sends the QP's own");

	/* a Q_Key not the receiver's: the sender completes, nothing lands */
	w.want_b = 0;
	post_ud(100, 0x2222, L.a.ah.handle, HWQNIC_WR_SEND);
	ok(w_run(&L, got, &w, 1000000) && !w.a.status && !w.nb &&
	   L.b.wc.drops[HWQNIC_DROP_QKEY] == 1,
	   "a wrong Q_Key: dropped and counted (QKEY)");

	/* an address handle of another PD, and one that does not exist */
	memset(&w, 0, sizeof(w));
	hwqnic_pd_alloc(&L.a.dev, &pd2);
	hwqnic_ah_create(&L.a.dev, &ah2, &pd2, &L.a.path);
	post_ud(10, QKEY, ah2.handle, HWQNIC_WR_SEND);
	w_run(&L, got, &w, 1000000);
	ok(w.na && w.a.status == HWQNIC_WC_LOC_QP_OP_ERR,
	   "an address handle of another PD: LOC_QP_OP_ERR (%d)", w.a.status);
	hwqnic_ah_destroy(&L.a.dev, &ah2);
	hwqnic_pd_free(&L.a.dev, &pd2);
	ok(L.a.ud.nic.state == HWQNIC_QPS_ERR, "and the QP is in ERR");
	ok(L.b.wc.rx_pkts == 9 && L.a.wc.tx_pkts == 9 &&
	   L.a.steered == 1 && L.b.steered == 1,
	   "9 packets sent, 9 received; each UD QP steered to its device");
	w_down(&L);
	ok(!L.a.steered && !L.b.steered, "steering undone at destroy");

	v6 = true;
	if (w_up(&L, 64 << 10, seed) || (w_ipv6(&L), w_ud_up(&L, QKEY))) {
		ok(0, "two devices with UD QPs on an IPv6 wire");
		return tap_done();
	}
	ok_why(one(1000, QKEY, HWQNIC_WR_SEND),
	       "over IPv6: the GRH area holds the IPv6 header");
	w_down(&L);
	return tap_done();
}
