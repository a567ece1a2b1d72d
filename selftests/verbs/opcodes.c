// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Each data-moving opcode (SEND, SEND_WITH_IMM, RDMA_WRITE,
 * RDMA_WRITE_WITH_IMM, RDMA_READ) moves exactly the right bytes: sizes from
 * 0 to 1 MiB, the requester's and the local side's data split over 1..max_sge
 * SGEs at unaligned offsets with gaps between them, and every other byte of
 * both buffers (guards, gaps, the rest of a receive buffer) untouched.
 * Completions carry the right opcode, byte_len, QPNs and immediate data.
 */
#include "../lib/helpers.h"

#define MAX_LEN		(1U << 20)
#define MAX_SGE		64
#define SLACK		4096	/* room for unaligned start offsets */
#define GUARD		256	/* never inside any SGE or remote range */
#define MAX_GAP		63	/* bytes skipped between two SGEs */
#define BUF_LEN		(GUARD + SLACK + MAX_LEN + 64 + MAX_SGE * MAX_GAP + \
			 GUARD)

struct side {
	struct u_buf buf;
	uint8_t *shadow;	/* what buf must hold */
};

static struct u_dev dev;
static struct u_pair pair;
static struct side A, B;	/* A: requester (QP a), B: responder */
static struct u_buf spare;	/* receive buffer WRITE_WITH_IMM must not use */
static uint8_t *msg;
static unsigned int max_sge;
static uint64_t seed;

/*
 * Lays len bytes out as k SGEs over s, from a random offset in the slack,
 * pieces of random (non-zero) size with random gaps between them.
 */
static int make_sges(struct side *s, uint32_t len, unsigned int k,
		     struct hwqnic_sge *sge)
{
	uint32_t cut[MAX_SGE + 1], off;
	unsigned int i, j;

	if (!len)
		return 0;
	if (k > len)
		k = len;
	/* k - 1 distinct cut points in (0, len), sorted */
	cut[0] = 0;
	cut[k] = len;
	for (i = 1; i < k; i++) {
		uint32_t c;

		do {
			c = u_rand_range(&seed, 1, len - 1);
			for (j = 1; j < i && cut[j] != c; j++)
				;
		} while (j < i);
		for (j = i; j > 1 && cut[j - 1] > c; j--)
			cut[j] = cut[j - 1];
		cut[j] = c;
	}
	off = GUARD + u_rand_range(&seed, 0, SLACK - 1);
	for (i = 0; i < k; i++) {
		sge[i] = u_sge(&s->buf, off, cut[i + 1] - cut[i]);
		off += sge[i].length + u_rand_range(&seed, 0, MAX_GAP);
	}
	return k;
}

/* Copies len bytes in SGE order from the shadow into msg, or back. */
static void gather(struct side *s, const struct hwqnic_sge *sge, int n,
		   uint8_t *dst, uint32_t len)
{
	int i;

	for (i = 0; i < n && len; i++) {
		uint32_t l = U_MIN(len, sge[i].length);

		memcpy(dst, s->shadow + (sge[i].addr - u_addr(&s->buf, 0)), l);
		dst += l;
		len -= l;
	}
}

static void scatter(struct side *s, const struct hwqnic_sge *sge, int n,
		    const uint8_t *src, uint32_t len)
{
	int i;

	for (i = 0; i < n && len; i++) {
		uint32_t l = U_MIN(len, sge[i].length);

		memcpy(s->shadow + (sge[i].addr - u_addr(&s->buf, 0)), src, l);
		src += l;
		len -= l;
	}
}

/* Fresh random bytes for [off, off + len) of a side, in both copies. */
static void refresh(struct side *s, size_t off, size_t len)
{
	u_fill_rand(s->buf.p + off, len, &seed);
	memcpy(s->shadow + off, s->buf.p + off, len);
}

static const char *compare(struct side *s, const char *name)
{
	static char why[128];
	long d = u_first_diff(s->buf.p, s->shadow, BUF_LEN);

	if (d < 0)
		return NULL;
	snprintf(why, sizeof(why),
		 "%s buffer differs at offset %ld (%#x, want %#x)%s", name, d,
		 s->buf.p[d], s->shadow[d],
		 d < GUARD || d >= (long)(BUF_LEN - GUARD) ? " (guard)" : "");
	return why;
}

static const char *const op_names[] = {
	[HWQNIC_WR_RDMA_WRITE] = "RDMA_WRITE",
	[HWQNIC_WR_RDMA_WRITE_WITH_IMM] = "RDMA_WRITE_WITH_IMM",
	[HWQNIC_WR_SEND] = "SEND",
	[HWQNIC_WR_SEND_WITH_IMM] = "SEND_WITH_IMM",
	[HWQNIC_WR_RDMA_READ] = "RDMA_READ",
};

