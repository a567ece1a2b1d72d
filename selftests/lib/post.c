// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One work request posted: see post.h. */
#include <string.h>

#include "cq.h"
#include "pattern.h"
#include "post.h"
#include "tap.h"

/* A WR of the fields every send has; the caller adds its opcode's own. */
static void send_wr(struct hwqnic_send_wr *wr, enum hwqnic_wr_opcode opcode,
		    uint64_t wr_id, struct hwqnic_sge *sge, int num_sge,
		    unsigned int flags)
{
	memset(wr, 0, sizeof(*wr));
	wr->wr_id = wr_id;
	wr->sg_list = sge;
	wr->num_sge = num_sge;
	wr->opcode = opcode;
	wr->send_flags = flags;
}

int u_post_send(struct hwqnic_qp *qp, enum hwqnic_wr_opcode opcode,
		uint64_t wr_id, struct hwqnic_sge *sge, int num_sge,
		unsigned int flags, uint64_t remote_addr, uint32_t rkey,
		uint32_t imm)
{
	struct hwqnic_send_wr wr, *bad = NULL;
	int rc;

	send_wr(&wr, opcode, wr_id, sge, num_sge, flags);
	wr.imm_data = imm;
	wr.wr.rdma.remote_addr = remote_addr;
	wr.wr.rdma.rkey = rkey;
	rc = hwqnic_post_send(qp, &wr, &bad);
	if (rc && bad != &wr)
		diag("post_send failed (%s) but bad_wr is not the WR",
		     strerror(rc));
	return rc;
}

void u_write_chain(struct hwqnic_send_wr *wr, int n, struct hwqnic_sge *sge,
		   uint64_t first_id, unsigned int flags, uint64_t remote_addr,
		   uint32_t rkey)
{
	int i;

	for (i = 0; i < n; i++) {
		send_wr(&wr[i], HWQNIC_WR_RDMA_WRITE, first_id + i, sge, 1,
			flags);
		wr[i].next = i + 1 < n ? &wr[i + 1] : NULL;
		wr[i].wr.rdma.remote_addr = remote_addr;
		wr[i].wr.rdma.rkey = rkey;
	}
}

int u_post_atomic(struct hwqnic_qp *qp, enum hwqnic_wr_opcode opcode,
		  uint64_t wr_id, struct hwqnic_sge *sge, unsigned int flags,
		  uint64_t remote_addr, uint32_t rkey, uint64_t compare_add,
		  uint64_t swap)
{
	struct hwqnic_send_wr wr, *bad = NULL;

	send_wr(&wr, opcode, wr_id, sge, 1, flags);
	wr.wr.atomic.remote_addr = remote_addr;
	wr.wr.atomic.rkey = rkey;
	wr.wr.atomic.compare_add = compare_add;
	wr.wr.atomic.swap = swap;
	return hwqnic_post_send(qp, &wr, &bad);
}

int u_post_ud_send(struct hwqnic_qp *qp, uint64_t wr_id,
		   struct hwqnic_sge *sge, int num_sge, unsigned int flags,
		   uint32_t remote_qpn, uint32_t remote_qkey)
{
	return u_post_ud_ah(qp, HWQNIC_WR_SEND, wr_id, sge, num_sge, flags,
			    NULL, remote_qpn, remote_qkey, 0);
}

int u_post_ud_ah(struct hwqnic_qp *qp, enum hwqnic_wr_opcode opcode,
		 uint64_t wr_id, struct hwqnic_sge *sge, int num_sge,
		 unsigned int flags, struct hwqnic_ah *ah, uint32_t remote_qpn,
		 uint32_t remote_qkey, uint32_t imm)
{
	struct hwqnic_send_wr wr, *bad = NULL;

	send_wr(&wr, opcode, wr_id, sge, num_sge, flags);
	wr.imm_data = imm;
	wr.wr.ud.ah = ah;
	wr.wr.ud.remote_qpn = remote_qpn;
	wr.wr.ud.remote_qkey = remote_qkey;
	return hwqnic_post_send(qp, &wr, &bad);
}

int u_post_recv(struct hwqnic_qp *qp, uint64_t wr_id,
		struct hwqnic_sge *sge, int num_sge)
{
	struct hwqnic_recv_wr wr, *bad = NULL;

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = wr_id;
	wr.sg_list = sge;
	wr.num_sge = num_sge;
	return hwqnic_post_recv(qp, &wr, &bad);
}

const char *u_send_check(struct u_pair *p, struct hwqnic_sge s,
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
	why = u_expect_both(p, id, HWQNIC_WC_SEND, s.length, HWQNIC_WC_RECV,
			    s.length);
	if (!why && memcmp(src, dst, s.length))
		why = "payload differs";
	return why;
}

const char *u_expect_both(struct u_pair *p, uint64_t id, int op, long len,
			  int rop, long rlen)
{
	const char *why;

	why = u_expect_wc(p->a.scq, id, HWQNIC_WC_SUCCESS, op, len, 0, NULL);
	if (!why)
		why = u_expect_wc(p->b.rcq, id, HWQNIC_WC_SUCCESS, rop, rlen,
				  0, NULL);
	return why;
}
