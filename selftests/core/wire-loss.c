// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * RC over a bad wire: 5% of the frames lost, some duplicated, some
 * reordered, both ways. Batches of SENDs, WRITEs, READs and FETCH_ADDs of
 * random sizes across the MTU all complete successfully, every message
 * arrives exactly once and byte for byte, each FETCH_ADD applies once (the
 * values they return are 0..n-1, each once, and the sum is n), both QPs
 * stay in RTS, and the counters show the retransmissions, the NAKs and
 * the duplicates that made it so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bound.h"
#include "../lib/pattern.h"
#include "../lib/tap.h"
#include "../lib/wire.h"

#define BATCH		8
#define SLOT		(80 << 10)	/* room per message, each side */
#define CTR_OFF		0		/* B's FETCH_ADD counter */
#define RES_OFF		64		/* A's results, 8 bytes each */

static struct w_link L;
static uint64_t seed;

struct batch {
	int op[BATCH];
	u32 len[BATCH];
	int na, nb, want_b, bad;
};

static u64 slot_off(int i)
{
	return 4096 + (u64)i * SLOT;
}

static bool batch_done(void *ctx)
{
	struct batch *b = ctx;
	struct hwqnic_wc wc[16];
	int n, i;

	while ((n = w_poll(&L.a, wc, 16)) > 0)
		for (i = 0; i < n; i++, b->na++)
			b->bad += wc[i].status != HWQNIC_WC_SUCCESS ||
				  wc[i].wr_id != (u64)b->na;
	while ((n = w_poll(&L.b, wc, 16)) > 0)
		for (i = 0; i < n; i++, b->nb++)
			b->bad += wc[i].status != HWQNIC_WC_SUCCESS;
	return b->na >= BATCH && b->nb >= b->want_b;
}

static const char *run_batch(u32 mtu, u32 *faa, u64 *faa_seen, u32 nfaa_max)
{
	static char why[128];
	struct batch b = { 0 };
	const struct hwqnic_send_wr *bad;
	const struct hwqnic_recv_wr *rbad;
	int i;

	for (i = 0; i < BATCH; i++) {
		u32 r = tap_rand(&seed) % 100, len;
		u64 off = slot_off(i);
		struct hwqnic_sge sge = { w_addr(&L.a, off), 0, L.a.mr.key };
		struct hwqnic_send_wr wr = {
			.wr_id = i, .sg_list = &sge, .num_sge = 1,
			.send_flags = HWQNIC_SEND_SIGNALED,
		};

		len = r < 10 ? tap_rand(&seed) % (SLOT - 64) :
		      tap_rand(&seed) % (3 * mtu + 2);
		b.op[i] = r < 35 ? HWQNIC_WR_SEND : r < 65 ?
			  HWQNIC_WR_RDMA_WRITE : r < 85 ?
			  HWQNIC_WR_RDMA_READ : HWQNIC_WR_ATOMIC_FETCH_AND_ADD;
		if (b.op[i] == HWQNIC_WR_ATOMIC_FETCH_AND_ADD) {
			if (*faa >= nfaa_max)
				b.op[i] = HWQNIC_WR_RDMA_WRITE;
			else
				len = 8;
		}
		b.len[i] = len;
		u_fill_rand(L.a.mem + off, len, &seed);
		u_fill_rand(L.b.mem + off, len, &seed);
		sge.length = len;
		wr.opcode = b.op[i];
		wr.wr.rdma.remote_addr = w_addr(&L.b, off);
		wr.wr.rdma.rkey = L.b.mr.key;
		if (b.op[i] == HWQNIC_WR_ATOMIC_FETCH_AND_ADD) {
			sge.addr = w_addr(&L.a, RES_OFF + 8 * *faa);
			wr.wr.atomic.remote_addr = w_addr(&L.b, CTR_OFF);
			wr.wr.atomic.rkey = L.b.mr.key;
			wr.wr.atomic.compare_add = 1;
			(*faa)++;
		}
		if (b.op[i] == HWQNIC_WR_SEND) {
			struct hwqnic_sge rs = { w_addr(&L.b, off + SLOT / 2),
						 SLOT / 2, L.b.mr.key };
			struct hwqnic_recv_wr rw = { .wr_id = i, .sg_list = &rs,
						     .num_sge = 1 };

			if (len > SLOT / 2)
				b.len[i] = len = SLOT / 2;
			sge.length = len;
			hwqnic_qp_post_recv(&L.b.dev, &L.b.rc, &rw, &rbad);
			b.want_b++;
		}
		if (hwqnic_qp_post_send(&L.a.dev, &L.a.rc, &wr, &bad))
			return "a post failed";
	}
	if (!w_run(&L, batch_done, &b, 50000000)) {
		snprintf(why, sizeof(why), "%d of %d completions, %d of %d "
			 "receives in time", b.na, BATCH, b.nb, b.want_b);
		return why;
	}
	if (b.bad)
		return "a completion failed, or came out of order";
	if (b.nb != b.want_b)
		return "a message arrived twice";
	for (i = 0; i < BATCH; i++) {
		u64 off = slot_off(i);
		const u8 *src = L.a.mem + off, *dst = L.b.mem + off;

		if (b.op[i] == HWQNIC_WR_ATOMIC_FETCH_AND_ADD)
			continue;
		if (b.op[i] == HWQNIC_WR_SEND)
			dst += SLOT / 2;
		if (b.op[i] == HWQNIC_WR_RDMA_READ) {
			src = dst;
			dst = L.a.mem + off;
		}
		if (u_first_diff(dst, src, b.len[i]) >= 0) {
			snprintf(why, sizeof(why), "message %d (op %d, %u "
				 "bytes) differs", i, b.op[i], b.len[i]);
			return why;
		}
	}
	(void)faa_seen;
	return NULL;
}

