// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Error completions. For each violation a fresh RC pair runs: a good
 * RDMA_WRITE (a READ where writes are refused), the bad WR (signaled or
 * not: an error always completes), then three more WRs (one unsignaled)
 * while two receives wait on the requester.
 * The bad WR completes with the status the contract names, the QP goes to
 * ERR, every outstanding WQE (send and receive) and every WQE posted after
 * the error completes with WR_FLUSH_ERR, no byte moves that should not, and
 * the responder is unaffected unless the error is its own (SEND longer than
 * the receive buffer, receive buffer without LOCAL_WRITE). After RESET and
 * reconnection both QPs work again. RNR: retries run out after the
 * configured retries and timer, or succeed when a receive shows up in time.
 */
#include "../lib/helpers.h"

/* The arena: one 4 KiB region per buffer, each MR over its middle. */
enum region { R_A, R_B, R_W, R_NOLOCAL, R_NOWRITE, R_NOREAD, R_NOATOMIC,
	      R_OTHER, R_NUM };
#define REGION		4096
#define MR_OFF		1024	/* an MR covers [MR_OFF, MR_OFF + MR_LEN) */
#define MR_LEN		2048
#define ARENA		(R_NUM * REGION)

static const unsigned int region_access[R_NUM] = {
	[R_A] = U_RC_ACCESS,
	[R_B] = U_RC_ACCESS,
	[R_W] = U_RC_ACCESS,
	[R_NOLOCAL] = HWQNIC_ACCESS_REMOTE_READ,
	[R_NOWRITE] = HWQNIC_ACCESS_LOCAL_WRITE | HWQNIC_ACCESS_REMOTE_READ |
		      HWQNIC_ACCESS_REMOTE_ATOMIC,
	[R_NOREAD] = HWQNIC_ACCESS_LOCAL_WRITE | HWQNIC_ACCESS_REMOTE_WRITE |
		     HWQNIC_ACCESS_REMOTE_ATOMIC,
	[R_NOATOMIC] = HWQNIC_ACCESS_LOCAL_WRITE |
		       HWQNIC_ACCESS_REMOTE_WRITE | HWQNIC_ACCESS_REMOTE_READ,
	[R_OTHER] = U_RC_ACCESS,
};

static struct u_dev dev;
static struct hwqnic_pd *pd2;
static uint8_t *arena, *snap;
static struct hwqnic_mr *mr[R_NUM];
static __u32 bogus_key;
static __u32 dead_lkey, dead_rkey;	/* of an MR since deregistered */
static uint64_t seed;

static uint8_t *rp(enum region r, long off)
{
	return arena + r * REGION + MR_OFF + off;
}

static uint64_t ra(enum region r, long off)
{
	return (uintptr_t)rp(r, off);
}

static struct hwqnic_sge rsge(enum region r, long off, uint32_t len)
{
	struct hwqnic_sge s = { ra(r, off), len, mr[r]->lkey };

	return s;
}

enum kind {
	K_SEND_BAD_LKEY, K_SEND_PAST_END, K_SEND_BEFORE_START,
	K_SEND_OTHER_PD, K_WRITE_BAD_LKEY, K_READ_NO_LOCAL_WRITE,
	K_READ_OTHER_PD, K_ATOMIC_NO_LOCAL_WRITE, K_RECV_NO_LOCAL_WRITE,
	K_WRITE_BAD_RKEY, K_WRITE_PAST_END, K_READ_PAST_END,
	K_READ_BEFORE_START, K_WRITE_NO_REMOTE_WRITE, K_READ_NO_REMOTE_READ,
	K_ATOMIC_NO_REMOTE_ATOMIC, K_WRITE_QP_NO_WRITE, K_READ_QP_NO_READ,
	K_ATOMIC_QP_NO_ATOMIC, K_WRITE_OTHER_PD, K_ATOMIC_OTHER_PD,
	K_WRITE_IMM_BAD_RKEY, K_SEND_TOO_LONG, K_ATOMIC_MISALIGNED, K_RNR,
	K_RNR0, K_WRITE_IMM_RNR0, K_SEND_DEREG_LKEY, K_WRITE_DEREG_RKEY,
	K_ATOMIC_PAST_END,
};

/* Responder expectations besides a receive status. */
enum { UNAFFECTED = -1, ANY_ERROR = -2, DONT_CARE = -3 };

struct ecase {
	enum kind kind;
	const char *name;
	int req_status;		/* or ANY_ERROR */
	int resp_status;	/* responder's first receive, or UNAFFECTED */
	__u32 resp_access;	/* 0: all */
	__u8 rnr_retry;		/* 0 in the table: 7 */
	__u8 min_rnr_timer;	/* 0 in the table: 1 */
	bool data_moves;	/* the responder buffer may change */
};

