// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-QP counters after a known workload: send and receive posts, doorbells
 * the engine took, WQEs fetched, CQEs written, error CQEs, payload bytes
 * and the queue gauges, on a clean pair and on one that hit an error. Then the published stats file, read by a forked child
 * (another process of the same user), says the same: header, QP slots,
 * states, CQ handles and every counter; slots empty when QPs go, the file
 * when the device closes.
 */
#include <sys/wait.h>

#include "../lib/helpers.h"

#define NQP	4

static struct u_dev dev;
static struct u_pair p, e;	/* p: clean workload, e: an error */
static struct u_buf sb, rb;
static uint64_t seed;

/* What the child saw: the header and the slots of our QPs. */
struct seen {
	int status;		/* HWQNIC_STATS_OK: read fine */
	struct hwqnic_stats hdr;	/* its qp pointer cleared */
	struct hwqnic_stats_qp qp[NQP];
	bool have[NQP];
};

static const struct hwqnic_qp_wire_counters wzero;
static const struct hwqnic_wire_counters dzero;

static bool zero(const struct hwqnic_qp_counters *c)
{
	return !c->posts && !c->recv_posts && !c->doorbells && !c->wqes &&
	       !c->completions && !c->errors && !c->bytes &&
	       !c->sq_outstanding && !c->rq_outstanding;
}

/* Every counter and gauge (the reserved words are nobody's business). */
static bool same(const struct hwqnic_qp_counters *a,
		 const struct hwqnic_qp_counters *b)
{
	return a->posts == b->posts && a->recv_posts == b->recv_posts &&
	       a->sq_outstanding == b->sq_outstanding &&
	       a->rq_outstanding == b->rq_outstanding &&
	       a->doorbells == b->doorbells && a->wqes == b->wqes &&
	       a->completions == b->completions && a->errors == b->errors &&
	       a->bytes == b->bytes;
}

static void show(const char *who, const struct hwqnic_qp_counters *c)
{
	diag("%s: posts %llu recv_posts %llu doorbells %llu wqes %llu completions %llu errors %llu bytes %llu sq %u rq %u",
	     who, (unsigned long long)c->posts,
	     (unsigned long long)c->recv_posts,
	     (unsigned long long)c->doorbells, (unsigned long long)c->wqes,
	     (unsigned long long)c->completions,
	     (unsigned long long)c->errors, (unsigned long long)c->bytes,
	     c->sq_outstanding, c->rq_outstanding);
}

static int post_list(struct hwqnic_qp *qp, struct hwqnic_send_wr *wr, int n)
{
	struct hwqnic_send_wr *bad;
	int i;

	for (i = 0; i < n; i++)
		wr[i].next = i + 1 < n ? &wr[i + 1] : NULL;
	return hwqnic_post_send(qp, wr, &bad);
}

static struct hwqnic_send_wr mkwr(enum hwqnic_wr_opcode op,
				  struct hwqnic_sge *sge, unsigned int flags,
				  uint64_t raddr)
{
	struct hwqnic_send_wr w;

	memset(&w, 0, sizeof(w));
	w.wr_id = op;
	w.sg_list = sge;
	w.num_sge = sge ? 1 : 0;
	w.opcode = op;
	w.send_flags = flags;
	w.wr.rdma.remote_addr = raddr;
	w.wr.rdma.rkey = rb.mr->rkey;
	return w;
}

