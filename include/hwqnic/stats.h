/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * The live counters of one open hwqnic device, published as a shared memory
 * file that other processes of the same user map read-only (nictop, tests):
 *
 *   /dev/shm/hwqnic.<pid>.<device name>   mode 0600, removed at close
 *
 * Each counter has a single writer (the posting side under the QP lock, or
 * the engine) and is updated with relaxed 64-bit stores: readers see each
 * value whole, not the set of values at one instant.
 */
#ifndef _HWQNIC_STATS_H
#define _HWQNIC_STATS_H

#include <linux/types.h>
#include <hwqnic/verbs.h>

#define HWQNIC_STATS_DIR	"/dev/shm"
#define HWQNIC_STATS_PREFIX	"hwqnic."
#define HWQNIC_STATS_MAGIC	0x73717768U	/* "hwqs" */
#define HWQNIC_STATS_VERSION	1

struct hwqnic_stats_qp {
	__u32	qpn;		/* 0: slot unused */
	__u8	qp_type;	/* enum hwqnic_qp_type */
	__u8	state;		/* enum hwqnic_qp_state */
	__u16	rsvd0;
	__u32	send_cq;	/* CQ handles */
	__u32	recv_cq;
	__u32	rsvd1[12];	/* counters start on a cache line */
	struct hwqnic_qp_counters c;
};

HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_qp_counters) == 128 &&
		     sizeof(struct hwqnic_stats_qp) % 64 == 0,
		     "counter halves on cache lines of their own");

struct hwqnic_stats_file {
	__u32	magic;
	__u32	version;
	__u32	pid;
	__u32	max_qp;		/* entries in qp[] */
	char	comm[16];
	char	dev[32];
	struct hwqnic_engine_counters engine;
	__u64	rsvd0[6];
	struct hwqnic_stats_qp qp[];	/* qp[i] describes QPN HWQNIC_QPN_BASE + i */
};

#define HWQNIC_QPN_BASE		16	/* QPNs below are never handed out */

#endif /* _HWQNIC_STATS_H */
