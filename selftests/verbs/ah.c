// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Address vectors and handles on a device bound to no netdev: an AH or a
 * QP's AV without a GRH names a QP of this device (an AH of handle 0, a
 * UD SEND through it lands as one without); one with a GRH names another
 * node, which only a device bound to a netdev reaches (EINVAL, and
 * EOPNOTSUPP on the kernel backend, which puts nothing on a wire). Port
 * numbers other than 1 are refused; a refused call changes nothing (no
 * AH, the QP still in INIT). hwqnic_query_qp() returns the AV the RTR
 * modify took; a PD with an AH cannot be freed (EBUSY) until it goes.
 */
#include "../lib/helpers.h"

#define GRH	HWQNIC_UD_GRH_BYTES

static struct u_dev dev;

static void ah_refusals(void)
{
	int remote_err = u_backend_kernel() ? EOPNOTSUPP : EINVAL;
	struct hwqnic_ah_attr a;
	struct hwqnic_ah *ah;

	memset(&a, 0, sizeof(a));
	errno = 0;
	ok(!hwqnic_create_ah(NULL, &a) && errno == EINVAL,
	   "create_ah(NULL pd): EINVAL");
	errno = 0;
	ok(!hwqnic_create_ah(dev.pd, NULL) && errno == EINVAL,
	   "create_ah(NULL attr): EINVAL");
	ok(hwqnic_destroy_ah(NULL) == EINVAL, "destroy_ah(NULL): EINVAL");
	errno = 0;
	ok(!hwqnic_create_ah(dev.pd, &a) && errno == EINVAL,
	   "port_num 0: EINVAL");
	a.port_num = 2;
	errno = 0;
	ok(!hwqnic_create_ah(dev.pd, &a) && errno == EINVAL,
	   "port_num 2: EINVAL");
	a.port_num = 1;
	a.is_global = 1;
	a.grh.dgid.raw[10] = a.grh.dgid.raw[11] = 0xff;
	a.grh.dgid.raw[12] = 198;
	a.grh.dgid.raw[13] = 18;
	a.grh.dgid.raw[15] = 9;
	errno = 0;
	ah = hwqnic_create_ah(dev.pd, &a);
	ok(!ah && errno == remote_err, "a GRH naming another node: %s (%s)",
	   strerrorname_np(remote_err), strerrorname_np(errno));
	if (ah)
		hwqnic_destroy_ah(ah);
	ok(!hwqnic_dealloc_pd(dev.pd) &&
	   (dev.pd = hwqnic_alloc_pd(dev.ctx)) != NULL,
	   "the refusals left no AH on the PD: it can be freed");
}

/* A UD SEND of len bytes from a to b through ah: as without one. */
static const char *ud_through(struct u_pair *p, struct u_buf *sb,
			      struct u_buf *rb, struct hwqnic_ah *ah,
			      uint32_t len, uint64_t *seed)
{
	struct hwqnic_sge s = u_sge(sb, 0, len), r = u_sge(rb, 0, GRH + len);
	struct hwqnic_wc wc;
	const char *why;

	u_fill_rand(sb->p, len, seed);
	memset(rb->p, 0, rb->len);
	if (u_post_recv(p->b.qp, 7, &r, 1) ||
	    u_post_ud_ah(p->a.qp, HWQNIC_WR_SEND_WITH_IMM, 8, &s, len ? 1 : 0,
			 HWQNIC_SEND_SIGNALED, ah, p->b.qp->qp_num, U_QKEY,
			 0xa5a5f00d))
		return "post";
	why = u_expect_wc(p->a.scq, 8, HWQNIC_WC_SUCCESS, HWQNIC_WC_SEND, len,
			  p->a.qp->qp_num, NULL);
	if (!why)
		why = u_expect_wc(p->b.rcq, 7, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RECV, GRH + len, p->b.qp->qp_num,
				  &wc);
	if (why)
		return why;
	if (wc.src_qp != p->a.qp->qp_num ||
	    !(wc.wc_flags & HWQNIC_WC_F_WITH_IMM) || wc.imm_data != 0xa5a5f00d)
		return "src_qp or the immediate is wrong";
	return memcmp(rb->p + GRH, sb->p, len) ? "the bytes differ" : NULL;
}

static void ah_local(void)
{
	struct hwqnic_ah_attr a = { .port_num = 1, .sl = 3 };
	struct u_buf sb = { 0 }, rb = { 0 };
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct hwqnic_ah *ah;
	uint64_t seed = tap_seed();
	int rc;

	ah = hwqnic_create_ah(dev.pd, &a);
	if (!ok(ah && ah->handle == 0 && ah->pd == dev.pd &&
		ah->context == dev.ctx, "an AH without a GRH: this device's, "
		"handle 0"))
		return;
	errno = 0;
	ok(hwqnic_dealloc_pd(dev.pd) == EBUSY && errno == EBUSY,
	   "dealloc_pd with an AH: EBUSY");
	ok(hwqnic_close(dev.ctx) == EBUSY, "close with an AH: EBUSY");

	u_qp_cfg_default(&cfg);
	cfg.type = HWQNIC_QPT_UD;
	rc = u_pair_create(&p, dev.pd, &cfg);
	rc = rc ? rc : u_buf_alloc(&sb, dev.pd, 256, U_RC_ACCESS);
	rc = rc ? rc : u_buf_alloc(&rb, dev.pd, GRH + 256, U_RC_ACCESS);
	if (ok(!rc, "two UD QPs in RTS")) {
		ok_why(ud_through(&p, &sb, &rb, ah, 0, &seed),
		       "SEND_WITH_IMM of 0 B through the AH");
		ok_why(ud_through(&p, &sb, &rb, ah, 200, &seed),
		       "SEND_WITH_IMM of 200 B through the AH: bytes, "
		       "src_qp, immediate");
	}
	u_buf_free(&sb);
	u_buf_free(&rb);
	u_pair_destroy(&p);
	ok(!hwqnic_destroy_ah(ah), "destroy_ah");
	ok(!hwqnic_dealloc_pd(dev.pd) &&
	   (dev.pd = hwqnic_alloc_pd(dev.ctx)) != NULL,
	   "then the PD can be freed");
}

