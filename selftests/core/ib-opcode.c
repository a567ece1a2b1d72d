// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The IB transport opcode table (hwqnic_ib_opcodes[], kmod/core/opcode.c)
 * against IBTA's BTH opcodes written out here: each opcode's value, the
 * extension headers that follow its BTH (and so the header length from
 * their sizes), whether it carries a payload, its direction, its place in
 * a message, what it does and its QP type (RC, UC, UD); every other value
 * is unknown.
 */
#include <string.h>

#include "opcode.h"
#include "wire.h"
#include "../lib/tap.h"

/* IBTA 9.2-9.5: extension header sizes in bytes. */
static const struct {
	const char *name;
	u16 bit;
	u8 len;
} ext[] = {
	{ "DETH", HWQNIC_IBM_DETH, 8 },
	{ "RETH", HWQNIC_IBM_RETH, 16 },
	{ "AtomicETH", HWQNIC_IBM_ATMETH, 28 },
	{ "AETH", HWQNIC_IBM_AETH, 4 },
	{ "AtomicAckETH", HWQNIC_IBM_ATMACK, 8 },
	{ "ImmDt", HWQNIC_IBM_IMM, 4 },
};

enum { F = 1, M = 2, L = 4, O = F | L };	/* place in the message */
enum { RC = HWQNIC_QPT_RC, UC = HWQNIC_QPT_UC, UD = HWQNIC_QPT_UD };

static const struct {
	const char *name;
	u8 value;
	const char *headers;	/* the extension headers, in order */
	bool payload, resp;
	u8 place;
	u16 what;		/* SEND (takes a receive WQE), WRITE, ... */
	u8 type;		/* the QP type: RC, UC, UD */
} ib[] = {
	{ "RC SEND First", 0x00, "", true, false, F, HWQNIC_IBM_SEND, RC },
	{ "RC SEND Middle", 0x01, "", true, false, M, HWQNIC_IBM_SEND, RC },
	{ "RC SEND Last", 0x02, "", true, false, L, HWQNIC_IBM_SEND, RC },
	{ "RC SEND Last with Immediate", 0x03, "ImmDt", true, false, L,
	  HWQNIC_IBM_SEND, RC },
	{ "RC SEND Only", 0x04, "", true, false, O, HWQNIC_IBM_SEND, RC },
	{ "RC SEND Only with Immediate", 0x05, "ImmDt", true, false, O,
	  HWQNIC_IBM_SEND, RC },
	{ "RC RDMA WRITE First", 0x06, "RETH", true, false, F,
	  HWQNIC_IBM_WRITE, RC },
	{ "RC RDMA WRITE Middle", 0x07, "", true, false, M, HWQNIC_IBM_WRITE, RC },
	{ "RC RDMA WRITE Last", 0x08, "", true, false, L, HWQNIC_IBM_WRITE, RC },
	{ "RC RDMA WRITE Last with Immediate", 0x09, "ImmDt", true, false, L,
	  HWQNIC_IBM_WRITE | HWQNIC_IBM_SEND, RC },
	{ "RC RDMA WRITE Only", 0x0a, "RETH", true, false, O,
	  HWQNIC_IBM_WRITE, RC },
	{ "RC RDMA WRITE Only with Immediate", 0x0b, "RETH ImmDt", true, false,
	  O, HWQNIC_IBM_WRITE | HWQNIC_IBM_SEND, RC },
	{ "RC RDMA READ Request", 0x0c, "RETH", false, false, O,
	  HWQNIC_IBM_READ, RC },
	{ "RC RDMA READ response First", 0x0d, "AETH", true, true, F,
	  HWQNIC_IBM_READ, RC },
	{ "RC RDMA READ response Middle", 0x0e, "", true, true, M,
	  HWQNIC_IBM_READ, RC },
	{ "RC RDMA READ response Last", 0x0f, "AETH", true, true, L,
	  HWQNIC_IBM_READ, RC },
	{ "RC RDMA READ response Only", 0x10, "AETH", true, true, O,
	  HWQNIC_IBM_READ, RC },
	{ "RC Acknowledge", 0x11, "AETH", false, true, O, 0, RC },
	{ "RC ATOMIC Acknowledge", 0x12, "AETH AtomicAckETH", false, true, O,
	  HWQNIC_IBM_ATOMIC, RC },
	{ "RC CmpSwap", 0x13, "AtomicETH", false, false, O,
	  HWQNIC_IBM_ATOMIC, RC },
	{ "RC FetchAdd", 0x14, "AtomicETH", false, false, O,
	  HWQNIC_IBM_ATOMIC, RC },
	{ "UC SEND First", 0x20, "", true, false, F, HWQNIC_IBM_SEND, UC },
	{ "UC SEND Middle", 0x21, "", true, false, M, HWQNIC_IBM_SEND, UC },
	{ "UC SEND Last", 0x22, "", true, false, L, HWQNIC_IBM_SEND, UC },
	{ "UC SEND Last with Immediate", 0x23, "ImmDt", true, false, L,
	  HWQNIC_IBM_SEND, UC },
	{ "UC SEND Only", 0x24, "", true, false, O, HWQNIC_IBM_SEND, UC },
	{ "UC SEND Only with Immediate", 0x25, "ImmDt", true, false, O,
	  HWQNIC_IBM_SEND, UC },
	{ "UC RDMA WRITE First", 0x26, "RETH", true, false, F,
	  HWQNIC_IBM_WRITE, UC },
	{ "UC RDMA WRITE Middle", 0x27, "", true, false, M, HWQNIC_IBM_WRITE, UC },
	{ "UC RDMA WRITE Last", 0x28, "", true, false, L, HWQNIC_IBM_WRITE, UC },
	{ "UC RDMA WRITE Last with Immediate", 0x29, "ImmDt", true, false, L,
	  HWQNIC_IBM_WRITE | HWQNIC_IBM_SEND, UC },
	{ "UC RDMA WRITE Only", 0x2a, "RETH", true, false, O,
	  HWQNIC_IBM_WRITE, UC },
	{ "UC RDMA WRITE Only with Immediate", 0x2b, "RETH ImmDt", true, false,
	  O, HWQNIC_IBM_WRITE | HWQNIC_IBM_SEND, UC },
	{ "UD SEND Only", 0x64, "DETH", true, false, O, HWQNIC_IBM_SEND,
	  UD },
	{ "UD SEND Only with Immediate", 0x65, "DETH ImmDt", true, false, O,
	  HWQNIC_IBM_SEND, UD },
};

