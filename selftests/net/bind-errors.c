// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Binding a device to a netdev, refused: no netdev of that name, not a
 * netdev name, not Ethernet (lo), the kernel backend, a bad HWQNIC_PORT,
 * each with its errno and, where the environment is the cause, a line on
 * stderr naming the variable. A device without a netdev reports a port of
 * no link layer and an empty GID table. Needs no privilege.
 */
#include "../lib/helpers.h"

/* stderr into a pipe, until stderr_end() reads it into err. */
static int saved_fd, pipe_fd[2];

static void stderr_begin(void)
{
	if (pipe(pipe_fd))
		pipe_fd[0] = pipe_fd[1] = -1;
	fflush(stderr);
	saved_fd = dup(2);
	dup2(pipe_fd[1], 2);
}

static void stderr_end(char *err, size_t len)
{
	int e = errno;
	ssize_t n;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	close(pipe_fd[1]);
	n = read(pipe_fd[0], err, len - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pipe_fd[0]);
	errno = e;
}

/* hwqnic_open_netdev(), or hwqnic_open() when netdev is NULL, its stderr. */
static struct hwqnic_context *open_err(const char *netdev, unsigned int flags,
				       char *err, size_t len)
{
	struct hwqnic_context *ctx;

	stderr_begin();
	ctx = netdev ? hwqnic_open_netdev(NULL, netdev, flags) :
		       hwqnic_open(NULL, flags);
	stderr_end(err, len);
	return ctx;
}

int main(void)
{
	struct hwqnic_port_attr pa;
	struct hwqnic_context *ctx;
	union hwqnic_gid gid;
	char err[512];

	unsetenv("HWQNIC_NETDEV");
	unsetenv("HWQNIC_PORT");
	unsetenv("HWQNIC_DEBUG");
	ctx = hwqnic_open(NULL, HWQNIC_OPEN_EMBEDDED);
	ok(ctx && !hwqnic_query_port(ctx, 1, &pa) &&
	   pa.state == HWQNIC_PORT_ACTIVE && pa.gid_tbl_len == 0 &&
	   pa.link_layer == HWQNIC_LINK_LAYER_UNSPECIFIED &&
	   pa.port_type == HWQNIC_PORT_TYPE_NONE,
	   "no netdev: the port is active, of no link layer, no GIDs");
	ok(ctx && hwqnic_query_gid(ctx, 1, 0, &gid) == EINVAL,
	   "no netdev: query_gid(0) is EINVAL");
	ok(ctx && hwqnic_query_gid(ctx, 2, 0, &gid) == EINVAL &&
	   hwqnic_query_gid(ctx, 1, 0, NULL) == EINVAL &&
	   hwqnic_query_gid(NULL, 1, 0, &gid) == EINVAL,
	   "query_gid of port 2, into NULL, of no context: EINVAL");
	if (ctx)
		hwqnic_close(ctx);

	setenv("HWQNIC_DEBUG", "1", 1);
	ctx = hwqnic_open(NULL, HWQNIC_OPEN_EMBEDDED);
	stderr_begin();
	if (ctx)
		hwqnic_query_gid(ctx, 2, 0, &gid);
	stderr_end(err, sizeof(err));
	ok(!strcmp(err, "hwqnic_query_gid: port 2: a device has port 1 only "
		   "(EINVAL)\n"), "HWQNIC_DEBUG: query_gid of port 2 says why");
	stderr_begin();
	if (ctx)
		hwqnic_query_gid(ctx, 1, 0, &gid);
	stderr_end(err, sizeof(err));
	ok(!strcmp(err, "hwqnic_query_gid: index 0: the GID table has 0 "
		   "entries (no netdev: hwqnic_open_netdev()) (EINVAL)\n"),
	   "HWQNIC_DEBUG: query_gid past an empty table says why");
	if (ctx)
		hwqnic_close(ctx);
	unsetenv("HWQNIC_DEBUG");

	ok(!hwqnic_open_netdev(NULL, NULL, 0) && errno == EINVAL,
	   "hwqnic_open_netdev() of no netdev: EINVAL");
	ok(!hwqnic_open_netdev(NULL, "a/b", 0) && errno == EINVAL &&
	   !hwqnic_open_netdev(NULL, "0123456789abcdef", 0) &&
	   errno == EINVAL && !hwqnic_open_netdev(NULL, "", 0) &&
	   errno == EINVAL, "not a netdev name ('/', 16 bytes, empty): "
	   "EINVAL");
	ok(!hwqnic_open_netdev(NULL, "hwq-nonesuch", 0) && errno == ENODEV,
	   "a netdev that is not there: ENODEV");
	ok(!hwqnic_open_netdev(NULL, "lo", 0) && errno == EOPNOTSUPP,
	   "lo, not Ethernet: EOPNOTSUPP");
	ok(!hwqnic_open_netdev(NULL, "lo", HWQNIC_OPEN_KERNEL) &&
	   errno == EOPNOTSUPP,
	   "the kernel backend with a netdev: EOPNOTSUPP");

	setenv("HWQNIC_NETDEV", "hwq-nonesuch", 1);
	ctx = open_err(NULL, 0, err, sizeof(err));
	ok(!ctx && errno == ENODEV && strstr(err, "HWQNIC_NETDEV=hwq-nonesuch: "
					      "no netdev of that name"),
	   "HWQNIC_NETDEV naming no netdev: ENODEV, said on stderr (%s)",
	   strtok(err, "\n") ? err : "");
	setenv("HWQNIC_NETDEV", "lo", 1);
	ctx = open_err(NULL, HWQNIC_OPEN_KERNEL, err, sizeof(err));
	ok(!ctx && errno == EOPNOTSUPP && strstr(err, "HWQNIC_NETDEV=lo: the "
						  "kernel backend has no port"),
	   "HWQNIC_NETDEV with the kernel backend: EOPNOTSUPP, said on stderr");
	setenv("HWQNIC_PORT", "rdma", 1);
	ctx = open_err(NULL, 0, err, sizeof(err));
	ok(!ctx && errno == EINVAL && strstr(err, "HWQNIC_PORT takes xdp or "
					     "udp"),
	   "HWQNIC_PORT=rdma: EINVAL, the variable named on stderr");
	unsetenv("HWQNIC_PORT");
	setenv("HWQNIC_NETDEV", "", 1);
	ctx = hwqnic_open(NULL, HWQNIC_OPEN_EMBEDDED);
	ok(ctx && !hwqnic_query_port(ctx, 1, &pa) &&
	   pa.port_type == HWQNIC_PORT_TYPE_NONE,
	   "HWQNIC_NETDEV empty: no netdev");
	if (ctx)
		hwqnic_close(ctx);
	return tap_done();
}
