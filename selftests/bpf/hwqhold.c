// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqhold: a workload whose latencies are known, for the accuracy test
 * (selftests/bpf/qplat-hold.t, and the qemu guest's step on hwqnic.ko).
 *
 * One RC QP per hold (default two: 200 us and 20 us), each connected in
 * loopback to a peer on the same device, sends COUNT signaled 64 B RDMA
 * WRITEs, one at a time, in turn. For each, the QP's timestamped CQ is
 * armed before the post, the completion channel says when the CQE is
 * there (without consuming it), and the completion is then held for the
 * QP's hold, spinning on the clock, before it is polled.
 *
 * The latencies are measured, not assumed: from the CQE's own time
 * (hwqnic_poll_cq_ts()'s cqe_ns) and this process's CLOCK_MONOTONIC
 * readings, the clock of the CQE's times and of bpf_ktime_get_ns(). Per
 * completion, pickup = poll - cqe_ns and e2e = poll - post, where the
 * poll's time is the middle of the hwqnic_poll_cq_ts() call (a tracer's
 * probe fires inside it) and the post's is read just before
 * hwqnic_post_send(). Per QP it prints one line of medians:
 *
 *   qp 16 hold_us 200 count 200 pickup_p50_us 201.512 e2e_p50_us 206.870
 *   seen_p50_us 1.303 poll_p50_us 0.402 pickup_lo_us 200.011
 *   pickup_hi_us 412.301 e2e_lo_us 200.320 e2e_hi_us 415.007
 *   pickups_us 200.011,200.730,...
 *
 * seen: CQE written -> the channel's event read; poll: the poll call's
 * duration, the uncertainty of the poll's instant. lo and hi bound what
 * a tracer can measure of any of the QP's completions: a pickup from the
 * event read (at the latest; the CQE's time at the earliest) to the start
 * of the poll call, up to the CQE's time to the call's end; an e2e from
 * the end of the post call to the start of the poll call, up to the
 * start of the post call to the end of the poll call. Then "done".
 *
 * With -w it prints "ready pid PID" and waits for a line on standard
 * input before the run (so that a tracer can attach first), and for a
 * line or the end of input after "done" before it releases its QPs (so
 * that a monitor still finds its published counters). Every wait is
 * bounded by -t; exit status 1 on any failure, with a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <unistd.h>

#include <hwqnic/verbs.h>

#include "lib/msg.h"
#include "lib/opts.h"
#include "lib/rig.h"

#define MAX_QPS		4
#define MSG_BYTES	64
#define SLOT_BYTES	4096	/* each QP's source, then its target */
/* how long the channel is watched without sleeping, for a prompt pickup */
#define SPIN_NS		(2 * 1000 * 1000ULL)

struct lane {
	uint64_t hold_ns;
	struct hwqnic_cq *cq;		/* timestamped, on the channel */
	struct hwqnic_cq *peer_cq;
	struct hwqnic_qp *qp;
	struct hwqnic_qp *peer;
	uint64_t *pickup, *e2e, *seen, *call;	/* ns, per completion */
	/*
	 * Bounds of what a tracer can see of every completion: its pickup
	 * ends inside the poll call and starts at the CQE, or at the latest
	 * when the event was read; its e2e starts inside the post call.
	 */
	uint64_t pickup_lo, pickup_hi, e2e_lo, e2e_hi;
};

static struct {
	uint64_t count;
	uint64_t limit_ns;
	bool wait;
	unsigned int nlanes;
	uint64_t hold_us[MAX_QPS];
} env = { .count = 200, .limit_ns = 60 * 1000000000ULL };

static uint64_t deadline;

static void usage(void)
{
	fprintf(stderr,
		"usage: hwqhold [-n COUNT] [-t SECONDS] [-w] [HOLD_US...]\n"
		"  HOLD_US    a QP's hold in microseconds, 1 to 1000000, at "
		"most %d QPs (default 200 20)\n"
		"  -n COUNT   completions per QP, 1 to 1000000 (default 200)\n"
		"  -t SECONDS the run's time bound, waits included "
		"(default 60)\n"
		"  -w         print \"ready pid PID\" and wait for a line on "
		"standard input\n"
		"             before the run, and for a line or its end after "
		"\"done\"\n", MAX_QPS);
	exit(2);
}

static void parse(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "n:t:wh")) != -1) {
		switch (c) {
		case 'n':
			env.count = opts_uint("COUNT", optarg, 1, 1000000);
			break;
		case 't':
			env.limit_ns = opts_seconds("SECONDS", optarg,
						    1000000000ULL,
						    3600 * 1000000000ULL);
			break;
		case 'w':
			env.wait = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind > MAX_QPS)
		usage();
	for (; optind < argc; optind++)
		env.hold_us[env.nlanes++] = opts_uint("HOLD_US", argv[optind],
						      1, 1000000);
	if (!env.nlanes) {
		env.hold_us[env.nlanes++] = 200;
		env.hold_us[env.nlanes++] = 20;
	}
}

