// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The core's QPs and the port's steering over the in-memory wire
 * (selftests/lib/wire.c):
 *   - a UD QP, steered from its creation, whose first free number another
 *     device on the netdev steers already (-EEXIST) gets the next free
 *     one; with every number taken, the create fails and changes nothing;
 *   - an RC QP taken back to RESET forgets its path and its steering: a
 *     later INIT -> RTR without a path is a QP of this device again;
 *   - a UD WQE that waits for a frame of a full port ring is fetched,
 *     counted and traced once, however many passes it waits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bound.h"
#include "../lib/tap.h"
#include "../lib/wire.h"

#define QKEY		0x11110000U
#define WAIT_PASSES	50

static struct w_link L;
static uint64_t seed;

/* A QP of type on side a's PD and CQ */
static int make_qp(struct hwqnic_core_qp *qp, u32 type)
{
	struct hwqnic_qp_init_attr ia = {
		.qp_type = type,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};

	return hwqnic_qp_create(&L.a.dev, qp, &L.a.pd, &L.a.cq, &L.a.cq, &ia);
}

static void taken(void)
{
	struct hwqnic_core_qp q, r;
	u32 next = L.a.ud.qpn + 1, steered = L.a.steered;
	u32 users = L.a.pd.users;
	int rc;

	/* the next three numbers are another device's */
	L.a.taken_lo = next;
	L.a.taken_n = 3;
	rc = make_qp(&q, HWQNIC_QPT_UD);
	ok(!rc && q.qpn == next + 3 && L.a.steered == steered + 1,
	   "a UD QP whose number is steered elsewhere gets the next free one "
	   "(rc %d, qpn %u, want %u)", rc, rc ? 0 : q.qpn, next + 3);
	if (!rc)
		hwqnic_qp_destroy(&L.a.dev, &q);
	ok(L.a.steered == steered, "its steering goes at destroy");

	/* every number taken: nothing is made, nothing is kept */
	L.a.taken_lo = 0;
	L.a.taken_n = ~0U;
	rc = make_qp(&q, HWQNIC_QPT_UD);
	ok(rc == -EEXIST && L.a.steered == steered && L.a.pd.users == users,
	   "every number steered elsewhere: -EEXIST, nothing changed (%d)",
	   rc);
	rc = make_qp(&r, HWQNIC_QPT_RC);
	ok(!rc && L.a.steered == steered, "an RC QP, steered only with a "
	   "path, is made all the same (rc %d)", rc);
	if (!rc)
		hwqnic_qp_destroy(&L.a.dev, &r);
	L.a.taken_n = 0;
	rc = make_qp(&q, HWQNIC_QPT_UD);
	ok(!rc && L.a.steered == steered + 1, "the numbers free again: a UD "
	   "QP made (rc %d)", rc);
	if (!rc)
		hwqnic_qp_destroy(&L.a.dev, &q);
}

static int modify(struct hwqnic_core_qp *qp, u32 state, u32 dest)
{
	struct hwqnic_qp_attr at = {
		.qp_state = state, .port_num = 1,
		.qp_access_flags = HWQNIC_ACCESS_ALL,
		.path_mtu = HWQNIC_MTU_1024, .dest_qp_num = dest,
		.max_dest_rd_atomic = 1, .max_rd_atomic = 1,
		.min_rnr_timer = 1, .timeout = 14, .retry_cnt = 7,
		.rnr_retry = 7,
	};
	int mask = HWQNIC_QP_STATE;

	if (state == HWQNIC_QPS_INIT)
		mask |= HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT |
			HWQNIC_QP_ACCESS_FLAGS;
	if (state == HWQNIC_QPS_RTR)
		mask |= HWQNIC_QP_PATH_MTU | HWQNIC_QP_DEST_QPN |
			HWQNIC_QP_RQ_PSN | HWQNIC_QP_MAX_DEST_RD_ATOMIC |
			HWQNIC_QP_MIN_RNR_TIMER;
	if (state == HWQNIC_QPS_RTS)
		mask |= HWQNIC_QP_SQ_PSN | HWQNIC_QP_TIMEOUT |
			HWQNIC_QP_RETRY_CNT | HWQNIC_QP_RNR_RETRY |
			HWQNIC_QP_MAX_QP_RD_ATOMIC;
	return hwqnic_qp_modify(&L.a.dev, qp, &at, mask);
}

/* Completions on a's CQ */
struct seen {
	struct hwqnic_wc wc[8];
	int n, want;
};

static bool got(void *ctx)
{
	struct seen *s = ctx;
	struct hwqnic_wc wc;

	while (w_poll(&L.a, &wc, 1) == 1)
		if (s->n < 8)
			s->wc[s->n++] = wc;
	return s->n >= s->want;
}