#define ALL_BUT(x)	(U_RC_ACCESS & ~(x))
#define RNR_RETRY_0	0x80	/* marker: rnr_retry 0 */

static const struct ecase cases[] = {
	{ .kind = K_SEND_BAD_LKEY,
	  .name = "SEND with an unknown lkey",
	  .req_status = HWQNIC_WC_LOC_PROT_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_SEND_PAST_END,
	  .name = "SEND with an SGE running past its MR's end",
	  .req_status = HWQNIC_WC_LOC_PROT_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_SEND_BEFORE_START,
	  .name = "SEND with an SGE starting before its MR",
	  .req_status = HWQNIC_WC_LOC_PROT_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_SEND_OTHER_PD,
	  .name = "SEND with an lkey of another PD",
	  .req_status = HWQNIC_WC_LOC_PROT_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_WRITE_BAD_LKEY,
	  .name = "RDMA_WRITE with an unknown lkey",
	  .req_status = HWQNIC_WC_LOC_PROT_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_READ_NO_LOCAL_WRITE,
	  .name = "RDMA_READ into an MR without LOCAL_WRITE",
	  .req_status = HWQNIC_WC_LOC_PROT_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_READ_OTHER_PD,
	  .name = "RDMA_READ into an lkey of another PD",
	  .req_status = HWQNIC_WC_LOC_PROT_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_ATOMIC_NO_LOCAL_WRITE,
	  .name = "FETCH_AND_ADD result into an MR without LOCAL_WRITE",
	  .req_status = HWQNIC_WC_LOC_PROT_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_RECV_NO_LOCAL_WRITE,
	  .name = "SEND into a receive MR without LOCAL_WRITE",
	  .req_status = ANY_ERROR,
	  .resp_status = HWQNIC_WC_LOC_PROT_ERR },
	{ .kind = K_WRITE_BAD_RKEY,
	  .name = "RDMA_WRITE with an unknown rkey",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_WRITE_PAST_END,
	  .name = "RDMA_WRITE running past the remote MR's end",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_READ_PAST_END,
	  .name = "RDMA_READ running past the remote MR's end",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_READ_BEFORE_START,
	  .name = "RDMA_READ starting before the remote MR",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_WRITE_NO_REMOTE_WRITE,
	  .name = "RDMA_WRITE to an MR without REMOTE_WRITE",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_READ_NO_REMOTE_READ,
	  .name = "RDMA_READ from an MR without REMOTE_READ",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_ATOMIC_NO_REMOTE_ATOMIC,
	  .name = "CMP_AND_SWP on an MR without REMOTE_ATOMIC",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_WRITE_QP_NO_WRITE,
	  .name = "RDMA_WRITE to a responder QP without REMOTE_WRITE",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED,
	  .resp_access = ALL_BUT(HWQNIC_ACCESS_REMOTE_WRITE) },
	{ .kind = K_READ_QP_NO_READ,
	  .name = "RDMA_READ from a responder QP without REMOTE_READ",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED,
	  .resp_access = ALL_BUT(HWQNIC_ACCESS_REMOTE_READ) },
	{ .kind = K_ATOMIC_QP_NO_ATOMIC,
	  .name = "FETCH_AND_ADD on a responder QP without REMOTE_ATOMIC",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED,
	  .resp_access = ALL_BUT(HWQNIC_ACCESS_REMOTE_ATOMIC) },
	{ .kind = K_WRITE_OTHER_PD,
	  .name = "RDMA_WRITE with an rkey of a PD not the responder QP's",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_ATOMIC_OTHER_PD,
	  .name = "FETCH_AND_ADD with an rkey of a PD not the responder QP's",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_WRITE_IMM_BAD_RKEY,
	  .name = "RDMA_WRITE_WITH_IMM with an unknown rkey",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_SEND_TOO_LONG,
	  .name = "SEND longer than the receive buffer",
	  .req_status = HWQNIC_WC_REM_INV_REQ_ERR,
	  .resp_status = HWQNIC_WC_LOC_LEN_ERR,
	  .data_moves = true },
	{ .kind = K_ATOMIC_MISALIGNED,
	  .name = "FETCH_AND_ADD at a misaligned remote address",
	  .req_status = HWQNIC_WC_REM_INV_REQ_ERR,
	  .resp_status = DONT_CARE },
	{ .kind = K_RNR,
	  .name = "SEND with no receive posted, rnr_retry 3, timer 10.24 ms",
	  .req_status = HWQNIC_WC_RNR_RETRY_EXC_ERR,
	  .resp_status = UNAFFECTED,
	  .rnr_retry = 3,
	  .min_rnr_timer = 20 },
	{ .kind = K_RNR0,
	  .name = "SEND with no receive posted, rnr_retry 0",
	  .req_status = HWQNIC_WC_RNR_RETRY_EXC_ERR,
	  .resp_status = UNAFFECTED,
	  .rnr_retry = RNR_RETRY_0,
	  .min_rnr_timer = 1 },
	{ .kind = K_WRITE_IMM_RNR0,
	  .name = "RDMA_WRITE_WITH_IMM with no receive posted, rnr_retry 0",
	  .req_status = HWQNIC_WC_RNR_RETRY_EXC_ERR,
	  .resp_status = UNAFFECTED,
	  .rnr_retry = RNR_RETRY_0,
	  .min_rnr_timer = 1,
	  .data_moves = true },
	{ .kind = K_SEND_DEREG_LKEY,
	  .name = "SEND with the lkey of a deregistered MR",
	  .req_status = HWQNIC_WC_LOC_PROT_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_WRITE_DEREG_RKEY,
	  .name = "RDMA_WRITE with the rkey of a deregistered MR",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
	{ .kind = K_ATOMIC_PAST_END,
	  .name = "FETCH_AND_ADD just past the remote MR's end",
	  .req_status = HWQNIC_WC_REM_ACCESS_ERR,
	  .resp_status = UNAFFECTED },
};

/* The bad WR of a case. */
static void build(enum kind k, struct hwqnic_send_wr *wr,
		  struct hwqnic_sge *sge)
{
	memset(wr, 0, sizeof(*wr));
	wr->wr_id = 101;
	wr->sg_list = sge;
	wr->num_sge = 1;
	wr->opcode = HWQNIC_WR_SEND;
	*sge = rsge(R_A, 0, 64);
	wr->wr.rdma.remote_addr = ra(R_B, 0);
	wr->wr.rdma.rkey = mr[R_B]->rkey;

	switch (k) {
	case K_SEND_BAD_LKEY:
		sge->lkey = bogus_key;
		break;
	case K_SEND_PAST_END:
		*sge = rsge(R_A, MR_LEN - 32, 33);
		break;
	case K_SEND_BEFORE_START:
		*sge = rsge(R_A, -1, 64);
		break;
	case K_SEND_OTHER_PD:
		*sge = rsge(R_OTHER, 0, 64);
		break;
	case K_WRITE_BAD_LKEY:
		wr->opcode = HWQNIC_WR_RDMA_WRITE;
		sge->lkey = bogus_key;
		break;
	case K_READ_NO_LOCAL_WRITE:
		wr->opcode = HWQNIC_WR_RDMA_READ;
		*sge = rsge(R_NOLOCAL, 0, 64);
		break;
	case K_READ_OTHER_PD:
		wr->opcode = HWQNIC_WR_RDMA_READ;
		*sge = rsge(R_OTHER, 0, 64);
		break;
	case K_ATOMIC_NO_LOCAL_WRITE:
		wr->opcode = HWQNIC_WR_ATOMIC_FETCH_AND_ADD;
		*sge = rsge(R_NOLOCAL, 0, 8);
		wr->wr.atomic.remote_addr = ra(R_B, 0);
		wr->wr.atomic.rkey = mr[R_B]->rkey;
		wr->wr.atomic.compare_add = 1;
		break;
	case K_RECV_NO_LOCAL_WRITE:
	case K_RNR:
	case K_RNR0:
		break;
	case K_WRITE_IMM_RNR0:
		wr->opcode = HWQNIC_WR_RDMA_WRITE_WITH_IMM;
		wr->imm_data = htobe32(0x4321);
		break;
	case K_SEND_DEREG_LKEY:
		sge->lkey = dead_lkey;
		break;
	case K_WRITE_DEREG_RKEY:
		wr->opcode = HWQNIC_WR_RDMA_WRITE;
		wr->wr.rdma.rkey = dead_rkey;
		break;
	case K_ATOMIC_PAST_END:
		wr->opcode = HWQNIC_WR_ATOMIC_FETCH_AND_ADD;
		*sge = rsge(R_A, 0, 8);
		wr->wr.atomic.remote_addr = ra(R_B, MR_LEN);
		wr->wr.atomic.rkey = mr[R_B]->rkey;
		wr->wr.atomic.compare_add = 1;
		break;
	case K_WRITE_BAD_RKEY:
		wr->opcode = HWQNIC_WR_RDMA_WRITE;
		wr->wr.rdma.rkey = bogus_key;
		break;
	case K_WRITE_PAST_END:
		wr->opcode = HWQNIC_WR_RDMA_WRITE;
		wr->wr.rdma.remote_addr = ra(R_B, MR_LEN - 63);
		break;
	case K_READ_PAST_END:
		wr->opcode = HWQNIC_WR_RDMA_READ;
		wr->wr.rdma.remote_addr = ra(R_B, MR_LEN - 63);
		break;
	case K_READ_BEFORE_START:
		wr->opcode = HWQNIC_WR_RDMA_READ;
		wr->wr.rdma.remote_addr = ra(R_B, -8);
		break;
	case K_WRITE_NO_REMOTE_WRITE:
		wr->opcode = HWQNIC_WR_RDMA_WRITE;
		wr->wr.rdma.remote_addr = ra(R_NOWRITE, 0);
		wr->wr.rdma.rkey = mr[R_NOWRITE]->rkey;
		break;
	case K_READ_NO_REMOTE_READ:
		wr->opcode = HWQNIC_WR_RDMA_READ;
		wr->wr.rdma.remote_addr = ra(R_NOREAD, 0);
		wr->wr.rdma.rkey = mr[R_NOREAD]->rkey;
		break;
	case K_ATOMIC_NO_REMOTE_ATOMIC:
		wr->opcode = HWQNIC_WR_ATOMIC_CMP_AND_SWP;
		*sge = rsge(R_A, 0, 8);
		wr->wr.atomic.remote_addr = ra(R_NOATOMIC, 0);
		wr->wr.atomic.rkey = mr[R_NOATOMIC]->rkey;
		memcpy(&wr->wr.atomic.compare_add, rp(R_NOATOMIC, 0), 8);
		wr->wr.atomic.swap = ~wr->wr.atomic.compare_add;
		break;
	case K_WRITE_QP_NO_WRITE:
		wr->opcode = HWQNIC_WR_RDMA_WRITE;
		break;
	case K_READ_QP_NO_READ:
		wr->opcode = HWQNIC_WR_RDMA_READ;
		break;
	case K_ATOMIC_QP_NO_ATOMIC:
		wr->opcode = HWQNIC_WR_ATOMIC_FETCH_AND_ADD;
		*sge = rsge(R_A, 0, 8);
		wr->wr.atomic.remote_addr = ra(R_B, 0);
		wr->wr.atomic.rkey = mr[R_B]->rkey;
		wr->wr.atomic.compare_add = 1;
		break;
	case K_WRITE_OTHER_PD:
		wr->opcode = HWQNIC_WR_RDMA_WRITE;
		wr->wr.rdma.remote_addr = ra(R_OTHER, 0);
		wr->wr.rdma.rkey = mr[R_OTHER]->rkey;
		break;
	case K_ATOMIC_OTHER_PD:
		wr->opcode = HWQNIC_WR_ATOMIC_FETCH_AND_ADD;
		*sge = rsge(R_A, 0, 8);
		wr->wr.atomic.remote_addr = ra(R_OTHER, 0);
		wr->wr.atomic.rkey = mr[R_OTHER]->rkey;
		wr->wr.atomic.compare_add = 1;
		break;
	case K_WRITE_IMM_BAD_RKEY:
		wr->opcode = HWQNIC_WR_RDMA_WRITE_WITH_IMM;
		wr->wr.rdma.rkey = bogus_key;
		wr->imm_data = htobe32(0x1234);
		break;
	case K_SEND_TOO_LONG:
		*sge = rsge(R_A, 0, 129);
		break;
	case K_ATOMIC_MISALIGNED:
		wr->opcode = HWQNIC_WR_ATOMIC_FETCH_AND_ADD;
		*sge = rsge(R_A, 0, 8);
		wr->wr.atomic.remote_addr = ra(R_B, 4);
		wr->wr.atomic.rkey = mr[R_B]->rkey;
		wr->wr.atomic.compare_add = 1;
		break;
	}
}

static void drain(struct hwqnic_cq *cq)
{
	struct hwqnic_wc wc[16];

	while (hwqnic_poll_cq(cq, 16, wc) > 0)
		;
}

static int to_reset(struct hwqnic_qp *qp)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RESET;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE);
}