static int64_t left_ms(void)
{
	uint64_t now = rig_now_ns();

	return now >= deadline ? 0 : (int64_t)((deadline - now) / 1000000 + 1);
}

/* A line (or the end) on standard input, within the time bound. */
static void wait_stdin(const char *what)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[256];
	int r;

	for (;;) {
		r = poll(&p, 1, (int)left_ms());
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			msg_die(1, "poll(stdin): %s", strerror(errno));
		if (!r)
			msg_die(1, "no line on standard input %s within the "
				"time bound", what);
		/* one read: a line, or several, or the end: all go */
		if (read(STDIN_FILENO, buf, sizeof(buf)) < 0 && errno != EINTR)
			msg_die(1, "read(stdin): %s", strerror(errno));
		return;
	}
}

/*
 * For the lane's next completion, before its post: the engine takes the
 * doorbells it sees before it runs the WQEs they cover.
 */
static void arm(struct lane *l)
{
	if (hwqnic_req_notify_cq(l->cq, 0))
		msg_die(1, "qp %u: hwqnic_req_notify_cq: %s", l->qp->qp_num,
			strerror(errno));
}

/* The channel's next event, which must be lane l's CQ's. */
static void wait_event(struct hwqnic_comp_channel *ch, struct lane *l)
{
	struct pollfd p = { .fd = ch->fd, .events = POLLIN };
	uint64_t spin_until = rig_now_ns() + SPIN_NS;
	struct hwqnic_cq *cq;
	void *cq_ctx;
	int r;

	/* spinning first: a sleeping waiter's wake-up would be its pickup */
	do {
		r = poll(&p, 1, 0);
	} while (!r && rig_now_ns() < spin_until);
	while (!r || (r < 0 && errno == EINTR)) {
		if (!left_ms())
			msg_die(1, "qp %u: no completion event within the "
				"time bound", l->qp->qp_num);
		r = poll(&p, 1, (int)left_ms());
	}
	if (r < 0)
		msg_die(1, "poll(channel): %s", strerror(errno));
	if (hwqnic_get_cq_event(ch, &cq, &cq_ctx))
		msg_die(1, "hwqnic_get_cq_event: %s", strerror(errno));
	if (cq != l->cq)
		msg_die(1, "qp %u: an event of another CQ (handle %u)",
			l->qp->qp_num, cq->handle);
}

static void one(struct hwqnic_comp_channel *ch, struct hwqnic_mr *mr,
		struct lane *l, unsigned int i, uint64_t k)
{
	char *src = (char *)mr->addr + 2 * i * SLOT_BYTES;
	struct hwqnic_sge sge = {
		.addr = (uintptr_t)src, .length = MSG_BYTES, .lkey = mr->lkey,
	};
	struct hwqnic_send_wr wr = {
		.wr_id = k, .sg_list = &sge, .num_sge = 1,
		.opcode = HWQNIC_WR_RDMA_WRITE,
		.send_flags = HWQNIC_SEND_SIGNALED | HWQNIC_SEND_TIMESTAMP,
		.wr.rdma = { .remote_addr = (uintptr_t)(src + SLOT_BYTES),
			     .rkey = mr->rkey },
	}, *bad;
	uint64_t post, posted, seen, before, after, at;
	struct hwqnic_wc_ts ts;
	struct hwqnic_wc wc;
	int n;

