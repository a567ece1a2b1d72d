/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the hwqnic examples share: a fatal-error helper, the walk of an RC
 * QP from RESET to RTS, and a bounded wait for one completion.
 *
 * hwqnic's verbs are libibverbs' under names of their own: a function
 * returning int returns 0 or a positive errno value (errno is set too), a
 * function returning a pointer returns NULL and sets errno.
 */
#ifndef HWQNIC_EXAMPLES_COMMON_H
#define HWQNIC_EXAMPLES_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* program_invocation_short_name */
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <hwqnic/verbs.h>

/* Every example gives up after this long without the completion it waits for. */
#define EXAMPLE_TIMEOUT_S	5

/* die(err, fmt, ...): prints "program: message: strerror(err)" and exits 1. */
static inline void die(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

/*
 * A QP on pd whose send and receive completions go to scq and rcq: room
 * for 16 WRs each way, one SGE per WR. The device may grant more.
 */
static inline struct hwqnic_qp *make_qp(struct hwqnic_pd *pd,
					struct hwqnic_cq *scq,
					struct hwqnic_cq *rcq,
					enum hwqnic_qp_type type,
					const char *name)
{
	struct hwqnic_qp_init_attr init;
	struct hwqnic_qp *qp;

	memset(&init, 0, sizeof(init));
	init.send_cq = scq;
	init.recv_cq = rcq;
	init.qp_type = type;
	init.cap.max_send_wr = 16;
	init.cap.max_recv_wr = 16;
	init.cap.max_send_sge = 1;
	init.cap.max_recv_sge = 1;
	qp = hwqnic_create_qp(pd, &init);
	if (!qp)
		die(errno, "hwqnic_create_qp(%s)", name);
	return qp;
}

/*
 * An RC QP goes RESET -> INIT -> RTR -> RTS, each hwqnic_modify_qp() call
 * naming in its mask exactly the attributes that transition needs (as
 * with ibv_modify_qp(); a missing or extra one is EINVAL). In loopback,
 * the "remote" QP is another QP of the same device: dest_qpn is its
 * number.
 */
static inline void rc_connect(struct hwqnic_qp *qp, __u32 dest_qpn,
			      unsigned int access)
{
	struct hwqnic_qp_attr a;
	int err;

	/* INIT: which port, and what the remote side may do to our MRs */
	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_INIT;
	a.pkey_index = 0;
	a.port_num = 1;
	a.qp_access_flags = access;
	err = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
			       HWQNIC_QP_PORT | HWQNIC_QP_ACCESS_FLAGS);
	if (err)
		die(err, "hwqnic_modify_qp(QP %u to INIT)", qp->qp_num);

	/* RTR (ready to receive): who the peer is, the path MTU, its PSN */
	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RTR;
	a.path_mtu = HWQNIC_MTU_1024;
	a.dest_qp_num = dest_qpn;
	a.rq_psn = 0;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	err = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
			       HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN |
			       HWQNIC_QP_MAX_DEST_RD_ATOMIC |
			       HWQNIC_QP_MIN_RNR_TIMER);
	if (err)
		die(err, "hwqnic_modify_qp(QP %u to RTR)", qp->qp_num);

	/* RTS (ready to send): our PSN, timeouts and retries */
	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RTS;
	a.sq_psn = 0;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;	/* retry forever while the peer has no receive */
	a.max_rd_atomic = 1;
	err = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN |
			       HWQNIC_QP_TIMEOUT | HWQNIC_QP_RETRY_CNT |
			       HWQNIC_QP_RNR_RETRY |
			       HWQNIC_QP_MAX_QP_RD_ATOMIC);
	if (err)
		die(err, "hwqnic_modify_qp(QP %u to RTS)", qp->qp_num);
}

static inline double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * Busy-polls cq for one completion, EXAMPLE_TIMEOUT_S at most, and exits
 * unless it is a success. A completion in error carries its status:
 * hwqnic_wc_status_str() names it.
 */
static inline void wait_wc(struct hwqnic_cq *cq, struct hwqnic_wc *wc)
{
	double end = now_s() + EXAMPLE_TIMEOUT_S;
	int n;

	while ((n = hwqnic_poll_cq(cq, 1, wc)) == 0)
		if (now_s() > end)
			die(0, "no completion after %d s", EXAMPLE_TIMEOUT_S);
	if (n < 0)
		die(-n, "hwqnic_poll_cq");
	if (wc->status != HWQNIC_WC_SUCCESS)
		die(0, "completion of wr_id %llu failed: %s (vendor_err %u)",
		    (unsigned long long)wc->wr_id,
		    hwqnic_wc_status_str(wc->status), wc->vendor_err);
}

#endif /* HWQNIC_EXAMPLES_COMMON_H */