/* RESET both, reconnect, and move one SEND: the pair works again. */
static const char *recover(struct u_pair *p)
{
	struct hwqnic_sge s = rsge(R_A, 256, 100), r = rsge(R_B, 1024, 128);
	const char *why;

	if (to_reset(p->a.qp) || to_reset(p->b.qp))
		return "modify to RESET failed";
	if (p->a.qp->state != HWQNIC_QPS_RESET ||
	    u_qp_state(p->a.qp) != HWQNIC_QPS_RESET)
		return "not in RESET after modify";
	drain(p->a.scq);
	drain(p->a.rcq);
	drain(p->b.scq);
	drain(p->b.rcq);
	p->a.cfg.rnr_retry = 7;
	if (u_rc_connect(&p->a, &p->b))
		return "reconnect failed";
	u_fill_rand(rp(R_A, 256), 100, &seed);
	if (u_post_recv(p->b.qp, 400, &r, 1) ||
	    u_post_send(p->a.qp, HWQNIC_WR_SEND, 401, &s, 1,
			HWQNIC_SEND_SIGNALED, 0, 0, 0))
		return "post failed";
	why = u_expect_wc(p->a.scq, 401, HWQNIC_WC_SUCCESS, HWQNIC_WC_SEND,
			  100, 0, NULL);
	if (!why)
		why = u_expect_wc(p->b.rcq, 400, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RECV, 100, 0, NULL);
	if (!why && memcmp(rp(R_A, 256), rp(R_B, 1024), 100))
		why = "payload differs";
	return why;
}

