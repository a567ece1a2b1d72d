// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every verb rejects bad arguments with the right errno, both returned and
 * in errno (pointer verbs: NULL and errno; poll_cq: a negative errno), never
 * crashes on a NULL pointer, and a failed call changes nothing: objects keep
 * working, refused modifies leave the state alone, refused posts post
 * nothing from the offending WR on, busy objects stay alive, and a refused
 * create takes no reference on the PD or CQs it was given.
 */
#include <limits.h>
#include <poll.h>

#include "../lib/helpers.h"

static struct u_dev dev;
static uint64_t seed;

/* int verbs: rc == errno == want. */
#define CHECK_ERR(want, call, ...) do {					\
	int rc_, e_;							\
	errno = 0;							\
	rc_ = (call);							\
	e_ = errno;							\
	ok(rc_ == (want) && e_ == (want), __VA_ARGS__);			\
	if (rc_ != (want) || e_ != (want))				\
		diag("  %s: returned %d, errno %d, want %d (%s)",	\
		     #call, rc_, e_, (want), strerror(want));		\
} while (0)

/* pointer verbs: NULL and errno == want. */
#define CHECK_NULL(want, call, ...) do {				\
	const void *p_;							\
	int e_;								\
	errno = 0;							\
	p_ = (call);							\
	e_ = errno;							\
	ok(!p_ && e_ == (want), __VA_ARGS__);				\
	if (p_ || e_ != (want))						\
		diag("  %s: returned %p, errno %d, want NULL and %d",	\
		     #call, p_, e_, (want));				\
} while (0)

/* hwqnic_open(name, flags) refuses name with EINVAL (and opens nothing). */
static void bad_name(const char *name, unsigned int flags, const char *what)
{
	struct hwqnic_context *ctx;
	int e;

	errno = 0;
	ctx = hwqnic_open(name, flags);
	e = errno;
	ok(!ctx && e == EINVAL, "hwqnic_open(%s, %s): EINVAL", what,
	   flags == HWQNIC_OPEN_KERNEL ? "kernel" : "embedded");
	if (ctx) {
		diag("  opened %s", hwqnic_device_name(ctx));
		hwqnic_close(ctx);
	} else if (e != EINVAL) {
		diag("  errno %d (%s)", e, strerror(e));
	}
}

/* A device name is a file-name component: [A-Za-z0-9._-], no leading '.'. */
static void device_names(void)
{
	static const struct {
		const char *name, *what;
	} bad[] = {
		{ "", "an empty name" },
		{ "a/b", "a name with '/'" },
		{ "/", "\"/\"" },
		{ "../../tmp/x", "\"../../tmp/x\"" },
		{ ".", "\".\"" },
		{ "..", "\"..\"" },
		{ ".hidden", "a name starting with '.'" },
		{ "a b", "a name with a space" },
		{ "a\nb", "a name with a newline" },
		{ "a*", "a name with '*'" },
		{ "caf\xc3\xa9", "a name with a non-ASCII letter" },
		{ "0123456789abcdef0123456789abcdef", "a name of 32 characters" },
	};
	char path[128];
	const char *ok_name = "Dev-1_a.b";
	const char *longest = "0123456789abcdef0123456789abcde";
	struct hwqnic_context *ctx;
	unsigned int i;

	for (i = 0; i < U_ARRAY_SIZE(bad); i++) {
		bad_name(bad[i].name, HWQNIC_OPEN_EMBEDDED, bad[i].what);
		bad_name(bad[i].name, HWQNIC_OPEN_KERNEL, bad[i].what);
	}
	ctx = hwqnic_open(ok_name, HWQNIC_OPEN_EMBEDDED);
	if (ctx)
		u_stats_path(ctx, getpid(), path, sizeof(path));
	ok(ctx && !strcmp(hwqnic_device_name(ctx), ok_name) &&
	   !access(path, F_OK), "\"%s\" is a name: its stats file is %s",
	   ok_name, ctx ? path : "(none)");
	ok(ctx && !hwqnic_close(ctx), "and it closes");
	ctx = hwqnic_open(longest, HWQNIC_OPEN_EMBEDDED);
	ok(ctx && !strcmp(hwqnic_device_name(ctx), longest) &&
	   !hwqnic_close(ctx), "a name of %d characters (HWQNIC_NAME_MAX)",
	   HWQNIC_NAME_MAX);
}

static void device_args(void)
{
	struct hwqnic_device_attr da;
	struct hwqnic_port_attr pa;
	struct hwqnic_async_event ev;

	CHECK_NULL(EINVAL, hwqnic_open(NULL, 0x100),
		   "hwqnic_open with an unknown flag: EINVAL");
	CHECK_NULL(EINVAL, hwqnic_open(NULL, HWQNIC_OPEN_EMBEDDED |
				       HWQNIC_OPEN_KERNEL),
		   "hwqnic_open with both backends: EINVAL");
	CHECK_NULL(ENODEV, hwqnic_open("hwqnic7", HWQNIC_OPEN_KERNEL),
		   "hwqnic_open of a kernel device other than hwqnic0: ENODEV");
	if (access(U_KERNEL_DEV, F_OK))
		CHECK_NULL(ENODEV, hwqnic_open(NULL, HWQNIC_OPEN_KERNEL),
			   "the kernel backend without hwqnic.ko: ENODEV");
	else
		tap_skip("the kernel backend without hwqnic.ko: ENODEV",
			 "hwqnic.ko is loaded");
	CHECK_ERR(EINVAL, hwqnic_close(NULL), "hwqnic_close(NULL): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_device_name(NULL),
		   "hwqnic_device_name(NULL): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_query_device(NULL, &da),
		  "hwqnic_query_device(NULL ctx): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_query_device(dev.ctx, NULL),
		  "hwqnic_query_device(NULL attr): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_query_port(NULL, 1, &pa),
		  "hwqnic_query_port(NULL ctx): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_query_port(dev.ctx, 1, NULL),
		  "hwqnic_query_port(NULL attr): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_query_port(dev.ctx, 0, &pa),
		  "hwqnic_query_port(port 0): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_query_port(dev.ctx, 2, &pa),
		  "hwqnic_query_port(port 2): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_get_async_event(NULL, &ev),
		  "hwqnic_get_async_event(NULL ctx): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_get_async_event(dev.ctx, NULL),
		  "hwqnic_get_async_event(NULL event): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_query_qp_counters(NULL, NULL),
		  "hwqnic_query_qp_counters(NULL): EINVAL");
	memset(&da, 0, sizeof(da));
	memset(&pa, 0, sizeof(pa));
	ok(!hwqnic_query_device(dev.ctx, &da) &&
	   !memcmp(&da, &dev.attr, sizeof(da)) &&
	   !hwqnic_query_port(dev.ctx, 1, &pa) &&
	   pa.state == HWQNIC_PORT_ACTIVE && hwqnic_device_name(dev.ctx),
	   "device still answers, port 1 ACTIVE, attributes unchanged");
}

