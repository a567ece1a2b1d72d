// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: hwqnic_pkt_parse() against hostile frames. The input is
 * a flags byte and a received frame; with flag 1 the frame's ICRC is made
 * right before the parse, where its IP header says the ICRC lies, so that
 * mutations reach the BTH checks that a wrong ICRC would hide. Invariants:
 * the reason is one the parser gives; an accepted frame's payload, pad and
 * ICRC lie inside the frame, where its IP and UDP lengths say; the fields
 * agree with the opcode table; and the frame built again from what was
 * parsed parses to the same fields.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "../lib/frames.h"

static u8 rebuilt[HWQNIC_FRAME_MAX];

static u32 get16(const u8 *b)
{
	return (u32)b[0] << 8 | b[1];
}

static void check_accepted(const u8 *f, u32 len, const struct hwqnic_pkt *p)
{
	const struct hwqnic_ib_opcode *op = &hwqnic_ib_opcodes[p->opcode];
	u32 l3 = p->ipv6 ? HWQNIC_IPV6_HLEN : HWQNIC_IPV4_HLEN;
	u32 ip_end, off, flen;
	struct hwqnic_pkt q;
	int built;

	/* the IP packet's end, as its header says; Ethernet padding beyond */
	ip_end = HWQNIC_ETH_HLEN + (p->ipv6 ? HWQNIC_IPV6_HLEN + get16(f + 18) :
				    get16(f + 16));
	off = HWQNIC_ETH_HLEN + l3 + HWQNIC_UDP_HLEN + op->hdr_len;
	if (!op->mask || p->mask != op->mask || p->pad > 3 ||
	    (p->paylen + p->pad) % 4 || p->paylen > HWQNIC_MTU ||
	    p->dqpn > HWQNIC_QPN_MASK || p->psn > HWQNIC_PSN_MASK ||
	    p->msn > 0xffffff || p->sqpn > HWQNIC_QPN_MASK ||
	    p->path.flow_label > 0xfffff || (!p->ipv6 && p->path.flow_label))
		abort();
	if (p->payload != f + off ||
	    off + p->paylen + p->pad + HWQNIC_ICRC_LEN != ip_end ||
	    ip_end > len || get16(f + 12) != (p->ipv6 ? 0x86dd : 0x0800))
		abort();
	if (p->paylen && !(op->mask & HWQNIC_IBM_PAYLOAD))
		abort();

	/* built again: the same fields, the same length */
	built = hwqnic_pkt_build(rebuilt, sizeof(rebuilt), p, p->paylen);
	if (built != (int)off)
		abort();
	memcpy(rebuilt + built, p->payload, p->paylen);
	flen = hwqnic_pkt_seal(rebuilt, p, p->paylen);
	if (flen != ip_end ||
	    hwqnic_pkt_parse(rebuilt, flen, &q) != HWQNIC_DROP_NONE ||
	    u_pkt_diff(p, &q))
		abort();
}

/* The ICRC of a frame whose IP header is whole: where its length says. */
static void fix_icrc(u8 *f, u32 len)
{
	u32 l3, ip_end, icrc;
	bool ipv6;

	if (len < HWQNIC_ETH_HLEN + HWQNIC_IPV6_HLEN)
		return;
	ipv6 = get16(f + 12) == 0x86dd;
	l3 = ipv6 ? HWQNIC_IPV6_HLEN : HWQNIC_IPV4_HLEN;
	ip_end = HWQNIC_ETH_HLEN + (ipv6 ? l3 + get16(f + 18) : get16(f + 16));
	if (ip_end > len ||
	    ip_end < HWQNIC_ETH_HLEN + l3 + HWQNIC_UDP_HLEN + HWQNIC_BTH_LEN +
		     HWQNIC_ICRC_LEN)
		return;
	icrc = hwqnic_icrc(f + HWQNIC_ETH_HLEN,
			   ip_end - HWQNIC_ETH_HLEN - HWQNIC_ICRC_LEN, ipv6);
	f[ip_end - 4] = icrc;
	f[ip_end - 3] = icrc >> 8;
	f[ip_end - 2] = icrc >> 16;
	f[ip_end - 1] = icrc >> 24;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct hwqnic_pkt p;
	enum hwqnic_drop why;
	bool fix;
	u8 *f;

	if (!size || size > 2 * HWQNIC_FRAME_MAX)
		return 0;
	fix = data[0] & 1;
	data++;
	size--;
	/* a copy of its own length: a read past the frame is an ASan report */
	f = malloc(size ? size : 1);
	if (!f)
		return 0;
	memcpy(f, data, size);
	if (fix)
		fix_icrc(f, size);
	why = hwqnic_pkt_parse(f, size, &p);
	switch (why) {
	case HWQNIC_DROP_NONE:
		check_accepted(f, size, &p);
		break;
	case HWQNIC_DROP_SHORT:
	case HWQNIC_DROP_NOT_ROCE:
	case HWQNIC_DROP_IP:
	case HWQNIC_DROP_UDP:
	case HWQNIC_DROP_BTH:
	case HWQNIC_DROP_ICRC:
	case HWQNIC_DROP_LEN:
		break;
	default:	/* P_Key, QP, Q_Key and opcode are the transport's */
		abort();
	}
	free(f);
	return 0;
}
