// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A stats file is removed only by the process that created it: a child
 * after fork() that closes the inherited device, or simply exits, leaves
 * the parent's file in place; a device the child opens itself is the
 * child's to remove; the parent's close removes the parent's.
 */
#include <signal.h>
#include <sys/wait.h>

#include "../lib/helpers.h"

/* Reachable from anywhere: a child that exits with it open leaks nothing. */
static struct hwqnic_context *ctx;

/* Waits for pid within the test's time bound; its exit status, or -1. */
static int reap(pid_t pid)
{
	uint64_t end = u_now_ns() + u_timeout_ns();
	int status;

	while (u_now_ns() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0)
			return -1;
		u_sleep_us(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	diag("child %d did not end in time", (int)pid);
	return -1;
}

/* The file at path, the same one (inode) as *st. */
static bool same_file(const char *path, const struct stat *st)
{
	struct stat now;

	return !stat(path, &now) && now.st_ino == st->st_ino &&
	       now.st_dev == st->st_dev;
}

/*
 * In the child, done with the inherited device: its own device's file
 * exists while open, not after.
 */
static int child_own_device(void)
{
	struct hwqnic_context *own;
	char path[128];
	struct stat st;
	int there;

	hwqnic_close(ctx);
	own = u_open(NULL);
	if (!own)
		return 2;
	u_stats_path(own, getpid(), path, sizeof(path));
	there = !stat(path, &st);
	if (hwqnic_close(own))
		return 3;
	if (!there)
		return 4;
	return stat(path, &st) && errno == ENOENT ? 0 : 5;
}

static void suite(void)
{
	char path[128];
	struct stat st;
	pid_t pid;
	int rc;

	ctx = u_open(NULL);
	if (!ok(ctx != NULL, "device open (%s)", ctx ? "" : strerror(errno)))
		return;
	u_stats_path(ctx, getpid(), path, sizeof(path));
	if (!ok(!stat(path, &st), "its stats file %s", path))
		goto out;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		hwqnic_close(ctx);	/* its result is not what we test */
		_exit(0);
	}
	rc = pid > 0 ? reap(pid) : -1;
	ok(rc == 0, "a child closes the inherited device and exits (%d)", rc);
	ok(same_file(path, &st), "the parent's stats file is still there");

	fflush(stdout);
	pid = fork();
	if (!pid)
		exit(0);
	rc = pid > 0 ? reap(pid) : -1;
	ok(rc == 0 && same_file(path, &st),
	   "a child that exits with the device open leaves it too (%d)", rc);

	fflush(stdout);
	pid = fork();
	if (!pid)
		_exit(child_own_device());
	rc = pid > 0 ? reap(pid) : -1;
	ok(rc == 0, "a child's own device: its file there while open, removed "
	   "at its close (%d)", rc);
	ok(same_file(path, &st), "and the parent's file is untouched");
out:
	ok(!hwqnic_close(ctx), "the parent closes its device");
	ok(stat(path, &st) && errno == ENOENT,
	   "which removes the parent's stats file");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
