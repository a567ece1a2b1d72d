/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Completions waited for and checked (selftests/lib/cq.c), every wait
 * bounded by u_timeout_ns() so that a test fails instead of hanging.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_CQ_H
#define _HWQNIC_SELFTESTS_LIB_CQ_H

#include <stdint.h>

#include <hwqnic/verbs.h>

/*
 * Polls until n completions have arrived or timeout_ns has passed; returns
 * how many arrived (a poll error ends the wait and is reported).
 */
int u_wait_cq_for(struct hwqnic_cq *cq, int n, struct hwqnic_wc *wc,
		  uint64_t timeout_ns);
/* The same with each completion's times (hwqnic_poll_cq_ts()) in ts[]. */
int u_wait_cq_ts_for(struct hwqnic_cq *cq, int n, struct hwqnic_wc *wc,
		     struct hwqnic_wc_ts *ts, uint64_t timeout_ns);
int u_wait_cq_ts(struct hwqnic_cq *cq, int n, struct hwqnic_wc *wc,
		 struct hwqnic_wc_ts *ts);
int u_wait_cq(struct hwqnic_cq *cq, int n, struct hwqnic_wc *wc);

/*
 * Watches cq for ms milliseconds and returns how many completions showed
 * up (0: quiet); the first is copied to *first when not NULL.
 */
int u_cq_quiet(struct hwqnic_cq *cq, unsigned int ms, struct hwqnic_wc *first);

/*
 * Checks one completion; returns NULL when it matches, else a description
 * of what differs. byte_len < 0: not checked. qpn 0: not checked.
 */
const char *u_wc_check(const struct hwqnic_wc *wc, uint64_t wr_id, int status,
		       int opcode, long byte_len, __u32 qpn);

/* Waits for one completion on cq and checks it; NULL when right. */
const char *u_expect_wc(struct hwqnic_cq *cq, uint64_t wr_id, int status,
			int opcode, long byte_len, __u32 qpn,
			struct hwqnic_wc *out);

#endif /* _HWQNIC_SELFTESTS_LIB_CQ_H */
