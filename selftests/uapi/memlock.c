// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every page a context pins is counted in its owner's locked memory:
 * an MR's, and the stats file's it gives for its counters. An
 * unprivileged child (uid 65534, so without CAP_IPC_LOCK) whose
 * RLIMIT_MEMLOCK is below the stats file's size is refused a context
 * over it, and given one once the limit allows. Run as root where
 * hwqnic.ko is loaded (the qemu guest); skipped elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hwqnic/abi.h>
#include <hwqnic/stats.h>
#include "../lib/tap.h"
#include "../lib/uapi.h"

/* What stats_len must be: the stats file of a device of 4096 QPs. */
static size_t stats_len(void)
{
	size_t n = sizeof(struct hwqnic_stats_file) +
		   4096 * sizeof(struct hwqnic_stats_qp);

	return (n + 4095) & ~(size_t)4095;
}

/* OPEN with the counters in len bytes of our memory: 0 or an errno. */
static int open_with_stats(void *mem, size_t len)
{
	struct hwqnic_ioc_open o = {
		.abi_version = HWQNIC_ABI_VERSION,
		.stats_addr = (uintptr_t)mem,
		.stats_len = len,
	};
	int fd = open(UAPI_DEV, O_RDWR | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, HWQNIC_IOC_OPEN, &o))
		rc = errno;
	close(fd);
	return rc;
}

/* The child: the two OPENs' errnos into res[]. */
static int child(int out, void *arg)
{
	size_t len = stats_len();
	void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct rlimit rl;
	int res[2];

	(void)arg;
	if (mem == MAP_FAILED || getrlimit(RLIMIT_MEMLOCK, &rl) ||
	    rl.rlim_max < len)
		return 3;
	rl.rlim_cur = len / 2;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 4;
	res[0] = open_with_stats(mem, len);
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 5;
	res[1] = open_with_stats(mem, len);
	if (write(out, res, sizeof(res)) != sizeof(res))
		return 6;
	return 0;
}

int main(void)
{
	int rfd, res[2] = { -1, -1 }, st = 0;
	/* the usual limit of an unprivileged user, whatever root's is */
	struct rlimit rl = { 8 << 20, 8 << 20 };
	pid_t pid;
	bool got;

	uapi_require_root("to drop the child to uid 65534, without CAP_IPC_LOCK");
	pid = uapi_nobody(NULL, &rl, child, NULL, &rfd);
	if (pid < 0)
		return 1;
	got = read(rfd, res, sizeof(res)) == sizeof(res);
	close(rfd);
	waitpid(pid, &st, 0);
	ok(got && WIFEXITED(st) && !WEXITSTATUS(st),
	   "a child as uid %d, RLIMIT_MEMLOCK 8 MiB (exit %d)", NOBODY,
	   uapi_status(st));
	ok(got && res[0] == ENOMEM,
	   "its stats file (%zu KiB) over half as much locked memory: ENOMEM (%s)",
	   stats_len() >> 10, strerror(res[0]));
	ok(got && res[1] == 0,
	   "and within the limit, a context (%s)", strerror(res[1]));
	return tap_done();
}
