// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * UD: SENDs of 0 bytes up to the MTU land after the 40 bytes of GRH space
 * that start every receive buffer, with byte_len counting them, the
 * receiving QPN and the sender's QPN; two senders are told apart by src_qp.
 * A datagram with the wrong Q_Key, or for a QPN that does not exist, is
 * silently dropped: the sender completes with SUCCESS, no receive is used.
 */
#include "../lib/helpers.h"

#define GRH	HWQNIC_UD_GRH_BYTES
#define GUARD	64

static struct u_dev dev;
static struct u_pair p;		/* a -> b */
static struct u_ep c;		/* a second sender */
static struct u_buf sb, rb;
static uint8_t *shadow;
static uint32_t mtu, slot;
static uint64_t seed, next_id = 1;

/*
 * One datagram of len bytes from qp to b; the receive buffer is one SGE
 * (GRH space and payload together) or two (GRH space, then payload).
 */
static const char *datagram(struct hwqnic_qp *from, struct hwqnic_cq *scq,
			    uint32_t len, bool split, bool inl)
{
	struct hwqnic_sge s = u_sge(&sb, 0, len), r[2];
	uint64_t id = next_id++;
	struct hwqnic_wc wc;
	const char *why;
	size_t off = GUARD;

	u_fill_rand(sb.p, len, &seed);
	u_fill_rand(rb.p, rb.len, &seed);
	memcpy(shadow, rb.p, rb.len);
	if (split) {
		r[0] = u_sge(&rb, off, GRH);
		r[1] = u_sge(&rb, off + GRH + GUARD, mtu);
		off += GRH + GUARD;
	} else {
		r[0] = u_sge(&rb, off, GRH + mtu);
		off += GRH;
	}
	memcpy(shadow + off, sb.p, len);
	if (u_post_recv(p.b.qp, id, r, split ? 2 : 1))
		return "post_recv failed";
	if (inl)
		s.lkey = 0;
	if (u_post_ud_send(from, id, &s, len ? 1 : 0, HWQNIC_SEND_SIGNALED |
			   (inl ? HWQNIC_SEND_INLINE : 0), p.b.qp->qp_num,
			   U_QKEY))
		return "post_send failed";
	why = u_expect_wc(scq, id, HWQNIC_WC_SUCCESS, HWQNIC_WC_SEND, len,
			  from->qp_num, NULL);
	if (!why)
		why = u_expect_wc(p.b.rcq, id, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RECV, GRH + len, p.b.qp->qp_num,
				  &wc);
	if (!why && wc.src_qp != from->qp_num)
		why = "src_qp is not the sender's QPN";
	/* the GRH space is the NIC's to fill or leave */
	memcpy(shadow + r[0].addr - u_addr(&rb, 0), rb.p + r[0].addr -
	       u_addr(&rb, 0), GRH);
	if (!why && u_first_diff(rb.p, shadow, rb.len) >= 0) {
		static char buf[96];

		snprintf(buf, sizeof(buf),
			 "receive buffer differs at offset %ld of the payload",
			 u_first_diff(rb.p, shadow, rb.len) - (long)off);
		why = buf;
	}
	return why;
}

static void dropped(const char *what, __u32 qpn, __u32 qkey)
{
	struct hwqnic_sge s = u_sge(&sb, 0, 32), r = u_sge(&rb, 0, GRH + 64);
	uint64_t id = next_id++;
	struct hwqnic_wc wc;
	const char *why;
	int got;

	if (!ok(!u_post_recv(p.b.qp, id, &r, 1) &&
		!u_post_ud_send(p.a.qp, id, &s, 1, HWQNIC_SEND_SIGNALED, qpn,
				qkey), "%s: posted", what))
		return;
	why = u_expect_wc(p.a.scq, id, HWQNIC_WC_SUCCESS, HWQNIC_WC_SEND, 32,
			  0, NULL);
	ok_why(why, "%s: the sender completes with SUCCESS", what);
	got = u_cq_quiet(p.b.rcq, 20, &wc);
	ok(!got, "%s: nothing is received (%d)", what, got);
	/* the receive is still there: the next good datagram takes it */
	s.length = 24;
	why = u_post_ud_send(p.a.qp, id + 1000, &s, 1, HWQNIC_SEND_SIGNALED,
			     p.b.qp->qp_num, U_QKEY) ? "post_send failed" :
	      u_expect_wc(p.a.scq, id + 1000, HWQNIC_WC_SUCCESS,
			  HWQNIC_WC_SEND, 24, 0, NULL);
	if (!why)
		why = u_expect_wc(p.b.rcq, id, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RECV, GRH + 24, 0, NULL);
	ok_why(why, "%s: the receive was left for the next datagram", what);
}

