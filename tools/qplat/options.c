// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* qplat's command line (opts.h's style: argp, one-line usage errors). */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <hwqnic/stats.h>

#include "qplat_priv.h"
#include "lib/msg.h"

/* Intervals from a millisecond to a year. */
#define MIN_INTERVAL_NS	1000000ULL
#define MAX_INTERVAL_NS	(86400ULL * 365 * 1000000000ULL)
#define OPS		256	/* completion opcodes are a byte */

enum { OPT_JSON = 1000, OPT_PIN, OPT_SVG, OPT_FIVE };

/* -F: from one sample a second to a million */
#define MAX_HZ		1000000

const char *const qplat_lat_names[QPLAT_LAT_MAX] = {
	[QPLAT_LAT_DEVICE] = "device",
	[QPLAT_LAT_PICKUP] = "pickup",
	[QPLAT_LAT_E2E] = "e2e",
};

static const char doc[] =
"Per-QP latency histograms of hwqnic work requests: device (doorbell -> CQE),\n"
"pickup (CQE -> poll) and end-to-end (post -> poll), from libhwqnic's USDT\n"
"probes or hwqnic.ko's tracepoints: the one completion event, which carries\n"
"the times, or with --five-events the five events of each work request.\n"
"The library samples the completions before the probe fires: about 1000 a\n"
"second per process by default (-F), one in N (-c N), or all (-c 1); the\n"
"histograms' counts are scaled by the period, the counters are exact.\n"
"\n"
"USAGE: qplat [-p PID | -B BINARY | -k] [-c N | -F HZ] [-Q QPN] [-o OP]\n"
"             [-L KIND] [-H] [-m] [-T] [--json] [--svg FILE] [--pin DIR]\n"
"             [--five-events]\n"
"             [interval [count]]\n"
"\n"
"EXAMPLES:\n"
"    qplat -B build/bin/hwqperf     # every hwqperf run, print at Ctrl-C\n"
"    qplat -B ./app -H              # the histograms too\n"
"    qplat -B ./app -c 1            # every completion, exact\n"
"    qplat -p 185 -F 5000           # about 5000 samples a second\n"
"    qplat -B ./app --svg lat.svg   # and the latency CDFs as a picture\n"
"    qplat -p 185 1 10              # pid 185, 10 one-second intervals\n"
"    qplat -k --json 1              # hwqnic.ko's in-kernel users\n"
"    qplat -k -B ./app              # ./app on hwqnic.ko's kernel backend\n"
"    qplat -B ./app -Q 17 -o write  # QP 17's RDMA WRITEs only\n"
"    qplat -p 185 -L e2e -H -m      # end-to-end only, in milliseconds\n"
"    qplat -p 185 --json 5          # a JSON object every 5 seconds\n"
"    qplat -B ./app --pin /sys/fs/bpf/qplat  # leave the maps pinned";

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace this process only", 0 },
	{ "binary", 'B', "BINARY", 0,
	  "Trace this executable or shared library (every process)", 0 },
	{ "kernel", 'k', NULL, 0,
	  "Trace hwqnic.ko's tracepoints too, or alone; every event is "
	  "then charged to pid 0", 0 },
	{ "count", 'c', "N", 0,
	  "Sample one completion in N on average (1: every one, exact)", 0 },
	{ "freq", 'F', "HZ", 0,
	  "Sample about HZ completions a second per process, the period "
	  "following the rate (default: 1000)", 0 },
	{ "qpn", 'Q', "QPN", 0, "Only this queue pair number", 0 },
	{ "op", 'o', "OP", 0,
	  "Only this completion opcode: send, write, read, cas, fadd, recv, "
	  "recv_imm", 0 },
	{ "latency", 'L', "KIND", 0,
	  "Only this latency: device, pickup or e2e (default: all three)", 0 },
	{ "histograms", 'H', NULL, 0,
	  "Print the log2 histograms after the summary table", 0 },
	{ "milliseconds", 'm', NULL, 0,
	  "Latencies in milliseconds instead of adaptive units", 0 },
	{ "timestamp", 'T', NULL, 0, "Include a timestamp on output", 0 },
	{ "json", OPT_JSON, NULL, 0, "One JSON object per interval on stdout",
	  0 },
	{ "svg", OPT_SVG, "FILE", 0,
	  "At the end, write the run's latency CDFs to FILE as SVG", 0 },
	{ "pin", OPT_PIN, "DIR", 0,
	  "Pin the maps as DIR/hists and DIR/counters, left at exit", 0 },
	{ "five-events", OPT_FIVE, NULL, 0,
	  "Follow each work request through post, db, wqe, cqe and poll "
	  "(five probe hits a message) instead of the one completion event",
	  0 },
	{ "verbose", 'v', NULL, 0,
	  "Verbose debug output (libbpf; how probes' arguments are read)", 0 },
	OPTS_HELP_H,
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state);

