// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * UC over the in-memory wire. Every UC opcode goes out (SEND and RDMA
 * WRITE, FIRST/MIDDLE/LAST/ONLY, with and without immediate) for sizes
 * across MTU boundaries, and each message arrives byte for byte; a send
 * completes once its last packet is out, before the responder has seen
 * anything, and the responder sends nothing back. A packet lost anywhere
 * loses its own message only: the messages after it arrive intact, the
 * receive WQE the lost message had begun takes the next one, and the
 * counters show the gap and the drop. A SEND with no receive posted and a
 * WRITE with an R_Key refused are dropped silently, the QPs staying in
 * RTS. READs and atomics are refused at post, and one planted in the SQ
 * fails locally. Under random loss, duplication and reordering, whatever
 * arrives arrives once, in order and intact, and nothing hangs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bound.h"
#include "../lib/pattern.h"
#include "../lib/tap.h"
#include "../lib/wire.h"
#include "wire.h"

#define MEM		(512 << 10)
#define SRC_OFF		0		/* A's messages */
#define DST_OFF		(256 << 10)	/* B's receives and WRITE targets */
#define SLOT		(16 << 10)
#define IMM		0x5eed1e55U

static struct w_link L;
static uint64_t seed;

static u32 mtu_bytes(u8 mtu)
{
	return 256U << (mtu - HWQNIC_MTU_256);
}

static int post_recv(struct w_side *s, u64 wr_id, u64 off, u32 len)
{
	struct hwqnic_sge sge = { w_addr(s, off), len, s->mr.key };
	struct hwqnic_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge,
				     .num_sge = 1 };
	const struct hwqnic_recv_wr *bad;

	return hwqnic_qp_post_recv(&s->dev, &s->uc, &wr, &bad);
}

static int post_send(int op, u64 wr_id, u64 src, u32 len, u64 dst, u32 imm,
		     u32 rkey)
{
	struct hwqnic_sge sge = { w_addr(&L.a, src), len, L.a.mr.key };
	struct hwqnic_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sge, .num_sge = 1, .opcode = op,
		.send_flags = HWQNIC_SEND_SIGNALED, .imm_data = imm,
	};
	const struct hwqnic_send_wr *bad;

	wr.wr.rdma.remote_addr = w_addr(&L.b, dst);
	wr.wr.rdma.rkey = rkey;
	return hwqnic_qp_post_send(&L.a.dev, &L.a.uc, &wr, &bad);
}

/* A's engine alone until n send completions: all there, all successful. */
static const char *a_sends(int n)
{
	struct hwqnic_wc wc;
	int got = 0, bad = 0;
	unsigned long i;

	for (i = 0; i < 200000 && got < n; i++) {
		hwqnic_engine_poll(&L.a.dev);
		while (w_poll(&L.a, &wc, 1) == 1) {
			got++;
			bad += wc.status != HWQNIC_WC_SUCCESS;
		}
	}
	if (got != n)
		return "the sender's completions did not all come";
	return bad ? "a send completed in error" : NULL;
}

/* The BTH opcodes of the frames on the way to s, in order. */
static u32 queued_opcodes(const struct w_side *s, u8 *ops, u32 max)
{
	struct hwqnic_pkt p;
	u32 i, n = 0;

	for (i = 0; i < s->qn && n < max; i++) {
		const struct w_frame *f = &s->q[(s->qhead + i) % W_QCAP];

		if (hwqnic_pkt_parse(f->f, f->len, &p) == HWQNIC_DROP_NONE)
			ops[n++] = p.opcode;
	}
	return n;
}

