// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An unprivileged process floods its context's engine kthread: one 4 MiB
 * MR, HWQNIC_LOCKUP_QPS RC QPs (default 24) each connected to itself, and
 * 32 RDMA WRITEs of the whole MR posted on each. The engine must stay
 * schedulable throughout: the kernel's soft lockup watchdog, its threshold
 * lowered to one second (a CPU stuck for two seconds) for the run, must
 * report nothing, and every WRITE must complete. While it runs, the
 * context is listed in debugfs (hwqnic/contexts) with its owner's uid and
 * pid and its engine kthread, which sits in the owner's cgroup. Run as
 * root where hwqnic.ko is loaded (the qemu guest): it drops the flooding
 * child to uid and gid 65534; skipped elsewhere.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "../lib/helpers.h"
#include "../lib/uapi.h"

#define THRESH		"/proc/sys/kernel/watchdog_thresh"
#define DEBUGFS		"/sys/kernel/debug/hwqnic/contexts"
#define CGROOT		"/sys/fs/cgroup"
#define MR_LEN		(4U << 20)
#define WRITES		32

/* What the kernel log says when a CPU, RCU or a task is stuck. */
static const char *const stuck[] = {
	"watchdog:", "soft lockup", "hard LOCKUP", "rcu_sched",
	"rcu_preempt", "self-detected stall", "blocked for more than",
	"hung_task",
};

/*
 * The child: 0 when every WRITE completed successfully, else 1. It says
 * on `ready` when everything is posted.
 */
static int flood(int ready, void *arg)
{
	int nqp = *(int *)arg;
	struct u_dev d = { 0 };
	struct u_buf mr;
	struct u_qp_cfg cfg;
	struct u_ep *ep = calloc(nqp, sizeof(*ep));
	struct hwqnic_cq *cq = NULL;
	struct hwqnic_wc *wc = calloc(nqp * WRITES, sizeof(*wc));
	int i, j, got, bad = 0;
	char x = 1;

	d.ctx = hwqnic_open(NULL, HWQNIC_OPEN_KERNEL);
	if (!ep || !wc || !d.ctx) {
		diag("child: hwqnic_open: %s", strerror(errno));
		return 1;
	}
	d.pd = hwqnic_alloc_pd(d.ctx);
	if (!d.pd || u_buf_alloc(&mr, d.pd, MR_LEN, U_RC_ACCESS))
		return 1;
	cq = hwqnic_create_cq(d.ctx, nqp * WRITES, NULL, NULL);
	if (!cq)
		return 1;
	u_qp_cfg_default(&cfg);
	cfg.max_send_wr = WRITES;
	cfg.max_recv_wr = 1;
	for (i = 0; i < nqp; i++) {
		if (u_ep_create_with(&ep[i], d.pd, &cfg, cq, cq) ||
		    u_rc_to_init(ep[i].qp, U_RC_ACCESS) ||
		    u_rc_to_rtr(ep[i].qp, ep[i].qp->qp_num, 1, 1) ||
		    u_rc_to_rts(ep[i].qp, 7, 1)) {
			diag("child: QP %d of %d: %s", i, nqp, strerror(errno));
			return 1;
		}
	}
	for (j = 0; j < WRITES; j++) {
		for (i = 0; i < nqp; i++) {
			struct hwqnic_sge sge = u_sge(&mr, 0, MR_LEN);

			if (u_post_send(ep[i].qp, HWQNIC_WR_RDMA_WRITE,
					(uint64_t)i << 8 | j, &sge, 1,
					HWQNIC_SEND_SIGNALED, u_addr(&mr, 0),
					mr.mr->rkey, 0)) {
				diag("child: post on QP %d: %s", i,
				     strerror(errno));
				return 1;
			}
		}
	}
	if (write(ready, &x, 1) != 1)
		return 1;
	/* 3 GiB to move at the default size: the slow guest's bound */
	got = u_wait_cq_for(cq, nqp * WRITES, wc, 120 * 1000000000ULL);
	for (i = 0; i < got; i++)
		bad += wc[i].status != HWQNIC_WC_SUCCESS;
	diag("child: %d of %d WRITEs of 4 MiB completed, %d in error", got,
	     nqp * WRITES, bad);
	return got == nqp * WRITES && !bad ? 0 : 1;
}

/* The line of debugfs's contexts file whose owner is pid, or "". */
static void context_line(pid_t pid, char *line, size_t len)
{
	FILE *f = fopen(DEBUGFS, "r");
	char buf[512];
	int p;

	*line = 0;
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%*s %d", &p) == 1 && p == pid) {
			buf[strcspn(buf, "\n")] = 0;
			snprintf(line, len, "%s", buf);
			break;
		}
	}
	fclose(f);
}

