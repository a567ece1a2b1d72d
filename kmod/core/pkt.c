// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * RoCEv2 frames (wire.h): built from decoded fields, parsed back into them.
 * Fields are moved byte by byte in network order, so that nothing depends
 * on the frame's alignment or the host's byte order.
 */
#include "wire.h"

#define ETH_TYPE_IPV4		0x0800
#define ETH_TYPE_IPV6		0x86dd
#define IP_PROTO_UDP		17
#define IPV4_DF			0x4000
/* the MF flag and the fragment offset */
#define IPV4_FRAG_MASK		0x3fff

/* Extension header lengths, in the order they follow the BTH. */
#define DETH_LEN		8
#define RETH_LEN		16
#define ATMETH_LEN		28
#define AETH_LEN		4
#define ATMACK_LEN		8
#define IMMDT_LEN		4

/* BTH byte 1: SE, MigReq, pad count, TVer. Byte 8: AckReq. */
#define BTH_SE			0x80
#define BTH_MIG			0x40
#define BTH_PAD_SHIFT		4
#define BTH_TVER_MASK		0x0f
#define BTH_ACKREQ		0x80

static inline void put16(u8 *b, u32 v)
{
	b[0] = v >> 8;
	b[1] = v;
}

static inline void put24(u8 *b, u32 v)
{
	b[0] = v >> 16;
	b[1] = v >> 8;
	b[2] = v;
}

static inline void put32(u8 *b, u32 v)
{
	put16(b, v >> 16);
	put16(b + 2, v);
}

static inline void put64(u8 *b, u64 v)
{
	put32(b, v >> 32);
	put32(b + 4, v);
}

static inline u32 get16(const u8 *b)
{
	return (u32)b[0] << 8 | b[1];
}

static inline u32 get24(const u8 *b)
{
	return (u32)b[0] << 16 | (u32)b[1] << 8 | b[2];
}

static inline u32 get32(const u8 *b)
{
	return get16(b) << 16 | get16(b + 2);
}

static inline u64 get64(const u8 *b)
{
	return (u64)get32(b) << 32 | get32(b + 4);
}

