// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * RDMA_READ scattering into up to max_sge SGEs spread over several MRs of
 * the requester (different access flags, one MR starting in the middle of
 * its allocation, SGEs at the very first and last byte of an MR): exactly
 * the right bytes land in each piece, nothing else moves. Then ordering on
 * one QP: a READ after a WRITE sees the written data, and a FENCEd WRITE
 * after a READ does not leak into the READ's result.
 */
#include "../lib/helpers.h"

#define NMR		5
#define MR_LEN		(256 * 1024)
#define MAX_SGE		64
#define SUB_OFF		100	/* MR 4 starts this far into its allocation */
#define REMOTE_LEN	(4 * 1024 * 1024)

static struct u_dev dev;
static struct u_pair pair;
static struct u_buf loc[NMR], remote;
static struct hwqnic_mr *sub_mr;	/* over loc[4].p + SUB_OFF */
static uint8_t *shadow[NMR];
static unsigned int max_sge;
static uint64_t seed;

/* The MR an SGE of MR slot m uses, its start and length. */
static struct hwqnic_mr *mr_of(int m, uint8_t **start, size_t *len)
{
	if (m == NMR - 1) {
		*start = loc[m].p + SUB_OFF;
		*len = MR_LEN - 2 * SUB_OFF;
		return sub_mr;
	}
	*start = loc[m].p;
	*len = MR_LEN;
	return loc[m].mr;
}

static const char *compare_all(void)
{
	static char why[128];
	int m;

	for (m = 0; m < NMR; m++) {
		long d = u_first_diff(loc[m].p, shadow[m], MR_LEN);

		if (d >= 0) {
			snprintf(why, sizeof(why),
				 "MR %d differs at offset %ld (%#x, want %#x)",
				 m, d, loc[m].p[d], shadow[m][d]);
			return why;
		}
	}
	return NULL;
}

static void resync(void)
{
	int m;

	for (m = 0; m < NMR; m++)
		memcpy(shadow[m], loc[m].p, MR_LEN);
}

/* Reads the remote bytes into sge[0..k) and checks everything. */
static const char *read_into(struct hwqnic_sge *sge, int *mrs, int k,
			     uint64_t id)
{
	uint32_t total = 0, roff;
	const uint8_t *src;
	const char *why;
	int j;

	for (j = 0; j < k; j++)
		total += sge[j].length;
	roff = u_rand_range(&seed, 0, REMOTE_LEN - total);
	src = remote.p + roff;
	for (j = 0; j < k; j++) {
		memcpy(shadow[mrs[j]] + ((uint8_t *)(uintptr_t)sge[j].addr -
					 loc[mrs[j]].p), src, sge[j].length);
		src += sge[j].length;
	}
	if (u_post_send(pair.a.qp, HWQNIC_WR_RDMA_READ, id, sge, k,
			HWQNIC_SEND_SIGNALED, u_addr(&remote, roff),
			remote.mr->rkey, 0))
		return "post_send failed";
	why = u_expect_wc(pair.a.scq, id, HWQNIC_WC_SUCCESS,
			  HWQNIC_WC_RDMA_READ, total, pair.a.qp->qp_num, NULL);
	if (!why)
		why = compare_all();
	return why;
}

static void random_round(int round)
{
	struct hwqnic_sge sge[MAX_SGE];
	int mrs[MAX_SGE], k, j;
	uint32_t total = 0;
	const char *why;

	k = round % 4 == 0 ? (int)max_sge : (int)u_rand_range(&seed, 1,
							     max_sge);
	for (j = 0; j < k; j++) {
		/* SGE j uses the j-th of max_sge slots of a random MR */
		size_t len, slot, off, l;
		uint8_t *start;
		struct hwqnic_mr *mr;

		mrs[j] = u_rand_range(&seed, 0, NMR - 1);
		mr = mr_of(mrs[j], &start, &len);
		slot = len / max_sge;
		off = u_rand_range(&seed, 0, slot - 1);
		l = u_rand_range(&seed, 1, slot - off);
		sge[j].addr = (uintptr_t)(start + j * slot + off);
		sge[j].length = l;
		sge[j].lkey = mr->lkey;
		total += l;
	}
	why = read_into(sge, mrs, k, 1000 + round);
	ok_why(why, "READ of %u bytes into %d SGEs over %d MRs", total, k,
	   NMR);
	resync();
}

