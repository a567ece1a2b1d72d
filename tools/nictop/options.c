// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nictop's command line (opts.h's style: argp, one-line usage errors),
 * and the parsers of the screen's prompts, which take the same words.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nictop.h"
#include "lib/opts.h"

enum { OPT_MAPS = 256, OPT_JSON, OPT_COLUMNS, OPT_NO_COLOR };

static const char doc[] =
"A live monitor of the hwqnic devices in use on this machine and of\n"
"their queue pairs: rates from the counters each process publishes\n"
"in /dev/shm, latencies from the maps that qplat --pin leaves.\n"
"\n"
"Keys on the screen: h help, f columns, < > sort column, r reverse,\n"
"p PID filter, \\ or o QPN filter, space pause, d + - interval,\n"
"z colour, q or F10 quit.";

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
	  "rx_pkts, tx_pkts, rx_bytes, tx_bytes, retx, drops (the wire "
	  "columns, shown beside devices bound to a netdev), dev_p50, "
	  "dev_p99, e2e_p99 or errors (default ops; pid with -b)",
	  0 },
	{ "reverse", 'r', NULL, 0, "Reverse the sort order", 0 },
	{ "columns", OPT_COLUMNS, "LIST", 0,
	  "Only these columns (names as for --sort, comma-separated); a "
	  "narrow screen drops the least important of them", 0 },
	{ "no-color", OPT_NO_COLOR, NULL, 0,
	  "No colours on the screen (so does NO_COLOR in the environment)",
	  0 },
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

static int column(const char *what, const char *s)
{
	const char *names[NCOLS];
	int c;

	for (c = 0; c < NCOLS; c++)
		names[c] = cols[c].name;
	return (int)opts_keyword(what, s, names, NCOLS);
}

static void columns(struct opts *o, const char *s)
{
	char items[NCOLS][OPTS_ITEM_MAX];
	unsigned int i, n = opts_list("column", s, items, NCOLS);

	memset(o->col_on, 0, sizeof(o->col_on));
	for (i = 0; i < n; i++)
		o->col_on[column("column", items[i])] = true;
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
		o->sort = column("sort column", arg);
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
	case OPT_COLUMNS:
		columns(o, arg);
		return 0;
	case OPT_NO_COLOR:
		o->no_color = true;
		return 0;
	}
	return opts_default(key, arg, state);
}

void nictop_parse(int argc, char **argv, struct opts *o)
{
	static const struct argp argp = OPTS_ARGP(options, parse_arg,
							 NULL, doc);
	const char *nc = getenv("NO_COLOR");
	int c;

	memset(o, 0, sizeof(*o));
	for (c = 0; c < NCOLS; c++)
		o->col_on[c] = true;
	o->interval = DEF_INTERVAL;
	o->pid = -1;
	o->qpn = -1;
	o->maps = DEF_MAPS;
	o->sort = -1;
	opts_parse(&argp, argc, argv, o);
	/* no-color.org: set and not empty */
	if (nc && *nc)
		o->no_color = true;
	if (o->json)
		o->batch = true;
	if (o->sort < 0)
		o->sort = o->batch ? C_PID : C_OPS;
}
