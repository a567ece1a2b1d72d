/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One work request posted (selftests/lib/post.c): hwqnic_post_send() or
 * hwqnic_post_recv()'s result for a WR built from the arguments.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_POST_H
#define _HWQNIC_SELFTESTS_LIB_POST_H

#include <stdint.h>

#include <hwqnic/verbs.h>

#include "pair.h"

/* SEND, RDMA WRITE or READ (remote_addr, rkey), with imm where it has one. */
int u_post_send(struct hwqnic_qp *qp, enum hwqnic_wr_opcode opcode,
		uint64_t wr_id, struct hwqnic_sge *sge, int num_sge,
		unsigned int flags, uint64_t remote_addr, uint32_t rkey,
		uint32_t imm);
int u_post_atomic(struct hwqnic_qp *qp, enum hwqnic_wr_opcode opcode,
		  uint64_t wr_id, struct hwqnic_sge *sge, unsigned int flags,
		  uint64_t remote_addr, uint32_t rkey, uint64_t compare_add,
		  uint64_t swap);
int u_post_ud_send(struct hwqnic_qp *qp, uint64_t wr_id,
		   struct hwqnic_sge *sge, int num_sge, unsigned int flags,
		   uint32_t remote_qpn, uint32_t remote_qkey);
/* The same through an address handle (NULL: a QP of this device). */
int u_post_ud_ah(struct hwqnic_qp *qp, enum hwqnic_wr_opcode opcode,
		 uint64_t wr_id, struct hwqnic_sge *sge, int num_sge,
		 unsigned int flags, struct hwqnic_ah *ah, uint32_t remote_qpn,
		 uint32_t remote_qkey, uint32_t imm);
int u_post_recv(struct hwqnic_qp *qp, uint64_t wr_id, struct hwqnic_sge *sge,
		int num_sge);

/*
 * wr[0..n-1] linked into one chain of RDMA WRITEs of *sge to remote_addr,
 * WR i with wr_id first_id + i, for one hwqnic_post_send().
 */
void u_write_chain(struct hwqnic_send_wr *wr, int n, struct hwqnic_sge *sge,
		   uint64_t first_id, unsigned int flags, uint64_t remote_addr,
		   uint32_t rkey);

/*
 * One signaled SEND of s (random bytes from *seed) from p's a into a
 * receive of r on p's b: NULL when both complete and the bytes arrived,
 * else what went wrong.
 */
const char *u_send_check(struct u_pair *p, struct hwqnic_sge s,
			 struct hwqnic_sge r, uint64_t id, uint64_t *seed);

/*
 * The two successful completions of WR id on p: op of len bytes on a's
 * send CQ, then rop of rlen bytes on b's receive CQ (len < 0: not
 * checked). NULL, or what differs.
 */
const char *u_expect_both(struct u_pair *p, uint64_t id, int op, long len,
			  int rop, long rlen);

#endif /* _HWQNIC_SELFTESTS_LIB_POST_H */