/* SGEs on the first and last byte of an MR, and on whole MRs. */
static void edges(void)
{
	struct hwqnic_sge sge[4];
	int mrs[4] = { NMR - 1, NMR - 1, 0, 1 };
	uint8_t *start;
	size_t len;
	const char *why;
	int k = U_MIN(4, (int)max_sge);

	mr_of(NMR - 1, &start, &len);
	sge[0] = (struct hwqnic_sge){ (uintptr_t)start, 1, sub_mr->lkey };
	sge[1] = (struct hwqnic_sge){ (uintptr_t)(start + len - 1), 1,
				      sub_mr->lkey };
	sge[2] = u_sge(&loc[0], 0, MR_LEN);
	sge[3] = u_sge(&loc[1], 0, MR_LEN);
	why = read_into(sge, mrs, k, 999);
	ok_why(why, "READ into the first and last byte of an MR and into whole MRs");
	resync();
}

/* Remote ranges at the very start and end of the remote MR. */
static void remote_edges(void)
{
	static const struct { uint32_t off, len; } r[] = {
		{ 0, 1 },
		{ REMOTE_LEN - 1, 1 },
		{ 0, MR_LEN },
		{ REMOTE_LEN - MR_LEN, MR_LEN },
	};
	struct hwqnic_sge sge;
	unsigned int i, bad = 0;
	const char *why;

	for (i = 0; i < U_ARRAY_SIZE(r); i++) {
		u_fill_rand(loc[2].p, MR_LEN, &seed);
		sge = u_sge(&loc[2], 0, r[i].len);
		why = u_post_send(pair.a.qp, HWQNIC_WR_RDMA_READ, 2000 + i,
				  &sge, 1, HWQNIC_SEND_SIGNALED,
				  u_addr(&remote, r[i].off), remote.mr->rkey,
				  0) ? "post_send failed" :
		      u_expect_wc(pair.a.scq, 2000 + i, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RDMA_READ, r[i].len, 0, NULL);
		if (!why && memcmp(loc[2].p, remote.p + r[i].off, r[i].len))
			why = "data differs";
		if (why) {
			diag("remote [%u, +%u): %s", r[i].off, r[i].len, why);
			bad++;
		}
	}
	ok(!bad, "READs of the first and last byte, and of the first and last 256 KiB, of the remote MR (%u bad)",
	   bad);
	resync();
}

static void read_after_write(int rounds)
{
	struct hwqnic_sge ws, rs;
	struct hwqnic_wc wc;
	unsigned int bad = 0;
	int i;

	for (i = 0; i < rounds; i++) {
		uint32_t len = u_rand_range(&seed, 1, 65536);
		uint32_t roff = u_rand_range(&seed, 0, REMOTE_LEN - len);

		u_fill_rand(loc[0].p, len, &seed);
		ws = u_sge(&loc[0], 0, len);
		rs = u_sge(&loc[1], 0, len);
		/* unsignaled WRITE, then READ of the same bytes */
		if (u_post_send(pair.a.qp, HWQNIC_WR_RDMA_WRITE, 1, &ws, 1, 0,
				u_addr(&remote, roff), remote.mr->rkey, 0) ||
		    u_post_send(pair.a.qp, HWQNIC_WR_RDMA_READ, 2, &rs, 1,
				HWQNIC_SEND_SIGNALED, u_addr(&remote, roff),
				remote.mr->rkey, 0) ||
		    u_wait_cq(pair.a.scq, 1, &wc) != 1 ||
		    u_wc_check(&wc, 2, HWQNIC_WC_SUCCESS, HWQNIC_WC_RDMA_READ,
			       len, 0) ||
		    memcmp(loc[0].p, loc[1].p, len))
			bad++;
	}
	ok(!bad, "READ after WRITE on one QP returns the written bytes (%d rounds, %u bad)",
	   rounds, bad);
	resync();
}

