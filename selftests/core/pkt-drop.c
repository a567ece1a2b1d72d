// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Malformed RoCEv2 frames (kmod/core/pkt.c): each is refused with its own
 * reason and parsed from a buffer exactly as long as the frame (ASan and
 * valgrind see a read past it). Truncated at every byte; bad versions and
 * lengths; IPv4 options and fragments; not UDP, not to 4791; BTH faults
 * behind a valid ICRC; every single flipped bit. And what a build refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "../lib/frames.h"
#include "../lib/tap.h"

static const char *const reason[] = {
	"none", "short", "not RoCE", "IP", "UDP", "BTH", "ICRC", "P_Key",
	"QP", "Q_Key", "opcode", "length",
};

static u8 payload[HWQNIC_MTU];

/* Parses len bytes of f from a buffer of exactly that size. */
static enum hwqnic_drop parse_exact(const u8 *f, u32 len, struct hwqnic_pkt *p)
{
	enum hwqnic_drop why;
	u8 *copy = malloc(len ? len : 1);

	if (!copy)
		return HWQNIC_DROP_MAX;
	memcpy(copy, f, len);
	/* a zero-length frame: point at the end of a live one-byte buffer */
	why = hwqnic_pkt_parse(len ? copy : copy + 1, len, p);
	free(copy);
	return why;
}

static void check_why(const u8 *f, u32 len, enum hwqnic_drop want,
		      const char *what)
{
	struct hwqnic_pkt p;
	enum hwqnic_drop why = parse_exact(f, len, &p);

	ok(why == want, "%s: %s (got %s)", what, reason[want],
	   why < HWQNIC_DROP_MAX ? reason[why] : "?");
}

/* After a change behind the ICRC: the ICRC the frame should then carry. */
static void reseal(u8 *f, u32 len, bool ipv6)
{
	u32 icrc = hwqnic_icrc(f + HWQNIC_ETH_HLEN,
			       len - HWQNIC_ETH_HLEN - HWQNIC_ICRC_LEN, ipv6);

	f[len - 4] = icrc;
	f[len - 3] = icrc >> 8;
	f[len - 2] = icrc >> 16;
	f[len - 1] = icrc >> 24;
}

static void put16(u8 *b, u32 v)
{
	b[0] = v >> 8;
	b[1] = v;
}

struct frame {
	u8 b[HWQNIC_FRAME_MAX + 64];
	u32 len;
	bool ipv6;
	u32 l3, l4, bth;	/* offsets */
};

static void make(struct frame *f, u8 opcode, bool ipv6, u32 paylen)
{
	struct hwqnic_pkt p;
	uint64_t seed = 7;

	u_pkt_random(&p, &seed, opcode, ipv6);
	f->len = u_pkt_make(f->b, sizeof(f->b), &p, payload, paylen);
	f->ipv6 = ipv6;
	f->l3 = HWQNIC_ETH_HLEN;
	f->l4 = f->l3 + (ipv6 ? HWQNIC_IPV6_HLEN : HWQNIC_IPV4_HLEN);
	f->bth = f->l4 + HWQNIC_UDP_HLEN;
}

static void check_truncated(u8 opcode, bool ipv6, u32 paylen)
{
	struct frame f;
	struct hwqnic_pkt p;
	u32 n, wrong = 0, first = 0;

	make(&f, opcode, ipv6, paylen);
	for (n = 0; n < f.len; n++)
		if (parse_exact(f.b, n, &p) != HWQNIC_DROP_SHORT && !wrong++)
			first = n;
	ok(!wrong, "opcode 0x%02x %s, %u B: truncated at each of %u bytes: "
	   "short", opcode, ipv6 ? "IPv6" : "IPv4", paylen, f.len);
	if (wrong)
		diag("%u wrong, the first at %u bytes", wrong, first);
	/* Ethernet pads short frames: what follows the IP packet is not its */
	memset(f.b + f.len, 0xa5, 40);
	ok(parse_exact(f.b, f.len + 40, &p) == HWQNIC_DROP_NONE &&
	   p.paylen == paylen, "opcode 0x%02x %s: trailing bytes ignored",
	   opcode, ipv6 ? "IPv6" : "IPv4");
}

