// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpf/roce_steer.bpf.c as the AF_XDP port loads and attaches it, run on
 * frames through BPF_PROG_TEST_RUN: ARP, ICMP, ICMPv6 (ND), TCP, other
 * UDP, fragments, IP options and VLAN tags pass untouched; RoCEv2 to a
 * steered QP is redirected and counted in its qp_stats entry; to a QP
 * nobody serves, or with a bad BTH, or too short for a BTH, dropped and
 * counted; frames cut anywhere in their headers are safe.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../lib/helpers.h"
#include "../lib/frames.h"
#include "../lib/netns.h"
#include "libhwqnic.h"
#include "uport.h"
#include "roce_steer.h"

#define QPN		0x00c0de
#define QPN_NOBODY	0x000777

static struct u_netns ns;
static int prog, qst, pst;

/* The program's verdict on frame, and whether it left the frame as it was. */
static int run(const u8 *frame, u32 len, bool *same)
{
	u8 out[HWQNIC_FRAME_MAX + 256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(prog, &o))
		return -errno;
	*same = o.data_size_out == len && !memcmp(out, frame, len);
	return o.retval;
}

static struct roce_steer_port port_stats(void)
{
	struct roce_steer_port ps = { 0 };
	u32 zero = 0;

	bpf_map_lookup_elem(pst, &zero, &ps);
	return ps;
}

static struct roce_steer_qp qp_stats(u32 qpn)
{
	struct roce_steer_qp st = { 0 };

	bpf_map_lookup_elem(qst, &qpn, &st);
	return st;
}

static u32 eth(u8 *f, u16 proto)
{
	memset(f, 0x02, 12);
	f[12] = proto >> 8;
	f[13] = proto & 0xff;
	return HWQNIC_ETH_HLEN;
}

/* Ethernet, IPv4 (ihl words) of protocol proto, and l4 bytes after it. */
static u32 ipv4(u8 *f, u8 proto, u8 ihl, u16 frag, const u8 *l4, u32 l4len)
{
	u32 n = eth(f, 0x0800);
	u8 *ip = f + n;

	memset(ip, 0, ihl * 4);
	ip[0] = 0x40 | ihl;
	ip[2] = (ihl * 4 + l4len) >> 8;
	ip[3] = (ihl * 4 + l4len) & 0xff;
	ip[6] = frag >> 8;
	ip[7] = frag & 0xff;
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, ns.v4[1], 4);
	memcpy(ip + 16, ns.v4[0], 4);
	memcpy(ip + ihl * 4, l4, l4len);
	return n + ihl * 4 + l4len;
}

/* A UDP header from sport to dport, then a BTH to qpn (TVer tver). */
static const u8 *udp_bth(u16 sport, u16 dport, u32 qpn, u8 tver)
{
	static u8 b[8 + 12 + 16];

	memset(b, 0, sizeof(b));
	b[0] = sport >> 8;
	b[1] = sport & 0xff;
	b[2] = dport >> 8;
	b[3] = dport & 0xff;
	b[5] = sizeof(b);
	b[8] = HWQNIC_IB_RC | HWQNIC_IB_SEND_ONLY;
	b[9] = tver;
	b[10] = b[11] = 0xff;
	b[13] = qpn >> 16;
	b[14] = qpn >> 8;
	b[15] = qpn & 0xff;
	return b;
}

/* UDP over IPv4 that is no RoCEv2 of ours, one way or another. */
static const struct {
	const char *what;
	u8 ihl;
	u16 frag, sport, dport;
} udp4[] = {
	{ "UDP to port 53", 5, 0x4000, 4791, 53 },
	{ "UDP to 4791 with IPv4 options", 6, 0x4000, 49152, 4791 },
	{ "a fragment of UDP to 4791 (MF)", 5, 0x2000, 49152, 4791 },
	{ "a later fragment (offset 8)", 5, 1, 49152, 4791 },
};

