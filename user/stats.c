// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The published counters: /dev/shm/hwqnic.<pid>.<device> (stats.h). The
 * counters the library and the engine keep are the file's own words, so
 * publishing costs nothing per operation. Without /dev/shm, or without
 * room in it, they live in private memory and only
 * hwqnic_query_qp_counters() shows them. A process that dies leaves its
 * file behind; the next open sweeps such files away.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhwqnic.h"

struct hwqnic_stats_qp *hwqnic_stats_entry(struct hwqnic_context *ctx,
					   u32 qpn)
{
	return &ctx->stats->qp[qpn - HWQNIC_FIRST_QPN];
}

/* Removes the files of processes that no longer exist. */
static void stats_sweep(void)
{
	static const char prefix[] = HWQNIC_STATS_PREFIX;
	char path[sizeof(HWQNIC_STATS_DIR) + 256];
	struct dirent *de;
	DIR *d;
	long pid;
	char *end;

	d = opendir(HWQNIC_STATS_DIR);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, sizeof(prefix) - 1))
			continue;
		pid = strtol(de->d_name + sizeof(prefix) - 1, &end, 10);
		if (*end != '.' || pid <= 0 || kill(pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), HWQNIC_STATS_DIR "/%s",
			 de->d_name);
		unlink(path);
	}
	closedir(d);
}

/*
 * Creates the file, mode 0600, never one that exists: /dev/shm is anyone's,
 * and a name taken by another user (who may have made it for this pid in
 * advance) gets a random suffix instead. Returns its fd or -1.
 */
static int stats_create(struct hwqnic_context *ctx)
{
	static const char suffix[] = ".XXXXXX";
	size_t len;
	int fd;

	len = snprintf(ctx->stats_path, sizeof(ctx->stats_path),
		       HWQNIC_STATS_DIR "/" HWQNIC_STATS_PREFIX "%d.%s",
		       getpid(), ctx->name);
	if (len >= sizeof(ctx->stats_path))
		return -1;
	fd = open(ctx->stats_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		  0600);
	if (fd >= 0 || errno != EEXIST ||
	    len + sizeof(suffix) > sizeof(ctx->stats_path))
		return fd;
	memcpy(ctx->stats_path + len, suffix, sizeof(suffix));
	return mkostemp(ctx->stats_path, O_CLOEXEC);
}

int hwqnic_stats_open(struct hwqnic_context *ctx)
{
	struct hwqnic_stats_file *f;
	FILE *comm;
	int fd;

	HWQNIC_STATIC_ASSERT(HWQNIC_MAX_QP <= HWQNIC_STATS_MAX_QP,
			     "readers accept every file we make");
	stats_sweep();
	ctx->stats_size = sizeof(*f) + HWQNIC_MAX_QP * sizeof(f->qp[0]);
	fd = stats_create(ctx);
	/*
	 * Pages of its own, not a sparse file: a full /dev/shm must be
	 * an error here, not a SIGBUS at the first counter written.
	 */
	if (fd >= 0 && posix_fallocate(fd, 0, ctx->stats_size)) {
		close(fd);
		unlink(ctx->stats_path);
		fd = -1;
	}
	if (fd < 0)
		ctx->stats_path[0] = '\0';
	f = mmap(NULL, ctx->stats_size, PROT_READ | PROT_WRITE,
		 fd >= 0 ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS, fd, 0);
	if (fd >= 0)
		close(fd);
	if (f == MAP_FAILED) {
		if (ctx->stats_path[0])
			unlink(ctx->stats_path);
		return ENOMEM;
	}
	f->pid = getpid();
	f->max_qp = HWQNIC_MAX_QP;
	snprintf(f->dev, sizeof(f->dev), "%s", ctx->name);
	comm = fopen("/proc/self/comm", "r");
	if (comm) {
		if (fgets(f->comm, sizeof(f->comm), comm))
			f->comm[strcspn(f->comm, "\n")] = '\0';
		fclose(comm);
	}
	f->version = HWQNIC_STATS_VERSION;
	/* F_NETDEV and the netdev's name: hwqnic_stats_bound(), before magic */
	ctx->stats = f;
	ctx->dev.estats = &f->engine;
	return 0;
}

void hwqnic_stats_bound(struct hwqnic_context *ctx, const char *netdev)
{
	struct hwqnic_stats_file *f = ctx->stats;

	snprintf(f->netdev, sizeof(f->netdev), "%s", netdev);
	f->flags |= HWQNIC_STATS_F_NETDEV;
}

void hwqnic_stats_ready(struct hwqnic_context *ctx)
{
	smp_store_release(&ctx->stats->magic, HWQNIC_STATS_MAGIC);
}

void hwqnic_stats_close(struct hwqnic_context *ctx)
{
	/*
	 * Only the process that made the file removes it: a child after
	 * fork() shares the mapping, and with it the creator's pid.
	 */
	if (ctx->stats_path[0] && ctx->stats->pid == (__u32)getpid())
		unlink(ctx->stats_path);
	munmap(ctx->stats, ctx->stats_size);
}
