/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * RoCEv2 packets for the tests of the packet layer (selftests/lib/frames.c):
 * random decoded packets of a given opcode, the fields a parse must give
 * back, and frames built from them.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_FRAMES_H
#define _HWQNIC_SELFTESTS_LIB_FRAMES_H

#include <stdint.h>
#include "wire.h"

/*
 * Every field of p random, the headers opcode does not carry too (a build
 * must ignore them); path of the family asked for. payload is left NULL.
 */
void u_pkt_random(struct hwqnic_pkt *p, uint64_t *seed, u8 opcode,
		  bool ipv6);
/*
 * What hwqnic_pkt_parse() of a frame built from in (paylen bytes at
 * payload) must give: the fields in's opcode carries, the rest zero.
 */
void u_pkt_expect(struct hwqnic_pkt *e, const struct hwqnic_pkt *in,
		  const u8 *payload, u32 paylen);
/* NULL when a and b agree (payloads by content), else the first field not. */
const char *u_pkt_diff(const struct hwqnic_pkt *a, const struct hwqnic_pkt *b);
/*
 * Builds and seals p with paylen bytes of payload into frame (cap bytes):
 * the frame's length, or 0 when hwqnic_pkt_build() refused.
 */
u32 u_pkt_make(u8 *frame, u32 cap, const struct hwqnic_pkt *p,
	       const u8 *payload, u32 paylen);

#endif /* _HWQNIC_SELFTESTS_LIB_FRAMES_H */