static void run_case(const struct ecase *c, int idx)
{
	struct hwqnic_send_wr wr[5], *bad;
	struct hwqnic_sge sge[5], r;
	struct hwqnic_wc wc[8];
	struct u_qp_cfg ca, cb;
	struct u_pair p;
	bool signaled = !(idx & 1);
	bool good_read = c->resp_access &&
			 !(c->resp_access & HWQNIC_ACCESS_REMOTE_WRITE);
	const char *why = NULL;
	uint64_t t0 = 0, t1 = 0;
	int i, got, rc;

	u_qp_cfg_default(&ca);
	ca.max_send_wr = 16;
	ca.max_recv_wr = 16;
	ca.rd_atomic = U_MIN(dev.attr.max_qp_rd_atom, 4);
	if (c->rnr_retry)
		ca.rnr_retry = c->rnr_retry == RNR_RETRY_0 ? 0 : c->rnr_retry;
	/* the responder's timer is the one that counts; set both */
	if (c->min_rnr_timer)
		ca.min_rnr_timer = c->min_rnr_timer;
	cb = ca;
	if (c->resp_access)
		cb.access = c->resp_access;
	if (!ok(!u_pair_create2(&p, dev.pd, &ca, dev.pd, &cb),
		"%s: pair set up", c->name))
		return;

	/* responder: two receives, unless it is about RNR */
	if (c->kind != K_RNR && c->kind != K_RNR0 &&
	    c->kind != K_WRITE_IMM_RNR0) {
		r = c->kind == K_RECV_NO_LOCAL_WRITE ? rsge(R_NOLOCAL, 0, 256) :
		    rsge(R_B, 1024, c->kind == K_SEND_TOO_LONG ? 128 : 256);
		rc = u_post_recv(p.b.qp, 300, &r, 1);
		r = rsge(R_B, 1536, 256);
		rc = rc ? rc : u_post_recv(p.b.qp, 301, &r, 1);
	} else {
		rc = 0;
	}
	/* requester: two receives that must flush */
	r = rsge(R_A, 1024, 256);
	rc = rc ? rc : u_post_recv(p.a.qp, 200, &r, 1);
	r = rsge(R_A, 1536, 256);
	rc = rc ? rc : u_post_recv(p.a.qp, 201, &r, 1);

	/*
	 * 100: a good RDMA_WRITE (a READ when the responder QP refuses
	 * writes); 101: the bad WR; 102-104: to be flushed
	 */
	memset(wr, 0, sizeof(wr));
	sge[0] = rsge(R_A, 512, 64);
	wr[0].wr_id = 100;
	wr[0].sg_list = &sge[0];
	wr[0].num_sge = 1;
	wr[0].opcode = good_read ? HWQNIC_WR_RDMA_READ : HWQNIC_WR_RDMA_WRITE;
	wr[0].send_flags = HWQNIC_SEND_SIGNALED;
	wr[0].wr.rdma.remote_addr = ra(R_W, 0);
	wr[0].wr.rdma.rkey = mr[R_W]->rkey;
	build(c->kind, &wr[1], &sge[1]);
	wr[1].send_flags = signaled ? HWQNIC_SEND_SIGNALED : 0;
	for (i = 2; i < 5; i++) {
		sge[i] = rsge(R_A, 64 * i, 64);
		wr[i].wr_id = 100 + i;
		wr[i].sg_list = &sge[i];
		wr[i].num_sge = 1;
		wr[i].opcode = i == 2 ? HWQNIC_WR_SEND : HWQNIC_WR_RDMA_WRITE;
		wr[i].send_flags = i == 3 ? 0 : HWQNIC_SEND_SIGNALED;
		wr[i].wr.rdma.remote_addr = ra(R_B, 64 * i);
		wr[i].wr.rdma.rkey = mr[R_B]->rkey;
	}
	for (i = 0; i < 4; i++)
		wr[i].next = &wr[i + 1];

	memcpy(snap, arena, ARENA);
	if (good_read)
		memcpy(snap + R_A * REGION + MR_OFF + 512, rp(R_W, 0), 64);
	else
		memcpy(snap + R_W * REGION + MR_OFF, rp(R_A, 512), 64);
	t0 = u_now_ns();
	rc = rc ? rc : hwqnic_post_send(p.a.qp, &wr[0], &bad);
	if (!ok(!rc, "%s: posted (%s bad WR)", c->name,
		signaled ? "signaled" : "unsignaled"))
		goto out;

	/* the good write, the error, then three flushes, in order */
	got = u_wait_cq(p.a.scq, 2, wc);
	t1 = u_now_ns();
	if (got < 1)
		why = "no completion at all";
	else
		why = u_wc_check(&wc[0], 100, HWQNIC_WC_SUCCESS,
				 good_read ? HWQNIC_WC_RDMA_READ :
				 HWQNIC_WC_RDMA_WRITE, 64, 0);
	if (!why && got < 2)
		why = "no completion for the bad WR";
	if (!why && wc[1].wr_id != 101)
		why = "second completion is not the bad WR's";
	if (!why && c->req_status == ANY_ERROR &&
	    wc[1].status == HWQNIC_WC_SUCCESS)
		why = "bad WR completed with SUCCESS";
	if (!why && c->req_status != ANY_ERROR)
		why = u_wc_check(&wc[1], 101, c->req_status, 0, -1,
				 p.a.qp->qp_num);
	ok_why(why, "%s: requester gets %s", c->name,
	   c->req_status == ANY_ERROR ? "an error" :
	   hwqnic_wc_status_str(c->req_status));
	if (got == 2 && c->req_status == ANY_ERROR)
		diag("%s: requester status %s", c->name,
		     hwqnic_wc_status_str(wc[1].status));
	if (c->kind == K_RNR)
		ok(t1 - t0 >= 3 * 10240000ULL * 9 / 10,
		   "%s: the error came after 3 retries of 10.24 ms (%.1f ms)",
		   c->name, (t1 - t0) / 1e6);

	got = u_wait_cq(p.a.scq, 3, wc);
	why = got == 3 ? NULL : "missing flush completions";
	for (i = 0; i < got && !why; i++)
		why = u_wc_check(&wc[i], 102 + i, HWQNIC_WC_WR_FLUSH_ERR, 0,
				 -1, p.a.qp->qp_num);
	if (!why) {
		got = u_wait_cq(p.a.rcq, 2, wc);
		why = got == 2 ? NULL : "missing receive flush completions";
		for (i = 0; i < got && !why; i++)
			why = u_wc_check(&wc[i], 200 + i,
					 HWQNIC_WC_WR_FLUSH_ERR, 0, -1,
					 p.a.qp->qp_num);
	}
	ok_why(why, "%s: the 3 later WRs (one unsignaled) and 2 receives flush in order, with the QPN",
	   c->name);

	ok(p.a.qp->state == HWQNIC_QPS_ERR &&
	   u_qp_state(p.a.qp) == HWQNIC_QPS_ERR,
	   "%s: requester QP in ERR (qp->state %s, query %s)", c->name,
	   hwqnic_qp_state_str(p.a.qp->state),
	   hwqnic_qp_state_str(u_qp_state(p.a.qp)));

	/* WRs posted in ERR flush too */
	sge[0] = rsge(R_A, 0, 16);
	r = rsge(R_A, 2048 - 64, 64);
	rc = u_post_send(p.a.qp, HWQNIC_WR_SEND, 105, &sge[0], 1, 0, 0, 0, 0);
	why = rc ? "post_send in ERR failed" : NULL;
	if (!why)
		why = u_expect_wc(p.a.scq, 105, HWQNIC_WC_WR_FLUSH_ERR, 0, -1,
				  0, NULL);
	if (!why && u_post_recv(p.a.qp, 202, &r, 1))
		why = "post_recv in ERR failed";
	if (!why)
		why = u_expect_wc(p.a.rcq, 202, HWQNIC_WC_WR_FLUSH_ERR, 0, -1,
				  0, NULL);
	ok_why(why, "%s: an unsignaled SEND and a receive posted in ERR complete with WR_FLUSH_ERR",
	   c->name);

	/* the responder */
	if (c->resp_status == UNAFFECTED) {
		got = u_cq_quiet(p.b.rcq, 20, &wc[0]);
		got += u_cq_quiet(p.b.scq, 1, &wc[0]);
		ok(!got && p.b.qp->state == HWQNIC_QPS_RTS &&
		   u_qp_state(p.b.qp) == HWQNIC_QPS_RTS,
		   "%s: responder unaffected: RTS, receives not consumed (%d completions%s%s, state %s)",
		   c->name, got, got ? ", first " : "",
		   got ? hwqnic_wc_status_str(wc[0].status) : "",
		   hwqnic_qp_state_str(u_qp_state(p.b.qp)));
	} else if (c->resp_status != DONT_CARE) {
		got = u_wait_cq(p.b.rcq, 2, wc);
		why = got == 2 ? NULL : "missing receive completions";
		if (!why)
			why = u_wc_check(&wc[0], 300, c->resp_status, 0, -1,
					 p.b.qp->qp_num);
		if (!why)
			why = u_wc_check(&wc[1], 301, HWQNIC_WC_WR_FLUSH_ERR, 0,
					 -1, p.b.qp->qp_num);
		if (!why && (p.b.qp->state != HWQNIC_QPS_ERR ||
			     u_qp_state(p.b.qp) != HWQNIC_QPS_ERR))
			why = "responder QP not in ERR";
		ok_why(why, "%s: responder's receive gets %s, the next flushes, QP in ERR",
		   c->name, hwqnic_wc_status_str(c->resp_status));
	}

	if (!c->data_moves) {
		long d = u_first_diff(arena, snap, ARENA);

		ok(d < 0, "%s: no byte moved but the good write's%s%ld", c->name,
		   d < 0 ? "" : ": changed at region offset ",
		   d < 0 ? 0 : d % REGION);
	}
	why = recover(&p);
	ok_why(why, "%s: after RESET and reconnect the pair works", c->name);
out:
	u_pair_destroy(&p);
}

