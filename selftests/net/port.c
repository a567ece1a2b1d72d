// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ports, live: a port on each end of a veth pair joining two
 * namespaces, on AF_XDP and then on the UDP-socket fallback. Each sends
 * RoCEv2 frames (IPv4 and IPv6, several opcodes and sizes, one and a
 * batch) through its tx_frame/tx_queue/tx_flush, and the other takes them
 * with rx_poll, the test making the calls the engine makes: they must
 * arrive whole, their ICRC good. Ping and TCP go through the same
 * netdevs, and the XDP program counts what arrived. Then devices bound to
 * the ends: what they report (query_port, query_gid) and resolve. Freeing
 * the ports and closing the devices leave no XDP program, no descriptor.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../lib/helpers.h"
#include "../lib/frames.h"
#include "../lib/fds.h"
#include "../lib/netns.h"
#include "libhwqnic.h"
#include "uport.h"
#include "roce_steer.h"

#define QPN_A		0x000123
#define QPN_B		0x00abcd
#define QPN_NOBODY	0x000777

static struct u_netns ns;

/*
 * A side: its port driven by the test itself, with a bare device that only
 * carries it (no engine to take its frames), or a device bound to the
 * netdev, for what the library reports.
 */
struct side {
	struct hwqnic_dev dev;
	struct uport *p;
	struct hwqnic_context *ctx;
	u8 mac[6];
};

/* What a receiver took, in order. */
#define GOT_MAX		128
static struct {
	u8 frame[HWQNIC_FRAME_MAX];
	u32 len;
} got[GOT_MAX];
static unsigned int ngot, nlost;

static void collect(struct hwqnic_dev *dev, const u8 *frame, u32 len)
{
	(void)dev;
	if (ngot >= GOT_MAX || len > HWQNIC_FRAME_MAX) {
		nlost++;
		return;
	}
	memcpy(got[ngot].frame, frame, len);
	got[ngot++].len = len;
}

static int open_port(struct side *s, int i)
{
	const char *why;
	int err;

	memset(s, 0, sizeof(*s));
	if (u_netns_enter(&ns, i))
		return -1;
	s->p = hwqnic_port_open(ns.ifname[i], &err, &why);
	u_netns_enter(&ns, -1);
	if (!s->p) {
		diag("side %d: %s (%s)", i, why, strerror(-err));
		return -1;
	}
	hwqnic_lock_init(&s->dev.lock);
	s->dev.port = s->p->ops;
	s->dev.port_priv = s->p;
	memcpy(s->mac, s->p->nd.mac, 6);
	return 0;
}

static int open_device(struct side *s, int i)
{
	memset(s, 0, sizeof(*s));
	if (u_netns_enter(&ns, i))
		return -1;
	s->ctx = hwqnic_open_netdev(NULL, ns.ifname[i], 0);
	u_netns_enter(&ns, -1);
	if (!s->ctx)
		return -1;
	s->p = s->ctx->port;
	memcpy(s->mac, s->p->nd.mac, 6);
	return 0;
}

/* The port's calls are the engine's: under dev->lock, as it makes them. */
static bool send_frame(struct side *s, const struct hwqnic_pkt *p,
		       const u8 *payload, u32 paylen, bool flush)
{
	struct hwqnic_dev *dev = &s->dev;
	u32 len = 0;
	u8 *f;

	hwqnic_lock(&dev->lock);
	f = dev->port->tx_frame(dev);
	if (f) {
		len = u_pkt_make(f, HWQNIC_FRAME_MAX, p, payload, paylen);
		dev->port->tx_queue(dev, f, len);
	}
	if (flush)
		dev->port->tx_flush(dev);
	hwqnic_unlock(&dev->lock);
	return f && len;
}

static void flush(struct side *s)
{
	hwqnic_lock(&s->dev.lock);
	s->dev.port->tx_flush(&s->dev);
	hwqnic_unlock(&s->dev.lock);
}

/* Polls until want frames were taken in all, or the bound passes. */
static unsigned int receive(struct side *s, unsigned int want)
{
	struct hwqnic_dev *dev = &s->dev;
	u64 end = u_now_ns() + u_timeout_ns();
	unsigned int spins = 0;

	while (ngot < want && u_now_ns() < end) {
		hwqnic_lock(&dev->lock);
		dev->port->rx_poll(dev, 64, collect);
		hwqnic_unlock(&dev->lock);
		if (ngot < want)
			u_relax(&spins);
	}
	return ngot;
}