static const struct argp argp = OPTS_ARGP(options, parse_arg,
						 "[interval [count]]", doc);

/* -o: the completion opcodes that libhwqnic names */
static __u32 parse_op(const char *arg)
{
	const char *names[OPS];
	unsigned int op;

	for (op = 0; op < OPS; op++) {
		names[op] = hwqnic_wc_opcode_str(op);
		if (!strcmp(names[op], "?"))
			names[op] = NULL;
	}
	return opts_keyword("op", arg, names, OPS);
}

/* The option of `key` if it only sets a flag, else NULL. */
static bool *flag(struct qplat_env *env, int key)
{
	switch (key) {
	case 'v':	return &env->verbose;
	case 'k':	return &env->kernel;
	case 'm':	return &env->msecs;
	case 'H':	return &env->histograms;
	case 'T':	return &env->timestamp;
	case OPT_JSON:	return &env->json;
	case OPT_FIVE:	return &env->five;
	}
	return NULL;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct qplat_env *env = state->input;
	bool *f = flag(env, key);

	if (f) {
		*f = true;
		return 0;
	}
	switch (key) {
	case 'p':
		env->pid = (pid_t)opts_uint("PID", arg, 1, INT_MAX);
		return 0;
	case 'B':
		if (!*arg)
			opts_usage_error("-B needs a file name");
		env->binary = arg;
		return 0;
	case 'c':
		if (env->hz)
			opts_usage_error("-c and -F exclude each other");
		env->period = (__u32)opts_uint("N", arg, 1, HWQNIC_SAMPLE_MAX);
		return 0;
	case 'F':
		if (env->period)
			opts_usage_error("-c and -F exclude each other");
		env->hz = (__u32)opts_uint("HZ", arg, 1, MAX_HZ);
		return 0;
	case 'Q':
		env->qpn = (__u32)opts_uint("QPN", arg, 1, UINT32_MAX);
		return 0;
	case 'o':
		env->filter_op = true;
		env->op = parse_op(arg);
		return 0;
	case 'L':
		env->lat = (int)opts_keyword("latency", arg, qplat_lat_names,
					     QPLAT_LAT_MAX);
		return 0;
	case OPT_PIN:
		if (!*arg)
			opts_usage_error("--pin needs a directory");
		env->pin = arg;
		return 0;
	case OPT_SVG:
		if (!*arg)
			opts_usage_error("--svg needs a file name");
		env->svg = arg;
		return 0;
	case ARGP_KEY_ARG:
		opts_interval_arg(&env->iv, arg, MIN_INTERVAL_NS,
				  MAX_INTERVAL_NS, LONG_MAX);
		return 0;
	}
	return opts_default(key, arg, state);
}

void qplat_parse(int argc, char **argv, struct qplat_env *env)
{
	memset(env, 0, sizeof(*env));
	env->lat = -1;
	opts_parse(&argp, argc, argv, env);
	if (!env->pid && !env->binary && !env->kernel)
		opts_usage_error("needs -p PID or -B BINARY (the process, or "
				 "the program or libhwqnic.so, to trace) or -k "
				 "(hwqnic.ko)");
	if ((env->period || env->hz) && env->five)
		opts_usage_error("--five-events follows every work request: "
				 "no -c or -F");
	if ((env->period || env->hz) && !env->pid && !env->binary)
		opts_usage_error("-k alone traces hwqnic.ko's in-kernel users, "
				 "always exact: no -c or -F");
	/* sampling is the library's: the processes qplat traces */
	if (!env->five && !env->period && !env->hz &&
	    (env->pid || env->binary))
		env->hz = QPLAT_DEFAULT_HZ;
}
