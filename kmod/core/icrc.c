// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The RoCEv2 ICRC (wire.h): CRC-32 over the packet as the first router
 * would leave it, with every field a router may change set to ones.
 */
#include "wire.h"

/* IPv4: TOS, TTL, header checksum; IPv6: class, flow label, hop limit. */
static void icrc_mask_l3(u8 *h, bool ipv6)
{
	if (ipv6) {
		h[0] |= 0x0f;
		h[1] = h[2] = h[3] = 0xff;
		h[7] = 0xff;
	} else {
		h[1] = 0xff;
		h[8] = 0xff;
		h[10] = h[11] = 0xff;
	}
}

u32 hwqnic_icrc(const u8 *l3, u32 len, bool ipv6)
{
	/* 8 bytes of ones stand for the LRH of IB, which RoCE does not have */
	u8 hdr[8 + HWQNIC_IPV6_HLEN + HWQNIC_UDP_HLEN + HWQNIC_BTH_LEN];
	u32 ip_len = ipv6 ? HWQNIC_IPV6_HLEN : HWQNIC_IPV4_HLEN;
	u32 hlen = ip_len + HWQNIC_UDP_HLEN + HWQNIC_BTH_LEN;
	u32 crc;

	/* no RoCEv2 packet is shorter, and the parser never asks for one */
	if (len < hlen)
		return 0;
	memset(hdr, 0xff, 8);
	memcpy(hdr + 8, l3, hlen);
	icrc_mask_l3(hdr + 8, ipv6);
	/* the UDP checksum; the BTH's reserved byte before the QPN */
	hdr[8 + ip_len + 6] = 0xff;
	hdr[8 + ip_len + 7] = 0xff;
	hdr[8 + ip_len + HWQNIC_UDP_HLEN + 4] = 0xff;
	crc = hwqnic_os_crc32_le(~0U, hdr, 8 + hlen);
	crc = hwqnic_os_crc32_le(crc, l3 + hlen, len - hlen);
	return ~crc;
}
