// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The AF_XDP port: one UMEM, an AF_XDP socket on the netdev's queue 0
 * (libxdp's xsk API; copy mode where the driver has no zero-copy, as
 * veth), and bpf/roce_steer.bpf.c attached as a bpf_link, which the kernel
 * detaches when its last descriptor closes: at close, or when the process
 * dies, even by SIGKILL. libxdp's own program is inhibited: it would take
 * every packet of the queue, ARP and TCP too; ours takes RoCEv2 packets to
 * the QPs this port steers and passes the rest to the kernel.
 *
 * The UMEM's first half is for receiving (the fill ring holds what the
 * kernel may write into), its second for sending. A frame is built in a
 * buffer of HWQNIC_FRAME_MAX bytes, which a 4 KiB chunk cannot promise, and
 * copied into a chunk when queued; the port's active MTU is the largest
 * whose frames a chunk holds, so the copy always fits.
 */
#include <linux/capability.h>
#include <linux/if_link.h>
#include <poll.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include "libhwqnic.h"
#include "uport.h"
#include "roce_steer.h"
#include "roce_steer.skel.h"

#define XDP_CHUNK	XSK_UMEM__DEFAULT_FRAME_SIZE	/* 4 KiB */
#define XDP_RX_CHUNKS	1024
#define XDP_TX_CHUNKS	1024
#define XDP_CHUNKS	(XDP_RX_CHUNKS + XDP_TX_CHUNKS)
#define XDP_STAGE	64		/* frames lent to the transport */
/* what the kernel leaves free in front of a received frame */
#define XDP_RX_HEADROOM	256		/* XDP_PACKET_HEADROOM */

struct xdp_port {
	struct roce_steer_bpf *skel;
	struct bpf_link *link;
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	int fd;
	u64 tx_free[XDP_TX_CHUNKS];	/* UMEM addresses, a stack */
	u32 ntx_free;
	u32 nlent;			/* staging buffers out */
	u8 *stage;			/* XDP_STAGE of HWQNIC_FRAME_MAX */
	u8 *stage_free[XDP_STAGE];
	u32 nstage_free;
	u32 tx_pending;			/* submitted since the last kick */
	struct uport *port;
};

static struct xdp_port *xdp_of(struct hwqnic_dev *dev)
{
	return ((struct uport *)dev->port_priv)->impl;
}

/* Chunks the kernel has sent go back on the free stack. */
static void xdp_reclaim(struct xdp_port *x)
{
	u32 idx, n, i;

	n = xsk_ring_cons__peek(&x->comp, XDP_TX_CHUNKS, &idx);
	for (i = 0; i < n; i++) {
		u64 addr = *xsk_ring_cons__comp_addr(&x->comp, idx + i);

		addr = xsk_umem__extract_addr(addr);
		/* the kernel's, but a stray address must not grow the stack */
		if (addr >= (u64)XDP_RX_CHUNKS * XDP_CHUNK &&
		    addr < (u64)XDP_CHUNKS * XDP_CHUNK &&
		    x->ntx_free < XDP_TX_CHUNKS)
			x->tx_free[x->ntx_free++] = addr;
	}
	if (n)
		xsk_ring_cons__release(&x->comp, n);
}

static u8 *xdp_tx_frame(struct hwqnic_dev *dev)
{
	struct xdp_port *x = xdp_of(dev);

	if (x->nlent >= x->ntx_free)
		xdp_reclaim(x);
	if (x->nlent >= x->ntx_free || !x->nstage_free)
		return NULL;
	x->nlent++;
	return x->stage_free[--x->nstage_free];
}

