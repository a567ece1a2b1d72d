/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * RoCEv2 on the wire, as IBTA's Annex A17 and rdma_rxe put it: Ethernet,
 * IPv4 or IPv6, UDP to port 4791, the BTH, the extension headers its opcode
 * names, the payload padded to 4 bytes, and the ICRC. Frames are built here
 * from decoded fields and parsed back into them; a received frame is
 * hostile, and hwqnic_pkt_parse() reads each byte of it once, checks every
 * length against the frame's own, and says why it refuses one.
 */
#ifndef _HWQNIC_WIRE_H
#define _HWQNIC_WIRE_H

#include "dev.h"

#define HWQNIC_ROCE_UDP_PORT	4791
#define HWQNIC_ETH_HLEN		14
#define HWQNIC_IPV4_HLEN	20	/* no options are sent or accepted */
#define HWQNIC_IPV6_HLEN	40
#define HWQNIC_UDP_HLEN		8
#define HWQNIC_BTH_LEN		12
#define HWQNIC_ICRC_LEN		4
#define HWQNIC_DEFAULT_PKEY	0xffff
#define HWQNIC_PSN_MASK		0xffffff
#define HWQNIC_QPN_MASK		0xffffff
/* The largest frame hwqnic builds or takes: a 4096-byte MTU's packet. */
#define HWQNIC_FRAME_MAX	(HWQNIC_ETH_HLEN + HWQNIC_IPV6_HLEN + \
				 HWQNIC_UDP_HLEN + HWQNIC_BTH_LEN + 28 + \
				 HWQNIC_MTU + HWQNIC_ICRC_LEN)

/* IB transport opcodes: the QP's transport in the top 3 bits (RC 0, UD 3). */
enum hwqnic_ib_opcode_val {
	HWQNIC_IB_RC			= 0x00,
	HWQNIC_IB_UC			= 0x20,
	HWQNIC_IB_UD			= 0x60,
	HWQNIC_IB_SEND_FIRST		= 0x00,
	HWQNIC_IB_SEND_MIDDLE		= 0x01,
	HWQNIC_IB_SEND_LAST		= 0x02,
	HWQNIC_IB_SEND_LAST_IMM		= 0x03,
	HWQNIC_IB_SEND_ONLY		= 0x04,
	HWQNIC_IB_SEND_ONLY_IMM		= 0x05,
	HWQNIC_IB_WRITE_FIRST		= 0x06,
	HWQNIC_IB_WRITE_MIDDLE		= 0x07,
	HWQNIC_IB_WRITE_LAST		= 0x08,
	HWQNIC_IB_WRITE_LAST_IMM	= 0x09,
	HWQNIC_IB_WRITE_ONLY		= 0x0a,
	HWQNIC_IB_WRITE_ONLY_IMM	= 0x0b,
	HWQNIC_IB_READ_REQ		= 0x0c,
	HWQNIC_IB_READ_RESP_FIRST	= 0x0d,
	HWQNIC_IB_READ_RESP_MIDDLE	= 0x0e,
	HWQNIC_IB_READ_RESP_LAST	= 0x0f,
	HWQNIC_IB_READ_RESP_ONLY	= 0x10,
	HWQNIC_IB_ACK			= 0x11,
	HWQNIC_IB_ATOMIC_ACK		= 0x12,
	HWQNIC_IB_CMP_SWAP		= 0x13,
	HWQNIC_IB_FETCH_ADD		= 0x14,
};

/* struct hwqnic_ib_opcode's mask: the headers it carries, what it is. */
#define HWQNIC_IBM_RETH		0x0001
#define HWQNIC_IBM_AETH		0x0002
#define HWQNIC_IBM_IMM		0x0004
#define HWQNIC_IBM_ATMETH	0x0008
#define HWQNIC_IBM_ATMACK	0x0010
#define HWQNIC_IBM_DETH		0x0020
#define HWQNIC_IBM_PAYLOAD	0x0040
#define HWQNIC_IBM_REQ		0x0080	/* requester to responder */
#define HWQNIC_IBM_RESP		0x0100	/* responder to requester */
#define HWQNIC_IBM_FIRST	0x0200	/* ONLY is FIRST | LAST */
#define HWQNIC_IBM_MIDDLE	0x0400
#define HWQNIC_IBM_LAST		0x0800
#define HWQNIC_IBM_SEND		0x1000	/* consumes a receive WQE */
#define HWQNIC_IBM_WRITE	0x2000
#define HWQNIC_IBM_READ		0x4000
#define HWQNIC_IBM_ATOMIC	0x8000

struct hwqnic_ib_opcode {
	u16 mask;		/* HWQNIC_IBM_*; 0: not an opcode hwqnic takes */
	u8 hdr_len;		/* BTH and the extension headers, bytes */
	u8 qp_types;		/* HWQNIC_OP_QPT() of those that use it */
};

