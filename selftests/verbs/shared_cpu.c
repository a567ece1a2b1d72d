// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Shared-CPU mode (verbs.h): on when the process opens a device while it
 * may run on one CPU only (the embedded engine then shares it; the
 * kernel's engine only on a machine with one CPU online), off otherwise;
 * HWQNIC_SHARED_CPU=1 or 0 forces it, anything else is EINVAL, and
 * HWQNIC_ENGINE_CPU naming another CPU turns it off. Whatever the mode,
 * work completes on one CPU: SENDs and RDMA WRITEs with busy polling, and
 * a SEND whose completion is waited for on a completion channel, so that
 * nothing polls. Every wait is bounded; nothing is timed.
 */
#include <poll.h>

#include "../lib/helpers.h"

static cpu_set_t all;		/* the CPUs the test may use */
static int first_cpu, ncpus;
static uint64_t seed;

static bool one_cpu(bool one)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(first_cpu, &set);
	return !sched_setaffinity(0, sizeof(set), one ? &set : &all);
}

static void env(const char *shared, const char *engine)
{
	if (shared)
		setenv("HWQNIC_SHARED_CPU", shared, 1);
	else
		unsetenv("HWQNIC_SHARED_CPU");
	if (engine)
		setenv("HWQNIC_ENGINE_CPU", engine, 1);
	else
		unsetenv("HWQNIC_ENGINE_CPU");
}

/* Busy-polled SENDs and RDMA WRITEs, then one SEND waited for by event. */
static const char *traffic(struct u_dev *d, unsigned long rounds)
{
	struct hwqnic_comp_channel *ch;
	struct hwqnic_cq *ecq = NULL, *got;
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_buf b;
	struct hwqnic_sge s, r;
	struct hwqnic_wc wc;
	struct pollfd pfd;
	const char *why = NULL;
	unsigned long i;
	void *cctx;

	u_qp_cfg_default(&cfg);
	ch = hwqnic_create_comp_channel(d->ctx);
	if (ch)
		ecq = hwqnic_create_cq(d->ctx, 64, NULL, ch);
	if (!ecq || u_ep_create(&p.a, d->pd, &cfg) ||
	    u_ep_create_with(&p.b, d->pd, &cfg, NULL, ecq) ||
	    u_rc_connect(&p.a, &p.b)) {
		why = "setup failed";
		goto out_cq;
	}
	if (u_buf_alloc(&b, d->pd, 8192, U_RC_ACCESS)) {
		why = "buffer";
		goto out_pair;
	}
	for (i = 0; i < rounds && !why; i++) {
		s = u_sge(&b, 0, 64);
		r = u_sge(&b, 4096, 64);
		u_fill_rand(b.p, 64, &seed);
		if (u_post_recv(p.b.qp, i, &r, 1) ||
		    u_post_send(p.a.qp, HWQNIC_WR_SEND, i, &s, 1,
				HWQNIC_SEND_SIGNALED, 0, 0, 0))
			why = "post failed";
		else
			why = u_expect_wc(p.a.scq, i, HWQNIC_WC_SUCCESS,
					  HWQNIC_WC_SEND, 64, 0, NULL);
		if (!why)
			why = u_expect_wc(ecq, i, HWQNIC_WC_SUCCESS,
					  HWQNIC_WC_RECV, 64, 0, NULL);
		if (!why && memcmp(b.p, b.p + 4096, 64))
			why = "SEND payload differs";
		s = u_sge(&b, 128, 256);
		if (!why && u_post_send(p.a.qp, HWQNIC_WR_RDMA_WRITE, i, &s, 1,
					HWQNIC_SEND_SIGNALED,
					u_addr(&b, 6144), b.mr->rkey, 0))
			why = "post failed";
		else if (!why)
			why = u_expect_wc(p.a.scq, i, HWQNIC_WC_SUCCESS,
					  HWQNIC_WC_RDMA_WRITE, 256, 0, NULL);
		if (!why && memcmp(b.p + 128, b.p + 6144, 256))
			why = "WRITE data differs";
	}
	if (why)
		goto out_buf;

	/* nothing polls: the engine thread must do the work */
	s = u_sge(&b, 0, 64);
	r = u_sge(&b, 4096, 64);
	if (hwqnic_req_notify_cq(ecq, 0) || u_post_recv(p.b.qp, 1000, &r, 1) ||
	    u_post_send(p.a.qp, HWQNIC_WR_SEND, 1000, &s, 1, 0, 0, 0, 0)) {
		why = "arm or post failed";
		goto out_buf;
	}
	pfd = (struct pollfd){ .fd = ch->fd, .events = POLLIN };
	if (poll(&pfd, 1, (int)(u_timeout_ns() / 1000000)) != 1)
		why = "no CQ event in time";
	else if (hwqnic_get_cq_event(ch, &got, &cctx) || got != ecq)
		why = "hwqnic_get_cq_event";
	else if (hwqnic_poll_cq(ecq, 1, &wc) != 1 || wc.wr_id != 1000 ||
		 wc.status != HWQNIC_WC_SUCCESS)
		why = "the evented receive";
out_buf:
	u_buf_free(&b);
out_pair:
	u_pair_destroy(&p);
out_cq:
	if (ecq)
		hwqnic_destroy_cq(ecq);
	if (ch)
		hwqnic_destroy_comp_channel(ch);
	return why;
}

