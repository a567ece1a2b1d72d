// SPDX-License-Identifier: GPL-2.0
/*
 * hwqnic_kverbs_test.ko: an in-kernel consumer of hwqnic.ko's exported
 * verbs. At load it drives loopback SEND, RDMA_WRITE and RDMA_READ between
 * two RC QPs over a kmalloc() and a vmalloc() buffer, checks every byte and
 * completion, a CQ handler, an access error with its flushes, the
 * verbs' argument checks, and a timestamped CQ's times against
 * ktime_get_ns(). Results go to the kernel log as TAP lines
 * prefixed "hwqnic_kverbs_test: ". `iters` sets the messages per opcode,
 * each signaled, so a tracer can expect exact counts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/random.h>
#include <linux/delay.h>
#include <linux/jiffies.h>

#include "hwqnic_kverbs.h"

static unsigned int iters = 100;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "messages per opcode (1..100000)");

#define KBUF_SIZE	(64 * 1024)	/* kmalloc(): physically contiguous */
#define VBUF_SIZE	(1024 * 1024)	/* vmalloc(): scattered pages */
#define MAX_MSG		(60 * 1024)
#define CQ_DEPTH	64

static unsigned int tap_n, tap_failed;

static bool ok(bool cond, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	tap_n++;
	if (!cond)
		tap_failed++;
	pr_info("%sok %u - %pV\n", cond ? "" : "not ", tap_n, &vaf);
	va_end(args);
	return cond;
}

struct rig {
	struct hwqnic_kdev *kdev;
	struct hwqnic_kpd *pd;
	u8 *kbuf, *vbuf;
	struct hwqnic_kmr *kmr, *vmr;
	struct hwqnic_kcq *cq_a, *cq_b;
	struct hwqnic_kqp *a, *b;
	atomic_t events;
};

static void cq_handler(struct hwqnic_kcq *cq, void *ctx)
{
	struct rig *r = ctx;

	atomic_inc(&r->events);
}

/* One completion from cq within 5 s, or false. */
static bool wait_wc(struct hwqnic_kcq *cq, struct hwqnic_wc *wc)
{
	unsigned long end = jiffies + 5 * HZ;
	int n;

	do {
		n = hwqnic_kpoll_cq(cq, 1, wc);
		if (n)
			return n == 1;
		cond_resched();
	} while (time_before(jiffies, end));
	return false;
}

static int to_rts(struct hwqnic_kqp *qp, u32 dest)
{
	struct hwqnic_qp_attr at = {
		.qp_state = HWQNIC_QPS_INIT, .port_num = 1,
		.qp_access_flags = HWQNIC_ACCESS_ALL,
	};
	int rc;

	rc = hwqnic_kmodify_qp(qp, &at, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
			       HWQNIC_QP_PORT | HWQNIC_QP_ACCESS_FLAGS);
	if (rc)
		return rc;
	at.qp_state = HWQNIC_QPS_RTR;
	at.path_mtu = HWQNIC_MTU_4096;
	at.dest_qp_num = dest;
	at.min_rnr_timer = 1;
	rc = hwqnic_kmodify_qp(qp, &at, HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
			       HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN |
			       HWQNIC_QP_MAX_DEST_RD_ATOMIC |
			       HWQNIC_QP_MIN_RNR_TIMER);
	if (rc)
		return rc;
	at.qp_state = HWQNIC_QPS_RTS;
	at.rnr_retry = 7;
	return hwqnic_kmodify_qp(qp, &at, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN |
				 HWQNIC_QP_TIMEOUT | HWQNIC_QP_RETRY_CNT |
				 HWQNIC_QP_RNR_RETRY |
				 HWQNIC_QP_MAX_QP_RD_ATOMIC);
}

