// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tests' backend passes (selftests/lib/backend.c): each pass opens
 * devices of the backend it names, whatever HWQNIC_BACKEND says; a pass
 * that does not end cleanly is a failure; a backend a test leaves out is
 * a skip that says so; the checks of the passes number as one stream.
 */
#include <sys/wait.h>

#include "../lib/helpers.h"

/* The embedded engine names its devices so (user/device.c); the kernel not. */
#define EMB_PREFIX	"hwqnic-emb"

static bool embedded_name(const char *name)
{
	return name && !strncmp(name, EMB_PREFIX, strlen(EMB_PREFIX));
}

static void suite(void)
{
	bool kern = u_backend_kernel();
	struct hwqnic_context *ctx;
	struct u_dev d;
	const char *name;

	ok(u_backend() == (kern ? HWQNIC_OPEN_KERNEL : HWQNIC_OPEN_EMBEDDED) &&
	   !strcmp(u_backend_name(), kern ? "kernel" : "embedded"),
	   "the pass runs on the backend it names");
	/* the environment names the other one: the flag must win */
	setenv("HWQNIC_BACKEND", kern ? "embedded" : "kernel", 1);
	ctx = u_open(NULL);
	name = ctx ? hwqnic_device_name(ctx) : NULL;
	ok(ctx && embedded_name(name) == !kern,
	   "u_open() opens a device of this backend (%s), HWQNIC_BACKEND=%s notwithstanding",
	   name ? name : strerror(errno), kern ? "embedded" : "kernel");
	ok(!ctx || !hwqnic_close(ctx), "and closes it");
	if (ok(!u_dev_open(&d), "u_dev_open()")) {
		name = hwqnic_device_name(d.ctx);
		ok(embedded_name(name) == !kern,
		   "u_dev_open() opens a device of this backend too (%s)",
		   name ? name : "no name");
		ok(!u_dev_close(&d), "and closes it");
	}
	unsetenv("HWQNIC_BACKEND");
}

/* A pass that fails by its exit status alone, after one good check. */
static void failing(void)
{
	ok(1, "a check");
	exit(3);
}

/*
 * Runs u_backends(HWQNIC_OPEN_EMBEDDED, failing) in a child whose output
 * is read back: its TAP lines in out[len], its exit status.
 */
static int nested(char *out, size_t len)
{
	int fd, status = -1;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	pid = u_fork_piped(&fd);
	if (pid < 0)
		return -1;
	if (!pid) {
		/* stderr too: a nested failure is expected, not this test's */
		if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(99);
		close(fd);
		exit(u_backends(HWQNIC_OPEN_EMBEDDED, failing));
	}
	while (got < len - 1 && (n = read(fd, out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(fd);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	char out[4096], *line, *save;
	int st;

	/* first, so that the nested test's numbers start at 1 */
	st = nested(out, sizeof(out));
	ok(st == 1, "a test whose pass fails exits 1 (%d)", st);
	ok(strstr(out, "ok 1 - embedded: a check\n") &&
	   strstr(out, "not ok 2 - embedded: the pass ends cleanly (exit status 3)\n"),
	   "its pass's checks, then the pass's exit status as a failure");
	if (!ok(strstr(out, "ok 3 - kernel: backend # SKIP this test is for the embedded backend only\n") &&
		strstr(out, "\n1..3\n"),
		"the backend it leaves out is a skip that says so; one plan"))
		for (line = strtok_r(out, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			diag("  %s", line);
	ok(u_backend() == 0 && !strcmp(u_backend_name(), "default"),
	   "outside a pass: no backend chosen");
	return u_backends(U_BACKENDS, suite);
}
