// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Inline SENDs and RDMA_WRITEs (with and without immediate) of 0 up to
 * cap.max_inline_data bytes: the payload is taken at post time, so the
 * source, which is not registered and named by a meaningless lkey, is
 * overwritten right after each post and the receiver still gets the
 * original bytes. Each batch trails a large RDMA_WRITE so the engine is
 * still busy when the inline WRs are posted and their sources scribbled on.
 * Empty SGEs name no memory: {NULL, 0} among the others is taken (UBSan
 * would catch a copy from it).
 */
#include "../lib/helpers.h"

#define BATCH		8
#define BIG_LEN		(64 * 1024)
#define SLOT_PAD	32	/* guard bytes before each slot's data */

static struct u_dev dev;
static struct u_pair pair;
static struct u_buf big_src, big_dst, B;
static uint8_t *shadow;		/* what B must hold */
static uint8_t *src[BATCH], *expect[BATCH];
static uint32_t max_inline, stride, max_pieces;
static uint64_t seed;

static const char *const op_names[] = {
	[HWQNIC_WR_RDMA_WRITE] = "RDMA_WRITE",
	[HWQNIC_WR_RDMA_WRITE_WITH_IMM] = "RDMA_WRITE_WITH_IMM",
	[HWQNIC_WR_SEND] = "SEND",
	[HWQNIC_WR_SEND_WITH_IMM] = "SEND_WITH_IMM",
};

static size_t slot_off(int i)
{
	return (size_t)i * stride + SLOT_PAD;
}

/* Runs one batch; returns how many of its n inline WRs went wrong. */
static unsigned int batch(enum hwqnic_wr_opcode op, const uint32_t *lens,
			  int n, uint64_t *id)
{
	bool is_send = op == HWQNIC_WR_SEND || op == HWQNIC_WR_SEND_WITH_IMM;
	bool recv = is_send || op == HWQNIC_WR_RDMA_WRITE_WITH_IMM;
	bool imm = op == HWQNIC_WR_SEND_WITH_IMM ||
		   op == HWQNIC_WR_RDMA_WRITE_WITH_IMM;
	struct hwqnic_wc swc[BATCH + 1], rwc[BATCH];
	struct hwqnic_sge sge[4];
	uint64_t first = *id;
	unsigned int bad = 0;
	const char *why;
	int i, j, rc;

	if (recv) {
		for (i = 0; i < n; i++) {
			sge[0] = u_sge(&B, slot_off(i), stride - 2 * SLOT_PAD);
			rc = u_post_recv(pair.b.qp, first + 1 + i, sge,
					 is_send ? 1 : 0);
			if (rc) {
				diag("post_recv: %s", strerror(rc));
				return n;
			}
		}
	}
	/* keep the engine busy */
	sge[0] = u_sge(&big_src, 0, BIG_LEN);
	rc = u_post_send(pair.a.qp, HWQNIC_WR_RDMA_WRITE, first, sge, 1,
			 HWQNIC_SEND_SIGNALED, u_addr(&big_dst, 0),
			 big_dst.mr->rkey, 0);
	if (rc) {
		diag("post_send (large write): %s", strerror(rc));
		return n;
	}
	for (i = 0; i < n; i++) {
		uint32_t len = lens[i], done = 0;
		int k = len ? (int)u_rand_range(&seed, 1,
						U_MIN(max_pieces, len)) : 0;

		u_fill_rand(src[i], len, &seed);
		memcpy(expect[i], src[i], len);
		for (j = 0; j < k; j++) {
			uint32_t l = j == k - 1 ? len - done :
				     u_rand_range(&seed, 1,
						  len - done - (k - 1 - j));

			sge[j].addr = (uintptr_t)(src[i] + done);
			sge[j].length = l;
			sge[j].lkey = 0xdead0000U | (uint32_t)i;
			done += l;
		}
		rc = u_post_send(pair.a.qp, op, first + 1 + i, sge, k,
				 HWQNIC_SEND_INLINE | HWQNIC_SEND_SIGNALED,
				 u_addr(&B, slot_off(i)), B.mr->rkey,
				 htobe32((uint32_t)(first + 1 + i)));
		/* the payload must already be copied: scribble on it */
		memset(src[i], 0x5c, len + 1);
		if (rc) {
			diag("%s inline of %u bytes: post_send: %s",
			     op_names[op], len, strerror(rc));
			return n;
		}
		memcpy(shadow + slot_off(i), expect[i], len);
	}
	*id = first + 1 + n;

	if (u_wait_cq(pair.a.scq, n + 1, swc) != n + 1)
		return n;
	why = u_wc_check(&swc[0], first, HWQNIC_WC_SUCCESS,
			 HWQNIC_WC_RDMA_WRITE, BIG_LEN, 0);
	if (why) {
		diag("large write: %s", why);
		bad++;
	}
	for (i = 0; i < n; i++) {
		why = u_wc_check(&swc[i + 1], first + 1 + i, HWQNIC_WC_SUCCESS,
				 is_send ? HWQNIC_WC_SEND :
				 HWQNIC_WC_RDMA_WRITE, lens[i],
				 pair.a.qp->qp_num);
		if (why) {
			diag("%s inline of %u bytes: send completion: %s",
			     op_names[op], lens[i], why);
			bad++;
		}
	}
	if (recv) {
		if (u_wait_cq(pair.b.rcq, n, rwc) != n)
			return n;
		for (i = 0; i < n; i++) {
			why = u_wc_check(&rwc[i], first + 1 + i,
					 HWQNIC_WC_SUCCESS,
					 is_send ? HWQNIC_WC_RECV :
					 HWQNIC_WC_RECV_RDMA_WITH_IMM,
					 lens[i], pair.b.qp->qp_num);
			if (!why && imm &&
			    (!(rwc[i].wc_flags & HWQNIC_WC_F_WITH_IMM) ||
			     rwc[i].imm_data !=
			     htobe32((uint32_t)(first + 1 + i))))
				why = "immediate data missing or wrong";
			if (why) {
				diag("%s inline of %u bytes: receive: %s",
				     op_names[op], lens[i], why);
				bad++;
			}
		}
	}
	for (i = 0; i < n; i++) {
		long d = u_first_diff(B.p + i * stride, shadow + i * stride,
				      stride);

		if (d >= 0) {
			diag("%s inline of %u bytes: byte %ld of its slot is %#x, want %#x",
			     op_names[op], lens[i], d - SLOT_PAD,
			     B.p[i * stride + d], shadow[i * stride + d]);
			bad++;
		}
	}
	memcpy(shadow, B.p, B.len);
	return bad;
}

