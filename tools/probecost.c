// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * probecost: what hwqnic's USDT probes cost, measured in one run:
 *   no probe      a call with no probe site (the baseline)
 *   untraced      the same call with a hwqnic probe site, no tracer
 *   bare uprobe   the same, with an empty BPF program on the probe
 *   1-byte nop    the post probe as a site of probecost's own on sdt.h's
 *                 1-byte nop, which a uprobe always traps with int3
 * The probe site is libhwqnic's own `post` probe, semaphore and all, or
 * with --probe complete its completion event's (nine arguments): on
 * x86-64 a 5-byte nop, which a kernel that optimizes uprobes calls into
 * rather than traps (osdep_user.h).
 *
 * With -B BINARY it measures nothing: it holds the empty program on that
 * probe of BINARY (or of the libhwqnic it is linked against), in every
 * process, until SIGINT or SIGTERM, so that a benchmark can time its own
 * workload under a bare uprobe on every event, the traced library's work
 * included, beside the same workload under qplat (tools/bench-qplat.sh).
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "osdep.h"
#include "probecost.skel.h"
#include "lib/json.h"
#include "lib/msg.h"
#include "lib/opts.h"
#include "lib/resolve.h"

static struct {
	unsigned long iters;
	bool json;
	bool complete;		/* --probe complete */
	const char *binary;	/* -B: hold the program on its probe */
} env = { .iters = 20000000 };

static const char *const probe_names[] = { "post", "complete" };

static const struct argp_option opts[] = {
	{ "binary", 'B', "BINARY", 0,
	  "Measure nothing: hold the empty program on BINARY's probe, in every "
	  "process, until SIGINT or SIGTERM", 0 },
	{ "iters", 'n', "N", 0, "Calls per measurement (default 20000000)", 0 },
	{ "json", 'j', NULL, 0, "Print one JSON object", 0 },
	{ "probe", 'P', "NAME", 0,
	  "The probe site: post (default) or complete", 0 },
	OPTS_HELP_H,
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'n':
		env.iters = opts_uint("iterations", arg, 1, 1000000000UL);
		return 0;
	case 'j':
		env.json = true;
		return 0;
	case 'P':
		env.complete = opts_keyword("probe", arg, probe_names, 2);
		return 0;
	case 'B':
		env.binary = arg;
		return 0;
	}
	return opts_default(key, arg, state);
}

static const struct argp argp = OPTS_ARGP(opts, parse_arg, NULL,
	"The cost of hwqnic's USDT probes, untraced and under a bare "
	"uprobe.\vNeeds root for the traced measurement.");

static __attribute__((noinline)) void call_plain(u64 i)
{
	__asm__ volatile("" : : "r"(i) : "memory");
}

static __attribute__((noinline)) void call_probed(u64 i)
{
	__asm__ volatile("" : : "r"(i) : "memory");
	hwqnic_trace_post(0, 16, (u32)i, i, 2, 64);
}

static __attribute__((noinline)) void call_probed_complete(u64 i)
{
	__asm__ volatile("" : : "r"(i) : "memory");
	hwqnic_trace_complete(0, 16, 1, 0, 64, i, i + 1, i + 2, i + 3);
}

/*
 * The post probe again, as a probe of probecost's own on sdt.h's 1-byte
 * nop, which a uprobe always traps with int3: the site libhwqnic's 5-byte
 * nop (osdep_user.h) replaces, timed beside it.
 */
unsigned short probecost_int3_semaphore __attribute__((section(".probes"), used));

#pragma push_macro("_SDT_NOP")
#undef _SDT_NOP
#define _SDT_NOP	nop
static __attribute__((noinline)) void call_probed_int3(u64 i)
{
	__asm__ volatile("" : : "r"(i) : "memory");
	if (unlikely(probecost_int3_semaphore))
		STAP_PROBE6(probecost, int3, 0, 16, (u32)i, i, 2, 64);
}
#pragma pop_macro("_SDT_NOP")

/* The best of 3 rounds of env.iters calls, announced (msg_note()) */
static double ns_per_call(void (*fn)(u64), const char *what)
{
	struct timespec a, b;
	double best = 1e30, t;
	unsigned long i;
	int round;

	msg_note("timing 3 x %lu calls %s", env.iters, what);
	for (round = 0; round < 3; round++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < env.iters; i++)
			fn(i);
		clock_gettime(CLOCK_MONOTONIC, &b);
		t = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) /
		    env.iters;
		if (t < best)
			best = t;
	}
	return best;
}

/*
 * An empty program on path's provider:name, pid's or every process's
 * (-1); NULL when it cannot.
 */
