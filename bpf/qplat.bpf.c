// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * qplat: per-QP latency histograms from hwqnic's trace events.
 *
 * By default one event per completion, `complete`, fired at poll with the
 * times the completion carries (post, doorbell, CQE): each latency comes
 * from that one event, and one `hists` entry (the QP's and opcode's)
 * takes its latencies and its counts, so that a completion costs a single
 * map lookup (on_complete). qplat's five-event mode, for comparison,
 * follows each work request through the five events instead:
 *
 * Five events (docs/tracepoints.md) follow each work request (WR):
 *   post  the host wrote its WQE                 -> wrs[WR].post_ns
 *   db    the engine accepted a doorbell         -> sqs[SQ] ring of doorbells
 *   wqe   the engine fetched a send WQE          -> wrs[WR].db_ns, the time of
 *                                                   the doorbell covering it
 *   cqe   the engine wrote its CQE               -> device latency
 *   poll  the application polled its CQE         -> pickup and e2e latency
 * A WR is a queue slot: (pid, dev, qpn, SQ or RQ, idx), told apart from the
 * slot's earlier and later WRs by its wr_id.
 *
 * The engine fires `cqe` after the CQE's toggle, so the application may
 * poll a CQE, and even post a new WR into its slot, before the cqe event
 * has run on the other CPU. Such a poll records a pickup of 0 (the CQE was
 * taken as soon as it was written); the late cqe event still records the
 * device latency, ending it at the poll, from the WR's entry or, when the
 * slot was posted again meanwhile, from the copy `post` left in `late`.
 * Entries of `wrs` are only reused in place, never deleted, and each field
 * has a single writer (bpf/qplat.h), so every successful completion gives
 * exactly one sample of each latency it has (receives: no device latency).
 *
 * The logic is in plain functions taking the events' arguments and the pid
 * to charge them to; the USDT programs and the raw tracepoint programs for
 * hwqnic.ko below are thin wrappers. In the kernel the engine's events
 * come from a kthread and the host's from whoever posts, so the tracepoint
 * wrappers charge every event to pid 0: a WR's events meet in one entry.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include <hwqnic/hw.h>
#include "qplat.h"
#include "usdt_args.h"

/* Filters, set by the tool before load. */
const volatile __u32 targ_qpn = 0;		/* 0: every QP */
const volatile bool filter_op = false;		/* only opcode targ_op */
const volatile __u32 targ_op = 0;		/* enum hwqnic_wc_opcode */
/* bit (1 << enum qplat_lat): record that latency */
const volatile __u32 lat_mask = (1U << QPLAT_LAT_MAX) - 1;
/*
 * A process on hwqnic.ko's kernel backend: its host events are USDT, its
 * engine's are tracepoints. Charging the USDT ones to pid 0 too lets a
 * WR's events meet (a context's dev id is unique across processes).
 */
const volatile bool usdt_pid0 = false;
/* qplat samples (not -c 1): see sample_since */
const volatile bool sampling = false;
/* Where each probe's arguments sit in the traced file, when qplat found them */
const volatile struct usdt_regs post_regs, db_regs, wqe_regs, cqe_regs,
	poll_regs, complete_regs;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, QPLAT_HISTS);
	/* what the tool deletes is freed after RCU: late adds land nowhere */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct qplat_hist_key);
	__type(value, struct qplat_hist);
} hists SEC(".maps");

/*
 * Sampling: per process (the pid the events are charged to), when qplat
 * last changed its period. A completion posted before that was sampled at
 * the old period: qplat has scaled and counted those polled before the
 * change, and the few still in flight are let go rather than scaled by
 * the new one.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} sample_since SEC(".maps");

/* LRU: in a long run over many processes, the oldest QPs make room */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct qplat_qp_key);
	__type(value, struct qplat_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct qplat_wr_key);
	__type(value, struct qplat_wr);
} wrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct qplat_wr_key);
	__type(value, struct qplat_wr);
} late SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct qplat_q_key);
	__type(value, struct qplat_sq);
} sqs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct qplat_cq_key);
	__type(value, __u32);
} cq_last SEC(".maps");

/* Values to create map entries from (never written). */
static const struct qplat_hist new_hist = {
	.lat = {
		[QPLAT_LAT_DEVICE] = { .min_ns = QPLAT_NO_MIN },
		[QPLAT_LAT_PICKUP] = { .min_ns = QPLAT_NO_MIN },
		[QPLAT_LAT_E2E] = { .min_ns = QPLAT_NO_MIN },
	},
};
static struct qplat_counters zero_counters;
static struct qplat_sq zero_sq;

