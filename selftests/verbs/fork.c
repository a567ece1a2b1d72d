// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fork(): the child cannot use what it inherited. Every verb on the
 * parent's context or on any of its objects fails with EPERM (NULL and
 * errno, poll_cq -EPERM, posts with *bad_wr set), none blocks, and
 * hwqnic_close() of the inherited context succeeds in the child without
 * touching the parent's engine, kernel context or stats file. The child
 * opens a device of its own, which works. That close frees the child's
 * copies (an AH's among them; ASan's count of allocated bytes falls by at least the MR table
 * and, embedded, a 2 MiB CQ ring; valgrind cannot count them) and closes
 * its descriptors; the child then exits through exit(), under the
 * sanitizers' and valgrind's checks. Meanwhile the parent, with the child
 * alive, writes to its registered buffer (a page shared copy-on-write
 * would move away from the NIC here) and checks that RDMA into it still
 * lands where it reads; after the child is gone it still works too.
 *
 * The child's checks come back to the parent over a pipe, one line each
 * ("1 text" or "0 text"), and become the parent's TAP lines.
 */
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "../lib/helpers.h"

/* ASan's count of bytes allocated and not freed; absent elsewhere. */
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

#define CHAN_CQE	65536	/* a CQ ring of 2 MiB: its copy's going shows */

static struct u_dev dev;
static struct u_pair pair;
static struct u_buf buf;
static struct hwqnic_comp_channel *chan;
static struct hwqnic_cq *chan_cq;
static struct hwqnic_ah *ah;	/* the child's close frees its copy */
static uint64_t seed;
static int result_fd = -1;	/* the child's end of the results pipe */
static int chan_fd, async_fd;	/* the parent's, as the child inherits them */

static __attribute__((format(printf, 2, 3)))
void child_ok(bool cond, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%d ", cond ? 1 : 0);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(result_fd, line, n) != n)
		_exit(3);
}

/* int verbs: rc == errno == EPERM */
#define C_EPERM(call, what) do {					\
	int rc_, e_;							\
	errno = 0;							\
	rc_ = (call);							\
	e_ = errno;							\
	child_ok(rc_ == EPERM && e_ == EPERM,				\
		 "%s: EPERM (returned %d, errno %d)", what, rc_, e_);	\
} while (0)

/* pointer verbs: NULL and errno == EPERM */
#define C_NULL_EPERM(call, what) do {					\
	const void *p_;							\
	int e_;								\
	errno = 0;							\
	p_ = (call);							\
	e_ = errno;							\
	child_ok(!p_ && e_ == EPERM, "%s: NULL and EPERM (errno %d)",	\
		 what, e_);						\
} while (0)

/* An RDMA WRITE within the parent's buffer, after the CPU wrote both ends. */
static const char *write_lands(uint64_t id)
{
	struct hwqnic_sge s = u_sge(&buf, 8192, 512);
	const char *why;

	u_fill_rand(buf.p + 8192, 512, &seed);
	memset(buf.p + 12288, 0xee, 512);
	if (u_post_send(pair.a.qp, HWQNIC_WR_RDMA_WRITE, id, &s, 1,
			HWQNIC_SEND_SIGNALED, u_addr(&buf, 12288),
			buf.mr->rkey, 0))
		return "post failed";
	why = u_expect_wc(pair.a.scq, id, HWQNIC_WC_SUCCESS,
			  HWQNIC_WC_RDMA_WRITE, 512, 0, NULL);
	if (!why && memcmp(buf.p + 8192, buf.p + 12288, 512))
		why = "the data is not where the parent reads";
	return why;
}

/* Bytes the process has allocated and not freed, or 0 if unknown. */
static size_t heap_bytes(void)
{
	struct mallinfo2 mi;

	if (__sanitizer_get_current_allocated_bytes)
		return __sanitizer_get_current_allocated_bytes();
	mi = mallinfo2();	/* 0 under valgrind */
	return mi.uordblks + mi.hblkhd;
}