/* A packet from a to b of opcode, over IPv4 or IPv6. */
static void make_pkt(struct hwqnic_pkt *p, const struct side *a, int ai,
		     const struct side *b, int bi, u8 opcode, bool v6,
		     u32 dqpn, uint64_t *seed)
{
	u_pkt_random(p, seed, opcode, v6);
	memcpy(p->path.smac, a->mac, 6);
	memcpy(p->path.dmac, b->mac, 6);
	memcpy(p->path.sgid, v6 ? ns.v6[ai] : ns.gid4[ai], 16);
	memcpy(p->path.dgid, v6 ? ns.v6[bi] : ns.gid4[bi], 16);
	p->path.hop_limit = 64;
	p->path.tclass = 0;
	p->path.flow_label = 0;
	p->path.sport = hwqnic_udp_sport(QPN_A, dqpn);
	p->pkey = HWQNIC_DEFAULT_PKEY;
	p->dqpn = dqpn;
	p->pad = 0;
}

/*
 * What b must take for p: as sent on AF_XDP; through the UDP socket the
 * kernel's headers, rebuilt (source port the socket's, no source MAC,
 * the variant fields as the rebuild sets them).
 */
static const char *check_frame(unsigned int k, const struct hwqnic_pkt *p,
			       const u8 *payload, u32 paylen,
			       enum uport_kind kind)
{
	struct hwqnic_pkt e, r;
	enum hwqnic_drop why;

	why = hwqnic_pkt_parse(got[k].frame, got[k].len, &r);
	if (why != HWQNIC_DROP_NONE)
		return "refused by the parser (ICRC or headers)";
	u_pkt_expect(&e, p, payload, paylen);
	if (kind == UPORT_UDP) {
		e.path.sport = HWQNIC_ROCE_UDP_PORT;
		memset(e.path.smac, 0, 6);
		e.path.hop_limit = 64;
		e.path.tclass = 0;
		e.path.flow_label = 0;
	}
	return u_pkt_diff(&r, &e);
}

static const u8 opcodes[] = {
	HWQNIC_IB_RC | HWQNIC_IB_SEND_ONLY,
	HWQNIC_IB_RC | HWQNIC_IB_WRITE_ONLY_IMM,
	HWQNIC_IB_RC | HWQNIC_IB_READ_RESP_MIDDLE,
	HWQNIC_IB_RC | HWQNIC_IB_ACK,
	HWQNIC_IB_RC | HWQNIC_IB_CMP_SWAP,
	HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY_IMM,
};

/* Frames of every opcode, family and size one way, one at a time. */
static void one_way(struct side *s, int from, int to, enum uport_kind kind,
		    u32 qpn, uint64_t *seed, u32 *bytes)
{
	u32 sizes[] = { 0, 1, 61, 256, s[from].p->active_mtu };
	static u8 payload[HWQNIC_MTU];
	struct hwqnic_pkt p;
	const char *why = NULL;
	unsigned int n = 0, i, j, v6;

	for (v6 = 0; v6 < 2; v6++)
		for (i = 0; i < ARRAY_SIZE(opcodes); i++)
			for (j = 0; j < ARRAY_SIZE(sizes) && !why; j++) {
				u32 len = sizes[j];

				if (!(hwqnic_ib_opcodes[opcodes[i]].mask &
				      HWQNIC_IBM_PAYLOAD))
					len = 0;
				u_fill_rand(payload, len, seed);
				make_pkt(&p, &s[from], from, &s[to], to,
					 opcodes[i], v6, qpn, seed);
				ngot = 0;
				if (!send_frame(&s[from], &p, payload, len,
						true))
					why = "tx_frame or the build refused";
				else if (receive(&s[to], 1) != 1)
					why = "not received";
				else
					why = check_frame(0, &p, payload, len,
							  kind);
				*bytes += got[0].len;
				n++;
			}
	ok_why(why, "%s: side %d to %d: %u frames of %zu opcodes, IPv4 and "
	       "IPv6, 0 B to the active MTU (%u B), each whole",
	       kind == UPORT_XDP ? "xdp" : "udp", from, to, n,
	       ARRAY_SIZE(opcodes), s[from].p->active_mtu);
}