/* A SEND waits out RNR NAKs until a receive is posted, then succeeds. */
static void rnr_recovers(__u8 retry, __u8 timer, unsigned int wait_ms,
			 const char *what)
{
	struct hwqnic_sge s = rsge(R_A, 0, 200), r = rsge(R_B, 0, 256);
	struct u_qp_cfg ca, cb;
	struct hwqnic_wc wc;
	struct u_pair p;
	const char *why;
	int got;

	u_qp_cfg_default(&ca);
	ca.rnr_retry = retry;
	ca.min_rnr_timer = timer;
	cb = ca;
	if (!ok(!u_pair_create2(&p, dev.pd, &ca, dev.pd, &cb),
		"RNR, %s: pair set up", what))
		return;
	u_fill_rand(rp(R_A, 0), 200, &seed);
	if (u_post_send(p.a.qp, HWQNIC_WR_SEND, 1, &s, 1,
			HWQNIC_SEND_SIGNALED, 0, 0, 0)) {
		ok(0, "RNR, %s: post_send", what);
		goto out;
	}
	got = u_cq_quiet(p.a.scq, wait_ms, &wc);
	ok(!got && p.a.qp->state == HWQNIC_QPS_RTS,
	   "RNR, %s: no completion while no receive is posted (%d, first %s)",
	   what, got, got ? hwqnic_wc_status_str(wc.status) : "-");
	why = u_post_recv(p.b.qp, 2, &r, 1) ? "post_recv failed" : NULL;
	if (!why)
		why = u_expect_wc(p.a.scq, 1, HWQNIC_WC_SUCCESS, HWQNIC_WC_SEND,
				  200, 0, NULL);
	if (!why)
		why = u_expect_wc(p.b.rcq, 2, HWQNIC_WC_SUCCESS, HWQNIC_WC_RECV,
				  200, 0, NULL);
	if (!why && memcmp(rp(R_A, 0), rp(R_B, 0), 200))
		why = "payload differs";
	ok_why(why, "RNR, %s: the SEND succeeds once a receive is posted",
	   what);
out:
	u_pair_destroy(&p);
}

