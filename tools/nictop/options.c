// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nictop's command line (opts.h's style: argp, one-line usage errors),
 * and the parsers of the screen's prompts, which take the same words.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "nictop.h"
#include "lib/opts.h"

enum { OPT_MAPS = 256, OPT_JSON };

static const char doc[] =
"A live monitor of the hwqnic devices in use on this machine and of\n"
"their queue pairs: rates from the counters each process publishes\n"
"in /dev/shm, latencies from the maps that qplat --pin leaves.\n"
"\n"
"Keys on the screen: h help, < > sort column, r reverse, p PID\n"
"filter, q QPN filter, space pause, d + - interval, Q or F10 quit.";

static const struct argp_option options[] = {
	{ "delay", 'd', "SECS", 0,
	  "Update interval, 0.1 to 3600 (default 1)", 0 },
	{ "iterations", 'n', "N", 0, "Exit after N updates", 0 },
	{ "pid", 'p', "PID", 0, "Only this process's devices and QPs", 0 },
	{ "qpn", 'Q', "QPN", 0, "Only QPs with this number", 0 },
	{ "maps", OPT_MAPS, "DIR", 0,
	  "qplat's pinned maps (default " DEF_MAPS ")", 0 },
	{ "sort", 's', "COLUMN", 0,
	  "Sort by qpn, type, state, pid, comm, dev, ops, mib, sq, rq, cqbl, "
	  "dev_p50, dev_p99, e2e_p99 or errors (default ops; pid with -b)",
	  0 },
	{ "reverse", 'r', NULL, 0, "Reverse the sort order", 0 },
	{ "batch", 'b', NULL, 0, "Print a snapshot per interval, no screen",
	  0 },
	{ "json", OPT_JSON, NULL, 0,
	  "One JSON object per snapshot (implies -b)", 0 },
	OPTS_HELP_H,
	{ 0 },
};

/* An interval as -d takes it, in seconds: false when bad. */
bool nictop_interval(const char *s, double *out)
{
	uint64_t ns;

	if (opts_parse_seconds(s, &ns) ||
	    ns < (uint64_t)(MIN_INTERVAL * NSEC_PER_SEC) ||
	    ns > (uint64_t)(MAX_INTERVAL * NSEC_PER_SEC))
		return false;
	*out = (double)ns / NSEC_PER_SEC;
	return true;
}

/* A filter's value: -1 for empty, else 0 to max; -2 if bad. */
long long nictop_filter(const char *s, long long max)
{
	uint64_t v;

	if (!*s)
		return -1;
	if (opts_parse_uint(s, &v) || v > (uint64_t)max)
		return -2;
	return (long long)v;
}

static int sort_column(const char *s)
{
	const char *names[NCOLS];
	int c;

	for (c = 0; c < NCOLS; c++)
		names[c] = cols[c].name;
	return (int)opts_keyword("sort column", s, names, NCOLS);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case 'd':
		o->interval = opts_seconds("interval", arg,
					   MIN_INTERVAL * NSEC_PER_SEC,
					   MAX_INTERVAL * NSEC_PER_SEC) /
			      (double)NSEC_PER_SEC;
		return 0;
	case 'n':
		o->count = opts_uint("count", arg, 1, MAX_COUNT);
		return 0;
	case 'p':
		o->pid = (long)opts_uint("PID", arg, 1, INT_MAX);
		return 0;
	case 'Q':
		o->qpn = (long long)opts_uint("QPN", arg, 0, UINT32_MAX);
		return 0;
	case OPT_MAPS:
		if (!*arg || strlen(arg) >= MAPS_MAX)
			opts_usage_error("bad --maps directory (1 to %d bytes)",
					 MAPS_MAX - 1);
		o->maps = arg;
		return 0;
	case 's':
		o->sort = sort_column(arg);
		return 0;
	case 'r':
		o->reverse = true;
		return 0;
	case 'b':
		o->batch = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	}
	return opts_default(key, arg, state);
}

void nictop_parse(int argc, char **argv, struct opts *o)
{
	static const struct argp argp = OPTS_ARGP(options, parse_arg,
							 NULL, doc);

	memset(o, 0, sizeof(*o));
	o->interval = DEF_INTERVAL;
	o->pid = -1;
	o->qpn = -1;
	o->maps = DEF_MAPS;
	o->sort = -1;
	opts_parse(&argp, argc, argv, o);
	if (o->json)
		o->batch = true;
	if (o->sort < 0)
		o->sort = o->batch ? C_PID : C_OPS;
}
