/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * An in-memory wire for the transport's tests (selftests/lib/wire.c): two
 * core devices, each with a port whose frames go to the other's receive
 * queue, through a link that loses, duplicates, reorders, corrupts and
 * truncates them at seeded rates. Each side has one MR, one CQ, an RC QP
 * (whose peer is the other side's) and a UD QP with an address handle to
 * the other side's, and on demand a UC QP (w_uc_up()). Driven
 * synchronously: w_run() polls both engines.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_WIRE_H
#define _HWQNIC_SELFTESTS_LIB_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "mr.h"
#include "port.h"

#define W_QCAP		8192	/* frames a direction holds */

struct w_frame {
	u8 *f;
	u32 len;
};

struct w_link;

struct w_side {
	struct hwqnic_dev dev;
	struct hwqnic_core_pd pd;
	struct hwqnic_core_mr mr;
	struct hwqnic_core_cq cq;
	struct hwqnic_core_qp rc, ud, uc;
	bool has_uc;				/* uc was created */
	struct hwqnic_core_ah ah;		/* to the peer's UD QP */
	struct hwqnic_path path;		/* from here to the peer */
	u8 *mem;				/* the MR: len bytes */
	size_t len;
	struct hwqnic_qp_counters *counters;
	struct hwqnic_qp_wire_counters *wcounters;	/* each QP's share of wc */
	struct hwqnic_wire_counters wc;
	struct w_link *link;
	struct w_side *peer;
	struct w_frame q[W_QCAP];		/* frames on the way here */
	u32 qhead, qn;
	u32 lent;				/* tx_frame()s not yet queued */
	u32 steered;				/* QPs taking packets */
	/* QPNs another device on the netdev steers: qp_steer() -EEXIST */
	u32 taken_lo, taken_n;
};

/* Per million frames: what the link does to a frame. */
struct w_faults {
	u32 loss, dup, reorder, corrupt, trunc;
	bool down;				/* delivers nothing */
	u32 txq;	/* frames a side may have on the way; 0: W_QCAP */
};

struct w_link {
	struct w_side a, b;
	struct w_faults f;
	uint64_t seed;
	u64 frames, lost, dups, reordered, corrupted, truncated;
};

/* QP attributes w_connect() sets on both sides. */
struct w_conn {
	u8 mtu;			/* enum hwqnic_mtu */
	u8 timeout, retry_cnt, rnr_retry, min_rnr_timer, rd_atomic;
	u32 psn_a, psn_b;	/* the first PSN each side sends */
};

/* Both sides, each with an MR of len bytes; 0, or -1 when a step failed. */
int w_up(struct w_link *l, size_t len, uint64_t seed);
void w_down(struct w_link *l);
/* Both sides' paths IPv6 (fd00::1, fd00::2): before w_connect(), w_ud_up(). */
void w_ipv6(struct w_link *l);
/* Both RC QPs from RESET to RTS, each other's peer; 0 or -1. */
int w_connect(struct w_link *l, const struct w_conn *c);
/*
 * Both sides' UC QPs created (unless they are) and taken from RESET to
 * RTS, each other's peer, with ibv_uc_pingpong's masks: mtu, and the first
 * PSN each side sends.
 */
int w_uc_up(struct w_link *l, u8 mtu, u32 psn_a, u32 psn_b);
/* Frame k of those on the way to s taken off the wire (lost); 0 or -1. */
int w_unqueue(struct w_side *s, u32 k);
/* Both UD QPs to RTS with Q_Key qkey, and their address handles. */
int w_ud_up(struct w_link *l, u32 qkey);
/*
 * Engine passes on both sides until done(ctx) is true: true then, false
 * when the bound (passes, and u_timeout_ns() of time) ran out first.
 */
bool w_run(struct w_link *l, bool (*done)(void *ctx), void *ctx,
	   unsigned long max_passes);
/* Passes until neither engine has anything to do and no frame is queued. */
void w_settle(struct w_link *l);
/* Polls up to n CQEs of s's CQ into wc. */
int w_poll(struct w_side *s, struct hwqnic_wc *wc, int n);
/*
 * NULL if the device's wire counters are its QPs' summed (and its
 * received frames those its QPs took plus those dropped before or for want
 * of a QP), else what differs.
 */
const char *w_qp_sums(const struct w_side *s);
/* Where MR offset off of s is, as an address in the MR. */
static inline u64 w_addr(const struct w_side *s, size_t off)
{
	return (uintptr_t)(s->mem + off);
}

#endif /* _HWQNIC_SELFTESTS_LIB_WIRE_H */
