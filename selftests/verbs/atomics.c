// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ATOMIC_CMP_AND_SWP (hit and miss) and ATOMIC_FETCH_AND_ADD return the
 * original remote value into the local 8-byte SGE and update remote memory,
 * in host byte order, touching nothing around either. Then two QPs, each
 * driven by its own thread, hammer one counter with FETCH_AND_ADDs: the sum
 * is exact and the values fetched form one unbroken chain, so no add was
 * lost, doubled or torn.
 */
#include <pthread.h>

#include "../lib/helpers.h"

#define TARGET_OFF	64	/* 8-byte aligned; guards either side */
#define RESULT_OFF	13	/* unaligned result SGE */

static struct u_dev dev;
static struct u_pair p1, p2;
static struct u_buf remote, local;
static uint64_t seed;

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* One atomic through p1; returns NULL or what went wrong. */
static const char *atomic(enum hwqnic_wr_opcode op, uint64_t cmp_add,
			  uint64_t swap, uint64_t wr_id)
{
	struct hwqnic_sge sge = u_sge(&local, RESULT_OFF, 8);
	int rc;

	rc = u_post_atomic(p1.a.qp, op, wr_id, &sge, HWQNIC_SEND_SIGNALED,
			   u_addr(&remote, TARGET_OFF), remote.mr->rkey,
			   cmp_add, swap);
	if (rc)
		return "post_send failed";
	return u_expect_wc(p1.a.scq, wr_id, HWQNIC_WC_SUCCESS,
			   op == HWQNIC_WR_ATOMIC_CMP_AND_SWP ?
			   HWQNIC_WC_COMP_SWAP : HWQNIC_WC_FETCH_ADD, 8,
			   p1.a.qp->qp_num, NULL);
}

/*
 * Sets the target to old, runs the atomic, and checks the result, the new
 * remote value and that no byte around either moved.
 */
static void check(const char *what, enum hwqnic_wr_opcode op, uint64_t old,
		  uint64_t cmp_add, uint64_t swap, uint64_t want_new,
		  uint64_t wr_id)
{
	uint8_t rsnap[256], lsnap[64];
	const char *why;
	uint64_t got_old, got_new;

	u_fill_rand(remote.p, sizeof(rsnap), &seed);
	u_fill_rand(local.p, sizeof(lsnap), &seed);
	put64(remote.p + TARGET_OFF, old);
	memcpy(rsnap, remote.p, sizeof(rsnap));
	memcpy(lsnap, local.p, sizeof(lsnap));
	put64(rsnap + TARGET_OFF, want_new);
	put64(lsnap + RESULT_OFF, old);

	why = atomic(op, cmp_add, swap, wr_id);
	got_old = get64(local.p + RESULT_OFF);
	got_new = get64(remote.p + TARGET_OFF);
	if (!why && got_old != old)
		why = "wrong original value returned";
	if (!why && got_new != want_new)
		why = "wrong value left in remote memory";
	if (!why && memcmp(rsnap, remote.p, sizeof(rsnap)))
		why = "bytes around the remote target changed";
	if (!why && memcmp(lsnap, local.p, sizeof(lsnap)))
		why = "bytes around the result SGE changed";
	ok(!why, "%s: %s%s (returned %#llx, memory %#llx)", what,
	   why ? "FAILED: " : "right", why ? why : "",
	   (unsigned long long)got_old, (unsigned long long)got_new);
}

/* --- two QPs adding concurrently ------------------------------------------ */

struct adder {
	struct u_pair *p;
	struct u_buf res;	/* one 8-byte result per add */
	uint64_t *add;		/* the value each WR added */
	unsigned long n, done, bad;
	uint64_t seed;
	pthread_t thread;
};

struct pairing {
	uint64_t old, add;
};

static void *adder_run(void *arg)
{
	struct adder *ad = arg;
	unsigned long posted = 0, depth = ad->p->a.cap.max_send_wr;
	uint64_t deadline = u_now_ns() + 4 * u_timeout_ns();
	struct hwqnic_wc wc[16];
	unsigned int spins = 0;
	const char *why;
	int i, r, rc;

	while (ad->done < ad->n) {
		while (posted < ad->n && posted - ad->done < depth) {
			struct hwqnic_sge sge = u_sge(&ad->res, posted * 8, 8);

			ad->add[posted] = u_rand_range(&ad->seed, 1, 1000);
			rc = u_post_atomic(ad->p->a.qp,
					   HWQNIC_WR_ATOMIC_FETCH_AND_ADD,
					   posted, &sge, HWQNIC_SEND_SIGNALED,
					   u_addr(&remote, TARGET_OFF),
					   remote.mr->rkey, ad->add[posted], 0);
			if (rc) {
				diag("FETCH_AND_ADD post: %s", strerror(rc));
				ad->bad++;
				return NULL;
			}
			posted++;
		}
		r = hwqnic_poll_cq(ad->p->a.scq, 16, wc);
		if (r < 0) {
			ad->bad++;
			return NULL;
		}
		for (i = 0; i < r; i++, ad->done++) {
			why = u_wc_check(&wc[i], ad->done, HWQNIC_WC_SUCCESS,
					 HWQNIC_WC_FETCH_ADD, 8, 0);
			if (why && ad->bad++ < 3)
				diag("add %lu: %s", ad->done, why);
		}
		if (r) {
			spins = 0;
			continue;
		}
		if (u_now_ns() > deadline) {
			diag("adder timed out at %lu of %lu", ad->done, ad->n);
			ad->bad++;
			return NULL;
		}
		u_relax(&spins);
	}
	return NULL;
}

