/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The RC loopback rig that hwqperf and hwqload stand on: one hwqnic
 * device, its attributes, a PD; CQs and RC QPs made within the device's
 * limits and connected to each other in loopback on port 1. Functions
 * return 0 or an errno value (NULL and errno for the makers) and leave a
 * one-line message in rig->err; nothing here exits.
 *
 * The QP state walk is usable on its own, for any QP:
 * rig_rc_to_init(), rig_rc_to_rtr(), rig_rc_to_rts(), rig_ud_to_rts().
 */
#ifndef _HWQNIC_TOOLS_RIG_H
#define _HWQNIC_TOOLS_RIG_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <hwqnic/verbs.h>

/* What the rig's MRs and QPs allow: local write, remote write and read */
#define RIG_ACCESS	(HWQNIC_ACCESS_LOCAL_WRITE | \
			 HWQNIC_ACCESS_REMOTE_WRITE | \
			 HWQNIC_ACCESS_REMOTE_READ)

/* RC connection defaults, as perftest's */
#define RIG_MIN_RNR_TIMER	12
#define RIG_TIMEOUT		14
#define RIG_RETRY		7
#define RIG_RNR_RETRY		7
#define RIG_MAX_RD_ATOMIC	16

/* The operations hwqperf and hwqload move data with (--op, --ops) */
enum rig_op { RIG_SEND, RIG_WRITE, RIG_READ };
#define RIG_NOPS	(RIG_READ + 1)

/* An operation's work request and completion opcodes */
extern const enum hwqnic_wr_opcode rig_op_wr[RIG_NOPS];
extern const enum hwqnic_wc_opcode rig_op_wc[RIG_NOPS];

/* Its word: libhwqnic's name of its completion opcode ("send", ...) */
const char *rig_op_name(enum rig_op op);

/* The operation word s names; else the usage error "unknown WHAT ..." */
enum rig_op rig_op_parse(const char *what, const char *s);

struct rig {
	struct hwqnic_context *ctx;
	struct hwqnic_pd *pd;
	struct hwqnic_device_attr dev;
	struct hwqnic_port_attr port;
	const char *backend;	/* "embedded" or "kernel" */
	char err[160];		/* the last failure, one line */
};

/*
 * Opens the first device, queries it and port 1, which must be ACTIVE,
 * and allocates a PD. On failure what was made is released again.
 */
int rig_open(struct rig *rig);

/*
 * The same on a device bound to netdev (hwqnic_open_netdev()); NULL:
 * hwqnic_open()'s, which HWQNIC_NETDEV may bind.
 */
int rig_open_netdev(struct rig *rig, const char *netdev);

/*
 * Releases the PD and the device (those that exist), warning through
 * msg_warn() of each that fails; 0, or 1 if any failed.
 */
int rig_close(struct rig *rig);

/* A CQ of at least cqe entries, at most the device's max_cqe. */
struct hwqnic_cq *rig_cq(struct rig *rig, uint64_t cqe);

/*
 * An RC QP on the rig's PD with one SGE a WR, sq send and rq receive WRs
 * and max_inline bytes of inline data, refused unless the device grants
 * all of sq and rq.
 */
struct hwqnic_qp *rig_rc_qp(struct rig *rig, struct hwqnic_cq *scq,
			    struct hwqnic_cq *rcq, uint32_t sq, uint32_t rq,
			    uint32_t max_inline);

/*
 * RESET -> INIT -> RTR -> RTS, connected to dest_qpn on the same port:
 * the port's active MTU, RIG_ACCESS, RIG_* timers and retries, and the
 * device's max_qp_rd_atom (1 to RIG_MAX_RD_ATOMIC) reads in flight.
 */
int rig_rc_connect(struct rig *rig, struct hwqnic_qp *qp, uint32_t dest_qpn);

/* The path MTU for an MTU in bytes: the largest that fits, 256 at least */
enum hwqnic_mtu rig_mtu(uint32_t bytes);