static int to_init(struct hwqnic_qp *qp)
{
	struct hwqnic_qp_attr a = { .qp_state = HWQNIC_QPS_INIT,
				    .port_num = 1,
				    .qp_access_flags = U_RC_ACCESS };

	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE |
				HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT |
				HWQNIC_QP_ACCESS_FLAGS);
}

static int to_rtr(struct hwqnic_qp *qp, uint32_t dest,
		  const struct hwqnic_ah_attr *av)
{
	struct hwqnic_qp_attr a = { .qp_state = HWQNIC_QPS_RTR,
				    .path_mtu = HWQNIC_MTU_1024,
				    .dest_qp_num = dest,
				    .max_dest_rd_atomic = 1,
				    .min_rnr_timer = 1 };

	a.ah_attr = *av;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE |
				HWQNIC_QP_PATH_MTU | HWQNIC_QP_DEST_QPN |
				HWQNIC_QP_RQ_PSN |
				HWQNIC_QP_MAX_DEST_RD_ATOMIC |
				HWQNIC_QP_MIN_RNR_TIMER | HWQNIC_QP_AV);
}

static void qp_av(void)
{
	int remote_err = u_backend_kernel() ? EOPNOTSUPP : EINVAL;
	struct hwqnic_ah_attr av = { .port_num = 1, .sl = 5, .dlid = 7 };
	struct hwqnic_qp_attr got, rts = { .qp_state = HWQNIC_QPS_RTS };
	struct u_qp_cfg cfg;
	struct u_ep a, b;
	int rc;

	u_qp_cfg_default(&cfg);
	if (!ok(!u_ep_create(&a, dev.pd, &cfg) && !u_ep_create(&b, dev.pd,
								&cfg) &&
		!to_init(a.qp) && !to_init(b.qp), "two RC QPs in INIT"))
		return;
	av.port_num = 3;
	rc = to_rtr(a.qp, b.qp->qp_num, &av);
	ok(rc == EINVAL && u_qp_state(a.qp) == HWQNIC_QPS_INIT,
	   "an AV of port 3: EINVAL, the QP still in INIT (%d)", rc);
	av.port_num = 1;
	av.is_global = 1;
	av.grh.dgid.raw[0] = 0x20;
	av.grh.dgid.raw[15] = 9;
	rc = to_rtr(a.qp, b.qp->qp_num, &av);
	ok(rc == remote_err && u_qp_state(a.qp) == HWQNIC_QPS_INIT,
	   "an AV naming another node: %s, the QP still in INIT (%s)",
	   strerrorname_np(remote_err), strerrorname_np(rc));
	memset(&av.grh, 0, sizeof(av.grh));
	av.is_global = 0;
	ok(!to_rtr(a.qp, b.qp->qp_num, &av) && !to_rtr(b.qp, a.qp->qp_num,
							 &av),
	   "an AV without a GRH at INIT->RTR: this device's QPs");
	memset(&got, 0xee, sizeof(got));
	rc = hwqnic_query_qp(a.qp, &got);
	ok(!rc && !memcmp(&got.ah_attr, &av, sizeof(av)),
	   "query_qp returns the AV (dlid %u, sl %u)", got.ah_attr.dlid,
	   got.ah_attr.sl);
	ok(hwqnic_modify_qp(a.qp, &rts, HWQNIC_QP_STATE | HWQNIC_QP_AV) ==
	   EINVAL, "HWQNIC_QP_AV at RTR->RTS: EINVAL");
	ok(!u_rc_to_rts(a.qp, 7, 1) && !u_rc_to_rts(b.qp, 7, 1),
	   "both to RTS");
	ok_why(u_post_recv(b.qp, 2, NULL, 0) ||
	       u_post_send(a.qp, HWQNIC_WR_SEND, 1, NULL, 0,
			   HWQNIC_SEND_SIGNALED, 0, 0, 0) ? "post" :
	       u_expect_wc(b.rcq, 2, HWQNIC_WC_SUCCESS, HWQNIC_WC_RECV, 0,
			   b.qp->qp_num, NULL),
	       "a 0 B SEND between them arrives");
	u_ep_destroy(&a);
	u_ep_destroy(&b);
}

static void ud_av(void)
{
	struct hwqnic_ah_attr av = { .port_num = 1 };
	struct hwqnic_qp_attr a = { .qp_state = HWQNIC_QPS_INIT,
				    .port_num = 1, .qkey = U_QKEY };
	struct u_qp_cfg cfg;
	struct u_ep e;

	u_qp_cfg_default(&cfg);
	cfg.type = HWQNIC_QPT_UD;
	if (!ok(!u_ep_create(&e, dev.pd, &cfg) &&
		!hwqnic_modify_qp(e.qp, &a, HWQNIC_QP_STATE |
				  HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT |
				  HWQNIC_QP_QKEY), "a UD QP in INIT"))
		return;
	a.qp_state = HWQNIC_QPS_RTR;
	a.ah_attr = av;
	ok(hwqnic_modify_qp(e.qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_AV) ==
	   EINVAL && u_qp_state(e.qp) == HWQNIC_QPS_INIT,
	   "HWQNIC_QP_AV on a UD QP: EINVAL, the QP still in INIT");
	u_ep_destroy(&e);
}

static void suite(void)
{
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	ah_refusals();
	ah_local();
	qp_av();
	ud_av();
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
