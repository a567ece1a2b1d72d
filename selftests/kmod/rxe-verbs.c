// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rxe-verbs: RDMA WRITE, READ, FETCH_AND_ADD and CMP_AND_SWP between an
 * rdma_rxe QP (driven through rdma-core's libibverbs) and a hwqnic QP
 * (libhwqnic's embedded engine over AF_XDP), each way, checked byte for
 * byte. Run by the qemu guest's network stage (guest-net.sh).
 *
 *   rxe-verbs NETNS NETDEV RXE_DEV RXE_GID_INDEX [ROUNDS]
 *
 * One process holds both QPs, so no exchange is needed and both buffers
 * can be checked: hwqnic's device is opened inside NETNS (its AF_XDP
 * socket and engine thread stay there), rxe's from the initial namespace,
 * where 6.1's rxe must live. perftest does not check payloads, hence this.
 * Each check prints one "checked: ..." line; any failure ends the run
 * with exit 1 and the reason. Every wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "lib/rig.h"

#define BUF_SIZE	(64 * 1024)
#define MTU_BYTES	1024
#define WAIT_NS		(60ULL * 1000 * 1000 * 1000)
#define HWQ_ACCESS	(HWQNIC_ACCESS_LOCAL_WRITE | \
			 HWQNIC_ACCESS_REMOTE_WRITE | \
			 HWQNIC_ACCESS_REMOTE_READ | \
			 HWQNIC_ACCESS_REMOTE_ATOMIC)
#define RXE_ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
			 IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC)

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rxe-verbs: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

struct both {
	/* hwqnic's side */
	struct rig rig;
	struct hwqnic_cq *hcq;
	struct hwqnic_qp *hqp;
	struct hwqnic_mr *hmr;
	uint8_t *hbuf;
	/* rxe's side */
	struct ibv_context *ictx;
	struct ibv_pd *ipd;
	struct ibv_cq *icq;
	struct ibv_qp *iqp;
	struct ibv_mr *imr;
	uint8_t *ibuf;
};

/* The pattern of round r: every byte differs between rounds and offsets */
static void fill(uint8_t *p, size_t len, uint32_t r)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 131 + r * 29 + (i >> 8) * 7 + 1) ^ r);
}

static void check(const uint8_t *got, const uint8_t *want, size_t len,
		  const char *what)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			die("%s: byte %zu of %zu is 0x%02x, expected 0x%02x",
			    what, i, len, got[i], want[i]);
}

/* Waits for one completion of the side that posted (bounded), polling
 * the other side's CQ as well: a shared-CPU engine runs as it is polled */
static void wait_one(struct both *b, int hwq_side, const char *what)
{
	uint64_t end = rig_now_ns() + WAIT_NS;
	struct hwqnic_wc hwc;
	struct ibv_wc iwc;
	int n;

	while (rig_now_ns() < end) {
		n = hwqnic_poll_cq(b->hcq, 1, &hwc);
		if (n < 0)
			die("%s: hwqnic_poll_cq: %s", what, strerror(-n));
		if (n > 0) {
			if (!hwq_side)
				die("%s: a hwqnic completion, none expected", what);
			if (hwc.status != HWQNIC_WC_SUCCESS)
				die("%s: hwqnic completion status %d (%s)", what,
				    hwc.status, hwqnic_wc_status_str(hwc.status));
			return;
		}
		n = ibv_poll_cq(b->icq, 1, &iwc);
		if (n < 0)
			die("%s: ibv_poll_cq failed", what);
		if (n > 0) {
			if (hwq_side)
				die("%s: an rxe completion, none expected", what);
			if (iwc.status != IBV_WC_SUCCESS)
				die("%s: rxe completion status %d (%s)", what,
				    iwc.status, ibv_wc_status_str(iwc.status));
			return;
		}
	}
	die("%s: no completion in %llu s", what, WAIT_NS / 1000000000ULL);
}