/* The child: the inherited objects refuse everything. */
static void child_refusals(void)
{
	struct hwqnic_context *ctx = dev.ctx;
	struct hwqnic_qp *qp = pair.a.qp;
	struct hwqnic_send_wr swr, *sbad = NULL;
	struct hwqnic_recv_wr rwr, *rbad = NULL;
	struct hwqnic_device_attr da;
	struct hwqnic_port_attr pa;
	struct hwqnic_async_event ev;
	struct hwqnic_qp_attr qa;
	struct hwqnic_qp_counters qc;
	struct hwqnic_qp_init_attr ia;
	struct hwqnic_cq *got;
	struct hwqnic_wc wc;
	struct hwqnic_sge s = u_sge(&buf, 0, 8);
	struct hwqnic_ah_attr aa = { .port_num = 1 };
	void *cctx;
	int shared, rc, e;

	C_NULL_EPERM(hwqnic_device_name(ctx), "hwqnic_device_name");
	C_EPERM(hwqnic_shared_cpu(ctx, &shared), "hwqnic_shared_cpu");
	C_EPERM(hwqnic_query_device(ctx, &da), "hwqnic_query_device");
	C_EPERM(hwqnic_query_port(ctx, 1, &pa), "hwqnic_query_port");
	errno = 0;
	rc = hwqnic_async_fd(ctx);
	e = errno;
	child_ok(rc == -1 && e == EPERM, "hwqnic_async_fd: -1 and EPERM");
	C_EPERM(hwqnic_get_async_event(ctx, &ev), "hwqnic_get_async_event");
	C_NULL_EPERM(hwqnic_alloc_pd(ctx), "hwqnic_alloc_pd");
	C_NULL_EPERM(hwqnic_reg_mr(dev.pd, buf.p, 4096,
				   HWQNIC_ACCESS_LOCAL_WRITE),
		     "hwqnic_reg_mr");
	C_NULL_EPERM(hwqnic_create_comp_channel(ctx),
		     "hwqnic_create_comp_channel");
	C_NULL_EPERM(hwqnic_create_cq(ctx, 4, NULL, NULL), "hwqnic_create_cq");
	memset(&ia, 0, sizeof(ia));
	ia.send_cq = ia.recv_cq = pair.a.scq;
	ia.qp_type = HWQNIC_QPT_RC;
	ia.cap.max_send_wr = 1;
	C_NULL_EPERM(hwqnic_create_qp(dev.pd, &ia), "hwqnic_create_qp");

	memset(&swr, 0, sizeof(swr));
	swr.opcode = HWQNIC_WR_SEND;
	swr.sg_list = &s;
	swr.num_sge = 1;
	swr.send_flags = HWQNIC_SEND_SIGNALED;
	C_EPERM(hwqnic_post_send(qp, &swr, &sbad), "hwqnic_post_send");
	child_ok(sbad == &swr, "hwqnic_post_send sets *bad_wr to the first WR");
	memset(&rwr, 0, sizeof(rwr));
	rwr.sg_list = &s;
	rwr.num_sge = 1;
	C_EPERM(hwqnic_post_recv(pair.b.qp, &rwr, &rbad), "hwqnic_post_recv");
	child_ok(rbad == &rwr, "hwqnic_post_recv sets *bad_wr to the first WR");
	rc = hwqnic_poll_cq(pair.a.scq, 1, &wc);
	child_ok(rc == -EPERM, "hwqnic_poll_cq: -EPERM (returned %d)", rc);
	C_EPERM(hwqnic_req_notify_cq(chan_cq, 0), "hwqnic_req_notify_cq");
	/* would block on the parent's channel if it read first */
	C_EPERM(hwqnic_get_cq_event(chan, &got, &cctx), "hwqnic_get_cq_event");
	C_EPERM(hwqnic_query_qp(qp, &qa), "hwqnic_query_qp");
	memset(&qa, 0, sizeof(qa));
	qa.qp_state = HWQNIC_QPS_ERR;
	C_EPERM(hwqnic_modify_qp(qp, &qa, HWQNIC_QP_STATE), "hwqnic_modify_qp");
	C_EPERM(hwqnic_query_qp_counters(qp, &qc), "hwqnic_query_qp_counters");
	C_EPERM(hwqnic_destroy_qp(qp), "hwqnic_destroy_qp");
	C_EPERM(hwqnic_destroy_cq(chan_cq), "hwqnic_destroy_cq");
	C_EPERM(hwqnic_destroy_comp_channel(chan),
		"hwqnic_destroy_comp_channel");
	C_EPERM(hwqnic_dereg_mr(buf.mr), "hwqnic_dereg_mr");
	C_NULL_EPERM(hwqnic_create_ah(dev.pd, &aa), "hwqnic_create_ah");
	C_EPERM(hwqnic_destroy_ah(ah), "hwqnic_destroy_ah");
	C_EPERM(hwqnic_dealloc_pd(dev.pd), "hwqnic_dealloc_pd");
}

