/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A device for the engine's tests (selftests/lib/core_rig.c), driven
 * synchronously: one MR that starts and ends SLACK bytes inside its
 * pages, between GUARD bytes, and two RC QPs connected to each other over
 * one CQ. Built on kmod/core directly, not on libhwqnic's verbs.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_CORE_RIG_H
#define _HWQNIC_SELFTESTS_LIB_CORE_RIG_H

#include <stdbool.h>

#include "engine.h"
#include "mr.h"

#define BUF	(64 * 1024)
#define GUARD	(16 * 1024)
#define SLACK	100	/* MR starts and ends this far inside its pages */

struct rig {
	struct hwqnic_dev dev;
	struct hwqnic_core_pd pd;
	struct hwqnic_core_mr mr;
	struct hwqnic_core_cq cq;
	struct hwqnic_core_qp a, b;
	u8 *mem;	/* GUARD | SLACK, MR, SLACK (BUF in all) | GUARD */
	struct hwqnic_qp_counters *counters;	/* [qpn - HWQNIC_FIRST_QPN] */
	unsigned int async_events;		/* the device's, counted */
};

/* Sets r up: 0, or -1 when a step failed. */
int rig_up(struct rig *r);
void rig_down(struct rig *r);

/* Takes q (of r) from RESET to RTS, connected to QP dest. */
void rts(struct rig *r, struct hwqnic_core_qp *q, u32 dest);
/* a and b through RESET, connected again. */
void reconnect(struct rig *r);
/* Engine passes until it is idle, at most 1000. */
void run_engine(struct rig *r);
/* The doorbell slot's pending bit. */
bool rig_pending(const struct rig *r, u32 slot);
/* A receive of 64 bytes at the start of the MR. */
void rig_post_recv(struct rig *r, struct hwqnic_core_qp *q, u64 wr_id);
/* Polls every CQE; adds to *other those whose status is not `status`. */
u32 rig_drain(struct rig *r, u8 status, u32 *other);
/* QP q's counters. */
struct hwqnic_qp_counters *rig_counters(struct rig *r,
					const struct hwqnic_core_qp *q);

#endif /* _HWQNIC_SELFTESTS_LIB_CORE_RIG_H */
