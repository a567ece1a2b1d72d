// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Sampling decided in the library (docs/tracepoints.md, "Sampling"):
 * while the complete event is traced (its USDT semaphore set, as a tracer
 * sets it; here by hand, with no tracer), a WR is sampled one time in N,
 * N from the control word of the device's stats file
 * (hwqnic/stats.h). A sampled WR is the one that gets a post time, so
 * hwqnic_poll_cq_ts()'s post_ns (WRs without HWQNIC_SEND_TIMESTAMP) shows
 * which were. On a CQ the application made timestamped, the engine writes
 * every completion's times; on a plain CQ of QPs made while traced, only
 * the sampled ones', back into their WQEs' slots (the others cost the
 * engine no clock read), and the CQ keeps its 32-byte CQEs.
 * Untraced: none. Word 0, and every bad word (another
 * version, N = 0, a version byte above any): exact, every WR. A good
 * word N: about count / N. The word is read once per interval, never per
 * WR. hwqnic_stats_set_sample(), the tracer's writer, refuses what
 * someone may have planted in /dev/shm (a symbolic link, a FIFO, a file
 * of another size, owner or link count) and changes nothing there.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/helpers.h"
#include "libhwqnic.h"	/* the CQ's queue, for its CQE size */

/* libhwqnic's semaphore of the complete probe: a tracer's count */
extern unsigned short hwqnic_complete_semaphore;

static struct u_dev dev;
static char path[128];

static const char *base(void)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int set_word(__u32 word)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return errno;
	rc = pwrite(fd, &word, sizeof(word),
		    offsetof(struct hwqnic_stats_file, sample_ctl)) ==
	     sizeof(word) ? 0 : EIO;
	close(fd);
	return rc;
}

static __u32 get_word(void)
{
	__u32 word = 0xdeadbeef;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (pread(fd, &word, sizeof(word),
			  offsetof(struct hwqnic_stats_file, sample_ctl)) !=
		    sizeof(word))
			word = 0xdeadbeef;
		close(fd);
	}
	return word;
}

/* One completion with its times, waited for (bounded): 1, or 0. */
static int poll_one_ts(struct hwqnic_cq *cq, struct hwqnic_wc *wc,
		       struct hwqnic_wc_ts *t)
{
	uint64_t until = u_now_ns() + u_timeout_ns();
	unsigned int spins = 0;
	int r;

	while (!(r = hwqnic_poll_cq_ts(cq, 1, wc, t)) && u_now_ns() < until)
		u_relax(&spins);
	return r == 1 && !wc->status;
}

/*
 * Posts n signaled WRITEs one by one: how many got a post time, or -1
 * (-2: NIC times where they should not be, or none where they should:
 * all when `all`, else exactly the sampled ones).
 */
static long sampled_times(struct u_pair *p, struct u_buf *b, unsigned long n,
			  bool all)
{
	unsigned long i;
	long got = 0;

	for (i = 0; i < n; i++) {
		struct hwqnic_sge s = u_sge(b, 0, 8);
		struct hwqnic_wc_ts t = { 0 };
		struct hwqnic_wc wc;

		if (u_post_send(p->a.qp, HWQNIC_WR_RDMA_WRITE, i, &s, 1,
				HWQNIC_SEND_SIGNALED, u_addr(b, 4096),
				b->mr->rkey, 0) ||
		    !poll_one_ts(p->a.scq, &wc, &t))
			return -1;
		if ((t.db_ns && t.cqe_ns) != (all || t.post_ns) ||
		    (!t.db_ns) != (!t.cqe_ns))
			return -2;
		got += t.post_ns != 0;
	}
	return got;
}

static long sampled(struct u_pair *p, struct u_buf *b, unsigned long n)
{
	return sampled_times(p, b, n, true);
}

/*
 * n SENDs into as many receives of p->b, one by one: how many receives
 * were sampled, or -1 (-2: a receive's times, post or NIC, where it was
 * not sampled, or none where it was).
 */