/* What packet k of n of a message of kind op is, on a UC QP. */
static u8 want_opcode(int op, u32 k, u32 n)
{
	bool send = op == HWQNIC_WR_SEND || op == HWQNIC_WR_SEND_WITH_IMM;
	bool imm = op == HWQNIC_WR_SEND_WITH_IMM ||
		   op == HWQNIC_WR_RDMA_WRITE_WITH_IMM;
	u8 v;

	if (n == 1)
		v = send ? (imm ? HWQNIC_IB_SEND_ONLY_IMM : HWQNIC_IB_SEND_ONLY) :
		    (imm ? HWQNIC_IB_WRITE_ONLY_IMM : HWQNIC_IB_WRITE_ONLY);
	else if (!k)
		v = send ? HWQNIC_IB_SEND_FIRST : HWQNIC_IB_WRITE_FIRST;
	else if (k + 1 < n)
		v = send ? HWQNIC_IB_SEND_MIDDLE : HWQNIC_IB_WRITE_MIDDLE;
	else
		v = send ? (imm ? HWQNIC_IB_SEND_LAST_IMM : HWQNIC_IB_SEND_LAST) :
		    (imm ? HWQNIC_IB_WRITE_LAST_IMM : HWQNIC_IB_WRITE_LAST);
	return HWQNIC_IB_UC | v;
}

/* One message of op and len, A to B, checked on the wire and on arrival. */
static const char *one_message(int op, u32 len, u32 mtu, bool *seen)
{
	static char why[160];
	bool recv = op != HWQNIC_WR_RDMA_WRITE;
	bool send = op == HWQNIC_WR_SEND || op == HWQNIC_WR_SEND_WITH_IMM;
	u32 npkts = len ? (len + mtu - 1) / mtu : 1, n, k;
	u8 ops[64];
	struct hwqnic_wc wc;
	const char *e;

	u_fill_rand(L.a.mem + SRC_OFF, len, &seed);
	memset(L.b.mem + DST_OFF, 0, SLOT);
	if (recv && post_recv(&L.b, 7, DST_OFF, SLOT))
		return "a receive could not be posted";
	if (post_send(op, 1, SRC_OFF, len, DST_OFF, IMM, L.b.mr.key))
		return "the send could not be posted";
	e = a_sends(1);
	if (e)
		return e;
	n = queued_opcodes(&L.b, ops, 64);
	if (n != npkts) {
		snprintf(why, sizeof(why), "%u packets on the wire, not %u",
			 n, npkts);
		return why;
	}
	for (k = 0; k < n; k++) {
		if (ops[k] != want_opcode(op, k, n)) {
			snprintf(why, sizeof(why), "packet %u is opcode 0x%02x, "
				 "not 0x%02x", k, ops[k],
				 want_opcode(op, k, n));
			return why;
		}
		seen[ops[k]] = true;
	}
	w_settle(&L);
	if (recv) {
		if (w_poll(&L.b, &wc, 1) != 1)
			return "no receive completion";
		if (wc.status != HWQNIC_WC_SUCCESS || wc.wr_id != 7 ||
		    wc.byte_len != len ||
		    wc.opcode != (send ? HWQNIC_WC_RECV :
				  HWQNIC_WC_RECV_RDMA_WITH_IMM) ||
		    !!(wc.wc_flags & HWQNIC_WC_F_WITH_IMM) !=
		    (op != HWQNIC_WR_SEND) ||
		    ((wc.wc_flags & HWQNIC_WC_F_WITH_IMM) &&
		     wc.imm_data != IMM)) {
			snprintf(why, sizeof(why), "receive completion: status "
				 "%u, opcode %u, %u bytes, flags 0x%x",
				 wc.status, wc.opcode, wc.byte_len,
				 wc.wc_flags);
			return why;
		}
	}
	if (w_poll(&L.b, &wc, 1))
		return "a completion too many";
	if (u_first_diff(L.b.mem + DST_OFF, L.a.mem + SRC_OFF, len) >= 0)
		return "the bytes differ";
	return NULL;
}

