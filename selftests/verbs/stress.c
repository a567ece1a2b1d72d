// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * 8 RC pairs, 2 poster threads (4 pairs each, sharing one send CQ and one
 * receive CQ per thread), 1M SENDs in total (HWQNIC_TEST_SCALE scales it,
 * HWQNIC_TEST_QUICK divides it by 100). Each message carries its pair,
 * sequence number, length and a checksum over a payload derived from them;
 * the receiver regenerates and compares it. Every 16th SEND is signaled and
 * WRs go out in lists. Nothing may be lost, duplicated, reordered or
 * corrupted, and every QP's counters must match the traffic. Then two
 * threads post inline SENDs to one QP at once (ENOMEM when its SQ is full
 * is theirs to wait out): each thread's messages arrive once and in order.
 */
#include <pthread.h>

#include "../lib/helpers.h"

#define NPAIRS		8
#define NTHREADS	2
#define PER_THREAD	(NPAIRS / NTHREADS)
#define DEPTH		64	/* SQ and RQ */
#define SLOT		256	/* bytes per send and receive buffer */
#define SIG_EVERY	16
#define MAGIC		0x68777173U

struct msg_hdr {
	__u32 magic;
	__u32 pair;
	__u64 seq;
	__u32 len;		/* whole message */
	__u32 csum;		/* FNV-1a over the payload after the header */
};

struct pair_st {
	int idx;
	struct u_pair p;
	struct u_buf sbuf, rbuf;
	unsigned long total;			/* messages to send */
	unsigned long posted, completed;	/* sender side */
	unsigned long received;			/* responder side */
	unsigned long signaled;			/* signaled WRs posted */
	unsigned long post_calls, recv_posts, recv_calls;
	unsigned long long bytes;
	unsigned long lost, dup, corrupt, bad_wc;
	const char *first_err;
};

struct worker {
	int t;
	struct pair_st *ps[PER_THREAD];
	struct hwqnic_cq *scq, *rcq, *idle;
	bool failed;
	pthread_t thread;
};

static struct u_dev dev;
static struct pair_st pairs[NPAIRS];
static struct worker workers[NTHREADS];
static uint64_t seed;

static uint32_t msg_len(int pair, uint64_t seq)
{
	uint64_t s = (seq + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)pair << 56 ^
		     seed;

	return sizeof(struct msg_hdr) +
	       tap_rand(&s) % (SLOT - sizeof(struct msg_hdr) + 1);
}

static void payload(int pair, uint64_t seq, uint8_t *p, uint32_t n)
{
	uint64_t s = (seq + 1) * 0xbf58476d1ce4e5b9ULL ^ (uint64_t)pair << 48 ^
		     ~seed;

	u_fill_rand(p, n, &s);
}

static __u32 fnv(const uint8_t *p, uint32_t n)
{
	__u32 h = 2166136261U;

	while (n--)
		h = (h ^ *p++) * 16777619U;
	return h;
}

static void fail(struct pair_st *ps, const char *why)
{
	if (!ps->first_err)
		ps->first_err = why;
}

static int post_recv_slot(struct pair_st *ps, unsigned int slot)
{
	struct hwqnic_sge sge = u_sge(&ps->rbuf, (size_t)slot * SLOT, SLOT);

	ps->recv_posts++;
	ps->recv_calls++;
	return u_post_recv(ps->p.b.qp, slot, &sge, 1);
}

/* Posts what the SQ and the receiver's credits allow, in lists. */
static int post_some(struct pair_st *ps)
{
	struct hwqnic_send_wr wr[8], *bad;
	struct hwqnic_sge sge[8];
	unsigned long limit = U_MIN(ps->total, ps->completed + DEPTH);
	int n = 0, rc;

	limit = U_MIN(limit, ps->received + DEPTH);
	while (ps->posted < limit && n < 8) {
		uint64_t seq = ps->posted;
		uint8_t *buf = ps->sbuf.p + (seq % DEPTH) * SLOT;
		struct msg_hdr h = {
			.magic = MAGIC,
			.pair = ps->idx,
			.seq = seq,
			.len = msg_len(ps->idx, seq),
		};

		payload(ps->idx, seq, buf + sizeof(h), h.len - sizeof(h));
		h.csum = fnv(buf + sizeof(h), h.len - sizeof(h));
		memcpy(buf, &h, sizeof(h));
		sge[n] = u_sge(&ps->sbuf, (seq % DEPTH) * SLOT, h.len);
		memset(&wr[n], 0, sizeof(wr[n]));
		wr[n].wr_id = seq;
		wr[n].sg_list = &sge[n];
		wr[n].num_sge = 1;
		wr[n].opcode = HWQNIC_WR_SEND;
		if (seq % SIG_EVERY == SIG_EVERY - 1 || seq + 1 == ps->total) {
			wr[n].send_flags = HWQNIC_SEND_SIGNALED;
			ps->signaled++;
		}
		if (n)
			wr[n - 1].next = &wr[n];
		ps->bytes += h.len;
		ps->posted++;
		n++;
	}
	if (!n)
		return 0;
	ps->post_calls++;
	rc = hwqnic_post_send(ps->p.a.qp, wr, &bad);
	if (rc)
		fail(ps, "post_send failed");
	return rc;
}