static long sampled_recvs(struct u_pair *p, struct u_buf *b, unsigned long n)
{
	unsigned long i;
	long got = 0;

	for (i = 0; i < n; i++) {
		struct hwqnic_sge s = u_sge(b, 0, 8), r = u_sge(b, 8192, 8);
		struct hwqnic_recv_wr rwr = { .wr_id = i, .sg_list = &r,
					      .num_sge = 1 }, *bad;
		struct hwqnic_wc_ts t = { 0 }, st;
		struct hwqnic_wc wc;

		if (hwqnic_post_recv(p->b.qp, &rwr, &bad) ||
		    u_post_send(p->a.qp, HWQNIC_WR_SEND, i, &s, 1,
				HWQNIC_SEND_SIGNALED, 0, 0, 0) ||
		    !poll_one_ts(p->a.scq, &wc, &st) ||
		    !poll_one_ts(p->b.rcq, &wc, &t))
			return -1;
		if ((t.db_ns && t.cqe_ns) != !!t.post_ns ||
		    (!t.db_ns) != (!t.cqe_ns))
			return -2;
		got += t.post_ns != 0;
	}
	return got;
}

/*
 * A plain CQ made while traced: the engine writes the times of the
 * sampled WRs only, sends and receives, into their WQEs' slots; the
 * library reads the clock for the sampled ones only; the CQEs stay 32
 * bytes.
 */
static void tracer_cq(void)
{
	unsigned long n = u_scaled(800, 200);
	struct hwqnic_cq *cq[2] = { 0 };
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_buf b;
	long got = -1, rgot = -1;

	hwqnic_complete_semaphore = 1;
	cq[0] = hwqnic_create_cq(dev.ctx, 256, NULL, NULL);
	cq[1] = hwqnic_create_cq(dev.ctx, 256, NULL, NULL);
	u_qp_cfg_default(&cfg);
	memset(&p, 0, sizeof(p));
	if (cq[0] && cq[1] &&
	    !u_ep_create_with(&p.a, dev.pd, &cfg, cq[0], cq[0]) &&
	    !u_ep_create_with(&p.b, dev.pd, &cfg, cq[1], cq[1]) &&
	    !u_rc_connect(&p.a, &p.b) &&
	    !u_buf_alloc(&b, dev.pd, 16384, U_RC_ACCESS)) {
		if (!set_word(HWQNIC_SAMPLE_CTL(4)))
			got = sampled_times(&p, &b, n, false);
		if (got > 0)
			rgot = sampled_recvs(&p, &b, n / 2);
		u_buf_free(&b);
	}
	hwqnic_complete_semaphore = 0;
	diag("a tracer's CQ, N 4: %ld of %lu sampled, receives %ld of %lu",
	     got, n, rgot, n / 2);
	ok(cq[0] && cq[1] &&
	   (1U << container_of(cq[0], struct ucq, pub)->core.hwq.stride_shift) ==
	   sizeof(struct hwqnic_cqe) &&
	   (1U << container_of(cq[1], struct ucq, pub)->core.hwq.stride_shift) ==
	   sizeof(struct hwqnic_cqe),
	   "a CQ made while traced keeps its %zu-byte CQEs",
	   sizeof(struct hwqnic_cqe));
	ok(got > 0 && got < (long)n,
	   "a CQ made while traced: the NIC's times on the %ld sampled WRs "
	   "of %lu only", got, n);
	ok(rgot > 0 && rgot < (long)n / 2,
	   "and on its %ld sampled receives of %lu only, the post time too",
	   rgot, n / 2);
	ok((!p.a.qp || !u_ep_destroy(&p.a)) && (!p.b.qp || !u_ep_destroy(&p.b)) &&
	   (!cq[0] || !hwqnic_destroy_cq(cq[0])) &&
	   (!cq[1] || !hwqnic_destroy_cq(cq[1])), "its QPs and CQs destroyed");
}

