/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * The live counters of one open hwqnic device, published as a shared memory
 * file that other processes of the same user (and root) read (nictop,
 * tests):
 *
 *   /dev/shm/hwqnic.<pid>.<device name>            mode 0600
 *   /dev/shm/hwqnic.<pid>.<device name>.<XXXXXX>   when that name is taken
 *
 * The process that creates the file owns it and is the only one to remove
 * it, at close (a child after fork() never does); a file whose process
 * has died is removed by the next open of a device by the same user. The
 * name after the pid only makes the file's name unique: the device's name
 * is the one in the header.
 *
 * /dev/shm is writable by everyone, so a reader must take a file as
 * untrusted: open it without blocking or following a link, accept only a
 * regular file owned by the owner of the process it names (the uid of
 * /proc/<pid>), of exactly sizeof(struct hwqnic_stats_file) + max_qp *
 * sizeof(struct hwqnic_stats_qp) bytes with max_qp at most
 * HWQNIC_STATS_MAX_QP, copy it (read(2), never a mapping that another
 * process could shrink) and check the copy: magic, version, pid equal to
 * the name's, flags only those defined, reserved words zero, each slot's
 * qpn 0 or HWQNIC_QPN_BASE + its index (sample_ctl may hold anything:
 * it is a request, checked where it is used), and on a device bound to no
 * netdev (no HWQNIC_STATS_F_NETDEV) no netdev name and every wire counter
 * zero. The names are the writer's bytes: not terminated when full, not
 * promised to be printable or valid UTF-8.
 *
 * Version 2 added the wire counters (the header's flags, netdev and wire,
 * and each slot's w) and moved qp[]. A reader takes its own version only:
 * the file lives as long as its process and the library that wrote it is
 * the reader's own, so a version 1 file is a process still running an old
 * library, refused with a reason rather than shown without its wire
 * figures.
 *
 * Each counter has a single writer (the posting side under the QP lock, or
 * the engine) and is updated with relaxed 64-bit stores: a reader sees
 * each value whole (a copy, as whole as the kernel's copy of an aligned
 * word), not the set of values at one instant.
 */
#ifndef _HWQNIC_STATS_H
#define _HWQNIC_STATS_H

#include <linux/types.h>
#include <hwqnic/verbs.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HWQNIC_STATS_DIR	"/dev/shm"
#define HWQNIC_STATS_PREFIX	"hwqnic."
#define HWQNIC_STATS_MAGIC	0x73717768U	/* "hwqs" */
#define HWQNIC_STATS_VERSION	2	/* 2: the wire counters */
#define HWQNIC_STATS_MAX_QP	4096	/* max_qp never exceeds it */

struct hwqnic_stats_qp {
	__u32	qpn;		/* 0: slot unused */
	__u8	qp_type;	/* enum hwqnic_qp_type */
	__u8	state;		/* enum hwqnic_qp_state */
	__u16	rsvd0;
	__u32	send_cq;	/* CQ handles */
	__u32	recv_cq;
	__u32	rsvd1[12];	/* counters start on a cache line */
	struct hwqnic_qp_counters c;
	/* the engine's; all zero unless the file's HWQNIC_STATS_F_NETDEV */
	struct hwqnic_qp_wire_counters w;
};

HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_qp_counters) == 128 &&
		     sizeof(struct hwqnic_stats_qp) == 320,
		     "counter halves on cache lines of their own");

/* flags: the device is bound to a netdev (netdev names it) */
#define HWQNIC_STATS_F_NETDEV	(1U << 0)
#define HWQNIC_STATS_FLAGS	HWQNIC_STATS_F_NETDEV	/* all defined */

struct hwqnic_stats_file {
	__u32	magic;
	__u32	version;
	__u32	pid;
	__u32	max_qp;		/* entries in qp[] */
	char	comm[16];
	char	dev[32];
	struct hwqnic_engine_counters engine;
	__u32	flags;		/* HWQNIC_STATS_F_*, set before magic */
	__u32	sample_ctl;	/* a tracer's: HWQNIC_SAMPLE_CTL(period) */
	char	netdev[16];	/* F_NETDEV: the netdev's name, or zeros */
	__u64	rsvd1[3];
	/* the transport's, device-wide; all zero unless F_NETDEV */
	struct hwqnic_wire_counters wire;
	/* qp[i] describes QPN HWQNIC_QPN_BASE + i; __extension__: C++ has no
	 * flexible array member but g++ takes one, quietly even pedantic */
	__extension__ struct hwqnic_stats_qp qp[];
};

HWQNIC_STATIC_ASSERT(sizeof(struct hwqnic_stats_file) == 384,
		     "the wire counters on cache lines of their own");
HWQNIC_STATIC_ASSERT(__builtin_offsetof(struct hwqnic_stats_file,
					sample_ctl) == 84,
		     "the control word where docs/abi.md says");

#define HWQNIC_QPN_BASE		16	/* QPNs below are never handed out */

/*
 * The sampling control word, sample_ctl: how often a tracer of the
 * `complete` event wants it, written by the tracer (qplat) into the file
 * of the process it traces, read by that process's library only while
 * the event is traced (its USDT semaphore set), once per sampling
 * interval. Bits 31..24 are the word's version, 23..0 the period N: one
 * completion in N on average is sampled. 0 (no tracer ever wrote) and
 * every word that is not a version 1 word with 1 <= N <=
 * HWQNIC_SAMPLE_MAX mean N = 1, exact: every completion, as a library
 * that knows no sampling traces. The last writer wins.
 */