static void run(enum hwqnic_wr_opcode op)
{
	uint32_t lens[BATCH];
	unsigned int bad = 0, count = 0;
	uint64_t id = (uint64_t)op << 32;
	uint32_t len = 0, step;
	int n = 0;

	/* every size when cheap, else every size up to 256, then strides */
	step = u_quick() ? 1 + max_inline / 24 : max_inline > 1024 ? 7 : 1;
	for (;;) {
		lens[n++] = len;
		count++;
		if (n == BATCH || len == max_inline) {
			bad += batch(op, lens, n, &id);
			n = 0;
		}
		if (len == max_inline)
			break;
		if (len < (u_quick() ? 3U : 256U) || len + 1 >= max_inline) {
			len++;
		} else {
			len += (uint32_t)u_rand_range(&seed, 1, step);
			if (len >= max_inline)
				len = max_inline - 1;
		}
	}
	ok(!bad, "inline %s of %u sizes from 0 to %u bytes: source reusable at once, data intact (%u bad)",
	   op_names[op], count, max_inline, bad);
}

/* Inline WRs whose SGEs include {NULL, 0}: nothing is read from them. */
static void empty_sges(void)
{
	static const char text[] = "hello";
	struct hwqnic_sge one[1] = { { 0, 0, 0 } };
	struct hwqnic_sge three[3] = {
		{ 0, 0, 0 },
		{ (uintptr_t)text, 5, 0 },
		{ 0, 0, 0 },
	};
	struct hwqnic_sge r = u_sge(&B, SLOT_PAD, 64);
	const char *why = NULL;
	int rc;

	memset(B.p, 0, B.len);
	rc = u_post_recv(pair.b.qp, 1, &r, 1) ||
	     u_post_send(pair.a.qp, HWQNIC_WR_SEND, 1, one, 1,
			 HWQNIC_SEND_INLINE | HWQNIC_SEND_SIGNALED, 0, 0, 0);
	why = rc ? "post failed" :
	      u_expect_both(&pair, 1, HWQNIC_WC_SEND, 0, HWQNIC_WC_RECV, 0);
	ok(!why, "inline SEND of one {NULL, 0} SGE: 0 bytes (%s)",
	   why ? why : "ok");

	rc = u_post_recv(pair.b.qp, 2, &r, 1) ||
	     u_post_send(pair.a.qp, HWQNIC_WR_SEND, 2, three, 3,
			 HWQNIC_SEND_INLINE | HWQNIC_SEND_SIGNALED, 0, 0, 0);
	why = rc ? "post failed" :
	      u_expect_both(&pair, 2, HWQNIC_WC_SEND, 5, HWQNIC_WC_RECV, 5);
	if (!why && memcmp(B.p + SLOT_PAD, text, 5))
		why = "payload differs";
	ok(!why, "inline SEND of {NULL, 0}, 5 bytes, {NULL, 0} (%s)",
	   why ? why : "ok");

	rc = u_post_recv(pair.b.qp, 3, &r, 0) ||
	     u_post_send(pair.a.qp, HWQNIC_WR_RDMA_WRITE_WITH_IMM, 3, one, 1,
			 HWQNIC_SEND_INLINE | HWQNIC_SEND_SIGNALED,
			 u_addr(&B, 0), B.mr->rkey, htobe32(3));
	why = rc ? "post failed" :
	      u_expect_both(&pair, 3, HWQNIC_WC_RDMA_WRITE, 0,
			    HWQNIC_WC_RECV_RDMA_WITH_IMM, 0);
	ok(!why,
	   "inline RDMA_WRITE_WITH_IMM of one {NULL, 0} SGE (%s)",
	   why ? why : "ok");
	memcpy(shadow, B.p, B.len);
}

