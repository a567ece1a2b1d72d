// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqperf: a perftest-like benchmark over the hwqnic verbs.
 *
 * Latency (lat) and bandwidth (bw) of SEND, RDMA_WRITE and RDMA_READ between
 * RC QPs connected in loopback on one device of the embedded backend (the
 * engine is a thread of this process). Each run also measures a reference
 * on the same machine, the cache-line round trip between two CPUs and the
 * protocol floor (lat) or single-core memcpy (bw), and prints the ratio to
 * it. See hwqperf(1). main() reads as the run does: parse, reference,
 * set up, run, tear down, report.
 */
#include "hwqperf.h"

const char *const mode_names[] = { "", "lat", "bw" };

/* ---- options ---- */

enum { OPT_OP = 256, OPT_CQ_MOD, OPT_BUF_SIZE, OPT_VERIFY, OPT_JSON,
       OPT_CSV };

static const char doc[] = "A perftest-like benchmark over the hwqnic verbs: "
	"RC QPs in loopback on the embedded engine; or, as perftest's, on two "
	"hosts: on a device bound to a netdev, a server, and with "
	"SERVER_ADDRESS its client.\v"
	"SIZE and B take a K, M or G suffix (powers of 1024).";

/* The modes are listed as argp lists options, in a group of their own */
static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Modes:", 1 },
	{ "lat", 0, NULL, OPTION_DOC | OPTION_NO_USAGE,
	  "Ping-pong latency (as ib_*_lat)", 1 },
	{ "bw", 0, NULL, OPTION_DOC | OPTION_NO_USAGE,
	  "Streaming bandwidth (as ib_*_bw)", 1 },
	{ NULL, 0, NULL, 0, "Options:", 2 },
	{ "op", OPT_OP, "OP", 0, "send, write or read (default write)", 0 },
	{ "size", 's', "SIZE", 0, "Message bytes (default 2 lat, 65536 bw)",
	  0 },
	{ "iters", 'n', "N", 0, "Messages per QP (default 1000 lat, 5000 bw)",
	  0 },
	{ "all", 'a', NULL, 0, "Every size from 2 to 8M (powers of 2), "
	  "one row each", 0 },
	{ "duration", 'D', "SECONDS", 0, "bw: run for SECONDS instead of "
	  "a number of messages", 0 },
	{ "qps", 'q', "N", 0, "QP pairs, 1 to 64 (default 1)", 0 },
	{ "cq-mod", OPT_CQ_MOD, "N", 0,
	  "Signal every Nth WQE (default 1 lat, 100 bw)", 0 },
	{ "inline-size", 'I', "N", 0, "Send messages up to N bytes inline "
	  "(default 236 lat send, 220 lat write, else 0)", 0 },
	{ "buf-size", OPT_BUF_SIZE, "B", 0,
	  "One buffer per side (default max(SIZE, 64K))", 0 },
	{ "verify", OPT_VERIFY, NULL, 0, "Check every byte moved", 0 },
	{ "json", OPT_JSON, NULL, 0, "Print one JSON object", 0 },
	{ "csv", OPT_CSV, NULL, 0, "Print CSV: a header, a row per size", 0 },
	OPTS_TWO_HOSTS("hwqperf", 3),
	OPTS_HELP_H,
	{},
};