static void opcodes_and_sizes(void)
{
	static const u8 mtus[] = { HWQNIC_MTU_256, HWQNIC_MTU_1024 };
	static const struct {
		int op;
		const char *name;
	} ops[] = {
		{ HWQNIC_WR_SEND, "SEND" },
		{ HWQNIC_WR_SEND_WITH_IMM, "SEND_WITH_IMM" },
		{ HWQNIC_WR_RDMA_WRITE, "RDMA_WRITE" },
		{ HWQNIC_WR_RDMA_WRITE_WITH_IMM, "RDMA_WRITE_WITH_IMM" },
	};
	bool seen[256] = { false };
	unsigned int m, o, s, v, missing = 0;

	for (m = 0; m < sizeof(mtus); m++) {
		u32 mtu = mtu_bytes(mtus[m]);
		const u32 sizes[] = { 0, 1, mtu - 1, mtu, mtu + 1, 2 * mtu,
				      2 * mtu + 1, 3 * mtu + 5, 7 * mtu };

		/* PSNs about to wrap: the first messages cross 2^24 */
		if (!ok(!w_up(&L, MEM, seed) &&
			!w_uc_up(&L, mtus[m], 0xfffffe, 0xfffff0),
			"MTU %u: two UC QPs on a wire, connected", mtu)) {
			w_down(&L);
			continue;
		}
		for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
			const char *why = NULL;

			for (s = 0; !why && s < sizeof(sizes) / sizeof(*sizes);
			     s++)
				why = one_message(ops[o].op, sizes[s], mtu,
						  seen);
			ok_why(why, "MTU %u: %s of 0 to %u bytes, each packet "
			       "its UC opcode, each message byte for byte",
			       mtu, ops[o].name, 7 * mtu);
			if (why)
				diag("at %u bytes", sizes[s - 1]);
		}
		ok(!L.b.wc.tx_pkts && !L.a.wc.rx_pkts,
		   "MTU %u: the responder sent nothing back (%llu packets)",
		   mtu, (unsigned long long)L.b.wc.tx_pkts);
		ok(L.a.uc.nic.state == HWQNIC_QPS_RTS &&
		   L.b.uc.nic.state == HWQNIC_QPS_RTS && !L.b.wc.uc_dropped &&
		   !L.b.wc.out_of_seq, "MTU %u: both in RTS, nothing dropped",
		   mtu);
		w_down(&L);
	}
	for (v = HWQNIC_IB_UC; v <= (HWQNIC_IB_UC | HWQNIC_IB_WRITE_ONLY_IMM);
	     v++)
		if (!seen[v]) {
			diag("UC opcode 0x%02x never sent", v);
			missing++;
		}
	ok(!missing, "all 12 UC opcodes went on the wire (%u missing)",
	   missing);
}

/*
 * Five messages, A to B at MTU 256: SEND of 3 packets, SEND_ONLY, WRITE
 * of 3, SEND_WITH_IMM of 2, SEND_ONLY; packet `lose` of the 10 is lost.
 */
