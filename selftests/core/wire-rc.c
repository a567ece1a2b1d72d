// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * RC over a perfect wire (selftests/lib/wire.c): every opcode moves exactly
 * its bytes, no more, for sizes from 0 to 4 MiB across the MTU's
 * boundaries, at each path MTU from 256 to 4096 (1024 over IPv6, the
 * others over IPv4), with PSNs that wrap
 * through 2^24 on the way; SEND lands across two SGEs; both atomics
 * return the old value and apply once. Completions carry the right
 * opcode, length and immediate, and a perfect wire needs no retransmit
 * and drops nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bound.h"
#include "../lib/pattern.h"
#include "../lib/tap.h"
#include "../lib/wire.h"

#define GUARD_B		64
#define IMM		0x12345678U

static struct w_link L;
static size_t half;		/* source below, destination above */
static uint64_t seed;

/* Completions seen, by side. */
struct seen {
	struct hwqnic_wc a, b;
	int na, nb;
	int want_b;
};

static bool got(void *ctx)
{
	struct seen *s = ctx;
	struct hwqnic_wc wc;

	while (w_poll(&L.a, &wc, 1) == 1) {
		if (!s->na++)
			s->a = wc;
	}
	while (w_poll(&L.b, &wc, 1) == 1) {
		if (!s->nb++)
			s->b = wc;
	}
	return s->na >= 1 && s->nb >= s->want_b;
}

static void post_recv2(struct w_side *s, u64 off, u32 len)
{
	struct hwqnic_sge sge[2] = {
		{ w_addr(s, off), len / 2, s->mr.key },
		{ w_addr(s, off + len / 2), len - len / 2, s->mr.key },
	};
	struct hwqnic_recv_wr wr = { .wr_id = 0xb0b, .sg_list = sge,
				     .num_sge = 2 };
	const struct hwqnic_recv_wr *bad;

	hwqnic_qp_post_recv(&s->dev, &s->rc, &wr, &bad);
}

static int post(struct w_side *s, int opcode, u64 loff, u32 len, u64 raddr)
{
	struct hwqnic_sge sge = { w_addr(s, loff), len, s->mr.key };
	struct hwqnic_send_wr wr = {
		.wr_id = 0xa0a + opcode, .sg_list = &sge, .num_sge = 1,
		.opcode = opcode, .send_flags = HWQNIC_SEND_SIGNALED,
		.imm_data = IMM,
	};
	const struct hwqnic_send_wr *bad;

	if (opcode == HWQNIC_WR_ATOMIC_CMP_AND_SWP ||
	    opcode == HWQNIC_WR_ATOMIC_FETCH_AND_ADD) {
		wr.wr.atomic.remote_addr = raddr;
		wr.wr.atomic.rkey = L.b.mr.key;
		wr.wr.atomic.compare_add = 5;
		wr.wr.atomic.swap = 0x77;
	} else {
		wr.wr.rdma.remote_addr = raddr;
		wr.wr.rdma.rkey = L.b.mr.key;
	}
	return hwqnic_qp_post_send(&s->dev, &s->rc, &wr, &bad);
}

static const char *op_name(int op)
{
	static const char *const n[] = { "WRITE", "WRITE_IMM", "SEND",
					 "SEND_IMM", "READ" };

	return n[op];
}

/* The bytes moved, and the guard bytes around them untouched. */
static const char *check_bytes(const u8 *dst, const u8 *src, u32 len)
{
	static char why[96];
	long d = u_first_diff(dst, src, len);
	u32 i;

	if (d >= 0) {
		snprintf(why, sizeof(why), "byte %ld differs", d);
		return why;
	}
	for (i = 0; i < GUARD_B; i++)
		if (dst[-1 - (long)i] != 0xee || dst[len + i] != 0xee)
			return "a guard byte was written";
	return NULL;
}

/* One message of opcode op, len bytes, from A to B; every check on it. */
static bool one(int op, u32 len, u32 mtu)
{
	u64 soff = 128, doff = half + 128 + 3;
	struct seen s = { .want_b = op == HWQNIC_WR_SEND ||
			  op == HWQNIC_WR_SEND_WITH_IMM ||
			  op == HWQNIC_WR_RDMA_WRITE_WITH_IMM };
	struct w_side *src = op == HWQNIC_WR_RDMA_READ ? &L.b : &L.a;
	struct w_side *dst = op == HWQNIC_WR_RDMA_READ ? &L.a : &L.b;
	const char *why = NULL;
	u8 wc_op;

	u_fill_rand(src->mem + soff, len, &seed);
	memset(dst->mem + doff - GUARD_B, 0xee, len + 2 * GUARD_B);
	if (s.want_b)
		post_recv2(&L.b, doff, op == HWQNIC_WR_RDMA_WRITE_WITH_IMM ?
			   0 : len);
	if (op == HWQNIC_WR_RDMA_READ)
		post(&L.a, op, doff, len, w_addr(&L.b, soff));
	else
		post(&L.a, op, soff, len, w_addr(&L.b, doff));
	if (!w_run(&L, got, &s, 10000000))
		why = "no completion in time";
	wc_op = hwqnic_wr_wc_opcode(op);
	if (!why && (s.a.status || s.a.opcode != wc_op ||
		     s.a.wr_id != 0xa0a + (u64)op || s.na != 1))
		why = "the requester's completion is wrong";
	if (!why && s.want_b &&
	    (s.b.status || s.nb != 1 || s.b.byte_len != len ||
	     s.b.opcode != (op == HWQNIC_WR_RDMA_WRITE_WITH_IMM ?
			    HWQNIC_WC_RECV_RDMA_WITH_IMM : HWQNIC_WC_RECV) ||
	     (op != HWQNIC_WR_SEND &&
	      (!(s.b.wc_flags & HWQNIC_WC_F_WITH_IMM) || s.b.imm_data != IMM))))
		why = "the responder's completion is wrong";
	if (!why && !s.want_b && s.nb)
		why = "the responder completed something";
	if (!why)
		why = check_bytes(dst->mem + doff, src->mem + soff, len);
	return ok_why(why, "MTU %u: %s of %u bytes", mtu, op_name(op), len);
}