/* The mask bits and length the headers named in s make. */
static u16 headers(const char *s, u32 *len)
{
	char buf[64], *tok, *save;
	unsigned int i;
	u16 mask = 0;

	*len = 12;	/* the BTH */
	strncpy(buf, s, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = 0;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
			if (!strcmp(tok, ext[i].name)) {
				mask |= ext[i].bit;
				*len += ext[i].len;
			}
	return mask;
}

int main(void)
{
	const u16 hdr_bits = HWQNIC_IBM_DETH | HWQNIC_IBM_RETH |
		HWQNIC_IBM_ATMETH | HWQNIC_IBM_AETH | HWQNIC_IBM_ATMACK |
		HWQNIC_IBM_IMM;
	const u16 what_bits = HWQNIC_IBM_SEND | HWQNIC_IBM_WRITE |
		HWQNIC_IBM_READ | HWQNIC_IBM_ATOMIC;
	bool known[256] = { false };
	unsigned int i, v, stray = 0;

	for (i = 0; i < sizeof(ib) / sizeof(ib[0]); i++) {
		const struct hwqnic_ib_opcode *op = &hwqnic_ib_opcodes[ib[i].value];
		u32 len;
		u16 hdrs = headers(ib[i].headers, &len);
		u16 place = (ib[i].place & F ? HWQNIC_IBM_FIRST : 0) |
			    (ib[i].place & M ? HWQNIC_IBM_MIDDLE : 0) |
			    (ib[i].place & L ? HWQNIC_IBM_LAST : 0);
		u8 qpt = HWQNIC_OP_QPT(ib[i].type);
		/* IBTA 9.2: the BTH opcode's top 3 bits: RC 0, UC 1, UD 3 */
		u8 tbits = ib[i].type == UD ? 3 : ib[i].type == UC ? 1 : 0;

		known[ib[i].value] = true;
		if (!ok(op->mask != 0, "%s (0x%02x): in the table", ib[i].name,
			ib[i].value))
			continue;
		ok((op->mask & hdr_bits) == hdrs && op->hdr_len == len,
		   "%s: headers BTH %s, %u bytes (table: mask 0x%x, %u)",
		   ib[i].name, ib[i].headers, len, op->mask & hdr_bits,
		   op->hdr_len);
		ok(!!(op->mask & HWQNIC_IBM_PAYLOAD) == ib[i].payload,
		   "%s: %s", ib[i].name, ib[i].payload ? "payload" : "no payload");
		ok(!!(op->mask & HWQNIC_IBM_RESP) == ib[i].resp &&
		   !!(op->mask & HWQNIC_IBM_REQ) == !ib[i].resp,
		   "%s: %s", ib[i].name, ib[i].resp ? "response" : "request");
		ok((op->mask & (HWQNIC_IBM_FIRST | HWQNIC_IBM_MIDDLE |
				HWQNIC_IBM_LAST)) == place,
		   "%s: place in its message", ib[i].name);
		ok((op->mask & what_bits) == ib[i].what, "%s: does 0x%x",
		   ib[i].name, op->mask & what_bits);
		ok(op->qp_types == qpt, "%s: QP type %u", ib[i].name,
		   ib[i].type);
		ok(ib[i].value >> 5 == tbits,
		   "%s: transport bits of the value", ib[i].name);
	}
	for (v = 0; v < 256; v++)
		if (!known[v] && (hwqnic_ib_opcodes[v].mask ||
				  hwqnic_ib_opcodes[v].hdr_len ||
				  hwqnic_ib_opcodes[v].qp_types))
			stray++;
	ok(!stray, "no other value is an opcode (%u stray rows)", stray);
	ok(hwqnic_ib_opcodes[HWQNIC_IB_UD | HWQNIC_IB_SEND_FIRST].mask == 0 &&
	   hwqnic_ib_opcodes[HWQNIC_IB_UC | HWQNIC_IB_READ_REQ].mask == 0 &&
	   hwqnic_ib_opcodes[HWQNIC_IB_UC | HWQNIC_IB_ACK].mask == 0,
	   "UD SEND First, UC READ and UC Acknowledge are unknown");
	return tap_done();
}