	memset(src, (int)(k & 0xff), MSG_BYTES);
	post = rig_now_ns();
	if (hwqnic_post_send(l->qp, &wr, &bad))
		msg_die(1, "qp %u: hwqnic_post_send: %s", l->qp->qp_num,
			strerror(errno));
	posted = rig_now_ns();
	wait_event(ch, l);
	seen = rig_now_ns();
	/* the hold: the CQE is there, and stays there this long */
	while (rig_now_ns() - seen < l->hold_ns)
		;
	before = rig_now_ns();
	n = hwqnic_poll_cq_ts(l->cq, 1, &wc, &ts);
	after = rig_now_ns();
	if (n != 1)
		msg_die(1, "qp %u: the CQE its event announced is not there "
			"(poll: %d)", l->qp->qp_num, n);
	if (wc.status != HWQNIC_WC_SUCCESS ||
	    wc.opcode != HWQNIC_WC_RDMA_WRITE || wc.wr_id != k ||
	    wc.qp_num != l->qp->qp_num)
		msg_die(1, "qp %u: completion status %s, opcode %s, wr_id %"
			PRIu64 ", qp %u; want a successful WRITE, wr_id %"
			PRIu64, l->qp->qp_num, hwqnic_wc_status_str(wc.status),
			hwqnic_wc_opcode_str(wc.opcode), (uint64_t)wc.wr_id,
			wc.qp_num, k);
	/* the times must order with ours: the same clock */
	if (!ts.cqe_ns || ts.cqe_ns < post || ts.cqe_ns > seen ||
	    ts.post_ns < post || ts.post_ns > posted || ts.post_ns > ts.cqe_ns)
		msg_die(1, "qp %u: times out of order: post %" PRIu64
			" (ours %" PRIu64 "), CQE %" PRIu64 ", event seen %"
			PRIu64, l->qp->qp_num, (uint64_t)ts.post_ns, post,
			(uint64_t)ts.cqe_ns, seen);
	arm(l);
	at = before + (after - before) / 2;
	l->pickup[k] = at - ts.cqe_ns;
	l->e2e[k] = at - post;
	l->seen[k] = seen - ts.cqe_ns;
	l->call[k] = after - before;
	l->pickup_lo = MIN(l->pickup_lo, before - seen);
	l->pickup_hi = MAX(l->pickup_hi, after - ts.cqe_ns);
	l->e2e_lo = MIN(l->e2e_lo, before - posted);
	l->e2e_hi = MAX(l->e2e_hi, after - post);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median in microseconds: of an even count the lower middle one, the
 * sample that qplat's rank (0.5 times the count) names.
 */
static double median_us(uint64_t *v, uint64_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(n - 1) / 2] / 1e3;
}

/*
 * " KEY v1,v2,..." and the line's end: every pickup (sorted by
 * median_us()), in microseconds, so that a sampled tracer's median can be
 * judged against the quantiles its sample size allows.
 */
static void print_sorted(const char *key, const uint64_t *v, uint64_t n)
{
	uint64_t k;

	printf(" %s ", key);
	for (k = 0; k < n; k++)
		printf("%s%.3f", k ? "," : "", v[k] / 1e3);
	putchar('\n');
}

static void make_lane(struct rig *rig, struct hwqnic_comp_channel *ch,
		      struct lane *l, uint64_t hold_us)
{
	l->hold_ns = hold_us * 1000;
	l->pickup_lo = l->e2e_lo = UINT64_MAX;
	l->pickup = calloc(env.count, sizeof(uint64_t));
	l->e2e = calloc(env.count, sizeof(uint64_t));
	l->seen = calloc(env.count, sizeof(uint64_t));
	l->call = calloc(env.count, sizeof(uint64_t));
	if (!l->pickup || !l->e2e || !l->seen || !l->call)
		msg_die(1, "out of memory for %" PRIu64 " completions",
			env.count);
	l->cq = hwqnic_create_cq_ex(rig->ctx, 4, NULL, ch,
				    HWQNIC_CQ_F_TIMESTAMP);
	if (!l->cq)
		msg_die(1, "hwqnic_create_cq_ex: %s", strerror(errno));
	l->peer_cq = rig_cq(rig, 4);
	if (!l->peer_cq)
		msg_die(1, "%s", rig->err);
	l->qp = rig_rc_qp(rig, l->cq, l->cq, 2, 1, 0);
	l->peer = l->qp ? rig_rc_qp(rig, l->peer_cq, l->peer_cq, 1, 1, 0) :
			  NULL;
	if (!l->qp || !l->peer)
		msg_die(1, "%s", rig->err);
	if (rig_rc_connect(rig, l->qp, l->peer->qp_num) ||
	    rig_rc_connect(rig, l->peer, l->qp->qp_num))
		msg_die(1, "%s", rig->err);
	arm(l);
}

