// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Registration checks the memory it is given, on both backends: a page
 * that is not mapped, PROT_NONE, read-only under rights that let the NIC
 * write, or a file mapping past the file's end is EFAULT, and a refused
 * registration takes nothing (the PD still deallocates). Read-only memory
 * registered for reading is fine, and RDMA READ takes data from it. The
 * check older kernels get (/proc/self/maps, hwqnic_mem_check_maps()) is
 * tested on its own, as it cannot be reached where MADV_POPULATE_* works.
 */
#include "../lib/helpers.h"

/* libhwqnic's fallback check (an internal symbol of the static library). */
int hwqnic_mem_check_maps(uintptr_t first, uintptr_t end, bool write);

#define LW	HWQNIC_ACCESS_LOCAL_WRITE

static struct u_dev dev;
static long pg;

static void *map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* reg_mr(pd, addr, len, access) fails with EFAULT; the PD is left as it was. */
static void refused(void *addr, size_t len, unsigned int access,
		    const char *what)
{
	struct hwqnic_pd *pd = hwqnic_alloc_pd(dev.ctx);
	struct hwqnic_mr *mr;
	int e;

	if (!ok(pd != NULL, "a PD for %s", what))
		return;
	errno = 0;
	mr = hwqnic_reg_mr(pd, addr, len, access);
	e = errno;
	ok(!mr && e == EFAULT, "%s, access %#x: EFAULT (errno %d)", what,
	   access, e);
	if (mr)
		hwqnic_dereg_mr(mr);
	ok(!hwqnic_dealloc_pd(pd), "%s: the PD took no reference", what);
}

static void bad_memory(void)
{
	char path[] = "/tmp/hwqnic-mr-XXXXXX";
	uint8_t *p;
	int fd;

	p = map(3 * pg, PROT_READ | PROT_WRITE);
	if (ok(p && !munmap(p + pg, pg), "three pages, the middle one unmapped")) {
		refused(p, 3 * pg, LW, "a hole in the range");
		refused(p, 3 * pg, 0, "a hole in the range");
		refused(p + pg + 100, 10, 0, "an unmapped page");
		munmap(p, pg);
		munmap(p + 2 * pg, pg);
	}

	p = map(pg, PROT_NONE);
	if (ok(p != NULL, "a PROT_NONE page")) {
		refused(p, pg, 0, "PROT_NONE");
		munmap(p, pg);
	}

	p = map(2 * pg, PROT_READ);
	if (ok(p != NULL, "a read-only mapping")) {
		refused(p, 2 * pg, LW, "read-only");
		refused(p, 2 * pg, LW | HWQNIC_ACCESS_REMOTE_WRITE, "read-only");
		refused(p, 2 * pg, LW | HWQNIC_ACCESS_REMOTE_ATOMIC, "read-only");
		munmap(p, 2 * pg);
	}

	p = map(2 * pg, PROT_READ | PROT_WRITE);
	if (ok(p && !mprotect(p + pg, pg, PROT_READ),
	       "a read-write page, then a read-only one")) {
		refused(p, 2 * pg, LW, "read-write then read-only");
		munmap(p, 2 * pg);
	}

	/* the second page of the mapping is past the file's end: SIGBUS */
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	p = NULL;
	if (fd >= 0 && !ftruncate(fd, pg)) {
		p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 0);
		if (p == MAP_FAILED)
			p = NULL;
	}
	if (ok(p != NULL, "a file of one page mapped over two")) {
		refused(p, 2 * pg, 0, "a mapping past the file's end");
		refused(p + pg, 8, LW, "a mapping past the file's end");
		munmap(p, 2 * pg);
	}
	if (fd >= 0)
		close(fd);
}

/* Read-only memory registered for reading: RDMA READ takes from it. */
static void read_only_source(void)
{
	struct hwqnic_mr *ro = NULL;
	struct u_qp_cfg cfg;
	struct u_pair p;
	struct u_buf dst;
	struct hwqnic_sge s;
	const char *why = "setup failed";
	uint8_t *src;
	uint64_t seed = 7;

	src = map(2 * pg, PROT_READ | PROT_WRITE);
	if (!ok(src != NULL, "two pages to become read-only"))
		return;
	u_fill_rand(src, 2 * pg, &seed);
	mprotect(src, 2 * pg, PROT_READ);
	u_qp_cfg_default(&cfg);
	memset(&dst, 0, sizeof(dst));
	if (!u_pair_create(&p, dev.pd, &cfg)) {
		ro = hwqnic_reg_mr(dev.pd, src, 2 * pg,
				   HWQNIC_ACCESS_REMOTE_READ);
		ok(ro != NULL, "read-only memory registered with REMOTE_READ");
		if (ro && !u_buf_alloc(&dst, dev.pd, 2 * pg, U_RC_ACCESS)) {
			s = u_sge(&dst, 0, 2 * pg);
			why = u_post_send(p.a.qp, HWQNIC_WR_RDMA_READ, 1, &s, 1,
					  HWQNIC_SEND_SIGNALED,
					  (uintptr_t)src, ro->rkey, 0) ?
			      "post failed" :
			      u_expect_wc(p.a.scq, 1, HWQNIC_WC_SUCCESS,
					  HWQNIC_WC_RDMA_READ, 2 * pg, 0,
					  NULL);
			if (!why && memcmp(dst.p, src, 2 * pg))
				why = "data differs";
		}
		ok_why(why, "RDMA READ from it");
		u_buf_free(&dst);
		if (ro)
			ok(!hwqnic_dereg_mr(ro), "deregistered");
		u_pair_destroy(&p);
	} else {
		ok(0, "RC pair");
	}
	munmap(src, 2 * pg);
}

/* The /proc/self/maps check, as kernels before 5.14 get it. */
static void maps_check(void)
{
	uintptr_t a;
	uint8_t *p = map(4 * pg, PROT_READ | PROT_WRITE);
	int stack;

	if (!ok(p && !munmap(p + 3 * pg, pg) &&
		!mprotect(p + pg, pg, PROT_READ) &&
		!mprotect(p + 2 * pg, pg, PROT_NONE),
		"pages: read-write, read-only, none, unmapped"))
		return;
	a = (uintptr_t)p;
	ok(!hwqnic_mem_check_maps(a, a + pg, true), "maps: read-write page, write");
	ok(!hwqnic_mem_check_maps(a, a + 2 * pg, false),
	   "maps: read-write and read-only pages, read");
	ok(hwqnic_mem_check_maps(a, a + 2 * pg, true) == -EFAULT,
	   "maps: read-write and read-only pages, write: -EFAULT");
	ok(hwqnic_mem_check_maps(a + pg, a + 3 * pg, false) == -EFAULT,
	   "maps: a PROT_NONE page: -EFAULT");
	ok(hwqnic_mem_check_maps(a + 3 * pg, a + 4 * pg, false) == -EFAULT,
	   "maps: an unmapped page: -EFAULT");
	a = (uintptr_t)&stack & ~(uintptr_t)(pg - 1);
	ok(!hwqnic_mem_check_maps(a, a + pg, true), "maps: the stack, write");
	munmap(p, 3 * pg);
}

static void suite(void)
{
	pg = sysconf(_SC_PAGESIZE);
	if (!ok(!u_dev_open(&dev), "device open"))
		return;
	bad_memory();
	read_only_source();
	maps_check();
	ok(!u_dev_close(&dev), "device closed");
}

int main(void)
{
	return u_backends(U_BACKENDS, suite);
}