static void pd_mr_args(void)
{
	struct hwqnic_pd *pd;
	struct hwqnic_mr *mr;
	uint8_t *buf = malloc(4096);
	const unsigned int lw = HWQNIC_ACCESS_LOCAL_WRITE;

	CHECK_NULL(EINVAL, hwqnic_alloc_pd(NULL), "hwqnic_alloc_pd(NULL): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_dealloc_pd(NULL), "hwqnic_dealloc_pd(NULL): EINVAL");
	pd = hwqnic_alloc_pd(dev.ctx);
	if (!ok(pd != NULL, "a second PD"))
		goto out;
	CHECK_NULL(EINVAL, hwqnic_reg_mr(NULL, buf, 64, lw),
		   "hwqnic_reg_mr(NULL pd): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_reg_mr(pd, NULL, 64, lw),
		   "hwqnic_reg_mr(NULL addr): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_reg_mr(pd, buf, 0, lw),
		   "hwqnic_reg_mr(length 0): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_reg_mr(pd, buf, 64, 0x10),
		   "hwqnic_reg_mr(access 0x10): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_reg_mr(pd, buf, 64, lw | 0x80000000U),
		   "hwqnic_reg_mr(access bit 31): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_reg_mr(pd, buf, 64,
					 HWQNIC_ACCESS_REMOTE_WRITE),
		   "hwqnic_reg_mr(REMOTE_WRITE without LOCAL_WRITE): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_reg_mr(pd, buf, 64,
					 HWQNIC_ACCESS_REMOTE_ATOMIC),
		   "hwqnic_reg_mr(REMOTE_ATOMIC without LOCAL_WRITE): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_reg_mr(pd, buf, 64,
					 HWQNIC_ACCESS_REMOTE_READ |
					 HWQNIC_ACCESS_REMOTE_WRITE),
		   "hwqnic_reg_mr(REMOTE_READ|REMOTE_WRITE): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_dereg_mr(NULL), "hwqnic_dereg_mr(NULL): EINVAL");

	/* read-only registrations are legal */
	mr = hwqnic_reg_mr(pd, buf, 64, 0);
	ok(mr && mr->pd == pd && mr->addr == buf && mr->length == 64 &&
	   !hwqnic_dereg_mr(mr), "hwqnic_reg_mr(access 0) works");
	mr = hwqnic_reg_mr(pd, buf, 4096, HWQNIC_ACCESS_REMOTE_READ);
	if (!ok(mr != NULL, "hwqnic_reg_mr(REMOTE_READ only) works"))
		goto out_pd;
	CHECK_ERR(EBUSY, hwqnic_dealloc_pd(pd),
		  "hwqnic_dealloc_pd of a PD with an MR: EBUSY");
	ok(mr->pd == pd && mr->length == 4096 && !hwqnic_dereg_mr(mr),
	   "the MR is intact and deregisters");
out_pd:
	ok(!hwqnic_dealloc_pd(pd), "then the PD deallocates");
out:
	free(buf);
}

static void cq_args(void)
{
	struct hwqnic_comp_channel *ch;
	struct hwqnic_cq *cq;
	struct hwqnic_wc wc;

	CHECK_NULL(EINVAL, hwqnic_create_comp_channel(NULL),
		   "hwqnic_create_comp_channel(NULL): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_destroy_comp_channel(NULL),
		  "hwqnic_destroy_comp_channel(NULL): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_create_cq(NULL, 4, NULL, NULL),
		   "hwqnic_create_cq(NULL ctx): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_create_cq(dev.ctx, 0, NULL, NULL),
		   "hwqnic_create_cq(cqe 0): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_create_cq(dev.ctx, -1, NULL, NULL),
		   "hwqnic_create_cq(cqe -1): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_create_cq(dev.ctx, INT_MIN, NULL, NULL),
		   "hwqnic_create_cq(cqe INT_MIN): EINVAL");
	if (dev.attr.max_cqe < INT_MAX) {
		CHECK_NULL(EINVAL, hwqnic_create_cq(dev.ctx,
						    dev.attr.max_cqe + 1,
						    NULL, NULL),
			   "hwqnic_create_cq(max_cqe + 1 = %u): EINVAL",
			   dev.attr.max_cqe + 1);
		CHECK_NULL(EINVAL, hwqnic_create_cq(dev.ctx, INT_MAX, NULL,
						    NULL),
			   "hwqnic_create_cq(cqe INT_MAX): EINVAL");
	}
	CHECK_ERR(EINVAL, hwqnic_destroy_cq(NULL), "hwqnic_destroy_cq(NULL): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_req_notify_cq(NULL, 0),
		  "hwqnic_req_notify_cq(NULL): EINVAL");
	ok(hwqnic_poll_cq(NULL, 1, &wc) == -EINVAL,
	   "hwqnic_poll_cq(NULL cq): -EINVAL");

	ch = hwqnic_create_comp_channel(dev.ctx);
	cq = ch ? hwqnic_create_cq(dev.ctx, 1, &wc, ch) : NULL;
	if (!ok(ch && cq && cq->cqe >= 1 && cq->channel == ch &&
		cq->cq_context == &wc,
		"a CQ of 1 entry on a channel, with its context"))
		goto out;
	ok(hwqnic_poll_cq(cq, 1, NULL) == -EINVAL,
	   "hwqnic_poll_cq(NULL wc): -EINVAL");
	ok(hwqnic_poll_cq(cq, -1, &wc) == -EINVAL,
	   "hwqnic_poll_cq(num_entries -1): -EINVAL");
	ok(hwqnic_poll_cq(cq, 0, &wc) == 0, "hwqnic_poll_cq(num_entries 0): 0");
	ok(hwqnic_poll_cq(cq, 1, &wc) == 0, "hwqnic_poll_cq of an empty CQ: 0");
	CHECK_ERR(EBUSY, hwqnic_destroy_comp_channel(ch),
		  "hwqnic_destroy_comp_channel with a CQ on it: EBUSY");
	ok(!hwqnic_req_notify_cq(cq, 0), "the CQ can still be armed");
out:
	ok((!cq || !hwqnic_destroy_cq(cq)) &&
	   (!ch || !hwqnic_destroy_comp_channel(ch)),
	   "CQ, then channel, destroyed");
}

