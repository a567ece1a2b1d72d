// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The UDP-socket port: the fallback where AF_XDP cannot be had (no root,
 * no XDP). One dual-stack socket bound to 4791 on the netdev. The kernel
 * writes the IP and UDP headers, so a frame goes out from its BTH on, its
 * addresses, traffic class and hop limit passed beside it, and its ICRC
 * made again for the headers the kernel writes: the socket's own source
 * port and, DF set on an unconnected socket, IPv4 id 0. A datagram
 * received gets an Ethernet, IP and UDP header rebuilt in front of it
 * from its addresses, so that the core's one parser and ICRC check see
 * what the AF_XDP port would give them.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libhwqnic.h"
#include "uport.h"

#define UDP_TX_BUFS	64		/* frames lent or queued at once */
#define UDP_RX_BATCH	32
/* room for the rebuilt Ethernet, IP and UDP headers */
#define UDP_RX_HEAD	(HWQNIC_ETH_HLEN + HWQNIC_IPV6_HLEN + HWQNIC_UDP_HLEN)
#define UDP_CMSG_LEN	(CMSG_SPACE(sizeof(struct in6_pktinfo)) + \
			 2 * CMSG_SPACE(sizeof(int)))

struct udp_tx {
	struct sockaddr_in6 to;
	struct iovec iov;
	union {
		char buf[UDP_CMSG_LEN];
		struct cmsghdr align;
	} cmsg;
};

struct udp_port {
	int fd;
	u8 *tx_bufs;			/* UDP_TX_BUFS of HWQNIC_FRAME_MAX */
	u8 *tx_free[UDP_TX_BUFS];	/* a stack */
	u32 nfree;
	u32 nqueued;
	u8 *queued[UDP_TX_BUFS];
	struct udp_tx tx[UDP_TX_BUFS];
	struct mmsghdr tx_msgs[UDP_TX_BUFS];
	u8 *rx_bufs;			/* UDP_RX_BATCH of UDP_RX_HEAD + MAX */
	struct sockaddr_in6 rx_from[UDP_RX_BATCH];
	struct iovec rx_iov[UDP_RX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} rx_cmsg[UDP_RX_BATCH];
	struct mmsghdr rx_msgs[UDP_RX_BATCH];
	struct uport *port;
};

static struct udp_port *udp_of(struct hwqnic_dev *dev)
{
	return ((struct uport *)dev->port_priv)->impl;
}

static u8 *udp_rx_buf(struct udp_port *u, u32 i)
{
	return u->rx_bufs + (size_t)i * (UDP_RX_HEAD + HWQNIC_FRAME_MAX);
}

static u8 *udp_tx_frame(struct hwqnic_dev *dev)
{
	struct udp_port *u = udp_of(dev);

	return u->nfree ? u->tx_free[--u->nfree] : NULL;
}

static void put_cmsg(struct msghdr *m, struct cmsghdr **c, int level,
		     int type, const void *data, size_t len)
{
	(*c)->cmsg_level = level;
	(*c)->cmsg_type = type;
	(*c)->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(*c), data, len);
	m->msg_controllen += CMSG_SPACE(len);
	*c = (struct cmsghdr *)((char *)*c + CMSG_SPACE(len));
}

/*
 * Where frame (len bytes, as the transport built it) goes and what the
 * kernel is to put in the headers it writes; its UDP source port and IPv4
 * id become those the kernel writes and its ICRC is made again. False: a
 * frame this port cannot send (not RoCEv2 as hwqnic builds it).
 */
static bool udp_prepare(struct uport *p, u8 *frame, u32 len,
			struct udp_tx *t, struct msghdr *m)
{
	u16 proto = frame[12] << 8 | frame[13];
	bool v6 = proto == 0x86dd;
	u32 l3 = HWQNIC_ETH_HLEN;
	u32 l4 = l3 + (v6 ? HWQNIC_IPV6_HLEN : HWQNIC_IPV4_HLEN);
	u32 bth = l4 + HWQNIC_UDP_HLEN, icrc;
	struct in6_pktinfo pi6 = { .ipi6_ifindex = p->nd.ifindex };
	struct in_pktinfo pi = { .ipi_ifindex = p->nd.ifindex };
	struct cmsghdr *c = (void *)t->cmsg.buf;
	int tclass, hops;

