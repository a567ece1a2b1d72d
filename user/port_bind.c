// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Binding an embedded device to a netdev: the port is AF_XDP where it can
 * be had and a UDP socket where not (HWQNIC_PORT=xdp|udp forces one); the
 * engine then sleeps on the port's descriptor too. The port answers
 * hwqnic_query_port() and hwqnic_query_gid() from the netdev as it is at
 * the time of asking, and resolves the MACs of destinations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "libhwqnic.h"
#include "uport.h"

#define PORT_ENV_WHY	"HWQNIC_PORT takes xdp or udp"

/* HWQNIC_PORT: 0 (either, XDP first), UPORT_XDP or UPORT_UDP; -1: bad. */
static int port_env(void)
{
	const char *env = getenv("HWQNIC_PORT");

	if (!env || !*env)
		return 0;
	if (!strcmp(env, "xdp"))
		return UPORT_XDP;
	if (!strcmp(env, "udp"))
		return UPORT_UDP;
	return -1;
}

static const char *kind_name(enum uport_kind kind)
{
	return kind == UPORT_XDP ? "AF_XDP" : "UDP socket";
}

struct uport *hwqnic_port_open(const char *netdev, int *err,
			       const char **why)
{
	int want = port_env(), rc;
	struct uport *p;

	*why = NULL;
	if (want < 0) {
		*why = PORT_ENV_WHY;
		*err = -EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	rc = hwqnic_netdev_open(&p->nd, netdev);
	if (rc) {
		free(p);
		*why = rc == -ENODEV ? "no netdev of that name" :
		       rc == -EINVAL ? "not a netdev name" :
		       rc == -EPROTONOSUPPORT ? "the netdev is not Ethernet" :
		       "cannot read the netdev through rtnetlink";
		*err = rc == -EPROTONOSUPPORT ? -EOPNOTSUPP : rc;
		return NULL;
	}
	rc = -EPERM;
	if (want != UPORT_UDP) {
		rc = hwqnic_port_xdp_open(p, why);
		/* forced, or the netdev is another program's: no fallback */
		if (rc && (want == UPORT_XDP || rc == -EBUSY))
			goto fail;
		p->why_not_xdp = rc ? *why : NULL;
	}
	if (rc) {
		rc = hwqnic_port_udp_open(p, why);
		if (rc)
			goto fail;
	}
	return p;
fail:
	hwqnic_netdev_close(&p->nd);
	free(p);
	*err = rc;
	return NULL;
}

void hwqnic_port_free(struct uport *p)
{
	p->impl_free(p->impl);
	hwqnic_netdev_close(&p->nd);
	free(p);
}

int hwqnic_port_bind(struct hwqnic_context *ctx, const char *netdev)
{
	struct uport *p;
	int rc, efd;

	p = hwqnic_port_open(netdev, &rc, &ctx->open_why);
	if (!p)
		return rc;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		rc = -errno;
		ctx->open_why = "cannot make the engine's eventfd";
		hwqnic_port_free(p);
		return rc;
	}
	ctx->dev.od.port_fd = p->rx_fd;
	ctx->dev.od.wake_efd = efd;
	ctx->dev.od.port_wait = true;
	hwqnic_dev_set_port(&ctx->dev, p->ops, p, &p->counters);
	ctx->port = p;
	if (ctx->debug)
		fprintf(stderr, "hwqnic_open: %s on %s: %s port%s%s\n",
			ctx->name, p->nd.name, kind_name(p->kind),
			p->why_not_xdp ? ", as AF_XDP cannot be had: " : "",
			p->why_not_xdp ? p->why_not_xdp : "");
	return 0;
}

/*
 * After the engine stopped: the port, its sockets, program and maps. In a
 * child holding an inherited context it frees the child's copies only:
 * it closes descriptors and unmaps, and the parent's link, sockets and
 * maps live on (the XDP link detaches when its last descriptor closes).
 */
void hwqnic_port_unbind(struct hwqnic_context *ctx)
{
	struct uport *p = ctx->port;

	if (!p)
		return;
	hwqnic_port_free(p);
	close(ctx->dev.od.wake_efd);
	ctx->dev.od.port_wait = false;
	ctx->port = NULL;
}

int hwqnic_port_query(struct hwqnic_context *ctx,
		      struct hwqnic_port_attr *attr)
{
	struct uport *p = ctx->port;
	struct unetdev_link link;
	u8 gids[UPORT_GID_MAX][16];
	u32 n;
	int rc;

	rc = hwqnic_netdev_link(&p->nd, &link);
	if (!rc)
		rc = hwqnic_netdev_gids(&p->nd, gids, UPORT_GID_MAX, &n);
	if (rc)
		return rc;
	attr->state = link.up ? HWQNIC_PORT_ACTIVE : HWQNIC_PORT_DOWN;
	attr->max_mtu = hwqnic_mtu_fit(link.mtu);
	/* the netdev's MTU may have shrunk since the port was opened */
	attr->active_mtu = min_t(u32, attr->max_mtu, p->active_mtu);
	attr->gid_tbl_len = n;
	attr->link_layer = HWQNIC_LINK_LAYER_ETHERNET;
	attr->port_type = p->kind == UPORT_XDP ? HWQNIC_PORT_TYPE_XDP :
						 HWQNIC_PORT_TYPE_UDP;
	return 0;
}

int hwqnic_port_gid(struct hwqnic_context *ctx, int index,
		    union hwqnic_gid *gid, u32 *len)
{
	u8 gids[UPORT_GID_MAX][16];
	int rc;

	rc = hwqnic_netdev_gids(&ctx->port->nd, gids, UPORT_GID_MAX, len);
	if (rc)
		return rc;
	if (index < 0 || (u32)index >= *len)
		return -EINVAL;
	memcpy(gid->raw, gids[index], 16);
	return 0;
}

int hwqnic_port_resolve(struct hwqnic_context *ctx, const u8 dgid[16],
			u8 smac[6], u8 dmac[6], u32 timeout_ms)
{
	if (!ctx->port)
		return -ENODEV;
	memcpy(smac, ctx->port->nd.mac, 6);
	return hwqnic_netdev_resolve(&ctx->port->nd, dgid, dmac, timeout_ms);
}
