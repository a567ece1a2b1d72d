// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Selective signaling: with sq_sig_all = 0 only the WRs posted with
 * HWQNIC_SEND_SIGNALED produce send completions, in posting order and with
 * their wr_ids, while the unsignaled ones still do their work and free their
 * SQ slots once a later signaled completion is polled. With sq_sig_all = 1
 * every WR completes, flags or not. Receives always complete.
 */
#include "../lib/helpers.h"

#define CHUNK		63	/* WRs per round, a multiple of EVERY */
#define EVERY		7	/* every EVERY-th WR is signaled */
#define SLOTS		512	/* 8-byte RDMA_WRITE targets */

static struct u_dev dev;
static uint64_t seed;

/* WR i: a SEND when i % 3 == 0, else an 8-byte RDMA_WRITE of i. */
static bool is_send(uint64_t i)
{
	return i % 3 == 0;
}

struct run {
	struct u_pair p;
	struct u_buf src, dst, rbuf;
	unsigned long posted, bad_post, bad_send, bad_recv, nsend_cqe;
	unsigned long nrecv_cqe;
};

/*
 * Posts WRs [first, first + n) as a mix of single posts and lists,
 * SIGNALED when sig(i); returns 0 or the failing errno.
 */
static int post_range(struct run *r, uint64_t first, int n,
		      bool (*sig)(uint64_t))
{
	struct hwqnic_send_wr wr[CHUNK], *bad;
	struct hwqnic_sge sge[CHUNK];
	int i, start = 0, rc;

	for (i = 0; i < n; i++) {
		uint64_t id = first + i;

		memcpy(r->src.p + (id % SLOTS) * 8, &id, 8);
		sge[i] = u_sge(&r->src, (id % SLOTS) * 8, 8);
		memset(&wr[i], 0, sizeof(wr[i]));
		wr[i].wr_id = id;
		wr[i].sg_list = &sge[i];
		wr[i].num_sge = 1;
		wr[i].opcode = is_send(id) ? HWQNIC_WR_SEND :
			       HWQNIC_WR_RDMA_WRITE;
		wr[i].send_flags = sig(id) ? HWQNIC_SEND_SIGNALED : 0;
		wr[i].wr.rdma.remote_addr = u_addr(&r->dst, (id % SLOTS) * 8);
		wr[i].wr.rdma.rkey = r->dst.mr->rkey;
	}
	/* lists of random length 1..8 */
	while (start < n) {
		int len = (int)u_rand_range(&seed, 1, 8);

		len = U_MIN(len, n - start);

		for (i = start; i < start + len - 1; i++)
			wr[i].next = &wr[i + 1];
		wr[start + len - 1].next = NULL;
		bad = NULL;
		rc = hwqnic_post_send(r->p.a.qp, &wr[start], &bad);
		if (rc)
			return rc;
		start += len;
	}
	return 0;
}

