/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * roce_steer: the layouts shared by bpf/roce_steer.bpf.c, libhwqnic's
 * AF_XDP port (user/port_xdp.c) and whoever reads its maps (nictop,
 * `bpftool map dump`). Include <linux/types.h> first. Every field has a
 * fixed size and a name, so that bpftool prints the values field by field.
 *
 * Maps (BTF-typed):
 *   qp_steer    HASH    QPN (__u32) -> socket index (__u32)   the library's
 *   xsks        XSKMAP  socket index -> AF_XDP socket          the library's
 *   qp_stats    HASH    QPN (__u32) -> struct roce_steer_qp     per served QP
 *   port_stats  ARRAY   0 -> struct roce_steer_port             the netdev's
 */
#ifndef __ROCE_STEER_H
#define __ROCE_STEER_H

#define ROCE_STEER_UDP_PORT	4791
/* QPs one port serves (a device's QPN space) and sockets it may use */
#define ROCE_STEER_MAX_QP	4096
#define ROCE_STEER_MAX_XSK	64

/*
 * What one served QP received. The library makes the entry, zeroed, when
 * it steers the QP and deletes it when it stops: the program only adds
 * to entries that exist, so packets cannot grow the map.
 */
struct roce_steer_qp {
	__u64	rx_packets;		/* redirected to the QP's socket */
	__u64	rx_bytes;		/* their frames, Ethernet header on */
	__u64	drop_no_socket;		/* steered to a socket not there */
	__u64	drop_bad_bth;		/* BTH transport version not 0 */
};

/* What the program did with everything the netdev received. */
struct roce_steer_port {
	__u64	passed;			/* not RoCEv2: to the kernel */
	__u64	redirected;		/* RoCEv2 to a served QP's socket */
	__u64	drop_unknown_qp;	/* RoCEv2 to a QP nobody serves */
	__u64	drop_short;		/* UDP 4791 too short for a BTH */
};

#endif /* __ROCE_STEER_H */
