// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Why a call failed. With HWQNIC_DEBUG=1 at open, each failing call on the
 * context prints one line on stderr, "function: cause (ENAME)": the
 * modify_qp state machine's refusals (missing attribute, attribute the
 * transition does not take, no such transition, value out of range,
 * cur_qp_state wrong), a CQ size, a post on a QP not ready, an address
 * naming another node on a device without a netdev (or on the kernel
 * backend), an AV of port 2; errno is the call's. Without it a failing call prints nothing. hwqnic_open() says,
 * with or without HWQNIC_DEBUG, when the environment is the cause: a
 * HWQNIC_BACKEND value that names no backend, HWQNIC_BACKEND=kernel with
 * no /dev/hwqnic0 (hwqnic.ko not loaded), a bad HWQNIC_SHARED_CPU,
 * HWQNIC_ENGINE_CPU or HWQNIC_INJECT_DELAY_NS (or one that is not 0 with
 * the kernel backend).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../lib/helpers.h"

static FILE *cap;
static int saved = -1;

/* stderr into a file until captured() */
static void capture(void)
{
	fflush(stderr);
	cap = tmpfile();
	saved = dup(2);
	if (!cap || saved < 0 || dup2(fileno(cap), 2) < 0)
		abort();
}

/* What went to stderr since capture(), at most len - 1 bytes */
static const char *captured(char *buf, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(cap);
	n = fread(buf, 1, len - 1, cap);
	buf[n] = '\0';
	fclose(cap);
	return buf;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* modify with stderr captured: the line it printed must be want exactly */
static void modify_says(struct hwqnic_qp *qp, struct hwqnic_qp_attr *a,
			int mask, const char *want, const char *what)
{
	char got[1024];
	int rc;

	capture();
	errno = 0;
	rc = hwqnic_modify_qp(qp, a, mask);
	captured(got, sizeof(got));
	if (!ok(rc == EINVAL && errno == EINVAL && !strcmp(got, want),
		"%s: EINVAL and one line naming the cause", what))
		diag("rc %d errno %d; got \"%s\", want \"%s\"", rc, errno, got,
		     want);
}

static void debug_on(void)
{
	struct hwqnic_qp_attr a = { .qp_state = HWQNIC_QPS_INIT, .port_num = 1 };
	struct hwqnic_send_wr wr = { .wr_id = 5, .opcode = HWQNIC_WR_SEND };
	/* GID ::ffff:198.18.0.9 */
	struct hwqnic_ah_attr av = {
		.is_global = 1, .port_num = 1,
		.grh.dgid.raw = { [10] = 0xff, [11] = 0xff, 198, 18, 0, 9 },
	};
	struct hwqnic_send_wr *bad;
	struct u_qp_cfg cfg;
	struct u_ep ep;
	struct hwqnic_mr *mr;
	struct u_dev d;
	char want[512], got[1024];
	__u32 qpn;
	void *p;
	int rc;

	setenv("HWQNIC_DEBUG", "1", 1);
	rc = u_dev_open(&d);
	unsetenv("HWQNIC_DEBUG");
	if (!ok(!rc, "device opened with HWQNIC_DEBUG=1"))
		return;
	u_qp_cfg_default(&cfg);
	if (!ok(!u_ep_create(&ep, d.pd, &cfg), "an RC QP")) {
		u_dev_close(&d);
		return;
	}
	qpn = ep.qp->qp_num;

	snprintf(want, sizeof(want), "hwqnic_modify_qp: qp %u RESET->INIT: "
		 "missing attribute HWQNIC_QP_ACCESS_FLAGS (EINVAL)\n", qpn);
	modify_says(ep.qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
		    HWQNIC_QP_PORT, want, "RESET->INIT without access flags");
	snprintf(want, sizeof(want), "hwqnic_modify_qp: qp %u RESET->INIT: "
		 "attribute not taken by this transition: HWQNIC_QP_QKEY "
		 "(RC) (EINVAL)\n", qpn);
	modify_says(ep.qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
		    HWQNIC_QP_PORT | HWQNIC_QP_ACCESS_FLAGS | HWQNIC_QP_QKEY,
		    want, "RESET->INIT with a QKEY on RC");
	a.qp_state = HWQNIC_QPS_RTS;
	snprintf(want, sizeof(want), "hwqnic_modify_qp: qp %u RESET->RTS: "
		 "no such transition (RESET goes to: RESET INIT ERR) "
		 "(EINVAL)\n", qpn);
	modify_says(ep.qp, &a, HWQNIC_QP_STATE, want, "RESET->RTS");
	a.qp_state = HWQNIC_QPS_INIT;
	a.port_num = 2;
	snprintf(want, sizeof(want), "hwqnic_modify_qp: qp %u RESET->INIT: "
		 "HWQNIC_QP_PORT 2 outside 1..1 (EINVAL)\n", qpn);
	modify_says(ep.qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
		    HWQNIC_QP_PORT | HWQNIC_QP_ACCESS_FLAGS, want, "port 2");
	a.cur_qp_state = HWQNIC_QPS_RTS;
	a.port_num = 1;
	snprintf(want, sizeof(want), "hwqnic_modify_qp: qp %u: cur_qp_state "
		 "RTS, but the QP is in RESET (EINVAL)\n", qpn);
	modify_says(ep.qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_CUR_STATE |
		    HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT |
		    HWQNIC_QP_ACCESS_FLAGS, want, "cur_qp_state wrong");

	ok(!u_rc_to_init(ep.qp, U_RC_ACCESS), "RESET->INIT done right");
	a = (struct hwqnic_qp_attr) { .qp_state = HWQNIC_QPS_RTR,
				      .path_mtu = HWQNIC_MTU_1024 };
	snprintf(want, sizeof(want), "hwqnic_modify_qp: qp %u INIT->RTR: "
		 "missing attribute HWQNIC_QP_DEST_QPN (EINVAL)\n", qpn);
	modify_says(ep.qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
		    HWQNIC_QP_RQ_PSN | HWQNIC_QP_MAX_DEST_RD_ATOMIC |
		    HWQNIC_QP_MIN_RNR_TIMER, want, "INIT->RTR without DEST_QPN");
	a.path_mtu = 9;
	snprintf(want, sizeof(want), "hwqnic_modify_qp: qp %u INIT->RTR: "
		 "HWQNIC_QP_PATH_MTU 9 outside 1..5 (EINVAL)\n", qpn);
	modify_says(ep.qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
		    HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN |
		    HWQNIC_QP_MAX_DEST_RD_ATOMIC | HWQNIC_QP_MIN_RNR_TIMER,
		    want, "path_mtu 9");
	ok(u_qp_state(ep.qp) == HWQNIC_QPS_INIT,
	   "the refused modifies left the QP in INIT");

	capture();
	errno = 0;
	rc = hwqnic_post_send(ep.qp, &wr, &bad);
	captured(got, sizeof(got));
	snprintf(want, sizeof(want), "hwqnic_post_send: qp %u (INIT), "
		 "wr_id 5: sends need the QP in RTS (or ERR, to flush) "
		 "(EINVAL)\n", qpn);
	if (!ok(rc == EINVAL && bad == &wr && !strcmp(got, want),
		"a send on a QP in INIT: one line naming the state"))
		diag("rc %d; got \"%s\"", rc, got);

	capture();
	p = hwqnic_create_cq(d.ctx, 0, NULL, NULL);
	rc = errno;
	captured(got, sizeof(got));
	snprintf(want, sizeof(want), "hwqnic_create_cq: cqe 0 outside "
		 "1..%u (max_cqe) (EINVAL)\n", d.attr.max_cqe);
	if (!ok(!p && rc == EINVAL && !strcmp(got, want),
		"a CQ of 0 entries: one line with the limit"))
		diag("got \"%s\", want \"%s\"", got, want);

	/* memory the NIC could not reach: EFAULT, and the range named */
	p = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();
	capture();
	mr = hwqnic_reg_mr(d.pd, p, 8192, HWQNIC_ACCESS_LOCAL_WRITE);
	rc = errno;
	captured(got, sizeof(got));
	snprintf(want, sizeof(want), "hwqnic_reg_mr: [%p, +8192): not all "
		 "mapped readable, and writable where access lets the NIC "
		 "write (EFAULT)\n", p);
	if (!ok(!mr && rc == EFAULT && !strcmp(got, want),
		"an MR over PROT_NONE: one line naming the range"))
		diag("got \"%s\", want \"%s\"", got, want);
	munmap(p, 8192);

	/* an address naming another node, on a device with no netdev */
	capture();
	errno = 0;
	p = hwqnic_create_ah(d.pd, &av);
	rc = errno;
	captured(got, sizeof(got));
	if (u_backend_kernel())
		snprintf(want, sizeof(want), "hwqnic_create_ah: dgid "
			 "198.18.0.9 names another node, and the kernel "
			 "backend puts no QP on a wire (EOPNOTSUPP)\n");
	else
		snprintf(want, sizeof(want), "hwqnic_create_ah: dgid "
			 "198.18.0.9 names another node, and %s is bound to "
			 "no netdev (hwqnic_open_netdev()) (EINVAL)\n",
			 hwqnic_device_name(d.ctx));
	if (!ok(!p && rc == (u_backend_kernel() ? EOPNOTSUPP : EINVAL) &&
		!strcmp(got, want), "an AH naming another node: one line "
		"saying why"))
		diag("got \"%s\", want \"%s\"", got, want);
	a = (struct hwqnic_qp_attr) { .qp_state = HWQNIC_QPS_RTR,
				      .path_mtu = HWQNIC_MTU_1024,
				      .dest_qp_num = qpn, .ah_attr = av };
	a.ah_attr.port_num = 2;
	capture();
	rc = hwqnic_modify_qp(ep.qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
			      HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN |
			      HWQNIC_QP_MAX_DEST_RD_ATOMIC |
			      HWQNIC_QP_MIN_RNR_TIMER | HWQNIC_QP_AV);
	captured(got, sizeof(got));
	ok(rc == EINVAL && !strcmp(got, "hwqnic_modify_qp: ah_attr.port_num "
				   "2: the device has port 1 (EINVAL)\n"),
	   "an AV of port 2: one line");

	capture();
	rc = hwqnic_query_port(d.ctx, 2, &d.port);
	captured(got, sizeof(got));
	ok(rc == EINVAL && !strcmp(got, "hwqnic_query_port: port 2: a device "
				   "has port 1 only (EINVAL)\n"),
	   "port 2: one line");

	capture();
	rc = hwqnic_close(d.ctx);
	captured(got, sizeof(got));
	snprintf(want, sizeof(want), "hwqnic_close: %s: PDs, AHs, MRs, "
		 "channels, CQs or QPs of the context still exist (EBUSY)\n",
		 hwqnic_device_name(d.ctx));
	if (!ok(rc == EBUSY && !strcmp(got, want),
		"closing a device with objects: one line"))
		diag("got \"%s\", want \"%s\"", got, want);

	ok(!u_ep_destroy(&ep), "QP destroyed");
	ok(!u_dev_close(&d), "device closed");
}

static void debug_off(void)
{
	struct hwqnic_qp_attr a = { .qp_state = HWQNIC_QPS_RTS };
	struct u_qp_cfg cfg;
	struct u_ep ep;
	struct u_dev d;
	char got[1024];
	int rc;

	unsetenv("HWQNIC_DEBUG");
	if (!ok(!u_dev_open(&d), "device opened without HWQNIC_DEBUG"))
		return;
	u_qp_cfg_default(&cfg);
	if (ok(!u_ep_create(&ep, d.pd, &cfg), "an RC QP")) {
		capture();
		rc = hwqnic_modify_qp(ep.qp, &a, HWQNIC_QP_STATE);
		captured(got, sizeof(got));
		if (!ok(rc == EINVAL && !got[0],
			"a refused modify prints nothing"))
			diag("rc %d, got \"%s\"", rc, got);
		ok(!u_ep_destroy(&ep), "QP destroyed");
	}
	ok(!u_dev_close(&d), "device closed");
}

/* hwqnic_open(NULL, 0) with var=val: fails with err, printing want */
static void env_open(const char *var, const char *val, int err,
		     const char *want, const char *what)
{
	struct hwqnic_context *ctx;
	char got[1024];
	int e;

	unsetenv("HWQNIC_DEBUG");
	setenv(var, val, 1);
	capture();
	errno = 0;
	ctx = hwqnic_open(NULL, 0);
	e = errno;
	captured(got, sizeof(got));
	unsetenv(var);
	if (!ok(!ctx && e == err && !strcmp(got, want) && lines(got) == 1,
		"%s: %s=%s fails (%s), one line that says why, without "
		"HWQNIC_DEBUG", what, var, val, strerrorname_np(err)))
		diag("ctx %p errno %d; got \"%s\", want \"%s\"", (void *)ctx, e,
		     got, want);
	if (ctx)
		hwqnic_close(ctx);
}

/* A name that is no file-name component: said only under HWQNIC_DEBUG. */
static void bad_name(void)
{
	static const char want[] = "hwqnic_open: name \"a/b\": 1 to 31 ASCII "
		"letters, digits, '.', '_' or '-', not starting with '.' "
		"(EINVAL)\n";
	struct hwqnic_context *ctx;
	char got[1024];
	int e;

	setenv("HWQNIC_DEBUG", "1", 1);
	capture();
	ctx = u_open("a/b");
	e = errno;
	captured(got, sizeof(got));
	unsetenv("HWQNIC_DEBUG");
	if (!ok(!ctx && e == EINVAL && !strcmp(got, want),
		"a name with '/' under HWQNIC_DEBUG: one line"))
		diag("got \"%s\"", got);
	capture();
	ctx = u_open("a/b");
	captured(got, sizeof(got));
	if (!ok(!ctx && !got[0], "the same without HWQNIC_DEBUG: silent"))
		diag("got \"%s\"", got);
}

/* HWQNIC_INJECT_DELAY_NS: ns, 0 to 10 ms, the embedded backend's only */
static void inject_delay_env(void)
{
	static const char want[] = "hwqnic_open: HWQNIC_INJECT_DELAY_NS takes "
		"a delay in ns (0 to 10000000) (EINVAL)\n";
	static const char *const bad[] = {
		"abc", "-1", "+5", " 5", "1e3", "1000ns", "0x10", "10000001",
		"18446744073709551616",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		env_open("HWQNIC_INJECT_DELAY_NS", bad[i], EINVAL, want,
			 "a bad delay");
	setenv("HWQNIC_BACKEND", "kernel", 1);
	env_open("HWQNIC_INJECT_DELAY_NS", "1000", EINVAL,
		 "hwqnic_open: HWQNIC_INJECT_DELAY_NS: the embedded backend's "
		 "only (EINVAL)\n", "HWQNIC_BACKEND=kernel");
	unsetenv("HWQNIC_BACKEND");
}

static void environment(void)
{
	env_open("HWQNIC_BACKEND", "kernle", EINVAL,
		 "hwqnic_open: HWQNIC_BACKEND=kernle: HWQNIC_BACKEND takes "
		 "embedded or kernel (EINVAL)\n", "a misspelt backend");
	unsetenv("HWQNIC_BACKEND");
	env_open("HWQNIC_ENGINE_CPU", "cpu0", EINVAL,
		 "hwqnic_open: HWQNIC_ENGINE_CPU takes a CPU number (0 to "
		 "1023) (EINVAL)\n", "HWQNIC_ENGINE_CPU not a number");
	env_open("HWQNIC_SHARED_CPU", "yes", EINVAL,
		 "hwqnic_open: HWQNIC_SHARED_CPU takes 1 (on) or 0 (off) "
		 "(EINVAL)\n", "HWQNIC_SHARED_CPU not 0 or 1");
	inject_delay_env();
	if (access(U_KERNEL_DEV, F_OK) == 0)
		tap_skip("HWQNIC_BACKEND=kernel without hwqnic.ko",
			 U_KERNEL_DEV " exists here");
	else
		env_open("HWQNIC_BACKEND", "kernel", ENODEV,
			 "hwqnic_open: HWQNIC_BACKEND=kernel: /dev/hwqnic0 "
			 "does not exist: hwqnic.ko is not loaded (modprobe "
			 "hwqnic, or insmod hwqnic.ko) (ENODEV)\n",
			 "no module");
}

static void suite(void)
{
	debug_on();
	debug_off();
	bad_name();
	/* the environment's checks open with neither flag: once is enough */
	if (u_backend_kernel())
		tap_skip("the environment's checks", "done in the embedded pass");
	else
		environment();
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