static void reset_path(void)
{
	struct hwqnic_core_qp r;
	struct hwqnic_sge sge = { w_addr(&L.a, 0), 64, L.a.mr.key };
	struct hwqnic_sge rsge = { w_addr(&L.a, 4096), 64, L.a.mr.key };
	struct hwqnic_send_wr wr = {
		.wr_id = 1, .sg_list = &sge, .num_sge = 1,
		.opcode = HWQNIC_WR_SEND, .send_flags = HWQNIC_SEND_SIGNALED,
	};
	struct hwqnic_recv_wr rwr = { .wr_id = 2, .sg_list = &rsge,
				      .num_sge = 1 };
	const struct hwqnic_send_wr *bad;
	const struct hwqnic_recv_wr *rbad;
	struct seen s = { .want = 2 };
	struct w_conn c = { .mtu = HWQNIC_MTU_1024, .timeout = 14,
			    .retry_cnt = 7, .rnr_retry = 7,
			    .min_rnr_timer = 1, .rd_atomic = 1 };
	bool ran;
	u64 tx;
	int rc;

	if (!ok(!w_connect(&L, &c) && L.a.rc.nic.wire && L.a.steered == 2,
		"the RC QP connected over the wire, steered"))
		return;
	rc = modify(&L.a.rc, HWQNIC_QPS_RESET, 0);
	ok(!rc && !L.a.rc.nic.wire && L.a.steered == 1, "to RESET: its path "
	   "and its steering are gone (steered %u)", L.a.steered);

	/* now connected to a QP of its own device, without a path */
	rc = make_qp(&r, HWQNIC_QPT_RC);
	if (!ok(!rc, "a second RC QP on the same device"))
		return;
	rc = modify(&L.a.rc, HWQNIC_QPS_INIT, 0) ||
	     modify(&L.a.rc, HWQNIC_QPS_RTR, r.qpn) ||
	     modify(&L.a.rc, HWQNIC_QPS_RTS, 0) ||
	     modify(&r, HWQNIC_QPS_INIT, 0) ||
	     modify(&r, HWQNIC_QPS_RTR, L.a.rc.qpn) ||
	     modify(&r, HWQNIC_QPS_RTS, 0);
	ok(!rc && !L.a.rc.nic.wire && L.a.steered == 1,
	   "INIT -> RTR -> RTS again without a path: a local QP, unsteered");
	tx = L.a.wc.tx_pkts;
	hwqnic_qp_post_recv(&L.a.dev, &r, &rwr, &rbad);
	hwqnic_qp_post_send(&L.a.dev, &L.a.rc, &wr, &bad);
	ran = w_run(&L, got, &s, 1000000);
	ok(ran && !s.wc[0].status && !s.wc[1].status && L.a.wc.tx_pkts == tx,
	   "a SEND to it completes on the device, no packet on the wire "
	   "(statuses %d %d, %llu packets)", s.wc[0].status, s.wc[1].status,
	   (unsigned long long)(L.a.wc.tx_pkts - tx));
	hwqnic_qp_destroy(&L.a.dev, &r);
}

static void ud_wait(void)
{
	struct hwqnic_sge sge = { w_addr(&L.a, 0), 100, L.a.mr.key };
	struct hwqnic_ah h = { .handle = L.a.ah.handle };
	struct hwqnic_send_wr wr[3];
	struct hwqnic_recv_wr rwr[3];
	struct hwqnic_sge rsge[3];
	const struct hwqnic_send_wr *bad;
	const struct hwqnic_recv_wr *rbad;
	struct seen s = { .want = 3 };
	u64 wqes = L.a.ud.cnt->wqes;
	struct hwqnic_wc wc;
	int i, nb = 0;
	bool ran;

	for (i = 0; i < 3; i++) {
		rsge[i] = (struct hwqnic_sge){ w_addr(&L.b, 8192 * (i + 1)),
					       4096, L.b.mr.key };
		rwr[i] = (struct hwqnic_recv_wr){ .wr_id = i,
						  .sg_list = &rsge[i],
						  .num_sge = 1,
						  .next = i < 2 ? &rwr[i + 1] :
								  NULL };
		wr[i] = (struct hwqnic_send_wr){
			.wr_id = i, .sg_list = &sge, .num_sge = 1,
			.opcode = HWQNIC_WR_SEND,
			.send_flags = HWQNIC_SEND_SIGNALED,
			.next = i < 2 ? &wr[i + 1] : NULL };
		wr[i].wr.ud.ah = &h;
		wr[i].wr.ud.remote_qpn = L.b.ud.qpn;
		wr[i].wr.ud.remote_qkey = QKEY;
	}
	hwqnic_qp_post_recv(&L.b.dev, &L.b.ud, rwr, &rbad);
	/* one frame on the way at most; b does not take it yet */
	L.f.txq = 1;
	hwqnic_qp_post_send(&L.a.dev, &L.a.ud, wr, &bad);
	for (i = 0; i < WAIT_PASSES; i++)
		hwqnic_engine_poll(&L.a.dev);
	ok(L.a.ud.cnt->wqes - wqes == 2,
	   "a UD WQE waiting %d passes for a frame is fetched once: 2 WQEs "
	   "counted (%llu)", WAIT_PASSES,
	   (unsigned long long)(L.a.ud.cnt->wqes - wqes));
	ran = w_run(&L, got, &s, 1000000);
	ok(ran && !s.wc[0].status && !s.wc[1].status && !s.wc[2].status &&
	   L.a.ud.cnt->wqes - wqes == 3,
	   "once the ring has room all 3 complete, 3 WQEs counted (%llu)",
	   (unsigned long long)(L.a.ud.cnt->wqes - wqes));
	w_settle(&L);
	while (w_poll(&L.b, &wc, 1) == 1)
		nb += !wc.status;
	ok(nb == 3, "and all 3 arrive (%d)", nb);
	L.f.txq = 0;
}

int main(void)
{
	seed = tap_seed();
	if (w_up(&L, 64 << 10, seed) || w_ud_up(&L, QKEY)) {
		ok(0, "two devices on a wire");
		return tap_done();
	}
	taken();
	reset_path();
	ud_wait();
	w_down(&L);
	return tap_done();
}
