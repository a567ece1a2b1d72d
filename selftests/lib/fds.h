/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The process's open descriptors, to see that a close leaves none (fds.c). */
#ifndef _HWQNIC_SELFTESTS_LIB_FDS_H
#define _HWQNIC_SELFTESTS_LIB_FDS_H

/* How many descriptors the process has open now, or -1 without /proc. */
int u_open_fds(void);

#endif /* _HWQNIC_SELFTESTS_LIB_FDS_H */
