// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Two devices in one process are independent: distinct names and stats
 * files, each listing only its own QPs; traffic runs on both at once; an
 * rkey or lkey of one device is refused by the other (its MR is not there,
 * whatever the key's value); and closing one, while the other is busy,
 * leaves the other working.
 */
#include <pthread.h>

#include "../lib/helpers.h"

#define LEN	4096

struct side {
	struct u_dev d;
	struct u_pair p;
	struct u_buf src, dst, back;	/* a: src, back; b: dst */
	unsigned long iters, bad;
	const char *why;
	uint64_t seed;
	pthread_t thread;
	char stats[128];
};

static struct side s1, s2;

static int side_setup(struct side *s)
{
	struct u_qp_cfg cfg;
	int rc;

	rc = u_dev_open(&s->d);
	if (rc)
		return rc;
	u_stats_path(s->d.ctx, getpid(), s->stats, sizeof(s->stats));
	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = 8;
	cfg.max_recv_wr = 8;
	rc = u_pair_create(&s->p, s->d.pd, &cfg);
	rc = rc ? rc : u_buf_alloc(&s->src, s->d.pd, LEN, U_RC_ACCESS);
	rc = rc ? rc : u_buf_alloc(&s->dst, s->d.pd, LEN, U_RC_ACCESS);
	rc = rc ? rc : u_buf_alloc(&s->back, s->d.pd, LEN, U_RC_ACCESS);
	return rc;
}

static void side_teardown(struct side *s)
{
	u_pair_destroy(&s->p);
	u_buf_free(&s->src);
	u_buf_free(&s->dst);
	u_buf_free(&s->back);
}

/* SEND, RDMA_WRITE and RDMA_READ back, iters times, all checked. */
static void *traffic(void *arg)
{
	struct side *s = arg;
	unsigned long i;

	for (i = 0; i < s->iters && !s->why; i++) {
		uint32_t len = u_rand_range(&s->seed, 1, LEN / 2);
		struct hwqnic_sge ss = u_sge(&s->src, 0, len);
		struct hwqnic_sge rs = u_sge(&s->dst, 0, len);
		struct hwqnic_sge bs = u_sge(&s->back, 0, len);
		struct hwqnic_send_wr w[3], *bad;
		struct hwqnic_wc wc;

		u_fill_rand(s->src.p, len, &s->seed);
		memset(w, 0, sizeof(w));
		w[0].wr_id = 1;
		w[0].sg_list = &ss;
		w[0].num_sge = 1;
		w[0].opcode = HWQNIC_WR_SEND;
		w[0].next = &w[1];
		w[1] = w[0];
		w[1].wr_id = 2;
		w[1].opcode = HWQNIC_WR_RDMA_WRITE;
		w[1].wr.rdma.remote_addr = u_addr(&s->dst, LEN / 2);
		w[1].wr.rdma.rkey = s->dst.mr->rkey;
		w[1].next = &w[2];
		w[2] = w[1];
		w[2].wr_id = 3;
		w[2].sg_list = &bs;
		w[2].opcode = HWQNIC_WR_RDMA_READ;
		w[2].send_flags = HWQNIC_SEND_SIGNALED;
		w[2].next = NULL;
		if (u_post_recv(s->p.b.qp, 9, &rs, 1) ||
		    hwqnic_post_send(s->p.a.qp, w, &bad)) {
			s->why = "post failed";
			break;
		}
		s->why = u_expect_wc(s->p.a.scq, 3, HWQNIC_WC_SUCCESS,
				     HWQNIC_WC_RDMA_READ, len, 0, NULL);
		if (!s->why)
			s->why = u_expect_wc(s->p.b.rcq, 9, HWQNIC_WC_SUCCESS,
					     HWQNIC_WC_RECV, len, 0, &wc);
		if (s->why)
			break;
		if (memcmp(s->src.p, s->dst.p, len) ||
		    memcmp(s->src.p, s->dst.p + LEN / 2, len) ||
		    memcmp(s->src.p, s->back.p, len))
			s->bad++;
	}
	return NULL;
}

/* QPs listed in a device's stats file: how many, and whether qpns are. */
static int stats_qps(const __u32 *qpns, int n, const char *name, int *found)
{
	struct hwqnic_stats st;
	int count, j;

	*found = 0;
	if (u_stats_read(getpid(), name, &st))
		return -1;
	if (strcmp(st.dev, name)) {
		hwqnic_stats_free(&st);
		return -1;
	}
	count = st.nqp;
	for (j = 0; j < n; j++)
		*found += u_stats_qp(&st, qpns[j]) != NULL;
	hwqnic_stats_free(&st);
	return count;
}

/* A WR on s2's error pair using s1's keys must fail with want. */
static void cross(const char *what, enum hwqnic_wr_opcode op, bool foreign_lkey,
		  int want)
{
	struct u_pair e;
	struct u_qp_cfg cfg;
	struct hwqnic_sge sge;
	uint8_t before1[LEN], before2[LEN], before3[LEN];
	const char *why;
	int rc;

	u_qp_cfg_default(&cfg);
	if (!ok(!u_pair_create(&e, s2.d.pd, &cfg), "%s: pair on device 2",
		what))
		return;
	u_fill_rand(s1.dst.p, LEN, &s1.seed);
	u_fill_rand(s2.back.p, LEN, &s2.seed);
	memcpy(before1, s1.dst.p, LEN);
	memcpy(before2, s2.back.p, LEN);
	memcpy(before3, s2.dst.p, LEN);
	if (foreign_lkey)
		sge = u_sge(&s1.dst, 0, 64);	/* device 1's lkey */
	else
		sge = u_sge(&s2.back, 0, 64);
	rc = u_post_send(e.a.qp, op, 1, &sge, 1, HWQNIC_SEND_SIGNALED,
			 foreign_lkey ? u_addr(&s2.dst, 0) :
			 u_addr(&s1.dst, 0),
			 foreign_lkey ? s2.dst.mr->rkey : s1.dst.mr->rkey, 0);
	why = rc ? "post_send failed" : u_expect_wc(e.a.scq, 1, want, 0, -1,
						    0, NULL);
	if (!why && memcmp(before1, s1.dst.p, LEN))
		why = "device 1's buffer changed";
	if (!why && (memcmp(before2, s2.back.p, LEN) ||
		     memcmp(before3, s2.dst.p, LEN)))
		why = "device 2's buffers changed";
	ok_why(why, "%s: %s", what, hwqnic_wc_status_str(want));
	u_pair_destroy(&e);
}

static void suite(void)
{
	unsigned long iters = u_scaled(10000, 100);
	uint64_t seed = tap_seed();
	const char *n1, *n2;
	__u32 q1[2], q2[2];
	struct stat st;
	int c1, c2, f1, f2;

	s1.seed = seed;
	s2.seed = seed ^ 0x5555;
	if (!ok(!side_setup(&s1) && !side_setup(&s2),
		"two devices, each with a connected pair"))
		goto out;
	n1 = hwqnic_device_name(s1.d.ctx);
	n2 = hwqnic_device_name(s2.d.ctx);
	ok(n1 && n2 && strcmp(n1, n2), "distinct names: %s, %s",
	   n1 ? n1 : "(null)", n2 ? n2 : "(null)");
	diag("QPNs: device 1 %u/%u, device 2 %u/%u; rkeys %#x, %#x",
	     s1.p.a.qp->qp_num, s1.p.b.qp->qp_num, s2.p.a.qp->qp_num,
	     s2.p.b.qp->qp_num, s1.dst.mr->rkey, s2.dst.mr->rkey);

	q1[0] = s1.p.a.qp->qp_num;
	q1[1] = s1.p.b.qp->qp_num;
	q2[0] = s2.p.a.qp->qp_num;
	q2[1] = s2.p.b.qp->qp_num;
	c1 = stats_qps(q1, 2, n1, &f1);
	c2 = stats_qps(q2, 2, n2, &f2);
	ok(c1 == 2 && f1 == 2 && c2 == 2 && f2 == 2,
	   "each stats file lists exactly its device's 2 QPs (%d, %d)", c1,
	   c2);

	s1.iters = s2.iters = iters;
	pthread_create(&s1.thread, NULL, traffic, &s1);
	pthread_create(&s2.thread, NULL, traffic, &s2);
	pthread_join(s1.thread, NULL);
	pthread_join(s2.thread, NULL);
	ok(!s1.why && !s1.bad && !s2.why && !s2.bad,
	   "traffic on both at once: %lu SEND/WRITE/READ rounds each, all intact%s%s",
	   iters, s1.why ? ", device 1: " : s2.why ? ", device 2: " : "",
	   s1.why ? s1.why : s2.why ? s2.why : "");

	cross("device 2 RDMA_WRITE with device 1's rkey", HWQNIC_WR_RDMA_WRITE,
	      false, HWQNIC_WC_REM_ACCESS_ERR);
	cross("device 2 RDMA_READ with device 1's rkey", HWQNIC_WR_RDMA_READ,
	      false, HWQNIC_WC_REM_ACCESS_ERR);
	cross("device 2 RDMA_WRITE from device 1's lkey", HWQNIC_WR_RDMA_WRITE,
	      true, HWQNIC_WC_LOC_PROT_ERR);
	cross("device 2 RDMA_READ into device 1's lkey", HWQNIC_WR_RDMA_READ,
	      true, HWQNIC_WC_LOC_PROT_ERR);

	/* close device 1 while device 2 is busy */
	s2.iters = iters;
	pthread_create(&s2.thread, NULL, traffic, &s2);
	side_teardown(&s1);
	ok(!u_dev_close(&s1.d), "device 1 closed while device 2 works");
	pthread_join(s2.thread, NULL);
	ok(!s2.why && !s2.bad,
	   "device 2 kept working through it: %lu more rounds intact%s%s",
	   iters, s2.why ? ": " : "", s2.why ? s2.why : "");
	ok(stat(s1.stats, &st) && errno == ENOENT,
	   "device 1's stats file is gone");
	c2 = stats_qps(q2, 2, n2, &f2);
	ok(c2 == 2 && f2 == 2, "device 2's stats file is still there, unchanged");
	s2.iters = u_scaled(1000, 20);
	traffic(&s2);
	ok(!s2.why && !s2.bad, "and device 2 still works afterwards%s%s",
	   s2.why ? ": " : "", s2.why ? s2.why : "");
out:
	side_teardown(&s1);
	side_teardown(&s2);
	if (s1.d.ctx)
		u_dev_close(&s1.d);
	ok(!u_dev_close(&s2.d), "device 2 closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
