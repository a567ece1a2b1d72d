/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers shared by the verbs tests: open a device, register buffers, make
 * a connected pair of RC QPs in loopback, post one WR, and wait for
 * completions with a time bound, so that a test fails instead of hanging.
 *
 * Time bounds: HWQNIC_TEST_TIMEOUT (seconds) when set, else 5 s, or 60 s
 * when HWQNIC_TEST_QUICK is set (the valgrind run). Work sizes: multiply by
 * u_scale(): HWQNIC_TEST_SCALE (default 1.0), divided by 100 when
 * HWQNIC_TEST_QUICK is set.
 */
#ifndef _HWQNIC_SELFTESTS_VERBS_UTIL_H
#define _HWQNIC_SELFTESTS_VERBS_UTIL_H

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hwqnic/verbs.h>
#include <hwqnic/stats.h>
#include "../tap.h"

#define U_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define U_MIN(a, b)	((a) < (b) ? (a) : (b))
#define U_MAX(a, b)	((a) > (b) ? (a) : (b))

#define U_RC_ACCESS	(HWQNIC_ACCESS_LOCAL_WRITE | \
			 HWQNIC_ACCESS_REMOTE_WRITE | \
			 HWQNIC_ACCESS_REMOTE_READ | \
			 HWQNIC_ACCESS_REMOTE_ATOMIC)
#define U_QKEY		0x11111111U

/* --- environment, time ------------------------------------------------ */

static inline bool u_quick(void)
{
	const char *e = getenv("HWQNIC_TEST_QUICK");

	return e && *e && strcmp(e, "0");
}

static inline double u_scale(void)
{
	const char *e = getenv("HWQNIC_TEST_SCALE");
	double s = e ? strtod(e, NULL) : 1.0;

	if (!(s > 0))
		s = 1.0;
	return u_quick() ? s / 100 : s;
}

/* n scaled by u_scale(), but at least min. */
static inline unsigned long u_scaled(unsigned long n, unsigned long min)
{
	double v = n * u_scale();

	return v < min ? min : (unsigned long)v;
}

static inline uint64_t u_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline uint64_t u_timeout_ns(void)
{
	const char *e = getenv("HWQNIC_TEST_TIMEOUT");

	if (e && atoi(e) > 0)
		return (uint64_t)atoi(e) * 1000000000ULL;
	return (u_quick() ? 60 : 5) * 1000000000ULL;
}

static inline void u_sleep_us(unsigned long us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000,
		.tv_nsec = (us % 1000000) * 1000,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Back off gently while waiting: spin, then yield, then sleep. */
static inline void u_relax(unsigned int *spins)
{
	if (++*spins < 64)
		return;
	if (*spins < 2048)
		sched_yield();
	else
		u_sleep_us(20);
}

/* --- randomness, patterns ---------------------------------------------- */

static inline void u_fill_rand(void *buf, size_t n, uint64_t *seed)
{
	uint8_t *p = buf;

	while (n >= 8) {
		uint64_t r = tap_rand(seed);

		memcpy(p, &r, 8);
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t r = tap_rand(seed);

		memcpy(p, &r, n);
	}
}

/* A uniformly chosen value in [lo, hi]. */
static inline uint64_t u_rand_range(uint64_t *seed, uint64_t lo, uint64_t hi)
{
	return lo + tap_rand(seed) % (hi - lo + 1);
}

/* Offset of the first byte that differs, or -1. */
static inline long u_first_diff(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	size_t i;

	if (!memcmp(a, b, n))
		return -1;
	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return (long)i;
	return -1;
}

/* --- device, buffers ---------------------------------------------------- */

struct u_dev {
	struct hwqnic_context *ctx;
	struct hwqnic_pd *pd;
	struct hwqnic_device_attr attr;
	struct hwqnic_port_attr port;
};

/* Opens an embedded device with one PD; 0 or an errno value. */
static inline int u_dev_open(struct u_dev *d)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->ctx = hwqnic_open(NULL, 0);
	if (!d->ctx) {
		rc = errno ? errno : EIO;
		diag("hwqnic_open: %s", strerror(rc));
		return rc;
	}
	rc = hwqnic_query_device(d->ctx, &d->attr);
	if (!rc)
		rc = hwqnic_query_port(d->ctx, 1, &d->port);
	if (!rc) {
		d->pd = hwqnic_alloc_pd(d->ctx);
		if (!d->pd)
			rc = errno ? errno : EIO;
	}
	if (rc) {
		diag("device setup: %s", strerror(rc));
		hwqnic_close(d->ctx);
		d->ctx = NULL;
	}
	return rc;
}

