/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * qplat: the layouts shared by bpf/qplat.bpf.c and its readers (tools/qplat/,
 * nictop, `bpftool map dump`). Include "vmlinux.h" (BPF) or <linux/types.h>
 * (userspace) first. Every field has a fixed size; every key starts with
 * (pid, dev, qpn) because processes reuse device ids and QPNs.
 *
 * Maps (BTF-typed, so bpftool prints them field by field):
 *   hists     HASH  qplat_hist_key -> qplat_hist      cumulative (the tool
 *                                                     deletes the exited's)
 *   counters  LRU   qplat_qp_key   -> qplat_counters  cumulative
 *   wrs       LRU   qplat_wr_key   -> qplat_wr        work requests in flight
 *   sqs       LRU   qplat_q_key    -> qplat_sq        doorbells per send queue
 *   late      LRU   qplat_wr_key   -> qplat_wr        polled, slot reposted,
 *                                                     before their cqe event
 *   cq_last   LRU   qplat_cq_key   -> __u32           last QPN completed
 *                                                     on a CQ
 *   sample_since HASH __u32 pid    -> __u64           when qplat last changed
 *                                                     the process's period
 *
 * A QP's counters are split between two maps, and a reader adds them up
 * (tools/lib/hist.h does): the completion event counts what it sees
 * (polls, err_cqes, bytes) in the `hists` entry of the completion's QP
 * and opcode, so that a traced completion costs one map lookup; the five
 * events count everything in `counters`.
 */
#ifndef __QPLAT_H
#define __QPLAT_H

/*
 * Histograms: log-linear buckets of nanoseconds, as HdrHistogram keeps
 * them: each power of two [2^k, 2^(k+1)) is cut into QPLAT_SUB (32)
 * buckets of equal width, and below 2 * QPLAT_SUB ns every nanosecond
 * has its own bucket. With
 *
 *	k = floor(log2(t))            (0 for t <= 1)
 *	e = k > QPLAT_SUB_BITS ? k - QPLAT_SUB_BITS : 0
 *	b = e * QPLAT_SUB + (t >> e)  for t < 2^32,
 *	b = QPLAT_BUCKETS - 1         for t >= 2^32
 *
 * bucket b holds the latencies t in [lo, hi) with, for b < 2 * QPLAT_SUB,
 * lo = b, hi = b + 1, and otherwise, with e = b / QPLAT_SUB - 1 and
 * m = b % QPLAT_SUB + QPLAT_SUB, lo = m << e and hi = (m + 1) << e. The
 * last bucket, [2^32 - 2^26, 2^32) ns (4.23 s to 4.29 s), also holds
 * everything longer. A bucket is at most 1/QPLAT_SUB of its low bound
 * wide, so a quantile interpolated inside one is within 1/32 (3.1%) of
 * the true sample quantile (tools/lib/hist.h); 16 would allow 6.25%, too
 * coarse for a 10% check of a median that is itself a few percent above
 * what it measures, and 64 would double the memory (below).
 *
 * The log2 picture (biolatency's) folds them: every bucket lies inside
 * one power of two, and log2 slot k, 2^k <= t < 2^(k+1) (slot 0 also
 * t = 0, the last slot 31 everything from 2^31 ns, about 2.1 s), is the
 * sum of the buckets whose low bound is in it.
 */
#define QPLAT_SUB_BITS		5
#define QPLAT_SUB		(1U << QPLAT_SUB_BITS)
#define QPLAT_LOG2_MAX		31	/* the last power of two kept */
#define QPLAT_BUCKETS		((QPLAT_LOG2_MAX + 2 - QPLAT_SUB_BITS) * \
				 QPLAT_SUB)	/* 896 */
#define QPLAT_SLOTS		(QPLAT_LOG2_MAX + 1)	/* log2 slots: 32 */

/* floor(log2(v)), 0 for v <= 1: bounded, as BPF's verifier wants it */
static inline __attribute__((always_inline)) __u32 qplat_log2(__u64 v)
{
	__u32 r = 0, s;

	s = (v >= 1ULL << 32) << 5;
	v >>= s;
	r |= s;
	s = (v >= 1ULL << 16) << 4;
	v >>= s;
	r |= s;
	s = (v >= 1ULL << 8) << 3;
	v >>= s;
	r |= s;
	s = (v >= 1ULL << 4) << 2;
	v >>= s;
	r |= s;
	s = (v >= 1ULL << 2) << 1;
	v >>= s;
	r |= s;
	return r | (__u32)(v >> 1);
}