static int rig_up(struct rig *r)
{
	struct hwqnic_qp_init_attr ia = {
		.qp_type = HWQNIC_QPT_RC,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16,
			 .max_send_sge = 2, .max_recv_sge = 2 },
	};

	r->kdev = hwqnic_kdev_get(0);
	if (!r->kdev)
		return -ENODEV;
	r->kbuf = kmalloc(KBUF_SIZE, GFP_KERNEL);
	r->vbuf = vmalloc(VBUF_SIZE);
	if (!r->kbuf || !r->vbuf)
		return -ENOMEM;
	r->pd = hwqnic_kalloc_pd(r->kdev);
	if (IS_ERR(r->pd))
		return PTR_ERR(r->pd);
	r->kmr = hwqnic_kreg_mr(r->pd, r->kbuf, KBUF_SIZE, HWQNIC_ACCESS_ALL);
	if (IS_ERR(r->kmr))
		return PTR_ERR(r->kmr);
	r->vmr = hwqnic_kreg_mr(r->pd, r->vbuf, VBUF_SIZE, HWQNIC_ACCESS_ALL);
	if (IS_ERR(r->vmr))
		return PTR_ERR(r->vmr);
	r->cq_a = hwqnic_kcreate_cq(r->kdev, CQ_DEPTH, cq_handler, r);
	if (IS_ERR(r->cq_a))
		return PTR_ERR(r->cq_a);
	r->cq_b = hwqnic_kcreate_cq(r->kdev, CQ_DEPTH, cq_handler, r);
	if (IS_ERR(r->cq_b))
		return PTR_ERR(r->cq_b);
	r->a = hwqnic_kcreate_qp(r->pd, r->cq_a, r->cq_a, &ia);
	if (IS_ERR(r->a))
		return PTR_ERR(r->a);
	r->b = hwqnic_kcreate_qp(r->pd, r->cq_b, r->cq_b, &ia);
	if (IS_ERR(r->b))
		return PTR_ERR(r->b);
	return to_rts(r->a, hwqnic_kqp_num(r->b)) ?:
	       to_rts(r->b, hwqnic_kqp_num(r->a));
}

/* Objects that exist, newest first; the rig's pointers are then cleared. */
static int rig_down(struct rig *r)
{
	int rc = 0;

#define DOWN(p, fn) do {						\
		if (!IS_ERR_OR_NULL(p))					\
			rc |= fn(p);					\
		p = NULL;						\
	} while (0)
	DOWN(r->b, hwqnic_kdestroy_qp);
	DOWN(r->a, hwqnic_kdestroy_qp);
	DOWN(r->cq_b, hwqnic_kdestroy_cq);
	DOWN(r->cq_a, hwqnic_kdestroy_cq);
	DOWN(r->vmr, hwqnic_kdereg_mr);
	DOWN(r->kmr, hwqnic_kdereg_mr);
	DOWN(r->pd, hwqnic_kdealloc_pd);
#undef DOWN
	vfree(r->vbuf);
	kfree(r->kbuf);
	r->vbuf = r->kbuf = NULL;
	return rc;
}

static void fill(u8 *p, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed * 2654435761U >> 24) ^ (u8)i;
}

/*
 * Message k of an opcode: its length and where it starts in the kmalloc()
 * buffer and in the vmalloc() one, so that every message crosses pages
 * differently.
 */
static void msg_layout(u32 k, u32 *len, u32 *koff, u32 *voff)
{
	*len = k % 7 == 0 ? 0 : 1 + get_random_u32() % MAX_MSG;
	*koff = get_random_u32() % (KBUF_SIZE - *len + 1);
	*voff = get_random_u32() % (VBUF_SIZE - *len + 1);
}

/* A sends to B: A's kmalloc() bytes land in B's vmalloc() buffer, in 2 SGEs. */
static bool one_send(struct rig *r, u32 k)
{
	struct hwqnic_sge ssge, rsge[2];
	struct hwqnic_recv_wr rwr = { .wr_id = k, .sg_list = rsge,
				      .num_sge = 2 };
	struct hwqnic_send_wr swr = { .wr_id = k, .sg_list = &ssge,
				      .num_sge = 1, .opcode = HWQNIC_WR_SEND,
				      .send_flags = HWQNIC_SEND_SIGNALED };
	const struct hwqnic_recv_wr *rbad;
	const struct hwqnic_send_wr *sbad;
	struct hwqnic_wc swc, rwc;
	u32 len, koff, voff, half;

	msg_layout(k, &len, &koff, &voff);
	half = len / 2;
	fill(r->kbuf + koff, len, k);
	memset(r->vbuf + voff, 0, len);
	ssge = (struct hwqnic_sge){ (uintptr_t)r->kbuf + koff, len,
				    hwqnic_kmr_key(r->kmr) };
	rsge[0] = (struct hwqnic_sge){ (uintptr_t)r->vbuf + voff, half,
				       hwqnic_kmr_key(r->vmr) };
	rsge[1] = (struct hwqnic_sge){ (uintptr_t)r->vbuf + voff + half,
				       len - half, hwqnic_kmr_key(r->vmr) };
	if (hwqnic_kpost_recv(r->b, &rwr, &rbad) ||
	    hwqnic_kpost_send(r->a, &swr, &sbad) ||
	    !wait_wc(r->cq_a, &swc) || !wait_wc(r->cq_b, &rwc))
		return false;
	return swc.status == HWQNIC_WC_SUCCESS && swc.wr_id == k &&
	       swc.opcode == HWQNIC_WC_SEND &&
	       rwc.status == HWQNIC_WC_SUCCESS && rwc.wr_id == k &&
	       rwc.opcode == HWQNIC_WC_RECV && rwc.byte_len == len &&
	       rwc.qp_num == hwqnic_kqp_num(r->b) &&
	       !memcmp(r->kbuf + koff, r->vbuf + voff, len);
}