/* Frames that are not RoCEv2 to us: each passes, byte for byte. */
static void passes(void)
{
	static const u8 arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	static const u8 icmp[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };
	static const u8 tcp[20] = { 0x12, 0xb7, 0x12, 0xb7, [12] = 0x50 };
	u8 f[256];
	struct roce_steer_port before = port_stats(), after;
	unsigned int i, n = 7 + ARRAY_SIZE(udp4);
	bool all = true, same;
	int rc;

	for (i = 0; i < n; i++) {
		u8 *ip6 = f + HWQNIC_ETH_HLEN;
		const char *what = NULL;
		u32 len = 0;

		switch (i) {
		case 0:
			what = "ARP";
			len = eth(f, 0x0806);
			memcpy(f + len, arp, sizeof(arp));
			len += sizeof(arp);
			break;
		case 1:
			what = "ICMP echo";
			len = ipv4(f, 1, 5, 0x4000, icmp, sizeof(icmp));
			break;
		case 2:
			what = "TCP to port 4791";
			len = ipv4(f, 6, 5, 0x4000, tcp, sizeof(tcp));
			break;
		case 3:
			what = "IPv6 neighbour solicitation (ICMPv6)";
			len = eth(f, 0x86dd);
			memset(ip6, 0, 40 + 24);
			ip6[0] = 0x60;
			ip6[5] = 24;
			ip6[6] = 58;
			ip6[7] = 255;
			ip6[40] = 135;
			len += 40 + 24;
			break;
		case 4:
			what = "a VLAN-tagged frame";
			len = eth(f, 0x8100);
			memset(f + len, 0, 4 + 20);
			f[len + 2] = 0x08;
			len += 24;
			break;
		case 5:
			what = "an Ethernet header alone";
			len = eth(f, 0x0800);
			break;
		case 6:
			what = "IPv4 cut inside the UDP header";
			len = ipv4(f, 17, 5, 0x4000,
				   udp_bth(49152, 4791, QPN, 0), 36) - 36 + 6;
			break;
		default:
			what = udp4[i - 7].what;
			len = ipv4(f, 17, udp4[i - 7].ihl, udp4[i - 7].frag,
				   udp_bth(udp4[i - 7].sport, udp4[i - 7].dport,
					   QPN, 0), 36);
		}
		rc = run(f, len, &same);
		if (rc != XDP_PASS || !same) {
			all = false;
			diag("%s: verdict %d, %s", what, rc,
			     same ? "untouched" : "changed");
		}
	}
	after = port_stats();
	ok(all, "ARP, ICMP, TCP, other UDP, IP options, fragments, ICMPv6, "
	   "VLAN and cut headers: XDP_PASS, untouched");
	ok(after.passed == before.passed + n &&
	   after.redirected == before.redirected &&
	   after.drop_unknown_qp == before.drop_unknown_qp &&
	   after.drop_short == before.drop_short,
	   "port_stats counts the %u as passed (%llu), nothing else", n,
	   (unsigned long long)(after.passed - before.passed));
}

/* RoCEv2 frames: redirected to the steered QP's socket, or dropped. */
static void roce(uint64_t *seed)
{
	struct roce_steer_port b = port_stats(), a;
	struct roce_steer_qp sb = qp_stats(QPN), sa;
	static u8 f[HWQNIC_FRAME_MAX], payload[1024];
	struct hwqnic_pkt p;
	u32 len, len6, bytes;
	bool same;
	int rc, rc6;

	u_pkt_random(&p, seed, HWQNIC_IB_RC | HWQNIC_IB_WRITE_ONLY, false);
	p.dqpn = QPN;
	u_fill_rand(payload, sizeof(payload), seed);
	len = u_pkt_make(f, sizeof(f), &p, payload, sizeof(payload));
	rc = run(f, len, &same);
	u_pkt_random(&p, seed, HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY, true);
	p.dqpn = QPN;
	len6 = u_pkt_make(f, sizeof(f), &p, payload, 100);
	rc6 = run(f, len6, &same);
	bytes = len + len6;
	a = port_stats();
	sa = qp_stats(QPN);
	ok(rc == XDP_REDIRECT && rc6 == XDP_REDIRECT,
	   "RoCEv2 over IPv4 and IPv6 to the steered QP: XDP_REDIRECT "
	   "(%d, %d)", rc, rc6);
	ok(sa.rx_packets == sb.rx_packets + 2 &&
	   sa.rx_bytes == sb.rx_bytes + bytes &&
	   a.redirected == b.redirected + 2,
	   "qp_stats counts 2 packets, %u bytes; port_stats 2 redirected",
	   bytes);

	p.dqpn = QPN_NOBODY;
	len = u_pkt_make(f, sizeof(f), &p, payload, 8);
	rc = run(f, len, &same);
	a = port_stats();
	ok(rc == XDP_DROP && a.drop_unknown_qp == b.drop_unknown_qp + 1 &&
	   qp_stats(QPN_NOBODY).rx_packets == 0,
	   "to a QP nobody serves: XDP_DROP, counted in drop_unknown_qp");

	len = ipv4(f, 17, 5, 0x4000, udp_bth(49152, 4791, QPN, 1), 36);
	rc = run(f, len, &same);
	ok(rc == XDP_DROP && qp_stats(QPN).drop_bad_bth == sb.drop_bad_bth + 1,
	   "a BTH of transport version 1: XDP_DROP, counted in the QP's "
	   "drop_bad_bth");

	len = ipv4(f, 17, 5, 0x4000, udp_bth(49152, 4791, QPN, 0), 36);
	len -= 36 - 8 - 11;	/* a BTH one byte short */
	rc = run(f, len, &same);
	a = port_stats();
	ok(rc == XDP_DROP && a.drop_short == b.drop_short + 1,
	   "UDP to 4791 one byte short of a BTH: XDP_DROP, drop_short");
	sa = qp_stats(QPN);
	ok(sa.rx_packets == sb.rx_packets + 2 && !sa.drop_no_socket,
	   "none of the dropped ones reached the QP's packet count");
}

