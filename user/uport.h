/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libhwqnic's ports: what puts an embedded device on a netdev. The netdev
 * (netdev.c) is read and addressed through rtnetlink; the port itself is
 * an AF_XDP socket fed by bpf/roce_steer.bpf.c (port_xdp.c) or, where that
 * cannot be had, a UDP socket on 4791 (port_udp.c). Either implements the
 * core's struct hwqnic_port_ops (kmod/core/port.h) for the engine.
 */
#ifndef _LIBHWQNIC_UPORT_H
#define _LIBHWQNIC_UPORT_H

#include <net/if.h>
#include <pthread.h>

#include "port.h"	/* the core's, kmod/core/port.h */

#define UPORT_GID_MAX	16

/*
 * A netdev, as the port opened it. The descriptors are made at open, in
 * the network namespace of the thread opening it, and every later query
 * goes through them: the device stays in that namespace whichever thread
 * asks.
 */
struct unetdev {
	char name[IFNAMSIZ];
	int ifindex;
	u8 mac[6];
	int nl_fd;		/* rtnetlink, under lock */
	int trig_fd;		/* UDP, to make the kernel resolve a neighbour */
	u32 seq;
	pthread_mutex_t lock;
};

/* The link as it is now. */
struct unetdev_link {
	bool up;		/* administratively up, carrier on */
	u32 mtu;		/* the netdev's (IP) MTU, bytes */
};

int hwqnic_netdev_open(struct unetdev *nd, const char *name);
void hwqnic_netdev_close(struct unetdev *nd);
int hwqnic_netdev_link(struct unetdev *nd, struct unetdev_link *link);
/*
 * The netdev's RoCEv2 GIDs: its IPv4 addresses (IPv4-mapped), then its
 * IPv6 ones, in the kernel's order, at most max; *n of them.
 */
int hwqnic_netdev_gids(struct unetdev *nd, u8 (*gids)[16], u32 max, u32 *n);
/*
 * The MAC of the next hop towards dgid through this netdev, from the
 * kernel's neighbour table; resolution is triggered when the entry is
 * missing, and waited for at most timeout_ms. -ENETUNREACH: no route
 * through this netdev; -EHOSTUNREACH: resolution failed; -ETIMEDOUT.
 */
int hwqnic_netdev_resolve(struct unetdev *nd, const u8 dgid[16], u8 mac[6],
			  u32 timeout_ms);

/* The IB MTU enum's bytes (256..4096) that fit in bytes of IP MTU, or 0. */
u32 hwqnic_mtu_fit(u32 ip_mtu);

enum uport_kind { UPORT_XDP = 1, UPORT_UDP = 2 };

/* A bound port: what the device's port_priv points at. */
struct uport {
	enum uport_kind kind;
	struct unetdev nd;
	/* the engine waits on it for received frames (hwqnic_os_engine_wait) */
	int rx_fd;
	u32 max_mtu, active_mtu;	/* bytes, at open */
	/* the largest IB MTU the port itself carries, whatever the netdev's */
	u32 cap_mtu;
	const struct hwqnic_port_ops *ops;
	void *impl;			/* port_xdp.c's or port_udp.c's */
	void (*impl_free)(void *impl);	/* its sockets, maps, memory */
	const char *why_not_xdp;	/* UDP chosen by itself: why */
	/* frames the port itself dropped: unsendable, or malformed */
	u64 tx_dropped, rx_dropped;
};

/*
 * A port on netdev, of the kind HWQNIC_PORT asks for (AF_XDP first when
 * it does not say), with no device: hwqnic_port_bind() (libhwqnic.h)
 * binds one to a device, and a test may drive its operations itself with
 * dev->port and dev->port_priv set. NULL, *err a negative errno and *why
 * a static sentence, when there is none.
 */
struct uport *hwqnic_port_open(const char *netdev, int *err,
			       const char **why);
void hwqnic_port_free(struct uport *p);

/*
 * Each kind's open: p->nd is open; fills in the rest or, failing, leaves
 * nothing behind and may say why in *why (a static sentence).
 */
int hwqnic_port_xdp_open(struct uport *p, const char **why);
int hwqnic_port_udp_open(struct uport *p, const char **why);

/* XDP port internals the tests reach (port_xdp.c): the program's fds. */
int hwqnic_port_xdp_fds(struct uport *p, int *prog_fd, int *qp_stats_fd,
			int *port_stats_fd);

#endif /* _LIBHWQNIC_UPORT_H */