/* A writes its kmalloc() bytes into B's vmalloc() buffer, or reads them back. */
static bool one_rdma(struct rig *r, u32 k, bool read)
{
	struct hwqnic_sge sge;
	struct hwqnic_send_wr wr = {
		.wr_id = k, .sg_list = &sge, .num_sge = 1,
		.opcode = read ? HWQNIC_WR_RDMA_READ : HWQNIC_WR_RDMA_WRITE,
		.send_flags = HWQNIC_SEND_SIGNALED,
	};
	const struct hwqnic_send_wr *bad;
	struct hwqnic_wc wc;
	u32 len, koff, voff;

	msg_layout(k, &len, &koff, &voff);
	if (read) {
		fill(r->vbuf + voff, len, k);
		memset(r->kbuf + koff, 0, len);
	} else {
		fill(r->kbuf + koff, len, k);
		memset(r->vbuf + voff, 0, len);
	}
	sge = (struct hwqnic_sge){ (uintptr_t)r->kbuf + koff, len,
				   hwqnic_kmr_key(r->kmr) };
	wr.wr.rdma.remote_addr = (uintptr_t)r->vbuf + voff;
	wr.wr.rdma.rkey = hwqnic_kmr_key(r->vmr);
	if (hwqnic_kpost_send(r->a, &wr, &bad) || !wait_wc(r->cq_a, &wc))
		return false;
	return wc.status == HWQNIC_WC_SUCCESS && wc.wr_id == k &&
	       wc.opcode == (read ? HWQNIC_WC_RDMA_READ : HWQNIC_WC_RDMA_WRITE) &&
	       !memcmp(r->kbuf + koff, r->vbuf + voff, len);
}

static void check_traffic(struct rig *r)
{
	u32 k, good;

	for (k = good = 0; k < iters; k++)
		good += one_send(r, k);
	ok(good == iters, "%u of %u SENDs, kmalloc() to vmalloc() in 2 SGEs, byte for byte",
	   good, iters);
	for (k = good = 0; k < iters; k++)
		good += one_rdma(r, k, false);
	ok(good == iters, "%u of %u RDMA_WRITEs into vmalloc() memory, byte for byte",
	   good, iters);
	for (k = good = 0; k < iters; k++)
		good += one_rdma(r, k, true);
	ok(good == iters, "%u of %u RDMA_READs from vmalloc() memory, byte for byte",
	   good, iters);
}

static void check_counters(struct rig *r)
{
	struct hwqnic_qp_counters c = {};
	int rc = hwqnic_kquery_qp_counters(r->a, &c);

	ok(!rc && c.posts == 3ULL * iters &&
	   c.wqes == 3ULL * iters && c.completions == 3ULL * iters &&
	   !c.errors, "QP A's counters: %llu posts, %llu WQEs, %llu CQEs, %llu errors",
	   c.posts, c.wqes, c.completions, c.errors);
}

/*
 * Handler calls since `before`, once they reach `want` or after 1 s: the
 * engine calls the handler after the CQE is written, so a poller may see
 * the CQE first.
 */
static int events_since(struct rig *r, int before, int want)
{
	unsigned long end = jiffies + HZ;

	while (atomic_read(&r->events) - before < want &&
	       time_before(jiffies, end))
		usleep_range(100, 200);
	return atomic_read(&r->events) - before;
}

