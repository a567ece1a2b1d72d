// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The packet layer (kmod/core/pkt.c, icrc.c): every opcode hwqnic speaks,
 * over IPv4 and IPv6, every pad count and payload sizes from 0 to 4096,
 * built, sealed and parsed back to the same fields, from a frame exactly
 * as long as it is (ASan and valgrind see a read past it); the ICRC of two
 * ACKs captured between rdma_rxe and a test peer; the UDP source port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "../lib/bound.h"
#include "../lib/frames.h"
#include "../lib/tap.h"

static u8 payload[HWQNIC_MTU];

/* IPv6: the UDP checksum over pseudo-header and datagram sums to ones. */
static bool udp6_csum_ok(const u8 *f)
{
	const u8 *ip = f + 14;
	u32 ulen = ip[4] << 8 | ip[5], sum = ulen + 17, i;

	for (i = 8; i < 40; i += 2)
		sum += ip[i] << 8 | ip[i + 1];
	for (i = 0; i + 1 < ulen; i += 2)
		sum += ip[40 + i] << 8 | ip[40 + i + 1];
	if (ulen & 1)
		sum += ip[40 + ulen - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff && (ip[46] || ip[47]);
}

/* Built, sealed, copied to a buffer of its own length, parsed: the diff. */
static const char *round_trip(const struct hwqnic_pkt *in, u32 paylen,
			      u32 *flen)
{
	static u8 frame[HWQNIC_FRAME_MAX];
	struct hwqnic_pkt out, want;
	const char *diff;
	u8 *exact;
	u32 len;

	len = u_pkt_make(frame, sizeof(frame), in, payload, paylen);
	*flen = len;
	if (!len)
		return "build refused";
	exact = malloc(len);
	if (!exact)
		return "out of memory";
	memcpy(exact, frame, len);
	if (hwqnic_pkt_parse(exact, len, &out) != HWQNIC_DROP_NONE) {
		free(exact);
		return "parse refused";
	}
	u_pkt_expect(&want, in, exact + len - HWQNIC_ICRC_LEN -
		     (-paylen & 3) - paylen, paylen);
	diff = u_pkt_diff(&want, &out);
	if (!diff && out.payload != want.payload)
		diff = "payload pointer";
	if (!diff && in->ipv6 && !udp6_csum_ok(exact))
		diff = "UDP checksum";
	free(exact);
	return diff;
}

/* Sizes to try: every one up to 64 (all pad counts), then a stride. */
static u32 next_size(u32 n, bool full)
{
	if (full || n < 64 || n >= HWQNIC_MTU - 4)
		return n + 1;
	return n + 61 < HWQNIC_MTU - 4 ? n + 61 : HWQNIC_MTU - 4;
}

static void check_round_trips(uint64_t *seed)
{
	unsigned int op, v6;

	for (op = 0; op < 256; op++) {
		u16 mask = hwqnic_ib_opcodes[op].mask;

		if (!mask)
			continue;
		for (v6 = 0; v6 < 2; v6++) {
			u32 max = mask & HWQNIC_IBM_PAYLOAD ? HWQNIC_MTU : 0;
			/* one opcode a family walks every size */
			bool full = !u_quick() && op == (v6 ? HWQNIC_IB_WRITE_FIRST :
					 HWQNIC_IB_SEND_ONLY_IMM);
			const char *diff = NULL;
			u32 n, tried = 0, flen = 0;
			struct hwqnic_pkt in;

			for (n = 0; n <= max && !diff; n = next_size(n, full)) {
				u_pkt_random(&in, seed, op, v6);
				diff = round_trip(&in, n, &flen);
				tried++;
			}
			ok(!diff, "opcode 0x%02x %s: %u sizes up to %u round trip%s%s",
			   op, v6 ? "IPv6" : "IPv4", tried, max,
			   diff ? ": " : "", diff ? diff : "");
		}
	}
}

/* The headers' lengths on the wire and the fields where IBTA puts them. */
static void check_layout(void)
{
	static u8 frame[HWQNIC_FRAME_MAX];
	struct hwqnic_pkt p;
	uint64_t seed = 1;
	u32 len;

	u_pkt_random(&p, &seed, HWQNIC_IB_WRITE_ONLY_IMM, false);
	p.pkey = 0xffff;
	p.dqpn = 0x123456;
	p.psn = 0xabcdef;
	p.se = true;
	p.mig = false;
	p.ackreq = true;
	p.path.sport = 0xc123;
	p.path.tclass = 0x12;
	p.path.hop_limit = 64;
	len = u_pkt_make(frame, sizeof(frame), &p, payload, 5);
	ok(len == 14 + 20 + 8 + 12 + 16 + 4 + 5 + 3 + 4,
	   "WRITE_ONLY_IMM, 5 bytes over IPv4: %u bytes", len);
	ok(frame[12] == 0x08 && frame[13] == 0x00, "EtherType IPv4");
	ok(frame[14] == 0x45 && frame[15] == 0x12, "IPv4, no options, TOS");
	ok(frame[16] == 0 && frame[17] == len - 14, "IPv4 total length");
	ok(frame[18] == 0 && frame[19] == 0 && frame[20] == 0x40 &&
	   frame[21] == 0, "IPv4 id 0, DF, no fragment");
	ok(frame[22] == 64 && frame[23] == 17, "TTL, protocol UDP");
	ok(frame[34] == 0xc1 && frame[35] == 0x23 && frame[36] == 0x12 &&
	   frame[37] == 0xb7, "UDP ports 0xc123 -> 4791");
	ok(frame[38] == 0 && frame[39] == len - 34 && frame[40] == 0 &&
	   frame[41] == 0, "UDP length, checksum 0");
	ok(frame[42] == 0x0b && frame[43] == (0x80 | 3 << 4) &&
	   frame[44] == 0xff && frame[45] == 0xff && frame[46] == 0,
	   "BTH: opcode, SE, pad 3, TVer 0, P_Key, reserved");
	ok(frame[47] == 0x12 && frame[48] == 0x34 && frame[49] == 0x56 &&
	   frame[50] == 0x80 && frame[51] == 0xab && frame[52] == 0xcd &&
	   frame[53] == 0xef, "BTH: dest QP, AckReq, PSN");
	ok(!memcmp(frame + len - 7, "\0\0\0", 3), "pad bytes are zero");
}

/* IPv4 header ... AETH of two ACKs and the ICRC each carried. */
static const struct {
	const char *hex, *icrc;
} vectors[] = {
	{ "4500003037da4000401176bbc6120001c6120002d47612b7001c0000"
	  "1100ffff000001230000abd01f000001", "ac3b9f1a" },
	{ "450000300001400040110000c6120002c6120001c0de12b7001c0000"
	  "1100ffff0000001200ff5c911f000001", "3300e8f1" },
};

static void unhex(u8 *b, const char *s)
{
	unsigned int x;

	for (; s[0] && s[1]; s += 2) {
		sscanf(s, "%2x", &x);
		*b++ = x;
	}
}

static void check_vectors(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		u8 frame[14 + 44 + 4], icrc[4];
		struct hwqnic_pkt p;
		enum hwqnic_drop why;
		u32 got;

		memset(frame, 0, 14);
		frame[12] = 0x08;
		unhex(frame + 14, vectors[i].hex);
		unhex(icrc, vectors[i].icrc);
		got = hwqnic_icrc(frame + 14, 44, false);
		ok(got == (icrc[0] | icrc[1] << 8 | icrc[2] << 16 |
			   (u32)icrc[3] << 24),
		   "captured ACK %u: ICRC bytes %s (got %08x)", i + 1,
		   vectors[i].icrc, got);
		memcpy(frame + 14 + 44, icrc, 4);
		why = hwqnic_pkt_parse(frame, sizeof(frame), &p);
		ok(why == HWQNIC_DROP_NONE && p.opcode == HWQNIC_IB_ACK &&
		   p.syndrome == 0x1f && p.msn == 1 && !p.paylen,
		   "captured ACK %u parses: reason %d, opcode 0x%x, AETH %02x/%u",
		   i + 1, why, p.opcode, p.syndrome, p.msn);
		frame[14 + 44] ^= 1;
		ok(hwqnic_pkt_parse(frame, sizeof(frame), &p) == HWQNIC_DROP_ICRC,
		   "captured ACK %u with its ICRC changed: refused", i + 1);
	}
}

