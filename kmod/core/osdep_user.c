// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Userspace device services for the core: libc memory with accounting. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <hwqnic/abi.h>
#include "osdep.h"

/* USDT semaphores: non-zero while a tracer is attached to the probe. */
#define HWQNIC_SEMAPHORE(name) \
	unsigned short hwqnic_##name##_semaphore \
	__attribute__((section(".probes"), used))
HWQNIC_SEMAPHORE(post);
HWQNIC_SEMAPHORE(db);
HWQNIC_SEMAPHORE(wqe);
HWQNIC_SEMAPHORE(cqe);
HWQNIC_SEMAPHORE(poll);
HWQNIC_SEMAPHORE(complete);

/* The probes' one site each (osdep_user.h), reached only while traced. */
hwqnic_os_cold void hwqnic_usdt_post(u32 dev, u32 qpn, u32 idx, u64 wr_id,
				     u32 opcode, u32 length)
{
	STAP_PROBE6(hwqnic, post, dev, qpn, idx, wr_id, opcode, length);
}

hwqnic_os_cold void hwqnic_usdt_db(u32 dev, u32 xid, u32 type, u32 index,
				   u32 epoch)
{
	STAP_PROBE5(hwqnic, db, dev, xid, type, index, epoch);
}

hwqnic_os_cold void hwqnic_usdt_wqe(u32 dev, u32 qpn, u32 idx, u64 wr_id,
				    u32 opcode, u32 length)
{
	STAP_PROBE6(hwqnic, wqe, dev, qpn, idx, wr_id, opcode, length);
}

hwqnic_os_cold void hwqnic_usdt_cqe(u32 dev, u32 qpn, u32 idx, u64 wr_id,
				    u32 opcode, u32 length, u32 status, u32 cq)
{
	STAP_PROBE8(hwqnic, cqe, dev, qpn, idx, wr_id, opcode, length, status,
		    cq);
}

hwqnic_os_cold void hwqnic_usdt_poll(u32 dev, u32 qpn, u32 idx, u64 wr_id,
				     u32 opcode, u32 length, u32 status, u32 cq)
{
	STAP_PROBE8(hwqnic, poll, dev, qpn, idx, wr_id, opcode, length, status,
		    cq);
}

hwqnic_os_cold void hwqnic_usdt_complete(u32 dev, u32 qpn, u32 opcode,
					 u32 status, u32 length, u64 post_ns,
					 u64 db_ns, u64 cqe_ns, u64 poll_ns)
{
	STAP_PROBE9(hwqnic, complete, dev, qpn, opcode, status, length,
		    post_ns, db_ns, cqe_ns, poll_ns);
}

/* Counts the attempt; false when fault injection says this one fails. */
static bool os_alloc_allowed(struct hwqnic_osdev *od)
{
	long n = __atomic_add_fetch(&od->nallocs, 1, __ATOMIC_RELAXED);
	long f = __atomic_load_n(&od->fail_at, __ATOMIC_RELAXED);

	return !f || n != f;
}

static void os_account(struct hwqnic_osdev *od, long delta)
{
	__atomic_add_fetch(&od->live_allocs, delta, __ATOMIC_RELAXED);
}

void *hwqnic_os_zalloc(struct hwqnic_osdev *od, size_t size)
{
	void *p;

	if (!os_alloc_allowed(od))
		return NULL;
	p = calloc(1, size ? size : 1);
	if (p)
		os_account(od, 1);
	return p;
}

void hwqnic_os_free(struct hwqnic_osdev *od, void *p)
{
	if (!p)
		return;
	free(p);
	os_account(od, -1);
}

void *hwqnic_os_dma_alloc(struct hwqnic_osdev *od, size_t size, size_t align,
			  dma_addr_t *dma)
{
	void *p;

	if (!size || !is_power_of_2(align) || !os_alloc_allowed(od))
		return NULL;
	if (align < sizeof(void *))
		align = sizeof(void *);
	if (posix_memalign(&p, align, size))
		return NULL;
	memset(p, 0, size);
	os_account(od, 1);
	*dma = hwqnic_os_va_to_dma(p);
	return p;
}

