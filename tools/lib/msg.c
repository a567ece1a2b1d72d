// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A tool's messages, fatal errors with cleanups, stop signals (msg.h). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "safestr.h"

/* Process-wide by nature: one program name, one exit, one set of signals */
static const char *tool_name = "hwqnic";

static struct {
	void (*fn)(void *arg);
	void *arg;
} hooks[MSG_MAX_HOOKS];
static unsigned int nhooks;

static volatile sig_atomic_t stop_sig;

void msg_init(const char *name)
{
	tool_name = name && *name ? name : "hwqnic";
}

const char *msg_name(void)
{
	return tool_name;
}

void msg_vwarn(const char *fmt, va_list ap)
{
	char line[MSG_MAX], safe[SAFESTR_TEXT_SIZE(MSG_MAX)];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (n < 0)
		line[0] = '\0';
	/* whatever a message quotes (an argument, a file name), it stays
	 * one line of printable text */
	safestr_text(safe, sizeof(safe), line, sizeof(line));
	fprintf(stderr, "%s: %s%s\n", tool_name, safe,
		n >= (int)sizeof(line) ? "..." : "");
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vwarn(fmt, ap);
	va_end(ap);
}

void msg_note(const char *fmt, ...)
{
	va_list ap;

	if (!isatty(STDERR_FILENO))
		return;
	va_start(ap, fmt);
	msg_vwarn(fmt, ap);
	va_end(ap);
}

void msg_run_hooks(void)
{
	void (*fn)(void *arg);
	void *arg;

	/* forget each before it runs: a cleanup that dies never runs twice */
	while (nhooks) {
		nhooks--;
		fn = hooks[nhooks].fn;
		arg = hooks[nhooks].arg;
		fn(arg);
	}
}

void msg_vdie(int status, const char *fmt, va_list ap)
{
	fflush(stdout);
	msg_vwarn(fmt, ap);
	msg_run_hooks();
	exit(status);
}

void msg_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vdie(status, fmt, ap);
}

void *msg_xcalloc(size_t n, size_t size)
{
	void *p = NULL;

	/* checked here too: a sanitizer's calloc aborts instead */
	if (!size || n <= SIZE_MAX / size)
		p = calloc(n ? n : 1, size ? size : 1);
	if (!p) {
		msg_run_hooks();
		msg_die(1, "out of memory (%zu x %zu bytes)", n, size);
	}
	return p;
}

int msg_warn_ret(int ret, const char *what)
{
	if (ret)
		msg_warn("%s: %s", what, strerror(ret));
	return ret != 0;
}

void msg_check(int ret, const char *what)
{
	if (ret)
		msg_die(1, "%s: %s", what, strerror(ret));
}

int msg_on_exit(void (*fn)(void *arg), void *arg)
{
	if (!fn)
		return EINVAL;
	if (nhooks == MSG_MAX_HOOKS)
		return ENOSPC;
	hooks[nhooks].fn = fn;
	hooks[nhooks].arg = arg;
	nhooks++;
	return 0;
}

int msg_cancel(void (*fn)(void *arg), void *arg)
{
	unsigned int i = nhooks;

	while (i--) {
		if (hooks[i].fn != fn || hooks[i].arg != arg)
			continue;
		memmove(&hooks[i], &hooks[i + 1],
			(nhooks - i - 1) * sizeof(hooks[0]));
		nhooks--;
		return 0;
	}
	return ENOENT;
}

static void on_stop(int sig)
{
	stop_sig = sig;
}

int msg_catch_stop(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	unsigned int i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old))
			return errno;
		if (old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_stop;
		sa.sa_flags = SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		if (sigaction(sigs[i], &sa, NULL))
			return errno;
	}
	return 0;
}

int msg_stop_signal(void)
{
	return stop_sig;
}