/* g: the frame f with stmt done to it; its parse gives want. */
#define MUT(stmt, want, what) do {					\
		g = f;							\
		stmt;							\
		check_why(g.b, g.len, want, what);			\
	} while (0)

static void check_ipv4(void)
{
	struct frame f, g;

	make(&f, HWQNIC_IB_SEND_ONLY, false, 9);
	MUT(g.b[14] = 0x65, HWQNIC_DROP_NOT_ROCE, "IPv4: version 6");
	MUT(g.b[14] = 0x44, HWQNIC_DROP_IP, "IPv4: header length 16");
	MUT(g.b[14] = 0x46, HWQNIC_DROP_NOT_ROCE, "IPv4: options");
	MUT(g.b[23] = 6, HWQNIC_DROP_NOT_ROCE, "IPv4: TCP");
	MUT(put16(g.b + 16, g.len - 13), HWQNIC_DROP_SHORT,
	    "IPv4: total length past the frame");
	MUT(put16(g.b + 16, 27), HWQNIC_DROP_IP, "IPv4: total length 27");
	MUT(put16(g.b + 16, g.len - 18), HWQNIC_DROP_UDP,
	    "IPv4: total length short of UDP's");
	MUT(g.b[20] |= 0x20, HWQNIC_DROP_IP, "IPv4: more fragments");
	MUT(g.b[21] = 1, HWQNIC_DROP_IP, "IPv4: fragment offset");
	MUT(put16(g.b + 12, 0x8100), HWQNIC_DROP_NOT_ROCE, "VLAN tag");
	MUT(put16(g.b + 12, 0x0806), HWQNIC_DROP_NOT_ROCE, "ARP");
	MUT(put16(g.b + 36, 4790), HWQNIC_DROP_NOT_ROCE, "UDP port 4790");
	MUT(put16(g.b + 38, g.len - 33), HWQNIC_DROP_UDP,
	    "UDP length past IP's");
	MUT(put16(g.b + 38, g.len - 35), HWQNIC_DROP_UDP,
	    "UDP length short of IP's");
	/* an IP packet too short for BTH and ICRC, lengths agreeing */
	MUT((put16(g.b + 16, 20 + 8 + 12), put16(g.b + 38, 8 + 12),
	     g.len = 14 + 40), HWQNIC_DROP_SHORT, "UDP: no room for BTH and ICRC");
	/* what the ICRC leaves out may change on the way */
	MUT((g.b[15] ^= 0xfc, g.b[22] -= 3, g.b[24] ^= 0xff, g.b[40] = 0x12),
	    HWQNIC_DROP_NONE, "TOS, TTL, IP and UDP checksums changed");
}

static void check_ipv6(void)
{
	struct frame f, g;

	make(&f, HWQNIC_IB_SEND_ONLY, true, 9);
	MUT(g.b[14] = 0x40 | (g.b[14] & 0xf), HWQNIC_DROP_NOT_ROCE,
	    "IPv6: version 4");
	MUT(g.b[20] = 44, HWQNIC_DROP_NOT_ROCE, "IPv6: fragment header");
	MUT(put16(g.b + 18, g.len - 14 - 40 + 1), HWQNIC_DROP_SHORT,
	    "IPv6: payload length past the frame");
	MUT(put16(g.b + 18, 7), HWQNIC_DROP_IP, "IPv6: payload length 7");
	MUT(put16(g.b + 18, g.len - 14 - 40 - 4), HWQNIC_DROP_UDP,
	    "IPv6: payload length short of UDP's");
	MUT((memset(g.b + 22, 0, 10), memset(g.b + 32, 0xff, 2),
	     reseal(g.b, g.len, true)), HWQNIC_DROP_IP,
	    "IPv6: IPv4-mapped source");
	MUT((memset(g.b + 38, 0, 10), memset(g.b + 48, 0xff, 2),
	     reseal(g.b, g.len, true)), HWQNIC_DROP_IP,
	    "IPv6: IPv4-mapped destination");
	MUT((g.b[14] ^= 0x0f, g.b[15] ^= 0xff, g.b[17] ^= 0x5a, g.b[21] -= 1,
	     g.b[61] = 0x77), HWQNIC_DROP_NONE,
	    "class, flow label, hop limit, UDP checksum changed");
#undef MUT
}