static inline int u_dev_close(struct u_dev *d)
{
	int rc = 0, r;

	if (d->pd) {
		r = hwqnic_dealloc_pd(d->pd);
		if (r) {
			diag("hwqnic_dealloc_pd: %s", strerror(r));
			rc = r;
		}
	}
	if (d->ctx) {
		r = hwqnic_close(d->ctx);
		if (r) {
			diag("hwqnic_close: %s", strerror(r));
			rc = r;
		}
	}
	d->pd = NULL;
	d->ctx = NULL;
	return rc;
}

struct u_buf {
	uint8_t *p;
	size_t len;
	struct hwqnic_mr *mr;
};

/*
 * Page-aligned zeroed memory of len bytes, registered in pd with access
 * when pd is not NULL; 0 or an errno value.
 */
static inline int u_buf_alloc(struct u_buf *b, struct hwqnic_pd *pd,
			      size_t len, unsigned int access)
{
	void *p;
	int rc;

	memset(b, 0, sizeof(*b));
	rc = posix_memalign(&p, 4096, len ? len : 1);
	if (rc)
		return rc;
	memset(p, 0, len ? len : 1);
	b->p = p;
	b->len = len;
	if (pd) {
		b->mr = hwqnic_reg_mr(pd, p, len, access);
		if (!b->mr) {
			rc = errno ? errno : EIO;
			diag("hwqnic_reg_mr(%zu bytes, access %#x): %s", len,
			     access, strerror(rc));
			free(p);
			b->p = NULL;
			return rc;
		}
	}
	return 0;
}