/* The bucket of a latency of t ns (the formula above). */
static inline __attribute__((always_inline)) __u32 qplat_bucket(__u64 t)
{
	__u32 k = qplat_log2(t), e;

	if (k > QPLAT_LOG2_MAX)
		return QPLAT_BUCKETS - 1;
	e = k > QPLAT_SUB_BITS ? k - QPLAT_SUB_BITS : 0;
	return e * QPLAT_SUB + (__u32)(t >> e);
}

/* The three latencies (docs/tracepoints.md, "Latencies built from them"). */
enum qplat_lat {
	QPLAT_LAT_DEVICE	= 0,	/* the WQE's doorbell -> its cqe */
	QPLAT_LAT_PICKUP	= 1,	/* cqe -> its poll */
	QPLAT_LAT_E2E		= 2,	/* post -> its poll */
	QPLAT_LAT_MAX
};

/*
 * The completion event's arguments (docs/tracepoints.md): dev, qpn,
 * opcode, status, length, post_ns, db_ns, cqe_ns, poll_ns.
 */
#define QPLAT_COMPLETE_ARGS	9

/* Which queue of a QP a work request sits in. */
enum qplat_queue {
	QPLAT_SQ		= 0,	/* send WRs: opcode < 128 */
	QPLAT_RQ		= 1,	/* receives: opcode >= 128 */
};

/* Completion opcode classes of `-o`: enum hwqnic_wc_opcode values. */
#define QPLAT_OP_RECV_FIRST	128	/* HWQNIC_WC_RECV: opcodes >= are RQ */

/* Key of `counters`: one QP of one device of one process. */
struct qplat_qp_key {
	__u32	pid;		/* tgid of the traced process */
	__u32	dev;		/* device id (N of hwqnic-embN) */
	__u32	qpn;		/* queue pair number */
};

/*
 * Value of `counters`: since qplat started; updated atomically. The five
 * events count all of them here; the completion event none (its polls,
 * err_cqes and bytes are in `hists`).
 */
struct qplat_counters {
	__u64	wqes;		/* send WQEs the engine fetched (wqe events) */
	__u64	cqes;		/* CQEs written (cqe events) */
	__u64	err_cqes;	/* of which status != SUCCESS */
	__u64	bytes;		/* byte_len of the successful CQEs */
	__u64	doorbells;	/* SQ and RQ doorbells accepted (db events) */
	__u64	polls;		/* CQEs the application polled (poll events) */
	__u64	empty_polls;	/* polls that found nothing, on a CQ this QP
				 * was the last to complete on */
};

/* Key of `hists`: one QP's completions of one opcode. */
struct qplat_hist_key {
	__u32	pid;		/* tgid of the traced process */
	__u32	dev;		/* device id */
	__u32	qpn;		/* queue pair number */
	__u32	op;		/* completion opcode (enum hwqnic_wc_opcode) */
};

/*
 * One latency's histogram: successful completions only; updated by one
 * writer at a time (the completion event) or atomically (the five
 * events). Its count is the sum of its buckets (readers add them up:
 * one add less a sample). The least and greatest latencies bound the
 * quantiles readers estimate from the buckets; a histogram starts with
 * min_ns = QPLAT_NO_MIN, above max_ns, until its first sample.
 */
#define QPLAT_NO_MIN		(~0ULL)

struct qplat_lat_hist {
	__u64	buckets[QPLAT_BUCKETS];	/* by qplat_bucket(latency) */
	__u64	sum_ns;			/* sum of the latencies */
	__u64	min_ns;			/* the least latency */
	__u64	max_ns;			/* the greatest latency */
};