/* Faults behind a valid ICRC: the BTH and the lengths it implies. */
static void check_bth(bool ipv6)
{
	struct frame f, g;
	const char *fam = ipv6 ? "IPv6" : "IPv4";
	char what[96];

	make(&f, HWQNIC_IB_SEND_ONLY, ipv6, 9);	/* pad 3 */
#define MUT(stmt, want, ...) do {					\
		g = f; stmt; reseal(g.b, g.len, ipv6);			\
		snprintf(what, sizeof(what), __VA_ARGS__);		\
		check_why(g.b, g.len, want, what);			\
	} while (0)
	MUT(g.b[g.bth] = 0x15, HWQNIC_DROP_BTH, "%s: opcode 0x15", fam);
	MUT(g.b[g.bth] = 0x2c, HWQNIC_DROP_BTH, "%s: UC RDMA READ Request", fam);
	MUT(g.b[g.bth] = 0x60, HWQNIC_DROP_BTH, "%s: UD SEND First", fam);
	MUT(g.b[g.bth + 1] |= 1, HWQNIC_DROP_BTH, "%s: TVer 1", fam);
	MUT(g.b[g.bth + 1] |= 8, HWQNIC_DROP_BTH, "%s: TVer 8", fam);
	MUT(g.b[g.bth + 1] &= ~0x30, HWQNIC_DROP_NONE, "%s: pad 0", fam);
	/* no payload: 0 bytes and pad 1 */
	make(&f, HWQNIC_IB_SEND_ONLY, ipv6, 0);
	MUT(g.b[g.bth + 1] |= 0x10, HWQNIC_DROP_BTH, "%s: pad 1 of no payload",
	    fam);
	/* an ACK with 4 bytes after its AETH */
	make(&f, HWQNIC_IB_SEND_ONLY, ipv6, 8);
	MUT(g.b[g.bth] = HWQNIC_IB_ACK, HWQNIC_DROP_LEN,
	    "%s: ACK with 4 bytes of payload", fam);
	/* 8 bytes where WRITE_FIRST needs its 16-byte RETH */
	MUT(g.b[g.bth] = HWQNIC_IB_WRITE_FIRST, HWQNIC_DROP_SHORT,
	    "%s: WRITE First cut in its RETH", fam);
	/* a payload that is no multiple of 4: one byte cut off the end */
	make(&f, HWQNIC_IB_SEND_ONLY, ipv6, 8);
	MUT((g.len--, g.b[ipv6 ? 19 : 17]--, g.b[ipv6 ? 59 : 39]--),
	    HWQNIC_DROP_BTH, "%s: 7 bytes of payload and pad", fam);
	/* an MTU and 4 bytes of payload: more than hwqnic takes */
	make(&f, HWQNIC_IB_SEND_ONLY, ipv6, HWQNIC_MTU);
	MUT((memset(g.b + g.len, 0, 4), g.len += 4,
	     put16(g.b + (ipv6 ? 18 : 16), (g.b[ipv6 ? 18 : 16] << 8 |
					    g.b[ipv6 ? 19 : 17]) + 4),
	     put16(g.b + g.l4 + 4, (g.b[g.l4 + 4] << 8 | g.b[g.l4 + 5]) + 4)),
	    HWQNIC_DROP_LEN, "%s: %u bytes of payload", fam, HWQNIC_MTU + 4);
#undef MUT
}

/* IPv4: bytes whose bits the ICRC does not cover, or that a parse ignores. */
static bool v4_free(u32 i)
{
	return i < 12 || i == 15 || i == 22 || i == 24 || i == 25 ||
	       i == 40 || i == 41 || i == 46;
}

static bool v6_free(u32 i, u8 bit)
{
	return i < 12 || (i == 14 && bit < 4) || i == 15 || i == 16 ||
	       i == 17 || i == 21 || i == 60 || i == 61 || i == 66;
}