static struct pair_st *by_qpn(struct worker *w, __u32 qpn, bool sender)
{
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		struct u_ep *e = sender ? &w->ps[i]->p.a : &w->ps[i]->p.b;

		if (e->qp->qp_num == qpn)
			return w->ps[i];
	}
	return NULL;
}

static void on_send(struct worker *w, const struct hwqnic_wc *wc)
{
	struct pair_st *ps = by_qpn(w, wc->qp_num, true);

	if (!ps) {
		w->failed = true;
		return;
	}
	if (wc->status != HWQNIC_WC_SUCCESS || wc->opcode != HWQNIC_WC_SEND ||
	    wc->wr_id < ps->completed || wc->wr_id >= ps->posted) {
		ps->bad_wc++;
		fail(ps, "bad send completion");
		return;
	}
	ps->completed = wc->wr_id + 1;
}

static void on_recv(struct worker *w, const struct hwqnic_wc *wc)
{
	struct pair_st *ps = by_qpn(w, wc->qp_num, false);
	uint8_t expect[SLOT];
	struct msg_hdr h;
	const uint8_t *m;

	if (!ps) {
		w->failed = true;
		return;
	}
	if (wc->status != HWQNIC_WC_SUCCESS || wc->opcode != HWQNIC_WC_RECV ||
	    wc->wr_id >= DEPTH || wc->src_qp != ps->p.a.qp->qp_num ||
	    wc->byte_len < sizeof(h) || wc->byte_len > SLOT) {
		ps->bad_wc++;
		fail(ps, "bad receive completion");
		return;
	}
	m = ps->rbuf.p + wc->wr_id * SLOT;
	memcpy(&h, m, sizeof(h));
	if (h.magic != MAGIC || h.pair != (__u32)ps->idx ||
	    h.len != wc->byte_len) {
		ps->corrupt++;
		fail(ps, "corrupt header");
	} else if (h.seq < ps->received) {
		ps->dup++;
		fail(ps, "duplicate or reordered message");
	} else if (h.seq > ps->received) {
		ps->lost += h.seq - ps->received;
		fail(ps, "message missing");
		ps->received = h.seq;
	}
	if (h.magic == MAGIC && h.len == wc->byte_len) {
		payload(ps->idx, h.seq, expect, h.len - sizeof(h));
		if (h.len != msg_len(ps->idx, h.seq) ||
		    fnv(m + sizeof(h), h.len - sizeof(h)) != h.csum ||
		    memcmp(expect, m + sizeof(h), h.len - sizeof(h))) {
			ps->corrupt++;
			fail(ps, "corrupt payload");
		}
	}
	if (h.seq >= ps->received)
		ps->received++;
	if (post_recv_slot(ps, wc->wr_id))
		fail(ps, "post_recv failed");
}

static bool worker_done(struct worker *w)
{
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		struct pair_st *ps = w->ps[i];

		if (ps->completed < ps->total || ps->received < ps->total)
			return false;
	}
	return true;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct hwqnic_wc wc[32];
	uint64_t last = u_now_ns();
	unsigned int spins = 0;
	int i, n;

	while (!worker_done(w) && !w->failed) {
		bool progress = false;

		for (i = 0; i < PER_THREAD; i++)
			if (post_some(w->ps[i]))
				w->failed = true;
		n = hwqnic_poll_cq(w->scq, 32, wc);
		for (i = 0; i < n; i++)
			on_send(w, &wc[i]);
		progress |= n > 0;
		if (n < 0)
			w->failed = true;
		n = hwqnic_poll_cq(w->rcq, 32, wc);
		for (i = 0; i < n; i++)
			on_recv(w, &wc[i]);
		progress |= n > 0;
		if (n < 0)
			w->failed = true;
		if (hwqnic_poll_cq(w->idle, 32, wc)) {
			diag("thread %d: completion on an idle CQ", w->t);
			w->failed = true;
		}
		if (progress) {
			last = u_now_ns();
			spins = 0;
		} else if (u_now_ns() - last > u_timeout_ns()) {
			diag("thread %d: no progress for %llu s", w->t,
			     (unsigned long long)(u_timeout_ns() / 1000000000));
			w->failed = true;
		} else {
			u_relax(&spins);
		}
	}
	return NULL;
}