static int cmp_pairing(const void *x, const void *y)
{
	const struct pairing *a = x, *b = y;

	return a->old < b->old ? -1 : a->old > b->old;
}

static void concurrent(unsigned long n)
{
	struct adder ad[2];
	struct pairing *pr;
	uint64_t init = 0xff000000ULL, sum = 0, final;
	unsigned long i, j, k = 0, chain_bad = 0;
	int t, rc = 0;

	memset(ad, 0, sizeof(ad));
	put64(remote.p + TARGET_OFF, init);
	for (t = 0; t < 2 && !rc; t++) {
		ad[t].p = t ? &p2 : &p1;
		ad[t].n = n;
		ad[t].seed = seed + t + 1;
		ad[t].add = calloc(n, sizeof(uint64_t));
		rc = u_buf_alloc(&ad[t].res, dev.pd, n * 8,
				 HWQNIC_ACCESS_LOCAL_WRITE);
	}
	if (!ok(!rc, "two adders set up"))
		goto out;
	for (t = 0; t < 2; t++)
		pthread_create(&ad[t].thread, NULL, adder_run, &ad[t]);
	for (t = 0; t < 2; t++)
		pthread_join(ad[t].thread, NULL);
	if (!ok(!ad[0].bad && !ad[1].bad && ad[0].done == n &&
		ad[1].done == n,
		"2 QPs x %lu FETCH_AND_ADDs all completed successfully", n))
		goto out;

	pr = malloc(2 * n * sizeof(*pr));
	for (t = 0; t < 2; t++) {
		for (i = 0; i < n; i++) {
			pr[k].old = get64(ad[t].res.p + i * 8);
			pr[k++].add = ad[t].add[i];
			sum += ad[t].add[i];
		}
	}
	final = get64(remote.p + TARGET_OFF);
	ok(final == init + sum, "the counter is exactly initial + sum of adds (%#llx, want %#llx)",
	   (unsigned long long)final, (unsigned long long)(init + sum));
	qsort(pr, k, sizeof(*pr), cmp_pairing);
	if (pr[0].old != init)
		chain_bad++;
	for (j = 0; j + 1 < k; j++)
		if (pr[j + 1].old != pr[j].old + pr[j].add)
			chain_bad++;
	if (pr[k - 1].old + pr[k - 1].add != final)
		chain_bad++;
	ok(!chain_bad, "the fetched values chain: each add saw the result of exactly one other (%lu breaks)",
	   chain_bad);
	free(pr);
out:
	for (t = 0; t < 2; t++) {
		u_buf_free(&ad[t].res);
		free(ad[t].add);
	}
}

static void suite(void)
{
	struct u_qp_cfg cfg;
	uint64_t v;
	int rc;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = 32;
	cfg.rd_atomic = U_MIN(dev.attr.max_qp_rd_atom, 16);
	diag("device max_qp_rd_atom %u", dev.attr.max_qp_rd_atom);
	rc = u_pair_create(&p1, dev.pd, &cfg);
	if (!rc)
		rc = u_pair_create(&p2, dev.pd, &cfg);
	if (!rc)
		rc = u_buf_alloc(&remote, dev.pd, 4096, U_RC_ACCESS);
	if (!rc)
		rc = u_buf_alloc(&local, dev.pd, 4096,
				 HWQNIC_ACCESS_LOCAL_WRITE);
	if (!ok(!rc, "two RC pairs and buffers"))
		goto out;

	v = 0x0123456789abcdefULL;
	check("CMP_AND_SWP hit", HWQNIC_WR_ATOMIC_CMP_AND_SWP, v, v,
	      0xfedcba9876543210ULL, 0xfedcba9876543210ULL, 1);
	check("CMP_AND_SWP miss", HWQNIC_WR_ATOMIC_CMP_AND_SWP, v,
	      v ^ 0x100000000ULL, 0xfedcba9876543210ULL, v, 2);
	check("CMP_AND_SWP miss by the low byte only",
	      HWQNIC_WR_ATOMIC_CMP_AND_SWP, v, v ^ 1, 42, v, 3);
	check("CMP_AND_SWP hit of zero", HWQNIC_WR_ATOMIC_CMP_AND_SWP, 0, 0,
	      ~0ULL, ~0ULL, 4);
	v = tap_rand(&seed);
	check("FETCH_AND_ADD", HWQNIC_WR_ATOMIC_FETCH_AND_ADD, v,
	      0x0000000100000001ULL, 0, v + 0x0000000100000001ULL, 5);
	check("FETCH_AND_ADD carries across 32 bits",
	      HWQNIC_WR_ATOMIC_FETCH_AND_ADD, 0xffffffffULL, 1, 0,
	      0x100000000ULL, 6);
	check("FETCH_AND_ADD wraps at 2^64", HWQNIC_WR_ATOMIC_FETCH_AND_ADD,
	      ~0ULL - 1, 5, 0, 3, 7);
	check("FETCH_AND_ADD of 0", HWQNIC_WR_ATOMIC_FETCH_AND_ADD, v, 0, 0, v,
	      8);

	concurrent(u_scaled(20000, 200));
out:
	u_buf_free(&remote);
	u_buf_free(&local);
	ok(!u_pair_destroy(&p1) && !u_pair_destroy(&p2),
	   "QPs and CQs destroyed");
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
