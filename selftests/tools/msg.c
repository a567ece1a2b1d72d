// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/msg.c: messages are one line prefixed by the tool's name;
 * msg_die() flushes stdout, runs the registered cleanups newest first,
 * each once, not the cancelled ones, and exits with its status; the
 * stop signals are caught once and one ignored from the start stays so.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "../lib/tap.h"
#include "child.h"
#include "lib/msg.h"

static void hook(void *arg)
{
	fprintf(stderr, "hook %s\n", (const char *)arg);
}

static void hook_dies(void *arg)
{
	(void)arg;
	msg_die(5, "cleanup failed");
}

static void warn_child(void *arg)
{
	(void)arg;
	msg_init("msgtest");
	msg_warn("hello %d", 3);
	msg_warn("quoted '%s'", "a\nb\\c\xc3\xa9\x1b[31m");
	msg_init(NULL);
	msg_warn("nameless");
}

/* stderr is a pipe here: a note is for a terminal only */
static void note_child(void *arg)
{
	(void)arg;
	msg_init("msgtest");
	msg_note("faulting in %d MiB", 2048);
	msg_warn("after");
}

static void die_child(void *arg)
{
	(void)arg;
	msg_init("msgtest");
	msg_on_exit(hook, "A");
	msg_on_exit(hook, "B");
	msg_on_exit(hook, "C");
	msg_on_exit(hook, "D");
	if (msg_cancel(hook, "C"))
		abort();
	printf("buffered");	/* no newline: only a flush shows it */
	msg_die(3, "fatal: %s", "bad");
}

static void die_in_hook_child(void *arg)
{
	(void)arg;
	msg_init("msgtest");
	msg_on_exit(hook, "A");
	msg_on_exit(hook_dies, NULL);
	msg_on_exit(hook, "C");
	msg_die(1, "first");
}

static void ret_child(void *arg)
{
	(void)arg;
	msg_init("msgtest");
	if (msg_warn_ret(0, "quiet") != 0 || msg_warn_ret(EINVAL, "x") != 1)
		_exit(20);
	msg_check(0, "fine");
	msg_check(ENOENT, "open");
}

static void long_child(void *arg)
{
	char big[3000];

	(void)arg;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	msg_init("msgtest");
	msg_warn("%s", big);
}

/* SIGTERM is caught once; SIGHUP ignored from the start stays ignored */
static void xcalloc_child(void *arg)
{
	unsigned char *p;

	(void)arg;
	msg_init("msgtest");
	msg_on_exit(hook, "A");
	p = msg_xcalloc(0, 8);
	if (p[0])
		abort();
	free(p);
	p = msg_xcalloc(3, 5);
	if (p[14])
		abort();
	free(p);
	/* n * size overflows size_t */
	msg_xcalloc((size_t)-1 / 2, 4);
	puts("survived");
}

static void stop_child(void *arg)
{
	(void)arg;
	signal(SIGHUP, SIG_IGN);
	if (msg_catch_stop())
		_exit(10);
	if (msg_stop_signal())
		_exit(11);
	raise(SIGHUP);
	if (msg_stop_signal())
		_exit(12);
	raise(SIGTERM);
	if (msg_stop_signal() != SIGTERM)
		_exit(13);
	printf("caught\n");
	fflush(stdout);
	raise(SIGTERM);		/* the second one kills */
	_exit(14);
}

static void test_hooks_in_process(void)
{
	int i, err = 0;

	for (i = 0; i < MSG_MAX_HOOKS; i++)
		err |= msg_on_exit(hook, (void *)(long)i);
	ok(!err && msg_on_exit(hook, "full") == ENOSPC,
	   "%d cleanups register; one more is ENOSPC", MSG_MAX_HOOKS);
	ok(msg_on_exit(NULL, NULL) == EINVAL, "a NULL cleanup is EINVAL");
	ok(msg_cancel(hook, "never") == ENOENT, "cancelling an unknown one "
	   "is ENOENT");
	for (i = MSG_MAX_HOOKS - 1; i >= 0; i--)
		err |= msg_cancel(hook, (void *)(long)i);
	ok(!err && msg_cancel(hook, (void *)0L) == ENOENT,
	   "each cancels once");
}

int main(void)
{
	struct child c;

	ok(!strcmp(msg_name(), "hwqnic"), "the name before msg_init(): hwqnic");
	if (!child_run(warn_child, NULL, &c))
		ok(c.status == 0 && !strcmp(c.err, "msgtest: hello 3\n"
		   "msgtest: quoted 'a\\x0ab\\\\c\\u00e9\\x1b[31m'\n"
		   "hwqnic: nameless\n"),
		   "msg_warn: one line each, prefixed with the name, what it "
		   "quotes made printable");
	if (!child_run(note_child, NULL, &c))
		ok(c.status == 0 && !strcmp(c.err, "msgtest: after\n") &&
		   !c.out[0], "msg_note: nothing when stderr is no terminal");
	if (!child_run(die_child, NULL, &c))
		ok(c.status == 3 && !strcmp(c.out, "buffered") &&
		   !strcmp(c.err, "msgtest: fatal: bad\nhook D\nhook B\n"
			   "hook A\n"),
		   "msg_die: stdout flushed, message, cleanups newest first "
		   "without the cancelled one, its status (%d)", c.status);
	if (!child_run(die_in_hook_child, NULL, &c))
		ok(c.status == 5 && !strcmp(c.err, "msgtest: first\nhook C\n"
			   "msgtest: cleanup failed\nhook A\n"),
		   "a cleanup that dies: the older ones still run once, its "
		   "status (%d)", c.status);
	if (!child_run(ret_child, NULL, &c))
		ok(c.status == 1 && !strcmp(c.err, "msgtest: x: Invalid "
					    "argument\nmsgtest: open: No such "
					    "file or directory\n"),
		   "msg_warn_ret warns of an errno value only, msg_check dies "
		   "of one (%d)", c.status);
	if (!child_run(long_child, NULL, &c))
		ok(c.err_lines == 1 && !strncmp(c.err, "msgtest: xxx", 12) &&
		   strstr(c.err, "x...\n"),
		   "an overlong message: one line, marked as cut");
	if (!child_run(xcalloc_child, NULL, &c))
		ok(c.status == 1 && !c.out[0] &&
		   !strcmp(c.err, "hook A\nmsgtest: out of memory "
			   "(9223372036854775807 x 4 bytes)\n"),
		   "msg_xcalloc: zeroed memory, also for 0 elements; out of "
		   "memory ends the tool after its cleanups (status %d)",
		   c.status);
	if (!child_run(stop_child, NULL, &c))
		ok(c.status == 128 + SIGTERM && !strcmp(c.out, "caught\n"),
		   "stop signals: caught once, then fatal; an ignored one "
		   "stays ignored (status %d)", c.status);
	test_hooks_in_process();
	return tap_done();
}
