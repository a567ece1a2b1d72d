// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the engine against hostile queue memory. The input is
 * a program for a host that writes whatever it likes into its SQ and RQ
 * slots and doorbell slots, then lets the engine run. Invariants checked
 * after every program: the bytes around the read-write MR and all of a
 * read-only MR are untouched, every CQE is well-formed, times written
 * back into a WQE's slot are in order and not in the future, the engine
 * goes idle within a bounded number of passes, and teardown frees
 * everything.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/core_rig.h"

#define RO_LEN	4096
#define PASSES	4096	/* a pass with work each time: the engine loops */

/* A read-only MR: no right to write it, locally or remotely. */
struct ro {
	struct hwqnic_core_mr mr;
	u8 *mem;
};

struct in {
	const u8 *p;
	size_t n;
};

static u64 take(struct in *in, u32 bytes)
{
	u64 v = 0;

	while (bytes--) {
		v = v << 8 | (in->n ? *in->p : 0);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

static bool idle(struct rig *r)
{
	u32 i;

	for (i = 0; i < PASSES; i++)
		if (!hwqnic_engine_poll(&r->dev))
			return true;
	return false;
}

/* Addresses near the MRs: often valid, often across an edge. */
static u64 addr_near(struct rig *r, struct ro *ro, u8 sel, u16 off)
{
	u64 rw = (uintptr_t)(r->mem + GUARD + SLACK);

	switch (sel % 4) {
	case 0:
		return rw + off % BUF;
	case 1:
		return rw - 128 + off % 256;
	case 2:
		return rw + BUF - 2 * SLACK - 128 + off % 256;
	default:
		return (uintptr_t)ro->mem + off % (RO_LEN + 64) - 32;
	}
}

static u32 key_pick(struct rig *r, struct ro *ro, u8 sel, u32 raw)
{
	switch (sel % 4) {
	case 0:
	case 1:
		return r->mr.key;
	case 2:
		return ro->mr.key;
	default:
		return raw;
	}
}

/* A send WQE: raw bytes, with fields steered towards what passes checks. */
static void op_send(struct rig *r, struct ro *ro, struct hwqnic_core_qp *q,
		    struct in *in)
{
	u32 stride = 1U << q->sq.stride_shift, i;
	u8 *slot = hwqnic_hwq_get_qe(&q->sq, q->sq.prod.val);
	struct hwqnic_send_wqe *w = (void *)slot;
	struct hwqnic_wqe_sge *sge = (void *)(w + 1);
	u8 shape = take(in, 1);

	/* the header and four SGEs (or 64 inline bytes) from the input */
	for (i = 0; i < stride; i++)
		slot[i] = i < 128 ? take(in, 1) : i;
	if (shape & 1) {
		w->opcode %= HWQNIC_WR_MAX;
		w->num_sge %= 5;
		w->flags &= HWQNIC_WQE_F_ALL;
		w->length = cpu_to_le32(le32_to_cpu(w->length) % 8192);
		w->rkey = cpu_to_le32(key_pick(r, ro, shape >> 1,
					       le32_to_cpu(w->rkey)));
		w->remote_addr = cpu_to_le64(addr_near(r, ro, shape >> 3,
					     le64_to_cpu(w->remote_addr)));
		w->dst_qpn = cpu_to_le32(shape & 0x20 ? r->a.qpn : r->b.qpn);
		for (i = 0; i < w->num_sge &&
		     (u8 *)(sge + i + 1) <= slot + stride; i++) {
			u64 a = le64_to_cpu(sge[i].addr);

			sge[i].lkey = cpu_to_le32(key_pick(r, ro, a >> 16,
							   le32_to_cpu(sge[i].lkey)));
			sge[i].addr = cpu_to_le64(addr_near(r, ro, a >> 24, a));
			sge[i].length = cpu_to_le32(le32_to_cpu(sge[i].length) %
						    8192);
		}
	}
	hwqnic_hwq_incr_prod(&q->sq, 1);
}

static void op_recv(struct rig *r, struct ro *ro, struct hwqnic_core_qp *q,
		    struct in *in)
{
	struct hwqnic_recv_wqe *w = hwqnic_hwq_get_qe(&q->rq, q->rq.prod.val);
	struct hwqnic_wqe_sge *sge = (void *)(w + 1);
	u8 shape = take(in, 1);
	u32 i;

	w->wr_id = cpu_to_le64(take(in, 8));
	w->num_sge = take(in, 1);
	w->flags = shape & 0x80 ? HWQNIC_RECV_F_TIMESTAMP : 0;
	if (shape & 1)
		w->num_sge %= 5;
	for (i = 0; i < 4; i++) {
		u64 a = take(in, 2);

		sge[i].lkey = cpu_to_le32(key_pick(r, ro, shape >> (1 + i),
						   take(in, 4)));
		sge[i].addr = cpu_to_le64(addr_near(r, ro, a >> 14, a));
		sge[i].length = cpu_to_le32(take(in, 2));
	}
	hwqnic_hwq_incr_prod(&q->rq, 1);
}

/*
 * Every CQE: a known QP, status and opcode, a length within reason, its
 * times (written back into its WQE's slot when the WQE asked) in order
 * and past; and no gauge counts more outstanding than its queue holds.
 */
static void drain(struct rig *r)
{
	struct hwqnic_wc_ts ts[16];
	struct hwqnic_wc wc[16];
	int n, i;

	while ((n = hwqnic_cq_poll_ts(&r->dev, &r->cq, 16, wc, ts)) > 0) {
		u64 now = hwqnic_os_now_ns();

		for (i = 0; i < n; i++) {
			if (ts[i].db_ns > ts[i].cqe_ns || ts[i].cqe_ns > now)
				abort();
			if (wc[i].status >= HWQNIC_WC_STATUS_MAX ||
			    (wc[i].qp_num != r->a.qpn &&
			     wc[i].qp_num != r->b.qpn) ||
			    (wc[i].opcode > HWQNIC_WC_FETCH_ADD &&
			     wc[i].opcode != HWQNIC_WC_RECV &&
			     wc[i].opcode != HWQNIC_WC_RECV_RDMA_WITH_IMM))
				abort();
			if (wc[i].status == HWQNIC_WC_SUCCESS &&
			    wc[i].opcode & HWQNIC_WC_RECV &&
			    wc[i].byte_len > 4 * 65535U)
				abort();
		}
	}
	if (r->a.cnt->sq_outstanding > r->a.sq.depth ||
	    r->b.cnt->sq_outstanding > r->b.sq.depth ||
	    r->a.cnt->rq_outstanding > r->a.rq.depth ||
	    r->b.cnt->rq_outstanding > r->b.rq.depth)
		abort();
}

static bool ro_setup(struct rig *r, struct ro *ro)
{
	dma_addr_t page;

	if (posix_memalign((void **)&ro->mem, 4096, RO_LEN))
		return false;
	memset(ro->mem, 0x5a, RO_LEN);
	page = hwqnic_os_va_to_dma(ro->mem);
	if (hwqnic_mr_reg(&r->dev, &ro->mr, &r->pd, (uintptr_t)ro->mem, RO_LEN,
			  HWQNIC_ACCESS_REMOTE_READ, &page, 1, 12)) {
		free(ro->mem);
		return false;
	}
	return true;
}

static void check_memory(const struct rig *r, const struct ro *ro)
{
	u32 i;

	for (i = 0; i < GUARD + SLACK; i++)
		if (r->mem[i] != 0xa5 || r->mem[GUARD + BUF - SLACK + i] != 0xa5)
			abort();
	for (i = 0; i < RO_LEN; i++)
		if (ro->mem[i] != 0x5a)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct rig r;
	struct ro ro;
	u32 steps = 0;

	if (rig_up(&r) || !ro_setup(&r, &ro))
		abort();
	while (in.n && steps++ < 256) {
		u8 op = take(&in, 1);
		struct hwqnic_core_qp *q = op & 0x80 ? &r.b : &r.a;

		switch (op & 7) {
		case 0:		/* a WQE in the next SQ slot */
			op_send(&r, &ro, q, &in);
			break;
		case 1:		/* the SQ doorbell, as the host would ring it */
			hwqnic_dev_ring(&r.dev, q->sq_slot,
					hwqnic_hwq_db(&q->sq, q->qpn,
						      HWQNIC_DB_SQ, 0) |
					(op & 0x40 ? HWQNIC_DB_STAMP : 0), true);
			break;
		case 2:		/* a receive WQE and its doorbell */
			op_recv(&r, &ro, q, &in);
			hwqnic_dev_ring(&r.dev, q->rq_slot,
					hwqnic_hwq_db(&q->rq, q->qpn,
						      HWQNIC_DB_RQ, 0) |
					(op & 0x40 ? HWQNIC_DB_STAMP : 0), true);
			break;
		case 3:		/* any value in any doorbell slot */
			hwqnic_dev_ring(&r.dev, take(&in, 2) % HWQNIC_DB_SLOTS,
					take(&in, 8), op & 8);
			break;
		case 4:
			if (!idle(&r))
				abort();
			break;
		case 5:
			drain(&r);
			break;
		case 6:		/* the host restores what it may have broken */
			hwqnic_dev_ring(&r.dev, r.cq.db_slot,
					hwqnic_hwq_db(&r.cq.hwq, r.cq.handle,
						      HWQNIC_DB_CQ, 0), false);
			/* or resets with completions left unpolled */
			if (op & 8 || r.a.nic.state == HWQNIC_QPS_ERR ||
			    r.b.nic.state == HWQNIC_QPS_ERR)
				reconnect(&r);
			break;
		default:	/* arm the CQ */
			hwqnic_cq_arm(&r.dev, &r.cq, op & 8);
			break;
		}
	}
	if (!idle(&r))
		abort();
	drain(&r);
	check_memory(&r, &ro);
	hwqnic_mr_dereg(&r.dev, &ro.mr);
	free(ro.mem);
	rig_down(&r);
	if (hwqnic_os_live_allocs(&r.dev.od))
		abort();
	return 0;
}