/* The mode's names for opts_keyword(): MODE_NONE is none */
static const char *const mode_words[] = { NULL, "lat", "bw" };

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	if (opts_two_hosts(key, arg, &o->netdev, &o->port, &o->gid_index))
		return 0;
	switch (key) {
	case OPT_OP:
		o->op = rig_op_parse("op", arg);
		return 0;
	case 's':
		o->size = opts_size("size", arg, 0, UINT64_MAX);
		o->has_size = true;
		return 0;
	case 'n':
		o->iters = opts_uint("iterations", arg, 1, MAX_ITERS);
		o->has_iters = true;
		return 0;
	case 'q':
		o->qps = opts_uint("QP count", arg, 1, MAX_QPS);
		return 0;
	case OPT_CQ_MOD:
		o->cq_mod = opts_uint("cq-mod", arg, 1, MAX_CQ_MOD);
		o->has_cq_mod = true;
		return 0;
	case 'I':
		o->inline_size = opts_uint("inline-size", arg, 0, MAX_INLINE);
		o->has_inline = true;
		return 0;
	case OPT_BUF_SIZE:
		o->buf_size = opts_size("buf-size", arg, 0, UINT64_MAX);
		o->has_buf = true;
		return 0;
	case 'a':
		o->all_sizes = true;
		return 0;
	case 'D':
		o->duration_ns = opts_seconds("duration", arg, 1,
					      MAX_DURATION_NS);
		return 0;
	case OPT_CSV:
		o->csv = true;
		return 0;
	case OPT_VERIFY:
		o->verify = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case ARGP_KEY_ARG:
		if (o->mode != MODE_NONE && (!strcmp(arg, "lat") ||
					     !strcmp(arg, "bw")))
			bad_usage("a second mode '%s' (one run is lat or bw)",
				  arg);
		if (o->mode != MODE_NONE && !o->server) {
			o->server = arg;
			return 0;
		}
		if (o->mode != MODE_NONE)
			return opts_default(key, arg, state);
		o->mode = opts_keyword("mode", arg, mode_words, 3);
		return 0;
	case ARGP_KEY_END:
		if (o->mode == MODE_NONE)
			bad_usage("missing mode (lat or bw)");
		return 0;
	}
	return opts_default(key, arg, state);
}

static const struct argp argp = OPTS_ARGP(options, parse_arg,
					 "lat|bw [SERVER_ADDRESS]", doc);

/* The buffer's default for o->size, and the checks that involve the size */
static void size_opts(struct opts *o)
{
	if (!o->has_buf)
		o->buf_size = MAX(o->size, DEF_BUF_SIZE);
	if (o->size > MAX_SIZE)
		bad_usage("message size %" PRIu64 " is over 2G", o->size);
	if (!o->size && o->op != RIG_SEND)
		bad_usage("message size 0 is only valid with --op send");
	if (!o->buf_size)
		bad_usage("buf-size must be at least 1");
	if (o->buf_size > MAX_BUF_SIZE)
		bad_usage("buf-size %" PRIu64 " is over 1T", o->buf_size);
	if (o->size > o->buf_size)
		bad_usage("message size %" PRIu64 " exceeds buf-size %" PRIu64,
			  o->size, o->buf_size);
}

static void remote_opts(struct opts *o);

/* Defaults that depend on the mode, then the checks across options. */
static void finish_opts(struct opts *o)
{
	bool lat = o->mode == MODE_LAT;

	if (o->all_sizes && o->has_size)
		bad_usage("--all and --size exclude each other");
	if (o->duration_ns && o->has_iters)
		bad_usage("--duration and --iters exclude each other");
	if (o->duration_ns && lat)
		bad_usage("--duration is for bw (lat's percentiles need a "
			  "number of iterations)");
	if (o->json && o->csv)
		bad_usage("--json and --csv exclude each other");
	if (!o->has_size)
		o->size = o->all_sizes ? ALL_MIN_SIZE : lat ? 2 : 65536;
	/* -D: as many as the time allows; the deadline sets the end */
	if (!o->has_iters)
		o->iters = o->duration_ns ? MAX_ITERS : lat ? 1000 : 5000;
	if (!o->has_cq_mod)
		o->cq_mod = lat ? 1 : 100;
	if (o->has_inline && o->inline_size && o->op == RIG_READ)
		bad_usage("inline data is not available with --op read");
	if (!o->has_inline && lat)
		o->inline_size = o->op == RIG_SEND ? LAT_INLINE_SEND :
				 o->op == RIG_WRITE ? LAT_INLINE_WRITE : 0;
	size_opts(o);
	remote_opts(o);
}

