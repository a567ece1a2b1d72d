// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* RoCEv2 packets for the tests of the packet layer (frames.h). */
#include <string.h>

#include "wire.h"
#include "tap.h"
#include "frames.h"

static void rand_bytes(u8 *b, u32 n, uint64_t *seed)
{
	while (n--)
		*b++ = tap_rand(seed);
}

void u_pkt_random(struct hwqnic_pkt *p, uint64_t *seed, u8 opcode, bool ipv6)
{
	rand_bytes((u8 *)p, sizeof(*p), seed);
	p->payload = NULL;
	p->paylen = 0;
	p->opcode = opcode;
	p->ipv6 = ipv6;
	p->se = tap_rand(seed) & 1;
	p->mig = tap_rand(seed) & 1;
	p->ackreq = tap_rand(seed) & 1;
	p->path.smac[0] &= ~1;	/* a station, not a group */
	p->dqpn &= HWQNIC_QPN_MASK;
	p->psn &= HWQNIC_PSN_MASK;
	p->msn &= 0xffffff;
	p->sqpn &= HWQNIC_QPN_MASK;
	if (ipv6) {
		/* a unique local address: never IPv4-mapped */
		p->path.sgid[0] = 0xfd;
		p->path.dgid[0] = 0xfd;
		p->path.flow_label &= 0xfffff;
	} else {
		memset(p->path.sgid, 0, 10);
		memset(p->path.dgid, 0, 10);
		memset(p->path.sgid + 10, 0xff, 2);
		memset(p->path.dgid + 10, 0xff, 2);
		p->path.flow_label = 0;
	}
}

void u_pkt_expect(struct hwqnic_pkt *e, const struct hwqnic_pkt *in,
		  const u8 *payload, u32 paylen)
{
	u16 mask = hwqnic_ib_opcodes[in->opcode].mask;

	memset(e, 0, sizeof(*e));
	e->path = in->path;
	if (!in->ipv6)
		e->path.flow_label = 0;
	e->ipv6 = in->ipv6;
	e->opcode = in->opcode;
	e->mask = mask;
	e->se = in->se;
	e->mig = in->mig;
	e->ackreq = in->ackreq;
	e->pad = -paylen & 3;
	e->pkey = in->pkey;
	e->dqpn = in->dqpn;
	e->psn = in->psn;
	if (mask & (HWQNIC_IBM_RETH | HWQNIC_IBM_ATMETH)) {
		e->va = in->va;
		e->rkey = in->rkey;
	}
	if (mask & HWQNIC_IBM_RETH)
		e->dma_len = in->dma_len;
	if (mask & HWQNIC_IBM_ATMETH) {
		e->swap_add = in->swap_add;
		e->compare = in->compare;
	}
	if (mask & HWQNIC_IBM_AETH) {
		e->syndrome = in->syndrome;
		e->msn = in->msn;
	}
	if (mask & HWQNIC_IBM_IMM)
		e->imm = in->imm;
	if (mask & HWQNIC_IBM_ATMACK)
		e->orig = in->orig;
	if (mask & HWQNIC_IBM_DETH) {
		e->qkey = in->qkey;
		e->sqpn = in->sqpn;
	}
	e->payload = payload;
	e->paylen = paylen;
}

#define DIFF(f) do { if (a->f != b->f) return #f; } while (0)

const char *u_pkt_diff(const struct hwqnic_pkt *a, const struct hwqnic_pkt *b)
{
	if (memcmp(a->path.smac, b->path.smac, 6))
		return "smac";
	if (memcmp(a->path.dmac, b->path.dmac, 6))
		return "dmac";
	if (memcmp(a->path.sgid, b->path.sgid, 16))
		return "sgid";
	if (memcmp(a->path.dgid, b->path.dgid, 16))
		return "dgid";
	DIFF(path.tclass);
	DIFF(path.hop_limit);
	DIFF(path.sport);
	DIFF(path.flow_label);
	DIFF(ipv6);
	DIFF(opcode);
	DIFF(mask);
	DIFF(se);
	DIFF(mig);
	DIFF(ackreq);
	DIFF(pad);
	DIFF(pkey);
	DIFF(dqpn);
	DIFF(psn);
	DIFF(va);
	DIFF(rkey);
	DIFF(dma_len);
	DIFF(syndrome);
	DIFF(msn);
	DIFF(imm);
	DIFF(swap_add);
	DIFF(compare);
	DIFF(orig);
	DIFF(qkey);
	DIFF(sqpn);
	DIFF(paylen);
	if (a->paylen && (!a->payload || !b->payload ||
			  memcmp(a->payload, b->payload, a->paylen)))
		return "payload";
	return NULL;
}

u32 u_pkt_make(u8 *frame, u32 cap, const struct hwqnic_pkt *p,
	       const u8 *payload, u32 paylen)
{
	int off = hwqnic_pkt_build(frame, cap, p, paylen);

	if (off < 0)
		return 0;
	if (paylen)
		memcpy(frame + off, payload, paylen);
	return hwqnic_pkt_seal(frame, p, paylen);
}