/* get_cq_event's NULL checks come before it would block or consume. */
static void cq_event_args(void)
{
	struct hwqnic_comp_channel *ch;
	struct hwqnic_cq *cq = NULL, *got = NULL;
	struct u_buf sb, rb;
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct hwqnic_wc wc;
	struct pollfd pfd;
	void *ctx = NULL;
	int rc;

	CHECK_ERR(EINVAL, hwqnic_get_cq_event(NULL, &got, &ctx),
		  "hwqnic_get_cq_event(NULL channel): EINVAL");
	memset(&p, 0, sizeof(p));
	memset(&sb, 0, sizeof(sb));
	memset(&rb, 0, sizeof(rb));
	ch = hwqnic_create_comp_channel(dev.ctx);
	if (ch)
		cq = hwqnic_create_cq(dev.ctx, 4, &sb, ch);
	u_qp_cfg_default(&cfg);
	/* the responder's receives complete on the channel's CQ */
	rc = !cq || u_ep_create(&p.a, dev.pd, &cfg) ||
	     u_ep_create_with(&p.b, dev.pd, &cfg, NULL, cq) ||
	     u_rc_connect(&p.a, &p.b);
	if (!rc)
		rc = u_buf_alloc(&sb, dev.pd, 64, U_RC_ACCESS);
	if (!rc)
		rc = u_buf_alloc(&rb, dev.pd, 64, U_RC_ACCESS);
	if (!ok(!rc, "channel, CQ and pair for event argument checks"))
		goto out;
	if (!ok(!hwqnic_req_notify_cq(cq, 0), "CQ armed"))
		goto out;
	{
		struct hwqnic_sge s = u_sge(&sb, 0, 8), r = u_sge(&rb, 0, 8);

		rc = u_post_recv(p.b.qp, 1, &r, 1) ||
		     u_post_send(p.a.qp, HWQNIC_WR_SEND, 1, &s, 1,
				 HWQNIC_SEND_SIGNALED, 0, 0, 0);
	}
	pfd.fd = ch->fd;
	pfd.events = POLLIN;
	if (!ok(!rc && poll(&pfd, 1, u_timeout_ns() / 1000000) == 1,
		"an event is queued"))
		goto out;
	CHECK_ERR(EINVAL, hwqnic_get_cq_event(ch, NULL, &ctx),
		  "hwqnic_get_cq_event(NULL cq out): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_get_cq_event(ch, &got, NULL),
		  "hwqnic_get_cq_event(NULL context out): EINVAL");
	ok(poll(&pfd, 1, 0) == 1 && !hwqnic_get_cq_event(ch, &got, &ctx) &&
	   got == cq && ctx == &sb,
	   "the refused calls left the event queued; it is delivered");
	ok(u_wait_cq(cq, 1, &wc) == 1 && wc.status == HWQNIC_WC_SUCCESS,
	   "and its completion is there");
	u_wait_cq(p.a.scq, 1, &wc);
out:
	u_pair_destroy(&p);
	if (cq)
		hwqnic_destroy_cq(cq);
	if (ch)
		hwqnic_destroy_comp_channel(ch);
	u_buf_free(&sb);
	u_buf_free(&rb);
}

/* ia is good but for `change`: hwqnic_create_qp() refuses it, EINVAL. */
#define BAD_QP(change, what) do {					\
	ia = good;							\
	change;								\
	CHECK_NULL(EINVAL, hwqnic_create_qp(pd, &ia),			\
		   "hwqnic_create_qp(" what "): EINVAL");		\
} while (0)

