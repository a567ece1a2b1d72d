// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The cheapest program a USDT probe can run: what a bare uprobe costs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

SEC("usdt")
int BPF_USDT(probecost_empty)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
