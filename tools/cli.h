/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line helpers the tools share. */
#ifndef _HWQNIC_TOOLS_CLI_H
#define _HWQNIC_TOOLS_CLI_H

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/*
 * What getopt_long() refused, as one line for the tool's usage error:
 * `c` is what it returned (':' for a missing value, '?' otherwise; the
 * option string starts with ':').
 */
static inline const char *cli_option_error(char **argv, int c, char *buf,
					   size_t len)
{
	const char *arg = argv[optind - 1];
	int n = (int)strcspn(arg, "=");
	int is_long = !strncmp(arg, "--", 2);

	if (c == ':' && !is_long)
		snprintf(buf, len, "option '-%c' needs a value", optopt);
	else if (c == ':')
		snprintf(buf, len, "option '%.*s' needs a value", n, arg);
	else if (optopt > 0 && optopt < 256 && !is_long)
		snprintf(buf, len, "unknown option '-%c'", optopt);
	else
		snprintf(buf, len, "unknown, ambiguous or misused option '%s'",
			 arg);
	return buf;
}

/* The signal that asked the tool to stop, or 0: cli_catch_stop(). */
static inline volatile sig_atomic_t *cli_stop_flag(void)
{
	static volatile sig_atomic_t sig;

	return &sig;
}

#define cli_stop_signal	(*cli_stop_flag())

static inline void cli_on_stop(int sig)
{
	cli_stop_signal = sig;
}

/*
 * SIGINT, SIGTERM and SIGHUP (a closed terminal) ask for a clean end: the
 * tool sees cli_stop_signal, destroys what it made, its stats file
 * included, and exits 128 + the signal. A second one kills. A signal
 * ignored from the start (nohup, a background job) stays ignored. 0 or
 * an errno value.
 */
static inline int cli_catch_stop(void)
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
		sa.sa_handler = cli_on_stop;
		sa.sa_flags = SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		if (sigaction(sigs[i], &sa, NULL))
			return errno;
	}
	return 0;
}

#endif /* _HWQNIC_TOOLS_CLI_H */
