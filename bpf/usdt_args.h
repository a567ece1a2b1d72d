/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * USDT arguments, all of a hit's at once. libbpf's BPF_USDT() fetches each
 * argument through bpf_usdt_arg(), which looks the probe's spec up again
 * and reads the register with bpf_probe_read_kernel(): eight arguments
 * cost eight such calls, about half of qplat's run time per completion.
 *
 * Two ways here, chosen before the program runs. When the tool found the
 * probe's registers in the file's notes (bpf/usdt_regs.h), it gives them
 * as read-only data: the verifier knows them, the arguments are loads
 * from the trap's saved registers at constant offsets, and the rest is
 * dead code it removes. Otherwise the spec (libbpf's, from
 * <bpf/usdt.bpf.h>, which its user-space half fills at attach) is looked
 * up once, the saved registers are copied from the context with plain
 * loads, and every argument is taken from that copy; a constant or one in
 * memory (another build of the library) is still read, the latter from
 * user memory as libbpf does. The first way calls no helper: each call
 * costs a call and a return, which kernels that mitigate return-stack
 * attacks (SRSO here) send through a return thunk.
 *
 * Include "vmlinux.h", <bpf/bpf_helpers.h>, <bpf/bpf_tracing.h> and
 * <bpf/usdt.bpf.h> first.
 */
#ifndef __USDT_ARGS_H
#define __USDT_ARGS_H

#include "usdt_regs.h"

#define USDT_REG_WORDS	(sizeof(struct pt_regs) / sizeof(__u64))

/*
 * The first n arguments of the probe that trapped, from its spec, in
 * res[] as bpf_usdt_arg() gives them; 0, or a negative error when the
 * spec is missing, has fewer arguments, names a register outside pt_regs
 * or an argument in memory that cannot be read.
 */
static __always_inline int usdt_args_spec(struct pt_regs *ctx, long *res,
					  int n)
{
	const struct __bpf_usdt_arg_spec *a;
	const struct __bpf_usdt_spec *spec;
	__u64 regs[USDT_REG_WORDS], v;
	int id, i;
	__u32 w;

	id = __bpf_usdt_spec_id(ctx);
	if (id < 0)
		return -ESRCH;
	spec = bpf_map_lookup_elem(&__bpf_usdt_specs, &id);
	if (!spec)
		return -ESRCH;
	if (n > BPF_USDT_MAX_ARG_CNT || spec->arg_cnt < n)
		return -ENOENT;
	/* constant offsets: the verifier lets a program load its context */
	for (i = 0; i < USDT_REG_WORDS; i++)
		regs[i] = ((const __u64 *)ctx)[i];
	for (i = 0; i < n; i++) {
		a = &spec->args[i];
		switch (a->arg_type) {
		case BPF_USDT_ARG_CONST:
			v = a->val_off;
			break;
		case BPF_USDT_ARG_REG:
		case BPF_USDT_ARG_REG_DEREF:
			if (a->reg_off < 0 || a->reg_off % sizeof(__u64))
				return -EINVAL;
			w = a->reg_off / sizeof(__u64);
			if (w >= USDT_REG_WORDS)
				return -EINVAL;
			/* keep the bound on w itself for the verifier */
			barrier_var(w);
			v = regs[w < USDT_REG_WORDS ? w : 0];
			if (a->arg_type == BPF_USDT_ARG_REG)
				break;
			if (bpf_probe_read_user(&v, sizeof(v),
						(void *)v + a->val_off))
				return -EFAULT;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			v >>= a->arg_bitshift;
#endif
			break;
		default:
			return -EINVAL;
		}
		/* 1, 2 or 4 bytes widened, sign-extended if signed */
		v <<= a->arg_bitshift;
		if (a->arg_signed)
			v = (long)v >> a->arg_bitshift;
		else
			v >>= a->arg_bitshift;
		res[i] = v;
	}
	return 0;
}

/*
 * Saved register `word` of the trap: a load of its own at a constant
 * offset for each case, written as one instruction so that the compiler
 * cannot merge them into a load through a computed context pointer,
 * which the verifier refuses.
 */
#define USDT_REG_CASE(w)						\
	case w:								\
		asm volatile("%[v] = *(u64 *)(%[ctx] + %[off])"		\
			     : [v] "=r"(v)				\
			     : [ctx] "r"(ctx), [off] "i"((w) * 8));	\
		break

static __always_inline __u64 usdt_reg(struct pt_regs *ctx, __u32 word)
{
	__u64 v = 0;

	switch (word) {
	USDT_REG_CASE(0); USDT_REG_CASE(1); USDT_REG_CASE(2);
	USDT_REG_CASE(3); USDT_REG_CASE(4); USDT_REG_CASE(5);
	USDT_REG_CASE(6); USDT_REG_CASE(7); USDT_REG_CASE(8);
	USDT_REG_CASE(9); USDT_REG_CASE(10); USDT_REG_CASE(11);
	USDT_REG_CASE(12); USDT_REG_CASE(13); USDT_REG_CASE(14);
	USDT_REG_CASE(15); USDT_REG_CASE(16); USDT_REG_CASE(17);
	USDT_REG_CASE(18); USDT_REG_CASE(19); USDT_REG_CASE(20);
	}
	return v;
}
_Static_assert(USDT_REG_WORDS == 21, "usdt_reg() has x86-64's 21 words");
#undef USDT_REG_CASE

/*
 * The first n arguments of the probe that trapped, in res[] as
 * bpf_usdt_arg() gives them: from the registers `regs` names when it
 * names n of them (read-only data: decided by the verifier), else from
 * the spec. 0, or usdt_args_spec()'s error.
 */
static __always_inline int usdt_args(struct pt_regs *ctx, long *res, int n,
				     const volatile struct usdt_regs *regs)
{
	__u64 v;
	int i;

	if (regs->n < n || n > USDT_REGS_MAX)
		return usdt_args_spec(ctx, res, n);
	/* unrolled: each argument's branches the verifier decides alone */
#pragma unroll
	for (i = 0; i < n; i++) {
		if (regs->word[i] >= USDT_REG_WORDS)
			return usdt_args_spec(ctx, res, n);
		v = usdt_reg(ctx, regs->word[i]);
		switch (regs->size[i]) {
		case 1: v = (__u8)v; break;
		case -1: v = (__s8)v; break;
		case 2: v = (__u16)v; break;
		case -2: v = (__s16)v; break;
		case 4: v = (__u32)v; break;
		case -4: v = (__s32)v; break;
		}
		res[i] = v;
	}
	return 0;
}

#endif /* __USDT_ARGS_H */