static void xdp_tx_queue(struct hwqnic_dev *dev, u8 *frame, u32 len)
{
	struct xdp_port *x = xdp_of(dev);
	struct xdp_desc *d;
	u32 idx;
	u64 addr;

	x->nlent--;
	x->stage_free[x->nstage_free++] = frame;
	if (!len)
		return;
	if (len > XDP_CHUNK || !x->ntx_free ||
	    xsk_ring_prod__reserve(&x->tx, 1, &idx) != 1) {
		x->port->tx_dropped++;
		return;
	}
	addr = x->tx_free[--x->ntx_free];
	memcpy(xsk_umem__get_data(x->area, addr), frame, len);
	d = xsk_ring_prod__tx_desc(&x->tx, idx);
	d->addr = addr;
	d->len = len;
	d->options = 0;
	xsk_ring_prod__submit(&x->tx, 1);
	x->tx_pending++;
}

/*
 * The need-wakeup kick. Copy mode sends in the system call, at most 32
 * frames a call (the kernel's batch; EAGAIN: call again): kicked until the
 * TX ring is empty, a bounded number of times, or until the kernel can
 * take no more for now (the next flush tries again).
 */
static void xdp_tx_flush(struct hwqnic_dev *dev)
{
	struct xdp_port *x = xdp_of(dev);
	u32 kicks = x->tx_pending / 32 + 2;

	if (!x->tx_pending)
		return;
	while (kicks-- && xsk_prod_nb_free(&x->tx, XDP_TX_CHUNKS) <
	       XDP_TX_CHUNKS && xsk_ring_prod__needs_wakeup(&x->tx)) {
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
		    errno != EINTR && errno != EAGAIN)
			break;		/* EBUSY, ENOBUFS: the kernel's full */
	}
	if (xsk_prod_nb_free(&x->tx, XDP_TX_CHUNKS) == XDP_TX_CHUNKS)
		x->tx_pending = 0;
	xdp_reclaim(x);
}

#define XDP_RX_BATCH	64

/* The chunks of handed frames back into the fill ring, each once. */
static void xdp_refill(struct xdp_port *x, const u64 *chunks, u32 n)
{
	u32 idx, i;

	if (xsk_ring_prod__reserve(&x->fill, n, &idx) != n) {
		x->port->rx_dropped += n;	/* cannot happen: one slot a chunk */
		return;
	}
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) = chunks[i];
	xsk_ring_prod__submit(&x->fill, n);
}

static u32 xdp_rx_poll(struct hwqnic_dev *dev, u32 budget,
		       void (*rx)(struct hwqnic_dev *dev, const u8 *frame,
				  u32 len))
{
	struct xdp_port *x = xdp_of(dev);
	u32 idx, n, i, nback, seen = 0, handed = 0;
	u64 back[XDP_RX_BATCH];

	while (seen < budget) {
		n = xsk_ring_cons__peek(&x->rx, min_t(u32, budget - seen,
						      XDP_RX_BATCH), &idx);
		if (!n)
			break;
		for (i = nback = 0; i < n; i++) {
			const struct xdp_desc *d =
				xsk_ring_cons__rx_desc(&x->rx, idx + i);
			u64 addr = xsk_umem__add_offset_to_addr(d->addr);
			u64 chunk = addr & ~(u64)(XDP_CHUNK - 1);
			u32 len = d->len;

			/* a received frame lies within one RX chunk */
			if (chunk >= (u64)XDP_RX_CHUNKS * XDP_CHUNK ||
			    addr + len > chunk + XDP_CHUNK) {
				x->port->rx_dropped++;
				continue;
			}
			rx(dev, xsk_umem__get_data(x->area, addr), len);
			back[nback++] = chunk;
		}
		xsk_ring_cons__release(&x->rx, n);
		xdp_refill(x, back, nback);
		seen += n;
		handed += nback;
	}
	/* copy mode fills the RX ring in the kernel's own time: ask it to */
	if (xsk_ring_prod__needs_wakeup(&x->fill))
		recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	return handed;
}