/* Every fault has struck, and the transport has answered each. */
static bool struck(const struct w_link *l)
{
	return l->lost && l->dups && l->reordered && l->a.wc.retransmits &&
	       l->b.wc.dup_requests && l->b.wc.seq_naks_sent &&
	       l->a.wc.seq_naks_rcvd;
}

int main(void)
{
	static const u8 mtus[] = { HWQNIC_MTU_256, HWQNIC_MTU_4096 };
	u32 batches = u_scaled(60, 3), batches_max = 60, nfaa_max = 512;
	u32 m, i, faa;
	size_t len = 4096 + BATCH * SLOT + 4096;
	const char *why;

	seed = tap_seed();
	for (m = 0; m < sizeof(mtus); m++) {
		u32 mtu = 256U << (mtus[m] - 1);
		struct w_conn c = {
			.mtu = mtus[m], .timeout = 10, .retry_cnt = 7,
			.rnr_retry = 7, .min_rnr_timer = 1, .rd_atomic = 4,
			.psn_a = 0xffff00, .psn_b = 77,
		};
		u8 seen[512] = { 0 };
		u64 sum;

		faa = 0;
		if (w_up(&L, len, seed) || w_connect(&L, &c)) {
			ok(0, "MTU %u: two devices on a wire, connected", mtu);
			w_down(&L);
			continue;
		}
		L.f = (struct w_faults){ .loss = 50000, .dup = 20000,
					 .reorder = 20000 };
		why = NULL;
		/*
		 * Past the scaled count, batches go on until the faults have
		 * each struck and been answered: a few frames (valgrind's
		 * run, MTU 4096) may see no duplicate or reordering at all.
		 */
		for (i = 0; !why && (i < batches ||
				     (i < batches_max && !struck(&L))); i++)
			why = run_batch(mtu, &faa, NULL, nfaa_max);
		ok_why(why, "MTU %u: %u batches of %d messages through 5%% "
		       "loss, duplication and reordering, each once, byte for "
		       "byte", mtu, i, BATCH);
		sum = *(u64 *)(L.b.mem + CTR_OFF);
		for (i = 0; i < faa; i++) {
			u64 v = *(u64 *)(L.a.mem + RES_OFF + 8 * i);

			if (v >= faa || seen[v]++)
				break;
		}
		ok(sum == faa && i == faa, "MTU %u: %u FETCH_ADDs applied "
		   "once each (sum %llu; returned values distinct: %s)", mtu,
		   faa, (unsigned long long)sum, i == faa ? "yes" : "no");
		ok(L.a.rc.nic.state == HWQNIC_QPS_RTS &&
		   L.b.rc.nic.state == HWQNIC_QPS_RTS, "MTU %u: both in RTS",
		   mtu);
		ok(L.lost && L.dups && L.reordered && L.a.wc.retransmits,
		   "MTU %u: %llu frames lost, %llu duplicated, %llu reordered; "
		   "%llu packets sent again", mtu,
		   (unsigned long long)L.lost, (unsigned long long)L.dups,
		   (unsigned long long)L.reordered,
		   (unsigned long long)L.a.wc.retransmits);
		diag("MTU %u: timeouts %llu, seq NAKs %llu/%llu, duplicate "
		     "requests %llu, out of sequence %llu", mtu,
		     (unsigned long long)L.a.wc.timeouts,
		     (unsigned long long)L.b.wc.seq_naks_sent,
		     (unsigned long long)L.a.wc.seq_naks_rcvd,
		     (unsigned long long)L.b.wc.dup_requests,
		     (unsigned long long)L.b.wc.out_of_seq);
		ok(L.b.wc.dup_requests && L.b.wc.seq_naks_sent &&
		   L.a.wc.seq_naks_rcvd,
		   "MTU %u: duplicates answered again, gaps NAKed", mtu);
		why = w_qp_sums(&L.a);
		if (!why)
			why = w_qp_sums(&L.b);
		ok_why(why, "MTU %u: each side's wire counters are its QPs' "
		       "summed", mtu);
		w_down(&L);
	}
	return tap_done();
}