static void create_qp_args(void)
{
	struct hwqnic_qp_init_attr ia, good;
	struct hwqnic_pd *pd = hwqnic_alloc_pd(dev.ctx);
	struct hwqnic_cq *cq = hwqnic_create_cq(dev.ctx, 16, NULL, NULL);
	struct hwqnic_qp *qp;

	if (!ok(pd && cq, "a fresh PD and CQ"))
		goto out;
	memset(&good, 0, sizeof(good));
	good.send_cq = cq;
	good.recv_cq = cq;
	good.qp_type = HWQNIC_QPT_RC;
	good.cap.max_send_wr = 4;
	good.cap.max_recv_wr = 4;
	good.cap.max_send_sge = 1;
	good.cap.max_recv_sge = 1;

	ia = good;
	CHECK_NULL(EINVAL, hwqnic_create_qp(NULL, &ia),
		   "hwqnic_create_qp(NULL pd): EINVAL");
	CHECK_NULL(EINVAL, hwqnic_create_qp(pd, NULL),
		   "hwqnic_create_qp(NULL attr): EINVAL");
	BAD_QP(ia.send_cq = NULL, "NULL send_cq");
	BAD_QP(ia.recv_cq = NULL, "NULL recv_cq");
	BAD_QP(ia.qp_type = 1, "qp_type 1");
	BAD_QP(ia.qp_type = 5, "qp_type 5");
	BAD_QP(ia.qp_type = 0, "qp_type 0");
	BAD_QP(ia.cap.max_send_wr = dev.attr.max_qp_wr + 1,
	       "max_send_wr = max_qp_wr + 1");
	BAD_QP(ia.cap.max_recv_wr = dev.attr.max_qp_wr + 1,
	       "max_recv_wr = max_qp_wr + 1");
	BAD_QP(ia.cap.max_send_sge = dev.attr.max_sge + 1,
	       "max_send_sge = max_sge + 1");
	BAD_QP(ia.cap.max_recv_sge = dev.attr.max_sge + 1,
	       "max_recv_sge = max_sge + 1");
	BAD_QP(ia.cap.max_inline_data = dev.attr.max_inline_data + 1,
	       "max_inline_data + 1");
	BAD_QP(ia.cap.max_send_wr = UINT32_MAX, "max_send_wr = UINT32_MAX");
	CHECK_ERR(EINVAL, hwqnic_destroy_qp(NULL), "hwqnic_destroy_qp(NULL): EINVAL");

	/* the device limits themselves are fine */
	ia = good;
	ia.cap.max_send_wr = dev.attr.max_qp_wr;
	ia.cap.max_send_sge = dev.attr.max_sge;
	ia.cap.max_inline_data = dev.attr.max_inline_data;
	qp = hwqnic_create_qp(pd, &ia);
	ok(qp && qp->state == HWQNIC_QPS_RESET && qp->pd == pd &&
	   qp->send_cq == cq && ia.cap.max_send_wr >= dev.attr.max_qp_wr &&
	   ia.cap.max_send_sge >= dev.attr.max_sge &&
	   ia.cap.max_inline_data >= dev.attr.max_inline_data,
	   "a QP at the device limits is created, in RESET, caps granted");
	if (qp) {
		CHECK_ERR(EBUSY, hwqnic_destroy_cq(cq),
			  "hwqnic_destroy_cq of a CQ a QP uses: EBUSY");
		CHECK_ERR(EBUSY, hwqnic_dealloc_pd(pd),
			  "hwqnic_dealloc_pd of a PD with a QP: EBUSY");
		ok(!hwqnic_destroy_qp(qp), "QP destroyed");
	}
out:
	ok((!cq || !hwqnic_destroy_cq(cq)) && (!pd || !hwqnic_dealloc_pd(pd)),
	   "the refused creates took no reference: CQ and PD go away");
}

static int modify(struct hwqnic_qp *qp, enum hwqnic_qp_state to, int mask,
		  int drop, struct hwqnic_qp_attr *over)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	if (over)
		a = *over;
	a.qp_state = to;
	if (!over) {
		a.port_num = 1;
		a.qp_access_flags = U_RC_ACCESS;
		a.path_mtu = HWQNIC_MTU_1024;
		a.max_dest_rd_atomic = 1;
		a.max_rd_atomic = 1;
		a.min_rnr_timer = 1;
		a.timeout = 14;
		a.retry_cnt = 7;
		a.rnr_retry = 7;
		a.qkey = U_QKEY;
	}
	return hwqnic_modify_qp(qp, &a, (mask | HWQNIC_QP_STATE) & ~drop);
}

#define M_INIT	(HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT | HWQNIC_QP_ACCESS_FLAGS)
#define M_RTR	(HWQNIC_QP_PATH_MTU | HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN | \
		 HWQNIC_QP_MAX_DEST_RD_ATOMIC | HWQNIC_QP_MIN_RNR_TIMER)
#define M_RTS	(HWQNIC_QP_SQ_PSN | HWQNIC_QP_TIMEOUT | HWQNIC_QP_RETRY_CNT | \
		 HWQNIC_QP_RNR_RETRY | HWQNIC_QP_MAX_QP_RD_ATOMIC)

static void expect_refused(struct hwqnic_qp *qp, int rc, int err,
			   enum hwqnic_qp_state stay, const char *what)
{
	int st = u_qp_state(qp);

	ok(rc == EINVAL && err == EINVAL && qp->state == stay &&
	   st == (int)stay,
	   "%s: EINVAL, QP stays in %s (rc %d, errno %d, state %s/%s)", what,
	   hwqnic_qp_state_str(stay), rc, err, hwqnic_qp_state_str(qp->state),
	   hwqnic_qp_state_str(st));
}

#define REFUSE(qp, stay, what, ...) do {				\
	int r_;								\
	errno = 0;							\
	r_ = modify(qp, __VA_ARGS__);					\
	expect_refused(qp, r_, errno, stay, what);			\
} while (0)

struct attr_bit {
	int bit;
	const char *name;
};

/* from->to, a required attribute left out in turn: each refused. */
static void refuse_each_missing(struct hwqnic_qp *qp,
				enum hwqnic_qp_state from,
				enum hwqnic_qp_state to, int mask,
				const struct attr_bit *req, unsigned int n,
				struct hwqnic_qp_attr *over)
{
	char what[96];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "%s->%s without %s",
			 hwqnic_qp_state_str(from), hwqnic_qp_state_str(to),
			 req[i].name);
		REFUSE(qp, from, what, to, mask, req[i].bit, over);
	}
}

