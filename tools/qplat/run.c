// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * qplat's intervals: it waits for the next print, SIGINT or SIGTERM, or
 * the end of the process it traces, then reports.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "qplat_priv.h"
#include "lib/msg.h"

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

int qplat_catch_stop(void)
{
	struct sigaction sa = { .sa_handler = sig_handler };
	sigset_t block;

	/* SIGINT/SIGTERM are only taken inside ppoll(): no lost wake-up */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &block, NULL)) {
		msg_warn("sigprocmask: %s", strerror(errno));
		return -1;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		msg_warn("sigaction: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * Waits until `deadline` (monotonic seconds; 0: none), a signal, the
 * traced process's end or a new stats file (ifd). Returns 1 when that
 * process is gone, 2 for a file, 0 otherwise.
 */
static int wait_until(pid_t pid, double deadline, int pidfd, int ifd,
		      const sigset_t *mask)
{
	struct pollfd pfd[2] = { { .fd = pidfd, .events = POLLIN },
				 { .fd = ifd, .events = POLLIN } };
	struct timespec ts, *tsp;
	double left = 0;
	int ret;

	while (!exiting) {
		tsp = NULL;
		if (deadline) {
			left = deadline - now_s();
			if (left <= 0)
				return 0;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
			tsp = &ts;
		}
		/* no pidfd: look for the process every 200 ms */
		if (pid && pidfd < 0 && (!tsp || left > 0.2)) {
			ts.tv_sec = 0;
			ts.tv_nsec = 200000000;
			tsp = &ts;
		}
		ret = ppoll(pfd, 2, tsp, mask);
		if (ret < 0 && errno != EINTR) {
			msg_warn("ppoll: %s", strerror(errno));
			return 1;
		}
		if (ret > 0 && (pfd[0].revents & (POLLIN | POLLHUP)))
			return 1;
		if (ret > 0 && pfd[1].revents)
			return 2;
		if (pid && pidfd < 0 && kill(pid, 0) && errno == ESRCH)
			return 1;
	}
	return 0;
}

/* The earlier of two deadlines, 0 being none. */
static double earlier(double a, double b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

int qplat_run(const struct qplat_env *env, struct qplat_bpf *skel)
{
	double interval = env->iv.interval_ns / 1e9, start, last, deadline, t;
	double tick = 0, soon = 0, soon_end = 0, until;
	unsigned long printed = 0;
	int pidfd = -1, gone = 0, ret = 1, w;
	sigset_t orig;

	/* the mask ppoll() waits with: SIGINT and SIGTERM let through */
	sigprocmask(SIG_SETMASK, NULL, &orig);
	sigdelset(&orig, SIGINT);
	sigdelset(&orig, SIGTERM);
	if (env->pid) {
		pidfd = pidfd_open_compat(env->pid);
		/* gone since it was attached: print what it did */
		gone = pidfd < 0 && errno == ESRCH;
	}

	start = last = now_s();
	deadline = interval ? start + interval : 0;
	if (env->smp) {
		env->smp->skel = skel;
		tick = start + QPLAT_TICK_NS / 1e9;
	}
	for (;;) {
		/* sampling: the ticks, and a file not yet published soon */
		until = earlier(earlier(deadline, tick), soon);
		w = gone ? 1 : wait_until(env->pid, until, pidfd,
					  qplat_sample_fd(env), &orig);
		gone = w == 1;
		t = now_s();
		if (env->smp && !exiting && !gone) {
			/*
			 * New files: their processes are asked for their
			 * period now; then for a second the files are read
			 * every 20 ms (every 2 ms while one is not published
			 * yet: a planted one may never be), so that a short
			 * run's QPs are seen with their counters before they
			 * go.
			 */
			if (w == 2)
				soon_end = t + 1.0;
			if (w == 2 || (soon && t >= soon)) {
				qplat_sample_soon(env);	/* drained */
				soon = 0;
				if (!qplat_sample_files(env) && t < soon_end)
					soon = t + (qplat_sample_soon(env) ?
						    0.002 : 0.02);
			}
			if (t >= tick) {
				if (qplat_sample_tick(env, skel, false, NULL, NULL)) {
					msg_warn("cannot read the histograms");
					goto out;
				}
				while (tick <= t)
					tick += QPLAT_TICK_NS / 1e9;
			}
			if (!deadline || t < deadline)
				continue;
		}
		if (!exiting && !gone && interval &&
		    (!env->iv.count || printed + 1 < env->iv.count)) {
			if (qplat_report(env, skel, t - last, false))
				goto out;
			printed++;
			last = t;
			/* stay on the grid; skip beats lost to a slow print */
			while (deadline <= t)
				deadline += interval;
			continue;
		}
		if (qplat_report(env, skel, t - last, true))
			goto out;
		break;
	}
	ret = 0;
out:
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}