static inline void u_buf_free(struct u_buf *b)
{
	int rc;

	if (b->mr) {
		rc = hwqnic_dereg_mr(b->mr);
		if (rc)
			diag("hwqnic_dereg_mr: %s", strerror(rc));
	}
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static inline struct hwqnic_sge u_sge(const struct u_buf *b, size_t off,
				      uint32_t len)
{
	struct hwqnic_sge s = {
		.addr = (uintptr_t)(b->p + off),
		.length = len,
		.lkey = b->mr ? b->mr->lkey : 0,
	};

	return s;
}

static inline uint64_t u_addr(const struct u_buf *b, size_t off)
{
	return (uintptr_t)(b->p + off);
}

/* --- QPs ---------------------------------------------------------------- */

struct u_qp_cfg {
	enum hwqnic_qp_type type;
	__u32 max_send_wr;
	__u32 max_recv_wr;
	__u32 max_send_sge;
	__u32 max_recv_sge;
	__u32 max_inline;
	int sq_sig_all;
	int cqe;		/* each CQ; 0: max_send_wr + max_recv_wr */
	__u32 access;		/* RC: qp_access_flags */
	__u8 min_rnr_timer;	/* RC, IB encoding */
	__u8 rnr_retry;		/* RC, 7: forever */
	__u8 rd_atomic;		/* RC: max_rd_atomic, max_dest_rd_atomic */
	__u32 qkey;		/* UD */
};

static inline void u_qp_cfg_default(struct u_qp_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->type = HWQNIC_QPT_RC;
	c->max_send_wr = 64;
	c->max_recv_wr = 64;
	c->max_send_sge = 1;
	c->max_recv_sge = 1;
	c->access = U_RC_ACCESS;
	c->min_rnr_timer = 1;
	c->rnr_retry = 7;
	c->rd_atomic = 1;
	c->qkey = U_QKEY;
}

/* One QP with a send CQ and a receive CQ, its own unless given. */
struct u_ep {
	struct hwqnic_cq *scq, *rcq;
	struct hwqnic_qp *qp;
	struct hwqnic_qp_cap cap;	/* as granted */
	struct u_qp_cfg cfg;
	bool own_scq, own_rcq;
};

static inline int u_ep_destroy(struct u_ep *e)
{
	int rc = 0, r;

	if (e->qp) {
		r = hwqnic_destroy_qp(e->qp);
		if (r) {
			diag("hwqnic_destroy_qp: %s", strerror(r));
			rc = r;
		}
	}
	if (e->scq && e->own_scq) {
		r = hwqnic_destroy_cq(e->scq);
		if (r) {
			diag("hwqnic_destroy_cq: %s", strerror(r));
			rc = r;
		}
	}
	if (e->rcq && e->own_rcq) {
		r = hwqnic_destroy_cq(e->rcq);
		if (r) {
			diag("hwqnic_destroy_cq: %s", strerror(r));
			rc = r;
		}
	}
	memset(e, 0, sizeof(*e));
	return rc;
}

/*
 * Creates the QP, in RESET, with scq and rcq, or CQs of its own where they
 * are NULL; 0 or an errno value.
 */
static inline int u_ep_create_with(struct u_ep *e, struct hwqnic_pd *pd,
				   const struct u_qp_cfg *c,
				   struct hwqnic_cq *scq,
				   struct hwqnic_cq *rcq)
{
	struct hwqnic_qp_init_attr ia;
	int cqe = c->cqe ? c->cqe : (int)(c->max_send_wr + c->max_recv_wr);
	int rc;

	memset(e, 0, sizeof(*e));
	e->cfg = *c;
	e->scq = scq;
	if (!e->scq) {
		e->scq = hwqnic_create_cq(pd->context, cqe, NULL, NULL);
		if (!e->scq)
			goto fail;
		e->own_scq = true;
	}
	e->rcq = rcq;
	if (!e->rcq) {
		e->rcq = hwqnic_create_cq(pd->context, cqe, NULL, NULL);
		if (!e->rcq)
			goto fail;
		e->own_rcq = true;
	}
	memset(&ia, 0, sizeof(ia));
	ia.send_cq = e->scq;
	ia.recv_cq = e->rcq;
	ia.qp_type = c->type;
	ia.sq_sig_all = c->sq_sig_all;
	ia.cap.max_send_wr = c->max_send_wr;
	ia.cap.max_recv_wr = c->max_recv_wr;
	ia.cap.max_send_sge = c->max_send_sge;
	ia.cap.max_recv_sge = c->max_recv_sge;
	ia.cap.max_inline_data = c->max_inline;
	e->qp = hwqnic_create_qp(pd, &ia);
	if (!e->qp)
		goto fail;
	e->cap = ia.cap;
	return 0;
fail:
	rc = errno ? errno : EIO;
	diag("endpoint setup: %s", strerror(rc));
	u_ep_destroy(e);
	return rc;
}

static inline int u_ep_create(struct u_ep *e, struct hwqnic_pd *pd,
			      const struct u_qp_cfg *c)
{
	return u_ep_create_with(e, pd, c, NULL, NULL);
}

static inline int u_rc_to_init(struct hwqnic_qp *qp, __u32 access)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_INIT;
	a.pkey_index = 0;
	a.port_num = 1;
	a.qp_access_flags = access;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE |
				HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT |
				HWQNIC_QP_ACCESS_FLAGS);
}

static inline int u_rc_to_rtr(struct hwqnic_qp *qp, __u32 dest_qpn,
			      __u8 min_rnr_timer, __u8 rd_atomic)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RTR;
	a.path_mtu = HWQNIC_MTU_4096;
	a.dest_qp_num = dest_qpn;
	a.rq_psn = 0;
	a.max_dest_rd_atomic = rd_atomic;
	a.min_rnr_timer = min_rnr_timer;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE |
				HWQNIC_QP_PATH_MTU | HWQNIC_QP_DEST_QPN |
				HWQNIC_QP_RQ_PSN |
				HWQNIC_QP_MAX_DEST_RD_ATOMIC |
				HWQNIC_QP_MIN_RNR_TIMER);
}

static inline int u_rc_to_rts(struct hwqnic_qp *qp, __u8 rnr_retry,
			      __u8 rd_atomic)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RTS;
	a.sq_psn = 0;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = rnr_retry;
	a.max_rd_atomic = rd_atomic;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN |
				HWQNIC_QP_TIMEOUT | HWQNIC_QP_RETRY_CNT |
				HWQNIC_QP_RNR_RETRY |
				HWQNIC_QP_MAX_QP_RD_ATOMIC);
}

