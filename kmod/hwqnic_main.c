// SPDX-License-Identifier: GPL-2.0
/*
 * hwqnic.ko: the software RDMA NIC. The PBL/HWQ core in core/ is built here
 * unchanged and exported to in-kernel users.
 */
#include <linux/module.h>

MODULE_DESCRIPTION("hwqnic: software RDMA NIC with a bnxt_re-style PBL/HWQ core");
MODULE_LICENSE("GPL");