/* The workload; returns the post_send calls made, or -1. */
static int workload(unsigned long long *bytes)
{
	static const uint32_t sends[] = { 0, 1, 100, 4096, 10000 };
	static const uint32_t writes[] = { 10, 20, 30 };
	static const uint32_t reads[] = { 64, 128 };
	struct hwqnic_send_wr w[5];
	struct hwqnic_sge s[5], r;
	struct hwqnic_wc wc[16];
	uint8_t inl[16] = "inline payload!";
	int i, calls = 0, rc = 0;

	*bytes = 0;
	for (i = 0; i < 7 && !rc; i++) {
		r = u_sge(&rb, (size_t)i * 16384, 16384);
		rc = u_post_recv(p.b.qp, i, &r, 1);
	}
	/* 5 signaled SENDs in one list */
	for (i = 0; i < 5; i++) {
		s[i] = u_sge(&sb, 0, sends[i]);
		w[i] = mkwr(HWQNIC_WR_SEND, sends[i] ? &s[i] : NULL,
			    HWQNIC_SEND_SIGNALED, 0);
		*bytes += sends[i];
	}
	rc = rc ? rc : post_list(p.a.qp, w, 5);
	calls++;
	/* 3 RDMA_WRITEs, the last signaled, one call each */
	for (i = 0; i < 3 && !rc; i++) {
		s[i] = u_sge(&sb, 0, writes[i]);
		w[i] = mkwr(HWQNIC_WR_RDMA_WRITE, &s[i],
			    i == 2 ? HWQNIC_SEND_SIGNALED : 0,
			    u_addr(&rb, 200000));
		rc = post_list(p.a.qp, &w[i], 1);
		calls++;
		*bytes += writes[i];
	}
	/* 2 RDMA_READs in one list */
	for (i = 0; i < 2; i++) {
		s[i] = u_sge(&sb, 20000, reads[i]);
		w[i] = mkwr(HWQNIC_WR_RDMA_READ, &s[i], HWQNIC_SEND_SIGNALED,
			    u_addr(&rb, 200000));
		*bytes += reads[i];
	}
	rc = rc ? rc : post_list(p.a.qp, w, 2);
	calls++;
	/* a FETCH_AND_ADD: 8 bytes, as its byte_len says */
	s[0] = u_sge(&sb, 30000, 8);
	w[0] = mkwr(HWQNIC_WR_ATOMIC_FETCH_AND_ADD, &s[0],
		    HWQNIC_SEND_SIGNALED, 0);
	w[0].wr.atomic.remote_addr = u_addr(&rb, 250000);
	w[0].wr.atomic.rkey = rb.mr->rkey;
	w[0].wr.atomic.compare_add = 3;
	rc = rc ? rc : post_list(p.a.qp, w, 1);
	calls++;
	*bytes += 8;
	/* an inline SEND of 16 bytes */
	s[0] = (struct hwqnic_sge){ (uintptr_t)inl, sizeof(inl), 0 };
	w[0] = mkwr(HWQNIC_WR_SEND, &s[0],
		    HWQNIC_SEND_SIGNALED | HWQNIC_SEND_INLINE, 0);
	rc = rc ? rc : post_list(p.a.qp, w, 1);
	calls++;
	*bytes += sizeof(inl);
	if (rc)
		return -1;
	if (u_wait_cq(p.a.scq, 10, wc) != 10)
		return -1;
	for (i = 0; i < 10; i++)
		if (wc[i].status != HWQNIC_WC_SUCCESS)
			return -1;
	if (u_wait_cq(p.b.rcq, 6, wc) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		if (wc[i].status != HWQNIC_WC_SUCCESS)
			return -1;
	return calls;
}

/* Error pair: a bad-lkey SEND (unsignaled), then 2 signaled WRITEs. */
/*
 * Taking the error rang e.a's receive doorbell, for receives to be flushed:
 * wait (at most 5 s) for the engine to take it, so the counters hold still.
 */
static int wait_doorbells(struct hwqnic_qp *qp, __u64 want)
{
	struct hwqnic_qp_counters c;
	int i;

	for (i = 0; i < 5000; i++) {
		if (hwqnic_query_qp_counters(qp, &c))
			return -1;
		if (c.doorbells >= want)
			return 0;
		usleep(1000);
	}
	return -1;
}

static int error_workload(void)
{
	struct hwqnic_send_wr w[3];
	struct hwqnic_sge s[3];
	struct hwqnic_wc wc[3];
	int i;

	for (i = 0; i < 3; i++) {
		s[i] = u_sge(&sb, 0, 32);
		w[i] = mkwr(i ? HWQNIC_WR_RDMA_WRITE : HWQNIC_WR_SEND, &s[i],
			    i ? HWQNIC_SEND_SIGNALED : 0, u_addr(&rb, 0));
	}
	s[0].lkey = sb.mr->lkey ^ 0x00ffff00U;
	if (post_list(e.a.qp, w, 3) || u_wait_cq(e.a.scq, 3, wc) != 3 ||
	    wc[0].status != HWQNIC_WC_LOC_PROT_ERR ||
	    wc[1].status != HWQNIC_WC_WR_FLUSH_ERR ||
	    wc[2].status != HWQNIC_WC_WR_FLUSH_ERR)
		return -1;
	return wait_doorbells(e.a.qp, 2);
}

/*
 * The child reads the parent's file as any other process would (the
 * inherited context refuses it even its name).
 */
static void child(pid_t parent, const char *name, const __u32 *qpns, int fd)
{
	struct hwqnic_stats st;
	struct seen s;
	int i;

	memset(&s, 0, sizeof(s));
	s.status = u_stats_read(parent, name, &st);
	if (!s.status) {
		for (i = 0; i < NQP; i++) {
			const struct hwqnic_stats_qp *q =
				u_stats_qp(&st, qpns[i]);

			if (q) {
				s.qp[i] = *q;
				s.have[i] = true;
			}
		}
		s.hdr = st;
		s.hdr.qp = NULL;
		hwqnic_stats_free(&st);
	}
	if (write(fd, &s, sizeof(s)) != sizeof(s))
		_exit(2);
	_exit(0);
}

static void check_file(const char *path, struct hwqnic_qp **qps,
		       const struct hwqnic_qp_counters *want)
{
	__u32 qpns[NQP];
	struct seen s;
	char comm[32] = "";
	struct stat st;
	int fd, status = -1, i, bad = 0;
	pid_t pid;
	const char *name;
	FILE *cf;
	ssize_t n;

	for (i = 0; i < NQP; i++)
		qpns[i] = qps[i]->qp_num;
	name = hwqnic_device_name(dev.ctx);
	ok(!stat(path, &st) && (st.st_mode & 0777) == 0600 &&
	   st.st_uid == getuid(), "%s: mode 0600, ours", path);
	pid = u_fork_piped(&fd);
	if (pid == 0)
		child(getppid(), name, qpns, fd);
	memset(&s, 0, sizeof(s));
	n = -1;
	if (pid > 0) {
		n = read(fd, &s, sizeof(s));
		close(fd);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (!ok(pid > 0 && n == sizeof(s) && WIFEXITED(status) &&
		!WEXITSTATUS(status) && s.status == HWQNIC_STATS_OK,
		"a forked child read the stats file with hwqnic_stats_read() (result %d)",
		s.status))
		return;

	cf = fopen("/proc/self/comm", "r");
	if (cf) {
		if (fgets(comm, sizeof(comm), cf))
			comm[strcspn(comm, "\n")] = 0;
		fclose(cf);
	}
	/* magic, version and size: the reader took only a file with them right */
	ok(s.hdr.pid == (__u32)getpid() &&
	   !strncmp(s.hdr.dev, hwqnic_device_name(dev.ctx),
		    sizeof(s.hdr.dev)) &&
	   !strncmp(s.hdr.comm, comm, sizeof(s.hdr.comm)) &&
	   s.hdr.max_qp >= 4,
	   "header: magic, version, pid, device name, comm \"%.16s\", %u QP slots",
	   s.hdr.comm, s.hdr.max_qp);
	ok(s.hdr.engine.run_ns > 0 &&
	   s.hdr.engine.busy_ns <= s.hdr.engine.run_ns,
	   "engine times: busy %llu <= run %llu ns",
	   (unsigned long long)s.hdr.engine.busy_ns,
	   (unsigned long long)s.hdr.engine.run_ns);
	for (i = 0; i < NQP; i++) {
		const struct hwqnic_stats_qp *q = &s.qp[i];

		if (!s.have[i] || q->qpn != qps[i]->qp_num ||
		    q->qp_type != HWQNIC_QPT_RC ||
		    q->state != (__u8)qps[i]->state ||
		    q->send_cq != qps[i]->send_cq->handle ||
		    q->recv_cq != qps[i]->recv_cq->handle ||
		    !same(&q->c, &want[i])) {
			bad++;
			diag("QP %u: slot qpn %u type %u state %u (want %u) cqs %u/%u (want %u/%u)",
			     qps[i]->qp_num, q->qpn, q->qp_type, q->state,
			     qps[i]->state, q->send_cq, q->recv_cq,
			     qps[i]->send_cq->handle,
			     qps[i]->recv_cq->handle);
			show("  in the file", &q->c);
			show("  queried", &want[i]);
		}
	}
	ok(!bad, "each QP's slot: QPN, type, state, CQ handles and all counters as queried (%d off)",
	   bad);
	/* loopback QPs take the shared-memory path: not a packet counted */
	for (i = bad = 0; i < NQP; i++)
		bad += !!memcmp(&s.qp[i].w, &wzero, sizeof(wzero));
	ok(!s.hdr.flags && !s.hdr.netdev[0] &&
	   !memcmp(&s.hdr.wire, &dzero, sizeof(dzero)) && !bad,
	   "a device on no netdev: flags 0x%x, no netdev, every wire counter zero (%d QPs not)",
	   s.hdr.flags, bad);
}

static void suite(void)
{
	struct hwqnic_qp_counters c[NQP], z;
	struct hwqnic_qp *qps[NQP];
	unsigned long long bytes = 0;
	char path[128];
	struct hwqnic_stats sf;
	struct u_qp_cfg cfg;
	struct stat st;
	__u32 gone;
	int calls, i, rc;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	u_stats_path(dev.ctx, getpid(), path, sizeof(path));
	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = 16;
	cfg.max_recv_wr = 16;
	cfg.max_inline = 16;
	rc = u_pair_create(&p, dev.pd, &cfg);
	rc = rc ? rc : u_pair_create(&e, dev.pd, &cfg);
	rc = rc ? rc : u_buf_alloc(&sb, dev.pd, 1 << 18, U_RC_ACCESS);
	rc = rc ? rc : u_buf_alloc(&rb, dev.pd, 1 << 18, U_RC_ACCESS);
	if (!ok(!rc, "two RC pairs and buffers"))
		goto out;
	qps[0] = p.a.qp;
	qps[1] = p.b.qp;
	qps[2] = e.a.qp;
	qps[3] = e.b.qp;
	memset(&z, 0xff, sizeof(z));
	ok(!hwqnic_query_qp_counters(p.a.qp, &z) && zero(&z),
	   "a new QP's counters are all zero");

	calls = workload(&bytes);
	if (!ok(calls > 0, "workload ran: 12 send WRs in %d calls, 7 receives",
		calls))
		goto out;
	ok(!error_workload(), "error workload ran: LOC_PROT_ERR then 2 flushes");
	for (i = 0; i < NQP; i++) {
		memset(&c[i], 0xff, sizeof(c[i]));
		hwqnic_query_qp_counters(qps[i], &c[i]);
	}
	show("requester", &c[0]);
	show("responder", &c[1]);
	show("error requester", &c[2]);
	show("error responder", &c[3]);
	ok(c[0].posts == 12 && c[0].recv_posts == 0,
	   "requester posts 12 send WRs, no receive (%llu, %llu)",
	   (unsigned long long)c[0].posts,
	   (unsigned long long)c[0].recv_posts);
	ok(c[0].wqes == 12, "requester wqes 12 (%llu)",
	   (unsigned long long)c[0].wqes);
	ok(c[0].completions == 10, "requester completions 10 (%llu)",
	   (unsigned long long)c[0].completions);
	ok(c[0].errors == 0, "requester errors 0 (%llu)",
	   (unsigned long long)c[0].errors);
	ok(c[0].bytes == bytes, "requester bytes %llu (%llu)", bytes,
	   (unsigned long long)c[0].bytes);
	/* the engine may take several doorbells of a queue as one */
	ok(c[0].doorbells >= 1 && c[0].doorbells <= (unsigned int)calls,
	   "requester doorbells taken between 1 and its %d post calls (%llu)",
	   calls, (unsigned long long)c[0].doorbells);
	ok(c[1].posts == 0 && c[1].recv_posts == 7 && c[1].doorbells >= 1 &&
	   c[1].doorbells <= 7,
	   "responder: 7 receives posted one by one, 1 to 7 doorbells taken (%llu, %llu)",
	   (unsigned long long)c[1].recv_posts,
	   (unsigned long long)c[1].doorbells);
	ok(c[1].wqes == 0 && c[1].completions == 6 && c[1].errors == 0,
	   "responder: no send WQEs, 6 receive CQEs, no errors");
	ok(c[2].posts == 3 && c[2].doorbells == 2 && c[2].completions == 3 &&
	   c[2].errors == 3,
	   "error requester: 3 posts in 1 doorbell, 1 receive doorbell on the error, 3 CQEs, all 3 errors (%llu, %llu, %llu)",
	   (unsigned long long)c[2].posts,
	   (unsigned long long)c[2].completions,
	   (unsigned long long)c[2].errors);
	ok(c[2].wqes >= 1 && c[2].wqes <= 3 && c[2].bytes == 0,
	   "error requester: the bad WQE fetched, no byte moved (%llu, %llu)",
	   (unsigned long long)c[2].wqes, (unsigned long long)c[2].bytes);
	ok(zero(&c[3]), "error responder: untouched, all zero");
	ok(c[0].sq_outstanding == 0 && c[0].rq_outstanding == 0 &&
	   c[1].sq_outstanding == 0 && c[1].rq_outstanding == 1 &&
	   c[2].sq_outstanding == 0 && c[2].rq_outstanding == 0,
	   "gauges: every send WQE retired, 1 receive left on the responder (%u, %u)",
	   c[0].sq_outstanding, c[1].rq_outstanding);

	check_file(path, qps, c);
	{
		struct hwqnic_qp_wire_counters w;
		struct hwqnic_wire_counters d;

		memset(&w, 0xff, sizeof(w));
		memset(&d, 0xff, sizeof(d));
		ok(!hwqnic_query_qp_wire_counters(p.a.qp, &w) &&
		   !memcmp(&w, &wzero, sizeof(w)) &&
		   !hwqnic_query_port_counters(dev.ctx, 1, &d) &&
		   !memcmp(&d, &dzero, sizeof(d)),
		   "hwqnic_query_qp_wire_counters(), hwqnic_query_port_counters(): all zero on loopback");
		errno = 0;
		ok(hwqnic_query_qp_wire_counters(NULL, &w) == EINVAL &&
		   hwqnic_query_qp_wire_counters(p.a.qp, NULL) == EINVAL &&
		   hwqnic_query_port_counters(dev.ctx, 2, &d) == EINVAL &&
		   hwqnic_query_port_counters(dev.ctx, 1, NULL) == EINVAL &&
		   hwqnic_query_port_counters(NULL, 1, &d) == EINVAL &&
		   errno == EINVAL,
		   "and EINVAL for a NULL QP, context or counters, or port 2");
	}

	/* a destroyed QP's slot empties */
	gone = e.a.qp->qp_num;
	u_pair_destroy(&e);
	rc = u_stats_read(getpid(), hwqnic_device_name(dev.ctx), &sf);
	ok(!rc && !u_stats_qp(&sf, gone) && u_stats_qp(&sf, p.a.qp->qp_num) &&
	   u_stats_qp(&sf, p.b.qp->qp_num),
	   "a destroyed QP's slot is emptied, the others' are not");
	if (!rc)
		hwqnic_stats_free(&sf);
out:
	u_pair_destroy(&p);
	u_pair_destroy(&e);
	u_buf_free(&sb);
	u_buf_free(&rb);
	ok(!u_dev_close(&dev), "device closed");
	ok(stat(path, &st) && errno == ENOENT, "its stats file is removed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
