// SPDX-License-Identifier: GPL-2.0
/*
 * hwqnic.ko: the software RDMA NIC. The core in core/ (PBL, HWQ, device,
 * MR, CQ, QP, engine) is built here unchanged and exported to in-kernel
 * users; this file instantiates the hwqnic tracepoints it fires.
 */
#include <linux/module.h>

#define CREATE_TRACE_POINTS
#include "hwqnic_trace.h"

MODULE_DESCRIPTION("hwqnic: software RDMA NIC with a bnxt_re-style PBL/HWQ core");
MODULE_LICENSE("GPL");