static void hwq_post(struct both *b, enum hwqnic_wr_opcode op, size_t len,
		     uint64_t raddr, uint64_t cmp_add, uint64_t swap,
		     const char *what)
{
	struct hwqnic_sge sge = { .addr = (uintptr_t)b->hbuf, .length = len,
				  .lkey = b->hmr->lkey };
	struct hwqnic_send_wr wr = { .sg_list = &sge, .num_sge = 1,
				     .opcode = op,
				     .send_flags = HWQNIC_SEND_SIGNALED }, *bad;
	int err;

	if (op == HWQNIC_WR_ATOMIC_CMP_AND_SWP ||
	    op == HWQNIC_WR_ATOMIC_FETCH_AND_ADD) {
		wr.wr.atomic.remote_addr = raddr;
		wr.wr.atomic.rkey = b->imr->rkey;
		wr.wr.atomic.compare_add = cmp_add;
		wr.wr.atomic.swap = swap;
	} else {
		wr.wr.rdma.remote_addr = raddr;
		wr.wr.rdma.rkey = b->imr->rkey;
	}
	err = hwqnic_post_send(b->hqp, &wr, &bad);
	if (err)
		die("%s: hwqnic_post_send: %s", what, strerror(err));
	wait_one(b, 1, what);
}

static void rxe_post(struct both *b, enum ibv_wr_opcode op, size_t len,
		     uint64_t raddr, uint64_t cmp_add, uint64_t swap,
		     const char *what)
{
	struct ibv_sge sge = { .addr = (uintptr_t)b->ibuf,
			       .length = (uint32_t)len, .lkey = b->imr->lkey };
	struct ibv_send_wr wr = { .sg_list = &sge, .num_sge = 1,
				  .opcode = op,
				  .send_flags = IBV_SEND_SIGNALED }, *bad;
	int err;

	if (op == IBV_WR_ATOMIC_CMP_AND_SWP ||
	    op == IBV_WR_ATOMIC_FETCH_AND_ADD) {
		wr.wr.atomic.remote_addr = raddr;
		wr.wr.atomic.rkey = b->hmr->rkey;
		wr.wr.atomic.compare_add = cmp_add;
		wr.wr.atomic.swap = swap;
	} else {
		wr.wr.rdma.remote_addr = raddr;
		wr.wr.rdma.rkey = b->hmr->rkey;
	}
	err = ibv_post_send(b->iqp, &wr, &bad);
	if (err)
		die("%s: ibv_post_send: %s", what, strerror(err));
	wait_one(b, 0, what);
}

static void open_hwqnic(struct both *b, const char *netns, const char *netdev)
{
	char path[256];
	int self, ns;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		die("/proc/self/ns/net: %s", strerror(errno));
	snprintf(path, sizeof(path), "/var/run/netns/%s", netns);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		die("%s: %s", path, strerror(errno));
	if (setns(ns, CLONE_NEWNET))
		die("setns %s: %s", netns, strerror(errno));
	if (rig_open_netdev(&b->rig, netdev))
		die("hwqnic on %s: %s", netdev, b->rig.err);
	if (setns(self, CLONE_NEWNET))
		die("setns back: %s", strerror(errno));
	close(ns);
	close(self);
	b->hbuf = aligned_alloc(4096, BUF_SIZE);
	if (!b->hbuf)
		die("out of memory");
	b->hmr = hwqnic_reg_mr(b->rig.pd, b->hbuf, BUF_SIZE, HWQ_ACCESS);
	b->hcq = rig_cq(&b->rig, 64);
	if (!b->hmr || !b->hcq)
		die("hwqnic_reg_mr or its CQ: %s", strerror(errno));
	b->hqp = rig_rc_qp(&b->rig, b->hcq, b->hcq, 16, 16, 0);
	if (!b->hqp)
		die("hwqnic's RC QP: %s", b->rig.err);
}

