/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The device: limits, the tables that map QPNs, CQ handles and MR keys to
 * objects, protection domains, the doorbell page, and what the backend
 * (hwqnic.ko or libhwqnic) plugs in.
 */
#ifndef _HWQNIC_DEV_H
#define _HWQNIC_DEV_H

#include <hwqnic/verbs.h>
#include "hwq.h"

#define HWQNIC_MAX_QP		4096
#define HWQNIC_MAX_QP_WR	32768
#define HWQNIC_MAX_SGE		16
#define HWQNIC_MAX_INLINE	512
#define HWQNIC_MAX_CQ		4096
#define HWQNIC_MAX_CQE		(1U << 20)
#define HWQNIC_MAX_MR		65536
#define HWQNIC_MAX_PD		65536
#define HWQNIC_MAX_RD_ATOM	16
#define HWQNIC_MAX_AH		4096
#define HWQNIC_MTU		4096
#define HWQNIC_MAX_MSG		(1U << 31)
#define HWQNIC_FIRST_QPN	16	/* QPNs below are never handed out */

struct hwqnic_dev;
struct hwqnic_core_cq;
struct hwqnic_core_qp;
struct hwqnic_core_ah;
struct hwqnic_port_ops;
struct hwqnic_wire_counters;

struct hwqnic_dev_ops {
	/* where QP qpn's counters live (zeroed); called under dev->lock */
	struct hwqnic_qp_counters *(*qp_counters)(struct hwqnic_dev *dev,
						   u32 qpn);
	/*
	 * where QP qpn's wire counters live (zeroed), for a device with a
	 * port; NULL (or no op): not counted. Called under dev->lock.
	 */
	struct hwqnic_qp_wire_counters *(*qp_wire_counters)(
		struct hwqnic_dev *dev, u32 qpn);
	/* an armed CQ got its event; called by the engine, must not sleep */
	void (*cq_event)(struct hwqnic_dev *dev, struct hwqnic_core_cq *cq);
	/* a poller took an error completion of qp (under the CQ lock) */
	void (*qp_error)(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp);
	/* enum hwqnic_event_type on a CQ or QP handle; must not sleep */
	void (*async_event)(struct hwqnic_dev *dev, u32 type, u32 handle);
	/* the copy stage for payloads (ranges may overlap); NULL: memmove */
	void (*copy)(struct hwqnic_dev *dev, void *dst, const void *src,
		     size_t len);
};

/* An id space: a bitmap of ids in use and where to look next. */
struct hwqnic_ids {
	unsigned long *map;
	u32 n;
	u32 hint;
};

/*
 * A doorbell slot the engine reads on every pass, so that its host skips
 * the pending and summary bits (see struct hwqnic_db_page).
 */
#define HWQNIC_POLLED_MAX	32
#define HWQNIC_POLLED_IDLE	(1U << 14)	/* passes without a change */

struct hwqnic_polled {
	u64 val;			/* the slot's value last taken */
	u32 slot;
	u32 idle;			/* passes since it changed */
	const void *next_wqe;		/* SQ drained: the slot it rings next */
};

struct hwqnic_core_pd {
	u32 pdn;
	u32 users;		/* MRs and QPs; under dev->lock */
};