/*
 * Value of `hists`: a QP's and opcode's three latency histograms, and
 * what the completion event counts of them (the five events leave these
 * three at 0: they count in `counters`). Every completion the event
 * reports is counted here, its latencies recorded only when it succeeded
 * (and passes qplat's -o and -L): a QP whose completions of an opcode all
 * fail has an entry of empty histograms, which the map's bound below
 * allows for.
 *
 * 21600 bytes: with its key and the hash table's header an entry is one
 * 32 KiB allocation (order 3) in the kernel, so the map (entries
 * allocated as they are created) holds at most QPLAT_HISTS entries,
 * 3584 QPs and opcodes traced at once, 112 MiB. That leaves 16 MiB below
 * 128 MiB for the entries the kernel's allocator keeps free, up to 4 a
 * CPU (128 CPUs), and for those qplat deleted, which are freed after an
 * RCU grace period.
 */
#define QPLAT_HISTS		3584

struct qplat_hist {
	struct qplat_lat_hist lat[QPLAT_LAT_MAX];	/* by enum qplat_lat */
	__u64	polls;		/* completions polled (complete events) */
	__u64	err_cqes;	/* of which status != SUCCESS */
	__u64	bytes;		/* byte_len of the successful ones */
};

/* Key of `wrs` and `late`: one queue slot, i.e. one work request. */
struct qplat_wr_key {
	__u32	pid;		/* tgid of the traced process */
	__u32	dev;		/* device id */
	__u32	qpn;		/* queue pair number */
	__u32	queue;		/* enum qplat_queue */
	__u32	idx;		/* slot in that queue */
};

/*
 * Value of `wrs`: the times (bpf_ktime_get_ns()) of the WR that last held
 * a queue slot. Entries are never deleted, only reused in place by the
 * slot's next WR, so that no event writes into an entry another event has
 * freed. Each field has one writer: `post` (wr_id, post_ns, resets
 * db_ns and poll_ns), `wqe` (db_ns), `poll` (poll_ns), `cqe` (cqe_*).
 * Readers check wr_id before and after reading (and cqe_seq around the
 * cqe fields), so a field changing under them is seen.
 */
struct qplat_wr {
	__u64	wr_id;		/* from `post`: tells a slot's WRs apart */
	__u64	post_ns;	/* post */
	__u64	db_ns;		/* the doorbell that covered it (send WRs) */
	__u64	poll_ns;	/* poll, when it came before the cqe event */
	__u64	cqe_seq;	/* odd while the cqe event writes cqe_* */
	__u64	cqe_wr_id;	/* the WR of the last cqe event on the slot */
	__u64	cqe_ns;		/* and its time */
};

/* Key of `sqs`. */
struct qplat_q_key {
	__u32	pid;		/* tgid of the traced process */
	__u32	dev;		/* device id */
	__u32	qpn;		/* queue pair number */
	__u32	queue;		/* enum qplat_queue (QPLAT_SQ only so far) */
};

/*
 * Doorbells accepted for a send queue whose WQEs the engine has not all
 * fetched yet, oldest first: a WQE's device time starts at the first of
 * them whose producer index passes it (the doorbell that covers it).
 */
#define QPLAT_DB_RING		16	/* a power of two */

#define QPLAT_DB_F_WRAP		0x1	/* covers the whole queue (index equal
					 * to the previous one, epoch not) */
#define QPLAT_DB_F_STARTED	0x2	/* a WRAP one's first WQE fetched */

struct qplat_db {
	__u64	ts;		/* when the engine accepted it */
	__u32	index;		/* producer index it announced */
	__u32	flags;		/* QPLAT_DB_F_* */
};

/* Value of `sqs`. Written by the engine's events only (one at a time). */
struct qplat_sq {
	__u64		last_db_ns;	/* the last doorbell accepted */
	__u32		last_index;	/* its index and epoch */
	__u32		last_epoch;
	__u32		head;		/* ring[head % QPLAT_DB_RING]: oldest */
	__u32		tail;		/* next free; head == tail: empty */
	struct qplat_db	ring[QPLAT_DB_RING];
};

/* Key of `cq_last`: a CQ, to charge its empty polls to a QP. */
struct qplat_cq_key {
	__u32	pid;		/* tgid of the traced process */
	__u32	dev;		/* device id */
	__u32	cq;		/* CQ handle */
};

#endif /* __QPLAT_H */