/* An armed CQ calls its handler once for its next completion. */
static void check_handler(struct rig *r)
{
	int before, n;
	bool sent;

	hwqnic_kreq_notify_cq(r->cq_a, false);
	before = atomic_read(&r->events);
	sent = one_rdma(r, 1, false);
	n = events_since(r, before, 1);
	ok(sent && n == 1,
	   "an armed CQ calls its handler once (%d calls)", n);
	before = atomic_read(&r->events);
	sent = one_rdma(r, 2, false);
	n = events_since(r, before, 1);
	ok(sent && n == 0, "a CQ not armed again stays quiet (%d calls)", n);
}

/* A WRITE with a bad rkey: REM_ACCESS_ERR, then the QP flushes. */
static void check_access_error(struct rig *r)
{
	struct hwqnic_sge sge = { (uintptr_t)r->kbuf, 64,
				  hwqnic_kmr_key(r->kmr) };
	struct hwqnic_send_wr wr[2] = {
		{ .wr_id = 1, .next = &wr[1], .sg_list = &sge, .num_sge = 1,
		  .opcode = HWQNIC_WR_RDMA_WRITE,
		  .send_flags = HWQNIC_SEND_SIGNALED },
		{ .wr_id = 2, .sg_list = &sge, .num_sge = 1,
		  .opcode = HWQNIC_WR_RDMA_WRITE,
		  .send_flags = HWQNIC_SEND_SIGNALED },
	};
	const struct hwqnic_send_wr *bad;
	struct hwqnic_qp_attr at;
	struct hwqnic_wc wc[2];

	wr[0].wr.rdma.remote_addr = (uintptr_t)r->vbuf;
	wr[0].wr.rdma.rkey = hwqnic_kmr_key(r->vmr) ^ 0x100;
	wr[1].wr.rdma = wr[0].wr.rdma;
	ok(!hwqnic_kpost_send(r->a, wr, &bad) && wait_wc(r->cq_a, &wc[0]) &&
	   wait_wc(r->cq_a, &wc[1]) && wc[0].status == HWQNIC_WC_REM_ACCESS_ERR &&
	   wc[1].status == HWQNIC_WC_WR_FLUSH_ERR && wc[1].wr_id == 2,
	   "a bad rkey: REM_ACCESS_ERR, the next WR flushed");
	ok(!hwqnic_kquery_qp(r->a, &at) && at.qp_state == HWQNIC_QPS_ERR,
	   "and the QP is in ERR");
}

static void check_bad_args(struct rig *r)
{
	struct hwqnic_qp_init_attr ia = { .qp_type = 1,
					  .cap = { .max_send_wr = 1 } };
	const struct hwqnic_send_wr *bad;
	struct hwqnic_send_wr wr = { .opcode = 99 };
	struct hwqnic_wc wc;
	int n;

	ok(!hwqnic_kdev_get(1), "no device 1");
	ok(PTR_ERR(hwqnic_kalloc_pd(NULL)) == -EINVAL &&
	   PTR_ERR(hwqnic_kreg_mr(r->pd, NULL, 4096, 0)) == -EINVAL &&
	   PTR_ERR(hwqnic_kreg_mr(r->pd, r->kbuf, 0, 0)) == -EINVAL &&
	   PTR_ERR(hwqnic_kreg_mr(r->pd, r->kbuf, 64, 0x100)) == -EINVAL &&
	   PTR_ERR(hwqnic_kcreate_cq(r->kdev, 0, NULL, NULL)) == -EINVAL &&
	   PTR_ERR(hwqnic_kcreate_qp(r->pd, r->cq_a, r->cq_a, &ia)) == -EINVAL,
	   "bad PD, MR, CQ and QP arguments: -EINVAL");
	ok(hwqnic_kpost_send(r->b, &wr, &bad) == -EINVAL && bad == &wr,
	   "a bad opcode: -EINVAL, bad_wr names it");
	n = hwqnic_kpoll_cq(r->cq_b, 1, &wc);
	ok(n == 0, "and nothing was posted (%d completions)", n);
	ok(hwqnic_kdestroy_cq(r->cq_a) == -EBUSY &&
	   hwqnic_kdealloc_pd(r->pd) == -EBUSY,
	   "a CQ and a PD in use: -EBUSY");
}

/*
 * A CQ created with HWQNIC_CQ_F_TIMESTAMP, on a pair of its own: a WRITE
 * posted with HWQNIC_SEND_TIMESTAMP completes with times in the clock of
 * ktime_get_ns(), before post <= post <= doorbell <= CQE <= after poll.
 */