#define HWQNIC_SAMPLE_VERSION	1U
#define HWQNIC_SAMPLE_MAX	0xffffffU
#define HWQNIC_SAMPLE_CTL(n)	((HWQNIC_SAMPLE_VERSION << 24) | (__u32)(n))

/* The period a control word asks for: 1 unless it is a good word. */
static inline __u32 hwqnic_sample_period(__u32 word)
{
	__u32 n = word & HWQNIC_SAMPLE_MAX;

	return word >> 24 == HWQNIC_SAMPLE_VERSION && n ? n : 1;
}

#ifndef __KERNEL__
/*
 * The reader: libhwqnic's way of taking another process's stats file as
 * untrusted data (the rules above), for monitors such as nictop.
 */
#include <stddef.h>
#include <sys/types.h>

#define HWQNIC_STATS_COMM_LEN	(sizeof(((struct hwqnic_stats_file *)0)->comm) + 1)
#define HWQNIC_STATS_DEV_LEN	(sizeof(((struct hwqnic_stats_file *)0)->dev) + 1)
#define HWQNIC_STATS_NETDEV_LEN	(sizeof(((struct hwqnic_stats_file *)0)->netdev) + 1)
#define HWQNIC_STATS_WHY_LEN	128

/* The largest file a reader accepts: HWQNIC_STATS_MAX_QP slots. */
#define HWQNIC_STATS_MAX_SIZE	(sizeof(struct hwqnic_stats_file) + \
				 HWQNIC_STATS_MAX_QP * \
				 sizeof(struct hwqnic_stats_qp))

/* Why a file was refused; the first few mean it is not (yet) a device. */
enum hwqnic_stats_err {
	HWQNIC_STATS_OK,
	HWQNIC_STATS_ENAME,	/* not named hwqnic.<pid>.<...> */
	HWQNIC_STATS_EGONE,	/* the file or its process is gone */
	HWQNIC_STATS_EACCESS,	/* not ours to read (mode 0600) */
	HWQNIC_STATS_EUNREADY,	/* empty, or its magic not yet written */
	HWQNIC_STATS_ETYPE,	/* not a regular file, or linked twice */
	HWQNIC_STATS_EOWNER,	/* not owned by the process's owner */
	HWQNIC_STATS_ESIZE,	/* a size its header does not explain */
	HWQNIC_STATS_EREAD,	/* unreadable, or changed while read */
	HWQNIC_STATS_EFORMAT,	/* magic, version, pid, max_qp, flags or a slot */
	HWQNIC_STATS_ENOMEM,
};

/* A validated copy: nothing in it points into the file. */
struct hwqnic_stats {
	__u32	pid;
	__u32	max_qp;
	/* the writer's bytes, and a NUL */
	char	comm[HWQNIC_STATS_COMM_LEN];
	char	dev[HWQNIC_STATS_DEV_LEN];
	struct hwqnic_engine_counters engine;
	__u32	flags;			/* HWQNIC_STATS_F_* */
	__u32	sample_ctl;		/* as written: any value */
	char	netdev[HWQNIC_STATS_NETDEV_LEN];	/* bytes, and a NUL */
	struct hwqnic_wire_counters wire;
	unsigned int nqp;		/* the slots in use, by QPN */
	struct hwqnic_stats_qp *qp;
};

/* The pid in a name hwqnic.<pid>.<...>, or -1. */
int hwqnic_stats_name_pid(const char *name);

/* The owner of a process (the uid of /proc/<pid>): 0 or an errno value. */
int hwqnic_stats_pid_owner(int pid, uid_t *uid);

/*
 * Reads dfd/name, which must name a process owned by `owner`. Returns
 * HWQNIC_STATS_OK and fills *st (hwqnic_stats_free() it), or the refusal
 * with a sentence saying why in why[HWQNIC_STATS_WHY_LEN]. Never blocks,
 * never follows a symbolic link, never reads more than
 * HWQNIC_STATS_MAX_SIZE.
 */
int hwqnic_stats_read(int dfd, const char *name, uid_t owner,
		      struct hwqnic_stats *st, char *why);

/*
 * The checks on a file's content: len bytes copied from a file named for
 * `pid`. Same results as hwqnic_stats_read().
 */
int hwqnic_stats_parse(const void *buf, size_t len, __u32 pid,
		       struct hwqnic_stats *st, char *why);

void hwqnic_stats_free(struct hwqnic_stats *st);

/*
 * A tracer's request: writes HWQNIC_SAMPLE_CTL(period) into dfd/name,
 * the file of a process owned by `owner`, after the checks of
 * hwqnic_stats_read() on the file it opened (never blocking, never
 * following a link, never a file of another size or owner), with one
 * pwrite(2) of the word alone. period 0 writes 0: no request. Returns
 * HWQNIC_STATS_OK, or the refusal and why, as hwqnic_stats_read().
 */
int hwqnic_stats_set_sample(int dfd, const char *name, uid_t owner,
			    __u32 period, char *why);
#endif /* !__KERNEL__ */

#ifdef __cplusplus
}
#endif

#endif /* _HWQNIC_STATS_H */
