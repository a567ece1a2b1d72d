// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A child process that reports to its parent through a pipe: see child.h. */
#include <stdio.h>
#include <unistd.h>

#include "child.h"

pid_t u_fork_piped(int *fd)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[pid ? 1 : 0]);
	*fd = pfd[pid ? 0 : 1];
	return pid;
}