static void free_lane(struct lane *l)
{
	if (hwqnic_destroy_qp(l->qp) || hwqnic_destroy_qp(l->peer) ||
	    hwqnic_destroy_cq(l->cq) || hwqnic_destroy_cq(l->peer_cq))
		msg_die(1, "releasing qp %u: %s", l->qp->qp_num,
			strerror(errno));
	free(l->pickup);
	free(l->e2e);
	free(l->seen);
	free(l->call);
}

int main(int argc, char **argv)
{
	struct hwqnic_comp_channel *ch;
	struct lane lanes[MAX_QPS] = { 0 };
	struct hwqnic_mr *mr;
	struct rig rig;
	unsigned int i;
	uint64_t k;
	size_t len;
	void *buf;

	msg_init("hwqhold");
	parse(argc, argv);
	deadline = rig_now_ns() + env.limit_ns;
	if (rig_open(&rig))
		msg_die(1, "%s", rig.err);
	ch = hwqnic_create_comp_channel(rig.ctx);
	if (!ch)
		msg_die(1, "hwqnic_create_comp_channel: %s", strerror(errno));
	if (fcntl(ch->fd, F_SETFL, fcntl(ch->fd, F_GETFL) | O_NONBLOCK))
		msg_die(1, "fcntl(channel): %s", strerror(errno));
	len = 2 * SLOT_BYTES * env.nlanes;
	buf = aligned_alloc(SLOT_BYTES, len);
	if (!buf)
		msg_die(1, "out of memory");
	memset(buf, 0, len);
	mr = hwqnic_reg_mr(rig.pd, buf, len, RIG_ACCESS);
	if (!mr)
		msg_die(1, "hwqnic_reg_mr: %s", strerror(errno));
	for (i = 0; i < env.nlanes; i++)
		make_lane(&rig, ch, &lanes[i], env.hold_us[i]);

	if (env.wait) {
		printf("ready pid %d\n", (int)getpid());
		fflush(stdout);
		wait_stdin("to start");
	}
	for (k = 0; k < env.count; k++)
		for (i = 0; i < env.nlanes; i++)
			one(ch, mr, &lanes[i], i, k);
	for (i = 0; i < env.nlanes; i++) {
		struct lane *l = &lanes[i];

		printf("qp %u hold_us %" PRIu64 " count %" PRIu64
		       " pickup_p50_us %.3f e2e_p50_us %.3f seen_p50_us %.3f"
		       " poll_p50_us %.3f pickup_lo_us %.3f pickup_hi_us %.3f"
		       " e2e_lo_us %.3f e2e_hi_us %.3f", l->qp->qp_num,
		       env.hold_us[i], env.count,
		       median_us(l->pickup, env.count),
		       median_us(l->e2e, env.count),
		       median_us(l->seen, env.count),
		       median_us(l->call, env.count), l->pickup_lo / 1e3,
		       l->pickup_hi / 1e3, l->e2e_lo / 1e3, l->e2e_hi / 1e3);
		print_sorted("pickups_us", l->pickup, env.count);
	}
	printf("done\n");
	fflush(stdout);
	if (env.wait)
		wait_stdin("to end");

	for (i = 0; i < env.nlanes; i++)
		free_lane(&lanes[i]);
	if (hwqnic_dereg_mr(mr) || hwqnic_destroy_comp_channel(ch))
		msg_die(1, "releasing: %s", strerror(errno));
	free(buf);
	return rig_close(&rig);
}