static inline int u_ud_to_rts(struct hwqnic_qp *qp, __u32 qkey)
{
	struct hwqnic_qp_attr a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_INIT;
	a.port_num = 1;
	a.qkey = qkey;
	rc = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
			      HWQNIC_QP_PORT | HWQNIC_QP_QKEY);
	if (rc)
		return rc;
	a.qp_state = HWQNIC_QPS_RTR;
	rc = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE);
	if (rc)
		return rc;
	a.qp_state = HWQNIC_QPS_RTS;
	a.sq_psn = 0;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN);
}

/* Connects two RESET RC QPs of one device to each other, up to RTS. */
static inline int u_rc_connect(struct u_ep *a, struct u_ep *b)
{
	int rc;

	rc = u_rc_to_init(a->qp, a->cfg.access);
	if (!rc)
		rc = u_rc_to_init(b->qp, b->cfg.access);
	if (!rc)
		rc = u_rc_to_rtr(a->qp, b->qp->qp_num, a->cfg.min_rnr_timer,
				 a->cfg.rd_atomic);
	if (!rc)
		rc = u_rc_to_rtr(b->qp, a->qp->qp_num, b->cfg.min_rnr_timer,
				 b->cfg.rd_atomic);
	if (!rc)
		rc = u_rc_to_rts(a->qp, a->cfg.rnr_retry, a->cfg.rd_atomic);
	if (!rc)
		rc = u_rc_to_rts(b->qp, b->cfg.rnr_retry, b->cfg.rd_atomic);
	if (rc)
		diag("connecting QPs %u and %u: %s", a->qp->qp_num,
		     b->qp->qp_num, strerror(rc));
	return rc;
}

/* a is the requester, b the responder, by convention. */
struct u_pair {
	struct u_ep a, b;
};

static inline int u_pair_destroy(struct u_pair *p)
{
	int ra = u_ep_destroy(&p->a);
	int rb = u_ep_destroy(&p->b);

	return ra ? ra : rb;
}

/* Two endpoints (a in pd_a with ca, b in pd_b with cb), connected, in RTS. */
static inline int u_pair_create2(struct u_pair *p, struct hwqnic_pd *pd_a,
				 const struct u_qp_cfg *ca,
				 struct hwqnic_pd *pd_b,
				 const struct u_qp_cfg *cb)
{
	int rc;

	memset(p, 0, sizeof(*p));
	rc = u_ep_create(&p->a, pd_a, ca);
	if (!rc)
		rc = u_ep_create(&p->b, pd_b, cb);
	if (!rc && ca->type == HWQNIC_QPT_RC)
		rc = u_rc_connect(&p->a, &p->b);
	if (!rc && ca->type == HWQNIC_QPT_UD) {
		rc = u_ud_to_rts(p->a.qp, ca->qkey);
		if (!rc)
			rc = u_ud_to_rts(p->b.qp, cb->qkey);
	}
	if (rc)
		u_pair_destroy(p);
	return rc;
}

static inline int u_pair_create(struct u_pair *p, struct hwqnic_pd *pd,
				const struct u_qp_cfg *c)
{
	return u_pair_create2(p, pd, c, pd, c);
}

/* The QP's state as hwqnic_query_qp() reports it, or -1. */
static inline int u_qp_state(struct hwqnic_qp *qp)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	if (hwqnic_query_qp(qp, &a))
		return -1;
	return a.qp_state;
}

/* --- posting ------------------------------------------------------------ */

static inline int u_post_send(struct hwqnic_qp *qp,
			      enum hwqnic_wr_opcode opcode, uint64_t wr_id,
			      struct hwqnic_sge *sge, int num_sge,
			      unsigned int flags, uint64_t remote_addr,
			      uint32_t rkey, uint32_t imm)
{
	struct hwqnic_send_wr wr, *bad = NULL;
	int rc;

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = wr_id;
	wr.sg_list = sge;
	wr.num_sge = num_sge;
	wr.opcode = opcode;
	wr.send_flags = flags;
	wr.imm_data = imm;
	wr.wr.rdma.remote_addr = remote_addr;
	wr.wr.rdma.rkey = rkey;
	rc = hwqnic_post_send(qp, &wr, &bad);
	if (rc && bad != &wr)
		diag("post_send failed (%s) but bad_wr is not the WR",
		     strerror(rc));
	return rc;
}

