/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A tool's messages on stderr, each one line prefixed by the tool's name
 * ("hwqperf: ..."), and its way out on a fatal error: msg_die() flushes
 * stdout, prints, runs the cleanups registered with msg_on_exit() (the
 * newest first, each once) and exits with the status it is given. A
 * tool registers what it made, so that no die() has to know the tool's
 * own types.
 */
#ifndef _HWQNIC_TOOLS_MSG_H
#define _HWQNIC_TOOLS_MSG_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A message is cut at MSG_MAX - 1 bytes (and marked "..."), and printed
 * as safestr_text() makes it: printable ASCII, one line, whatever it
 * quotes (a control character is \xNN, other text \uXXXX, '\' is "\\").
 */
#define MSG_MAX		1024

/* Cleanups msg_die() can run; msg_on_exit() fails beyond this. */
#define MSG_MAX_HOOKS	8

/* The tool's name for every message; "hwqnic" until set. */
void msg_init(const char *name);
const char *msg_name(void);

void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_vwarn(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

/*
 * A progress note before a phase that takes seconds ("hwqperf: faulting
 * in 2 GiB ..."), as msg_warn() writes it but only when stderr is a
 * terminal: a person waiting sees why, a script's stdout and stderr stay
 * as they were.
 */
void msg_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit statuses: 1 for a failure, 2 for a usage error (opts.h). */
void msg_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void msg_vdie(int status, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0), noreturn));

/*
 * calloc(n, size), never NULL: out of memory ends the tool (status 1),
 * its exit hooks run first so that a restored terminal shows why.
 * n or size 0 still gives a unique pointer.
 */
void *msg_xcalloc(size_t n, size_t size);

/* ret (an errno value) as "what: strerror" if not 0; 1 if it warned */
int msg_warn_ret(int ret, const char *what);

/* ret (an errno value) if not 0 ends the tool: "what: strerror", 1 */
void msg_check(int ret, const char *what);

/*
 * fn(arg) is to run if the tool dies before msg_cancel(fn, arg): 0, or
 * ENOSPC with MSG_MAX_HOOKS registered already. A cleanup may warn; a
 * cleanup that dies exits with its own status once the older ones ran.
 */
int msg_on_exit(void (*fn)(void *arg), void *arg);

/* Forgets fn(arg) (its newest registration); 0, or ENOENT. */
int msg_cancel(void (*fn)(void *arg), void *arg);

/* Runs and forgets every registered cleanup, the newest first. */
void msg_run_hooks(void);

/*
 * SIGINT, SIGTERM and SIGHUP (a closed terminal) ask for a clean end:
 * the tool sees msg_stop_signal() != 0, destroys what it made, its stats
 * file included, and exits 128 + the signal. A second one kills. A signal
 * ignored from the start (nohup, a background job) stays ignored.
 * 0 or an errno value.
 */
int msg_catch_stop(void);

/* The signal that asked the tool to stop, or 0. */
int msg_stop_signal(void);

#endif /* _HWQNIC_TOOLS_MSG_H */