/* The cgroup (v2) of a task, as /proc shows it, or "". */
static void task_cgroup(pid_t pid, char *cg, size_t len)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	*cg = 0;
	if (!uapi_read(path, buf, sizeof(buf)) && !strncmp(buf, "0::", 3)) {
		buf[strcspn(buf, "\n")] = 0;
		if (strlen(buf + 3) < len)
			memcpy(cg, buf + 3, strlen(buf + 3) + 1);
	}
}

/* Every new kernel log record matching stuck[], printed; how many. */
static int stuck_records(int kmsg)
{
	char rec[2048];
	int n = 0;
	size_t i;
	ssize_t r;

	for (;;) {
		r = read(kmsg, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records: read on */
		if (r <= 0)
			break;
		rec[r] = 0;
		for (i = 0; i < U_ARRAY_SIZE(stuck); i++) {
			if (strstr(rec, stuck[i])) {
				rec[strcspn(rec, "\n")] = 0;
				diag("kernel: %s", rec);
				n++;
				break;
			}
		}
	}
	return n;
}

int main(void)
{
	const char *e = getenv("HWQNIC_LOCKUP_QPS");
	int nqp = e && atoi(e) > 0 ? atoi(e) : 24;
	char thresh[32], line[512], cg[256], ecg[256], procs[300];
	int rfd, kmsg, st = 0, rc, n;
	unsigned long long cpu_ns = 0;
	unsigned int uid = 0, epid = 0;
	struct pollfd pf;
	bool cgroup;
	pid_t pid;
	char x;

	uapi_require_root("to lower " THRESH
			  ", read /dev/kmsg and drop the child to uid 65534");
	if (uapi_read(THRESH, thresh, sizeof(thresh)))
		tap_skip_all("no %s: the kernel has no soft lockup detector",
			     THRESH);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (!ok(kmsg >= 0 && lseek(kmsg, 0, SEEK_END) >= 0 &&
		!uapi_write(THRESH, "1"),
		"watchdog_thresh lowered from %.*s to 1 s, kernel log open",
		(int)strcspn(thresh, "\n"), thresh))
		return tap_done();
	/* a cgroup of the child's own, where cgroup2 is mounted */
	snprintf(cg, sizeof(cg), CGROOT "/hwqnic-lockup.%d", getpid());
	cgroup = !access(CGROOT "/cgroup.procs", F_OK) && !mkdir(cg, 0755);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	pid = uapi_nobody(cgroup ? procs : NULL, NULL, flood, &nqp, &rfd);
	if (pid < 0)
		return tap_done();
	pf = (struct pollfd){ .fd = rfd, .events = POLLIN };
	/* posting takes a moment: a generous bound */
	rc = poll(&pf, 1, 120 * 1000) == 1 && read(rfd, &x, 1) == 1;
	ok(rc, "child as uid %d: a context, %d self-connected QPs, %d RDMA WRITEs of 4 MiB posted",
	   NOBODY, nqp, nqp * WRITES);
	if (rc) {
		context_line(pid, line, sizeof(line));
		n = sscanf(line, "%*s %*d %u %u %llu", &uid, &epid, &cpu_ns);
		ok(n == 3 && uid == NOBODY && epid > 0,
		   "debugfs lists its context, owner and engine: '%s'", line);
		task_cgroup(epid, ecg, sizeof(ecg));
		if (cgroup)
			ok(epid && !strcmp(ecg, cg + strlen(CGROOT)),
			   "its engine kthread (pid %u) is in the owner's cgroup (%s)",
			   epid, ecg);
		else
			tap_skip("its engine kthread is in the owner's cgroup",
				 "no cgroup2 at %s", CGROOT);
	}
	close(rfd);
	/* every wait in the child is bounded: this one too, in case */
	for (rc = 0; rc < 2800 && waitpid(pid, &st, WNOHANG) == 0; rc++)
		u_sleep_us(50 * 1000);
	if (rc == 2800) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "every WRITE completed (child exit %d)", uapi_status(st));
	n = stuck_records(kmsg);
	ok(n == 0, "no soft lockup, stall or hung task in the kernel log (%d)",
	   n);
	ok(!uapi_write(THRESH, thresh), "watchdog_thresh restored");
	close(kmsg);
	/* the child's context is gone with it, and its engine: bounded */
	for (rc = 0; cgroup && rc < 500 && rmdir(cg); rc++)
		u_sleep_us(10 * 1000);
	return tap_done();
}
