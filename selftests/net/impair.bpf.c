// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What netem's loss, duplicate and reorder do, made of what a kernel
 * without sch_netem has (cls_bpf, clsact, htb), for the RoCEv2 packets
 * crossing the middle namespace of selftests/net/e2e.c. On a middle veth
 * end's clsact egress, "impair" drops 5% (TC_ACT_SHOT) and sends 2% twice
 * (bpf_clone_redirect() to the same egress; the copy is marked so that
 * it passes untouched). As the classifier of that end's htb root,
 * "reorder" sends 25% into class 1:2, a slow one, whose packets leave
 * after later ones of class 1:1. "loss1" drops 1% (tools/bench-wire.sh).
 * Anything not UDP to port 4791 passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ROCE_PORT	4791
#define DUP_MARK	0x4d50	/* the copy of a duplicated packet */

/* Percent of packets, each a share of 100. */
#define LOSS_PCT	5
#define DUP_PCT		2
#define REORDER_PCT	25

static __always_inline int is_roce(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return 0;
		proto = ip->protocol;
		udp = (void *)(ip + 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return 0;
		proto = ip6->nexthdr;
		udp = (void *)(ip6 + 1);
	} else {
		return 0;
	}
	if (proto != IPPROTO_UDP || (void *)(udp + 1) > end)
		return 0;
	return udp->dest == bpf_htons(ROCE_PORT);
}

SEC("tc/impair")
int impair(struct __sk_buff *skb)
{
	__u32 r;

	if (skb->mark == DUP_MARK) {
		skb->mark = 0;
		return TC_ACT_OK;
	}
	if (!is_roce(skb))
		return TC_ACT_OK;
	r = bpf_get_prandom_u32() % 100;
	if (r < LOSS_PCT)
		return TC_ACT_SHOT;
	if (r < LOSS_PCT + DUP_PCT) {
		skb->mark = DUP_MARK;
		bpf_clone_redirect(skb, skb->ifindex, 0);
		skb->mark = 0;
	}
	return TC_ACT_OK;
}

SEC("tc/reorder")
int reorder(struct __sk_buff *skb)
{
	skb->tc_classid = is_roce(skb) &&
			  bpf_get_prandom_u32() % 100 < REORDER_PCT ?
			  TC_H_MAKE(1 << 16, 2) : TC_H_MAKE(1 << 16, 1);
	return TC_ACT_OK;
}

/* netem's "loss 1%" alone, for tools/bench-wire.sh's impaired link */
#define BENCH_LOSS_PCT	1

SEC("tc/loss1")
int loss1(struct __sk_buff *skb)
{
	if (is_roce(skb) && bpf_get_prandom_u32() % 100 < BENCH_LOSS_PCT)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