static void modify_args(void)
{
	static const struct attr_bit init_req[] = {
		{ HWQNIC_QP_PKEY_INDEX, "PKEY_INDEX" },
		{ HWQNIC_QP_PORT, "PORT" },
		{ HWQNIC_QP_ACCESS_FLAGS, "ACCESS_FLAGS" },
	}, rtr_req[] = {
		{ HWQNIC_QP_PATH_MTU, "PATH_MTU" },
		{ HWQNIC_QP_DEST_QPN, "DEST_QPN" },
		{ HWQNIC_QP_RQ_PSN, "RQ_PSN" },
		{ HWQNIC_QP_MAX_DEST_RD_ATOMIC, "MAX_DEST_RD_ATOMIC" },
		{ HWQNIC_QP_MIN_RNR_TIMER, "MIN_RNR_TIMER" },
	}, rts_req[] = {
		{ HWQNIC_QP_SQ_PSN, "SQ_PSN" },
		{ HWQNIC_QP_TIMEOUT, "TIMEOUT" },
		{ HWQNIC_QP_RETRY_CNT, "RETRY_CNT" },
		{ HWQNIC_QP_RNR_RETRY, "RNR_RETRY" },
		{ HWQNIC_QP_MAX_QP_RD_ATOMIC, "MAX_QP_RD_ATOMIC" },
	};
	struct hwqnic_qp_attr a, over;
	struct u_qp_cfg cfg;
	struct u_ep ea, eb, eu;
	struct u_pair p;
	struct u_buf sb, rb;
	const char *why;
	int rc;

	u_qp_cfg_default(&cfg);
	rc = u_ep_create(&ea, dev.pd, &cfg);
	rc = rc ? rc : u_ep_create(&eb, dev.pd, &cfg);
	cfg.type = HWQNIC_QPT_UD;
	rc = rc ? rc : u_ep_create(&eu, dev.pd, &cfg);
	rc = rc ? rc : u_buf_alloc(&sb, dev.pd, 256, U_RC_ACCESS);
	rc = rc ? rc : u_buf_alloc(&rb, dev.pd, 256, U_RC_ACCESS);
	if (!ok(!rc, "two RC QPs and a UD QP in RESET"))
		return;

	CHECK_ERR(EINVAL, hwqnic_modify_qp(NULL, &a, HWQNIC_QP_STATE),
		  "hwqnic_modify_qp(NULL qp): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_modify_qp(ea.qp, NULL, HWQNIC_QP_STATE),
		  "hwqnic_modify_qp(NULL attr): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_query_qp(NULL, &a),
		  "hwqnic_query_qp(NULL qp): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_query_qp(ea.qp, NULL),
		  "hwqnic_query_qp(NULL attr): EINVAL");

	refuse_each_missing(ea.qp, HWQNIC_QPS_RESET, HWQNIC_QPS_INIT, M_INIT,
			    init_req, U_ARRAY_SIZE(init_req), NULL);
	memset(&over, 0, sizeof(over));
	over.qp_access_flags = U_RC_ACCESS;
	over.port_num = 0;
	REFUSE(ea.qp, HWQNIC_QPS_RESET, "RESET->INIT with port_num 0",
	       HWQNIC_QPS_INIT, M_INIT, 0, &over);
	over.port_num = 2;
	REFUSE(ea.qp, HWQNIC_QPS_RESET, "RESET->INIT with port_num 2",
	       HWQNIC_QPS_INIT, M_INIT, 0, &over);
	REFUSE(ea.qp, HWQNIC_QPS_RESET, "RESET->RTR", HWQNIC_QPS_RTR,
	       M_INIT | M_RTR, 0, NULL);
	REFUSE(ea.qp, HWQNIC_QPS_RESET, "RESET->RTS", HWQNIC_QPS_RTS,
	       M_INIT | M_RTR | M_RTS, 0, NULL);
	REFUSE(ea.qp, HWQNIC_QPS_RESET, "RESET->state 7", 7, 0, 0, NULL);
	REFUSE(eu.qp, HWQNIC_QPS_RESET, "UD RESET->INIT without QKEY",
	       HWQNIC_QPS_INIT, HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT, 0,
	       NULL);

	ok(!u_rc_to_init(ea.qp, U_RC_ACCESS) && !u_rc_to_init(eb.qp,
							       U_RC_ACCESS) &&
	   ea.qp->state == HWQNIC_QPS_INIT, "RESET->INIT with its attributes");
	{
		struct hwqnic_sge r = u_sge(&rb, 128, 64);

		ok(!u_post_recv(eb.qp, 77, &r, 1),
		   "a receive posted in INIT is accepted");
	}
	memset(&over, 0, sizeof(over));
	over.dest_qp_num = eb.qp->qp_num;
	over.path_mtu = HWQNIC_MTU_1024;
	over.max_dest_rd_atomic = 1;
	over.min_rnr_timer = 1;
	refuse_each_missing(ea.qp, HWQNIC_QPS_INIT, HWQNIC_QPS_RTR, M_RTR,
			    rtr_req, U_ARRAY_SIZE(rtr_req), &over);
	over.path_mtu = 6;
	REFUSE(ea.qp, HWQNIC_QPS_INIT, "INIT->RTR with path_mtu 6",
	       HWQNIC_QPS_RTR, M_RTR, 0, &over);
	over.path_mtu = 0;
	REFUSE(ea.qp, HWQNIC_QPS_INIT, "INIT->RTR with path_mtu 0",
	       HWQNIC_QPS_RTR, M_RTR, 0, &over);
	REFUSE(ea.qp, HWQNIC_QPS_INIT, "INIT->RTS", HWQNIC_QPS_RTS,
	       M_RTR | M_RTS, 0, NULL);

	ok(!u_rc_to_rtr(ea.qp, eb.qp->qp_num, 1, 1) &&
	   !u_rc_to_rtr(eb.qp, ea.qp->qp_num, 1, 1) &&
	   ea.qp->state == HWQNIC_QPS_RTR, "INIT->RTR with its attributes");
	refuse_each_missing(ea.qp, HWQNIC_QPS_RTR, HWQNIC_QPS_RTS, M_RTS,
			    rts_req, U_ARRAY_SIZE(rts_req), NULL);
	REFUSE(ea.qp, HWQNIC_QPS_RTR, "RTR->INIT", HWQNIC_QPS_INIT, M_INIT, 0,
	       NULL);

	ok(!u_rc_to_rts(ea.qp, 7, 1) && !u_rc_to_rts(eb.qp, 7, 1) &&
	   ea.qp->state == HWQNIC_QPS_RTS, "RTR->RTS with its attributes");
	REFUSE(ea.qp, HWQNIC_QPS_RTS, "RTS->INIT", HWQNIC_QPS_INIT, M_INIT, 0,
	       NULL);
	memset(&over, 0, sizeof(over));
	over.dest_qp_num = eb.qp->qp_num;
	over.path_mtu = HWQNIC_MTU_1024;
	REFUSE(ea.qp, HWQNIC_QPS_RTS, "RTS->RTR", HWQNIC_QPS_RTR, M_RTR, 0,
	       &over);

	memset(&a, 0, sizeof(a));
	ok(!hwqnic_query_qp(ea.qp, &a) && a.qp_state == HWQNIC_QPS_RTS &&
	   a.dest_qp_num == eb.qp->qp_num && a.port_num == 1 &&
	   a.qp_access_flags == U_RC_ACCESS,
	   "query_qp reports RTS, the destination QPN, port and access flags");

	{
		struct hwqnic_sge sg = u_sge(&sb, 0, 50);

		u_fill_rand(sb.p, 50, &seed);
		why = u_post_send(ea.qp, HWQNIC_WR_SEND, 78, &sg, 1,
				  HWQNIC_SEND_SIGNALED, 0, 0, 0) ?
		      "post_send failed" :
		      u_expect_wc(eb.rcq, 77, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RECV, 50, eb.qp->qp_num, NULL);
		if (!why)
			why = u_expect_wc(ea.scq, 78, HWQNIC_WC_SUCCESS,
					  HWQNIC_WC_SEND, 50, 0, NULL);
		if (!why && memcmp(sb.p, rb.p + 128, 50))
			why = "payload differs";
		ok_why(why, "the receive posted in INIT takes the first SEND");
	}
	p.a = ea;
	p.b = eb;
	why = u_send_check(&p, u_sge(&sb, 0, 200),
			   u_sge(&rb, 0, 200), 7, &seed);
	ok_why(why, "after all the refused modifies the QPs work");

	/* any state -> ERR and -> RESET are allowed */
	ok(!modify(eu.qp, HWQNIC_QPS_ERR, 0, 0, NULL) &&
	   eu.qp->state == HWQNIC_QPS_ERR &&
	   !modify(eu.qp, HWQNIC_QPS_RESET, 0, 0, NULL) &&
	   eu.qp->state == HWQNIC_QPS_RESET,
	   "RESET->ERR->RESET allowed");

	u_buf_free(&sb);
	u_buf_free(&rb);
	u_ep_destroy(&ea);
	u_ep_destroy(&eb);
	u_ep_destroy(&eu);
}