static void check_flips(u8 opcode, bool ipv6, u32 paylen)
{
	struct frame f;
	struct hwqnic_pkt p;
	u32 i, wrong = 0;
	u8 bit;

	make(&f, opcode, ipv6, paylen);
	for (i = 0; i < f.len; i++)
		for (bit = 0; bit < 8; bit++) {
			bool free = ipv6 ? v6_free(i, bit) : v4_free(i);
			enum hwqnic_drop why;

			f.b[i] ^= 1 << bit;
			why = parse_exact(f.b, f.len, &p);
			f.b[i] ^= 1 << bit;
			if (free ? why != HWQNIC_DROP_NONE :
			    why == HWQNIC_DROP_NONE ||
			    (i >= f.bth && why != HWQNIC_DROP_ICRC) ||
			    (i >= f.l4 && i < f.l4 + 2 &&
			     why != HWQNIC_DROP_ICRC)) {
				if (!wrong++)
					diag("byte %u bit %u: %s", i, bit,
					     reason[why]);
			}
		}
	ok(!wrong, "opcode 0x%02x %s, %u B: each of %u bits flipped: refused "
	   "(ICRC from the UDP source port on) unless outside the ICRC",
	   opcode, ipv6 ? "IPv6" : "IPv4", paylen, f.len * 8);
}

static void check_build(void)
{
	static u8 frame[HWQNIC_FRAME_MAX];
	struct hwqnic_pkt p;
	uint64_t seed = 3;
	u32 need, cap, wrong = 0;
	int off;

	u_pkt_random(&p, &seed, 0x15, false);
	ok(hwqnic_pkt_build(frame, sizeof(frame), &p, 0) == -EINVAL,
	   "build: unknown opcode refused");
	u_pkt_random(&p, &seed, HWQNIC_IB_ACK, false);
	ok(hwqnic_pkt_build(frame, sizeof(frame), &p, 4) == -EINVAL,
	   "build: payload on an ACK refused");
	u_pkt_random(&p, &seed, HWQNIC_IB_SEND_ONLY, true);
	ok(hwqnic_pkt_build(frame, sizeof(frame), &p, HWQNIC_MTU + 1) ==
	   -EMSGSIZE, "build: payload past the MTU refused");
	ok(hwqnic_pkt_build(frame, sizeof(frame), &p, HWQNIC_MTU) > 0,
	   "build: an MTU's payload over IPv6 fits HWQNIC_FRAME_MAX");
	memset(p.path.sgid, 0, 10);
	memset(p.path.sgid + 10, 0xff, 2);
	ok(hwqnic_pkt_build(frame, sizeof(frame), &p, 0) == -EINVAL,
	   "build: IPv4 source, IPv6 destination refused");
	u_pkt_random(&p, &seed, HWQNIC_IB_WRITE_ONLY_IMM, false);
	need = 14 + 20 + 8 + 32 + 100 + 4;
	for (cap = 0; cap < need; cap++) {
		u8 *exact = malloc(cap ? cap : 1);

		if (!exact)
			break;
		if (hwqnic_pkt_build(exact, cap, &p, 100) != -EMSGSIZE)
			wrong++;
		free(exact);
	}
	ok(!wrong, "build: every buffer short of %u bytes refused", need);
	off = hwqnic_pkt_build(frame, need, &p, 100);
	ok(off == 14 + 20 + 8 + 32, "build: %u bytes suffice, payload at %d",
	   need, off);
}

int main(void)
{
	static const u8 ops[] = {
		HWQNIC_IB_SEND_ONLY_IMM, HWQNIC_IB_WRITE_FIRST,
		HWQNIC_IB_READ_RESP_MIDDLE, HWQNIC_IB_ACK,
		HWQNIC_IB_ATOMIC_ACK, HWQNIC_IB_CMP_SWAP,
		HWQNIC_IB_UD | HWQNIC_IB_SEND_ONLY_IMM,
	};
	unsigned int i, v6;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = i * 37 + 1;
	for (i = 0; i < sizeof(ops); i++)
		for (v6 = 0; v6 < 2; v6++) {
			u32 n = hwqnic_ib_opcodes[ops[i]].mask &
				HWQNIC_IBM_PAYLOAD ? 13 : 0;

			check_truncated(ops[i], v6, n);
			check_flips(ops[i], v6, n);
		}
	check_ipv4();
	check_ipv6();
	check_bth(false);
	check_bth(true);
	check_build();
	return tap_done();
}
