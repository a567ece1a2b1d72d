/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The port: what puts a device on a network. The backend supplies it (an
 * AF_XDP socket set or a UDP socket in libhwqnic; a test's in-memory wire)
 * and the engine drives it: the transport (req.c, resp.c, comp.c) builds
 * frames in buffers the port lends it and takes received frames from it,
 * all on the engine's thread, under dev->lock. A device without a port
 * (dev->port NULL) reaches only its own QPs, through shared memory, as
 * QPs with a local destination always do.
 */
#ifndef _HWQNIC_PORT_H
#define _HWQNIC_PORT_H

#include "wire.h"

struct hwqnic_port_ops {
	/*
	 * A buffer of HWQNIC_FRAME_MAX bytes to build one frame in, or
	 * NULL while the port's TX ring is full (the transport tries again
	 * on a later pass). Each buffer it returns goes back through
	 * tx_queue(), with len 0 if it went unused.
	 */
	u8 *(*tx_frame)(struct hwqnic_dev *dev);
	/* Queues the frame tx_frame() lent, len bytes from its Ethernet header. */
	void (*tx_queue)(struct hwqnic_dev *dev, u8 *frame, u32 len);
	/* Sends what is queued: the engine calls it at the end of a pass. */
	void (*tx_flush)(struct hwqnic_dev *dev);
	/*
	 * Hands up to budget received frames, one by one, to rx (the engine
	 * passes hwqnic_wire_rx()), and returns how many it handed. A frame
	 * is the port's again once rx returns.
	 */
	u32 (*rx_poll)(struct hwqnic_dev *dev, u32 budget,
		       void (*rx)(struct hwqnic_dev *dev, const u8 *frame,
				  u32 len));
	/*
	 * QP qpn now takes packets (on) or no longer does: steering, so that
	 * its packets reach this device. -EEXIST: another device on the same
	 * netdev serves that number (the core picks another). Control path,
	 * dev->lock held; may make a system call.
	 */
	int (*qp_steer)(struct hwqnic_dev *dev, u32 qpn, bool on);
};

/* struct hwqnic_wire_counters, the device's transport counters: verbs.h */
HWQNIC_STATIC_ASSERT(HWQNIC_DROP_MAX <= HWQNIC_DROP_SLOTS,
		     "every drop reason has a counter");

/*
 * Binds the device to a port: before any QP is created, and for the
 * device's lifetime. counters may be NULL.
 */
void hwqnic_dev_set_port(struct hwqnic_dev *dev,
			 const struct hwqnic_port_ops *ops, void *priv,
			 struct hwqnic_wire_counters *counters);

/*
 * QP qp's destination is another node, reached by path: from now on its
 * work goes on the wire, which needs a port. The library calls it with
 * the modify that takes the QP to RTR, once it has resolved the MAC;
 * dev->lock not held. -EINVAL for a QP that is not RC or is past RTR.
 */
int hwqnic_qp_set_path(struct hwqnic_dev *dev, struct hwqnic_core_qp *qp,
		       const struct hwqnic_path *path);

/*
 * Address handles: where a UD send goes, named by the handle its WQE
 * carries (struct hwqnic_send_wqe's ah; 0: a QP of this device).
 */
struct hwqnic_core_ah {
	u32 handle;
	struct hwqnic_core_pd *pd;
	struct hwqnic_path path;
};

int hwqnic_ah_create(struct hwqnic_dev *dev, struct hwqnic_core_ah *ah,
		     struct hwqnic_core_pd *pd, const struct hwqnic_path *path);
void hwqnic_ah_destroy(struct hwqnic_dev *dev, struct hwqnic_core_ah *ah);

/* One received frame, from rx_poll(): checked, then taken or dropped. */
void hwqnic_wire_rx(struct hwqnic_dev *dev, const u8 *frame, u32 len);

#endif /* _HWQNIC_PORT_H */