static void words(struct u_pair *p, struct u_buf *b)
{
	static const struct {
		__u32 word;
		const char *what;
	} bad[] = {
		{ (2U << 24) | 8, "version 2" },
		{ HWQNIC_SAMPLE_CTL(0), "N = 0" },
		{ 0xffffffffU, "all ones (version 255)" },
		{ 8, "N = 8 without a version" },
	};
	unsigned long n = u_scaled(2000, 400), few = u_scaled(200, 50);
	long got;
	unsigned int i;

	hwqnic_complete_semaphore = 0;
	ok(!set_word(HWQNIC_SAMPLE_CTL(1)) && sampled(p, b, few) == 0,
	   "untraced: no WR sampled, whatever the word");
	hwqnic_complete_semaphore = 1;
	ok(!set_word(0) && sampled(p, b, few) == (long)few,
	   "traced, word 0 (no request): every WR sampled, exact");
	ok(!set_word(HWQNIC_SAMPLE_CTL(1)) && sampled(p, b, few) == (long)few,
	   "traced, N = 1: every WR sampled");
	for (i = 0; i < U_ARRAY_SIZE(bad); i++)
		ok(!set_word(bad[i].word) && sampled(p, b, few) == (long)few,
		   "a bad word, %s (0x%08x): exact, every WR", bad[i].what,
		   bad[i].word);
	ok(!set_word(HWQNIC_SAMPLE_CTL(8)), "N = 8 requested");
	got = sampled(p, b, n);
	diag("N 8: %ld of %lu sampled", got, n);
	/* ~ n/8 with a standard deviation of ~ sqrt(n/8): 7 of them */
	ok(got > 0 && got * 8.0 / n > 0.65 && got * 8.0 / n < 1.35,
	   "N = 8: %ld of %lu WRs sampled, about 1 in 8; on the "
	   "application's timestamped CQ, every completion has the NIC's "
	   "times", got, n);
	/* a period drawn is kept until it runs out: the word is not re-read */
	ok(!set_word(HWQNIC_SAMPLE_CTL(HWQNIC_SAMPLE_MAX)) &&
	   sampled(p, b, 8 * 40) > 0, "N = %u requested (and one sampled "
	   "within 40 intervals of 8)", HWQNIC_SAMPLE_MAX);
	got = set_word(0) ? -1 : sampled(p, b, few);
	ok(got >= 0 && got <= 1,
	   "word 0 written in its interval: %ld of %lu sampled, the word is "
	   "read once per interval, not per WR", got, few);
	hwqnic_complete_semaphore = 0;
}

