// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A port's netdev through rtnetlink, by hand: its index, MAC, link state
 * and MTU (RTM_GETLINK), its addresses as RoCEv2 GIDs (RTM_GETADDR), and
 * the MAC of the next hop towards a GID (RTM_GETROUTE, then RTM_GETNEIGH),
 * as libibverbs resolves a RoCE address. Replies are the kernel's, but
 * each length is still checked before it is read.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libhwqnic.h"
#include "uport.h"

#define NL_BUF		32768
#define NL_WAIT_MS	1000

struct nl_req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rtm;
		struct ndmsg ndm;
	};
	char attrs[64];
};

static void nl_attr(struct nl_req *r, u16 type, const void *data, u16 len)
{
	struct rtattr *a = (void *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static void nl_init(struct nl_req *r, u16 type, u16 flags, size_t body)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(body);
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | flags;
}

/*
 * Sends r and hands each reply message to cb until the answer is whole:
 * one message, or a dump's NLMSG_DONE. 0, a kernel error (negative), or
 * what cb returned when not 0. nd->lock held.
 */
static int nl_talk(struct unetdev *nd, struct nl_req *r,
		   int (*cb)(const struct nlmsghdr *nh, void *arg), void *arg)
{
	bool dump = r->nh.nlmsg_flags & NLM_F_DUMP;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct pollfd pfd = { .fd = nd->nl_fd, .events = POLLIN };
	struct sockaddr_nl from;
	socklen_t from_len;
	int rc = 0, err;
	char *buf;
	ssize_t n;

	r->nh.nlmsg_seq = ++nd->seq;
	if (sendto(nd->nl_fd, r, r->nh.nlmsg_len, 0, (void *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	buf = malloc(NL_BUF);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (poll(&pfd, 1, NL_WAIT_MS) <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		from_len = sizeof(from);
		n = recvfrom(nd->nl_fd, buf, NL_BUF, MSG_DONTWAIT | MSG_TRUNC,
			     (void *)&from, &from_len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* any process may send to our port: only the kernel counts */
		if (n >= 0 && (from_len != sizeof(from) || from.nl_pid))
			continue;
		if (n < 0 || n > NL_BUF) {
			rc = n < 0 ? -errno : -EMSGSIZE;
			break;
		}
		for (struct nlmsghdr *nh = (void *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			/* an answer to an earlier request that timed out */
			if (nh->nlmsg_seq != r->nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				goto out;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(err))) {
					rc = -EPROTO;
					goto out;
				}
				memcpy(&err, NLMSG_DATA(nh), sizeof(err));
				rc = err > 0 ? -EPROTO : err;
				goto out;
			}
			if (!rc)
				rc = cb(nh, arg);
			if (!dump)
				goto out;
		}
	}
out:
	free(buf);
	return rc;
}

/* The attributes after a message body of len bytes: tb[type], or NULL. */
static void nl_parse(const struct nlmsghdr *nh, size_t len,
		     const struct rtattr **tb, unsigned int max)
{
	const struct rtattr *a;
	int left;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (nh->nlmsg_len < NLMSG_LENGTH(len))
		return;
	left = nh->nlmsg_len - NLMSG_LENGTH(len);
	for (a = (void *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(len));
	     RTA_OK(a, left); a = RTA_NEXT(a, left))
		if (a->rta_type <= max)
			tb[a->rta_type] = a;
}

/*
 * A reply of type type: its body (len bytes) copied to hdr, its
 * attributes into tb; false for another type or one too short.
 */
static bool nl_msg(const struct nlmsghdr *nh, u16 type, void *hdr,
		   size_t len, const struct rtattr **tb, unsigned int max)
{
	if (nh->nlmsg_type != type || nh->nlmsg_len < NLMSG_LENGTH(len))
		return false;
	memcpy(hdr, NLMSG_DATA(nh), len);
	nl_parse(nh, len, tb, max);
	return true;
}

static bool attr_is(const struct rtattr *a, size_t len)
{
	return a && RTA_PAYLOAD(a) == len;
}

struct link_reply {
	struct unetdev *nd;
	struct unetdev_link *link;
	bool init;			/* open: take index and MAC */
};

static int link_cb(const struct nlmsghdr *nh, void *arg)
{
	struct link_reply *lr = arg;
	const struct rtattr *tb[IFLA_MAX + 1];
	struct ifinfomsg ifi;
	u32 mtu;

	if (!nl_msg(nh, RTM_NEWLINK, &ifi, sizeof(ifi), tb, IFLA_MAX))
		return -EPROTO;
	if (!attr_is(tb[IFLA_MTU], sizeof(mtu)))
		return -EPROTO;
	memcpy(&mtu, RTA_DATA(tb[IFLA_MTU]), sizeof(mtu));
	if (lr->init) {
		/* RoCE is Ethernet: a MAC to put in every frame */
		if (ifi.ifi_type != ARPHRD_ETHER ||
		    !attr_is(tb[IFLA_ADDRESS], 6))
			return -EPROTONOSUPPORT;
		lr->nd->ifindex = ifi.ifi_index;
		memcpy(lr->nd->mac, RTA_DATA(tb[IFLA_ADDRESS]), 6);
	} else if (ifi.ifi_index != lr->nd->ifindex) {
		return -ENODEV;		/* the name is another netdev's now */
	}
	lr->link->up = (ifi.ifi_flags & IFF_UP) &&
		       (ifi.ifi_flags & IFF_RUNNING);
	lr->link->mtu = mtu;
	return 0;
}

static int get_link(struct unetdev *nd, struct unetdev_link *link, bool init)
{
	struct link_reply lr = { nd, link, init };
	struct nl_req r;
	int rc;

	nl_init(&r, RTM_GETLINK, 0, sizeof(r.ifi));
	r.ifi.ifi_family = AF_UNSPEC;
	r.ifi.ifi_index = init ? 0 : nd->ifindex;
	if (init)
		nl_attr(&r, IFLA_IFNAME, nd->name, strlen(nd->name) + 1);
	pthread_mutex_lock(&nd->lock);
	rc = nl_talk(nd, &r, link_cb, &lr);
	pthread_mutex_unlock(&nd->lock);
	return rc;
}

int hwqnic_netdev_link(struct unetdev *nd, struct unetdev_link *link)
{
	return get_link(nd, link, false);
}

int hwqnic_netdev_open(struct unetdev *nd, const char *name)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct unetdev_link link;
	int off = 0, rc;

	memset(nd, 0, sizeof(*nd));
	nd->nl_fd = nd->trig_fd = -1;
	if (!*name || strlen(name) >= IFNAMSIZ || strchr(name, '/'))
		return -EINVAL;
	snprintf(nd->name, sizeof(nd->name), "%s", name);
	rc = -pthread_mutex_init(&nd->lock, NULL);
	if (rc)
		return rc;
	nd->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nd->nl_fd < 0 || bind(nd->nl_fd, (void *)&sa, sizeof(sa)))
		goto fail_errno;
	/* dual-stack: one socket reaches IPv4-mapped and IPv6 next hops */
	nd->trig_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC |
			     SOCK_NONBLOCK, 0);
	if (nd->trig_fd < 0 ||
	    setsockopt(nd->trig_fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		       sizeof(off)))
		goto fail_errno;
	rc = get_link(nd, &link, true);
	if (rc == -ENODEV || rc == -EINVAL)
		rc = -ENODEV;	/* the kernel's answer to an unknown name */
	if (!rc)
		return 0;
	hwqnic_netdev_close(nd);
	return rc;
fail_errno:
	rc = -errno;
	hwqnic_netdev_close(nd);
	return rc;
}

void hwqnic_netdev_close(struct unetdev *nd)
{
	if (nd->nl_fd >= 0)
		close(nd->nl_fd);
	if (nd->trig_fd >= 0)
		close(nd->trig_fd);
	nd->nl_fd = nd->trig_fd = -1;
	pthread_mutex_destroy(&nd->lock);
}

static void gid_from_v4(u8 gid[16], const void *v4)
{
	memset(gid, 0, 10);
	gid[10] = gid[11] = 0xff;
	memcpy(gid + 12, v4, 4);
}

static bool gid_is_v4(const u8 gid[16])
{
	static const u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(gid, prefix, sizeof(prefix));
}

struct addr_reply {
	struct unetdev *nd;
	u8 (*gids)[16];
	u32 max, n;
	int family;			/* this pass's */
};

static int addr_cb(const struct nlmsghdr *nh, void *arg)
{
	struct addr_reply *ar = arg;
	const struct rtattr *tb[IFA_MAX + 1], *a;
	struct ifaddrmsg ifa;
	u32 flags;

	if (!nl_msg(nh, RTM_NEWADDR, &ifa, sizeof(ifa), tb, IFA_MAX) ||
	    (int)ifa.ifa_index != ar->nd->ifindex ||
	    ifa.ifa_family != ar->family || ar->n >= ar->max)
		return 0;
	flags = ifa.ifa_flags;
	if (attr_is(tb[IFA_FLAGS], sizeof(flags)))
		memcpy(&flags, RTA_DATA(tb[IFA_FLAGS]), sizeof(flags));
	/* an address the kernel does not answer for yet, or never will */
	if (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return 0;
	if (ifa.ifa_family == AF_INET) {
		a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
		if (!attr_is(a, 4))
			return 0;
		gid_from_v4(ar->gids[ar->n++], RTA_DATA(a));
	} else {
		a = tb[IFA_ADDRESS];
		if (!attr_is(a, 16))
			return 0;
		memcpy(ar->gids[ar->n++], RTA_DATA(a), 16);
	}
	return 0;
}

int hwqnic_netdev_gids(struct unetdev *nd, u8 (*gids)[16], u32 max, u32 *n)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct addr_reply ar = { nd, gids, max, 0, 0 };
	struct nl_req r;
	int rc = 0;

	pthread_mutex_lock(&nd->lock);
	for (unsigned int i = 0; i < ARRAY_SIZE(families) && !rc; i++) {
		nl_init(&r, RTM_GETADDR, NLM_F_DUMP, sizeof(r.ifa));
		r.ifa.ifa_family = families[i];
		ar.family = families[i];
		rc = nl_talk(nd, &r, addr_cb, &ar);
	}
	pthread_mutex_unlock(&nd->lock);
	*n = ar.n;
	return rc;
}

/* An IP address: 4 or 16 bytes, and the family they are of. */
struct ipaddr {
	int family;
	u8 a[16];
	u16 len;
};

static void ipaddr_of_gid(struct ipaddr *ip, const u8 gid[16])
{
	memset(ip, 0, sizeof(*ip));
	if (gid_is_v4(gid)) {
		ip->family = AF_INET;
		ip->len = 4;
		memcpy(ip->a, gid + 12, 4);
	} else {
		ip->family = AF_INET6;
		ip->len = 16;
		memcpy(ip->a, gid, 16);
	}
}

struct route_reply {
	struct unetdev *nd;
	struct ipaddr *hop;		/* in: the destination; out: next hop */
};

static int route_cb(const struct nlmsghdr *nh, void *arg)
{
	struct route_reply *rr = arg;
	const struct rtattr *tb[RTA_MAX + 1];
	struct rtmsg rtm;
	int oif;

	if (!nl_msg(nh, RTM_NEWROUTE, &rtm, sizeof(rtm), tb, RTA_MAX))
		return -EPROTO;
	if (rtm.rtm_type != RTN_UNICAST || !attr_is(tb[RTA_OIF], sizeof(oif)))
		return -ENETUNREACH;
	memcpy(&oif, RTA_DATA(tb[RTA_OIF]), sizeof(oif));
	if (oif != rr->nd->ifindex)
		return -ENETUNREACH;
	if (attr_is(tb[RTA_GATEWAY], rr->hop->len))
		memcpy(rr->hop->a, RTA_DATA(tb[RTA_GATEWAY]), rr->hop->len);
	return 0;
}

#define NUD_VALID_MAC	(NUD_REACHABLE | NUD_STALE | NUD_DELAY | \
			 NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

struct neigh_reply {
	u8 *mac;
	u16 state;
};

static int neigh_cb(const struct nlmsghdr *nh, void *arg)
{
	struct neigh_reply *nr = arg;
	const struct rtattr *tb[NDA_MAX + 1];
	struct ndmsg ndm;

	if (!nl_msg(nh, RTM_NEWNEIGH, &ndm, sizeof(ndm), tb, NDA_MAX))
		return -EPROTO;
	nr->state = ndm.ndm_state;
	if ((ndm.ndm_state & NUD_VALID_MAC) && attr_is(tb[NDA_LLADDR], 6))
		memcpy(nr->mac, RTA_DATA(tb[NDA_LLADDR]), 6);
	else if (ndm.ndm_state & NUD_VALID_MAC)
		nr->state = NUD_NONE;	/* no Ethernet address to use */
	return 0;
}

/*
 * The kernel resolves a neighbour when it has something to send it: an
 * empty datagram to the discard port, as libibverbs does.
 */
static void neigh_trigger(struct unetdev *nd, const struct ipaddr *hop)
{
	struct sockaddr_in6 sa = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(9),
	};
	ssize_t rc;

	if (hop->family == AF_INET)
		gid_from_v4(sa.sin6_addr.s6_addr, hop->a);
	else
		memcpy(sa.sin6_addr.s6_addr, hop->a, 16);
	if (IN6_IS_ADDR_LINKLOCAL(&sa.sin6_addr))
		sa.sin6_scope_id = nd->ifindex;
	rc = sendto(nd->trig_fd, "", 0, 0, (void *)&sa, sizeof(sa));
	(void)rc;	/* the neighbour table says whether it worked */
}

