// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Objects that hold core structures start on a cache line. The core keeps
 * the fields the engine writes and those the host writes on lines of their
 * own, which holds only if the object does: otherwise every message moves
 * lines between the poster's CPU and the engine's. Contexts, CQs and QPs
 * of several devices, made between allocations of odd sizes.
 */
#include "../lib/helpers.h"

#define NDEV	3
#define NPAIR	4

static bool on_line(const void *p)
{
	return !((uintptr_t)p % 64);
}

static void suite(void)
{
	struct u_pair p[NDEV][NPAIR];
	unsigned int pairs[NDEV] = { 0 };
	struct u_dev d[NDEV];
	void *odd[NDEV * NPAIR];
	unsigned int i, j, ndev, n = 0, off = 0, made = 0;
	struct u_qp_cfg cfg;

	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = 4;
	cfg.max_recv_wr = 4;
	for (ndev = 0; ndev < NDEV; ndev++) {
		if (u_dev_open(&d[ndev]))
			break;
		off += !on_line(d[ndev].ctx);
		for (j = 0; j < NPAIR; j++) {
			odd[n] = malloc(16 * n + 8);
			n++;
			if (u_pair_create(&p[ndev][j], d[ndev].pd, &cfg))
				break;
			off += !on_line(p[ndev][j].a.qp) +
			       !on_line(p[ndev][j].b.qp) +
			       !on_line(p[ndev][j].a.scq) +
			       !on_line(p[ndev][j].b.scq);
			pairs[ndev]++;
			made++;
		}
	}
	if (ok(made == NDEV * NPAIR,
	       "%u devices with %u RC pairs each (%u pairs made)", NDEV,
	       NPAIR, made))
		ok(!off, "every context, CQ and QP starts on a cache line (%u do not)",
		   off);
	for (i = 0; i < ndev; i++) {
		for (j = 0; j < pairs[i]; j++)
			u_pair_destroy(&p[i][j]);
		u_dev_close(&d[i]);
	}
	while (n-- > 0)
		free(odd[n]);
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