static void suite(void)
{
	struct u_qp_cfg cfg;
	struct hwqnic_wc wc;
	uint32_t sizes[12];
	unsigned int i, n = 0;
	const char *why;
	int rc;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	mtu = dev.port.active_mtu;
	diag("active MTU %u", mtu);
	u_qp_cfg_default(&cfg);
	cfg.type = HWQNIC_QPT_UD;
	cfg.max_recv_sge = 2;
	cfg.max_inline = U_MIN(dev.attr.max_inline_data, 64);
	slot = GUARD + GRH + GUARD + mtu + GUARD;
	rc = u_pair_create(&p, dev.pd, &cfg);
	rc = rc ? rc : u_ep_create(&c, dev.pd, &cfg);
	rc = rc ? rc : u_ud_to_rts(c.qp, U_QKEY);
	rc = rc ? rc : u_buf_alloc(&sb, dev.pd, mtu, U_RC_ACCESS);
	rc = rc ? rc : u_buf_alloc(&rb, dev.pd, slot, U_RC_ACCESS);
	if (!ok(!rc && mtu >= 256, "three UD QPs in RTS, MTU %u", mtu))
		goto out;
	shadow = malloc(slot);
	ok(p.a.qp->qp_type == HWQNIC_QPT_UD && p.b.qp->state == HWQNIC_QPS_RTS,
	   "QP type UD, state RTS");

	sizes[n++] = 0;
	sizes[n++] = 1;
	sizes[n++] = 40;
	sizes[n++] = 100;
	sizes[n++] = 1000;
	sizes[n++] = mtu - 1;
	sizes[n++] = mtu;
	for (i = 0; i < 4; i++)
		sizes[n++] = u_rand_range(&seed, 2, mtu - 2);
	for (i = 0; i < n; i++) {
		why = datagram(p.a.qp, p.a.scq, sizes[i], false, false);
		ok_why(why, "SEND of %u bytes: after the GRH space, byte_len %u",
		   sizes[i], GRH + sizes[i]);
		why = datagram(p.a.qp, p.a.scq, sizes[i], true, false);
		ok_why(why, "SEND of %u bytes into GRH + payload SGEs",
		   sizes[i]);
	}
	why = datagram(p.a.qp, p.a.scq, U_MIN(p.a.cap.max_inline_data, 32U),
		       false, true);
	ok_why(why, "an inline UD SEND");
	why = datagram(c.qp, c.scq, 77, false, false);
	ok_why(why, "a second sender: src_qp is its QPN");
	why = datagram(p.a.qp, p.a.scq, 78, false, false);
	ok_why(why, "and the first again: src_qp is the first's");

	dropped("wrong Q_Key", p.b.qp->qp_num, U_QKEY + 1);
	dropped("a QPN that does not exist", 0xffff0, U_QKEY);
	ok(!u_cq_quiet(p.a.rcq, 10, &wc) && !u_cq_quiet(p.b.scq, 10, &wc) &&
	   !u_cq_quiet(c.rcq, 10, &wc),
	   "no stray completions");
	free(shadow);
out:
	u_buf_free(&sb);
	u_buf_free(&rb);
	ok(!u_pair_destroy(&p) && !u_ep_destroy(&c), "QPs and CQs destroyed");
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
