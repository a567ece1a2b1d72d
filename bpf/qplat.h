/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * qplat: the layouts shared by bpf/qplat.bpf.c and its readers (tools/qplat/,
 * nictop, `bpftool map dump`). Include "vmlinux.h" (BPF) or <linux/types.h>
 * (userspace) first. Every field has a fixed size; every key starts with
 * (pid, dev, qpn) because processes reuse device ids and QPNs.
 *
 * Maps (BTF-typed, so bpftool prints them field by field):
 *   hists     HASH  qplat_hist_key -> qplat_hist      cleared by the tool
 *                                                     after each interval
 *   counters  LRU   qplat_qp_key   -> qplat_counters  cumulative
 *   wrs       LRU   qplat_wr_key   -> qplat_wr        work requests in flight
 *   sqs       LRU   qplat_q_key    -> qplat_sq        doorbells per send queue
 *   late      LRU   qplat_wr_key   -> qplat_wr        polled, slot reposted,
 *                                                     before their cqe event
 *   cq_last   LRU   qplat_cq_key   -> __u32           last QPN completed
 *                                                     on a CQ
 */
#ifndef __QPLAT_H
#define __QPLAT_H

/*
 * Histograms: log2 buckets of nanoseconds. Slot k counts latencies t with
 * 2^k <= t < 2^(k+1) (slot 0 also holds t = 0); the last slot also holds
 * everything longer (2^31 ns is about 2.1 s).
 */
#define QPLAT_SLOTS		32

/* The three latencies (docs/tracepoints.md, "Latencies built from them"). */
enum qplat_lat {
	QPLAT_LAT_DEVICE	= 0,	/* the WQE's doorbell -> its cqe */
	QPLAT_LAT_PICKUP	= 1,	/* cqe -> its poll */
	QPLAT_LAT_E2E		= 2,	/* post -> its poll */
	QPLAT_LAT_MAX
};

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

/* Value of `counters`: since qplat started; updated atomically. */
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

/* Key of `hists`. */
struct qplat_hist_key {
	__u32	pid;		/* tgid of the traced process */
	__u32	dev;		/* device id */
	__u32	qpn;		/* queue pair number */
	__u32	op;		/* completion opcode (enum hwqnic_wc_opcode) */
	__u32	lat;		/* enum qplat_lat */
};

/*
 * Value of `hists`: successful completions only; updated atomically. The
 * least and greatest latencies bound the quantiles readers estimate from
 * the buckets; an entry is created with min_ns = QPLAT_NO_MIN, above
 * max_ns, until its first sample.
 */
#define QPLAT_NO_MIN		(~0ULL)

struct qplat_hist {
	__u64	slots[QPLAT_SLOTS];	/* log2 buckets of nanoseconds */
	__u64	count;			/* sum of slots[] */
	__u64	sum_ns;			/* sum of the latencies */
	__u64	min_ns;			/* the least latency */
	__u64	max_ns;			/* the greatest latency */
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
