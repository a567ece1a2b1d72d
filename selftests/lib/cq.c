// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Completions waited for and checked: see cq.h. */
#include <stdio.h>
#include <string.h>

#include "bound.h"
#include "cq.h"
#include "tap.h"

int u_wait_cq_for(struct hwqnic_cq *cq, int n,
		  struct hwqnic_wc *wc, uint64_t timeout_ns)
{
	return u_wait_cq_ts_for(cq, n, wc, NULL, timeout_ns);
}

int u_wait_cq_ts_for(struct hwqnic_cq *cq, int n, struct hwqnic_wc *wc,
		     struct hwqnic_wc_ts *ts, uint64_t timeout_ns)
{
	uint64_t end = u_now_ns() + timeout_ns;
	unsigned int spins = 0;
	int got = 0;

	while (got < n) {
		int r = ts ? hwqnic_poll_cq_ts(cq, n - got, wc + got, ts + got) :
			     hwqnic_poll_cq(cq, n - got, wc + got);

		if (r < 0) {
			diag("hwqnic_poll_cq%s: %s", ts ? "_ts" : "",
			     strerror(-r));
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

int u_wait_cq(struct hwqnic_cq *cq, int n, struct hwqnic_wc *wc)
{
	return u_wait_cq_for(cq, n, wc, u_timeout_ns());
}

int u_wait_cq_ts(struct hwqnic_cq *cq, int n, struct hwqnic_wc *wc,
		 struct hwqnic_wc_ts *ts)
{
	return u_wait_cq_ts_for(cq, n, wc, ts, u_timeout_ns());
}

int u_cq_quiet(struct hwqnic_cq *cq, unsigned int ms,
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

const char *u_wc_check(const struct hwqnic_wc *wc,
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

const char *u_expect_wc(struct hwqnic_cq *cq, uint64_t wr_id,
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