static bool got_atomic(void *ctx)
{
	struct seen *s = ctx;
	struct hwqnic_wc wc;

	while (w_poll(&L.a, &wc, 1) == 1)
		if (!s->na++)
			s->a = wc;
	return s->na >= 1;
}

static void atomics(void)
{
	u64 *target = (u64 *)(L.b.mem + half + 4096), *res =
		(u64 *)(L.a.mem + 4096);
	struct seen s = { 0 };

	*target = 5;
	*res = 0;
	post(&L.a, HWQNIC_WR_ATOMIC_CMP_AND_SWP, 4096, 8,
	     w_addr(&L.b, half + 4096));
	ok(w_run(&L, got_atomic, &s, 1000000) && !s.a.status &&
	   s.a.opcode == HWQNIC_WC_COMP_SWAP && *res == 5 && *target == 0x77,
	   "CMP_SWAP: old value 5 back, 0x77 in place (%llx, %llx)",
	   (unsigned long long)*res, (unsigned long long)*target);
	memset(&s, 0, sizeof(s));
	post(&L.a, HWQNIC_WR_ATOMIC_FETCH_AND_ADD, 4096, 8,
	     w_addr(&L.b, half + 4096));
	ok(w_run(&L, got_atomic, &s, 1000000) && !s.a.status &&
	   s.a.opcode == HWQNIC_WC_FETCH_ADD && *res == 0x77 &&
	   *target == 0x77 + 5,
	   "FETCH_ADD: old value back, added once (%llx, %llx)",
	   (unsigned long long)*res, (unsigned long long)*target);
}

int main(void)
{
	static const u8 mtus[] = { HWQNIC_MTU_256, HWQNIC_MTU_1024,
				   HWQNIC_MTU_4096 };
	u32 big = u_quick() ? 20000 : 4U << 20;
	size_t len = 2 * (size_t)big + (64 << 10);
	unsigned int m, op, i;
	bool all = true;

	seed = tap_seed();
	len = (len + 4095) & ~(size_t)4095;
	half = len / 2;
	for (m = 0; m < sizeof(mtus); m++) {
		struct w_conn c = {
			.mtu = mtus[m], .timeout = 14, .retry_cnt = 7,
			.rnr_retry = 7, .min_rnr_timer = 1, .rd_atomic = 4,
			/* both wrap through 2^24 within the first messages */
			.psn_a = 0xfffff0 - m, .psn_b = 0xffffe0 + m,
		};
		u32 mtu = 256U << (mtus[m] - 1);
		u32 sizes[] = { 0, 1, mtu - 1, mtu, mtu + 1, 2 * mtu,
				3 * mtu + 5, 16 * mtu + 1, big };

		if (w_up(&L, len, seed)) {
			ok(0, "MTU %u: two devices on a wire", mtu);
			w_down(&L);
			continue;
		}
		/* MTU 1024 over IPv6, the others over IPv4 */
		if (mtus[m] == HWQNIC_MTU_1024)
			w_ipv6(&L);
		if (w_connect(&L, &c)) {
			ok(0, "MTU %u: connected", mtu);
			w_down(&L);
			continue;
		}
		for (op = 0; op <= HWQNIC_WR_RDMA_READ; op++)
			for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
				if (sizes[i] <= big)
					all &= one(op, sizes[i], mtu);
		if (m == 0)
			atomics();
		ok(!L.a.wc.retransmits && !L.b.wc.retransmits &&
		   !L.a.wc.timeouts && L.a.wc.tx_pkts && L.b.wc.tx_pkts,
		   "MTU %u: no retransmit on a perfect wire (%llu, %llu packets; "
		   "%llu timeouts)", mtu, (unsigned long long)L.a.wc.tx_pkts,
		   (unsigned long long)L.b.wc.tx_pkts,
		   (unsigned long long)L.a.wc.timeouts);
		for (i = 0; i < HWQNIC_DROP_MAX; i++)
			if (L.a.wc.drops[i] || L.b.wc.drops[i])
				break;
		ok(i == HWQNIC_DROP_MAX, "MTU %u: nothing dropped (first: %u)",
		   mtu, i);
		ok(L.a.rc.nic.state == HWQNIC_QPS_RTS &&
		   L.b.rc.nic.state == HWQNIC_QPS_RTS, "MTU %u: both in RTS",
		   mtu);
		w_down(&L);
	}
	if (!all)
		diag("seed %llu", (unsigned long long)seed);
	return tap_done();
}