	if (len < bth + HWQNIC_BTH_LEN + HWQNIC_ICRC_LEN ||
	    (!v6 && proto != 0x0800))
		return false;
	memset(&t->to, 0, sizeof(t->to));
	t->to.sin6_family = AF_INET6;
	t->to.sin6_port = htons(HWQNIC_ROCE_UDP_PORT);
	m->msg_control = c;
	m->msg_controllen = 0;
	if (v6) {
		if (frame[l3] >> 4 != 6)
			return false;
		tclass = (frame[l3] & 0x0f) << 4 | frame[l3 + 1] >> 4;
		hops = frame[l3 + 7];
		memcpy(pi6.ipi6_addr.s6_addr, frame + l3 + 8, 16);
		memcpy(t->to.sin6_addr.s6_addr, frame + l3 + 24, 16);
		if (IN6_IS_ADDR_LINKLOCAL(&t->to.sin6_addr))
			t->to.sin6_scope_id = p->nd.ifindex;
		put_cmsg(m, &c, IPPROTO_IPV6, IPV6_PKTINFO, &pi6, sizeof(pi6));
		put_cmsg(m, &c, IPPROTO_IPV6, IPV6_TCLASS, &tclass,
			 sizeof(tclass));
		put_cmsg(m, &c, IPPROTO_IPV6, IPV6_HOPLIMIT, &hops,
			 sizeof(hops));
	} else {
		if (frame[l3] != 0x45)
			return false;
		tclass = frame[l3 + 1];
		hops = frame[l3 + 8];
		memcpy(&pi.ipi_spec_dst, frame + l3 + 12, 4);
		t->to.sin6_addr.s6_addr[10] = 0xff;
		t->to.sin6_addr.s6_addr[11] = 0xff;
		memcpy(t->to.sin6_addr.s6_addr + 12, frame + l3 + 16, 4);
		/* an IPv4 destination takes IPv4's ancillary data */
		put_cmsg(m, &c, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
		put_cmsg(m, &c, IPPROTO_IP, IP_TOS, &tclass, sizeof(tclass));
		put_cmsg(m, &c, IPPROTO_IP, IP_TTL, &hops, sizeof(hops));
		frame[l3 + 4] = frame[l3 + 5] = 0;	/* the id */
	}
	frame[l4] = HWQNIC_ROCE_UDP_PORT >> 8;
	frame[l4 + 1] = HWQNIC_ROCE_UDP_PORT & 0xff;
	icrc = hwqnic_icrc(frame + l3, len - l3 - HWQNIC_ICRC_LEN, v6);
	icrc = cpu_to_le32(icrc);
	memcpy(frame + len - HWQNIC_ICRC_LEN, &icrc, HWQNIC_ICRC_LEN);
	t->iov.iov_base = frame + bth;
	t->iov.iov_len = len - bth;
	m->msg_name = &t->to;
	m->msg_namelen = sizeof(t->to);
	m->msg_iov = &t->iov;
	m->msg_iovlen = 1;
	m->msg_flags = 0;
	return true;
}

static void udp_tx_queue(struct hwqnic_dev *dev, u8 *frame, u32 len)
{
	struct uport *p = dev->port_priv;
	struct udp_port *u = p->impl;
	u32 i = u->nqueued;

	if (len && len <= HWQNIC_FRAME_MAX &&
	    udp_prepare(p, frame, len, &u->tx[i], &u->tx_msgs[i].msg_hdr)) {
		u->queued[u->nqueued++] = frame;
		return;
	}
	if (len)
		u->port->tx_dropped++;
	u->tx_free[u->nfree++] = frame;
}

/*
 * What the socket takes now goes; what it does not (its buffer is full)
 * waits for the next flush. A frame it refuses (EMSGSIZE, no route) is
 * dropped, as a link would: the transport retransmits.
 */
static void udp_tx_flush(struct hwqnic_dev *dev)
{
	struct udp_port *u = udp_of(dev);
	u32 done = 0, i;
	int n;

	while (done < u->nqueued) {
		n = sendmmsg(u->fd, u->tx_msgs + done, u->nqueued - done,
			     MSG_DONTWAIT);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == ENOBUFS))
			break;
		u->port->tx_dropped++;
		done++;
	}
	for (i = 0; i < done; i++)
		u->tx_free[u->nfree++] = u->queued[i];
	u->nqueued -= done;
	memmove(u->queued, u->queued + done, u->nqueued * sizeof(u8 *));
	memmove(u->tx, u->tx + done, u->nqueued * sizeof(u->tx[0]));
	/* the moved messages point into their own entries: point them again */
	for (i = 0; i < u->nqueued; i++) {
		struct msghdr *m = &u->tx_msgs[i].msg_hdr;

		*m = u->tx_msgs[i + done].msg_hdr;
		m->msg_name = &u->tx[i].to;
		m->msg_iov = &u->tx[i].iov;
		m->msg_control = u->tx[i].cmsg.buf;
	}
}

