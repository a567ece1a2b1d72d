// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A device's published stats file: see stats.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"
#include "tap.h"

static void stats_name(pid_t pid, const char *dev, char *buf, size_t n)
{
	snprintf(buf, n, "%s%d.%s", HWQNIC_STATS_PREFIX, (int)pid,
		 dev ? dev : "(null)");
}

void u_stats_path(struct hwqnic_context *ctx, pid_t pid, char *buf, size_t n)
{
	char name[96];

	stats_name(pid, hwqnic_device_name(ctx), name, sizeof(name));
	snprintf(buf, n, "%s/%s", HWQNIC_STATS_DIR, name);
}

int u_stats_read(pid_t pid, const char *dev, struct hwqnic_stats *st)
{
	char name[96], why[HWQNIC_STATS_WHY_LEN] = "";
	uid_t owner;
	int dfd, rc;

	memset(st, 0, sizeof(*st));
	stats_name(pid, dev, name, sizeof(name));
	rc = hwqnic_stats_pid_owner(pid, &owner);
	if (rc) {
		diag("%s: the owner of process %d: %s", name, (int)pid,
		     strerror(rc));
		return HWQNIC_STATS_EGONE;
	}
	dfd = open(HWQNIC_STATS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		diag("%s: %s", HWQNIC_STATS_DIR, strerror(errno));
		return HWQNIC_STATS_EGONE;
	}
	rc = hwqnic_stats_read(dfd, name, owner, st, why);
	close(dfd);
	if (rc)
		diag("%s: refused (%d): %s", name, rc, why);
	return rc;
}

const struct hwqnic_stats_qp *u_stats_qp(const struct hwqnic_stats *st,
					 __u32 qpn)
{
	unsigned int i;

	for (i = 0; i < st->nqp; i++)
		if (st->qp[i].qpn == qpn)
			return &st->qp[i];
	return NULL;
}
