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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hwqnic/abi.h>
#include "../lib/tap.h"
#include "../lib/uapi.h"

#define CGROOT		"/sys/fs/cgroup"
#define LIMIT		(64 << 20)
#define CQE		(1U << 20)	/* 32 MiB of CQEs */
#define TRIES		16

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
static int child(int out, void *arg)
{
	struct hwqnic_ioc_open o = { .abi_version = HWQNIC_ABI_VERSION };
	int fd, made = 0, err = 0, res[2];
	struct hwqnic_ioc_cq c;

	(void)arg;
	fd = open(UAPI_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, HWQNIC_IOC_OPEN, &o))
		return 3;
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
		return 4;
	close(fd);
	return 0;
}

int main(void)
{
	char cg[128], ctl[256] = "", path[160];
	int rfd, res[2] = { -1, -1 }, st = 0, i;
	long long oom, cur;
	bool got;
	pid_t pid;
	FILE *f;

	uapi_require_root("to make a memory cgroup and drop the child to uid 65534");
	f = fopen(CGROOT "/cgroup.controllers", "r");
	if (f) {
		if (!fgets(ctl, sizeof(ctl), f))
			ctl[0] = 0;
		fclose(f);
	}
	if (!strstr(ctl, "memory"))
		tap_skip_all("no cgroup2 with the memory controller at %s",
			     CGROOT);
	snprintf(cg, sizeof(cg), CGROOT "/hwqnic-memcg.%d", getpid());
	snprintf(ctl, sizeof(ctl), "%d", LIMIT);
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	if (!ok(!uapi_write(CGROOT "/cgroup.subtree_control", "+memory") &&
		!mkdir(cg, 0755) && !uapi_write(path, ctl),
		"a cgroup with memory.max %d MiB", LIMIT >> 20))
		return tap_done();
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	pid = uapi_nobody(path, NULL, child, NULL, &rfd);
	if (pid < 0)
		return tap_done();
	got = read(rfd, res, sizeof(res)) == sizeof(res);
	close(rfd);
	waitpid(pid, &st, 0);
	ok(got && WIFEXITED(st) && !WEXITSTATUS(st),
	   "the child, as uid %d in it, opened a context (exit %d)", NOBODY,
	   uapi_status(st));
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
