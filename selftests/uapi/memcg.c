// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A context's kernel memory is charged to its owner's memory cgroup: an
 * unprivileged child in a cgroup whose memory.max is 64 MiB asks, through
 * the raw ABI, for CQs of a million entries (32 MiB of queue pages each).
 * It must get ENOMEM long before 16 of them, nothing may be OOM-killed,
 * and once it is gone the cgroup is empty again. Run as root where
 * hwqnic.ko is loaded and cgroup2 is mounted with the memory controller
 * (the qemu guest); skipped elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hwqnic/abi.h>
#include "../tap.h"

#define DEV		"/dev/hwqnic0"
#define CGROOT		"/sys/fs/cgroup"
#define NOBODY		65534
#define LIMIT		(64 << 20)
#define CQE		(1U << 20)	/* 32 MiB of CQEs */
#define TRIES		16

static int write_file(const char *dir, const char *name, const char *s)
{
	char path[256];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		rc = errno;
	close(fd);
	return rc;
}

/* The value of `key` in a flat-keyed cgroup file, or -1. */
static long long cg_key(const char *dir, const char *name, const char *key)
{
	char path[256], k[64];
	long long v, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2)
		if (!strcmp(k, key))
			found = v;
	fclose(f);
	return found;
}

/* The child, in the cgroup as nobody: CQs until one is refused. */
static void child(int out)
{
	struct hwqnic_ioc_open o = { .abi_version = HWQNIC_ABI_VERSION };
	int fd, made = 0, err = 0, res[2];
	struct hwqnic_ioc_cq c;

	fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, HWQNIC_IOC_OPEN, &o))
		_exit(3);
	while (made < TRIES) {
		c = (struct hwqnic_ioc_cq){ .cqe = CQE, .channel_fd = -1 };
		if (ioctl(fd, HWQNIC_IOC_CREATE_CQ, &c)) {
			err = errno;
			break;
		}
		made++;
	}
	res[0] = made;
	res[1] = err;
	if (write(out, res, sizeof(res)) != sizeof(res))
		_exit(4);
	close(fd);
	_exit(0);
}

int main(void)
{
	char cg[128], ctl[256] = "";
	int pfd[2], res[2] = { -1, -1 }, st = 0, i;
	long long oom, cur;
	bool got;
	pid_t pid;
	FILE *f;

	if (access(DEV, F_OK)) {
		printf("1..0 # SKIP no %s (hwqnic.ko is not loaded)\n", DEV);
		return 0;
	}
	if (geteuid()) {
		printf("1..0 # SKIP needs root: to make a memory cgroup and drop the child to uid %d\n",
		       NOBODY);
		return 0;
	}
	f = fopen(CGROOT "/cgroup.controllers", "r");
	if (f) {
		if (!fgets(ctl, sizeof(ctl), f))
			ctl[0] = 0;
		fclose(f);
	}
	if (!strstr(ctl, "memory")) {
		printf("1..0 # SKIP no cgroup2 with the memory controller at %s\n",
		       CGROOT);
		return 0;
	}
	snprintf(cg, sizeof(cg), CGROOT "/hwqnic-memcg.%d", getpid());
	snprintf(ctl, sizeof(ctl), "%d", LIMIT);
	if (!ok(!write_file(CGROOT, "cgroup.subtree_control", "+memory") &&
		!mkdir(cg, 0755) && !write_file(cg, "memory.max", ctl),
		"a cgroup with memory.max %d MiB", LIMIT >> 20) || pipe(pfd))
		return tap_done();
	fflush(stdout);
	pid = fork();
	if (!pid) {
		close(pfd[0]);
		if (write_file(cg, "cgroup.procs", "0") || setgroups(0, NULL) ||
		    setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		child(pfd[1]);
	}
	close(pfd[1]);
	got = read(pfd[0], res, sizeof(res)) == sizeof(res);
	close(pfd[0]);
	waitpid(pid, &st, 0);
	ok(got && WIFEXITED(st) && !WEXITSTATUS(st),
	   "the child, as uid %d in it, opened a context (exit %d)", NOBODY,
	   WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
	ok(got && res[0] < TRIES && res[1] == ENOMEM,
	   "CQs of 32 MiB: %d made, then %s", res[0], strerror(res[1]));
	oom = cg_key(cg, "memory.events", "oom_kill");
	ok(oom == 0, "and nothing was OOM-killed (oom_kill %lld)", oom);
	/* the context went with the child: its charge too, in time */
	for (i = 0; i < 200 && (cur = cg_key(cg, "memory.stat", "kernel")) >
	     (1 << 20); i++)
		usleep(10 * 1000);
	ok(cur >= 0 && cur <= (1 << 20),
	   "once the child is gone, its kernel memory is uncharged (%lld bytes)",
	   cur);
	for (i = 0; i < 200 && rmdir(cg); i++)
		usleep(10 * 1000);
	return tap_done();
}