/* A batch queued, then sent by one flush: every frame, in order. */
static void batch(struct side *s, enum uport_kind kind, uint64_t *seed,
		  u32 *bytes)
{
	static u8 payload[64][128];
	struct hwqnic_pkt p[64];
	const char *why = NULL;
	unsigned int i, n;

	ngot = 0;
	for (i = 0; i < 64; i++) {
		u_fill_rand(payload[i], sizeof(payload[i]), seed);
		make_pkt(&p[i], &s[0], 0, &s[1], 1,
			 HWQNIC_IB_RC | HWQNIC_IB_SEND_ONLY, i & 1, QPN_B,
			 seed);
		p[i].psn = i;
		if (!send_frame(&s[0], &p[i], payload[i], sizeof(payload[i]),
				false))
			break;
	}
	n = i;
	flush(&s[0]);
	ok(n >= 32, "%s: the port lends at least 32 frames before a flush "
	   "(%u)", kind == UPORT_XDP ? "xdp" : "udp", n);
	receive(&s[1], n);
	for (i = 0; i < ngot && i < n && !why; i++) {
		why = check_frame(i, &p[i], payload[i], sizeof(payload[i]),
				  kind);
		*bytes += got[i].len;
	}
	ok(ngot == n && !why && !nlost, "%s: a batch of %u frames, one "
	   "flush: %u taken, in order, whole%s%s",
	   kind == UPORT_XDP ? "xdp" : "udp", n, ngot, why ? ": " : "",
	   why ? why : "");
}

/* The XDP program's counters: exactly what was sent to QPN_B, in bytes. */
static void xdp_counters(struct side *b, u32 frames, u32 bytes)
{
	int prog, qst, pst;
	struct roce_steer_qp st = { 0 };
	struct roce_steer_port ps = { 0 };
	u32 key = QPN_B, zero = 0;

	if (hwqnic_port_xdp_fds(b->p, &prog, &qst, &pst)) {
		ok(0, "xdp: the program's maps");
		return;
	}
	bpf_map_lookup_elem(qst, &key, &st);
	bpf_map_lookup_elem(pst, &zero, &ps);
	ok(st.rx_packets == frames && st.rx_bytes == bytes &&
	   !st.drop_no_socket && !st.drop_bad_bth,
	   "xdp: qp_stats of QP 0x%x: %llu packets (%u sent), %llu bytes "
	   "(%u)", QPN_B, (unsigned long long)st.rx_packets, frames,
	   (unsigned long long)st.rx_bytes, bytes);
	ok(ps.redirected >= frames && ps.passed > 0,
	   "xdp: port_stats: %llu redirected, %llu passed to the kernel "
	   "(ARP, ND)", (unsigned long long)ps.redirected,
	   (unsigned long long)ps.passed);
}

/*
 * A frame to QP dropped, which nobody serves, then one to QP next: the
 * first is dropped by the program and counted, the second taken.
 */
static void xdp_unknown(struct side *s, u32 dropped, u32 next, uint64_t *seed,
			const char *what)
{
	struct hwqnic_pkt p, q;
	struct roce_steer_port before = { 0 }, after = { 0 };
	int prog, qst, pst;
	u32 zero = 0;

	hwqnic_port_xdp_fds(s[1].p, &prog, &qst, &pst);
	bpf_map_lookup_elem(pst, &zero, &before);
	make_pkt(&p, &s[0], 0, &s[1], 1, HWQNIC_IB_RC | HWQNIC_IB_SEND_ONLY,
		 false, dropped, seed);
	make_pkt(&q, &s[0], 0, &s[1], 1, HWQNIC_IB_RC | HWQNIC_IB_SEND_ONLY,
		 false, next, seed);
	ngot = 0;
	send_frame(&s[0], &p, NULL, 0, false);
	send_frame(&s[0], &q, NULL, 0, true);
	/* veth keeps order: once the second is in, the first was decided */
	receive(&s[1], 1);
	bpf_map_lookup_elem(pst, &zero, &after);
	ok(ngot == 1 && got[0].frame[HWQNIC_ETH_HLEN + HWQNIC_IPV4_HLEN +
				     HWQNIC_UDP_HLEN + 7] == (next & 0xff) &&
	   after.drop_unknown_qp == before.drop_unknown_qp + 1,
	   "xdp: a frame to QP 0x%x, %s, is dropped and counted (%llu); the "
	   "next, to QP 0x%x, taken", dropped, what,
	   (unsigned long long)(after.drop_unknown_qp -
				before.drop_unknown_qp), next);
}