/* A one-WR list, sw or rw, refused: rc and errno want, *bad_wr the WR. */
static void refuse(struct hwqnic_qp *qp, struct hwqnic_send_wr *sw,
		   struct hwqnic_recv_wr *rw, int want, const char *what)
{
	struct hwqnic_send_wr *sbad = NULL;
	struct hwqnic_recv_wr *rbad = NULL;
	const void *bad, *wr = sw ? (const void *)sw : (const void *)rw;
	int rc, e;

	errno = 0;
	rc = sw ? hwqnic_post_send(qp, sw, &sbad) :
		  hwqnic_post_recv(qp, rw, &rbad);
	e = errno;
	bad = sw ? (const void *)sbad : (const void *)rbad;
	ok(rc == want && e == want && bad == wr,
	   "%s %s: %s, bad_wr the WR (rc %d, errno %d, bad_wr %s)",
	   sw ? "post_send" : "post_recv", what, strerror(want), rc, e,
	   bad == wr ? "right" : bad ? "wrong" : "NULL");
}

static void refuse_send(struct hwqnic_qp *qp, struct hwqnic_send_wr *wr,
			int want, const char *what)
{
	refuse(qp, wr, NULL, want, what);
}

static void refuse_recv(struct hwqnic_qp *qp, struct hwqnic_recv_wr *wr,
			int want, const char *what)
{
	refuse(qp, NULL, wr, want, what);
}

/* num_sge above max, negative, and a NULL sg_list: each refused. */
static void bad_sg_lists(struct hwqnic_qp *qp, struct hwqnic_send_wr *sw,
			 struct hwqnic_recv_wr *rw, __u32 max,
			 struct hwqnic_sge *big)
{
	struct hwqnic_sge **list = sw ? &sw->sg_list : &rw->sg_list;
	int *num = sw ? &sw->num_sge : &rw->num_sge;
	struct hwqnic_sge *was = *list;
	char what[64];

	*num = max + 1;
	*list = big;
	snprintf(what, sizeof(what), "num_sge = max_%s_sge + 1",
		 sw ? "send" : "recv");
	refuse(qp, sw, rw, EINVAL, what);
	*num = -1;
	refuse(qp, sw, rw, EINVAL, "num_sge -1");
	*num = 1;
	*list = NULL;
	refuse(qp, sw, rw, EINVAL, "NULL sg_list with num_sge 1");
	*list = was;
}