/*
 * One WR of len bytes over k_send SGEs; a SEND's receive has k_recv SGEs
 * and, unless exact, up to 64 bytes more room than the message.
 */
static void one(enum hwqnic_wr_opcode op, uint32_t len, unsigned int k_send,
		unsigned int k_recv, bool exact, uint64_t id)
{
	struct hwqnic_sge ssge[MAX_SGE], rsge[MAX_SGE];
	struct hwqnic_wc wc;
	bool is_send = op == HWQNIC_WR_SEND || op == HWQNIC_WR_SEND_WITH_IMM;
	bool imm = op == HWQNIC_WR_SEND_WITH_IMM ||
		   op == HWQNIC_WR_RDMA_WRITE_WITH_IMM;
	bool consumes_recv = is_send || op == HWQNIC_WR_RDMA_WRITE_WITH_IMM;
	uint32_t imm_data = (uint32_t)tap_rand(&seed);
	uint32_t roff = GUARD + u_rand_range(&seed, 0, SLACK - 1);
	const char *why = NULL;
	int ns = 0, nr = 0, rc, wc_op;
	uint8_t spare_before[64];
	char sges[32];

	memcpy(spare_before, spare.p, sizeof(spare_before));
	if (op == HWQNIC_WR_RDMA_READ) {
		/* B[roff, +len) -> A's SGEs */
		refresh(&B, roff, len);
		memcpy(msg, B.shadow + roff, len);
		ns = make_sges(&A, len, k_send, ssge);
		scatter(&A, ssge, ns, msg, len);
	} else {
		refresh(&A, GUARD, BUF_LEN - 2 * GUARD);
		ns = make_sges(&A, len, k_send, ssge);
		gather(&A, ssge, ns, msg, len);
		if (is_send) {
			uint32_t cap = len + (exact ? 0 :
					      u_rand_range(&seed, 0, 64));

			if (!cap)
				cap = 1;
			nr = make_sges(&B, cap, k_recv, rsge);
			scatter(&B, rsge, nr, msg, len);
		} else {
			memcpy(B.shadow + roff, msg, len);
		}
	}

	if (consumes_recv) {
		if (op == HWQNIC_WR_RDMA_WRITE_WITH_IMM) {
			/* a receive is consumed, its buffer left alone */
			nr = tap_rand(&seed) & 1;
			rsge[0] = u_sge(&spare, 0, sizeof(spare_before));
		}
		rc = u_post_recv(pair.b.qp, id, rsge, nr);
		if (rc) {
			why = "post_recv failed";
			goto out;
		}
	}
	rc = u_post_send(pair.a.qp, op, id, ssge, ns, HWQNIC_SEND_SIGNALED,
			 op == HWQNIC_WR_RDMA_READ || !is_send ?
			 u_addr(&B.buf, roff) : 0,
			 B.buf.mr->rkey, htobe32(imm_data));
	if (rc) {
		why = "post_send failed";
		goto out;
	}
	wc_op = op == HWQNIC_WR_RDMA_READ ? HWQNIC_WC_RDMA_READ :
		is_send ? HWQNIC_WC_SEND : HWQNIC_WC_RDMA_WRITE;
	why = u_expect_wc(pair.a.scq, id, HWQNIC_WC_SUCCESS, wc_op, len,
			  pair.a.qp->qp_num, NULL);
	if (why)
		goto out;
	if (consumes_recv) {
		why = u_expect_wc(pair.b.rcq, id, HWQNIC_WC_SUCCESS,
				  is_send ? HWQNIC_WC_RECV :
				  HWQNIC_WC_RECV_RDMA_WITH_IMM,
				  len, pair.b.qp->qp_num, &wc);
		if (why)
			goto out;
		if (wc.src_qp != pair.a.qp->qp_num)
			why = "receive src_qp is not the sender's QPN";
		else if (imm && !(wc.wc_flags & HWQNIC_WC_F_WITH_IMM))
			why = "receive lacks HWQNIC_WC_F_WITH_IMM";
		else if (imm && wc.imm_data != htobe32(imm_data))
			why = "receive imm_data differs";
		else if (!imm && (wc.wc_flags & HWQNIC_WC_F_WITH_IMM))
			why = "receive has HWQNIC_WC_F_WITH_IMM without immediate";
		if (why)
			goto out;
	}
	why = compare(&B, "responder");
	if (!why)
		why = compare(&A, "requester");
	if (!why && memcmp(spare_before, spare.p, sizeof(spare_before)))
		why = "RDMA_WRITE_WITH_IMM wrote into the receive buffer";
out:
	if (is_send)
		snprintf(sges, sizeof(sges), "%d -> %d SGEs", ns, nr);
	else
		snprintf(sges, sizeof(sges), "%d local SGEs", ns);
	ok_why(why, "%s of %u bytes, %s", op_names[op], len, sges);
	/* resynchronise both shadows so one failure does not cascade */
	memcpy(A.shadow, A.buf.p, BUF_LEN);
	memcpy(B.shadow, B.buf.p, BUF_LEN);
}