static void query(struct side *s, enum uport_kind kind)
{
	const char *k = kind == UPORT_XDP ? "xdp" : "udp";
	struct hwqnic_port_attr pa;
	union hwqnic_gid gid;
	bool v4 = false, v6 = false, ll = false;
	int i, rc;

	rc = hwqnic_query_port(s[0].ctx, 1, &pa);
	ok(!rc && pa.state == HWQNIC_PORT_ACTIVE && pa.max_mtu == 1024 &&
	   pa.active_mtu == 1024 && pa.link_layer ==
	   HWQNIC_LINK_LAYER_ETHERNET && pa.port_type ==
	   (kind == UPORT_XDP ? HWQNIC_PORT_TYPE_XDP : HWQNIC_PORT_TYPE_UDP),
	   "%s: query_port: active, MTU 1024 of the veth's 1500, Ethernet, "
	   "port type %u (%d, %u, %u, %u)", k, pa.port_type, rc, pa.state,
	   pa.max_mtu, pa.active_mtu);
	for (i = 0; i < (int)pa.gid_tbl_len; i++) {
		if (hwqnic_query_gid(s[0].ctx, 1, i, &gid))
			break;
		v4 |= !memcmp(gid.raw, ns.gid4[0], 16);
		v6 |= !memcmp(gid.raw, ns.v6[0], 16);
		ll |= gid.raw[0] == 0xfe && (gid.raw[1] & 0xc0) == 0x80;
	}
	ok(!rc && pa.gid_tbl_len >= 3 && i == (int)pa.gid_tbl_len && v4 &&
	   v6 && ll,
	   "%s: query_gid: %u GIDs, ::ffff:198.18.0.1, 2001:2::1 and a "
	   "link-local one among them", k, pa.gid_tbl_len);
	ok(!hwqnic_query_gid(s[0].ctx, 1, 0, &gid) &&
	   !memcmp(gid.raw, ns.gid4[0], 16),
	   "%s: GID 0 is the IPv4 address, IPv4-mapped", k);
	errno = 0;
	ok(hwqnic_query_gid(s[0].ctx, 1, pa.gid_tbl_len, &gid) == EINVAL &&
	   hwqnic_query_gid(s[0].ctx, 1, -1, &gid) == EINVAL,
	   "%s: query_gid past the table, or negative: EINVAL", k);

	/* the link as it is now: carrier, MTU */
	u_netns_sh(&ns, 1, "ip link set %s down", ns.ifname[1]);
	rc = hwqnic_query_port(s[0].ctx, 1, &pa);
	ok(!rc && pa.state == HWQNIC_PORT_DOWN,
	   "%s: the peer's end down: the port is DOWN (%u)", k, pa.state);
	u_netns_sh(&ns, 1, "ip link set %s up", ns.ifname[1]);
	u_netns_sh(&ns, 0, "ip link set %s mtu 1000", ns.ifname[0]);
	rc = hwqnic_query_port(s[0].ctx, 1, &pa);
	ok(!rc && pa.state == HWQNIC_PORT_ACTIVE && pa.max_mtu == 512 &&
	   pa.active_mtu == 512, "%s: up again, netdev MTU 1000: active, "
	   "MTU 512 (%u, %u, %u)", k, pa.state, pa.max_mtu, pa.active_mtu);
	/* IPv6 leaves a link below 1280 bytes: its address is added again */
	u_netns_sh(&ns, 0, "ip link set %s mtu 1500 && ip addr add "
		   "2001:2::1/64 dev %s nodad", ns.ifname[0], ns.ifname[0]);
}

/* The peer's link-local GID (fe80::/10), from its table; resolved. */
static bool resolve_link_local(struct side *s, u8 smac[6], u8 dmac[6])
{
	struct hwqnic_port_attr pa;
	union hwqnic_gid gid;

	if (hwqnic_query_port(s[1].ctx, 1, &pa))
		return false;
	for (int i = 0; i < (int)pa.gid_tbl_len; i++)
		if (!hwqnic_query_gid(s[1].ctx, 1, i, &gid) &&
		    gid.raw[0] == 0xfe && (gid.raw[1] & 0xc0) == 0x80) {
			memset(dmac, 0, 6);
			return !hwqnic_port_resolve(s[0].ctx, gid.raw, smac,
						    dmac, 2000) &&
			       !memcmp(dmac, s[1].mac, 6);
		}
	return false;
}

