// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The verbs tests' backends: see backend.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "tap.h"

static unsigned int current;

unsigned int u_backend(void)
{
	return current;
}

static const char *name_of(unsigned int b)
{
	return b == HWQNIC_OPEN_KERNEL ? "kernel" :
	       b == HWQNIC_OPEN_EMBEDDED ? "embedded" : "default";
}

const char *u_backend_name(void)
{
	return name_of(current);
}

struct hwqnic_context *u_open(const char *name)
{
	return hwqnic_open(name, current);
}

/* One pass in a child, and the check that it ended cleanly. */
static void pass(unsigned int b, void (*run)(void))
{
	int rc, status;
	pid_t pid;

	tap_prefix(name_of(b));
	rc = tap_share();
	if (rc) {
		ok(0, "backend pass: shared TAP count: %s", strerror(rc));
		goto out;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		ok(0, "backend pass: fork: %s", strerror(errno));
		goto out;
	}
	if (!pid) {
		current = b;
		run();
		fflush(stdout);
		exit(0);
	}
	while ((rc = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (rc < 0)
		ok(0, "backend pass: waitpid: %s", strerror(errno));
	else if (WIFSIGNALED(status))
		ok(0, "the pass ends cleanly: killed by signal %d",
		   WTERMSIG(status));
	else
		ok(WEXITSTATUS(status) == 0,
		   "the pass ends cleanly (exit status %d)",
		   WEXITSTATUS(status));
out:
	tap_prefix(NULL);
}

int u_backends(unsigned int which, void (*run)(void))
{
	static const unsigned int all[] = {
		HWQNIC_OPEN_EMBEDDED, HWQNIC_OPEN_KERNEL,
	};
	unsigned int i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		unsigned int b = all[i];

		if (!(which & b)) {
			tap_prefix(name_of(b));
			tap_skip("backend", "this test is for the %s backend only",
				 name_of(which));
			tap_prefix(NULL);
		} else if (b == HWQNIC_OPEN_KERNEL &&
			   access(U_KERNEL_DEV, F_OK)) {
			tap_prefix(name_of(b));
			tap_skip("backend", "no %s (hwqnic.ko is not loaded)",
				 U_KERNEL_DEV);
			tap_prefix(NULL);
		} else {
			pass(b, run);
		}
	}
	return tap_done();
}