static int post_recvs(struct run *r, uint64_t first, int n)
{
	int i, rc;

	for (i = 0; i < n; i++) {
		uint64_t id = first + i;
		struct hwqnic_sge sge;

		if (!is_send(id))
			continue;
		sge = u_sge(&r->rbuf, (id % SLOTS) * 8, 8);
		rc = u_post_recv(r->p.b.qp, id, &sge, 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* Collects the receives of WRs [first, first + n) and checks them. */
static void check_recvs(struct run *r, uint64_t first, int n)
{
	struct hwqnic_wc wc[CHUNK];
	int i, want = 0, got;
	const char *why;
	uint64_t v;

	for (i = 0; i < n; i++)
		want += is_send(first + i);
	got = u_wait_cq(r->p.b.rcq, want, wc);
	r->nrecv_cqe += got;
	if (got != want)
		r->bad_recv += want - got;
	for (i = 0; i < got; i++) {
		uint64_t id = first + 3 * i + (3 - first % 3) % 3;

		why = u_wc_check(&wc[i], id, HWQNIC_WC_SUCCESS,
				 HWQNIC_WC_RECV, 8, r->p.b.qp->qp_num);
		memcpy(&v, r->rbuf.p + (id % SLOTS) * 8, 8);
		if (!why && v != id)
			why = "payload differs";
		if (why) {
			if (r->bad_recv++ < 5)
				diag("receive of WR %llu: %s",
				     (unsigned long long)id, why);
		}
	}
}

static bool every_nth(uint64_t i)
{
	return i % EVERY == EVERY - 1;
}

static bool never(uint64_t i)
{
	(void)i;
	return false;
}

static bool sometimes(uint64_t i)
{
	return i % 5 == 0;
}

static int run_setup(struct run *r, int sig_all)
{
	struct u_qp_cfg cfg;
	int rc;

	memset(r, 0, sizeof(*r));
	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = CHUNK + 1;
	cfg.max_recv_wr = CHUNK + 1;
	cfg.sq_sig_all = sig_all;
	rc = u_pair_create(&r->p, dev.pd, &cfg);
	if (!rc)
		rc = u_buf_alloc(&r->src, dev.pd, SLOTS * 8, U_RC_ACCESS);
	if (!rc)
		rc = u_buf_alloc(&r->dst, dev.pd, SLOTS * 8, U_RC_ACCESS);
	if (!rc)
		rc = u_buf_alloc(&r->rbuf, dev.pd, SLOTS * 8, U_RC_ACCESS);
	return rc;
}

static void run_teardown(struct run *r)
{
	u_buf_free(&r->src);
	u_buf_free(&r->dst);
	u_buf_free(&r->rbuf);
	u_pair_destroy(&r->p);
}

/*
 * Round k: CHUNK WRs, sig choosing the signaled ones, each SEND received;
 * the completions of every step-th WR (the signaled ones) checked, and the
 * receives. False ends the run: a post failed or completions are missing.
 */
static bool one_round(struct run *r, unsigned long k, bool (*sig)(uint64_t),
		      unsigned int step, struct hwqnic_wc *wc)
{
	uint64_t first = k * CHUNK;
	const char *why;
	int rc, i, got;

	rc = post_recvs(r, first, CHUNK);
	if (!rc)
		rc = post_range(r, first, CHUNK, sig);
	if (rc) {
		diag("round %lu: post: %s", k, strerror(rc));
		r->bad_post++;
		return false;
	}
	r->posted += CHUNK;
	got = u_wait_cq(r->p.a.scq, CHUNK / step, wc);
	r->nsend_cqe += got;
	for (i = 0; i < got; i++) {
		uint64_t id = first + (uint64_t)i * step + step - 1;

		why = u_wc_check(&wc[i], id, HWQNIC_WC_SUCCESS,
				 is_send(id) ? HWQNIC_WC_SEND :
				 HWQNIC_WC_RDMA_WRITE, 8, r->p.a.qp->qp_num);
		if (why && r->bad_send++ < 5)
			diag("round %lu, completion %d: %s", k, i, why);
	}
	check_recvs(r, first, CHUNK);
	if (got != (int)(CHUNK / step)) {
		r->bad_send++;
		return false;
	}
	return true;
}

/* The last i < total written by RDMA_WRITE to each slot is what it holds. */
static unsigned long check_writes(struct run *r, uint64_t total)
{
	unsigned long bad = 0;
	uint64_t s;

	for (s = 0; s < SLOTS; s++) {
		uint64_t i, v, want = 0;
		bool any = false;

		for (i = s; i < total; i += SLOTS) {
			if (!is_send(i)) {
				want = i;
				any = true;
			}
		}
		memcpy(&v, r->dst.p + s * 8, 8);
		if (any && v != want)
			bad++;
	}
	return bad;
}

static void selective(unsigned long rounds)
{
	struct hwqnic_wc wc[CHUNK];
	struct run r;
	unsigned long k;
	int got;

	if (!ok(!run_setup(&r, 0), "sq_sig_all=0: pair and buffers"))
		goto out;
	for (k = 0; k < rounds && one_round(&r, k, every_nth, EVERY, wc); k++)
		;
	ok(!r.bad_post && r.posted == rounds * CHUNK,
	   "sq_sig_all=0: %lu WRs posted through a %u-deep SQ", r.posted,
	   r.p.a.cap.max_send_wr);
	ok(!r.bad_send && r.nsend_cqe == r.posted / EVERY,
	   "sq_sig_all=0: exactly the %lu signaled WRs completed, in order, with their wr_ids (%lu CQEs, %lu bad)",
	   r.posted / EVERY, r.nsend_cqe, r.bad_send);
	got = u_cq_quiet(r.p.a.scq, 20, &wc[0]);
	if (got)
		diag("first extra completion: wr_id %llu",
		     (unsigned long long)wc[0].wr_id);
	ok(!got, "sq_sig_all=0: no completion for an unsignaled WR (%d extra)",
	   got);
	ok(!r.bad_recv && r.nrecv_cqe == (r.posted + 2) / 3,
	   "sq_sig_all=0: every SEND, signaled or not, was received intact (%lu receives, %lu bad)",
	   r.nrecv_cqe, r.bad_recv);
	ok(!check_writes(&r, r.posted),
	   "sq_sig_all=0: unsignaled RDMA_WRITEs wrote their data");
out:
	run_teardown(&r);
}

static void all_signaled(unsigned long rounds, bool (*sig)(uint64_t),
			 const char *what)
{
	struct hwqnic_wc wc[CHUNK];
	struct run r;
	unsigned long k;
	int got;

	if (!ok(!run_setup(&r, 1), "sq_sig_all=1 (%s): pair and buffers",
		what))
		goto out;
	for (k = 0; k < rounds && one_round(&r, k, sig, 1, wc); k++)
		;
	ok(!r.bad_post && !r.bad_send && r.nsend_cqe == rounds * CHUNK,
	   "sq_sig_all=1 (%s): all %lu WRs completed in order with their wr_ids (%lu CQEs, %lu bad)",
	   what, rounds * CHUNK, r.nsend_cqe, r.bad_send);
	got = u_cq_quiet(r.p.a.scq, 20, &wc[0]);
	ok(!got && !r.bad_recv && r.nrecv_cqe == (r.posted + 2) / 3 &&
	   !check_writes(&r, r.posted),
	   "sq_sig_all=1 (%s): no extra completion, receives and writes right",
	   what);
out:
	run_teardown(&r);
}

static void suite(void)
{
	unsigned long rounds = u_scaled(200, 4);

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	selective(rounds);
	all_signaled(rounds / 2, never, "no SIGNALED flags");
	all_signaled(rounds / 2, sometimes, "some SIGNALED flags");
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