static void lose_one(u32 lose)
{
	static const struct {
		int op;
		u32 len;
	} msg[] = {
		{ HWQNIC_WR_SEND, 700 }, { HWQNIC_WR_SEND, 100 },
		{ HWQNIC_WR_RDMA_WRITE, 600 }, { HWQNIC_WR_SEND_WITH_IMM, 300 },
		{ HWQNIC_WR_SEND, 50 },
	};
	enum { NMSG = 5, NRECV = 4 };
	u32 first[NMSG], npk[NMSG], lost_msg = 0, k, at = 0, i, r = 0, gap;
	struct hwqnic_wc wc;
	const char *why = NULL;
	char buf[96];

	if (w_up(&L, MEM, seed) || w_uc_up(&L, HWQNIC_MTU_256, 100, 200)) {
		ok(0, "packet %u lost: connected", lose);
		w_down(&L);
		return;
	}
	for (i = 0; i < NRECV; i++)
		post_recv(&L.b, i, DST_OFF + i * SLOT, SLOT);
	for (i = 0; i < NMSG; i++) {
		u64 src = SRC_OFF + i * SLOT;

		u_fill_rand(L.a.mem + src, msg[i].len, &seed);
		first[i] = at;
		npk[i] = (msg[i].len + 255) / 256;
		if (lose >= at && lose < at + npk[i])
			lost_msg = i;
		at += npk[i];
		post_send(msg[i].op, i, src, msg[i].len,
			  DST_OFF + NRECV * SLOT, i, L.b.mr.key);
	}
	why = a_sends(NMSG);
	if (!why && w_unqueue(&L.b, lose))
		why = "fewer packets on the wire than sent";
	if (!why)
		w_settle(&L);
	/* the receives, in order, take the messages that are not lost */
	for (i = 0; !why && i < NMSG; i++) {
		u8 *dst;

		if (msg[i].op == HWQNIC_WR_RDMA_WRITE) {
			dst = L.b.mem + DST_OFF + NRECV * SLOT;
			if (i != lost_msg &&
			    u_first_diff(dst, L.a.mem + SRC_OFF + i * SLOT,
					 msg[i].len) >= 0)
				why = "the WRITE after the loss differs";
			continue;
		}
		if (i == lost_msg)
			continue;
		if (w_poll(&L.b, &wc, 1) != 1) {
			snprintf(buf, sizeof(buf), "message %u did not arrive",
				 i);
			why = buf;
			break;
		}
		dst = L.b.mem + DST_OFF + wc.wr_id * SLOT;
		if (wc.status != HWQNIC_WC_SUCCESS || wc.wr_id != r++ ||
		    wc.byte_len != msg[i].len ||
		    u_first_diff(dst, L.a.mem + SRC_OFF + i * SLOT,
				 msg[i].len) >= 0) {
			snprintf(buf, sizeof(buf), "message %u: receive %llu, "
				 "status %u, %u bytes, or its bytes, wrong", i,
				 (unsigned long long)wc.wr_id, wc.status,
				 wc.byte_len);
			why = buf;
		}
	}
	if (!why && w_poll(&L.b, &wc, 1))
		why = "a receive completion too many";
	k = lose - first[lost_msg];
	ok_why(why, "packet %u lost (message %u, packet %u of %u): that "
	       "message only is gone, the others arrive intact", lose,
	       lost_msg, k + 1, npk[lost_msg]);
	/* the last packet's loss leaves no gap that anything could see */
	gap = lose + 1 < at;
	ok(L.b.wc.out_of_seq == gap && L.b.wc.uc_dropped == (k ? 1U : 0U) &&
	   L.a.uc.nic.state == HWQNIC_QPS_RTS &&
	   L.b.uc.nic.state == HWQNIC_QPS_RTS && !L.b.wc.tx_pkts,
	   "packet %u lost: %u gap, %u message dropped in progress (counted "
	   "%llu, %llu), both in RTS, no NAK", lose, gap, k ? 1 : 0,
	   (unsigned long long)L.b.wc.out_of_seq,
	   (unsigned long long)L.b.wc.uc_dropped);
	w_down(&L);
}