static void fence(int rounds)
{
	struct hwqnic_sge ws, rs;
	struct hwqnic_wc wc[2];
	unsigned int bad = 0;
	int i;

	for (i = 0; i < rounds; i++) {
		uint32_t len = u_rand_range(&seed, 1, 65536);
		uint32_t roff = u_rand_range(&seed, 0, REMOTE_LEN - len);
		uint8_t *old = malloc(len);

		memcpy(old, remote.p + roff, len);
		u_fill_rand(loc[0].p, len, &seed);
		rs = u_sge(&loc[1], 0, len);
		ws = u_sge(&loc[0], 0, len);
		if (u_post_send(pair.a.qp, HWQNIC_WR_RDMA_READ, 1, &rs, 1,
				HWQNIC_SEND_SIGNALED, u_addr(&remote, roff),
				remote.mr->rkey, 0) ||
		    u_post_send(pair.a.qp, HWQNIC_WR_RDMA_WRITE, 2, &ws, 1,
				HWQNIC_SEND_SIGNALED | HWQNIC_SEND_FENCE,
				u_addr(&remote, roff), remote.mr->rkey, 0) ||
		    u_wait_cq(pair.a.scq, 2, wc) != 2 ||
		    u_wc_check(&wc[0], 1, HWQNIC_WC_SUCCESS,
			       HWQNIC_WC_RDMA_READ, len, 0) ||
		    u_wc_check(&wc[1], 2, HWQNIC_WC_SUCCESS,
			       HWQNIC_WC_RDMA_WRITE, len, 0) ||
		    memcmp(loc[1].p, old, len) ||
		    memcmp(remote.p + roff, loc[0].p, len))
			bad++;
		free(old);
	}
	ok(!bad, "a FENCEd WRITE after a READ of the same bytes: the READ got the old bytes, memory the new (%d rounds, %u bad)",
	   rounds, bad);
	resync();
}

static void suite(void)
{
	static const unsigned int access[NMR] = {
		HWQNIC_ACCESS_LOCAL_WRITE,
		HWQNIC_ACCESS_LOCAL_WRITE | HWQNIC_ACCESS_REMOTE_READ,
		U_RC_ACCESS,
		HWQNIC_ACCESS_LOCAL_WRITE | HWQNIC_ACCESS_REMOTE_WRITE,
		HWQNIC_ACCESS_LOCAL_WRITE,
	};
	int rounds = u_quick() ? 6 : 60, m, i, rc = 0;
	struct u_qp_cfg cfg;
	struct hwqnic_wc wc;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	max_sge = U_MIN(dev.attr.max_sge, MAX_SGE);
	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = 8;
	cfg.max_send_sge = max_sge;
	cfg.rd_atomic = U_MIN(dev.attr.max_qp_rd_atom, 16);
	if (!ok(!u_pair_create(&pair, dev.pd, &cfg), "RC pair with %u SGEs",
		max_sge))
		goto out_dev;
	for (m = 0; m < NMR && !rc; m++)
		rc = u_buf_alloc(&loc[m], m == NMR - 1 ? NULL : dev.pd, MR_LEN,
				 access[m]);
	if (!rc) {
		sub_mr = hwqnic_reg_mr(dev.pd, loc[NMR - 1].p + SUB_OFF,
				       MR_LEN - 2 * SUB_OFF, access[NMR - 1]);
		if (!sub_mr)
			rc = errno;
	}
	if (!rc)
		rc = u_buf_alloc(&remote, dev.pd, REMOTE_LEN,
				 HWQNIC_ACCESS_LOCAL_WRITE |
				 HWQNIC_ACCESS_REMOTE_READ |
				 HWQNIC_ACCESS_REMOTE_WRITE);
	if (!ok(!rc, "%d local MRs (one mid-allocation) and a 4 MiB remote MR",
		NMR))
		goto out;
	u_fill_rand(remote.p, REMOTE_LEN, &seed);
	for (m = 0; m < NMR; m++) {
		u_fill_rand(loc[m].p, MR_LEN, &seed);
		shadow[m] = malloc(MR_LEN);
	}
	resync();

	edges();
	for (i = 0; i < rounds; i++)
		random_round(i);
	remote_edges();
	read_after_write(rounds);
	fence(rounds);
	ok(!u_cq_quiet(pair.a.scq, 10, &wc) && !u_cq_quiet(pair.b.rcq, 10, &wc),
	   "no stray completions");
	for (m = 0; m < NMR; m++)
		free(shadow[m]);
out:
	if (sub_mr)
		hwqnic_dereg_mr(sub_mr);
	for (m = 0; m < NMR; m++)
		u_buf_free(&loc[m]);
	u_buf_free(&remote);
	ok(!u_pair_destroy(&pair), "QPs and CQs destroyed");
out_dev:
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