static void suite(void)
{
	static const enum hwqnic_wr_opcode ops[] = {
		HWQNIC_WR_SEND, HWQNIC_WR_SEND_WITH_IMM, HWQNIC_WR_RDMA_WRITE,
		HWQNIC_WR_RDMA_WRITE_WITH_IMM,
	};
	struct u_qp_cfg cfg;
	struct hwqnic_wc wc;
	unsigned int i;
	int rc;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = 2 * BATCH;
	cfg.max_recv_wr = 2 * BATCH;
	cfg.max_send_sge = U_MIN(dev.attr.max_sge, 4);
	cfg.max_inline = dev.attr.max_inline_data;
	rc = u_pair_create(&pair, dev.pd, &cfg);
	if (!ok(!rc, "RC pair asking for %u bytes of inline data",
		cfg.max_inline))
		goto out_dev;
	max_inline = pair.a.cap.max_inline_data;
	max_pieces = U_MIN(pair.a.cap.max_send_sge, 4);
	ok(max_inline >= cfg.max_inline && max_inline > 0,
	   "granted max_inline_data %u (asked %u)", max_inline,
	   cfg.max_inline);
	stride = (max_inline + 2 * SLOT_PAD + 63) & ~63U;
	rc = u_buf_alloc(&B, dev.pd, (size_t)BATCH * stride, U_RC_ACCESS);
	if (!rc)
		rc = u_buf_alloc(&big_src, dev.pd, BIG_LEN, U_RC_ACCESS);
	if (!rc)
		rc = u_buf_alloc(&big_dst, dev.pd, BIG_LEN, U_RC_ACCESS);
	if (!ok(!rc, "buffers registered"))
		goto out;
	shadow = malloc(B.len);
	u_fill_rand(B.p, B.len, &seed);
	memcpy(shadow, B.p, B.len);
	u_fill_rand(big_src.p, BIG_LEN, &seed);
	for (i = 0; i < BATCH; i++) {
		src[i] = malloc(max_inline + 1);
		expect[i] = malloc(max_inline + 1);
	}

	empty_sges();
	for (i = 0; i < U_ARRAY_SIZE(ops); i++)
		run(ops[i]);

	ok(!memcmp(big_src.p, big_dst.p, BIG_LEN),
	   "the interleaved large writes arrived too");
	ok(!u_cq_quiet(pair.a.scq, 10, &wc) && !u_cq_quiet(pair.b.rcq, 10, &wc),
	   "no stray completions");
	for (i = 0; i < BATCH; i++) {
		free(src[i]);
		free(expect[i]);
	}
	free(shadow);
out:
	u_buf_free(&B);
	u_buf_free(&big_src);
	u_buf_free(&big_dst);
	ok(!u_pair_destroy(&pair), "QPs and CQs destroyed");
out_dev:
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