static void check_timestamps(struct rig *r)
{
	struct hwqnic_qp_init_attr ia = {
		.qp_type = HWQNIC_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct hwqnic_sge sge = { (uintptr_t)r->kbuf, 64,
				  hwqnic_kmr_key(r->kmr) };
	struct hwqnic_send_wr wr = {
		.wr_id = 7, .sg_list = &sge, .num_sge = 1,
		.opcode = HWQNIC_WR_RDMA_WRITE,
		.send_flags = HWQNIC_SEND_SIGNALED | HWQNIC_SEND_TIMESTAMP,
	};
	struct hwqnic_kqp *c = NULL, *d = NULL;
	const struct hwqnic_send_wr *bad;
	struct hwqnic_wc_ts ts = { 0 };
	unsigned long end;
	struct hwqnic_kcq *cq;
	struct hwqnic_wc wc;
	u64 lo, hi = 0;
	int n = 0;

	cq = hwqnic_kcreate_cq_ex(r->kdev, 16, HWQNIC_CQ_F_TIMESTAMP, NULL,
				  NULL);
	if (!ok(!IS_ERR(cq), "a timestamped CQ (%ld)", PTR_ERR_OR_ZERO(cq)))
		return;
	ok(PTR_ERR(hwqnic_kcreate_cq_ex(r->kdev, 16, 0x80, NULL, NULL)) ==
	   -EINVAL && hwqnic_kpoll_cq_ts(cq, 1, &wc, NULL) == -EINVAL,
	   "an unknown CQ flag, a poll without room for times: -EINVAL");
	c = hwqnic_kcreate_qp(r->pd, cq, cq, &ia);
	d = IS_ERR(c) ? ERR_PTR(-EINVAL) : hwqnic_kcreate_qp(r->pd, cq, cq, &ia);
	if (ok(!IS_ERR(c) && !IS_ERR(d) &&
	       !to_rts(c, hwqnic_kqp_num(d)) && !to_rts(d, hwqnic_kqp_num(c)),
	       "a pair on it in RTS")) {
		wr.wr.rdma.remote_addr = (uintptr_t)r->vbuf;
		wr.wr.rdma.rkey = hwqnic_kmr_key(r->vmr);
		lo = ktime_get_ns();
		if (!hwqnic_kpost_send(c, &wr, &bad)) {
			end = jiffies + 5 * HZ;
			do {
				n = hwqnic_kpoll_cq_ts(cq, 1, &wc, &ts);
				if (!n)
					cond_resched();
			} while (!n && time_before(jiffies, end));
			hi = ktime_get_ns();
		}
		ok(n == 1 && wc.status == HWQNIC_WC_SUCCESS && wc.wr_id == 7 &&
		   lo <= ts.post_ns && ts.post_ns <= ts.db_ns &&
		   ts.db_ns <= ts.cqe_ns && ts.cqe_ns <= hi,
		   "a WRITE's times: %llu <= post %llu <= doorbell %llu <= CQE %llu <= %llu",
		   lo, ts.post_ns, ts.db_ns, ts.cqe_ns, hi);
	}
	ok((IS_ERR_OR_NULL(c) || !hwqnic_kdestroy_qp(c)) &&
	   (IS_ERR_OR_NULL(d) || !hwqnic_kdestroy_qp(d)) &&
	   !hwqnic_kdestroy_cq(cq), "its pair and the CQ destroyed");
}

static int __init kverbs_test_init(void)
{
	struct rig *r;
	int rc;

	if (!iters || iters > 100000)
		return -EINVAL;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	atomic_set(&r->events, 0);
	rc = rig_up(r);
	if (ok(!rc, "device 0: PD, kmalloc() and vmalloc() MRs, 2 CQs, 2 RC QPs in RTS (%d)",
	       rc)) {
		pr_info("# A is QP %u, B is QP %u\n", hwqnic_kqp_num(r->a),
			hwqnic_kqp_num(r->b));
		check_traffic(r);
		check_counters(r);
		check_handler(r);
		check_bad_args(r);
		check_access_error(r);
		check_timestamps(r);
	}
	ok(!rig_down(r), "every object destroyed without error");
	kfree(r);
	pr_info("1..%u\n", tap_n);
	pr_info("%u passed, %u failed\n", tap_n - tap_failed, tap_failed);
	return 0;
}

static void __exit kverbs_test_exit(void)
{
}

module_init(kverbs_test_init);
module_exit(kverbs_test_exit);

MODULE_DESCRIPTION("hwqnic: a test consumer of the exported verbs");
MODULE_LICENSE("GPL");