static void resolve(struct side *s, enum uport_kind kind)
{
	const char *k = kind == UPORT_XDP ? "xdp" : "udp";
	u8 smac[6], dmac[6] = { 0 }, nowhere[16], off_net[16];
	int rc;

	u_netns_sh(&ns, 0, "ip neigh flush dev %s", ns.ifname[0]);
	rc = hwqnic_port_resolve(s[0].ctx, ns.gid4[1], smac, dmac, 2000);
	ok(!rc && !memcmp(dmac, s[1].mac, 6) && !memcmp(smac, s[0].mac, 6),
	   "%s: 198.18.0.2, missing from the neighbour table, resolves to "
	   "the peer's MAC (%d)", k, rc);
	memset(dmac, 0, 6);
	rc = hwqnic_port_resolve(s[0].ctx, ns.v6[1], smac, dmac, 2000);
	ok(!rc && !memcmp(dmac, s[1].mac, 6),
	   "%s: 2001:2::2 resolves to the peer's MAC (%d)", k, rc);
	ok(resolve_link_local(s, smac, dmac),
	   "%s: the peer's link-local GID resolves to its MAC", k);
	memcpy(nowhere, ns.gid4[1], 16);
	nowhere[15] = 99;
	rc = hwqnic_port_resolve(s[0].ctx, nowhere, smac, dmac, 300);
	ok(rc == -ETIMEDOUT || rc == -EHOSTUNREACH,
	   "%s: 198.18.0.99, where nobody answers: ETIMEDOUT or "
	   "EHOSTUNREACH within the bound (%d)", k, rc);
	memcpy(off_net, ns.gid4[1], 16);
	off_net[12] = 203;
	off_net[13] = 0;
	off_net[14] = 113;
	rc = hwqnic_port_resolve(s[0].ctx, off_net, smac, dmac, 300);
	ok(rc == -ENETUNREACH, "%s: 203.0.113.2, no route: ENETUNREACH "
	   "(%d)", k, rc);
}

static u16 icmp_csum(const u8 *p, size_t n)
{
	u32 sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

/* An ICMP echo from side 0 to side 1, and its reply, through the ports. */
static bool ping(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	u8 req[16] = { ICMP_ECHO, 0, 0, 0, 0x12, 0x34, 0, 1, 'h', 'w', 'q' };
	u8 buf[256];
	struct pollfd pfd;
	u64 end = u_now_ns() + u_timeout_ns();
	bool back = false;
	u16 c;
	int fd;

	u_netns_enter(&ns, 0);
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	u_netns_enter(&ns, -1);
	if (fd < 0)
		return false;
	memcpy(&to.sin_addr, ns.v4[1], 4);
	c = icmp_csum(req, sizeof(req));
	memcpy(req + 2, &c, 2);
	if (sendto(fd, req, sizeof(req), 0, (void *)&to, sizeof(to)) < 0)
		goto out;
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (!back && u_now_ns() < end && poll(&pfd, 1, 100) >= 0) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		/* the IP header, then the reply with our id and sequence */
		back = n >= 20 + 8 && buf[20] == ICMP_ECHOREPLY &&
		       buf[24] == 0x12 && buf[25] == 0x34;
	}
out:
	close(fd);
	return back;
}

/* A TCP connection from side 0 to side 1, bytes both ways. */
static bool tcp(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(18515) };
	int ls, cs = -1, as = -1, one = 1;
	char buf[8] = { 0 };
	struct pollfd pfd;
	bool done = false;

	memcpy(&sa.sin_addr, ns.v4[1], 4);
	u_netns_enter(&ns, 1);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	u_netns_enter(&ns, 0);
	cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	u_netns_enter(&ns, -1);
	if (ls < 0 || cs < 0)
		goto out;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (void *)&sa, sizeof(sa)) || listen(ls, 1))
		goto out;
	if (connect(cs, (void *)&sa, sizeof(sa)))
		goto out;
	pfd = (struct pollfd){ .fd = ls, .events = POLLIN };
	if (poll(&pfd, 1, u_timeout_ns() / 1000000) != 1)
		goto out;
	as = accept(ls, NULL, NULL);
	if (as < 0 || write(cs, "ping", 4) != 4)
		goto out;
	pfd = (struct pollfd){ .fd = as, .events = POLLIN };
	if (poll(&pfd, 1, u_timeout_ns() / 1000000) != 1 ||
	    read(as, buf, 4) != 4 || write(as, "pong", 4) != 4)
		goto out;
	pfd = (struct pollfd){ .fd = cs, .events = POLLIN };
	done = poll(&pfd, 1, u_timeout_ns() / 1000000) == 1 &&
	       read(cs, buf + 4, 4) == 4 && !memcmp(buf, "pingpong", 8);