static int setup(unsigned long total)
{
	struct u_qp_cfg cfg;
	int t, i, s, rc;

	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = DEPTH;
	cfg.max_recv_wr = DEPTH;
	for (t = 0; t < NTHREADS; t++) {
		struct worker *w = &workers[t];

		w->t = t;
		w->scq = hwqnic_create_cq(dev.ctx, PER_THREAD * DEPTH, NULL,
					  NULL);
		w->rcq = hwqnic_create_cq(dev.ctx, PER_THREAD * DEPTH, NULL,
					  NULL);
		w->idle = hwqnic_create_cq(dev.ctx, 16, NULL, NULL);
		if (!w->scq || !w->rcq || !w->idle)
			return errno;
		for (i = 0; i < PER_THREAD; i++) {
			struct pair_st *ps = &pairs[t * PER_THREAD + i];

			w->ps[i] = ps;
			ps->idx = t * PER_THREAD + i;
			ps->total = total / NPAIRS +
				    (ps->idx < (int)(total % NPAIRS));
			rc = u_ep_create_with(&ps->p.a, dev.pd, &cfg, w->scq,
					      w->idle);
			rc = rc ? rc : u_ep_create_with(&ps->p.b, dev.pd, &cfg,
							w->idle, w->rcq);
			rc = rc ? rc : u_rc_connect(&ps->p.a, &ps->p.b);
			rc = rc ? rc : u_buf_alloc(&ps->sbuf, dev.pd,
						   DEPTH * SLOT,
						   HWQNIC_ACCESS_LOCAL_WRITE);
			rc = rc ? rc : u_buf_alloc(&ps->rbuf, dev.pd,
						   DEPTH * SLOT,
						   HWQNIC_ACCESS_LOCAL_WRITE);
			for (s = 0; !rc && s < DEPTH; s++)
				rc = post_recv_slot(ps, s);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static void teardown(void)
{
	int t, i;

	for (i = 0; i < NPAIRS; i++) {
		u_pair_destroy(&pairs[i].p);
		u_buf_free(&pairs[i].sbuf);
		u_buf_free(&pairs[i].rbuf);
	}
	for (t = 0; t < NTHREADS; t++) {
		if (workers[t].scq)
			hwqnic_destroy_cq(workers[t].scq);
		if (workers[t].rcq)
			hwqnic_destroy_cq(workers[t].rcq);
		if (workers[t].idle)
			hwqnic_destroy_cq(workers[t].idle);
	}
}

static void check_counters(void)
{
	unsigned long bad = 0;
	int i;

	for (i = 0; i < NPAIRS; i++) {
		struct pair_st *ps = &pairs[i];
		struct hwqnic_qp_counters a, b;
		int ra, rb;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		ra = hwqnic_query_qp_counters(ps->p.a.qp, &a);
		rb = hwqnic_query_qp_counters(ps->p.b.qp, &b);
		/* the engine may take several doorbells of a queue as one */
		if (ra || rb || a.posts != ps->total || a.recv_posts ||
		    a.wqes != ps->total || a.completions != ps->signaled ||
		    a.errors || a.bytes != ps->bytes || a.doorbells < 1 ||
		    a.doorbells > ps->post_calls || b.posts ||
		    b.recv_posts != ps->recv_posts || b.wqes ||
		    b.completions != ps->total || b.errors ||
		    b.doorbells < 1 || b.doorbells > ps->recv_calls ||
		    a.sq_outstanding || a.rq_outstanding ||
		    b.sq_outstanding || b.rq_outstanding != DEPTH) {
			bad++;
			diag("pair %d requester: posts %llu/%lu wqes %llu/%lu completions %llu/%lu errors %llu bytes %llu/%llu doorbells %llu (calls %lu)",
			     i, (unsigned long long)a.posts, ps->total,
			     (unsigned long long)a.wqes, ps->total,
			     (unsigned long long)a.completions, ps->signaled,
			     (unsigned long long)a.errors,
			     (unsigned long long)a.bytes, ps->bytes,
			     (unsigned long long)a.doorbells, ps->post_calls);
			diag("pair %d responder: recv_posts %llu/%lu wqes %llu completions %llu/%lu errors %llu doorbells %llu rq %u",
			     i, (unsigned long long)b.recv_posts, ps->recv_posts,
			     (unsigned long long)b.wqes,
			     (unsigned long long)b.completions, ps->total,
			     (unsigned long long)b.errors,
			     (unsigned long long)b.doorbells,
			     b.rq_outstanding);
		}
	}
	ok(!bad, "every QP's counters match the traffic (%lu pairs off)", bad);
}

/* --- phase 2: two threads posting to one QP ----------------------------- */

struct shared {
	struct u_pair p;
	struct u_buf rbuf;
	unsigned long per_thread;
	bool stop;
};

struct poster {
	struct shared *sh;
	int t;
	unsigned long posted, enomem;
	const char *why;
	pthread_t thread;
};

struct inl_msg {
	__u32 magic;
	__u32 thread;
	__u64 seq;
};

static void *poster_run(void *arg)
{
	struct poster *po = arg;
	struct shared *sh = po->sh;
	uint64_t last = u_now_ns();
	unsigned int spins = 0;
	int rc;

	while (po->posted < sh->per_thread && !sh->stop) {
		struct inl_msg m = { MAGIC, po->t, po->posted };
		struct hwqnic_sge sge = { (uintptr_t)&m, sizeof(m), 0 };

		rc = u_post_send(sh->p.a.qp, HWQNIC_WR_SEND,
				 (uint64_t)po->t << 32 | po->posted, &sge, 1,
				 HWQNIC_SEND_SIGNALED | HWQNIC_SEND_INLINE, 0,
				 0, 0);
		if (!rc) {
			po->posted++;
			last = u_now_ns();
			spins = 0;
			continue;
		}
		if (rc != ENOMEM) {
			po->why = "post_send failed";
			break;
		}
		po->enomem++;
		if (u_now_ns() - last > u_timeout_ns()) {
			po->why = "the SQ stayed full";
			break;
		}
		u_relax(&spins);
	}
	return NULL;
}

static void one_qp_two_threads(void)
{
	struct shared sh;
	struct poster po[2];
	struct u_qp_cfg cfg;
	struct hwqnic_wc wc[32];
	struct hwqnic_qp_counters ca, cb;
	unsigned long sent = 0, recvd = 0, bad = 0, next[2] = { 0, 0 };
	uint64_t last;
	unsigned int spins = 0;
	const char *why = NULL;
	int i, n, t, rc = 0;

	memset(&sh, 0, sizeof(sh));
	memset(po, 0, sizeof(po));
	sh.per_thread = u_scaled(50000, 250);
	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = DEPTH;
	cfg.max_recv_wr = DEPTH;
	cfg.max_inline = sizeof(struct inl_msg);
	rc = u_pair_create(&sh.p, dev.pd, &cfg);
	rc = rc ? rc : u_buf_alloc(&sh.rbuf, dev.pd, DEPTH * SLOT,
				   HWQNIC_ACCESS_LOCAL_WRITE);
	for (i = 0; !rc && i < DEPTH; i++) {
		struct hwqnic_sge sge = u_sge(&sh.rbuf, (size_t)i * SLOT,
					      SLOT);

		rc = u_post_recv(sh.p.b.qp, i, &sge, 1);
	}
	if (!ok(!rc, "one pair for two posting threads, %lu SENDs each",
		sh.per_thread))
		goto out;
	for (t = 0; t < 2; t++) {
		po[t].sh = &sh;
		po[t].t = t;
		pthread_create(&po[t].thread, NULL, poster_run, &po[t]);
	}
	last = u_now_ns();
	while (!why && (sent < 2 * sh.per_thread ||
			recvd < 2 * sh.per_thread)) {
		bool progress = false;

		n = hwqnic_poll_cq(sh.p.a.scq, 32, wc);
		for (i = 0; i < n; i++, sent++)
			if (wc[i].status != HWQNIC_WC_SUCCESS)
				bad++;
		progress |= n > 0;
		n = n < 0 ? n : hwqnic_poll_cq(sh.p.b.rcq, 32, wc);
		for (i = 0; i < n; i++, recvd++) {
			const struct inl_msg *m = (const void *)
				(sh.rbuf.p + wc[i].wr_id * SLOT);
			struct hwqnic_sge sge;

			if (wc[i].status != HWQNIC_WC_SUCCESS ||
			    wc[i].byte_len != sizeof(*m) ||
			    wc[i].wr_id >= DEPTH) {
				bad++;
				continue;
			}
			if (m->magic != MAGIC || m->thread > 1 ||
			    m->seq != next[m->thread])
				bad++;
			else
				next[m->thread]++;
			sge = u_sge(&sh.rbuf, wc[i].wr_id * SLOT, SLOT);
			if (u_post_recv(sh.p.b.qp, wc[i].wr_id, &sge, 1))
				why = "post_recv failed";
		}
		progress |= n > 0;
		if (n < 0)
			why = "poll failed";
		if (progress) {
			last = u_now_ns();
			spins = 0;
		} else if (u_now_ns() - last > u_timeout_ns()) {
			why = "no progress";
		} else {
			u_relax(&spins);
		}
	}
	sh.stop = !!why;
	for (t = 0; t < 2; t++)
		pthread_join(po[t].thread, NULL);
	if (!why)
		why = po[0].why ? po[0].why : po[1].why;
	diag("posters met a full SQ %lu and %lu times", po[0].enomem,
	     po[1].enomem);
	ok(!why && !bad && next[0] == sh.per_thread &&
	   next[1] == sh.per_thread,
	   "two threads on one QP: every SEND completed and arrived once, each thread's in order (%lu bad)%s%s",
	   bad, why ? ": " : "", why ? why : "");
	memset(&ca, 0, sizeof(ca));
	memset(&cb, 0, sizeof(cb));
	hwqnic_query_qp_counters(sh.p.a.qp, &ca);
	hwqnic_query_qp_counters(sh.p.b.qp, &cb);
	ok(ca.posts == 2 * sh.per_thread && ca.wqes == ca.posts &&
	   ca.completions == ca.posts && !ca.errors &&
	   ca.bytes == ca.posts * sizeof(struct inl_msg) &&
	   cb.completions == ca.posts && cb.recv_posts == ca.posts + DEPTH,
	   "and the counters agree (posts %llu, completions %llu/%llu)",
	   (unsigned long long)ca.posts, (unsigned long long)ca.completions,
	   (unsigned long long)cb.completions);
out:
	u_pair_destroy(&sh.p);
	u_buf_free(&sh.rbuf);
}

static void suite(void)
{
	unsigned long total = u_scaled(1000000, 800), sent = 0, recvd = 0;
	unsigned long lost = 0, dup = 0, corrupt = 0, bad_wc = 0;
	unsigned long long bytes = 0;
	uint64_t t0;
	bool failed = false;
	int t, i;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	if (!ok(!setup(total), "%d RC pairs, %d threads, %lu messages",
		NPAIRS, NTHREADS, total))
		goto out;

	t0 = u_now_ns();
	for (t = 0; t < NTHREADS; t++)
		pthread_create(&workers[t].thread, NULL, worker_run,
			       &workers[t]);
	for (t = 0; t < NTHREADS; t++) {
		pthread_join(workers[t].thread, NULL);
		failed |= workers[t].failed;
	}
	t0 = u_now_ns() - t0;
	for (i = 0; i < NPAIRS; i++) {
		struct pair_st *ps = &pairs[i];

		sent += ps->completed;
		recvd += ps->received;
		lost += ps->lost + (ps->total - U_MIN(ps->received, ps->total));
		dup += ps->dup;
		corrupt += ps->corrupt;
		bad_wc += ps->bad_wc;
		bytes += ps->bytes;
		if (ps->first_err)
			diag("pair %d: first error: %s", i, ps->first_err);
	}
	diag("%lu messages, %llu bytes in %.2f s: %.0f messages/s", recvd,
	     bytes, t0 / 1e9, recvd / (t0 / 1e9));
	ok(!failed && sent == total, "all %lu SENDs completed (%lu)", total,
	   sent);
	ok(!bad_wc, "no bad completion (%lu)", bad_wc);
	ok(!lost && recvd == total, "nothing lost (%lu missing)", lost);
	ok(!dup, "nothing duplicated or reordered (%lu)", dup);
	ok(!corrupt, "nothing corrupted (%lu)", corrupt);
	check_counters();
	teardown();
	one_qp_two_threads();
	goto done;
out:
	teardown();
done:
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
