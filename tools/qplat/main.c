// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * qplat: per-QP latency histograms of hwqnic work requests.
 *
 * bpf/qplat.bpf.c follows each work request through libhwqnic's USDT
 * probes (post, db, wqe, cqe, poll) and keeps log2 histograms of three
 * latencies per process, device, QP and completion opcode: device
 * (doorbell -> CQE), pickup (CQE -> poll) and end-to-end (post -> poll),
 * with per-QP counters. This prints them every interval, or once at the
 * end, in the manner of libbpf-tools' biolatency. See qplat(8).
 */
#include <stdlib.h>
#include <string.h>

#include <hwqnic/stats.h>

#include "qplat_priv.h"
#include "qplat.skel.h"
#include "lib/hist.h"
#include "lib/msg.h"

int main(int argc, char **argv)
{
	struct resolve_target target;
	struct qplat_acc acc = { 0 };
	struct hist_base base = { 0 };
	struct qplat_env env;
	struct qplat_bpf *skel;
	int ret;

	msg_init("qplat");
	qplat_parse(argc, argv, &env);
	qplat_check(&env, &target);
	/* a file that cannot be written is said before tracing starts */
	if (env.svg && qplat_svg_open(&env))
		return 1;
	env.acc = &acc;
	base.exited = qplat_exited;
	env.base = &base;
	/*
	 * The processes there now sample from the first traced WR. Without
	 * the directory no library has a file to read a word from: every
	 * completion is traced, and said so.
	 */
	if ((env.period || env.hz) &&
	    (ret = qplat_sample_open(&env, &target))) {
		msg_warn("cannot sample through " HWQNIC_STATS_DIR " (%s): "
			 "every completion is traced", strerror(-ret));
		env.period = 1;
		env.hz = 0;
	}
	skel = qplat_open(&env, &target);
	if (!skel) {
		qplat_sample_close(&env);
		return 1;
	}
	ret = qplat_run(&env, skel);
	/* detaches; pinned maps stay */
	qplat_bpf__destroy(skel);
	qplat_sample_close(&env);
	free(acc.e);
	free(base.e);
	free(base.gone);
	return ret;
}