static inline int u_post_atomic(struct hwqnic_qp *qp,
				enum hwqnic_wr_opcode opcode, uint64_t wr_id,
				struct hwqnic_sge *sge, unsigned int flags,
				uint64_t remote_addr, uint32_t rkey,
				uint64_t compare_add, uint64_t swap)
{
	struct hwqnic_send_wr wr, *bad = NULL;

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = wr_id;
	wr.sg_list = sge;
	wr.num_sge = 1;
	wr.opcode = opcode;
	wr.send_flags = flags;
	wr.wr.atomic.remote_addr = remote_addr;
	wr.wr.atomic.rkey = rkey;
	wr.wr.atomic.compare_add = compare_add;
	wr.wr.atomic.swap = swap;
	return hwqnic_post_send(qp, &wr, &bad);
}

static inline int u_post_ud_send(struct hwqnic_qp *qp, uint64_t wr_id,
				 struct hwqnic_sge *sge, int num_sge,
				 unsigned int flags, uint32_t remote_qpn,
				 uint32_t remote_qkey)
{
	struct hwqnic_send_wr wr, *bad = NULL;

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = wr_id;
	wr.sg_list = sge;
	wr.num_sge = num_sge;
	wr.opcode = HWQNIC_WR_SEND;
	wr.send_flags = flags;
	wr.wr.ud.remote_qpn = remote_qpn;
	wr.wr.ud.remote_qkey = remote_qkey;
	return hwqnic_post_send(qp, &wr, &bad);
}

static inline int u_post_recv(struct hwqnic_qp *qp, uint64_t wr_id,
			      struct hwqnic_sge *sge, int num_sge)
{
	struct hwqnic_recv_wr wr, *bad = NULL;

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = wr_id;
	wr.sg_list = sge;
	wr.num_sge = num_sge;
	return hwqnic_post_recv(qp, &wr, &bad);
}

/* --- completions -------------------------------------------------------- */

/*
 * Polls until n completions have arrived or timeout_ns has passed; returns
 * how many arrived (a poll error ends the wait and is reported).
 */
static inline int u_wait_cq_for(struct hwqnic_cq *cq, int n,
				struct hwqnic_wc *wc, uint64_t timeout_ns)
{
	uint64_t end = u_now_ns() + timeout_ns;
	unsigned int spins = 0;
	int got = 0;

	while (got < n) {
		int r = hwqnic_poll_cq(cq, n - got, wc + got);

		if (r < 0) {
			diag("hwqnic_poll_cq: %s", strerror(-r));
			break;
		}
		if (r > n - got) {
			diag("hwqnic_poll_cq returned %d, asked for %d", r,
			     n - got);
			break;
		}
		got += r;
		if (r) {
			spins = 0;
			continue;
		}
		if (u_now_ns() > end)
			break;
		u_relax(&spins);
	}
	if (got < n)
		diag("timed out: %d of %d completions", got, n);
	return got;
}

static inline int u_wait_cq(struct hwqnic_cq *cq, int n, struct hwqnic_wc *wc)
{
	return u_wait_cq_for(cq, n, wc, u_timeout_ns());
}

/*
 * Watches cq for ms milliseconds and returns how many completions showed
 * up (0: quiet); the first is copied to *first when not NULL.
 */
static inline int u_cq_quiet(struct hwqnic_cq *cq, unsigned int ms,
			     struct hwqnic_wc *first)
{
	uint64_t end = u_now_ns() + ms * 1000000ULL;
	struct hwqnic_wc wc[16];
	int n = 0;

	if (first)
		memset(first, 0, sizeof(*first));
	do {
		int r = hwqnic_poll_cq(cq, 16, wc);

		if (r < 0)
			return n ? n : 1;
		if (r && !n && first)
			*first = wc[0];
		n += r;
		if (!r)
			u_sleep_us(200);
	} while (u_now_ns() < end);
	return n;
}

/*
 * Checks one completion; returns NULL when it matches, else a description
 * of what differs. byte_len < 0: not checked. qpn 0: not checked.
 */