/* A SEND with no receive, a WRITE with a bad R_Key: dropped silently. */
static void refused(void)
{
	struct hwqnic_wc wc;
	const char *why;
	u32 i;

	if (w_up(&L, MEM, seed) || w_uc_up(&L, HWQNIC_MTU_256, 5, 9)) {
		ok(0, "refusals: connected");
		w_down(&L);
		return;
	}
	u_fill_rand(L.a.mem + SRC_OFF, 4 * SLOT, &seed);
	memset(L.b.mem + DST_OFF, 0, 4 * SLOT);
	/* an ONLY, and 3 packets, with no receive posted */
	post_send(HWQNIC_WR_SEND, 0, SRC_OFF, 100, 0, 0, 0);
	post_send(HWQNIC_WR_SEND, 1, SRC_OFF, 600, 0, 0, 0);
	post_send(HWQNIC_WR_RDMA_WRITE, 2, SRC_OFF, 600, DST_OFF,
		  0, L.b.mr.key ^ 0x100);
	why = a_sends(3);
	w_settle(&L);
	ok_why(why ? why : w_poll(&L.b, &wc, 1) ? "something completed at B" :
	       u_first_diff(L.b.mem + DST_OFF, L.b.mem + DST_OFF + SLOT,
			    600) >= 0 ? "the refused WRITE wrote" : NULL,
	       "a SEND with no receive and a WRITE with a bad R_Key: the "
	       "sender completes, nothing arrives");
	ok(L.b.wc.uc_no_recv == 2 && L.b.wc.uc_rkey == 1 &&
	   L.b.wc.uc_dropped == 3 && !L.b.wc.tx_pkts &&
	   L.b.uc.nic.state == HWQNIC_QPS_RTS,
	   "dropped and counted (no receive %llu, R_Key %llu, messages "
	   "%llu), no NAK, B in RTS",
	   (unsigned long long)L.b.wc.uc_no_recv,
	   (unsigned long long)L.b.wc.uc_rkey,
	   (unsigned long long)L.b.wc.uc_dropped);
	post_recv(&L.b, 42, DST_OFF, SLOT);
	post_send(HWQNIC_WR_SEND, 3, SRC_OFF + SLOT, 500, 0, 0, 0);
	why = a_sends(1);
	w_settle(&L);
	ok_why(why ? why : w_poll(&L.b, &wc, 1) != 1 ? "nothing arrived" :
	       wc.wr_id != 42 || wc.byte_len != 500 ||
	       wc.status != HWQNIC_WC_SUCCESS ? "the wrong completion" :
	       u_first_diff(L.b.mem + DST_OFF, L.a.mem + SRC_OFF + SLOT,
			    500) >= 0 ? "the bytes differ" : NULL,
	       "the next message arrives intact");

	/* READ and atomics: refused at post */
	for (i = 0; i < 3; i++) {
		static const int bad_ops[] = {
			HWQNIC_WR_RDMA_READ, HWQNIC_WR_ATOMIC_CMP_AND_SWP,
			HWQNIC_WR_ATOMIC_FETCH_AND_ADD,
		};
		struct hwqnic_sge sge = { w_addr(&L.a, SRC_OFF), 8,
					  L.a.mr.key };
		struct hwqnic_send_wr wr = {
			.sg_list = &sge, .num_sge = 1, .opcode = bad_ops[i],
		};
		const struct hwqnic_send_wr *bad = NULL;
		int rc = hwqnic_qp_post_send(&L.a.dev, &L.a.uc, &wr, &bad);

		ok(rc == -EINVAL && bad == &wr, "work request opcode %d "
		   "refused at post on UC (%d)", bad_ops[i], rc);
	}
	/* one planted in the SQ after the check: fails locally, unsent */
	post_send(HWQNIC_WR_SEND, 9, SRC_OFF, 100, 0, 0, 0);
	((struct hwqnic_send_wqe *)hwqnic_hwq_get_qe(&L.a.uc.sq,
			(L.a.uc.sq.prod.val + L.a.uc.sq.depth - 1) %
			L.a.uc.sq.depth))->opcode = HWQNIC_WR_RDMA_READ;
	{
		u64 tx = L.a.wc.tx_pkts;
		int n = 0;
		unsigned long p;

		for (p = 0; p < 100000 && !n; p++) {
			hwqnic_engine_poll(&L.a.dev);
			n = w_poll(&L.a, &wc, 1);
		}
		ok(n == 1 && wc.status == HWQNIC_WC_LOC_QP_OP_ERR &&
		   L.a.wc.tx_pkts == tx && L.a.uc.nic.state == HWQNIC_QPS_ERR,
		   "a READ planted in a UC SQ completes LOC_QP_OP_ERR, unsent "
		   "(status %u)", n ? wc.status : 0);
	}
	w_down(&L);
}

