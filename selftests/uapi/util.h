/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers shared by the tests of /dev/hwqnic0's raw ABI, which run as root
 * where hwqnic.ko is loaded (the qemu guest): the skip convention, the
 * small file writes that sysctls and cgroups take, and a child dropped to
 * uid and gid 65534 that reports back through a pipe.
 */
#ifndef _HWQNIC_SELFTESTS_UAPI_UTIL_H
#define _HWQNIC_SELFTESTS_UAPI_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define UAPI_DEV	"/dev/hwqnic0"
#define NOBODY		65534

/* Skips the whole test unless the device exists, and root runs it. */
static inline void uapi_require_root(const char *why)
{
	if (access(UAPI_DEV, F_OK)) {
		printf("1..0 # SKIP no %s (hwqnic.ko is not loaded)\n",
		       UAPI_DEV);
		exit(0);
	}
	if (geteuid()) {
		printf("1..0 # SKIP needs root: %s\n", why);
		exit(0);
	}
}

/* s into the file at path (a sysctl, a cgroup file): 0 or an errno. */
static inline int uapi_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		rc = errno;
	close(fd);
	return rc;
}

/* At most len - 1 bytes of the file, terminated: 0 or an errno. */
static inline int uapi_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return errno;
	buf[n] = 0;
	return 0;
}

/*
 * Forks a child that joins the cgroup whose cgroup.procs is `procs` (when
 * not NULL) and takes RLIMIT_MEMLOCK `memlock` (when not NULL) while it
 * may, then drops to uid and gid 65534 and exits with fn(wfd, arg), wfd
 * being its end of a pipe whose other end is *rfd. Exit 2: it could not
 * become that user. Returns its pid, or -1.
 */
static inline pid_t uapi_nobody(const char *procs, const struct rlimit *memlock,
				int (*fn)(int wfd, void *arg), void *arg,
				int *rfd)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		close(pfd[0]);
		if ((procs && uapi_write(procs, "0")) ||
		    (memlock && setrlimit(RLIMIT_MEMLOCK, memlock)) ||
		    setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) || getuid() != NOBODY)
			_exit(2);
		_exit(fn(pfd[1], arg));
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return -1;
	}
	*rfd = pfd[0];
	return pid;
}

/* How a child ended, for a test's description: its exit code, or -signal. */
static inline int uapi_status(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

#endif /* _HWQNIC_SELFTESTS_UAPI_UTIL_H */
