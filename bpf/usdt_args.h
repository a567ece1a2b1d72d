/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * USDT arguments, all of a hit's at once. libbpf's BPF_USDT() fetches each
 * argument through bpf_usdt_arg(), which looks the probe's spec up again
 * and reads the register with bpf_probe_read_kernel(): eight arguments
 * cost eight such calls, about half of qplat's run time per completion.
 * Here the spec (libbpf's, from <bpf/usdt.bpf.h>, which its user-space
 * half fills at attach) is looked up once, the trap's saved registers are
 * copied from the context with plain loads, and every argument is taken
 * from that copy. hwqnic passes every argument in a register; a constant
 * or one in memory (another build of the library) is still read, the
 * latter from user memory as libbpf does.
 *
 * Include "vmlinux.h", <bpf/bpf_helpers.h>, <bpf/bpf_tracing.h> and
 * <bpf/usdt.bpf.h> first.
 */
#ifndef __USDT_ARGS_H
#define __USDT_ARGS_H

#define USDT_REG_WORDS	(sizeof(struct pt_regs) / sizeof(__u64))

/*
 * The first n arguments of the probe that trapped, in res[] as
 * bpf_usdt_arg() gives them; 0, or a negative error when the spec is
 * missing, has fewer arguments, names a register outside pt_regs or an
 * argument in memory that cannot be read.
 */
static __always_inline int usdt_args(struct pt_regs *ctx, long *res, int n)
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

#endif /* __USDT_ARGS_H */