/* Random loss, duplication and reordering: what arrives is right. */
static void random_faults(void)
{
	enum { BATCH = 16, NSLOT = 48 };
	u32 batches = u_scaled(40, 4), b, i, sent = 0, arrived = 0;
	u32 len[BATCH], posted = 0, done = 0, last_seq = 0;
	u64 rid = 0;
	const char *why = NULL;
	bool any = false;

	if (w_up(&L, MEM + 1024 * 1024, seed) ||
	    w_uc_up(&L, HWQNIC_MTU_256, 0xfffff0, 0x10)) {
		ok(0, "random faults: connected");
		w_down(&L);
		return;
	}
	L.f = (struct w_faults){ .loss = 50000, .dup = 20000,
				 .reorder = 20000 };
	for (b = 0; !why && b < batches; b++) {
		struct hwqnic_wc wc;

		for (; posted - done < BATCH; posted++, rid++)
			post_recv(&L.b, rid, DST_OFF + (rid % NSLOT) * SLOT,
				  SLOT);
		for (i = 0; i < BATCH; i++) {
			len[i] = tap_rand(&seed) % (4 * 256 + 3);
			u_fill_rand(L.a.mem + SRC_OFF + i * SLOT, len[i],
				    &seed);
			post_send(HWQNIC_WR_SEND_WITH_IMM, i, SRC_OFF + i * SLOT,
				  len[i], 0, sent + i + 1, 0);
		}
		why = a_sends(BATCH);
		w_settle(&L);
		while (!why && w_poll(&L.b, &wc, 1) == 1) {
			u32 seq = wc.imm_data, j = seq - sent - 1;

			done++;
			if (wc.status != HWQNIC_WC_SUCCESS || seq <= last_seq ||
			    j >= BATCH || wc.byte_len != len[j] ||
			    u_first_diff(L.b.mem + DST_OFF +
					 (wc.wr_id % NSLOT) * SLOT,
					 L.a.mem + SRC_OFF + j * SLOT,
					 len[j]) >= 0)
				why = "a message arrived twice, out of order or "
				      "not intact";
			last_seq = seq;
			arrived++;
		}
		sent += BATCH;
		any |= L.b.wc.uc_dropped || L.b.wc.out_of_seq;
	}
	ok_why(why, "%u of %u messages through 5%% loss, duplication and "
	       "reordering: each once, in order, byte for byte", arrived,
	       sent);
	ok(arrived < sent && any && L.lost, "losses lost messages: %llu "
	   "frames lost, %llu duplicated, %llu reordered; out of sequence "
	   "%llu, old %llu, dropped in progress %llu, out of place %llu",
	   (unsigned long long)L.lost, (unsigned long long)L.dups,
	   (unsigned long long)L.reordered,
	   (unsigned long long)L.b.wc.out_of_seq,
	   (unsigned long long)L.b.wc.dup_requests,
	   (unsigned long long)L.b.wc.uc_dropped,
	   (unsigned long long)L.b.wc.drops[HWQNIC_DROP_OPCODE]);
	/* the link heals: the next message goes through */
	L.f = (struct w_faults){ 0 };
	{
		struct hwqnic_wc wc;

		if (posted == done)
			post_recv(&L.b, rid, DST_OFF + (rid % NSLOT) * SLOT,
				  SLOT);
		u_fill_rand(L.a.mem + SRC_OFF, 700, &seed);
		post_send(HWQNIC_WR_SEND_WITH_IMM, 0, SRC_OFF, 700, 0,
			  sent + 1, 0);
		why = a_sends(1);
		w_settle(&L);
		ok_why(why ? why : w_poll(&L.b, &wc, 1) != 1 ?
		       "nothing arrived" : wc.imm_data != sent + 1 ||
		       wc.byte_len != 700 ? "the wrong message" :
		       u_first_diff(L.b.mem + DST_OFF +
				    (wc.wr_id % NSLOT) * SLOT,
				    L.a.mem + SRC_OFF, 700) >= 0 ?
		       "the bytes differ" : NULL,
		       "the link healed, the next message arrives intact");
	}
	ok(L.a.uc.nic.state == HWQNIC_QPS_RTS &&
	   L.b.uc.nic.state == HWQNIC_QPS_RTS && !L.b.wc.tx_pkts,
	   "both in RTS, the responder sent nothing");
	w_down(&L);
}

int main(void)
{
	u32 i;

	seed = tap_seed();
	opcodes_and_sizes();
	for (i = 0; i < 10; i++)
		lose_one(i);
	refused();
	random_faults();
	return tap_done();
}