static uint32_t random_len(void)
{
	switch (tap_rand(&seed) % 3) {
	case 0:
		return u_rand_range(&seed, 0, 256);
	case 1:
		return u_rand_range(&seed, 0, 65536);
	default:
		return u_rand_range(&seed, 0, MAX_LEN);
	}
}

static void suite(void)
{
	static const uint32_t fixed[] = { 0, 1, 4095, 4096, 4097, MAX_LEN };
	static const enum hwqnic_wr_opcode ops[] = {
		HWQNIC_WR_SEND, HWQNIC_WR_SEND_WITH_IMM, HWQNIC_WR_RDMA_WRITE,
		HWQNIC_WR_RDMA_WRITE_WITH_IMM, HWQNIC_WR_RDMA_READ,
	};
	unsigned int nrand = u_quick() ? 2 : 12, o, i;
	struct u_qp_cfg cfg;
	uint64_t id = 1;
	struct hwqnic_wc wc;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	ok(dev.port.max_msg_sz >= MAX_LEN, "port max_msg_sz %u >= 1 MiB",
	   dev.port.max_msg_sz);
	max_sge = U_MIN(dev.attr.max_sge, MAX_SGE);
	diag("device max_sge %u, using %u", dev.attr.max_sge, max_sge);

	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = 8;
	cfg.max_recv_wr = 8;
	cfg.max_send_sge = max_sge;
	cfg.max_recv_sge = max_sge;
	if (!ok(!u_pair_create(&pair, dev.pd, &cfg),
		"connected RC pair with %u SGEs", max_sge))
		goto out_dev;
	if (!ok(!u_buf_alloc(&A.buf, dev.pd, BUF_LEN, U_RC_ACCESS) &&
		!u_buf_alloc(&B.buf, dev.pd, BUF_LEN, U_RC_ACCESS) &&
		!u_buf_alloc(&spare, dev.pd, 64, U_RC_ACCESS),
		"buffers of %u bytes registered", BUF_LEN))
		goto out_bufs;
	A.shadow = malloc(BUF_LEN);
	B.shadow = malloc(BUF_LEN);
	msg = malloc(MAX_LEN);
	u_fill_rand(A.buf.p, BUF_LEN, &seed);
	u_fill_rand(B.buf.p, BUF_LEN, &seed);
	u_fill_rand(spare.p, 64, &seed);
	memcpy(A.shadow, A.buf.p, BUF_LEN);
	memcpy(B.shadow, B.buf.p, BUF_LEN);

	for (o = 0; o < U_ARRAY_SIZE(ops); o++) {
		for (i = 0; i < U_ARRAY_SIZE(fixed) + nrand; i++) {
			uint32_t len = i < U_ARRAY_SIZE(fixed) ? fixed[i] :
				       random_len();
			unsigned int ks, kr;

			/* both extremes of the SGE count, and random ones */
			ks = i % 3 == 0 ? max_sge : i % 3 == 1 ? 1 :
			     u_rand_range(&seed, 1, max_sge);
			kr = i % 2 == 0 ? max_sge :
			     u_rand_range(&seed, 1, max_sge);
			/* the fixed sizes fill their receive exactly */
			one(ops[o], len, ks, kr, i < U_ARRAY_SIZE(fixed),
			    id++);
		}
	}
	ok(!u_cq_quiet(pair.a.rcq, 10, &wc) && !u_cq_quiet(pair.b.scq, 10, &wc)
	   && !u_cq_quiet(pair.a.scq, 10, &wc) &&
	   !u_cq_quiet(pair.b.rcq, 10, &wc), "no stray completions");
	ok(pair.a.qp->state == HWQNIC_QPS_RTS &&
	   pair.b.qp->state == HWQNIC_QPS_RTS, "both QPs still in RTS");
out_bufs:
	free(A.shadow);
	free(B.shadow);
	free(msg);
	u_buf_free(&spare);
	u_buf_free(&A.buf);
	u_buf_free(&B.buf);
	ok(!u_pair_destroy(&pair), "QPs and CQs destroyed");
out_dev:
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