static int xdp_qp_steer(struct hwqnic_dev *dev, u32 qpn, bool on)
{
	struct xdp_port *x = xdp_of(dev);
	int steer = bpf_map__fd(x->skel->maps.qp_steer);
	int stats = bpf_map__fd(x->skel->maps.qp_stats);
	struct roce_steer_qp zero = { 0 };
	u32 sock = 0;

	if (!on) {
		bpf_map_delete_elem(steer, &qpn);
		bpf_map_delete_elem(stats, &qpn);
		return 0;
	}
	/* its counters first: the program counts only where both exist */
	if (bpf_map_update_elem(stats, &qpn, &zero, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(steer, &qpn, &sock, BPF_NOEXIST)) {
		int rc = -errno;

		if (rc != -EEXIST)
			bpf_map_delete_elem(stats, &qpn);
		return rc;
	}
	return 0;
}

static const struct hwqnic_port_ops xdp_ops = {
	.tx_frame = xdp_tx_frame,
	.tx_queue = xdp_tx_queue,
	.tx_flush = xdp_tx_flush,
	.rx_poll = xdp_rx_poll,
	.qp_steer = xdp_qp_steer,
};

/*
 * Loading and attaching need CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN):
 * asked first, so that a user without them gets the fallback quietly,
 * not libbpf's complaints on stderr.
 */
static bool xdp_capable(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = { 0 };
	u64 eff;

	if (syscall(SYS_capget, &h, d))
		return false;
	eff = d[0].effective | (u64)d[1].effective << 32;
	return (eff & 1ULL << CAP_NET_ADMIN) &&
	       (eff & (1ULL << CAP_SYS_ADMIN | 1ULL << CAP_BPF));
}

static void xdp_free(void *impl)
{
	struct xdp_port *x = impl;

	/* the program first: nothing is steered to a socket going away */
	bpf_link__destroy(x->link);
	if (x->xsk)
		xsk_socket__delete(x->xsk);
	if (x->umem)
		xsk_umem__delete(x->umem);
	roce_steer_bpf__destroy(x->skel);
	if (x->area)
		munmap(x->area, (size_t)XDP_CHUNKS * XDP_CHUNK);
	free(x->stage);
	free(x);
}

/* The RX chunks into the fill ring, the TX chunks onto the free stack. */
static int xdp_rings_init(struct xdp_port *x)
{
	u32 idx, i;

	if (xsk_ring_prod__reserve(&x->fill, XDP_RX_CHUNKS, &idx) !=
	    XDP_RX_CHUNKS)
		return -ENOSPC;
	for (i = 0; i < XDP_RX_CHUNKS; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) =
			(u64)i * XDP_CHUNK;
	xsk_ring_prod__submit(&x->fill, XDP_RX_CHUNKS);
	for (i = 0; i < XDP_TX_CHUNKS; i++)
		x->tx_free[x->ntx_free++] =
			(u64)(XDP_RX_CHUNKS + i) * XDP_CHUNK;
	for (i = 0; i < XDP_STAGE; i++)
		x->stage_free[x->nstage_free++] =
			x->stage + (size_t)i * HWQNIC_FRAME_MAX;
	return 0;
}

#define XSK_BUSY_WAIT_NS	(1000 * 1000 * 1000ULL)

/*
 * The socket on queue 0. The kernel lets go of a dead process's socket in
 * its own time: a queue still busy is asked again for a second, so that a
 * program killed and started again finds its queue.
 */
static int xsk_socket_create(struct uport *p, struct xdp_port *x,
			     const struct xsk_socket_config *cfg)
{
	u64 start = hwqnic_os_now_ns();
	int rc;

	for (;;) {
		rc = xsk_socket__create(&x->xsk, p->nd.name, 0, x->umem,
					&x->rx, &x->tx, cfg);
		if (rc != -EBUSY ||
		    hwqnic_os_now_ns() - start >= XSK_BUSY_WAIT_NS)
			return rc;
		poll(NULL, 0, 10);
	}
}

int hwqnic_port_xdp_open(struct uport *p, const char **why)
{
	struct xsk_umem_config ucfg = {
		.fill_size = XDP_RX_CHUNKS,
		.comp_size = XDP_TX_CHUNKS,
		.frame_size = XDP_CHUNK,
		.frame_headroom = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = XDP_RX_CHUNKS,
		.tx_size = XDP_TX_CHUNKS,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};
	size_t size = (size_t)XDP_CHUNKS * XDP_CHUNK;
	struct unetdev_link link;
	struct xdp_port *x;
	u32 key = 0;
	int rc, fd;

	if (!xdp_capable()) {
		*why = "AF_XDP needs CAP_NET_ADMIN and CAP_BPF";
		return -EPERM;
	}
	rc = hwqnic_netdev_link(&p->nd, &link);
	if (rc) {
		*why = "cannot read the netdev's MTU";
		return rc;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->port = p;
	x->stage = malloc((size_t)XDP_STAGE * HWQNIC_FRAME_MAX);
	x->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED)
		x->area = NULL;
	if (!x->stage || !x->area) {
		rc = -ENOMEM;
		goto fail;
	}
	x->skel = roce_steer_bpf__open_and_load();
	if (!x->skel) {
		rc = -errno;
		*why = "the kernel refuses bpf/roce_steer.bpf.o";
		goto fail;
	}
	rc = xsk_umem__create(&x->umem, x->area, size, &x->fill, &x->comp,
			      &ucfg);
	if (rc) {
		x->umem = NULL;
		*why = "cannot register the UMEM";
		goto fail;
	}
	rc = xsk_socket_create(p, x, &scfg);
	if (rc) {
		x->xsk = NULL;
		*why = "cannot bind an AF_XDP socket to the netdev's queue 0";
		goto fail;
	}
	x->fd = xsk_socket__fd(x->xsk);
	fd = x->fd;
	if (bpf_map_update_elem(bpf_map__fd(x->skel->maps.xsks), &key, &fd,
				BPF_ANY)) {
		rc = -errno;
		*why = "cannot put the AF_XDP socket in the program's map";
		goto fail;
	}
	rc = xdp_rings_init(x);
	if (rc) {
		*why = "cannot fill the UMEM's fill ring";
		goto fail;
	}
	x->link = bpf_program__attach_xdp(x->skel->progs.roce_steer,
					  p->nd.ifindex);
	if (!x->link) {
		rc = -errno;
		x->link = NULL;
		*why = rc == -EBUSY || rc == -EEXIST ?
		       "another XDP program is attached to the netdev" :
		       "cannot attach the XDP program to the netdev";
		goto fail;
	}
	p->max_mtu = hwqnic_mtu_fit(link.mtu);
	/* a received frame is what a chunk holds after the headroom */
	p->cap_mtu = hwqnic_mtu_fit(XDP_CHUNK - XDP_RX_HEADROOM -
				    HWQNIC_ETH_HLEN);
	p->active_mtu = min_t(u32, p->max_mtu, p->cap_mtu);
	if (!p->active_mtu) {
		rc = -EMSGSIZE;
		*why = "the netdev's MTU is below RoCE's smallest (256)";
		goto fail;
	}
	p->kind = UPORT_XDP;
	p->ops = &xdp_ops;
	p->impl = x;
	p->impl_free = xdp_free;
	p->rx_fd = x->fd;
	return 0;
fail:
	xdp_free(x);
	return rc;
}

int hwqnic_port_xdp_fds(struct uport *p, int *prog_fd, int *qp_stats_fd,
			int *port_stats_fd)
{
	struct xdp_port *x = p->impl;

	if (p->kind != UPORT_XDP)
		return -ENOENT;
	*prog_fd = bpf_program__fd(x->skel->progs.roce_steer);
	*qp_stats_fd = bpf_map__fd(x->skel->maps.qp_stats);
	*port_stats_fd = bpf_map__fd(x->skel->maps.port_stats);
	return 0;
}
