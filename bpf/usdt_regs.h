/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where a USDT probe's arguments sit, when every site of the probe in a
 * file passes each in the same register: a tool reads it from the file's
 * notes before it loads its programs (tools/lib/resolve.h) and gives it
 * to them as read-only data, so that the verifier knows it and a hit's
 * arguments are loads from the trap's saved registers, with no decoding
 * of libbpf's argument spec (bpf/usdt_args.h). Include "vmlinux.h" (BPF)
 * or <linux/types.h> (userspace) first.
 */
#ifndef __USDT_REGS_H
#define __USDT_REGS_H

#define USDT_REGS_MAX	12	/* as libbpf's BPF_USDT_MAX_ARG_CNT */

struct usdt_regs {
	__u8	n;			/* arguments; 0: decode each hit */
	__u8	word[USDT_REGS_MAX];	/* 8-byte word of struct pt_regs */
	__s8	size[USDT_REGS_MAX];	/* 1, 2, 4, 8 bytes; < 0: signed */
};

#endif /* __USDT_REGS_H */