/* The writer against planted files: each refused, nothing changed. */
static void writer(void)
{
	char name[64], target[160];
	int dfd = open(HWQNIC_STATS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char why[HWQNIC_STATS_WHY_LEN];
	uid_t me = getuid();
	int fd, rc;

	if (!ok(dfd >= 0, "open " HWQNIC_STATS_DIR))
		return;
	rc = hwqnic_stats_set_sample(dfd, base(), me, 64, why);
	ok(rc == HWQNIC_STATS_OK && get_word() == HWQNIC_SAMPLE_CTL(64),
	   "the device's own file: N = 64 written (0x%08x)", get_word());
	ok(hwqnic_stats_set_sample(dfd, base(), me, HWQNIC_SAMPLE_MAX + 1,
				   why) == HWQNIC_STATS_EFORMAT &&
	   get_word() == HWQNIC_SAMPLE_CTL(64),
	   "N above HWQNIC_SAMPLE_MAX refused, the word unchanged: %s", why);
	ok(hwqnic_stats_set_sample(dfd, "hwqnic.x.y", me, 2, why) ==
	   HWQNIC_STATS_ENAME, "a name that is no stats file's refused");

	snprintf(name, sizeof(name), HWQNIC_STATS_PREFIX "%d.sample-link",
		 getpid());
	snprintf(target, sizeof(target), "%s", path);
	unlinkat(dfd, name, 0);
	rc = symlinkat(target, dfd, name);
	ok(!rc && hwqnic_stats_set_sample(dfd, name, me, 2, why) ==
	   HWQNIC_STATS_ETYPE && get_word() == HWQNIC_SAMPLE_CTL(64),
	   "a symbolic link to the real file: refused, not followed (%s)",
	   why);
	unlinkat(dfd, name, 0);

	snprintf(name, sizeof(name), HWQNIC_STATS_PREFIX "%d.sample-fifo",
		 getpid());
	rc = mkfifoat(dfd, name, 0600);
	ok(!rc && hwqnic_stats_set_sample(dfd, name, me, 2, why) ==
	   HWQNIC_STATS_ETYPE, "a FIFO: refused without blocking (%s)", why);
	unlinkat(dfd, name, 0);

	snprintf(name, sizeof(name), HWQNIC_STATS_PREFIX "%d.sample-hard",
		 getpid());
	rc = linkat(AT_FDCWD, path, dfd, name, 0);
	ok(!rc && hwqnic_stats_set_sample(dfd, name, me, 2, why) ==
	   HWQNIC_STATS_ETYPE && get_word() == HWQNIC_SAMPLE_CTL(64),
	   "a second link to the real file: refused (%s)", why);
	unlinkat(dfd, name, 0);

	snprintf(name, sizeof(name), HWQNIC_STATS_PREFIX "%d.sample-short",
		 getpid());
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		/* a header's worth of the real file, truncated */
		char buf[sizeof(struct hwqnic_stats_file) + 8];
		int rfd = open(path, O_RDONLY | O_CLOEXEC);

		if (rfd >= 0 && pread(rfd, buf, sizeof(buf), 0) ==
		    (ssize_t)sizeof(buf))
			rc = pwrite(fd, buf, sizeof(buf), 0) !=
			     (ssize_t)sizeof(buf);
		if (rfd >= 0)
			close(rfd);
		close(fd);
	}
	ok(fd >= 0 && !rc && hwqnic_stats_set_sample(dfd, name, me, 2, why) ==
	   HWQNIC_STATS_ESIZE, "a copy of the header, truncated: refused "
	   "(%s)", why);
	if (!me) {
		ok(!fchownat(dfd, name, 65534, 65534, 0) &&
		   hwqnic_stats_set_sample(dfd, name, me, 2, why) ==
		   HWQNIC_STATS_EOWNER, "a file of another owner: refused "
		   "(%s)", why);
	} else {
		tap_skip("a file of another owner", "not root: cannot chown");
	}
	unlinkat(dfd, name, 0);

	ok(hwqnic_stats_set_sample(dfd, base(), me, 0, why) ==
	   HWQNIC_STATS_OK && get_word() == 0, "period 0 writes 0: no request");
	close(dfd);
}

static void suite(void)
{
	struct u_qp_cfg cfg;
	struct hwqnic_cq *cq[2] = { 0 };
	struct u_pair p;
	struct u_buf b;

	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	u_stats_path(dev.ctx, getpid(), path, sizeof(path));
	u_qp_cfg_default(&cfg);
	memset(&p, 0, sizeof(p));
	cq[0] = hwqnic_create_cq_ex(dev.ctx, 256, NULL, NULL,
				    HWQNIC_CQ_F_TIMESTAMP);
	cq[1] = hwqnic_create_cq_ex(dev.ctx, 256, NULL, NULL,
				    HWQNIC_CQ_F_TIMESTAMP);
	if (ok(cq[0] && cq[1] &&
	       !u_ep_create_with(&p.a, dev.pd, &cfg, cq[0], cq[0]) &&
	       !u_ep_create_with(&p.b, dev.pd, &cfg, cq[1], cq[1]) &&
	       !u_rc_connect(&p.a, &p.b), "an RC pair on timestamped CQs")) {
		if (ok(!u_buf_alloc(&b, dev.pd, 16384, U_RC_ACCESS),
		       "buffer")) {
			words(&p, &b);
			u_buf_free(&b);
		}
	}
	hwqnic_complete_semaphore = 0;
	tracer_cq();
	writer();
	ok((!p.a.qp || !u_ep_destroy(&p.a)) && (!p.b.qp || !u_ep_destroy(&p.b)),
	   "QPs destroyed");
	ok((!cq[0] || !hwqnic_destroy_cq(cq[0])) &&
	   (!cq[1] || !hwqnic_destroy_cq(cq[1])), "CQs destroyed");
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
