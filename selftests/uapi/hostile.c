// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /dev/hwqnic0 against a hostile process, through the raw ABI
 * (include/hwqnic/abi.h), not libhwqnic: ioctls out of order, with bad
 * versions, handles, reserved bits, addresses and sizes; bad mmaps;
 * destroying what is mapped or in use; then garbage in the queues and the
 * doorbell page it maps, with the engine running. Every bad call must fail
 * with its errno and change nothing; the engine must survive the garbage
 * (the qemu harness fails the run on any oops or warning); a context
 * killed mid-traffic must leave nothing behind. Runs where hwqnic.ko is
 * loaded (the qemu guest); skipped elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hwqnic/abi.h>
#include <hwqnic/stats.h>
#include <hwqnic/verbs.h>
#include "../lib/child.h"
#include "../lib/tap.h"
#include "../lib/uapi.h"

#define DEV		UAPI_DEV
#define SYSFS		"/sys/bus/platform/devices/hwqnic.0/"
#define BUF		(256 * 1024)

static long sysfs_num(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* ioctl's errno, or 0 when it succeeded */
static int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static int mmap_err(int fd, size_t len, off_t off, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

struct ctx {
	int fd;
	struct hwqnic_ioc_open o;
	struct hwqnic_ioc_pd pd;
	struct hwqnic_ioc_mr mr;
	struct hwqnic_ioc_cq cq;
	struct hwqnic_ioc_qp qp[2];
	uint8_t *buf;
};

static int open_ctx(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (c->fd < 0)
		return errno;
	c->o.abi_version = HWQNIC_ABI_VERSION;
	return ioc(c->fd, HWQNIC_IOC_OPEN, &c->o);
}

static int rts(int fd, __u32 qpn, __u32 dest)
{
	struct hwqnic_ioc_qp_attr a = {
		.qpn = qpn, .qp_state = HWQNIC_QPS_INIT, .port_num = 1,
		.qp_access_flags = HWQNIC_ACCESS_LOCAL_WRITE |
				   HWQNIC_ACCESS_REMOTE_WRITE |
				   HWQNIC_ACCESS_REMOTE_READ,
		.attr_mask = HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
			     HWQNIC_QP_PORT | HWQNIC_QP_ACCESS_FLAGS,
	};
	int rc = ioc(fd, HWQNIC_IOC_MODIFY_QP, &a);

	a.qp_state = HWQNIC_QPS_RTR;
	a.path_mtu = HWQNIC_MTU_4096;
	a.dest_qp_num = dest;
	a.attr_mask = HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
		      HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN |
		      HWQNIC_QP_MAX_DEST_RD_ATOMIC | HWQNIC_QP_MIN_RNR_TIMER;
	rc = rc ? rc : ioc(fd, HWQNIC_IOC_MODIFY_QP, &a);
	a.qp_state = HWQNIC_QPS_RTS;
	a.attr_mask = HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN | HWQNIC_QP_TIMEOUT |
		      HWQNIC_QP_RETRY_CNT | HWQNIC_QP_RNR_RETRY |
		      HWQNIC_QP_MAX_QP_RD_ATOMIC;
	return rc ? rc : ioc(fd, HWQNIC_IOC_MODIFY_QP, &a);
}

/* PD, a 256 KiB MR, a CQ and two connected RC QPs in RTS. */
static int objects(struct ctx *c)
{
	int rc, i;

	c->buf = mmap(NULL, BUF, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->buf == MAP_FAILED)
		return ENOMEM;
	memset(c->buf, 0x5a, BUF);
	rc = ioc(c->fd, HWQNIC_IOC_ALLOC_PD, &c->pd);
	c->mr = (struct hwqnic_ioc_mr){ .addr = (uintptr_t)c->buf,
					.length = BUF, .pdn = c->pd.pdn,
					.access = HWQNIC_ACCESS_ALL };
	rc = rc ? rc : ioc(c->fd, HWQNIC_IOC_REG_MR, &c->mr);
	c->cq = (struct hwqnic_ioc_cq){ .cqe = 256, .channel_fd = -1 };
	rc = rc ? rc : ioc(c->fd, HWQNIC_IOC_CREATE_CQ, &c->cq);
	for (i = 0; i < 2 && !rc; i++) {
		c->qp[i] = (struct hwqnic_ioc_qp){
			.pdn = c->pd.pdn, .send_cq = c->cq.handle,
			.recv_cq = c->cq.handle, .qp_type = HWQNIC_QPT_RC,
			.max_send_wr = 64, .max_recv_wr = 64,
			.max_send_sge = 4, .max_recv_sge = 4,
		};
		rc = ioc(c->fd, HWQNIC_IOC_CREATE_QP, &c->qp[i]);
	}
	rc = rc ? rc : rts(c->fd, c->qp[0].qpn, c->qp[1].qpn);
	return rc ? rc : rts(c->fd, c->qp[1].qpn, c->qp[0].qpn);
}

/* What stats_len must be: the stats file of a device of 4096 QPs. */
static size_t stats_len(void)
{
	size_t n = sizeof(struct hwqnic_stats_file) +
		   4096 * sizeof(struct hwqnic_stats_qp);

	return (n + 4095) & ~(size_t)4095;
}

static void check_before_open(void)
{
	struct hwqnic_ioc_open o = { .abi_version = HWQNIC_ABI_VERSION + 1 };
	struct hwqnic_ioc_pd pd = { 0 };
	int fd = open(DEV, O_RDWR | O_CLOEXEC), e[6];
	void *ro;

	e[0] = ioc(fd, HWQNIC_IOC_ALLOC_PD, &pd);
	e[1] = mmap_err(fd, 4096, 0, MAP_SHARED);
	ok(e[0] == EINVAL && e[1] == EINVAL,
	   "before HWQNIC_IOC_OPEN: ioctls and mmap fail with EINVAL (%d, %d)",
	   e[0], e[1]);
	ok(ioc(fd, HWQNIC_IOC_OPEN, &o) == EPROTO,
	   "an ABI version of the future: EPROTO");
	ro = mmap(NULL, stats_len(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	o = (struct hwqnic_ioc_open){ .abi_version = HWQNIC_ABI_VERSION,
				      .stats_addr = (uintptr_t)ro + 8,
				      .stats_len = stats_len() };
	e[0] = ioc(fd, HWQNIC_IOC_OPEN, &o);
	o.stats_addr = (uintptr_t)ro;
	o.stats_len = stats_len() - 4096;
	e[1] = ioc(fd, HWQNIC_IOC_OPEN, &o);
	o.stats_len = stats_len();
	o.stats_addr = 0xffff888000000000ULL;
	e[2] = ioc(fd, HWQNIC_IOC_OPEN, &o);
	o.stats_addr = (uintptr_t)ro;		/* read-only */
	e[3] = ioc(fd, HWQNIC_IOC_OPEN, &o);
	munmap(ro, stats_len());
	o.stats_addr = 1ULL << 46;		/* nothing mapped there */
	e[4] = ioc(fd, HWQNIC_IOC_OPEN, &o);
	ok(e[0] == EINVAL && e[1] == EINVAL && e[2] == EINVAL &&
	   e[3] == EFAULT && e[4] == EFAULT,
	   "stats memory unaligned, short or the kernel's: EINVAL; read-only or unmapped: EFAULT (%d %d %d %d %d)",
	   e[0], e[1], e[2], e[3], e[4]);
	ok(sysfs_num("pinned_pages") == 0 && sysfs_num("contexts") == 0,
	   "and nothing stays pinned, no context made");
	ok(ioc(fd, _IO(HWQNIC_IOC_MAGIC, 99), NULL) == EINVAL,
	   "an unknown ioctl before OPEN: EINVAL");
	close(fd);
}

static void check_bad_ioctls(struct ctx *c)
{
	struct hwqnic_ioc_pd pd = { .pdn = 12345 };
	struct hwqnic_ioc_mr mr;
	struct hwqnic_ioc_cq cq;
	struct hwqnic_ioc_qp qp;
	struct hwqnic_ioc_qp_attr a;
	struct hwqnic_ioc_open o = { .abi_version = HWQNIC_ABI_VERSION };
	int e[8], i;

	ok(ioc(c->fd, HWQNIC_IOC_OPEN, &o) == EBUSY, "OPEN twice: EBUSY");
	ok(ioc(c->fd, _IO(HWQNIC_IOC_MAGIC, 99), NULL) == ENOTTY,
	   "an unknown ioctl: ENOTTY");
	ok(ioc(c->fd, HWQNIC_IOC_DEALLOC_PD, &pd) == EINVAL,
	   "DEALLOC_PD of no PD: EINVAL");
	ok(ioc(c->fd, HWQNIC_IOC_ALLOC_PD, NULL) == EFAULT,
	   "a NULL argument: EFAULT");

	mr = c->mr;
	mr.key = 0;
	mr.pdn = 999;
	e[0] = ioc(c->fd, HWQNIC_IOC_REG_MR, &mr);
	mr.pdn = c->pd.pdn;
	mr.rsvd = 1;
	e[1] = ioc(c->fd, HWQNIC_IOC_REG_MR, &mr);
	mr.rsvd = 0;
	mr.length = 0;
	e[2] = ioc(c->fd, HWQNIC_IOC_REG_MR, &mr);
	mr.length = ~0ULL - 10;
	e[3] = ioc(c->fd, HWQNIC_IOC_REG_MR, &mr);
	mr.length = 4096;
	mr.access = 0x100;
	e[4] = ioc(c->fd, HWQNIC_IOC_REG_MR, &mr);
	mr.access = HWQNIC_ACCESS_ALL;
	mr.addr = 0xffff888000000000ULL;
	e[5] = ioc(c->fd, HWQNIC_IOC_REG_MR, &mr);
	mr.addr = 1ULL << 46;		/* nothing mapped */
	e[6] = ioc(c->fd, HWQNIC_IOC_REG_MR, &mr);
	ok(e[0] == EINVAL && e[1] == EINVAL && e[2] == EINVAL &&
	   e[3] == EINVAL && e[4] == EINVAL && e[5] == EINVAL && e[6] == EFAULT,
	   "REG_MR: no PD, reserved bits, empty, wrapping, bad access, kernel memory: EINVAL; unmapped: EFAULT (%d %d %d %d %d %d %d)",
	   e[0], e[1], e[2], e[3], e[4], e[5], e[6]);
	ok(sysfs_num("pinned_pages") == (BUF / 4096) + 0,
	   "only the one good MR's pages are pinned (%ld)",
	   sysfs_num("pinned_pages"));
	mr.key = c->mr.key ^ 1;
	ok(ioc(c->fd, HWQNIC_IOC_DEREG_MR, &mr) == EINVAL,
	   "DEREG_MR of a key of no MR: EINVAL");

	cq = (struct hwqnic_ioc_cq){ .cqe = 0, .channel_fd = -1 };
	e[0] = ioc(c->fd, HWQNIC_IOC_CREATE_CQ, &cq);
	cq.cqe = 1U << 30;
	e[1] = ioc(c->fd, HWQNIC_IOC_CREATE_CQ, &cq);
	cq.cqe = 16;
	cq.channel_fd = c->fd;		/* an fd, but no channel */
	e[2] = ioc(c->fd, HWQNIC_IOC_CREATE_CQ, &cq);
	cq.channel_fd = -5;
	e[3] = ioc(c->fd, HWQNIC_IOC_CREATE_CQ, &cq);
	cq.handle = 4000;
	e[4] = ioc(c->fd, HWQNIC_IOC_DESTROY_CQ, &cq);
	cq.channel_fd = -1;
	cq.flags = 0x80;
	e[5] = ioc(c->fd, HWQNIC_IOC_CREATE_CQ, &cq);
	cq.flags = HWQNIC_CQ_F_TIMESTAMP;
	cq.rsvd = 1;
	e[6] = ioc(c->fd, HWQNIC_IOC_CREATE_CQ, &cq);
	ok(e[0] == EINVAL && e[1] == EINVAL && e[2] == EINVAL &&
	   e[3] == EINVAL && e[4] == EINVAL && e[5] == EINVAL &&
	   e[6] == EINVAL,
	   "CREATE_CQ: no entries, too many, a channel fd that is not one, a bad fd, an unknown flag, reserved bits; DESTROY_CQ of none: EINVAL");
	cq = (struct hwqnic_ioc_cq){ .cqe = 16, .channel_fd = -1,
				     .flags = HWQNIC_CQ_F_TIMESTAMP };
	e[0] = ioc(c->fd, HWQNIC_IOC_CREATE_CQ, &cq);
	ok(!e[0] && cq.q.stride_shift == 6,
	   "CREATE_CQ with HWQNIC_CQ_F_TIMESTAMP: 64-byte CQEs (%d, shift %u)",
	   e[0], cq.q.stride_shift);
	ok(!e[0] && !ioc(c->fd, HWQNIC_IOC_DESTROY_CQ, &cq), "and destroyed");
	cq = (struct hwqnic_ioc_cq){ .cqe = 16, .channel_fd = -1 };
	e[0] = ioc(c->fd, HWQNIC_IOC_CREATE_CQ, &cq);
	ok(!e[0] && cq.q.stride_shift == 5 &&
	   !ioc(c->fd, HWQNIC_IOC_DESTROY_CQ, &cq),
	   "CREATE_CQ without flags: 32-byte CQEs, as before (shift %u)",
	   cq.q.stride_shift);

	for (i = 0; i < 6; i++) {
		qp = c->qp[0];
		qp.qpn = 0;
		switch (i) {
		case 0: qp.pdn = 999; break;
		case 1: qp.send_cq = 999; break;
		case 2: qp.qp_type = 5; break;
		case 3: qp.sq_sig_all = 2; break;
		case 4: qp.max_send_wr = 1U << 30; break;
		case 5: qp.rsvd = 7; break;
		}
		e[i] = ioc(c->fd, HWQNIC_IOC_CREATE_QP, &qp);
	}
	ok(e[0] == EINVAL && e[1] == EINVAL && e[2] == EINVAL &&
	   e[3] == EINVAL && e[4] == EINVAL && e[5] == EINVAL,
	   "CREATE_QP: no PD, no CQ, bad type, bad sig_all, too deep, reserved bits: EINVAL");

	a = (struct hwqnic_ioc_qp_attr){ .qpn = 9999,
					 .attr_mask = HWQNIC_QP_STATE };
	e[0] = ioc(c->fd, HWQNIC_IOC_MODIFY_QP, &a);
	a.qpn = c->qp[0].qpn;
	a.qp_state = 99;
	e[1] = ioc(c->fd, HWQNIC_IOC_MODIFY_QP, &a);
	a.qp_state = HWQNIC_QPS_RTS;
	a.rsvd[3] = 1;
	e[2] = ioc(c->fd, HWQNIC_IOC_MODIFY_QP, &a);
	a.rsvd[3] = 0;
	a.attr_mask = 0x80000000U;
	e[3] = ioc(c->fd, HWQNIC_IOC_MODIFY_QP, &a);
	a.attr_mask = HWQNIC_QP_STATE | HWQNIC_QP_DEST_QPN;
	e[4] = ioc(c->fd, HWQNIC_IOC_MODIFY_QP, &a);
	a = (struct hwqnic_ioc_qp_attr){ .qpn = c->qp[0].qpn };
	e[5] = ioc(c->fd, HWQNIC_IOC_QUERY_QP, &a);
	ok(e[0] == EINVAL && e[1] == EINVAL && e[2] == EINVAL &&
	   e[3] == EINVAL && e[4] == EINVAL && !e[5] &&
	   a.qp_state == HWQNIC_QPS_RTS,
	   "MODIFY_QP: no QP, bad state, reserved bits, unknown mask, an attribute RTS->RTS may not change: EINVAL; the QP is still in RTS");
}

static void check_bad_mmaps(struct ctx *c)
{
	int e[6];

	e[0] = mmap_err(c->fd, 4096, (off_t)9 << 36, MAP_SHARED);
	e[1] = mmap_err(c->fd, c->cq.q.mmap_len, c->cq.q.mmap_off + (1 << 12),
			MAP_SHARED);
	e[2] = mmap_err(c->fd, c->cq.q.mmap_len + 4096, c->cq.q.mmap_off,
			MAP_SHARED);
	e[3] = mmap_err(c->fd, c->cq.q.mmap_len, c->cq.q.mmap_off,
			MAP_PRIVATE);
	e[4] = mmap_err(c->fd, 4096, c->o.db_off, MAP_SHARED);
	e[5] = mmap_err(c->fd, c->qp[0].sq.mmap_len, c->qp[0].sq.mmap_off,
			MAP_SHARED);
	ok(e[0] == EINVAL && e[1] == EINVAL && e[2] == EINVAL &&
	   e[3] == EINVAL && e[4] == EINVAL && !e[5],
	   "mmap: an unknown object, another CQ, too long, private, a short doorbell page: EINVAL; a real SQ maps (%d %d %d %d %d %d)",
	   e[0], e[1], e[2], e[3], e[4], e[5]);
}

static void check_in_use(struct ctx *c)
{
	void *m = mmap(NULL, c->qp[1].sq.mmap_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED, c->fd, c->qp[1].sq.mmap_off);
	struct hwqnic_ioc_qp qp = { .qpn = c->qp[1].qpn };
	struct hwqnic_ioc_cq cq = { .handle = c->cq.handle };
	struct hwqnic_ioc_pd pd = c->pd;
	int e0, e1, e2;

	e0 = ioc(c->fd, HWQNIC_IOC_DESTROY_QP, &qp);
	e1 = ioc(c->fd, HWQNIC_IOC_DESTROY_CQ, &cq);
	e2 = ioc(c->fd, HWQNIC_IOC_DEALLOC_PD, &pd);
	ok(m != MAP_FAILED && e0 == EBUSY && e1 == EBUSY && e2 == EBUSY,
	   "a mapped QP, a CQ and a PD in use: EBUSY (%d %d %d)", e0, e1, e2);
	if (m != MAP_FAILED)
		munmap(m, c->qp[1].sq.mmap_len);
}

/*
 * Garbage everywhere the process can write, with the engine running:
 * WQEs, doorbells (well-formed ones with any index among them), the
 * doorbell page's bitmaps, the CQ and its consumer doorbell.
 */
static bool spoil(struct ctx *c, uint64_t *s, unsigned int rounds)
{
	struct hwqnic_db_page *db = mmap(NULL, c->o.db_len,
					 PROT_READ | PROT_WRITE, MAP_SHARED,
					 c->fd, c->o.db_off);
	uint8_t *sq = mmap(NULL, c->qp[0].sq.mmap_len, PROT_READ | PROT_WRITE,
			   MAP_SHARED, c->fd, c->qp[0].sq.mmap_off);
	uint8_t *cqm = mmap(NULL, c->cq.q.mmap_len, PROT_READ | PROT_WRITE,
			    MAP_SHARED, c->fd, c->cq.q.mmap_off);
	unsigned int round, i, slot;
	bool mapped = db != MAP_FAILED && sq != MAP_FAILED &&
		      cqm != MAP_FAILED;
	uint64_t v;

	for (round = 0; mapped && round < rounds; round++) {
		for (i = 0; i < c->qp[0].sq.mmap_len; i += 8)
			*(uint64_t *)(sq + i) = tap_rand(s);
		for (i = 0; i < 64; i++) {
			v = tap_rand(s);
			slot = tap_rand(s) % HWQNIC_DB_SLOTS;
			if (i % 4 == 0) {
				struct hwqnic_db d = {
					.index = tap_rand(s) %
						 (2 * c->qp[0].sq.depth),
					.xid = c->qp[0].qpn,
					.type = HWQNIC_DB_SQ,
				};

				v = hwqnic_db_encode(&d);
				slot = c->qp[0].sq.slot;
			}
			db->slot[slot] = v;
			db->pending[slot / 64] |= 1ULL << (slot % 64);
			db->summary |= 1ULL << (slot / 64);
		}
		db->pending[tap_rand(s) % (HWQNIC_DB_SLOTS / 64)] = tap_rand(s);
		db->summary = tap_rand(s);
		db->wake_seq = tap_rand(s);
		db->slot[c->cq.q.slot] = tap_rand(s);
		*(uint64_t *)(cqm + tap_rand(s) % c->cq.q.mmap_len / 8 * 8) =
			tap_rand(s);
		ioc(c->fd, HWQNIC_IOC_WAKE, NULL);
		if (round % 16 == 0)
			usleep(1000);
	}
	if (db != MAP_FAILED)
		munmap(db, c->o.db_len);
	if (sq != MAP_FAILED)
		munmap(sq, c->qp[0].sq.mmap_len);
	if (cqm != MAP_FAILED)
		munmap(cqm, c->cq.q.mmap_len);
	return mapped;
}

/* The engine's counters for QP qpn, through the context's own mapping. */
static struct hwqnic_qp_counters counters(struct ctx *c, __u32 qpn)
{
	struct hwqnic_stats_file *st = mmap(NULL, c->o.stats_len, PROT_READ,
					    MAP_SHARED, c->fd,
					    c->o.stats_off);
	struct hwqnic_qp_counters q = { 0 };

	if (st != MAP_FAILED) {
		q = st->qp[qpn - HWQNIC_QPN_BASE].c;
		munmap(st, c->o.stats_len);
	}
	return q;
}

static void check_garbage(struct ctx *c, uint64_t *s)
{
	struct hwqnic_ioc_qp_attr a = { .qpn = c->qp[0].qpn };
	struct hwqnic_qp_counters q;
	bool mapped = spoil(c, s, 200);
	int rc;

	usleep(100 * 1000);
	rc = ioc(c->fd, HWQNIC_IOC_QUERY_QP, &a);
	q = counters(c, c->qp[0].qpn);
	ok(mapped && !rc && a.qp_state == HWQNIC_QPS_ERR && q.wqes,
	   "200 rounds of garbage WQEs and doorbells: the engine took %llu doorbells and %llu WQEs, wrote %llu CQEs; the QP is in ERR (%u)",
	   (unsigned long long)q.doorbells, (unsigned long long)q.wqes,
	   (unsigned long long)q.completions, a.qp_state);
}

/* A child with a context and traffic in flight, killed. */
static void check_killed(uint64_t *s)
{
	long base = sysfs_num("contexts"), pinned = sysfs_num("pinned_pages");
	int fd, st = 0, i;
	char x = 0;
	pid_t pid;

	pid = u_fork_piped(&fd);
	if (pid < 0)
		return;
	if (!pid) {
		struct ctx c;

		if (open_ctx(&c) || objects(&c))
			_exit(1);
		if (write(fd, &x, 1) != 1)
			_exit(1);
		for (;;)
			spoil(&c, s, 1000);
	}
	i = read(fd, &x, 1);
	close(fd);
	usleep(200 * 1000);
	ok(i == 1 && sysfs_num("contexts") == base + 1,
	   "a child made a context and runs traffic (%ld contexts)",
	   sysfs_num("contexts"));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	for (i = 0; i < 100 && sysfs_num("contexts") != base; i++)
		usleep(10 * 1000);
	ok(sysfs_num("contexts") == base &&
	   sysfs_num("pinned_pages") == pinned,
	   "killed: its context is gone and its pages unpinned (%ld contexts, %ld pinned)",
	   sysfs_num("contexts"), sysfs_num("pinned_pages"));
}

int main(void)
{
	uint64_t seed;
	struct ctx c;
	int rc;

	uapi_require_dev();
	seed = tap_seed();
	check_before_open();
	rc = open_ctx(&c);
	if (!ok(!rc, "OPEN: a context (%d)", rc))
		return tap_done();
	ok(c.o.dev_id > 0 && c.o.stats_off && c.o.db_len >= sizeof(struct hwqnic_db_page),
	   "it is device %u; its counters map at an offset of their own",
	   c.o.dev_id);
	rc = objects(&c);
	if (!ok(!rc, "a PD, an MR, a CQ and two QPs in RTS (%d)", rc))
		return tap_done();
	check_bad_ioctls(&c);
	check_bad_mmaps(&c);
	check_in_use(&c);
	check_garbage(&c, &seed);
	close(c.fd);
	munmap(c.buf, BUF);
	ok(sysfs_num("contexts") == 0 && sysfs_num("pinned_pages") == 0,
	   "closed with its objects still there: all freed");
	check_killed(&seed);
	return tap_done();
}