static void open_rxe(struct both *b, const char *name)
{
	struct ibv_device **l;
	struct ibv_qp_init_attr qa = { 0 };
	int i, n;

	l = ibv_get_device_list(&n);
	if (!l)
		die("ibv_get_device_list: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (!strcmp(ibv_get_device_name(l[i]), name))
			break;
	if (i == n)
		die("no RDMA device %s", name);
	b->ictx = ibv_open_device(l[i]);
	ibv_free_device_list(l);
	if (!b->ictx)
		die("ibv_open_device %s: %s", name, strerror(errno));
	b->ipd = ibv_alloc_pd(b->ictx);
	b->icq = ibv_create_cq(b->ictx, 64, NULL, NULL, 0);
	b->ibuf = aligned_alloc(4096, BUF_SIZE);
	if (!b->ipd || !b->icq || !b->ibuf)
		die("rxe's PD, CQ or buffer: %s", strerror(errno));
	b->imr = ibv_reg_mr(b->ipd, b->ibuf, BUF_SIZE, RXE_ACCESS);
	if (!b->imr)
		die("ibv_reg_mr: %s", strerror(errno));
	qa.send_cq = b->icq;
	qa.recv_cq = b->icq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = 16;
	qa.cap.max_recv_wr = 16;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	b->iqp = ibv_create_qp(b->ipd, &qa);
	if (!b->iqp)
		die("ibv_create_qp: %s", strerror(errno));
}

/* Both QPs to RTS towards each other, path MTU 1024 */
static void connect_both(struct both *b, int rxe_gid)
{
	union ibv_gid ig;
	union hwqnic_gid hg;
	struct hwqnic_ah_attr av;
	struct rig_dest d;
	struct ibv_qp_attr a;
	uint32_t hpsn = 0x123456, ipsn = 0xabcdef;
	int err;

	if (ibv_query_gid(b->ictx, 1, rxe_gid, &ig))
		die("ibv_query_gid %d failed", rxe_gid);
	err = hwqnic_query_gid(b->rig.ctx, 1, 0, &hg);
	if (err)
		die("hwqnic_query_gid 0: %s", strerror(err));

	rig_av(&av, ig.raw, 0, 64);
	d = (struct rig_dest){ .qpn = b->iqp->qp_num, .psn = ipsn, .av = &av };
	err = rig_rc_to_init(b->hqp, HWQ_ACCESS);
	if (!err)
		err = rig_rc_to_rtr_dest(b->hqp, &d, rig_mtu(MTU_BYTES),
					 RIG_MIN_RNR_TIMER, 1);
	if (!err)
		err = rig_rc_to_rts_psn(b->hqp, hpsn, RIG_TIMEOUT, RIG_RETRY,
					RIG_RNR_RETRY, 1);
	if (err)
		die("hwqnic QP to RTS: %s", strerror(err));

	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_INIT;
	a.port_num = 1;
	a.qp_access_flags = RXE_ACCESS;
	if (ibv_modify_qp(b->iqp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			  IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		die("rxe QP to INIT failed");
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = b->hqp->qp_num;
	a.rq_psn = hpsn;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.is_global = 1;
	a.ah_attr.port_num = 1;
	a.ah_attr.grh.hop_limit = 64;
	a.ah_attr.grh.sgid_index = (uint8_t)rxe_gid;
	memcpy(a.ah_attr.grh.dgid.raw, hg.raw, 16);
	if (ibv_modify_qp(b->iqp, &a, IBV_QP_STATE | IBV_QP_AV |
			  IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		die("rxe QP to RTR failed");
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.sq_psn = ipsn;
	a.max_rd_atomic = 1;
	if (ibv_modify_qp(b->iqp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
			  IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
			  IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC))
		die("rxe QP to RTS failed");
}

/* hwqnic's verb at hwqnic (requester) against rxe's memory, or the
 * reverse with hwq_req 0 */
static void atomics(struct both *b, int hwq_req, uint32_t r)
{
	/* the buffers are page-aligned and have no declared type: their
	 * words are read and written as such */
	uint64_t *mine = (uint64_t *)(hwq_req ? b->hbuf : b->ibuf);
	uint64_t *word = (uint64_t *)(hwq_req ? b->ibuf : b->hbuf) + r % 64;
	uint64_t raddr = (uintptr_t)word;
	uint64_t v0 = 0x0123456789abcdefULL * (r + 1), add = 0x1111 + r;
	const char *who = hwq_req ? "hwqnic -> rxe" : "rxe -> hwqnic";
	char what[80];

	*word = v0;
	*mine = 0;
	snprintf(what, sizeof(what), "FETCH_AND_ADD %s", who);
	if (hwq_req)
		hwq_post(b, HWQNIC_WR_ATOMIC_FETCH_AND_ADD, 8, raddr, add, 0, what);
	else
		rxe_post(b, IBV_WR_ATOMIC_FETCH_AND_ADD, 8, raddr, add, 0, what);
	if (*mine != v0 || *word != v0 + add)
		die("%s: fetched 0x%" PRIx64 " (expected 0x%" PRIx64 "), "
		    "memory 0x%" PRIx64 " (expected 0x%" PRIx64 ")", what,
		    *mine, v0, *word, v0 + add);

	/* a compare that matches swaps; one that does not leaves it */
	snprintf(what, sizeof(what), "CMP_AND_SWP %s", who);
	*mine = 0;
	if (hwq_req)
		hwq_post(b, HWQNIC_WR_ATOMIC_CMP_AND_SWP, 8, raddr, v0 + add,
			 ~v0, what);
	else
		rxe_post(b, IBV_WR_ATOMIC_CMP_AND_SWP, 8, raddr, v0 + add,
			 ~v0, what);
	if (*mine != v0 + add || *word != ~v0)
		die("%s (matching): fetched 0x%" PRIx64 ", memory 0x%" PRIx64,
		    what, *mine, *word);
	*mine = 0;
	if (hwq_req)
		hwq_post(b, HWQNIC_WR_ATOMIC_CMP_AND_SWP, 8, raddr, v0, 42, what);
	else
		rxe_post(b, IBV_WR_ATOMIC_CMP_AND_SWP, 8, raddr, v0, 42, what);
	if (*mine != ~v0 || *word != ~v0)
		die("%s (not matching): fetched 0x%" PRIx64 ", memory 0x%" PRIx64,
		    what, *mine, *word);
}

/*
 * One RDMA WRITE (read 0) or READ of len bytes, hwqnic the requester
 * (hwq_req) or rxe: the source filled with round r's pattern, the
 * destination cleared, then compared with the source's bytes.
 */
static void transfer(struct both *b, int hwq_req, int read, size_t len,
		     uint32_t r)
{
	static uint8_t want[BUF_SIZE];
	uint8_t *local = hwq_req ? b->hbuf : b->ibuf;
	uint8_t *remote = hwq_req ? b->ibuf : b->hbuf;
	uint8_t *src = read ? remote : local, *dst = read ? local : remote;
	char what[80];

	snprintf(what, sizeof(what), "%s %s, %zu B", read ? "READ" : "WRITE",
		 hwq_req ? (read ? "hwqnic <- rxe" : "hwqnic -> rxe") :
			   (read ? "rxe <- hwqnic" : "rxe -> hwqnic"), len);
	fill(src, len, r + 1000 * (2 * !hwq_req + read));
	memcpy(want, src, len);
	memset(dst, 0, len);
	if (hwq_req)
		hwq_post(b, read ? HWQNIC_WR_RDMA_READ : HWQNIC_WR_RDMA_WRITE,
			 len, (uintptr_t)remote, 0, 0, what);
	else
		rxe_post(b, read ? IBV_WR_RDMA_READ : IBV_WR_RDMA_WRITE,
			 len, (uintptr_t)remote, 0, 0, what);
	check(dst, want, len, what);
}

/* A decimal argument from lo to hi, else the usage error */
static unsigned long num_arg(const char *what, const char *s,
			     unsigned long lo, unsigned long hi)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
		die("%s: '%s' is not a number from %lu to %lu", what, s, lo, hi);
	return v;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 4096, BUF_SIZE };
	struct both b = { 0 };
	uint32_t r, rounds = 10;
	int gid;
	size_t s;

	if (argc < 5 || argc > 6)
		die("usage: rxe-verbs NETNS NETDEV RXE_DEV RXE_GID_INDEX [ROUNDS]");
	if (argc == 6)
		rounds = (uint32_t)num_arg("ROUNDS", argv[5], 1, 100000);
	gid = (int)num_arg("RXE_GID_INDEX", argv[4], 0, 255);
	open_hwqnic(&b, argv[1], argv[2]);
	open_rxe(&b, argv[3]);
	connect_both(&b, gid);

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (r = 0; r < rounds; r++) {
			transfer(&b, 1, 0, sizes[s], r);
			transfer(&b, 1, 1, sizes[s], r);
			transfer(&b, 0, 0, sizes[s], r);
			transfer(&b, 0, 1, sizes[s], r);
		}
		printf("checked: WRITE and READ, each way, %u x %zu B\n",
		       rounds, sizes[s]);
	}
	for (r = 0; r < rounds; r++)
		atomics(&b, 1, r);
	printf("checked: FETCH_AND_ADD and CMP_AND_SWP hwqnic -> rxe, %u x 3\n",
	       rounds);
	for (r = 0; r < rounds; r++)
		atomics(&b, 0, r);
	printf("checked: FETCH_AND_ADD and CMP_AND_SWP rxe -> hwqnic, %u x 3\n",
	       rounds);
	fflush(stdout);

	if (ibv_destroy_qp(b.iqp) || ibv_dereg_mr(b.imr) ||
	    ibv_destroy_cq(b.icq) || ibv_dealloc_pd(b.ipd) ||
	    ibv_close_device(b.ictx))
		die("closing rxe's objects failed");
	if (hwqnic_destroy_qp(b.hqp) || hwqnic_dereg_mr(b.hmr) ||
	    hwqnic_destroy_cq(b.hcq) || rig_close(&b.rig))
		die("closing hwqnic's objects failed");
	free(b.hbuf);
	free(b.ibuf);
	return 0;
}
