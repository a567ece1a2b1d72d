// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Binding an embedded device to a netdev: the port is AF_XDP where it can
 * be had and a UDP socket where not (HWQNIC_PORT=xdp|udp forces one); the
 * engine then sleeps on the port's descriptor too. The port answers
 * hwqnic_query_port() and hwqnic_query_gid() from the netdev as it is at
 * the time of asking, and resolves the MACs of destinations.
 */
#include <arpa/inet.h>
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
	/* the transport counts in the stats file: published as it counts */
	hwqnic_dev_set_port(&ctx->dev, p->ops, p, &ctx->stats->wire);
	hwqnic_stats_bound(ctx, p->nd.name);
	ctx->port = p;
	if (ctx->debug)
		fprintf(stderr, "hwqnic_open: %s on %s: %s port%s%s\n",
			ctx->name, p->nd.name, kind_name(p->kind),
			p->why_not_xdp ? ", as AF_XDP cannot be had: " : "",
			p->why_not_xdp ? p->why_not_xdp : "");
	return 0;
}

/*
 * HWQNIC_WIRE_COUNTERS=1: the transport's counters, one line on stderr as
 * the device closes, so that any tool's run on a netdev shows what the
 * wire did (retransmissions, duplicates, drops) without a tool of its own.
 * The engine has stopped: the counters are still.
 */
static void port_print_counters(const struct hwqnic_context *ctx,
				const struct uport *p)
{
	const struct hwqnic_wire_counters *c = &ctx->stats->wire;
	const char *env = getenv("HWQNIC_WIRE_COUNTERS");
	const struct {
		const char *name;
		u64 v;
	} f[] = {
		{ "tx_pkts", c->tx_pkts }, { "rx_pkts", c->rx_pkts },
		{ "tx_bytes", c->tx_bytes }, { "rx_bytes", c->rx_bytes },
		{ "retransmits", c->retransmits }, { "timeouts", c->timeouts },
		{ "seq_naks_sent", c->seq_naks_sent },
		{ "seq_naks_rcvd", c->seq_naks_rcvd },
		{ "rnr_naks_sent", c->rnr_naks_sent },
		{ "rnr_naks_rcvd", c->rnr_naks_rcvd },
		{ "dup_requests", c->dup_requests },
		{ "out_of_seq", c->out_of_seq }, { "tx_full", c->tx_full },
		{ "uc_dropped", c->uc_dropped },
		{ "uc_no_recv", c->uc_no_recv }, { "uc_rkey", c->uc_rkey },
	};
	size_t i;

	if (!env || strcmp(env, "1"))
		return;
	fprintf(stderr, "hwqnic: %s on %s: wire counters", ctx->name,
		p->nd.name);
	for (i = 0; i < ARRAY_SIZE(f); i++)
		fprintf(stderr, " %s %llu", f[i].name,
			(unsigned long long)f[i].v);
	for (i = HWQNIC_DROP_NONE + 1; i < HWQNIC_DROP_MAX; i++)
		fprintf(stderr, " drop_%s %llu", hwqnic_drop_str(i),
			(unsigned long long)c->drops[i]);
	fputc('\n', stderr);
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
	/* a child's copy of the counters is the parent's at fork */
	if (!uctx_forked(ctx))
		port_print_counters(ctx, p);
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
	/* the netdev's MTU now, which may have changed since the open */
	attr->active_mtu = min_t(u32, attr->max_mtu, p->cap_mtu);
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

/* How long an address vector waits for the neighbour table. */
#define AV_RESOLVE_MS	2000

static bool gid_v4(const u8 gid[16])
{
	static const u8 mapped[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(gid, mapped, sizeof(mapped));
}

/* A GID as its address, for a message. */
static const char *gid_str(const u8 gid[16], char *buf, size_t len)
{
	if (gid_v4(gid))
		return inet_ntop(AF_INET, gid + 12, buf, len) ?: "?";
	return inet_ntop(AF_INET6, gid, buf, len) ?: "?";
}

int hwqnic_av_path(struct hwqnic_context *ctx, const char *fn,
		   const struct hwqnic_ah_attr *av, u32 lqpn, u32 rqpn,
		   struct hwqnic_path *path, bool *wire)
{
	/* copied once: the caller's memory may change under us */
	struct hwqnic_ah_attr a = *av;
	u8 gids[UPORT_GID_MAX][16];
	char dbuf[INET6_ADDRSTRLEN];
	u32 n, i;
	int rc;

#define AV_WHY(err, ...)						\
	(ctx->debug ? hwqnic_debug_err(fn, (err), __VA_ARGS__) : (err))
	*wire = false;
	if (a.port_num != 1)
		return AV_WHY(EINVAL, "ah_attr.port_num %u: the device has "
			      "port 1", a.port_num);
	if (!a.is_global)
		return 0;
	gid_str(a.grh.dgid.raw, dbuf, sizeof(dbuf));
	if (ctx->be == &hwqnic_kernel_backend)
		return AV_WHY(EOPNOTSUPP, "dgid %s names another node, and "
			      "the kernel backend puts no QP on a wire", dbuf);
	if (!ctx->port)
		return AV_WHY(EINVAL, "dgid %s names another node, and %s is "
			      "bound to no netdev (hwqnic_open_netdev())",
			      dbuf, ctx->name);
	rc = hwqnic_netdev_gids(&ctx->port->nd, gids, UPORT_GID_MAX, &n);
	if (rc)
		return AV_WHY(-rc, "%s: cannot read the netdev's addresses",
			      ctx->name);
	if (a.grh.sgid_index >= n)
		return AV_WHY(EINVAL, "ah_attr.grh.sgid_index %u: the GID "
			      "table has %u entries", a.grh.sgid_index, n);
	for (i = 0; i < n; i++)
		if (!memcmp(gids[i], a.grh.dgid.raw, 16))
			return 0;
	if (gid_v4(gids[a.grh.sgid_index]) != gid_v4(a.grh.dgid.raw))
		return AV_WHY(EINVAL, "sgid_index %u is an %s GID and dgid %s "
			      "an %s one", a.grh.sgid_index,
			      gid_v4(gids[a.grh.sgid_index]) ? "IPv4" : "IPv6",
			      dbuf, gid_v4(a.grh.dgid.raw) ? "IPv4" : "IPv6");
	if (a.grh.flow_label > 0xfffff)
		return AV_WHY(EINVAL, "ah_attr.grh.flow_label %#x: 20 bits",
			      a.grh.flow_label);
	memset(path, 0, sizeof(*path));
	rc = hwqnic_port_resolve(ctx, a.grh.dgid.raw, path->smac, path->dmac,
				 AV_RESOLVE_MS);
	if (rc == -ETIMEDOUT)
		return AV_WHY(EHOSTUNREACH, "dgid %s: its MAC not resolved "
			      "within %u ms", dbuf, AV_RESOLVE_MS);
	if (rc)
		return AV_WHY(EHOSTUNREACH, "dgid %s: %s", dbuf,
			      rc == -ENETUNREACH ? "no route through the netdev" :
			      rc == -EHOSTUNREACH ? "the neighbour table says it "
			      "is unreachable" : "the neighbour table cannot be "
			      "read");
	memcpy(path->sgid, gids[a.grh.sgid_index], 16);
	memcpy(path->dgid, a.grh.dgid.raw, 16);
	path->tclass = a.grh.traffic_class;
	path->hop_limit = a.grh.hop_limit ? a.grh.hop_limit : 64;
	path->flow_label = a.grh.flow_label;
	path->sport = hwqnic_udp_sport(lqpn, rqpn);
	*wire = true;
	return 0;
#undef AV_WHY
}