struct hwqnic_dev {
	struct hwqnic_osdev od;
	const struct hwqnic_dev_ops *ops;
	u32 id;				/* names the device in trace events */
	struct hwqnic_core_qp **qp;	/* [qpn - HWQNIC_FIRST_QPN] */
	struct hwqnic_core_cq **cq;	/* [handle] */
	struct hwqnic_core_mr **mr;	/* [key >> 8] */
	u8 *mr_gen;			/* key's low byte, bumped per reuse */
	struct hwqnic_core_ah **ah;	/* [handle - 1] */
	struct hwqnic_ids pd_ids, qp_ids, cq_ids, mr_ids, ah_ids;
	struct hwqnic_ids db_ids;	/* doorbell slots */
	u32 cq_serial;			/* CQs created so far */
	struct hwqnic_db_page *dbp;
	dma_addr_t dbp_dma;
	size_t dbp_size;		/* 0: dbp is mapped, not ours */
	struct hwqnic_engine_counters *estats;	/* the backend's, or NULL */
	/*
	 * The host side of every object runs in a process (hwqnic.ko's
	 * contexts): it posts, polls, resets and cleans there, and this
	 * device keeps no host state of its own.
	 */
	bool user_host;
	/* the port (port.h), or NULL: this device's own QPs only */
	const struct hwqnic_port_ops *port;
	void *port_priv;
	struct hwqnic_wire_counters *wstats;	/* or NULL */
	/*
	 * The sampling control word a tracer writes (hwqnic/stats.h), read
	 * by the posters at each draw; NULL: every WR (hwqnic.ko's own).
	 */
	const __u32 *sample_ctl;
	/*
	 * Guards the tables and every object's NIC-side state. The engine
	 * holds it while it works, so an object the control path has
	 * removed is never touched again. It starts the lines the engine
	 * writes on every pass: the fields above, which posters and pollers
	 * read, stay in their caches.
	 */
	hwqnic_lock_t lock ____cacheline_aligned;
	/* engine-private */
	struct hwqnic_core_qp **active;	/* QPs with send work or flushes */
	u32 nactive;
	struct hwqnic_polled polled[HWQNIC_POLLED_MAX];
	u32 npolled;
	u32 active_next;		/* where the next walk starts, or 0 */
	u64 pass_work;			/* the pass's work so far (engine.c) */
	u64 work_yielded;		/* pass_work when it last rescheduled */
	/*
	 * Fault injection: ns the engine waits per send WQE, 0: off. Beside
	 * the pass's count, in a line the engine has just written; set by
	 * libhwqnic at open only, never read in hwqnic.ko (osdep_kernel.h).
	 */
	u64 delay_ns;
	u64 rnr_next;			/* earliest RNR retry due, or 0 */
	u64 db_bad;			/* malformed doorbells ignored */
};

int hwqnic_dev_init(struct hwqnic_dev *dev, const struct hwqnic_dev_ops *ops,
		    u32 id);
int hwqnic_dev_init_dbp(struct hwqnic_dev *dev,
			const struct hwqnic_dev_ops *ops, u32 id,
			struct hwqnic_db_page *dbp);
void hwqnic_dev_fini(struct hwqnic_dev *dev);

void hwqnic_dev_query(struct hwqnic_device_attr *attr);

int hwqnic_pd_alloc(struct hwqnic_dev *dev, struct hwqnic_core_pd *pd);
int hwqnic_pd_free(struct hwqnic_dev *dev, struct hwqnic_core_pd *pd);

/* Ids and doorbell slots; callers hold dev->lock. */
int hwqnic_ids_get(struct hwqnic_ids *ids);
void hwqnic_ids_put(struct hwqnic_ids *ids, u32 nr);
int hwqnic_dev_db_pair(struct hwqnic_dev *dev, u32 *a, u32 *b, bool polled_a);
void hwqnic_dev_db_pair_put(struct hwqnic_dev *dev, u32 a, u32 b);
void hwqnic_dev_db_clear(struct hwqnic_dev *dev, u32 slot);

/* Entry i leaves the polled set and its byte is cleared; dev->lock held. */
static inline u32 hwqnic_dev_polled_drop(struct hwqnic_dev *dev, u32 i)
{
	u32 slot = dev->polled[i].slot;

	dev->polled[i] = dev->polled[--dev->npolled];
	WRITE_ONCE(dev->dbp->polled[slot], 0);
	return slot;
}

/* Host side: ring doorbell slot `slot` with `val`. */
void hwqnic_dev_ring(struct hwqnic_dev *dev, u32 slot, u64 val, bool notify);

#endif /* _HWQNIC_DEV_H */
