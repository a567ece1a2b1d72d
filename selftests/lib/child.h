/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A child process that reports to its parent through a pipe (child.c). */
#ifndef _HWQNIC_SELFTESTS_LIB_CHILD_H
#define _HWQNIC_SELFTESTS_LIB_CHILD_H

#include <sys/types.h>

/*
 * fork() with a pipe from child to parent, stdout flushed first so that
 * the child does not print the parent's buffered lines again. In the
 * child it returns 0 with *fd its write end; in the parent the child's
 * pid with *fd the read end. -1 when it failed, nothing left open.
 */
pid_t u_fork_piped(int *fd);

#endif /* _HWQNIC_SELFTESTS_LIB_CHILD_H */