/* Moving a QP to ERR by hand flushes everything outstanding. */
static void modify_to_err(void)
{
	struct hwqnic_sge s = rsge(R_A, 0, 64), r = rsge(R_A, 1024, 256);
	struct hwqnic_qp_attr a;
	struct u_qp_cfg cfg;
	struct hwqnic_wc wc[4];
	struct u_pair p;
	const char *why = NULL;
	int i, rc = 0, got;

	u_qp_cfg_default(&cfg);
	if (!ok(!u_pair_create(&p, dev.pd, &cfg), "pair for modify to ERR"))
		return;
	/* a SEND stuck in RNR (retrying forever), an unsignaled one behind */
	rc = u_post_send(p.a.qp, HWQNIC_WR_SEND, 1, &s, 1,
			 HWQNIC_SEND_SIGNALED, 0, 0, 0);
	rc = rc ? rc : u_post_send(p.a.qp, HWQNIC_WR_SEND, 2, &s, 1, 0, 0, 0,
				   0);
	for (i = 0; i < 3 && !rc; i++)
		rc = u_post_recv(p.a.qp, 10 + i, &r, 1);
	got = u_cq_quiet(p.a.scq, 20, wc);
	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_ERR;
	if (!ok(!rc && !got && !hwqnic_modify_qp(p.a.qp, &a, HWQNIC_QP_STATE)
		&& p.a.qp->state == HWQNIC_QPS_ERR &&
		u_qp_state(p.a.qp) == HWQNIC_QPS_ERR,
		"RTS -> ERR by modify_qp, with a SEND stuck in RNR"))
		goto out;
	got = u_wait_cq(p.a.scq, 2, wc);
	for (i = 0; i < got && !why; i++)
		why = u_wc_check(&wc[i], 1 + i, HWQNIC_WC_WR_FLUSH_ERR, 0, -1,
				 p.a.qp->qp_num);
	if (!why && got != 2)
		why = "missing send flushes";
	got = why ? 0 : u_wait_cq(p.a.rcq, 3, wc);
	for (i = 0; i < got && !why; i++)
		why = u_wc_check(&wc[i], 10 + i, HWQNIC_WC_WR_FLUSH_ERR, 0,
				 -1, p.a.qp->qp_num);
	if (!why && got != 3)
		why = "missing receive flushes";
	ok_why(why, "both SENDs (one unsignaled) and 3 receives flush in order");
	got = u_cq_quiet(p.b.rcq, 20, wc);
	ok(!got && p.b.qp->state == HWQNIC_QPS_RTS,
	   "the peer received nothing and stays in RTS");
out:
	u_pair_destroy(&p);
}

