/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A device's published stats file, read as another process reads it
 * (selftests/lib/stats.c): through libhwqnic's hwqnic_stats_read(), which
 * copies and checks it, never through a mapping.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_STATS_H
#define _HWQNIC_SELFTESTS_LIB_STATS_H

#include <stddef.h>
#include <sys/types.h>

#include <hwqnic/stats.h>

/* The path of the file that process pid publishes for ctx's device. */
void u_stats_path(struct hwqnic_context *ctx, pid_t pid, char *buf, size_t n);

/*
 * Reads the file of process pid for the device named dev into *st
 * (hwqnic_stats_free() it): HWQNIC_STATS_OK, else the refusal, told with
 * diag().
 */
int u_stats_read(pid_t pid, const char *dev, struct hwqnic_stats *st);

/* QP qpn's slot in *st, or NULL when the file lists no such QP. */
const struct hwqnic_stats_qp *u_stats_qp(const struct hwqnic_stats *st,
					 __u32 qpn);

#endif /* _HWQNIC_SELFTESTS_LIB_STATS_H */
