/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * For the tests of tools/lib: runs code that ends the process (a usage
 * error, a fatal error, --help) in a child, with what it prints on
 * stdout and stderr kept for the test to check.
 */
#ifndef _HWQNIC_SELFTESTS_TOOLS_CHILD_H
#define _HWQNIC_SELFTESTS_TOOLS_CHILD_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_OUT_MAX	8192
#define CHILD_SECONDS	30	/* a child that hangs is killed */

struct child {
	int status;		/* exit status, or 128 + the signal */
	char out[CHILD_OUT_MAX];
	char err[CHILD_OUT_MAX];
	int err_lines;
};

static inline void child_slurp(FILE *f, char *buf)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, CHILD_OUT_MAX - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * fn(arg) in a child; returning from it is exit 0. 0, or -1 with a failed
 * test (tap.h's ok(), included first) if no child could be started.
 */
static inline int child_run(void (*fn)(void *arg), void *arg,
			    struct child *c)
{
	FILE *out = tmpfile(), *err = tmpfile();
	const char *p;
	int status;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	if (!out || !err)
		goto fail;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		goto fail;
	if (!pid) {
		alarm(CHILD_SECONDS);
		if (dup2(fileno(out), 1) < 0 || dup2(fileno(err), 2) < 0)
			_exit(127);
		fn(arg);
		exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		goto fail;
	c->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
	child_slurp(out, c->out);
	child_slurp(err, c->err);
	for (p = c->err; *p; p++)
		c->err_lines += *p == '\n';
	return 0;
fail:
	ok(0, "a child process for the test: %s", strerror(errno));
	if (out)
		fclose(out);
	if (err)
		fclose(err);
	c->status = -1;
	return -1;
}

#endif /* _HWQNIC_SELFTESTS_TOOLS_CHILD_H */