/* Destroying QPs with work in flight or stuck in RNR is clean. */
static void destroy_busy(void)
{
	struct hwqnic_sge s = rsge(R_A, 0, MR_LEN), r = rsge(R_B, 0, MR_LEN);
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct hwqnic_wc wc;
	int i, rc = 0;

	/* a SEND retrying forever, more WRs queued behind it */
	u_qp_cfg_default(&cfg);
	cfg.rnr_retry = 7;
	if (!ok(!u_pair_create(&p, dev.pd, &cfg), "busy pair set up"))
		return;
	for (i = 0; i < 8 && !rc; i++)
		rc = u_post_send(p.a.qp, HWQNIC_WR_SEND, i, &s, 1,
				 HWQNIC_SEND_SIGNALED, 0, 0, 0);
	for (i = 0; i < 4 && !rc; i++)
		rc = u_post_recv(p.a.qp, i, &r, 1);
	ok(!rc && !u_cq_quiet(p.a.scq, 20, &wc),
	   "8 SENDs stuck in RNR retry, 4 receives waiting");
	ok(!u_pair_destroy(&p),
	   "QPs and CQs destroyed with a SEND stuck in RNR retry");

	/* many RDMA_WRITEs in flight */
	if (!ok(!u_pair_create(&p, dev.pd, &cfg), "second busy pair set up"))
		return;
	for (i = 0; i < 32 && !rc; i++)
		rc = u_post_send(p.a.qp, HWQNIC_WR_RDMA_WRITE, i, &s, 1,
				 HWQNIC_SEND_SIGNALED, ra(R_W, 0),
				 mr[R_W]->rkey, 0);
	ok(!rc && !u_pair_destroy(&p),
	   "QPs and CQs destroyed right after posting 32 RDMA_WRITEs");
}

