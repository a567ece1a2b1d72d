/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers of the tests of /dev/hwqnic0's raw ABI (selftests/lib/uapi.c),
 * which run as root where hwqnic.ko is loaded (the qemu guest): the skip
 * when it is not, the small file writes that sysctls and cgroups take,
 * and a child dropped to uid and gid 65534 that reports back through a
 * pipe.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_UAPI_H
#define _HWQNIC_SELFTESTS_LIB_UAPI_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "backend.h"

#define UAPI_DEV	U_KERNEL_DEV
#define NOBODY		65534

/* Skips the whole test unless the device exists. */
void uapi_require_dev(void);
/* Skips the whole test unless the device exists and root runs it. */
void uapi_require_root(const char *why);

/* s into the file at path (a sysctl, a cgroup file): 0 or an errno. */
int uapi_write(const char *path, const char *s);
/* At most len - 1 bytes of the file, terminated: 0 or an errno. */
int uapi_read(const char *path, char *buf, size_t len);

/*
 * Forks a child that joins the cgroup whose cgroup.procs is `procs` (when
 * not NULL) and takes RLIMIT_MEMLOCK `memlock` (when not NULL) while it
 * may, then drops to uid and gid 65534 and exits with fn(wfd, arg), wfd
 * being its end of a pipe whose other end is *rfd. Exit 2: it could not
 * become that user. Returns its pid, or -1.
 */
pid_t uapi_nobody(const char *procs, const struct rlimit *memlock,
		  int (*fn)(int wfd, void *arg), void *arg, int *rfd);

/* How a child ended, for a test's description: its exit code, or -signal. */
int uapi_status(int st);

#endif /* _HWQNIC_SELFTESTS_LIB_UAPI_H */
