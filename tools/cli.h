/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * getopt_long()'s refusals as one line, for a tool that parses with getopt
 * rather than opts.c (lib/opts.h), which every tool is to use.
 */
#ifndef _HWQNIC_TOOLS_CLI_H
#define _HWQNIC_TOOLS_CLI_H

#include <errno.h>
#include <getopt.h>
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

#endif /* _HWQNIC_TOOLS_CLI_H */