/* Indexed by the BTH's opcode byte (opcode.c, beside the WR table). */
extern const struct hwqnic_ib_opcode hwqnic_ib_opcodes[256];

/* AETH syndromes (the top byte): ACK | credits, RNR NAK | timer, NAK | code. */
#define HWQNIC_AETH_ACK			0x00
#define HWQNIC_AETH_RNR_NAK		0x20
#define HWQNIC_AETH_NAK			0x60
#define HWQNIC_AETH_TYPE_MASK		0x60
#define HWQNIC_AETH_CREDITS_INVALID	0x1f
#define HWQNIC_NAK_PSN_SEQ_ERR		0x00
#define HWQNIC_NAK_INVALID_REQ		0x01
#define HWQNIC_NAK_REM_ACCESS_ERR	0x02
#define HWQNIC_NAK_REM_OP_ERR		0x03
#define HWQNIC_NAK_INVALID_RD_REQ	0x04

/*
 * Where a QP's (or an address handle's) packets go: everything below the
 * BTH. A GID is an IPv6 address; an IPv4 one is IPv4-mapped (::ffff:a.b.c.d)
 * and makes an IPv4 packet.
 */
struct hwqnic_path {
	u8 smac[6], dmac[6];
	u8 sgid[16], dgid[16];
	u8 tclass;		/* IPv4 TOS / IPv6 traffic class */
	u8 hop_limit;		/* IPv4 TTL / IPv6 hop limit */
	u16 sport;		/* UDP source port */
	u32 flow_label;		/* IPv6 only, 20 bits */
};

/*
 * A packet's fields, decoded: what hwqnic_pkt_parse() fills in and what
 * hwqnic_pkt_build() writes. Fields of headers the opcode does not carry
 * are zero after a parse and ignored by a build.
 */
struct hwqnic_pkt {
	struct hwqnic_path path;	/* parse: as received (s = sender) */
	bool ipv6;
	/* BTH */
	u8 opcode;
	u16 mask;			/* hwqnic_ib_opcodes[opcode].mask */
	bool se, mig, ackreq;
	u8 pad;				/* pad count, 0..3 */
	u16 pkey;
	u32 dqpn;			/* 24 bits */
	u32 psn;			/* 24 bits */
	/* RETH, or the AtomicETH's address and key */
	u64 va;
	u32 rkey;
	u32 dma_len;
	/* AETH */
	u8 syndrome;
	u32 msn;			/* 24 bits */
	/* ImmDt, in network byte order as it travels (opaque) */
	__be32 imm;
	/* AtomicETH */
	u64 swap_add, compare;
	/* AtomicAckETH */
	u64 orig;
	/* DETH */
	u32 qkey;
	u32 sqpn;			/* 24 bits */
	/* the payload, without pad and ICRC; parse: points into the frame */
	const u8 *payload;
	u32 paylen;
};

/* enum hwqnic_drop, why a received frame was refused: hwqnic/verbs.h */

/*
 * Writes the Ethernet, IP, UDP, BTH and extension headers of p (path,
 * ipv6, BTH and the extension fields its opcode's mask names) for a
 * payload of paylen bytes, into frame (cap bytes). Returns the payload's
 * offset, where the caller copies it, or -EMSGSIZE.
 */
int hwqnic_pkt_build(u8 *frame, u32 cap, const struct hwqnic_pkt *p,
		     u32 paylen);
/*
 * After the payload is in place: the pad (p->pad zero bytes, set by
 * hwqnic_pkt_build() from paylen) and the ICRC. Returns the frame's length.
 */
u32 hwqnic_pkt_seal(u8 *frame, const struct hwqnic_pkt *p, u32 paylen);
/*
 * Decodes and checks a received frame (Ethernet onwards; len its length):
 * HWQNIC_DROP_NONE and *p filled in, or why it was refused (*p then holds
 * nothing to trust). The ICRC is checked; P_Key, QP and Q_Key are the
 * transport's to check.
 */
enum hwqnic_drop hwqnic_pkt_parse(const u8 *frame, u32 len,
				  struct hwqnic_pkt *p);

/*
 * The ICRC of a RoCEv2 packet: CRC-32 over 8 bytes of ones, the IP header
 * and UDP header with their variant fields masked to ones, the BTH with
 * its byte 4 masked, and the rest up to the ICRC. l3 is the IP header and
 * len the bytes from there up to (not including) the ICRC.
 */
u32 hwqnic_icrc(const u8 *l3, u32 len, bool ipv6);

/* The UDP source port of a QP pair's packets, as rdma_get_udp_sport(). */
u16 hwqnic_udp_sport(u32 lqpn, u32 rqpn);

/* PSNs are 24-bit and compare in a window of 2^23. */
static inline s32 hwqnic_psn_diff(u32 a, u32 b)
{
	return (s32)((a - b) << 8) >> 8;
}

#endif /* _HWQNIC_WIRE_H */