#define RESOLVE_NAP_MS		5
#define RESOLVE_RETRIGGER_MS	200

int hwqnic_netdev_resolve(struct unetdev *nd, const u8 dgid[16], u8 mac[6],
			  u32 timeout_ms)
{
	struct ipaddr hop;
	struct route_reply rr = { nd, &hop };
	struct neigh_reply nr = { mac, 0 };
	u64 start = hwqnic_os_now_ns(), now, triggered = 0;
	struct nl_req r;
	int rc;

	ipaddr_of_gid(&hop, dgid);
	nl_init(&r, RTM_GETROUTE, 0, sizeof(r.rtm));
	r.rtm.rtm_family = hop.family;
	r.rtm.rtm_dst_len = hop.len * 8;
	nl_attr(&r, RTA_DST, hop.a, hop.len);
	/*
	 * Given an interface, the kernel takes any address for on-link: only
	 * a link-local one, which is on-link, and ambiguous without it.
	 */
	if (hop.family == AF_INET6 && hop.a[0] == 0xfe &&
	    (hop.a[1] & 0xc0) == 0x80)
		nl_attr(&r, RTA_OIF, &nd->ifindex, sizeof(nd->ifindex));
	pthread_mutex_lock(&nd->lock);
	rc = nl_talk(nd, &r, route_cb, &rr);
	pthread_mutex_unlock(&nd->lock);
	if (rc)
		return rc == -ENETUNREACH || rc == -EHOSTUNREACH ||
		       rc == -EINVAL ? -ENETUNREACH : rc;
	for (;;) {
		nl_init(&r, RTM_GETNEIGH, 0, sizeof(r.ndm));
		r.ndm.ndm_family = hop.family;
		r.ndm.ndm_ifindex = nd->ifindex;
		nl_attr(&r, NDA_DST, hop.a, hop.len);
		nr.state = NUD_NONE;
		pthread_mutex_lock(&nd->lock);
		rc = nl_talk(nd, &r, neigh_cb, &nr);
		pthread_mutex_unlock(&nd->lock);
		if (!rc && (nr.state & NUD_VALID_MAC))
			return 0;
		if (rc && rc != -ENOENT)
			return rc;
		now = hwqnic_os_now_ns();
		if (now - start >= (u64)timeout_ms * 1000000)
			return nr.state & NUD_FAILED ? -EHOSTUNREACH :
						      -ETIMEDOUT;
		if (!triggered ||
		    now - triggered >= RESOLVE_RETRIGGER_MS * 1000000ULL) {
			neigh_trigger(nd, &hop);
			triggered = now;
		}
		poll(NULL, 0, RESOLVE_NAP_MS);
	}
}

/*
 * The largest IB MTU whose packets fit in ip_mtu: the payload, with the
 * biggest headers a packet carries (IPv6, UDP, BTH and 28 bytes of
 * extension headers) and the ICRC.
 */
u32 hwqnic_mtu_fit(u32 ip_mtu)
{
	u32 hdrs = HWQNIC_IPV6_HLEN + HWQNIC_UDP_HLEN + HWQNIC_BTH_LEN + 28 +
		   HWQNIC_ICRC_LEN;
	u32 mtu;

	for (mtu = HWQNIC_MTU; mtu >= 256; mtu /= 2)
		if (mtu + hdrs <= ip_mtu)
			return mtu;
	return 0;
}