static void suite(void)
{
	unsigned int i;
	int rc = 0;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	pd2 = hwqnic_alloc_pd(dev.ctx);
	if (posix_memalign((void **)&arena, 4096, ARENA))
		arena = NULL;
	snap = malloc(ARENA);
	if (!pd2 || !arena)
		rc = ENOMEM;
	else
		u_fill_rand(arena, ARENA, &seed);
	for (i = 0; i < R_NUM && !rc; i++) {
		mr[i] = hwqnic_reg_mr(i == R_OTHER ? pd2 : dev.pd, rp(i, 0),
				      MR_LEN, region_access[i]);
		if (!mr[i])
			rc = errno;
	}
	if (!ok(!rc, "two PDs and %d MRs", R_NUM))
		goto out;
	/* the keys of an MR that is gone */
	{
		struct hwqnic_mr *m = hwqnic_reg_mr(dev.pd, rp(R_A, 0), MR_LEN,
						    U_RC_ACCESS);

		if (!ok(m != NULL, "an MR to deregister"))
			goto out;
		dead_lkey = m->lkey;
		dead_rkey = m->rkey;
		ok(!hwqnic_dereg_mr(m), "deregistered (lkey %#x, rkey %#x)",
		   dead_lkey, dead_rkey);
	}
	/* a key no MR has */
	for (bogus_key = 0x5a5a0000U; ; bogus_key++) {
		for (i = 0; i < R_NUM; i++)
			if (mr[i]->lkey == bogus_key ||
			    mr[i]->rkey == bogus_key)
				break;
		if (i == R_NUM)
			break;
	}

	for (i = 0; i < U_ARRAY_SIZE(cases); i++)
		run_case(&cases[i], i);
	rnr_recovers(7, 1, 100, "rnr_retry 7 (forever), timer 0.01 ms");
	rnr_recovers(6, 26, 20, "rnr_retry 6, timer 81.92 ms");
	modify_to_err();
	destroy_busy();
out:
	for (i = 0; i < R_NUM; i++)
		if (mr[i])
			hwqnic_dereg_mr(mr[i]);
	if (pd2)
		hwqnic_dealloc_pd(pd2);
	free(arena);
	free(snap);
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