static void post_args(void)
{
	struct hwqnic_send_wr w, w2, w3, *bad;
	struct hwqnic_recv_wr r;
	struct hwqnic_sge sge[2], big[64];
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_ep e;
	struct u_buf sb, rb;
	struct hwqnic_wc wc[64];
	struct hwqnic_qp_counters c0, c1;
	const char *why;
	uint8_t *ibuf;
	__u32 i, depth;
	int rc, got;

	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = 4;
	cfg.max_recv_wr = 4;
	cfg.max_inline = U_MIN(dev.attr.max_inline_data, 64);
	cfg.cqe = 64;
	rc = u_pair_create(&p, dev.pd, &cfg);
	rc = rc ? rc : u_ep_create(&e, dev.pd, &cfg);
	rc = rc ? rc : u_buf_alloc(&sb, dev.pd, 4096, U_RC_ACCESS);
	rc = rc ? rc : u_buf_alloc(&rb, dev.pd, 4096, U_RC_ACCESS);
	if (!ok(!rc, "an RC pair and a QP in RESET"))
		return;
	ibuf = calloc(1, p.a.cap.max_inline_data + 2);
	for (i = 0; i < U_ARRAY_SIZE(big); i++)
		big[i] = u_sge(&sb, i, 1);
	sge[0] = u_sge(&sb, 0, 8);
	sge[1] = u_sge(&sb, 8, 8);

	memset(&w, 0, sizeof(w));
	w.wr_id = 1;
	w.sg_list = sge;
	w.num_sge = 1;
	w.opcode = HWQNIC_WR_RDMA_WRITE;
	w.send_flags = HWQNIC_SEND_SIGNALED;
	w.wr.rdma.remote_addr = u_addr(&rb, 0);
	w.wr.rdma.rkey = rb.mr->rkey;
	memset(&r, 0, sizeof(r));
	r.wr_id = 1;
	r.sg_list = sge;
	r.num_sge = 1;

	bad = NULL;
	CHECK_ERR(EINVAL, hwqnic_post_send(NULL, &w, &bad),
		  "post_send(NULL qp): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_post_send(p.a.qp, NULL, &bad),
		  "post_send(NULL wr): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_post_send(p.a.qp, &w, NULL),
		  "post_send(NULL bad_wr): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_post_recv(NULL, &r, NULL),
		  "post_recv(NULL qp): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_post_recv(p.b.qp, NULL, NULL),
		  "post_recv(NULL wr): EINVAL");
	CHECK_ERR(EINVAL, hwqnic_post_recv(p.b.qp, &r, NULL),
		  "post_recv(NULL bad_wr): EINVAL");

	/* not yet RTS */
	refuse_send(e.qp, &w, EINVAL, "in RESET");
	refuse_recv(e.qp, &r, EINVAL, "in RESET");
	u_rc_to_init(e.qp, U_RC_ACCESS);
	refuse_send(e.qp, &w, EINVAL, "in INIT");
	bad = NULL;
	ok(!hwqnic_post_recv(e.qp, &r, (struct hwqnic_recv_wr **)&bad),
	   "post_recv in INIT is allowed");
	u_rc_to_rtr(e.qp, p.b.qp->qp_num, 1, 1);
	refuse_send(e.qp, &w, EINVAL, "in RTR");

	/* malformed WRs */
	bad_sg_lists(p.a.qp, &w, NULL, p.a.cap.max_send_sge, big);
	w.opcode = HWQNIC_WR_MAX;
	refuse_send(p.a.qp, &w, EINVAL, "opcode HWQNIC_WR_MAX");
	w.opcode = 99;
	refuse_send(p.a.qp, &w, EINVAL, "opcode 99");
	w.opcode = HWQNIC_WR_RDMA_WRITE;
	w.send_flags |= HWQNIC_SEND_INLINE;
	big[0] = (struct hwqnic_sge){ (uintptr_t)ibuf,
				      p.a.cap.max_inline_data + 1, 0 };
	w.sg_list = big;
	refuse_send(p.a.qp, &w, EINVAL, "INLINE of max_inline_data + 1 bytes");
	big[0] = (struct hwqnic_sge){ (uintptr_t)ibuf,
				      p.a.cap.max_inline_data, 0 };
	big[1] = (struct hwqnic_sge){ (uintptr_t)ibuf, 1, 0 };
	w.num_sge = 2;
	refuse_send(p.a.qp, &w, EINVAL,
		    "INLINE of max_inline_data + 1 bytes in two SGEs");
	w.sg_list = sge;
	w.num_sge = 1;
	w.send_flags = HWQNIC_SEND_SIGNALED;
	w.opcode = HWQNIC_WR_ATOMIC_FETCH_AND_ADD;
	w.wr.atomic.remote_addr = u_addr(&rb, 0);
	w.wr.atomic.rkey = rb.mr->rkey;
	w.num_sge = 2;
	refuse_send(p.a.qp, &w, EINVAL, "FETCH_AND_ADD with 2 SGEs");
	w.num_sge = 0;
	refuse_send(p.a.qp, &w, EINVAL, "FETCH_AND_ADD with no SGE");
	w.num_sge = 1;
	sge[0].length = 4;
	refuse_send(p.a.qp, &w, EINVAL, "FETCH_AND_ADD with a 4-byte SGE");
	w.opcode = HWQNIC_WR_ATOMIC_CMP_AND_SWP;
	sge[0].length = 16;
	refuse_send(p.a.qp, &w, EINVAL, "CMP_AND_SWP with a 16-byte SGE");
	sge[0].length = 8;
	bad_sg_lists(p.b.qp, NULL, &r, p.b.cap.max_recv_sge, big);

	got = u_cq_quiet(p.a.scq, 20, wc);
	got += u_cq_quiet(p.b.rcq, 1, wc);
	memset(&c0, 0xff, sizeof(c0));
	memset(&c1, 0xff, sizeof(c1));
	hwqnic_query_qp_counters(p.a.qp, &c0);
	hwqnic_query_qp_counters(p.b.qp, &c1);
	ok(!got && !c0.posts && !c0.recv_posts && !c0.wqes && !c1.posts &&
	   !c1.recv_posts,
	   "nothing refused was posted: no completion, posts counters 0 (%d, %llu, %llu)",
	   got, (unsigned long long)c0.posts,
	   (unsigned long long)c1.recv_posts);

	/* a list with a bad WR in the middle: the first is posted */
	memset(&w, 0, sizeof(w));
	w.sg_list = sge;
	w.num_sge = 1;
	w.opcode = HWQNIC_WR_RDMA_WRITE;
	w.send_flags = HWQNIC_SEND_SIGNALED;
	w.wr.rdma.remote_addr = u_addr(&rb, 0);
	w.wr.rdma.rkey = rb.mr->rkey;
	w2 = w;
	w3 = w;
	w.wr_id = 11;
	w2.wr_id = 12;
	w3.wr_id = 13;
	w.next = &w2;
	w2.next = &w3;
	w2.opcode = 42;
	bad = NULL;
	errno = 0;
	rc = hwqnic_post_send(p.a.qp, &w, &bad);
	ok(rc == EINVAL && errno == EINVAL && bad == &w2,
	   "a list [good, bad opcode, good]: EINVAL, bad_wr the second (rc %d)",
	   rc);
	got = u_wait_cq(p.a.scq, 1, wc);
	got += u_cq_quiet(p.a.scq, 20, wc + 1);
	ok(got == 1 && wc[0].wr_id == 11 && wc[0].status == HWQNIC_WC_SUCCESS,
	   "exactly the WR before it was posted and completed (%d completions)",
	   got);

	/* SQ full */
	depth = p.a.cap.max_send_wr;
	if (!ok(depth <= U_ARRAY_SIZE(wc) - 2,
		"granted max_send_wr %u (asked 4)", depth))
		goto out;
	w.next = NULL;
	for (i = 0, rc = 0; i < depth && !rc; i++) {
		w.wr_id = 100 + i;
		rc = hwqnic_post_send(p.a.qp, &w, &bad);
	}
	ok(!rc, "%u WRs fill the SQ", depth);
	w.wr_id = 100 + depth;
	refuse_send(p.a.qp, &w, ENOMEM, "to a full SQ");
	ok(u_wait_cq(p.a.scq, 1, wc) == 1 && wc[0].wr_id == 100,
	   "one completion polled");
	w.wr_id = 200;
	w2 = w;
	w2.wr_id = 201;
	w.next = &w2;
	bad = NULL;
	errno = 0;
	rc = hwqnic_post_send(p.a.qp, &w, &bad);
	ok(rc == ENOMEM && errno == ENOMEM && bad == &w2,
	   "a list of 2 with room for 1: ENOMEM, bad_wr the second (rc %d)",
	   rc);
	got = u_wait_cq(p.a.scq, depth, wc);
	got += u_cq_quiet(p.a.scq, 20, wc + depth);
	why = got == (int)depth ? NULL : "wrong number of completions";
	for (i = 0; !why && i + 1 < depth; i++)
		if (wc[i].wr_id != 101 + i)
			why = "wrong wr_id";
	if (!why && wc[depth - 1].wr_id != 200)
		why = "the last is not the list's first WR";
	ok_why(why, "the SQ holds what was accepted, nothing else (%d completions)",
	   got);

	/* RQ full */
	depth = p.b.cap.max_recv_wr;
	r.next = NULL;
	for (i = 0, rc = 0; i < depth && !rc; i++)
		rc = u_post_recv(p.b.qp, 300 + i, sge, 1);
	ok(!rc, "%u receives fill the RQ", depth);
	r.wr_id = 300 + depth;
	refuse_recv(p.b.qp, &r, ENOMEM, "to a full RQ");
	why = NULL;
	for (i = 0; !why && i < depth; i++) {
		struct hwqnic_sge s = u_sge(&sb, 64, 8);

		if (u_post_send(p.a.qp, HWQNIC_WR_SEND, 400 + i, &s, 1,
				HWQNIC_SEND_SIGNALED, 0, 0, 0))
			why = "post_send failed";
		else
			why = u_expect_wc(p.b.rcq, 300 + i, HWQNIC_WC_SUCCESS,
					  HWQNIC_WC_RECV, 8, 0, NULL);
		if (!why)
			why = u_expect_wc(p.a.scq, 400 + i, HWQNIC_WC_SUCCESS,
					  HWQNIC_WC_SEND, 8, 0, NULL);
	}
	ok_why(why, "the RQ held exactly the accepted receives, in order");

	why = u_send_check(&p, u_sge(&sb, 0, 100),
			   u_sge(&rb, 0, 100), 500, &seed);
	ok_why(why, "after every refusal the pair still works");
	CHECK_ERR(EBUSY, hwqnic_destroy_cq(p.a.scq),
		  "hwqnic_destroy_cq of a QP's send CQ: EBUSY");
	CHECK_ERR(EBUSY, hwqnic_dealloc_pd(dev.pd),
		  "hwqnic_dealloc_pd of the PD in use: EBUSY");
	CHECK_ERR(EINVAL, hwqnic_query_qp_counters(p.a.qp, NULL),
		  "hwqnic_query_qp_counters(NULL counters): EINVAL");
	why = u_send_check(&p, u_sge(&sb, 0, 64),
			   u_sge(&rb, 0, 64), 501, &seed);
	ok_why(why, "and after the EBUSY refusals too");
out:
	free(ibuf);
	u_buf_free(&sb);
	u_buf_free(&rb);
	u_ep_destroy(&e);
	u_pair_destroy(&p);
}