out:
	if (as >= 0)
		close(as);
	if (cs >= 0)
		close(cs);
	if (ls >= 0)
		close(ls);
	return done;
}

/* What is left after the ports or devices of s closed: nothing. */
static void closed(struct side *s, const char *k, const char *what, int fds)
{
	for (int i = 0; i < 2; i++) {
		if (s[i].ctx)
			ok(!hwqnic_close(s[i].ctx), "%s: side %d's device "
			   "closes", k, i);
		else if (s[i].p)
			hwqnic_port_free(s[i].p);
	}
	ok(u_open_fds() == fds, "%s: after %s, the process has the "
	   "descriptors it had before (%d, %d)", k, what, u_open_fds(), fds);
	ok(u_netns_xdp_prog(&ns, 0) == 0 && u_netns_xdp_prog(&ns, 1) == 0,
	   "%s: no XDP program is left on either netdev", k);
}

/* Frames both ways through two ports the test drives. */
static void frames(enum uport_kind kind, uint64_t *seed)
{
	const char *k = kind == UPORT_XDP ? "xdp" : "udp";
	static struct side s[2];
	u32 bytes = 0, nframes;
	int fds = u_open_fds(), i;

	for (i = 0; i < 2; i++)
		if (!ok(!open_port(&s[i], i), "%s: a port on side %d's veth "
			"end", k, i))
			goto close;
	ok(s[0].p->kind == kind && s[1].p->kind == kind, "%s: the port is "
	   "of the kind HWQNIC_PORT forces", k);
	ok(s[0].p->ops->qp_steer(&s[0].dev, QPN_A, true) == 0 &&
	   s[1].p->ops->qp_steer(&s[1].dev, QPN_B, true) == 0,
	   "%s: each side steers its QP", k);
	if (kind == UPORT_XDP) {
		ok(s[1].p->ops->qp_steer(&s[1].dev, QPN_B, true) == -EEXIST,
		   "xdp: steering a QP twice: EEXIST");
		ok(u_netns_xdp_prog(&ns, 0) + 1 > 1,
		   "xdp: the program is attached to the netdev");
	}
	one_way(s, 0, 1, kind, QPN_B, seed, &bytes);
	nframes = 2 * ARRAY_SIZE(opcodes) * 5;
	one_way(s, 1, 0, kind, QPN_A, seed, &(u32){ 0 });
	batch(s, kind, seed, &bytes);
	nframes += ngot;
	ok(ping(), "%s: ping through the same netdevs", k);
	ok(tcp(), "%s: TCP through the same netdevs", k);
	if (kind == UPORT_XDP) {
		xdp_counters(&s[1], nframes, bytes);
		xdp_unknown(s, QPN_NOBODY, QPN_B, seed, "which nobody serves");
		s[1].p->ops->qp_steer(&s[1].dev, QPN_B, false);
		s[1].p->ops->qp_steer(&s[1].dev, QPN_NOBODY, true);
		xdp_unknown(s, QPN_B, QPN_NOBODY, seed,
			    "no longer steered");
	}
close:
	closed(s, k, "the ports' free", fds);
}

/* What devices bound to the netdevs report and resolve. */
static void devices(enum uport_kind kind)
{
	const char *k = kind == UPORT_XDP ? "xdp" : "udp";
	static struct side s[2];
	int fds = u_open_fds(), i;

	for (i = 0; i < 2; i++)
		if (!ok(!open_device(&s[i], i), "%s: a device bound to side "
			"%d's veth end", k, i))
			goto close;
	query(s, kind);
	resolve(s, kind);
close:
	closed(s, k, "close", fds);
}

static void run(const char *k, void *seed)
{
	enum uport_kind kind = strcmp(k, "xdp") ? UPORT_UDP : UPORT_XDP;

	frames(kind, seed);
	devices(kind);
}

int main(void)
{
	uint64_t seed = tap_seed();
	const char *why = u_netns_pair(&ns);

	if (why)
		tap_skip_all("%s", why);
	u_netns_each_port(run, &seed);
	u_netns_del(&ns);
	return tap_done();
}
