// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Helpers of the raw-ABI tests: see uapi.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "tap.h"
#include "uapi.h"

void uapi_require_dev(void)
{
	if (access(UAPI_DEV, F_OK))
		tap_skip_all("no %s (hwqnic.ko is not loaded)", UAPI_DEV);
}

void uapi_require_root(const char *why)
{
	uapi_require_dev();
	if (geteuid())
		tap_skip_all("needs root: %s", why);
}

int uapi_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		rc = errno;
	close(fd);
	return rc;
}

int uapi_read(const char *path, char *buf, size_t len)
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

pid_t uapi_nobody(const char *procs, const struct rlimit *memlock,
		  int (*fn)(int wfd, void *arg), void *arg, int *rfd)
{
	pid_t pid;
	int fd;

	pid = u_fork_piped(&fd);
	if (!pid) {
		if ((procs && uapi_write(procs, "0")) ||
		    (memlock && setrlimit(RLIMIT_MEMLOCK, memlock)) ||
		    setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) || getuid() != NOBODY)
			_exit(2);
		_exit(fn(fd, arg));
	}
	if (pid > 0)
		*rfd = fd;
	return pid;
}

int uapi_status(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}
