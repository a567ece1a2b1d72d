// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * probecost: what hwqnic's USDT probes cost, measured in one run:
 *   no probe      a call with no probe site (the baseline)
 *   untraced      the same call with a hwqnic probe site, no tracer
 *   bare uprobe   the same, with an empty BPF program on the probe
 * The probe site is libhwqnic's own `post` probe, semaphore and all.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "osdep.h"
#include "probecost.skel.h"

static struct {
	unsigned long iters;
	bool json;
} env = { .iters = 20000000 };

static const struct argp_option opts[] = {
	{ "iters", 'n', "N", 0, "Calls per measurement (default 20000000)", 0 },
	{ "json", 'j', NULL, 0, "Print one JSON object", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 'n':
		errno = 0;
		env.iters = strtoul(arg, &end, 10);
		if (errno || *end || !env.iters || env.iters > 1000000000UL)
			argp_error(state, "bad -n: %s", arg);
		break;
	case 'j':
		env.json = true;
		break;
	case ARGP_KEY_ARG:
		argp_usage(state);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = opts,
	.parser = parse_arg,
	.doc = "probecost: the cost of hwqnic's USDT probes, untraced and "
	       "under a bare uprobe.\vNeeds root for the traced measurement.",
};

static __attribute__((noinline)) void call_plain(u64 i)
{
	__asm__ volatile("" : : "r"(i) : "memory");
}

static __attribute__((noinline)) void call_probed(u64 i)
{
	__asm__ volatile("" : : "r"(i) : "memory");
	hwqnic_trace_post(0, 16, (u32)i, i, 2, 64);
}

static double ns_per_call(void (*fn)(u64))
{
	struct timespec a, b;
	double best = 1e30, t;
	unsigned long i;
	int round;

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

/* An empty program on this binary's hwqnic:post; NULL when it cannot. */
static struct probecost_bpf *attach_empty(const char **why)
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
	link = bpf_program__attach_usdt(skel->progs.probecost_empty, getpid(),
					"/proc/self/exe", "hwqnic", "post",
					NULL);
	if (!link) {
		*why = "cannot attach to the USDT probe";
		probecost_bpf__destroy(skel);
		return NULL;
	}
	skel->links.probecost_empty = link;
	return skel;
}

int main(int argc, char **argv)
{
	double plain, untraced, traced = -1;
	struct probecost_bpf *skel;
	const char *why = NULL;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 2;
	libbpf_set_print(NULL);
	plain = ns_per_call(call_plain);
	untraced = ns_per_call(call_probed);
	skel = attach_empty(&why);
	if (skel) {
		traced = ns_per_call(call_probed);
		if (!hwqnic_post_semaphore)
			why = "the semaphore stayed 0 while attached";
		probecost_bpf__destroy(skel);
	}
	if (env.json) {
		printf("{\"iters\": %lu, \"plain_ns\": %.3f, \"untraced_ns\": %.3f, "
		       "\"untraced_site_ns\": %.3f, ", env.iters, plain,
		       untraced, untraced - plain);
		if (traced >= 0 && !why)
			printf("\"bare_uprobe_ns\": %.1f}\n", traced - plain);
		else
			printf("\"bare_uprobe_ns\": null}\n");
	} else {
		printf("call with no probe site      %8.3f ns\n", plain);
		printf("call with an untraced probe  %8.3f ns  (site: %+.3f ns)\n",
		       untraced, untraced - plain);
		if (traced >= 0 && !why)
			printf("call under a bare uprobe     %8.1f ns  (uprobe: %+.1f ns)\n",
			       traced, traced - plain);
		else
			printf("bare uprobe: not measured (%s)\n", why);
	}
	return why && traced >= 0 ? 1 : 0;
}