static void ud_args(void)
{
	struct hwqnic_send_wr w;
	struct hwqnic_sge sge;
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_buf b;
	static const struct { int op; const char *name; } ops[] = {
		{ HWQNIC_WR_RDMA_WRITE, "RDMA_WRITE" },
		{ HWQNIC_WR_RDMA_WRITE_WITH_IMM, "RDMA_WRITE_WITH_IMM" },
		{ HWQNIC_WR_RDMA_READ, "RDMA_READ" },
		{ HWQNIC_WR_ATOMIC_CMP_AND_SWP, "ATOMIC_CMP_AND_SWP" },
		{ HWQNIC_WR_ATOMIC_FETCH_AND_ADD, "ATOMIC_FETCH_AND_ADD" },
	};
	char what[64];
	unsigned int i;

	u_qp_cfg_default(&cfg);
	cfg.type = HWQNIC_QPT_UD;
	if (!ok(!u_pair_create(&p, dev.pd, &cfg) &&
		!u_buf_alloc(&b, dev.pd, 64, U_RC_ACCESS), "a UD pair in RTS"))
		return;
	sge = u_sge(&b, 0, 8);
	for (i = 0; i < U_ARRAY_SIZE(ops); i++) {
		memset(&w, 0, sizeof(w));
		w.sg_list = &sge;
		w.num_sge = 1;
		w.opcode = ops[i].op;
		w.send_flags = HWQNIC_SEND_SIGNALED;
		w.wr.rdma.remote_addr = u_addr(&b, 0);
		w.wr.rdma.rkey = b.mr->rkey;
		snprintf(what, sizeof(what), "%s on a UD QP", ops[i].name);
		refuse_send(p.a.qp, &w, EINVAL, what);
	}
	ok(!u_cq_quiet(p.a.scq, 10, NULL), "none of them was posted");
	u_buf_free(&b);
	u_pair_destroy(&p);
}

static void suite(void)
{
	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	device_args();
	device_names();
	pd_mr_args();
	cq_args();
	cq_event_args();
	create_qp_args();
	modify_args();
	post_args();
	ud_args();
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
