// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Frames of the packet layer (kmod/core/pkt.c) as Wireshark sees them: a
 * pcap of every opcode, over IPv4 and IPv6, with every pad count, read by
 * tshark. Each frame must dissect as RoCEv2 (InfiniBand over UDP) with the
 * BTH and extension header fields it was built with, none malformed and
 * no expert error. tshark shows the ICRC without checking it: the test
 * checks that the ICRC tshark finds is the frame's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire.h"
#include "../lib/frames.h"
#include "../lib/tap.h"

#define MAX_FRAMES	256

static struct sent {
	struct hwqnic_pkt p;
	u32 paylen, icrc;
} sent[MAX_FRAMES];
static unsigned int nsent;
static u8 payload[64];

static void put32le(FILE *f, u32 v)
{
	u8 b[4] = { v, v >> 8, v >> 16, v >> 24 };

	fwrite(b, 1, 4, f);
}

/* libpcap's format: a file header, then a record header per frame. */
static int write_pcap(const char *path, uint64_t *seed)
{
	static u8 frame[HWQNIC_FRAME_MAX];
	unsigned int op, v6, pad;
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	put32le(f, 0xa1b2c3d4);
	put32le(f, 2 | 4 << 16);	/* version 2.4 */
	put32le(f, 0);
	put32le(f, 0);
	put32le(f, 65535);
	put32le(f, 1);			/* Ethernet */
	for (op = 0; op < 256; op++) {
		u16 mask = hwqnic_ib_opcodes[op].mask;

		if (!mask)
			continue;
		for (v6 = 0; v6 < 2; v6++)
			for (pad = 0; pad < (mask & HWQNIC_IBM_PAYLOAD ? 4 : 1);
			     pad++) {
				struct sent *s = &sent[nsent];
				u32 len;

				s->paylen = mask & HWQNIC_IBM_PAYLOAD ?
					    16 - pad : 0;
				u_pkt_random(&s->p, seed, op, v6);
				s->p.pkey = 0xffff;
				/*
				 * A source port as hwqnic sends (0xC000 up):
				 * tshark gives a low one to its protocol's
				 * dissector (3785: BFD echo), not RoCE's.
				 */
				s->p.path.sport |= 0xc000;
				len = u_pkt_make(frame, sizeof(frame), &s->p,
						 payload, s->paylen);
				if (!len || nsent == MAX_FRAMES - 1)
					goto fail;
				s->icrc = (u32)frame[len - 4] << 24 |
					  frame[len - 3] << 16 |
					  frame[len - 2] << 8 | frame[len - 1];
				put32le(f, nsent + 1);
				put32le(f, 0);
				put32le(f, len);
				put32le(f, len);
				fwrite(frame, 1, len, f);
				nsent++;
			}
	}
	return fclose(f);
fail:
	fclose(f);
	return -1;
}

static const char *const fields[] = {
	"frame.number", "frame.protocols", "infiniband.bth.opcode",
	"infiniband.bth.padcnt", "infiniband.bth.destqp",
	"infiniband.bth.psn", "infiniband.bth.a", "infiniband.reth.r_key",
	"infiniband.aeth.msn", "infiniband.deth.srcqp",
	"infiniband.atomiceth.cmpdt", "infiniband.atomicacketh.origremdt",
	"infiniband.invariant.crc", "_ws.malformed", "_ws.expert.severity",
};
enum { F_NUM, F_PROTO, F_OP, F_PAD, F_DQP, F_PSN, F_ACK, F_RKEY, F_MSN,
       F_SQP, F_CMP, F_ORIG, F_ICRC, F_MALFORMED, F_SEVERITY, F_MAX };