/* The state walk: 0 or hwqnic_modify_qp()'s errno value. */
int rig_rc_to_init(struct hwqnic_qp *qp, unsigned int access);
int rig_rc_to_rtr(struct hwqnic_qp *qp, uint32_t dest_qpn,
		  enum hwqnic_mtu mtu, uint8_t min_rnr_timer,
		  uint8_t rd_atomic);
int rig_rc_to_rts(struct hwqnic_qp *qp, uint8_t timeout, uint8_t retry,
		  uint8_t rnr_retry, uint8_t rd_atomic);
int rig_ud_to_rts(struct hwqnic_qp *qp, uint32_t qkey);

/*
 * The same walk with a peer that the out-of-band exchange named (oob.h):
 * its QPN and first PSN, and its address vector (NULL: a QP of this
 * device); and this QP's first PSN.
 */
struct rig_dest {
	uint32_t qpn;
	uint32_t psn;
	const struct hwqnic_ah_attr *av;
};

int rig_rc_to_rtr_dest(struct hwqnic_qp *qp, const struct rig_dest *d,
		       enum hwqnic_mtu mtu, uint8_t min_rnr_timer,
		       uint8_t rd_atomic);
int rig_rc_to_rts_psn(struct hwqnic_qp *qp, uint32_t sq_psn,
		      uint8_t timeout, uint8_t retry, uint8_t rnr_retry,
		      uint8_t rd_atomic);
int rig_ud_to_rts_psn(struct hwqnic_qp *qp, uint32_t qkey, uint32_t sq_psn);
/*
 * A UC QP's walk, with ibv_uc_pingpong's masks: INIT as RC's
 * (rig_rc_to_init()), RTR with the path MTU, the peer's QPN, PSN and AV
 * only, RTS with the first PSN only (no ACKs: no timeout, retries or
 * READ resources).
 */
int rig_uc_to_rtr_dest(struct hwqnic_qp *qp, const struct rig_dest *d,
		       enum hwqnic_mtu mtu);
int rig_uc_to_rts_psn(struct hwqnic_qp *qp, uint32_t sq_psn);

/* An address vector to the GID dgid from this device's GID sgid_index */
void rig_av(struct hwqnic_ah_attr *av, const uint8_t dgid[16],
	    uint8_t sgid_index, uint8_t hop_limit);

/*
 * The two-process forms (hwqperf, hwqload): this device's GID at
 * gid_index, which the peer addresses; EINVAL unless the device is bound
 * to a netdev (an unbound device has no wire to a peer).
 */
int rig_local_gid(struct rig *rig, uint8_t gid_index, uint8_t gid[16]);

/*
 * An RC QP in INIT to RTR and RTS towards QP dest_qpn of another host,
 * the GID dgid, whose first PSN is dest_psn and whose port's active MTU
 * is peer_mtu bytes: the lesser of the two MTUs, RIG_* timers and
 * retries, the device's max_qp_rd_atom (1 to RIG_MAX_RD_ATOMIC); sq_psn
 * is this QP's first PSN.
 */
int rig_rc_connect_peer(struct rig *rig, struct hwqnic_qp *qp,
			const uint8_t dgid[16], uint8_t gid_index,
			uint32_t dest_qpn, uint32_t dest_psn,
			uint32_t peer_mtu, uint32_t sq_psn);

/*
 * A completion whose status is not `want` ends the tool (msg_die(), 1):
 * "completion error: status N (NAME), wr_id 0x.., qp N, vendor_err N"
 * and "; expected NAME" when want is not success.
 */
void rig_check_wc(const struct hwqnic_wc *wc, enum hwqnic_wc_status want);

/* A polling loop's idle passes in a row, for its stall watch */
struct rig_idle {
	uint64_t passes;
	uint64_t since;		/* CLOCK_MONOTONIC ns of the first */
};

/*
 * Counts one pass of a polling loop: 0 when it was busy, else the idle
 * passes in a row, this one included; the first notes the time in since.
 */
uint64_t rig_idle_pass(struct rig_idle *idle, bool busy);

/* CLOCK_MONOTONIC in ns: the tools' clock for runs and stalls */
static inline uint64_t rig_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif /* _HWQNIC_TOOLS_RIG_H */
