/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The verbs tests' backends (selftests/lib/backend.c): one test binary runs
 * its checks over every backend libhwqnic has, the embedded engine always
 * and the kernel's when /dev/hwqnic0 exists (else that pass is a printed
 * skip). Each pass is a child process of its own, so that a pass starts
 * from what the process had before any device was opened; its TAP lines
 * start with the backend's name, and a last check per pass says it ended
 * cleanly (exit status 0: no sanitizer or valgrind error, no signal).
 */
#ifndef _HWQNIC_SELFTESTS_LIB_BACKEND_H
#define _HWQNIC_SELFTESTS_LIB_BACKEND_H

#include <stdbool.h>

#include <hwqnic/verbs.h>

#define U_KERNEL_DEV	"/dev/hwqnic0"
#define U_BACKENDS	(HWQNIC_OPEN_EMBEDDED | HWQNIC_OPEN_KERNEL)

/*
 * Runs run() once per backend in `which` (HWQNIC_OPEN_EMBEDDED and/or
 * HWQNIC_OPEN_KERNEL; U_BACKENDS: all). A backend left out of `which` is
 * a printed skip naming the test as for the others only. Returns
 * tap_done(), for main() to return.
 */
int u_backends(unsigned int which, void (*run)(void));

/* The running pass's hwqnic_open() flag; 0 outside a pass. */
unsigned int u_backend(void);
/* "embedded" or "kernel" ("default" outside a pass). */
const char *u_backend_name(void);
static inline bool u_backend_kernel(void)
{
	return u_backend() == HWQNIC_OPEN_KERNEL;
}

/* hwqnic_open(name) on the running pass's backend. */
struct hwqnic_context *u_open(const char *name);

#endif /* _HWQNIC_SELFTESTS_LIB_BACKEND_H */
