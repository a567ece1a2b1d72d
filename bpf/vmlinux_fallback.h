/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Stand-in for vmlinux.h on a kernel without BTF (/sys/kernel/btf/vmlinux).
 * hwqnic's programs touch no kernel structure beyond pt_regs, which the
 * UAPI headers describe; libbpf's bpf_tracing.h knows their field names.
 */
#ifndef __HWQNIC_VMLINUX_FALLBACK_H
#define __HWQNIC_VMLINUX_FALLBACK_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>

/* the kernel's own names, which vmlinux.h has and programs use */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#endif