/* the ICRC travels least significant byte first */
static inline u32 get_le32(const u8 *b)
{
	return b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static inline void put_le32(u8 *b, u32 v)
{
	b[0] = v;
	b[1] = v >> 8;
	b[2] = v >> 16;
	b[3] = v >> 24;
}

/* ::ffff:a.b.c.d, an IPv4 address as a GID */
static const u8 gid_v4_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static bool gid_is_v4(const u8 *gid)
{
	return !memcmp(gid, gid_v4_prefix, sizeof(gid_v4_prefix));
}

static void gid_from_v4(u8 *gid, const u8 *addr)
{
	memcpy(gid, gid_v4_prefix, sizeof(gid_v4_prefix));
	memcpy(gid + sizeof(gid_v4_prefix), addr, 4);
}

/* The IPv4 header checksum: one's complement of the one's complement sum. */
static u16 ipv4_csum(const u8 *h)
{
	u32 sum = 0, i;

	for (i = 0; i < HWQNIC_IPV4_HLEN; i += 2)
		sum += get16(h + i);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * The Internet checksum's one's complement sum, in the host's byte order:
 * folded and stored as it is, it lands in the frame in the right order
 * (RFC 1071); four bytes a step.
 */
static u64 csum_add(u64 sum, const u8 *b, u32 len)
{
	u32 w;
	u16 h;

	for (; len >= 4; len -= 4, b += 4) {
		memcpy(&w, b, 4);
		sum += w;
	}
	if (len >= 2) {
		memcpy(&h, b, 2);
		sum += h;
		b += 2;
		len -= 2;
	}
	if (len) {
		u8 last[2] = { b[0], 0 };

		memcpy(&h, last, 2);
		sum += h;
	}
	return sum;
}

static u16 csum_fold(u64 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * IPv6 requires a UDP checksum (RFC 8200 8.1): a UDP socket drops a zero
 * one. It covers the pseudo-header, the datagram and its ICRC; the ICRC
 * leaves it out, so it may be filled in last.
 */
static void udp6_csum(u8 *h, u32 udp_len)
{
	u8 pseudo[8] = { 0 };
	u8 *u = h + HWQNIC_IPV6_HLEN;
	u64 sum;
	u16 c;

	put32(pseudo, udp_len);
	pseudo[7] = IP_PROTO_UDP;
	sum = csum_add(0, h + 8, 32);	/* source and destination */
	sum = csum_add(sum, pseudo, sizeof(pseudo));
	put16(u + 6, 0);
	sum = csum_add(sum, u, udp_len);
	c = ~csum_fold(sum);
	/* 0 means none: all ones is the same sum */
	if (!c)
		c = 0xffff;
	memcpy(u + 6, &c, 2);
}

/* Where a packet's parts lie, from its opcode, family and payload. */
struct pkt_layout {
	bool ipv6;
	u32 l3_len;		/* the IP header */
	u32 off;		/* the payload, from the Ethernet header */
	u32 pad;
	u32 udp_len;		/* UDP header to ICRC, inclusive */
};

static int pkt_layout(const struct hwqnic_pkt *p, u32 paylen,
		      struct pkt_layout *l)
{
	const struct hwqnic_ib_opcode *op = &hwqnic_ib_opcodes[p->opcode];

	if (!op->mask || (paylen && !(op->mask & HWQNIC_IBM_PAYLOAD)))
		return -EINVAL;
	l->ipv6 = !gid_is_v4(p->path.dgid);
	/* one family per packet: a v4-mapped source on IPv6 is not sent */
	if (l->ipv6 == gid_is_v4(p->path.sgid))
		return -EINVAL;
	if (paylen > HWQNIC_MTU)
		return -EMSGSIZE;
	l->l3_len = l->ipv6 ? HWQNIC_IPV6_HLEN : HWQNIC_IPV4_HLEN;
	l->pad = -paylen & 3;
	l->off = HWQNIC_ETH_HLEN + l->l3_len + HWQNIC_UDP_HLEN + op->hdr_len;
	l->udp_len = HWQNIC_UDP_HLEN + op->hdr_len + paylen + l->pad +
		     HWQNIC_ICRC_LEN;
	return 0;
}

static void build_l3(u8 *h, const struct hwqnic_path *path,
		     const struct pkt_layout *l)
{
	if (l->ipv6) {
		put32(h, 6U << 28 | (u32)path->tclass << 20 |
			 (path->flow_label & 0xfffff));
		put16(h + 4, l->udp_len);
		h[6] = IP_PROTO_UDP;
		h[7] = path->hop_limit;
		memcpy(h + 8, path->sgid, 16);
		memcpy(h + 24, path->dgid, 16);
		return;
	}
	h[0] = 0x45;
	h[1] = path->tclass;
	put16(h + 2, HWQNIC_IPV4_HLEN + l->udp_len);
	/*
	 * Id 0 with DF, as Linux sends DF datagrams from unconnected UDP
	 * sockets: a receiver that never sees the header (the UDP-socket
	 * port) rebuilds it exactly and can check the ICRC.
	 */
	put16(h + 4, 0);
	put16(h + 6, IPV4_DF);
	h[8] = path->hop_limit;
	h[9] = IP_PROTO_UDP;
	put16(h + 10, 0);
	memcpy(h + 12, path->sgid + 12, 4);
	memcpy(h + 16, path->dgid + 12, 4);
	put16(h + 10, ipv4_csum(h));
}

/* The BTH and the extension headers the opcode's mask names, in order. */
static void build_bth(u8 *b, const struct hwqnic_pkt *p, u32 pad)
{
	u16 mask = hwqnic_ib_opcodes[p->opcode].mask;
	u8 *x = b + HWQNIC_BTH_LEN;

	b[0] = p->opcode;
	b[1] = (p->se ? BTH_SE : 0) | (p->mig ? BTH_MIG : 0) |
	       pad << BTH_PAD_SHIFT;
	put16(b + 2, p->pkey);
	b[4] = 0;
	put24(b + 5, p->dqpn);
	b[8] = p->ackreq ? BTH_ACKREQ : 0;
	put24(b + 9, p->psn);
	if (mask & HWQNIC_IBM_DETH) {
		put32(x, p->qkey);
		x[4] = 0;
		put24(x + 5, p->sqpn);
		x += DETH_LEN;
	}
	if (mask & HWQNIC_IBM_RETH) {
		put64(x, p->va);
		put32(x + 8, p->rkey);
		put32(x + 12, p->dma_len);
		x += RETH_LEN;
	}
	if (mask & HWQNIC_IBM_ATMETH) {
		put64(x, p->va);
		put32(x + 8, p->rkey);
		put64(x + 12, p->swap_add);
		put64(x + 20, p->compare);
		x += ATMETH_LEN;
	}
	if (mask & HWQNIC_IBM_AETH) {
		x[0] = p->syndrome;
		put24(x + 1, p->msn);
		x += AETH_LEN;
	}
	if (mask & HWQNIC_IBM_ATMACK) {
		put64(x, p->orig);
		x += ATMACK_LEN;
	}
	if (mask & HWQNIC_IBM_IMM)
		memcpy(x, &p->imm, IMMDT_LEN);
}

int hwqnic_pkt_build(u8 *frame, u32 cap, const struct hwqnic_pkt *p,
		     u32 paylen)
{
	struct pkt_layout l;
	u8 *h, *u;
	int err;

	err = pkt_layout(p, paylen, &l);
	if (err)
		return err;
	if (l.off + paylen + l.pad + HWQNIC_ICRC_LEN > cap)
		return -EMSGSIZE;
	memcpy(frame, p->path.dmac, 6);
	memcpy(frame + 6, p->path.smac, 6);
	put16(frame + 12, l.ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IPV4);
	h = frame + HWQNIC_ETH_HLEN;
	build_l3(h, &p->path, &l);
	u = h + l.l3_len;
	put16(u, p->path.sport);
	put16(u + 2, HWQNIC_ROCE_UDP_PORT);
	put16(u + 4, l.udp_len);
	/* IPv4: no UDP checksum, the ICRC covers it all; IPv6: seal's */
	put16(u + 6, 0);
	build_bth(u + HWQNIC_UDP_HLEN, p, l.pad);
	return l.off;
}

u32 hwqnic_pkt_seal(u8 *frame, const struct hwqnic_pkt *p, u32 paylen)
{
	struct pkt_layout l;
	u32 end, icrc;

	if (pkt_layout(p, paylen, &l))
		return 0;
	end = l.off + paylen;
	memset(frame + end, 0, l.pad);
	end += l.pad;
	icrc = hwqnic_icrc(frame + HWQNIC_ETH_HLEN,
			   end - HWQNIC_ETH_HLEN, l.ipv6);
	put_le32(frame + end, icrc);
	if (l.ipv6)
		udp6_csum(frame + HWQNIC_ETH_HLEN, l.udp_len);
	return end + HWQNIC_ICRC_LEN;
}

/*
 * The IP header: its fields into p, and the bytes it says follow it
 * (*l4_len, the UDP datagram), checked against what the frame holds
 * (avail bytes from h).
 */
static enum hwqnic_drop parse_ipv4(const u8 *h, u32 avail,
				   struct hwqnic_pkt *p, u32 *l4_len)
{
	u32 vihl, tot, frag;

	if (avail < HWQNIC_IPV4_HLEN)
		return HWQNIC_DROP_SHORT;
	vihl = h[0];
	if (vihl >> 4 != 4)
		return HWQNIC_DROP_NOT_ROCE;
	if ((vihl & 0xf) < 5)
		return HWQNIC_DROP_IP;
	if ((vihl & 0xf) > 5)
		return HWQNIC_DROP_NOT_ROCE;	/* options: never sent */
	if (h[9] != IP_PROTO_UDP)
		return HWQNIC_DROP_NOT_ROCE;
	tot = get16(h + 2);
	if (tot > avail)
		return HWQNIC_DROP_SHORT;
	if (tot < HWQNIC_IPV4_HLEN + HWQNIC_UDP_HLEN)
		return HWQNIC_DROP_IP;
	frag = get16(h + 6);
	if (frag & IPV4_FRAG_MASK)
		return HWQNIC_DROP_IP;
	/*
	 * The header checksum is not checked: every field it guards but
	 * TOS and TTL, which may change on the way, is under the ICRC.
	 */
	p->path.tclass = h[1];
	p->path.hop_limit = h[8];
	gid_from_v4(p->path.sgid, h + 12);
	gid_from_v4(p->path.dgid, h + 16);
	*l4_len = tot - HWQNIC_IPV4_HLEN;
	return HWQNIC_DROP_NONE;
}

static enum hwqnic_drop parse_ipv6(const u8 *h, u32 avail,
				   struct hwqnic_pkt *p, u32 *l4_len)
{
	u32 w, plen;

	if (avail < HWQNIC_IPV6_HLEN)
		return HWQNIC_DROP_SHORT;
	w = get32(h);
	if (w >> 28 != 6)
		return HWQNIC_DROP_NOT_ROCE;
	/* extension headers (a fragment header among them) are not sent */
	if (h[6] != IP_PROTO_UDP)
		return HWQNIC_DROP_NOT_ROCE;
	plen = get16(h + 4);
	if (plen > avail - HWQNIC_IPV6_HLEN)
		return HWQNIC_DROP_SHORT;
	if (plen < HWQNIC_UDP_HLEN)
		return HWQNIC_DROP_IP;
	memcpy(p->path.sgid, h + 8, 16);
	memcpy(p->path.dgid, h + 24, 16);
	/* IPv4 travels as IPv4: a mapped address in IPv6 is forged */
	if (gid_is_v4(p->path.sgid) || gid_is_v4(p->path.dgid))
		return HWQNIC_DROP_IP;
	p->path.tclass = w >> 20;
	p->path.flow_label = w & 0xfffff;
	p->path.hop_limit = h[7];
	*l4_len = plen;
	return HWQNIC_DROP_NONE;
}

/* The BTH and the extension headers its opcode's mask names. */
static void parse_bth(const u8 *b, u32 flags, u16 mask, struct hwqnic_pkt *p)
{
	const u8 *x = b + HWQNIC_BTH_LEN;

	p->se = flags & BTH_SE;
	p->mig = flags & BTH_MIG;
	p->pkey = get16(b + 2);
	p->dqpn = get24(b + 5);
	p->ackreq = b[8] & BTH_ACKREQ;
	p->psn = get24(b + 9);
	if (mask & HWQNIC_IBM_DETH) {
		p->qkey = get32(x);
		p->sqpn = get24(x + 5);
		x += DETH_LEN;
	}
	if (mask & HWQNIC_IBM_RETH) {
		p->va = get64(x);
		p->rkey = get32(x + 8);
		p->dma_len = get32(x + 12);
		x += RETH_LEN;
	}
	if (mask & HWQNIC_IBM_ATMETH) {
		p->va = get64(x);
		p->rkey = get32(x + 8);
		p->swap_add = get64(x + 12);
		p->compare = get64(x + 20);
		x += ATMETH_LEN;
	}
	if (mask & HWQNIC_IBM_AETH) {
		p->syndrome = x[0];
		p->msn = get24(x + 1);
		x += AETH_LEN;
	}
	if (mask & HWQNIC_IBM_ATMACK) {
		p->orig = get64(x);
		x += ATMACK_LEN;
	}
	if (mask & HWQNIC_IBM_IMM)
		memcpy(&p->imm, x, IMMDT_LEN);
}

enum hwqnic_drop hwqnic_pkt_parse(const u8 *frame, u32 len,
				  struct hwqnic_pkt *p)
{
	const struct hwqnic_ib_opcode *op;
	enum hwqnic_drop why;
	u32 l3_len, l4_len = 0, rem, padded, icrc, b1;
	const u8 *h, *u, *b;

	memset(p, 0, sizeof(*p));
	if (len < HWQNIC_ETH_HLEN)
		return HWQNIC_DROP_SHORT;
	h = frame + HWQNIC_ETH_HLEN;
	switch (get16(frame + 12)) {
	case ETH_TYPE_IPV4:
		why = parse_ipv4(h, len - HWQNIC_ETH_HLEN, p, &l4_len);
		l3_len = HWQNIC_IPV4_HLEN;
		break;
	case ETH_TYPE_IPV6:
		p->ipv6 = true;
		why = parse_ipv6(h, len - HWQNIC_ETH_HLEN, p, &l4_len);
		l3_len = HWQNIC_IPV6_HLEN;
		break;
	default:		/* a VLAN tag among the rest */
		return HWQNIC_DROP_NOT_ROCE;
	}
	if (why != HWQNIC_DROP_NONE)
		return why;
	/* from here on, l4_len bytes at u are inside the frame */
	u = h + l3_len;
	if (get16(u + 2) != HWQNIC_ROCE_UDP_PORT)
		return HWQNIC_DROP_NOT_ROCE;
	if (get16(u + 4) != l4_len)
		return HWQNIC_DROP_UDP;
	if (l4_len < HWQNIC_UDP_HLEN + HWQNIC_BTH_LEN + HWQNIC_ICRC_LEN)
		return HWQNIC_DROP_SHORT;
	rem = l4_len - HWQNIC_UDP_HLEN - HWQNIC_ICRC_LEN;
	b = u + HWQNIC_UDP_HLEN;
	icrc = get_le32(b + rem);
	if (hwqnic_icrc(h, l3_len + HWQNIC_UDP_HLEN + rem, p->ipv6) != icrc)
		return HWQNIC_DROP_ICRC;

	p->opcode = b[0];
	op = &hwqnic_ib_opcodes[p->opcode];
	b1 = b[1];
	if (!op->mask || (b1 & BTH_TVER_MASK))
		return HWQNIC_DROP_BTH;
	if (rem < op->hdr_len)
		return HWQNIC_DROP_SHORT;
	padded = rem - op->hdr_len;
	if (padded && !(op->mask & HWQNIC_IBM_PAYLOAD))
		return HWQNIC_DROP_LEN;
	p->pad = (b1 >> BTH_PAD_SHIFT) & 3;
	/* the pad makes the payload a multiple of 4, no more, no less */
	if (p->pad > padded || (padded & 3))
		return HWQNIC_DROP_BTH;
	/* no frame hwqnic takes carries more than an MTU */
	if (padded - p->pad > HWQNIC_MTU)
		return HWQNIC_DROP_LEN;
	p->mask = op->mask;
	memcpy(p->path.smac, frame + 6, 6);
	memcpy(p->path.dmac, frame, 6);
	p->path.sport = get16(u);
	parse_bth(b, b1, op->mask, p);
	p->payload = b + op->hdr_len;
	p->paylen = padded - p->pad;
	return HWQNIC_DROP_NONE;
}

/*
 * As rdma_get_udp_sport() without a flow label: the flow label the QP
 * numbers hash to, folded into the 14 bits above 0xC000, so that one QP
 * pair's packets keep one ECMP path and different pairs spread.
 */
u16 hwqnic_udp_sport(u32 lqpn, u32 rqpn)
{
	u64 fl = (u64)lqpn * rqpn;
	u32 lo, hi;

	fl ^= fl >> 20;
	fl ^= fl >> 40;
	fl &= 0xfffff;
	lo = fl & 0x3fff;
	hi = fl & 0xfc000;
	lo ^= hi >> 14;
	return (u16)(lo | 0xc000);
}
