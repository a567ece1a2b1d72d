// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqshare: one QP's completions taken by several threads at once, for
 * selftests/bpf/qplat-counts.t. qplat's completion programs count a QP's
 * completions without atomics, on the promise that `complete` fires under
 * the CQ's lock (docs/tracepoints.md): a tracer's counts of this workload
 * are exact only while that holds.
 *
 * One RC QP, connected in loopback to a peer on the same device, sends
 * COUNT signaled 64 B RDMA WRITEs, DEPTH outstanding at most; POLLERS
 * threads poll its send CQ, one completion a call, each as fast as it
 * can. Prints one JSON object in hwqload's shape (its pid, and the QP's
 * opcode, messages and errors), with how many completions each thread
 * took. Every wait is bounded by -t; exit status 1 on any failure.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwqnic/verbs.h>

#include "lib/msg.h"
#include "lib/opts.h"
#include "lib/rig.h"

#define MAX_POLLERS	8
#define MSG_BYTES	64
#define BUF_BYTES	4096	/* the source, then the target */

static struct {
	uint64_t count;
	uint64_t depth;
	unsigned int pollers;
	uint64_t limit_ns;
} env = { .count = 100000, .depth = 64, .pollers = 2,
	  .limit_ns = 60 * 1000000000ULL };

struct share {
	struct hwqnic_cq *cq;
	uint64_t deadline;
	atomic_uint_fast64_t done;	/* completions taken, by all */
	atomic_bool failed;
};

struct poller {
	pthread_t tid;
	struct share *s;
	uint64_t took;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: hwqshare [-n COUNT] [-d DEPTH] [-p POLLERS] "
		"[-t SECONDS]\n"
		"  -n COUNT    RDMA WRITEs, 1 to 100000000 (default 100000)\n"
		"  -d DEPTH    outstanding at most, 1 to 1024 (default 64)\n"
		"  -p POLLERS  threads polling the CQ, 1 to %d (default 2)\n"
		"  -t SECONDS  the run's time bound (default 60)\n",
		MAX_POLLERS);
	exit(2);
}

static void parse(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "n:d:p:t:h")) != -1) {
		switch (c) {
		case 'n':
			env.count = opts_uint("COUNT", optarg, 1, 100000000);
			break;
		case 'd':
			env.depth = opts_uint("DEPTH", optarg, 1, 1024);
			break;
		case 'p':
			env.pollers = opts_uint("POLLERS", optarg, 1,
						MAX_POLLERS);
			break;
		case 't':
			env.limit_ns = opts_seconds("SECONDS", optarg,
						    1000000000ULL,
						    3600 * 1000000000ULL);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

static void *poll_loop(void *arg)
{
	struct poller *p = arg;
	struct share *s = p->s;
	struct hwqnic_wc wc;
	int n;

	while (atomic_load(&s->done) < env.count && !atomic_load(&s->failed)) {
		n = hwqnic_poll_cq(s->cq, 1, &wc);
		if (n < 0 || (n && wc.status != HWQNIC_WC_SUCCESS)) {
			msg_warn("hwqnic_poll_cq: %d, status %s", n,
				 n < 0 ? "-" : hwqnic_wc_status_str(wc.status));
			atomic_store(&s->failed, true);
		} else if (n) {
			p->took++;
			atomic_fetch_add(&s->done, 1);
		} else if (rig_now_ns() > s->deadline) {
			msg_warn("completions not all there within the time "
				 "bound");
			atomic_store(&s->failed, true);
		}
	}
	return NULL;
}

/* The WRITEs, depth at most outstanding; false when a poller failed. */
static bool post_all(struct share *s, struct hwqnic_qp *qp,
		     struct hwqnic_mr *mr)
{
	char *src = mr->addr;
	struct hwqnic_sge sge = {
		.addr = (uintptr_t)src, .length = MSG_BYTES, .lkey = mr->lkey,
	};
	struct hwqnic_send_wr wr = {
		.sg_list = &sge, .num_sge = 1,
		.opcode = HWQNIC_WR_RDMA_WRITE,
		.send_flags = HWQNIC_SEND_SIGNALED,
		.wr.rdma = { .remote_addr = (uintptr_t)(src + BUF_BYTES / 2),
			     .rkey = mr->rkey },
	}, *bad;
	uint64_t k;

	for (k = 0; k < env.count; k++) {
		while (k - atomic_load(&s->done) >= env.depth)
			if (atomic_load(&s->failed))
				return false;
		wr.wr_id = k;
		if (hwqnic_post_send(qp, &wr, &bad)) {
			msg_warn("hwqnic_post_send: %s", strerror(errno));
			atomic_store(&s->failed, true);
			return false;
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	struct poller pollers[MAX_POLLERS] = { 0 };
	struct hwqnic_cq *peer_cq;
	struct hwqnic_qp *qp, *peer;
	struct share s = { 0 };
	struct hwqnic_mr *mr;
	struct rig rig;
	unsigned int i;
	void *buf;
	bool ok;
	int err;

	msg_init("hwqshare");
	parse(argc, argv);
	s.deadline = rig_now_ns() + env.limit_ns;
	if (rig_open(&rig))
		msg_die(1, "%s", rig.err);
	buf = aligned_alloc(BUF_BYTES, BUF_BYTES);
	if (!buf)
		msg_die(1, "out of memory");
	memset(buf, 0x5a, BUF_BYTES);
	mr = hwqnic_reg_mr(rig.pd, buf, BUF_BYTES, RIG_ACCESS);
	if (!mr)
		msg_die(1, "hwqnic_reg_mr: %s", strerror(errno));
	s.cq = rig_cq(&rig, env.depth);
	peer_cq = s.cq ? rig_cq(&rig, 1) : NULL;
	qp = peer_cq ? rig_rc_qp(&rig, s.cq, s.cq, env.depth, 1, 0) : NULL;
	peer = qp ? rig_rc_qp(&rig, peer_cq, peer_cq, 1, 1, 0) : NULL;
	if (!peer || rig_rc_connect(&rig, qp, peer->qp_num) ||
	    rig_rc_connect(&rig, peer, qp->qp_num))
		msg_die(1, "%s", rig.err);

	for (i = 0; i < env.pollers; i++) {
		pollers[i].s = &s;
		err = pthread_create(&pollers[i].tid, NULL, poll_loop,
				     &pollers[i]);
		if (err)
			msg_die(1, "pthread_create: %s", strerror(err));
	}
	ok = post_all(&s, qp, mr);
	for (i = 0; i < env.pollers; i++)
		pthread_join(pollers[i].tid, NULL);
	ok = ok && !atomic_load(&s.failed);

	printf("{\"pid\": %d, \"qps\": [{\"qpn\": %u, \"op\": \"write\", "
	       "\"messages\": %" PRIu64 ", \"errors\": 0}], \"took\": [",
	       (int)getpid(), qp->qp_num, (uint64_t)atomic_load(&s.done));
	for (i = 0; i < env.pollers; i++)
		printf("%s%" PRIu64, i ? ", " : "", pollers[i].took);
	printf("]}\n");

	if (hwqnic_destroy_qp(qp) || hwqnic_destroy_qp(peer) ||
	    hwqnic_destroy_cq(s.cq) || hwqnic_destroy_cq(peer_cq) ||
	    hwqnic_dereg_mr(mr))
		msg_die(1, "releasing: %s", strerror(errno));
	free(buf);
	return rig_close(&rig) || !ok;
}