/* What tshark printed for the sent frame s, field by field: what differs. */
static const char *check_line(const struct sent *s, char **v)
{
	u16 mask = hwqnic_ib_opcodes[s->p.opcode].mask;

	if (!strstr(v[F_PROTO], ":udp:infiniband"))
		return "not dissected as InfiniBand over UDP";
	if (*v[F_MALFORMED])
		return "malformed";
	/* PI_ERROR is 0x00800000 */
	if (strstr(v[F_SEVERITY], "8388608") || strstr(v[F_SEVERITY], "0x00800000"))
		return "an expert error";
	if (strtoul(v[F_OP], NULL, 0) != s->p.opcode)
		return "opcode";
	if (strtoul(v[F_PAD], NULL, 0) != (-s->paylen & 3))
		return "pad count";
	if (strtoul(v[F_DQP], NULL, 0) != s->p.dqpn ||
	    strtoul(v[F_PSN], NULL, 0) != s->p.psn)
		return "dest QP or PSN";
	if ((strcmp(v[F_ACK], "1") == 0 || strcmp(v[F_ACK], "True") == 0) !=
	    s->p.ackreq)
		return "AckReq";
	if ((mask & HWQNIC_IBM_RETH) &&
	    strtoul(v[F_RKEY], NULL, 0) != s->p.rkey)
		return "RETH R_Key";
	if ((mask & HWQNIC_IBM_AETH) && strtoul(v[F_MSN], NULL, 0) != s->p.msn)
		return "AETH MSN";
	if ((mask & HWQNIC_IBM_DETH) &&
	    strtoul(v[F_SQP], NULL, 0) != s->p.sqpn)
		return "DETH source QP";
	if ((mask & HWQNIC_IBM_ATMETH) &&
	    strtoull(v[F_CMP], NULL, 0) != s->p.compare)
		return "AtomicETH compare";
	if ((mask & HWQNIC_IBM_ATMACK) &&
	    strtoull(v[F_ORIG], NULL, 0) != s->p.orig)
		return "AtomicAckETH";
	if (strtoul(v[F_ICRC], NULL, 0) != s->icrc)
		return "ICRC";
	return NULL;
}

int main(void)
{
	char path[] = "/tmp/hwqnic-pkt-XXXXXX.pcap", cmd[2048], line[4096];
	uint64_t seed = tap_seed();
	unsigned int i, lines = 0, bad = 0;
	FILE *out;
	int fd;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		tap_skip_all("no tshark (make deps installs it)");
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = tap_rand(&seed);
	fd = mkstemps(path, 5);
	if (!ok(fd >= 0, "a pcap file"))
		return tap_done();
	close(fd);
	fd = write_pcap(path, &seed);
	if (!ok(fd == 0, "%u frames written to %s", nsent, path))
		goto out;
	i = snprintf(cmd, sizeof(cmd),
		     "tshark -n -r %s -T fields -E separator=/t -E occurrence=a"
		     " -E aggregator=,", path);
	for (unsigned int f = 0; f < F_MAX; f++)
		i += snprintf(cmd + i, sizeof(cmd) - i, " -e %s", fields[f]);
	snprintf(cmd + i, sizeof(cmd) - i, " 2>/dev/null");
	out = popen(cmd, "r");
	if (!ok(out != NULL, "tshark runs"))
		goto out;
	while (fgets(line, sizeof(line), out)) {
		char *v[F_MAX], *p = line, *why;
		unsigned int n, f;

		line[strcspn(line, "\n")] = 0;
		for (f = 0; f < F_MAX; f++) {
			v[f] = p;
			p += strcspn(p, "\t");
			if (*p)
				*p++ = 0;
		}
		n = strtoul(v[F_NUM], NULL, 10);
		lines++;
		why = n >= 1 && n <= nsent ? (char *)check_line(&sent[n - 1], v) :
		      "no such frame";
		if (why && bad++ < 10)
			diag("frame %u (opcode 0x%02x %s): %s", n,
			     n >= 1 && n <= nsent ? sent[n - 1].p.opcode : 0,
			     n >= 1 && n <= nsent && sent[n - 1].p.ipv6 ?
			     "IPv6" : "IPv4", why);
	}
	ok(pclose(out) == 0, "tshark exits 0");
	ok(lines == nsent, "tshark dissected %u frames of %u", lines, nsent);
	ok(!bad, "every frame is RoCEv2 with the fields it was built with, "
	   "none malformed, no expert error (%u bad)", bad);
out:
	if (!getenv("KEEP")) unlink(path);
	return tap_done();
}
