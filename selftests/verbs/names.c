// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The public name helpers: every value of each enum has its own name, the
 * enum's spelling (or the tools' word for an opcode), and anything else
 * reads "?", never NULL.
 */
#include <string.h>

#include <hwqnic/verbs.h>

#include "../lib/tap.h"

static void distinct(const char *what, const char *const *got, int n)
{
	const char *why = NULL;
	int i, j;

	for (i = 0; i < n && !why; i++) {
		if (!got[i] || !strcmp(got[i], "?"))
			why = "a value without a name";
		for (j = 0; j < i && !why; j++)
			if (!strcmp(got[i], got[j]))
				why = "two values share a name";
	}
	ok_why(why, "%s: %d values, %d distinct names", what, n, n);
}

int main(void)
{
	const char *s[HWQNIC_WC_STATUS_MAX];
	const char *o[7];
	static const enum hwqnic_wc_opcode wc_ops[] = {
		HWQNIC_WC_SEND, HWQNIC_WC_RDMA_WRITE, HWQNIC_WC_RDMA_READ,
		HWQNIC_WC_COMP_SWAP, HWQNIC_WC_FETCH_ADD, HWQNIC_WC_RECV,
		HWQNIC_WC_RECV_RDMA_WITH_IMM,
	};
	const char *st[HWQNIC_QPS_ERR + 1];
	int i;

	for (i = 0; i < HWQNIC_WC_STATUS_MAX; i++)
		s[i] = hwqnic_wc_status_str(i);
	distinct("wc status", s, HWQNIC_WC_STATUS_MAX);
	ok(!strcmp(hwqnic_wc_status_str(HWQNIC_WC_SUCCESS), "SUCCESS") &&
	   !strcmp(hwqnic_wc_status_str(HWQNIC_WC_WR_FLUSH_ERR),
		   "WR_FLUSH_ERR") &&
	   !strcmp(hwqnic_wc_status_str(HWQNIC_WC_GENERAL_ERR),
		   "GENERAL_ERR"),
	   "wc status names are the enum's spelling");
	ok(!strcmp(hwqnic_wc_status_str(HWQNIC_WC_STATUS_MAX), "?") &&
	   !strcmp(hwqnic_wc_status_str(-1), "?") &&
	   !strcmp(hwqnic_wc_status_str(HWQNIC_POLL_EMPTY), "?"),
	   "a status outside the enum reads ?");

	for (i = 0; i <= HWQNIC_QPS_ERR; i++)
		st[i] = hwqnic_qp_state_str(i);
	distinct("qp state", st, HWQNIC_QPS_ERR + 1);
	ok(!strcmp(st[HWQNIC_QPS_RTS], "RTS") &&
	   !strcmp(hwqnic_qp_state_str(HWQNIC_QPS_ERR + 1), "?") &&
	   !strcmp(hwqnic_qp_state_str(-5), "?"),
	   "qp state: RTS by name, outside the enum ?");

	ok(!strcmp(hwqnic_qp_type_str(HWQNIC_QPT_RC), "RC") &&
	   !strcmp(hwqnic_qp_type_str(HWQNIC_QPT_UC), "UC") &&
	   !strcmp(hwqnic_qp_type_str(HWQNIC_QPT_UD), "UD") &&
	   !strcmp(hwqnic_qp_type_str(0), "?") &&
	   !strcmp(hwqnic_qp_type_str(1), "?") &&
	   !strcmp(hwqnic_qp_type_str(1000), "?"),
	   "qp type: RC, UC, UD, the rest ?");

	for (i = 0; i < 7; i++)
		o[i] = hwqnic_wc_opcode_str(wc_ops[i]);
	distinct("wc opcode", o, 7);
	ok(!strcmp(o[0], "send") && !strcmp(o[1], "write") &&
	   !strcmp(o[2], "read") && !strcmp(o[3], "cas") &&
	   !strcmp(o[4], "fadd") && !strcmp(o[5], "recv") &&
	   !strcmp(o[6], "recv_imm"),
	   "wc opcodes by the tools' words");
	ok(!strcmp(hwqnic_wc_opcode_str(5), "?") &&
	   !strcmp(hwqnic_wc_opcode_str(127), "?") &&
	   !strcmp(hwqnic_wc_opcode_str(130), "?"),
	   "an opcode outside the enum reads ?");
	return tap_done();
}