/*
 * The two-process form: a client names its server; a device bound to a
 * netdev (-d, HWQNIC_NETDEV) without one is the server. What it does not
 * take is refused here, before anything is made.
 */
static void remote_opts(struct opts *o)
{
	o->role = (enum role)opts_role(o->server, o->netdev);
	if (o->role == ROLE_LOOPBACK)
		return;
	/* bw's pairs are independent; lat's take turns, one at a time */
	if (o->qps > 1 && o->mode == MODE_LAT)
		bad_usage("-q %u: the two-process lat runs one QP pair",
			  o->qps);
	if (o->all_sizes)
		bad_usage("--all: the two-process form runs one size");
	if (o->duration_ns)
		bad_usage("--duration: the two-process form runs a number "
			  "of messages (-n)");
	if (o->verify && o->op != RIG_SEND)
		bad_usage("--verify: in the two-process form only --op send "
			  "(the receiver checks each message)");
}

/*
 * The sizes to run: o->size, or with -a every power of two from 2 to 8M
 * that --buf-size (when given) holds. Their count.
 */
static unsigned int plan_sizes(const struct opts *o, uint64_t *sizes,
			       unsigned int max)
{
	uint64_t s, top = o->has_buf ? MIN(o->buf_size, ALL_MAX_SIZE) :
			  ALL_MAX_SIZE;
	unsigned int n = 0;

	if (!o->all_sizes) {
		sizes[0] = o->size;
		return 1;
	}
	for (s = ALL_MIN_SIZE; s <= top && n < max; s *= 2)
		sizes[n++] = s;
	return n;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->op = RIG_WRITE;
	o->qps = 1;
	o->port = OOB_PORT;
	opts_parse(&argp, argc, argv, o);
	finish_opts(o);
}

/*
 * One message size: its reference, then set up, run, tear down. The
 * banner and the table's head come before the first row; the text and
 * CSV rows are printed as each size ends, as perftest's are.
 */
static int run_size(const struct opts *o, const struct cpus *cpus,
		    bool first, struct result *res)
{
	struct run *r;

	measure_refs(o, cpus, res);
	r = msg_xcalloc(1, sizeof(*r));
	r->o = o;
	msg_check(msg_on_exit(teardown_hook, r), "msg_on_exit");
	setup(r);
	stop_if_signalled();
	if (o->role == ROLE_SERVER) {
		remote_serve(r);
		remote_done(r);
		msg_cancel(teardown_hook, r);
		return teardown(r);
	}
	if (first && !o->json && !o->csv)
		print_banner(r, cpus);
	if (first && !o->json)
		print_head(o);
	if (o->mode == MODE_LAT) {
		lat_run(r);
		lat_stats(r, res);
	} else {
		bw_run(r);
		bw_stats(r, res);
	}
	res->size = o->size;
	res->buf_size = o->buf_size;
	res->backend = r->rig.backend;
	res->inline_size = r->inline_size;
	if (o->role == ROLE_CLIENT)
		remote_done(r);
	msg_cancel(teardown_hook, r);
	if (!o->json)
		print_row(o, res);
	return teardown(r);
}

int main(int argc, char **argv)
{
	uint64_t sizes[64];
	struct result *res;
	struct opts o, os;
	struct cpus cpus;
	unsigned int n, i;
	int err = 0;

	msg_init("hwqperf");
	parse_args(argc, argv, &o);
	srand48((long)getpid() * time(NULL));	/* the first PSNs */
	msg_check(msg_catch_stop(), "sigaction");
	setup_cpus(&cpus);
	n = plan_sizes(&o, sizes, 64);
	res = msg_xcalloc(n, sizeof(*res));
	for (i = 0; i < n; i++) {
		os = o;
		os.size = sizes[i];
		size_opts(&os);
		err |= run_size(&os, &cpus, i == 0, &res[i]);
	}
	if (o.role != ROLE_SERVER)
		report(&o, res, n, &cpus);
	free(res);
	return err;
}
