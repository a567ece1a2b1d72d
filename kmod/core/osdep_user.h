/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Userspace half of the osdep layer: the kernel names the core uses, mapped
 * onto libc, and the device services of libhwqnic's embedded backend.
 */
#ifndef _HWQNIC_OSDEP_USER_H
#define _HWQNIC_OSDEP_USER_H

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>

/* The kernel's own definitions: u64 is __u64 (unsigned long long) there too. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef __u64 dma_addr_t;

#define cpu_to_le16(x)	htole16(x)
#define cpu_to_le32(x)	htole32(x)
#define cpu_to_le64(x)	htole64(x)
#define le16_to_cpu(x)	le16toh(x)
#define le32_to_cpu(x)	le32toh(x)
#define le64_to_cpu(x)	le64toh(x)
#define cpu_to_be16(x)	htobe16(x)
#define cpu_to_be32(x)	htobe32(x)
#define cpu_to_be64(x)	htobe64(x)
#define be16_to_cpu(x)	be16toh(x)
#define be32_to_cpu(x)	be32toh(x)
#define be64_to_cpu(x)	be64toh(x)

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

#define smp_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_store_release(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define smp_load_acquire(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define xchg(p, v)	__atomic_exchange_n(p, v, __ATOMIC_SEQ_CST)
/* After set_bit(): a locked read-modify-write is a full barrier on x86. */
#if defined(__x86_64__) || defined(__i386__)
#define smp_mb__after_atomic()	__atomic_signal_fence(__ATOMIC_SEQ_CST)
#else
#define smp_mb__after_atomic()	smp_mb()
#endif
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define min_t(t, a, b)	((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define ____cacheline_aligned	__attribute__((aligned(64)))
/* a rare path, kept out of line and out of its caller's way */
#define hwqnic_os_cold		__attribute__((__noinline__, __cold__))

static inline void set_bit(unsigned int nr, unsigned long *addr)
{
	__atomic_fetch_or(addr + nr / 64, 1UL << (nr % 64), __ATOMIC_SEQ_CST);
}

static inline void prefetch(const void *p)
{
	__builtin_prefetch(p);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/*
 * Locks are held for short stretches and rarely contended: an uncontended
 * acquire is one exchange. A waiter spins a little, then yields, so
 * threads that outnumber the cores still make progress.
 */
typedef struct {
	int locked;
} hwqnic_lock_t;

static inline void hwqnic_lock_init(hwqnic_lock_t *l)
{
	l->locked = 0;
}

static inline void hwqnic_lock_destroy(hwqnic_lock_t *l)
{
	(void)l;
}

static inline void hwqnic_lock(hwqnic_lock_t *l)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			if (++spins < 128)
				cpu_relax();
			else
				sched_yield();
		}
	}
}