static struct probecost_bpf *attach_empty(pid_t pid, const char *path,
					  const char *provider,
					  const char *name, const char **why)
{
	struct probecost_bpf *skel;
	struct bpf_link *link;

	if (geteuid()) {
		*why = "needs root";
		return NULL;
	}
	skel = probecost_bpf__open_and_load();
	if (!skel) {
		*why = "cannot load the BPF program";
		return NULL;
	}
	link = bpf_program__attach_usdt(skel->progs.probecost_empty, pid, path,
					provider, name, NULL);
	if (!link) {
		*why = "cannot attach to the USDT probe";
		probecost_bpf__destroy(skel);
		return NULL;
	}
	skel->links.probecost_empty = link;
	return skel;
}

/* -B: the empty program on BINARY's probe until SIGINT or SIGTERM. */
static int hold(void)
{
	struct resolve_target t;
	struct probecost_bpf *skel;
	const char *why = NULL;
	char err[PATH_MAX + 128];
	sigset_t set;
	int sig;

	if (resolve_binary(env.binary, "hwqnic", "libhwqnic.so", &t, err,
			   sizeof(err)))
		msg_die(1, "%s", err);
	/* blocked before the attach: a signal sent once we say so is kept */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	skel = attach_empty(-1, t.path, "hwqnic", probe_names[env.complete],
			    &why);
	if (!skel)
		msg_die(1, "%s: %s", t.path, why);
	fprintf(stderr, "%s: Tracing hwqnic:%s in %s with an empty program... "
		"Hit Ctrl-C to end.\n", msg_name(), probe_names[env.complete],
		t.path);
	sigwait(&set, &sig);
	probecost_bpf__destroy(skel);
	return 0;
}

int main(int argc, char **argv)
{
	void (*probed)(u64) = call_probed;
	double plain, untraced, traced = -1, int3 = -1;
	struct probecost_bpf *skel;
	const char *why = NULL;
	struct json j;

	msg_init("probecost");
	opts_parse(&argp, argc, argv, NULL);
	libbpf_set_print(NULL);
	if (env.binary)
		return hold();
	if (env.complete)
		probed = call_probed_complete;
	plain = ns_per_call(call_plain, "with no probe site");
	untraced = ns_per_call(probed, "with an untraced probe");
	skel = attach_empty(getpid(), "/proc/self/exe", "hwqnic",
			    probe_names[env.complete], &why);
	if (skel) {
		traced = ns_per_call(probed, "under a bare uprobe");
		if (!(env.complete ? hwqnic_complete_semaphore :
				     hwqnic_post_semaphore))
			why = "the semaphore stayed 0 while attached";
		probecost_bpf__destroy(skel);
	}
	if (traced >= 0 && !why) {
		skel = attach_empty(getpid(), "/proc/self/exe", "probecost",
				    "int3", &why);
		if (skel) {
			int3 = ns_per_call(call_probed_int3,
					   "under a bare uprobe on a 1-byte nop");
			if (!probecost_int3_semaphore)
				why = "the semaphore stayed 0 while attached";
			probecost_bpf__destroy(skel);
		}
	}
	if (env.json) {
		json_init(&j, stdout);
		json_head_bench(&j, msg_name(), NULL);
		json_uint(&j, "iters", env.iters);
		json_str(&j, "probe", probe_names[env.complete], 16);
		json_double(&j, "plain_ns", plain, 3);
		json_double(&j, "untraced_ns", untraced, 3);
		json_double(&j, "untraced_site_ns", untraced - plain, 3);
		if (traced >= 0 && !why)
			json_double(&j, "bare_uprobe_ns", traced - plain, 1);
		else
			json_null(&j, "bare_uprobe_ns");
		if (int3 >= 0 && !why)
			json_double(&j, "int3_uprobe_ns", int3 - plain, 1);
		else
			json_null(&j, "int3_uprobe_ns");
		json_close(&j);
		if (json_error(&j))
			msg_warn("JSON output: %s", strerror(json_error(&j)));
	} else {
		printf("call with no probe site      %8.3f ns\n", plain);
		printf("call with an untraced probe  %8.3f ns  (site: %+.3f ns)\n",
		       untraced, untraced - plain);
		if (traced >= 0 && !why)
			printf("call under a bare uprobe     %8.1f ns  (uprobe: %+.1f ns)\n",
			       traced, traced - plain);
		else
			printf("bare uprobe: not measured (%s)\n", why);
		if (int3 >= 0 && !why)
			printf("the same on a 1-byte nop     %8.1f ns  (uprobe: %+.1f ns)\n",
			       int3, int3 - plain);
	}
	return why && (traced >= 0 || int3 >= 0) ? 1 : 0;
}