/* The child's own device works like any other. */
static void child_own_device(void)
{
	struct u_dev d;
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_buf b;
	const char *why = "setup failed";

	if (u_dev_open(&d)) {
		child_ok(false, "the child opens a device of its own");
		return;
	}
	u_qp_cfg_default(&cfg);
	if (!u_pair_create(&p, d.pd, &cfg)) {
		if (!u_buf_alloc(&b, d.pd, 8192, U_RC_ACCESS)) {
			why = u_send_check(&p, u_sge(&b, 0, 256),
					   u_sge(&b, 4096, 256), 77, &seed);
			u_buf_free(&b);
		}
		u_pair_destroy(&p);
	}
	child_ok(!why, "the child's own device: a SEND arrives%s%s",
		 why ? ": " : "", why ? why : "");
	child_ok(!u_dev_close(&d), "the child's own device closes");
}

static void child(int go_fd, const char *stats_path)
{
	struct pollfd pfd = { .fd = go_fd, .events = POLLIN };
	struct hwqnic_context *ctx = dev.ctx;
	size_t before, after, freed_min;
	char c;

	/* the parent checks its memory while this child is alive */
	if (poll(&pfd, 1, (int)(u_timeout_ns() / 1000000)) != 1 ||
	    read(go_fd, &c, 1) != 1)
		child_ok(false, "the parent said go");
	child_refusals();
	child_own_device();
	/* the MR table, and on the embedded backend the CQ's ring */
	freed_min = dev.attr.max_mr * sizeof(void *);
	if (!u_backend_kernel())
		freed_min += CHAN_CQE * 32;
	/* only the inherited context knows its objects now */
	memset(&pair, 0, sizeof(pair));
	buf.mr = NULL;
	chan = NULL;
	chan_cq = NULL;
	ah = NULL;
	memset(&dev, 0, sizeof(dev));
	before = heap_bytes();
	child_ok(!hwqnic_close(ctx), "hwqnic_close of the inherited context: 0");
	after = heap_bytes();
	if (before)
		child_ok(before - after >= freed_min,
			 "it freed the child's copies: %zu bytes (at least %zu)",
			 before - after, freed_min);
	else
		child_ok(true, "it freed the child's copies # SKIP the heap is not measured here (valgrind)");
	child_ok(fcntl(chan_fd, F_GETFD) < 0 && errno == EBADF &&
		 fcntl(async_fd, F_GETFD) < 0 && errno == EBADF,
		 "and closed the child's descriptors (channel, async events)");
	child_ok(!access(stats_path, F_OK),
		 "the parent's stats file is still there");
	child_ok(true, "child done");
	close(result_fd);
	exit(0);
}

