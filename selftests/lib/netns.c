// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Two network namespaces joined by veth, for the port tests (netns.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <valgrind/valgrind.h>

#include "netns.h"
#include "tap.h"

#define NS_PREFIX	"hwqnic-t"

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* Namespaces of tests that died before removing theirs. */
static void remove_stale(void)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;
	long pid;
	char side;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, NS_PREFIX "%ld-%c", &pid, &side) == 2 &&
		    pid > 0 && kill(pid, 0) && errno == ESRCH)
			sh("ip netns del %s 2>/dev/null", e->d_name);
	closedir(d);
}

/* A namespace of side i's, its fd open: 0, or -1. */
static int ns_add(struct u_netns *ns, int i)
{
	char path[64];

	snprintf(ns->name[i], sizeof(ns->name[i]), NS_PREFIX "%d-%c",
		 (int)getpid(), i == U_NETNS_MID ? 'm' : 'a' + i);
	/* no duplicate address detection: addresses usable at once */
	if (sh("ip netns add %s && ip netns exec %s sysctl -qw "
	       "net.ipv6.conf.default.accept_dad=0", ns->name[i], ns->name[i]))
		return -1;
	snprintf(path, sizeof(path), "/run/netns/%s", ns->name[i]);
	ns->fd[i] = open(path, O_RDONLY | O_CLOEXEC);
	return ns->fd[i] < 0 ? -1 : 0;
}

/*
 * The middle: a bridge of one veth end towards each side, so that the
 * sides share one subnet and resolve each other as on a direct link.
 */
static int mid_add(struct u_netns *ns)
{
	const char *m = ns->name[U_NETNS_MID];
	int i;

	if (ns_add(ns, U_NETNS_MID) ||
	    sh("ip -n %s link set lo up && ip -n %s link add hwqbr type "
	       "bridge && ip -n %s link set hwqbr up", m, m, m))
		return -1;
	for (i = 0; i < 2; i++) {
		snprintf(ns->mid_ifname[i], sizeof(ns->mid_ifname[i]),
			 "hwqm%c", 'a' + i);
		if (sh("ip link add %s netns %s type veth peer name %s "
		       "netns %s && ip -n %s link set %s master hwqbr && "
		       "ip -n %s link set %s up", ns->ifname[i], ns->name[i],
		       ns->mid_ifname[i], m, m, ns->mid_ifname[i], m,
		       ns->mid_ifname[i]))
			return -1;
	}
	return 0;
}

static const char *make(struct u_netns *ns, bool mid)
{
	int i;

	memset(ns, 0, sizeof(*ns));
	ns->fd[0] = ns->fd[1] = ns->fd[U_NETNS_MID] = ns->home = -1;
	if (geteuid())
		return "not root (network namespaces)";
	if (sh("command -v ip > /dev/null"))
		return "no ip(8) (make deps installs iproute2)";
	remove_stale();
	ns->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns->home < 0)
		return "no /proc/self/ns/net";
	for (i = 0; i < 2; i++) {
		snprintf(ns->ifname[i], sizeof(ns->ifname[i]), "hwq%c",
			 'a' + i);
		memcpy(ns->v4[i], (uint8_t[]){ 198, 18, 0, 1 + i }, 4);
		memcpy(ns->v6[i], (uint8_t[]){ 0x20, 0x01, 0, 2, [15] = 1 + i },
		       16);
		memset(ns->gid4[i] + 10, 0xff, 2);
		memcpy(ns->gid4[i] + 12, ns->v4[i], 4);
		if (ns_add(ns, i))
			goto fail;
	}
	if (mid ? mid_add(ns) :
	    sh("ip link add %s netns %s type veth peer name %s netns %s",
	       ns->ifname[0], ns->name[0], ns->ifname[1], ns->name[1]))
		goto fail;
	for (i = 0; i < 2; i++)
		/* addresses stay when a test takes the link down and up */
		if (sh("ip netns exec %s sysctl -qw "
		       "net.ipv6.conf.all.keep_addr_on_down=1 && "
		       "ip -n %s link set lo up && "
		       "ip -n %s addr add 198.18.0.%d/24 dev %s && "
		       "ip -n %s addr add 2001:2::%d/64 dev %s nodad && "
		       "ip -n %s link set %s up", ns->name[i], ns->name[i],
		       ns->name[i], 1 + i, ns->ifname[i],
		       ns->name[i], 1 + i, ns->ifname[i],
		       ns->name[i], ns->ifname[i]))
			goto fail;
	return NULL;
fail:
	u_netns_del(ns);
	return mid ? "cannot make two namespaces bridged by a third" :
		     "cannot make two namespaces joined by veth";
}

const char *u_netns_pair(struct u_netns *ns)
{
	return make(ns, false);
}

const char *u_netns_trio(struct u_netns *ns)
{
	return make(ns, true);
}

int u_netns_enter(const struct u_netns *ns, int side)
{
	return setns(side < 0 ? ns->home : ns->fd[side], CLONE_NEWNET) ?
	       -errno : 0;
}

int u_netns_sh(const struct u_netns *ns, int side, const char *fmt, ...)
{
	char cmd[400];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	/* a command cut short is not run */
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return sh("ip netns exec %s sh -c '%s'", ns->name[side], cmd);
}

void u_netns_del(struct u_netns *ns)
{
	for (int i = 0; i < 3; i++) {
		if (ns->fd[i] >= 0)
			close(ns->fd[i]);
		ns->fd[i] = -1;
		if (ns->name[i][0])
			sh("ip netns del %s 2>/dev/null", ns->name[i]);
		ns->name[i][0] = '\0';
	}
	if (ns->home >= 0)
		close(ns->home);
	ns->home = -1;
}

int u_netns_mac(const struct u_netns *ns, int side, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd, rc = 0;

	if (u_netns_enter(ns, side))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ns->ifname[side]);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		rc = -1;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
	u_netns_enter(ns, -1);
	return rc;
}

uint32_t u_netns_xdp_prog(const struct u_netns *ns, int side)
{
	uint32_t id = 0;
	int ifindex;

	if (u_netns_enter(ns, side))
		return (uint32_t)-1;
	ifindex = if_nametoindex(ns->ifname[side]);
	if (!ifindex || bpf_xdp_query_id(ifindex, 0, &id))
		id = (uint32_t)-1;
	u_netns_enter(ns, -1);
	return id;
}

const char *u_netns_no_xdp(void)
{
	return RUNNING_ON_VALGRIND ? "valgrind takes libbpf's bpf(2) "
		"attributes for uninitialised bytes (ASan runs it)" : NULL;
}

void u_netns_each_port(void (*pass)(const char *kind, void *arg), void *arg)
{
	static const char *const kinds[] = { "xdp", "udp" };

	for (unsigned int i = 0; i < 2; i++) {
		if (i == 0 && u_netns_no_xdp()) {
			tap_skip("xdp: the AF_XDP port's pass", "%s",
				 u_netns_no_xdp());
			continue;
		}
		setenv("HWQNIC_PORT", kinds[i], 1);
		pass(kinds[i], arg);
	}
}