static __always_inline void *lookup_or_init(void *map, const void *key,
					    const void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	/* -EEXIST when another CPU created it first: fine */
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static __always_inline struct qplat_counters *
qp_counters(__u32 pid, __u32 dev, __u32 qpn)
{
	struct qplat_qp_key k = { .pid = pid, .dev = dev, .qpn = qpn };

	return lookup_or_init(&counters, &k, &zero_counters);
}

/*
 * *p += v. The completion event's entries have one writer at a time
 * (docs/tracepoints.md: a QP's completions of an opcode all come from one
 * CQ, whose lock is held while `complete` fires), so its programs add
 * plainly, sparing a locked instruction a field; the five events' have
 * several (the engine's events and the host's) and add atomically.
 */
static __always_inline void add(__u64 *p, __u64 v, bool one_writer)
{
	if (one_writer)
		*p += v;
	else
		__sync_fetch_and_add(p, v);
}

/*
 * *p = min(*p, v) (or max): BPF has no atomic min, so compare and swap,
 * a few times at most; losing to other CPUs that long leaves a value one
 * of them observed, which still bounds the quantiles inside the samples.
 */
#define BOUND_TRIES	4

static __always_inline void bound(__u64 *p, __u64 v, bool least,
				  bool one_writer)
{
	__u64 old = *p, seen;
	int i;

	for (i = 0; i < BOUND_TRIES; i++) {
		if (least ? v >= old : v <= old)
			return;
		if (one_writer) {
			*p = v;
			return;
		}
		seen = __sync_val_compare_and_swap(p, old, v);
		if (seen == old)
			return;
		old = seen;
	}
}

static __always_inline struct qplat_hist *
qp_hist(__u32 pid, __u32 dev, __u32 qpn, __u32 op)
{
	struct qplat_hist_key k = {
		.pid = pid, .dev = dev, .qpn = qpn, .op = op,
	};

	return lookup_or_init(&hists, &k, &new_hist);
}

/* One sample of latency `lat` (unless -L leaves it out) into h. */
static __always_inline void lat_add(struct qplat_hist *h, __u32 lat, __u64 ns,
				    bool one_writer)
{
	struct qplat_lat_hist *l;
	__u32 b;

	if (!(lat_mask & (1U << lat)) || lat >= QPLAT_LAT_MAX)
		return;
	l = &h->lat[lat];
	b = qplat_bucket(ns);
	/* checked again here: older verifiers lose the bound on a copy */
	barrier_var(b);
	if (b >= QPLAT_BUCKETS)
		return;
	/* no count: readers add the buckets up */
	add(&l->buckets[b], 1, one_writer);
	add(&l->sum_ns, ns, one_writer);
	bound(&l->min_ns, ns, true, one_writer);
	bound(&l->max_ns, ns, false, one_writer);
}

/* The five events' samples: each its own lookup of the QP's and op's entry. */
static __always_inline void hist_add(__u32 pid, __u32 dev, __u32 qpn,
				     __u32 op, __u32 lat, __u64 ns)
{
	struct qplat_hist *h;

	if (!(lat_mask & (1U << lat)))
		return;
	h = qp_hist(pid, dev, qpn, op);
	if (h)
		lat_add(h, lat, ns, false);
}

/*
 * May a WR posted with `op` (post/wqe opcode) pass the opcode filter? A
 * send WR by the opcode its CQE will carry (hw.h, as the engine has it).
 */
static __always_inline bool post_op_ok(__u32 op)
{
	if (!filter_op)
		return true;
	if (hwqnic_wc_is_recv(op))	/* RECV or RECV_RDMA_WITH_IMM */
		return hwqnic_wc_is_recv(targ_op);
	return hwqnic_wr_wc_opcode(op) == targ_op;
}

static __always_inline bool wc_op_ok(__u32 op)
{
	return !filter_op || op == targ_op;
}

static __always_inline void cq_last_set(__u32 pid, __u32 dev, __u32 cq,
					__u32 qpn)
{
	struct qplat_cq_key k = { .pid = pid, .dev = dev, .cq = cq };
	__u32 *last = bpf_map_lookup_elem(&cq_last, &k);

	if (!last)
		bpf_map_update_elem(&cq_last, &k, &qpn, BPF_ANY);
	else if (*last != qpn)
		*last = qpn;
}

/*
 * Whether a slot's cqe stamp (cqe_id, cqe_ns) is the one of the WR with
 * wr_id posted at post_ns: a cqe of a slot's earlier WR, even with the
 * same wr_id (or a fresh entry's zeros for wr_id 0), is older than the post.
 */
static __always_inline bool cqe_was_for(__u64 cqe_id, __u64 cqe_ns,
					__u64 wr_id, __u64 post_ns)
{
	return cqe_id == wr_id && cqe_ns && cqe_ns >= post_ns;
}

static __always_inline int on_post(__u32 pid, __u32 dev, __u32 qpn, __u32 idx,
				   __u64 wr_id, __u32 opcode)
{
	struct qplat_wr_key k = {
		.pid = pid, .dev = dev, .qpn = qpn,
		.queue = hwqnic_wc_is_recv(opcode) ? QPLAT_RQ : QPLAT_SQ,
		.idx = idx,
	};
	__u64 now = bpf_ktime_get_ns();
	struct qplat_wr *w;

	if ((targ_qpn && qpn != targ_qpn) || !post_op_ok(opcode))
		return 0;
	w = bpf_map_lookup_elem(&wrs, &k);
	if (!w) {
		struct qplat_wr nw = { .wr_id = wr_id, .post_ns = now };

		bpf_map_update_elem(&wrs, &k, &nw, BPF_NOEXIST);
		return 0;
	}
	/* the slot's previous WR was polled before its cqe event came */
	if (w->wr_id != wr_id && w->poll_ns && w->db_ns &&
	    !cqe_was_for(w->cqe_wr_id, w->cqe_ns, w->wr_id, w->post_ns))
		bpf_map_update_elem(&late, &k, w, BPF_ANY);
	/* wr_id first: a reader that sees the new fields sees the new wr_id */
	w->wr_id = wr_id;
	barrier();
	w->post_ns = now;
	w->db_ns = 0;
	w->poll_ns = 0;
	return 0;
}

static __always_inline int on_db(__u32 pid, __u32 dev, __u32 xid, __u32 type,
				 __u32 index, __u32 epoch)
{
	struct qplat_q_key k = {
		.pid = pid, .dev = dev, .qpn = xid, .queue = QPLAT_SQ,
	};
	__u64 now = bpf_ktime_get_ns();
	struct qplat_counters *c;
	struct qplat_db *e;
	struct qplat_sq *q;
	__u32 flags = 0;

	if (type != HWQNIC_DB_SQ && type != HWQNIC_DB_RQ)
		return 0;	/* CQ arming: not a QP's */
	if (targ_qpn && xid != targ_qpn)
		return 0;
	c = qp_counters(pid, dev, xid);
	if (c)
		__sync_fetch_and_add(&c->doorbells, 1);
	if (type != HWQNIC_DB_SQ)
		return 0;	/* receives have no device latency */
	q = lookup_or_init(&sqs, &k, &zero_sq);
	if (!q)
		return 0;
	if (q->last_db_ns && index == q->last_index) {
		if (epoch == q->last_epoch)
			return 0;	/* announces nothing new */
		flags = QPLAT_DB_F_WRAP;
	}
	if (q->tail - q->head >= QPLAT_DB_RING)
		q->head++;	/* full: the next one takes the oldest's WQEs */
	e = &q->ring[q->tail & (QPLAT_DB_RING - 1)];
	e->ts = now;
	e->index = index;
	e->flags = flags;
	q->tail++;
	q->last_db_ns = now;
	q->last_index = index;
	q->last_epoch = epoch;
	return 0;
}

/*
 * The doorbell covering send WQE `idx`, posted at post_ns (0: unknown):
 * the oldest doorbell in the ring not older than the post whose range has
 * not ended before idx. WQEs are fetched in order, so the ring's head only
 * moves forward. Without one, the last doorbell accepted.
 */
static __always_inline __u64 covering_db(struct qplat_sq *q, __u32 idx,
					 __u64 post_ns)
{
	struct qplat_db *e;
	int i;

	for (i = 0; i <= QPLAT_DB_RING; i++) {
		if (q->head == q->tail)
			break;
		e = &q->ring[q->head & (QPLAT_DB_RING - 1)];
		if (e->ts >= post_ns) {
			if (e->index != idx)
				return e->ts;
			if ((e->flags & QPLAT_DB_F_WRAP) &&
			    !(e->flags & QPLAT_DB_F_STARTED)) {
				e->flags |= QPLAT_DB_F_STARTED;
				return e->ts;
			}
		}
		q->head++;	/* rang before the post, or ended at idx */
	}
	return q->last_db_ns >= post_ns ? q->last_db_ns : 0;
}

static __always_inline int on_wqe(__u32 pid, __u32 dev, __u32 qpn, __u32 idx,
				  __u64 wr_id)
{
	struct qplat_q_key qk = {
		.pid = pid, .dev = dev, .qpn = qpn, .queue = QPLAT_SQ,
	};
	struct qplat_wr_key k = {
		.pid = pid, .dev = dev, .qpn = qpn, .queue = QPLAT_SQ,
		.idx = idx,
	};
	struct qplat_counters *c;
	struct qplat_wr *w;
	struct qplat_sq *q;
	__u64 db_ns;

	if (targ_qpn && qpn != targ_qpn)
		return 0;
	c = qp_counters(pid, dev, qpn);
	if (c)
		__sync_fetch_and_add(&c->wqes, 1);
	q = bpf_map_lookup_elem(&sqs, &qk);
	if (!q)
		return 0;
	/*
	 * The WR's post is done (its WQE is fetched) and the slot's next
	 * post waits for this WR's completion: its fields hold still.
	 */
	w = bpf_map_lookup_elem(&wrs, &k);
	if (w && w->wr_id != wr_id)
		w = NULL;	/* posted before qplat, or filtered out */
	/* keep the verifier's NULL check on w itself */
	barrier_var(w);
	if (!w) {
		/* a WR we do not follow: keeps the ring in step */
		covering_db(q, idx, 0);
		return 0;
	}
	db_ns = covering_db(q, idx, w->post_ns);
	w->db_ns = db_ns;
	return 0;
}

static __always_inline int on_cqe(__u32 pid, __u32 dev, __u32 qpn, __u32 idx,
				  __u64 wr_id, __u32 opcode, __u32 length,
				  __u32 status, __u32 cq)
{
	struct qplat_wr_key k = {
		.pid = pid, .dev = dev, .qpn = qpn,
		.queue = hwqnic_wc_is_recv(opcode) ? QPLAT_RQ : QPLAT_SQ,
		.idx = idx,
	};
	__u64 now = bpf_ktime_get_ns(), db_ns = 0, poll_ns = 0, id1, id2;
	struct qplat_counters *c;
	struct qplat_wr *w, *l;

	if (targ_qpn && qpn != targ_qpn)
		return 0;
	c = qp_counters(pid, dev, qpn);
	if (c) {
		__sync_fetch_and_add(&c->cqes, 1);
		if (status)
			__sync_fetch_and_add(&c->err_cqes, 1);
		else
			__sync_fetch_and_add(&c->bytes, length);
	}
	cq_last_set(pid, dev, cq, qpn);
	if (!wc_op_ok(opcode))
		return 0;

	w = bpf_map_lookup_elem(&wrs, &k);
	if (!w)
		return 0;
	/* `post` of the slot's next WR may be rewriting it */
	id1 = w->wr_id;
	barrier();
	db_ns = w->db_ns;
	poll_ns = w->poll_ns;
	barrier();
	id2 = w->wr_id;
	if (id1 != wr_id || id2 != wr_id) {
		/* polled, and the slot posted again, before this event */
		db_ns = 0;
		l = bpf_map_lookup_elem(&late, &k);
		if (l && l->wr_id == wr_id) {
			db_ns = l->db_ns;
			poll_ns = l->poll_ns;
			bpf_map_delete_elem(&late, &k);
		}
	}
	if (!status && db_ns) {
		/* polled already: the CQE was there by then */
		__u64 end = poll_ns && poll_ns < now ? poll_ns : now;

		hist_add(pid, dev, qpn, opcode, QPLAT_LAT_DEVICE,
			 end > db_ns ? end - db_ns : 0);
	}
	/* for the poll: odd cqe_seq while changing */
	w->cqe_seq++;
	barrier();
	w->cqe_wr_id = wr_id;
	w->cqe_ns = now;
	barrier();
	w->cqe_seq++;
	return 0;
}

static __always_inline int on_poll(__u32 pid, __u32 dev, __u32 qpn, __u32 idx,
				   __u64 wr_id, __u32 opcode, __u32 status,
				   __u32 cq)
{
	struct qplat_wr_key k = {
		.pid = pid, .dev = dev, .qpn = qpn,
		.queue = hwqnic_wc_is_recv(opcode) ? QPLAT_RQ : QPLAT_SQ,
		.idx = idx,
	};
	__u64 now = bpf_ktime_get_ns(), post_ns, cqe_ns, cqe_id, s1, s2;
	struct qplat_counters *c;
	struct qplat_wr *w;
	bool seen;

	if (status == HWQNIC_POLL_EMPTY && !qpn) {
		struct qplat_cq_key ck = { .pid = pid, .dev = dev, .cq = cq };
		__u32 *last = bpf_map_lookup_elem(&cq_last, &ck);

		/* cq_last only holds QPs that passed the QPN filter */
		if (!last)
			return 0;
		/* one event reports a run of idx empty polls */
		c = qp_counters(pid, dev, *last);
		if (c)
			__sync_fetch_and_add(&c->empty_polls, idx);
		return 0;
	}
	if (targ_qpn && qpn != targ_qpn)
		return 0;
	c = qp_counters(pid, dev, qpn);
	if (c)
		__sync_fetch_and_add(&c->polls, 1);
	cq_last_set(pid, dev, cq, qpn);
	if (!wc_op_ok(opcode))
		return 0;

	w = bpf_map_lookup_elem(&wrs, &k);
	if (!w || w->wr_id != wr_id)
		return 0;
	post_ns = w->post_ns;
	/* has the cqe event for this WR run? */
	s1 = w->cqe_seq;
	barrier();
	cqe_id = w->cqe_wr_id;
	cqe_ns = w->cqe_ns;
	barrier();
	s2 = w->cqe_seq;
	seen = s1 == s2 && !(s1 & 1) &&
	       cqe_was_for(cqe_id, cqe_ns, wr_id, post_ns);
	if (w->wr_id != wr_id)
		return 0;	/* another thread posted into the slot */
	if (!status) {
		hist_add(pid, dev, qpn, opcode, QPLAT_LAT_E2E,
			 now > post_ns ? now - post_ns : 0);
		/* no cqe event yet: picked up as soon as it was written */
		hist_add(pid, dev, qpn, opcode, QPLAT_LAT_PICKUP,
			 seen && now > cqe_ns ? now - cqe_ns : 0);
	}
	if (!seen)
		w->poll_ns = now;	/* the late cqe ends device here */
	return 0;
}

/*
 * A completion posted before its process's period changed (sample_since).
 * Only qplat's sampling changes periods: exact, it costs no lookup.
 */
static __always_inline bool sampled_before(__u32 pid, __u64 post_ns)
{
	__u64 *since;

	if (!sampling)
		return false;
	since = bpf_map_lookup_elem(&sample_since, &pid);
	return since && post_ns && post_ns < *since;
}

/*
 * One traced completion, polled at poll_ns: counted, and its latencies
 * from the times it carries, all in the one `hists` entry of its QP and
 * opcode. A time of 0 is one the completion does not have (a WR posted
 * before its queue kept times, a send posted without a stamp): that
 * latency is left out. Receives have no device latency, as in the
 * five-event mode.
 */
static __always_inline int on_complete(__u32 pid, __u32 dev, __u32 qpn,
				       __u32 opcode, __u32 status,
				       __u32 length, __u64 post_ns,
				       __u64 db_ns, __u64 cqe_ns,
				       __u64 poll_ns)
{
	struct qplat_hist *h;

	if (targ_qpn && qpn != targ_qpn)
		return 0;
	h = qp_hist(pid, dev, qpn, opcode);
	if (!h)
		return 0;
	/* CQEs written, WQEs, doorbells: events this mode does not see */
	add(&h->polls, 1, true);
	if (status) {
		add(&h->err_cqes, 1, true);
		return 0;
	}
	add(&h->bytes, length, true);
	if (!wc_op_ok(opcode) || sampled_before(pid, post_ns))
		return 0;
	if (db_ns && cqe_ns && !hwqnic_wc_is_recv(opcode))
		lat_add(h, QPLAT_LAT_DEVICE,
			cqe_ns > db_ns ? cqe_ns - db_ns : 0, true);
	if (cqe_ns)
		lat_add(h, QPLAT_LAT_PICKUP,
			poll_ns > cqe_ns ? poll_ns - cqe_ns : 0, true);
	if (post_ns)
		lat_add(h, QPLAT_LAT_E2E,
			poll_ns > post_ns ? poll_ns - post_ns : 0, true);
	return 0;
}

static __always_inline __u32 current_pid(void)
{
	return usdt_pid0 ? 0 : bpf_get_current_pid_tgid() >> 32;
}

/*
 * The USDT programs: each reads the arguments it uses in one go, from the
 * registers qplat found for its probe or else from libbpf's spec
 * (bpf/usdt_args.h); a hit whose arguments cannot be read records nothing.
 */
SEC("usdt")
int qplat_post(struct pt_regs *ctx)
{
	long a[5];	/* dev, qpn, idx, wr_id, opcode (, length) */

	if (usdt_args(ctx, a, 5, &post_regs))
		return 0;
	return on_post(current_pid(), a[0], a[1], a[2], a[3], a[4]);
}

SEC("usdt")
int qplat_db(struct pt_regs *ctx)
{
	long a[5];	/* dev, xid, type, index, epoch */

	if (usdt_args(ctx, a, 5, &db_regs))
		return 0;
	return on_db(current_pid(), a[0], a[1], a[2], a[3], a[4]);
}

SEC("usdt")
int qplat_wqe(struct pt_regs *ctx)
{
	long a[4];	/* dev, qpn, idx, wr_id (, opcode, length) */

	if (usdt_args(ctx, a, 4, &wqe_regs))
		return 0;
	return on_wqe(current_pid(), a[0], a[1], a[2], a[3]);
}

SEC("usdt")
int qplat_cqe(struct pt_regs *ctx)
{
	long a[8];	/* dev, qpn, idx, wr_id, opcode, length, status, cq */

	if (usdt_args(ctx, a, 8, &cqe_regs))
		return 0;
	return on_cqe(current_pid(), a[0], a[1], a[2], a[3], a[4], a[5],
		      a[6], a[7]);
}

SEC("usdt")
int qplat_poll(struct pt_regs *ctx)
{
	long a[8];	/* dev, qpn, idx, wr_id, opcode, length, status, cq */

	if (usdt_args(ctx, a, 8, &poll_regs))
		return 0;
	return on_poll(current_pid(), a[0], a[1], a[2], a[3], a[4], a[6],
		       a[7]);
}

SEC("usdt")
int qplat_complete(struct pt_regs *ctx)
{
	long a[QPLAT_COMPLETE_ARGS];

	if (usdt_args(ctx, a, QPLAT_COMPLETE_ARGS, &complete_regs))
		return 0;
	return on_complete(current_pid(), a[0], a[1], a[2], a[3], a[4], a[5],
			   a[6], a[7], a[8]);
}

/* hwqnic.ko's tracepoints: the same arguments as the USDT probes. */
SEC("raw_tp/hwqnic_post")
int BPF_PROG(qplat_k_post, u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode,
	     u32 length)
{
	return on_post(0, dev, qpn, idx, wr_id, opcode);
}

SEC("raw_tp/hwqnic_db")
int BPF_PROG(qplat_k_db, u32 dev, u32 xid, u32 type, u32 index, u32 epoch)
{
	return on_db(0, dev, xid, type, index, epoch);
}

SEC("raw_tp/hwqnic_wqe")
int BPF_PROG(qplat_k_wqe, u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode,
	     u32 length)
{
	return on_wqe(0, dev, qpn, idx, wr_id);
}

SEC("raw_tp/hwqnic_cqe")
int BPF_PROG(qplat_k_cqe, u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode,
	     u32 length, u32 status, u32 cq)
{
	return on_cqe(0, dev, qpn, idx, wr_id, opcode, length, status, cq);
}

SEC("raw_tp/hwqnic_poll")
int BPF_PROG(qplat_k_poll, u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode,
	     u32 length, u32 status, u32 cq)
{
	return on_poll(0, dev, qpn, idx, wr_id, opcode, status, cq);
}

SEC("raw_tp/hwqnic_complete")
int BPF_PROG(qplat_k_complete, u32 dev, u32 qpn, u32 opcode, u32 status,
	     u32 length, u64 post_ns, u64 db_ns, u64 cqe_ns, u64 poll_ns)
{
	return on_complete(0, dev, qpn, opcode, status, length, post_ns,
			   db_ns, cqe_ns, poll_ns);
}

char LICENSE[] SEC("license") = "GPL";