/* Reads the child's lines until EOF or the time bound; returns how many. */
static int collect(int fd)
{
	uint64_t end = u_now_ns() + u_timeout_ns();
	char text[8192];
	size_t len = 0;
	int lines = 0;
	char *p, *nl, *skip, what[256];
	ssize_t n;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = u_now_ns();

		if (now >= end ||
		    poll(&pfd, 1, (int)((end - now) / 1000000) + 1) != 1)
			break;
		n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n <= 0)
			break;
		len += n;
		text[len] = '\0';
		for (p = text; (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			skip = strstr(p, " # SKIP ");
			if (skip) {
				*skip = '\0';
				snprintf(what, sizeof(what), "child: %s", p + 2);
				tap_skip(what, "%s", skip + 8);
			} else {
				ok(p[0] == '1', "child: %s", p + 2);
			}
			lines++;
		}
		len = strlen(p);
		memmove(text, p, len + 1);
	}
	return lines;
}

/* The child's exit status within the time bound, or -1 (it is killed). */
static int reap(pid_t pid)
{
	uint64_t end = u_now_ns() + u_timeout_ns();
	int status;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (u_now_ns() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		u_sleep_us(1000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void suite(void)
{
	char stats_path[128];
	int res[2], go[2], lines, status;
	struct hwqnic_ah_attr aa = { .port_num = 1 };
	struct u_qp_cfg cfg;
	const char *why;
	pid_t pid;

	seed = tap_seed();
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	u_qp_cfg_default(&cfg);
	chan = hwqnic_create_comp_channel(dev.ctx);
	chan_cq = chan ? hwqnic_create_cq(dev.ctx, CHAN_CQE, NULL, chan) :
		  NULL;
	ah = hwqnic_create_ah(dev.pd, &aa);
	if (!ok(chan_cq && ah && !u_pair_create(&pair, dev.pd, &cfg) &&
		!u_buf_alloc(&buf, dev.pd, 16384, U_RC_ACCESS),
		"a pair, a buffer, an AH, a channel and its CQ"))
		goto out;
	why = u_send_check(&pair, u_sge(&buf, 0, 256),
			   u_sge(&buf, 4096, 256), 1, &seed);
	ok_why(why, "a SEND before fork()");
	u_stats_path(dev.ctx, getpid(), stats_path, sizeof(stats_path));
	chan_fd = chan->fd;
	async_fd = hwqnic_async_fd(dev.ctx);

	if (!ok(!pipe(res) && !pipe(go), "pipes"))
		goto out;
	fflush(stdout);		/* the child's exit() must not print it again */
	pid = fork();
	if (pid < 0) {
		ok(0, "fork: %s", strerror(errno));
		goto out;
	}
	if (!pid) {
		close(res[0]);
		close(go[1]);
		result_fd = res[1];
		child(go[0], stats_path);
	}
	close(res[1]);
	close(go[0]);

	why = write_lands(2);
	ok_why(why, "with the child alive, RDMA WRITE lands in the parent's freshly written buffer");
	why = u_send_check(&pair, u_sge(&buf, 0, 256),
			   u_sge(&buf, 4096, 256), 3, &seed);
	ok_why(why, "with the child alive, a SEND arrives in the parent");
	ok(write(go[1], "g", 1) == 1, "the child may go on");
	close(go[1]);
	lines = collect(res[0]);
	close(res[0]);
	status = reap(pid);
	ok(lines > 0 && status == 0,
	   "the child reported %d checks and exited 0 (status %d; ASan or valgrind exit codes mean leaks or errors there)",
	   lines, status);

	why = u_send_check(&pair, u_sge(&buf, 0, 256),
			   u_sge(&buf, 4096, 256), 4, &seed);
	ok_why(why, "after the child's close and exit, the parent still works");
	why = write_lands(5);
	ok_why(why, "and RDMA WRITE still lands in its buffer");
	ok(!access(stats_path, F_OK), "the parent's stats file is still there");
out:
	u_buf_free(&buf);
	ok(!ah || !hwqnic_destroy_ah(ah), "AH destroyed");
	ok(!u_pair_destroy(&pair), "pair destroyed");
	ok((!chan_cq || !hwqnic_destroy_cq(chan_cq)) &&
	   (!chan || !hwqnic_destroy_comp_channel(chan)),
	   "CQ and channel destroyed");
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