static inline const char *u_wc_check(const struct hwqnic_wc *wc,
				     uint64_t wr_id, int status, int opcode,
				     long byte_len, __u32 qpn)
{
	static _Thread_local char buf[160];

	if (wc->wr_id != wr_id)
		snprintf(buf, sizeof(buf), "wr_id %#llx, want %#llx",
			 (unsigned long long)wc->wr_id,
			 (unsigned long long)wr_id);
	else if ((int)wc->status != status)
		snprintf(buf, sizeof(buf), "status %s (%d), want %s",
			 hwqnic_wc_status_str(wc->status), wc->status,
			 hwqnic_wc_status_str(status));
	else if (status == HWQNIC_WC_SUCCESS && (int)wc->opcode != opcode)
		snprintf(buf, sizeof(buf), "opcode %d, want %d", wc->opcode,
			 opcode);
	else if (status == HWQNIC_WC_SUCCESS && byte_len >= 0 &&
		 wc->byte_len != (__u32)byte_len)
		snprintf(buf, sizeof(buf), "byte_len %u, want %ld",
			 wc->byte_len, byte_len);
	else if (qpn && wc->qp_num != qpn)
		snprintf(buf, sizeof(buf), "qp_num %u, want %u", wc->qp_num,
			 qpn);
	else
		return NULL;
	return buf;
}

/* Waits for one completion on cq and checks it; NULL when right. */
static inline const char *u_expect_wc(struct hwqnic_cq *cq, uint64_t wr_id,
				      int status, int opcode, long byte_len,
				      __u32 qpn, struct hwqnic_wc *out)
{
	struct hwqnic_wc wc;

	memset(&wc, 0, sizeof(wc));
	if (u_wait_cq(cq, 1, &wc) != 1)
		return "no completion";
	if (out)
		*out = wc;
	return u_wc_check(&wc, wr_id, status, opcode, byte_len, qpn);
}

/*
 * One signaled SEND of s (random bytes from *seed) from p's a into a
 * receive of r on p's b: NULL when both complete and the bytes arrived,
 * else what went wrong.
 */
static inline const char *u_send_check(struct u_pair *p, struct hwqnic_sge s,
				       struct hwqnic_sge r, uint64_t id,
				       uint64_t *seed)
{
	void *src = (void *)(uintptr_t)s.addr, *dst = (void *)(uintptr_t)r.addr;
	const char *why;

	u_fill_rand(src, s.length, seed);
	memset(dst, 0, r.length);
	if (u_post_recv(p->b.qp, id, &r, 1))
		return "post_recv failed";
	if (u_post_send(p->a.qp, HWQNIC_WR_SEND, id, &s, 1,
			HWQNIC_SEND_SIGNALED, 0, 0, 0))
		return "post_send failed";
	why = u_expect_wc(p->a.scq, id, HWQNIC_WC_SUCCESS, HWQNIC_WC_SEND,
			  s.length, 0, NULL);
	if (!why)
		why = u_expect_wc(p->b.rcq, id, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RECV, s.length, 0, NULL);
	if (!why && memcmp(src, dst, s.length))
		why = "payload differs";
	return why;
}

/* --- the stats file ----------------------------------------------------- */

static inline void u_stats_path(struct hwqnic_context *ctx, pid_t pid,
				char *buf, size_t n)
{
	const char *name = hwqnic_device_name(ctx);

	snprintf(buf, n, "%s/%s%d.%s", HWQNIC_STATS_DIR, HWQNIC_STATS_PREFIX,
		 (int)pid, name ? name : "(null)");
}

/* Maps a stats file read-only; NULL on failure. *len gets its size. */
static inline const struct hwqnic_stats_file *u_stats_map(const char *path,
							  size_t *len)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || (size_t)st.st_size <
	    sizeof(struct hwqnic_stats_file)) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*len = st.st_size;
	return p;
}

/* The slot of qpn in a mapped stats file, or NULL when it has none. */
static inline const struct hwqnic_stats_qp *
u_stats_qp(const struct hwqnic_stats_file *f, size_t len, __u32 qpn)
{
	size_t i;

	if (qpn < HWQNIC_QPN_BASE)
		return NULL;
	i = qpn - HWQNIC_QPN_BASE;
	if (i >= f->max_qp || sizeof(*f) + (i + 1) * sizeof(f->qp[0]) > len)
		return NULL;
	return &f->qp[i];
}

#endif /* _HWQNIC_SELFTESTS_VERBS_UTIL_H */
