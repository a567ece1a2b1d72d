// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * roce_steer: the XDP program of libhwqnic's AF_XDP port. RoCEv2 packets
 * (Ethernet / IPv4 or IPv6 / UDP to 4791 / BTH) go to the AF_XDP socket
 * that serves their destination QP, through xsks; those to a QP no socket
 * serves are dropped and counted. Everything else (ARP, ICMP, IPv6 ND,
 * TCP, other UDP, fragments, IP options, VLAN tags) passes to the kernel
 * untouched. Only UAPI types are used: the program reads packets, no
 * kernel structure, so it needs neither vmlinux.h nor CO-RE relocations.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "roce_steer.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ROCE_STEER_MAX_QP);
	__type(key, __u32);			/* QPN */
	__type(value, __u32);			/* index in xsks */
} qp_steer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, ROCE_STEER_MAX_XSK);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ROCE_STEER_MAX_QP);
	__type(key, __u32);			/* QPN */
	__type(value, struct roce_steer_qp);
} qp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct roce_steer_port);
} port_stats SEC(".maps");

#define BTH_LEN		12
#define IP_MF_OFFSET	0x3fff		/* more fragments, fragment offset */

static __always_inline void count(__u64 *c)
{
	__sync_fetch_and_add(c, 1);
}

/* The UDP header of an IPv4 or IPv6 packet without options, or NULL. */
static __always_inline struct udphdr *udp_of(void *l3, void *end,
					     __be16 proto)
{
	struct ipv6hdr *ip6 = l3;
	struct iphdr *ip = l3;

	if (proto == bpf_htons(ETH_P_IP)) {
		if ((void *)(ip + 1) > end || ip->ihl != 5 ||
		    ip->protocol != IPPROTO_UDP ||
		    (ip->frag_off & bpf_htons(IP_MF_OFFSET)))
			return NULL;
		return (void *)(ip + 1);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return NULL;
		return (void *)(ip6 + 1);
	}
	return NULL;
}

SEC("xdp")
int roce_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct roce_steer_port *port;
	struct ethhdr *eth = data;
	struct roce_steer_qp *st;
	struct udphdr *udp;
	__u32 zero = 0, qpn, *idx;
	__u8 *bth;

	port = bpf_map_lookup_elem(&port_stats, &zero);
	if (!port)
		return XDP_PASS;
	if ((void *)(eth + 1) > end)
		goto pass;
	udp = udp_of(eth + 1, end, eth->h_proto);
	if (!udp || (void *)(udp + 1) > end ||
	    udp->dest != bpf_htons(ROCE_STEER_UDP_PORT))
		goto pass;
	bth = (__u8 *)(udp + 1);
	if ((void *)(bth + BTH_LEN) > end) {
		count(&port->drop_short);
		return XDP_DROP;
	}
	qpn = (__u32)bth[5] << 16 | (__u32)bth[6] << 8 | bth[7];
	idx = bpf_map_lookup_elem(&qp_steer, &qpn);
	st = bpf_map_lookup_elem(&qp_stats, &qpn);
	if (!idx || !st) {
		count(&port->drop_unknown_qp);
		return XDP_DROP;
	}
	if (bth[1] & 0x0f) {
		count(&st->drop_bad_bth);
		return XDP_DROP;
	}
	if (!bpf_map_lookup_elem(&xsks, idx)) {
		count(&st->drop_no_socket);
		return XDP_DROP;
	}
	count(&st->rx_packets);
	__sync_fetch_and_add(&st->rx_bytes, (__u64)(end - data));
	count(&port->redirected);
	return bpf_redirect_map(&xsks, *idx, XDP_DROP);
pass:
	count(&port->passed);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