/* The IPv4 header checksum, for a rebuilt header that looks received. */
static u16 ip_csum(const u8 *h)
{
	u32 sum = 0;

	for (int i = 0; i < HWQNIC_IPV4_HLEN; i += 2)
		sum += h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * Ethernet, IP and UDP headers in front of the datagram at buf +
 * UDP_RX_HEAD, as they were on the wire, but for the variant fields the
 * ICRC does not cover and the source MAC, which the socket never saw.
 * Returns where the frame starts.
 */
static u8 *udp_rebuild(struct uport *p, u8 *buf, u32 dlen,
		       const struct sockaddr_in6 *from,
		       const struct in6_pktinfo *to, u32 *flen)
{
	bool v4 = IN6_IS_ADDR_V4MAPPED(&from->sin6_addr);
	u32 l3len = v4 ? HWQNIC_IPV4_HLEN : HWQNIC_IPV6_HLEN;
	u8 *f = buf + UDP_RX_HEAD - HWQNIC_UDP_HLEN - l3len - HWQNIC_ETH_HLEN;
	u8 *ip = f + HWQNIC_ETH_HLEN, *udp = ip + l3len;

	memcpy(f, p->nd.mac, 6);
	memset(f + 6, 0, 6);
	put16(f + 12, v4 ? 0x0800 : 0x86dd);
	memset(ip, 0, l3len);
	if (v4) {
		ip[0] = 0x45;
		put16(ip + 2, HWQNIC_IPV4_HLEN + HWQNIC_UDP_HLEN + dlen);
		put16(ip + 6, 0x4000);			/* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, from->sin6_addr.s6_addr + 12, 4);
		memcpy(ip + 16, to->ipi6_addr.s6_addr + 12, 4);
		put16(ip + 10, ip_csum(ip));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, HWQNIC_UDP_HLEN + dlen);
		ip[6] = IPPROTO_UDP;
		ip[7] = 64;
		memcpy(ip + 8, from->sin6_addr.s6_addr, 16);
		memcpy(ip + 24, to->ipi6_addr.s6_addr, 16);
	}
	memcpy(udp, &from->sin6_port, 2);
	put16(udp + 2, HWQNIC_ROCE_UDP_PORT);
	put16(udp + 4, HWQNIC_UDP_HLEN + dlen);
	udp[6] = udp[7] = 0;
	*flen = HWQNIC_ETH_HLEN + l3len + HWQNIC_UDP_HLEN + dlen;
	return f;
}

static u32 udp_rx_poll(struct hwqnic_dev *dev, u32 budget,
		       void (*rx)(struct hwqnic_dev *dev, const u8 *frame,
				  u32 len))
{
	struct uport *p = dev->port_priv;
	struct udp_port *u = p->impl;
	u32 seen = 0, handed = 0, flen;
	int n, i;

	while (seen < budget) {
		u32 want = min_t(u32, budget - seen, UDP_RX_BATCH);

		for (i = 0; i < (int)want; i++) {
			struct msghdr *m = &u->rx_msgs[i].msg_hdr;

			m->msg_name = &u->rx_from[i];
			m->msg_namelen = sizeof(u->rx_from[i]);
			m->msg_iov = &u->rx_iov[i];
			m->msg_iovlen = 1;
			m->msg_control = u->rx_cmsg[i].buf;
			m->msg_controllen = sizeof(u->rx_cmsg[i].buf);
			m->msg_flags = 0;
			u->rx_iov[i].iov_base = udp_rx_buf(u, i) + UDP_RX_HEAD;
			/* one byte more than a frame may carry: see MSG_TRUNC */
			u->rx_iov[i].iov_len = HWQNIC_FRAME_MAX -
					       HWQNIC_ETH_HLEN -
					       HWQNIC_IPV6_HLEN -
					       HWQNIC_UDP_HLEN + 1;
		}
		n = recvmmsg(u->fd, u->rx_msgs, want, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		seen += n;
		for (i = 0; i < n; i++) {
			struct msghdr *m = &u->rx_msgs[i].msg_hdr;
			struct in6_pktinfo to;
			struct cmsghdr *c;
			bool have_to = false;
			u32 dlen = u->rx_msgs[i].msg_len;
			u8 *f;

			for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
				if (c->cmsg_level == IPPROTO_IPV6 &&
				    c->cmsg_type == IPV6_PKTINFO &&
				    c->cmsg_len >= CMSG_LEN(sizeof(to))) {
					memcpy(&to, CMSG_DATA(c), sizeof(to));
					have_to = true;
				}
			if (!have_to || (m->msg_flags & MSG_TRUNC) ||
			    dlen >= u->rx_iov[i].iov_len ||
			    m->msg_namelen != sizeof(u->rx_from[i]) ||
			    IN6_IS_ADDR_V4MAPPED(&u->rx_from[i].sin6_addr) !=
			    IN6_IS_ADDR_V4MAPPED(&to.ipi6_addr)) {
				u->port->rx_dropped++;
				continue;
			}
			f = udp_rebuild(p, udp_rx_buf(u, i), dlen,
					&u->rx_from[i], &to, &flen);
			rx(dev, f, flen);
			handed++;
		}
		if (n < (int)want)
			break;
	}
	return handed;
}

/* One socket serves every QP: nothing to steer. */
static int udp_qp_steer(struct hwqnic_dev *dev, u32 qpn, bool on)
{
	(void)dev;
	(void)qpn;
	(void)on;
	return 0;
}

static const struct hwqnic_port_ops udp_ops = {
	.tx_frame = udp_tx_frame,
	.tx_queue = udp_tx_queue,
	.tx_flush = udp_tx_flush,
	.rx_poll = udp_rx_poll,
	.qp_steer = udp_qp_steer,
};

static void udp_free(void *impl)
{
	struct udp_port *u = impl;

	if (u->fd >= 0)
		close(u->fd);
	free(u->tx_bufs);
	free(u->rx_bufs);
	free(u);
}

int hwqnic_port_udp_open(struct uport *p, const char **why)
{
	struct sockaddr_in6 sa = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(HWQNIC_ROCE_UDP_PORT),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int off = 0, on = 1, pmtu = IP_PMTUDISC_DO;
	struct udp_port *u;
	struct unetdev_link link;
	u32 i;
	int rc;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->port = p;
	u->fd = -1;
	u->tx_bufs = malloc((size_t)UDP_TX_BUFS * HWQNIC_FRAME_MAX);
	u->rx_bufs = malloc((size_t)UDP_RX_BATCH *
			    (UDP_RX_HEAD + HWQNIC_FRAME_MAX));
	if (!u->tx_bufs || !u->rx_bufs) {
		rc = -ENOMEM;
		goto fail;
	}
	u->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (u->fd < 0) {
		rc = -errno;
		*why = "cannot make a UDP socket";
		goto fail;
	}
	/* DF on both families: no fragments, and IPv4 id 0 (see above) */
	if (setsockopt(u->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    setsockopt(u->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
		       sizeof(pmtu)) ||
	    setsockopt(u->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu,
		       sizeof(pmtu)) ||
	    setsockopt(u->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
		       sizeof(on))) {
		rc = -errno;
		*why = "cannot set the UDP socket's options";
		goto fail;
	}
	/* only the netdev's datagrams (needs no privilege since Linux 5.7) */
	if (setsockopt(u->fd, SOL_SOCKET, SO_BINDTODEVICE, p->nd.name,
		       strlen(p->nd.name))) {
		rc = -errno;
		*why = "cannot bind the UDP socket to the netdev";
		goto fail;
	}
	if (bind(u->fd, (void *)&sa, sizeof(sa))) {
		rc = -errno;
		*why = "UDP port 4791 is taken on the netdev";
		goto fail;
	}
	rc = hwqnic_netdev_link(&p->nd, &link);
	if (rc) {
		*why = "cannot read the netdev's MTU";
		goto fail;
	}
	p->max_mtu = p->active_mtu = hwqnic_mtu_fit(link.mtu);
	p->cap_mtu = HWQNIC_MTU;
	if (!p->max_mtu) {
		rc = -EMSGSIZE;
		*why = "the netdev's MTU is below RoCE's smallest (256)";
		goto fail;
	}
	for (i = 0; i < UDP_TX_BUFS; i++)
		u->tx_free[u->nfree++] = u->tx_bufs +
					 (size_t)i * HWQNIC_FRAME_MAX;
	p->kind = UPORT_UDP;
	p->ops = &udp_ops;
	p->impl = u;
	p->impl_free = udp_free;
	p->rx_fd = u->fd;
	return 0;
fail:
	udp_free(u);
	return rc;
}