static inline void hwqnic_unlock(hwqnic_lock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline u64 hwqnic_os_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* RDMA atomics on memory the host may touch at the same time. */
static inline u64 hwqnic_os_cas64(u64 *p, u64 cmp, u64 swp)
{
	__atomic_compare_exchange_n(p, &cmp, swp, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return cmp;
}

static inline u64 hwqnic_os_faa64(u64 *p, u64 add)
{
	return __atomic_fetch_add(p, add, __ATOMIC_SEQ_CST);
}

/*
 * USDT probes, provider "hwqnic"; docs/tracepoints.md defines the
 * arguments. The semaphores keep an untraced probe site to one load and a
 * not-taken branch. Each probe has one site, in a function of its own
 * (osdep_user.c) that is called only while the probe is traced: every
 * hit of a probe finds its arguments in the same registers, typed as the
 * tracepoints' TP_PROTO types them, so that a tracer that has read them
 * from the probe's note loads them from the trap's saved registers
 * (bpf/usdt_args.h); none is left in memory, where it would cost a read
 * of user memory each hit.
 */
#define _SDT_HAS_SEMAPHORES 1
#define STAP_SDT_ARG_CONSTRAINT r
#include <sys/sdt.h>
#if defined(__x86_64__)
/*
 * A probe site is a 5-byte nop (nopl 0x0(%rax,%rax,1)) rather than
 * sdt.h's 1-byte one: a kernel that optimizes uprobes on such a nop
 * turns the probe into a call to its uprobe trampoline after the first
 * hit, which costs about a quarter less than the int3 trap (probecost
 * measures both). Tracers attach to it as to any site, and kernels
 * without the optimization trap it as before.
 */
#undef _SDT_NOP
#define _SDT_NOP	.nops 5
#endif

extern unsigned short hwqnic_post_semaphore, hwqnic_db_semaphore,
	hwqnic_wqe_semaphore, hwqnic_cqe_semaphore, hwqnic_poll_semaphore,
	hwqnic_complete_semaphore;

void hwqnic_usdt_post(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode,
		      u32 length);
void hwqnic_usdt_db(u32 dev, u32 xid, u32 type, u32 index, u32 epoch);
void hwqnic_usdt_wqe(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode,
		     u32 length);
void hwqnic_usdt_cqe(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode,
		     u32 length, u32 status, u32 cq);
void hwqnic_usdt_poll(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode,
		      u32 length, u32 status, u32 cq);
void hwqnic_usdt_complete(u32 dev, u32 qpn, u32 opcode, u32 status,
			  u32 length, u64 post_ns, u64 db_ns, u64 cqe_ns,
			  u64 poll_ns);

/* Whether a tracer is attached to the probe: to skip work only it needs. */
#define hwqnic_trace_enabled(name)	unlikely(hwqnic_##name##_semaphore)

/* Fires probe `name`, its site's function called only while traced. */
#define hwqnic_trace(name, ...) do {					\
	if (hwqnic_trace_enabled(name))					\
		hwqnic_usdt_##name(__VA_ARGS__);			\
} while (0)
#define hwqnic_trace_post(...)		hwqnic_trace(post, __VA_ARGS__)
#define hwqnic_trace_db(...)		hwqnic_trace(db, __VA_ARGS__)
#define hwqnic_trace_wqe(...)		hwqnic_trace(wqe, __VA_ARGS__)
#define hwqnic_trace_cqe(...)		hwqnic_trace(cqe, __VA_ARGS__)
#define hwqnic_trace_poll(...)		hwqnic_trace(poll, __VA_ARGS__)
#define hwqnic_trace_complete(...)	hwqnic_trace(complete, __VA_ARGS__)

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

static inline unsigned int ilog2(unsigned long n)
{
	return 8 * sizeof(n) - 1 - __builtin_clzl(n);
}

/*
 * Userspace DMA addresses are tagged virtual addresses: an IOVA with bit 62
 * set is never a canonical pointer, so code that confuses the two faults at
 * once instead of working by accident.
 */
#define HWQNIC_USER_IOVA_TAG	(1ULL << 62)

struct hwqnic_osdev {
	/* the engine is hwqnic.ko's: wake it with HWQNIC_IOC_WAKE on wake_fd */
	bool kernel_engine;
	/* the engine shares one CPU with the host: it yields (libhwqnic) */
	bool shared_cpu;
	int wake_fd;
	/*
	 * A port is bound (libhwqnic): the engine sleeps in poll(2) on
	 * port_fd, which is readable when frames arrived, and on wake_efd,
	 * an eventfd the host writes in place of the futex wake.
	 */
	bool port_wait;
	int port_fd, wake_efd;
	long live_allocs;	/* outstanding allocations of both kinds */
	long nallocs;		/* allocations attempted so far */
	long fail_at;		/* fault injection: fail attempt number fail_at (1-based); 0: off */
};

void *hwqnic_os_zalloc(struct hwqnic_osdev *od, size_t size);
void hwqnic_os_free(struct hwqnic_osdev *od, void *p);
void *hwqnic_os_dma_alloc(struct hwqnic_osdev *od, size_t size, size_t align,
			  dma_addr_t *dma);
void hwqnic_os_dma_free(struct hwqnic_osdev *od, size_t size, void *va,
			dma_addr_t dma);

static inline dma_addr_t hwqnic_os_va_to_dma(const void *va)
{
	return (dma_addr_t)(uintptr_t)va | HWQNIC_USER_IOVA_TAG;
}

static inline void *hwqnic_os_dma_va(struct hwqnic_osdev *od, dma_addr_t dma,
				     size_t len)
{
	u64 a = dma & ~HWQNIC_USER_IOVA_TAG;

	(void)od;
	if (!(dma & HWQNIC_USER_IOVA_TAG) || !a || !len || a + len < a ||
	    a + len > UINTPTR_MAX)
		return NULL;
	return (void *)(uintptr_t)a;
}

/*
 * The engine sleeps on a 32-bit word in the doorbell page until the host
 * changes it (a futex: works across processes sharing the page too), or,
 * with a port bound, until the word changes or a frame arrives.
 */
void hwqnic_os_engine_wait(struct hwqnic_osdev *od, u32 *word, u32 val,
			   u64 timeout_ns);
void hwqnic_os_engine_wake(struct hwqnic_osdev *od, u32 *word);

/*
 * Every 128 passes. An engine on the one CPU its host's poller also runs
 * on hands it the CPU, or both would spin a scheduler slice each in turn.
 */
static inline void hwqnic_os_engine_yield(struct hwqnic_osdev *od)
{
	if (od->shared_cpu)
		sched_yield();
}

/* Fault injection for tests: make allocation attempt `n` from now fail. */
static inline void hwqnic_os_fail_nth(struct hwqnic_osdev *od, long n)
{
	__atomic_store_n(&od->nallocs, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&od->fail_at, n, __ATOMIC_RELAXED);
}

/*
 * Fault injection: the engine's added delay per send WQE, in ns
 * (dev->delay_ns, which libhwqnic sets at open; engine.c).
 */
#define hwqnic_os_wqe_delay_ns(dev)	((dev)->delay_ns)

/*
 * CRC-32 (IEEE 802.3, reflected) of len bytes at p, continuing from crc,
 * as the kernel's crc32_le(): no inversion on the way in or out (the ICRC,
 * icrc.c, does those). Table-driven, sixteen bytes a step.
 */
u32 hwqnic_os_crc32_le(u32 crc, const void *p, size_t len);

static inline long hwqnic_os_live_allocs(struct hwqnic_osdev *od)
{
	return __atomic_load_n(&od->live_allocs, __ATOMIC_RELAXED);
}

#endif /* _HWQNIC_OSDEP_USER_H */