/* Every cut of a RoCEv2 frame: no crash, no redirect of a cut BTH. */
static void cuts(uint64_t *seed)
{
	static u8 f[HWQNIC_FRAME_MAX];
	struct hwqnic_pkt p;
	u32 len, cut, bad = 0;
	bool same;
	int rc;

	for (int v6 = 0; v6 < 2; v6++) {
		u_pkt_random(&p, seed, HWQNIC_IB_RC | HWQNIC_IB_SEND_ONLY, v6);
		p.dqpn = QPN;
		len = u_pkt_make(f, sizeof(f), &p, NULL, 0);
		for (cut = HWQNIC_ETH_HLEN; cut <= len; cut++) {
			u32 bth = HWQNIC_ETH_HLEN + (v6 ? HWQNIC_IPV6_HLEN :
					HWQNIC_IPV4_HLEN) + HWQNIC_UDP_HLEN;

			rc = run(f, cut, &same);
			if (cut < bth ? rc != XDP_PASS :
			    cut < bth + 12 ? rc != XDP_DROP :
			    rc != XDP_REDIRECT)
				bad++;
		}
	}
	ok(!bad, "a RoCEv2 frame cut at every length: PASS before the BTH, "
	   "DROP inside it, REDIRECT once it is whole (%u wrong)", bad);
}

/* The port's qp_steer(), called as the core calls it: dev->lock held. */
static int steer(struct hwqnic_context *ctx, u32 qpn, bool on)
{
	int rc;

	hwqnic_lock(&ctx->dev.lock);
	rc = ctx->port->ops->qp_steer(&ctx->dev, qpn, on);
	hwqnic_unlock(&ctx->dev.lock);
	return rc;
}

int main(void)
{
	struct hwqnic_context *ctx;
	uint64_t seed = tap_seed();
	const char *why;

	if (u_netns_no_xdp())
		tap_skip_all("%s", u_netns_no_xdp());
	why = u_netns_pair(&ns);
	if (why)
		tap_skip_all("%s", why);
	setenv("HWQNIC_PORT", "xdp", 1);
	u_netns_enter(&ns, 0);
	ctx = hwqnic_open_netdev(NULL, ns.ifname[0], 0);
	u_netns_enter(&ns, -1);
	if (!ok(ctx && !hwqnic_port_xdp_fds(ctx->port, &prog, &qst, &pst),
		"a device on AF_XDP, with its program and maps")) {
		u_netns_del(&ns);
		return tap_done();
	}
	ok(!steer(ctx, QPN, true), "QP 0x%x steered", QPN);
	passes();
	roce(&seed);
	cuts(&seed);
	ok(!steer(ctx, QPN, false), "QP 0x%x no longer steered", QPN);
	ok(qp_stats(QPN).rx_packets == 0 &&
	   bpf_map_lookup_elem(qst, &(u32){ QPN }, &(struct roce_steer_qp){ 0 })
	   && errno == ENOENT, "its qp_stats entry is gone");
	ok(!hwqnic_close(ctx), "close");
	u_netns_del(&ns);
	return tap_done();
}