void hwqnic_os_dma_free(struct hwqnic_osdev *od, size_t size, void *va,
			dma_addr_t dma)
{
	(void)size;
	(void)dma;
	if (!va)
		return;
	free(va);
	os_account(od, -1);
}

void hwqnic_os_engine_wait(struct hwqnic_osdev *od, u32 *word, u32 val,
			   u64 timeout_ns)
{
	struct timespec ts = {
		.tv_sec = timeout_ns / 1000000000ULL,
		.tv_nsec = timeout_ns % 1000000000ULL,
	};

	struct pollfd pfd[2] = {
		{ .fd = od->port_fd, .events = POLLIN },
		{ .fd = od->wake_efd, .events = POLLIN },
	};
	u64 n;

	if (!od->port_wait) {
		syscall(SYS_futex, word, FUTEX_WAIT, val, &ts, NULL, 0);
		return;
	}
	/*
	 * The host bumps the word before it writes the eventfd, whose count
	 * stays until read: a wake between this look and ppoll() is kept.
	 */
	if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != val)
		return;
	ppoll(pfd, 2, &ts, NULL);
	if (pfd[1].revents & POLLIN)
		(void)!read(od->wake_efd, &n, sizeof(n));
}

void hwqnic_os_engine_wake(struct hwqnic_osdev *od, u32 *word)
{
	if (od->kernel_engine) {
		ioctl(od->wake_fd, HWQNIC_IOC_WAKE);
		return;
	}
	__atomic_add_fetch(word, 1, __ATOMIC_SEQ_CST);
	if (od->port_wait) {
		u64 one = 1;

		(void)!write(od->wake_efd, &one, sizeof(one));
		return;
	}
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/*
 * Slice-by-16: table k maps a byte to its CRC after k more zero bytes, so
 * sixteen bytes take sixteen independent lookups per step. The tables
 * (16 KiB) are computed once per process and only read after that.
 */
#define CRC32_POLY_LE	0xedb88320U
#define CRC32_SLICES	16

static u32 crc32_tab[CRC32_SLICES][256];
static pthread_once_t crc32_once = PTHREAD_ONCE_INIT;

static void crc32_init(void)
{
	u32 i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (CRC32_POLY_LE & -(c & 1));
		crc32_tab[0][i] = c;
	}
	for (j = 1; j < CRC32_SLICES; j++)
		for (i = 0; i < 256; i++) {
			c = crc32_tab[j - 1][i];
			crc32_tab[j][i] = (c >> 8) ^ crc32_tab[0][c & 0xff];
		}
}

/* Four bytes as a little-endian word, whatever the host's order. */
static inline u32 crc32_le_word(const u8 *b)
{
	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

#define CRC32_WORD(w, k)						\
	(crc32_tab[(k) + 3][(w) & 0xff] ^				\
	 crc32_tab[(k) + 2][((w) >> 8) & 0xff] ^			\
	 crc32_tab[(k) + 1][((w) >> 16) & 0xff] ^			\
	 crc32_tab[(k)][(w) >> 24])

u32 hwqnic_os_crc32_le(u32 crc, const void *p, size_t len)
{
	const u8 *b = p;
	u32 w0, w1, w2, w3;

	pthread_once(&crc32_once, crc32_init);
	for (; len >= 16; len -= 16, b += 16) {
		w0 = crc ^ crc32_le_word(b);
		w1 = crc32_le_word(b + 4);
		w2 = crc32_le_word(b + 8);
		w3 = crc32_le_word(b + 12);
		crc = CRC32_WORD(w0, 12) ^ CRC32_WORD(w1, 8) ^
		      CRC32_WORD(w2, 4) ^ CRC32_WORD(w3, 0);
	}
	while (len--)
		crc = (crc >> 8) ^ crc32_tab[0][(crc ^ *b++) & 0xff];
	return crc;
}