/* Opens a device under the current CPUs and environment; checks the mode. */
static void check(const char *what, int want, unsigned long rounds)
{
	struct u_dev d;
	const char *why;
	int shared = -1;

	if (!ok(!u_dev_open(&d), "%s: device open", what))
		return;
	if (hwqnic_shared_cpu(d.ctx, &shared))
		shared = -1;
	ok(shared == want, "%s: shared-CPU mode %s (got %d)", what,
	   want ? "on" : "off", shared);
	why = traffic(&d, rounds);
	ok_why(why, "%s: %lu SEND and WRITE round trips, then an evented SEND, complete",
	   what, rounds);
	ok(!u_dev_close(&d), "%s: device closed", what);
}

static void suite(void)
{
	bool kern = u_backend_kernel();
	unsigned long rounds = u_scaled(2000, 20);
	char other[16];
	int i, one;

	seed = tap_seed();
	if (sched_getaffinity(0, sizeof(all), &all)) {
		ok(0, "sched_getaffinity: %s", strerror(errno));
		return;
	}
	ncpus = CPU_COUNT(&all);
	for (i = 0; i < CPU_SETSIZE && !CPU_ISSET(i, &all); i++)
		;
	first_cpu = i;
	/* the kernel's engine shares a CPU only on a one-CPU machine */
	one = kern ? sysconf(_SC_NPROCESSORS_ONLN) == 1 : 1;

	env(NULL, NULL);
	if (!ok(one_cpu(true), "this thread limited to CPU %d", first_cpu))
		return;
	check("one CPU", one, rounds);
	env("0", NULL);
	check("one CPU, HWQNIC_SHARED_CPU=0", 0, u_scaled(50, 5));
	env("1", NULL);
	check("one CPU, HWQNIC_SHARED_CPU=1", 1, rounds);
	env("yes", NULL);
	errno = 0;
	ok(!u_open(NULL) && errno == EINVAL,
	   "HWQNIC_SHARED_CPU=yes: hwqnic_open fails with EINVAL");

	if (ncpus > 1) {
		for (i = first_cpu + 1; !CPU_ISSET(i, &all); i++)
			;
		snprintf(other, sizeof(other), "%d", i);
		env(NULL, other);
		check("one CPU, the engine pinned to another", 0, rounds);
	}
	ok(one_cpu(false), "back to all %d CPUs", ncpus);
	env(NULL, NULL);
	if (ncpus > 1)
		check("all CPUs", kern && one, rounds);
	env("1", NULL);
	check("all CPUs, HWQNIC_SHARED_CPU=1", 1, rounds);
	env(NULL, NULL);
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