/* The CRC-32 the osdep gives, against one bit at a time. */
static u32 crc32_bitwise(u32 crc, const u8 *b, u32 len)
{
	unsigned int k;

	while (len--) {
		crc ^= *b++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return crc;
}

static void check_crc32(uint64_t *seed)
{
	u32 off, len, wrong = 0, tried = 0, crc;

	ok(~hwqnic_os_crc32_le(~0U, "123456789", 9) == 0xcbf43926,
	   "CRC-32 of \"123456789\": 0xcbf43926");
	/* every alignment, every length around the 16-byte steps */
	for (off = 0; off < 16; off++)
		for (len = 0; len <= 300; len++) {
			crc = tap_rand(seed);
			if (hwqnic_os_crc32_le(crc, payload + off, len) !=
			    crc32_bitwise(crc, payload + off, len))
				wrong++;
			tried++;
		}
	crc = hwqnic_os_crc32_le(~0U, payload, 1000);
	crc = hwqnic_os_crc32_le(crc, payload + 1000, sizeof(payload) - 1000);
	ok(!wrong && crc == crc32_bitwise(~0U, payload, sizeof(payload)),
	   "CRC-32: %u offsets and lengths, and in two parts, as bit by bit",
	   tried);
}

/* rdma_get_udp_sport(0, l, r), worked out apart for a few QP pairs. */
static void check_sport(void)
{
	static const struct { u32 l, r; u16 sport; } v[] = {
		{ 0, 0, 0xc000 },
		{ 1, 1, 0xc001 },
		{ 0x11, 0x12, 0xc132 },
		{ 0xffffff, 0xffffff, 0xff21 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ok(hwqnic_udp_sport(v[i].l, v[i].r) == v[i].sport,
		   "UDP sport of QPs 0x%x, 0x%x: 0x%04x (got 0x%04x)", v[i].l,
		   v[i].r, v[i].sport, hwqnic_udp_sport(v[i].l, v[i].r));
	ok(hwqnic_udp_sport(0x12, 0x34) == hwqnic_udp_sport(0x34, 0x12),
	   "UDP sport: the same both ways");
}

int main(void)
{
	uint64_t seed = tap_seed();
	unsigned int i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = tap_rand(&seed);
	check_crc32(&seed);
	check_layout();
	check_vectors();
	check_sport();
	check_round_trips(&seed);
	return tap_done();
}
