// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hwqperf: the data pattern and the message slots, for --verify (hwqperf.h). */
#include "hwqperf.h"

/* ---- data pattern ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Word w of message g is seed(g) ^ w * golden; bytes little-endian. */
uint64_t pat_seed(uint64_t g)
{
	return mix64(g + 1);
}

static uint64_t pat_word(uint64_t seed, uint64_t w)
{
	return seed ^ (w * 0x9e3779b97f4a7c15ULL);
}

uint8_t pat_byte(uint64_t seed, uint64_t b)
{
	return pat_word(seed, b / 8) >> (8 * (b % 8));
}

void pat_fill(char *p, uint64_t len, uint64_t g)
{
	uint64_t seed = pat_seed(g), w, v, b;

	for (w = 0; w < len / 8; w++) {
		v = htole64(pat_word(seed, w));
		memcpy(p + 8 * w, &v, 8);
	}
	for (b = len & ~7ULL; b < len; b++)
		p[b] = pat_byte(seed, b);
}

/* Offset of the first byte of p[len] that differs from message g, or -1. */
static int64_t pat_check(const char *p, uint64_t len, uint64_t g)
{
	uint64_t seed = pat_seed(g), w, v, b = len & ~7ULL;

	for (w = 0; w < len / 8; w++) {
		memcpy(&v, p + 8 * w, 8);
		if (le64toh(v) != pat_word(seed, w)) {
			b = 8 * w;
			break;
		}
	}
	for (; b < len; b++)
		if ((uint8_t)p[b] != pat_byte(seed, b))
			return b;
	return -1;
}

/* ---- messages: checked, and slots reused (numbers: hwqperf.h) ---- */

void verify_msg(struct run *r, struct qpx *x, uint64_t k)
{
	uint64_t g = msg_g(r, x, k);
	const char *p = msg_dst(r, x, g);
	int64_t bad = pat_check(p, r->o->size, g);

	if (bad < 0)
		return;
	fail("verify failed: %s qp %u message %" PRIu64 " (slot offset %"
	     PRIu64 ") byte %" PRId64 ": expected 0x%02x, got 0x%02x",
	     rig_op_name(r->o->op), x->qp ? x->qp->qp_num : r->peer.qpn, k,
	     msg_off(r, g), bad,
	     pat_byte(pat_seed(g), bad), (uint8_t)p[bad]);
}

/* With --verify, message g may reuse its slot once g - nslots is checked. */
bool gate_ok(const struct run *r, uint64_t g)
{
	const struct qpx *x;
	uint64_t p;

	if (!r->o->verify || g < r->nslots)
		return true;
	p = g - r->nslots;
	x = r->sender[p % r->nsenders];
	/* the two-process client: the server checks; the slot is free
	 * again once its message was sent */
	if (r->o->role == ROLE_CLIENT)
		return x->done > p / r->nsenders;
	return x->verified > p / r->nsenders;
}
